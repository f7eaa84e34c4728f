/* dane (module probe): RFC 7672 2.2's decisions from hand-made answers,
 * the TLS layer's record filter, and the verdict over attempts that a
 * DANE or MTA-STS sender skips. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/dane.h"
#include "smtpscope/tlsa.h"
#include "suites.h"

#define ck_has(s, needle) ck_assert_msg((s) && strstr((s), (needle)) != NULL, "\"%s\" lacks \"%s\"", (s), (needle))

static unsigned char sha256[32], sha512[64];

/* A TLSA answer of n records (usage, selector, mtype as given), all with
 * data of the right length for their matching type. */
static struct dns_answer tlsa_answer(enum dns_security sec, struct dns_tlsa *rr, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		rr[i].data = rr[i].mtype == 2 ? sha512 : sha256;
		rr[i].len = rr[i].mtype == 2 ? sizeof sha512 : sizeof sha256;
	}
	return (struct dns_answer){ .type = DNS_TLSA, .sec = sec, .n = n, .tlsa = rr };
}

START_TEST(tlsa_name_of_mx)
{
	char *n = tlsa_name("mx.example.test.", "25");

	ck_assert_str_eq(n, "_25._tcp.mx.example.test");
	free(n);
	n = tlsa_name("mx.example.test", "25");
	ck_assert_str_eq(n, "_25._tcp.mx.example.test");
	free(n);
	n = tlsa_name("mx.example.test", "2525");
	ck_assert_str_eq(n, "_2525._tcp.mx.example.test");
	free(n);
}
END_TEST

START_TEST(record_use)
{
	struct tls_dane_record r = { 3, 1, 1, sha256, 32 };

	ck_assert_int_eq(tls_dane_record_use(&r), TLS_DANE_USABLE);
	r.usage = 2;
	ck_assert_int_eq(tls_dane_record_use(&r), TLS_DANE_USABLE);
	r.usage = 1;
	ck_assert_int_eq(tls_dane_record_use(&r), TLS_DANE_PKIX_USAGE);
	r.usage = 0;
	ck_assert_int_eq(tls_dane_record_use(&r), TLS_DANE_PKIX_USAGE);
	r.usage = 4;
	ck_assert_int_eq(tls_dane_record_use(&r), TLS_DANE_UNKNOWN_PARAM);
	r.usage = 3, r.selector = 2;
	ck_assert_int_eq(tls_dane_record_use(&r), TLS_DANE_UNKNOWN_PARAM);
	r.selector = 1, r.mtype = 3;
	ck_assert_int_eq(tls_dane_record_use(&r), TLS_DANE_UNKNOWN_PARAM);
	r.mtype = 2; /* SHA-512 wants 64 bytes */
	ck_assert_int_eq(tls_dane_record_use(&r), TLS_DANE_BAD_LENGTH);
	r.mtype = 0, r.len = 0; /* exact match of nothing */
	ck_assert_int_eq(tls_dane_record_use(&r), TLS_DANE_BAD_LENGTH);
	r.len = 91;
	ck_assert_int_eq(tls_dane_record_use(&r), TLS_DANE_USABLE);
	ck_has(tls_dane_use_text(TLS_DANE_PKIX_USAGE), "unusable for SMTP");
}
END_TEST

