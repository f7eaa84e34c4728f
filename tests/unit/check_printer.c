/* printer: each event's lines with their kind, a reply's class, the time,
 * TLS marks, hostile server bytes escaped; the text is what line mode
 * prints, and a saved line reads back as the same kind. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "smtpscope/printer.h"
#include "smtpscope/reply.h"
#include "smtpscope/util.h"
#include "suites.h"

static struct printer_lines lines;

static void lines_setup(void)
{
	printer_lines_init(&lines);
}

static void lines_teardown(void)
{
	printer_lines_free(&lines);
}

static struct printer_options opts(bool annotate, bool timestamps)
{
	return (struct printer_options){ .annotate = annotate, .timestamps = timestamps,
					 .kb = fixture_kb() };
}

static void collect(const struct session *s, size_t ev, const struct printer_options *o)
{
	printer_collect(o, session_get(s, ev), &lines);
}

/* Line i is of kind k and reads `text` after its prefix. */
static void assert_line(size_t i, enum printer_kind k, const char *text)
{
	const struct printer_line *l;

	ck_assert_uint_lt(i, lines.n);
	l = &lines.line[i];
	ck_assert_int_eq(l->kind, k);
	ck_assert_uint_le(l->body, l->len);
	ck_assert_msg(l->len - l->body == strlen(text) && memcmp(l->text + l->body, text, strlen(text)) == 0,
		      "line %zu: [%.*s], expected body [%s]", i, (int)l->len, l->text, text);
}

START_TEST(kinds_of_every_event)
{
	struct session *s = fixture_session();
	struct printer_options o = opts(true, false);
	size_t c = session_text(s, SESSION_CONNECT, "connected to mx.test");
	size_t greet = fixture_reply(s, "220 mx.test ESMTP\r\n", c, SMTP_V_GREETING);
	size_t w = session_text(s, SESSION_WARN, "MAIL before EHLO");
	size_t e = session_text(s, SESSION_ERROR, "timed out\nafter 30 s");
	size_t n = session_text(s, SESSION_NOTE, "a note");
	size_t t = session_tls(s, SESSION_TLS_UP, NULL, "TLSv1.3 handshake done");
	size_t d = session_text(s, SESSION_DATA, "message: 3 lines");
	size_t cl = session_text(s, SESSION_CLOSE, "closed");
	size_t sent = session_sent(s, "EHLO a\r\n", 8);

	collect(s, c, &o);
	ck_assert_uint_eq(lines.n, 1);
	assert_line(0, PRINTER_NOTE, "connected to mx.test");
	ck_assert_str_eq(lines.text.data, "=== connected to mx.test\n");
	collect(s, greet, &o);
	ck_assert_uint_eq(lines.n, 2);
	assert_line(0, PRINTER_REPLY, "220 mx.test ESMTP");
	ck_assert_int_eq(lines.line[0].reply_class, 2);
	ck_assert_int_eq(lines.line[1].kind, PRINTER_EXPLAIN);
	ck_assert_int_eq(lines.line[1].reply_class, 0);
	ck_assert_ptr_nonnull(strstr(lines.line[1].text, "[reply to greeting]"));
	ck_assert(FIXTURE_STARTS(lines.text.data, "<-  220 mx.test ESMTP\n  # "));
	collect(s, w, &o);
	assert_line(0, PRINTER_WARN, "MAIL before EHLO");
	ck_assert_str_eq(lines.text.data, "!!! MAIL before EHLO\n");
	collect(s, e, &o);
	ck_assert_uint_eq(lines.n, 2); /* each line of a text marked */
	assert_line(0, PRINTER_ERROR, "timed out");
	assert_line(1, PRINTER_ERROR, "after 30 s");
	ck_assert_str_eq(lines.text.data, "*** timed out\n*** after 30 s\n");
	collect(s, n, &o);
	assert_line(0, PRINTER_NOTE, "a note");
	collect(s, t, &o);
	assert_line(0, PRINTER_TLS, "TLSv1.3 handshake done");
	ck_assert_str_eq(lines.text.data, "~~~ TLSv1.3 handshake done\n");
	collect(s, d, &o);
	assert_line(0, PRINTER_NOTE, "message: 3 lines");
	collect(s, cl, &o);
	assert_line(0, PRINTER_NOTE, "closed");
	collect(s, sent, &o);
	ck_assert_uint_eq(lines.n, 1);
	assert_line(0, PRINTER_SENT, "EHLO a");
	ck_assert(!lines.line[0].encrypted && !lines.line[0].insecure);
	ck_assert_str_eq(lines.text.data, " -> EHLO a\n");
	session_free(s);
}
END_TEST

