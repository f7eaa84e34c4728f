/* mx: the RFC 5321 5.1 / RFC 7505 plan from hand-made lookup results. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "smtpscope/mx.h"
#include "suites.h"

#define ck_has(s, needle) ck_assert_msg((s) && strstr((s), (needle)) != NULL, "\"%s\" lacks \"%s\"", (s), (needle))

static struct mx_lookup answer(const struct mx_rr *rr, size_t n)
{
	return (struct mx_lookup){ .status = MX_ANSWER, .rr = rr, .n = n };
}

/* True if one of the plan's notes contains needle. */
static bool noted(const struct mx_plan *p, const char *needle)
{
	for (size_t i = 0; i < p->n_notes; i++)
		if (strstr(p->notes[i].text, needle))
			return true;
	return false;
}

START_TEST(ascending_preference)
{
	static const struct mx_rr rr[] = { { 30, "mx3.example.test." }, { 10, "mx1.example.test." },
					   { 20, "mx2.example.test" } };
	struct mx_lookup lk = answer(rr, 3);
	struct mx_plan p;

	lk.secure = true;
	mx_plan_make(&p, "example.test", &lk, NULL);
	ck_assert_int_eq(p.outcome, MX_PLAN_HOSTS);
	ck_assert(p.secure);
	ck_assert_uint_eq(p.n_hosts, 3);
	ck_assert_str_eq(p.hosts[0].host, "mx1.example.test");
	ck_assert_str_eq(p.hosts[1].host, "mx2.example.test");
	ck_assert_str_eq(p.hosts[2].host, "mx3.example.test");
	for (size_t i = 0; i < 3; i++) {
		ck_assert_uint_eq(p.hosts[i].group, i);
		ck_assert_uint_eq(p.hosts[i].group_size, 1);
		ck_assert(!(p.hosts[i].flags & MX_HOST_SHUFFLED));
	}
	ck_has(p.hosts[0].why, "preference 10, try 1 of 3");
	ck_has(p.summary, "3 MX hosts");
	ck_has(p.summary, "DNSSEC-secure");
	ck_assert_uint_eq(p.n_notes, 0);
	mx_plan_free(&p);
}
END_TEST

static const struct mx_rr equal_rr[] = { { 20, "c.example.test" }, { 10, "a.example.test" },
					 { 10, "b.example.test" }, { 10, "d.example.test" } };

/* The order of the hosts at preference 10 for a seed. */
static void equal_order(uint64_t seed, char out[4])
{
	struct mx_lookup lk = answer(equal_rr, 4);
	struct mx_rng rng;
	struct mx_options o = { .random = mx_rng_next, .random_arg = &rng };
	struct mx_plan p;

	mx_rng_seed(&rng, seed);
	mx_plan_make(&p, "example.test", &lk, &o);
	ck_assert_uint_eq(p.n_hosts, 4);
	for (size_t i = 0; i < 3; i++)
		out[i] = p.hosts[i].host[0];
	out[3] = '\0';
	ck_assert_str_eq(p.hosts[3].host, "c.example.test");
	mx_plan_free(&p);
}

START_TEST(equal_preferences_grouped)
{
	struct mx_lookup lk = answer(equal_rr, 4);
	struct mx_plan p;

	mx_plan_make(&p, "example.test", &lk, NULL); /* no random source: answer order */
	ck_assert_uint_eq(p.n_hosts, 4);
	ck_assert_str_eq(p.hosts[0].host, "a.example.test");
	ck_assert_str_eq(p.hosts[1].host, "b.example.test");
	ck_assert_str_eq(p.hosts[2].host, "d.example.test");
	for (size_t i = 0; i < 3; i++) {
		ck_assert_uint_eq(p.hosts[i].group, 0);
		ck_assert_uint_eq(p.hosts[i].group_size, 3);
		ck_assert(p.hosts[i].flags & MX_HOST_SHUFFLED);
		ck_has(p.hosts[i].why, "one of 3 hosts at this preference");
	}
	ck_assert_uint_eq(p.hosts[3].group, 1);
	ck_assert_uint_eq(p.hosts[3].group_size, 1);
	ck_has(p.summary, "equal preferences in random order");
	mx_plan_free(&p);
}
END_TEST

