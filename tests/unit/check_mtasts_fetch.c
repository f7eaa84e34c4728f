/* mtasts-fetch (module mtasts): the sans-I/O parts of the MTA-STS engine
 * (mtasts-fetch.h): a lookup's outcome, the fetch failure an HTTPS result
 * is, the state and summary decided from the facts, the policy applied to
 * one MX, the lines and the JSON. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/mtasts-fetch.h"
#include "suites.h"

static const char enforce_policy[] =
	"version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmx: *.mx.example.test\r\n"
	"max_age: 86400\r\n";

/* A result as the engine leaves it before mtasts_decide(): the STS TXT
 * lookup gave txt (NULL: NXDOMAIN), the policy host has 192.0.2.1. */
static struct mtasts_result *result_new(const char *txt)
{
	struct mtasts_result *r = xcalloc(1, sizeof *r);

	r->domain = xstrdup("example.test");
	r->shown = xstrdup("example.test");
	r->policy_host = xstrdup("mta-sts.example.test");
	r->url = xstrdup("https://mta-sts.example.test/.well-known/mta-sts.txt");
	r->sts.name = xstrdup("_mta-sts.example.test");
	r->sts.type = r->tlsrpt.type = DNS_TXT;
	r->tlsrpt.name = xstrdup("_smtp._tls.example.test");
	r->tlsrpt.outcome = MTASTS_LOOKUP_NXDOMAIN;
	r->a.type = DNS_A, r->aaaa.type = DNS_AAAA;
	r->a.name = xstrdup(r->policy_host), r->aaaa.name = xstrdup(r->policy_host);
	r->a.outcome = MTASTS_LOOKUP_ANSWER;
	r->a.n = 1;
	r->a.addr = xcalloc(1, sizeof *r->a.addr);
	r->a.addr[0] = xstrdup("192.0.2.1");
	r->aaaa.outcome = MTASTS_LOOKUP_NODATA;
	if (txt) {
		size_t len = strlen(txt);

		r->sts.outcome = MTASTS_LOOKUP_ANSWER;
		r->sts.n = 1;
		mtasts_txt_check(&txt, &len, 1, &r->txt);
	} else {
		r->sts.outcome = MTASTS_LOOKUP_NXDOMAIN;
	}
	return r;
}

/* The fetch gave status, type and body. */
static void result_http(struct mtasts_result *r, enum https_outcome o, long status,
			const char *type, const char *body)
{
	r->http = xcalloc(1, sizeof *r->http);
	r->http->outcome = o;
	r->http->status = status;
	r->http->content_type = type ? xstrdup(type) : NULL;
	r->http->text_plain = type && strncmp(type, "text/plain", 10) == 0;
	r->http->body = xstrdup(body ? body : "");
	r->http->len = strlen(r->http->body);
	r->connect_addr = xstrdup("192.0.2.1");
	r->connect_port = xstrdup("443");
	if (o == HTTPS_OK && r->http->text_plain) {
		mtasts_policy_parse(r->http->body, r->http->len, &r->policy);
		r->have_policy = true;
	}
}

START_TEST(no_record_is_no_mtasts)
{
	struct mtasts_result *r = result_new(NULL);

	mtasts_decide(r);
	ck_assert_int_eq(r->state, MTASTS_STATE_NONE);
	ck_assert_int_eq(r->fetch, MTASTS_FETCH_NOT_TRIED);
	ck_assert_int_eq(mtasts_exit_status(r->state), 60);
	ck_assert_ptr_nonnull(strstr(r->summary, "publishes no MTA-STS record"));
	mtasts_result_free(r);
	r = result_new("v=spf1 -all"); /* TXT strings, none of them STS */
	mtasts_decide(r);
	ck_assert_int_eq(r->state, MTASTS_STATE_NONE);
	ck_assert_ptr_nonnull(strstr(r->summary, "holds no v=STSv1 string"));
	mtasts_result_free(r);
}
END_TEST

