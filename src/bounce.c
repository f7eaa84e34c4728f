/* bounce: a bounce message as received -> its failed recipients, each
 * with the server's words (bounce.h).
 *
 * Three passes.  The MIME walk (headers unfolded, parts split on their
 * boundary, bounded in depth and number, quoted-printable and base64
 * decoded) collects the delivery-status parts and the human-readable
 * text.  The delivery-status fields (RFC 3464 2, and RFC 6533's global
 * kind) name the recipients when there are any.  The text is then read
 * the way the software its wording names writes it (Postfix, Exim,
 * qmail, ...): it gives the recipients of a bounce that has no
 * delivery-status part, and for one that has, what the fields leave out,
 * chiefly the command the reply answered.
 *
 * Everything is a span of the input or of a decoded part until the end,
 * where each string handed out is cut to a bound and escaped
 * (util_escape): the message is untrusted.
 *
 * The passes are bounce-mime.c, bounce-dsn.c and bounce-mta.c, with the
 * helpers of bounce-span.c (bounce-private.h); this file holds what is
 * found about each recipient, the merge and the output at the end, and
 * the API. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/bounce.h"
#include "bounce-private.h"
#include "smtpscope/i18n.h"

#define TEXT_OUT_MAX 8192       /* bytes kept of a diagnostic or subject */
#define NAME_OUT_MAX 512        /* of an address, a host, an action */

/* ---- what is found about one recipient ---- */

void bounce_entry_init(struct entry *e)
{
	memset(e, 0, sizeof *e);
	buf_init(&e->remote);
	buf_init(&e->diag);
}

void bounce_entry_free(struct entry *e)
{
	buf_free(&e->remote);
	buf_free(&e->diag);
}

struct entry *bounce_entries_find(struct entries *es, struct span addr)
{
	for (size_t i = 0; i < es->n; i++)
		if (bounce_span_ieq(es->v[i].addr, addr))
			return &es->v[i];
	return NULL;
}

/* Moves *e into es (e is to be set up again); false, leaving *e, when
 * BOUNCE_MAX_RCPTS are kept already. */
bool bounce_entries_push(struct entries *es, struct entry *e)
{
	if (es->n == BOUNCE_MAX_RCPTS)
		return false;
	es->v = xgrow(es->v, &es->cap, es->n + 1, sizeof *es->v);
	es->v[es->n++] = *e;
	return true;
}

/* Fills what e lacks with what f, the text's reading, says. */
void bounce_entry_fill(struct entry *e, const struct entry *f)
{
	if (!e->has_verb && f->has_verb) {
		e->has_verb = true;
		e->verb = f->verb;
	}
	if (e->diag.len == 0)
		buf_add(&e->diag, f->diag.data, f->diag.len);
	if (e->remote.len == 0)
		buf_add(&e->remote, f->remote.data, f->remote.len);
	if (e->hint[0] == '\0')
		memcpy(e->hint, f->hint, sizeof e->hint);
}

static void entries_free(struct entries *es)
{
	for (size_t i = 0; i < es->n; i++)
		bounce_entry_free(&es->v[i]);
	free(es->v);
	memset(es, 0, sizeof *es);
}

/* ---- the parse ---- */

static void ctx_init(struct ctx *c)
{
	memset(c, 0, sizeof *c);
	buf_init(&c->text);
	buf_init(&c->low);
	buf_init(&c->failed_hdr);
	c->text_format = BOUNCE_OTHER;
}

static void ctx_free(struct ctx *c)
{
	for (size_t i = 0; i < c->nowned; i++)
		free(c->owned[i]);
	buf_free(&c->text);
	buf_free(&c->low);
	buf_free(&c->failed_hdr);
	entries_free(&c->dsn_rcpts);
	entries_free(&c->text_rcpts);
}

/* ---- the recipients handed out ---- */

/* What the text says about a recipient the fields name: the command
 * (which the fields never give), and whatever the fields left out. */
static void enrich(struct ctx *c, struct entry *e)
{
	struct entry *t = bounce_entries_find(&c->text_rcpts, e->addr), para;
	struct span blk;
	bool own = false, same = t != NULL;

	bounce_verb_in(e, bounce_span_of_buf(&e->diag));  /* X-Postfix: "... (in reply to end of DATA command)" */
	if (t == NULL && e->original.n)
		same = (t = bounce_entries_find(&c->text_rcpts, e->original)) != NULL;
	if (t == NULL && c->dsn_rcpts.n == 1 && c->text_rcpts.n == 1)
		t = &c->text_rcpts.v[0];  /* one each: the same, named otherwise */
	if (t == NULL && bounce_block_after(c, e->addr, &blk)) {
		bounce_entry_init(&para);
		bounce_analyse_generic(&para, blk);
		t = &para;
		own = true;
	}
	if (t) {
		bounce_entry_fill(e, t);
		if (e->original.n == 0 && same)  /* not from a text about another address */
			e->original = t->original;
	}
	if (own)
		bounce_entry_free(&para);
}

