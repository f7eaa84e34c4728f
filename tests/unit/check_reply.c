/* reply: the incremental SMTP reply parser (RFC 5321 4.2), driven with
 * byte strings cut in every possible way. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/reply.h"
#include "smtpscope/util.h"
#include "suites.h"

/* A string literal with its length, so literals may hold NUL octets. */
#define LIT(s) (s), (sizeof(s) - 1)

/* ---- helpers ---------------------------------------------------------- */

/* Feeds bytes all at once and returns the single reply they hold. */
static struct reply *parse_one(const char *bytes, size_t len)
{
	struct reply_parser *p = reply_parser_new();
	struct reply *r;

	reply_parser_feed(p, bytes, len);
	r = reply_parser_next(p);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_null(reply_parser_next(p));
	ck_assert_uint_eq(reply_parser_pending_bytes(p), 0);
	reply_parser_free(p);
	return r;
}

/* 1-based line a defect kind was recorded on, or 0 if it was not. */
static size_t defect_line(const struct reply *r, enum reply_defect_kind kind)
{
	size_t i;

	for (i = 0; i < r->ndefects; i++)
		if (r->defects[i].kind == kind)
			return r->defects[i].line;
	return 0;
}

static void assert_line(const struct reply *r, size_t i, const char *text,
			size_t len, int code, char sep)
{
	ck_assert_uint_lt(i, r->nlines);
	ck_assert_uint_eq(r->lines[i].len, len);
	ck_assert_mem_eq(r->lines[i].text, text, len);
	ck_assert_int_eq(r->lines[i].text[len], '\0');
	ck_assert_int_eq(r->lines[i].code, code);
	ck_assert_int_eq(r->lines[i].sep, sep);
}

static void assert_raw(const struct reply *r, const char *bytes, size_t len)
{
	ck_assert_uint_eq(r->raw_len, len);
	ck_assert_uint_eq(r->raw_seen, len);
	ck_assert_mem_eq(r->raw, bytes, len);
	ck_assert_int_eq(r->raw[len], '\0');
}

static const char follow[] = "220 2.0.0 in step\r\n";

static void assert_follow(const struct reply *r)
{
	ck_assert_int_eq(r->code, 220);
	ck_assert_uint_eq(r->nlines, 1);
	assert_line(r, 0, LIT("2.0.0 in step"), 220, ' ');
	assert_raw(r, LIT(follow));
	ck_assert_uint_eq(r->ndefects, 0);
	ck_assert(r->enhanced.present);
}

/* Parses bytes holding one faulty reply, followed by a well-formed one;
 * asserts the parser stayed in step (the follower is intact) and that
 * kind was recorded on line `line`.  Returns the faulty reply. */
static struct reply *expect_defect(const char *bytes, size_t len,
				   enum reply_defect_kind kind, size_t line)
{
	struct reply_parser *p = reply_parser_new();
	struct reply *r, *next;

	reply_parser_feed(p, bytes, len);
	reply_parser_feed(p, LIT(follow));
	r = reply_parser_next(p);
	next = reply_parser_next(p);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(next);
	ck_assert_ptr_null(reply_parser_next(p));
	ck_assert_uint_eq(reply_parser_pending_bytes(p), 0);
	assert_follow(next);
	ck_assert_msg(reply_has_defect(r, kind), "defect \"%s\" not recorded",
		      reply_defect_name(kind));
	ck_assert_uint_eq(defect_line(r, kind), line);
	/* Raw bytes are exactly those of the faulty reply. */
	ck_assert_uint_eq(r->raw_seen, len);
	reply_free(next);
	reply_parser_free(p);
	return r;
}

/* A reply line "CODE<sep>" padded with 'x' to `wire` octets incl. CRLF. */
static char *make_line(const char *prefix, size_t wire)
{
	size_t plen = strlen(prefix), i;
	char *s = malloc(wire + 1);

	ck_assert_ptr_nonnull(s);
	ck_assert_uint_ge(wire, plen + 2);
	memcpy(s, prefix, plen);
	for (i = plen; i < wire - 2; i++)
		s[i] = 'x';
	memcpy(s + wire - 2, "\r\n", 3);
	return s;
}

/* ---- framing ---------------------------------------------------------- */

START_TEST(test_single_line)
{
	struct reply *r = parse_one(LIT("220 mx.example.com ESMTP ready\r\n"));

	ck_assert_int_eq(r->code, 220);
	ck_assert_uint_eq(r->nlines, 1);
	ck_assert_uint_eq(r->lines_seen, 1);
	assert_line(r, 0, LIT("mx.example.com ESMTP ready"), 220, ' ');
	assert_raw(r, LIT("220 mx.example.com ESMTP ready\r\n"));
	ck_assert_uint_eq(r->ndefects, 0);
	ck_assert_uint_eq(r->defects_seen, 0);
	ck_assert(!r->enhanced.present);
	ck_assert_int_eq(reply_class(r), 2);
	reply_free(r);
}
END_TEST

START_TEST(test_multiline)
{
	static const char in[] = "250-mx.example.com Hello\r\n250-SIZE 1000\r\n"
				 "250-PIPELINING\r\n250 HELP\r\n";
	struct reply *r = parse_one(LIT(in));

	ck_assert_int_eq(r->code, 250);
	ck_assert_uint_eq(r->nlines, 4);
	ck_assert_uint_eq(r->lines_seen, 4);
	assert_line(r, 0, LIT("mx.example.com Hello"), 250, '-');
	assert_line(r, 1, LIT("SIZE 1000"), 250, '-');
	assert_line(r, 2, LIT("PIPELINING"), 250, '-');
	assert_line(r, 3, LIT("HELP"), 250, ' ');
	assert_raw(r, LIT(in));
	ck_assert_uint_eq(r->ndefects, 0);
	reply_free(r);
}
END_TEST

/* The reply is keyed on the separator after the code, never on digits
 * later in the text. */
START_TEST(test_text_starting_with_digits)
{
	static const char in[] = "250-234 text starting with digits\r\n"
				 "250-250 looks like an end\r\n250 done\r\n";
	struct reply *r = parse_one(LIT(in));

	ck_assert_int_eq(r->code, 250);
	ck_assert_uint_eq(r->nlines, 3);
	assert_line(r, 0, LIT("234 text starting with digits"), 250, '-');
	assert_line(r, 1, LIT("250 looks like an end"), 250, '-');
	assert_line(r, 2, LIT("done"), 250, ' ');
	ck_assert(!r->enhanced.present);
	ck_assert_uint_eq(r->ndefects, 0);
	reply_free(r);
}
END_TEST

/* Exim answers with "503-501 ..." lines inside a 503 reply. */
START_TEST(test_exim_nested_code)
{
	static const char in[] = "503-501 Syntax error in parameters\r\n"
				 "503 Valid RCPT command must precede DATA\r\n";
	struct reply *r = parse_one(LIT(in));

	ck_assert_int_eq(r->code, 503);
	ck_assert_uint_eq(r->nlines, 2);
	assert_line(r, 0, LIT("501 Syntax error in parameters"), 503, '-');
	assert_line(r, 1, LIT("Valid RCPT command must precede DATA"), 503, ' ');
	ck_assert_uint_eq(r->ndefects, 0);
	ck_assert_int_eq(reply_class(r), 5);
	reply_free(r);
}
END_TEST

