/* Sessions for the unit tests (fixture.h). */
#include "config.h"

#include <check.h>
#include <string.h>

#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "fixture.h"
#include "smtpscope/cli-options.h"
#include "smtpscope/reply.h"

static int64_t fixture_mono;

static void fixture_now(void *ctx, int64_t *wall, int64_t *mono)
{
	(void)ctx;
	*wall = FIXTURE_WALL_US + fixture_mono;
	*mono = fixture_mono;
}

static const struct session_clock fixture_clock = { fixture_now, NULL };

struct session *fixture_session(void)
{
	fixture_mono = 0;
	return session_new(&fixture_clock);
}

void fixture_advance(int64_t us)
{
	fixture_mono += us;
}

struct reply *fixture_wire(const char *bytes)
{
	struct reply_parser *p = reply_parser_new();
	struct reply *r;

	reply_parser_feed(p, bytes, strlen(bytes));
	reply_parser_finish(p);
	r = reply_parser_next(p);
	reply_parser_free(p);
	ck_assert_ptr_nonnull(r);
	return r;
}

size_t fixture_reply(struct session *s, const char *bytes, size_t answers, enum smtp_verb verb)
{
	return session_reply(s, fixture_wire(bytes), answers, verb, NULL);
}

size_t fixture_exchange(struct session *s, const char *line, const char *reply,
			enum smtp_verb verb, int ms)
{
	size_t ev = session_sent(s, line, strlen(line));

	fixture_advance((int64_t)ms * 1000);
	return fixture_reply(s, reply, ev, verb);
}

struct session *fixture_small_session(void)
{
	struct session *s = fixture_session();
	size_t c = session_text(s, SESSION_CONNECT, "connected to mx.test");

	fixture_reply(s, "220 mx.test ESMTP\r\n", c, SMTP_V_GREETING);
	fixture_exchange(s, "EHLO me.example\r\n", "250-mx.test\r\n250 AUTH PLAIN\r\n", SMTP_V_EHLO, 2);
	fixture_exchange(s, "AUTH PLAIN AGFsaWNlAHMzY3JldA==\r\n", "235 2.7.0 ok\r\n", SMTP_V_AUTH, 3);
	fixture_exchange(s, "MAIL FROM:<a@example.org>\r\n", "250 2.1.0 ok\r\n", SMTP_V_MAIL, 1);
	fixture_exchange(s, "RCPT TO:<b@example.com>\r\n", "550 5.1.1 <b@example.com>: no such user\r\n",
			 SMTP_V_RCPT, 1);
	fixture_exchange(s, "QUIT\r\n", "221 2.0.0 bye\r\n", SMTP_V_QUIT, 1);
	session_text(s, SESSION_CLOSE, "connection closed");
	return s;
}

const struct kb *fixture_kb(void)
{
	static struct kb *kb;

	if (kb == NULL) {
		kb = kb_new();
		kb_load_dir(kb, kb_default_dir());
	}
	return kb;
}

/* cli_options_parse() on the words; *said (if not NULL) gets what it
 * wrote on stderr (caller frees).  getopt's own complaints are silenced. */
int fixture_cli_parse(const char *const *words, struct cli_options *o, char **said)
{
	char *argv[40];
	int argc = 0, saved_opterr = opterr, saved_fd, status;
	FILE *f = tmpfile();
	long n;

	while (words[argc]) {
		argv[argc] = (char *)words[argc];
		argc++;
	}
	argv[argc] = NULL;
	ck_assert_ptr_nonnull(f);
	fflush(stderr);
	saved_fd = dup(STDERR_FILENO);
	dup2(fileno(f), STDERR_FILENO);
	opterr = 0;
	status = cli_options_parse(o, argc, argv);
	opterr = saved_opterr;
	fflush(stderr);
	dup2(saved_fd, STDERR_FILENO);
	close(saved_fd);
	n = ftell(f);
	if (said) {
		*said = xcalloc(1, (size_t)n + 1);
		rewind(f);
		ck_assert_uint_eq(fread(*said, 1, (size_t)n, f), (size_t)n);
	}
	fclose(f);
	return status;
}
