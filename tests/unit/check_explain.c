/* explain: context meanings, enhanced codes in messy text, pasted replies,
 * unknown codes, 334 decoding, diagnoses and output forms, against the
 * shipped knowledge base. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "smtpscope/explain.h"
#include "smtpscope/kb.h"
#include "suites.h"

static struct kb *kb;

static void kb_setup(void)
{
	kb = kb_new();
	kb_load_dir(kb, kb_default_dir());
}

static void kb_teardown(void)
{
	kb_free(kb);
	kb = NULL;
}

/* Explains wire bytes as the reply to command (NULL: none). */
static void explain_wire(const char *bytes, const char *command, bool tls,
			 struct explanation *x)
{
	struct explain_ctx ctx = { .has_verb = command != NULL, .tls_active = tls };
	struct reply *r = fixture_wire(bytes);

	/* a name no verb has ("XYZZY") is an unknown command */
	if (command && !explain_verb_from_name(command, &ctx.verb))
		ctx.verb = SMTP_V_UNKNOWN;

	explain_reply(kb, r, &ctx, x);
	reply_free(r);
}

static const char *context_of(const char *bytes, const char *command, bool tls)
{
	struct explanation x;
	const char *m;

	explain_wire(bytes, command, tls, &x);
	m = x.context_meaning;
	explain_free(&x);
	ck_assert_msg(m != NULL, "no context meaning for %s after %s", bytes, command);
	return m; /* points into the kb, which outlives x */
}

START_TEST(test_same_code_different_context)
{
	const char *rcpt = context_of("250 2.1.5 ok\r\n", "RCPT", false);
	const char *dot = context_of("250 2.0.0 queued\r\n", "end of data", false);
	const char *bdat = context_of("250 2.0.0 chunk\r\n", "BDAT", false);
	const char *vrfy = context_of("250 <a@b>\r\n", "VRFY", false);

	ck_assert_ptr_ne(rcpt, dot);
	ck_assert_ptr_ne(dot, bdat);
	ck_assert_ptr_ne(rcpt, vrfy);
	ck_assert_ptr_ne(context_of("220 mx ESMTP\r\n", "greeting", false),
			 context_of("220 2.0.0 Ready to start TLS\r\n", "STARTTLS", false));
	ck_assert_ptr_ne(context_of("252 2.5.2 maybe\r\n", "VRFY", false),
			 context_of("252 started\r\n", "ETRN", false));
	/* 554: greeting, DATA, after the dot, STARTTLS: four stories. */
	{
		const char *g = context_of("554 no service\r\n", "greeting", false);
		const char *d = context_of("554 5.5.1 no valid recipients\r\n", "DATA", false);
		const char *e = context_of("554 5.7.1 rejected\r\n", "end of data", false);
		const char *t = context_of("554 5.7.3 too weak\r\n", "STARTTLS", false);

		ck_assert(g != d && g != e && g != t && d != e && d != t && e != t);
	}
	/* HELO falls back to EHLO's text; an unknown verb to "any". */
	ck_assert_ptr_nonnull(context_of("500 5.5.2 unknown\r\n", "XYZZY", false));
}
END_TEST

/* RFC 3207 4: inside TLS, 554 "lack of security" is the TLS refusal
 * (STARTTLS context, tls-failure); a 554 relay refusal inside TLS is an
 * ordinary one. */
START_TEST(test_554_inside_tls)
{
	const char *tls = context_of("554 5.7.3 too weak\r\n", "STARTTLS", false);
	struct explanation x;

	explain_wire("554 5.7.0 Command refused due to lack of security\r\n", "EHLO", true, &x);
	ck_assert_ptr_eq(x.context_meaning, tls);
	ck_assert_str_eq(x.diagnosis->id, "tls-failure");
	explain_free(&x);
	explain_wire("554 5.7.0 Command refused due to lack of security\r\n", "MAIL", true, &x);
	ck_assert_str_eq(x.diagnosis->id, "tls-failure");
	explain_free(&x);
	explain_wire("554 5.7.1 <x@far.test>: Relay access denied\r\n", "RCPT", true, &x);
	ck_assert_ptr_ne(x.context_meaning, tls);
	ck_assert_str_eq(x.diagnosis->id, "relay-denied");
	explain_free(&x);
	/* After the dot it is about the message, TLS or not. */
	explain_wire("554 5.7.1 security policy: spam\r\n", "end of data", true, &x);
	ck_assert_ptr_ne(x.context_meaning, tls);
	explain_free(&x);
}
END_TEST