START_TEST(test_several_replies_in_one_read)
{
	static const char in[] = "250 2.1.0 Ok\r\n250-a\r\n250 b\r\n354 go\r\n";
	struct reply_parser *p = reply_parser_new();
	struct reply *r;

	reply_parser_feed(p, LIT(in));
	ck_assert_uint_eq(reply_parser_queued(p), 3);
	ck_assert_uint_eq(reply_parser_pending_bytes(p), 0);
	r = reply_parser_next(p);
	assert_raw(r, LIT("250 2.1.0 Ok\r\n"));
	reply_free(r);
	r = reply_parser_next(p);
	ck_assert_uint_eq(r->nlines, 2);
	assert_raw(r, LIT("250-a\r\n250 b\r\n"));
	reply_free(r);
	r = reply_parser_next(p);
	ck_assert_int_eq(r->code, 354);
	ck_assert_int_eq(reply_class(r), 3);
	assert_raw(r, LIT("354 go\r\n"));
	reply_free(r);
	ck_assert_ptr_null(reply_parser_next(p));
	ck_assert_uint_eq(reply_parser_queued(p), 0);
	reply_parser_free(p);
}
END_TEST

START_TEST(test_byte_at_a_time)
{
	static const char in[] = "250-first\r\n250 last\r\n";
	struct reply_parser *p = reply_parser_new();
	struct reply *r;
	size_t i;

	for (i = 0; i < sizeof in - 1; i++) {
		reply_parser_feed(p, in + i, 1);
		if (i + 1 < sizeof in - 1) {
			/* Nothing comes out before the last LF. */
			ck_assert_uint_eq(reply_parser_queued(p), 0);
			ck_assert_uint_eq(reply_parser_pending_bytes(p), i + 1);
		}
	}
	ck_assert_uint_eq(reply_parser_queued(p), 1);
	ck_assert_uint_eq(reply_parser_pending_bytes(p), 0);
	r = reply_parser_next(p);
	assert_line(r, 0, LIT("first"), 250, '-');
	assert_line(r, 1, LIT("last"), 250, ' ');
	assert_raw(r, LIT(in));
	reply_free(r);
	reply_parser_free(p);
}
END_TEST

/* RFC 5321 4.2: Reply-line = *( Reply-code "-" [ textstring ] CRLF )
 * Reply-code [ SP textstring ] CRLF, so "250" alone is a legal last line. */
START_TEST(test_empty_text)
{
	struct reply *r = parse_one(LIT("250\r\n"));

	ck_assert_int_eq(r->code, 250);
	ck_assert_uint_eq(r->nlines, 1);
	assert_line(r, 0, "", 0, 250, 0);
	ck_assert_uint_eq(r->ndefects, 0);
	ck_assert(!r->enhanced.present);
	reply_free(r);

	r = parse_one(LIT("250-\r\n250-x\r\n250\r\n"));
	ck_assert_uint_eq(r->nlines, 3);
	assert_line(r, 0, "", 0, 250, '-');
	assert_line(r, 2, "", 0, 250, 0);
	ck_assert_uint_eq(r->ndefects, 0);
	reply_free(r);

	r = parse_one(LIT("250 \r\n"));
	assert_line(r, 0, "", 0, 250, ' ');
	ck_assert_uint_eq(r->ndefects, 0);
	reply_free(r);
}
END_TEST

START_TEST(test_tab_is_not_a_defect)
{
	struct reply *r = parse_one(LIT("250 a\tb ~!\r\n"));

	assert_line(r, 0, LIT("a\tb ~!"), 250, ' ');
	ck_assert_uint_eq(r->ndefects, 0);
	reply_free(r);
}
END_TEST

/* ---- defects, each followed by a good reply --------------------------- */

START_TEST(test_defect_bare_lf)
{
	static const char in[] = "250-ok\r\n250 end\n";
	struct reply *r = expect_defect(LIT(in), REPLY_DEFECT_BARE_LF, 2);

	assert_line(r, 1, LIT("end"), 250, ' ');
	assert_raw(r, LIT(in));
	ck_assert_uint_eq(r->ndefects, 1);
	reply_free(r);
	/* Every bare-LF line counts; the first is stored. */
	r = expect_defect(LIT("250-a\n250-b\n250 c\n"), REPLY_DEFECT_BARE_LF, 1);
	ck_assert_uint_eq(r->nlines, 3);
	ck_assert_uint_eq(r->ndefects, 1);
	ck_assert_uint_eq(r->defects_seen, 3);
	reply_free(r);
}
END_TEST

START_TEST(test_defect_bare_cr)
{
	static const char in[] = "250-ok\r\n250 a\rb\r\n";
	struct reply *r = expect_defect(LIT(in), REPLY_DEFECT_BARE_CR, 2);

	assert_line(r, 1, LIT("a\rb"), 250, ' ');
	assert_raw(r, LIT(in));
	ck_assert(!reply_has_defect(r, REPLY_DEFECT_BARE_LF));
	reply_free(r);
	/* "\r\r\n": the line ends in CRLF with one more CR before it. */
	r = expect_defect(LIT("250 a\r\r\n"), REPLY_DEFECT_BARE_CR, 1);
	assert_line(r, 0, LIT("a\r"), 250, ' ');
	ck_assert(!reply_has_defect(r, REPLY_DEFECT_BARE_LF));
	reply_free(r);
}
END_TEST

START_TEST(test_defect_mixed_codes)
{
	struct reply *r = expect_defect(LIT("250-a\r\n250-b\r\n251 c\r\n"),
					REPLY_DEFECT_MIXED_CODES, 3);

	ck_assert_int_eq(r->code, 250);
	ck_assert_uint_eq(r->nlines, 3);
	assert_line(r, 2, LIT("c"), 251, ' ');
	reply_free(r);
}
END_TEST

START_TEST(test_defect_no_separator)
{
	struct reply *r = expect_defect(LIT("250x\r\n"), REPLY_DEFECT_NO_SEPARATOR, 1);

	/* Without a hyphen the line ends the reply; the octet stays text. */
	ck_assert_int_eq(r->code, 250);
	ck_assert_uint_eq(r->nlines, 1);
	assert_line(r, 0, LIT("x"), 250, 0);
	reply_free(r);
	r = expect_defect(LIT("250-a\r\n250:b\r\n"), REPLY_DEFECT_NO_SEPARATOR, 2);
	ck_assert_uint_eq(r->nlines, 2);
	assert_line(r, 1, LIT(":b"), 250, 0);
	reply_free(r);
}
END_TEST