START_TEST(reply_classes_and_defects)
{
	struct session *s = fixture_session();
	struct printer_options o = opts(false, false);
	static const struct { const char *bytes; int cls; } cases[] = {
		{ "250 ok\r\n", 2 }, { "354 go on\r\n", 3 }, { "451 later\r\n", 4 },
		{ "554 no\r\n", 5 }, { "199 odd\r\n", 0 }, { "650 odd\r\n", 0 },
	};
	size_t ev;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ev = fixture_reply(s, cases[i].bytes, SIZE_MAX, SMTP_V_NOOP);
		collect(s, ev, &o);
		ck_assert_int_eq(lines.line[0].kind, PRINTER_REPLY);
		ck_assert_msg(lines.line[0].reply_class == cases[i].cls, "%s: class %d",
			      cases[i].bytes, lines.line[0].reply_class);
	}
	/* Every line of a multi-line reply has the class; no annotation. */
	ev = fixture_reply(s, "250-a\r\n250-b\r\n250 c\r\n", SIZE_MAX, SMTP_V_EHLO);
	collect(s, ev, &o);
	ck_assert_uint_eq(lines.n, 3);
	for (size_t i = 0; i < 3; i++)
		ck_assert_int_eq(lines.line[i].reply_class, 2);
	assert_line(2, PRINTER_REPLY, "250 c");
	/* A malformed reply: its lines, then a warning per defect. */
	ev = fixture_reply(s, "250-a\r\n251 b\r\n", SIZE_MAX, SMTP_V_EHLO);
	collect(s, ev, &o);
	ck_assert_uint_eq(lines.n, 3);
	ck_assert_int_eq(lines.line[2].kind, PRINTER_WARN);
	ck_assert_int_eq(lines.line[2].reply_class, 0);
	ck_assert_ptr_nonnull(strstr(lines.line[2].text, "malformed reply: "));
	/* Invalid codes have no class: "2500" is not 250, nor is 260. */
	ev = fixture_reply(s, "2500 End data\r\n", SIZE_MAX, SMTP_V_DATA);
	collect(s, ev, &o);
	ck_assert_int_eq(lines.line[0].reply_class, 0);
	ev = fixture_reply(s, "260 odd\r\n", SIZE_MAX, SMTP_V_DATA);
	collect(s, ev, &o);
	ck_assert_int_eq(lines.line[0].reply_class, 0);
	session_free(s);
}
END_TEST

/* RFC 6531 3.7.4: in an SMTPUTF8 transaction a reply may be UTF-8, so
 * valid UTF-8 is no defect then; invalid bytes, or UTF-8 outside such a
 * transaction, still are. */
START_TEST(utf8_reply_in_smtputf8_transaction)
{
	struct session *s = fixture_session();
	struct printer_options o = opts(false, false);
	size_t ev;

	ev = fixture_reply(s, "250 2.1.5 Gr\xc3\xbc\xc3\x9f""e ok\r\n", SIZE_MAX, SMTP_V_RCPT);
	collect(s, ev, &o);
	ck_assert_uint_eq(lines.n, 2);
	ck_assert_ptr_nonnull(strstr(lines.line[1].text, "8-bit octet"));
	session_set_utf8(s, true);
	ev = fixture_reply(s, "250 2.1.5 Gr\xc3\xbc\xc3\x9f""e ok\r\n", SIZE_MAX, SMTP_V_RCPT);
	collect(s, ev, &o);
	ck_assert_uint_eq(lines.n, 1);
	ev = fixture_reply(s, "250 2.1.5 bad \xff\xfe bytes\r\n", SIZE_MAX, SMTP_V_RCPT);
	collect(s, ev, &o);
	ck_assert_uint_eq(lines.n, 2);
	ck_assert_ptr_nonnull(strstr(lines.line[1].text, "8-bit octet"));
	session_free(s);
}
END_TEST

