/* probe: the sans-I/O helpers of the probe engine (probe.h). */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/probe.h"
#include "smtpscope/sendpol.h"
#include "smtpscope/util.h"
#include "suites.h"

START_TEST(split_address_and_domain)
{
	char *addr, *dom;

	dom = probe_split_target("user@Example.TEST", &addr);
	ck_assert_str_eq(dom, "Example.TEST");
	ck_assert_str_eq(addr, "user@Example.TEST");
	free(dom), free(addr);
	dom = probe_split_target("example.test.", &addr);
	ck_assert_str_eq(dom, "example.test");
	ck_assert_ptr_null(addr);
	free(dom);
	/* the last @ decides: a quoted local part may hold one */
	dom = probe_split_target("\"a@b\"@example.test", &addr);
	ck_assert_str_eq(dom, "example.test");
	ck_assert_str_eq(addr, "\"a@b\"@example.test");
	free(dom), free(addr);
	/* "@domain": no local part, the domain alone */
	dom = probe_split_target("@example.test", &addr);
	ck_assert_str_eq(dom, "example.test");
	ck_assert_ptr_null(addr);
	free(dom);
	ck_assert_ptr_null(probe_split_target("user@", &addr));
	ck_assert_ptr_null(probe_split_target("", &addr));
	ck_assert_ptr_null(probe_split_target(".", &addr));
}
END_TEST

START_TEST(names_compare_as_dns_names)
{
	ck_assert(probe_names_equal("mx.example.test", "MX.Example.Test."));
	ck_assert(probe_names_equal("mx.example.test.", "mx.example.test"));
	ck_assert(!probe_names_equal("mx.example.test", "mx.example.tes"));
	ck_assert(!probe_names_equal("mx.example.test", "mx1.example.test"));
	ck_assert(!probe_names_equal("mx.example.test", NULL));
	ck_assert(!probe_names_equal(NULL, NULL));
	ck_assert(!probe_names_equal(".", ""));
	ck_assert(!probe_names_equal("", ""));
}
END_TEST

START_TEST(name_from_a_reply_line)
{
	char *n;

	n = probe_reply_name("mx.example.test ESMTP Postfix");
	ck_assert_str_eq(n, "mx.example.test");
	free(n);
	n = probe_reply_name("  mx.example.test\tHello");
	ck_assert_str_eq(n, "mx.example.test");
	free(n);
	n = probe_reply_name("mx.example.test");
	ck_assert_str_eq(n, "mx.example.test");
	free(n);
	ck_assert_ptr_null(probe_reply_name(""));
	ck_assert_ptr_null(probe_reply_name("   "));
	ck_assert_ptr_null(probe_reply_name(NULL));
}
END_TEST

START_TEST(forward_confirmed_reverse_dns)
{
	const char *v4[] = { "192.0.2.1", "127.0.0.2" };
	const char *v6[] = { "2001:db8::1", "0:0:0:0:0:0:0:1" };
	const char *junk[] = { NULL, "not an address", "127.0.0.2.1" };

	ck_assert(probe_fcrdns("127.0.0.2", v4, 2));
	ck_assert(!probe_fcrdns("127.0.0.3", v4, 2));
	ck_assert(!probe_fcrdns("127.0.0.2", v4, 1));
	/* compared as addresses, not as text */
	ck_assert(probe_fcrdns("::1", v6, 2));
	ck_assert(probe_fcrdns("2001:DB8:0::1", v6, 2));
	/* an IPv4 address never matches an IPv6 one with the same bytes */
	ck_assert(!probe_fcrdns("0.0.0.0", (const char *[]){ "::" }, 1));
	ck_assert(!probe_fcrdns("127.0.0.2", junk, 3));
	ck_assert(!probe_fcrdns("bogus", v4, 2));
	ck_assert(!probe_fcrdns(NULL, v4, 2));
	ck_assert(!probe_fcrdns("127.0.0.2", NULL, 0));
}
END_TEST

