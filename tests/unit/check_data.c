/* data: the DATA encoder (RFC 5321 4.1.1.4, 4.5.2, 4.5.3.1.6), fed in
 * pieces of every size. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/data.h"
#include "suites.h"

/* A string literal with its length, so literals may hold NUL octets. */
#define LIT(s) (s), (sizeof(s) - 1)

/* Encodes the input cut at a <= b, then finishes; out gets everything. */
static void encode_split(struct data_encoder *d, bool raw, const char *in,
			 size_t len, size_t a, size_t b, struct buf *out)
{
	data_encoder_init(d);
	d->raw = raw;
	buf_init(out);
	data_encode(d, in, a, out);
	data_encode(d, in + a, b - a, out);
	data_encode(d, in + b, len - b, out);
	data_finish(d, out);
}

/* Encodes in one piece and checks the bytes sent; d keeps the counters. */
static void assert_encodes(struct data_encoder *d, bool raw, const char *in,
			   size_t len, const char *want, size_t wantlen)
{
	struct buf out;

	encode_split(d, raw, in, len, len, len, &out);
	ck_assert_uint_eq(out.len, wantlen);
	ck_assert_mem_eq(out.data, want, wantlen);
	ck_assert_uint_eq(d->in_bytes, len);
	ck_assert_uint_eq(d->out_bytes, wantlen);
	buf_free(&out);
}

#define ENCODES(d, in, want) assert_encodes((d), false, LIT(in), LIT(want))
#define ENCODES_RAW(d, in, want) assert_encodes((d), true, LIT(in), LIT(want))

START_TEST(test_plain_message)
{
	struct data_encoder d;

	ENCODES(&d, "Subject: hi\r\n\r\nbody\r\n", "Subject: hi\r\n\r\nbody\r\n.\r\n");
	ck_assert_uint_eq(d.lines, 3);
	ck_assert_uint_eq(d.stuffed, 0);
	ck_assert_uint_eq(d.bare_lf, 0);
	ck_assert_uint_eq(d.bare_cr, 0);
	ck_assert_uint_eq(d.long_lines, 0);
	ck_assert_uint_eq(d.first_long_line, 0);
	ck_assert(!d.had_nul);
}
END_TEST

/* RFC 5321 4.5.2: a line starting with "." gets one more. */
START_TEST(test_dot_stuffing)
{
	struct data_encoder d;

	ENCODES(&d, ".hidden\r\n", "..hidden\r\n.\r\n");
	ck_assert_uint_eq(d.stuffed, 1);
	/* A line that is only "." inside the message must not end it. */
	ENCODES(&d, "a\r\n.\r\nb\r\n", "a\r\n..\r\nb\r\n.\r\n");
	ck_assert_uint_eq(d.stuffed, 1);
	ck_assert_uint_eq(d.lines, 3);
	ENCODES(&d, ".", "..\r\n.\r\n");
	ck_assert_uint_eq(d.stuffed, 1);
	ENCODES(&d, "..\r\n", "...\r\n.\r\n");
	ENCODES(&d, ".a.b\r\n", "..a.b\r\n.\r\n");
	ck_assert_uint_eq(d.stuffed, 1);
	ENCODES(&d, "a\r\n.", "a\r\n..\r\n.\r\n");
	ENCODES(&d, ".\r\n.\r\n.\r\n", "..\r\n..\r\n..\r\n.\r\n");
	ck_assert_uint_eq(d.stuffed, 3);
	/* Dots elsewhere are left alone. */
	ENCODES(&d, "a.b\r\n .c\r\nd.\r\n", "a.b\r\n .c\r\nd.\r\n.\r\n");
	ck_assert_uint_eq(d.stuffed, 0);
}
END_TEST

/* RFC 5321 2.3.8: lines end in CRLF; a bare LF is repaired and counted.
 * A dot after a bare LF is stuffed too, so "\n.\n" cannot end the data
 * early on a server that accepts bare LF (SMTP smuggling). */
START_TEST(test_bare_lf)
{
	struct data_encoder d;

	ENCODES(&d, "a\nb\n", "a\r\nb\r\n.\r\n");
	ck_assert_uint_eq(d.bare_lf, 2);
	ck_assert_uint_eq(d.bare_cr, 0);
	ck_assert_uint_eq(d.lines, 2);
	ENCODES(&d, "a\n.\nb", "a\r\n..\r\nb\r\n.\r\n");
	ck_assert_uint_eq(d.bare_lf, 2);
	ck_assert_uint_eq(d.stuffed, 1);
	ENCODES(&d, "\n\n", "\r\n\r\n.\r\n");
	ck_assert_uint_eq(d.bare_lf, 2);
}
END_TEST

