/* explain: one reply plus its context -> a structured explanation.
 *
 * Data only, no drawing: the batch printer, the `explain` command line and
 * the TUI pane all format the same struct explanation.  Sans-I/O.
 *
 * RFC 5321 4.2.1 (what the digits say; unknown codes are read by their
 * first digit), RFC 3463 (enhanced codes: report class and subject even
 * when the detail is unknown), RFC 2034 (where the enhanced code sits). */
#ifndef SMTPSCOPE_EXPLAIN_H
#define SMTPSCOPE_EXPLAIN_H

#include <stdbool.h>

#include "smtpscope/kb.h"
#include "smtpscope/reply.h"
#include "smtpscope/util.h"

/* "positive completion" ... or NULL when the digit is not defined. */
const char *explain_class(int code);
const char *explain_category(int code);
const char *explain_enhanced_subject(int subject);
/* One line: "250: 2yz positive completion (done), x5z mail system". */
void explain_digits(int code, struct buf *out);

/* Where the enhanced code was found. */
enum explain_enh_source {
	EXPLAIN_ENH_NONE,
	EXPLAIN_ENH_START,   /* start of the text, as RFC 2034 puts it */
	EXPLAIN_ENH_HASH,    /* "#5.7.1" or "(#5.7.1)" inside the text */
	EXPLAIN_ENH_TEXT,    /* elsewhere in the text */
	EXPLAIN_ENH_GIVEN,   /* given by the user (explain CODE ENHANCED) */
};

struct explain_enh {
	enum explain_enh_source source;
	int cls, subject, detail;
	char text[16];                   /* "5.7.1" */
	const struct kb_enhanced *entry; /* registry entry, NULL if none */
	const struct kb_named *cls_entry, *subject_entry;
};

/* What the reply answers and what state the session was in. */
struct explain_ctx {
	bool has_verb;         /* the command answered is known: */
	enum smtp_verb verb;   /* it (SMTP_V_UNKNOWN: any command) */
	bool tls_active;
	bool authenticated;
};

#define EXPLAIN_MAX_NOTES 8

/* One line after the first of a 2xx reply to EHLO or LHLO: a service
 * extension the server offers (RFC 5321 4.1.1.1), explained from the
 * knowledge base's [extension] entries (explain-ext.c). */
struct explain_ext {
	char *keyword;                    /* escaped, upper case */
	char *params;                     /* escaped; "" if none */
	const struct kb_extension *entry; /* NULL: not in the knowledge base */
	char *detail;                     /* what its parameters say, or NULL */
	bool local;                       /* begins with X: not registered (RFC 5321 2.2.2) */
	bool legacy;                      /* "AUTH=LOGIN": the pre-standard form */
	bool malformed;                   /* characters RFC 5321 does not allow */
};

struct explanation {
	int code;                        /* -1: no code */
	const struct kb_code *entry;     /* NULL for an unknown code */
	const char *class_meaning, *category_meaning;
	enum kb_ctx ctx;
	bool has_ctx;                    /* the command is known */
	const char *context_meaning;     /* text for this command, or NULL */
	struct explain_enh enh;
	const struct kb_diagnosis *diagnosis;
	const char *diagnosis_from;      /* "provider pattern", "enhanced code" ... */
	const struct kb_pattern *pattern;
	/* The text rule that matched (rule.rule NULL if none) and whether
	 * it decided the diagnosis: false when a provider pattern decided,
	 * or when the code alone says the same (the words agree). */
	struct kb_rule_hit rule;
	bool rule_decided;
	char *text;                      /* the reply's text, lines joined */
	/* The words the text rules read: the text without the enhanced
	 * code each line may repeat ("multiple 5.7.1 addresses"). */
	char *words;
	char *decoded;                   /* 334: the base64 text decoded */
	char *notes[EXPLAIN_MAX_NOTES];  /* remarks: mismatches, fallbacks */
	size_t nnotes;
	struct explain_ext *exts;        /* a 2xx to EHLO/LHLO: its keywords */
	size_t nexts;
};

void explain_init(struct explanation *x);
void explain_free(struct explanation *x);

/* Adds a remark to an explanation (at most EXPLAIN_MAX_NOTES kept). */
void explain_add_note(struct explanation *x, const char *text);

/* Explains a parsed reply in its context. */
void explain_reply(const struct kb *kb, const struct reply *r,
		   const struct explain_ctx *ctx, struct explanation *x);
/* Explains a bare code, optionally with an enhanced code ("5.1.1"); false
 * (x untouched) if code or enhanced is malformed. */
bool explain_code(const struct kb *kb, int code, const char *enhanced,
		  const struct explain_ctx *ctx, struct explanation *x);

/* The same with the reply's text (an enhanced code and its text as a
 * bounce gives them: code -1, "5.7.3", "Authentication unsuccessful");
 * the text goes to the provider patterns and the text rules. */
bool explain_text(const struct kb *kb, int code, const char *enhanced, const char *text,
		  const struct explain_ctx *ctx, struct explanation *x);

/* A command name as a user types it ("RCPT", "dot", "greeting", "end of
 * data"; "any": SMTP_V_UNKNOWN) -> the verb; false if it names none. */
bool explain_verb_from_name(const char *name, enum smtp_verb *out);

/* Reply text as a user pasted it -> wire form ("CODE-..\r\nCODE ..\r\n")
 * for the parser.  Lines may be separated by newlines; lines a relay
 * joined into one ("550-5.7.1 a 550 5.7.1 b") are split again, and
 * *rejoined says so.  Returns NULL if no line starts with a code. */
char *explain_text_to_wire(const char *text, bool *rejoined);

/* Finds an enhanced code in the text of a reply whose basic code is
 * `code` (class must agree when found away from the start). */
bool explain_find_enhanced(const char *text, int code, struct explain_enh *out);

/* Checks that the i-th sample of rule r is decided by r first (no
 * earlier rule takes it); false with the reason in why. */
bool explain_rule_sample(const struct kb *kb, const struct kb_rule *r, size_t i,
			 struct buf *why);

/* A 2xx reply to EHLO or LHLO: each keyword line into x->exts
 * (explain_reply does it when the context says EHLO or LHLO). */
void explain_extensions(const struct kb *kb, const struct reply *r,
			const struct explain_ctx *ctx, struct explanation *x);
/* The keywords as a section of the long form, and as a JSON array. */
void explain_format_extensions(const struct explanation *x, struct buf *out, size_t width);
void explain_json_extensions(const struct explanation *x, struct buf *out);

/* Output forms. */
/* Text word-wrapped to width columns (0: none), each line indented;
 * "\n\n" starts a paragraph.  The one wrapper of explanations. */
void explain_wrap(struct buf *out, const char *text, size_t indent, size_t width);
void explain_format_short(const struct explanation *x, struct buf *out);
/* width: wrap column (0: no wrapping). */
void explain_format_long(const struct explanation *x, struct buf *out, size_t width);
void explain_format_json(const struct explanation *x, struct buf *out);
/* --compare A B: the knowledge base's comparison plus each code's
 * summary; false if either code is not three digits 200-599. */
bool explain_compare(const struct kb *kb, int a, int b, bool json, struct buf *out);

#endif
