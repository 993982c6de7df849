/*
 * estructurastam.c - prints the sizes of struct sockaddr and struct
 * sockaddr_in, to show they match (16 bytes each on Linux).
 *
 *   Usage: estructurastam
 *
 * estructurastam.py is this program in Python (csock.c).
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

int main(int argc, char *argv[])
{
    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "Uso: estructurastam\n");
        exit(1);
    }
    printf("Sockaddr: %zu bytes y Sockaddr_in: %zu bytes\n",
           sizeof(struct sockaddr), sizeof(struct sockaddr_in));
    return 0;
}
