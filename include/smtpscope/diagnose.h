/* diagnose: text from outside the session -> explanations.  Pasted reply
 * text (any of paste.h's shapes) and each recipient of a bounce message
 * (bounce.h) become a struct explanation, with the command the reply
 * answered taken from the text where it says so.  Sans-I/O; the CLI's
 * `explain --reply` / `--bounce`, `/explain` and the accuracy test all
 * go through here, so they agree. */
#ifndef SMTPSCOPE_DIAGNOSE_H
#define SMTPSCOPE_DIAGNOSE_H

#include <stdbool.h>

#include "smtpscope/bounce.h"
#include "smtpscope/explain.h"
#include "smtpscope/paste.h"

/* Explains pasted text.  ctx: what the user said (--after, --tls); a
 * command the text names is used when the user gave none.  False if the
 * text holds no reply and no enhanced code (p and x left empty);
 * otherwise p holds what was found (paste_free() it) and x the
 * explanation (explain_free() it). */
bool diagnose_paste(const struct kb *kb, const char *text, const struct explain_ctx *ctx,
		    struct paste *p, struct explanation *x);

/* Explains one recipient of a bounce: its diagnostic text when it quotes
 * the server, else its status code with whatever text there is.  False
 * if there is neither (x left empty). */
bool diagnose_bounce_rcpt(const struct kb *kb, const struct bounce_rcpt *r,
			  struct explanation *x);

/* The whole bounce: a header (its format, the reporting MTA, the
 * subject) and, per recipient, what happened, where, the server's words,
 * the diagnosis with its reason and the next step; or one JSON object
 * (format, reporting_mta, subject, from, truncated, recipients[]: each
 * recipient's fields and its explanation as `explain --json` gives it).
 * width: wrap column for the text form (0: none). */
void diagnose_bounce_format(const struct kb *kb, const struct bounce *b, bool json,
			    size_t width, struct buf *out);

#endif
