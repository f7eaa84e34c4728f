/* TLSA association data of a chain and the match of a record (tls.h,
 * tls-report.c), and the report comparing DNS's records with it (tlsa.h),
 * with certificates made here through the OpenSSL API: a CA, a server
 * certificate for mx.example.test it signed, and a key that signed
 * nothing. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "smtpscope/tls.h"
#include "smtpscope/tlsa.h"
#include "suites.h"

static EVP_PKEY *ca_key, *ee_key, *other_key;
static X509 *ca, *ee;
static unsigned char *ca_der, *ee_der;
static size_t ca_len, ee_len;

static void ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v;
	X509_EXTENSION *e;

	X509V3_set_ctx_nodb(&v);
	X509V3_set_ctx(&v, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &v, nid, value);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
}

static X509 *make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
		       const char *san)
{
	X509 *x = X509_new();

	ck_assert_ptr_nonnull(x);
	ASN1_INTEGER_set(X509_get_serialNumber(x), issuer ? 2 : 1);
	X509_set_version(x, X509_VERSION_3);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x));
	if (san)
		ext(x, issuer ? issuer : x, NID_subject_alt_name, san);
	else
		ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
	ck_assert_int_gt(X509_sign(x, issuer_key, EVP_sha256()), 0);
	return x;
}

static size_t der_of(X509 *x, unsigned char **der)
{
	int n;

	*der = NULL;
	n = i2d_X509(x, der);
	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

static void setup(void)
{
	ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ee_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	other_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ck_assert(ca_key && ee_key && other_key);
	ca = make_cert("Test CA", ca_key, NULL, ca_key, NULL);
	ee = make_cert("mx.example.test", ee_key, ca, ca_key, "DNS:mx.example.test");
	ca_len = der_of(ca, &ca_der);
	ee_len = der_of(ee, &ee_der);
}

static void teardown(void)
{
	OPENSSL_free(ca_der);
	OPENSSL_free(ee_der);
	X509_free(ca);
	X509_free(ee);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(ee_key);
	EVP_PKEY_free(other_key);
}

/* [leaf, CA] or [leaf] alone. */
static void chain_of(struct tls_tlsa_chain *c, size_t n)
{
	const unsigned char *der[] = { ee_der, ca_der };
	const size_t len[] = { ee_len, ca_len };
	char *err = NULL;

	ck_assert(tls_tlsa_chain_from_der(c, der, len, n, &err));
	ck_assert_ptr_null(err);
	ck_assert_uint_eq(c->n, n);
}