START_TEST(test_short_form)
{
	struct explanation x;
	struct buf b;

	explain_wire("550 5.1.1 <nobody@demo.test>: Recipient address rejected: User unknown\r\n",
		     "RCPT", false, &x);
	buf_init(&b);
	explain_format_short(&x, &b);
	ck_assert_msg(strncmp(b.data, "550 5.1.1 mailbox-unknown: ", 27) == 0, "%s", b.data);
	ck_assert_ptr_null(strchr(b.data, '\n'));
	buf_free(&b);
	explain_free(&x);
}
END_TEST

static void expect_enh(const char *text, int code, enum explain_enh_source src, const char *want)
{
	struct explain_enh e;
	bool found;

	memset(&e, 0, sizeof e);
	found = explain_find_enhanced(text, code, &e);
	if (want == NULL) {
		ck_assert_msg(!found, "\"%s\": found %s where there is none", text, e.text);
		return;
	}
	ck_assert_msg(found, "\"%s\": no enhanced code found", text);
	ck_assert_str_eq(e.text, want);
	ck_assert_int_eq(e.source, src);
}

START_TEST(test_enhanced_in_messy_text)
{
	expect_enh("5.1.1 user unknown", 550, EXPLAIN_ENH_START, "5.1.1");
	expect_enh("Requested action not taken (#5.7.1)", 550, EXPLAIN_ENH_HASH, "5.7.1");
	expect_enh("mailbox unavailable #5.1.1 sorry", 550, EXPLAIN_ENH_HASH, "5.1.1");
	expect_enh("[TS01] Messages temporarily deferred 4.7.0 see help", 421,
		   EXPLAIN_ENH_TEXT, "4.7.0");
	expect_enh("Message rejected, see 5.7.26 for details.", 550, EXPLAIN_ENH_TEXT, "5.7.26");
	/* Numbers that are not enhanced codes. */
	expect_enh("host 192.168.5.1 refused", 550, 0, NULL);
	expect_enh("client 10.5.7.1 blocked", 550, 0, NULL);
	expect_enh("Postfix 2.11.3 ready", 220, 0, NULL);
	expect_enh("version 4.2.1 here", 550, 0, NULL);   /* class disagrees */
	expect_enh("5.01.1 leading zero", 550, 0, NULL);
	expect_enh("5.1.1000 too long", 550, 0, NULL);
	expect_enh("id=5.1.1x", 550, 0, NULL);
	expect_enh("", 550, 0, NULL);
}
END_TEST

START_TEST(test_enhanced_explained_by_class_and_subject)
{
	struct explanation x;

	/* X.1.99 is not registered: class and subject still explained. */
	explain_wire("550 5.1.99 odd\r\n", "RCPT", false, &x);
	ck_assert_int_eq(x.enh.source, EXPLAIN_ENH_START);
	ck_assert_ptr_null(x.enh.entry);
	ck_assert_ptr_nonnull(x.enh.cls_entry);
	ck_assert_ptr_nonnull(x.enh.subject_entry);
	ck_assert_uint_ge(x.nnotes, 1);
	ck_assert_ptr_nonnull(strstr(x.notes[0], "not in the IANA registry"));
	explain_free(&x);

	/* Class disagreeing with the basic code is pointed out. */
	explain_wire("550 4.2.2 full\r\n", "RCPT", false, &x);
	ck_assert_ptr_nonnull(x.enh.entry);
	ck_assert_uint_ge(x.nnotes, 1);
	ck_assert_ptr_nonnull(strstr(x.notes[0], "disagrees"));
	explain_free(&x);

	/* The deprecated X.6.10 says so. */
	ck_assert(explain_code(kb, 553, "5.6.10", NULL, &x));
	ck_assert_ptr_nonnull(x.enh.entry);
	ck_assert_ptr_nonnull(x.enh.entry->deprecated);
	explain_free(&x);
}
END_TEST

START_TEST(test_pasted_text)
{
	bool rejoined;
	char *w;

	w = explain_text_to_wire("550-5.7.1 The user is over quota 550 5.7.1 Try later", &rejoined);
	ck_assert_str_eq(w, "550-5.7.1 The user is over quota\r\n550 5.7.1 Try later\r\n");
	ck_assert(rejoined);
	free(w);
	w = explain_text_to_wire("550-5.1.1 first\n550-5.1.1 second\n550 5.1.1 third", &rejoined);
	ck_assert_str_eq(w, "550-5.1.1 first\r\n550-5.1.1 second\r\n550 5.1.1 third\r\n");
	ck_assert(!rejoined);
	free(w);
	/* Digits later in the text are not a new line ("250-234" stays). */
	w = explain_text_to_wire("250 sent 550 messages today", &rejoined);
	ck_assert_str_eq(w, "250 sent 550 messages today\r\n");
	ck_assert(!rejoined);
	free(w);
	/* A continuation pasted without its code gets the first line's. */
	w = explain_text_to_wire("421 4.7.0 first\nsecond part", &rejoined);
	ck_assert_str_eq(w, "421-4.7.0 first\r\n421 second part\r\n");
	free(w);
	/* A code alone: nothing read past its end. */
	w = explain_text_to_wire("550", &rejoined);
	ck_assert_str_eq(w, "550 \r\n");
	free(w);
	ck_assert_ptr_null(explain_text_to_wire("no code here", &rejoined));
	ck_assert_ptr_null(explain_text_to_wire("", &rejoined));
}
END_TEST

