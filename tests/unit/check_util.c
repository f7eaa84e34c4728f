/* util: buffers and the visible escaping of untrusted bytes. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/hexdump.h"
#include "smtpscope/util.h"
#include "suites.h"

static char *esc(const char *p, size_t n)
{
	return util_escape_dup(p, n);
}

#define ESC_IS(in, expect) do {                                    \
		char *got_ = esc(in, sizeof(in) - 1);              \
		ck_assert_str_eq(got_, expect);                    \
		free(got_);                                        \
	} while (0)

START_TEST(test_escape_plain)
{
	ESC_IS("250 OK", "250 OK");
	ESC_IS("a\\b", "a\\\\b");
	ESC_IS("tab\there", "tab\\there");
	ESC_IS("cr\rlf\n", "cr\\rlf\\n");
}
END_TEST

START_TEST(test_escape_terminal_attacks)
{
	/* Clear screen, set title (OSC), clipboard (OSC 52), cursor moves. */
	ESC_IS("\x1b[2J", "\\x1b[2J");
	ESC_IS("\x1b]0;owned\x07", "\\x1b]0;owned\\x07");
	ESC_IS("\x1b]52;c;ZXZpbA==\x1b\\", "\\x1b]52;c;ZXZpbA==\\x1b\\\\");
	ESC_IS("\x9b" "2J", "\\x9b2J");           /* raw C1 CSI byte */
	ESC_IS("\xc2\x9b" "2J", "\\u{009b}2J");  /* C1 CSI as UTF-8 */
	ESC_IS("\x7f\x00", "\\x7f\\x00");
}
END_TEST

