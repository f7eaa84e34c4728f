/* libFuzzer target for the MTA-STS and TLS-RPT checks (mtasts.h).  Byte 0
 * picks the check (its value modulo 3): the MTA-STS TXT check, the TLS-RPT
 * TXT check (the rest split at each newline into TXT strings, NULs kept),
 * or the policy parser (the rest is the body), whose mx patterns are then
 * matched against every line of the body as a host name.  Each result is
 * checked against the bounds mtasts.h promises: the records counted among
 * the strings, at most MTASTS_MAX_DEFECTS and MTASTS_MAX_MX kept, every
 * kept text without a control byte, a valid result holding what makes it
 * valid. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/mtasts.h"
#include "smtpscope/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_TXT 8

static void fuzz_clean(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

static void fuzz_defects(const struct mtasts_defects *d)
{
	if (d->n > MTASTS_MAX_DEFECTS)
		abort();
	for (size_t i = 0; i < d->n; i++) {
		if (d->d[i].id == NULL || d->d[i].text == NULL)
			abort();
		fuzz_clean(d->d[i].text);
	}
}

/* Splits at each newline; returns the number of strings. */
static size_t fuzz_split(const char *p, size_t size, const char **txt, size_t *len)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= size && n < FUZZ_MAX_TXT; i++)
		if (i == size || p[i] == '\n') {
			txt[n] = p + start;
			len[n++] = i - start;
			start = i + 1;
		}
	return n;
}

static void fuzz_sts(const char *p, size_t size)
{
	const char *txt[FUZZ_MAX_TXT];
	size_t len[FUZZ_MAX_TXT], n = fuzz_split(p, size, txt, len);
	struct mtasts_txt t;

	mtasts_txt_check(txt, len, n, &t);
	if (t.n_records > n || (t.n_records == 0) != (t.record == NULL) ||
	    (t.valid && (t.n_records != 1 || t.id == NULL || strlen(t.id) > 32)))
		abort();
	fuzz_clean(t.record), fuzz_clean(t.id);
	fuzz_defects(&t.defects);
	mtasts_txt_free(&t);
}

static void fuzz_tlsrpt(const char *p, size_t size)
{
	const char *txt[FUZZ_MAX_TXT];
	size_t len[FUZZ_MAX_TXT], n = fuzz_split(p, size, txt, len);
	struct tlsrpt_txt t;

	tlsrpt_check(txt, len, n, &t);
	if (t.n_records > n || (t.n_records == 0) != (t.record == NULL) ||
	    (t.valid && (t.n_records != 1 || t.rua == NULL)))
		abort();
	fuzz_clean(t.record), fuzz_clean(t.rua);
	fuzz_defects(&t.defects);
	tlsrpt_free(&t);
}

/* Each line of the body, as a host name, against the policy's patterns:
 * a match must be a pattern that matches on its own. */
static void fuzz_match(const struct mtasts_policy *pol, const char *p, size_t size)
{
	size_t start = 0;

	for (size_t i = 0; i <= size; i++)
		if (i == size || p[i] == '\n') {
			char *host = xmemdup(p + start, i - start);
			int m = mtasts_policy_match(pol, host);

			if (m >= (int)pol->n_mx || (m >= 0 && !mtasts_mx_match(pol->mx[m], host)) ||
			    (m < 0 && pol->n_mx > 0 && mtasts_mx_match(pol->mx[0], host)))
				abort();
			free(host);
			start = i + 1;
		}
}

static void fuzz_policy(const char *p, size_t size)
{
	struct mtasts_policy pol;

	mtasts_policy_parse(p, size, &pol);
	if (pol.n_mx > MTASTS_MAX_MX || (pol.valid && (pol.version == NULL ||
	    pol.mode == MTASTS_MODE_NONE_GIVEN || pol.max_age < 0 || pol.max_age > MTASTS_MAX_AGE_MAX ||
	    (pol.mode != MTASTS_MODE_NONE && pol.n_mx == 0))))
		abort();
	fuzz_clean(pol.version);
	for (size_t i = 0; i < pol.n_mx; i++)
		fuzz_clean(pol.mx[i]);
	fuzz_defects(&pol.defects);
	if (mtasts_mode_name(pol.mode) == NULL)
		abort();
	fuzz_match(&pol, p, size);
	mtasts_policy_free(&pol);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 1;

	if (size == 0)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_sts(p, size - 1);
		break;
	case 1:
		fuzz_tlsrpt(p, size - 1);
		break;
	default:
		fuzz_policy(p, size - 1);
		break;
	}
	return 0;
}
