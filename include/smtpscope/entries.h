/* entries: the one lexer for the data files in help/ (the knowledge base's
 * *.kb, the demo's *.scn; the grammar is documented once, in
 * help/README.md, "The entries format").
 *
 * A file is entries: a "[kind arguments]" header line, then "key: value"
 * or "key QUALIFIER: value" fields, indented continuation lines (joined
 * with one space; a lone "." starts a new paragraph, kept as "\n\n"),
 * "#" comments and blank lines.  Each kind of entry is one row of a
 * format: its name, a declarative table of its keys (required,
 * repeatable, qualified, one line, allowed values) and a builder.  The
 * lexer checks an entry against its table and calls the builder only for
 * an entry that passed, so a broken entry is reported and left out
 * whole.  Every problem is "FILE:LINE: message", in one wording whatever
 * the file.  Sans-I/O: it takes text, never a file. */
#ifndef SMTPSCOPE_ENTRIES_H
#define SMTPSCOPE_ENTRIES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "smtpscope/util.h"

enum entry_key_flags {
	ENTRY_REQUIRED = 1u << 0,   /* the entry must give it */
	ENTRY_REPEAT = 1u << 1,     /* may be given more than once */
	ENTRY_QUALIFIED = 1u << 2,  /* written "key QUALIFIER:"; the builder checks the qualifier */
	ENTRY_ONE_LINE = 1u << 3,   /* no continuation lines (give it again instead) */
};

/* One key an entry kind knows.  A key may have two rows, one plain and
 * one ENTRY_QUALIFIED ("diagnosis:" and "diagnosis DOT:"). */
struct entry_key {
	const char *key;
	unsigned flags;              /* enum entry_key_flags */
	const char *const *values;   /* the allowed values, NULL-terminated; NULL: any */
};

struct entry_field {
	char key[32];
	char qual[32];               /* "" when none */
	struct buf value;            /* NUL-terminated; "\n\n" between paragraphs */
	int line;
	int cont_line;               /* its first continuation line, 0 if none */
};

struct entries;
struct entry_kind;

/* One entry as read. */
struct entry {
	struct entries *in;          /* the reading it belongs to (for errors) */
	const struct entry_kind *kind;
	const char *file;
	int line;                    /* of the header */
	char args[128];              /* what follows the kind in the header, trimmed */
	struct entry_field *fields;  /* in file order */
	size_t nfields, cap;
};

/* A kind of entry: "[code 550]", "[on RCPT]".  A new kind is one row:
 * a key table and a builder. */
struct entry_kind {
	const char *name;            /* "code", "on" */
	const char *usage;           /* the header as the messages show it: "on COMMAND" */
	const struct entry_key *keys;
	size_t nkeys;
	/* Checks the header's arguments (and anything else the entry must
	 * pass before its fields are): false, after an error, drops the
	 * entry.  May be NULL. */
	bool (*args)(void *ctx, struct entry *e);
	/* Makes the entry into what the caller keeps, once its fields fit
	 * the key table; may still refuse it with entry_error(). */
	void (*build)(void *ctx, struct entry *e);
};

/* A file type: its kinds; the first kind's usage is the example the
 * messages give for a header. */
struct entries_format {
	const struct entry_kind *kinds;
	size_t nkinds;
};

/* Receives each problem as "FILE:LINE: message" (without a newline). */
typedef void (*entries_sink)(void *ctx, const char *message);

/* Reads one file's text (need not be NUL-terminated) of the format:
 * every entry goes through its kind's args, key table and builder, in
 * file order.  file is kept by pointer until it returns (builders keep
 * their own copy).  Returns the number of problems sent to sink. */
size_t entries_parse(const struct entries_format *fmt, const char *file,
		     const char *text, size_t len, void *ctx, entries_sink sink);

/* A problem at FILE:LINE of the entry's file, in the lexer's wording. */
void entry_error(struct entry *e, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "FILE:LINE: " then the message: the one form of every error. */
char *entries_vmessage(const char *file, int line, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* The value of the entry's plain (unqualified) field key, or NULL. */
const char *entry_get(const struct entry *e, const char *key);
/* The same, handed over (the caller frees it); NULL if absent. */
char *entry_take(struct entry *e, const char *key);
/* The line of the first field key, or the header's line. */
int entry_line(const struct entry *e, const char *key);
/* The index of the value in the key's list of allowed values, -1 if the
 * field is absent (the lexer has refused any other value). */
int entry_choice(const struct entry *e, const char *key);
/* Lists "a, b or c" into out (the words of an allowed-values list). */
void entries_list(struct buf *out, const char *const *words, size_t n);

#endif
