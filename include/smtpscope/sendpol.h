/* sendpol (module probe): the sender domain's published policies, as
 * `smtpscope probe --from ADDRESS` shows them, sans-I/O: the SPF record
 * (RFC 7208: a TXT record at the domain starting "v=spf1") and the DMARC
 * record (RFC 7489: a TXT record at _dmarc.DOMAIN starting "v=DMARC1").
 * The caller hands over every TXT string of the answer; the checks select
 * the policy records among them and give a basic syntax check, each
 * defect with a stable id (for --json and the tests) and a sentence.
 * This is a display and a lint, not an evaluator: no lookups, no macros
 * expanded. */
#ifndef SMTPSCOPE_SENDPOL_H
#define SMTPSCOPE_SENDPOL_H

#include <stdbool.h>
#include <stddef.h>

/* At most this many defects are kept per record (the rest counted). */
#define SENDPOL_MAX_DEFECTS 16
/* RFC 7208 4.6.4: at most 10 terms that cause DNS lookups. */
#define SPF_MAX_LOOKUPS 10

struct sendpol_defect {
	const char *id;  /* "spf-multiple", "dmarc-bad-p" ... (static) */
	char *text;      /* one sentence; foreign bytes escaped */
};

struct sendpol_defects {
	struct sendpol_defect d[SENDPOL_MAX_DEFECTS];
	size_t n, dropped;
};

struct spf_check {
	size_t n_records;     /* TXT strings starting "v=spf1" */
	char *record;         /* the first of them, escaped; NULL if none */
	char *all;            /* the "all" term as written ("-all"), or NULL */
	char qualifier;       /* its qualifier: '+', '-', '~', '?'; 0 if no all */
	char *redirect;       /* redirect= target, escaped, or NULL */
	size_t n_terms;       /* terms after the version */
	size_t lookups;       /* terms that cost a DNS lookup */
	struct sendpol_defects defects;
};

struct dmarc_check {
	size_t n_records;     /* TXT strings starting "v=DMARC1" */
	char *record;         /* the first, escaped; NULL if none */
	char *p, *sp;         /* policy values as written (escaped), or NULL */
	bool p_valid;         /* p= is none, quarantine or reject */
	int pct;              /* -1 when absent */
	char *rua, *ruf;      /* the report URIs as written (escaped), or NULL */
	struct sendpol_defects defects;
};

/* txt[i] is one TXT record's strings joined, len[i] bytes (may hold NULs). */
void spf_check(const char *const *txt, const size_t *len, size_t n, struct spf_check *out);
void spf_check_free(struct spf_check *c);
void dmarc_check(const char *const *txt, const size_t *len, size_t n, struct dmarc_check *out);
void dmarc_check_free(struct dmarc_check *c);

/* The record of one TXT string, by its version tag: "v=spf1" followed by
 * a space or the end (case-insensitive, RFC 7208 4.5); "v=DMARC1" as the
 * first tag (RFC 7489 6.4, 6.6.3). */
bool spf_is_record(const char *txt, size_t len);
bool dmarc_is_record(const char *txt, size_t len);

#endif
