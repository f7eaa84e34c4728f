/* tls-private: the TLS connection as tls.c (contexts, handshake, the
 * stream layer, the demo's server side) and tls-report.c (what the
 * transcript and /cert show) both see it.  Not part of the tls API. */
#ifndef SMTPSCOPE_TLS_PRIVATE_H
#define SMTPSCOPE_TLS_PRIVATE_H

#include <stdbool.h>

#include <openssl/ssl.h>

#include "smtpscope/tls.h"

struct tls_server {
	SSL_CTX *ctx;
};

struct tls_conn {
	SSL_CTX *ctx;        /* owned (client), or the server's (borrowed) */
	bool own_ctx;
	SSL *ssl;
	bool server;
	short want;          /* what the last operation waits for */
	bool done;           /* handshake finished */
	int verify_err;      /* first verification error, 0 if none */
	int verify_depth;
	char *failure;       /* see tls_failure() */
	char *checked;       /* the name checked, and how */
	char *io_error;
	bool app_data;       /* application data has been read */
	bool cert_asked;     /* the server asked for a client certificate we lack */
	char *late;          /* see tls_late_failure() */
	bool dane_on;        /* usable TLSA records were given to OpenSSL */
	size_t dane_usable, dane_unusable;
};

#endif
