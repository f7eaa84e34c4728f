/* kb-private: what kb.c (the parser and lookups) and kb-entry.c (one
 * builder per entry type) share.  Not part of the kb API. */
#ifndef SMTPSCOPE_KB_PRIVATE_H
#define SMTPSCOPE_KB_PRIVATE_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "smtpscope/kb.h"
#include "smtpscope/util.h"

struct kb_pattern_slot {
	struct kb_pattern p;
	regex_t re;
};

struct kb_tls_slot {
	struct kb_tls_error t;
	regex_t re;
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
	struct kb_pattern_slot **patterns;
	size_t npatterns, patterns_cap;
	struct kb_tls_slot **tls;
	size_t ntls, tls_cap;
};

/* ---- one entry as read: header plus fields ---------------------------- */

struct kb_field {
	char key[32];
	char qual[32];
	struct buf value;
	int line;
	bool used;
};

struct kb_entry {
	const char *file;
	int line;
	char type[32];
	char args[128];
	struct kb_field *fields;
	size_t nfields, cap;
	size_t errors;  /* errors found in this entry so far */
};

/* What an entry type allows. */
struct kb_key_spec {
	const char *key;
	bool required;
	bool qualified;   /* takes a context qualifier */
	bool repeatable;
};

/* Keeps s alive as long as the kb; returns it. */
const char *kb_keep(struct kb *kb, char *s);
/* Checks an entry's fields against its type's spec; false after errors. */
bool kb_spec_check(struct kb *kb, struct kb_entry *e,
		   const struct kb_key_spec *spec, size_t nspec);
/* The value of an unqualified field, kept in the kb; NULL if absent. */
const char *kb_get(struct kb *kb, struct kb_entry *e, const char *key);
/* A whole decimal number in [lo, hi], or -1. */
int kb_number(const char *s, size_t n, int lo, int hi);
/* "250 251 4xx" into out; false after an error. */
bool kb_code_list(struct kb *kb, struct kb_entry *e, int line, const char *s,
		  int *out, size_t *n, bool classes);
int kb_field_line(const struct kb_entry *e, const char *key);
/* Lower-case letters, digits and hyphens, starting with a letter. */
bool kb_valid_id(const char *s);
/* Turns a complete entry into its struct (kb-entry.c). */
void kb_finish(struct kb *kb, struct kb_entry *e);

#endif
