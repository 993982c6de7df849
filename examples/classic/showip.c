/*
 * showip.c - print every IP address getaddrinfo() finds for a host.
 *
 *   Usage: showip HOST
 *
 * Prints "IP addresses for HOST:" and then one line per answer,
 * "  IPv4: 127.0.0.1" or "  IPv6: ::1", in the order getaddrinfo() gives.
 * An unknown host prints "getaddrinfo: REASON" on stderr and exits 2.
 *
 * showip.py is this program line by line in Python (csock.c).
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

int main(int argc, char *argv[])
{
    struct addrinfo hints, *res, *p;
    int status;
    char ipstr[INET6_ADDRSTRLEN];

    if (argc != 2) {
        fprintf(stderr, "usage: showip HOST\n");
        return 1;
    }

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;     /* IPv4 or IPv6, whichever there is */
    hints.ai_socktype = SOCK_STREAM; /* one answer per address, not per protocol */

    if ((status = getaddrinfo(argv[1], NULL, &hints, &res)) != 0) {
        fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(status));
        return 2;
    }

    printf("IP addresses for %s:\n", argv[1]);

    for (p = res; p != NULL; p = p->ai_next) {
        void *addr;
        const char *ipver;

        /* The address sits in a different field for each family. */
        if (p->ai_family == AF_INET) {
            struct sockaddr_in *ipv4 = (struct sockaddr_in *)p->ai_addr;
            addr = &(ipv4->sin_addr);
            ipver = "IPv4";
        } else {
            struct sockaddr_in6 *ipv6 = (struct sockaddr_in6 *)p->ai_addr;
            addr = &(ipv6->sin6_addr);
            ipver = "IPv6";
        }

        /* Binary address to text, in our own buffer. */
        inet_ntop(p->ai_family, addr, ipstr, sizeof ipstr);
        printf("  %s: %s\n", ipver, ipstr);
    }

    freeaddrinfo(res); /* the whole list at once */
    return 0;
}