START_TEST(test_defect_bad_code)
{
	struct reply *r = expect_defect(LIT("hello there\r\n"), REPLY_DEFECT_BAD_CODE, 1);

	/* As a first line it is a reply of its own. */
	ck_assert_int_eq(r->code, -1);
	ck_assert_int_eq(reply_class(r), 0);
	assert_line(r, 0, LIT("hello there"), -1, 0);
	reply_free(r);

	r = expect_defect(LIT("2a0 x\r\n"), REPLY_DEFECT_BAD_CODE, 1);
	ck_assert_int_eq(r->code, -1);
	reply_free(r);
	r = expect_defect(LIT("25\r\n"), REPLY_DEFECT_BAD_CODE, 1);
	assert_line(r, 0, LIT("25"), -1, 0);
	reply_free(r);
	/* Four digits are not a code followed by text: "2500" is not 250. */
	r = expect_defect(LIT("2500 End data with <CR><LF>.<CR><LF>\r\n"), REPLY_DEFECT_BAD_CODE, 1);
	ck_assert_int_eq(r->code, -1);
	ck_assert(!r->valid);
	assert_line(r, 0, LIT("2500 End data with <CR><LF>.<CR><LF>"), -1, 0);
	reply_free(r);
	/* Inside a multiline reply such a line still ends the reply, as a
	 * line without a hyphen does. */
	r = expect_defect(LIT("250-a\r\n2500 b\r\n"), REPLY_DEFECT_BAD_CODE, 2);
	ck_assert_uint_eq(r->nlines, 2);
	reply_free(r);

	/* Inside a multiline reply it is a continuation, so the parser does
	 * not take the next line for a new reply. */
	r = expect_defect(LIT("250-a\r\n  wrapped\r\n250 b\r\n"), REPLY_DEFECT_BAD_CODE, 2);
	ck_assert_int_eq(r->code, 250);
	ck_assert_uint_eq(r->nlines, 3);
	assert_line(r, 1, LIT("  wrapped"), -1, 0);
	assert_line(r, 2, LIT("b"), 250, ' ');
	reply_free(r);
}
END_TEST

START_TEST(test_defect_code_range)
{
	static const char *const bad[] = { "199 x\r\n", "600 x\r\n", "260 x\r\n",
					   "099 x\r\n", "999 x\r\n", "570 x\r\n" };
	static const char *const good[] = { "200 x\r\n", "559 x\r\n", "459 x\r\n",
					    "209 x\r\n", "354 x\r\n" };
	struct reply *r;
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(bad); i++) {
		r = expect_defect(bad[i], strlen(bad[i]), REPLY_DEFECT_CODE_RANGE, 1);
		ck_assert_int_eq(r->code, atoi(bad[i]));
		reply_free(r);
	}
	for (i = 0; i < UTIL_ARRAY_LEN(good); i++) {
		r = parse_one(good[i], strlen(good[i]));
		ck_assert_msg(r->ndefects == 0, "%s flagged", good[i]);
		reply_free(r);
	}
	/* On a later line. */
	r = expect_defect(LIT("250-a\r\n270-c\r\n250 d\r\n"), REPLY_DEFECT_CODE_RANGE, 2);
	ck_assert_uint_eq(r->nlines, 3);
	reply_free(r);
}
END_TEST

/* RFC 5321 4.5.3.1.5: 512 octets including CRLF is the limit. */
START_TEST(test_defect_long_line)
{
	char *ok = make_line("250 ", REPLY_RFC_LINE_MAX);
	char *lng = make_line("250 ", REPLY_RFC_LINE_MAX + 1);
	char *in;
	struct reply *r;

	r = parse_one(ok, strlen(ok));
	ck_assert_uint_eq(r->ndefects, 0);
	reply_free(r);

	in = malloc(strlen(lng) + 16);
	strcpy(in, "250-first\r\n");
	strcat(in, lng);
	r = expect_defect(in, strlen(in), REPLY_DEFECT_LONG_LINE, 2);
	ck_assert_uint_eq(r->lines[1].len, REPLY_RFC_LINE_MAX + 1 - 6);
	ck_assert(!reply_has_defect(r, REPLY_DEFECT_LINE_TRUNCATED));
	assert_raw(r, in, strlen(in));
	reply_free(r);

	/* A bare LF line is measured as if it ended in CRLF. */
	ok[REPLY_RFC_LINE_MAX - 2] = '\n';
	ok[REPLY_RFC_LINE_MAX - 1] = '\0';
	r = expect_defect(ok, strlen(ok), REPLY_DEFECT_BARE_LF, 1);
	ck_assert(!reply_has_defect(r, REPLY_DEFECT_LONG_LINE));
	reply_free(r);
	lng[REPLY_RFC_LINE_MAX - 1] = '\n';
	lng[REPLY_RFC_LINE_MAX] = '\0';
	r = expect_defect(lng, strlen(lng), REPLY_DEFECT_LONG_LINE, 1);
	ck_assert(reply_has_defect(r, REPLY_DEFECT_BARE_LF));
	reply_free(r);

	free(in);
	free(ok);
	free(lng);
}
END_TEST

START_TEST(test_defect_line_truncated)
{
	size_t wire = REPLY_MAX_LINE + 1000;
	char *lng = make_line("250 ", wire);
	char *in = malloc(wire + 32);
	struct reply *r;
	size_t i;

	strcpy(in, "250-first\r\n");
	strcat(in, lng);
	r = expect_defect(in, strlen(in), REPLY_DEFECT_LINE_TRUNCATED, 2);
	ck_assert_uint_eq(defect_line(r, REPLY_DEFECT_LONG_LINE), 2);
	ck_assert_uint_eq(r->nlines, 2);
	/* What was kept: REPLY_MAX_LINE octets of the line, less the code. */
	ck_assert_uint_eq(r->lines[1].len, REPLY_MAX_LINE - 4);
	ck_assert_int_eq(r->lines[1].code, 250);
	for (i = 0; i < r->lines[1].len; i++)
		if (r->lines[1].text[i] != 'x')
			ck_abort_msg("octet %zu of the kept text is 0x%02x", i,
				     (unsigned char)r->lines[1].text[i]);
	/* Raw holds what was kept of each line, with its terminator, so
	 * printing raw shows what lines[] holds; every byte was read. */
	ck_assert_uint_eq(r->raw_seen, strlen(in));
	ck_assert_uint_eq(r->raw_len, strlen("250-first\r\n") + REPLY_MAX_LINE + 2);
	ck_assert_mem_eq(r->raw, in, strlen("250-first\r\n") + REPLY_MAX_LINE);
	ck_assert_str_eq(r->raw + r->raw_len - 2, "\r\n");
	ck_assert_uint_eq(r->dropped_first, 0);
	ck_assert(!reply_has_defect(r, REPLY_DEFECT_BARE_CR));
	reply_free(r);
	free(in);
	free(lng);
}
END_TEST

/* Lines right at REPLY_MAX_LINE: the cut may fall between CR and LF, and
 * must not leave a CR in the text or report a bare CR. */