/* An oversized reply: the kept lines, the last one, then exactly what was
 * not kept (lines K to M, their bytes). */
START_TEST(oversized_reply_says_what_was_dropped)
{
	struct session *s = fixture_session();
	struct printer_options o = opts(false, false);
	struct buf in;
	size_t ev, i, dropped = 0;

	buf_init(&in);
	buf_adds(&in, "250-mail.test\r\n");
	for (i = 2; i < 10000; i++) {
		size_t before = in.len;
		buf_printf(&in, "250-X-FILLER-%zu\r\n", i);
		if (i >= REPLY_MAX_LINES)
			dropped += in.len - before;
	}
	buf_adds(&in, "250 8BITMIME\r\n");
	ev = fixture_reply(s, in.data, SIZE_MAX, SMTP_V_EHLO);
	collect(s, ev, &o);
	ck_assert_uint_eq(lines.n, REPLY_MAX_LINES + 1);
	assert_line(REPLY_MAX_LINES - 2, PRINTER_REPLY, "250-X-FILLER-255");
	assert_line(REPLY_MAX_LINES - 1, PRINTER_REPLY, "250 8BITMIME");
	{
		char want[200];

		snprintf(want, sizeof want, "lines 256 to 9999 of this reply (9744 of 10000 lines, %zu bytes) were not kept: smtpscope keeps the first 255 lines and the last", dropped);
		assert_line(REPLY_MAX_LINES, PRINTER_WARN, want);
	}
	buf_free(&in);
	session_free(s);
}
END_TEST

START_TEST(timestamps_before_every_marker)
{
	struct session *s = fixture_session();
	struct printer_options o = opts(true, true);
	size_t ev;

	fixture_advance(1234000); /* 22:13:21.234 */
	ev = fixture_exchange(s, "NOOP\r\n", "250 ok\r\n", SMTP_V_NOOP, 0);
	collect(s, ev - 1, &o);
	ck_assert_str_eq(lines.text.data, "22:13:21.234  -> NOOP\n");
	assert_line(0, PRINTER_SENT, "NOOP");
	collect(s, ev, &o);
	ck_assert_uint_eq(lines.n, 2);
	assert_line(0, PRINTER_REPLY, "250 ok");
	ck_assert_int_eq(lines.line[0].reply_class, 2);
	ck_assert_int_eq(lines.line[1].kind, PRINTER_EXPLAIN);
	for (size_t i = 0; i < lines.n; i++)
		ck_assert(FIXTURE_STARTS(lines.line[i].text, "22:13:21.234 "));
	session_free(s);
}
END_TEST

START_TEST(tls_encrypted_and_insecure)
{
	struct session *s = fixture_session();
	struct printer_options o = opts(true, false);
	size_t ev, fail;

	session_set_channel(s, true, true);
	ev = fixture_exchange(s, "EHLO me\r\n", "250-mx\r\n250 SIZE\r\n", SMTP_V_EHLO, 1);
	collect(s, ev - 1, &o);
	ck_assert_str_eq(lines.text.data, "(insecure)  ~> EHLO me\n");
	assert_line(0, PRINTER_SENT, "EHLO me");
	ck_assert(lines.line[0].encrypted && lines.line[0].insecure);
	collect(s, ev, &o);
	ck_assert_uint_eq(lines.n, 3);
	ck_assert(FIXTURE_STARTS(lines.text.data, "(insecure) <~  250-mx\n(insecure) <~  250 SIZE\n(insecure)   # "));
	for (size_t i = 0; i < 2; i++) {
		ck_assert_int_eq(lines.line[i].kind, PRINTER_REPLY);
		ck_assert_int_eq(lines.line[i].reply_class, 2);
		ck_assert(lines.line[i].encrypted && lines.line[i].insecure);
	}
	/* Encrypted but verified: no mark. */
	session_set_channel(s, true, false);
	ev = fixture_exchange(s, "NOOP\r\n", "250 ok\r\n", SMTP_V_NOOP, 1);
	collect(s, ev, &o);
	ck_assert(FIXTURE_STARTS(lines.text.data, "<~  250 ok\n"));
	ck_assert(lines.line[0].encrypted && !lines.line[0].insecure);
	/* A failed handshake: an error, then what the kb says of it. */
	session_set_channel(s, false, false);
	fail = session_tls(s, SESSION_TLS_UNVERIFIED, "verify self-signed certificate: self-signed certificate (certificate at depth 0)",
			   "TLS verification failed");
	collect(s, fail, &o);
	ck_assert_uint_ge(lines.n, 2);
	assert_line(0, PRINTER_ERROR, "TLS verification failed");
	for (size_t i = 1; i < lines.n; i++)
		ck_assert_int_eq(lines.line[i].kind, PRINTER_EXPLAIN);
	o.annotate = false;
	collect(s, fail, &o);
	ck_assert_uint_eq(lines.n, 1);
	session_free(s);
}
END_TEST

