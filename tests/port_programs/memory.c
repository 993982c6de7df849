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

enum color { ROJO, VERDE = 5, AZUL };

int main(void)
{
    struct sockaddr_in *sp;
    int k = -17;
    long grande = 1L << 40;
    unsigned short corto = 65535;
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
    sp = &sa;
    sp->sin_port = htons(81);
    (*sp).sin_family = AF_INET;
    printf("%d %d %d\n", ntohs(sa.sin_port), sa.sin_family == AF_INET, sp[0].sin_port == sa.sin_port);
    k %= 5;
    k <<= 2;
    k |= 1;
    corto += 2;
    grande >>= 3;
    grande /= -3;
    printf("%d %u %ld %d %d %d\n", k, corto, grande, ROJO, VERDE, AZUL);
    printf("%d %d %s\n", (int)sizeof(k), (int)sizeof grande, "fin");
    return 0;
}
