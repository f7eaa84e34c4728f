/* tls: OpenSSL 3 contexts, handshake, verification and reports.
 * See include/smtpscope/tls.h. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

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
};

bool tls_parse_version(const char *s, int *v)
{
	static const char *const names[] = { "1.0", "1.1", "1.2", "1.3" };

	for (size_t i = 0; i < UTIL_ARRAY_LEN(names); i++)
		if (strcmp(s, names[i]) == 0) {
			*v = 10 + (int)i;
			return true;
		}
	return false;
}

static int tls_proto(int v)
{
	switch (v) {
	case 10: return TLS1_VERSION;
	case 11: return TLS1_1_VERSION;
	case 12: return TLS1_2_VERSION;
	case 13: return TLS1_3_VERSION;
	default: return 0;
	}
}

/* The OpenSSL errors queued, as "reason; reason" (most specific first). */
static void tls_queue_text(struct buf *out)
{
	unsigned long e;
	bool any = false;

	while ((e = ERR_get_error()) != 0) {
		const char *r = ERR_reason_error_string(e);
		char tmp[256];

		if (r == NULL) {
			ERR_error_string_n(e, tmp, sizeof tmp);
			r = tmp;
		}
		buf_printf(out, "%s%s", any ? "; " : "", r);
		any = true;
	}
	if (!any)
		buf_adds(out, "unknown OpenSSL error");
}

static char *tls_queue_dup(const char *prefix)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, prefix);
	tls_queue_text(&b);
	return buf_steal(&b);
}

/* Records the first verification error, but lets the handshake go on so
 * the certificate can be reported; the caller decides afterwards. */
static int tls_verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_conn *t = ssl ? SSL_get_app_data(ssl) : NULL;

	if (!ok && t && t->verify_err == 0) {
		t->verify_err = X509_STORE_CTX_get_error(x);
		t->verify_depth = X509_STORE_CTX_get_error_depth(x);
		if (t->verify_err == 0)
			t->verify_err = X509_V_ERR_UNSPECIFIED;
	}
	return 1;
}

/* Called only when the server asks for a client certificate and none was
 * given: noted, so a refusal can be explained as what it is. */
static int tls_client_cert_cb(SSL *ssl, X509 **x, EVP_PKEY **k)
{
	struct tls_conn *t = SSL_get_app_data(ssl);

	(void)x, (void)k;
	if (t)
		t->cert_asked = true;
	return 0;
}

static bool tls_is_ip(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

/* What each file option wants, for messages that say what would be right. */
#define TLS_WANT_CAFILE "give one PEM file of CA certificates to trust (--capath takes a directory)"
#define TLS_WANT_CAPATH "give a directory of CA certificates named by their hash (openssl rehash DIR); --cafile takes one PEM file"
#define TLS_WANT_CERT "give the client certificate as a PEM file (-----BEGIN CERTIFICATE-----)"
#define TLS_WANT_KEY "give the unencrypted PEM private key of --cert (openssl pkey -in KEY -out PLAIN.key removes a passphrase)"

/* The file (or directory) an option names exists and is readable; the
 * message names the option and what it wants. */
static bool tls_path_check(const char *opt, const char *path, bool dir,
			   const char *want, char **err)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		*err = xasprintf("%s %s: %s; %s", opt, path, strerror(errno), want);
		return false;
	}
	if (dir != !!S_ISDIR(st.st_mode)) {
		*err = xasprintf("%s %s is %s; %s", opt, path,
				 dir ? "not a directory" : "a directory", want);
		return false;
	}
	if (access(path, dir ? R_OK | X_OK : R_OK) != 0) {
		*err = xasprintf("%s %s: %s; %s", opt, path, strerror(errno), want);
		return false;
	}
	return true;
}

/* A key with a passphrase is refused rather than prompted for: the
 * prompt would land in the middle of the terminal UI. */
static int tls_no_passphrase(char *buf, int size, int rw, void *u)
{
	(void)buf, (void)size, (void)rw, (void)u;
	return 0;
}

static char *tls_load_error(const char *what, const char *path, const char *want)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "%s %s: ", what, path);
	tls_queue_text(&b);
	buf_printf(&b, "; %s", want);
	return buf_steal(&b);
}

/* Why the private key did not load: a key for another certificate and
 * a key with a passphrase get their own words. */