START_TEST(test_bare_cr)
{
	struct data_encoder d;

	ENCODES(&d, "a\rb\r\n", "a\r\nb\r\n.\r\n");
	ck_assert_uint_eq(d.bare_cr, 1);
	ck_assert_uint_eq(d.bare_lf, 0);
	ck_assert_uint_eq(d.lines, 2);
	ENCODES(&d, "a\r\r\n", "a\r\n\r\n.\r\n");
	ck_assert_uint_eq(d.bare_cr, 1);
	ck_assert_uint_eq(d.lines, 2);
	ENCODES(&d, "a\r.\r\n", "a\r\n..\r\n.\r\n");
	ck_assert_uint_eq(d.bare_cr, 1);
	ck_assert_uint_eq(d.stuffed, 1);
	ENCODES(&d, "\r\r\r\n", "\r\n\r\n\r\n.\r\n");
	ck_assert_uint_eq(d.bare_cr, 2);
	/* "\n\r" is a bare LF then a CR waiting for its LF. */
	ENCODES(&d, "a\n\rb", "a\r\n\r\nb\r\n.\r\n");
	ck_assert_uint_eq(d.bare_lf, 1);
	ck_assert_uint_eq(d.bare_cr, 1);
}
END_TEST

/* Raw mode sends bare LF and CR as they are, still counting them. */
START_TEST(test_raw_keeps_line_endings)
{
	struct data_encoder d;

	ENCODES_RAW(&d, "a\nb\rc\r\n", "a\nb\rc\r\n.\r\n");
	ck_assert_uint_eq(d.bare_lf, 1);
	ck_assert_uint_eq(d.bare_cr, 1);
	ck_assert_uint_eq(d.lines, 1);
	ENCODES_RAW(&d, "\r\r\n", "\r\r\n.\r\n");
	ck_assert_uint_eq(d.bare_cr, 1);
	/* Only CRLF starts a line, so only there is a dot doubled; the
	 * caller warns that bare LFs went out as they were. */
	ENCODES_RAW(&d, ".a\n.b\r\n.c", "..a\n.b\r\n..c\r\n.\r\n");
	ck_assert_uint_eq(d.stuffed, 2);
	ck_assert_uint_eq(d.bare_lf, 1);
	ck_assert_uint_eq(d.lines, 2);
	/* CRLF and the end marker are the same as in normal mode. */
	ENCODES_RAW(&d, "x\r\ny", "x\r\ny\r\n.\r\n");
	ck_assert_uint_eq(d.bare_lf + d.bare_cr, 0);
}
END_TEST

/* data_finish: CRLF if the last line lacks one, then ".\r\n". */
START_TEST(test_end_of_data)
{
	struct data_encoder d;

	ENCODES(&d, "", ".\r\n");
	ck_assert_uint_eq(d.lines, 0);
	ENCODES(&d, "abc", "abc\r\n.\r\n");
	ck_assert_uint_eq(d.lines, 1);
	ENCODES(&d, "abc\r\n", "abc\r\n.\r\n");
	ck_assert_uint_eq(d.lines, 1);
	ENCODES(&d, "abc\n", "abc\r\n.\r\n");
	ENCODES(&d, "abc\r\n\r\n", "abc\r\n\r\n.\r\n");
	ck_assert_uint_eq(d.lines, 2);
	/* A final lone CR ends the last line; no second CRLF is added. */
	ENCODES(&d, "abc\r", "abc\r\n.\r\n");
	ck_assert_uint_eq(d.lines, 1);
	ENCODES_RAW(&d, "abc\r", "abc\r\n.\r\n");
	ENCODES_RAW(&d, "abc\n", "abc\n\r\n.\r\n");
}
END_TEST

