/* oneshot: the one-shot options checked, and turned into the plan of
 * steps a typed session would be (see oneshot.h; the run: oneshot-run.c).
 * swaks' meanings where it has them: its --protocol table, its
 * --quit-after stop points, EHLO falling back to HELO. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smtpscope/auth.h"
#include "smtpscope/compose.h"
#include "smtpscope/i18n.h"
#include "smtpscope/oneshot.h"
#include "smtpscope/transport.h"
#include "smtpscope/util.h"

#define ONESHOT_CHECK(st) (1u << (st))

/* swaks' --protocol table ("EHLO->HELO": HELO after a refused EHLO). */
static const struct oneshot_protocol oneshot_protocols[] = {
	{ "SMTP", ONESHOT_HELO, false, ONESHOT_TLS_NONE, false, "25" },
	{ "SSMTP", ONESHOT_EHLO, true, ONESHOT_TLS_IMPLICIT, false, "465" },
	{ "SSMTPA", ONESHOT_EHLO, true, ONESHOT_TLS_IMPLICIT, true, "465" },
	{ "SMTPS", ONESHOT_HELO, false, ONESHOT_TLS_IMPLICIT, false, "465" },
	{ "ESMTP", ONESHOT_EHLO, true, ONESHOT_TLS_NONE, false, "25" },
	{ "ESMTPA", ONESHOT_EHLO, true, ONESHOT_TLS_NONE, true, "25" },
	{ "ESMTPS", ONESHOT_EHLO, true, ONESHOT_TLS_STARTTLS, false, "25" },
	{ "ESMTPSA", ONESHOT_EHLO, true, ONESHOT_TLS_STARTTLS, true, "25" },
	{ "LMTP", ONESHOT_LHLO, false, ONESHOT_TLS_NONE, false, "24" },
	{ "LMTPA", ONESHOT_LHLO, false, ONESHOT_TLS_NONE, true, "24" },
	{ "LMTPS", ONESHOT_LHLO, false, ONESHOT_TLS_STARTTLS, false, "24" },
	{ "LMTPSA", ONESHOT_LHLO, false, ONESHOT_TLS_STARTTLS, true, "24" },
};
const char oneshot_protocol_names[] =
	"SMTP, SSMTP, SSMTPA, SMTPS, ESMTP, ESMTPA, ESMTPS, ESMTPSA, LMTP, LMTPA, LMTPS, LMTPSA";

const struct oneshot_protocol *oneshot_protocol_find(const char *name)
{
	for (size_t i = 0; i < UTIL_ARRAY_LEN(oneshot_protocols); i++)
		if (util_strieq(name, oneshot_protocols[i].name))
			return &oneshot_protocols[i];
	return NULL;
}

bool oneshot_stop_parse(const char *word, enum oneshot_stop *out)
{
	static const struct { const char *word; enum oneshot_stop stop; } words[] = {
		{ "CONNECT", ONESHOT_STOP_CONNECT }, { "BANNER", ONESHOT_STOP_CONNECT },
		{ "FIRST-HELO", ONESHOT_STOP_FIRST_HELO }, { "FIRST-EHLO", ONESHOT_STOP_FIRST_HELO },
		{ "FIRST-LHLO", ONESHOT_STOP_FIRST_HELO }, { "TLS", ONESHOT_STOP_TLS },
		{ "STARTTLS", ONESHOT_STOP_TLS }, { "HELO", ONESHOT_STOP_HELO },
		{ "EHLO", ONESHOT_STOP_HELO }, { "LHLO", ONESHOT_STOP_HELO },
		{ "AUTH", ONESHOT_STOP_AUTH }, { "MAIL", ONESHOT_STOP_MAIL },
		{ "FROM", ONESHOT_STOP_MAIL }, { "RCPT", ONESHOT_STOP_RCPT },
		{ "TO", ONESHOT_STOP_RCPT }, { "DATA", ONESHOT_STOP_DATA },
		{ "DOT", ONESHOT_STOP_DOT },
	};

	for (size_t i = 0; i < UTIL_ARRAY_LEN(words); i++) {
		if (util_strieq(word, words[i].word)) {
			*out = words[i].stop;
			return true;
		}
	}
	return false;
}

