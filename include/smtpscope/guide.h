/* guide: guided mode (/guide on).  After each reply, one hint of what a
 * student could try next and why, from where the session stands: the
 * state, the last reply and what it answered, what the server offers.
 * It only suggests: nothing is ever sent.  Sans-I/O. */
#ifndef SMTPSCOPE_GUIDE_H
#define SMTPSCOPE_GUIDE_H

#include "smtpscope/smtp.h"
#include "smtpscope/util.h"

/* Appends the hint (one paragraph, no newline) for the session as it is
 * after the reply `last` (may be NULL) to `verb`. */
void guide_hint(const struct smtp *s, const struct reply *last, enum smtp_verb verb,
		struct buf *out);

#endif