/* RFC 5321 4.5.3.1.6: 998 octets plus CRLF. */
START_TEST(test_long_lines)
{
	struct data_encoder d;
	struct buf in, out;
	size_t i;

	buf_init(&in);
	for (i = 0; i < DATA_LINE_MAX; i++)
		buf_addc(&in, 'x');
	buf_adds(&in, "\r\n");
	encode_split(&d, false, in.data, in.len, 0, 0, &out);
	ck_assert_uint_eq(d.long_lines, 0);
	ck_assert_uint_eq(d.first_long_line, 0);
	ck_assert_uint_eq(out.len, in.len + 3);
	buf_free(&out);

	/* short, 999, ok, 1200 (bare LF), last line 1000 with no CRLF */
	buf_clear(&in);
	buf_adds(&in, "short\r\n");
	for (i = 0; i < DATA_LINE_MAX + 1; i++)
		buf_addc(&in, 'a');
	buf_adds(&in, "\r\nok\r\n");
	for (i = 0; i < 1200; i++)
		buf_addc(&in, 'b');
	buf_addc(&in, '\n');
	for (i = 0; i < 1000; i++)
		buf_addc(&in, 'c');
	data_encoder_init(&d);
	buf_init(&out);
	data_encode(&d, in.data, in.len, &out);
	ck_assert_uint_eq(d.long_lines, 2);
	ck_assert_uint_eq(d.first_long_line, 2);
	ck_assert_uint_eq(d.lines, 4);
	/* The unfinished last line counts once it is ended. */
	data_finish(&d, &out);
	ck_assert_uint_eq(d.long_lines, 3);
	ck_assert_uint_eq(d.first_long_line, 2);
	ck_assert_uint_eq(d.lines, 5);
	ck_assert_uint_eq(d.bare_lf, 1);
	/* Long lines are flagged, never cut. */
	ck_assert_uint_eq(out.len, in.len + 1 + 2 + 3);
	buf_free(&out);
	buf_free(&in);
}
END_TEST

START_TEST(test_nul_and_8bit)
{
	struct data_encoder d;

	ENCODES(&d, "a\0b\r\n", "a\0b\r\n.\r\n");
	ck_assert(d.had_nul);
	ck_assert_uint_eq(d.eight_bit, 0);
	ENCODES(&d, "caf\xc3\xa9\r\n", "caf\xc3\xa9\r\n.\r\n");
	ck_assert(!d.had_nul);
	ck_assert_uint_eq(d.eight_bit, 2);
}
END_TEST

/* Counters add up over several calls; output only grows. */
START_TEST(test_streaming_counts)
{
	struct data_encoder d;
	struct buf out;

	data_encoder_init(&d);
	buf_init(&out);
	data_encode(&d, LIT("a\r"), &out);
	/* The CR waits: it may be the first half of a CRLF. */
	ck_assert_str_eq(out.data, "a");
	ck_assert_uint_eq(d.out_bytes, 1);
	data_encode(&d, LIT("\n"), &out);
	ck_assert_str_eq(out.data, "a\r\n");
	ck_assert_uint_eq(d.bare_cr + d.bare_lf, 0);
	data_encode(&d, LIT(""), &out);
	data_encode(&d, LIT("."), &out);
	ck_assert_str_eq(out.data, "a\r\n..");
	ck_assert_uint_eq(d.stuffed, 1);
	data_encode(&d, LIT("b\n"), &out);
	ck_assert_uint_eq(d.in_bytes, 6);
	ck_assert_uint_eq(d.out_bytes, 8);
	data_finish(&d, &out);
	ck_assert_str_eq(out.data, "a\r\n..b\r\n.\r\n");
	ck_assert_uint_eq(d.out_bytes, out.len);
	ck_assert_uint_eq(d.in_bytes, 6);
	ck_assert_uint_eq(d.lines, 2);
	ck_assert_uint_eq(d.bare_lf, 1);
	buf_free(&out);
}
END_TEST

/* ---- every split point ------------------------------------------------ */

/* The first counter in which two encoders differ, or NULL. */
static const char *encoder_diff(const struct data_encoder *a,
				const struct data_encoder *b)
{
	if (a->lines != b->lines)
		return "lines";
	if (a->stuffed != b->stuffed)
		return "stuffed";
	if (a->bare_lf != b->bare_lf)
		return "bare_lf";
	if (a->bare_cr != b->bare_cr)
		return "bare_cr";
	if (a->long_lines != b->long_lines || a->first_long_line != b->first_long_line)
		return "long lines";
	if (a->in_bytes != b->in_bytes || a->out_bytes != b->out_bytes)
		return "byte counts";
	if (a->had_nul != b->had_nul)
		return "had_nul";
	if (a->at_line_start != b->at_line_start || a->pending_cr != b->pending_cr ||
	    a->line_len != b->line_len)
		return "final state";
	return NULL;
}

static void assert_same(const struct data_encoder *wd, const struct buf *want,
			const struct data_encoder *gd, const struct buf *got,
			const char *how, size_t a, size_t b)
{
	const char *diff = encoder_diff(wd, gd);

	if (got->len != want->len || memcmp(got->data, want->data, want->len) != 0)
		ck_abort_msg("%s %zu,%zu: output differs", how, a, b);
	if (diff)
		ck_abort_msg("%s %zu,%zu: %s differ", how, a, b, diff);
}

