/* caps: EHLO keywords and their parameters (RFC 5321 4.1.1.1). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/caps.h"
#include "smtpscope/util.h"
#include "suites.h"

/* Parses one EHLO reply from its bytes into c (initialised by the caller). */
static void caps_from(struct caps *c, const char *bytes)
{
	struct reply_parser *p = reply_parser_new();
	struct reply *r;

	reply_parser_feed(p, bytes, strlen(bytes));
	r = reply_parser_next(p);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_null(reply_parser_next(p));
	caps_parse(c, r);
	reply_free(r);
	reply_parser_free(p);
}

/* The capability for keyword, asserting it is there with the given id. */
static const struct cap *cap_get(const struct caps *c, const char *keyword,
				 enum cap_id id)
{
	const struct cap *cap = caps_find(c, keyword);

	ck_assert_msg(cap != NULL, "%s not found", keyword);
	ck_assert_int_eq(cap->id, id);
	return cap;
}

static void assert_args(const struct cap *cap, const char *params,
			const char *const *argv, size_t argc)
{
	size_t i;

	ck_assert_str_eq(cap->params, params);
	ck_assert_uint_eq(cap->argc, argc);
	for (i = 0; i < argc; i++)
		ck_assert_str_eq(cap->argv[i], argv[i]);
}

static char *summary(const struct caps *c)
{
	struct buf b;

	buf_init(&b);
	caps_summary(c, &b);
	return buf_steal(&b);
}

static const char ehlo_full[] =
	"250-mx.example.com Hello client.example [192.0.2.1]\r\n"
	"250-SIZE 10240000\r\n"
	"250-AUTH PLAIN LOGIN CRAM-MD5\r\n"
	"250-STARTTLS\r\n"
	"250-PIPELINING\r\n"
	"250-8BITMIME\r\n"
	"250-SMTPUTF8\r\n"
	"250-CHUNKING\r\n"
	"250-BINARYMIME\r\n"
	"250-DSN\r\n"
	"250-ENHANCEDSTATUSCODES\r\n"
	"250-REQUIRETLS\r\n"
	"250-VRFY\r\n"
	"250-ETRN\r\n"
	"250-HELP\r\n"
	"250-DELIVERBY 86400\r\n"
	"250 MTRK\r\n";

START_TEST(test_greeting_line)
{
	struct caps c;

	caps_init(&c);
	caps_from(&c, ehlo_full);
	ck_assert(c.valid);
	ck_assert_str_eq(c.domain, "mx.example.com");
	ck_assert_str_eq(c.greet, "Hello client.example [192.0.2.1]");
	ck_assert_uint_eq(c.n, 16);

	/* A single-line EHLO reply: a valid set with no extensions. */
	caps_from(&c, "250 mx.example.com\r\n");
	ck_assert(c.valid);
	ck_assert_str_eq(c.domain, "mx.example.com");
	ck_assert_str_eq(c.greet, "");
	ck_assert_uint_eq(c.n, 0);
	ck_assert(!caps_has(&c, CAP_SIZE));
	caps_free(&c);
}
END_TEST

/* Every extension smtpscope knows, found by id, by name, and by caps_find. */
START_TEST(test_every_known_keyword)
{
	struct caps c;
	int id;

	caps_init(&c);
	caps_from(&c, ehlo_full);
	for (id = CAP_OTHER + 1; id < CAP__COUNT; id++) {
		const char *name = caps_name((enum cap_id)id);
		const struct cap *cap;

		ck_assert_ptr_nonnull(name);
		ck_assert_msg(caps_has(&c, (enum cap_id)id), "%s missing", name);
		cap = cap_get(&c, name, (enum cap_id)id);
		ck_assert_str_eq(cap->keyword, name);
		ck_assert(!cap->legacy);
		ck_assert(!cap->malformed);
	}
	ck_assert(!caps_has(&c, CAP_OTHER));
	ck_assert_str_eq(cap_get(&c, "STARTTLS", CAP_STARTTLS)->params, "");
	ck_assert_uint_eq(cap_get(&c, "CHUNKING", CAP_CHUNKING)->argc, 0);
	ck_assert_str_eq(cap_get(&c, "DELIVERBY", CAP_DELIVERBY)->params, "86400");
	caps_free(&c);

	/* And none of them is claimed when the server does not list it. */
	caps_from(&c, "250 mx.example.com\r\n");
	for (id = CAP_OTHER; id <= CAP__COUNT; id++)
		ck_assert(!caps_has(&c, (enum cap_id)id));
	caps_free(&c);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_ptr_null(caps_name(CAP_OTHER));
	ck_assert_ptr_null(caps_name(CAP__COUNT));
	ck_assert_ptr_null(caps_name((enum cap_id)-1));
	ck_assert_str_eq(caps_name(CAP_STARTTLS), "STARTTLS");
	ck_assert_str_eq(caps_name(CAP_8BITMIME), "8BITMIME");
	ck_assert_str_eq(caps_name(CAP_ENHANCEDSTATUSCODES), "ENHANCEDSTATUSCODES");
}
END_TEST

