/* kb: the knowledge base — reply codes, enhanced status codes, diagnoses,
 * comparisons and provider patterns, read from the text files in help/kb/
 * (format documented in help/README.md).
 *
 * kb_parse() is sans-I/O: it takes a file's text and appends its entries,
 * recording every problem as "FILE:LINE: message".  kb_load_dir() (in
 * kb-load.c) reads the files.  Lookups by code are O(1) array indexing;
 * pattern matching tries each compiled pattern in file order. */
#ifndef SMTPSCOPE_KB_H
#define SMTPSCOPE_KB_H

#include <stdbool.h>
#include <stddef.h>

#include "smtpscope/util.h"
#include "smtpscope/verb.h"

/* The command a reply answers, as the knowledge base names it. */
enum kb_ctx {
	KB_CTX_GREETING, KB_CTX_HELO, KB_CTX_EHLO, KB_CTX_MAIL, KB_CTX_RCPT,
	KB_CTX_DATA, KB_CTX_DOT, KB_CTX_BDAT, KB_CTX_RSET, KB_CTX_VRFY,
	KB_CTX_EXPN, KB_CTX_HELP, KB_CTX_NOOP, KB_CTX_QUIT, KB_CTX_STARTTLS,
	KB_CTX_AUTH, KB_CTX_ETRN, KB_CTX_ATRN, KB_CTX_ANY,
	KB_CTX__COUNT
};

#define KB_MAX_RELATED 16
#define KB_MAX_COMPARE 8
/* Enhanced codes: subject 0-7, detail 0-KB_MAX_DETAIL. */
#define KB_MAX_DETAIL 99

struct kb_code {
	int code;
	const char *name, *summary, *description, *when, *fix, *differences;
	const char *rfc, *diagnosis;
	int related[KB_MAX_RELATED];
	size_t nrelated;
	const char *context[KB_CTX__COUNT];   /* NULL where not written */
	const char *ctx_diagnosis[KB_CTX__COUNT];
	const char *file;
	int line;
};

struct kb_enhanced {
	int subject, detail;
	const char *name, *description, *fix, *basic, *rfc, *diagnosis;
	const char *deprecated; /* NULL unless deprecated */
	/* Why servers give this code for many causes, so a reply's words
	 * decide over it ("5.7.1"); NULL for a specific code. */
	const char *broad;
	const char *file;
	int line;
};

/* An enhanced class (2, 4, 5) or subject (0-7). */
struct kb_named {
	const char *name, *description;
};

struct kb_diagnosis {
	const char *id, *label, *description, *next;
	const char *file;
	int line;
};

struct kb_compare {
	int codes[KB_MAX_COMPARE];
	size_t ncodes;
	const char *text;
	const char *file;
	int line;
};

enum kb_pattern_kind { KB_KIND_PROVIDER, KB_KIND_MTA, KB_KIND_FILTER,
		       KB_KIND_BLOCKLIST };

struct kb_pattern {
	const char *id, *who, *match, *means, *action, *diagnosis;
	const char *enhanced_note; /* NULL if none */
	enum kb_pattern_kind kind;
	/* Codes it applies to: exact codes, or a class digit (4 for "4xx"). */
	int codes[KB_MAX_RELATED];
	size_t ncodes;
	const char **samples;
	size_t nsamples;
	const char *file;
	int line;
};

/* A TLS failure explained: match is a POSIX ERE tried case-insensitively
 * against the failure text the tls module gives ("handshake: wrong
 * version number", "verify X509_V_ERR_CERT_HAS_EXPIRED: certificate has
 * expired (certificate at depth 0)"). */
struct kb_tls_error {
	const char *id, *match, *title, *cause, *next;
	const char **samples;
	size_t nsamples;
	const char *file;
	int line;
};

/* An EHLO keyword (help/kb/extensions.kb, [extension KEYWORD]): what the
 * service extension offers a client, where it is defined, what to try. */
struct kb_extension {
	const char *keyword;            /* upper case: "SIZE", "X-EXPS" */
	const char *name, *rfc, *means, *advice;
	const char *params;             /* what its parameters say, or NULL */
	const char *file;
	int line;
};

/* A text-cue rule (help/kb/rules.kb): a diagnosis from the words of a
 * reply, tried in file order after the provider patterns and before the
 * code alone decides.  Its constraints narrow where it applies. */
struct kb_enh_range {
	int cls, subject, detail;       /* -1: any ("5.7.x", "x.7.26") */
};

struct kb_rule {
	const char *id, *diagnosis;
	const char *note;               /* a teaching remark, or NULL */
	int codes[KB_MAX_RELATED];      /* codes or classes (4 for 4xx); */
	size_t ncodes;                  /* none: any code */
	struct kb_enh_range enhanced[KB_MAX_RELATED];
	size_t nenhanced;               /* none: with or without one */
	unsigned contexts;              /* bit (1u << enum kb_ctx); 0: any */
	int tls;                        /* -1 any, 0 only outside TLS, 1 only inside */
	const char **samples;
	size_t nsamples;
	const char *file;
	int line;
};

/* What a rule is tried on. */
struct kb_rule_query {
	int code;                       /* -1: no basic code (an enhanced code alone) */
	bool has_enh;
	int enh_cls, enh_subject, enh_detail;
	enum kb_ctx ctx;                /* KB_CTX_ANY: the command is not known */
	bool tls_active;
	const char *text;               /* the reply's text, lines joined */
};

#define KB_CUE_MAX 96

struct kb_rule_hit {
	const struct kb_rule *rule;
	char cue[KB_CUE_MAX];           /* the words of the text that matched */
};

struct kb;