START_TEST(test_line_at_keep_limit)
{
	size_t wire;

	for (wire = REPLY_MAX_LINE - 1; wire <= REPLY_MAX_LINE + 2; wire++) {
		char *s = make_line("250 ", wire);
		struct reply *r = parse_one(s, wire);
		size_t want = wire - 6;

		if (want > REPLY_MAX_LINE - 4)
			want = REPLY_MAX_LINE - 4;
		ck_assert_msg(r->lines[0].len == want, "wire %zu: kept %zu, want %zu",
			      wire, r->lines[0].len, want);
		ck_assert_msg(memchr(r->lines[0].text, '\r', r->lines[0].len) == NULL,
			      "wire %zu: CR left in the text", wire);
		ck_assert_msg(!reply_has_defect(r, REPLY_DEFECT_BARE_CR),
			      "wire %zu: spurious bare CR", wire);
		ck_assert(!reply_has_defect(r, REPLY_DEFECT_BARE_LF));
		ck_assert_int_eq(reply_has_defect(r, REPLY_DEFECT_LINE_TRUNCATED),
				 wire > REPLY_MAX_LINE);
		assert_raw(r, s, wire);
		reply_free(r);
		free(s);
	}
}
END_TEST

START_TEST(test_defect_nul)
{
	static const char in[] = "250-ok\r\n250 a\0b\r\n";
	struct reply *r = expect_defect(LIT(in), REPLY_DEFECT_NUL, 2);

	assert_line(r, 1, LIT("a\0b"), 250, ' ');
	assert_raw(r, LIT(in));
	reply_free(r);
}
END_TEST

START_TEST(test_defect_8bit)
{
	static const char in[] = "250 caf\xc3\xa9\r\n";
	struct reply *r = expect_defect(LIT(in), REPLY_DEFECT_8BIT, 1);

	assert_line(r, 0, LIT("caf\xc3\xa9"), 250, ' ');
	assert_raw(r, LIT(in));
	ck_assert(!reply_has_defect(r, REPLY_DEFECT_CONTROL));
	reply_free(r);
}
END_TEST

START_TEST(test_defect_control)
{
	static const char in[] = "250-ok\r\n250-fine\r\n250 \x1b[2J\x1b]0;owned\x07\r\n";
	struct reply *r = expect_defect(LIT(in), REPLY_DEFECT_CONTROL, 3);

	/* Kept as received: escaping is the display's job. */
	assert_line(r, 2, LIT("\x1b[2J\x1b]0;owned\x07"), 250, ' ');
	assert_raw(r, LIT(in));
	ck_assert_uint_eq(r->ndefects, 1);
	ck_assert_uint_eq(r->defects_seen, 3);
	reply_free(r);
	r = expect_defect(LIT("250 del\x7f\r\n"), REPLY_DEFECT_CONTROL, 1);
	reply_free(r);
}
END_TEST

/* Several kinds on one reply: each stored once, on its own line. */
START_TEST(test_defects_on_their_lines)
{
	static const char in[] = "250-\x01\r\n250-\xff\r\n250-\0\n250 ok\r\n";
	struct reply *r = expect_defect(LIT(in), REPLY_DEFECT_CONTROL, 1);

	ck_assert_uint_eq(defect_line(r, REPLY_DEFECT_8BIT), 2);
	ck_assert_uint_eq(defect_line(r, REPLY_DEFECT_NUL), 3);
	ck_assert_uint_eq(defect_line(r, REPLY_DEFECT_BARE_LF), 3);
	ck_assert_uint_eq(r->ndefects, 4);
	ck_assert_uint_eq(r->defects_seen, 4);
	ck_assert_uint_eq(r->nlines, 4);
	reply_free(r);
}
END_TEST

START_TEST(test_defect_too_many_lines)
{
	size_t extra = 40, n = REPLY_MAX_LINES + extra, i;
	struct buf in, kept;
	struct reply *r;

	buf_init(&in);
	buf_init(&kept);
	for (i = 1; i < n; i++) {
		buf_printf(&in, "250-line %zu\r\n", i);
		if (i < REPLY_MAX_LINES)
			buf_printf(&kept, "250-line %zu\r\n", i);
	}
	buf_printf(&in, "250 line %zu\r\n", n);
	buf_printf(&kept, "250 line %zu\r\n", n);
	/* The first REPLY_MAX_LINES - 1 lines and the last are kept: the
	 * last carries the reply's end (and, in EHLO, a capability). */
	r = expect_defect(in.data, in.len, REPLY_DEFECT_TOO_MANY_LINES, REPLY_MAX_LINES);
	ck_assert_uint_eq(r->nlines, REPLY_MAX_LINES);
	ck_assert_uint_eq(r->lines_seen, n);
	ck_assert_str_eq(r->lines[0].text, "line 1");
	ck_assert_str_eq(r->lines[REPLY_MAX_LINES - 2].text, "line 255");
	ck_assert_str_eq(r->lines[REPLY_MAX_LINES - 1].text, "line 296");
	ck_assert_int_eq(r->lines[REPLY_MAX_LINES - 1].sep, ' ');
	ck_assert_uint_eq(r->dropped_first, REPLY_MAX_LINES);
	ck_assert_uint_eq(r->dropped_last, n - 1);
	ck_assert_uint_eq(r->dropped_bytes, in.len - kept.len);
	ck_assert_uint_eq(r->raw_len, kept.len);
	ck_assert_mem_eq(r->raw, kept.data, kept.len);
	ck_assert_uint_eq(r->defects_seen, 1);
	ck_assert(r->valid);
	reply_free(r);
	buf_free(&in);
	buf_free(&kept);
}
END_TEST

/* 10 000 lines, as a hostile EHLO reply: the capability on the last line
 * survives, so the client still sees it. */
START_TEST(test_huge_ehlo_keeps_last)
{
	struct reply_parser *p = reply_parser_new();
	struct buf in;
	struct reply *r;
	size_t i;

	buf_init(&in);
	buf_adds(&in, "250-mail.test\r\n");
	for (i = 2; i < 10000; i++)
		buf_printf(&in, "250-X-FILLER-%zu\r\n", i);
	buf_adds(&in, "250 8BITMIME\r\n");
	reply_parser_feed(p, in.data, in.len);
	r = reply_parser_next(p);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->lines[r->nlines - 1].text, "8BITMIME");
	ck_assert_uint_eq(r->dropped_first, REPLY_MAX_LINES);
	ck_assert_uint_eq(r->dropped_last, 9999);
	ck_assert_uint_eq(r->raw_seen, in.len);
	ck_assert(r->raw_len < REPLY_MAX_BYTES);
	reply_free(r);
	reply_parser_free(p);
	buf_free(&in);
}
END_TEST

START_TEST(test_defect_too_big)
{
	size_t wire = 1006, nlong = 70, i, fit;
	char *lng = make_line("250-", wire);
	struct buf in;
	struct reply *r;

	buf_init(&in);
	for (i = 0; i < nlong; i++)
		buf_add(&in, lng, wire);
	buf_adds(&in, "250 end\r\n");
	/* Whole lines are kept while they fit, leaving room for a last line
	 * of REPLY_MAX_LINE; the line that does not fit is the first dropped. */
	fit = (REPLY_MAX_BYTES - REPLY_MAX_LINE - 2) / wire;
	r = expect_defect(in.data, in.len, REPLY_DEFECT_TOO_BIG, fit + 1);
	ck_assert_uint_eq(r->raw_len, fit * wire + strlen("250 end\r\n"));
	ck_assert_uint_le(r->raw_len, REPLY_MAX_BYTES);
	ck_assert_uint_eq(r->raw_seen, in.len);
	ck_assert_mem_eq(r->raw, in.data, fit * wire);
	ck_assert_str_eq(r->raw + fit * wire, "250 end\r\n");
	ck_assert_uint_eq(r->dropped_first, fit + 1);
	ck_assert_uint_eq(r->dropped_last, nlong);
	ck_assert_uint_eq(r->dropped_bytes, (nlong - fit) * wire);
	/* lines[] and raw agree: the kept lines, then the last one. */
	ck_assert_uint_eq(r->nlines, fit + 1);
	assert_line(r, fit, LIT("end"), 250, ' ');
	ck_assert_uint_eq(defect_line(r, REPLY_DEFECT_LONG_LINE), 1);
	reply_free(r);
	buf_free(&in);
	free(lng);
}
END_TEST