bool oneshot_auth_list_ok(const char *list)
{
	const char *p = list;

	do {
		size_t n = strcspn(p, ",");
		char *w = xmemdup(p, n);
		enum auth_mech m;
		bool ok = auth_mech_parse(w, &m);

		free(w);
		if (!ok)
			return false;
		p += n;
	} while (*p++ == ',');
	return true;
}

bool oneshot_wanted(const struct oneshot_options *o)
{
	return o->to.n > 0;
}

/* The options that only a transaction uses, when given without --to. */
static const char *oneshot_stray(const struct oneshot_options *o)
{
	if (o->from)
		return "--from";
	if (o->ehlo)
		return "--ehlo";
	if (o->auth)
		return "--auth";
	if (o->headers.n)
		return "--header";
	if (o->add_headers.n)
		return "--add-header";
	if (o->body)
		return "--body";
	if (o->data)
		return "--data";
	if (o->attach.n)
		return "--attach";
	if (o->quit_after != ONESHOT_STOP_NONE)
		return "--quit-after";
	if (o->protocol)
		return "--protocol";
	if (o->pipeline)
		return "--pipeline";
	if (o->interactive)
		return "--interactive";
	if (o->tls_optional)
		return "--tls-optional";
	return NULL;
}

/* "@FILE" (or, for an attachment, FILE) is a regular file we can read. */
static bool oneshot_file_ok(const char *what, const char *path, char **err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		*err = xasprintf(_("%s: cannot open %s: %s"), what, path, strerror(errno));
		return false;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*err = xasprintf(_("%s: %s is not a regular file (give a file, or - for standard input)"),
				 what, path);
		close(fd);
		return false;
	}
	close(fd);
	return true;
}

/* One header field of --header or --add-header (arg as given, line the
 * field of it checked); false with *err saying what would be right. */
static bool oneshot_header_ok(const char *opt, const char *arg, const char *line, char **err)
{
	const char *why = NULL;

	switch (compose_header_check(line)) {
	case COMPOSE_HEADER_OK:
		return true;
	case COMPOSE_HEADER_NO_COLON:
	case COMPOSE_HEADER_BAD_NAME:
		why = _("it wants 'Name: value', the name in printable ASCII without blanks");
		break;
	case COMPOSE_HEADER_LINE_BREAK:
		why = _("a line break in a value would start a header field of its own");
		break;
	case COMPOSE_HEADER_MIME:
		why = _("the MIME header fields of the body are smtpscope's (give the whole "
			"message with --data @FILE to choose them)");
		break;
	}
	*err = xasprintf(_("%s \"%s\": %s"), opt, arg, why);
	return false;
}

/* What --body, --data and --attach name: their files, and the message
 * built or given, not both. */
