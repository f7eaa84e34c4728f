/* https: one HTTPS GET on the poll() loop through libcurl's multi-socket
 * API (see https.h).  The only libcurl user.
 *
 * Each fetch has a multi handle of its own with one easy handle: curl
 * tells us which sockets to watch (https_socket_cb -> loop_watch) and
 * when to call it back (https_timer_cb -> a loop timer); the loop's
 * events go back to curl_multi_socket_action().  Nothing is freed from
 * inside a curl callback: the end of the transfer is found with
 * curl_multi_info_read() after curl_multi_socket_action() returns, and
 * only then is the fetch torn down and the caller's callback run.
 *
 * RFC 8461 3.3: https only, the certificate checked under the Web PKI for
 * the URL's host, no redirect followed, the body capped.
 *
 * libcurl is opened (dlopen) at the first fetch rather than linked: it
 * brings some 25 libraries (LDAP, Kerberos, SSH, RTMP, GnuTLS ...) whose
 * loading cost about 5 ms at every start of every smtpscope command, for
 * the MTA-STS fetch that few of them make.  Its functions are called
 * through the table hc. */
#include "config.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/https.h"
#include "smtpscope/loop.h"
#include "smtpscope/util.h"
#include "smtpscope/i18n.h"

#define HTTPS_DEFAULT_MAX_BODY 65536

struct https_fetch {
	struct loop *loop;
	CURLM *multi;
	CURL *easy;
	struct curl_slist *connect_to;
	char errbuf[CURL_ERROR_SIZE];
	struct buf body;
	size_t max_body;
	bool too_big;
	unsigned timer;   /* curl's timer on the loop, 0 when none */
	int64_t start_ms;
	https_cb cb;
	void *ctx;
};

static const char *const https_outcome_names[] = {
	[HTTPS_OK] = "ok", [HTTPS_STATUS] = "status", [HTTPS_TOO_BIG] = "too-big",
	[HTTPS_CONNECT] = "connect", [HTTPS_TLS] = "tls", [HTTPS_TIMEOUT] = "timeout",
	[HTTPS_PROTOCOL] = "protocol",
};

const char *https_outcome_name(enum https_outcome o)
{
	return (size_t)o < UTIL_ARRAY_LEN(https_outcome_names) ? https_outcome_names[o] : "?";
}

void https_result_free(struct https_result *r)
{
	if (r == NULL)
		return;
	free(r->content_type);
	free(r->location);
	free(r->body);
	free(r->error);
	free(r->peer);
	free(r);
}

#define HTTPS_LIBCURL LIBCURL_SONAME /* configure: "libcurl.so.4" */

/* The libcurl functions used, found in the library once opened. */
static struct {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *e, CURLoption opt, ...);
	CURLcode (*easy_getinfo)(CURL *e, CURLINFO info, ...);
	CURLHcode (*easy_header)(CURL *e, const char *name, size_t index, unsigned int origin,
				 int request, struct curl_header **hout);
	const char *(*easy_strerror)(CURLcode rc);
	void (*easy_cleanup)(CURL *e);
	void (*free)(void *p);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_setopt)(CURLM *m, CURLMoption opt, ...);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *e);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *e);
	CURLMcode (*multi_assign)(CURLM *m, curl_socket_t s, void *p);
	CURLMcode (*multi_socket_action)(CURLM *m, curl_socket_t s, int mask, int *running);
	CURLMsg *(*multi_info_read)(CURLM *m, int *left);
	CURLMcode (*multi_cleanup)(CURLM *m);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
	CURLU *(*url)(void);
	CURLUcode (*url_set)(CURLU *u, CURLUPart what, const char *part, unsigned int flags);
	CURLUcode (*url_get)(const CURLU *u, CURLUPart what, char **part, unsigned int flags);
	void (*url_cleanup)(CURLU *u);
} hc;

#define HTTPS_SYM(name) { "curl_" #name, (void **)&hc.name }

