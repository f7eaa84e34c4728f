/* libFuzzer target for the knowledge base parser: any text must give
 * entries or FILE:LINE errors, never a crash, a leak or a hang; whatever
 * loads must then be usable by explain. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "smtpscope/explain.h"
#include "smtpscope/kb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb *kb = kb_new();
	struct explanation x;
	struct explain_ctx ctx = { .has_verb = true, .verb = SMTP_V_RCPT };
	struct buf out;

	kb_parse(kb, "fuzz.kb", (const char *)data, size);
	kb_validate(kb);
	for (size_t i = 0; i < kb_error_count(kb); i++)
		if (kb_error(kb, i) == NULL)
			abort();
	buf_init(&out);
	for (int code = 200; code < 600; code += 7) {
		if (explain_code(kb, code, "5.1.1", &ctx, &x)) {
			explain_format_long(&x, &out, 40);
			explain_format_json(&x, &out);
			explain_free(&x);
		}
		buf_clear(&out);
	}
	for (size_t i = 0; i < kb_pattern_count(kb); i++) {
		const struct kb_pattern *p = kb_pattern_at(kb, i);

		for (size_t s = 0; s < p->nsamples; s++)
			(void)kb_pattern_match(kb, 550, p->samples[s]);
	}
	buf_free(&out);
	kb_free(kb);
	return 0;
}