START_TEST(hostile_bytes_escaped)
{
	struct session *s = fixture_session();
	struct printer_options o = opts(true, false);
	size_t ev = fixture_reply(s, "550 \x1b]0;owned\x07 \x1b[31mred\xff\r\n", SIZE_MAX, SMTP_V_RCPT);
	size_t t = session_text(s, SESSION_NOTE, "note \x1b[2J");

	collect(s, ev, &o);
	assert_line(0, PRINTER_REPLY, "550 \\x1b]0;owned\\x07 \\x1b[31mred\\xff");
	ck_assert_int_eq(lines.line[0].reply_class, 5);
	for (size_t i = 0; i < lines.text.len; i++)
		ck_assert_msg((unsigned char)lines.text.data[i] >= 0x20 || lines.text.data[i] == '\n',
			      "control byte 0x%02x at %zu", (unsigned char)lines.text.data[i], i);
	collect(s, t, &o);
	assert_line(0, PRINTER_NOTE, "note \\x1b[2J");
	session_free(s);
}
END_TEST

/* --raw: what moved, then the rows; inside TLS the records; a secret
 * write by its size alone; the rows' width as asked. */
START_TEST(raw_dumps)
{
	struct session *s = fixture_session();
	struct printer_options o = opts(true, false);
	size_t rd = session_raw(s, false, "250 ok\r\n", 8, 8, false, NULL);
	size_t wr, sec, big;
	char *many = xmalloc(SESSION_RAW_KEEP + 10);

	collect(s, rd, &o);
	ck_assert_str_eq(lines.text.data,
			 "  | read 8 bytes\n"
			 "  | 0000  32 35 30 20 6f 6b 0d 0a                           |250 ok..|\n");
	assert_line(0, PRINTER_RAW, "read 8 bytes");
	assert_line(1, PRINTER_RAW, "0000  32 35 30 20 6f 6b 0d 0a                           |250 ok..|");
	session_set_channel(s, true, true);
	wr = session_raw(s, true, "Q", 1, 1, false, "application data (18 bytes)");
	collect(s, wr, &o);
	ck_assert_uint_eq(lines.n, 2);
	assert_line(0, PRINTER_RAW, "wrote 1 byte (before TLS encryption); TLS records: application data (18 bytes)");
	ck_assert(lines.line[0].encrypted && lines.line[0].insecure);
	sec = session_raw(s, true, "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n", 33, 33, true, NULL);
	ck_assert_ptr_null(session_get(s, sec)->raw);
	collect(s, sec, &o);
	ck_assert_uint_eq(lines.n, 1);
	assert_line(0, PRINTER_RAW, "wrote 33 bytes (before TLS encryption); part of an AUTH exchange: not dumped, raw dumps never hold credentials");
	ck_assert_ptr_null(strstr(lines.text.data, "AGFs"));
	/* More than a dump keeps: the first SESSION_RAW_KEEP, said so. */
	memset(many, 'x', SESSION_RAW_KEEP + 10);
	session_set_channel(s, false, false);
	big = session_raw(s, false, many, SESSION_RAW_KEEP + 10, SIZE_MAX, false, NULL);
	free(many);
	o.raw_per_row = 8;
	collect(s, big, &o);
	ck_assert_uint_eq(lines.n, 1 + SESSION_RAW_KEEP / 8);
	assert_line(0, PRINTER_RAW, "read 65546 bytes; the first 65536 shown");
	assert_line(1, PRINTER_RAW, "0000  78 78 78 78 78 78 78 78  |xxxxxxxx|");
	/* Past the connection's budget: the count alone, said so. */
	collect(s, session_raw(s, true, "QUIT\r\n", 6, 0, false, NULL), &o);
	ck_assert_uint_eq(lines.n, 1);
	assert_line(0, PRINTER_RAW, "wrote 6 bytes; not dumped: --raw keeps 4 MiB of a connection's bytes");
	collect(s, big, &o);
	/* Each line reads back as a raw one, and a replay skips it. */
	for (size_t k = 0; k < 3; k++) {
		struct printer_line back;

		ck_assert(printer_parse(lines.line[k].text, lines.line[k].len, &back));
		ck_assert_int_eq(back.kind, PRINTER_RAW);
	}
	session_free(s);
}
END_TEST