START_TEST(invalid_record_and_dns_failures)
{
	struct mtasts_result *r = result_new("v=STSv1;");

	mtasts_decide(r);
	ck_assert_int_eq(r->state, MTASTS_STATE_RECORD_INVALID);
	ck_assert_int_eq(mtasts_exit_status(r->state), 61);
	ck_assert_ptr_nonnull(strstr(r->summary, "having no MTA-STS"));
	mtasts_result_free(r);
	/* a temporary failure says nothing either way */
	r = result_new(NULL);
	r->sts.outcome = MTASTS_LOOKUP_TEMPFAIL;
	r->sts.reason = xstrdup("SERVFAIL");
	mtasts_decide(r);
	ck_assert_int_eq(r->state, MTASTS_STATE_DNS_FAILED);
	ck_assert_int_eq(mtasts_exit_status(r->state), 64);
	ck_assert_ptr_nonnull(strstr(r->summary, "failed temporarily (SERVFAIL)"));
	mtasts_result_free(r);
	/* a valid record, the policy host's lookups bogus: not known */
	r = result_new("v=STSv1; id=1");
	r->a.outcome = MTASTS_LOOKUP_BOGUS;
	r->a.reason = xstrdup("signature expired");
	mtasts_decide(r);
	ck_assert_int_eq(r->state, MTASTS_STATE_DNS_FAILED);
	ck_assert_ptr_nonnull(strstr(r->summary, "failed DNSSEC validation (signature expired)"));
	mtasts_result_free(r);
	/* ... but NXDOMAIN there: nowhere to fetch from */
	r = result_new("v=STSv1; id=1");
	r->a.outcome = MTASTS_LOOKUP_NXDOMAIN;
	mtasts_decide(r);
	ck_assert_int_eq(r->state, MTASTS_STATE_FETCH_FAILED);
	ck_assert_int_eq(r->fetch, MTASTS_FETCH_NO_ADDRESS);
	mtasts_result_free(r);
}
END_TEST

START_TEST(fetch_failures_are_named)
{
	static const struct {
		enum https_outcome o;
		long status;
		const char *type;
		bool cert;
		enum mtasts_fetch want;
		const char *text;
	} t[] = {
		{ HTTPS_STATUS, 404, "text/html", false, MTASTS_FETCH_NOT_FOUND, "there is no policy" },
		{ HTTPS_STATUS, 302, NULL, false, MTASTS_FETCH_REDIRECT, "redirects are never followed" },
		{ HTTPS_STATUS, 500, "text/plain", false, MTASTS_FETCH_STATUS, "HTTP 500" },
		{ HTTPS_OK, 200, "text/html", false, MTASTS_FETCH_NOT_TEXT, "served as text/html" },
		{ HTTPS_TOO_BIG, 200, "text/plain", false, MTASTS_FETCH_TOO_BIG, "over 65536 bytes" },
		{ HTTPS_TLS, 0, NULL, true, MTASTS_FETCH_CERTIFICATE, "not valid for mta-sts.example.test" },
		{ HTTPS_TLS, 0, NULL, false, MTASTS_FETCH_TLS, "handshake failed" },
		{ HTTPS_CONNECT, 0, NULL, false, MTASTS_FETCH_CONNECT, "no connection to 192.0.2.1 port 443" },
		{ HTTPS_TIMEOUT, 0, NULL, false, MTASTS_FETCH_TIMEOUT, "in time" },
		{ HTTPS_PROTOCOL, 0, NULL, false, MTASTS_FETCH_PROTOCOL, "transfer failed" },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct mtasts_result *r = result_new("v=STSv1; id=abc");

		result_http(r, t[i].o, t[i].status, t[i].type, "x");
		r->http->cert_unverified = t[i].cert;
		mtasts_decide(r);
		ck_assert_int_eq(r->fetch, t[i].want);
		ck_assert_int_eq(r->state, MTASTS_STATE_FETCH_FAILED);
		ck_assert_int_eq(mtasts_exit_status(r->state), 62);
		ck_assert_msg(strstr(r->summary, t[i].text), "%zu: %s", i, r->summary);
		ck_assert_ptr_nonnull(strstr(r->summary, "senders deliver as without MTA-STS"));
		mtasts_result_free(r);
	}
}
END_TEST