START_TEST(shuffle_is_deterministic_per_seed)
{
	char first[4], again[4], other[4];
	bool differs = false;
	unsigned seen = 0;

	equal_order(42, first);
	equal_order(42, again);
	ck_assert_str_eq(first, again);
	/* Every permutation keeps all three hosts, and some seed changes the
	 * order: the shuffle is real, and no host is ever lost. */
	for (uint64_t seed = 1; seed < 64; seed++) {
		equal_order(seed, other);
		ck_assert(strchr(other, 'a') && strchr(other, 'b') && strchr(other, 'd'));
		if (strcmp(other, first) != 0)
			differs = true;
		seen |= 1u << (other[0] - 'a');
	}
	ck_assert(differs);
	ck_assert_uint_eq(seen, (1u << 0) | (1u << 1) | (1u << 3)); /* each one comes first */
}
END_TEST

/* A source that ignores its bound must not push a host out of its group. */
static uint32_t careless(void *arg, uint32_t bound)
{
	(void)arg;
	return bound + 7;
}

START_TEST(careless_random_source)
{
	struct mx_lookup lk = answer(equal_rr, 4);
	struct mx_options o = { .random = careless };
	struct mx_plan p;

	mx_plan_make(&p, "example.test", &lk, &o);
	ck_assert_uint_eq(p.n_hosts, 4);
	ck_assert_str_eq(p.hosts[3].host, "c.example.test");
	for (size_t i = 0; i < 3; i++)
		ck_assert_uint_eq(p.hosts[i].pref, 10);
	mx_plan_free(&p);
}
END_TEST

START_TEST(implicit_mx_on_nodata)
{
	struct mx_lookup lk = { .status = MX_NODATA, .secure = true };
	struct mx_plan p;

	mx_plan_make(&p, "example.test.", &lk, NULL);
	ck_assert_int_eq(p.outcome, MX_PLAN_IMPLICIT);
	ck_assert_str_eq(p.domain, "example.test");
	ck_assert_uint_eq(p.n_hosts, 1);
	ck_assert_str_eq(p.hosts[0].host, "example.test");
	ck_assert_uint_eq(p.hosts[0].pref, 0);
	ck_assert(p.hosts[0].flags & MX_HOST_IMPLICIT);
	ck_has(p.hosts[0].why, "implicit MX");
	ck_has(p.summary, "implicit MX");
	mx_plan_free(&p);

	/* An empty answer is the same; a CNAME is followed. */
	lk = (struct mx_lookup){ .status = MX_ANSWER, .cname_target = "real.example.test" };
	mx_plan_make(&p, "alias.example.test", &lk, NULL);
	ck_assert_int_eq(p.outcome, MX_PLAN_IMPLICIT);
	ck_assert_str_eq(p.hosts[0].host, "real.example.test");
	ck_assert(noted(&p, "alias (CNAME) of real.example.test"));
	mx_plan_free(&p);
}
END_TEST

START_TEST(null_mx)
{
	static const struct mx_rr rr[] = { { 0, "." } };
	struct mx_lookup lk = answer(rr, 1);
	struct mx_plan p;

	mx_plan_make(&p, "nomail.test", &lk, NULL);
	ck_assert_int_eq(p.outcome, MX_PLAN_NULL);
	ck_assert_uint_eq(p.n_hosts, 0); /* no fallback to the domain's addresses */
	ck_has(p.summary, "accepts no mail");
	ck_has(p.summary, "RFC 7505");
	ck_assert_uint_eq(p.n_notes, 0);
	mx_plan_free(&p);
}
END_TEST

START_TEST(null_mx_defects)
{
	static const struct mx_rr mixed[] = { { 0, "." }, { 10, "mx.example.test" } };
	static const struct mx_rr pref[] = { { 10, "" } };
	struct mx_lookup lk = answer(mixed, 2);
	struct mx_plan p;

	mx_plan_make(&p, "example.test", &lk, NULL);
	ck_assert_int_eq(p.outcome, MX_PLAN_HOSTS);
	ck_assert_uint_eq(p.n_hosts, 1);
	ck_assert_str_eq(p.hosts[0].host, "mx.example.test");
	ck_assert(noted(&p, "Null MX \".\" is listed among 1 other MX records"));
	mx_plan_free(&p);

	lk = answer(pref, 1);
	mx_plan_make(&p, "example.test", &lk, NULL);
	ck_assert_int_eq(p.outcome, MX_PLAN_NULL);
	ck_assert(noted(&p, "preference 10: RFC 7505 wants 0"));
	mx_plan_free(&p);
}
END_TEST

