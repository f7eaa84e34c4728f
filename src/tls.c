/* tls: OpenSSL 3 contexts, handshake, verification, the stream layer and
 * the demo's server side (the reports are in tls-report.c).
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

#include "tls-private.h"
#include "smtpscope/i18n.h"

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
		buf_adds(out, _("unknown OpenSSL error"));
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
#define TLS_WANT_CAFILE _("give one PEM file of CA certificates to trust (--capath takes a directory)")
#define TLS_WANT_CAPATH _("give a directory of CA certificates named by their hash (openssl rehash DIR); --cafile takes one PEM file")
#define TLS_WANT_CERT _("give the client certificate as a PEM file (-----BEGIN CERTIFICATE-----)")
#define TLS_WANT_KEY _("give the unencrypted PEM private key of --cert (openssl pkey -in KEY -out PLAIN.key removes a passphrase)")

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
		*err = xasprintf(_("%s %s is %s; %s"), opt, path,
				 dir ? _("not a directory") : _("a directory"), want);
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
		msg = xasprintf(_("the key in %s does not belong to --cert %s: give the key the "
				  "certificate was made for"), k, o->cert);
	else if (passphrase)
		msg = xasprintf(_("the key in %s is protected by a passphrase, which smtpscope does "
				  "not ask for: openssl pkey -in %s -out PLAIN.key writes it without "
				  "one"), k, k);
	else if (o->key)
		msg = xasprintf(_("cannot load --key %s: %s; %s"), k, why.len ? why.data : "?",
				TLS_WANT_KEY);
	else
		msg = xasprintf(_("no private key in --cert %s: %s; give the key with --key FILE, or "
				  "put it in the --cert file"), k, why.len ? why.data : "?");
	buf_free(&why);
	return msg;
}

/* The system's CA store, loaded the first time a context verifies with
 * it (parsing the bundle costs tens of ms of CPU: never at start, and
 * never for a session without TLS), then shared by every later context
 * (each /starttls, each of the probe's sessions).  Freed at exit. */
static X509_STORE *tls_system_store_cache;

static void tls_system_store_free(void)
{
	X509_STORE_free(tls_system_store_cache);
	tls_system_store_cache = NULL;
}

static bool tls_use_system_store(SSL_CTX *ctx)
{
	if (tls_system_store_cache == NULL) {
		X509_STORE *st = X509_STORE_new();

		if (st == NULL || X509_STORE_set_default_paths(st) != 1) {
			X509_STORE_free(st);
			return false;
		}
		tls_system_store_cache = st;
		atexit(tls_system_store_free); /* before OpenSSL's own, which runs later */
	}
	SSL_CTX_set1_cert_store(ctx, tls_system_store_cache);
	return true;
}

/* system_store false: what the options name is loaded and checked, the
 * system's CA store is not (tls_options_check; setting the default paths
 * fails only when out of memory). */
static bool tls_client_files(SSL_CTX *ctx, const struct tls_options *o, bool system_store,
			     char **err)
{
	if ((o->cafile && !tls_path_check("--cafile", o->cafile, false, TLS_WANT_CAFILE, err)) ||
	    (o->capath && !tls_path_check("--capath", o->capath, true, TLS_WANT_CAPATH, err)) ||
	    (o->cert && !tls_path_check("--cert", o->cert, false, TLS_WANT_CERT, err)) ||
	    (o->key && !tls_path_check("--key", o->key, false, TLS_WANT_KEY, err)))
		return false;
	if (o->key && !o->cert) {
		*err = xstrdup(_("--key needs --cert FILE: give the client certificate the key belongs to"));
		return false;
	}
	if (o->cafile || o->capath) {
		if (SSL_CTX_load_verify_locations(ctx, o->cafile, o->capath) != 1) {
			*err = o->cafile ? tls_load_error(_("cannot load --cafile"), o->cafile, TLS_WANT_CAFILE)
					 : tls_load_error(_("cannot load --capath"), o->capath, TLS_WANT_CAPATH);
			return false;
		}
	} else if (system_store && !tls_use_system_store(ctx)) {
		*err = tls_queue_dup(_("cannot load the system CA store: "));
		return false;
	}
	if (o->cert == NULL)
		return true;
	SSL_CTX_set_default_passwd_cb(ctx, tls_no_passphrase);
	if (SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1) {
		*err = tls_load_error(_("cannot load --cert"), o->cert, TLS_WANT_CERT);
		return false;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, o->key ? o->key : o->cert, SSL_FILETYPE_PEM) != 1) {
		*err = tls_key_error(o);
		return false;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		*err = tls_load_error(_("--key does not belong to --cert"), o->cert,
				      _("give the key the certificate was made for"));
		return false;
	}
	return true;
}