START_TEST(test_defect_incomplete)
{
	struct reply_parser *p = reply_parser_new();
	struct reply *r;

	ck_assert(!reply_parser_finish(p));
	ck_assert_ptr_null(reply_parser_next(p));

	/* Cut inside the second line. */
	reply_parser_feed(p, LIT("250-a\r\n250-b"));
	ck_assert_uint_eq(reply_parser_queued(p), 0);
	ck_assert(reply_parser_finish(p));
	ck_assert_uint_eq(reply_parser_pending_bytes(p), 0);
	r = reply_parser_next(p);
	ck_assert_uint_eq(defect_line(r, REPLY_DEFECT_INCOMPLETE), 2);
	ck_assert_uint_eq(r->defects_seen, 1);
	ck_assert_uint_eq(r->nlines, 2);
	assert_line(r, 1, LIT("b"), 250, '-');
	assert_raw(r, LIT("250-a\r\n250-b"));
	ck_assert(!reply_has_defect(r, REPLY_DEFECT_BARE_LF));
	reply_free(r);

	/* The parser is in step afterwards. */
	reply_parser_feed(p, LIT(follow));
	r = reply_parser_next(p);
	assert_follow(r);
	reply_free(r);

	/* Cut after a complete continuation line. */
	reply_parser_feed(p, LIT("250-a\r\n"));
	ck_assert(reply_parser_finish(p));
	r = reply_parser_next(p);
	ck_assert_uint_eq(defect_line(r, REPLY_DEFECT_INCOMPLETE), 1);
	ck_assert_uint_eq(r->defects_seen, 1);
	ck_assert_uint_eq(r->nlines, 1);
	reply_free(r);

	/* A last line without its CRLF. */
	reply_parser_feed(p, LIT("221 bye"));
	ck_assert(reply_parser_finish(p));
	r = reply_parser_next(p);
	ck_assert_int_eq(r->code, 221);
	assert_line(r, 0, LIT("bye"), 221, ' ');
	ck_assert_uint_eq(defect_line(r, REPLY_DEFECT_INCOMPLETE), 1);
	ck_assert_uint_eq(r->ndefects, 1);
	reply_free(r);

	/* A lone CR at the cut. */
	reply_parser_feed(p, LIT("221 bye\r"));
	ck_assert(reply_parser_finish(p));
	r = reply_parser_next(p);
	ck_assert_uint_eq(defect_line(r, REPLY_DEFECT_INCOMPLETE), 1);
	assert_raw(r, LIT("221 bye\r"));
	reply_free(r);

	ck_assert(!reply_parser_finish(p));
	reply_parser_feed(p, LIT(follow));
	r = reply_parser_next(p);
	assert_follow(r);
	reply_free(r);
	reply_parser_free(p);
}
END_TEST

START_TEST(test_defect_enhanced_class)
{
	struct reply *r = expect_defect(LIT("250 5.1.1 odd\r\n"), REPLY_DEFECT_ENHANCED_CLASS, 1);

	ck_assert(r->enhanced.present);
	ck_assert_int_eq(r->enhanced.cls, 5);
	ck_assert_int_eq(reply_class(r), 2);
	reply_free(r);
	r = parse_one(LIT("550 5.1.1 fine\r\n"));
	ck_assert(!reply_has_defect(r, REPLY_DEFECT_ENHANCED_CLASS));
	reply_free(r);
}
END_TEST

START_TEST(test_defect_names)
{
	int i, j;

	for (i = 0; i < REPLY_DEFECT__COUNT; i++) {
		const char *a = reply_defect_name((enum reply_defect_kind)i);
		ck_assert_ptr_nonnull(a);
		ck_assert_uint_gt(strlen(a), 5);
		ck_assert_str_ne(a, "unknown defect");
		for (j = 0; j < i; j++)
			ck_assert_str_ne(a, reply_defect_name((enum reply_defect_kind)j));
	}
	ck_assert_str_eq(reply_defect_name(REPLY_DEFECT__COUNT), "unknown defect");
	ck_assert_str_eq(reply_defect_name((enum reply_defect_kind)-1), "unknown defect");
	ck_assert_str_eq(reply_defect_name(REPLY_DEFECT_BARE_LF),
			 "bare LF line ending (RFC 5321 requires CRLF)");
}
END_TEST

/* ---- enhanced status codes (RFC 3463, RFC 2034 4) --------------------- */

static void assert_enhanced(const char *in, const char *want)
{
	struct reply *r = parse_one(in, strlen(in));
	char buf[16];

	ck_assert_msg(strcmp(reply_enhanced_str(r, buf, sizeof buf), want) == 0,
		      "%s: enhanced \"%s\", want \"%s\"", in, buf, want);
	ck_assert_int_eq(r->enhanced.present, want[0] != '\0');
	reply_free(r);
}

START_TEST(test_enhanced_present)
{
	struct reply *r = parse_one(LIT("550 5.7.26 DMARC policy\r\n"));

	ck_assert(r->enhanced.present);
	ck_assert_int_eq(r->enhanced.cls, 5);
	ck_assert_int_eq(r->enhanced.subject, 7);
	ck_assert_int_eq(r->enhanced.detail, 26);
	ck_assert_uint_eq(r->ndefects, 0);
	reply_free(r);

	assert_enhanced("550 5.1.1 User unknown\r\n", "5.1.1");
	assert_enhanced("250 2.0.0 Ok: queued\r\n", "2.0.0");
	assert_enhanced("250 2.0.0\r\n", "2.0.0");
	assert_enhanced("451 4.7.1 try later\r\n", "4.7.1");
	assert_enhanced("250 2.100.999 x\r\n", "2.100.999");
	assert_enhanced("550-5.7.1 first line\r\n550 5.7.1 second\r\n", "5.7.1");
}
END_TEST