START_TEST(nxdomain_tempfail_bogus)
{
	struct mx_lookup lk = { .status = MX_NXDOMAIN };
	struct mx_plan p;

	mx_plan_make(&p, "nowhere.test", &lk, NULL);
	ck_assert_int_eq(p.outcome, MX_PLAN_NXDOMAIN);
	ck_assert_uint_eq(p.n_hosts, 0);
	ck_has(p.summary, "does not exist");
	ck_has(p.summary, "permanent");
	mx_plan_free(&p);

	lk.status = MX_TEMPFAIL;
	mx_plan_make(&p, "slow.test", &lk, NULL);
	ck_assert_int_eq(p.outcome, MX_PLAN_TEMPFAIL);
	ck_assert_uint_eq(p.n_hosts, 0); /* and no implicit MX either */
	ck_has(p.summary, "temporarily");
	ck_has(p.summary, "does not mean there is no MX");
	ck_assert(strstr(p.summary, "has no MX") == NULL);
	mx_plan_free(&p);

	lk.status = MX_BOGUS;
	lk.why_bogus = "signature expired";
	mx_plan_make(&p, "broken.test", &lk, NULL);
	ck_assert_int_eq(p.outcome, MX_PLAN_BOGUS);
	ck_assert_uint_eq(p.n_hosts, 0);
	ck_has(p.summary, "DNSSEC validation (signature expired)");
	mx_plan_free(&p);
}
END_TEST

START_TEST(ip_literal_flagged)
{
	static const struct mx_rr rr[] = { { 10, "192.0.2.1" }, { 20, "[192.0.2.2]" },
					   { 30, "2001:db8::1" }, { 40, "1.example.test" } };
	struct mx_lookup lk = answer(rr, 4);
	struct mx_plan p;

	mx_plan_make(&p, "example.test", &lk, NULL);
	ck_assert_uint_eq(p.n_hosts, 4);
	for (size_t i = 0; i < 3; i++)
		ck_assert_msg(p.hosts[i].flags & MX_HOST_IP_LITERAL, "%s not flagged", p.hosts[i].host);
	ck_assert(!(p.hosts[3].flags & MX_HOST_IP_LITERAL));
	ck_assert(noted(&p, "the MX 192.0.2.1 is an IP address, not a host name"));
	mx_plan_free(&p);
}
END_TEST

START_TEST(duplicates_removed)
{
	static const struct mx_rr rr[] = { { 20, "MX1.example.test." }, { 10, "mx1.example.test" },
					   { 10, "mx2.example.test" }, { 10, "mx2.example.test" } };
	struct mx_lookup lk = answer(rr, 4);
	struct mx_plan p;

	mx_plan_make(&p, "example.test", &lk, NULL);
	ck_assert_uint_eq(p.n_hosts, 2);
	ck_assert_str_eq(p.hosts[0].host, "mx1.example.test");
	ck_assert_uint_eq(p.hosts[0].pref, 10);
	ck_assert_str_eq(p.hosts[1].host, "mx2.example.test");
	ck_assert_uint_eq(p.hosts[0].group_size, 2);
	ck_assert(noted(&p, "mx1.example.test is listed more than once (preferences 10 and 20): kept once, at 10"));
	ck_assert(noted(&p, "mx2.example.test is listed more than once"));
	mx_plan_free(&p);
}
END_TEST

START_TEST(host_bound)
{
	struct mx_rr rr[20];
	char names[20][32];
	struct mx_lookup lk;
	struct mx_plan p;
	struct mx_options o = { .max_hosts = 0 };

	for (size_t i = 0; i < 20; i++) {
		snprintf(names[i], sizeof(names[i]), "mx%02zu.example.test", i);
		rr[i] = (struct mx_rr){ (unsigned)i, names[i] };
	}
	lk = answer(rr, 20);
	mx_plan_make(&p, "example.test", &lk, &o);
	ck_assert_uint_eq(p.n_hosts, MX_MAX_HOSTS);
	ck_assert_str_eq(p.hosts[15].host, "mx15.example.test");
	ck_assert(noted(&p, "has 20 MX hosts: only the first 16 are tried"));
	mx_plan_free(&p);

	/* A note about a host the bound dropped no longer points at it. */
	rr[19] = (struct mx_rr){ 99, names[18] };
	lk = answer(rr, 20);
	o.max_hosts = 4;
	mx_plan_make(&p, "example.test", &lk, &o);
	ck_assert_uint_eq(p.n_hosts, 4);
	ck_assert(noted(&p, "mx18.example.test is listed more than once"));
	for (size_t i = 0; i < p.n_notes; i++)
		ck_assert_int_lt(p.notes[i].host, 4);
	mx_plan_free(&p);
}
END_TEST