static SSL_CTX *tls_client_ctx(const struct tls_options *o, bool system_store, char **err)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL) {
		*err = tls_queue_dup(_("cannot create a TLS context: "));
		return NULL;
	}
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, tls_verify_cb);
	SSL_CTX_set_client_cert_cb(ctx, tls_client_cert_cb);
	if (o->dane && SSL_CTX_dane_enable(ctx) <= 0) {
		*err = tls_queue_dup(_("cannot enable DANE: "));
		goto fail;
	}
	if (!tls_client_files(ctx, o, system_store, err))
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
		*err = tls_queue_dup(_("--ciphers: no cipher in the list is known: "));
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

/* The last client context made, kept for the next one with the same
 * settings: making a context costs about a millisecond of CPU (cipher
 * tables fetched, the CA file parsed again), and a session makes one for
 * the check at start and one per STARTTLS, the probe one per address.
 * Only what tls_client_ctx reads is compared (the name to verify, SNI and
 * the DANE records are the connection's).  Freed at exit. */
static struct {
	SSL_CTX *ctx;
	bool system_store, dane;
	char *cafile, *capath, *cert, *key, *ciphers, *ciphersuites;
	int min_version, max_version;
} tls_ctx_cache;

static bool tls_str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static char *tls_strdup(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void tls_ctx_cache_free(void)
{
	SSL_CTX_free(tls_ctx_cache.ctx);
	free(tls_ctx_cache.cafile);
	free(tls_ctx_cache.capath);
	free(tls_ctx_cache.cert);
	free(tls_ctx_cache.key);
	free(tls_ctx_cache.ciphers);
	free(tls_ctx_cache.ciphersuites);
	memset(&tls_ctx_cache, 0, sizeof tls_ctx_cache);
}

static bool tls_ctx_cache_fits(const struct tls_options *o, bool system_store)
{
	return tls_ctx_cache.ctx && tls_ctx_cache.system_store == system_store &&
	       tls_ctx_cache.dane == (o->dane != NULL) &&
	       tls_str_eq(tls_ctx_cache.cafile, o->cafile) &&
	       tls_str_eq(tls_ctx_cache.capath, o->capath) &&
	       tls_str_eq(tls_ctx_cache.cert, o->cert) && tls_str_eq(tls_ctx_cache.key, o->key) &&
	       tls_str_eq(tls_ctx_cache.ciphers, o->ciphers) &&
	       tls_str_eq(tls_ctx_cache.ciphersuites, o->ciphersuites) &&
	       tls_ctx_cache.min_version == o->min_version &&
	       tls_ctx_cache.max_version == o->max_version;
}

/* A context for o: the cached one (another reference to it) or a new one,
 * cached in its place.  The caller frees its reference. */
static SSL_CTX *tls_client_ctx_shared(const struct tls_options *o, bool system_store,
				      char **err)
{
	static bool registered;
	SSL_CTX *ctx;

	/* with a CA file or directory the system store is never loaded */
	system_store = system_store && !o->cafile && !o->capath;
	if (tls_ctx_cache_fits(o, system_store)) {
		SSL_CTX_up_ref(tls_ctx_cache.ctx);
		return tls_ctx_cache.ctx;
	}
	ctx = tls_client_ctx(o, system_store, err);
	if (ctx == NULL)
		return NULL;
	tls_ctx_cache_free();
	SSL_CTX_up_ref(ctx);
	tls_ctx_cache.ctx = ctx;
	tls_ctx_cache.system_store = system_store;
	tls_ctx_cache.dane = o->dane != NULL;
	tls_ctx_cache.cafile = tls_strdup(o->cafile);
	tls_ctx_cache.capath = tls_strdup(o->capath);
	tls_ctx_cache.cert = tls_strdup(o->cert);
	tls_ctx_cache.key = tls_strdup(o->key);
	tls_ctx_cache.ciphers = tls_strdup(o->ciphers);
	tls_ctx_cache.ciphersuites = tls_strdup(o->ciphersuites);
	tls_ctx_cache.min_version = o->min_version;
	tls_ctx_cache.max_version = o->max_version;
	if (!registered) {
		registered = true;
		atexit(tls_ctx_cache_free); /* before OpenSSL's own, which runs later */
	}
	return ctx;
}

bool tls_options_check(const struct tls_options *o, char **err)
{
	SSL_CTX *ctx;

	/* Nothing to load or check: no context (making the first one
	 * initialises OpenSSL, a few ms a session without TLS never needs). */
	if (!o->cafile && !o->capath && !o->cert && !o->key && !o->ciphers &&
	    !o->ciphersuites && !o->min_version && !o->max_version && !o->dane)
		return true;
	ERR_clear_error();
	ctx = tls_client_ctx_shared(o, false, err);
	SSL_CTX_free(ctx);
	return ctx != NULL;
}

enum tls_dane_use tls_dane_record_use(const struct tls_dane_record *r)
{
	static const size_t digest_len[] = { 0, 32, 64 }; /* exact, SHA-256, SHA-512 */

	if (r->usage == 0 || r->usage == 1)
		return TLS_DANE_PKIX_USAGE;
	if (r->usage > 3 || r->selector > 1 || r->mtype > 2)
		return TLS_DANE_UNKNOWN_PARAM;
	if (r->mtype == 0 ? r->len == 0 : r->len != digest_len[r->mtype])
		return TLS_DANE_BAD_LENGTH;
	return TLS_DANE_USABLE;
}

const char *tls_dane_use_text(enum tls_dane_use u)
{
	switch (u) {
	case TLS_DANE_USABLE:
		return _("usable");
	case TLS_DANE_PKIX_USAGE:
		return _("usages 0 (PKIX-TA) and 1 (PKIX-EE) are unusable for SMTP (RFC 7672 3.1.3)");
	case TLS_DANE_UNKNOWN_PARAM:
		return _("an unknown usage, selector or matching type (unusable, RFC 7671 4)");
	case TLS_DANE_BAD_LENGTH:
		return _("the data does not have the digest's length (unusable)");
	}
	return "?";
}

/* The usable TLSA records handed to OpenSSL's DANE verifier (RFC 7672
 * 2.2: none usable means TLS without authentication, verified the usual
 * way). */
static bool tls_dane_setup(struct tls_conn *t, const struct tls_dane *d, char **err)
{
	for (size_t i = 0; i < d->n; i++)
		if (tls_dane_record_use(&d->records[i]) == TLS_DANE_USABLE)
			t->dane_usable++;
		else
			t->dane_unusable++;
	if (t->dane_usable == 0)
		return true;
	if (SSL_dane_enable(t->ssl, d->base) <= 0) {
		*err = tls_queue_dup(_("cannot enable DANE for the connection: "));
		return false;
	}
	SSL_dane_set_flags(t->ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
	for (size_t i = 0; i < d->n; i++) {
		const struct tls_dane_record *r = &d->records[i];

		if (tls_dane_record_use(r) != TLS_DANE_USABLE)
			continue;
		if (SSL_dane_tlsa_add(t->ssl, r->usage, r->selector, r->mtype, r->data, r->len) <= 0) {
			/* OpenSSL cannot use it (a digest it lacks): unusable */
			ERR_clear_error();
			t->dane_usable--;
			t->dane_unusable++;
		}
	}
	t->dane_on = t->dane_usable > 0;
	return true;
}

struct tls_conn *tls_client_new(int fd, const char *host,
				const struct tls_options *o, char **err)
{
	struct tls_conn *t;
	const char *name = o->sni ? o->sni : host;
	bool ip = tls_is_ip(name);
	SSL_CTX *ctx;

	ERR_clear_error();
	ctx = tls_client_ctx_shared(o, true, err);
	if (ctx == NULL)
		return NULL;
	t = xcalloc(1, sizeof *t);
	t->ctx = ctx;
	t->own_ctx = true;
	t->ssl = SSL_new(ctx);
	if (t->ssl == NULL || SSL_set_fd(t->ssl, fd) != 1) {
		*err = tls_queue_dup(_("cannot set up TLS: "));
		tls_conn_free(t);
		return NULL;
	}
	SSL_set_app_data(t->ssl, t);
	SSL_set_msg_callback(t->ssl, tls_records_callback);
	SSL_set_msg_callback_arg(t->ssl, t);
	/* RFC 6066 3: SNI carries host names, never address literals. */
	if (!o->no_sni && !ip && SSL_set_tlsext_host_name(t->ssl, name) != 1) {
		*err = tls_queue_dup(_("bad SNI name: "));
		tls_conn_free(t);
		return NULL;
	}
	if (ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), name) != 1
	       : SSL_set1_host(t->ssl, name) != 1) {
		*err = tls_queue_dup(_("cannot set the name to verify: "));
		tls_conn_free(t);
		return NULL;
	}
	if (o->dane && !tls_dane_setup(t, o->dane, err)) {
		tls_conn_free(t);
		return NULL;
	}
	/* Ask for a stapled OCSP response (RFC 6066 8). */
	SSL_set_tlsext_status_type(t->ssl, TLSEXT_STATUSTYPE_ocsp);
	t->checked = xasprintf(_("%s as %s"), name, ip ? _("an IP address") : _("a host name"));
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
		{ X509_V_ERR_DANE_NO_MATCH, "X509_V_ERR_DANE_NO_MATCH" },
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

void tls_dane_result(const struct tls_conn *t, struct tls_dane_result *r)
{
	uint8_t u = 0, sel = 0, m = 0;

	memset(r, 0, sizeof *r);
	r->usable = t->dane_usable;
	r->unusable = t->dane_unusable;
	r->depth = -1;
	if (!t->dane_on || !t->done)
		return;
	r->depth = SSL_get0_dane_authority(t->ssl, NULL, NULL);
	if (r->depth >= 0 && t->verify_err == 0 &&
	    SSL_get0_dane_tlsa(t->ssl, &u, &sel, &m, NULL, NULL) >= 0) {
		r->state = TLS_DANE_VERIFIED;
		r->usage = u, r->selector = sel, r->mtype = m;
	} else {
		r->state = TLS_DANE_FAILED;
		r->depth = -1;
	}
}

void tls_dane_text(const struct tls_dane_result *r, struct buf *out)
{
	switch (r->state) {
	case TLS_DANE_OFF:
		if (r->unusable)
			buf_printf(out, ngettext("DANE not used: all %zu TLSA record is unusable",
						 "DANE not used: all %zu TLSA records are unusable",
						 r->unusable), r->unusable);
		else
			buf_adds(out, _("DANE not used"));
		break;
	case TLS_DANE_VERIFIED:
		buf_printf(out, _("TLSA %u %u %u matched "), r->usage, r->selector, r->mtype);
		if (r->depth == 0)
			buf_adds(out, r->selector ? _("the server's key") : _("the server's certificate"));
		else if (r->depth == 1)
			buf_adds(out, _("the issuer at depth 1"));
		else
			buf_printf(out, _("a CA certificate at depth %d"), r->depth);
		break;
	case TLS_DANE_FAILED:
		buf_printf(out, ngettext("no TLSA record matched the server's certificate chain "
					 "(%zu usable record)",
					 "no TLSA record matched the server's certificate chain "
					 "(%zu usable records)", r->usable), r->usable);
		break;
	}
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

int tls_version_number(const struct tls_conn *t)
{
	switch (SSL_version(t->ssl)) {
	case TLS1_3_VERSION: return 13;
	case TLS1_2_VERSION: return 12;
	case TLS1_1_VERSION: return 11;
	case TLS1_VERSION: return 10;
	default: return 0;
	}
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

	return t->io_error ? t->io_error : _("no error");
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
		*err = tls_queue_dup(_("cannot set up the TLS server: "));
		SSL_CTX_free(ctx);
	}
	X509_free(x);
	EVP_PKEY_free(k);
	BIO_free(cb);
	BIO_free(kb);
	return srv;
}

struct tls_server *tls_server_from_files(const char *cert_file, const char *key_file, char **err)
{
	const char *want_cert = _("a PEM certificate (its chain may follow)");
	const char *want_key = _("the PEM private key of the certificate");
	SSL_CTX *ctx;
	struct tls_server *srv;

	if (!tls_path_check("--cert", cert_file, false, want_cert, err) ||
	    !tls_path_check("--key", key_file, false, want_key, err))
		return NULL;
	ERR_clear_error();
	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL || SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
		*err = tls_load_error("--cert", cert_file, want_cert);
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		*err = tls_load_error("--key", key_file, want_key);
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	srv = xcalloc(1, sizeof *srv);
	srv->ctx = ctx;
	return srv;
}

void tls_server_free(struct tls_server *srv)
{
	if (srv == NULL)
		return;
	SSL_CTX_free(srv->ctx);
	free(srv);
}
