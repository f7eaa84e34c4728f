/* verdict (module probe): each verdict from a hand-made probe result. */
#include "config.h"

#include <check.h>
#include <string.h>

#include "smtpscope/verdict.h"
#include "suites.h"

#define ck_has(s, needle) ck_assert_msg((s) && strstr((s), (needle)) != NULL, "\"%s\" lacks \"%s\"", (s), (needle))

static const struct mx_rr two_mx[] = { { 10, "mx1.example.test" }, { 20, "mx2.example.test" } };

/* A plan of mx1 and mx2 (each one address), as mx would give it. */
static void two_hosts(struct mx_plan *p)
{
	struct mx_lookup lk = { .status = MX_ANSWER, .rr = two_mx, .n = 2 };

	mx_plan_make(p, "example.test", &lk, NULL);
}

/* An attempt that got as far as the replies say; 0 = not reached. */
static struct probe_attempt reached(const char *host, const char *addr, int mail, int rcpt,
				    const char *rcpt_enh)
{
	struct probe_attempt a = { .host = host, .address = addr, .conn = PROBE_CONNECTED };

	a.greeting.code = 220;
	a.ehlo.code = 250;
	a.tls.offered = a.tls.ok = a.tls.verified = true;
	a.mail.code = mail;
	a.rcpt.code = rcpt;
	a.rcpt.enhanced = rcpt_enh;
	return a;
}

static struct probe_attempt down(const char *host, const char *addr, enum probe_conn c)
{
	return (struct probe_attempt){ .host = host, .address = addr, .conn = c };
}

/* Decides on plan p and the attempts; v must be freed. */
static void decide(struct verdict *v, const struct mx_plan *p, const struct probe_attempt *a, size_t n)
{
	struct probe_result r = { .plan = p, .attempts = a, .n = n };

	verdict_decide(&r, v);
	ck_assert_msg(v->conclusion && v->conclusion[0], "no conclusion");
	ck_assert_msg(v->next_step && v->next_step[0], "no next step");
	ck_assert_int_eq(v->exit_status, verdict_exit_status(v->kind));
}

/* Only the kind of the verdict. */
static enum verdict_kind kind_of(const struct mx_plan *p, const struct probe_attempt *a, size_t n)
{
	struct verdict v;
	enum verdict_kind k;

	decide(&v, p, a, n);
	k = v.kind;
	verdict_free(&v);
	return k;
}

START_TEST(deliverable_tls_verified)
{
	struct mx_plan p;
	struct verdict v;
	struct probe_attempt a[] = { reached("mx1.example.test", "192.0.2.1", 250, 250, "2.1.5") };

	two_hosts(&p);
	decide(&v, &p, a, 1);
	ck_assert_int_eq(v.kind, VERDICT_DELIVERABLE);
	ck_assert_int_eq(v.exit_status, 0);
	ck_assert_int_eq(v.attempt, 0);
	ck_assert_int_eq(v.host, 0);
	ck_has(v.conclusion, "deliverable via mx1.example.test (192.0.2.1, TLS verified)");
	verdict_free(&v);

	a[0].tls.verified = false;
	a[0].tls.error = "certificate has expired";
	decide(&v, &p, a, 1);
	ck_assert_int_eq(v.kind, VERDICT_DELIVERABLE);
	ck_has(v.conclusion, "the certificate does not verify: certificate has expired");
	verdict_free(&v);

	a[0].tls.ok = a[0].tls.offered = false;
	decide(&v, &p, a, 1);
	ck_assert_int_eq(v.kind, VERDICT_DELIVERABLE_NO_TLS);
	ck_assert_int_eq(v.exit_status, 40);
	ck_has(v.conclusion, "no TLS: not offered");
	verdict_free(&v);
	mx_plan_free(&p);
}
END_TEST

START_TEST(first_mx_down_second_used)
{
	struct mx_plan p;
	struct verdict v;
	struct probe_attempt a[] = {
		down("mx1.example.test", "192.0.2.1", PROBE_REFUSED),
		reached("mx2.example.test", "192.0.2.2", 250, 250, NULL),
	};

	two_hosts(&p);
	decide(&v, &p, a, 2);
	ck_assert_int_eq(v.kind, VERDICT_DELIVERABLE);
	ck_assert_int_eq(v.attempt, 1);
	ck_assert_int_eq(v.host, 1);
	ck_has(v.conclusion, "via mx2.example.test");
	ck_has(v.conclusion, "after 1 earlier address did not take it");
	verdict_free(&v);

	/* A 554 greeting only skips that host; a 4xx at mx1 does too. */
	a[0] = reached("mx1.example.test", "192.0.2.1", 0, 0, NULL);
	a[0].greeting.code = 554;
	decide(&v, &p, a, 2);
	ck_assert_int_eq(v.kind, VERDICT_DELIVERABLE);
	ck_assert_int_eq(v.host, 1);
	verdict_free(&v);
	a[0] = reached("mx1.example.test", "192.0.2.1", 250, 451, "4.3.0");
	ck_assert_int_eq(kind_of(&p, a, 2), VERDICT_DELIVERABLE);

	/* A permanent answer from mx1 decides: a sender does not ask mx2. */
	a[0] = reached("mx1.example.test", "192.0.2.1", 250, 550, "5.1.1");
	decide(&v, &p, a, 2);
	ck_assert_int_eq(v.kind, VERDICT_RECIPIENT_UNKNOWN);
	ck_assert_int_eq(v.host, 0);
	verdict_free(&v);
	mx_plan_free(&p);
}
END_TEST

