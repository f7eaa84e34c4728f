/* mtasts-fetch-private: what mtasts-fetch.c shares with mtasts-report.c. */
#ifndef SMTPSCOPE_MTASTS_FETCH_PRIVATE_H
#define SMTPSCOPE_MTASTS_FETCH_PRIVATE_H

#include "smtpscope/mtasts-fetch.h"

/* s, or dflt when s is NULL or empty. */
const char *mtasts_or(const char *s, const char *dflt);
/* The lookup failed temporarily or was bogus: nothing is known. */
bool mtasts_lookup_failed(const struct mtasts_lookup *l);
/* The addresses an A or AAAA lookup gave (0 unless an answer). */
size_t mtasts_addresses(const struct mtasts_lookup *l);
/* What the fetch came to, in words (no final period), appended to b. */
void mtasts_fetch_text(const struct mtasts_result *r, struct buf *b);

#endif