/* The SPKI DER of key, and its digest. */
static size_t spki_of(EVP_PKEY *key, unsigned char **der)
{
	int n;

	*der = NULL;
	n = i2d_PUBKEY(key, der);
	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

static void digest(const void *p, size_t n, const EVP_MD *md, unsigned char *out, unsigned *len)
{
	ck_assert_int_eq(EVP_Digest(p, n, out, len, md, NULL), 1);
}

static struct tls_dane_record rec(unsigned u, unsigned s, unsigned m, const unsigned char *d,
				  size_t n)
{
	return (struct tls_dane_record){ (unsigned char)u, (unsigned char)s, (unsigned char)m, d, n };
}

START_TEST(data_for_each_selector_and_matching_type)
{
	struct tls_tlsa_chain c;
	unsigned char *spki, md[EVP_MAX_MD_SIZE];
	unsigned mdlen;
	size_t slen = spki_of(ee_key, &spki);

	chain_of(&c, 2);
	/* selector 0: the certificate's DER, and its digests */
	ck_assert_uint_eq(c.cert[0].assoc[0][0].len, ee_len);
	ck_assert_mem_eq(c.cert[0].assoc[0][0].data, ee_der, ee_len);
	digest(ee_der, ee_len, EVP_sha256(), md, &mdlen);
	ck_assert_uint_eq(c.cert[0].assoc[0][1].len, 32);
	ck_assert_mem_eq(c.cert[0].assoc[0][1].data, md, 32);
	digest(ee_der, ee_len, EVP_sha512(), md, &mdlen);
	ck_assert_uint_eq(c.cert[0].assoc[0][2].len, 64);
	ck_assert_mem_eq(c.cert[0].assoc[0][2].data, md, 64);
	/* selector 1: the SubjectPublicKeyInfo */
	ck_assert_uint_eq(c.cert[0].assoc[1][0].len, slen);
	ck_assert_mem_eq(c.cert[0].assoc[1][0].data, spki, slen);
	digest(spki, slen, EVP_sha256(), md, &mdlen);
	ck_assert_mem_eq(c.cert[0].assoc[1][1].data, md, 32);
	ck_assert_str_eq(c.cert[0].subject, "CN=mx.example.test");
	ck_assert_str_eq(c.cert[1].subject, "CN=Test CA");
	OPENSSL_free(spki);
	tls_tlsa_chain_free(&c);
	ck_assert_uint_eq(c.n, 0);
}
END_TEST

START_TEST(dane_ee_counts_at_depth_0_only)
{
	struct tls_tlsa_chain c;
	struct tls_tlsa_match m;
	struct tls_dane_record r;

	chain_of(&c, 2);
	r = rec(3, 1, 1, c.cert[0].assoc[1][1].data, 32);
	tls_tlsa_match(&c, &r, &m);
	ck_assert_int_eq(m.use, TLS_DANE_USABLE);
	ck_assert_uint_eq(m.depths, 1u);
	ck_assert_uint_eq(m.usable_depths, 1u);
	r = rec(3, 0, 2, c.cert[0].assoc[0][2].data, 64);
	tls_tlsa_match(&c, &r, &m);
	ck_assert_uint_eq(m.usable_depths, 1u);
	/* the CA's key as DANE-EE: its data matches depth 1, which EE does not count */
	r = rec(3, 1, 1, c.cert[1].assoc[1][1].data, 32);
	tls_tlsa_match(&c, &r, &m);
	ck_assert_uint_eq(m.depths, 2u);
	ck_assert_uint_eq(m.usable_depths, 0);
	ck_assert(!m.above);
	tls_tlsa_chain_free(&c);
}
END_TEST

START_TEST(dane_ta_counts_at_depth_1_and_up)
{
	struct tls_tlsa_chain c;
	struct tls_tlsa_match m;
	struct tls_dane_record r;

	chain_of(&c, 2);
	r = rec(2, 1, 1, c.cert[1].assoc[1][1].data, 32);
	tls_tlsa_match(&c, &r, &m);
	ck_assert_uint_eq(m.depths, 2u);
	ck_assert_uint_eq(m.usable_depths, 2u);
	/* the server's own key as DANE-TA: matches, does not count */
	r = rec(2, 1, 1, c.cert[0].assoc[1][1].data, 32);
	tls_tlsa_match(&c, &r, &m);
	ck_assert_uint_eq(m.depths, 1u);
	ck_assert_uint_eq(m.usable_depths, 0);
	ck_assert(tls_tlsa_name_ok(&c, "mx.example.test"));
	ck_assert(tls_tlsa_name_ok(&c, "MX.Example.Test"));
	ck_assert(!tls_tlsa_name_ok(&c, "other.example.test"));
	tls_tlsa_chain_free(&c);
}
END_TEST

START_TEST(ta_not_sent_matches_above_the_chain)
{
	struct tls_tlsa_chain c, full;
	struct tls_tlsa_match m;
	struct tls_dane_record r;
	unsigned char *spki;
	size_t slen;

	chain_of(&full, 2);
	chain_of(&c, 1); /* the server sends its certificate alone */
	r = rec(2, 0, 0, ca_der, ca_len);
	tls_tlsa_match(&c, &r, &m);
	ck_assert_uint_eq(m.depths, 0);
	ck_assert(m.above);
	r = rec(2, 1, 0, full.cert[1].assoc[1][0].data, full.cert[1].assoc[1][0].len);
	tls_tlsa_match(&c, &r, &m);
	ck_assert(m.above);
	/* a key that signed nothing, and a digest: not above */
	slen = spki_of(other_key, &spki);
	r = rec(2, 1, 0, spki, slen);
	tls_tlsa_match(&c, &r, &m);
	ck_assert(!m.above);
	r = rec(2, 1, 1, full.cert[1].assoc[1][1].data, 32);
	tls_tlsa_match(&c, &r, &m);
	ck_assert(!m.above);
	ck_assert_uint_eq(m.depths, 0);
	/* garbage as a full certificate */
	r = rec(2, 0, 0, (const unsigned char *)"\x30\x03\x02\x01\x01", 5);
	tls_tlsa_match(&c, &r, &m);
	ck_assert(!m.above);
	OPENSSL_free(spki);
	tls_tlsa_chain_free(&c);
	tls_tlsa_chain_free(&full);
}
END_TEST

START_TEST(pkix_usages_unusable_but_matched)
{
	struct tls_tlsa_chain c;
	struct tls_tlsa_match m;
	struct tls_dane_record r;
	unsigned char zero[32] = { 0 }, *bytes31;

	chain_of(&c, 2);
	r = rec(1, 1, 1, c.cert[0].assoc[1][1].data, 32);
	tls_tlsa_match(&c, &r, &m);
	ck_assert_int_eq(m.use, TLS_DANE_PKIX_USAGE);
	ck_assert_uint_eq(m.depths, 1u);
	ck_assert_uint_eq(m.usable_depths, 0);
	r = rec(0, 0, 1, c.cert[1].assoc[0][1].data, 32);
	tls_tlsa_match(&c, &r, &m);
	ck_assert_uint_eq(m.depths, 2u);
	/* no match; a digest of the wrong length; unknown parameters */
	r = rec(3, 1, 1, zero, 32);
	tls_tlsa_match(&c, &r, &m);
	ck_assert_int_eq(m.use, TLS_DANE_USABLE);
	ck_assert_uint_eq(m.depths, 0);
	bytes31 = c.cert[0].assoc[1][1].data;
	r = rec(3, 1, 1, bytes31, 31);
	tls_tlsa_match(&c, &r, &m);
	ck_assert_int_eq(m.use, TLS_DANE_BAD_LENGTH);
	ck_assert_uint_eq(m.depths, 0);
	r = rec(3, 2, 1, bytes31, 32);
	tls_tlsa_match(&c, &r, &m);
	ck_assert_int_eq(m.use, TLS_DANE_UNKNOWN_PARAM);
	ck_assert_uint_eq(m.depths, 0);
	tls_tlsa_chain_free(&c);
}
END_TEST

START_TEST(chain_from_der_refuses_garbage)
{
	struct tls_tlsa_chain c;
	const unsigned char junk[] = "not a certificate";
	const unsigned char *der[] = { ee_der, junk };
	size_t len[] = { ee_len, sizeof junk };
	char *err = NULL;

	ck_assert(!tls_tlsa_chain_from_der(&c, der, len, 2, &err));
	ck_assert_ptr_nonnull(strstr(err, "depth 1"));
	ck_assert_uint_eq(c.n, 0);
	free(err);
	/* a certificate with bytes after it */
	len[0] = ee_len;
	{
		unsigned char *longer = malloc(ee_len + 1);

		memcpy(longer, ee_der, ee_len);
		longer[ee_len] = 0;
		der[0] = longer;
		len[0] = ee_len + 1;
		ck_assert(!tls_tlsa_chain_from_der(&c, der, len, 1, &err));
		free(err);
		free(longer);
	}
}
END_TEST

START_TEST(names_made_and_split)
{
	char *n = tlsa_name("mx.example.test.", "25"), *h, *p;

	ck_assert_str_eq(n, "_25._tcp.mx.example.test");
	ck_assert(tlsa_name_split(n, &h, &p));
	ck_assert_str_eq(h, "mx.example.test");
	ck_assert_str_eq(p, "25");
	free(h);
	free(p);
	free(n);
	ck_assert(!tlsa_name_split("_25._udp.x", &h, &p));
	ck_assert(!tlsa_name_split("_._tcp.x", &h, &p));
	ck_assert(!tlsa_name_split("_25._tcp.", &h, &p));
	ck_assert(!tlsa_name_split("mx.example.test", &h, &p));
}
END_TEST

/* ---- the report (tlsa.h) ---- */

/* An answer of n TLSA records (data copied) with the DNSSEC status sec. */
static struct dns_answer *answer(enum dns_security sec, size_t n, const struct tls_dane_record *r)
{
	struct dns_answer *a = calloc(1, sizeof *a);

	a->qname = strdup("_25._tcp.mx.example.test");
	a->type = DNS_TLSA;
	a->sec = sec;
	a->ttl = 300;
	a->n = n;
	a->nodata = n == 0;
	a->tlsa = calloc(n ? n : 1, sizeof *a->tlsa);
	for (size_t i = 0; i < n; i++) {
		a->tlsa[i].usage = r[i].usage;
		a->tlsa[i].selector = r[i].selector;
		a->tlsa[i].mtype = r[i].mtype;
		a->tlsa[i].data = malloc(r[i].len ? r[i].len : 1);
		memcpy(a->tlsa[i].data, r[i].data, r[i].len);
		a->tlsa[i].len = r[i].len;
	}
	return a;
}

static bool has_line(const struct tlsa_report *r, const char *text)
{
	for (size_t i = 0; i < r->n; i++)
		if (strstr(r->lines[i].text, text))
			return true;
	return false;
}

static void report(struct tlsa_report *r, const struct tls_tlsa_chain *c, struct dns_answer *a)
{
	tlsa_report_make(r, &(struct tlsa_input){ .host = "mx.example.test", .port = "25",
						   .chain = c, .no_tls = "STARTTLS not offered",
						   .answer = a });
}

START_TEST(report_secure_match_and_the_rest)
{
	struct tls_tlsa_chain c;
	struct tls_dane_record rs[4];
	unsigned char zero[32] = { 0 };
	struct dns_answer *a;
	struct tlsa_report r;

	chain_of(&c, 2);
	rs[0] = rec(3, 1, 1, c.cert[0].assoc[1][1].data, 32);
	rs[1] = rec(3, 1, 1, zero, 32);
	rs[2] = rec(1, 1, 1, c.cert[0].assoc[1][1].data, 32);
	rs[3] = rec(3, 1, 1, zero, 20);
	a = answer(DNS_SECURE, 4, rs);
	report(&r, &c, a);
	ck_assert_int_eq(r.status, TLSA_EXIT_MATCH);
	ck_assert_ptr_nonnull(strstr(r.conclusion, "DNS publishes 4 records; 3 1 1 "));
	ck_assert_ptr_nonnull(strstr(r.conclusion, "matches the server's key: a DANE sender will "
					 "authenticate this server"));
	ck_assert(has_line(&r, "IN TLSA 3 1 1 "));
	ck_assert(has_line(&r, "IN TLSA 2 1 1 "));
	ck_assert(has_line(&r, "matches the server's key (depth 0)"));
	ck_assert(has_line(&r, "does not match the current chain"));
	ck_assert(has_line(&r, "unusable for SMTP: usage 1 (PKIX-EE"));
	ck_assert(has_line(&r, "its data would match the server's key (depth 0)"));
	ck_assert(has_line(&r, "malformed: the data does not have the digest's length"));
	ck_assert(has_line(&r, "DNSSEC: secure"));
	ck_assert_ptr_nonnull(strstr(r.json.data, "\"verdict\":\"match\""));
	ck_assert_ptr_nonnull(strstr(r.json.data, "\"verdict\":\"unusable\""));
	ck_assert_ptr_nonnull(strstr(r.json.data, "\"verdict\":\"malformed\""));
	ck_assert_ptr_nonnull(strstr(r.json.data, "\"exit\":0"));
	tlsa_report_free(&r);
	dns_answer_free(a);
	tls_tlsa_chain_free(&c);
}
END_TEST

START_TEST(report_statuses)
{
	struct tls_tlsa_chain c;
	struct tls_dane_record good, ta, wrong_name;
	unsigned char zero[32] = { 0 };
	struct dns_answer *a;
	struct tlsa_report r;

	chain_of(&c, 2);
	good = rec(3, 1, 1, c.cert[0].assoc[1][1].data, 32);
	/* no usable match */
	a = answer(DNS_SECURE, 1, &(struct tls_dane_record){ 3, 1, 1, zero, 32 });
	report(&r, &c, a);
	ck_assert_int_eq(r.status, TLSA_EXIT_NO_MATCH);
	ck_assert_ptr_nonnull(strstr(r.conclusion, "no published record matches the current chain: "
					 "DANE senders will refuse to deliver here"));
	tlsa_report_free(&r);
	dns_answer_free(a);
	/* PKIX only: none usable */
	a = answer(DNS_SECURE, 1, &(struct tls_dane_record){ 1, 1, 1, good.data, 32 });
	report(&r, &c, a);
	ck_assert_int_eq(r.status, TLSA_EXIT_NO_MATCH);
	ck_assert_ptr_nonnull(strstr(r.conclusion, "none usable for SMTP"));
	tlsa_report_free(&r);
	dns_answer_free(a);
	/* insecure: matching, ignored */
	a = answer(DNS_INSECURE, 1, &good);
	report(&r, &c, a);
	ck_assert_int_eq(r.status, TLSA_EXIT_INSECURE);
	ck_assert_ptr_nonnull(strstr(r.conclusion, "DANE senders ignore them"));
	tlsa_report_free(&r);
	dns_answer_free(a);
	/* bogus */
	a = answer(DNS_BOGUS, 0, NULL);
	a->nodata = false;
	a->why_bogus = strdup("signature expired \x1b[31m");
	report(&r, &c, a);
	ck_assert_int_eq(r.status, TLSA_EXIT_DNS_FAILED);
	ck_assert(has_line(&r, "bogus: signature expired \\x1b[31m"));
	ck_assert_ptr_null(strchr(r.json.data, '\x1b'));
	tlsa_report_free(&r);
	dns_answer_free(a);
	/* nothing published */
	a = answer(DNS_SECURE, 0, NULL);
	report(&r, &c, a);
	ck_assert_int_eq(r.status, TLSA_EXIT_NONE);
	tlsa_report_free(&r);
	dns_answer_free(a);
	/* no TLS, secure usable records */
	a = answer(DNS_SECURE, 1, &good);
	report(&r, NULL, a);
	ck_assert_int_eq(r.status, TLSA_EXIT_NO_TLS);
	ck_assert_ptr_nonnull(strstr(r.conclusion, "DANE senders will refuse to deliver here"));
	tlsa_report_free(&r);
	dns_answer_free(a);
	/* DANE-TA of the issuer: counts when the name matches */
	ta = rec(2, 1, 1, c.cert[1].assoc[1][1].data, 32);
	a = answer(DNS_SECURE, 1, &ta);
	report(&r, &c, a);
	ck_assert_int_eq(r.status, TLSA_EXIT_MATCH);
	ck_assert_ptr_nonnull(strstr(r.conclusion, "an issuer of its chain"));
	tlsa_report_free(&r);
	tlsa_report_make(&r, &(struct tlsa_input){ .host = "other.example.test", .port = "25",
						   .chain = &c, .answer = a });
	ck_assert_int_eq(r.status, TLSA_EXIT_NO_MATCH);
	ck_assert(has_line(&r, "is not valid for other.example.test"));
	tlsa_report_free(&r);
	dns_answer_free(a);
	/* the issuer's key as DANE-EE: the wrong usage for its depth */
	wrong_name = rec(3, 1, 1, c.cert[1].assoc[1][1].data, 32);
	a = answer(DNS_SECURE, 1, &wrong_name);
	report(&r, &c, a);
	ck_assert_int_eq(r.status, TLSA_EXIT_NO_MATCH);
	ck_assert(has_line(&r, "counts only at depth 0: as 2 1 1 it would"));
	ck_assert_ptr_nonnull(strstr(r.json.data, "\"verdict\":\"wrong-depth\""));
	tlsa_report_free(&r);
	dns_answer_free(a);
	tls_tlsa_chain_free(&c);
}
END_TEST

Suite *tlsa_suite(void)
{
	Suite *s = suite_create("tlsa");
	TCase *tc = tcase_create("chain");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, data_for_each_selector_and_matching_type);
	tcase_add_test(tc, dane_ee_counts_at_depth_0_only);
	tcase_add_test(tc, dane_ta_counts_at_depth_1_and_up);
	tcase_add_test(tc, ta_not_sent_matches_above_the_chain);
	tcase_add_test(tc, pkix_usages_unusable_but_matched);
	tcase_add_test(tc, chain_from_der_refuses_garbage);
	tcase_add_test(tc, names_made_and_split);
	tcase_add_test(tc, report_secure_match_and_the_rest);
	tcase_add_test(tc, report_statuses);
	suite_add_tcase(s, tc);
	return s;
}
