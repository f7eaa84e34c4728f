/* libFuzzer target for the knowledge base parser: any text must give
 * entries or FILE:LINE errors, never a crash, a leak or a hang; whatever
 * loads must then be usable by explain.
 *
 * The shipped knowledge base (help/kb, or $SMTPSCOPE_HELPDIR/kb) is
 * loaded once, in LLVMFuzzerInitialize, and must load without an error.
 * Each run parses one file's worth of input into a knowledge base of
 * its own, as kb_load_dir does for each file, and then explains only
 * what that file defined: its codes (with its enhanced codes given) and
 * the samples of its patterns and TLS errors, which are also matched
 * against the shipped patterns, the way a server's reply text is.  The
 * work per run is thus bounded by what the input holds, not by a fixed
 * sweep over every code. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/explain.h"
#include "smtpscope/kb.h"

#ifndef FUZZ_HELPDIR
#define FUZZ_HELPDIR "help"
#endif

/* Bounds on the explaining work of one run. */
#define FUZZ_MAX_CODES 6
#define FUZZ_MAX_SAMPLES 8

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kb *shipped;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("SMTPSCOPE_HELPDIR");
	size_t errors;

	(void)argc;
	(void)argv;
	shipped = kb_new();
	errors = kb_load_dir(shipped, dir && *dir ? dir : FUZZ_HELPDIR);
	if (errors != 0 || kb_code_count(shipped) == 0) {
		for (size_t i = 0; i < kb_error_count(shipped); i++)
			fprintf(stderr, "fuzz-kb: %s\n", kb_error(shipped, i));
		fprintf(stderr, "fuzz-kb: the shipped knowledge base must load cleanly\n");
		abort();
	}
	return 0;
}

static void fuzz_explain(const struct kb *kb, int code, const char *enhanced,
			 const struct explain_ctx *ctx, struct buf *out)
{
	struct explanation x;

	if (!explain_code(kb, code, enhanced, ctx, &x))
		return;
	explain_format_long(&x, out, 40);
	explain_format_json(&x, out);
	explain_format_short(&x, out);
	explain_free(&x);
	buf_clear(out);
}

static void fuzz_sample(const struct kb *kb, int code, const char *text)
{
	(void)kb_pattern_match(kb, code, text);
	(void)kb_pattern_match(shipped, code, text);
	(void)kb_tls_error_match(shipped, text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb *kb = kb_new();
	struct explain_ctx ctx = { .has_verb = true, .verb = SMTP_V_RCPT };
	const char *enhanced = NULL;
	char enh[16];
	struct buf out;
	size_t n, samples = 0;

	kb_parse(kb, "fuzz.kb", (const char *)data, size);
	kb_validate(kb);
	for (size_t i = 0; i < kb_error_count(kb); i++)
		if (kb_error(kb, i) == NULL || strncmp(kb_error(kb, i), "fuzz.kb:", 8) != 0)
			abort();
	/* an enhanced code the file defined, given with its codes */
	for (int s = 0; s < 8 && enhanced == NULL; s++)
		for (int d = 0; d <= KB_MAX_DETAIL && enhanced == NULL; d++)
			if (kb_enhanced(kb, s, d)) {
				snprintf(enh, sizeof enh, "5.%d.%d", s, d);
				enhanced = enh;
			}
	buf_init(&out);
	n = 0;
	for (int code = 200; code < 600 && n < FUZZ_MAX_CODES; code++) {
		if (kb_code(kb, code) == NULL)
			continue;
		ctx.verb = (enum smtp_verb)(code % SMTP_V__COUNT);
		fuzz_explain(kb, code, n % 2 ? enhanced : NULL, &ctx, &out);
		n++;
	}
	if (n == 0 && enhanced)
		fuzz_explain(kb, 550, enhanced, &ctx, &out);
	for (size_t i = 0; i < kb_compare_count(kb) && i < FUZZ_MAX_CODES; i++) {
		const struct kb_compare *c = kb_compare_at(kb, i);

		if (c->ncodes >= 2 && kb_compare_find(kb, c->codes[0], c->codes[1]) == NULL)
			abort();
	}
	for (size_t i = 0; i < kb_pattern_count(kb); i++) {
		const struct kb_pattern *p = kb_pattern_at(kb, i);

		for (size_t s = 0; s < p->nsamples && samples < FUZZ_MAX_SAMPLES; s++, samples++)
			fuzz_sample(kb, p->ncodes && p->codes[0] >= 200 ? p->codes[0] : 550,
				    p->samples[s]);
	}
	for (size_t i = 0; i < kb_tls_error_count(kb); i++) {
		const struct kb_tls_error *t = kb_tls_error_at(kb, i);

		for (size_t s = 0; s < t->nsamples && samples < FUZZ_MAX_SAMPLES; s++, samples++)
			if (kb_tls_error_match(kb, t->samples[s]) == NULL)
				fuzz_sample(kb, 421, t->samples[s]);
	}
	buf_free(&out);
	kb_free(kb);
	return 0;
}
