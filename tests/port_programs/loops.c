#include <stdio.h>

#define SQ(x) ((x) * (x))
#define DEBUG 1

static int contador = 0;

static int siguiente(void)
{
    static int n = 10;
    n++;
    contador += 1;
    return n;
}

int main(void)
{
    int i, j = 0, total = 0;
    /* for with continue: the increment still runs */
    for (i = 0; i < 10; i++) {
        if (i % 3 == 0)
            continue;
        total += i;
    }
    printf("for %d %d\n", i, total);
    i = 0;
    while (i < 10) {
        i++;
        if (i & 1)
            continue;
        j += i;
    }
    printf("while %d %d\n", i, j);
    i = 0;
    j = 0;
    do {
        i++;
        if (i < 5)
            continue;
        j += 100;
    } while (i < 8);
    printf("do %d %d\n", i, j);
    for (i = 0; i < 6; i++) {
        switch (i) {
        case 0:
            j = 1;
        case 1:
            j += 10;
            break;
        case 2:
        case 3:
            continue;
        default:
            j = -1;
        }
        printf("switch %d %d\n", i, j);
    }
    for (i = 0;; i++)
        if (i == 4)
            break;
    printf("break %d sq %d\n", i, SQ(i + 1));
#if DEBUG
    i = siguiente();
    j = siguiente();
    printf("debug %d %d %d\n", i, j, contador);
#else
    printf("no debug\n");
#endif
    j = (i > 2) ? i * 2 : -i;
    j = (i++, i + 100);
    total = i++;
    total += ++i;
    printf("ternary comma incdec %d %d %d\n", j, total, i);
    return 0;
}
