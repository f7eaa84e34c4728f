/* kb-private: what kb.c (the parser and lookups) and kb-entry.c (the
 * entry kinds and their builders) share.  Not part of the kb API. */
#ifndef SMTPSCOPE_KB_PRIVATE_H
#define SMTPSCOPE_KB_PRIVATE_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "smtpscope/entries.h"
#include "smtpscope/kb.h"
#include "smtpscope/util.h"

/* A POSIX ERE of an entry, tried case-insensitively.  In a lazy kb
 * (kb_set_lazy_regex) it is compiled the first time it is tried: most
 * sessions try none of the provider patterns and text rules (they apply
 * to failures), and compiling them all cost about a millisecond at every
 * start.  An eager kb (the default, and `explain --check`) compiles it
 * at once, so a bad one is reported with its FILE:LINE. */
struct kb_regex {
	const char *src;            /* kept by the kb */
	int flags;                  /* regcomp's, beyond REG_EXTENDED | REG_ICASE */
	signed char state;          /* 0 not compiled yet, 1 compiled, -1 invalid */
	regex_t re;
};

/* regexec() on r, compiling it first if it has not been; no match if
 * it is invalid. */
bool kb_regex_exec(struct kb_regex *r, const char *text, size_t nmatch, regmatch_t *m);
void kb_regex_free(struct kb_regex *r);

/* What [pattern] and [tls-error] entries share, made by one builder
 * (kb-entry.c): a name unique among its kind, a POSIX ERE tried
 * case-insensitively in file order, the samples it must match. */
struct kb_matcher {
	const char *id, *match;
	unsigned id_hash;           /* kb_name_hash(id): duplicates found faster */
	const char **samples;
	size_t nsamples;
	const char *file;
	int line;
	struct kb_regex re;
	union {                      /* what the API hands out */
		struct kb_pattern pattern;
		struct kb_tls_error tls;
	} as;
};

/* The shared part, copied into the public struct of its kind. */
#define KB_MATCHER_EXPOSE(dst, m)                                            \
	((dst)->id = (m)->id, (dst)->match = (m)->match,                    \
	 (dst)->samples = (m)->samples, (dst)->nsamples = (m)->nsamples,    \
	 (dst)->file = (m)->file, (dst)->line = (m)->line)

/* Matchers of one kind, in file order. */
struct kb_matchers {
	struct kb_matcher **v;
	size_t n, cap;
};

/* A field a translation replaced, with its English text. */
struct kb_lang_field {
	const char **slot;
	const char *english;
};

struct kb {
	char **strings;             /* every string entries point to */
	size_t nstrings, strings_cap;
	char **errors;
	size_t nerrors, errors_cap;

	struct kb_code *codes[1000];
	size_t ncodes;
	struct kb_enhanced *enh[8][KB_MAX_DETAIL + 1];
	size_t nenh;
	struct kb_named *classes[6];
	struct kb_named *subjects[8];
	struct kb_diagnosis *diags;
	size_t ndiags, diags_cap;
	struct kb_compare *compares;
	size_t ncompares, compares_cap;
	struct kb_matchers patterns;
	struct kb_matchers tls;
	struct kb_rule_impl **rules;
	size_t nrules, rules_cap;
	struct kb_extension **exts;   /* kb-ext.c */
	size_t nexts, exts_cap;
	/* Fields a translation replaced, with their English text (kb-lang.c). */
	struct {
		struct kb_lang_field *v;
		size_t n, cap;
	} lang;
	const char *lang_name;      /* "fr", or NULL for English */
	struct kb *retired;         /* the contents before kb_switch_lang() */
	bool lazy_regex;            /* see struct kb_regex */
};

/* Records the language loaded (NULL: English). */
void kb_set_lang(struct kb *kb, const char *lang);

/* The entries lexer's sink: each problem kept as an error. */
void kb_sink(void *ctx, const char *message);

/* One cue of a rule, or an "unless" phrase: a lower-case phrase found
 * anywhere in the lower-cased text, or a regular expression. */
struct kb_cue {
	const char *phrase;         /* NULL for a regular expression */
	bool is_regex;
	struct kb_regex re;
};

/* A [rule NAME] entry (kb-rule.c): the public part and its cues. */
struct kb_rule_impl {
	struct kb_rule pub;
	struct kb_cue *cues, *unless;
	size_t ncues, nunless;
};

/* Helpers the entry kinds share (kb-entry.c). */
const char *kb_get(struct kb *kb, struct entry *e, const char *key);
bool kb_code_list(struct entry *e, int line, const char *s, int *out, size_t *n,
		  bool classes);
bool kb_id_args(struct entry *e);
const char **kb_samples(struct kb *kb, struct entry *e, size_t *n);
/* Makes out the expression src (REG_EXTENDED | REG_ICASE | flags),
 * refusing one whose repetitions would expand beyond bounds, and
 * compiling it now unless the kb is lazy; false after an error about
 * `what` at line. */
bool kb_regex_prepare(struct kb *kb, struct entry *e, int line, const char *what,
		      const char *src, int flags, struct kb_regex *out);

/* The [rule] kind (kb-rule.c). */
#define KB_RULE_NKEYS 11
extern const struct entry_key kb_rule_keys[KB_RULE_NKEYS];
bool kb_rule_args(void *ctx, struct entry *e);
void kb_rule_build(void *ctx, struct entry *e);
void kb_rules_free(struct kb *kb);

/* The [extension] kind (kb-ext.c). */
#define KB_EXT_NKEYS 5
extern const struct entry_key kb_ext_keys[KB_EXT_NKEYS];
bool kb_ext_args(void *ctx, struct entry *e);
void kb_ext_build(void *ctx, struct entry *e);
void kb_exts_free(struct kb *kb);

/* The kinds of entry of a .kb file (kb-entry.c). */
extern const struct entries_format kb_format;

/* A hash of an entry's name, compared before the names themselves. */
unsigned kb_name_hash(const char *s);

/* Keeps s alive as long as the kb; returns it. */
const char *kb_keep(struct kb *kb, char *s);

#endif
