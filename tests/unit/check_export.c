/* export: a small session as .txt (what line mode prints), .jsonl (one
 * event per line) and .html (each line a span of its kind's class, the
 * ladder), the AUTH secret redacted in each. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "smtpscope/export.h"
#include "suites.h"

static const char secret[] = "AGFsaWNlAHMzY3JldA==";

static char *render(struct session *s, enum export_format f, bool timestamps, struct buf *b)
{
	struct printer_options o = { .annotate = true, .timestamps = timestamps, .kb = fixture_kb() };

	buf_init(b);
	export_render(s, &o, f, b);
	ck_assert_ptr_nonnull(b->data);
	ck_assert_ptr_null(strstr(b->data, secret));
	return b->data;
}

START_TEST(format_by_extension)
{
	enum export_format f;

	ck_assert(export_format_of("a/b.TXT", &f) && f == EXPORT_TXT);
	ck_assert(export_format_of("s.jsonl", &f) && f == EXPORT_JSONL);
	ck_assert(export_format_of("s.htm", &f) && f == EXPORT_HTML);
	ck_assert(export_format_of("s.html", &f) && f == EXPORT_HTML);
	ck_assert(!export_format_of("s.pdf", &f));
	ck_assert(!export_format_of("dir.txt/s", &f));
	ck_assert(!export_format_of("noext", &f));
}
END_TEST

/* Every string of the NULL-ended list is somewhere in t. */
static void assert_has(const char *t, const char *const *want)
{
	for (; *want; want++)
		ck_assert_msg(strstr(t, *want) != NULL, "no [%s] in:\n%s", *want, t);
}

START_TEST(txt_is_the_printed_transcript)
{
	static const char *const want[] = {
		"\n -> EHLO me.example\n<-  250-mx.test\n<-  250 AUTH PLAIN\n",
		"\n -> AUTH PLAIN ***\n<-  235 2.7.0 ok\n",
		"\n<-  550 5.1.1 <b@example.com>: no such user\n",
		"\n=== connection closed\n", NULL,
	};
	struct session *s = fixture_small_session();
	struct buf b;

	ck_assert(FIXTURE_STARTS(render(s, EXPORT_TXT, false, &b),
				 "=== connected to mx.test\n<-  220 mx.test ESMTP\n  # "));
	assert_has(b.data, want);
	buf_free(&b);
	session_free(s);
}
END_TEST

START_TEST(jsonl_one_event_per_line)
{
	struct session *s = fixture_small_session();
	struct buf b;
	const char *t = render(s, EXPORT_JSONL, false, &b), *p;
	size_t lines = 0;

	for (p = t; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	ck_assert_uint_eq(lines, session_count(s));
	ck_assert(FIXTURE_STARTS(t, "{\"index\":0,\"kind\":\"connect\",\"time\":\"2023-11-14T22:13:20.000Z\","
			     "\"text\":\"connected to mx.test\",\"lines\":null,\"code\":null"));
	ck_assert_ptr_nonnull(strstr(t, "\"kind\":\"sent\",\"time\":\"2023-11-14T22:13:20.002Z\","
				       "\"text\":null,\"lines\":[\"AUTH PLAIN ***\"]"));
	p = strstr(t, "\"lines\":[\"AUTH PLAIN ***\"]");
	ck_assert_ptr_nonnull(strstr(p, "\"redacted\":true"));
	ck_assert(strstr(p, "\"redacted\":true") < strchr(p, '\n'));
	p = strstr(t, "\"lines\":[\"550 5.1.1");
	ck_assert_ptr_nonnull(p);
	ck_assert(FIXTURE_STARTS(strstr(p, "\"code\":"), "\"code\":550,\"enhanced\":\"5.1.1\",\"command\":\"RCPT\""));
	ck_assert_ptr_nonnull(strstr(p, "\"latency_ms\":1.0"));
	ck_assert_ptr_nonnull(strstr(t, "\"lines\":[\"250-mx.test\",\"250 AUTH PLAIN\"]"));
	buf_free(&b);
	session_free(s);
}
END_TEST

/* A multi-line note keeps its line breaks (JSON "\n", not a backslash and
 * an n), while an escape in it is still made visible. */
START_TEST(jsonl_note_line_breaks)
{
	struct session *s = fixture_session();
	struct buf b;
	const char *t;

	session_text(s, SESSION_NOTE, "first line\nsecond \x1b[2J line");
	t = render(s, EXPORT_JSONL, false, &b);
	ck_assert_ptr_nonnull(strstr(t, "\"text\":\"first line\\nsecond \\\\x1b[2J line\""));
	ck_assert_ptr_null(strstr(t, "first line\\\\n"));
	buf_free(&b);
	session_free(s);
}
END_TEST

/* Each transcript line is a span of its kind's class, whatever precedes
 * its marker (a time, "(insecure) "). */
static void assert_html_classes(const char *t)
{
	static const struct { const char *cls, *line; } want[] = {
		{ "n", "=== connected to mx.test" },
		{ "r2", "&lt;-  220 mx.test ESMTP" },
		{ "x", "  # 220 " },
		{ "s", " -&gt; AUTH PLAIN ***" },
		{ "r5", "&lt;-  550 5.1.1 &lt;b@example.com&gt;: no such user" },
		{ "w", "!!! a warning" },
		{ "e", "*** an error" },
		{ "t", "~~~ TLSv1.3" },
		{ "r2", "(insecure) &lt;~  250 2.0.0 fine" },
		{ "s", "(insecure)  ~&gt; NOOP" },
	};
	char want_span[160];

	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		snprintf(want_span, sizeof want_span, "<span class=\"%s\">%s", want[i].cls, want[i].line);
		ck_assert_msg(strstr(t, want_span) != NULL, "no %s", want_span);
	}
}

