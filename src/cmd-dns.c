/* /dns TYPE NAME: a small dig inside the debugger.  The lookup runs on the
 * loop (dns.c); until its answer is in, cmd_dns_busy() holds the
 * front-end's queue, as a reply being awaited does. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/cmd.h"
#include "smtpscope/dns.h"
#include "smtpscope/i18n.h"

struct cmd_dns {
	struct dns *dns;
	struct dns_query *q;   /* the lookup in flight, or NULL */
	struct session *session;
	char *shown;           /* the name as the user typed it */
};

static void cmd_dns_note(void *ctx, const char *text)
{
	session_text(ctx, SESSION_WARN, "%s", text);
}

bool cmd_dns_busy(const struct cmd_ctx *ctx)
{
	return ctx->mtasts || cmd_mx_busy(ctx) ||
	       (ctx->dns && (ctx->dns->q || dns_busy(ctx->dns->dns)));
}

struct dns *cmd_dns_resolver(struct cmd_ctx *ctx, char **err)
{
	struct dns_options o = ctx->dns_opt ? *ctx->dns_opt : (struct dns_options){ 0 };
	struct dns *d;

	if (ctx->dns)
		return ctx->dns->dns;
	o.note = cmd_dns_note;
	o.note_ctx = ctx->session;
	if ((d = dns_new(ctx->loop, &o, err)) == NULL)
		return NULL;
	ctx->dns = xcalloc(1, sizeof *ctx->dns);
	ctx->dns->dns = d;
	ctx->dns->session = ctx->session;
	return d;
}

void cmd_dns_free(struct cmd_ctx *ctx)
{
	cmd_mx_free(ctx); /* its lookups are on this resolver */
	cmd_connect_dane_free(ctx);
	cmd_mtasts_free(ctx); /* and these */
	if (ctx->dns == NULL)
		return;
	dns_free(ctx->dns->dns); /* cancels q */
	free(ctx->dns->shown);
	free(ctx->dns);
	ctx->dns = NULL;
}


/* One record in presentation form. */
static void cmd_dns_record(struct buf *b, const struct dns_answer *a, size_t i)
{
	buf_printf(b, "%s ", dns_type_name(a->type));
	switch (a->type) {
	case DNS_MX:
		buf_printf(b, "%u %s", a->mx[i].pref, a->mx[i].host);
		break;
	case DNS_A:
	case DNS_AAAA:
		buf_adds(b, a->addr[i]);
		break;
	case DNS_PTR:
	case DNS_CNAME:
	case DNS_NS:
		buf_adds(b, a->name[i]);
		break;
	case DNS_TXT:
		buf_addc(b, '"');
		util_escape(b, a->txt[i].text, a->txt[i].len);
		buf_adds(b, a->txt[i].cut ? _("\" (cut)") : "\"");
		break;
	case DNS_TLSA:
		buf_printf(b, "%u %u %u ", a->tlsa[i].usage, a->tlsa[i].selector, a->tlsa[i].mtype);
		for (size_t k = 0; k < a->tlsa[i].len; k++)
			buf_printf(b, "%02x", a->tlsa[i].data[k]);
		break;
	}
	buf_printf(b, " [%s]", dns_security_name(a->sec));
	/* RFC 7505 3: one MX, preference 0, the root as exchange. */
	if (a->type == DNS_MX && a->n == 1 && a->mx[0].pref == 0 && strcmp(a->mx[0].host, ".") == 0)
		buf_adds(b, _(": Null MX (RFC 7505), this domain accepts no mail"));
}

static const char *cmd_dns_security_words(enum dns_security s)
{
	return s == DNS_SECURE ? _("secure (DNSSEC-validated)")
	     : s == DNS_INSECURE ? _("insecure (not signed, or no chain of trust)")
				 : "bogus";
}