static bool oneshot_check_message(const struct oneshot_options *o, char **err)
{
	if (o->data && (o->body || o->attach.n || o->headers.n || o->add_headers.n)) {
		*err = xstrdup(_("--data sends a prepared message as it is, while --body, --attach, "
				 "--header and --add-header build one: give either --data, or the others"));
		return false;
	}
	if (o->data && o->data[0] == '@' && o->data[1] != '@' && !oneshot_file_ok("--data", o->data + 1, err))
		return false;
	if (o->body && o->body[0] == '@' && o->body[1] != '@' && !oneshot_file_ok("--body", o->body + 1, err))
		return false;
	if (o->body && o->data == NULL && strcmp(o->body, "-") == 0 && o->interactive) {
		*err = xstrdup(_("--body - reads standard input, which the terminal UI needs: give "
				 "--body @FILE"));
		return false;
	}
	if (o->data && strcmp(o->data, "-") == 0 && o->interactive) {
		*err = xstrdup(_("--data - reads standard input, which the terminal UI needs: give "
				 "--data @FILE"));
		return false;
	}
	for (size_t i = 0; i < o->attach.n; i++) {
		const char *a = o->attach.v[i][0] == '@' ? o->attach.v[i] + 1 : o->attach.v[i];

		if (!oneshot_file_ok("--attach", a, err))
			return false;
	}
	for (size_t i = 0; i < o->headers.n; i++)
		if (!oneshot_header_ok("--header", o->headers.v[i], o->headers.v[i], err))
			return false;
	for (size_t i = 0; i < o->add_headers.n; i++) {
		const char *p = o->add_headers.v[i];
		char *line = compose_add_next(&p);
		bool ok = line != NULL || oneshot_header_ok("--add-header", "", "", err);

		for (; ok && line; line = compose_add_next(&p)) {
			ok = oneshot_header_ok("--add-header", o->add_headers.v[i], line, err);
			free(line);
		}
		free(line);
		if (!ok)
			return false;
	}
	return true;
}

/* How the transaction says hello, encrypts and authenticates: --protocol
 * first, then the options named on their own. */
static bool oneshot_check_protocol(struct oneshot_options *o, struct front_options *fo,
				   bool port_given, char **err)
{
	const struct oneshot_protocol *p = o->protocol ? o->protocol : oneshot_protocol_find("ESMTP");
	enum oneshot_tls tls = p->tls;

	if (fo->client.implicit_tls && tls == ONESHOT_TLS_STARTTLS) {
		*err = xasprintf(_("--tls (TLS from the first byte) and --protocol %s (STARTTLS) "
				   "exclude each other; for STARTTLS give --starttls"), p->name);
		return false;
	}
	if (fo->client.implicit_tls)
		tls = ONESHOT_TLS_IMPLICIT;
	if (fo->client.starttls && tls == ONESHOT_TLS_IMPLICIT) {
		*err = xasprintf(_("--protocol %s (TLS from the first byte) and --starttls exclude "
				   "each other"), p->name);
		return false;
	}
	if (fo->client.starttls)
		tls = ONESHOT_TLS_STARTTLS;
	if (o->tls_optional && tls == ONESHOT_TLS_NONE)
		tls = ONESHOT_TLS_OPTIONAL;
	if (p->hello == ONESHOT_HELO && (tls == ONESHOT_TLS_STARTTLS || tls == ONESHOT_TLS_OPTIONAL ||
					 o->auth || p->auth)) {
		*err = xasprintf(_("--protocol %s sends HELO, and STARTTLS and AUTH need EHLO: give "
				   "--protocol ESMTP (or ESMTPS, ESMTPA, ESMTPSA)"), p->name);
		return false;
	}
	o->hello = p->hello;
	o->tls = tls;
	o->do_auth = o->auth || p->auth;
	/* the plan sends STARTTLS itself, so --quit-after TLS can stop there */
	fo->client.starttls = false;
	/* EHLO->HELO as swaks does, unless STARTTLS or AUTH need the EHLO */
	o->helo_fallback = p->helo_fallback && tls != ONESHOT_TLS_STARTTLS &&
			   tls != ONESHOT_TLS_OPTIONAL && !o->do_auth;
	if (tls == ONESHOT_TLS_IMPLICIT)
		fo->client.implicit_tls = true;
	if (!port_given)
		fo->default_port = tls == ONESHOT_TLS_IMPLICIT ? "465" : p->port;
	return true;
}

