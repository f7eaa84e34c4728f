/* transport: target parsing (the network parts are integration tests). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/transport.h"
#include "suites.h"

static void parses(const char *spec, const char *host, const char *port)
{
	struct transport_target t;
	char *err = NULL;

	ck_assert_msg(transport_parse_target(spec, "25", &t, &err), "%s: %s", spec, err);
	ck_assert_str_eq(t.host, host);
	ck_assert_str_eq(t.port, port);
	transport_target_free(&t);
}

static void rejects(const char *spec)
{
	struct transport_target t;
	char *err = NULL;

	ck_assert_msg(!transport_parse_target(spec, "25", &t, &err), "%s accepted", spec);
	ck_assert_ptr_nonnull(err);
	free(err);
}

START_TEST(test_targets)
{
	parses("mx.example.org", "mx.example.org", "25");
	parses("mx.example.org:587", "mx.example.org", "587");
	parses("127.0.0.1:2525", "127.0.0.1", "2525");
	parses("[::1]:2525", "::1", "2525");
	parses("[::1]", "::1", "25");
	parses("::1", "::1", "25");
	parses("2001:db8::25", "2001:db8::25", "25");
	parses("host:smtp", "host", "smtp");
	rejects("");
	rejects(":25");
	rejects("host:");
	rejects("[::1");
	rejects("[]:25");
	rejects("[::1]x");
}
END_TEST

Suite *transport_suite(void)
{
	Suite *s = suite_create("transport");
	TCase *tc = tcase_create("targets");

	tcase_add_test(tc, test_targets);
	suite_add_tcase(s, tc);
	return s;
}
