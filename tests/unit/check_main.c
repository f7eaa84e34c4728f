/* Runs every unit suite; Check prints its "N%: Checks: ..." summary. */
#include "config.h"

#include <stdlib.h>

#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(util_suite());
	int failed;

	srunner_add_suite(sr, reply_suite());
	srunner_add_suite(sr, caps_suite());
	srunner_add_suite(sr, data_suite());
	srunner_add_suite(sr, session_suite());
	srunner_add_suite(sr, smtp_suite());
	srunner_add_suite(sr, transport_suite());
	srunner_add_suite(sr, kb_suite());
	srunner_add_suite(sr, explain_suite());
	srunner_add_suite(sr, auth_suite());
	srunner_add_suite(sr, scenario_suite());
	srunner_add_suite(sr, compose_suite());
	srunner_add_suite(sr, cmd_suite());
	srunner_add_suite(sr, guide_suite());
	srunner_add_suite(sr, ladder_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
