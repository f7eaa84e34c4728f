/* libFuzzer target for the EHLO capability parser (src/caps.c) on what a
 * server really sends: the input goes through the reply parser, every
 * reply becomes a capability set, and each set is compared with the one
 * before it as smtpscope does across STARTTLS (caps_diff).  The first
 * input byte picks how the rest is cut into reads.  Checked: what
 * caps.h promises about keywords, parameters and the has[] flags, that
 * every lookup finds what the list holds, and that the one-line summary
 * (drawn in the TUI status bar) holds no byte a terminal interprets. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/caps.h"
#include "smtpscope/reply.h"
#include "smtpscope/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_mechs[] = {
	"PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256", "XOAUTH2", "",
};

static void fuzz_check_caps(const struct caps *c, const struct reply *r)
{
	bool has[CAP__COUNT] = { false };
	struct buf b;

	if (c->valid != (reply_class(r) == 2 && r->nlines > 0))
		abort();
	if (!c->valid && (c->n != 0 || c->domain != NULL))
		abort();
	if (c->valid && (c->domain == NULL || c->greet == NULL))
		abort();
	for (size_t i = 0; i < c->n; i++) {
		const struct cap *it = &c->items[i];
		const struct cap *found;

		if (it->params == NULL || it->id >= CAP__COUNT)
			abort();
		/* a keyword with a NUL reads short, but is flagged */
		if (strlen(it->keyword) == 0 && !it->malformed)
			abort();
		for (const char *k = it->keyword; *k; k++)
			if ((*k >= 'a' && *k <= 'z') || *k == ' ' || *k == '\t' || *k == '=')
				abort(); /* upper-cased, cut at the first separator */
		for (size_t j = 0; j < it->argc; j++)
			if (it->argv[j][0] == '\0' || strpbrk(it->argv[j], " \t"))
				abort();
		if (it->id != CAP_OTHER && strcmp(caps_name(it->id), it->keyword) != 0)
			abort();
		found = caps_find(c, it->keyword);
		if (found == NULL || found > it || strcmp(found->keyword, it->keyword) != 0)
			abort(); /* the first item with that keyword */
		if (it->id == CAP_AUTH)
			for (size_t j = 0; j < it->argc; j++)
				if (!caps_has_auth(c, it->argv[j]))
					abort();
		has[it->id] = true;
	}
	for (int id = 1; id < CAP__COUNT; id++)
		if (has[id] != caps_has(c, (enum cap_id)id))
			abort();
	if (c->size_declared && !caps_has(c, CAP_SIZE))
		abort();
	for (size_t m = 0; m < UTIL_ARRAY_LEN(fuzz_mechs); m++)
		if (caps_has_auth(c, fuzz_mechs[m]) && !caps_has(c, CAP_AUTH))
			abort();
	buf_init(&b);
	caps_summary(c, &b);
	for (size_t i = 0; i < b.len; i++)
		if ((unsigned char)b.data[i] < 0x20 || b.data[i] == 0x7f)
			abort();
	buf_free(&b);
}

static void fuzz_one_reply(struct caps *prev, struct reply *r)
{
	struct caps c;
	struct buf d;
	size_t n;

	caps_init(&c);
	caps_parse(&c, r);
	fuzz_check_caps(&c, r);
	caps_parse(&c, r); /* parsing again replaces, never adds */
	fuzz_check_caps(&c, r);
	buf_init(&d);
	n = caps_diff(prev, &c, &d);
	if (n > prev->n + c.n || (n == 0) != (d.len == 0))
		abort();
	buf_clear(&d);
	(void)caps_diff(&c, prev, &d);
	buf_free(&d);
	caps_free(prev);
	*prev = c; /* the next reply is compared with this one */
	reply_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reply_parser *p;
	struct reply *r;
	struct caps prev;
	size_t chunk, off = 1;

	if (size == 0)
		return 0;
	chunk = (size_t)data[0] % 31 + 1;
	caps_init(&prev);
	p = reply_parser_new();
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;

		reply_parser_feed(p, (const char *)data + off, n);
		off += n;
		while ((r = reply_parser_next(p)) != NULL)
			fuzz_one_reply(&prev, r);
	}
	reply_parser_finish(p);
	while ((r = reply_parser_next(p)) != NULL)
		fuzz_one_reply(&prev, r);
	reply_parser_free(p);
	caps_free(&prev);
	return 0;
}
