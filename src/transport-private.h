/* transport-private: what transport.c (host names and ports) and
 * transport-local.c (UNIX sockets, --pipe programs) share: the connect in
 * progress, and handing its result to the caller.  Not part of the API. */
#ifndef SMTPSCOPE_TRANSPORT_PRIVATE_H
#define SMTPSCOPE_TRANSPORT_PRIVATE_H

#include <netdb.h>
#include <stdbool.h>

#include "smtpscope/transport.h"

struct transport_connect {
	struct loop *loop;
	struct addrinfo *ai, *cur;
	int fd;
	int family;
	unsigned timer, start_timer;
	int64_t started;
	transport_cb cb;
	void *ctx;
	char *host;
	char *port;
	char *path;    /* unix:PATH */
	char *command; /* --pipe */
	int last_errno;
	int gai_error;
	bool timed_out;
};

/* Ends the connect: r (error, fd, message, peer ... filled in) gets its
 * elapsed time, c is freed, then the callback runs with r. */
void transport_deliver(struct transport_connect *c, struct transport_result *r);
/* The connect of a target with a path or a command (transport-local.c),
 * from the loop. */
void transport_local_start(struct transport_connect *c);

#endif
