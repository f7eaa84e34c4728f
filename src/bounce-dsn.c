/* bounce-dsn: the fields of a message/delivery-status part (RFC 3464
 * 2.2, 2.3; RFC 6533's global kind), per message then per recipient,
 * into the recipients that failed or are delayed. */
#include "config.h"

#include <string.h>

#include "bounce-private.h"

#define TYPE_NAME_MAX 32        /* "rfc822", "smtp", "x-postfix" */

enum dsn_field {
	F_NONE,      /* not a field: prose */
	F_OTHER,     /* a field not needed here */
	F_REPORTING, F_ORIGINAL, F_FINAL, F_ACTION, F_STATUS, F_REMOTE, F_DIAG,
};

static const struct {
	const char *name;
	enum dsn_field field;
} dsn_fields[] = {
	{ "Reporting-MTA", F_REPORTING },
	{ "Original-Recipient", F_ORIGINAL },
	{ "Final-Recipient", F_FINAL },
	{ "Action", F_ACTION },
	{ "Status", F_STATUS },
	{ "Remote-MTA", F_REMOTE },
	{ "Diagnostic-Code", F_DIAG },
};

static enum dsn_field dsn_field_of(struct span line, size_t *value)
{
	const char *colon = line.n ? memchr(line.p, ':', line.n) : NULL;
	struct span name;

	if (colon == NULL || !bounce_is_field_line(line))
		return F_NONE;
	name = bounce_trim(bounce_span_sub(line, 0, (size_t)(colon - line.p)));
	*value = (size_t)(colon - line.p) + 1;
	for (size_t i = 0; i < UTIL_ARRAY_LEN(dsn_fields); i++)
		if (bounce_span_ieq_lit(name, dsn_fields[i].name))
			return dsn_fields[i].field;
	return F_OTHER;
}

/* "rfc822; x@example.com", "dns; mx.example.com", "smtp; 550 ...": the
 * type before the ';' (a short token, else there is none) and the rest. */
static struct span typed_value(struct span v, struct span *type)
{
	const char *semi = v.n ? memchr(v.p, ';', v.n) : NULL;
	struct span t;

	*type = bounce_span_sub(v, 0, 0);
	if (semi == NULL)
		return bounce_trim(v);
	t = bounce_trim(bounce_span_sub(v, 0, (size_t)(semi - v.p)));
	if (t.n == 0 || t.n > TYPE_NAME_MAX)
		return bounce_trim(v);
	for (size_t i = 0; i < t.n; i++)
		if (!bounce_is_alnum(t.p[i]) && !bounce_in_set(t.p[i], "-_."))
			return bounce_trim(v);
	*type = t;
	return bounce_trim(bounce_span_sub(v, (size_t)(semi - v.p) + 1, v.n));
}

/* A recipient field's address: angle brackets and a source route
 * ("@smtp.example.net:x@example.com", Sun's Messaging Server) dropped. */
static struct span dsn_address(struct span a)
{
	const char *colon;

	a = bounce_strip_angle(a);
	if (a.n && a.p[0] == '@' && (colon = memchr(a.p, ':', a.n)) != NULL)
		a = bounce_strip_angle(bounce_span_sub(a, (size_t)(colon - a.p) + 1, a.n));
	return a;
}

/* Status: "5.2.0 (LMTP transmission failure has occurred)" -> "5.2.0". */
static void status_of(struct span v, char out[STATUS_MAX])
{
	size_t n;

	v = bounce_trim(v);
	n = bounce_enhanced_at(v, 0);
	if (n)
		bounce_copy_code(out, v, 0, n);
}

/* Failed and delayed recipients are the bounce's; "delivered", "relayed"
 * and "expanded" ones are not.  Without an Action, the Status says. */
static bool dsn_wanted(const struct entry *e)
{
	if (bounce_span_ieq_lit(e->action, "failed") || bounce_span_ieq_lit(e->action, "delayed"))
		return true;
	if (bounce_span_ieq_lit(e->action, "delivered") || bounce_span_ieq_lit(e->action, "relayed") ||
	    bounce_span_ieq_lit(e->action, "expanded"))
		return false;
	return e->status[0] != '2';
}

/* Ends a recipient's block: kept if it is a failure. */
static void dsn_flush(struct ctx *c, struct entry *e)
{
	if (e->addr.n == 0)
		e->addr = e->original;
	if (e->addr.n) {
		c->dsn_blocks = true;
		if (dsn_wanted(e) && bounce_entries_push(&c->dsn_rcpts, e)) {
			bounce_entry_init(e);
			return;
		}
	}
	bounce_entry_free(e);
	bounce_entry_init(e);
}

static void dsn_apply(struct ctx *c, struct entry *e, enum dsn_field f, struct span v)
{
	struct span type, rest = typed_value(v, &type);

	switch (f) {
	case F_REPORTING:
		if (c->reporting.n == 0)
			c->reporting = bounce_token_at(rest, 0);
		break;
	case F_ORIGINAL:
		/* a second one, or a Final-Recipient already there without the
		 * empty line between blocks: the next recipient's */
		if (e->original.n)
			dsn_flush(c, e);
		e->original = dsn_address(rest);
		break;
	case F_FINAL:
		if (e->addr.n)
			dsn_flush(c, e);
		e->addr = dsn_address(rest);
		break;
	case F_ACTION:
		e->action = bounce_token_at(bounce_trim(v), 0);
		break;
	case F_STATUS:
		status_of(v, e->status);
		break;
	case F_REMOTE:
		if (e->remote.len == 0)
			buf_add(&e->remote, rest.p, bounce_token_at(rest, 0).n);
		break;
	case F_DIAG:
		if (e->diag.len == 0) {
			e->diag_type = type;
			bounce_add_unfolded(&e->diag, rest);
		}
		break;
	default:
		break;
	}
}

/* The fields, per message then per recipient, blocks separated by empty
 * lines, values folded onto lines that start with white space.  Lenient:
 * a new Final-Recipient starts a new recipient even with no empty line. */
void bounce_parse_dsn(struct ctx *c, struct span d)
{
	struct entry cur;
	enum dsn_field f = F_NONE;
	size_t pos = 0, start, value = 0, from = 0, to = 0;
	struct span line;

	bounce_entry_init(&cur);
	while (start = pos, bounce_next_line(d, &pos, &line)) {
		if (line.n && bounce_is_wsp(line.p[0]) && !bounce_blank(line)) {
			if (f != F_NONE)
				to = start + line.n;
			continue;
		}
		dsn_apply(c, &cur, f, bounce_span_sub(d, from, to));
		f = F_NONE;
		if (bounce_blank(line)) {
			dsn_flush(c, &cur);
			continue;
		}
		f = dsn_field_of(line, &value);
		from = start + value;
		to = start + line.n;
	}
	dsn_apply(c, &cur, f, bounce_span_sub(d, from, to));
	dsn_flush(c, &cur);
	bounce_entry_free(&cur);
}

/* Delivery-status fields in a text part (some MTAs label them so):
 * unambiguous when a line starts with Final-Recipient and another with
 * Action or Status. */
bool bounce_has_dsn_fields(struct span t)
{
	bool final = false, other = false;
	size_t pos = 0, value;
	struct span line;

	while (bounce_next_line(t, &pos, &line)) {
		enum dsn_field f = dsn_field_of(line, &value);

		final = final || f == F_FINAL;
		other = other || f == F_ACTION || f == F_STATUS;
	}
	return final && other;
}