/* The plan's attempts, run in order: the verdict names the host by the
 * attempt's link to the plan, even when the names differ (a CNAME). */
START_TEST(attempts_linked_to_the_plan)
{
	static const char *const v4[] = { "192.0.2.1" };
	struct mx_lookup lk = { .status = MX_NODATA, .cname_target = "real.example.test" };
	struct mx_host_lookup hl = { .aaaa = { .status = MX_NODATA },
				     .a = { MX_ANSWER, false, v4, 1, NULL } };
	struct mx_plan p;
	struct verdict v;
	struct probe_attempt a[1];

	mx_plan_make(&p, "example.test", &lk, NULL);
	mx_plan_addresses(&p, &hl, 1, NULL);
	ck_assert_uint_eq(p.n_attempts, 1);
	a[0] = reached("example.test", p.attempts[0].address, 250, 250, NULL);
	decide(&v, &p, a, 1);
	ck_assert_int_eq(v.host, -1); /* by name: example.test is not real.example.test */
	verdict_free(&v);
	a[0].from = &p.attempts[0];
	decide(&v, &p, a, 1);
	ck_assert_int_eq(v.kind, VERDICT_DELIVERABLE);
	ck_assert_int_eq(v.host, 0);
	verdict_free(&v);
	mx_plan_free(&p);
}
END_TEST

START_TEST(all_timeouts_port25_blocked)
{
	struct mx_plan p;
	struct verdict v;
	struct probe_attempt a[] = {
		down("mx1.example.test", "192.0.2.1", PROBE_TIMEOUT),
		down("mx1.example.test", "2001:db8::1", PROBE_TIMEOUT),
		down("mx2.example.test", "192.0.2.2", PROBE_TIMEOUT),
		down("mx2.example.test", "192.0.2.3", PROBE_NOT_TRIED),
	};

	two_hosts(&p);
	decide(&v, &p, a, 4);
	ck_assert_int_eq(v.kind, VERDICT_PORT25_BLOCKED);
	ck_assert_int_eq(v.exit_status, 47);
	ck_has(v.conclusion, "every connection to port 25 (3 addresses");
	ck_has(v.conclusion, "outbound port 25 is probably blocked on this network");
	ck_has(v.next_step, "port 25");
	verdict_free(&v);

	/* One refusal among the timeouts: the servers, not the network. */
	a[1].conn = PROBE_REFUSED;
	decide(&v, &p, a, 4);
	ck_assert_int_eq(v.kind, VERDICT_ALL_UNREACHABLE);
	ck_assert_int_eq(v.exit_status, 46);
	ck_has(v.conclusion, "3 addresses tried: 2 timed out");
	verdict_free(&v);
	mx_plan_free(&p);
}
END_TEST

START_TEST(greylisted_at_rcpt)
{
	struct mx_plan p;
	struct verdict v;
	struct probe_attempt a[] = {
		reached("mx1.example.test", "192.0.2.1", 250, 450, "4.7.1"),
		reached("mx2.example.test", "192.0.2.2", 250, 451, "4.7.1"),
	};

	a[0].rcpt.text = "Greylisted, try again in 300 seconds";
	two_hosts(&p);
	decide(&v, &p, a, 2);
	ck_assert_int_eq(v.kind, VERDICT_GREYLISTED);
	ck_assert_int_eq(v.exit_status, 50);
	ck_assert_int_eq(v.attempt, 0);
	ck_has(v.conclusion, "mx1.example.test greylisted the recipient");
	ck_has(v.conclusion, "450 4.7.1 \"Greylisted, try again in 300 seconds\"");
	ck_has(v.next_step, "retry");
	verdict_free(&v);

	/* Only the kb's diagnosis says so: still greylisting.  A plain 451
	 * without it is only temporary. */
	a[0].rcpt = (struct probe_reply){ .code = 451, .enhanced = "4.2.0", .diagnosis = "greylisted" };
	a[1].rcpt = (struct probe_reply){ .code = 451, .enhanced = "4.3.0" };
	ck_assert_int_eq(kind_of(&p, a, 2), VERDICT_GREYLISTED);
	a[0].rcpt.diagnosis = NULL;
	decide(&v, &p, a, 2);
	ck_assert_int_eq(v.kind, VERDICT_TEMPORARY);
	ck_assert_int_eq(v.exit_status, 53);
	verdict_free(&v);
	mx_plan_free(&p);
}
END_TEST

