"""<sys/wait.h>: waitpid() and the macros that read its status."""

INCLUDES = """
#include <sys/wait.h>
"""

TYPES = """
#define WNOHANG ...
#define WUNTRACED ...
#define WCONTINUED ...
"""

FUNCTIONS = """
pid_t waitpid(pid_t pid, int *wstatus, int options);
/* Macros in C: small functions here. */
int csock_WIFEXITED(int wstatus);
int csock_WEXITSTATUS(int wstatus);
int csock_WIFSIGNALED(int wstatus);
int csock_WTERMSIG(int wstatus);
int csock_WIFSTOPPED(int wstatus);
int csock_WSTOPSIG(int wstatus);
int csock_WCOREDUMP(int wstatus);
"""

CUSTOMIZATIONS = """
static int csock_WIFEXITED(int s) { return WIFEXITED(s); }
static int csock_WEXITSTATUS(int s) { return WEXITSTATUS(s); }
static int csock_WIFSIGNALED(int s) { return WIFSIGNALED(s); }
static int csock_WTERMSIG(int s) { return WTERMSIG(s); }
static int csock_WIFSTOPPED(int s) { return WIFSTOPPED(s); }
static int csock_WSTOPSIG(int s) { return WSTOPSIG(s); }
static int csock_WCOREDUMP(int s) { return WCOREDUMP(s); }
"""
