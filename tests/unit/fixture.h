/* Sessions for the unit tests: a fake clock, replies from wire bytes,
 * and the shipped knowledge base. */
#ifndef SMTPSCOPE_TEST_FIXTURE_H
#define SMTPSCOPE_TEST_FIXTURE_H

#include <stddef.h>
#include <string.h>

#include "smtpscope/kb.h"
#include "smtpscope/session.h"

/* s begins with the string literal lit. */
#define FIXTURE_STARTS(s, lit) (strncmp((s), (lit), sizeof(lit) - 1) == 0)

/* 2023-11-14 22:13:20 UTC, the fake clock's wall time at mono 0. */
#define FIXTURE_WALL_US 1700000000000000LL

/* A session whose clock stands still unless fixture_advance() moves it. */
struct session *fixture_session(void);
void fixture_advance(int64_t us);
/* The first reply parsed from bytes (complete or not); the caller owns it. */
struct reply *fixture_wire(const char *bytes);
/* The same, recorded in s. */
size_t fixture_reply(struct session *s, const char *bytes, size_t answers, enum smtp_verb verb);
/* line sent, then its reply bytes `ms` milliseconds later; returns the
 * reply's event. */
size_t fixture_exchange(struct session *s, const char *line, const char *reply,
			enum smtp_verb verb, int ms);
/* A short session: connect, greeting, EHLO, AUTH PLAIN (secret on the
 * AUTH line), MAIL, a refused RCPT, QUIT. */
struct session *fixture_small_session(void);
/* The shipped knowledge base, loaded once. */
const struct kb *fixture_kb(void);
/* cli_options_parse() on the NULL-terminated words (argv[0] first, at
 * most 39); *said (if not NULL) gets what it wrote on stderr (caller
 * frees).  getopt's own complaints are silenced. */
struct cli_options;
int fixture_cli_parse(const char *const *words, struct cli_options *o, char **said);

#endif