static void count_line(void *ctx, const struct printer_line *l)
{
	(void)l;
	(*(size_t *)ctx)++;
}

/* printer_event's text is the collected lines; each reads back the same. */
START_TEST(text_and_parse_agree)
{
	struct session *s = fixture_small_session();
	struct printer_options o = opts(true, true);
	struct buf text;

	session_set_channel(s, true, true);
	fixture_exchange(s, "NOOP\r\n", "250 ok\r\n", SMTP_V_NOOP, 1);
	buf_init(&text);
	for (size_t i = 0; i < session_count(s); i++) {
		size_t called = 0;

		o.timestamps = i % 2 == 0;
		buf_clear(&text);
		printer_event(&o, session_get(s, i), &text);
		collect(s, i, &o);
		printer_event_lines(&o, session_get(s, i), count_line, &called);
		ck_assert_uint_eq(called, lines.n);
		ck_assert_uint_eq(text.len, lines.text.len);
		ck_assert_mem_eq(text.data, lines.text.data, text.len);
		for (size_t k = 0; k < lines.n; k++) {
			const struct printer_line *l = &lines.line[k];
			struct printer_line back;

			ck_assert(printer_parse(l->text, l->len, &back));
			ck_assert_int_eq(back.kind, l->kind);
			ck_assert_uint_eq(back.body, l->body);
			ck_assert_int_eq(back.insecure, l->insecure);
			if (l->kind == PRINTER_SENT || l->kind == PRINTER_REPLY)
				ck_assert_int_eq(back.encrypted, l->encrypted);
			if (l->kind == PRINTER_REPLY)
				ck_assert_int_eq(back.reply_class, l->reply_class);
		}
	}
	{
		struct printer_line back;

		ck_assert(!printer_parse("EHLO me.example", 15, &back));
		ck_assert(!printer_parse("", 0, &back));
		ck_assert(!printer_parse("12:00:00.000 ", 13, &back));
	}
	buf_free(&text);
	session_free(s);
}
END_TEST

Suite *printer_suite(void)
{
	Suite *s = suite_create("printer");
	TCase *tc = tcase_create("lines");

	tcase_add_checked_fixture(tc, lines_setup, lines_teardown);
	tcase_add_test(tc, kinds_of_every_event);
	tcase_add_test(tc, reply_classes_and_defects);
	tcase_add_test(tc, oversized_reply_says_what_was_dropped);
	tcase_add_test(tc, utf8_reply_in_smtputf8_transaction);
	tcase_add_test(tc, timestamps_before_every_marker);
	tcase_add_test(tc, tls_encrypted_and_insecure);
	tcase_add_test(tc, hostile_bytes_escaped);
	tcase_add_test(tc, text_and_parse_agree);
	tcase_add_test(tc, raw_dumps);
	suite_add_tcase(s, tc);
	return s;
}
