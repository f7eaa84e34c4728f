/* demo-smtp: the demo server's side of SMTP on one connection.  Input is
 * fed line by line, so pipelined commands are answered in order (RFC
 * 2920); each command is checked for sequence and syntax first (the
 * built-in 5xx), then the scenario's rules may answer it, then the
 * built-in answer does.  The state follows the code sent, whoever chose
 * it.  AUTH PLAIN and LOGIN (RFC 4954, 4616) check the scenario's users. */
#include "config.h"

#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define SMTPSCOPE_DEMO_INTERNAL
#include "smtpscope/auth.h"
#include "smtpscope/demo.h"
#include "smtpscope/i18n.h"
#include "smtpscope/util.h"
#include "smtpscope/verb.h"

/* Sends a reply, with the delay and disconnect a matching rule set. */
static void demo_send_buf(struct demo_conn *c, struct buf *b)
{
	unsigned delay = c->rule_set && c->rule_delay_ms ? c->rule_delay_ms
							 : c->srv->sc->reply_delay_ms;
	bool close = c->rule_set && c->rule_disconnect;

	/* 221 and 421 (RFC 5321 4.2.2, 3.8) say the server closes. */
	if (b->len >= 3 && (memcmp(b->data, "421", 3) == 0 || memcmp(b->data, "221", 3) == 0))
		close = true;
	if (c->srv->log)
		demo_log(c->srv, c, "-> %.3s%s%s", b->data, delay ? _(" (delayed)") : "",
			 close ? _(" (closing)") : "");
	c->rule_set = false;
	demo_send(c, b->data, b->len, delay, close);
}

void demo_reply(struct demo_conn *c, enum demo_reply which, const char *arg)
{
	struct buf b;

	buf_init(&b);
	demo_expand(c->srv->sc, which, arg, &b);
	demo_send_buf(c, &b);
	buf_free(&b);
}

void demo_greet(struct demo_conn *c)
{
	const struct demo_scenario *sc = c->srv->sc;
	const char *g = sc->replies[DEMO_R_GREETING];
	struct buf b;

	buf_init(&b);
	demo_expand(sc, DEMO_R_GREETING, NULL, &b);
	/* RFC 5321 3.1: after a 554 greeting only QUIT is answered. */
	c->refused = g && g[0] != '2';
	c->rule_set = true;
	c->rule_delay_ms = sc->greeting_delay_ms;
	c->rule_disconnect = sc->greeting_disconnect;
	demo_send_buf(c, &b);
	buf_free(&b);
}

/* The keywords advertised now: the list for inside TLS once in it. */
static const char *const *demo_keywords(const struct demo_conn *c)
{
	const struct demo_scenario *sc = c->srv->sc;

	return c->tls && sc->ehlo_tls_keywords[0] ? sc->ehlo_tls_keywords : sc->ehlo_keywords;
}

static void demo_ehlo(struct demo_conn *c, const char *arg)
{
	const struct demo_scenario *sc = c->srv->sc;
	const char *const *kw = demo_keywords(c);
	struct buf b, lines;
	size_t i, n = 0;

	buf_init(&b);
	buf_init(&lines);
	for (i = 0; i < DEMO_MAX_KEYWORDS && kw[i]; i++) {
		if (strcmp(kw[i], "SIZE") == 0)
			buf_printf(&lines, "SIZE %llu\n", sc->size_max);
		else
			buf_printf(&lines, "%s\n", kw[i]);
		n++;
	}
	/* RFC 4954: AUTH; with TLS required, only inside TLS. */
	if (sc->auth_mechs && (sc->tls != DEMO_TLS_REQUIRED || c->tls)) {
		buf_printf(&lines, "AUTH %s\n", sc->auth_mechs);
		n++;
	}
	if (c->srv->tls && c->tls == NULL && sc->tls != DEMO_TLS_NONE) {
		buf_adds(&lines, "STARTTLS\n"); /* RFC 3207 4.2: not inside TLS */
		n++;
	}
	if (n == 0)
		buf_adds(&lines, "OK\n"); /* the template's '-' needs a last line */
	demo_expand(sc, DEMO_R_EHLO, arg, &b);
	for (const char *p = lines.data; p && *p; ) {
		const char *nl = strchr(p, '\n');

		buf_printf(&b, "250%c%.*s\r\n", nl[1] ? '-' : ' ', (int)(nl - p), p);
		p = nl + 1;
	}
	demo_send_buf(c, &b);
	buf_free(&b);
	buf_free(&lines);
}