/* Keywords are case-insensitive (RFC 5321 2.4). */
START_TEST(test_keyword_case)
{
	struct caps c;

	caps_init(&c);
	caps_from(&c, "250-mx\r\n250-pipelining\r\n250-StartTLS\r\n250 size 5000\r\n");
	ck_assert(caps_has(&c, CAP_PIPELINING));
	ck_assert(caps_has(&c, CAP_STARTTLS));
	ck_assert_str_eq(cap_get(&c, "Pipelining", CAP_PIPELINING)->keyword, "PIPELINING");
	ck_assert_str_eq(cap_get(&c, "starttls", CAP_STARTTLS)->keyword, "STARTTLS");
	ck_assert(c.size_declared);
	ck_assert_uint_eq(c.size_max, 5000);
	caps_free(&c);
}
END_TEST

/* RFC 1870: SIZE [number]; no number means no fixed limit announced. */
START_TEST(test_size)
{
	static const char *const num[] = { "10240000" };
	struct caps c;

	caps_init(&c);
	caps_from(&c, "250-mx\r\n250 SIZE 10240000\r\n");
	ck_assert(caps_has(&c, CAP_SIZE));
	ck_assert(c.size_declared);
	ck_assert_uint_eq(c.size_max, 10240000);
	assert_args(cap_get(&c, "SIZE", CAP_SIZE), "10240000", num, 1);

	caps_from(&c, "250-mx\r\n250 SIZE\r\n");
	ck_assert(caps_has(&c, CAP_SIZE));
	ck_assert(!c.size_declared);
	ck_assert_uint_eq(c.size_max, 0);
	assert_args(cap_get(&c, "SIZE", CAP_SIZE), "", NULL, 0);

	caps_from(&c, "250-mx\r\n250 SIZE 0\r\n");
	ck_assert(c.size_declared);
	ck_assert_uint_eq(c.size_max, 0);

	caps_from(&c, "250-mx\r\n250 SIZE 18446744073709551615\r\n");
	ck_assert(c.size_declared);
	ck_assert_uint_eq(c.size_max, 18446744073709551615ULL);
	caps_free(&c);
}
END_TEST

START_TEST(test_size_not_a_number)
{
	static const char *const bad[] = {
		"250-mx\r\n250 SIZE abc\r\n", "250-mx\r\n250 SIZE -5\r\n",
		"250-mx\r\n250 SIZE 12k\r\n", "250-mx\r\n250 SIZE +5\r\n",
		"250-mx\r\n250 SIZE  \r\n",
	};
	struct caps c;
	size_t i;

	caps_init(&c);
	for (i = 0; i < UTIL_ARRAY_LEN(bad); i++) {
		caps_from(&c, bad[i]);
		ck_assert_msg(caps_has(&c, CAP_SIZE), "%zu: SIZE missing", i);
		ck_assert_msg(!c.size_declared, "%zu: size declared", i);
		ck_assert_uint_eq(c.size_max, 0);
	}
	caps_free(&c);
}
END_TEST