static char *tls_key_error(const struct tls_options *o)
{
	const char *k = o->key ? o->key : o->cert;
	bool mismatch = false, passphrase = false;
	unsigned long e;
	struct buf why;
	char *msg;

	buf_init(&why);
	while ((e = ERR_get_error()) != 0) {
		const char *r = ERR_reason_error_string(e);

		r = r ? r : "?";
		mismatch |= strcmp(r, "key values mismatch") == 0;
		passphrase |= strcmp(r, "bad decrypt") == 0 || strcmp(r, "bad password read") == 0;
		buf_printf(&why, "%s%s", why.len ? "; " : "", r);
	}
	if (mismatch)
		msg = xasprintf("the key in %s does not belong to --cert %s: give the key the "
				"certificate was made for", k, o->cert);
	else if (passphrase)
		msg = xasprintf("the key in %s is protected by a passphrase, which smtpscope does "
				"not ask for: openssl pkey -in %s -out PLAIN.key writes it without "
				"one", k, k);
	else if (o->key)
		msg = xasprintf("cannot load --key %s: %s; %s", k, why.len ? why.data : "?",
				TLS_WANT_KEY);
	else
		msg = xasprintf("no private key in --cert %s: %s; give the key with --key FILE, or "
				"put it in the --cert file", k, why.len ? why.data : "?");
	buf_free(&why);
	return msg;
}

static bool tls_client_files(SSL_CTX *ctx, const struct tls_options *o, char **err)
{
	if ((o->cafile && !tls_path_check("--cafile", o->cafile, false, TLS_WANT_CAFILE, err)) ||
	    (o->capath && !tls_path_check("--capath", o->capath, true, TLS_WANT_CAPATH, err)) ||
	    (o->cert && !tls_path_check("--cert", o->cert, false, TLS_WANT_CERT, err)) ||
	    (o->key && !tls_path_check("--key", o->key, false, TLS_WANT_KEY, err)))
		return false;
	if (o->key && !o->cert) {
		*err = xstrdup("--key needs --cert FILE: give the client certificate the key belongs to");
		return false;
	}
	if (o->cafile || o->capath) {
		if (SSL_CTX_load_verify_locations(ctx, o->cafile, o->capath) != 1) {
			*err = o->cafile ? tls_load_error("cannot load --cafile", o->cafile, TLS_WANT_CAFILE)
					 : tls_load_error("cannot load --capath", o->capath, TLS_WANT_CAPATH);
			return false;
		}
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		*err = tls_queue_dup("cannot load the system CA store: ");
		return false;
	}
	if (o->cert == NULL)
		return true;
	SSL_CTX_set_default_passwd_cb(ctx, tls_no_passphrase);
	if (SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1) {
		*err = tls_load_error("cannot load --cert", o->cert, TLS_WANT_CERT);
		return false;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, o->key ? o->key : o->cert, SSL_FILETYPE_PEM) != 1) {
		*err = tls_key_error(o);
		return false;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		*err = tls_load_error("--key does not belong to --cert", o->cert,
				      "give the key the certificate was made for");
		return false;
	}
	return true;
}