/* The status handed out.  The server's own enhanced code, when its class
 * agrees, is the more precise: a reporting MTA often sums up as X.0.0,
 * or gives its own view (Sendmail's 4.4.7, "delivery time expired", for
 * a 452 4.4.5 it kept getting).  Then the Status field, then the text's
 * ("(#5.1.1)"). */
static void settle_status(const struct entry *e, char out[STATUS_MAX])
{
	char r[STATUS_MAX];

	if (bounce_reply_status(bounce_span_of_buf(&e->diag), r) && (e->status[0] == '\0' || e->status[0] == r[0]))
		memcpy(out, r, STATUS_MAX);
	else if (e->status[0])
		memcpy(out, e->status, STATUS_MAX);
	else
		memcpy(out, e->hint, STATUS_MAX);
}

/* An escaped copy of at most max bytes (cut at a character's start), or
 * NULL for nothing. */
static char *out_text(struct span s, size_t max)
{
	if (s.n == 0)
		return NULL;
	if (s.n > max) {
		s.n = max;
		while (s.n > 0 && ((unsigned char)s.p[s.n] & 0xc0) == 0x80)
			s.n--;
	}
	return util_escape_dup(s.p, s.n);
}

static char *out_lower(struct span s)
{
	char *low, *out;

	if (s.n == 0)
		return NULL;
	if (s.n > NAME_OUT_MAX)
		s.n = NAME_OUT_MAX;
	low = xmemdup(s.p, s.n);
	for (size_t i = 0; i < s.n; i++)
		low[i] = bounce_lower(low[i]);
	out = util_escape_dup(low, s.n);
	free(low);
	return out;
}

static char *out_header(struct span hdr, const char *name)
{
	struct buf v;
	char *out;

	buf_init(&v);
	bounce_header_get(hdr, name, &v);
	out = out_text(bounce_span_of_buf(&v), TEXT_OUT_MAX);
	buf_free(&v);
	return out;
}

static void rcpt_out(struct bounce_rcpt *r, const struct entry *e)
{
	char status[STATUS_MAX];

	settle_status(e, status);
	r->recipient = out_text(e->addr, NAME_OUT_MAX);
	r->original = out_text(e->original, NAME_OUT_MAX);
	r->action = e->action.n ? out_lower(e->action) : xstrdup(e->delayed ? "delayed" : "failed");
	r->status = status[0] ? xstrdup(status) : NULL;
	r->remote_mta = out_text(bounce_span_of_buf(&e->remote), NAME_OUT_MAX);
	r->diagnostic = out_text(bounce_span_of_buf(&e->diag), TEXT_OUT_MAX);
	r->diagnostic_type = out_lower(e->diag_type);
	r->has_verb = e->has_verb;
	r->verb = e->has_verb ? e->verb : SMTP_V_UNKNOWN;
}

static enum bounce_result finish(struct ctx *c, struct bounce *b)
{
	struct entries *src;

	if (c->dsn_rcpts.n) {
		b->format = BOUNCE_RFC3464;
		src = &c->dsn_rcpts;
		for (size_t i = 0; i < src->n; i++)
			enrich(c, &src->v[i]);
	} else if (c->text_rcpts.n && !c->dsn_blocks) {
		b->format = c->text_format;
		src = &c->text_rcpts;
	} else {
		/* no recipient, or a report of deliveries only */
		return BOUNCE_NOT_BOUNCE;
	}
	b->rcpts = xcalloc(src->n, sizeof *b->rcpts);
	b->nrcpts = src->n;
	for (size_t i = 0; i < src->n; i++)
		rcpt_out(&b->rcpts[i], &src->v[i]);
	b->reporting_mta = out_text(c->reporting.n ? c->reporting : c->text_reporting, NAME_OUT_MAX);
	b->subject = out_header(c->hdr, "Subject");
	b->from = out_header(c->hdr, "From");
	b->truncated = c->truncated;
	return BOUNCE_OK;
}

static enum bounce_result parse_message(struct span m, struct bounce *b, int depth)
{
	struct ctx c;
	struct span line, body;
	size_t pos = 0, start;
	bool ended;
	enum bounce_result r;

