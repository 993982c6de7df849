#include <stdio.h>

static int cuenta;
static long total = 100;

static int usar(void);

/* a function called above its definition, a global changed inside an expression */
int main(void)
{
    int a = usar();
    int i;
    a += usar();
    for (i = 0; i < 3; i++)
        total -= usar() * 2;
    printf("%d %d %ld\n", a, cuenta, total);
    printf("%d\n", cuenta++ + 10);
    a = (cuenta = 7) + 1;
    printf("%d %d\n", cuenta, a);
    printf("%d\n", cuenta--);
    printf("%d\n", --cuenta);
    printf("%ld\n", total);
    return 3;
}

static int usar(void)
{
    return ++cuenta;
}
