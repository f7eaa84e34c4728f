/* diagnose: pasted text and bounce recipients as explanations
 * (diagnose.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/diagnose.h"
#include "smtpscope/i18n.h"
#include "smtpscope/reply.h"

/* Explains the reply paste_parse() found in p. */
static void diagnose_found(const struct kb *kb, const struct paste *p,
			   const struct explain_ctx *given, struct explanation *x)
{
	struct explain_ctx ctx = *given;
	struct reply_parser *rp;
	struct reply *r;

	if (!ctx.has_verb && p->has_verb) {
		ctx.has_verb = true;
		ctx.verb = p->verb;
	}
	if (p->wire == NULL) {
		explain_text(kb, -1, p->enhanced, p->enhanced_text, &ctx, x);
		return;
	}
	rp = reply_parser_new();
	reply_parser_feed(rp, p->wire, strlen(p->wire));
	reply_parser_finish(rp);
	r = reply_parser_next(rp);
	explain_reply(kb, r, &ctx, x);
	reply_free(r);
	reply_parser_free(rp);
}

bool diagnose_paste(const struct kb *kb, const char *text, const struct explain_ctx *ctx,
		    struct paste *p, struct explanation *x)
{
	static const struct explain_ctx none = { 0 };

	explain_init(x);
	if (!paste_parse(text, p))
		return false;
	diagnose_found(kb, p, ctx ? ctx : &none, x);
	if (p->rejoined)
		explain_add_note(x, _("these lines had been joined into one (as relays and bounce messages do); smtpscope split them again"));
	return true;
}

/* "5.1.1" as explain_text() takes it, or NULL for anything else. */
static const char *diagnose_status(const char *s)
{
	struct explain_enh e;

	return s && explain_find_enhanced(s, -1, &e) && e.source == EXPLAIN_ENH_START &&
			       strcmp(e.text, s) == 0 ? s : NULL;
}

bool diagnose_bounce_rcpt(const struct kb *kb, const struct bounce_rcpt *r,
			  struct explanation *x)
{
	struct explain_ctx ctx = { .has_verb = r->has_verb, .verb = r->verb };
	const char *status = diagnose_status(r->status);
	struct paste p;
	bool found;

	explain_init(x);
	if (r->diagnostic && diagnose_paste(kb, r->diagnostic, &ctx, &p, x)) {
		paste_free(&p);
		return true;
	}
	explain_free(x);
	found = status != NULL;
	if (found)
		explain_text(kb, -1, status, r->diagnostic, &ctx, x);
	return found;
}

/* ---- a bounce as a report ------------------------------------------- */

/* What the action and the class say happened to the message. */
static const char *diagnose_outcome(const struct bounce_rcpt *r, const struct explanation *x)
{
	int cls = x->code >= 0 ? x->code / 100 : x->enh.cls;

	if (r->action && strcmp(r->action, "delayed") == 0)
		return _("delayed: the sending server keeps retrying and will send another notice if it gives up");
	if (r->action && strcmp(r->action, "delivered") == 0)
		return _("delivered");
	if (r->action && (strcmp(r->action, "relayed") == 0 || strcmp(r->action, "expanded") == 0))
		return _("passed on to a system that sends no further notice");
	if (cls == 4 && r->action && strcmp(r->action, "failed") == 0)
		return _("not delivered: the server kept deferring it (a temporary failure) until the sender gave up");
	if (cls == 4)
		return _("not delivered yet: a temporary failure, which the sender retries");
	return _("not delivered: refused for good");
}

static void diagnose_rcpt_text(const struct kb *kb, const struct bounce_rcpt *r, size_t width,
			       struct buf *out)
{
	struct explanation x;
	struct buf line;
	bool ok = diagnose_bounce_rcpt(kb, r, &x);

