/* A file descriptor with a message over a Unix socket (SCM_RIGHTS): the
 * console socket's terminal, and an agent child's terminal for the agent. */
#ifndef KC_FDPASS_H
#define KC_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

/* Send LEN bytes of DATA (at least one) with FD; sendmsg's result. */
ssize_t fd_send(int sock, int fd, const void *data, size_t len);
/* Receive one message into BUF; *FD is the descriptor it carried
 * (close-on-exec) or -1. recvmsg's result; FLAGS as recvmsg's. */
ssize_t fd_recv(int sock, void *buf, size_t len, int *fd, int flags);

#endif
