/* mtasts: the MTA-STS TXT record, the policy file, mx matching and the
 * TLS-RPT record (mtasts.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/mtasts.h"
#include "smtpscope/util.h"
#include "suites.h"

/* The defect ids, space-separated, for comparing in one assertion. */
static char *ids_of(const struct mtasts_defects *d)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < d->n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", d->d[i].id);
	return buf_steal(&b);
}

#define ck_defects(d, want) do { char *ids_ = ids_of(d); ck_assert_str_eq(ids_, want); free(ids_); } while (0)

/* Runs a TXT check on NUL-terminated strings. */
#define TXT_OF(fn, out, ...) do { \
	const char *t_[] = { __VA_ARGS__ }; \
	size_t l_[UTIL_ARRAY_LEN(t_)]; \
	for (size_t i_ = 0; i_ < UTIL_ARRAY_LEN(t_); i_++) \
		l_[i_] = strlen(t_[i_]); \
	fn(t_, l_, UTIL_ARRAY_LEN(t_), out); \
} while (0)

static void policy_of(struct mtasts_policy *p, const char *body)
{
	mtasts_policy_parse(body, strlen(body), p);
}

/* ---- the _mta-sts TXT record ---- */

START_TEST(sts_record_is_recognised_exactly)
{
	ck_assert(mtasts_is_record("v=STSv1", 7));
	ck_assert(mtasts_is_record("v=STSv1; id=1", 13));
	ck_assert(mtasts_is_record("v=STSv1 ;id=1", 13));
	ck_assert(mtasts_is_record("v=STSv1\t;id=1", 13));
	ck_assert(!mtasts_is_record("v=stsv1; id=1", 13));   /* %s: case-sensitive */
	ck_assert(!mtasts_is_record("V=STSv1; id=1", 13));
	ck_assert(!mtasts_is_record("v=STSv10; id=1", 14));
	ck_assert(!mtasts_is_record(" v=STSv1; id=1", 14));
	ck_assert(!mtasts_is_record("v=STSv", 6));
	ck_assert(!mtasts_is_record(NULL, 0));
}
END_TEST

START_TEST(sts_txt_one_record_selected)
{
	struct mtasts_txt t;

	TXT_OF(mtasts_txt_check, &t, "v=spf1 -all", "v=STSv1; id=20240101T000000Z;", "other");
	ck_assert_uint_eq(t.n_records, 1);
	ck_assert(t.valid);
	ck_assert_str_eq(t.record, "v=STSv1; id=20240101T000000Z;");
	ck_assert_str_eq(t.id, "20240101T000000Z");
	ck_defects(&t.defects, "");
	mtasts_txt_free(&t);
	ck_assert_ptr_null(t.record);

	/* no spaces, an extension field, the id last */
	TXT_OF(mtasts_txt_check, &t, "v=STSv1;ext-1.x=a:b/c;id=abc");
	ck_assert(t.valid);
	ck_assert_str_eq(t.id, "abc");
	ck_defects(&t.defects, "");
	mtasts_txt_free(&t);

	/* 32 alphanumerics is the longest id */
	TXT_OF(mtasts_txt_check, &t, "v=STSv1; id=0123456789abcdefABCDEF0123456789");
	ck_assert(t.valid);
	mtasts_txt_free(&t);
}
END_TEST

START_TEST(sts_txt_none_is_no_mtasts)
{
	struct mtasts_txt t;

	TXT_OF(mtasts_txt_check, &t, "v=spf1 -all", "google-site-verification=x");
	ck_assert_uint_eq(t.n_records, 0);
	ck_assert(!t.valid);
	ck_assert_ptr_null(t.record);
	ck_assert_ptr_null(t.id);
	ck_defects(&t.defects, "");
	mtasts_txt_free(&t);

	mtasts_txt_check(NULL, NULL, 3, &t);
	ck_assert_uint_eq(t.n_records, 0);
	ck_assert(!t.valid);
	mtasts_txt_free(&t);
}
END_TEST

/* A record of one string: whether it is valid and its defect ids. */
struct txt_case {
	const char *record;
	bool valid;
	const char *ids;
};

