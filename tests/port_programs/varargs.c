#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* UNP's err_doit: a format and the caller's variable arguments */
static void say(const char *prefix, const char *fmt, va_list ap)
{
    char buf[80];

    vsnprintf(buf, sizeof(buf), fmt, ap);
    printf("%s%s\n", prefix, buf);
}

static void info(const char *fmt, ...)
{
    va_list ap, again;

    va_start(ap, fmt);
    va_copy(again, ap);
    say("info: ", fmt, ap);
    vprintf(fmt, again);
    putchar('\n');
    va_end(again);
    va_end(ap);
}

static const char *names[] = {"uno", "dos", "", "cuatro", NULL};

int main(void)
{
    const char **p;
    char c, *q = &c;
    char word[8] = "abc";
    int n = 0;

    info("%d %s %c %ld", 42, "cuarenta y dos", 'x', 7L);
    info("no arguments");
    for (p = names; *p != NULL; p++)
        info("name %d: [%s] %zu", n++, *p, strlen(*p));
    /* a char whose address is taken: read, compared and stored as a char */
    *q = 'z';
    word[1] = c;
    c = word[0];
    if (c == 'a')
        printf("c is %c, %d, word %s\n", c, c + 1, word);
    return 0;
}