static void cmd_dns_show(struct cmd_dns *c, const struct dns_answer *a)
{
	const char *type = dns_type_name(a->type);
	struct session *s = c->session;
	struct buf b;

	if (a->sec == DNS_BOGUS) {
		session_text(s, SESSION_ERROR,
			     _("%s %s: bogus: %s: the answer failed DNSSEC validation, so the resolver "
			       "withholds it (a broken or forged zone)"), type, c->shown,
			     a->why_bogus ? a->why_bogus : _("no reason given"));
		return;
	}
	if (a->temporary) {
		session_text(s, SESSION_ERROR,
			     _("%s %s: temporary failure (%s): no answer for now, which says nothing about "
			       "whether the records exist; try again later"), type, c->shown,
			     a->error ? a->error : "SERVFAIL");
		return;
	}
	if (a->canonical)
		session_text(s, SESSION_NOTE, _("%s %s: an alias (CNAME) of %s, followed"), type,
			     c->shown, a->canonical);
	if (a->nxdomain) {
		session_text(s, SESSION_NOTE,
			     _("%s %s: NXDOMAIN [%s]: the name does not exist; a permanent answer"),
			     type, c->shown, dns_security_name(a->sec));
		return;
	}
	if (a->nodata || (a->n == 0 && a->malformed == 0 && a->rcode == 0)) {
		session_text(s, SESSION_NOTE,
			     _("%s %s: NODATA [%s]: the name exists but has no %s records"), type,
			     c->shown, dns_security_name(a->sec), type);
		return;
	}
	session_text(s, SESSION_NOTE, ngettext("%s %s: %s, %zu record, TTL %u",
						 "%s %s: %s, %zu records, TTL %u", a->n), type, c->shown,
		     cmd_dns_security_words(a->sec), a->n, a->ttl);
	buf_init(&b);
	for (size_t i = 0; i < a->n; i++) {
		buf_clear(&b);
		buf_adds(&b, "  ");
		cmd_dns_record(&b, a, i);
		session_text(s, SESSION_NOTE, "%s", b.data);
	}
	buf_free(&b);
	if (a->malformed)
		session_text(s, SESSION_WARN, ngettext("%s %s: %zu malformed record not shown (%s)",
						 "%s %s: %zu malformed records not shown (%s)", a->malformed),
			     type, c->shown, a->malformed, a->malformed_why);
	if (a->dropped)
		session_text(s, SESSION_WARN, _("%s %s: %zu more records not shown (over %d)"), type,
			     c->shown, a->dropped, DNS_MAX_RECORDS);
}

static void cmd_dns_done(void *ctx, struct dns_answer *a)
{
	struct cmd_dns *c = ctx;

	c->q = NULL;
	cmd_dns_show(c, a);
	dns_answer_free(a);
}

static int cmd_dns_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum dns_type type;
	char *err = NULL, *rev = NULL;
	const char *name = argv[2];
	struct cmd_dns *c;

	(void)argc;
	if (!dns_type_from_name(argv[1], &type))
		return cmd_fail(ctx, xasprintf(_("/dns: no type \"%s\": one of A, AAAA, CNAME, MX, NS, "
						 "PTR, TLSA, TXT"), argv[1]), NULL);
	if (cmd_dns_resolver(ctx, &err) == NULL)
		return cmd_fail(ctx, err, _("the resolver could not be set up"));
	c = ctx->dns;
	if (type == DNS_PTR && (rev = dns_reverse_name(name)) != NULL)
		name = rev; /* an address: its reverse name */
	c->q = dns_query(c->dns, name, type, cmd_dns_done, c, &err);
	if (c->q) {
		/* The name as typed, and what was asked when that differs:
		 * an address's reverse name, a Unicode name's A-labels. */
		char *ascii = dns_name_to_ascii(name, &err);

		free(c->shown);
		c->shown = ascii && strcmp(ascii, argv[2]) != 0
			? xasprintf("%s (%s)", argv[2], ascii) : xstrdup(argv[2]);
		free(ascii);
	}
	free(rev);
	if (c->q == NULL)
		return cmd_fail(ctx, err, _("the lookup could not be started"));
	return 0;
}

const struct cmd_entry cmd_dns_entry = {
	.name = "dns",
	.args = N_("TYPE NAME"),
	.summary = N_("look up DNS records, with their DNSSEC status"),
	.help = N_("Looks up NAME's records of TYPE (A, AAAA, CNAME, MX, NS, PTR, TLSA, TXT) on a "
		"validating resolver and prints each record with its DNSSEC status: secure "
		"(signed and proved), insecure (not signed) or bogus (validation failed, with the "
		"reason). NXDOMAIN means the name does not exist, NODATA that it exists without "
		"records of that type, and a temporary failure (SERVFAIL, timeout) says nothing "
		"either way. PTR takes an address as well as a name. Non-ASCII names are "
		"converted (IDNA2008). The resolver: --resolver, --recursive, --dns-config, "
		"--trust-anchor."),
	.complete = CMD_COMPLETE_WORDS,
	.words = dns_type_names,
	.min_args = 2,
	.max_args = 2,
	.run = cmd_dns_run,
};