START_TEST(test_escape_utf8)
{
	ESC_IS("\xed\x95\x9c\xea\xb5\xad", "\xed\x95\x9c\xea\xb5\xad"); /* Korean */
	ESC_IS("caf\xc3\xa9", "caf\xc3\xa9");
	ESC_IS("\xc3", "\\xc3");                 /* cut short */
	ESC_IS("\xc0\xaf", "\\xc0\\xaf");        /* overlong */
	ESC_IS("\xed\xa0\x80", "\\xed\\xa0\\x80"); /* surrogate */
	ESC_IS("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
	ESC_IS("\xe2\x80\xae" "evil", "\\u{202e}evil"); /* bidi override */
}
END_TEST

START_TEST(test_utf8_valid)
{
	ck_assert(util_utf8_valid("", 0));
	ck_assert(util_utf8_valid("plain ASCII", 11));
	ck_assert(util_utf8_valid("Gr\xc3\xbc\xc3\x9f""e \xe2\x82\xac \xf0\x9f\x93\xa8", 16));
	ck_assert(!util_utf8_valid("\xff\xfe", 2));          /* never UTF-8 */
	ck_assert(!util_utf8_valid("\xc0\xaf", 2));          /* overlong "/" */
	ck_assert(!util_utf8_valid("\xed\xa0\x80", 3));      /* a surrogate */
	ck_assert(!util_utf8_valid("\xf4\x90\x80\x80", 4));  /* past U+10FFFF */
	ck_assert(!util_utf8_valid("caf\xc3", 4));            /* cut short */
}
END_TEST

START_TEST(test_escape_never_emits_controls)
{
	char in[256];
	char *out;
	size_t i;

	for (i = 0; i < sizeof in; i++)
		in[i] = (char)i;
	out = esc(in, sizeof in);
	for (i = 0; out[i]; i++)
		ck_assert_msg((unsigned char)out[i] >= 0x20 && (unsigned char)out[i] != 0x7f,
			      "control byte 0x%02x at %zu", (unsigned char)out[i], i);
	free(out);
}
END_TEST

START_TEST(test_buf)
{
	struct buf b;
	char *s;

	buf_init(&b);
	buf_adds(&b, "hello");
	buf_printf(&b, " %d", 42);
	ck_assert_str_eq(b.data, "hello 42");
	buf_consume(&b, 6);
	ck_assert_str_eq(b.data, "42");
	ck_assert_uint_eq(b.len, 2);
	buf_consume(&b, 10);
	ck_assert_uint_eq(b.len, 0);
	buf_add(&b, "a\0b", 3);
	ck_assert_uint_eq(b.len, 3);
	s = buf_steal(&b);
	ck_assert_int_eq(s[2], 'b');
	ck_assert_ptr_null(b.data);
	free(s);
}
END_TEST

START_TEST(test_strings)
{
	char line[] = "EHLO x\r\n";

	ck_assert(util_strieq("Data", "DATA"));
	ck_assert(!util_strieq("DAT", "DATA"));
	ck_assert(util_istarts("mail from:<a>", "MAIL FROM:"));
	ck_assert(!util_istarts("MAI", "MAIL"));
	ck_assert_uint_eq(util_chomp(line, strlen(line)), 6);
	ck_assert_str_eq(line, "EHLO x");
}
END_TEST

/* hexdump -C's rows: offset, 16 bytes in two halves, the ASCII with
 * dots; a short last row padded; narrower rows for narrow panes. */
START_TEST(test_hexdump)
{
	struct buf b;
	unsigned char all[256];

	buf_init(&b);
	hexdump(&b, "220 demo.test ESMTP smtpscope demo server\r\n", 43, 16, "");
	ck_assert_str_eq(b.data,
			 "0000  32 32 30 20 64 65 6d 6f  2e 74 65 73 74 20 45 53  |220 demo.test ES|\n"
			 "0010  4d 54 50 20 73 6d 74 70  73 63 6f 70 65 20 64 65  |MTP smtpscope de|\n"
			 "0020  6d 6f 20 73 65 72 76 65  72 0d 0a                 |mo server..|\n");
	buf_clear(&b);
	hexdump(&b, "QUIT\r\n", 6, 8, "> ");
	ck_assert_str_eq(b.data, "> 0000  51 55 49 54 0d 0a        |QUIT..|\n");
	buf_clear(&b);
	hexdump(&b, "", 0, 16, "");
	ck_assert_uint_eq(b.len, 0);
	/* Every byte value: the ASCII column holds printable ASCII only. */
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	hexdump(&b, all, sizeof all, 16, "");
	ck_assert_uint_eq(b.len, 16 * (hexdump_row_width(16, 4) + 1));
	for (size_t i = 0; i < b.len; i++)
		ck_assert(b.data[i] == '\n' || (b.data[i] >= 0x20 && b.data[i] < 0x7f));
	ck_assert_ptr_nonnull(strstr(b.data, "00f0  f0 f1 f2 f3 f4 f5 f6 f7  f8 f9 fa fb fc fd fe ff  |................|\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "0040  40 41 42 43 44 45 46 47  48 49 4a 4b 4c 4d 4e 4f  |@ABCDEFGHIJKLMNO|\n"));
	buf_clear(&b);
	hexdump_plain(&b, "\x00\xff\r\n", 4);
	ck_assert_str_eq(b.data, "00ff0d0a");
	/* Offsets past 64 KiB take 8 digits; rows fit the columns given. */
	ck_assert_int_eq(hexdump_digits(65536), 4);
	ck_assert_int_eq(hexdump_digits(65537), 8);
	ck_assert_uint_eq(hexdump_row_width(16, 8), 78);
	ck_assert_uint_eq(hexdump_fit(80, 100), 16);
	ck_assert_uint_eq(hexdump_fit(74, 100), 16);
	ck_assert_uint_eq(hexdump_fit(73, 100), 8);
	ck_assert_uint_eq(hexdump_fit(41, 100), 8);
	ck_assert_uint_eq(hexdump_fit(40, 100), 4);
	ck_assert_uint_eq(hexdump_fit(5, 100), 4);
	buf_clear(&b);
	hexdump_row(&b, "abc", 3, 0x12345, 4, 8);
	ck_assert_str_eq(b.data, "00012345  61 62 63     |abc|");
	buf_free(&b);
}
END_TEST

/* A library opened when first needed: its symbols found, a missing
 * library or symbol said in the loader's words. */
START_TEST(test_dlsyms)
{
	size_t (*len)(const char *) = NULL;
	void *none = NULL;
	const struct util_sym good[] = { { "strlen", (void **)&len } };
	const struct util_sym bad[] = { { "strlen", (void **)&len },
					{ "smtpscope_no_such_symbol", &none } };
	char *why;

	ck_assert_ptr_null(util_dlsyms("libc.so.6", good, 1));
	ck_assert_ptr_nonnull(len);
	ck_assert_uint_eq(len("four"), 4);
	why = util_dlsyms("libc.so.6", bad, 2);
	ck_assert_ptr_nonnull(why);
	ck_assert_ptr_nonnull(strstr(why, "no symbol smtpscope_no_such_symbol"));
	free(why);
	why = util_dlsyms("libsmtpscope-no-such-library.so.0", good, 1);
	ck_assert_ptr_nonnull(why);
	ck_assert_ptr_nonnull(strstr(why, "libsmtpscope-no-such-library.so.0"));
	free(why);
}
END_TEST

Suite *util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_escape_plain);
	tcase_add_test(tc, test_utf8_valid);
	tcase_add_test(tc, test_escape_terminal_attacks);
	tcase_add_test(tc, test_escape_utf8);
	tcase_add_test(tc, test_escape_never_emits_controls);
	tcase_add_test(tc, test_buf);
	tcase_add_test(tc, test_strings);
	tcase_add_test(tc, test_hexdump);
	tcase_add_test(tc, test_dlsyms);
	suite_add_tcase(s, tc);
	return s;
}
