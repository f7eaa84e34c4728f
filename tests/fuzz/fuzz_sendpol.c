/* libFuzzer target for the SPF and DMARC record checks (sendpol.h).  The
 * input is split at each newline into TXT strings (NULs kept), handed to
 * both checks.  Each result is checked against the checks' bounds: the
 * records counted among the strings, at most SENDPOL_MAX_DEFECTS kept,
 * every kept text without a control byte (foreign bytes are escaped). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/sendpol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_TXT 8

static void fuzz_clean(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *txt[FUZZ_MAX_TXT];
	size_t len[FUZZ_MAX_TXT], n = 0, start = 0;
	struct spf_check s;
	struct dmarc_check d;

	for (size_t i = 0; i <= size && n < FUZZ_MAX_TXT; i++)
		if (i == size || data[i] == '\n') {
			txt[n] = (const char *)data + start;
			len[n++] = i - start;
			start = i + 1;
		}
	spf_check(txt, len, n, &s);
	dmarc_check(txt, len, n, &d);
	if (s.n_records > n || d.n_records > n || s.defects.n > SENDPOL_MAX_DEFECTS ||
	    d.defects.n > SENDPOL_MAX_DEFECTS || (s.n_records == 0) != (s.record == NULL) ||
	    (d.n_records == 0) != (d.record == NULL))
		abort();
	fuzz_clean(s.record), fuzz_clean(s.all), fuzz_clean(s.redirect);
	fuzz_clean(d.record), fuzz_clean(d.p), fuzz_clean(d.sp), fuzz_clean(d.rua), fuzz_clean(d.ruf);
	for (size_t i = 0; i < s.defects.n; i++)
		fuzz_clean(s.defects.d[i].text);
	for (size_t i = 0; i < d.defects.n; i++)
		fuzz_clean(d.defects.d[i].text);
	spf_check_free(&s);
	dmarc_check_free(&d);
	return 0;
}