START_TEST(policy_states)
{
	struct mtasts_result *r = result_new("v=STSv1; id=abc");

	result_http(r, HTTPS_OK, 200, "text/plain; charset=utf-8", enforce_policy);
	mtasts_decide(r);
	ck_assert_int_eq(r->fetch, MTASTS_FETCH_OK);
	ck_assert_int_eq(r->state, MTASTS_STATE_ENFORCE);
	ck_assert_int_eq(mtasts_exit_status(r->state), 0);
	ck_assert_ptr_nonnull(strstr(r->summary, "mx1.example.test, *.mx.example.test"));
	mtasts_result_free(r);
	r = result_new("v=STSv1; id=abc");
	result_http(r, HTTPS_OK, 200, "text/plain", "version: STSv1\nmode: testing\nmx: a.test\nmax_age: 60\n");
	mtasts_decide(r);
	ck_assert_int_eq(r->state, MTASTS_STATE_TESTING);
	mtasts_result_free(r);
	r = result_new("v=STSv1; id=abc");
	result_http(r, HTTPS_OK, 200, "text/plain", "version: STSv1\nmode: none\nmax_age: 60\n");
	mtasts_decide(r);
	ck_assert_int_eq(r->state, MTASTS_STATE_MODE_NONE);
	mtasts_result_free(r);
	r = result_new("v=STSv1; id=abc");
	result_http(r, HTTPS_OK, 200, "text/plain", "version: STSv1\nmode: enforce\nmax_age: 60\n");
	mtasts_decide(r);
	ck_assert_int_eq(r->state, MTASTS_STATE_POLICY_INVALID);
	ck_assert_int_eq(mtasts_exit_status(r->state), 63);
	ck_assert_ptr_nonnull(strstr(r->summary, "senders deliver as without MTA-STS"));
	mtasts_result_free(r);
}
END_TEST

START_TEST(policy_applied_to_one_mx)
{
	struct mtasts_policy p, t, n;
	struct mtasts_mx_check c;

	mtasts_policy_parse(enforce_policy, strlen(enforce_policy), &p);
	ck_assert(p.valid);
	mtasts_mx_apply(&p, "MX1.example.test.", true, true, 13, &c);
	ck_assert_int_eq(c.verdict, MTASTS_MX_OK);
	ck_assert(c.ok && !c.refused && !c.reported);
	ck_assert_int_eq(c.pattern, 0);
	mtasts_mx_check_free(&c);
	mtasts_mx_apply(&p, "a.mx.example.test", true, true, 12, &c);
	ck_assert_int_eq(c.verdict, MTASTS_MX_OK);
	ck_assert_int_eq(c.pattern, 1);
	mtasts_mx_check_free(&c);
	/* the wildcard covers one label only */
	mtasts_mx_apply(&p, "a.b.mx.example.test", true, true, 12, &c);
	ck_assert_int_eq(c.verdict, MTASTS_MX_NOT_LISTED);
	ck_assert(!c.ok && c.refused && !c.reported);
	ck_assert_int_eq(c.pattern, -1);
	ck_assert_ptr_nonnull(strstr(c.text, "matches none of the policy's mx patterns"));
	mtasts_mx_check_free(&c);
	mtasts_mx_apply(&p, "mx1.example.test", false, false, 0, &c);
	ck_assert_int_eq(c.verdict, MTASTS_MX_NO_TLS);
	mtasts_mx_check_free(&c);
	mtasts_mx_apply(&p, "mx1.example.test", true, false, 13, &c);
	ck_assert_int_eq(c.verdict, MTASTS_MX_CERT);
	ck_assert_str_eq(mtasts_mx_verdict_name(c.verdict), "certificate");
	mtasts_mx_check_free(&c);
	mtasts_mx_apply(&p, "mx1.example.test", true, true, 11, &c);
	ck_assert_int_eq(c.verdict, MTASTS_MX_OLD_TLS);
	ck_assert_ptr_nonnull(strstr(c.text, "TLS 1.1"));
	mtasts_mx_check_free(&c);
	/* a hostile MX name is escaped in the text */
	mtasts_mx_apply(&p, "evil\x1b[2J.test", true, true, 13, &c);
	ck_assert_ptr_null(strchr(c.text, '\x1b'));
	ck_assert_ptr_nonnull(strstr(c.text, "evil\\x1b[2J.test"));
	mtasts_mx_check_free(&c);
	mtasts_policy_free(&p);
	/* testing: a failure is reported, not refused */
	mtasts_policy_parse("version: STSv1\nmode: testing\nmx: mx.test\nmax_age: 60\n", 52, &t);
	mtasts_mx_apply(&t, "other.test", true, true, 13, &c);
	ck_assert(!c.ok && !c.refused && c.reported);
	mtasts_mx_check_free(&c);
	mtasts_policy_free(&t);
	/* none: nothing asked */
	mtasts_policy_parse("version: STSv1\nmode: none\nmax_age: 60\n", 38, &n);
	mtasts_mx_apply(&n, "other.test", false, false, 0, &c);
	ck_assert_int_eq(c.verdict, MTASTS_MX_MODE_NONE);
	ck_assert(c.ok && !c.refused && !c.reported);
	mtasts_mx_check_free(&c);
	mtasts_policy_free(&n);
}
END_TEST

