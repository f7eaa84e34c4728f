/* tls-report: what the transcript and /cert show of a TLS connection:
 * the peer's names, validity, key, stapled OCSP status, the chain with
 * SHA-256 fingerprints, and the chain saved as PEM; the chain's TLSA
 * association data and where a TLSA record matches it (RFC 6698 2.1,
 * RFC 7671, RFC 7672 3), for /tlsa and `smtpscope tlsa`. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
		buf_adds(out, _("(empty)"));
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
			buf_printf(out, _("no subjectAltName; only CN=%.*s"), ASN1_STRING_length(cn),
				   (const char *)ASN1_STRING_get0_data(cn));
		else
			buf_adds(out, _("no names at all"));
	}
}

void tls_peer_names(const struct tls_conn *t, struct buf *out)
{
	X509 *x = SSL_get0_peer_certificate(t->ssl);

	if (x)
		tls_names_of(x, out);
	else
		buf_adds(out, _("(no certificate)"));
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
	buf_printf(out, _("%s %d bits"), EVP_PKEY_get0_type_name(k) ? EVP_PKEY_get0_type_name(k) : "?",
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
		buf_adds(out, _("OCSP: no stapled response"));
		return;
	}
	resp = d2i_OCSP_RESPONSE(NULL, &p, len);
	if (resp == NULL) {
		buf_adds(out, _("OCSP: a stapled response that does not parse"));
		return;
	}
	buf_printf(out, _("OCSP: stapled response, %s"),
		   OCSP_response_status_str(OCSP_response_status(resp)));
	basic = OCSP_response_get1_basic(resp);
	if (basic && leaf && issuer) {
		OCSP_CERTID *id = OCSP_cert_to_id(NULL, leaf, issuer);
		int status = -1, reason = 0;

		if (id && OCSP_resp_find_status(basic, id, &status, &reason, NULL, NULL, NULL) == 1)
			buf_printf(out, _(", certificate %s"), OCSP_cert_status_str(status));
		else
			buf_adds(out, _(", but not about this certificate"));
		OCSP_CERTID_free(id);
	}
	if (basic) {
		int ok = OCSP_basic_verify(basic, SSL_get_peer_cert_chain(t->ssl),
					   SSL_CTX_get_cert_store(t->ctx), 0);

		buf_adds(out, ok > 0 ? _(" (signed by a trusted responder)")
				     : _(" (the response's signature could NOT be verified)"));
		ERR_clear_error();
	}
	OCSP_BASICRESP_free(basic);
	OCSP_RESPONSE_free(resp);
}

/* The DANE outcome, and the verification line when DANE verified. */
static void tls_report_dane(const struct tls_conn *t, struct buf *out)
{
	struct tls_dane_result r;

	tls_dane_result(t, &r);
	buf_adds(out, r.state == TLS_DANE_FAILED ? _("DANE: FAILED: ") : _("DANE: "));
	tls_dane_text(&r, out);
	buf_addc(out, '\n');
	if (r.state == TLS_DANE_VERIFIED && t->verify_err == 0)
		buf_printf(out, _("verification: OK by DANE (RFC 7672), for %s\n"), tls_checked_name(t));
}

void tls_report(const struct tls_conn *t, struct buf *out)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(t->ssl);
	int group = SSL_get_negotiated_group(t->ssl);
	X509 *x = SSL_get0_peer_certificate(t->ssl);
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(t->ssl);

	buf_printf(out, _("%s, cipher %s (%d bits)"), SSL_get_version(t->ssl),
		   c ? SSL_CIPHER_get_name(c) : "?", c ? SSL_CIPHER_get_bits(c, NULL) : 0);
	if (group > 0) {
		const char *g = SSL_group_to_name(t->ssl, group);
		buf_printf(out, _(", key exchange %s"), g ? g : "?");
	}
	buf_addc(out, '\n');
	if (x == NULL) {
		buf_adds(out, _("the server sent no certificate\n"));
	} else {
		buf_adds(out, _("certificate subject: "));
		tls_name(X509_get_subject_name(x), out);
		buf_adds(out, _("\ncertificate issuer: "));
		tls_name(X509_get_issuer_name(x), out);
		buf_adds(out, _("\ncertificate names: "));
		tls_names_of(x, out);
		buf_adds(out, _("\ncertificate valid from "));
		tls_time(X509_get0_notBefore(x), out);
		buf_adds(out, _(" to "));
		tls_time(X509_get0_notAfter(x), out);
		if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0)
			buf_adds(out, _(" (EXPIRED)"));
		else if (X509_cmp_current_time(X509_get0_notBefore(x)) > 0)
			buf_adds(out, _(" (NOT YET VALID)"));
		buf_adds(out, _("\ncertificate key: "));
		tls_key(x, out);
		int nchain = chain ? sk_X509_num(chain) : 0;

		buf_printf(out, ngettext("\nchain: %d certificate sent by the server (/cert shows them)\n",
					 "\nchain: %d certificates sent by the server (/cert shows them)\n",
					 (unsigned long)nchain), nchain);
	}
	if (t->dane_on || t->dane_unusable)
		tls_report_dane(t, out);
	if (t->verify_err == 0 && !t->dane_on)
		buf_printf(out, _("verification: OK, trusted chain, name matches %s\n"),
			   tls_checked_name(t));
	else if (t->verify_err != 0)
		buf_printf(out, _("verification: FAILED: %s (checked %s)\n"),
			   X509_verify_cert_error_string(t->verify_err), tls_checked_name(t));
	tls_ocsp(t, out);
}