START_TEST(json_text_is_escaped_and_valid)
{
	struct buf b;

	buf_init(&b);
	probe_json_text(&b, NULL);
	ck_assert_str_eq(b.data, "null");
	buf_clear(&b);
	probe_json_text(&b, "say \"hi\"");
	ck_assert_str_eq(b.data, "\"say \\\"hi\\\"\"");
	buf_clear(&b);
	/* a control and invalid UTF-8 become visible escapes first; the
	 * backslash of those escapes is then quoted for JSON */
	probe_json_text(&b, "a\x1b[31m\xff" "b");
	ck_assert_msg(strchr(b.data, '\x1b') == NULL && strchr(b.data, '\xff') == NULL,
		      "raw bytes left: %s", b.data);
	ck_assert_msg(strstr(b.data, "\\\\") != NULL, "no quoted escape in %s", b.data);
	ck_assert(b.data[0] == '"' && b.data[b.len - 1] == '"');
	buf_clear(&b);
	/* valid UTF-8 passes as it is */
	probe_json_text(&b, "b\xc3\xbc" "cher");
	ck_assert_str_eq(b.data, "\"b\xc3\xbc" "cher\"");
	buf_free(&b);
}
END_TEST


/* ---- sendpol: SPF and DMARC records (sendpol.h) ---- */

/* Runs spf_check on NUL-terminated strings. */
static void spf_of(struct spf_check *c, const char *const *t, size_t n)
{
	size_t len[8];

	for (size_t i = 0; i < n; i++)
		len[i] = strlen(t[i]);
	spf_check(t, len, n, c);
}

static void dmarc_of(struct dmarc_check *c, const char *const *t, size_t n)
{
	size_t len[8];

	for (size_t i = 0; i < n; i++)
		len[i] = strlen(t[i]);
	dmarc_check(t, len, n, c);
}