START_TEST(host_states)
{
	struct dane_host h;
	struct dns_tlsa rr[3] = { { .usage = 3, .selector = 1, .mtype = 1 },
				  { .usage = 1, .selector = 1, .mtype = 1 },
				  { .usage = 2, .selector = 0, .mtype = 2 } };
	struct dns_answer a = tlsa_answer(DNS_SECURE, rr, 3);
	struct dns_answer none = { .type = DNS_TLSA, .sec = DNS_SECURE, .nxdomain = true };
	struct dns_answer temp = { .type = DNS_TLSA, .temporary = true, .error = "SERVFAIL" };
	struct dns_answer bogus = { .type = DNS_TLSA, .sec = DNS_BOGUS,
				    .why_bogus = "signature expired\x1b[2J" };

	dane_host_decide(&h, "mx.example.test", true, true, &a);
	ck_assert_int_eq(h.state, DANE_USABLE);
	ck_assert_uint_eq(h.n_usable, 2);
	ck_assert_uint_eq(h.tls.n, 3);
	ck_assert_str_eq(h.tls.base, "mx.example.test");
	ck_has(h.why, "2 usable DNSSEC-signed TLSA records (1 unusable)");
	ck_assert_ptr_null(h.kb_text);
	dane_host_free(&h);

	/* an insecure MX RRset: never DANE, said when records exist */
	dane_host_decide(&h, "mx.example.test", false, true, &a);
	ck_assert_int_eq(h.state, DANE_INSECURE);
	ck_has(h.kb_text, "MX RRset is not DNSSEC-signed");
	dane_host_free(&h);
	dane_host_decide(&h, "mx.example.test", false, true, &none);
	ck_assert_int_eq(h.state, DANE_NONE);
	dane_host_free(&h);
	/* an insecure MX: a failed TLSA lookup does not matter */
	dane_host_decide(&h, "mx.example.test", false, true, &temp);
	ck_assert_int_eq(h.state, DANE_NONE);
	dane_host_free(&h);

	/* secure MX, insecure addresses or TLSA: ignored */
	dane_host_decide(&h, "mx.example.test", true, false, &a);
	ck_assert_int_eq(h.state, DANE_INSECURE);
	ck_has(h.why, "address records are");
	dane_host_free(&h);
	a.sec = DNS_INSECURE;
	dane_host_decide(&h, "mx.example.test", true, true, &a);
	ck_assert_int_eq(h.state, DANE_INSECURE);
	ck_has(h.why, "the TLSA answer is");
	dane_host_free(&h);
	a.sec = DNS_SECURE;

	/* a secure denial: no DANE */
	dane_host_decide(&h, "mx.example.test", true, true, &none);
	ck_assert_int_eq(h.state, DANE_NONE);
	ck_has(h.why, "securely denied");
	dane_host_free(&h);

	/* failures: the MX is unusable; the resolver's reason escaped */
	dane_host_decide(&h, "mx.example.test", true, true, &temp);
	ck_assert_int_eq(h.state, DANE_LOOKUP_FAILED);
	ck_has(h.why, "failed temporarily");
	ck_has(h.why, "SERVFAIL");
	dane_host_free(&h);
	dane_host_decide(&h, "mx.example.test", true, true, &bogus);
	ck_assert_int_eq(h.state, DANE_LOOKUP_FAILED);
	ck_has(h.why, "fails DNSSEC validation");
	ck_assert(strchr(h.why, '\x1b') == NULL);
	ck_has(h.kb_text, "bogus");
	dane_host_free(&h);
	dane_host_decide(&h, "mx.example.test", true, true, NULL);
	ck_assert_int_eq(h.state, DANE_LOOKUP_FAILED);
	dane_host_free(&h);

	/* PKIX usages only: encrypt without authentication */
	rr[0].usage = 0, rr[2].usage = 1;
	dane_host_decide(&h, "mx.example.test", true, true, &a);
	ck_assert_int_eq(h.state, DANE_UNUSABLE);
	ck_has(h.kb_text, "only unusable");
	dane_host_free(&h);
}
END_TEST

START_TEST(attempt_outcomes)
{
	struct dane_host h;
	struct dns_tlsa rr[1] = { { .usage = 3, .selector = 1, .mtype = 1 } };
	struct dns_answer a = tlsa_answer(DNS_SECURE, rr, 1);
	struct tls_dane_result ok = { .state = TLS_DANE_VERIFIED, .usable = 1, .depth = 0,
				      .usage = 3, .selector = 1, .mtype = 1 };
	struct tls_dane_result bad = { .state = TLS_DANE_FAILED, .usable = 1, .depth = -1 };
	char *text;
	const char *kb;

	dane_host_decide(&h, "mx.example.test", true, true, &a);
	ck_assert_int_eq(dane_attempt(&h, true, true, &ok, &text, &kb), PROBE_AUTH_DANE_OK);
	ck_assert_str_eq(text, "TLSA 3 1 1 matched the server's key");
	ck_assert_ptr_null(kb);
	free(text);
	ck_assert_int_eq(dane_attempt(&h, true, true, &bad, &text, &kb), PROBE_AUTH_DANE_FAILED);
	ck_has(text, "no TLSA record matched");
	ck_has(kb, "X509_V_ERR_DANE_NO_MATCH");
	free(text);
	ck_assert_int_eq(dane_attempt(&h, false, false, NULL, &text, &kb), PROBE_AUTH_DANE_FAILED);
	ck_has(text, "does not offer STARTTLS");
	ck_has(kb, "dane: no TLS");
	free(text);
	ck_assert_int_eq(dane_attempt(&h, true, false, NULL, &text, &kb), PROBE_AUTH_DANE_FAILED);
	ck_has(text, "handshake failed");
	free(text);
	dane_host_free(&h);

	/* no DANE: opportunistic, nothing to say */
	dane_host_decide(&h, "mx.example.test", false, true, &a);
	ck_assert_int_eq(dane_attempt(&h, true, true, NULL, &text, &kb), PROBE_AUTH_OPPORTUNISTIC);
	ck_assert_ptr_null(text);
	dane_host_free(&h);
	dane_host_decide(&h, "mx.example.test", true, true, NULL);
	ck_assert_int_eq(dane_attempt(&h, true, true, NULL, &text, &kb), PROBE_AUTH_DANE_UNUSABLE);
	ck_has(text, "TLSA lookup");
	free(text);
	dane_host_free(&h);
}
END_TEST

START_TEST(result_texts)
{
	struct tls_dane_result r = { .state = TLS_DANE_VERIFIED, .depth = 1, .usage = 2,
				     .selector = 1, .mtype = 1 };
	struct buf b;

	buf_init(&b);
	tls_dane_text(&r, &b);
	ck_assert_str_eq(b.data, "TLSA 2 1 1 matched the issuer at depth 1");
	buf_free(&b);
	r.depth = 2;
	buf_init(&b);
	tls_dane_text(&r, &b);
	ck_assert_str_eq(b.data, "TLSA 2 1 1 matched a CA certificate at depth 2");
	buf_free(&b);
	r = (struct tls_dane_result){ .state = TLS_DANE_OFF, .unusable = 2 };
	buf_init(&b);
	tls_dane_text(&r, &b);
	ck_assert_str_eq(b.data, "DANE not used: all 2 TLSA records are unusable");
	buf_free(&b);
}
END_TEST

