#include "config.h"
#include "suites.h"
Suite *data_suite(void) { return suite_create("data-placeholder"); }