/* The defect ids, space-separated, for comparing in one assertion. */
static char *defect_ids(const struct sendpol_defects *d)
{
	struct buf b;
	char *s;

	buf_init(&b);
	for (size_t i = 0; i < d->n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", d->d[i].id);
	s = xstrdup(b.data ? b.data : "");
	buf_free(&b);
	return s;
}

#define ck_defects(d, want) do { char *ids_ = defect_ids(d); ck_assert_str_eq(ids_, want); free(ids_); } while (0)

START_TEST(spf_record_selected_and_checked)
{
	const char *t[] = { "google-site-verification=abc", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 mx a:mail.example.test include:_spf.example.net -all" };
	struct spf_check c;

	ck_assert(spf_is_record("v=spf1", 6));
	ck_assert(spf_is_record("V=SPF1 -all", 11));
	ck_assert(!spf_is_record("v=spf10 -all", 12));
	ck_assert(!spf_is_record("v=spf", 5));
	spf_of(&c, t, 2);
	ck_assert_uint_eq(c.n_records, 1);
	ck_assert_str_eq(c.record, t[1]);
	ck_assert_str_eq(c.all, "-all");
	ck_assert_int_eq(c.qualifier, '-');
	ck_assert_uint_eq(c.n_terms, 6);
	ck_assert_uint_eq(c.lookups, 3);
	ck_defects(&c.defects, "");
	spf_check_free(&c);
}
END_TEST

START_TEST(spf_defects_named)
{
	struct spf_check c;
	const char *two[] = { "v=spf1 -all", "v=spf1 mx ~all" };
	const char *bad[] = { "v=spf1 foo:bar ip4:300.1.2.3 ip4:192.0.2.1/33 include all:x ptr +all mx" };
	const char *none[] = { "v=spf1 a mx" };
	const char *redir[] = { "v=spf1 redirect=_spf.example.test" };
	const char *many[] = { "v=spf1 include:a include:b include:c include:d include:e include:f "
			       "a mx exists:x ptr:y redirect=z" };

	spf_of(&c, two, 2);
	ck_assert_uint_eq(c.n_records, 2);
	ck_assert_str_eq(c.all, "-all");
	ck_defects(&c.defects, "spf-multiple");
	spf_check_free(&c);

	spf_of(&c, bad, 1);
	ck_defects(&c.defects, "spf-unknown-term spf-bad-argument spf-bad-argument spf-bad-argument "
		   "spf-bad-argument spf-ptr spf-pass-all spf-after-all");
	ck_assert_str_eq(c.all, "+all"); /* the first all that parses */
	ck_assert_int_eq(c.qualifier, '+');
	spf_check_free(&c);

	spf_of(&c, none, 1);
	ck_assert_ptr_null(c.all);
	ck_defects(&c.defects, "spf-no-all");
	spf_check_free(&c);

	spf_of(&c, redir, 1);
	ck_assert_str_eq(c.redirect, "_spf.example.test");
	ck_defects(&c.defects, "");
	spf_check_free(&c);

	spf_of(&c, many, 1);
	ck_assert_uint_eq(c.lookups, 11);
	ck_defects(&c.defects, "spf-ptr spf-too-many-lookups"); /* redirect=: no spf-no-all */
	spf_check_free(&c);

	spf_of(&c, none, 0);
	ck_assert_uint_eq(c.n_records, 0);
	ck_assert_ptr_null(c.record);
	spf_check_free(&c);
}
END_TEST

START_TEST(dmarc_record_checked)
{
	struct dmarc_check c;
	const char *ok[] = { "v=spf1 -all", "v=DMARC1; p=reject; sp=quarantine; pct=50; "
			     "rua=mailto:agg@example.test,mailto:x@example.net!10m; ruf=mailto:f@example.test; adkim=s" };
	const char *bad[] = { "v=DMARC1; p=maybe; rua=agg@example.test; pct=101; adkim=x; foo=1; p=none" };
	const char *nop[] = { "v=DMARC1; rua=mailto:a@example.test" };
	const char *two[] = { "v=DMARC1; p=none", "v=DMARC1;p=reject" };

	ck_assert(dmarc_is_record("v=DMARC1", 8));
	ck_assert(dmarc_is_record("v = DMARC1 ;p=none", 18));
	ck_assert(!dmarc_is_record("v=dmarc1; p=none", 16));
	ck_assert(!dmarc_is_record("p=none; v=DMARC1", 16));
	dmarc_of(&c, ok, 2);
	ck_assert_uint_eq(c.n_records, 1);
	ck_assert_str_eq(c.p, "reject");
	ck_assert(c.p_valid);
	ck_assert_str_eq(c.sp, "quarantine");
	ck_assert_int_eq(c.pct, 50);
	ck_assert_str_eq(c.rua, "mailto:agg@example.test,mailto:x@example.net!10m");
	ck_assert_str_eq(c.ruf, "mailto:f@example.test");
	ck_defects(&c.defects, "");
	dmarc_check_free(&c);

	dmarc_of(&c, bad, 1);
	ck_assert_str_eq(c.p, "maybe");
	ck_assert(!c.p_valid);
	ck_assert_int_eq(c.pct, -1);
	ck_defects(&c.defects, "dmarc-bad-policy dmarc-bad-uri dmarc-bad-pct dmarc-bad-alignment "
		   "dmarc-unknown-tag dmarc-duplicate-tag");
	dmarc_check_free(&c);

	dmarc_of(&c, nop, 1);
	ck_assert_ptr_null(c.p);
	ck_defects(&c.defects, "dmarc-no-p");
	dmarc_check_free(&c);

	dmarc_of(&c, two, 2);
	ck_assert_uint_eq(c.n_records, 2);
	ck_defects(&c.defects, "dmarc-multiple");
	dmarc_check_free(&c);
}
END_TEST

START_TEST(sendpol_foreign_bytes_escaped)
{
	const char r[] = "v=spf1 a\0b \x1b[31m -all";
	const char *t[] = { r };
	size_t len[] = { sizeof r - 1 };
	struct spf_check c;

	spf_check(t, len, 1, &c);
	ck_assert_ptr_nonnull(c.record);
	ck_assert_ptr_null(strchr(c.record, '\x1b'));
	ck_assert_uint_eq(strlen(c.record) > 10, 1);
	ck_assert_uint_ge(c.defects.n, 2);
	ck_assert_str_eq(c.defects.d[0].id, "spf-nul");
	for (size_t i = 0; i < c.defects.n; i++)
		ck_assert_ptr_null(strchr(c.defects.d[i].text, '\x1b'));
	spf_check_free(&c);
}
END_TEST

Suite *probe_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("helpers");

	tcase_add_test(tc, split_address_and_domain);
	tcase_add_test(tc, names_compare_as_dns_names);
	tcase_add_test(tc, name_from_a_reply_line);
	tcase_add_test(tc, forward_confirmed_reverse_dns);
	tcase_add_test(tc, json_text_is_escaped_and_valid);
	tcase_add_test(tc, spf_record_selected_and_checked);
	tcase_add_test(tc, spf_defects_named);
	tcase_add_test(tc, dmarc_record_checked);
	tcase_add_test(tc, sendpol_foreign_bytes_escaped);
	suite_add_tcase(s, tc);
	return s;
}
