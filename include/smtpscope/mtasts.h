/* mtasts: SMTP MTA Strict Transport Security (RFC 8461) and SMTP TLS
 * Reporting (RFC 8460), the parts that need no network (mtasts.c,
 * sans-I/O): which of a domain's `_mta-sts` TXT strings is its record and
 * whether it is valid, the policy file read and checked, the policy's mx
 * patterns matched against an MX host name, and the `_smtp._tls` TLS-RPT
 * record checked.  Every defect has a stable id (for --json and the tests)
 * and one sentence in which foreign bytes are escaped (util_escape).
 *
 * The lookups and the HTTPS fetch are mtasts-fetch.c's (mtasts-fetch.h). */
#ifndef SMTPSCOPE_MTASTS_H
#define SMTPSCOPE_MTASTS_H

#include <stdbool.h>
#include <stddef.h>

/* RFC 8461 3.3: the policy body is at most 64 KiB. */
#define MTASTS_POLICY_MAX 65536
/* RFC 8461 3.2: max_age is at most 31557600 seconds (about a year). */
#define MTASTS_MAX_AGE_MAX 31557600L
/* mx lines kept (the rest counted in mx_dropped). */
#define MTASTS_MAX_MX 64
/* Defects kept per check (the rest counted). */
#define MTASTS_MAX_DEFECTS 16

struct mtasts_defect {
	const char *id;  /* "sts-txt-several", "policy-bad-mode" ... (static) */
	char *text;      /* one sentence; foreign bytes escaped */
};

struct mtasts_defects {
	struct mtasts_defect d[MTASTS_MAX_DEFECTS];
	size_t n, dropped;
};

/* ---- the TXT record at _mta-sts.DOMAIN (RFC 8461 3.1) ---- */
struct mtasts_txt {
	size_t n_records; /* TXT strings starting "v=STSv1" */
	bool valid;       /* exactly one, with a valid id (1-32 alphanumerics) */
	char *record;     /* the one kept (the first), escaped; NULL if none */
	char *id;         /* its id as written (escaped), or NULL */
	struct mtasts_defects defects;
};
/* txt[i] is one TXT record's strings joined, len[i] bytes (may hold NULs).
 * Zero records, or several, is "no MTA-STS" (valid false). */
void mtasts_txt_check(const char *const *txt, const size_t *len, size_t n,
		      struct mtasts_txt *out);
void mtasts_txt_free(struct mtasts_txt *t);
/* A TXT string is an STS record: "v=STSv1" (case-sensitive) then ';', a
 * space or tab, or the end. */
bool mtasts_is_record(const char *txt, size_t len);

/* ---- the policy file (RFC 8461 3.2) ---- */
enum mtasts_mode { MTASTS_MODE_NONE_GIVEN, MTASTS_MODE_ENFORCE,
		   MTASTS_MODE_TESTING, MTASTS_MODE_NONE };
struct mtasts_policy {
	bool valid;       /* usable: version STSv1, a known mode, max_age in
			   * range, and mx lines unless mode is none */
	char *version;    /* as written, escaped; NULL if absent */
	enum mtasts_mode mode;
	long max_age;     /* -1 when absent or not a number */
	char *mx[MTASTS_MAX_MX];  /* patterns as written, lower-cased, escaped;
				   * a malformed one is kept (and a defect)
				   * but never matches */
	size_t n_mx, mx_dropped;
	struct mtasts_defects defects;
};
/* Lines "key: value" ending in CRLF or LF; unknown keys ignored; len
 * bytes (may hold NULs; at most MTASTS_POLICY_MAX are read). */
void mtasts_policy_parse(const char *body, size_t len, struct mtasts_policy *out);
void mtasts_policy_free(struct mtasts_policy *p);
const char *mtasts_mode_name(enum mtasts_mode m); /* "enforce" ... "(none given)" */

/* An mx pattern matches a host name (RFC 8461 4.1): equal as DNS names
 * (case-insensitive, a trailing dot ignored), or "*." + suffix where the
 * host is exactly one label more than the suffix. */
bool mtasts_mx_match(const char *pattern, const char *host);
/* The index of the first pattern of p that matches host, or -1. */
int mtasts_policy_match(const struct mtasts_policy *p, const char *host);

/* ---- TLS-RPT: the TXT record at _smtp._tls.DOMAIN (RFC 8460 3) ---- */
struct tlsrpt_txt {
	size_t n_records; /* TXT strings starting "v=TLSRPTv1" */
	bool valid;       /* exactly one, with at least one rua URI, each
			   * mailto: or https: */
	char *record;     /* the first, escaped; NULL if none */
	char *rua;        /* the rua value as written (escaped), or NULL */
	struct mtasts_defects defects;
};
void tlsrpt_check(const char *const *txt, const size_t *len, size_t n,
		  struct tlsrpt_txt *out);
void tlsrpt_free(struct tlsrpt_txt *t);

#endif
