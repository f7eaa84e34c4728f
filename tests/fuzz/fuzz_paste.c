/* libFuzzer target for pasted reply text (paste.h): the input, cut at its
 * first NUL as a C string would be, goes to paste_parse().  Every string
 * handed out must be escaped (no byte a terminal interprets), its format
 * must have a name, and the wire form, if any, must read back through the
 * reply parser as exactly one complete reply whose lines are escaped too. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/paste.h"
#include "smtpscope/reply.h"
#include "smtpscope/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_visible(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort(); /* a control byte would reach the terminal */
}

static void fuzz_string(const char *s)
{
	if (s)
		fuzz_visible(s, strlen(s));
}

/* Lines end in CR LF, and only there. */
static void fuzz_wire_lines(const char *wire)
{
	const char *l = wire;

	if (*l == '\0')
		abort();
	while (*l) {
		const char *crlf = strstr(l, "\r\n");

		if (crlf == NULL)
			abort();
		fuzz_visible(l, (size_t)(crlf - l));
		l = crlf + 2;
	}
}

static void fuzz_wire(const char *wire)
{
	struct reply_parser *rp;
	struct reply *r;

	fuzz_wire_lines(wire);
	rp = reply_parser_new();
	reply_parser_feed(rp, wire, strlen(wire));
	r = reply_parser_next(rp);
	if (r == NULL || reply_parser_next(rp) != NULL || reply_parser_pending_bytes(rp) != 0)
		abort(); /* not exactly one complete reply */
	if (r->code < 200 || r->code > 599 || r->nlines == 0 ||
	    reply_has_defect(r, REPLY_DEFECT_INCOMPLETE))
		abort();
	reply_free(r);
	reply_parser_free(rp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xmemdup(data, size); /* NUL-terminated; cut at a NUL inside */
	struct paste p;

	if (paste_parse(text, &p)) {
		if ((unsigned)p.format >= PASTE__COUNT || paste_format_name(p.format) == NULL)
			abort();
		if ((p.format == PASTE_ENHANCED_ONLY) != (p.wire == NULL) ||
		    (p.format == PASTE_ENHANCED_ONLY) != (p.enhanced != NULL) ||
		    (p.enhanced == NULL) != (p.enhanced_text == NULL))
			abort();
		fuzz_string(p.server);
		fuzz_string(p.recipient);
		fuzz_string(p.enhanced);
		fuzz_string(p.enhanced_text);
		if (p.wire)
			fuzz_wire(p.wire);
		if (p.has_verb && (unsigned)p.verb >= SMTP_V__COUNT)
			abort();
	} else if (p.wire || p.enhanced || p.server || p.recipient) {
		abort(); /* false leaves *p empty */
	}
	paste_free(&p);
	free(text);
	return 0;
}