/* The password must come from somewhere a one-shot can read. */
static bool oneshot_check_auth(const struct oneshot_options *o, const struct front_options *fo,
			       char **err)
{
	const struct cmd_auth_options *a = &fo->auth;

	if (!o->do_auth || o->interactive)
		return true;
	if (a->user == NULL && !(a->token || a->token_env)) {
		*err = xstrdup(_("--auth needs the user name: give --auth-user USER"));
		return false;
	}
	if (!a->password_env && !a->password_file && !a->token && !a->token_env) {
		*err = xstrdup(_("--auth needs the password, never on the command line: give "
				 "--password-env VAR or --password-file FILE (--token-env VAR for "
				 "XOAUTH2), or run with --interactive to type it"));
		return false;
	}
	return true;
}

bool oneshot_check(struct oneshot_options *o, struct front_options *fo, bool operand,
		   bool port_given, char **err)
{
	const char *stray = oneshot_stray(o);
	struct transport_target t;

	if (!oneshot_wanted(o) && stray) {
		*err = xasprintf(_("%s belongs to a one-shot transaction, which needs its recipients: "
				   "give --to ADDR"), stray);
		return false;
	}
	if (o->server && operand) {
		*err = xstrdup(_("--server and a HOST operand both name the server: give one"));
		return false;
	}
	if (o->server && !transport_parse_target(o->server, fo->default_port, &t, err))
		return false;
	if (o->server) {
		transport_target_free(&t);
		fo->target = o->server;
	}
	if (o->interactive && fo->json) {
		*err = xstrdup(_("--json prints JSON lines in line mode, and --interactive opens the "
				 "terminal UI: give one of them"));
		return false;
	}
	if (!oneshot_wanted(o))
		return true;
	return oneshot_check_protocol(o, fo, port_given, err) && oneshot_check_message(o, err) &&
	       oneshot_check_auth(o, fo, err);
}

/* ---- the plan ----------------------------------------------------------- */

/* An address of --to or --from without its brackets; NULL with *err. */
static char *oneshot_address(const char *opt, const char *in, size_t len, bool null_ok, char **err)
{
	char *a;
	size_t n;

	while (len > 0 && (*in == ' ' || *in == '\t'))
		in++, len--;
	while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t'))
		len--;
	if (len >= 2 && in[0] == '<' && in[len - 1] == '>')
		in++, len -= 2;
	a = xmemdup(in, len);
	n = strcspn(a, " \t\r\n<>");
	if ((len == 0 && !null_ok) || a[n] != '\0' || strlen(a) != len) {
		*err = xasprintf(_("%s: \"%.*s\" is not an address: give local@domain (several "
				   "separated by commas)"), opt, (int)len, in);
		free(a);
		return NULL;
	}
	return a;
}

static struct oneshot_step *oneshot_add(struct oneshot_plan *p, size_t *cap,
					enum oneshot_action action, char *line)
{
	struct oneshot_step *st;

	p->steps = xgrow(p->steps, cap, p->n + 1, sizeof *p->steps);
	st = &p->steps[p->n++];
	memset(st, 0, sizeof *st);
	st->action = action;
	st->line = line;
	return st;
}

static void oneshot_add_line(struct oneshot_plan *p, size_t *cap, enum oneshot_when when,
			     unsigned checks, char *line)
{
	struct oneshot_step *st = oneshot_add(p, cap, ONESHOT_LINE, line);

	st->when = when;
	st->checks = checks;
}

static void oneshot_add_stop(struct oneshot_plan *p, size_t *cap, enum oneshot_action a,
			     enum oneshot_stop stop)
{
	oneshot_add(p, cap, a, NULL)->stop = stop;
}

/* Splits every --to at its commas into p->rcpt. */
static bool oneshot_recipients(const struct oneshot_options *o, struct oneshot_plan *p, char **err)
{
	size_t cap = 0;

	for (size_t i = 0; i < o->to.n; i++) {
		for (const char *s = o->to.v[i]; ; ) {
			size_t len = strcspn(s, ",");
			char *a = oneshot_address("--to", s, len, false, err);

			if (a == NULL)
				return false;
			if (p->nrcpt == ONESHOT_MAX_RCPT) {
				free(a);
				*err = xasprintf(_("--to: more than %d recipients; send several "
						   "transactions"), ONESHOT_MAX_RCPT);
				return false;
			}
			p->rcpt = xgrow(p->rcpt, &cap, p->nrcpt + 1, sizeof *p->rcpt);
			p->rcpt[p->nrcpt++] = a;
			if (s[len] == '\0')
				break;
			s += len + 1;
		}
	}
	return true;
}

