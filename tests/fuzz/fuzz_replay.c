/* libFuzzer target for the replay reader (src/replay.c): a saved session
 * (.jsonl, or a .txt transcript) or a plain command list, as /replay and
 * --replay read it.  Byte 0 picks the file name's suffix (.jsonl, .txt,
 * .list: only .jsonl is told by its name, the rest by their content);
 * the rest is the file, not NUL-terminated, so reads past its end show.
 *
 * Checked: a file is either steps or an error that names it, and every
 * step has a line; then every step is compared, as the front-end does after running it, with a reply made
 * of the saved one, with another code, and with none at all, and the
 * counts must say so. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/reply.h"
#include "smtpscope/replay.h"
#include "smtpscope/session.h"
#include "smtpscope/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_names[] = { "saved.jsonl", "saved.txt", "commands", "SAVED.JSONL" };

/* The session's reply: the saved line itself, or another code. */
static void fuzz_add_reply(struct session *s, const char *expected, bool same)
{
	struct reply_parser *p = reply_parser_new();
	struct reply *r;

	if (same && expected[0]) {
		reply_parser_feed(p, expected, strlen(expected));
		reply_parser_feed(p, "\r\n", 2);
	} else {
		const char *other = expected[0] == '5' ? "250 ok\r\n" : "550 no\r\n";

		reply_parser_feed(p, other, strlen(other));
	}
	reply_parser_finish(p);
	while ((r = reply_parser_next(p)) != NULL)
		session_reply(s, r, 0, SMTP_V_UNKNOWN, NULL);
	reply_parser_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct replay r;
	struct session *s;
	char *err = NULL;

	if (size == 0)
		return 0;
	if (!replay_parse(&r, fuzz_names[data[0] % UTIL_ARRAY_LEN(fuzz_names)],
			  (const char *)data + 1, size - 1, &err)) {
		if (err == NULL || strstr(err, "no commands") == NULL || r.n != 0 || r.steps)
			abort();
		free(err);
		return 0;
	}
	if (err != NULL || r.n == 0 || r.name == NULL)
		abort();
	s = session_new(NULL);
	for (size_t i = 0; i < r.n; i++) {
		const struct replay_step *st = &r.steps[i];
		size_t before = r.differences;

		if (st->line == NULL)
			abort();
		/* as the front-end runs it: mark, send, reply, check */
		r.next = i + 1;
		r.mark = session_count(s);
		r.running = true;
		session_sent(s, st->line, strlen(st->line));
		if (st->expected && i % 3 != 2)
			fuzz_add_reply(s, st->expected, i % 3 == 0);
		if (replay_check(&r, s) != (r.differences == before + 1) || r.running)
			abort();
		if (st->expected == NULL && r.differences != before)
			abort();
	}
	if (r.differences > r.compared || r.compared > r.n)
		abort();
	session_free(s);
	replay_free(&r);
	return 0;
}