START_TEST(recipient_unknown_and_refused)
{
	struct mx_plan p;
	struct verdict v;
	struct probe_attempt a[] = { reached("mx1.example.test", "192.0.2.1", 250, 550, "5.1.1") };

	a[0].rcpt.text = "<nobody@example.test>: Recipient address rejected: User unknown";
	two_hosts(&p);
	decide(&v, &p, a, 1);
	ck_assert_int_eq(v.kind, VERDICT_RECIPIENT_UNKNOWN);
	ck_assert_int_eq(v.exit_status, 48);
	ck_has(v.conclusion, "says the recipient does not exist, at the recipient (RCPT TO): 550 5.1.1");
	verdict_free(&v);

	/* No enhanced code: the kb's diagnosis decides. */
	a[0].rcpt = (struct probe_reply){ .code = 550, .diagnosis = "mailbox-unknown" };
	decide(&v, &p, a, 1);
	ck_assert_int_eq(v.kind, VERDICT_RECIPIENT_UNKNOWN);
	ck_has(v.conclusion, "(mailbox-unknown)");
	verdict_free(&v);

	a[0].rcpt = (struct probe_reply){ .code = 552, .enhanced = "5.2.2" };
	ck_assert_int_eq(kind_of(&p, a, 1), VERDICT_RECIPIENT_REFUSED);

	a[0].rcpt = (struct probe_reply){ .code = 554, .enhanced = "5.7.1", .diagnosis = "blocklisted" };
	ck_assert_int_eq(kind_of(&p, a, 1), VERDICT_POLICY_REFUSED);

	a[0].rcpt = (struct probe_reply){ .code = 550 };
	decide(&v, &p, a, 1);
	ck_assert_int_eq(v.kind, VERDICT_REFUSED);
	ck_assert_int_eq(v.exit_status, 54);
	verdict_free(&v);
	mx_plan_free(&p);
}
END_TEST

START_TEST(sender_and_policy_refused)
{
	struct mx_plan p;
	struct verdict v;
	struct probe_attempt a[] = {
		reached("mx1.example.test", "192.0.2.1", 553, 0, NULL),
		reached("mx2.example.test", "192.0.2.2", 250, 250, NULL),
	};

	a[0].mail.enhanced = "5.1.8";
	two_hosts(&p);
	decide(&v, &p, a, 2);
	ck_assert_int_eq(v.kind, VERDICT_SENDER_REFUSED);
	ck_assert_int_eq(v.exit_status, 51);
	ck_assert_int_eq(v.attempt, 0);
	ck_has(v.conclusion, "refused the sender, at the sender (MAIL FROM): 553 5.1.8");
	verdict_free(&v);

	/* A 554 greeting at every host: this sending host is refused. */
	a[0] = reached("mx1.example.test", "192.0.2.1", 0, 0, NULL);
	a[0].greeting = (struct probe_reply){ .code = 554, .enhanced = "5.7.1",
					      .text = "blocked using zen.spamhaus.example" };
	a[1] = down("mx2.example.test", "192.0.2.2", PROBE_TIMEOUT);
	decide(&v, &p, a, 2);
	ck_assert_int_eq(v.kind, VERDICT_POLICY_REFUSED);
	ck_assert_int_eq(v.exit_status, 52);
	ck_has(v.conclusion, "refused this sending host, at the connection (greeting): 554 5.7.1");
	verdict_free(&v);
	mx_plan_free(&p);
}
END_TEST

