/* Function-like macros with # and ##, statement macros continued over lines,
 * offsetof, a struct sized by the file's constants, getopt() over an argv of
 * our own, strtok() and h_errno. */
#include <netdb.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NAMELEN 12
#define SLOTS (NAMELEN / 4)
#define SHOW(expr) printf("%s = %d\n", #expr, (expr))
#define FIELD(n) field_ ## n
#define STR(x) #x
#define CHECK(x)                                \
    do {                                        \
        if ((x) < 0) {                          \
            printf("failed: %s\n", #x);         \
        }                                       \
    } while (0)

struct entry {
    int id;
    char name[NAMELEN];
    short slot[SLOTS];
};

int main(void)
{
    int FIELD(a) = 6, FIELD(b) = 7, opt;
    char *args[] = {"prog", "-p", "80", "-v", "rest", "-x", NULL};
    char line[] = "GET  /index.html HTTP/1.0";
    char *tok;

    SHOW(FIELD(a) * FIELD(b));
    SHOW(  field_a   +   1 );
    printf("%s\n", STR(a  "quoted \\ text"   b));
    CHECK(FIELD(a) - 10);
    CHECK(FIELD(b));
    printf("offsets %d %d %d, size %d\n", (int)offsetof(struct entry, name),
           (int)offsetof(struct entry, slot[2]), (int)offsetof(struct entry, name[3]),
           (int)sizeof(struct entry));

    opterr = 0;
    while ((opt = getopt(6, args, "p:v")) != -1) {
        switch (opt) {
        case 'p':
            printf("port %s\n", optarg);
            break;
        case 'v':
            printf("verbose, optarg %s\n", optarg == NULL ? "NULL" : optarg);
            break;
        default:
            printf("unknown -%c\n", optopt);
        }
    }
    printf("optind %d: %s\n", optind, args[optind]);

    for (tok = strtok(line, " "); tok != NULL; tok = strtok(NULL, " "))
        printf("[%s]\n", tok);
    h_errno = 0;
    printf("h_errno %d\n", h_errno);
    return 0;
}