/* Encodes the input in pieces of `chunk` bytes. */
static void encode_chunks(struct data_encoder *d, bool raw, const char *in,
			  size_t len, size_t chunk, struct buf *out)
{
	size_t off;

	data_encoder_init(d);
	d->raw = raw;
	buf_init(out);
	for (off = 0; off < len; off += chunk)
		data_encode(d, in + off, len - off < chunk ? len - off : chunk, out);
	data_finish(d, out);
}

/* Cutting the input anywhere (one, two or three pieces, byte by byte)
 * changes neither the bytes sent nor the counters.  pairs=false limits
 * the cuts to one per input (for long inputs). */
static void assert_split_invariant(bool raw, const char *in, size_t len, bool pairs)
{
	struct data_encoder wd, gd;
	struct buf want, got;
	size_t a, b;

	encode_split(&wd, raw, in, len, len, len, &want);
	for (a = 0; a <= len; a++)
		for (b = pairs ? a : len; b <= len; b++) {
			encode_split(&gd, raw, in, len, a, b, &got);
			assert_same(&wd, &want, &gd, &got, "split at", a, b);
			buf_free(&got);
		}
	for (a = 1; a <= 4; a++) {
		encode_chunks(&gd, raw, in, len, a, &got);
		assert_same(&wd, &want, &gd, &got, "pieces of", a, a);
		buf_free(&got);
	}
	buf_free(&want);
}

/* Dots, CR|LF pairs, bare CR and LF, a NUL, and a trailing lone CR. */
static const char split_input[] =
	".a\r\n.\r\nb\rc\nd\r\r\n..e\n.\rf\r\n\r\n.\r\n\0g.\r\n.";
static const char split_tail_cr[] = "x\r\n.\r";

START_TEST(test_split_points)
{
	struct data_encoder d;
	struct buf out;

	static const char want[] = "..a\r\n..\r\nb\r\nc\r\nd\r\n\r\n...e\r\n..\r\n"
				   "f\r\n\r\n..\r\n\0g.\r\n..\r\n.\r\n";

	/* What the pieces must add up to. */
	encode_split(&d, false, LIT(split_input), 0, 0, &out);
	ck_assert_uint_eq(out.len, sizeof want - 1);
	ck_assert_mem_eq(out.data, want, out.len);
	ck_assert_uint_eq(d.stuffed, 6);
	ck_assert_uint_eq(d.bare_cr, 3);
	ck_assert_uint_eq(d.bare_lf, 2);
	buf_free(&out);

	assert_split_invariant(false, LIT(split_input), true);
	assert_split_invariant(false, LIT(split_tail_cr), true);
}
END_TEST

START_TEST(test_split_points_raw)
{
	struct data_encoder d;
	struct buf out;

	static const char want[] = "..a\r\n..\r\nb\rc\nd\r\r\n...e\n.\rf\r\n\r\n..\r\n"
				   "\0g.\r\n..\r\n.\r\n";

	encode_split(&d, true, LIT(split_input), 0, 0, &out);
	ck_assert_uint_eq(out.len, sizeof want - 1);
	ck_assert_mem_eq(out.data, want, out.len);
	/* The dot after the raw bare LF is not at a line start. */
	ck_assert_uint_eq(d.stuffed, 5);
	ck_assert_uint_eq(d.bare_cr, 3);
	ck_assert_uint_eq(d.bare_lf, 2);
	buf_free(&out);

	assert_split_invariant(true, LIT(split_input), true);
	assert_split_invariant(true, LIT(split_tail_cr), true);
}
END_TEST

/* Long lines around the limit, cut at every position. */
START_TEST(test_split_points_long_lines)
{
	struct buf in;
	size_t i;

	buf_init(&in);
	for (i = 0; i < DATA_LINE_MAX; i++)
		buf_addc(&in, 'x');
	buf_adds(&in, "\r\n.");
	for (i = 0; i < DATA_LINE_MAX; i++)
		buf_addc(&in, 'y');
	buf_adds(&in, "\r");
	for (i = 0; i < DATA_LINE_MAX + 1; i++)
		buf_addc(&in, 'z');
	buf_adds(&in, "\n");
	assert_split_invariant(false, in.data, in.len, false);
	assert_split_invariant(true, in.data, in.len, false);
	buf_free(&in);
}
END_TEST

/* The header section as it streams (RFC 5322 2.1, 2.2, 3.6), cut
 * anywhere: the same findings whatever the pieces. */
