/* libFuzzer target for the reply parser (and the EHLO capability parser
 * that reads its output).  The first input byte picks how the rest is cut
 * into reads, so split points are fuzzed along with content.  Every reply
 * produced is checked against the parser's documented caps and rendered
 * with util_escape, as the front-ends do. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/caps.h"
#include "smtpscope/reply.h"
#include "smtpscope/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check_reply(const struct reply *r)
{
	char enh[16];
	struct buf b;
	struct caps c;

	if (r->nlines > REPLY_MAX_LINES || r->raw_len > REPLY_MAX_BYTES ||
	    r->ndefects > REPLY_MAX_DEFECTS || r->raw_len > r->raw_seen)
		abort();
	for (size_t i = 0; i < r->nlines; i++)
		if (r->lines[i].len > REPLY_MAX_LINE || r->lines[i].text[r->lines[i].len] != '\0')
			abort();
	buf_init(&b);
	util_escape(&b, r->raw, r->raw_len);
	for (size_t i = 0; i < b.len; i++)
		if ((unsigned char)b.data[i] < 0x20 || b.data[i] == 0x7f)
			abort(); /* a control byte would reach the terminal */
	buf_free(&b);
	reply_enhanced_str(r, enh, sizeof enh);
	(void)reply_class(r);
	caps_init(&c);
	caps_parse(&c, r);
	caps_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reply_parser *p;
	struct reply *r;
	size_t chunk, off = 1;

	if (size == 0)
		return 0;
	chunk = (size_t)data[0] % 17 + 1;
	p = reply_parser_new();
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;

		reply_parser_feed(p, (const char *)data + off, n);
		off += n;
		while ((r = reply_parser_next(p)) != NULL) {
			fuzz_check_reply(r);
			reply_free(r);
		}
	}
	reply_parser_finish(p);
	while ((r = reply_parser_next(p)) != NULL) {
		fuzz_check_reply(r);
		reply_free(r);
	}
	if (reply_parser_pending_bytes(p) != 0)
		abort();
	reply_parser_free(p);
	return 0;
}
