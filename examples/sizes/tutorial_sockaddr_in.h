/*
 * tutorial_sockaddr_in.h - the structures as the tutorial describes them.
 *
 * The tutorial gives s_addr the type unsigned long: 4 bytes on the 32-bit
 * machines it was written on, 8 on 64-bit Linux. With it, struct in_addr is
 * 8 bytes instead of 4 and struct sockaddr_in is 24 instead of 16. The real
 * <netinet/in.h> uses in_addr_t (uint32_t). Check it:
 *
 *   python -m csock sizes --check-cdef examples/sizes/tutorial_sockaddr_in.h
 */

struct sockaddr {
    unsigned short sa_family;   /* address family, AF_xxx */
    char sa_data[14];           /* 14 bytes of protocol address */
};

struct in_addr {
    unsigned long s_addr;       /* the mistake: 8 bytes on 64-bit Linux */
};

struct sockaddr_in {
    short int sin_family;       /* address family */
    unsigned short int sin_port;    /* port number, network byte order */
    struct in_addr sin_addr;    /* Internet address */
    unsigned char sin_zero[8];  /* same size as struct sockaddr */
};
