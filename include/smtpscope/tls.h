/* tls: the only user of OpenSSL for the wire (OpenSSL 3.0+).  Client
 * contexts (SNI, CA store, host name verification, client certificate,
 * protocol and cipher limits), a non-blocking handshake the poll loop
 * drives, the report of what was negotiated and of the peer's chain, and
 * a stream layer (stream_push) so nothing above reads "if (tls)".  The
 * server side serves the demo (its certificate comes from demo-tls.c).
 *
 * Verification: a verify callback records the FIRST error but lets the
 * handshake finish, so the certificate can still be shown (which names
 * it carries, who issued it, when it expires); the client then refuses
 * to send anything unless the user said --insecure.
 *
 * RFCs: 8446 / 5246 (TLS), 6066 3 (SNI: host names only, never IP
 * literals), 6125 (host name checks; IP targets against IP SANs),
 * 3207 (STARTTLS), 8314 (implicit TLS on 465), 6960 (OCSP stapling). */
#ifndef SMTPSCOPE_TLS_H
#define SMTPSCOPE_TLS_H

#include <stdbool.h>

#include "smtpscope/stream.h"
#include "smtpscope/util.h"

/* Protocol versions as "major*10+minor": 10, 11, 12, 13; 0 = default. */
struct tls_options {
	bool insecure;          /* continue after a failed verification */
	const char *sni;        /* NULL: the host typed */
	bool no_sni;
	const char *cafile, *capath;  /* NULL: the system store */
	const char *cert, *key;       /* client certificate (PEM) */
	int min_version, max_version;
	const char *ciphers;          /* TLS <= 1.2 cipher list */
	const char *ciphersuites;     /* TLS 1.3 suites */
};

/* "1.0" .. "1.3" -> 10 .. 13; false for anything else. */
bool tls_parse_version(const char *s, int *v);

/* Loads what the options name (CA file or directory, client certificate
 * and key) as a connection would, so a bad one is reported at start-up;
 * false with *err saying what is wrong and what would be right. */
bool tls_options_check(const struct tls_options *o, char **err);

enum tls_hs { TLS_HS_DONE, TLS_HS_AGAIN, TLS_HS_FAILED };

struct tls_conn;
struct tls_server;

/* A client connection over a connected non-blocking socket (not owned:
 * the stream below closes it).  host is the name or address typed; it is
 * what the certificate is checked against.  NULL with *err on a bad
 * option (unreadable CA file, key that does not match the cert ...). */
struct tls_conn *tls_client_new(int fd, const char *host,
				const struct tls_options *o, char **err);
/* A server connection for the demo. */
struct tls_conn *tls_server_conn_new(int fd, struct tls_server *srv);
void tls_conn_free(struct tls_conn *t);

/* One step of the handshake; call again when the socket is ready for
 * tls_events(). */
enum tls_hs tls_handshake(struct tls_conn *t);
short tls_events(const struct tls_conn *t);

/* After TLS_HS_FAILED: what went wrong, as the text knowledge-base
 * [tls-error] patterns match ("handshake: wrong version number; ...").
 * After TLS_HS_DONE: the verification failure ("verify
 * X509_V_ERR_CERT_HAS_EXPIRED: certificate has expired"), or NULL when
 * the peer was verified. */
const char *tls_failure(const struct tls_conn *t);
bool tls_verified(const struct tls_conn *t);
/* After a read failed before any data came: the server's verdict on the
 * handshake, in the form tls_failure() uses ("handshake: tlsv13 alert
 * certificate required"), or NULL.  TLS 1.3 finishes the client's side
 * of the handshake before the server has checked it. */
const char *tls_late_failure(const struct tls_conn *t);
/* OpenSSL's words for the verification failure ("certificate has
 * expired"), or NULL when the peer was verified. */
const char *tls_verify_text(const struct tls_conn *t);
/* "checked against localhost (DNS)" / "... 127.0.0.1 (IP address)". */
const char *tls_checked_name(const struct tls_conn *t);

/* After the handshake: one line per item (protocol, cipher, group, the
 * peer certificate's subject, issuer, names, validity, key, chain length,
 * verification, OCSP), separated by '\n'. */
void tls_report(const struct tls_conn *t, struct buf *out);
/* The names the peer certificate carries ("DNS:a.test, IP:127.0.0.1"). */
void tls_peer_names(const struct tls_conn *t, struct buf *out);
/* The whole chain with SHA-256 fingerprints; its PEM into a file. */
void tls_chain_text(const struct tls_conn *t, struct buf *out);
bool tls_chain_save(const struct tls_conn *t, const char *path, char **err);
/* "TLSv1.3" */
const char *tls_protocol(const struct tls_conn *t);

/* The stream layer: impl is a struct tls_conn (freed by close). */
extern const struct stream_ops tls_stream_ops;

/* Server side: a context with a certificate and key given as PEM text. */
struct tls_server *tls_server_new(const char *cert_pem, const char *key_pem,
				  char **err);
void tls_server_free(struct tls_server *srv);

#endif