/* The address in "FROM:<addr> params" / "TO:<addr>", or NULL. */
static char *demo_path(const char *rest, const char *keyword, const char **params)
{
	size_t k = strlen(keyword);
	const char *lt, *gt;

	if (!util_strnieq(rest, keyword, k))
		return NULL;
	rest += k;
	while (*rest == ' ')
		rest++;
	if (*rest != '<' || (gt = strchr(rest, '>')) == NULL)
		return NULL;
	lt = rest;
	*params = gt + 1;
	return xmemdup(lt + 1, (size_t)(gt - lt - 1));
}

static unsigned long long demo_size_param(const char *params)
{
	const char *p = params;

	while ((p = strchr(p, ' ')) != NULL) {
		p++;
		if (util_strnieq(p, "SIZE=", 5))
			return strtoull(p + 5, NULL, 10);
	}
	return 0;
}

/* ---- rules ------------------------------------------------------------ */

static bool demo_glob(const char *pattern, const char *s)
{
	bool neg = pattern[0] == '!';

	if (s == NULL)
		return false;
	return (fnmatch(neg ? pattern + 1 : pattern, s, FNM_CASEFOLD) == 0) != neg;
}

static bool demo_in(const struct demo_range *r, unsigned long long v)
{
	return !r->set || (v >= r->lo && v <= r->hi);
}

/* How often the server has seen this command with this argument (and,
 * for RCPT, this sender), counting this time: greylisting's memory. */
