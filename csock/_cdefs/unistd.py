"""<unistd.h>: descriptors, the host name, files and processes, getopt()."""

INCLUDES = """
#include <unistd.h>
"""

TYPES = """
#define STDIN_FILENO ...
#define STDOUT_FILENO ...
#define STDERR_FILENO ...
typedef int... useconds_t;
/* getopt()'s state: csock.c reads and assigns these live (c.optarg, c.optind). */
extern char *optarg;
extern int optind;
extern int opterr;
extern int optopt;
"""

FUNCTIONS = """
int close(int fd);
ssize_t read(int fd, void *buf, size_t count);
ssize_t write(int fd, const void *buf, size_t count);
int gethostname(char *name, size_t len);
int dup(int oldfd);
int pipe(int pipefd[2]);
pid_t getpid(void);
pid_t getppid(void);
int unlink(const char *pathname);
unsigned int sleep(unsigned int seconds);
int usleep(useconds_t usec);
unsigned int alarm(unsigned int seconds);
/* csock.c's fork is os.fork() (Python's fork hooks run); lib.fork is C's. */
pid_t fork(void);
int getopt(int argc, char *const argv[], const char *optstring);
"""

CUSTOMIZATIONS = ""
