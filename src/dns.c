/* dns: the only libunbound user.  libunbound is a validating resolver
 * library: every result says whether DNSSEC proved it (secure), proved
 * nothing (insecure) or failed (bogus, with the reason), whatever the
 * upstream resolver does with the AD bit.  Its background worker is a
 * thread (ub_ctx_async), its results wait behind one descriptor that the
 * poll() loop watches; ub_process() runs the callbacks there, so no lookup
 * ever blocks the loop. */
#include "config.h"

#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unbound.h>
#include <unistd.h>

#include "smtpscope/dns.h"
#include "smtpscope/loop.h"
#include "smtpscope/util.h"
#include "smtpscope/i18n.h"

/* libunbound is opened (dlopen) when the first resolver is made rather
 * than linked: with the libraries it brings (libevent, nettle, hogweed,
 * GMP) it cost about a millisecond at every start, for the DNS that most
 * sessions never use (a typed server is connected through getaddrinfo).
 * The ub_* calls below go through dns_ub (the macros after it). */
#define DNS_UB_FUNCS(X) X(ub_ctx_create) X(ub_ctx_delete) X(ub_ctx_async) \
	X(ub_ctx_config) X(ub_ctx_set_fwd) X(ub_ctx_resolvconf) X(ub_ctx_add_ta_file) \
	X(ub_ctx_zone_remove) X(ub_strerror) X(ub_fd) X(ub_process) X(ub_resolve_async) \
	X(ub_resolve_free) X(ub_cancel)
#define DNS_UB_SLOT(f) __typeof__(f) *f;
#define DNS_UB_SYM(f) { #f, (void **)&dns_ub.f },

static struct { DNS_UB_FUNCS(DNS_UB_SLOT) } dns_ub;

/* libunbound opened and dns_ub filled, once per process. */
static bool dns_open_unbound(char **err)
{
	static const struct util_sym syms[] = { DNS_UB_FUNCS(DNS_UB_SYM) };
	static bool opened;

	return dns_open_lib(LIBUNBOUND_SONAME, _("DNS lookups"), "libunbound8", syms,
			    UTIL_ARRAY_LEN(syms), &opened, err);
}

#define ub_ctx_create (*dns_ub.ub_ctx_create)
#define ub_ctx_delete (*dns_ub.ub_ctx_delete)
#define ub_ctx_async (*dns_ub.ub_ctx_async)
#define ub_ctx_config (*dns_ub.ub_ctx_config)
#define ub_ctx_set_fwd (*dns_ub.ub_ctx_set_fwd)
#define ub_ctx_resolvconf (*dns_ub.ub_ctx_resolvconf)
#define ub_ctx_add_ta_file (*dns_ub.ub_ctx_add_ta_file)
#define ub_ctx_zone_remove (*dns_ub.ub_ctx_zone_remove)
#define ub_strerror (*dns_ub.ub_strerror)
#define ub_fd (*dns_ub.ub_fd)
#define ub_process (*dns_ub.ub_process)
#define ub_resolve_async (*dns_ub.ub_resolve_async)
#define ub_resolve_free (*dns_ub.ub_resolve_free)
#define ub_cancel (*dns_ub.ub_cancel)

#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3

/* RFC 1035 4.1.1, RFC 6895 2.3 */
static const char *dns_rcode_name(int rcode)
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
					     "NOTIMP", "REFUSED" };

	return rcode >= 0 && rcode < 6 ? names[rcode] : _("an unknown error code");
}

struct dns_query {
	struct dns *d;
	int id;              /* libunbound's async id */
	unsigned timer;
	enum dns_type type;
	char *qname;
	dns_cb cb;           /* NULL: the DNSSEC-stripping probe */
	void *ctx;
	struct dns_query *next;
};

struct dns {
	struct loop *loop;
	struct ub_ctx *ub;
	int fd;
	struct dns_query *queries;
	bool probe;          /* the probe is still to be sent */
	int timeout_ms;
	void (*note)(void *ctx, const char *text);
	void *note_ctx;
};