static SSL_CTX *tls_client_ctx(const struct tls_options *o, char **err)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL) {
		*err = tls_queue_dup("cannot create a TLS context: ");
		return NULL;
	}
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, tls_verify_cb);
	SSL_CTX_set_client_cert_cb(ctx, tls_client_cert_cb);
	if (!tls_client_files(ctx, o, err))
		goto fail;
	if (o->min_version && SSL_CTX_set_min_proto_version(ctx, tls_proto(o->min_version)) != 1) {
		*err = tls_queue_dup("--tls-min: ");
		goto fail;
	}
	if (o->max_version && SSL_CTX_set_max_proto_version(ctx, tls_proto(o->max_version)) != 1) {
		*err = tls_queue_dup("--tls-max: ");
		goto fail;
	}
	if (o->ciphers && SSL_CTX_set_cipher_list(ctx, o->ciphers) != 1) {
		*err = tls_queue_dup("--ciphers: no cipher in the list is known: ");
		goto fail;
	}
	if (o->ciphersuites && SSL_CTX_set_ciphersuites(ctx, o->ciphersuites) != 1) {
		*err = tls_queue_dup("--ciphersuites: ");
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

bool tls_options_check(const struct tls_options *o, char **err)
{
	SSL_CTX *ctx;

	ERR_clear_error();
	ctx = tls_client_ctx(o, err);
	SSL_CTX_free(ctx);
	return ctx != NULL;
}

struct tls_conn *tls_client_new(int fd, const char *host,
				const struct tls_options *o, char **err)
{
	struct tls_conn *t;
	const char *name = o->sni ? o->sni : host;
	bool ip = tls_is_ip(name);
	SSL_CTX *ctx;

	ERR_clear_error();
	ctx = tls_client_ctx(o, err);
	if (ctx == NULL)
		return NULL;
	t = xcalloc(1, sizeof *t);
	t->ctx = ctx;
	t->own_ctx = true;
	t->ssl = SSL_new(ctx);
	if (t->ssl == NULL || SSL_set_fd(t->ssl, fd) != 1) {
		*err = tls_queue_dup("cannot set up TLS: ");
		tls_conn_free(t);
		return NULL;
	}
	SSL_set_app_data(t->ssl, t);
	/* RFC 6066 3: SNI carries host names, never address literals. */
	if (!o->no_sni && !ip && SSL_set_tlsext_host_name(t->ssl, name) != 1) {
		*err = tls_queue_dup("bad SNI name: ");
		tls_conn_free(t);
		return NULL;
	}
	if (ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), name) != 1
	       : SSL_set1_host(t->ssl, name) != 1) {
		*err = tls_queue_dup("cannot set the name to verify: ");
		tls_conn_free(t);
		return NULL;
	}
	/* Ask for a stapled OCSP response (RFC 6066 8). */
	SSL_set_tlsext_status_type(t->ssl, TLSEXT_STATUSTYPE_ocsp);
	t->checked = xasprintf("%s as %s", name, ip ? "an IP address" : "a host name");
	SSL_set_connect_state(t->ssl);
	t->want = POLLOUT;
	return t;
}

struct tls_conn *tls_server_conn_new(int fd, struct tls_server *srv)
{
	struct tls_conn *t = xcalloc(1, sizeof *t);

	t->ctx = srv->ctx;
	t->server = true;
	t->ssl = SSL_new(srv->ctx);
	if (t->ssl == NULL || SSL_set_fd(t->ssl, fd) != 1) {
		tls_conn_free(t);
		return NULL;
	}
	SSL_set_app_data(t->ssl, t);
	SSL_set_accept_state(t->ssl);
	t->want = POLLIN;
	return t;
}

void tls_conn_free(struct tls_conn *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl);
	if (t->own_ctx)
		SSL_CTX_free(t->ctx);
	free(t->failure);
	free(t->checked);
	free(t->io_error);
	free(t->late);
	free(t);
}

/* The names of the verification errors people meet; the kb matches them. */
static const char *tls_verify_name(int e)
{
	static const struct { int code; const char *name; } names[] = {
		{ X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT" },
		{ X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
		  "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY" },
		{ X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE,
		  "X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE" },
		{ X509_V_ERR_CERT_NOT_YET_VALID, "X509_V_ERR_CERT_NOT_YET_VALID" },
		{ X509_V_ERR_CERT_HAS_EXPIRED, "X509_V_ERR_CERT_HAS_EXPIRED" },
		{ X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, "X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT" },
		{ X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, "X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN" },
		{ X509_V_ERR_CERT_UNTRUSTED, "X509_V_ERR_CERT_UNTRUSTED" },
		{ X509_V_ERR_CERT_REVOKED, "X509_V_ERR_CERT_REVOKED" },
		{ X509_V_ERR_INVALID_PURPOSE, "X509_V_ERR_INVALID_PURPOSE" },
		{ X509_V_ERR_HOSTNAME_MISMATCH, "X509_V_ERR_HOSTNAME_MISMATCH" },
		{ X509_V_ERR_IP_ADDRESS_MISMATCH, "X509_V_ERR_IP_ADDRESS_MISMATCH" },
		{ X509_V_ERR_CERT_SIGNATURE_FAILURE, "X509_V_ERR_CERT_SIGNATURE_FAILURE" },
		{ X509_V_ERR_EE_KEY_TOO_SMALL, "X509_V_ERR_EE_KEY_TOO_SMALL" },
		{ X509_V_ERR_CA_MD_TOO_WEAK, "X509_V_ERR_CA_MD_TOO_WEAK" },
	};

	for (size_t i = 0; i < UTIL_ARRAY_LEN(names); i++)
		if (names[i].code == e)
			return names[i].name;
	return NULL;
}

static void tls_after_handshake(struct tls_conn *t)
{
	const char *name;

	t->done = true;
	if (t->server || t->verify_err == 0)
		return;
	name = tls_verify_name(t->verify_err);
	if (name)
		t->failure = xasprintf("verify %s: %s (certificate at depth %d)", name,
				       X509_verify_cert_error_string(t->verify_err),
				       t->verify_depth);
	else
		t->failure = xasprintf("verify error %d: %s (certificate at depth %d)",
				       t->verify_err,
				       X509_verify_cert_error_string(t->verify_err),
				       t->verify_depth);
}

/* Why the handshake failed, for the knowledge base. */
static void tls_handshake_failed(struct tls_conn *t, int e, int rc)
{
	struct buf b;
	int saved = errno;

	buf_init(&b);
	buf_adds(&b, "handshake: ");
	if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
		if (rc == 0 || saved == 0)
			buf_adds(&b, "unexpected eof while reading (the peer closed the connection)");
		else
			buf_printf(&b, "%s", strerror(saved));
	} else {
		tls_queue_text(&b);
	}
	if (t->verify_err)
		buf_printf(&b, "; verify error %d: %s", t->verify_err,
			   X509_verify_cert_error_string(t->verify_err));
	if (t->cert_asked)
		buf_adds(&b, "; the server asked for a client certificate and none was given");
	free(t->failure);
	t->failure = buf_steal(&b);
}