START_TEST(verdicts_from_dns)
{
	static const struct mx_rr null_rr[] = { { 0, "." } };
	static const struct {
		struct mx_lookup lk;
		enum verdict_kind kind;
		int exit_status;
		const char *says;
	} cases[] = {
		{ { .status = MX_ANSWER, .rr = null_rr, .n = 1 }, VERDICT_NULL_MX, 41,
		  "the domain example.test accepts no mail (Null MX)" },
		{ { .status = MX_NXDOMAIN }, VERDICT_NO_SUCH_DOMAIN, 42, "does not exist (NXDOMAIN)" },
		{ { .status = MX_TEMPFAIL }, VERDICT_DNS_TEMPFAIL, 43, "failed temporarily" },
		{ { .status = MX_BOGUS }, VERDICT_DNS_BOGUS, 44, "fails DNSSEC validation" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mx_plan p;
		struct verdict v;
		/* Even an attempt that succeeded does not overrule the DNS. */
		struct probe_attempt a[] = { reached("example.test", "192.0.2.1", 250, 250, NULL) };

		mx_plan_make(&p, "example.test", &cases[i].lk, NULL);
		decide(&v, &p, a, 1);
		ck_assert_int_eq(v.kind, cases[i].kind);
		ck_assert_int_eq(v.exit_status, cases[i].exit_status);
		ck_assert_int_eq(v.attempt, -1);
		ck_has(v.conclusion, cases[i].says);
		verdict_free(&v);
		mx_plan_free(&p);
	}
}
END_TEST

START_TEST(no_address_to_try)
{
	struct mx_plan p;
	struct verdict v;
	struct mx_host_lookup none[2] = {
		{ .aaaa = { .status = MX_NXDOMAIN }, .a = { .status = MX_NXDOMAIN } },
		{ .aaaa = { .status = MX_NODATA }, .a = { .status = MX_NODATA } },
	};

	two_hosts(&p);
	mx_plan_addresses(&p, none, 2, NULL);
	ck_assert_uint_eq(p.n_attempts, 0);
	decide(&v, &p, NULL, 0);
	ck_assert_int_eq(v.kind, VERDICT_NO_ADDRESS);
	ck_assert_int_eq(v.exit_status, 45);
	ck_has(v.conclusion, "none of the MX hosts of example.test has an address");
	verdict_free(&v);

	/* A temporary failure of an address lookup is not "no address". */
	none[1].a.status = MX_TEMPFAIL;
	mx_plan_addresses(&p, none, 2, NULL);
	decide(&v, &p, NULL, 0);
	ck_assert_int_eq(v.kind, VERDICT_DNS_TEMPFAIL);
	ck_assert_int_eq(v.host, 1);
	verdict_free(&v);

	mx_plan_free(&p);

	/* The implicit MX without an address: nothing takes the mail. */
	struct mx_lookup nodata = { .status = MX_NODATA };
	mx_plan_make(&p, "bare.test", &nodata, NULL);
	mx_plan_addresses(&p, none, 1, NULL);
	decide(&v, &p, NULL, 0);
	ck_assert_int_eq(v.kind, VERDICT_NO_ADDRESS);
	ck_has(v.conclusion, "bare.test has no MX records and no address of its own");
	verdict_free(&v);

	/* No plan at all. */
	decide(&v, NULL, NULL, 0);
	ck_assert_int_eq(v.kind, VERDICT_INCOMPLETE);
	verdict_free(&v);
	mx_plan_free(&p);
}
END_TEST

START_TEST(names_and_exit_statuses)
{
	/* Each verdict has a name and its own exit status, 0 or 40-57: never
	 * one of batch.h's (1-5, 21-30). */
	for (int k = 0; k < VERDICT__COUNT; k++) {
		int e = verdict_exit_status((enum verdict_kind)k);

		ck_assert_str_ne(verdict_name((enum verdict_kind)k), "?");
		ck_assert_msg(e == 0 ? k == VERDICT_DELIVERABLE : e >= 40 && e <= 57, "%d: exit %d", k, e);
		for (int j = 0; j < k; j++)
			ck_assert_int_ne(e, verdict_exit_status((enum verdict_kind)j));
	}
}
END_TEST

START_TEST(server_text_escaped)
{
	struct mx_plan p;
	struct verdict v;
	struct probe_attempt a[] = { reached("mx1.example.test", "192.0.2.1", 250, 550, "5.1.1") };

	a[0].rcpt.text = "no\x1b]0;owned\x07 such user";
	two_hosts(&p);
	decide(&v, &p, a, 1);
	ck_assert(strchr(v.conclusion, '\x1b') == NULL);
	ck_has(v.conclusion, "no\\x1b]0;owned\\x07 such user");
	verdict_free(&v);
	mx_plan_free(&p);
}
END_TEST

Suite *verdict_suite(void)
{
	Suite *s = suite_create("verdict");
	TCase *tc = tcase_create("decide");

	tcase_add_test(tc, deliverable_tls_verified);
	tcase_add_test(tc, first_mx_down_second_used);
	tcase_add_test(tc, attempts_linked_to_the_plan);
	tcase_add_test(tc, all_timeouts_port25_blocked);
	tcase_add_test(tc, greylisted_at_rcpt);
	tcase_add_test(tc, recipient_unknown_and_refused);
	tcase_add_test(tc, sender_and_policy_refused);
	tcase_add_test(tc, verdicts_from_dns);
	tcase_add_test(tc, no_address_to_try);
	tcase_add_test(tc, names_and_exit_statuses);
	tcase_add_test(tc, server_text_escaped);
	suite_add_tcase(s, tc);
	return s;
}
