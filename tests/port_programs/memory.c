#include <stdio.h>
#include <string.h>
#include <netinet/in.h>


static void llenar(char *p, int n, char c)
{
    while (n-- > 0)
        *p++ = c;
}

static void doblar(int *x)
{
    *x = *x * 2;
}

int main(void)
{
    char buf[16];
    char *p = buf;
    int v = 21;
    unsigned int u = 3;
    struct sockaddr_in sa;
    unsigned char b = 250;
    char letra = 'a';
    memset(buf, 0, sizeof(buf));
    llenar(buf, 3, 'x');
    buf[3] = letra + 1;
    p += 4;
    *p = '!';
    printf("%s %d %d\n", buf, (int)(p - buf), (int)strlen(buf));
    doblar(&v);
    u -= 5;
    b += 10;
    letra += 200;
    printf("%d %u %d %d\n", v, u, b, letra);
    memset(&sa, 0, sizeof(sa));
    sa.sin_port = htons(80);
    printf("%d %d %d\n", ntohs(sa.sin_port), (int)sizeof(sa), (int)sizeof(struct sockaddr));
    printf("%d %d %d %d\n", -7 / 2, -7 % 2, 7 / -2, (int)sizeof(buf));
    printf("%c%c %d\n", buf[0], 'y', buf[4] == '!');
    return 0;
}
