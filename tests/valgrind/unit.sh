#!/usr/bin/env bash
# The Check unit suites under valgrind, for make check-valgrind: the same
# wrapper and options as smtpscope gets, with Check's fork mode off so the
# tests run in the process valgrind watches.  Run from the build folder.
set -u
[ -x tests/unit/check_core ] || { echo "SKIP: tests/unit/check_core not built"; exit 77; }
CK_FORK=no SMTPSCOPE_REAL="$(pwd)/tests/unit/check_core" exec "${SMTPSCOPE:?}"
