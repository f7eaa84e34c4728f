/* explain-ext: a 2xx reply to EHLO (or LHLO) explained keyword by keyword
 * (RFC 5321 4.1.1.1): each line's service extension from the knowledge
 * base's [extension] entries (help/kb/extensions.kb: what it offers the
 * client, its RFC, what to try), what smtpscope reads from its
 * parameters (SIZE in MiB, AUTH's mechanisms and whether they are safe
 * here, LIMITS), keywords the knowledge base lacks, keywords beginning
 * with X (never registered: a server's own, RFC 5321 2.2.2) and keywords
 * RFC 5321 does not allow.  Sans-I/O. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/caps.h"
#include "smtpscope/explain.h"
#include "smtpscope/i18n.h"

#define EXPLAIN_MIB (1024.0 * 1024.0)

/* RFC 1870 4: the maximum size in octets, 0 for no fixed maximum. */
static void explain_ext_size(const struct cap *c, struct buf *out)
{
	const char *v = c->argc ? c->argv[0] : NULL;
	char *end = NULL;
	unsigned long long n = v ? strtoull(v, &end, 10) : 0;

	if (v == NULL)
		buf_adds(out, _("no number given: the server announces no fixed limit"));
	else if (*v < '0' || *v > '9' || *end != '\0')
		buf_adds(out, _("not a number of bytes: RFC 1870 4 wants digits only"));
	else if (n == 0)
		buf_adds(out, _("0: no fixed limit (RFC 1870 4); a message may still be too big for "
				"the server at the moment"));
	else
		/* TRANSLATORS: bytes, MiB, MB, then the largest attachment in MiB */
		buf_printf(out, _("%llu bytes: about %.1f MiB (%.1f MB). A larger SIZE= on MAIL, or "
				  "a larger message, gets 552 5.3.4. Attachments grow by about a third "
				  "in base64, so files up to about %.1f MiB fit"),
			   n, (double)n / EXPLAIN_MIB, (double)n / 1e6, (double)n / 1.37 / EXPLAIN_MIB);
}

static bool explain_ext_has_mech(const struct cap *c, const char *mech)
{
	for (size_t i = 0; i < c->argc; i++)
		if (util_strieq(c->argv[i], mech))
			return true;
	return false;
}

/* RFC 4954 3: the SASL mechanisms; a password in the clear outside TLS. */
static void explain_ext_auth(const struct cap *c, const struct explain_ctx *ctx, struct buf *out)
{
	if (c->argc == 0) {
		buf_adds(out, _("no mechanism listed: RFC 4954 3 wants at least one"));
		return;
	}
	buf_adds(out, _("mechanisms: "));
	util_escape(out, c->params, strlen(c->params));
	if (!ctx->tls_active && (explain_ext_has_mech(c, "PLAIN") || explain_ext_has_mech(c, "LOGIN")))
		buf_adds(out, _(". Outside TLS, PLAIN and LOGIN would send the password readable by "
				"anyone on the path (base64 is no encryption): STARTTLS first"));
	if (c->legacy)
		buf_adds(out, _(". Written AUTH=..., the pre-standard form that some old clients "
				"need; the same offer as the AUTH line"));
}

/* RFC 9422: LIMITS RCPTMAX=n MAILMAX=n RCPTDOMAINMAX=n. */
static void explain_ext_limit(const char *name, const char *v, struct buf *out)
{
	if (util_strieq(name, "RCPTMAX"))
		buf_printf(out, _("at most %s recipients in one transaction"), v);
	else if (util_strieq(name, "MAILMAX"))
		buf_printf(out, _("at most %s transactions (MAIL) in one session"), v);
	else if (util_strieq(name, "RCPTDOMAINMAX"))
		buf_printf(out, _("at most %s recipient domains in one transaction"), v);
}

static void explain_ext_limits(const struct cap *c, struct buf *out)
{
	struct buf one;

	buf_init(&one);
	for (size_t i = 0; i < c->argc; i++) {
		const char *eq = strchr(c->argv[i], '=');
		char *name, *v;

		if (eq == NULL)
			continue;
		name = xmemdup(c->argv[i], (size_t)(eq - c->argv[i]));
		v = util_escape_dup(eq + 1, strlen(eq + 1));
		buf_clear(&one);
		explain_ext_limit(name, v, &one);
		if (one.len > 0) {
			if (out->len > 0)
				buf_adds(out, "; ");
			buf_add(out, one.data, one.len);
		}
		free(name);
		free(v);
	}
	buf_free(&one);
}

