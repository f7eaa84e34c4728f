/* explain: what a reply means.  For now the meaning of the class (first)
 * and category (second) digits, RFC 5321 4.2.1, and of the enhanced
 * code's class and subject, RFC 3463; the knowledge base extends it. */
#ifndef SMTPSCOPE_EXPLAIN_H
#define SMTPSCOPE_EXPLAIN_H

#include "smtpscope/reply.h"
#include "smtpscope/util.h"

/* "positive completion" ... or NULL when the digit is not defined. */
const char *explain_class(int code);
const char *explain_category(int code);
const char *explain_enhanced_subject(int subject);
/* One line: "250: 2yz positive completion (done), x5z mail system". */
void explain_digits(int code, struct buf *out);
/* The annotation line for a reply: digits plus the enhanced code. */
void explain_reply_line(const struct reply *r, struct buf *out);

#endif