/* Opens libcurl and fills hc; false with *err if it cannot. */
static bool https_open_libcurl(char **err)
{
	static const struct util_sym syms[] = {
		HTTPS_SYM(global_init), HTTPS_SYM(easy_init), HTTPS_SYM(easy_setopt),
		HTTPS_SYM(easy_getinfo), HTTPS_SYM(easy_header), HTTPS_SYM(easy_strerror),
		HTTPS_SYM(easy_cleanup), HTTPS_SYM(free), HTTPS_SYM(multi_init),
		HTTPS_SYM(multi_setopt), HTTPS_SYM(multi_add_handle),
		HTTPS_SYM(multi_remove_handle), HTTPS_SYM(multi_assign),
		HTTPS_SYM(multi_socket_action), HTTPS_SYM(multi_info_read),
		HTTPS_SYM(multi_cleanup), HTTPS_SYM(slist_append), HTTPS_SYM(slist_free_all),
		HTTPS_SYM(url), HTTPS_SYM(url_set), HTTPS_SYM(url_get), HTTPS_SYM(url_cleanup),
	};
	char *why = util_dlsyms(HTTPS_LIBCURL, syms, UTIL_ARRAY_LEN(syms));

	if (why == NULL)
		return true;
	*err = xasprintf(_("cannot load %s (%s): %s; install the Debian package %s"),
			 HTTPS_LIBCURL, _("HTTPS fetches"), why, "libcurl4");
	free(why);
	return false;
}

/* libcurl opened and its global state set up, once per process. */
static bool https_global(char **err)
{
	static bool done;

	if (done)
		return true;
	if (!https_open_libcurl(err))
		return false;
	if (hc.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		*err = xstrdup(_("libcurl could not be initialised"));
		return false;
	}
	done = true;
	return true;
}

/* ---- the loop's side of curl's multi-socket API ---- */

static void https_check_done(struct https_fetch *f);

static void https_on_fd(void *ctx, int fd, short revents)
{
	struct https_fetch *f = ctx;
	int mask = 0, running;

	if (revents & POLLIN)
		mask |= CURL_CSELECT_IN;
	if (revents & POLLOUT)
		mask |= CURL_CSELECT_OUT;
	if (revents & (POLLERR | POLLHUP | POLLNVAL))
		mask |= CURL_CSELECT_ERR;
	hc.multi_socket_action(f->multi, fd, mask, &running);
	https_check_done(f);
}

static void https_on_timer(void *ctx)
{
	struct https_fetch *f = ctx;
	int running;

	f->timer = 0;
	hc.multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	https_check_done(f);
}

/* CURLMOPT_SOCKETFUNCTION: which events curl wants on socket s.  socketp
 * is non-NULL once the socket is watched (curl_multi_assign). */
static int https_socket_cb(CURL *easy, curl_socket_t s, int what, void *clientp, void *socketp)
{
	struct https_fetch *f = clientp;
	short events = 0;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (socketp) {
			loop_unwatch(f->loop, s);
			hc.multi_assign(f->multi, s, NULL);
		}
		return 0;
	}
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		events |= POLLIN;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		events |= POLLOUT;
	if (socketp) {
		loop_set_events(f->loop, s, events);
	} else {
		loop_watch(f->loop, s, events, https_on_fd, f);
		hc.multi_assign(f->multi, s, f);
	}
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: call curl back in timeout_ms (-1: never).
 * Never from here: a timer of 0 ms runs in the loop's next round. */
static int https_timer_cb(CURLM *multi, long timeout_ms, void *clientp)
{
	struct https_fetch *f = clientp;

	(void)multi;
	if (f->timer) {
		loop_cancel(f->loop, f->timer);
		f->timer = 0;
	}
	if (timeout_ms >= 0)
		f->timer = loop_timer(f->loop, timeout_ms, https_on_timer, f);
	return 0;
}

/* CURLOPT_WRITEFUNCTION: the body, kept up to max_body bytes; one more
 * stops the transfer (curl then ends it with CURLE_WRITE_ERROR). */
static size_t https_write_cb(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct https_fetch *f = userdata;
	size_t n = size * nmemb;

	if (n > f->max_body - f->body.len) {
		f->too_big = true;
		return 0;
	}
	buf_add(&f->body, data, n);
	return n;
}

/* ---- the result ---- */

/* The media type is text/plain, with or without parameters (RFC 9110
 * 8.3.1: case-insensitive, optional whitespace before ';'). */
static bool https_is_text_plain(const char *ct)
{
	size_t n;

	if (ct == NULL)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	n = strcspn(ct, ";");
	while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	return n == 10 && util_strnieq(ct, "text/plain", 10);
}

static char *https_escape(const char *s)
{
	return s && *s ? util_escape_dup(s, strlen(s)) : NULL;
}

