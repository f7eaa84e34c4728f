#include "config.h"
#include "suites.h"
Suite *reply_suite(void) { return suite_create("reply-placeholder"); }