START_TEST(test_enhanced_absent)
{
	assert_enhanced("250 OK\r\n", "");
	assert_enhanced("250\r\n", "");
	assert_enhanced("250 \r\n", "");
	/* Only the first line's text counts. */
	assert_enhanced("250-hello\r\n250 2.0.0 ok\r\n", "");
	/* Class must be 2, 4 or 5. */
	assert_enhanced("354 3.0.0 go\r\n", "");
	assert_enhanced("250 1.0.0 x\r\n", "");
	/* RFC 3463 2: 1-3 digits, no leading zeros. */
	assert_enhanced("250 2.01.0 x\r\n", "");
	assert_enhanced("250 2.0.00 x\r\n", "");
	assert_enhanced("250 2.1000.0 x\r\n", "");
	assert_enhanced("250 2.0.1000 x\r\n", "");
	assert_enhanced("250 22.0.0 x\r\n", "");
	/* Malformed. */
	assert_enhanced("250 2.0 x\r\n", "");
	assert_enhanced("250 2..0 x\r\n", "");
	assert_enhanced("250 2.0.\r\n", "");
	assert_enhanced("250 2.0.0x\r\n", "");
	assert_enhanced("250 2.0.0.0 x\r\n", "");
	assert_enhanced("250 .2.0.0 x\r\n", "");
	assert_enhanced("250 2.a.0 x\r\n", "");
	/* Exim's nested reply code is not an enhanced code. */
	assert_enhanced("503-501 Syntax\r\n503 no\r\n", "");
}
END_TEST

START_TEST(test_enhanced_str_buffer)
{
	struct reply *r = parse_one(LIT("550 5.123.456 x\r\n"));
	char buf[16], small[4];

	ck_assert_str_eq(reply_enhanced_str(r, buf, sizeof buf), "5.123.456");
	/* A short buffer is cut and still NUL-ended. */
	ck_assert_str_eq(reply_enhanced_str(r, small, sizeof small), "5.1");
	reply_free(r);
	r = parse_one(LIT("250 ok\r\n"));
	memset(buf, 'z', sizeof buf);
	ck_assert_ptr_eq(reply_enhanced_str(r, buf, sizeof buf), buf);
	ck_assert_str_eq(buf, "");
	reply_free(r);
}
END_TEST

START_TEST(test_reply_class)
{
	static const struct { const char *in; int cls; } cases[] = {
		{ "220 x\r\n", 2 }, { "250 x\r\n", 2 }, { "354 x\r\n", 3 },
		{ "421 x\r\n", 4 }, { "550 x\r\n", 5 }, { "559 x\r\n", 5 },
		{ "199 x\r\n", 0 }, { "600 x\r\n", 0 }, { "999 x\r\n", 0 },
		{ "000 x\r\n", 0 }, { "abc\r\n", 0 }, { "\r\n", 0 },
		/* RFC 5321 4.2 and 4.2.1: digits 2-5, 0-5, 0-9, else the reply
		 * is malformed and never a success or a failure class. */
		{ "260 x\r\n", 0 }, { "599 x\r\n", 0 }, { "099 x\r\n", 0 },
		{ "2500 x\r\n", 0 }, { "25O x\r\n", 0 }, { "25\r\n", 0 },
		{ "250\r\n", 2 }, { "250-a\r\n250 b\r\n", 2 },
	};
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(cases); i++) {
		struct reply *r = parse_one(cases[i].in, strlen(cases[i].in));
		ck_assert_msg(reply_class(r) == cases[i].cls, "%zu: class %d, want %d",
			      i, reply_class(r), cases[i].cls);
		reply_free(r);
	}
}
END_TEST

/* ---- queue, pending bytes, reset -------------------------------------- */

START_TEST(test_pending_queued_reset)
{
	struct reply_parser *p = reply_parser_new();
	struct reply *first, *r;

	ck_assert_uint_eq(reply_parser_pending_bytes(p), 0);
	ck_assert_uint_eq(reply_parser_queued(p), 0);
	reply_parser_feed(p, LIT("250-a\r\n25"));
	ck_assert_uint_eq(reply_parser_pending_bytes(p), 9);
	ck_assert_uint_eq(reply_parser_queued(p), 0);
	reply_parser_feed(p, LIT("0 b\r\n220 x\r\n221 par"));
	ck_assert_uint_eq(reply_parser_queued(p), 2);
	ck_assert_uint_eq(reply_parser_pending_bytes(p), 7);
	first = reply_parser_next(p);
	assert_raw(first, LIT("250-a\r\n250 b\r\n"));
	ck_assert_uint_eq(reply_parser_queued(p), 1);
	/* Dropped: "220 x\r\n" still queued and the pending "221 par". */
	ck_assert_uint_eq(reply_parser_reset(p), 7 + 7);
	ck_assert_uint_eq(reply_parser_pending_bytes(p), 0);
	ck_assert_uint_eq(reply_parser_queued(p), 0);
	ck_assert_ptr_null(reply_parser_next(p));
	ck_assert(!reply_parser_finish(p));
	/* A reply handed out before the reset is still the caller's. */
	ck_assert_int_eq(first->code, 250);
	reply_free(first);

	/* Reset inside a multiline reply drops exactly what was pending. */
	reply_parser_feed(p, LIT("250-a\r\n250 b"));
	ck_assert_uint_eq(reply_parser_pending_bytes(p), 12);
	ck_assert_uint_eq(reply_parser_reset(p), 12);
	ck_assert_uint_eq(reply_parser_reset(p), 0);

	/* In step afterwards: no trace of the dropped bytes. */
	reply_parser_feed(p, LIT(follow));
	r = reply_parser_next(p);
	assert_follow(r);
	reply_free(r);
	reply_parser_free(p);
}
END_TEST

/* The STARTTLS injection check: bytes after the 220 are visible. */
START_TEST(test_pending_after_reply)
{
	struct reply_parser *p = reply_parser_new();
	struct reply *r;

	reply_parser_feed(p, LIT("220 2.0.0 Ready to start TLS\r\n250-injected"));
	ck_assert_uint_eq(reply_parser_queued(p), 1);
	ck_assert_uint_eq(reply_parser_pending_bytes(p), 12);
	r = reply_parser_next(p);
	ck_assert_int_eq(r->code, 220);
	reply_free(r);
	ck_assert_uint_eq(reply_parser_queued(p), 0);
	ck_assert_uint_eq(reply_parser_pending_bytes(p), 12);
	ck_assert_uint_eq(reply_parser_reset(p), 12);
	reply_parser_free(p);
}
END_TEST

/* Interleaving feed and next keeps replies in order. */
START_TEST(test_queue_order)
{
	struct reply_parser *p = reply_parser_new();
	struct reply *r;
	int i, want = 0;
	char line[32];

	for (i = 0; i < 50; i++) {
		snprintf(line, sizeof line, "250 n%d\r\n", i);
		reply_parser_feed(p, line, strlen(line));
		if (i % 3 == 2) {
			while ((r = reply_parser_next(p)) != NULL) {
				snprintf(line, sizeof line, "n%d", want++);
				ck_assert_str_eq(r->lines[0].text, line);
				reply_free(r);
			}
		}
	}
	while ((r = reply_parser_next(p)) != NULL) {
		snprintf(line, sizeof line, "n%d", want++);
		ck_assert_str_eq(r->lines[0].text, line);
		reply_free(r);
	}
	ck_assert_int_eq(want, 50);
	reply_parser_free(p);
}
END_TEST

/* ---- every split point ------------------------------------------------ */

#define MAX_REPLIES 24

struct run {
	struct reply *r[MAX_REPLIES];
	size_t n;
};

static void run_drain(struct run *run, struct reply_parser *p)
{
	struct reply *r;

	while ((r = reply_parser_next(p)) != NULL) {
		if (run->n >= MAX_REPLIES)
			ck_abort_msg("more than %d replies", MAX_REPLIES);
		run->r[run->n++] = r;
	}
}

