/* One Check suite per core module. */
#ifndef SMTPSCOPE_TEST_SUITES_H
#define SMTPSCOPE_TEST_SUITES_H

#include <check.h>

Suite *util_suite(void);
Suite *entries_suite(void);
Suite *reply_suite(void);
Suite *caps_suite(void);
Suite *data_suite(void);
Suite *session_suite(void);
Suite *smtp_suite(void);
Suite *transport_suite(void);
Suite *kb_suite(void);
Suite *explain_suite(void);
Suite *auth_suite(void);
Suite *scenario_suite(void);
Suite *compose_suite(void);
Suite *cmd_suite(void);
Suite *guide_suite(void);
Suite *ladder_suite(void);
Suite *opt_suite(void);
Suite *config_suite(void);
Suite *printer_suite(void);
Suite *replay_suite(void);
Suite *export_suite(void);
Suite *mx_suite(void);
Suite *verdict_suite(void);
Suite *probe_suite(void);
Suite *dnsbl_suite(void);
Suite *dane_suite(void);
Suite *mtasts_suite(void);
Suite *mtasts_fetch_suite(void);
Suite *dns_suite(void);
Suite *tlsa_suite(void);
Suite *paste_suite(void);
Suite *bounce_suite(void);
Suite *corpus_suite(void);
Suite *oneshot_suite(void);

#endif
