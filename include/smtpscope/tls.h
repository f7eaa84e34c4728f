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

/* DANE (RFC 7672, RFC 6698): the TLSA records of the host, given before
 * the handshake; verification then goes through OpenSSL's DANE support.
 * Only DANE-TA(2) and DANE-EE(3) records are used (RFC 7672 3.1.3: PKIX
 * usages 0 and 1 are unusable for SMTP); DANE-EE matches need no name or
 * date check.  The caller decides that DANE applies (a DNSSEC-secure MX
 * and TLSA RRset) and keeps the records alive for the connection. */
struct tls_dane_record {
	unsigned char usage, selector, mtype;
	const unsigned char *data;
	size_t len;
};
struct tls_dane {
	const char *base;   /* the TLSA base domain: the MX host name */
	const struct tls_dane_record *records;
	size_t n;
};

/* A record's use for SMTP: usable (2 or 3 with a known selector and
 * matching type and data of the digest's length), or why not. */
enum tls_dane_use { TLS_DANE_USABLE, TLS_DANE_PKIX_USAGE, TLS_DANE_UNKNOWN_PARAM,
		    TLS_DANE_BAD_LENGTH };
enum tls_dane_use tls_dane_record_use(const struct tls_dane_record *r);
/* Why a record is not used, in words ("usage 1 (PKIX-EE) is unusable for SMTP"). */
const char *tls_dane_use_text(enum tls_dane_use u);

/* --raw: the TLS records each read and write came in.  Watching starts
 * (or stops) the log of record headers; take appends the records read
 * (written true) since the last take as text ("application data (58
 * bytes)", runs of one type as "application data x4 (65624 bytes)";
 * the length is the header's: the record as on the wire, without its
 * five header bytes) and empties that list; false if there were none. */
struct tls_conn;
void tls_records_watch(struct tls_conn *t, bool on);
bool tls_records_take(struct tls_conn *t, bool written, struct buf *out);

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
	const struct tls_dane *dane;  /* NULL: Web-PKI verification only */
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

/* After the handshake, the DANE outcome: off (no dane option, or no
 * usable record: then verification is the usual one), verified (a record
 * matched: which one, and the depth of the certificate it matched, 0 for
 * the server's own), or failed (usable records, none matched: the
 * verification failure is X509_V_ERR_DANE_NO_MATCH or another). */
enum tls_dane_state { TLS_DANE_OFF, TLS_DANE_VERIFIED, TLS_DANE_FAILED };
struct tls_dane_result {
	enum tls_dane_state state;
	size_t usable, unusable;      /* records given, by tls_dane_record_use */
	int depth;                    /* of the match */
	unsigned char usage, selector, mtype; /* the record that matched */
};
void tls_dane_result(const struct tls_conn *t, struct tls_dane_result *r);
/* The outcome in words: "TLSA 3 1 1 matched the server's key",
 * "TLSA 2 1 1 matched the issuer at depth 1", "no TLSA record matched
 * the server's certificate chain (2 usable records)". */
void tls_dane_text(const struct tls_dane_result *r, struct buf *out);

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
/* The same as a number, as struct tls_options counts versions: 13 for
 * TLS 1.3, 12, 11, 10; 0 for anything else. */
int tls_version_number(const struct tls_conn *t);

/* ---- TLSA data of a certificate chain (tls-report.c) ----
 * What each certificate of a chain gives as TLSA association data (RFC
 * 6698 2.1): selector 0 the whole certificate (DER), 1 its
 * SubjectPublicKeyInfo (DER); matching type 0 those bytes, 1 their
 * SHA-256, 2 their SHA-512.  Depth 0 is the server's own certificate. */
#define TLS_TLSA_MAX_CHAIN 16
struct tls_tlsa_data { unsigned char *data; size_t len; };
struct tls_tlsa_cert {
	struct tls_tlsa_data assoc[2][3]; /* [selector][matching type] */
	char *subject;                    /* RFC 2253 form, escaped */
};
struct tls_tlsa_chain {
	struct tls_tlsa_cert cert[TLS_TLSA_MAX_CHAIN];
	size_t n;
	size_t dropped; /* certificates past TLS_TLSA_MAX_CHAIN, not kept */
};
/* The chain the peer sent, after the handshake; false when it sent none. */
bool tls_tlsa_chain_of(const struct tls_conn *t, struct tls_tlsa_chain *c);
/* The same from DER certificates, depth 0 first; false and *err (to
 * free) when one does not parse. */
bool tls_tlsa_chain_from_der(struct tls_tlsa_chain *c, const unsigned char *const *der,
			     const size_t *len, size_t n, char **err);
void tls_tlsa_chain_free(struct tls_tlsa_chain *c);
/* Where a TLSA record's data matches the chain.  depths: bit d set when
 * it matches the certificate at depth d, whatever its usage says;
 * usable_depths: those where a DANE sender counts it (RFC 7672 3.1:
 * DANE-EE(3) depth 0 only, DANE-TA(2) depth 1 and up; none for an
 * unusable record).  above: a usage 0 or 2 record with full data
 * (matching type 0) that is in no depth but is the certificate or key
 * that signed the chain's last certificate: a trust anchor the server
 * need not send (RFC 7671 5.2.2). */
struct tls_tlsa_match {
	enum tls_dane_use use;  /* tls_dane_record_use() */
	unsigned depths, usable_depths;
	bool above;
};
void tls_tlsa_match(const struct tls_tlsa_chain *c, const struct tls_dane_record *r,
		    struct tls_tlsa_match *m);
/* The server's certificate (depth 0) is valid for name (RFC 6125, a
 * wildcard as the leftmost label): what a DANE-TA(2) match also needs
 * (RFC 7672 3.2.3); DANE-EE(3) checks no name. */
bool tls_tlsa_name_ok(const struct tls_tlsa_chain *c, const char *name);

/* The stream layer: impl is a struct tls_conn (freed by close). */
extern const struct stream_ops tls_stream_ops;

/* Server side: a context with a certificate and key given as PEM text. */
struct tls_server *tls_server_new(const char *cert_pem, const char *key_pem,
				  char **err);
/* The same from files: a PEM certificate (its chain may follow it) and
 * its PEM key (`smtpscope serve --cert FILE --key FILE`). */
struct tls_server *tls_server_from_files(const char *cert_file, const char *key_file, char **err);
void tls_server_free(struct tls_server *srv);

#endif
