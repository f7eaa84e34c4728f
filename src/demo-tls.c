/* demo-tls: the demo server's certificate, made at start with the
 * OpenSSL API (no files): an EC P-256 key and a self-signed certificate
 * for the demo's domain, localhost and 127.0.0.1, valid for a day. */
#include "config.h"

#include <stdlib.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "smtpscope/demo.h"
#include "smtpscope/i18n.h"
#include "smtpscope/tls.h"
#include "smtpscope/util.h"

static char *demo_tls_pem(BIO *b)
{
	char *p = NULL;
	long n = BIO_get_mem_data(b, &p);

	return n > 0 ? xmemdup(p, (size_t)n) : NULL;
}

static bool demo_tls_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	bool ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	ok = e && X509_add_ext(x, e, -1) == 1;
	X509_EXTENSION_free(e);
	return ok;
}

struct tls_server *demo_tls_server(const char *domain, char **err)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	BIO *cb = BIO_new(BIO_s_mem()), *kb = BIO_new(BIO_s_mem());
	X509_NAME *name;
	char *san = xasprintf("DNS:%s,DNS:localhost,IP:127.0.0.1,IP:::1", domain);
	char *cert_pem = NULL, *key_pem = NULL;
	struct tls_server *srv = NULL;
	bool ok = key && x && cb && kb;

	if (ok) {
		ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
		X509_set_version(x, X509_VERSION_3);
		X509_gmtime_adj(X509_getm_notBefore(x), -3600);
		X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
		X509_set_pubkey(x, key);
		name = X509_get_subject_name(x);
		X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
					   (const unsigned char *)"smtpscope demo (self-signed)", -1, -1, 0);
		X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					   (const unsigned char *)domain, -1, -1, 0);
		X509_set_issuer_name(x, name);
		ok = demo_tls_ext(x, NID_subject_alt_name, san) &&
		     demo_tls_ext(x, NID_basic_constraints, "critical,CA:FALSE") &&
		     X509_sign(x, key, EVP_sha256()) > 0 &&
		     PEM_write_bio_X509(cb, x) == 1 &&
		     PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) == 1;
	}
	if (ok) {
		cert_pem = demo_tls_pem(cb);
		key_pem = demo_tls_pem(kb);
	}
	if (cert_pem && key_pem)
		srv = tls_server_new(cert_pem, key_pem, err);
	else
		*err = xstrdup(_("cannot make the demo server's certificate"));
	ERR_clear_error();
	free(cert_pem);
	free(key_pem);
	free(san);
	BIO_free(cb);
	BIO_free(kb);
	X509_free(x);
	EVP_PKEY_free(key);
	return srv;
}