/* Checks each case as an MTA-STS record, or as a TLS-RPT record. */
static void txt_cases(const struct txt_case *c, size_t n, bool tlsrpt)
{
	for (size_t i = 0; i < n; i++) {
		const char *t[] = { c[i].record };
		size_t l[] = { strlen(c[i].record) };
		struct mtasts_txt sts;
		struct tlsrpt_txt rpt;
		bool valid;
		char *ids;

		if (tlsrpt) {
			tlsrpt_check(t, l, 1, &rpt);
			valid = rpt.valid, ids = ids_of(&rpt.defects);
			tlsrpt_free(&rpt);
		} else {
			mtasts_txt_check(t, l, 1, &sts);
			valid = sts.valid, ids = ids_of(&sts.defects);
			mtasts_txt_free(&sts);
		}
		ck_assert_msg(valid == c[i].valid, "%s", c[i].record);
		ck_assert_str_eq(ids, c[i].ids);
		free(ids);
	}
}

START_TEST(sts_txt_defects)
{
	static const struct txt_case cases[] = {
		{ "v=STSv1;", false, "sts-txt-no-id" },
		{ "v=STSv1; id=0123456789abcdef0123456789abcdefX", false, "sts-txt-bad-id" }, /* 33 */
		{ "v=STSv1; id=2024-01-01", false, "sts-txt-bad-id" },
		{ "v=STSv1; id=", false, "sts-txt-bad-id" },
		{ "v=STSv1; id=a; id=b", true, "sts-txt-duplicate-id" },
		{ "v=STSv1 id=abc", false, "sts-txt-syntax sts-txt-no-id" },
		{ "v=STSv1;; id=abc", false, "sts-txt-syntax" },
		{ "v=STSv1; id=abc; junk; x=a b; =v; y=", false,
		  "sts-txt-bad-field sts-txt-bad-field sts-txt-bad-field sts-txt-bad-field" },
	};
	struct mtasts_txt t;

	txt_cases(cases, UTIL_ARRAY_LEN(cases), false);
	TXT_OF(mtasts_txt_check, &t, "v=STSv1; id=a", "v=STSv1; id=b");
	ck_assert_uint_eq(t.n_records, 2);
	ck_assert(!t.valid);
	ck_assert_str_eq(t.id, "a"); /* the first is shown */
	ck_defects(&t.defects, "sts-txt-several");
	mtasts_txt_free(&t);

	TXT_OF(mtasts_txt_check, &t, "v=STSv1; ID=abc");
	ck_assert(!t.valid);
	ck_defects(&t.defects, "sts-txt-no-id");
	ck_assert_ptr_nonnull(strstr(t.defects.d[0].text, "case-sensitive"));
	mtasts_txt_free(&t);

	TXT_OF(mtasts_txt_check, &t, "v=STSv1; id=0123456789abcdef0123456789abcdefX; id=b");
	ck_assert_str_eq(t.id, "0123456789abcdef0123456789abcdefX"); /* as written */
	mtasts_txt_free(&t);
}
END_TEST

START_TEST(sts_txt_case_and_near_misses)
{
	struct mtasts_txt t;

	TXT_OF(mtasts_txt_check, &t, "v=stsv1; id=abc", " v=STSv1; id=abc");
	ck_assert_uint_eq(t.n_records, 0);
	ck_assert(!t.valid);
	ck_defects(&t.defects, "sts-txt-near-miss sts-txt-near-miss");
	mtasts_txt_free(&t);

	/* a near miss beside a real record leaves that record valid */
	TXT_OF(mtasts_txt_check, &t, "V=STSV1; id=x", "v=STSv1; id=y");
	ck_assert_uint_eq(t.n_records, 1);
	ck_assert(t.valid);
	ck_assert_str_eq(t.id, "y");
	ck_defects(&t.defects, "sts-txt-near-miss");
	mtasts_txt_free(&t);

	/* another version is not a near miss */
	TXT_OF(mtasts_txt_check, &t, "v=STSv2; id=x");
	ck_defects(&t.defects, "");
	mtasts_txt_free(&t);
}
END_TEST

START_TEST(sts_txt_foreign_bytes_escaped)
{
	const char r[] = "v=STSv1; id=a\0b; \x1b[31m=x";
	const char *t0[] = { r };
	size_t l0[] = { sizeof r - 1 };
	struct mtasts_txt t;

	mtasts_txt_check(t0, l0, 1, &t);
	ck_assert(!t.valid);
	ck_assert_str_eq(t.record, "v=STSv1; id=a\\x00b; \\x1b[31m=x");
	ck_assert_str_eq(t.id, "a\\x00b");
	ck_defects(&t.defects, "sts-txt-bad-id sts-txt-bad-field");
	for (size_t i = 0; i < t.defects.n; i++)
		ck_assert_ptr_null(strchr(t.defects.d[i].text, '\x1b'));
	mtasts_txt_free(&t);
}
END_TEST

