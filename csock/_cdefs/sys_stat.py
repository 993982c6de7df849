"""<sys/stat.h>: stat() and lstat(), struct stat, the file type macros."""

INCLUDES = """
#include <sys/stat.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <unistd.h>
"""

# st_nlink and st_rdev are left out: their place differs between
# architectures (x86-64 puts st_nlink before st_mode), and a port of a socket
# program does not read them; csock's layout tools list fields in memory order.
TYPES = """
typedef int... dev_t;
typedef int... ino_t;
typedef int... blksize_t;
typedef int... blkcnt_t;

struct stat {
    dev_t st_dev;
    ino_t st_ino;
    mode_t st_mode;
    uid_t st_uid;
    gid_t st_gid;
    off_t st_size;
    blksize_t st_blksize;
    blkcnt_t st_blocks;
    struct timespec st_atim;
    struct timespec st_mtim;
    struct timespec st_ctim;
    ...;
};

#define S_IFMT ...
#define S_IFSOCK ...
#define S_IFLNK ...
#define S_IFREG ...
#define S_IFBLK ...
#define S_IFDIR ...
#define S_IFCHR ...
#define S_IFIFO ...
"""

FUNCTIONS = """
int csock_stat(const char *pathname, struct stat *statbuf);
int csock_lstat(const char *pathname, struct stat *statbuf);
/* Macros in C: small functions here. */
int csock_S_ISREG(unsigned int m);
int csock_S_ISDIR(unsigned int m);
int csock_S_ISSOCK(unsigned int m);
int csock_S_ISLNK(unsigned int m);
"""

CUSTOMIZATIONS = """
/* stat() and lstat() as the system call they make (strace shows
   newfstatat): glibc 2.33 turned them into versioned symbols of their own,
   which would raise the wheel's floor from manylinux_2_28 to 2_34. On 64-bit
   Linux the kernel's struct stat is glibc's. -1 with errno, as C's. */
static int csock_stat(const char *pathname, struct stat *statbuf)
{
    return (int)syscall(SYS_newfstatat, AT_FDCWD, pathname, statbuf, 0);
}

static int csock_lstat(const char *pathname, struct stat *statbuf)
{
    return (int)syscall(SYS_newfstatat, AT_FDCWD, pathname, statbuf, AT_SYMLINK_NOFOLLOW);
}

static int csock_S_ISREG(unsigned int m) { return S_ISREG(m); }
static int csock_S_ISDIR(unsigned int m) { return S_ISDIR(m); }
static int csock_S_ISSOCK(unsigned int m) { return S_ISSOCK(m); }
static int csock_S_ISLNK(unsigned int m) { return S_ISLNK(m); }
"""