enum tls_hs tls_handshake(struct tls_conn *t)
{
	int rc, e;

	if (t->done)
		return TLS_HS_DONE;
	ERR_clear_error();
	errno = 0;
	rc = SSL_do_handshake(t->ssl);
	if (rc == 1) {
		tls_after_handshake(t);
		return TLS_HS_DONE;
	}
	e = SSL_get_error(t->ssl, rc);
	if (e == SSL_ERROR_WANT_READ) {
		t->want = POLLIN;
		return TLS_HS_AGAIN;
	}
	if (e == SSL_ERROR_WANT_WRITE) {
		t->want = POLLOUT;
		return TLS_HS_AGAIN;
	}
	tls_handshake_failed(t, e, rc);
	return TLS_HS_FAILED;
}

short tls_events(const struct tls_conn *t)
{
	return t->want;
}

const char *tls_failure(const struct tls_conn *t)
{
	return t->failure;
}

bool tls_verified(const struct tls_conn *t)
{
	return t->done && t->verify_err == 0;
}

const char *tls_late_failure(const struct tls_conn *t)
{
	return t->late;
}

const char *tls_verify_text(const struct tls_conn *t)
{
	return t->verify_err ? X509_verify_cert_error_string(t->verify_err) : NULL;
}

const char *tls_checked_name(const struct tls_conn *t)
{
	return t->checked ? t->checked : "";
}

const char *tls_protocol(const struct tls_conn *t)
{
	return SSL_get_version(t->ssl);
}

/* ---- reports ------------------------------------------------------------ */

static void tls_name(const X509_NAME *n, struct buf *out)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long len;

	if (b == NULL)
		return;
	X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	len = BIO_get_mem_data(b, &p);
	if (len > 0)
		buf_add(out, p, (size_t)len);
	else
		buf_adds(out, "(empty)");
	BIO_free(b);
}

static void tls_names_of(X509 *x, struct buf *out)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	bool any = false;

	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

		if (g->type == GEN_DNS) {
			const ASN1_IA5STRING *s = g->d.dNSName;
			buf_printf(out, "%sDNS:%.*s", any ? ", " : "", s->length, (const char *)s->data);
			any = true;
		} else if (g->type == GEN_IPADD) {
			const ASN1_OCTET_STRING *s = g->d.iPAddress;
			char ip[INET6_ADDRSTRLEN] = "?";

			if (s->length == 4)
				inet_ntop(AF_INET, s->data, ip, sizeof ip);
			else if (s->length == 16)
				inet_ntop(AF_INET6, s->data, ip, sizeof ip);
			buf_printf(out, "%sIP:%s", any ? ", " : "", ip);
			any = true;
		} else if (g->type == GEN_EMAIL) {
			const ASN1_IA5STRING *s = g->d.rfc822Name;
			buf_printf(out, "%semail:%.*s", any ? ", " : "", s->length, (const char *)s->data);
			any = true;
		}
	}
	GENERAL_NAMES_free(gens);
	if (!any) {
		/* No SAN: the common name is all there is (and RFC 6125
		 * clients no longer accept it). */
		int idx = X509_NAME_get_index_by_NID(X509_get_subject_name(x), NID_commonName, -1);
		X509_NAME_ENTRY *ne = idx >= 0 ? X509_NAME_get_entry(X509_get_subject_name(x), idx) : NULL;
		ASN1_STRING *cn = ne ? X509_NAME_ENTRY_get_data(ne) : NULL;

		if (cn)
			buf_printf(out, "no subjectAltName; only CN=%.*s", ASN1_STRING_length(cn),
				   (const char *)ASN1_STRING_get0_data(cn));
		else
			buf_adds(out, "no names at all");
	}
}