static enum https_outcome https_outcome_of(const struct https_fetch *f, CURLcode rc, long status)
{
	switch (rc) {
	case CURLE_OK:
		return status == 200 ? HTTPS_OK : HTTPS_STATUS;
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		return f->too_big || rc == CURLE_FILESIZE_EXCEEDED ? HTTPS_TOO_BIG : HTTPS_PROTOCOL;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
		return HTTPS_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return HTTPS_TIMEOUT;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return HTTPS_TLS;
	default:
		return HTTPS_PROTOCOL;
	}
}

/* The Location header of the last response, as sent. */
static const char *https_location(CURL *easy)
{
	struct curl_header *h;

	if (hc.easy_header(easy, "Location", 0, CURLH_HEADER, -1, &h) == CURLHE_OK)
		return h->value;
	return NULL;
}

static struct https_result *https_result_of(struct https_fetch *f, CURLcode rc)
{
	struct https_result *r = xcalloc(1, sizeof *r);
	char *ct = NULL, *ip = NULL;
	long port = 0;

	hc.easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &r->status);
	hc.easy_getinfo(f->easy, CURLINFO_CONTENT_TYPE, &ct);
	hc.easy_getinfo(f->easy, CURLINFO_PRIMARY_IP, &ip);
	hc.easy_getinfo(f->easy, CURLINFO_PRIMARY_PORT, &port);
	r->outcome = https_outcome_of(f, rc, r->status);
	r->cert_unverified = rc == CURLE_PEER_FAILED_VERIFICATION;
	r->content_type = https_escape(ct);
	r->text_plain = https_is_text_plain(ct);
	if (r->status >= 300 && r->status < 400)
		r->location = https_escape(https_location(f->easy));
	if (ip && *ip)
		r->peer = xasprintf("%s port %ld", ip, port);
	if (rc != CURLE_OK) {
		const char *why = f->errbuf[0] ? f->errbuf : hc.easy_strerror(rc);

		r->error = r->outcome == HTTPS_TOO_BIG
			? xasprintf(_("the body is over %zu bytes: the transfer was stopped"), f->max_body)
			: https_escape(why);
	}
	r->len = f->body.len;
	r->body = xmemdup(f->body.data ? f->body.data : "", f->body.len);
	r->elapsed_ms = (long)(loop_now_ms() - f->start_ms);
	return r;
}

/* Frees the fetch: curl's handles first (which may still call the socket
 * and timer callbacks, so f stays valid until they are gone). */
static void https_free(struct https_fetch *f)
{
	if (f->multi && f->easy)
		hc.multi_remove_handle(f->multi, f->easy);
	if (f->easy)
		hc.easy_cleanup(f->easy);
	if (f->multi)
		hc.multi_cleanup(f->multi);
	if (f->timer)
		loop_cancel(f->loop, f->timer);
	hc.slist_free_all(f->connect_to);
	buf_free(&f->body);
	free(f);
}

static void https_check_done(struct https_fetch *f)
{
	CURLMsg *m;
	int left;

	while ((m = hc.multi_info_read(f->multi, &left)) != NULL) {
		if (m->msg == CURLMSG_DONE && m->easy_handle == f->easy) {
			struct https_result *r = https_result_of(f, m->data.result);
			https_cb cb = f->cb;
			void *ctx = f->ctx;

			https_free(f);
			cb(ctx, r);
			return;
		}
	}
}

void https_cancel(struct https_fetch *f)
{
	if (f)
		https_free(f);
}

/* ---- starting ---- */

/* "HOST:PORT:ADDR:CPORT" for CURLOPT_CONNECT_TO, the URL's host and port
 * read by curl's own URL parser; NULL and *err for a URL that is not
 * https:// with a host. */
static char *https_connect_to(const char *url, const char *addr, const char *cport, char **err)
{
	CURLU *u = hc.url();
	char *scheme = NULL, *host = NULL, *port = NULL, *out = NULL;
	unsigned char b[16];
	bool v6 = inet_pton(AF_INET6, addr, b) == 1;

	if (!v6 && inet_pton(AF_INET, addr, b) != 1) {
		*err = xasprintf(_("the address to connect to is no IPv4 or IPv6 address (got \"%s\")"), addr);
	} else if (u == NULL || hc.url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
		   hc.url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
		   hc.url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
		   hc.url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
		*err = xstrdup(_("the URL cannot be read"));
	} else if (!util_strieq(scheme, "https")) {
		*err = xstrdup(_("only https:// URLs are fetched"));
	} else {
		out = xasprintf("%s:%s:%s%s%s:%s", host, port, v6 ? "[" : "", addr, v6 ? "]" : "",
				cport && *cport ? cport : port);
	}
	hc.free(scheme);
	hc.free(host);
	hc.free(port);
	hc.url_cleanup(u);
	return out;
}

