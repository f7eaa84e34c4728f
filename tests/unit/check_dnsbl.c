/* dnsbl (module probe): the list file, the query names and the reading of
 * an answer (dnsbl.h), sans-I/O. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/dnsbl.h"
#include "suites.h"

START_TEST(list_lines_comments_and_trailing_dots)
{
	struct dnsbl_list l;
	char *err = NULL;

	ck_assert(dnsbl_list_parse(&l, "t.txt",
				   "# a comment\n\n  zen.example.\tthe ZEN list \r\n"
				   "bl.example\nlast.example  no newline", &err));
	ck_assert_ptr_null(err);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.z[0].zone, "zen.example");
	ck_assert_str_eq(l.z[0].comment, "the ZEN list");
	ck_assert_str_eq(l.z[1].zone, "bl.example");
	ck_assert_ptr_null(l.z[1].comment);
	ck_assert_str_eq(l.z[2].comment, "no newline");
	dnsbl_list_free(&l);
	ck_assert(dnsbl_list_parse(&l, "e.txt", "", &err));
	ck_assert_uint_eq(l.n, 0);
	dnsbl_list_free(&l);
}
END_TEST

START_TEST(list_bad_zone_has_file_and_line)
{
	struct dnsbl_list l;
	char *err = NULL;

	ck_assert(!dnsbl_list_parse(&l, "t.txt", "ok.example\nbad..example x\n", &err));
	ck_assert_str_eq(err, "t.txt:2: not a DNS zone name: \"bad..example\"");
	free(err);
	err = NULL;
	ck_assert(!dnsbl_list_parse(&l, "t.txt", "a/b.example\n", &err));
	ck_assert_ptr_nonnull(strstr(err, "t.txt:1: "));
	free(err);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

/* Found by fuzz-dnsbl: "bad.." lost one dot and was kept as "bad.". */
START_TEST(list_bad_zone_shapes)
{
	static const char *const bad[] = { "bad..", "..", ".a.example", "-a.example",
					   "a.-b.example\n", "a..b", "a.example.." };
	char label[80], *err = NULL;
	struct dnsbl_list l;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		ck_assert_msg(!dnsbl_list_parse(&l, "t.txt", bad[i], &err), "accepted %s", bad[i]);
		free(err);
		err = NULL;
	}
	memset(label, 'a', 64);
	strcpy(label + 64, ".example");
	ck_assert(!dnsbl_list_parse(&l, "t.txt", label, &err)); /* a 64-byte label */
	free(err);
	err = NULL;
	ck_assert(dnsbl_list_parse(&l, "t.txt", label + 1, &err)); /* a 63-byte label */
	ck_assert_uint_eq(l.n, 1);
	dnsbl_list_free(&l);
	/* the file's bytes are escaped in the message */
	ck_assert(!dnsbl_list_parse(&l, "t.txt", "a\033[2Jb..x\n", &err));
	ck_assert_str_eq(err, "t.txt:1: not a DNS zone name: \"a\\x1b[2Jb..x\"");
	free(err);
}
END_TEST

START_TEST(query_names_reverse_ipv4_and_ipv6)
{
	char *q = dnsbl_query_name("127.0.0.2", "dnsbl.test");
	char want[128];

	ck_assert_str_eq(q, "2.0.0.127.dnsbl.test");
	free(q);
	q = dnsbl_query_name("192.0.2.99", "zen.example");
	ck_assert_str_eq(q, "99.2.0.192.zen.example");
	free(q);
	/* RFC 5782 2.4: 32 nibbles, lowest first */
	q = dnsbl_query_name("2001:db8::1", "bl.test");
	strcpy(want, "1.");
	for (int i = 0; i < 23; i++)
		strcat(want, "0.");
	strcat(want, "8.b.d.0.1.0.0.2.bl.test");
	ck_assert_str_eq(q, want);
	free(q);
	ck_assert_ptr_null(dnsbl_query_name("not-an-ip", "bl.test"));
}
END_TEST

START_TEST(answers_listed_refused_or_error)
{
	const char *listed[] = { "127.0.0.2", "127.0.0.10" };
	const char *refused[] = { "127.0.0.2", "127.255.255.254" };
	const char *outside[] = { "192.0.2.1" };

	ck_assert_int_eq(dnsbl_classify(NULL, 0), DNSBL_NOT_LISTED);
	ck_assert_int_eq(dnsbl_classify(listed, 2), DNSBL_LISTED);
	/* a "query refused" code is never a listing, even beside one */
	ck_assert_int_eq(dnsbl_classify(refused, 2), DNSBL_REFUSED);
	ck_assert_int_eq(dnsbl_classify(refused + 1, 1), DNSBL_REFUSED);
	ck_assert_int_eq(dnsbl_classify(outside, 1), DNSBL_ERROR);
	ck_assert_str_eq(dnsbl_status_name(DNSBL_REFUSED), "refused");
	ck_assert_str_eq(dnsbl_status_name(DNSBL_NOT_LISTED), "not-listed");
}
END_TEST

Suite *dnsbl_suite(void)
{
	Suite *s = suite_create("dnsbl");
	TCase *tc = tcase_create("sans-io");

	tcase_add_test(tc, list_lines_comments_and_trailing_dots);
	tcase_add_test(tc, list_bad_zone_shapes);
	tcase_add_test(tc, list_bad_zone_has_file_and_line);
	tcase_add_test(tc, query_names_reverse_ipv4_and_ipv6);
	tcase_add_test(tc, answers_listed_refused_or_error);
	suite_add_tcase(s, tc);
	return s;
}