static void dns_unlink(struct dns *d, struct dns_query *q)
{
	for (struct dns_query **pp = &d->queries; *pp; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			return;
		}
}

static void dns_query_free(struct dns_query *q)
{
	if (q->timer)
		loop_cancel(q->d->loop, q->timer);
	free(q->qname);
	free(q);
}

static void dns_on_readable(void *ctx, int fd, short revents)
{
	struct dns *d = ctx;

	(void)fd;
	(void)revents;
	ub_process(d->ub);
}

/* ADDR[@PORT] with ADDR an IPv4 or IPv6 address: libunbound forwards
 * only to addresses, and a typo should be said now, not as a timeout. */
static bool dns_resolver_ok(const char *s, char **err)
{
	const char *at = strchr(s, '@');
	char *addr = xmemdup(s, at ? (size_t)(at - s) : strlen(s));
	unsigned char b[16];
	bool ok = inet_pton(AF_INET, addr, b) == 1 || inet_pton(AF_INET6, addr, b) == 1;

	free(addr);
	if (ok && at) {
		char *end;
		long port = strtol(at + 1, &end, 10);
		ok = at[1] && *end == '\0' && port > 0 && port < 65536;
	}
	if (!ok)
		*err = xasprintf(_("--resolver wants ADDR[@PORT], an IP address and an optional port "
				   "(got \"%s\")"), s);
	return ok;
}

static bool dns_setup(struct dns *d, const struct dns_options *o, char **err)
{
	const char *ta = o->trust_anchor ? o->trust_anchor : DNS_ROOT_KEY;
	int rc;

	if ((rc = ub_ctx_async(d->ub, 1)) != 0)
		goto fail;
	if (o->config) {
		/* The file is the whole set-up: no resolv.conf, no probe. */
		if (access(o->config, R_OK) != 0) {
			*err = xasprintf(_("--dns-config %s: cannot read the file"), o->config);
			return false;
		}
		if ((rc = ub_ctx_config(d->ub, o->config)) != 0) {
			*err = xasprintf("--dns-config %s: %s", o->config, ub_strerror(rc));
			return false;
		}
		return true;
	}
	if (o->resolver && o->recursive) {
		*err = xstrdup(_("--resolver and --recursive exclude each other: forward to a resolver, "
				 "or iterate from the root yourself"));
		return false;
	}
	if (o->resolver) {
		if (!dns_resolver_ok(o->resolver, err))
			return false;
		if ((rc = ub_ctx_set_fwd(d->ub, o->resolver)) != 0)
			goto fail;
	} else if (!o->recursive) {
		if ((rc = ub_ctx_resolvconf(d->ub, NULL)) != 0) {
			*err = xasprintf(_("cannot use the system's resolvers (/etc/resolv.conf: %s): "
					   "try --resolver ADDR or --recursive"), ub_strerror(rc));
			return false;
		}
	}
	if (access(ta, R_OK) != 0) {
		*err = o->trust_anchor
			? xasprintf(_("--trust-anchor %s: cannot read the file"), ta)
			: xasprintf(_("no DNSSEC trust anchor: %s is missing (install the Debian "
				      "package dns-root-data, or give --trust-anchor FILE)"), ta);
		return false;
	}
	if ((rc = ub_ctx_add_ta_file(d->ub, ta)) != 0) {
		*err = xasprintf(_("trust anchor %s: %s"), ta, ub_strerror(rc));
		return false;
	}
	/* A resolver named on purpose may serve a lab's .test zone (RFC 6761
	 * 6.2): ask it instead of answering NXDOMAIN here.  This finalizes
	 * the set-up, so it comes last. */
	if (o->resolver && (rc = ub_ctx_zone_remove(d->ub, "test.")) != 0)
		goto fail;
	d->probe = true;
	return true;
fail:
	*err = xasprintf(_("resolver set-up failed: %s"), ub_strerror(rc));
	return false;
}

struct dns *dns_new(struct loop *loop, const struct dns_options *o, char **err)
{
	struct dns *d;