/* ---- the policy file ---- */

START_TEST(policy_enforce_crlf)
{
	struct mtasts_policy p;

	policy_of(&p, "version: STSv1\r\nmode: enforce\r\nmx: mail.example.test\r\n"
		  "mx: *.Backup.Example.TEST\r\nmax_age: 604800\r\n");
	ck_assert(p.valid);
	ck_assert_str_eq(p.version, "STSv1");
	ck_assert_int_eq(p.mode, MTASTS_MODE_ENFORCE);
	ck_assert_int_eq(p.max_age, 604800);
	ck_assert_uint_eq(p.n_mx, 2);
	ck_assert_str_eq(p.mx[0], "mail.example.test");
	ck_assert_str_eq(p.mx[1], "*.backup.example.test"); /* lower-cased */
	ck_defects(&p.defects, "");
	mtasts_policy_free(&p);
	ck_assert_ptr_null(p.version);
	ck_assert_uint_eq(p.n_mx, 0);
}
END_TEST

START_TEST(policy_testing_lf_any_order)
{
	struct mtasts_policy p;

	/* fields in any order, no final line end, spaces after ":" and at the
	 * end, unknown keys ignored */
	policy_of(&p, "mode:testing\nmx:  mx1.example.test  \nfuture_key: some value\n"
		  "max_age: 0\nversion: STSv1");
	ck_assert(p.valid);
	ck_assert_int_eq(p.mode, MTASTS_MODE_TESTING);
	ck_assert_int_eq(p.max_age, 0);
	ck_assert_uint_eq(p.n_mx, 1);
	ck_assert_str_eq(p.mx[0], "mx1.example.test");
	ck_defects(&p.defects, "");
	mtasts_policy_free(&p);

	policy_of(&p, "version: STSv1\nmode: enforce\nmx: a.example.test\nmax_age: 31557600\n");
	ck_assert(p.valid);
	ck_assert_int_eq(p.max_age, MTASTS_MAX_AGE_MAX);
	mtasts_policy_free(&p);
}
END_TEST

/* A policy: whether it is valid and its defect ids. */
struct policy_case {
	const char *body;
	bool valid;
	const char *ids;
};

static void policy_cases(const struct policy_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct mtasts_policy p;

		policy_of(&p, c[i].body);
		ck_assert_msg(p.valid == c[i].valid, "%s", c[i].body);
		ck_defects(&p.defects, c[i].ids);
		mtasts_policy_free(&p);
	}
}

START_TEST(policy_mode_none_needs_no_mx)
{
	static const struct policy_case cases[] = {
		{ "version: STSv1\nmode: none\nmax_age: 86400\n", true, "" },
		{ "version: STSv1\nmode: enforce\nmax_age: 86400\n", false, "policy-no-mx" },
		{ "version: STSv1\nmode: testing\nmax_age: 86400\n", false, "policy-no-mx" },
	};
	struct mtasts_policy p;

	policy_cases(cases, UTIL_ARRAY_LEN(cases));
	policy_of(&p, cases[0].body);
	ck_assert_int_eq(p.mode, MTASTS_MODE_NONE);
	ck_assert_uint_eq(p.n_mx, 0);
	mtasts_policy_free(&p);
}
END_TEST

START_TEST(policy_missing_fields)
{
	static const struct policy_case cases[] = {
		{ "mode: enforce\nmx: a.example.test\nmax_age: 86400\n", false, "policy-no-version" },
		{ "version: STSv1\nmx: a.example.test\n", false, "policy-no-mode policy-no-max-age" },
		{ "", false, "policy-no-version policy-no-mode policy-no-max-age" },
	};
	struct mtasts_policy p;

	policy_cases(cases, UTIL_ARRAY_LEN(cases));
	policy_of(&p, cases[1].body);
	ck_assert_int_eq(p.mode, MTASTS_MODE_NONE_GIVEN);
	ck_assert_int_eq(p.max_age, -1);
	mtasts_policy_free(&p);
	mtasts_policy_parse(NULL, 5, &p);
	ck_assert(!p.valid);
	ck_assert_ptr_null(p.version);
	ck_defects(&p.defects, "policy-no-version policy-no-mode policy-no-max-age");
	mtasts_policy_free(&p);
}
END_TEST

