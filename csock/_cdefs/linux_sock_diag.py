"""<linux/netlink.h>, <linux/sock_diag.h>, <linux/inet_diag.h>, <linux/unix_diag.h>.

NETLINK_SOCK_DIAG: the kernel's socket table, as ``ss`` reads it (one dump
request per family and protocol; csock's ``netstat`` command uses it). The
``__u8``/``__u16``/``__u32`` members are declared with the C types they
stand for; ``__be16``/``__be32`` members are in network byte order.
"""

INCLUDES = """
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>
#include <linux/unix_diag.h>
"""

TYPES = """
#define NETLINK_SOCK_DIAG ...
#define NLM_F_REQUEST ...
#define NLM_F_DUMP ...
#define NLMSG_ERROR ...
#define NLMSG_DONE ...
#define NLMSG_ALIGNTO ...
#define SOCK_DIAG_BY_FAMILY ...
#define UDIAG_SHOW_NAME ...
#define UDIAG_SHOW_PEER ...
#define UDIAG_SHOW_RQLEN ...
#define UNIX_DIAG_NAME ...
#define UNIX_DIAG_PEER ...
#define UNIX_DIAG_RQLEN ...

struct sockaddr_nl {
    sa_family_t nl_family;
    unsigned short nl_pad;
    unsigned int nl_pid;
    unsigned int nl_groups;
    ...;
};

struct nlmsghdr {
    unsigned int nlmsg_len;
    unsigned short nlmsg_type;
    unsigned short nlmsg_flags;
    unsigned int nlmsg_seq;
    unsigned int nlmsg_pid;
    ...;
};

struct nlmsgerr {
    int error;
    struct nlmsghdr msg;
    ...;
};

struct nlattr {
    unsigned short nla_len;
    unsigned short nla_type;
    ...;
};

struct inet_diag_sockid {
    unsigned short idiag_sport;
    unsigned short idiag_dport;
    unsigned int idiag_src[4];
    unsigned int idiag_dst[4];
    unsigned int idiag_if;
    unsigned int idiag_cookie[2];
    ...;
};

struct inet_diag_req_v2 {
    unsigned char sdiag_family;
    unsigned char sdiag_protocol;
    unsigned char idiag_ext;
    unsigned char pad;
    unsigned int idiag_states;
    struct inet_diag_sockid id;
    ...;
};

struct inet_diag_msg {
    unsigned char idiag_family;
    unsigned char idiag_state;
    unsigned char idiag_timer;
    unsigned char idiag_retrans;
    struct inet_diag_sockid id;
    unsigned int idiag_expires;
    unsigned int idiag_rqueue;
    unsigned int idiag_wqueue;
    unsigned int idiag_uid;
    unsigned int idiag_inode;
    ...;
};

struct unix_diag_req {
    unsigned char sdiag_family;
    unsigned char sdiag_protocol;
    unsigned short pad;
    unsigned int udiag_states;
    unsigned int udiag_ino;
    unsigned int udiag_show;
    unsigned int udiag_cookie[2];
    ...;
};

struct unix_diag_msg {
    unsigned char udiag_family;
    unsigned char udiag_type;
    unsigned char udiag_state;
    unsigned char pad;
    unsigned int udiag_ino;
    unsigned int udiag_cookie[2];
    ...;
};

struct unix_diag_rqlen {
    unsigned int udiag_rqueue;
    unsigned int udiag_wqueue;
    ...;
};
"""

FUNCTIONS = ""

CUSTOMIZATIONS = ""
