/* Runs every unit suite; Check prints its "N%: Checks: ..." summary. */
#include "config.h"

#include <stdlib.h>

#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(util_suite());
	int failed;

	srunner_add_suite(sr, entries_suite());
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
	srunner_add_suite(sr, opt_suite());
	srunner_add_suite(sr, config_suite());
	srunner_add_suite(sr, printer_suite());
	srunner_add_suite(sr, replay_suite());
	srunner_add_suite(sr, export_suite());
	srunner_add_suite(sr, mx_suite());
	srunner_add_suite(sr, verdict_suite());
	srunner_add_suite(sr, probe_suite());
	srunner_add_suite(sr, dnsbl_suite());
	srunner_add_suite(sr, dane_suite());
	srunner_add_suite(sr, mtasts_suite());
	srunner_add_suite(sr, mtasts_fetch_suite());
	srunner_add_suite(sr, dns_suite());
	srunner_add_suite(sr, tlsa_suite());
	srunner_add_suite(sr, paste_suite());
	srunner_add_suite(sr, bounce_suite());
	srunner_add_suite(sr, corpus_suite());
	srunner_add_suite(sr, oneshot_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