static unsigned long long demo_attempt(struct demo_conn *c, enum smtp_verb v,
				       const char *arg)
{
	struct demo_server *d = c->srv;
	char *key = xasprintf("%s %s %s", demo_rule_key(v),
			      v == SMTP_V_RCPT && c->mail_from ? c->mail_from : "", arg ? arg : "");
	size_t i;

	for (char *p = key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	for (i = 0; i < d->nattempts; i++)
		if (strcmp(d->attempts[i].key, key) == 0) {
			free(key);
			return ++d->attempts[i].n;
		}
	if (d->nattempts == DEMO_MAX_ATTEMPTS) {
		for (i = 0; i < d->nattempts; i++)
			free(d->attempts[i].key);
		d->nattempts = 0;
	}
	if (d->attempts == NULL)
		d->attempts = xcalloc(DEMO_MAX_ATTEMPTS, sizeof *d->attempts);
	d->attempts[d->nattempts].key = key;
	d->attempts[d->nattempts].n = 1;
	d->nattempts++;
	return 1;
}

/* The first rule for this command whose conditions hold, or NULL. */
static const struct demo_rule *demo_rule_find(struct demo_conn *c, enum smtp_verb v,
					      const char *arg, unsigned long long size)
{
	const struct demo_scenario *sc = c->srv->sc;
	unsigned long long attempt = 0;

	for (size_t i = 0; i < sc->nrules; i++) {
		const struct demo_rule *r = &sc->rules[i];

		if (r->verb != v)
			continue;
		if (r->attempt.set && attempt == 0)
			attempt = demo_attempt(c, v, arg);
		if ((r->to && !demo_glob(r->to, arg)) || (r->from && !demo_glob(r->from, arg)) ||
		    (r->arg && !demo_glob(r->arg, arg)) || !demo_in(&r->attempt, attempt) ||
		    !demo_in(&r->count, c->counts[v]) || !demo_in(&r->size, size) ||
		    (r->tls >= 0 && r->tls != (c->tls != NULL)) ||
		    (r->authenticated >= 0 && r->authenticated != c->authed))
			continue;
		return r;
	}
	return NULL;
}

/* Lets the scenario answer.  Returns the code sent (its first digit is
 * what the caller needs), or 0 when the built-in answer is to be sent
 * (possibly delayed or followed by a close, as the rule said). */
static int demo_rules(struct demo_conn *c, enum smtp_verb v, const char *arg,
		      unsigned long long size)
{
	const struct demo_rule *r = demo_rule_find(c, v, arg, size);
	struct buf b;
	int code;

	if (r == NULL)
		return 0;
	c->rule_set = true;
	c->rule_delay_ms = r->delay_ms;
	c->rule_disconnect = r->disconnect;
	if (r->reply == NULL)
		return 0;
	buf_init(&b);
	demo_expand_text(c->srv->sc, r->reply, arg, &b);
	code = atoi(r->reply);
	demo_send_buf(c, &b);
	buf_free(&b);
	return code;
}

/* ---- commands --------------------------------------------------------- */

static void demo_tx_reset(struct demo_conn *c)
{
	c->mail = false;
	c->rcpts = 0;
	free(c->mail_from);
	c->mail_from = NULL;
}

static void demo_cmd_helo(struct demo_conn *c, enum smtp_verb v, const char *rest)
{
	int code;

	if (*rest == '\0') {
		demo_reply(c, DEMO_R_HELO_SYNTAX, NULL);
		return;
	}
	code = demo_rules(c, v, rest, 0);
	if (code == 0 || code / 100 == 2) {
		c->helo = true;
		demo_tx_reset(c);
	}
	if (code != 0)
		return;
	if (v == SMTP_V_EHLO)
		demo_ehlo(c, rest);
	else
		demo_reply(c, DEMO_R_HELO, rest);
}

/* What must come before a transaction: TLS, then AUTH, as configured. */
static bool demo_gate(struct demo_conn *c)
{
	const struct demo_scenario *sc = c->srv->sc;

	if (sc->tls == DEMO_TLS_REQUIRED && c->tls == NULL) {
		demo_reply(c, DEMO_R_TLS_REQUIRED, NULL);
		return false;
	}
	if (sc->auth_required && !c->authed) {
		demo_reply(c, DEMO_R_AUTH_REQUIRED, NULL);
		return false;
	}
	return true;
}

static void demo_cmd_mail(struct demo_conn *c, const char *rest)
{
	const char *params = "";
	char *addr;
	unsigned long long size;
	int code;

	if (!c->helo) {
		demo_reply(c, DEMO_R_MAIL_NO_HELO, NULL);
		return;
	}
	if (c->mail) {
		demo_reply(c, DEMO_R_MAIL_NESTED, NULL);
		return;
	}
	if ((addr = demo_path(rest, "FROM:", &params)) == NULL) {
		demo_reply(c, DEMO_R_MAIL_SYNTAX, NULL);
		return;
	}
	if (!demo_gate(c)) {
		free(addr);
		return;
	}
	size = demo_size_param(params);
	code = demo_rules(c, SMTP_V_MAIL, addr, size);
	if (code == 0 && c->srv->sc->size_max && size > c->srv->sc->size_max) {
		demo_reply(c, DEMO_R_MAIL_TOO_BIG, NULL);
	} else if (code == 0 || code / 100 == 2) {
		demo_tx_reset(c);
		c->mail = true;
		c->mail_from = xstrdup(addr);
		if (code == 0)
			demo_reply(c, DEMO_R_MAIL_OK, addr);
	}
	free(addr);
}

static void demo_cmd_rcpt(struct demo_conn *c, const char *rest)
{
	const struct demo_scenario *sc = c->srv->sc;
	const char *params = "", *at;
	char *addr;
	int code;

	if (!c->mail) {
		demo_reply(c, DEMO_R_RCPT_NO_MAIL, NULL);
		return;
	}
	if ((addr = demo_path(rest, "TO:", &params)) == NULL) {
		demo_reply(c, DEMO_R_RCPT_SYNTAX, NULL);
		return;
	}
	code = demo_rules(c, SMTP_V_RCPT, addr, 0);
	at = strrchr(addr, '@');
	if (code / 100 == 2)
		c->rcpts++;
	else if (code != 0)
		;
	else if (at == NULL || !util_strieq(at + 1, sc->local_domain))
		demo_reply(c, DEMO_R_RCPT_RELAY, addr);
	else if (c->rcpts >= sc->max_recipients)
		demo_reply(c, DEMO_R_RCPT_TOO_MANY, NULL);
	else {
		c->rcpts++;
		demo_reply(c, DEMO_R_RCPT_OK, addr);
	}
	free(addr);
}

static void demo_cmd_data(struct demo_conn *c, const char *rest)
{
	int code;

	if (!c->mail) {
		demo_reply(c, DEMO_R_DATA_NO_MAIL, NULL);
		return;
	}
	if (c->rcpts == 0) {
		demo_reply(c, DEMO_R_DATA_NO_RCPT, NULL);
		return;
	}
	code = demo_rules(c, SMTP_V_DATA, rest, 0);
	if (code == 0 || code / 100 == 3) {
		c->in_data = true;
		c->mid_line = false;
		c->data_bytes = 0;
	}
	if (code == 0)
		demo_reply(c, DEMO_R_DATA_GO, NULL);
}

static void demo_cmd_starttls(struct demo_conn *c, const char *rest)
{
	int code;

	if (*rest) {
		demo_reply(c, DEMO_R_STARTTLS_SYNTAX, NULL);
		return;
	}
	if (c->tls) {
		demo_reply(c, DEMO_R_STARTTLS_ACTIVE, NULL);
		return;
	}
	if (c->srv->tls == NULL || c->srv->sc->tls == DEMO_TLS_NONE) {
		demo_reply(c, DEMO_R_STARTTLS_NONE, NULL);
		return;
	}
	code = demo_rules(c, SMTP_V_STARTTLS, rest, 0);
	if (code == 0 || code / 100 == 2)
		c->tls_next = true;
	if (code == 0)
		demo_reply(c, DEMO_R_STARTTLS_GO, NULL);
}

/* ---- AUTH (RFC 4954): PLAIN (RFC 4616) and LOGIN ----------------------- */

static bool demo_auth_check(const struct demo_conn *c, const char *user, const char *pass)
{
	const struct demo_scenario *sc = c->srv->sc;

	for (size_t i = 0; i < sc->nusers; i++)
		if (strcmp(sc->users[i].name, user) == 0 &&
		    strcmp(sc->users[i].password, pass) == 0)
			return true;
	return false;
}

static void demo_auth_result(struct demo_conn *c, bool ok, const char *user)
{
	c->auth_step = DEMO_AUTH_NONE;
	c->authed = ok;
	demo_log(c->srv, c, ok ? N_("AUTH succeeded for \"%s\"") : N_("AUTH failed for \"%s\""), user);
	demo_reply(c, ok ? DEMO_R_AUTH_OK : DEMO_R_AUTH_FAILED, NULL);
}

/* A decoded PLAIN message: authzid NUL authcid NUL password. */
static void demo_auth_plain(struct demo_conn *c, const struct buf *msg)
{
	const char *p = msg->data ? msg->data : "";
	const char *nul1 = memchr(p, '\0', msg->len);
	const char *nul2 = nul1 ? memchr(nul1 + 1, '\0', msg->len - (size_t)(nul1 + 1 - p)) : NULL;

	if (nul2 == NULL) {
		c->auth_step = DEMO_AUTH_NONE;
		demo_reply(c, DEMO_R_AUTH_DECODE, NULL);
		return;
	}
	demo_auth_result(c, demo_auth_check(c, nul1 + 1, nul2 + 1), nul1 + 1);
}

/* One SASL response line (the client's answer to a 334). */
static void demo_auth_response(struct demo_conn *c, const char *line)
{
	struct buf dec;

	if (c->srv->log)
		demo_log(c->srv, c, N_("<- (AUTH response, not logged)"));
	if (strcmp(line, "*") == 0) {
		c->auth_step = DEMO_AUTH_NONE;
		demo_reply(c, DEMO_R_AUTH_ABORTED, NULL);
		return;
	}
	buf_init(&dec);
	if (!auth_b64_decode(line, strlen(line), &dec)) {
		c->auth_step = DEMO_AUTH_NONE;
		demo_reply(c, DEMO_R_AUTH_DECODE, NULL);
	} else if (c->auth_step == DEMO_AUTH_PLAIN) {
		demo_auth_plain(c, &dec);
	} else if (c->auth_step == DEMO_AUTH_LOGIN_USER) {
		free(c->auth_user);
		c->auth_user = xstrdup(dec.data ? dec.data : "");
		c->auth_step = DEMO_AUTH_LOGIN_PASS;
		demo_send(c, "334 UGFzc3dvcmQ6\r\n", 18, 0, false); /* "Password:" */
	} else {
		demo_auth_result(c, demo_auth_check(c, c->auth_user ? c->auth_user : "",
						    dec.data ? dec.data : ""),
				 c->auth_user ? c->auth_user : "");
	}
	buf_free(&dec);
}

/* The mechanism is one the scenario offers. */
static bool demo_auth_offered(const struct demo_conn *c, const char *mech, size_t n)
{
	const char *m = c->srv->sc->auth_mechs;

	while (m && *m) {
		size_t len = strcspn(m, " ");

		if (len == n && util_strnieq(m, mech, n))
			return true;
		m += len;
		while (*m == ' ')
			m++;
	}
	return false;
}

static void demo_cmd_auth(struct demo_conn *c, const char *rest)
{
	const struct demo_scenario *sc = c->srv->sc;
	size_t mlen = strcspn(rest, " ");
	const char *initial = rest[mlen] ? rest + mlen + 1 : NULL;

	if (sc->auth_mechs == NULL) {
		demo_reply(c, DEMO_R_NOT_IMPLEMENTED, NULL);
		return;
	}
	if (!c->helo) {
		demo_reply(c, DEMO_R_MAIL_NO_HELO, NULL);
		return;
	}
	if (c->authed) {
		demo_reply(c, DEMO_R_AUTH_ALREADY, NULL);
		return;
	}
	if (c->mail) {
		demo_reply(c, DEMO_R_AUTH_IN_MAIL, NULL);
		return;
	}
	if (sc->tls == DEMO_TLS_REQUIRED && c->tls == NULL) {
		demo_reply(c, DEMO_R_TLS_REQUIRED, NULL);
		return;
	}
	if (demo_rules(c, SMTP_V_AUTH, rest, 0) != 0)
		return;
	if (mlen == 0 || !demo_auth_offered(c, rest, mlen)) {
		demo_reply(c, DEMO_R_AUTH_MECH, NULL);
		return;
	}
	if (util_strnieq(rest, "PLAIN", mlen) && mlen == 5) {
		c->auth_step = DEMO_AUTH_PLAIN;
		if (initial)
			demo_auth_response(c, initial);
		else
			demo_send(c, "334 \r\n", 6, 0, false);
	} else if (util_strnieq(rest, "LOGIN", mlen) && mlen == 5) {
		c->auth_step = DEMO_AUTH_LOGIN_USER;
		if (initial)
			demo_auth_response(c, initial);
		else
			demo_send(c, "334 VXNlcm5hbWU6\r\n", 18, 0, false); /* "Username:" */
	} else {
		demo_reply(c, DEMO_R_AUTH_MECH, NULL); /* offered, not implemented */
	}
}

/* The verb of a command word as the rules and counts know it: one the
 * verb table lets a scenario name, else SMTP_V_UNKNOWN ("any"). */
static enum smtp_verb demo_verb_of(const char *word)
{
	enum smtp_verb v = verb_from_name(word);
	unsigned need = VERB_TYPED | VERB_SCENARIO;

	return v != SMTP_V__COUNT && (verb_info(v)->flags & need) == need ? v : SMTP_V_UNKNOWN;
}

/* A command the demo knows but does not do, or one it does not know. */
static void demo_cmd_other(struct demo_conn *c, enum smtp_verb v, const char *rest)
{
	static const enum demo_reply fixed[SMTP_V__COUNT] = {
		[SMTP_V_EXPN] = DEMO_R_EXPN, [SMTP_V_HELP] = DEMO_R_HELP,
		[SMTP_V_NOOP] = DEMO_R_NOOP, [SMTP_V_BDAT] = DEMO_R_NOT_IMPLEMENTED,
		[SMTP_V_ETRN] = DEMO_R_NOT_IMPLEMENTED, [SMTP_V_UNKNOWN] = DEMO_R_UNKNOWN,
	};
	int code = demo_rules(c, v, rest, 0);

	if (code != 0) {
		if (v == SMTP_V_RSET && code / 100 == 2)
			demo_tx_reset(c);
		return;
	}
	switch (v) {
	case SMTP_V_RSET:
		demo_tx_reset(c);
		demo_reply(c, DEMO_R_RSET, NULL);
		break;
	case SMTP_V_VRFY:
		demo_reply(c, *rest ? DEMO_R_VRFY : DEMO_R_VRFY_SYNTAX, NULL);
		break;
	case SMTP_V_QUIT:
		demo_reply(c, DEMO_R_QUIT, NULL);
		break;
	default:
		demo_reply(c, fixed[v] ? fixed[v] : DEMO_R_UNKNOWN, NULL);
		break;
	}
}

static void demo_command(struct demo_conn *c, char *line)
{
	char *sp = strchr(line, ' ');
	const char *rest = sp ? sp + 1 : "";
	char verb[16];
	size_t vlen = sp ? (size_t)(sp - line) : strlen(line);
	enum smtp_verb v;

	if (c->srv->log) {
		char *shown = util_escape_dup(line, util_istarts(line, "AUTH ") &&
					      strchr(line + 5, ' ') ? (size_t)(strchr(line + 5, ' ') - line) : strlen(line));
		demo_log(c->srv, c, "<- %s", shown);
		free(shown);
	}
	if (vlen == 0 || vlen >= sizeof verb) {
		demo_reply(c, vlen ? DEMO_R_UNKNOWN : DEMO_R_EMPTY, NULL);
		return;
	}
	memcpy(verb, line, vlen);
	verb[vlen] = '\0';
	while (*rest == ' ')
		rest++;
	v = demo_verb_of(verb);
	if (c->counts[v] < UINT_MAX)
		c->counts[v]++;
	if (c->refused && v != SMTP_V_QUIT) {
		demo_reply(c, DEMO_R_REFUSED_SESSION, NULL);
		return;
	}
	switch (v) {
	case SMTP_V_EHLO:
	case SMTP_V_HELO:
		demo_cmd_helo(c, v, rest);
		break;
	case SMTP_V_MAIL:
		demo_cmd_mail(c, rest);
		break;
	case SMTP_V_RCPT:
		demo_cmd_rcpt(c, rest);
		break;
	case SMTP_V_DATA:
		demo_cmd_data(c, rest);
		break;
	case SMTP_V_STARTTLS:
		demo_cmd_starttls(c, rest);
		break;
	case SMTP_V_AUTH:
		demo_cmd_auth(c, rest);
		break;
	default:
		demo_cmd_other(c, v, rest);
		break;
	}
}

/* The final dot: the scenario may refuse the message. */
static void demo_dot(struct demo_conn *c)
{
	const struct demo_scenario *sc = c->srv->sc;
	char id[32];
	int code;

	c->in_data = false;
	demo_log(c->srv, c, N_("message of %llu bytes received"), c->data_bytes);
	if (c->counts[SMTP_V_DOT] < UINT_MAX)
		c->counts[SMTP_V_DOT]++;
	snprintf(id, sizeof id, "DEMO%05lX", c->srv->queued + 1);
	code = demo_rules(c, SMTP_V_DOT, id, c->data_bytes);
	if (code == 0 && sc->size_max && c->data_bytes > sc->size_max)
		demo_reply(c, DEMO_R_DOT_TOO_BIG, NULL);
	else if (code == 0) {
		c->srv->queued++;
		demo_reply(c, DEMO_R_DOT_OK, id);
	} else if (code / 100 == 2) {
		c->srv->queued++;
	}
	demo_tx_reset(c);
}

/* One line of message content (terminator stripped). */
static void demo_data_line(struct demo_conn *c, const char *line, size_t len,
			   bool complete)
{
	bool start = !c->mid_line;

	c->mid_line = !complete;
	if (start && complete && len == 1 && line[0] == '.') {
		demo_dot(c);
		return;
	}
	if (start && len > 0 && line[0] == '.')
		len--; /* RFC 5321 4.5.2: remove the stuffed dot */
	c->data_bytes += len + (complete ? 2 : 0);
}

void demo_process(struct demo_conn *c)
{
	size_t off = 0;

	while (off < c->in.len && !c->closing && !c->tls_next && !c->paused) {
		char *p = c->in.data + off;
		char *nl = memchr(p, '\n', c->in.len - off);
		size_t len;

		if (nl == NULL) {
			size_t left = c->in.len - off;
			if (left <= DEMO_MAX_COMMAND)
				break;
			/* An over-long line: answer once, then skip to its LF. */
			if (c->in_data)
				demo_data_line(c, p, left, false);
			else if (!c->discarding) {
				demo_reply(c, DEMO_R_LINE_TOO_LONG, NULL);
				c->discarding = true;
			}
			off = c->in.len;
			break;
		}
		len = (size_t)(nl - p);
		off += len + 1;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (c->in_data) {
			demo_data_line(c, p, len, true);
		} else if (c->discarding) {
			c->discarding = false;
		} else {
			p[len] = '\0';
			if (c->auth_step != DEMO_AUTH_NONE)
				demo_auth_response(c, p);
			else
				demo_command(c, p);
		}
	}
	if (c->tls_next && off < c->in.len) {
		/* RFC 3207 4.2 (and CVE-2011-0411): whatever the client sent
		 * after STARTTLS in plaintext is thrown away. */
		demo_log(c->srv, c, N_("discarded %zu bytes sent after STARTTLS"), c->in.len - off);
		off = c->in.len;
	}
	buf_consume(&c->in, off);
}

/* After STARTTLS the session starts over (RFC 3207 4.2). */
void demo_conn_reset_tls(struct demo_conn *c)
{
	c->helo = false;
	c->authed = false;
	c->auth_step = DEMO_AUTH_NONE;
	demo_tx_reset(c);
}

void demo_conn_clear(struct demo_conn *c)
{
	free(c->auth_user);
	free(c->mail_from);
	c->auth_user = c->mail_from = NULL;
}
