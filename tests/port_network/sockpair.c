/*
 * sockpair.c - a socketpair() between a parent and the child it forks
 * (Stevens, APUE/UNP): the child turns what it reads to upper case with
 * toupper() and writes it back; the parent sends each line of stdin, prints
 * the answers, and collects the child's status with waitpid().
 *
 *   Usage: sockpair
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXLINE 512

static void upper_loop(int fd)
{
    char buf[MAXLINE];
    ssize_t n, i;

    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        for (i = 0; i < n; i++)
            buf[i] = toupper((unsigned char) buf[i]);
        if (write(fd, buf, n) != n)
            _exit(2);
    }
    _exit(n < 0 ? 1 : 0);
}

int main(void)
{
    int sv[2], status;
    pid_t pid;
    char line[MAXLINE], answer[MAXLINE];
    ssize_t n;
    size_t len;
    unsigned long total = 0;

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        perror("socketpair");
        return 1;
    }
    fflush(stdout);
    if ((pid = fork()) < 0) {
        perror("fork");
        return 1;
    } else if (pid == 0) { /* child */
        close(sv[0]);
        upper_loop(sv[1]);
    }
    close(sv[1]); /* parent */

    while (fgets(line, sizeof line, stdin) != NULL) {
        len = strlen(line);
        if (write(sv[0], line, len) != (ssize_t) len) {
            perror("write");
            return 1;
        }
        n = read(sv[0], answer, len); /* a stream: the answer may come in pieces */
        if (n <= 0) {
            perror("read");
            return 1;
        }
        while ((size_t) n < len) {
            ssize_t more = read(sv[0], answer + n, len - n);
            if (more <= 0) {
                perror("read");
                return 1;
            }
            n += more;
        }
        total += n;
        printf("%.*s", (int) n, answer);
    }
    close(sv[0]); /* the child reads end of file */
    if (waitpid(pid, &status, 0) != pid) {
        perror("waitpid");
        return 1;
    }
    if (WIFEXITED(status))
        printf("child exited with status %d after %lu bytes\n", WEXITSTATUS(status), total);
    return 0;
}
