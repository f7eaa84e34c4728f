/* libFuzzer target for the bounce reader (bounce.h): the input is a whole
 * message.  Whatever it is, the result must keep bounce.h's promises: a
 * recipient list only with BOUNCE_OK and never longer than
 * BOUNCE_MAX_RCPTS, every recipient named, a status only of the form
 * "5.1.1", and no string handed out with a byte a terminal acts on. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/bounce.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_clean(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

/* class "." 1-3 digits "." 1-3 digits (RFC 3463 2) */
static void fuzz_status(const char *s)
{
	size_t i = 1;

	if (s == NULL)
		return;
	if (s[0] != '2' && s[0] != '4' && s[0] != '5')
		abort();
	for (int part = 0; part < 2; part++) {
		size_t digits = 0;

		if (s[i++] != '.')
			abort();
		while (s[i] >= '0' && s[i] <= '9')
			i++, digits++;
		if (digits < 1 || digits > 3)
			abort();
	}
	if (s[i] != '\0')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bounce b;
	enum bounce_result r = bounce_parse((const char *)data, size, &b);

	if (bounce_result_text(r) == NULL || bounce_format_name(b.format) == NULL)
		abort();
	if (b.nrcpts > BOUNCE_MAX_RCPTS || (r == BOUNCE_OK) != (b.nrcpts > 0))
		abort();
	fuzz_clean(b.reporting_mta);
	fuzz_clean(b.subject);
	fuzz_clean(b.from);
	for (size_t i = 0; i < b.nrcpts; i++) {
		const struct bounce_rcpt *rc = &b.rcpts[i];

		if (rc->recipient == NULL || rc->recipient[0] == '\0' || rc->action == NULL)
			abort();
		fuzz_clean(rc->recipient);
		fuzz_clean(rc->original);
		fuzz_clean(rc->action);
		fuzz_clean(rc->status);
		fuzz_status(rc->status);
		fuzz_clean(rc->remote_mta);
		fuzz_clean(rc->diagnostic);
		fuzz_clean(rc->diagnostic_type);
		if (rc->has_verb && (rc->verb <= SMTP_V_UNKNOWN || rc->verb >= SMTP_V__COUNT))
			abort();
	}
	bounce_free(&b);
	if (b.nrcpts != 0 || b.rcpts != NULL)
		abort();
	return 0;
}