	if (!dns_open_unbound(err))
		return NULL;
	d = xcalloc(1, sizeof *d);
	d->loop = loop;
	d->note = o->note;
	d->note_ctx = o->note_ctx;
	d->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : DNS_TIMEOUT_MS;
	d->fd = -1;
	d->ub = ub_ctx_create();
	if (d->ub == NULL) {
		*err = xstrdup(_("cannot create a resolver context (libunbound)"));
		free(d);
		return NULL;
	}
	if (!dns_setup(d, o, err)) {
		dns_free(d);
		return NULL;
	}
	d->fd = ub_fd(d->ub);
	if (d->fd < 0) {
		*err = xstrdup(_("cannot get the resolver's descriptor (libunbound)"));
		dns_free(d);
		return NULL;
	}
	loop_watch(loop, d->fd, POLLIN, dns_on_readable, d);
	return d;
}

void dns_free(struct dns *d)
{
	if (d == NULL)
		return;
	while (d->queries) {
		struct dns_query *q = d->queries;

		d->queries = q->next;
		ub_cancel(d->ub, q->id);
		dns_query_free(q);
	}
	if (d->fd >= 0)
		loop_unwatch(d->loop, d->fd);
	ub_ctx_delete(d->ub);
	free(d);
}

bool dns_busy(const struct dns *d)
{
	return d && d->queries != NULL;
}

void dns_answer_free(struct dns_answer *a)
{
	if (a == NULL)
		return;
	dns_records_free(a);
	free(a->qname);
	free(a->why_bogus);
	free(a->error);
	free(a->canonical);
	free(a->malformed_why);
	free(a);
}

/* "a.test" and "A.test." are the same name. */
static bool dns_same_name(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la && a[la - 1] == '.')
		la--;
	if (lb && b[lb - 1] == '.')
		lb--;
	return la == lb && util_strnieq(a, b, la);
}

/* By preference, then name: a stable order to show (RFC 5321 5.1's
 * shuffling of equal preferences is the mx module's). */
static int dns_mx_cmp(const void *x, const void *y)
{
	const struct dns_mx *a = x, *b = y;

	if (a->pref != b->pref)
		return a->pref < b->pref ? -1 : 1;
	return strcasecmp(a->host, b->host);
}

static void dns_fill(struct dns_answer *a, const struct ub_result *r)
{
	a->sec = r->secure ? DNS_SECURE : r->bogus ? DNS_BOGUS : DNS_INSECURE;
	if (r->bogus && r->why_bogus)
		a->why_bogus = xstrdup(r->why_bogus);
	a->rcode = r->rcode;
	a->nxdomain = r->nxdomain != 0;
	a->nodata = !r->havedata && !r->nxdomain && r->rcode == 0;
	/* Any error but NXDOMAIN leaves the question open: never "no
	 * records" (RFC 5321 5.1's temporary failure). */
	a->temporary = !r->bogus && r->rcode != 0 && r->rcode != DNS_RCODE_NXDOMAIN;
	if (a->temporary)
		a->error = xasprintf(_("the resolver answered %s"), dns_rcode_name(r->rcode));
	if (r->canonname && !dns_same_name(r->canonname, a->qname))
		a->canonical = xstrdup(r->canonname);
	a->ttl = r->ttl > 0 ? (unsigned)r->ttl : 0;
	for (int i = 0; r->havedata && r->data && r->data[i]; i++) {
		enum dns_parse_status s;

		if (a->n >= DNS_MAX_RECORDS) {
			a->dropped++;
			continue;
		}
		s = dns_parse_rdata(a, a->type, (const unsigned char *)r->data[i],
				    r->len[i] > 0 ? (size_t)r->len[i] : 0);
		if (s != DNS_PARSE_OK && a->malformed++ == 0)
			a->malformed_why = xasprintf(_("record %d refused: %s"), i + 1,
						     dns_parse_strerror(s));
	}
	if (a->mx)
		qsort(a->mx, a->n, sizeof *a->mx, dns_mx_cmp);
}

static struct dns_answer *dns_answer_new(const struct dns_query *q)
{
	struct dns_answer *a = xcalloc(1, sizeof *a);