void tls_peer_names(const struct tls_conn *t, struct buf *out)
{
	X509 *x = SSL_get0_peer_certificate(t->ssl);

	if (x)
		tls_names_of(x, out);
	else
		buf_adds(out, "(no certificate)");
}

static void tls_time(const ASN1_TIME *at, struct buf *out)
{
	struct tm tm;
	char s[32];

	if (at && ASN1_TIME_to_tm(at, &tm) == 1) {
		strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S UTC", &tm);
		buf_adds(out, s);
	} else {
		buf_adds(out, "?");
	}
}

static void tls_key(X509 *x, struct buf *out)
{
	EVP_PKEY *k = X509_get0_pubkey(x);
	char group[64];
	size_t glen = 0;

	if (k == NULL) {
		buf_adds(out, "?");
		return;
	}
	buf_printf(out, "%s %d bits", EVP_PKEY_get0_type_name(k) ? EVP_PKEY_get0_type_name(k) : "?",
		   EVP_PKEY_get_bits(k));
	if (EVP_PKEY_get_group_name(k, group, sizeof group, &glen) == 1 && glen > 0)
		buf_printf(out, " (%s)", group);
}

/* The issuer of the peer's certificate: from the verified chain (which
 * ends in the trust anchor a server need not send), else from what the
 * server sent. */
static X509 *tls_peer_issuer(const struct tls_conn *t)
{
	STACK_OF(X509) *v = SSL_get0_verified_chain(t->ssl);
	STACK_OF(X509) *sent = SSL_get_peer_cert_chain(t->ssl);

	if (v && sk_X509_num(v) > 1)
		return sk_X509_value(v, 1);
	return sent && sk_X509_num(sent) > 1 ? sk_X509_value(sent, 1) : NULL;
}

/* RFC 6066 8 / RFC 6960: the stapled response, its status for the
 * peer's certificate, and whether a responder we trust signed it. */
static void tls_ocsp(const struct tls_conn *t, struct buf *out)
{
	const unsigned char *p = NULL;
	long len = SSL_get_tlsext_status_ocsp_resp(t->ssl, &p);
	OCSP_RESPONSE *resp;
	OCSP_BASICRESP *basic;
	X509 *leaf = SSL_get0_peer_certificate(t->ssl), *issuer = tls_peer_issuer(t);

	if (len <= 0 || p == NULL) {
		buf_adds(out, "OCSP: no stapled response");
		return;
	}
	resp = d2i_OCSP_RESPONSE(NULL, &p, len);
	if (resp == NULL) {
		buf_adds(out, "OCSP: a stapled response that does not parse");
		return;
	}
	buf_printf(out, "OCSP: stapled response, %s",
		   OCSP_response_status_str(OCSP_response_status(resp)));
	basic = OCSP_response_get1_basic(resp);
	if (basic && leaf && issuer) {
		OCSP_CERTID *id = OCSP_cert_to_id(NULL, leaf, issuer);
		int status = -1, reason = 0;

		if (id && OCSP_resp_find_status(basic, id, &status, &reason, NULL, NULL, NULL) == 1)
			buf_printf(out, ", certificate %s", OCSP_cert_status_str(status));
		else
			buf_adds(out, ", but not about this certificate");
		OCSP_CERTID_free(id);
	}
	if (basic) {
		int ok = OCSP_basic_verify(basic, SSL_get_peer_cert_chain(t->ssl),
					   SSL_CTX_get_cert_store(t->ctx), 0);

		buf_adds(out, ok > 0 ? " (signed by a trusted responder)"
				     : " (the response's signature could NOT be verified)");
		ERR_clear_error();
	}
	OCSP_BASICRESP_free(basic);
	OCSP_RESPONSE_free(resp);
}