static struct session *html_session(void)
{
	struct session *s = fixture_small_session();

	session_text(s, SESSION_WARN, "a warning");
	session_text(s, SESSION_ERROR, "an error");
	session_tls(s, SESSION_TLS_UP, NULL, "TLSv1.3 up");
	session_set_channel(s, true, true);
	fixture_exchange(s, "NOOP\r\n", "250 2.0.0 fine\r\n", SMTP_V_NOOP, 1);
	return s;
}

START_TEST(html_lines_classed_by_kind)
{
	struct session *s = html_session();
	struct buf b;
	const char *t = render(s, EXPORT_HTML, false, &b);

	ck_assert(FIXTURE_STARTS(t, "<!DOCTYPE html>\n"));
	assert_html_classes(t);
	ck_assert_ptr_nonnull(strstr(t, "<h2>Ladder</h2>"));
	ck_assert_ptr_nonnull(strstr(t, "</html>\n"));
	buf_free(&b);
	session_free(s);
}
END_TEST

START_TEST(html_classes_with_timestamps)
{
	static const char *const want[] = {
		"<span class=\"n\">22:13:20.000 === connected to mx.test",
		"<span class=\"r5\">22:13:20.007 &lt;-  550 5.1.1",
		"<span class=\"r2\">22:13:20.009 (insecure) &lt;~  250 2.0.0 fine", NULL,
	};
	struct session *s = html_session();
	struct buf b;

	assert_has(render(s, EXPORT_HTML, true, &b), want);
	buf_free(&b);
	session_free(s);
}
END_TEST

/* --raw dumps are kept: in .txt as printed, in .html as spans of class
 * "b", in .jsonl as kind "raw" with the bytes in hex; a secret write by
 * its size alone in every format. */
START_TEST(raw_dumps_in_every_format)
{
	static const char *const txt[] = {
		"  | read 8 bytes\n  | 0000  32 35 30 20 6f 6b 0d 0a ",
		"\n  | wrote 33 bytes; TLS records: application data (50 bytes); part of an AUTH "
		"exchange: not dumped", NULL,
	};
	static const char *const jsonl[] = {
		"\"kind\":\"raw\",", "\"raw\":{\"direction\":\"read\",\"bytes\":8,\"hex\":\"323530206f6b0d0a\","
		"\"tls_records\":null}}\n",
		"\"redacted\":true,", "\"raw\":{\"direction\":\"write\",\"bytes\":33,\"hex\":null,"
		"\"tls_records\":\"application data (50 bytes)\"}}\n", NULL,
	};
	static const char *const html[] = {
		"<span class=\"b\">  | read 8 bytes</span>\n",
		"<span class=\"b\">  | 0000  32 35 30 20 6f 6b 0d 0a ", NULL,
	};
	struct session *s = fixture_session();
	struct buf b;

	session_raw(s, false, "250 ok\r\n", 8, 8, false, NULL);
	session_raw(s, true, "AUTH PLAIN AGFsaWNlAHMzY3JldA==\r\n", 33, 33, true, "application data (50 bytes)");
	assert_has(render(s, EXPORT_TXT, false, &b), txt);
	buf_free(&b);
	assert_has(render(s, EXPORT_JSONL, false, &b), jsonl);
	buf_free(&b);
	assert_has(render(s, EXPORT_HTML, false, &b), html);
	buf_free(&b);
	session_free(s);
}
END_TEST

Suite *export_suite(void)
{
	Suite *s = suite_create("export");
	TCase *tc = tcase_create("formats");

	tcase_add_test(tc, format_by_extension);
	tcase_add_test(tc, txt_is_the_printed_transcript);
	tcase_add_test(tc, jsonl_one_event_per_line);
	tcase_add_test(tc, jsonl_note_line_breaks);
	tcase_add_test(tc, html_lines_classed_by_kind);
	tcase_add_test(tc, html_classes_with_timestamps);
	tcase_add_test(tc, raw_dumps_in_every_format);
	suite_add_tcase(s, tc);
	return s;
}