static void headers_split(struct data_headers *h, const char *in, size_t len, size_t a, size_t b)
{
	data_headers_init(h);
	data_headers_feed(h, in, a);
	data_headers_feed(h, in + a, b - a);
	data_headers_feed(h, in + b, len - b);
	data_headers_finish(h);
}

START_TEST(test_headers_whole_message)
{
	static const char msg[] = "From: <a@x.test>\r\nDATE: Mon, 7 Jul 2025\r\n"
				  "Subject: folded\r\n  more\r\nmessage-id: <1@x>\r\nX-Odd : obs form\r\n"
				  "\r\nBody line\r\nno: header\r\n";
	struct data_headers h;

	for (size_t a = 0; a <= sizeof msg - 1; a += 7)
		for (size_t b = a; b <= sizeof msg - 1; b += 11) {
			headers_split(&h, msg, sizeof msg - 1, a, b);
			ck_assert(h.blank_seen);
			ck_assert(!h.in_header);
			ck_assert_uint_eq(h.fields, 5);
			ck_assert(h.date && h.from && h.message_id);
			ck_assert_uint_eq(h.bad_line, 0);
		}
}
END_TEST

START_TEST(test_headers_mistakes)
{
	struct data_headers h;
	char long_line[300];

	/* No empty line: the body begins in the header section. */
	headers_split(&h, LIT("Subject: x\nHello there\nmore"), 5, 20);
	ck_assert(!h.blank_seen);
	ck_assert_uint_eq(h.bad_line, 2);
	ck_assert_str_eq(h.bad, "Hello there");
	ck_assert(!h.date && !h.from && !h.message_id);
	/* A line without its colon, before the empty line. */
	headers_split(&h, LIT("From: a\r\nSubject hi\r\nTo: b\r\n\r\nbody"), 3, 3);
	ck_assert(h.blank_seen);
	ck_assert_uint_eq(h.bad_line, 2);
	ck_assert_str_eq(h.bad, "Subject hi");
	ck_assert(h.from && !h.date);
	/* A continuation with nothing to continue; a name with a space. */
	headers_split(&h, LIT(" indented\r\n\r\n"), 0, 0);
	ck_assert_uint_eq(h.bad_line, 1);
	headers_split(&h, LIT("Re ply: x\r\n"), 0, 0);
	ck_assert_uint_eq(h.bad_line, 1);
	/* The last line without a line end counts. */
	headers_split(&h, LIT("Date: x\r\nno colon"), 0, 0);
	ck_assert_uint_eq(h.bad_line, 2);
	/* A long line is shown cut, at a character. */
	memset(long_line, 'a', sizeof long_line);
	memcpy(long_line + 38, "\xc3\xa9\xc3\xa9", 4);
	headers_split(&h, long_line, sizeof long_line, 100, 200);
	ck_assert_uint_eq(h.bad_line, 1);
	ck_assert_uint_eq(strlen(h.bad), 43);
	ck_assert_mem_eq(h.bad + 38, "\xc3\xa9...", 5);
	/* The encoder feeds it: the header section of what it encodes. */
	struct data_encoder d;
	struct buf out;

	encode_split(&d, false, LIT("From: a\nDate: b\nMessage-ID: <c>\n\nbody\n"), 4, 9, &out);
	data_headers_finish(&d.hdr);
	ck_assert(d.hdr.date && d.hdr.from && d.hdr.message_id && d.hdr.blank_seen);
	buf_free(&out);
}
END_TEST

Suite *data_suite(void)
{
	Suite *s = suite_create("data");
	TCase *enc = tcase_create("encoder");
	TCase *split = tcase_create("split points");

	tcase_add_test(enc, test_plain_message);
	tcase_add_test(enc, test_dot_stuffing);
	tcase_add_test(enc, test_bare_lf);
	tcase_add_test(enc, test_bare_cr);
	tcase_add_test(enc, test_raw_keeps_line_endings);
	tcase_add_test(enc, test_end_of_data);
	tcase_add_test(enc, test_long_lines);
	tcase_add_test(enc, test_nul_and_8bit);
	tcase_add_test(enc, test_streaming_counts);
	tcase_add_test(enc, test_headers_whole_message);
	tcase_add_test(enc, test_headers_mistakes);
	suite_add_tcase(s, enc);

	tcase_set_timeout(split, 120);
	tcase_add_test(split, test_split_points);
	tcase_add_test(split, test_split_points_raw);
	tcase_add_test(split, test_split_points_long_lines);
	suite_add_tcase(s, split);
	return s;
}
