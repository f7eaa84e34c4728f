/* explain: digit-level meaning of reply codes (RFC 5321 4.2.1, RFC 3463). */
#include "config.h"

#include "smtpscope/explain.h"

const char *explain_class(int code)
{
	switch (code / 100) {
	case 2: return "positive completion (done)";
	case 3: return "positive intermediate (go on, send the rest)";
	case 4: return "transient negative (not done; try again later)";
	case 5: return "permanent negative (not done; do not repeat unchanged)";
	default: return NULL;
	}
}

const char *explain_category(int code)
{
	switch (code / 10 % 10) {
	case 0: return "syntax";
	case 1: return "information";
	case 2: return "connections";
	case 3: return "unspecified";
	case 4: return "unspecified";
	case 5: return "mail system";
	default: return NULL;
	}
}

const char *explain_enhanced_subject(int subject)
{
	static const char *const names[] = {
		"other or undefined status", "addressing", "mailbox",
		"mail system", "network and routing", "mail delivery protocol",
		"message content or media", "security or policy",
	};

	if (subject < 0 || subject > 7)
		return NULL;
	return names[subject];
}

void explain_digits(int code, struct buf *out)
{
	const char *cls, *cat;

	if (code < 0 || code > 999) {
		buf_adds(out, "no reply code: the line does not start with three digits");
		return;
	}
	cls = explain_class(code);
	cat = explain_category(code);
	if (cls == NULL) {
		buf_printf(out, "%03d: first digit %d is not an SMTP reply class (2-5); RFC 5321 says treat it as a failure",
			   code, code / 100);
		return;
	}
	buf_printf(out, "%03d: %dyz %s, x%dz %s", code, code / 100, cls,
		   code / 10 % 10, cat ? cat : "undefined category (RFC 5321 uses 0-5)");
}

void explain_reply_line(const struct reply *r, struct buf *out)
{
	explain_digits(r->code, out);
	if (r->enhanced.present) {
		const char *subj = explain_enhanced_subject(r->enhanced.subject);
		buf_printf(out, "; enhanced %d.%d.%d: %s", r->enhanced.cls,
			   r->enhanced.subject, r->enhanced.detail,
			   subj ? subj : "unknown subject");
	}
}