static bool https_setup(struct https_fetch *f, const char *url, const struct https_options *o,
			const char *rule, char **err)
{
	CURL *e = f->easy;
	int timeout = o->timeout_ms > 0 ? o->timeout_ms : HTTPS_TIMEOUT_MS;
	CURLcode rc = CURLE_OK;

	f->connect_to = hc.slist_append(NULL, rule);
#define HTTPS_SET(opt, val) \
	do { if (rc == CURLE_OK) rc = hc.easy_setopt(e, opt, val); } while (0)
	HTTPS_SET(CURLOPT_URL, url);
	HTTPS_SET(CURLOPT_PROTOCOLS_STR, "https");
	/* no redirect is followed (RFC 8461 3.3): none allowed, and should
	 * one ever be, https only (curl refuses an empty protocol list) */
	HTTPS_SET(CURLOPT_FOLLOWLOCATION, 0L);
	HTTPS_SET(CURLOPT_MAXREDIRS, 0L);
	HTTPS_SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	HTTPS_SET(CURLOPT_SSL_VERIFYPEER, 1L);
	HTTPS_SET(CURLOPT_SSL_VERIFYHOST, 2L);
	/* never a proxy from the environment: the connection goes where the
	 * caller says, and nowhere else */
	HTTPS_SET(CURLOPT_PROXY, "");
	HTTPS_SET(CURLOPT_CONNECT_TO, f->connect_to);
	HTTPS_SET(CURLOPT_NOSIGNAL, 1L);
	HTTPS_SET(CURLOPT_TIMEOUT_MS, (long)timeout);
	HTTPS_SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->max_body);
	HTTPS_SET(CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	HTTPS_SET(CURLOPT_ERRORBUFFER, f->errbuf);
	HTTPS_SET(CURLOPT_WRITEFUNCTION, https_write_cb);
	HTTPS_SET(CURLOPT_WRITEDATA, f);
	if (o->cafile)
		HTTPS_SET(CURLOPT_CAINFO, o->cafile);
	if (o->capath)
		HTTPS_SET(CURLOPT_CAPATH, o->capath);
#undef HTTPS_SET
	if (rc != CURLE_OK) {
		*err = xasprintf(_("libcurl refused an option: %s"), hc.easy_strerror(rc));
		return false;
	}
	hc.multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, https_socket_cb);
	hc.multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
	hc.multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, https_timer_cb);
	hc.multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
	/* the first timer callback (0 ms) starts the transfer from the loop */
	if (hc.multi_add_handle(f->multi, e) != CURLM_OK) {
		*err = xstrdup(_("libcurl could not start the transfer"));
		return false;
	}
	return true;
}

struct https_fetch *https_get(struct loop *loop, const char *url, const struct https_options *o,
			      https_cb cb, void *ctx, char **err)
{
	struct https_fetch *f;
	char *rule;

	*err = NULL;
	if (o->connect_addr == NULL) {
		*err = xstrdup(_("no address to connect to"));
		return NULL;
	}
	if (!https_global(err) || (rule = https_connect_to(url, o->connect_addr, o->connect_port, err)) == NULL)
		return NULL;
	f = xcalloc(1, sizeof *f);
	f->loop = loop;
	f->cb = cb;
	f->ctx = ctx;
	f->max_body = o->max_body ? o->max_body : HTTPS_DEFAULT_MAX_BODY;
	f->start_ms = loop_now_ms();
	buf_init(&f->body);
	f->multi = hc.multi_init();
	f->easy = hc.easy_init();
	if (f->multi == NULL || f->easy == NULL) {
		*err = xstrdup(_("libcurl could not make a transfer"));
	} else if (https_setup(f, url, o, rule, err)) {
		free(rule);
		return f;
	}
	free(rule);
	https_free(f);
	return NULL;
}