void tls_report(const struct tls_conn *t, struct buf *out)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(t->ssl);
	int group = SSL_get_negotiated_group(t->ssl);
	X509 *x = SSL_get0_peer_certificate(t->ssl);
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(t->ssl);

	buf_printf(out, "%s, cipher %s (%d bits)", SSL_get_version(t->ssl),
		   c ? SSL_CIPHER_get_name(c) : "?", c ? SSL_CIPHER_get_bits(c, NULL) : 0);
	if (group > 0) {
		const char *g = SSL_group_to_name(t->ssl, group);
		buf_printf(out, ", key exchange %s", g ? g : "?");
	}
	buf_addc(out, '\n');
	if (x == NULL) {
		buf_adds(out, "the server sent no certificate\n");
	} else {
		buf_adds(out, "certificate subject: ");
		tls_name(X509_get_subject_name(x), out);
		buf_adds(out, "\ncertificate issuer: ");
		tls_name(X509_get_issuer_name(x), out);
		buf_adds(out, "\ncertificate names: ");
		tls_names_of(x, out);
		buf_adds(out, "\ncertificate valid from ");
		tls_time(X509_get0_notBefore(x), out);
		buf_adds(out, " to ");
		tls_time(X509_get0_notAfter(x), out);
		if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0)
			buf_adds(out, " (EXPIRED)");
		else if (X509_cmp_current_time(X509_get0_notBefore(x)) > 0)
			buf_adds(out, " (NOT YET VALID)");
		buf_adds(out, "\ncertificate key: ");
		tls_key(x, out);
		buf_printf(out, "\nchain: %d certificate%s sent by the server (/cert shows them)\n",
			   chain ? sk_X509_num(chain) : 0,
			   chain && sk_X509_num(chain) == 1 ? "" : "s");
	}
	if (t->verify_err == 0)
		buf_printf(out, "verification: OK, trusted chain, name matches %s\n",
			   tls_checked_name(t));
	else
		buf_printf(out, "verification: FAILED: %s (checked %s)\n",
			   X509_verify_cert_error_string(t->verify_err), tls_checked_name(t));
	tls_ocsp(t, out);
}

void tls_chain_text(const struct tls_conn *t, struct buf *out)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(t->ssl);
	int n = chain ? sk_X509_num(chain) : 0;

	if (n == 0) {
		buf_adds(out, "the server sent no certificate");
		return;
	}
	buf_printf(out, "certificate chain sent by the server (%d):", n);
	for (int i = 0; i < n; i++) {
		X509 *x = sk_X509_value(chain, i);
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned mdlen = 0;

		buf_printf(out, "\n#%d subject: ", i);
		tls_name(X509_get_subject_name(x), out);
		buf_adds(out, "\n   issuer: ");
		tls_name(X509_get_issuer_name(x), out);
		buf_adds(out, "\n   names: ");
		tls_names_of(x, out);
		buf_adds(out, "\n   valid: ");
		tls_time(X509_get0_notBefore(x), out);
		buf_adds(out, " to ");
		tls_time(X509_get0_notAfter(x), out);
		buf_adds(out, "\n   key: ");
		tls_key(x, out);
		buf_adds(out, "\n   SHA-256: ");
		if (X509_digest(x, EVP_sha256(), md, &mdlen) == 1)
			for (unsigned j = 0; j < mdlen; j++)
				buf_printf(out, "%s%02X", j ? ":" : "", md[j]);
	}
}

bool tls_chain_save(const struct tls_conn *t, const char *path, char **err)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(t->ssl);
	FILE *f;
	bool ok = true;

	if (chain == NULL || sk_X509_num(chain) == 0) {
		*err = xstrdup("the server sent no certificate: nothing to save");
		return false;
	}
	f = fopen(path, "w");
	if (f == NULL) {
		*err = xasprintf("cannot write %s: %s", path, strerror(errno));
		return false;
	}
	for (int i = 0; i < sk_X509_num(chain); i++)
		ok &= PEM_write_X509(f, sk_X509_value(chain, i)) == 1;
	if (fclose(f) != 0 || !ok) {
		*err = xasprintf("writing %s failed", path);
		return false;
	}
	return true;
}