START_TEST(policy_bad_values)
{
	static const struct policy_case cases[] = {
		{ "version: STSv1\nmode: none\nmax_age: -1\n", false, "policy-bad-max-age" },
		{ "version: STSv1\nmode: none\nmax_age: 31557601\n", false, "policy-bad-max-age" },
		{ "version: STSv1\nmode: none\nmax_age: 12a\n", false, "policy-bad-max-age" },
		{ "version: STSv1\nmode: none\nmax_age: 99999999999999999999\n", false, "policy-bad-max-age" },
		{ "version: STSv1\nmode: none\nmax_age: \n", false, "policy-bad-max-age" },
		{ "version: STSv1\nmode: none\nmax_age: +5\n", false, "policy-bad-max-age" },
		{ "version: STSv1\nmode: none\nmax_age: 1 2\n", false, "policy-bad-max-age" },
		{ "version: STSv1\nmode: reject\nmax_age: 1\n", false, "policy-bad-mode" },
		{ "version: STSv2\nmode: none\nmax_age: 1\n", false, "policy-bad-version" },
		{ "version: stsv1\nmode: none\nmax_age: 1\n", false, "policy-bad-version" },
	};
	struct mtasts_policy p;

	policy_cases(cases, UTIL_ARRAY_LEN(cases));
	policy_of(&p, cases[1].body);
	ck_assert_int_eq(p.max_age, 31557601); /* a number, out of range */
	mtasts_policy_free(&p);
	policy_of(&p, cases[2].body);
	ck_assert_int_eq(p.max_age, -1);
	mtasts_policy_free(&p);
	policy_of(&p, cases[8].body);
	ck_assert_str_eq(p.version, "STSv2");
	mtasts_policy_free(&p);

	policy_of(&p, "version: STSv1\nmode: Enforce\nmx: a.example.test\nmax_age: 1\n");
	ck_assert(!p.valid);
	ck_assert_int_eq(p.mode, MTASTS_MODE_NONE_GIVEN);
	ck_defects(&p.defects, "policy-bad-mode");
	ck_assert_ptr_nonnull(strstr(p.defects.d[0].text, "line 2"));
	ck_assert_ptr_nonnull(strstr(p.defects.d[0].text, "\"Enforce\""));
	mtasts_policy_free(&p);
}
END_TEST

START_TEST(policy_line_defects)
{
	struct mtasts_policy p;

	/* the first of a repeated key counts; keys are case-sensitive; a line
	 * without ":" and a bad key are ignored */
	policy_of(&p, "version: STSv1\nmode: testing\nmode: enforce\nMax_Age: 5\nmax_age: 10\n"
		  "max_age: 20\nmx a.example.test\n mx: b.example.test\nmx : c.example.test\n"
		  "mx: d.example.test\n\nmx: e.example.test\n");
	ck_assert(p.valid);
	ck_assert_int_eq(p.mode, MTASTS_MODE_TESTING);
	ck_assert_int_eq(p.max_age, 10);
	ck_assert_uint_eq(p.n_mx, 2);
	ck_assert_str_eq(p.mx[0], "d.example.test");
	ck_assert_str_eq(p.mx[1], "e.example.test");
	ck_defects(&p.defects, "policy-duplicate policy-key-case policy-duplicate policy-no-colon "
		   "policy-bad-key policy-bad-key policy-blank-line");
	mtasts_policy_free(&p);

	policy_of(&p, "version: STSv1\nversion: STSv1\nmode: none\nmax_age: 1\n");
	ck_assert(p.valid);
	ck_defects(&p.defects, "policy-duplicate");
	mtasts_policy_free(&p);
}
END_TEST