/* What smtpscope reads from a line's parameters; NULL if nothing. */
static char *explain_ext_detail(const struct cap *c, const struct explain_ctx *ctx)
{
	struct buf b;

	buf_init(&b);
	if (c->id == CAP_SIZE)
		explain_ext_size(c, &b);
	else if (c->id == CAP_AUTH)
		explain_ext_auth(c, ctx, &b);
	else if (util_strieq(c->keyword, "LIMITS"))
		explain_ext_limits(c, &b);
	else if (c->id == CAP_STARTTLS && ctx->tls_active)
		buf_adds(&b, _("offered again inside TLS, which RFC 3207 4.2 forbids: never send "
			       "STARTTLS a second time"));
	if (b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	if (b.data[b.len - 1] != '.')
		buf_addc(&b, '.');
	return buf_steal(&b);
}

void explain_extensions(const struct kb *kb, const struct reply *r,
			const struct explain_ctx *ctx, struct explanation *x)
{
	struct caps caps;

	caps_init(&caps);
	caps_parse(&caps, r);
	if (caps.n > 0)
		x->exts = xcalloc(caps.n, sizeof *x->exts);
	for (size_t i = 0; i < caps.n; i++) {
		const struct cap *c = &caps.items[i];
		struct explain_ext *e = &x->exts[x->nexts++];

		e->keyword = util_escape_dup(c->keyword, strlen(c->keyword));
		e->params = util_escape_dup(c->params, strlen(c->params));
		e->entry = kb_extension(kb, c->keyword);
		e->detail = explain_ext_detail(c, ctx);
		e->local = c->keyword[0] == 'X';
		e->legacy = c->legacy;
		e->malformed = c->malformed;
	}
	caps_free(&caps);
}

/* ---- output ------------------------------------------------------------ */

/* "  SIZE 10240000 — Message size declaration (RFC 1870)" */
static void explain_ext_heading(const struct explain_ext *e, struct buf *out, size_t width)
{
	struct buf h;

	buf_init(&h);
	buf_printf(&h, "%s%s%s%s", e->keyword, e->legacy ? "=" : e->params[0] ? " " : "",
		   e->params, e->entry ? " — " : "");
	if (e->entry)
		buf_printf(&h, "%s (%s)", e->entry->name, e->entry->rfc);
	explain_wrap(out, h.data, 2, width);
	buf_free(&h);
}

/* A labelled text under a keyword, wrapped at 4. */
static void explain_ext_text(struct buf *out, const char *label, const char *text, size_t width)
{
	struct buf t;

	buf_init(&t);
	buf_printf(&t, "%s%s%s", label, label[0] ? " " : "", text);
	explain_wrap(out, t.data, 4, width);
	buf_free(&t);
}

void explain_format_extensions(const struct explanation *x, struct buf *out, size_t width)
{
	if (x->nexts == 0)
		return;
	buf_adds(out, "\n");
	buf_printf(out, ngettext("The extension offered, keyword by keyword (%zu)\n",
				 "The extensions offered, keyword by keyword (%zu)\n", x->nexts), x->nexts);
	for (size_t i = 0; i < x->nexts; i++) {
		const struct explain_ext *e = &x->exts[i];

		explain_ext_heading(e, out, width);
		if (e->detail)
			explain_ext_text(out, "", e->detail, width);
		if (e->entry) {
			explain_ext_text(out, "", e->entry->means, width);
			if (e->entry->params && e->params[0] && e->detail == NULL)
				explain_ext_text(out, _("Parameters:"), e->entry->params, width);
			explain_ext_text(out, _("Try:"), e->entry->advice, width);
		} else if (e->local) {
			explain_ext_text(out, "", _("A private extension: keywords beginning with X are "
						    "never registered (RFC 5321 2.2.2), so this is the "
						    "server's own, for clients written for it; any other "
						    "client ignores it."), width);
		} else {
			explain_ext_text(out, "", _("Not in smtpscope's knowledge base: a newer or a "
						    "vendor's extension. A client ignores keywords it does "
						    "not know (RFC 5321 4.1.1.1); the IANA registry of SMTP "
						    "service extensions says what it is."), width);
		}
		if (e->malformed)
			explain_ext_text(out, "", _("The keyword has characters RFC 5321 4.1.1.1 does "
						    "not allow (letters, digits and hyphens, starting "
						    "with a letter or digit): clients may not recognise "
						    "it."), width);
	}
}

void explain_json_extensions(const struct explanation *x, struct buf *out)
{
	buf_addc(out, '[');
	for (size_t i = 0; i < x->nexts; i++) {
		const struct explain_ext *e = &x->exts[i];
		const struct kb_extension *k = e->entry;
		bool f = true;

		buf_adds(out, i ? ",{" : "{");
		util_json_member(out, &f, "keyword", e->keyword);
		util_json_member(out, &f, "params", e->params);
		buf_printf(out, ",\"known\":%s,\"local\":%s,\"legacy\":%s,\"malformed\":%s",
			   k ? "true" : "false", e->local ? "true" : "false",
			   e->legacy ? "true" : "false", e->malformed ? "true" : "false");
		util_json_member(out, &f, "name", k ? k->name : NULL);
		util_json_member(out, &f, "rfc", k ? k->rfc : NULL);
		util_json_member(out, &f, "means", k ? k->means : NULL);
		util_json_member(out, &f, "try", k ? k->advice : NULL);
		util_json_member(out, &f, "detail", e->detail);
		buf_addc(out, '}');
	}
	buf_addc(out, ']');
}