START_TEST(lookup_from_answer)
{
	struct dns_answer a;
	struct mtasts_lookup l;
	char *addrs[] = { "192.0.2.7" };

	memset(&a, 0, sizeof a);
	memset(&l, 0, sizeof l);
	a.type = DNS_A, a.n = 1, a.addr = addrs, a.sec = DNS_SECURE;
	mtasts_lookup_from_answer(&l, &a);
	ck_assert_int_eq(l.outcome, MTASTS_LOOKUP_ANSWER);
	ck_assert_int_eq(l.sec, DNS_SECURE);
	ck_assert_str_eq(l.addr[0], "192.0.2.7");
	free(l.addr[0]);
	free(l.addr);
	memset(&l, 0, sizeof l);
	a.n = 0, a.addr = NULL, a.nodata = true;
	mtasts_lookup_from_answer(&l, &a);
	ck_assert_int_eq(l.outcome, MTASTS_LOOKUP_NODATA);
	a.nodata = false, a.sec = DNS_BOGUS, a.why_bogus = "no \x1b signatures";
	mtasts_lookup_from_answer(&l, &a);
	ck_assert_int_eq(l.outcome, MTASTS_LOOKUP_BOGUS);
	ck_assert_str_eq(l.reason, "no \\x1b signatures");
	free(l.reason);
	ck_assert_str_eq(mtasts_lookup_name(MTASTS_LOOKUP_TEMPFAIL), "tempfail");
	ck_assert_str_eq(mtasts_fetch_name(MTASTS_FETCH_NOT_TEXT), "not-text-plain");
	ck_assert_str_eq(mtasts_state_name(MTASTS_STATE_MODE_NONE), "mode-none");
}
END_TEST

static void collect(void *ctx, bool warn, const char *text)
{
	buf_printf(ctx, "%s%s\n", warn ? "!!! " : "=== ", text);
}

START_TEST(lines_and_json)
{
	struct mtasts_result *r = result_new("v=STSv1; id=abc");
	struct buf b;

	result_http(r, HTTPS_STATUS, 302, NULL, "");
	r->http->location = xstrdup("https://elsewhere.test/\\x1b");
	mtasts_decide(r);
	buf_init(&b);
	mtasts_result_lines(r, collect, &b);
	ck_assert_ptr_nonnull(strstr(b.data, "=== TXT _mta-sts.example.test (secure): v=STSv1; id=abc (id abc)\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "!!! policy fetch failed: redirect: HTTP 302, a redirect to https://elsewhere.test/\\x1b"));
	ck_assert_ptr_nonnull(strstr(b.data, "!!! MTA-STS: fetch-failed: example.test has a valid MTA-STS record"));
	buf_clear(&b);
	mtasts_result_json(r, &b);
	ck_assert_ptr_nonnull(strstr(b.data, "\"state\":\"fetch-failed\",\"exit_status\":62"));
	ck_assert_ptr_nonnull(strstr(b.data, "\"location\":\"https://elsewhere.test/\\\\x1b\""));
	ck_assert_ptr_nonnull(strstr(b.data, "\"policy\":null"));
	ck_assert_int_eq(b.data[0], '{');
	ck_assert_int_eq(b.data[b.len - 1], '}');
	buf_free(&b);
	mtasts_result_free(r);
}
END_TEST

Suite *mtasts_fetch_suite(void)
{
	Suite *s = suite_create("mtasts-fetch");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, no_record_is_no_mtasts);
	tcase_add_test(tc, invalid_record_and_dns_failures);
	tcase_add_test(tc, fetch_failures_are_named);
	tcase_add_test(tc, policy_states);
	tcase_add_test(tc, policy_applied_to_one_mx);
	tcase_add_test(tc, lookup_from_answer);
	tcase_add_test(tc, lines_and_json);
	suite_add_tcase(s, tc);
	return s;
}