START_TEST(policy_bad_mx_patterns)
{
	static const char *const bad[] = { "*", "a.*.b", "*.", "a..b", ".a", "-a.b", "a-.b", "a_b.test",
					   "**.a", "*a.b", "a b", "" };
	struct mtasts_policy p;

	for (size_t i = 0; i < UTIL_ARRAY_LEN(bad); i++) {
		char *body = xasprintf("version: STSv1\nmode: enforce\nmax_age: 1\nmx: %s\n", bad[i]);

		policy_of(&p, body);
		ck_defects(&p.defects, "policy-bad-mx");
		ck_assert_uint_eq(p.n_mx, 1); /* kept for display, never matches */
		ck_assert_int_eq(mtasts_policy_match(&p, "a.b"), -1);
		free(body);
		mtasts_policy_free(&p);
	}
	policy_of(&p, "version: STSv1\nmode: enforce\nmax_age: 1\nmx: localhost\nmx: mx.example.test.\n"
		  "mx: 1-a.x9.test\n");
	ck_defects(&p.defects, "");
	mtasts_policy_free(&p);
}
END_TEST

START_TEST(policy_too_many_mx)
{
	struct mtasts_policy p;
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "version: STSv1\nmode: enforce\nmax_age: 1\n");
	for (int i = 0; i < MTASTS_MAX_MX + 3; i++)
		buf_printf(&b, "mx: mx%d.example.test\n", i);
	mtasts_policy_parse(b.data, b.len, &p);
	ck_assert(p.valid);
	ck_assert_uint_eq(p.n_mx, MTASTS_MAX_MX);
	ck_assert_uint_eq(p.mx_dropped, 3);
	ck_defects(&p.defects, "policy-too-many-mx");
	ck_assert_int_eq(mtasts_policy_match(&p, "mx63.example.test"), 63);
	ck_assert_int_eq(mtasts_policy_match(&p, "mx64.example.test"), -1);
	mtasts_policy_free(&p);
	buf_free(&b);
}
END_TEST

START_TEST(policy_size_limit)
{
	struct mtasts_policy p;
	size_t n = MTASTS_POLICY_MAX + 1;
	char *body = xmalloc(n);
	const char head[] = "version: STSv1\nmode: none\nmax_age: 1\n";

	memset(body, ' ', n);
	memcpy(body, head, sizeof head - 1);
	memset(body + sizeof head - 1, 'x', 10);
	body[n - 1] = '\n';
	mtasts_policy_parse(body, n, &p);
	ck_assert(!p.valid);
	ck_assert_ptr_null(p.version);
	ck_defects(&p.defects, "policy-too-large");
	mtasts_policy_free(&p);

	/* exactly the limit is read: "xxxxxxxxxx   ..." is a line without ":" */
	mtasts_policy_parse(body, n - 1, &p);
	ck_assert(p.valid);
	ck_defects(&p.defects, "policy-no-colon");
	ck_assert_uint_lt(strlen(p.defects.d[0].text), 200); /* the quote is cut */
	ck_assert_ptr_nonnull(strstr(p.defects.d[0].text, "xxxxxxxxxx   "));
	ck_assert_ptr_nonnull(strstr(p.defects.d[0].text, "...\""));
	mtasts_policy_free(&p);
	free(body);
}
END_TEST

START_TEST(policy_foreign_bytes_escaped)
{
	const char body[] = "version: STSv1\nmode: none\x1b[2J\nmax_age: 1\0\nx: \xff\xfe\nmx: A\rb\n";
	struct mtasts_policy p;

	mtasts_policy_parse(body, sizeof body - 1, &p);
	ck_assert(!p.valid);
	ck_defects(&p.defects, "policy-control policy-bad-mode policy-nul policy-bad-max-age "
		   "policy-not-utf8 policy-control policy-bad-mx");
	ck_assert_str_eq(p.mx[0], "a\\rb");
	for (size_t i = 0; i < p.defects.n; i++) {
		ck_assert_ptr_null(strchr(p.defects.d[i].text, '\x1b'));
		ck_assert_ptr_null(strchr(p.defects.d[i].text, '\r'));
		ck_assert_ptr_null(strchr(p.defects.d[i].text, '\xff'));
	}
	ck_assert_ptr_nonnull(strstr(p.defects.d[0].text, "\\x1b[2J"));
	mtasts_policy_free(&p);
}
END_TEST