/* ---- the stream layer ----------------------------------------------------- */

static enum stream_status tls_io_result(struct tls_conn *t, int rc)
{
	int e = SSL_get_error(t->ssl, rc);
	unsigned long q;

	switch (e) {
	case SSL_ERROR_WANT_READ:
		t->want = POLLIN;
		return STREAM_AGAIN;
	case SSL_ERROR_WANT_WRITE:
		t->want = POLLOUT;
		return STREAM_AGAIN;
	case SSL_ERROR_ZERO_RETURN:
		return STREAM_EOF;
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error() == 0 && errno == 0)
			return STREAM_EOF;
		break;
	case SSL_ERROR_SSL:
		/* Many servers close after 221 without close_notify. */
		q = ERR_peek_error();
		if (ERR_GET_LIB(q) == ERR_LIB_SSL &&
		    ERR_GET_REASON(q) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
			ERR_clear_error();
			return STREAM_EOF;
		}
		break;
	default:
		break;
	}
	free(t->io_error);
	if (ERR_peek_error())
		t->io_error = tls_queue_dup("TLS: ");
	else
		t->io_error = xasprintf("TLS: %s", strerror(errno ? errno : EIO));
	/* TLS 1.3: the client's handshake ends before the server has judged
	 * it, so the server's verdict (a client certificate refused ...)
	 * arrives as an alert in place of the first data. */
	if (!t->server && !t->app_data && e == SSL_ERROR_SSL && t->late == NULL)
		t->late = xasprintf("handshake: %s%s", t->io_error + strlen("TLS: "),
				    t->cert_asked ? "; the server asked for a client certificate "
						    "and none was given" : "");
	return STREAM_ERROR;
}

static enum stream_status tls_op_read(void *impl, char *buf, size_t cap, size_t *done)
{
	struct tls_conn *t = impl;
	size_t n = 0;

	ERR_clear_error();
	errno = 0;
	if (SSL_read_ex(t->ssl, buf, cap, &n) == 1) {
		*done = n;
		t->app_data = true;
		t->want = POLLIN;
		return STREAM_OK;
	}
	return tls_io_result(t, 0);
}

static enum stream_status tls_op_write(void *impl, const char *buf, size_t len, size_t *done)
{
	struct tls_conn *t = impl;
	size_t n = 0;

	ERR_clear_error();
	errno = 0;
	if (SSL_write_ex(t->ssl, buf, len, &n) == 1) {
		*done = n;
		t->want = POLLIN;
		return STREAM_OK;
	}
	return tls_io_result(t, 0);
}

static short tls_op_events(void *impl, bool want_write)
{
	struct tls_conn *t = impl;

	return (short)(POLLIN | (want_write || t->want == POLLOUT ? POLLOUT : 0));
}

static void tls_op_close(void *impl)
{
	tls_conn_free(impl);
}

static const char *tls_op_error(void *impl)
{
	struct tls_conn *t = impl;

	return t->io_error ? t->io_error : "no error";
}

const struct stream_ops tls_stream_ops = {
	.read = tls_op_read,
	.write = tls_op_write,
	.events = tls_op_events,
	.close = tls_op_close,
	.error = tls_op_error,
};

/* ---- server side (the demo) ----------------------------------------------- */

struct tls_server *tls_server_new(const char *cert_pem, const char *key_pem, char **err)
{
	BIO *cb = BIO_new_mem_buf(cert_pem, -1), *kb = BIO_new_mem_buf(key_pem, -1);
	X509 *x = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
	EVP_PKEY *k = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
	struct tls_server *srv = NULL;
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx && x && k && SSL_CTX_use_certificate(ctx, x) == 1 &&
	    SSL_CTX_use_PrivateKey(ctx, k) == 1) {
		SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
				 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
		srv = xcalloc(1, sizeof *srv);
		srv->ctx = ctx;
	} else {
		*err = tls_queue_dup("cannot set up the TLS server: ");
		SSL_CTX_free(ctx);
	}
	X509_free(x);
	EVP_PKEY_free(k);
	BIO_free(cb);
	BIO_free(kb);
	return srv;
}

void tls_server_free(struct tls_server *srv)
{
	if (srv == NULL)
		return;
	SSL_CTX_free(srv->ctx);
	free(srv);
}