START_TEST(test_unknown_codes)
{
	struct explanation x;

	explain_wire("259 odd\r\n", "NOOP", false, &x);
	ck_assert_ptr_null(x.entry);
	ck_assert_str_eq(x.class_meaning, "positive completion (done)");
	ck_assert_str_eq(x.diagnosis->id, "accepted");
	ck_assert_str_eq(x.diagnosis_from, "first digit");
	ck_assert_ptr_nonnull(strstr(x.notes[0], "no entry for 259"));
	explain_free(&x);

	/* 299's second digit is out of range: malformed, never "accepted". */
	explain_wire("299 odd\r\n", "NOOP", false, &x);
	ck_assert_str_eq(x.diagnosis->id, "protocol-error");
	ck_assert_ptr_nonnull(strstr(x.notes[0], "second digit must be 0 to 5"));
	explain_free(&x);
	explain_wire("2500 ok\r\n", "DATA", false, &x);
	ck_assert_str_eq(x.diagnosis->id, "protocol-error");
	ck_assert_str_eq(x.diagnosis_from, "malformed code");
	explain_free(&x);

	explain_wire("456 odd\r\n", "RCPT", false, &x);
	ck_assert_str_eq(x.diagnosis->id, "temporary-server-error");
	explain_free(&x);

	/* Malformed codes are explained as such: a four-digit number is no
	 * code, and a second digit above 5 is not valid either. */
	explain_wire("2500 End data with <CR><LF>.<CR><LF>\r\n", "DATA", false, &x);
	ck_assert_int_eq(x.code, -1);
	ck_assert_ptr_nonnull(strstr(x.notes[0], "malformed reply"));
	explain_free(&x);
	explain_wire("260 odd\r\n", "MAIL", false, &x);
	ck_assert_ptr_nonnull(strstr(x.notes[0], "second digit must be 0 to 5"));
	explain_free(&x);

	explain_wire("150 odd\r\n", "MAIL", false, &x);
	ck_assert_ptr_null(x.class_meaning);
	ck_assert_ptr_nonnull(strstr(x.notes[0], "not a valid SMTP reply"));
	ck_assert_str_eq(x.diagnosis->id, "protocol-error");
	explain_free(&x);
}
END_TEST

START_TEST(test_auth_334_decoded)
{
	struct explanation x;

	explain_wire("334 UGFzc3dvcmQ6\r\n", "AUTH", false, &x);
	ck_assert_str_eq(x.decoded, "Password:");
	ck_assert_int_eq(x.enh.source, EXPLAIN_ENH_NONE);
	ck_assert_str_eq(x.diagnosis->id, "intermediate");
	explain_free(&x);
	explain_wire("334 not*base64\r\n", "AUTH", false, &x);
	ck_assert_ptr_null(x.decoded);
	ck_assert_uint_ge(x.nnotes, 1);
	explain_free(&x);
}
END_TEST

START_TEST(test_530_tls_or_auth)
{
	struct explanation x;

	explain_wire("530 5.7.0 Must issue a STARTTLS command first\r\n", "MAIL", false, &x);
	ck_assert_str_eq(x.diagnosis->id, "tls-required");
	explain_free(&x);
	explain_wire("530 5.7.0 Authentication required\r\n", "MAIL", true, &x);
	ck_assert_str_eq(x.diagnosis->id, "auth-required");
	explain_free(&x);
}
END_TEST