START_TEST(policy_defects_capped)
{
	struct mtasts_policy p;
	struct buf b;

	buf_init(&b);
	for (int i = 0; i < 40; i++)
		buf_adds(&b, "no colon here\n");
	mtasts_policy_parse(b.data, b.len, &p);
	ck_assert_uint_eq(p.defects.n, MTASTS_MAX_DEFECTS);
	ck_assert_uint_eq(p.defects.dropped, 40 + 3 - MTASTS_MAX_DEFECTS);
	mtasts_policy_free(&p);
	ck_assert_uint_eq(p.defects.n, 0);
	buf_free(&b);
	ck_assert_str_eq(mtasts_mode_name(MTASTS_MODE_ENFORCE), "enforce");
	ck_assert_str_eq(mtasts_mode_name(MTASTS_MODE_TESTING), "testing");
	ck_assert_str_eq(mtasts_mode_name(MTASTS_MODE_NONE), "none");
	ck_assert_str_eq(mtasts_mode_name(MTASTS_MODE_NONE_GIVEN), "(none given)");
}
END_TEST

/* ---- mx matching (RFC 8461 4.1) ---- */

START_TEST(mx_wildcard_covers_one_label)
{
	ck_assert(mtasts_mx_match("*.example.test", "mx.example.test"));
	ck_assert(mtasts_mx_match("*.example.test", "MX.Example.Test."));
	ck_assert(mtasts_mx_match("*.example.test.", "mx.example.test"));
	ck_assert(!mtasts_mx_match("*.example.test", "a.mx.example.test"));
	ck_assert(!mtasts_mx_match("*.example.test", "example.test"));
	ck_assert(!mtasts_mx_match("*.example.test", ".example.test"));
	ck_assert(!mtasts_mx_match("*.example.test", "mxexample.test"));
	ck_assert(!mtasts_mx_match("*.example.test", "mx.example.testx"));
}
END_TEST

START_TEST(mx_exact_names)
{
	ck_assert(mtasts_mx_match("mail.example.test", "mail.example.test"));
	ck_assert(mtasts_mx_match("mail.example.test", "MAIL.EXAMPLE.TEST."));
	ck_assert(mtasts_mx_match("mail.example.test.", "mail.example.test"));
	ck_assert(!mtasts_mx_match("mail.example.test", "mail.example.test.."));
	ck_assert(!mtasts_mx_match("mail.example.test", "mail2.example.test"));
	ck_assert(!mtasts_mx_match("mail.example.test", "x.mail.example.test"));
	ck_assert(!mtasts_mx_match("example.test", "mail.example.test"));
	/* patterns that are not host names never match */
	ck_assert(!mtasts_mx_match("*", "mail"));
	ck_assert(!mtasts_mx_match("a.*.test", "a.b.test"));
	ck_assert(!mtasts_mx_match("a.*.test", "a.*.test"));
	ck_assert(!mtasts_mx_match("", ""));
	ck_assert(!mtasts_mx_match(NULL, "a"));
	ck_assert(!mtasts_mx_match("a", NULL));
	/* nor do hosts that are not host names */
	ck_assert(!mtasts_mx_match("*.example.test", "*.example.test"));
}
END_TEST

START_TEST(policy_match_first_pattern)
{
	struct mtasts_policy p;

	policy_of(&p, "version: STSv1\nmode: enforce\nmax_age: 1\nmx: mx1.example.test\n"
		  "mx: *.example.test\nmx: *.backup.example.net\n");
	ck_assert_int_eq(mtasts_policy_match(&p, "mx1.example.test"), 0);
	ck_assert_int_eq(mtasts_policy_match(&p, "mx2.example.test"), 1);
	ck_assert_int_eq(mtasts_policy_match(&p, "b.backup.example.net."), 2);
	ck_assert_int_eq(mtasts_policy_match(&p, "a.b.example.test"), -1);
	ck_assert_int_eq(mtasts_policy_match(&p, "example.test"), -1);
	ck_assert_int_eq(mtasts_policy_match(NULL, "mx1.example.test"), -1);
	mtasts_policy_free(&p);
}
END_TEST

/* ---- TLS-RPT ---- */

START_TEST(tlsrpt_record_checked)
{
	struct tlsrpt_txt t;

	TXT_OF(tlsrpt_check, &t, "v=spf1 -all",
	       "v=TLSRPTv1; rua=mailto:tlsrpt@example.test , https://reports.example.test/v1");
	ck_assert_uint_eq(t.n_records, 1);
	ck_assert(t.valid);
	ck_assert_str_eq(t.rua, "mailto:tlsrpt@example.test , https://reports.example.test/v1");
	ck_defects(&t.defects, "");
	tlsrpt_free(&t);
	ck_assert_ptr_null(t.rua);

	TXT_OF(tlsrpt_check, &t, "v=TLSRPTv1;rua=MAILTO:a@example.test;ext=1;");
	ck_assert(t.valid);
	ck_defects(&t.defects, "");
	tlsrpt_free(&t);

	TXT_OF(tlsrpt_check, &t, "v=spf1 -all");
	ck_assert_uint_eq(t.n_records, 0);
	ck_assert(!t.valid);
	ck_assert_ptr_null(t.record);
	ck_defects(&t.defects, "");
	tlsrpt_free(&t);
}
END_TEST

