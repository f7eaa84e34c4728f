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

/* --raw: the TLS records seen since the log was last taken, one list per
 * direction (tls-records.c, fed by OpenSSL's message callback). */
#define TLS_RECORDS_MAX 64
struct tls_record_log {
	struct tls_record {
		unsigned char type;   /* the record header's content type */
		unsigned char inner;  /* TLS 1.3: the inner content type, or 0 */
		unsigned short len;   /* the header's length field */
	} rec[TLS_RECORDS_MAX];
	size_t n, more;               /* kept, and seen beyond those */
	unsigned char pending_inner;  /* an inner type before its header */
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
	bool records_on;     /* tls_records_watch() */
	struct tls_record_log records[2]; /* [0] read, [1] written */
};

/* OpenSSL's message callback: records the record headers (tls-records.c). */
void tls_records_callback(int write_p, int version, int content_type, const void *buf,
			  size_t len, SSL *ssl, void *arg);

#endif