/* "/connect --mx "ADDR"" with the address quoted for cmd_split. */
static char *oneshot_quoted(const char *prefix, const char *arg)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "%s \"", prefix);
	for (const char *q = arg; *q; q++) {
		if (*q == '"' || *q == '\\')
			buf_addc(&b, '\\');
		buf_addc(&b, *q);
	}
	buf_addc(&b, '"');
	return buf_steal(&b);
}

/* MAIL, the RCPTs and (with_data) DATA: one /pipe group when the server
 * offers PIPELINING, else one at a time; each stage checked. */
static void oneshot_envelope(const struct oneshot_options *o, struct oneshot_plan *p, size_t *cap,
			     enum oneshot_stop stop)
{
	unsigned all = ONESHOT_CHECK(SMTP_STAGE_MAIL) | ONESHOT_CHECK(SMTP_STAGE_RCPT);
	bool with_data = stop >= ONESHOT_STOP_DATA;
	enum oneshot_when when = ONESHOT_ALWAYS;

	if (o->pipeline && stop >= ONESHOT_STOP_RCPT) {
		struct buf g;

		buf_init(&g);
		buf_printf(&g, "/pipe MAIL FROM:<%s>", p->from);
		for (size_t i = 0; i < p->nrcpt; i++)
			buf_printf(&g, "; RCPT TO:<%s>", p->rcpt[i]);
		if (with_data)
			buf_adds(&g, "; DATA");
		oneshot_add_line(p, cap, ONESHOT_IF_PIPELINING,
				 all | (with_data ? ONESHOT_CHECK(SMTP_STAGE_DATA) : 0), buf_steal(&g));
		when = ONESHOT_UNLESS_PIPELINING;
	}
	oneshot_add_line(p, cap, when, ONESHOT_CHECK(SMTP_STAGE_MAIL),
			 xasprintf("MAIL FROM:<%s>", p->from));
	if (stop == ONESHOT_STOP_MAIL)
		return;
	for (size_t i = 0; i < p->nrcpt; i++)
		oneshot_add_line(p, cap, when, i + 1 == p->nrcpt ? ONESHOT_CHECK(SMTP_STAGE_RCPT) : 0,
				 xasprintf("RCPT TO:<%s>", p->rcpt[i]));
	if (with_data)
		oneshot_add_line(p, cap, when, ONESHOT_CHECK(SMTP_STAGE_DATA), xstrdup("DATA"));
}

/* The greeting to the EHLO after TLS; false when the plan stops there. */
static bool oneshot_hellos(const struct oneshot_options *o, struct oneshot_plan *p, size_t *cap,
			   const char *name, enum oneshot_stop stop)
{
	static const char *const verbs[] = { "EHLO", "HELO", "LHLO" };
	char *hello = xasprintf("%s %s", verbs[o->hello], name);
	bool starttls = o->tls == ONESHOT_TLS_STARTTLS || o->tls == ONESHOT_TLS_OPTIONAL;
	unsigned helo = ONESHOT_CHECK(SMTP_STAGE_HELO);

	if (stop == ONESHOT_STOP_CONNECT || (stop == ONESHOT_STOP_TLS && o->tls == ONESHOT_TLS_IMPLICIT)) {
		free(hello);
		return false;
	}
	oneshot_add_line(p, cap, ONESHOT_ALWAYS, o->helo_fallback ? 0 : helo, xstrdup(hello));
	if (o->helo_fallback)
		oneshot_add_line(p, cap, ONESHOT_IF_HELLO_REFUSED, helo, xasprintf("HELO %s", name));
	if (starttls && stop != ONESHOT_STOP_FIRST_HELO) {
		oneshot_add_line(p, cap, o->tls == ONESHOT_TLS_OPTIONAL ? ONESHOT_IF_STARTTLS : ONESHOT_ALWAYS,
				 ONESHOT_CHECK(SMTP_STAGE_TLS), xstrdup("/starttls"));
		if (stop != ONESHOT_STOP_TLS)
			oneshot_add_line(p, cap, ONESHOT_IF_TLS, helo, xstrdup(hello));
	}
	free(hello);
	return stop == ONESHOT_STOP_NONE || stop > ONESHOT_STOP_HELO;
}

