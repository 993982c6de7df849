"""<unistd.h>: descriptors and the host name."""

INCLUDES = """
#include <unistd.h>
"""

TYPES = """
#define STDIN_FILENO ...
#define STDOUT_FILENO ...
#define STDERR_FILENO ...
"""

FUNCTIONS = """
int close(int fd);
ssize_t read(int fd, void *buf, size_t count);
ssize_t write(int fd, const void *buf, size_t count);
int gethostname(char *name, size_t len);
int dup(int oldfd);
int pipe(int pipefd[2]);
pid_t getpid(void);
"""

CUSTOMIZATIONS = ""