/* RFC 4954: AUTH mechanism list; mechanisms are case-insensitive. */
START_TEST(test_auth)
{
	static const char *const mechs[] = { "PLAIN", "LOGIN", "CRAM-MD5" };
	struct caps c;

	caps_init(&c);
	caps_from(&c, ehlo_full);
	assert_args(cap_get(&c, "AUTH", CAP_AUTH), "PLAIN LOGIN CRAM-MD5", mechs, 3);
	ck_assert(caps_has_auth(&c, "PLAIN"));
	ck_assert(caps_has_auth(&c, "plain"));
	ck_assert(caps_has_auth(&c, "Login"));
	ck_assert(caps_has_auth(&c, "cram-md5"));
	ck_assert(!caps_has_auth(&c, "XOAUTH2"));
	ck_assert(!caps_has_auth(&c, "PLAI"));
	ck_assert(!caps_has_auth(&c, "PLAIN LOGIN"));
	ck_assert(!caps_has_auth(&c, ""));

	/* No AUTH at all, or AUTH with no mechanisms. */
	caps_from(&c, "250-mx\r\n250 STARTTLS\r\n");
	ck_assert(!caps_has(&c, CAP_AUTH));
	ck_assert(!caps_has_auth(&c, "PLAIN"));
	caps_from(&c, "250-mx\r\n250 AUTH\r\n");
	ck_assert(caps_has(&c, CAP_AUTH));
	ck_assert(!caps_has_auth(&c, "PLAIN"));
	caps_free(&c);
}
END_TEST

/* Mechanisms are not taken from other keywords' parameters. */
START_TEST(test_auth_only_from_auth)
{
	struct caps c;

	caps_init(&c);
	caps_from(&c, "250-mx\r\n250-X-EXPS GSSAPI NTLM\r\n250 AUTH LOGIN\r\n");
	ck_assert(caps_has_auth(&c, "LOGIN"));
	ck_assert(!caps_has_auth(&c, "GSSAPI"));
	caps_free(&c);
}
END_TEST

/* The pre-standard "AUTH=LOGIN PLAIN" form is read as AUTH. */
START_TEST(test_auth_legacy)
{
	static const char *const mechs[] = { "LOGIN", "PLAIN" };
	const struct cap *cap;
	struct caps c;

	caps_init(&c);
	caps_from(&c, "250-mx\r\n250 AUTH=LOGIN PLAIN\r\n");
	ck_assert(caps_has(&c, CAP_AUTH));
	cap = cap_get(&c, "AUTH", CAP_AUTH);
	ck_assert(cap->legacy);
	ck_assert(!cap->malformed);
	ck_assert_str_eq(cap->keyword, "AUTH");
	assert_args(cap, "LOGIN PLAIN", mechs, 2);
	ck_assert(caps_has_auth(&c, "login"));
	ck_assert(caps_has_auth(&c, "PLAIN"));

	/* Both forms, as old Exim and Sendmail configurations send. */
	caps_from(&c, "250-mx\r\n250-AUTH PLAIN\r\n250 AUTH=LOGIN\r\n");
	ck_assert_uint_eq(c.n, 2);
	ck_assert(!caps_find(&c, "AUTH")->legacy); /* the first one */
	ck_assert(c.items[1].legacy);
	ck_assert(caps_has_auth(&c, "PLAIN"));
	ck_assert(caps_has_auth(&c, "LOGIN"));
	caps_free(&c);
}
END_TEST

/* Unknown and X- keywords are kept, with their parameters as sent. */
START_TEST(test_unknown_keywords)
{
	static const char *const exps[] = { "GSSAPI", "NTLM" };
	static const char *const foo[] = { "baz", "Qux" };
	const struct cap *cap;
	struct caps c;

	caps_init(&c);
	caps_from(&c, "250-mx\r\n250-X-EXPS GSSAPI NTLM\r\n250-XCLIENT NAME ADDR\r\n"
		      "250-foo-bar baz  Qux\r\n250 LIMITS RCPTMAX=100 MAILMAX=5\r\n");
	ck_assert_uint_eq(c.n, 4);
	cap = cap_get(&c, "X-EXPS", CAP_OTHER);
	assert_args(cap, "GSSAPI NTLM", exps, 2);
	ck_assert(!cap->malformed);
	cap = cap_get(&c, "FOO-BAR", CAP_OTHER);
	ck_assert_str_eq(cap->keyword, "FOO-BAR");
	assert_args(cap, "baz  Qux", foo, 2);
	ck_assert_str_eq(cap_get(&c, "xclient", CAP_OTHER)->params, "NAME ADDR");
	ck_assert_str_eq(cap_get(&c, "LIMITS", CAP_OTHER)->argv[1], "MAILMAX=5");
	/* Order as sent. */
	ck_assert_str_eq(c.items[0].keyword, "X-EXPS");
	ck_assert_str_eq(c.items[3].keyword, "LIMITS");
	ck_assert(!caps_has(&c, CAP_OTHER));
	ck_assert_ptr_null(caps_find(&c, "X-EXP"));
	caps_free(&c);
}
END_TEST