bool oneshot_plan_make(const struct oneshot_options *o, const struct oneshot_env *env,
		       struct oneshot_plan *p, char **err)
{
	enum oneshot_stop stop = o->quit_after;
	const char *name = o->ehlo ? o->ehlo : env->host;
	size_t cap = 0;

	memset(p, 0, sizeof *p);
	p->opt = o;
	p->has_target = env->has_target;
	if (!oneshot_recipients(o, p, err))
		return false;
	if (o->from)
		p->from = oneshot_address("--from", o->from, strlen(o->from), true, err);
	else
		p->from = xasprintf("%s@%s", env->login, env->host);
	if (p->from == NULL)
		return false;
	if (!p->has_target && strchr(p->rcpt[0], '@') == NULL) {
		*err = xasprintf(_("without --server, the domain of the first recipient names the MX: "
				   "\"%s\" has none (give --server HOST)"), p->rcpt[0]);
		return false;
	}
	if (!p->has_target) {
		struct oneshot_step *st = oneshot_add(p, &cap, ONESHOT_LINE,
						      oneshot_quoted("/connect --mx", p->rcpt[0]));

		st->connects = true;
		st->checks = ONESHOT_CHECK(SMTP_STAGE_GREETING);
	}
	if (!oneshot_hellos(o, p, &cap, name, stop)) {
		oneshot_add_stop(p, &cap, ONESHOT_QUIT, stop);
		return true;
	}
	if (o->do_auth)
		oneshot_add_line(p, &cap, ONESHOT_ALWAYS, ONESHOT_CHECK(SMTP_STAGE_AUTH),
				 o->auth_mechs ? xasprintf("/auth %s", o->auth_mechs) : xstrdup("/auth"));
	if (stop == ONESHOT_STOP_AUTH) {
		oneshot_add_stop(p, &cap, ONESHOT_QUIT, stop);
		return true;
	}
	oneshot_envelope(o, p, &cap, stop == ONESHOT_STOP_NONE ? ONESHOT_STOP_DOT : stop);
	if (stop == ONESHOT_STOP_MAIL || stop == ONESHOT_STOP_RCPT) {
		oneshot_add_stop(p, &cap, ONESHOT_QUIT, stop);
		return true;
	}
	if (stop == ONESHOT_STOP_DATA) {
		oneshot_add_stop(p, &cap, ONESHOT_CLOSE, stop);
		return true;
	}
	oneshot_add(p, &cap, ONESHOT_MESSAGE, NULL)->checks = ONESHOT_CHECK(SMTP_STAGE_DOT);
	/* in the terminal UI the session stays open unless --quit-after says */
	if (!o->interactive || stop == ONESHOT_STOP_DOT)
		oneshot_add_stop(p, &cap, ONESHOT_QUIT, stop);
	return true;
}

void oneshot_plan_free(struct oneshot_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->steps[i].line);
	free(p->steps);
	for (size_t i = 0; i < p->nrcpt; i++)
		free(p->rcpt[i]);
	free(p->rcpt);
	free(p->from);
	memset(p, 0, sizeof *p);
}
