/* util: buffers and the visible escaping of untrusted bytes. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

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
	suite_add_tcase(s, tc);
	return s;
}