static void run_free(struct run *run)
{
	size_t i;

	for (i = 0; i < run->n; i++)
		reply_free(run->r[i]);
	run->n = 0;
}

/* Feeds the input cut at a <= b, draining between pieces, then ends it. */
static void run_split(struct run *run, const char *in, size_t len,
		      size_t a, size_t b)
{
	struct reply_parser *p = reply_parser_new();

	run->n = 0;
	reply_parser_feed(p, in, a);
	run_drain(run, p);
	reply_parser_feed(p, in + a, b - a);
	reply_parser_feed(p, in + b, len - b);
	reply_parser_finish(p);
	run_drain(run, p);
	reply_parser_free(p);
}

/* Feeds the input in pieces of `chunk` bytes, then ends it. */
static void run_chunks(struct run *run, const char *in, size_t len, size_t chunk)
{
	struct reply_parser *p = reply_parser_new();
	size_t off;

	run->n = 0;
	for (off = 0; off < len; off += chunk)
		reply_parser_feed(p, in + off, len - off < chunk ? len - off : chunk);
	reply_parser_finish(p);
	run_drain(run, p);
	reply_parser_free(p);
}

/* The first field in which two replies differ, or NULL. */
static const char *reply_diff(const struct reply *a, const struct reply *b)
{
	size_t i;

	if (a->code != b->code)
		return "code";
	if (a->nlines != b->nlines || a->lines_seen != b->lines_seen)
		return "number of lines";
	for (i = 0; i < a->nlines; i++) {
		const struct reply_line *x = &a->lines[i], *y = &b->lines[i];
		if (x->len != y->len || memcmp(x->text, y->text, x->len) != 0)
			return "line text";
		if (x->code != y->code || x->sep != y->sep)
			return "line code or separator";
	}
	if (a->raw_len != b->raw_len || a->raw_seen != b->raw_seen ||
	    memcmp(a->raw, b->raw, a->raw_len) != 0)
		return "raw bytes";
	if (a->ndefects != b->ndefects || a->defects_seen != b->defects_seen)
		return "number of defects";
	for (i = 0; i < a->ndefects; i++)
		if (a->defects[i].kind != b->defects[i].kind ||
		    a->defects[i].line != b->defects[i].line)
			return "defect kind or line";
	if (a->enhanced.present != b->enhanced.present ||
	    a->enhanced.cls != b->enhanced.cls ||
	    a->enhanced.subject != b->enhanced.subject ||
	    a->enhanced.detail != b->enhanced.detail)
		return "enhanced code";
	return NULL;
}

static void run_assert_same(const struct run *want, const struct run *got,
			    const char *how, size_t a, size_t b)
{
	size_t i;

	if (got->n != want->n)
		ck_abort_msg("%s %zu,%zu: %zu replies, want %zu", how, a, b,
			     got->n, want->n);
	for (i = 0; i < want->n; i++) {
		const char *d = reply_diff(want->r[i], got->r[i]);
		if (d)
			ck_abort_msg("%s %zu,%zu: reply %zu differs in %s", how, a,
				     b, i + 1, d);
	}
}

/* Every way of cutting the input into one, two or three pieces, and
 * byte-by-byte, gives what feeding it at once gives. */
static void assert_split_invariant(const struct run *whole, const char *in,
				   size_t len)
{
	struct run got;
	size_t a, b;

	for (a = 0; a <= len; a++)
		for (b = a; b <= len; b++) {
			run_split(&got, in, len, a, b);
			run_assert_same(whole, &got, "split at", a, b);
			run_free(&got);
		}
	for (a = 1; a <= 7; a++) {
		run_chunks(&got, in, len, a);
		run_assert_same(whole, &got, "pieces of", a, a);
		run_free(&got);
	}
}

/* Greeting, EHLO with text starting with digits, Exim-style nested code,
 * pipelined replies with enhanced codes. */
static const char split_clean[] =
	"220 mx.example.com ESMTP\r\n"
	"250-mx.example.com Hello\r\n250-234 digits\r\n250-SIZE 1000\r\n250 HELP\r\n"
	"503-501 Syntax error\r\n503 Valid RCPT must precede DATA\r\n"
	"250 2.1.0 Ok\r\n550 5.7.26 no\r\n250\r\n";

START_TEST(test_split_clean)
{
	struct run whole;

	run_split(&whole, LIT(split_clean), 0, 0);
	ck_assert_uint_eq(whole.n, 6);
	ck_assert_uint_eq(whole.r[1]->nlines, 4);
	assert_line(whole.r[1], 1, LIT("234 digits"), 250, '-');
	ck_assert_int_eq(whole.r[2]->code, 503);
	ck_assert_uint_eq(whole.r[2]->nlines, 2);
	ck_assert_int_eq(whole.r[4]->enhanced.detail, 26);
	assert_line(whole.r[5], 0, "", 0, 250, 0);
	for (size_t i = 0; i < whole.n; i++)
		ck_assert_uint_eq(whole.r[i]->ndefects, 0);
	assert_split_invariant(&whole, LIT(split_clean));
	run_free(&whole);
}
END_TEST

/* Every short defect, then a reply cut off by the end of input. */
static const char split_defects[] =
	"250-a\n250 b\rc\r\n"
	"550 5.1.1 \x1b[2J\xff\0x\r\n"
	"250x\r\nhello\r\n"
	"250-first\r\n  cont\r\n251 mixed\r\n"
	"199 low\r\n250 5.0.0 class\r\n"
	"250 a\r\r\n"
	"421-bye\r\n421 4.4";

START_TEST(test_split_defects)
{
	struct run whole;

	run_split(&whole, LIT(split_defects), 0, 0);
	ck_assert_uint_eq(whole.n, 9);
	ck_assert_uint_eq(defect_line(whole.r[0], REPLY_DEFECT_BARE_LF), 1);
	ck_assert_uint_eq(defect_line(whole.r[0], REPLY_DEFECT_BARE_CR), 2);
	ck_assert(reply_has_defect(whole.r[1], REPLY_DEFECT_CONTROL));
	ck_assert(reply_has_defect(whole.r[1], REPLY_DEFECT_8BIT));
	ck_assert(reply_has_defect(whole.r[1], REPLY_DEFECT_NUL));
	ck_assert(reply_has_defect(whole.r[2], REPLY_DEFECT_NO_SEPARATOR));
	ck_assert(reply_has_defect(whole.r[3], REPLY_DEFECT_BAD_CODE));
	ck_assert_uint_eq(defect_line(whole.r[4], REPLY_DEFECT_BAD_CODE), 2);
	ck_assert_uint_eq(defect_line(whole.r[4], REPLY_DEFECT_MIXED_CODES), 2);
	ck_assert(reply_has_defect(whole.r[5], REPLY_DEFECT_CODE_RANGE));
	ck_assert(reply_has_defect(whole.r[6], REPLY_DEFECT_ENHANCED_CLASS));
	ck_assert(reply_has_defect(whole.r[7], REPLY_DEFECT_BARE_CR));
	ck_assert_uint_eq(defect_line(whole.r[8], REPLY_DEFECT_INCOMPLETE), 2);
	assert_raw(whole.r[8], LIT("421-bye\r\n421 4.4"));
	assert_split_invariant(&whole, LIT(split_defects));
	run_free(&whole);
}
END_TEST