START_TEST(test_diagnosis_sources)
{
	struct explanation x;

	/* The enhanced code is more specific than 550 after RCPT. */
	explain_wire("550 5.2.2 mailbox full\r\n", "RCPT", false, &x);
	ck_assert_str_eq(x.diagnosis->id, "mailbox-full");
	ck_assert_str_eq(x.diagnosis_from, "enhanced code");
	explain_free(&x);
	/* A provider pattern is more specific still. */
	explain_wire("554 5.7.1 <x@elsewhere.example>: Relay access denied\r\n", "RCPT", false, &x);
	ck_assert_ptr_nonnull(x.pattern);
	ck_assert_str_eq(x.diagnosis->id, "relay-denied");
	ck_assert_str_eq(x.diagnosis_from, "provider pattern");
	explain_free(&x);
	/* A multiline Gmail reply is matched across its lines. */
	explain_wire("550-5.1.1 The email account that you tried to reach does not exist.\r\n"
		     "550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1-2 - gsmtp\r\n",
		     "RCPT", false, &x);
	ck_assert_ptr_nonnull(x.pattern);
	ck_assert_ptr_nonnull(strstr(x.pattern->who, "Gmail"));
	ck_assert_str_eq(x.diagnosis->id, "mailbox-unknown");
	explain_free(&x);
}
END_TEST

START_TEST(test_explain_code_and_enhanced_alone)
{
	struct explanation x;

	ck_assert(explain_code(kb, -1, "5.7.26", NULL, &x));
	ck_assert_ptr_nonnull(x.enh.entry);
	ck_assert_str_eq(x.diagnosis->id, "sender-authentication");
	/* No reply code was given, so none is judged (was "-01 is not a
	 * valid SMTP reply"). */
	for (size_t i = 0; i < x.nnotes; i++)
		ck_assert_msg(strstr(x.notes[i], "valid") == NULL && strstr(x.notes[i], "-01") == NULL,
			      "note %zu: %s", i, x.notes[i]);
	explain_free(&x);
	ck_assert(!explain_code(kb, 550, "5.1", NULL, &x));
	ck_assert(!explain_code(kb, 550, "3.1.1", NULL, &x));
	ck_assert(!explain_code(kb, -1, NULL, NULL, &x));
}
END_TEST

START_TEST(test_long_and_json_forms)
{
	struct explanation x;
	struct buf b;

	explain_wire("550 5.1.1 \x1b[2Jgone\r\n", "RCPT", false, &x);
	buf_init(&b);
	explain_format_long(&x, &b, 60);
	ck_assert_ptr_nonnull(strstr(b.data, "As the reply to RCPT"));
	ck_assert_ptr_nonnull(strstr(b.data, "Diagnosis: mailbox-unknown"));
	ck_assert_ptr_nonnull(strstr(b.data, "Key differences"));
	for (size_t i = 0; i < b.len; i++)
		ck_assert_msg(b.data[i] != '\x1b', "raw ESC in the long form");
	buf_clear(&b);
	explain_format_json(&x, &b);
	ck_assert_msg(strncmp(b.data, "{\"code\":550,", 12) == 0, "%s", b.data);
	ck_assert_ptr_nonnull(strstr(b.data, "\"enhanced\":{\"code\":\"5.1.1\",\"source\":\"start\""));
	ck_assert_ptr_nonnull(strstr(b.data, "\"text\":\"5.1.1 \\\\x1b[2Jgone\""));
	buf_free(&b);
	explain_free(&x);

	buf_init(&b);
	ck_assert(explain_compare(kb, 252, 354, false, &b));
	ck_assert_ptr_nonnull(strstr(b.data, "How they differ"));
	ck_assert(!explain_compare(kb, 252, 99, false, &b));
	buf_free(&b);
}
END_TEST

/* A 250 to EHLO, keyword by keyword: the kb's entry of each, what the
 * parameters say (SIZE 10240000 is about 9.8 MiB; AUTH PLAIN outside
 * TLS), keywords beginning with X, unknown and malformed ones; escaped;
 * in the long form and in JSON.  Other replies have no such list. */