START_TEST(test_params_whitespace)
{
	static const char *const argv[] = { "a", "b", "c" };
	struct caps c;

	caps_init(&c);
	caps_from(&c, "250-mx\r\n250-X-TABS\ta\t b \tc\r\n250-\r\n250 LAST\r\n");
	/* The empty line is no keyword. */
	ck_assert_uint_eq(c.n, 2);
	assert_args(cap_get(&c, "X-TABS", CAP_OTHER), "a\t b \tc", argv, 3);
	ck_assert_str_eq(c.items[1].keyword, "LAST");
	caps_free(&c);
}
END_TEST

/* RFC 5321 4.1.1.1: ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-") */
START_TEST(test_malformed_keywords)
{
	static const struct { const char *kw; bool bad; } cases[] = {
		{ "8BITMIME", false }, { "X-FOO", false }, { "A1-2-3", false },
		{ "-LEADING", true }, { "FO_O", true }, { "AU.TH", true },
		{ "T\xc3\x89ST", true }, { "X:Y", true }, { "A\x1b", true },
	};
	struct caps c;
	size_t i;

	caps_init(&c);
	for (i = 0; i < UTIL_ARRAY_LEN(cases); i++) {
		char *in = xasprintf("250-mx\r\n250 %s param\r\n", cases[i].kw);
		caps_from(&c, in);
		ck_assert_uint_eq(c.n, 1);
		ck_assert_msg(c.items[0].malformed == cases[i].bad,
			      "case %zu: malformed is %d", i, c.items[0].malformed);
		ck_assert_str_eq(c.items[0].params, "param");
		free(in);
	}
	caps_free(&c);
}
END_TEST

/* A refused EHLO (the client falls back to HELO) gives no capabilities. */
START_TEST(test_refused_ehlo)
{
	static const char *const refusals[] = {
		"502 5.5.2 Command not recognized\r\n",
		"550-mx.example.com go away\r\n550 STARTTLS\r\n",
		"421 4.7.0 closing\r\n",
		"354 SIZE 1000\r\n",
		"hello\r\n",
		"199 SIZE\r\n",
	};
	struct caps c;
	size_t i;

	caps_init(&c);
	for (i = 0; i < UTIL_ARRAY_LEN(refusals); i++) {
		caps_from(&c, ehlo_full);
		ck_assert(c.valid);
		caps_from(&c, refusals[i]);
		ck_assert_msg(!c.valid, "%zu: valid", i);
		ck_assert_uint_eq(c.n, 0);
		ck_assert_ptr_null(c.domain);
		ck_assert_ptr_null(c.greet);
		ck_assert(!caps_has(&c, CAP_STARTTLS));
		ck_assert(!caps_has(&c, CAP_SIZE));
		ck_assert(!c.size_declared);
		ck_assert_ptr_null(caps_find(&c, "STARTTLS"));
		ck_assert(!caps_has_auth(&c, "PLAIN"));
	}
	caps_free(&c);
}
END_TEST

/* Parsing again replaces the previous set (the sanitizer build checks
 * that nothing of the old one leaks). */
START_TEST(test_reparse_replaces)
{
	struct caps c;

	caps_init(&c);
	caps_from(&c, ehlo_full);
	ck_assert_uint_eq(c.n, 16);
	ck_assert(c.size_declared);
	caps_from(&c, "250-after.tls Hi again\r\n250 AUTH XOAUTH2\r\n");
	ck_assert(c.valid);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_str_eq(c.domain, "after.tls");
	ck_assert_str_eq(c.greet, "Hi again");
	ck_assert(!caps_has(&c, CAP_STARTTLS));
	ck_assert(!caps_has(&c, CAP_SIZE));
	ck_assert(!c.size_declared);
	ck_assert_uint_eq(c.size_max, 0);
	ck_assert(!caps_has_auth(&c, "PLAIN"));
	ck_assert(caps_has_auth(&c, "XOAUTH2"));
	caps_free(&c);
	/* caps_free leaves an empty set that can be freed or parsed again. */
	ck_assert_uint_eq(c.n, 0);
	ck_assert_ptr_null(c.items);
	caps_free(&c);
}
END_TEST