/* CR and LF at every piece boundary, and a CR right before the end. */
static const char split_crlf[] = "250-\r\n250-\r\r\n250 \n\r\n\r\n354 x\r";

START_TEST(test_split_crlf)
{
	struct run whole;

	run_split(&whole, LIT(split_crlf), 0, 0);
	ck_assert_uint_eq(whole.n, 4);
	ck_assert_uint_eq(whole.r[0]->nlines, 3);
	assert_raw(whole.r[0], LIT("250-\r\n250-\r\r\n250 \n"));
	ck_assert_uint_eq(defect_line(whole.r[0], REPLY_DEFECT_BARE_CR), 2);
	ck_assert_uint_eq(defect_line(whole.r[0], REPLY_DEFECT_BARE_LF), 3);
	ck_assert(reply_has_defect(whole.r[1], REPLY_DEFECT_BAD_CODE));
	assert_raw(whole.r[1], LIT("\r\n"));
	assert_raw(whole.r[3], LIT("354 x\r"));
	ck_assert(reply_has_defect(whole.r[3], REPLY_DEFECT_INCOMPLETE));
	assert_split_invariant(&whole, LIT(split_crlf));
	run_free(&whole);
}
END_TEST

/* Large replies: single cuts near the limits, and small pieces. */
static void assert_split_invariant_large(const char *in, size_t len,
					 const size_t *marks, size_t nmarks)
{
	struct run whole, got;
	static const size_t chunks[] = { 1, 2, 3, 5, 512, 4095, 4096, 4097 };
	size_t i, a;

	run_split(&whole, in, len, 0, 0);
	for (i = 0; i < nmarks; i++)
		for (a = marks[i] > 3 ? marks[i] - 3 : 0; a <= marks[i] + 3 && a <= len; a++) {
			run_split(&got, in, len, a, a);
			run_assert_same(&whole, &got, "split at", a, a);
			run_free(&got);
		}
	for (i = 0; i < UTIL_ARRAY_LEN(chunks); i++) {
		run_chunks(&got, in, len, chunks[i]);
		run_assert_same(&whole, &got, "pieces of", chunks[i], chunks[i]);
		run_free(&got);
	}
	run_free(&whole);
}

START_TEST(test_split_truncated_line)
{
	/* Lines one short of, at, and just past the keep limit. */
	size_t wires[] = { REPLY_MAX_LINE, REPLY_MAX_LINE + 1, REPLY_MAX_LINE + 2, 9000 };
	struct buf in;
	size_t marks[8], nmarks = 0, i;

	buf_init(&in);
	for (i = 0; i < UTIL_ARRAY_LEN(wires); i++) {
		char *s = make_line("250-", wires[i]);
		buf_add(&in, s, wires[i]);
		marks[nmarks++] = in.len - 1; /* between CR and LF */
		free(s);
	}
	buf_adds(&in, "250 end\r\n");
	marks[nmarks++] = REPLY_MAX_LINE;
	assert_split_invariant_large(in.data, in.len, marks, nmarks);
	buf_free(&in);
}
END_TEST

START_TEST(test_split_too_big)
{
	struct buf in;
	size_t marks[] = { REPLY_MAX_BYTES };
	size_t i;

	buf_init(&in);
	for (i = 0; i < 80; i++)
		buf_adds(&in, "250-0123456789012345678901234567890123456789"
			 "0123456789012345678901234567890123456789"
			 "0123456789012345678901234567890123456789"
			 "0123456789012345678901234567890123456789"
			 "0123456789012345678901234567890123456789"
			 "0123456789012345678901234567890123456789"
			 "0123456789012345678901234567890123456789"
			 "0123456789012345678901234567890123456789"
			 "0123456789012345678901234567890123456789"
			 "0123456789012345678901234567890123456789\r\n");
	while (in.len < REPLY_MAX_BYTES + 100)
		buf_adds(&in, "250-x\r\n");
	buf_adds(&in, "250 end\r\n220 next\r\n");
	assert_split_invariant_large(in.data, in.len, marks, UTIL_ARRAY_LEN(marks));
	buf_free(&in);
}
END_TEST

Suite *reply_suite(void)
{
	Suite *s = suite_create("reply");
	TCase *framing = tcase_create("framing");
	TCase *defects = tcase_create("defects");
	TCase *enhanced = tcase_create("enhanced");
	TCase *queue = tcase_create("queue");
	TCase *split = tcase_create("split points");

	tcase_add_test(framing, test_single_line);
	tcase_add_test(framing, test_multiline);
	tcase_add_test(framing, test_text_starting_with_digits);
	tcase_add_test(framing, test_exim_nested_code);
	tcase_add_test(framing, test_several_replies_in_one_read);
	tcase_add_test(framing, test_byte_at_a_time);
	tcase_add_test(framing, test_empty_text);
	tcase_add_test(framing, test_tab_is_not_a_defect);
	suite_add_tcase(s, framing);

	tcase_add_test(defects, test_defect_bare_lf);
	tcase_add_test(defects, test_defect_bare_cr);
	tcase_add_test(defects, test_defect_mixed_codes);
	tcase_add_test(defects, test_defect_no_separator);
	tcase_add_test(defects, test_defect_bad_code);
	tcase_add_test(defects, test_defect_code_range);
	tcase_add_test(defects, test_defect_long_line);
	tcase_add_test(defects, test_defect_line_truncated);
	tcase_add_test(defects, test_line_at_keep_limit);
	tcase_add_test(defects, test_defect_nul);
	tcase_add_test(defects, test_defect_8bit);
	tcase_add_test(defects, test_defect_control);
	tcase_add_test(defects, test_defects_on_their_lines);
	tcase_add_test(defects, test_defect_too_many_lines);
	tcase_add_test(defects, test_defect_too_big);
	tcase_add_test(defects, test_huge_ehlo_keeps_last);
	tcase_add_test(defects, test_defect_incomplete);
	tcase_add_test(defects, test_defect_enhanced_class);
	tcase_add_test(defects, test_defect_names);
	suite_add_tcase(s, defects);

	tcase_add_test(enhanced, test_enhanced_present);
	tcase_add_test(enhanced, test_enhanced_absent);
	tcase_add_test(enhanced, test_enhanced_str_buffer);
	tcase_add_test(enhanced, test_reply_class);
	suite_add_tcase(s, enhanced);

	tcase_add_test(queue, test_pending_queued_reset);
	tcase_add_test(queue, test_pending_after_reply);
	tcase_add_test(queue, test_queue_order);
	suite_add_tcase(s, queue);

	/* Exhaustive cuts take a few seconds under the sanitizers. */
	tcase_set_timeout(split, 120);
	tcase_add_test(split, test_split_clean);
	tcase_add_test(split, test_split_defects);
	tcase_add_test(split, test_split_crlf);
	tcase_add_test(split, test_split_truncated_line);
	tcase_add_test(split, test_split_too_big);
	suite_add_tcase(s, split);
	return s;
}
