/* libFuzzer target for the entries lexer and the scenario parser: any
 * text must give entries or FILE:LINE errors, never a crash, a leak, a
 * read past the text or a hang.  The lexer is driven twice: through a
 * format of every kind of key (required, repeatable, one line, qualified,
 * allowed values), and through the demo's scenario parser, whose result,
 * when there is one, must be a usable scenario. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/demo.h"
#include "smtpscope/entries.h"
#include "smtpscope/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_values[] = { "yes", "no", NULL };

static const struct entry_key fuzz_keys[] = {
	{ "name", ENTRY_REQUIRED, NULL }, { "flag", 0, fuzz_values },
	{ "line", ENTRY_REPEAT | ENTRY_ONE_LINE, NULL }, { "note", ENTRY_REPEAT, NULL },
	{ "context", ENTRY_QUALIFIED, NULL }, { "text", 0, NULL },
};

static bool fuzz_args(void *ctx, struct entry *e)
{
	(void)ctx;
	return e->args[0] != 'x';
}

/* Reads every field back as a builder would. */
static void fuzz_build(void *ctx, struct entry *e)
{
	size_t *total = ctx;

	*total += strlen(entry_get(e, "name")) + (size_t)(entry_choice(e, "flag") + 1);
	for (size_t i = 0; i < e->nfields; i++)
		*total += strlen(e->fields[i].value.data) + (size_t)entry_line(e, e->fields[i].key);
	free(entry_take(e, "text"));
}

static const struct entry_kind fuzz_kinds[] = {
	{ "scenario", "scenario NAME", fuzz_keys, UTIL_ARRAY_LEN(fuzz_keys), fuzz_args, fuzz_build },
	{ "on", "on COMMAND", fuzz_keys, UTIL_ARRAY_LEN(fuzz_keys), NULL, fuzz_build },
};

static const struct entries_format fuzz_format = { fuzz_kinds, UTIL_ARRAY_LEN(fuzz_kinds) };

/* Every error names the file and a line. */
static void fuzz_sink(void *ctx, const char *message)
{
	(void)ctx;
	if (strncmp(message, "fuzz.scn:", 9) != 0 || message[9] < '0' || message[9] > '9')
		abort();
}

static void fuzz_scenario(const uint8_t *data, size_t size)
{
	struct buf err, out;
	struct demo_scenario *sc;

	buf_init(&err);
	buf_init(&out);
	sc = demo_scenario_parse("fuzz.scn", (const char *)data, size, &err);
	if ((sc == NULL) != (err.len > 0))
		abort();
	if (sc) {
		demo_expand(sc, DEMO_R_GREETING, "fuzz@demo.test", &out);
		for (size_t i = 0; i < sc->nrules; i++)
			if (sc->rules[i].reply) {
				if (strlen(sc->rules[i].reply) < 3)
					abort();
				demo_expand_text(sc, sc->rules[i].reply, "<{arg}>", &out);
			}
		(void)demo_rule_key(sc->nrules ? sc->rules[0].verb : SMTP_V_UNKNOWN);
	}
	demo_scenario_free(sc);
	buf_free(&out);
	buf_free(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t total = 0;

	entries_parse(&fuzz_format, "fuzz.scn", (const char *)data, size, &total, fuzz_sink);
	fuzz_scenario(data, size);
	return 0;
}