struct kb *kb_new(void);
void kb_free(struct kb *kb);
/* Before parsing: regular expressions (match:, regex:, unless-regex:)
 * are compiled when first tried instead of as they are read, and one
 * that does not compile then never matches.  Only their size is checked
 * while parsing, so an invalid one goes unreported: for a session's kb;
 * `explain --check` and the tests load eagerly (the default). */
void kb_set_lazy_regex(struct kb *kb, bool lazy);

/* Parses one file's text (need not be NUL-terminated) and adds its
 * entries.  Returns the number of errors found in it. */
size_t kb_parse(struct kb *kb, const char *file, const char *text, size_t len);
/* Parses one translation file's text (help/kb/LL/NAME.kb): each entry's
 * fields replace the English ones.  Returns the number of errors (an
 * entry the English lacks, a field it has not, a stale or missing
 * `source:` checksum).  Call after the English files are in. */
size_t kb_parse_lang(struct kb *kb, const char *file, const char *text, size_t len);
/* Reads the LL folder of DIR/kb, then its LL_CC folder over it, for lang
 * "LL_CC" or "LL" ("en", "C", "POSIX" or "": nothing to read).  Returns
 * the number of errors. */
size_t kb_load_lang(struct kb *kb, const char *dir, const char *lang);
/* Loads DIR's knowledge base afresh in lang (as kb_load_dir() then
 * kb_load_lang()) and, if it has no problem, puts it in kb's place: kb
 * keeps its address, and what it held stays valid until kb_free().
 * Otherwise kb is unchanged, *failed is the new one with its errors (the
 * caller frees it), and the number of problems is returned. */
size_t kb_switch_lang(struct kb *kb, const char *dir, const char *lang, struct kb **failed);
/* True if DIR/kb has a folder for the language (or it is English). */
bool kb_lang_available(const char *dir, const char *lang);
/* The language loaded ("fr"), or NULL for English. */
const char *kb_lang(const struct kb *kb);
/* Every field still in English, one "FILE:LINE: [kind args] key: not
 * translated" line each into out; returns how many. */
size_t kb_lang_gaps(const struct kb *kb, struct buf *out);
/* How many fields a translation replaced. */
size_t kb_lang_translated(const struct kb *kb);

/* Cross-checks after every file is in: diagnosis names and related codes
 * that point nowhere.  Returns the number of errors found. */
size_t kb_validate(struct kb *kb);
/* Reads every *.kb file under DIR/kb in name order, then validates.
 * Returns the number of errors (an unreadable folder is one). */
size_t kb_load_dir(struct kb *kb, const char *dir);
/* The help folder: $SMTPSCOPE_HELPDIR, else the installed data dir. */
const char *kb_default_dir(void);

size_t kb_error_count(const struct kb *kb);
/* Records a problem as "FILE:LINE: message" (LINE 0: the file as a whole). */
void kb_errorf(struct kb *kb, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
const char *kb_error(const struct kb *kb, size_t i);

const struct kb_code *kb_code(const struct kb *kb, int code);
const struct kb_enhanced *kb_enhanced(const struct kb *kb, int subject, int detail);
const struct kb_named *kb_enhanced_class(const struct kb *kb, int cls);
const struct kb_named *kb_enhanced_subject(const struct kb *kb, int subject);
const struct kb_diagnosis *kb_diagnosis(const struct kb *kb, const char *id);
/* The first comparison listing both codes, or NULL. */
const struct kb_compare *kb_compare_find(const struct kb *kb, int a, int b);
/* The first pattern that applies to code and matches text, or NULL. */
const struct kb_pattern *kb_pattern_match(const struct kb *kb, int code,
					  const char *text);
const struct kb_pattern *kb_pattern_at(const struct kb *kb, size_t i);
size_t kb_pattern_count(const struct kb *kb);
/* The first [tls-error] entry whose match fits the failure text, or NULL. */
const struct kb_tls_error *kb_tls_error_match(const struct kb *kb, const char *text);
/* The first rule that applies to q and whose cue the text holds (and no
 * "unless" phrase); false if none.  A constraint on the command or TLS
 * state is passed when the query does not know it (KB_CTX_ANY). */
bool kb_rule_match(const struct kb *kb, const struct kb_rule_query *q,
		   struct kb_rule_hit *hit);
const struct kb_rule *kb_rule_at(const struct kb *kb, size_t i);
size_t kb_rule_count(const struct kb *kb);
const struct kb_tls_error *kb_tls_error_at(const struct kb *kb, size_t i);
size_t kb_tls_error_count(const struct kb *kb);
size_t kb_code_count(const struct kb *kb);
size_t kb_enhanced_count(const struct kb *kb);
size_t kb_diagnosis_count(const struct kb *kb);
const struct kb_diagnosis *kb_diagnosis_at(const struct kb *kb, size_t i);
size_t kb_compare_count(const struct kb *kb);
/* The [extension] entry of an EHLO keyword (case ignored), or NULL. */
const struct kb_extension *kb_extension(const struct kb *kb, const char *keyword);
size_t kb_extension_count(const struct kb *kb);
const struct kb_extension *kb_extension_at(const struct kb *kb, size_t i);
const struct kb_compare *kb_compare_at(const struct kb *kb, size_t i);

const char *kb_ctx_name(enum kb_ctx ctx);
/* A context name ("RCPT", "DOT", "greeting"), or KB_CTX__COUNT. */
enum kb_ctx kb_ctx_from_name(const char *name);
/* The context of the reply to a verb (LHLO: EHLO's, an AUTH response:
 * AUTH's); SMTP_V_UNKNOWN and anything out of range give KB_CTX_ANY. */
enum kb_ctx kb_ctx_from_verb(enum smtp_verb v);
const char *kb_kind_name(enum kb_pattern_kind kind);

#endif