void tls_chain_text(const struct tls_conn *t, struct buf *out)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(t->ssl);
	int n = chain ? sk_X509_num(chain) : 0;

	if (n == 0) {
		buf_adds(out, _("the server sent no certificate"));
		return;
	}
	buf_printf(out, _("certificate chain sent by the server (%d):"), n);
	for (int i = 0; i < n; i++) {
		X509 *x = sk_X509_value(chain, i);
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned mdlen = 0;

		buf_printf(out, _("\n#%d subject: "), i);
		tls_name(X509_get_subject_name(x), out);
		buf_adds(out, _("\n   issuer: "));
		tls_name(X509_get_issuer_name(x), out);
		buf_adds(out, _("\n   names: "));
		tls_names_of(x, out);
		buf_adds(out, _("\n   valid: "));
		tls_time(X509_get0_notBefore(x), out);
		buf_adds(out, _(" to "));
		tls_time(X509_get0_notAfter(x), out);
		buf_adds(out, _("\n   key: "));
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
		*err = xstrdup(_("the server sent no certificate: nothing to save"));
		return false;
	}
	f = fopen(path, "w");
	if (f == NULL) {
		*err = xasprintf(_("cannot write %s: %s"), path, strerror(errno));
		return false;
	}
	for (int i = 0; i < sk_X509_num(chain); i++)
		ok &= PEM_write_X509(f, sk_X509_value(chain, i)) == 1;
	if (fclose(f) != 0 || !ok) {
		*err = xasprintf(_("writing %s failed"), path);
		return false;
	}
	return true;
}

/* ---- TLSA association data (RFC 6698 2.1, RFC 7671, RFC 7672 3) ------- */

/* Selector s's bytes and their SHA-256 and SHA-512 (matching types 0-2). */
static bool tls_tlsa_put(struct tls_tlsa_cert *tc, int s, const unsigned char *der, size_t len)
{
	const EVP_MD *md[] = { NULL, EVP_sha256(), EVP_sha512() };

	tc->assoc[s][0].data = (unsigned char *)xmemdup(der, len);
	tc->assoc[s][0].len = len;
	for (int m = 1; m <= 2; m++) {
		unsigned char out[EVP_MAX_MD_SIZE];
		unsigned olen = 0;

		if (EVP_Digest(der, len, out, &olen, md[m], NULL) != 1)
			return false;
		tc->assoc[s][m].data = (unsigned char *)xmemdup(out, olen);
		tc->assoc[s][m].len = olen;
	}
	return true;
}

static bool tls_tlsa_add(struct tls_tlsa_chain *c, X509 *x)
{
	struct tls_tlsa_cert *tc;
	unsigned char *der = NULL, *spki = NULL;
	int dlen, slen;
	bool ok;
	struct buf b;

	if (c->n == TLS_TLSA_MAX_CHAIN) {
		c->dropped++;
		return true;
	}
	tc = &c->cert[c->n];
	dlen = i2d_X509(x, &der);
	slen = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki);
	ok = dlen > 0 && slen > 0 && tls_tlsa_put(tc, 0, der, (size_t)dlen) &&
	     tls_tlsa_put(tc, 1, spki, (size_t)slen);
	OPENSSL_free(der);
	OPENSSL_free(spki);
	buf_init(&b);
	tls_name(X509_get_subject_name(x), &b);
	tc->subject = util_escape_dup(b.data ? b.data : "", b.len);
	buf_free(&b);
	c->n++; /* kept even when incomplete, so tls_tlsa_chain_free frees it */
	ERR_clear_error();
	return ok;
}