START_TEST(tlsrpt_defects)
{
	static const struct txt_case cases[] = {
		{ "v=TLSRPTv1;", false, "tlsrpt-no-rua" },
		{ "v=TLSRPTv1; rua=http://example.test/r,ftp://x,mailto:,mailto:@x,https:,https:///x,"
		  "mailto:a b@x", false, "tlsrpt-bad-uri tlsrpt-bad-uri tlsrpt-bad-uri tlsrpt-bad-uri "
		  "tlsrpt-bad-uri tlsrpt-bad-uri tlsrpt-bad-uri" },
		{ "v=TLSRPTv1; rua=", false, "tlsrpt-bad-uri" },
		{ "v=TLSRPTv1; rua=https://", false, "tlsrpt-bad-uri" },
		{ "v=TLSRPTv1; rua=https://r.example.test", true, "" },
		{ "v=TLSRPTv1; rua=mailto:a@example.test; rua=mailto:b@example.test", true,
		  "tlsrpt-duplicate-rua" },
		{ "v=TLSRPTv1 rua=mailto:a@example.test", false, "tlsrpt-syntax tlsrpt-no-rua" },
		{ "v=TLSRPTv1; rua=mailto:a@example.test; junk", false, "tlsrpt-bad-field" },
		{ "v=tlsrptv1; rua=mailto:a@example.test", false, "tlsrpt-near-miss" },
	};
	struct tlsrpt_txt t;

	txt_cases(cases, UTIL_ARRAY_LEN(cases), true);
	TXT_OF(tlsrpt_check, &t, "v=TLSRPTv1; rua=mailto:a@example.test", "v=TLSRPTv1; rua=mailto:b@example.test");
	ck_assert_uint_eq(t.n_records, 2);
	ck_assert(!t.valid);
	ck_assert_str_eq(t.rua, "mailto:a@example.test");
	ck_defects(&t.defects, "tlsrpt-several");
	tlsrpt_free(&t);
}
END_TEST

Suite *mtasts_suite(void)
{
	Suite *s = suite_create("mtasts");
	TCase *txt = tcase_create("txt");
	TCase *pol = tcase_create("policy");
	TCase *mx = tcase_create("match");
	TCase *rpt = tcase_create("tlsrpt");

	tcase_add_test(txt, sts_record_is_recognised_exactly);
	tcase_add_test(txt, sts_txt_one_record_selected);
	tcase_add_test(txt, sts_txt_none_is_no_mtasts);
	tcase_add_test(txt, sts_txt_defects);
	tcase_add_test(txt, sts_txt_case_and_near_misses);
	tcase_add_test(txt, sts_txt_foreign_bytes_escaped);
	tcase_add_test(pol, policy_enforce_crlf);
	tcase_add_test(pol, policy_testing_lf_any_order);
	tcase_add_test(pol, policy_mode_none_needs_no_mx);
	tcase_add_test(pol, policy_missing_fields);
	tcase_add_test(pol, policy_bad_values);
	tcase_add_test(pol, policy_line_defects);
	tcase_add_test(pol, policy_bad_mx_patterns);
	tcase_add_test(pol, policy_too_many_mx);
	tcase_add_test(pol, policy_size_limit);
	tcase_add_test(pol, policy_foreign_bytes_escaped);
	tcase_add_test(pol, policy_defects_capped);
	tcase_add_test(mx, mx_wildcard_covers_one_label);
	tcase_add_test(mx, mx_exact_names);
	tcase_add_test(mx, policy_match_first_pattern);
	tcase_add_test(rpt, tlsrpt_record_checked);
	tcase_add_test(rpt, tlsrpt_defects);
	suite_add_tcase(s, txt);
	suite_add_tcase(s, pol);
	suite_add_tcase(s, mx);
	suite_add_tcase(s, rpt);
	return s;
}