	a->qname = xstrdup(q->qname);
	a->type = q->type;
	a->sec = DNS_INSECURE;
	return a;
}

static void dns_probe_done(struct dns *d, const struct dns_answer *a)
{
	/* The root's NS RRset is signed: a validating client that cannot
	 * prove it is talking through a resolver that drops the signatures
	 * (or a middlebox that does), and every answer would look bogus. */
	if (a->sec == DNS_BOGUS && d->note)
		d->note(d->note_ctx,
			_("the resolver in use seems to strip DNSSEC (the root's signed NS records came "
			  "back unprovable), so answers may show as bogus: --recursive iterates from "
			  "the root without it"));
}

/* The query is gone before the callback runs: cancelling its handle there
 * would be a double free, and a new lookup from the callback is safe. */
static void dns_deliver(struct dns_query *q, struct dns_answer *a)
{
	struct dns *d = q->d;
	dns_cb cb = q->cb;
	void *ctx = q->ctx;

	dns_unlink(d, q);
	dns_query_free(q);
	if (cb) {
		cb(ctx, a);
	} else {
		dns_probe_done(d, a);
		dns_answer_free(a);
	}
}

static void dns_on_result(void *ctx, int err, struct ub_result *r)
{
	struct dns_query *q = ctx;
	struct dns_answer *a = dns_answer_new(q);

	if (err != 0) {
		a->temporary = true;
		a->rcode = DNS_RCODE_SERVFAIL;
		a->error = xasprintf(_("resolver error: %s"), ub_strerror(err));
	} else {
		dns_fill(a, r);
	}
	if (r)
		ub_resolve_free(r);
	dns_deliver(q, a);
}

static void dns_on_timeout(void *ctx)
{
	struct dns_query *q = ctx;
	struct dns_answer *a = dns_answer_new(q);

	q->timer = 0;
	ub_cancel(q->d->ub, q->id);
	a->temporary = true;
	a->rcode = DNS_RCODE_SERVFAIL;
	if (q->d->timeout_ms % 1000)
		a->error = xasprintf(_("no answer within %d ms"), q->d->timeout_ms);
	else
		a->error = xasprintf(_("no answer within %d s"), q->d->timeout_ms / 1000);
	dns_deliver(q, a);
}

static struct dns_query *dns_start(struct dns *d, const char *qname, enum dns_type type,
				   dns_cb cb, void *ctx, char **err)
{
	struct dns_query *q = xcalloc(1, sizeof *q);
	int rc;

	q->d = d;
	q->type = type;
	q->qname = xstrdup(qname);
	q->cb = cb;
	q->ctx = ctx;
	rc = ub_resolve_async(d->ub, qname, (int)type, 1 /* IN */, q, dns_on_result, &q->id);
	if (rc != 0) {
		*err = xasprintf(_("cannot look up %s %s: %s"), dns_type_name(type), qname,
				 ub_strerror(rc));
		dns_query_free(q);
		return NULL;
	}
	q->timer = loop_timer(d->loop, d->timeout_ms, dns_on_timeout, q);
	q->next = d->queries;
	d->queries = q;
	return q;
}

struct dns_query *dns_query(struct dns *d, const char *name, enum dns_type type, dns_cb cb,
			    void *ctx, char **err)
{
	struct dns_query *q;
	char *ascii;

	if (dns_type_name(type) == NULL) {
		*err = xasprintf(_("DNS type %d is not one smtpscope looks up"), (int)type);
		return NULL;
	}
	if ((ascii = dns_name_to_ascii(name, err)) == NULL)
		return NULL;
	q = dns_start(d, ascii, type, cb, ctx, err);
	free(ascii);
	if (q && d->probe) {
		char *perr = NULL;

		d->probe = false;
		if (dns_start(d, ".", DNS_NS, NULL, NULL, &perr) == NULL)
			free(perr);
	}
	return q;
}

void dns_cancel(struct dns *d, struct dns_query *q)
{
	if (q == NULL)
		return;
	ub_cancel(d->ub, q->id);
	dns_unlink(d, q);
	dns_query_free(q);
}