	/* leading empty lines (pasted text), an mbox "From " line */
	while (start = pos, bounce_next_line(m, &pos, &line) && bounce_blank(line))
		;
	m = bounce_span_sub(m, start, m.n);
	if (m.n >= 5 && memcmp(m.p, "From ", 5) == 0) {
		pos = 0;
		bounce_next_line(m, &pos, &line);
		m = bounce_span_sub(m, pos, m.n);
	}
	ctx_init(&c);
	if (!bounce_split_header(m, &c.hdr, &body, &ended) || c.hdr.n == 0) {
		ctx_free(&c);
		return BOUNCE_NOT_MESSAGE;
	}
	c.truncated = !ended;
	bounce_walk(&c, c.hdr, body, 0, false);
	for (size_t i = 0; i < c.ndsn; i++)
		bounce_parse_dsn(&c, c.dsn[i]);
	if (c.ndsn == 0 && bounce_has_dsn_fields(bounce_span_of_buf(&c.text)))
		bounce_parse_dsn(&c, bounce_span_of_buf(&c.text));
	bounce_locate_text(&c);
	r = finish(&c, b);
	/* a bounce forwarded as an attachment: read the attached one */
	if (r != BOUNCE_OK && depth == 0 && c.inner.p) {
		struct span inner = c.inner;

		ctx_free(&c);
		return parse_message(inner, b, depth + 1) == BOUNCE_OK ? BOUNCE_OK : r;
	}
	ctx_free(&c);
	return r;
}

/* NUL bytes, or more than a tenth of control bytes other than white
 * space: not text. */
static bool is_binary(const char *p, size_t n)
{
	size_t odd = 0;

	if (memchr(p, '\0', n))
		return true;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)p[i] < 0x20 && !bounce_is_space(p[i])) || p[i] == 0x7f)
			odd++;
	return odd > n / 10;
}

void bounce_init(struct bounce *b)
{
	memset(b, 0, sizeof *b);
	b->format = BOUNCE_OTHER;
}

void bounce_free(struct bounce *b)
{
	for (size_t i = 0; i < b->nrcpts; i++) {
		struct bounce_rcpt *r = &b->rcpts[i];

		free(r->recipient);
		free(r->original);
		free(r->action);
		free(r->status);
		free(r->remote_mta);
		free(r->diagnostic);
		free(r->diagnostic_type);
	}
	free(b->rcpts);
	free(b->reporting_mta);
	free(b->subject);
	free(b->from);
	bounce_init(b);
}

enum bounce_result bounce_parse(const char *data, size_t len, struct bounce *b)
{
	enum bounce_result r;

	bounce_init(b);
	if (data == NULL || len == 0)
		return BOUNCE_EMPTY;
	if (len > BOUNCE_MAX_INPUT)
		return BOUNCE_TOO_BIG;
	if (bounce_blank((struct span){ data, len }))
		return BOUNCE_EMPTY;
	if (is_binary(data, len))
		return BOUNCE_BINARY;
	r = parse_message((struct span){ data, len }, b, 0);
	if (r != BOUNCE_OK)
		bounce_free(b);
	return r;
}

const char *bounce_format_name(enum bounce_format f)
{
	static const char *const names[BOUNCE__COUNT] = {
		[BOUNCE_RFC3464] = N_("RFC 3464 delivery status notification"),
		[BOUNCE_POSTFIX] = N_("Postfix bounce"),
		[BOUNCE_EXIM] = N_("Exim bounce"),
		[BOUNCE_QMAIL] = N_("qmail bounce"),
		[BOUNCE_SENDMAIL] = N_("Sendmail bounce"),
		[BOUNCE_MICROSOFT] = N_("Microsoft Exchange / Office 365 bounce"),
		[BOUNCE_GMAIL] = N_("Gmail bounce"),
		[BOUNCE_YAHOO] = N_("Yahoo bounce"),
		[BOUNCE_OTHER] = N_("bounce (recognised by its wording)"),
	};

	return (size_t)f < BOUNCE__COUNT ? names[f] : N_("bounce");
}

const char *bounce_result_text(enum bounce_result r)
{
	switch (r) {
	case BOUNCE_OK:
		return _("a bounce message");
	case BOUNCE_EMPTY:
		return _("empty: no bytes, or only white space");
	case BOUNCE_BINARY:
		return _("not a message: NUL bytes or mostly control bytes (binary data?)");
	case BOUNCE_NOT_MESSAGE:
		return _("not a message: it does not start with a header block (From:, Subject: ...)");
	case BOUNCE_NOT_BOUNCE:
		return _("not a bounce message: no failed or delayed recipient in it");
	case BOUNCE_TOO_BIG:
		return _("too big: a bounce message is read up to 8 MiB");
	}
	return _("unknown result");
}