bool tls_tlsa_chain_of(const struct tls_conn *t, struct tls_tlsa_chain *c)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(t->ssl);

	memset(c, 0, sizeof *c);
	for (int i = 0; chain && i < sk_X509_num(chain); i++)
		if (!tls_tlsa_add(c, sk_X509_value(chain, i))) {
			tls_tlsa_chain_free(c);
			return false;
		}
	return c->n > 0;
}

bool tls_tlsa_chain_from_der(struct tls_tlsa_chain *c, const unsigned char *const *der,
			     const size_t *len, size_t n, char **err)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < n; i++) {
		const unsigned char *p = der[i];
		X509 *x = len[i] <= LONG_MAX ? d2i_X509(NULL, &p, (long)len[i]) : NULL;
		bool ok = x && p == der[i] + len[i] && tls_tlsa_add(c, x);

		X509_free(x);
		if (!ok) {
			ERR_clear_error();
			tls_tlsa_chain_free(c);
			*err = xasprintf(_("certificate %zu (depth %zu) is not one DER certificate"), i + 1, i);
			return false;
		}
	}
	return true;
}

void tls_tlsa_chain_free(struct tls_tlsa_chain *c)
{
	for (size_t i = 0; i < c->n; i++) {
		for (int s = 0; s < 2; s++)
			for (int m = 0; m < 3; m++)
				free(c->cert[i].assoc[s][m].data);
		free(c->cert[i].subject);
	}
	memset(c, 0, sizeof *c);
}

/* The certificate at depth d, parsed again from its DER. */
static X509 *tls_tlsa_x509(const struct tls_tlsa_chain *c, size_t d)
{
	const unsigned char *p;

	if (d >= c->n || c->cert[d].assoc[0][0].len > LONG_MAX)
		return NULL;
	p = c->cert[d].assoc[0][0].data;
	return d2i_X509(NULL, &p, (long)c->cert[d].assoc[0][0].len);
}

/* A full certificate (selector 0) or key (selector 1) that signed the
 * chain's last certificate. */
static bool tls_tlsa_signed_top(const struct tls_tlsa_chain *c, const struct tls_dane_record *r)
{
	X509 *top = tls_tlsa_x509(c, c->n - 1), *ta = NULL;
	EVP_PKEY *key = NULL;
	const unsigned char *p = r->data;
	bool ok = false;

	if (top == NULL || r->len > LONG_MAX)
		goto out;
	if (r->selector == 0) {
		ta = d2i_X509(NULL, &p, (long)r->len);
		ok = ta && p == r->data + r->len && X509_check_issued(ta, top) == X509_V_OK &&
		     X509_verify(top, X509_get0_pubkey(ta)) == 1;
	} else {
		key = d2i_PUBKEY(NULL, &p, (long)r->len);
		ok = key && p == r->data + r->len && X509_verify(top, key) == 1;
	}
out:
	X509_free(top);
	X509_free(ta);
	EVP_PKEY_free(key);
	ERR_clear_error();
	return ok;
}

void tls_tlsa_match(const struct tls_tlsa_chain *c, const struct tls_dane_record *r,
		    struct tls_tlsa_match *m)
{
	memset(m, 0, sizeof *m);
	m->use = tls_dane_record_use(r);
	if (r->selector > 1 || r->mtype > 2)
		return; /* nothing to compare it with */
	for (size_t d = 0; d < c->n; d++) {
		const struct tls_tlsa_data *a = &c->cert[d].assoc[r->selector][r->mtype];

		if (a->len == r->len && r->len > 0 && memcmp(a->data, r->data, r->len) == 0)
			m->depths |= 1u << d;
	}
	if (m->use == TLS_DANE_USABLE)
		m->usable_depths = m->depths & (r->usage == 3 ? 1u : ~1u);
	if ((r->usage == 0 || r->usage == 2) && r->mtype == 0 && m->depths == 0 && c->n > 0)
		m->above = tls_tlsa_signed_top(c, r);
}

bool tls_tlsa_name_ok(const struct tls_tlsa_chain *c, const char *name)
{
	X509 *x = tls_tlsa_x509(c, 0);
	bool ok = x && X509_check_host(x, name, strlen(name), 0, NULL) == 1;

	X509_free(x);
	ERR_clear_error();
	return ok;
}