START_TEST(escaped_names)
{
	static const struct mx_rr rr[] = { { 10, "evil\x1b[2J.test" } };
	struct mx_lookup lk = answer(rr, 1);
	struct mx_plan p;

	mx_plan_make(&p, "example.test", &lk, NULL);
	ck_assert_str_eq(p.hosts[0].host, "evil\x1b[2J.test");
	ck_assert_str_eq(p.hosts[0].shown, "evil\\x1b[2J.test");
	ck_assert(strchr(p.summary, '\x1b') == NULL);
	mx_plan_free(&p);
}
END_TEST

/* ---- the address step ---- */

START_TEST(addresses_in_order_both_families)
{
	static const struct mx_rr rr[] = { { 10, "mx1.example.test" }, { 20, "mx2.example.test" } };
	static const char *const v6[] = { "2001:db8::1", "2001:db8::2", "2001:db8::1" };
	static const char *const v4[] = { "192.0.2.1" };
	static const char *const v4b[] = { "192.0.2.2" };
	struct mx_lookup lk = answer(rr, 2);
	struct mx_host_lookup hl[2] = {
		{ .aaaa = { MX_ANSWER, true, v6, 3, NULL }, .a = { MX_ANSWER, true, v4, 1, NULL } },
		{ .aaaa = { MX_NODATA, true, NULL, 0, NULL }, .a = { MX_ANSWER, false, v4b, 1, NULL } },
	};
	struct mx_plan p;

	lk.secure = true;
	mx_plan_make(&p, "example.test", &lk, NULL);
	mx_plan_addresses(&p, hl, 2, NULL);
	ck_assert_uint_eq(p.n_attempts, 4);
	/* mx1: IPv6 and IPv4 alternate, the duplicate ::1 dropped; then mx2. */
	ck_assert_str_eq(p.attempts[0].address, "2001:db8::1");
	ck_assert(p.attempts[0].ipv6);
	ck_assert_str_eq(p.attempts[1].address, "192.0.2.1");
	ck_assert(!p.attempts[1].ipv6);
	ck_assert_str_eq(p.attempts[2].address, "2001:db8::2");
	ck_assert_uint_eq(p.attempts[2].host, 0);
	ck_assert_str_eq(p.attempts[3].address, "192.0.2.2");
	ck_assert_uint_eq(p.attempts[3].host, 1);
	ck_assert(p.attempts[0].secure);
	ck_assert(!p.attempts[3].secure);
	ck_assert_int_eq(p.hosts[0].addr_state, MX_ADDR_OK);
	ck_assert_uint_eq(p.hosts[0].n_addresses, 3);
	ck_has(p.hosts[0].addr_why, "3 addresses (2 IPv6, 1 IPv4), DNSSEC-secure");
	ck_has(p.hosts[1].addr_why, "1 address (0 IPv6, 1 IPv4)");

	/* IPv4 first on request. */
	struct mx_options o = { .ipv4_first = true };
	mx_plan_addresses(&p, hl, 2, &o);
	ck_assert_str_eq(p.attempts[0].address, "192.0.2.1");
	ck_assert_uint_eq(p.n_attempts, 4);
	mx_plan_free(&p);
}
END_TEST

START_TEST(address_bounds_keep_both_families)
{
	static const struct mx_rr rr[] = { { 10, "mx1.example.test" }, { 20, "mx2.example.test" } };
	static const char *const v6[] = { "2001:db8::1", "2001:db8::2", "2001:db8::3", "2001:db8::4",
					  "2001:db8::5" };
	static const char *const v4[] = { "192.0.2.1", "192.0.2.2" };
	struct mx_lookup lk = answer(rr, 2);
	struct mx_host_lookup hl[2] = {
		{ .aaaa = { MX_ANSWER, false, v6, 5, NULL }, .a = { MX_ANSWER, false, v4, 2, NULL } },
		{ .aaaa = { MX_ANSWER, false, v6, 5, NULL }, .a = { MX_ANSWER, false, v4, 2, NULL } },
	};
	struct mx_options o = { .max_per_host = 3, .max_attempts = 5 };
	struct mx_plan p;
	size_t fours = 0;

	mx_plan_make(&p, "example.test", &lk, NULL);
	mx_plan_addresses(&p, hl, 2, &o);
	ck_assert_uint_eq(p.n_attempts, 5);
	for (size_t i = 0; i < 3; i++)
		fours += !p.attempts[i].ipv6;
	ck_assert_uint_eq(fours, 1); /* the bound kept an IPv4 address of mx1 */
	ck_assert_uint_eq(p.hosts[0].n_addresses, 3);
	ck_assert_uint_eq(p.hosts[1].n_addresses, 2);
	ck_assert(noted(&p, "mx1.example.test has 7 addresses: only 3 are tried"));
	ck_assert(noted(&p, "bound of 5 connection attempts is reached at mx2.example.test"));
	mx_plan_free(&p);
}
END_TEST

