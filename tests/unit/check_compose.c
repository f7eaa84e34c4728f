/* compose: the test message builder. */
#include "config.h"

#include <string.h>

#include "smtpscope/auth.h"
#include "smtpscope/compose.h"
#include "suites.h"

START_TEST(test_header_plain_and_encoded)
{
	struct buf b, d;

	buf_init(&b);
	compose_header(&b, "Subject", "hello world");
	ck_assert_str_eq(b.data, "Subject: hello world\r\n");
	buf_clear(&b);
	compose_header(&b, "Subject", "Gr\xc3\xbc\xc3\x9f" "e");
	ck_assert_str_eq(b.data, "Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n");
	/* long: several words, each at most 75 characters, lines under 78,
	 * no UTF-8 character split between two words */
	buf_clear(&b);
	compose_header(&b, "Subject", "\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4"
		       "\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4"
		       "\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4");
	buf_init(&d);
	for (char *line = b.data, *end; *line; line = end + 2) {
		char *q, *w;

		end = strstr(line, "\r\n");
		ck_assert_ptr_nonnull(end);
		ck_assert_int_le(end - line, 78);
		w = strstr(line, "=?UTF-8?B?");
		ck_assert_ptr_nonnull(w);
		q = strstr(w + 10, "?=");
		ck_assert_int_le(q + 2 - w, 75);
		ck_assert(auth_b64_decode(w + 10, (size_t)(q - w - 10), &d));
		/* each word decodes to whole characters */
		ck_assert_int_eq(d.len % 2, 0);
	}
	ck_assert_uint_eq(d.len, 46);
	/* a long ASCII value is folded at a blank */
	buf_clear(&b);
	compose_header(&b, "Subject", "aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg");
	ck_assert_str_eq(b.data, "Subject: aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff\r\n"
			 " gggggggggg\r\n");
	buf_free(&d);
	buf_free(&b);
}
END_TEST

START_TEST(test_message_simple)
{
	const char *to[] = { "b@y.test" };
	struct compose_options o = { .from = "a@x.test", .to = to, .nto = 1,
				     .subject = "hi", .body = "one\ntwo", .body_len = 7,
				     .date = 0, .unique = "u1" };
	struct buf b;

	buf_init(&b);
	compose_message(&o, &b);
	ck_assert_str_eq(b.data,
			 "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"
			 "Message-ID: <u1@x.test>\r\n"
			 "From: a@x.test\r\n"
			 "To: b@y.test\r\n"
			 "Subject: hi\r\n"
			 "MIME-Version: 1.0\r\n"
			 "Content-Type: text/plain; charset=us-ascii\r\n"
			 "Content-Transfer-Encoding: 7bit\r\n"
			 "\r\n"
			 "one\r\ntwo\r\n");
	buf_free(&b);
}
END_TEST

START_TEST(test_message_attachments)
{
	const char *to[] = { "b@y.test", "c@y.test" };
	struct compose_part parts[] = { { "x.bin", "\x00\x01\x02", 3 },
					{ "\xc3\xa9t\xc3\xa9.txt", "abc", 3 } };
	struct compose_options o = { .from = "A <a@x.test>", .to = to, .nto = 2,
				     .subject = NULL, .body = "caf\xc3\xa9\n", .body_len = 6,
				     .parts = parts, .nparts = 2, .date = 0, .unique = "u2" };
	struct buf b;

	buf_init(&b);
	compose_message(&o, &b);
	ck_assert_ptr_nonnull(strstr(b.data, "Message-ID: <u2@x.test>\r\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "To: b@y.test,\r\n c@y.test\r\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "Subject: smtpscope test message\r\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "Content-Type: multipart/mixed; boundary=\"=_u2\"\r\n"));
	/* the text in base64 with CRLF: "café\r\n" */
	ck_assert_ptr_nonnull(strstr(b.data, "charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nY2Fmw6kNCg==\r\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "name=\"x.bin\"\r\nContent-Transfer-Encoding: base64\r\n"
				     "Content-Disposition: attachment; filename=\"x.bin\"\r\n\r\nAAEC\r\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "filename*=UTF-8''%C3%A9t%C3%A9.txt\r\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "\r\n--=_u2--\r\n"));
	/* every line ends in CRLF and none passes 78 octets */
	for (size_t i = 0, col = 0; i < b.len; i++) {
		if (b.data[i] == '\n') {
			ck_assert(i > 0 && b.data[i - 1] == '\r');
			col = 0;
		} else {
			ck_assert_uint_le(++col, 79);
		}
	}
	buf_free(&b);
}
END_TEST

Suite *compose_suite(void)
{
	Suite *s = suite_create("compose");
	TCase *tc = tcase_create("message");

	tcase_add_test(tc, test_header_plain_and_encoded);
	tcase_add_test(tc, test_message_simple);
	tcase_add_test(tc, test_message_attachments);
	suite_add_tcase(s, tc);
	return s;
}