/* ---- the verdict over attempts a policy-applying sender skips ---- */
static const struct mx_rr two_mx[] = { { 10, "mx1.example.test" }, { 20, "mx2.example.test" } };

static struct probe_attempt accepted(const char *host, enum probe_auth auth, const char *why)
{
	struct probe_attempt a = { .host = host, .address = "192.0.2.1", .conn = PROBE_CONNECTED };

	a.greeting.code = 220;
	a.ehlo.code = 250;
	a.tls.offered = a.tls.ok = a.tls.verified = true;
	a.mail.code = 250;
	a.rcpt.code = 250;
	a.tls.auth = auth;
	a.tls.auth_text = why;
	return a;
}

START_TEST(verdict_skips_failed_auth)
{
	struct mx_plan p;
	struct mx_lookup lk = { .status = MX_ANSWER, .rr = two_mx, .n = 2 };
	struct verdict v;
	struct probe_attempt a[2] = {
		accepted("mx1.example.test", PROBE_AUTH_DANE_FAILED, "no TLSA record matched"),
		accepted("mx2.example.test", PROBE_AUTH_DANE_OK, "TLSA 3 1 1 matched the server's key"),
	};
	struct probe_result r = { .plan = &p, .attempts = a, .n = 2 };

	mx_plan_make(&p, "example.test", &lk, NULL);
	verdict_decide(&r, &v);
	ck_assert_int_eq(v.kind, VERDICT_DELIVERABLE);
	ck_assert_int_eq(v.attempt, 1);
	ck_has(v.conclusion, "TLS authenticated by DANE: TLSA 3 1 1 matched the server's key");
	ck_has(v.conclusion, "after 1 earlier address did not take it");
	verdict_free(&v);

	/* every MX fails DANE: 56, resting on the first */
	a[1].tls.auth = PROBE_AUTH_DANE_UNUSABLE;
	verdict_decide(&r, &v);
	ck_assert_int_eq(v.kind, VERDICT_DANE_FAILED);
	ck_assert_int_eq(v.exit_status, 56);
	ck_assert_int_eq(v.attempt, 0);
	ck_has(v.conclusion, "a sender that checks DANE (RFC 7672) would not deliver to any MX of example.test");
	ck_has(v.conclusion, "no TLSA record matched");
	verdict_free(&v);

	/* MTA-STS enforce failures: 57 */
	a[0].tls.auth = a[1].tls.auth = PROBE_AUTH_STS_FAILED;
	a[0].tls.auth_text = "mx1.example.test matches no mx line of the policy";
	verdict_decide(&r, &v);
	ck_assert_int_eq(v.kind, VERDICT_MTASTS_FAILED);
	ck_assert_int_eq(v.exit_status, 57);
	ck_has(v.conclusion, "enforces the domain's MTA-STS policy");
	verdict_free(&v);

	/* mode testing: delivered, and the failure said */
	a[0].tls.auth = PROBE_AUTH_STS_TESTING;
	verdict_decide(&r, &v);
	ck_assert_int_eq(v.kind, VERDICT_DELIVERABLE);
	ck_has(v.conclusion, "MTA-STS (mode testing) would fail: mx1.example.test matches no mx line");
	verdict_free(&v);

	/* a deferral elsewhere comes first: the sender retries */
	a[0].tls.auth = PROBE_AUTH_DANE_FAILED;
	a[1].tls.auth = PROBE_AUTH_OPPORTUNISTIC;
	a[1].rcpt.code = 451;
	a[1].rcpt.enhanced = "4.3.0";
	verdict_decide(&r, &v);
	ck_assert_int_eq(v.kind, VERDICT_TEMPORARY);
	verdict_free(&v);
	ck_assert_str_eq(probe_auth_name(PROBE_AUTH_DANE_UNUSABLE), "dane-unusable");
	ck_assert_str_eq(verdict_name(VERDICT_DANE_FAILED), "dane-failed");
	ck_assert_str_eq(verdict_name(VERDICT_MTASTS_FAILED), "mtasts-failed");
	ck_assert(probe_auth_refuses(PROBE_AUTH_STS_FAILED));
	ck_assert(!probe_auth_refuses(PROBE_AUTH_STS_TESTING));
	mx_plan_free(&p);
}
END_TEST

Suite *dane_suite(void)
{
	Suite *s = suite_create("dane");
	TCase *tc = tcase_create("decide");

	tcase_add_test(tc, tlsa_name_of_mx);
	tcase_add_test(tc, record_use);
	tcase_add_test(tc, host_states);
	tcase_add_test(tc, attempt_outcomes);
	tcase_add_test(tc, result_texts);
	tcase_add_test(tc, verdict_skips_failed_auth);
	suite_add_tcase(s, tc);
	return s;
}