START_TEST(address_failures_and_cname)
{
	static const struct mx_rr rr[] = { { 10, "gone.example.test" }, { 20, "slow.example.test" },
					   { 30, "bad.example.test" }, { 40, "alias.example.test" } };
	static const char *const v4[] = { "192.0.2.9" };
	struct mx_lookup lk = answer(rr, 4);
	struct mx_host_lookup hl[4] = {
		{ .aaaa = { .status = MX_NXDOMAIN }, .a = { .status = MX_NXDOMAIN } },
		{ .aaaa = { .status = MX_TEMPFAIL }, .a = { .status = MX_NODATA } },
		{ .aaaa = { .status = MX_BOGUS }, .a = { .status = MX_BOGUS } },
		{ .aaaa = { .status = MX_TEMPFAIL },
		  .a = { MX_ANSWER, false, v4, 1, "real.example.test" } },
	};
	struct mx_plan p;

	mx_plan_make(&p, "example.test", &lk, NULL);
	mx_plan_addresses(&p, hl, 4, NULL);
	ck_assert_int_eq(p.hosts[0].addr_state, MX_ADDR_NONE);
	ck_has(p.hosts[0].addr_why, "does not exist (NXDOMAIN)");
	ck_assert_int_eq(p.hosts[1].addr_state, MX_ADDR_TEMPFAIL);
	ck_has(p.hosts[1].addr_why, "failed temporarily");
	ck_assert_int_eq(p.hosts[2].addr_state, MX_ADDR_BOGUS);
	ck_assert_int_eq(p.hosts[3].addr_state, MX_ADDR_OK);
	ck_assert(p.hosts[3].flags & MX_HOST_CNAME);
	ck_assert(noted(&p, "the MX alias.example.test is an alias (CNAME) of real.example.test"));
	ck_assert(noted(&p, "the AAAA lookup of alias.example.test failed temporarily"));
	ck_assert(!noted(&p, "the AAAA lookup of slow.example.test")); /* addr_why says it */
	ck_assert_uint_eq(p.n_attempts, 1);
	ck_assert_uint_eq(p.attempts[0].host, 3);

	/* Run again: the same attempts and notes, not twice as many. */
	size_t notes = p.n_notes;
	mx_plan_addresses(&p, hl, 4, NULL);
	ck_assert_uint_eq(p.n_notes, notes);
	ck_assert_uint_eq(p.n_attempts, 1);
	mx_plan_addresses(&p, hl, 0, NULL);
	ck_assert_uint_eq(p.n_notes, p.n_plan_notes);
	ck_assert_int_eq(p.hosts[3].addr_state, MX_ADDR_UNKNOWN);
	ck_assert(!(p.hosts[3].flags & MX_HOST_CNAME));
	mx_plan_free(&p);
}
END_TEST

Suite *mx_suite(void)
{
	Suite *s = suite_create("mx");
	TCase *tc = tcase_create("plan");

	tcase_add_test(tc, ascending_preference);
	tcase_add_test(tc, equal_preferences_grouped);
	tcase_add_test(tc, shuffle_is_deterministic_per_seed);
	tcase_add_test(tc, careless_random_source);
	tcase_add_test(tc, implicit_mx_on_nodata);
	tcase_add_test(tc, null_mx);
	tcase_add_test(tc, null_mx_defects);
	tcase_add_test(tc, nxdomain_tempfail_bogus);
	tcase_add_test(tc, ip_literal_flagged);
	tcase_add_test(tc, duplicates_removed);
	tcase_add_test(tc, host_bound);
	tcase_add_test(tc, escaped_names);
	tcase_add_test(tc, addresses_in_order_both_families);
	tcase_add_test(tc, address_bounds_keep_both_families);
	tcase_add_test(tc, address_failures_and_cname);
	suite_add_tcase(s, tc);
	return s;
}
