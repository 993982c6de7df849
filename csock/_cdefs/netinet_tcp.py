"""<netinet/tcp.h>: TCP-level socket options, TCP_INFO's struct tcp_info and the states."""

INCLUDES = """
#include <netinet/tcp.h>
"""

TYPES = """
#define TCP_NODELAY ...
#define TCP_MAXSEG ...
#define TCP_CORK ...
#define TCP_KEEPIDLE ...
#define TCP_KEEPINTVL ...
#define TCP_KEEPCNT ...
#define TCP_INFO ...

/* tcpi_state and netstat's states (the kernel's numbering). */
#define TCP_ESTABLISHED ...
#define TCP_SYN_SENT ...
#define TCP_SYN_RECV ...
#define TCP_FIN_WAIT1 ...
#define TCP_FIN_WAIT2 ...
#define TCP_TIME_WAIT ...
#define TCP_CLOSE ...
#define TCP_CLOSE_WAIT ...
#define TCP_LAST_ACK ...
#define TCP_LISTEN ...
#define TCP_CLOSING ...

/* tcpi_options bits. */
#define TCPI_OPT_TIMESTAMPS ...
#define TCPI_OPT_SACK ...
#define TCPI_OPT_WSCALE ...
#define TCPI_OPT_ECN ...

/* getsockopt(fd, IPPROTO_TCP, TCP_INFO, ...): glibc's copy of the kernel's
   struct. cffi cannot declare bit-fields in a partial struct, so the
   window-scale bit-fields after tcpi_options are not declared, nor is tcpi_rto
   after them: bytes 6-11 are then undeclared bytes in csock.layout, not a
   hole the compiler left (byte 6 holds the bit-fields). */
struct tcp_info {
    uint8_t tcpi_state;
    uint8_t tcpi_ca_state;
    uint8_t tcpi_retransmits;
    uint8_t tcpi_probes;
    uint8_t tcpi_backoff;
    uint8_t tcpi_options;
    uint32_t tcpi_ato;
    uint32_t tcpi_snd_mss;
    uint32_t tcpi_rcv_mss;
    uint32_t tcpi_unacked;
    uint32_t tcpi_sacked;
    uint32_t tcpi_lost;
    uint32_t tcpi_retrans;
    uint32_t tcpi_fackets;
    uint32_t tcpi_last_data_sent;
    uint32_t tcpi_last_ack_sent;
    uint32_t tcpi_last_data_recv;
    uint32_t tcpi_last_ack_recv;
    uint32_t tcpi_pmtu;
    uint32_t tcpi_rcv_ssthresh;
    uint32_t tcpi_rtt;
    uint32_t tcpi_rttvar;
    uint32_t tcpi_snd_ssthresh;
    uint32_t tcpi_snd_cwnd;
    uint32_t tcpi_advmss;
    uint32_t tcpi_reordering;
    uint32_t tcpi_rcv_rtt;
    uint32_t tcpi_rcv_space;
    uint32_t tcpi_total_retrans;
    ...;
};
"""

FUNCTIONS = ""

CUSTOMIZATIONS = ""