	buf_init(&line);
	buf_printf(out, "\n%s", r->recipient ? r->recipient : _("(recipient not named)"));
	if (r->original && (!r->recipient || strcmp(r->original, r->recipient) != 0))
		buf_printf(out, _(" (originally %s)"), r->original);
	buf_printf(out, " — %s%s%s\n", r->action ? r->action : "failed",
		   r->status ? _(", status ") : "", r->status ? r->status : "");
	if (r->remote_mta || r->has_verb) {
		buf_printf(&line, _("Where: %s%s%s"), r->remote_mta ? r->remote_mta : _("the receiving server"),
			   r->has_verb ? _(", in reply to ") : "",
			   r->has_verb ? smtp_verb_name(r->verb) : "");
		explain_wrap(out, line.data, 2, width);
		buf_clear(&line);
	}
	if (r->diagnostic) {
		buf_printf(&line, _("Server said: %s"), r->diagnostic);
		explain_wrap(out, line.data, 2, width);
		buf_clear(&line);
	}
	if (!ok || x.diagnosis == NULL) {
		explain_wrap(out, _("Diagnosis: the bounce gives neither the server's reply nor a status code, so the cause cannot be told; read its human-readable part."), 2, width);
		buf_free(&line);
		return;
	}
	buf_printf(&line, _("What happened: %s."), diagnose_outcome(r, &x));
	explain_wrap(out, line.data, 2, width);
	buf_clear(&line);
	buf_printf(&line, _("Diagnosis: %s — %s (from the %s"), x.diagnosis->id, x.diagnosis->label,
		   _(x.diagnosis_from));
	if (x.pattern)
		buf_printf(&line, " %s, %s", x.pattern->id, x.pattern->who);
	else if (x.rule_decided)
		buf_printf(&line, _(" %s: the text says \"%s\""), x.rule.rule->id, x.rule.cue);
	buf_adds(&line, ").");
	explain_wrap(out, line.data, 2, width);
	buf_clear(&line);
	for (size_t i = 0; i < x.nnotes; i++) {
		buf_printf(&line, _("Note: %s."), x.notes[i]);
		explain_wrap(out, line.data, 2, width);
		buf_clear(&line);
	}
	buf_printf(&line, _("Next step: %s"), x.pattern ? x.pattern->action : x.diagnosis->next);
	explain_wrap(out, line.data, 2, width);
	buf_free(&line);
	explain_free(&x);
}

static void diagnose_rcpt_json(const struct kb *kb, const struct bounce_rcpt *r, struct buf *out)
{
	struct explanation x;
	bool ok = diagnose_bounce_rcpt(kb, r, &x), f = true;

	buf_addc(out, '{');
	util_json_member(out, &f, "recipient", r->recipient);
	util_json_member(out, &f, "original", r->original);
	util_json_member(out, &f, "action", r->action);
	util_json_member(out, &f, "status", r->status);
	util_json_member(out, &f, "remote_mta", r->remote_mta);
	util_json_member(out, &f, "diagnostic", r->diagnostic);
	util_json_member(out, &f, "diagnostic_type", r->diagnostic_type);
	util_json_member(out, &f, "command", r->has_verb ? verb_info(r->verb)->key : NULL);
	buf_adds(out, ",\"explanation\":");
	if (ok)
		explain_format_json(&x, out);
	else
		buf_adds(out, "null");
	buf_addc(out, '}');
	if (ok)
		explain_free(&x);
}

void diagnose_bounce_format(const struct kb *kb, const struct bounce *b, bool json,
			    size_t width, struct buf *out)
{
	if (json) {
		bool f = true;

		buf_addc(out, '{');
		util_json_member(out, &f, "format", bounce_format_name(b->format));
		util_json_member(out, &f, "reporting_mta", b->reporting_mta);
		util_json_member(out, &f, "subject", b->subject);
		util_json_member(out, &f, "from", b->from);
		buf_printf(out, ",\"truncated\":%s,\"recipients\":[", b->truncated ? "true" : "false");
		for (size_t i = 0; i < b->nrcpts; i++) {
			if (i)
				buf_addc(out, ',');
			diagnose_rcpt_json(kb, &b->rcpts[i], out);
		}
		buf_adds(out, "]}\n");
		return;
	}
	buf_printf(out, _("Bounce: %s"), _(bounce_format_name(b->format)));
	if (b->reporting_mta)
		buf_printf(out, _(", reported by %s"), b->reporting_mta);
	buf_printf(out, ngettext("; %zu recipient\n", "; %zu recipients\n", b->nrcpts), b->nrcpts);
	if (b->subject)
		buf_printf(out, _("Subject: %s\n"), b->subject);
	if (b->truncated)
		buf_adds(out, _("Warning: the message ends early (cut off inside a part or header); what is there was read.\n"));
	for (size_t i = 0; i < b->nrcpts; i++)
		diagnose_rcpt_text(kb, &b->rcpts[i], width, out);
}