START_TEST(test_ehlo_keywords)
{
	struct explanation x;
	struct buf b;

	explain_wire("250-mx.test Hello\r\n250-SIZE 10240000\r\n250-AUTH PLAIN LOGIN\r\n"
		     "250-AUTH=LOGIN\r\n250-X-EXPS GSSAPI\r\n250-XYZZY\r\n250-FROB\x1b[2J\r\n"
		     "250-WEIRD_ONE\r\n250 STARTTLS\r\n", "EHLO", false, &x);
	ck_assert_uint_eq(x.nexts, 8);
	ck_assert_str_eq(x.exts[0].keyword, "SIZE");
	ck_assert_str_eq(x.exts[0].params, "10240000");
	ck_assert_ptr_nonnull(x.exts[0].entry);
	ck_assert_ptr_nonnull(strstr(x.exts[0].detail, "10240000 bytes: about 9.8 MiB"));
	ck_assert_ptr_nonnull(strstr(x.exts[1].detail, "Outside TLS, PLAIN and LOGIN would send the password"));
	ck_assert(x.exts[2].legacy);
	ck_assert_ptr_nonnull(strstr(x.exts[2].detail, "pre-standard form"));
	ck_assert(x.exts[3].local && x.exts[3].entry != NULL);
	ck_assert(x.exts[4].local && x.exts[4].entry == NULL);
	ck_assert(!x.exts[5].local && x.exts[5].entry == NULL);
	ck_assert_str_eq(x.exts[5].keyword, "FROB\\x1b[2J");
	ck_assert(x.exts[6].malformed);
	ck_assert_ptr_null(x.exts[7].detail);
	buf_init(&b);
	explain_format_long(&x, &b, 72);
	ck_assert_ptr_nonnull(strstr(b.data, "The extensions offered, keyword by keyword (8)\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "  SIZE 10240000 — Message size declaration (RFC 1870)\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "  AUTH=LOGIN — "));
	ck_assert_ptr_nonnull(strstr(b.data, "  XYZZY\n    A private extension: keywords beginning with X"));
	ck_assert_ptr_nonnull(strstr(b.data, "Not in smtpscope's knowledge base"));
	ck_assert_ptr_nonnull(strstr(b.data, "does not allow"));
	ck_assert_ptr_nonnull(strstr(b.data, "    Try: /starttls"));
	for (size_t i = 0; i < b.len; i++)
		ck_assert_msg(b.data[i] != '\x1b', "raw ESC in the long form");
	buf_clear(&b);
	explain_format_json(&x, &b);
	ck_assert_ptr_nonnull(strstr(b.data, "\"extensions\":[{\"keyword\":\"SIZE\",\"params\":\"10240000\","
				       "\"known\":true,\"local\":false,\"legacy\":false,\"malformed\":false,"
				       "\"name\":\"Message size declaration\",\"rfc\":\"RFC 1870\""));
	ck_assert_ptr_nonnull(strstr(b.data, "{\"keyword\":\"XYZZY\",\"params\":\"\",\"known\":false,\"local\":true"));
	buf_free(&b);
	explain_free(&x);

	/* Inside TLS: no warning about PLAIN; STARTTLS offered again is one. */
	explain_wire("250-mx.test\r\n250-AUTH PLAIN\r\n250-SIZE 0\r\n250-SIZE\r\n250-SIZE 12k\r\n"
		     "250 STARTTLS\r\n", "LHLO", true, &x);
	ck_assert_uint_eq(x.nexts, 5);
	ck_assert_str_eq(x.exts[0].detail, "mechanisms: PLAIN.");
	ck_assert_ptr_nonnull(strstr(x.exts[1].detail, "0: no fixed limit"));
	ck_assert_ptr_nonnull(strstr(x.exts[2].detail, "no number given"));
	ck_assert_ptr_nonnull(strstr(x.exts[3].detail, "not a number of bytes"));
	ck_assert_ptr_nonnull(strstr(x.exts[4].detail, "RFC 3207 4.2 forbids"));
	explain_free(&x);

	/* Not EHLO, or not a 2xx: no keywords. */
	explain_wire("250-mx.test\r\n250 SIZE 10\r\n", "NOOP", false, &x);
	ck_assert_uint_eq(x.nexts, 0);
	buf_init(&b);
	explain_format_json(&x, &b);
	ck_assert_ptr_nonnull(strstr(b.data, "\"extensions\":[]"));
	buf_free(&b);
	explain_free(&x);
	explain_wire("550-mx.test\r\n550 SIZE 10\r\n", "EHLO", false, &x);
	ck_assert_uint_eq(x.nexts, 0);
	explain_free(&x);
}
END_TEST

Suite *explain_suite(void)
{
	Suite *s = suite_create("explain");
	TCase *tc = tcase_create("explain");

	tcase_add_unchecked_fixture(tc, kb_setup, kb_teardown);
	tcase_add_test(tc, test_same_code_different_context);
	tcase_add_test(tc, test_554_inside_tls);
	tcase_add_test(tc, test_short_form);
	tcase_add_test(tc, test_enhanced_in_messy_text);
	tcase_add_test(tc, test_enhanced_explained_by_class_and_subject);
	tcase_add_test(tc, test_pasted_text);
	tcase_add_test(tc, test_unknown_codes);
	tcase_add_test(tc, test_auth_334_decoded);
	tcase_add_test(tc, test_530_tls_or_auth);
	tcase_add_test(tc, test_diagnosis_sources);
	tcase_add_test(tc, test_explain_code_and_enhanced_alone);
	tcase_add_test(tc, test_long_and_json_forms);
	tcase_add_test(tc, test_ehlo_keywords);
	suite_add_tcase(s, tc);
	return s;
}
