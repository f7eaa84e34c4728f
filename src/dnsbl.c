/* dnsbl: DNS blocklist lookups (RFC 5782) for `smtpscope probe
 * --blocklists`; see dnsbl.h. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "smtpscope/dns.h"
#include "smtpscope/dnsbl.h"
#include "smtpscope/i18n.h"
#include "smtpscope/util.h"

/* ---- the list (sans-I/O) ---- */

/* A zone name (its one trailing dot already cut): labels of 1 to 63
 * letters, digits, '-' or '_', not starting with '-', 253 bytes at most. */
static bool dnsbl_zone_ok(const char *z, size_t n)
{
	size_t label = 0;

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = z[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_') || (label == 0 && c == '-') || ++label > 63)
			return false;
	}
	return label > 0;
}

bool dnsbl_list_parse(struct dnsbl_list *l, const char *name, const char *text, char **err)
{
	int line = 0;

	memset(l, 0, sizeof *l);
	*err = NULL;
	for (const char *p = text; *p; ) {
		const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
		const char *z, *ze, *c;

		line++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p < end && *p != '#' && *p != '\r') {
			z = p;
			while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
				p++;
			ze = p;
			if (ze > z && ze[-1] == '.')
				ze--;
			if (!dnsbl_zone_ok(z, (size_t)(ze - z))) {
				char *shown = util_escape_dup(z, (size_t)(p - z));

				*err = xasprintf(_("%s:%d: not a DNS zone name: \"%s\""), name, line, shown);
				free(shown);
				dnsbl_list_free(l);
				return false;
			}
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			c = end;
			while (c > p && (c[-1] == '\r' || c[-1] == ' ' || c[-1] == '\t'))
				c--;
			l->z = xrealloc(l->z, (l->n + 1) * sizeof *l->z);
			l->z[l->n].zone = xmemdup(z, (size_t)(ze - z));
			l->z[l->n].comment = c > p ? xmemdup(p, (size_t)(c - p)) : NULL;
			l->n++;
		}
		p = nl ? nl + 1 : end;
	}
	return true;
}

bool dnsbl_list_load(struct dnsbl_list *l, const char *path, char **err)
{
	FILE *f = fopen(path, "r");
	struct buf b;
	char chunk[4096];
	size_t got;
	bool ok;

	memset(l, 0, sizeof *l);
	if (f == NULL) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return false;
	}
	buf_init(&b);
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, got);
	fclose(f);
	if (memchr(b.data ? b.data : "", '\0', b.len)) {
		*err = xasprintf(_("%s: a NUL byte"), path);
		buf_free(&b);
		return false;
	}
	ok = dnsbl_list_parse(l, path, b.data ? b.data : "", err);
	buf_free(&b);
	return ok;
}

void dnsbl_list_free(struct dnsbl_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->z[i].zone);
		free(l->z[i].comment);
	}
	free(l->z);
	memset(l, 0, sizeof *l);
}

/* ---- names and answers (sans-I/O) ---- */

char *dnsbl_query_name(const char *addr, const char *zone)
{
	char *rev = dns_reverse_name(addr), *out;
	size_t n;

	if (rev == NULL)
		return NULL;
	n = strlen(rev);
	/* the reverse name without its in-addr.arpa / ip6.arpa suffix */
	if (n > 13 && strcmp(rev + n - 13, ".in-addr.arpa") == 0)
		n -= 13;
	else if (n > 9 && strcmp(rev + n - 9, ".ip6.arpa") == 0)
		n -= 9;
	else if (n > 14 && strcmp(rev + n - 14, ".in-addr.arpa.") == 0)
		n -= 14;
	else if (n > 10 && strcmp(rev + n - 10, ".ip6.arpa.") == 0)
		n -= 10;
	else {
		free(rev);
		return NULL;
	}
	out = xasprintf("%.*s.%s", (int)n, rev, zone);
	free(rev);
	return out;
}

const char *dnsbl_status_name(enum dnsbl_status s)
{
	switch (s) {
	case DNSBL_LISTED: return "listed";
	case DNSBL_NOT_LISTED: return "not-listed";
	case DNSBL_REFUSED: return "refused";
	case DNSBL_ERROR: return "error";
	default: return "pending";
	}
}

enum dnsbl_status dnsbl_classify(const char *const *addrs, size_t n)
{
	bool listed = false;

	if (n == 0)
		return DNSBL_NOT_LISTED;
	for (size_t i = 0; i < n; i++) {
		unsigned char b[4];

		if (addrs[i] == NULL || inet_pton(AF_INET, addrs[i], b) != 1 || b[0] != 127)
			continue;
		if (b[1] == 255 && b[2] == 255)
			return DNSBL_REFUSED;
		listed = true;
	}
	return listed ? DNSBL_LISTED : DNSBL_ERROR;
}