START_TEST(test_find)
{
	struct caps c;

	caps_init(&c);
	ck_assert_ptr_null(caps_find(&c, "SIZE"));
	caps_from(&c, ehlo_full);
	ck_assert_ptr_eq(caps_find(&c, "size"), &c.items[0]);
	ck_assert_ptr_eq(caps_find(&c, "MTRK"), &c.items[c.n - 1]);
	ck_assert_ptr_null(caps_find(&c, "SIZ"));
	ck_assert_ptr_null(caps_find(&c, "SIZE 10240000"));
	ck_assert_ptr_null(caps_find(&c, ""));
	/* The greeting line is not a keyword. */
	ck_assert_ptr_null(caps_find(&c, "mx.example.com"));
	caps_free(&c);
}
END_TEST

START_TEST(test_summary)
{
	struct caps c;
	char *s;

	caps_init(&c);
	s = summary(&c);
	ck_assert_str_eq(s, "");
	free(s);

	caps_from(&c, "250-mx\r\n250-SIZE 1000\r\n250-pipelining\r\n"
		      "250-AUTH=LOGIN PLAIN\r\n250 X-EVIL \x1b[2Jgotcha\r\n");
	s = summary(&c);
	/* Server text is escaped: no raw ESC reaches the terminal. */
	ck_assert_str_eq(s, "SIZE 1000, PIPELINING, AUTH LOGIN PLAIN, X-EVIL \\x1b[2Jgotcha");
	free(s);
	caps_free(&c);
}
END_TEST

static char *diff(const char *before, const char *after, size_t *n)
{
	struct caps a, b;
	struct buf out;

	caps_init(&a);
	caps_init(&b);
	caps_from(&a, before);
	caps_from(&b, after);
	buf_init(&out);
	*n = caps_diff(&a, &b, &out);
	caps_free(&a);
	caps_free(&b);
	return out.data ? buf_steal(&out) : xstrdup("");
}

START_TEST(test_diff)
{
	size_t n;
	char *d;

	d = diff("250-mx\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 STARTTLS\r\n",
		 "250-mx\r\n250-PIPELINING\r\n250-SIZE 2000\r\n250 AUTH PLAIN LOGIN\r\n", &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(d, "~SIZE 2000 (was \"1000\"), +AUTH PLAIN LOGIN, -STARTTLS");
	free(d);
	d = diff("250-mx\r\n250 PIPELINING\r\n", "250-other\r\n250 pipelining\r\n", &n);
	ck_assert_uint_eq(n, 0);
	ck_assert_str_eq(d, "");
	free(d);
}
END_TEST

Suite *caps_suite(void)
{
	Suite *s = suite_create("caps");
	TCase *kw = tcase_create("keywords");
	TCase *set = tcase_create("set");

	tcase_add_test(kw, test_every_known_keyword);
	tcase_add_test(kw, test_names);
	tcase_add_test(kw, test_keyword_case);
	tcase_add_test(kw, test_size);
	tcase_add_test(kw, test_size_not_a_number);
	tcase_add_test(kw, test_auth);
	tcase_add_test(kw, test_auth_only_from_auth);
	tcase_add_test(kw, test_auth_legacy);
	tcase_add_test(kw, test_unknown_keywords);
	tcase_add_test(kw, test_params_whitespace);
	tcase_add_test(kw, test_malformed_keywords);
	suite_add_tcase(s, kw);

	tcase_add_test(set, test_greeting_line);
	tcase_add_test(set, test_refused_ehlo);
	tcase_add_test(set, test_reparse_replaces);
	tcase_add_test(set, test_find);
	tcase_add_test(set, test_summary);
	tcase_add_test(set, test_diff);
	suite_add_tcase(s, set);
	return s;
}