/* ---- the lookups ---- */

struct dnsbl_q {
	struct dnsbl_run *r;
	size_t i;
	bool txt;
	struct dns_query *q;
};

struct dnsbl_run {
	struct dns *dns;
	struct dnsbl_check *c;
	struct dnsbl_q *q;        /* two per check: A, TXT */
	size_t n, pending;
	void (*done)(void *ctx);
	void *ctx;
};

static void dnsbl_on_answer(void *ctx, struct dns_answer *a)
{
	struct dnsbl_q *q = ctx;
	struct dnsbl_run *r = q->r;
	struct dnsbl_check *c = &r->c[q->i];

	q->q = NULL;
	if (q->txt) {
		c->txt_done = true;
		if (!a->temporary && a->n > 0 && a->txt[0].text)
			c->reason = xmemdup(a->txt[0].text, a->txt[0].len);
	} else {
		struct buf codes;

		c->a_done = true;
		if (a->temporary) {
			c->status = DNSBL_ERROR;
			c->error = xstrdup(a->error ? a->error : _("the lookup failed temporarily"));
		} else if (a->nxdomain || a->nodata || a->n == 0) {
			c->status = DNSBL_NOT_LISTED;
		} else {
			c->status = dnsbl_classify((const char *const *)a->addr, a->n);
			buf_init(&codes);
			for (size_t i = 0; i < a->n; i++)
				buf_printf(&codes, "%s%s", i ? ", " : "", a->addr[i]);
			c->codes = xstrdup(codes.data ? codes.data : "");
			buf_free(&codes);
			if (c->status == DNSBL_ERROR)
				c->error = xstrdup(_("the answer is not in 127.0.0.0/8: not an RFC 5782 list "
						   "answer (a resolver rewriting NXDOMAIN?)"));
		}
	}
	dns_answer_free(a);
	if (--r->pending == 0 && r->done)
		r->done(r->ctx);
}

void dnsbl_start(struct dns *d, const struct dnsbl_list *l, const char *const *addrs,
		 size_t n, void (*done)(void *ctx), void *ctx, struct dnsbl_run **out)
{
	struct dnsbl_run *r = xcalloc(1, sizeof *r);
	size_t k = 0;

	*out = r;
	r->dns = d;
	r->done = done;
	r->ctx = ctx;
	r->n = n * l->n;
	r->c = xcalloc(r->n ? r->n : 1, sizeof *r->c);
	r->q = xcalloc(r->n ? 2 * r->n : 1, sizeof *r->q);
	for (size_t i = 0; i < n; i++)
		for (size_t z = 0; z < l->n; z++, k++) {
			r->c[k].address = xstrdup(addrs[i]);
			r->c[k].zone = &l->z[z];
			r->c[k].qname = dnsbl_query_name(addrs[i], l->z[z].zone);
		}
	r->pending = 1; /* held while the lookups start */
	for (k = 0; k < r->n; k++) {
		struct dnsbl_check *c = &r->c[k];

		if (c->qname == NULL) {
			c->status = DNSBL_ERROR;
			c->error = xstrdup(_("not an IP address"));
			continue;
		}
		for (int t = 0; t < 2; t++) {
			struct dnsbl_q *q = &r->q[2 * k + (size_t)t];
			char *err = NULL;

			q->r = r, q->i = k, q->txt = t == 1;
			r->pending++;
			q->q = dns_query(d, c->qname, t ? DNS_TXT : DNS_A, dnsbl_on_answer, q, &err);
			if (q->q == NULL) {
				r->pending--;
				if (!t) {
					c->status = DNSBL_ERROR;
					c->error = err ? err : xstrdup(_("the name cannot be asked"));
					err = NULL;
				}
				free(err);
			}
		}
	}
	if (--r->pending == 0 && done)
		done(ctx);
}

const struct dnsbl_check *dnsbl_checks(const struct dnsbl_run *r, size_t *n)
{
	*n = r ? r->n : 0;
	return r ? r->c : NULL;
}

void dnsbl_free(struct dnsbl_run *r)
{
	if (r == NULL)
		return;
	for (size_t k = 0; r->q && k < 2 * r->n; k++)
		if (r->q[k].q)
			dns_cancel(r->dns, r->q[k].q);
	for (size_t k = 0; k < r->n; k++) {
		free(r->c[k].address);
		free(r->c[k].qname);
		free(r->c[k].codes);
		free(r->c[k].reason);
		free(r->c[k].error);
	}
	free(r->c);
	free(r->q);
	free(r);
}
