/* smtp-params: the parameters of MAIL and RCPT checked against what the
 * server advertised, and the message size against SIZE.  Warns, never
 * refuses: a debugger sends what the user typed.  Each known parameter
 * is a row of smtp_params[] (verb, key, capability, value check), so a
 * new one is a row and, if its value has rules, a function.
 *
 * RFCs: 1870 (SIZE), 6152 (8BITMIME), 3030 (BINARYMIME, CHUNKING),
 * 6531 (SMTPUTF8), 3461 (DSN: RET, ENVID, NOTIFY, ORCPT), 6533 (utf-8
 * ORCPT), 8689 (REQUIRETLS), 2852 (BY), 3885 (MTRK), 4954 (AUTH=). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/smtp.h"
#include "smtp-private.h"
#include "smtpscope/i18n.h"

/* A warning about a parameter (printf-style, checked by session_text). */
#define smtp_params_warn(s, ...) session_text((s)->session, SESSION_WARN, __VA_ARGS__)

/* Where the parameters start: after the path's '>' (or after the first
 * blank when there is no '<'); *path and *plen give the path. */
static const char *smtp_params_split(const char *line, const char **path, size_t *plen)
{
	const char *colon = strchr(line, ':'), *lt, *gt;

	*path = "";
	*plen = 0;
	if (colon == NULL)
		return "";
	lt = colon + 1 + strspn(colon + 1, " \t");
	if (*lt == '<' && (gt = strchr(lt, '>')) != NULL) {
		*path = lt + 1;
		*plen = (size_t)(gt - lt - 1);
		return gt + 1;
	}
	*path = lt;
	*plen = strcspn(lt, " \t");
	return lt + *plen;
}

static bool smtp_params_has_8bit(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0x80)
			return true;
	return false;
}

static bool smtp_params_number(const char *v, unsigned long long *out)
{
	char *end;

	if (*v < '0' || *v > '9')
		return false;
	*out = strtoull(v, &end, 10);
	return *end == '\0';
}

static void smtp_params_size(struct smtp *s, const char *val)
{
	const struct caps *c = &s->caps;
	unsigned long long n;

	if (val == NULL || !smtp_params_number(val, &n)) {
		smtp_params_warn(s, _("SIZE=%s is not a number of octets (RFC 1870 3)"), val ? val : "");
		return;
	}
	s->txn.mail.size_given = true;
	s->txn.mail.size = n;
	if (c->size_max > 0 && n > c->size_max)
		smtp_params_warn(s, _("SIZE=%llu is over the server's limit of %llu octets: expect 552 5.3.4 (RFC 1870 6)"),
				 n, c->size_max);
}

static void smtp_params_body(struct smtp *s, const char *val)
{
	const struct caps *c = &s->caps;

	if (val && util_strieq(val, "8BITMIME")) {
		s->txn.mail.eight_bit = true;
		if (!caps_has(c, CAP_8BITMIME))
			smtp_params_warn(s, _("BODY=8BITMIME but the server did not advertise 8BITMIME (RFC 6152)"));
	} else if (val && util_strieq(val, "BINARYMIME")) {
		s->txn.mail.binary = s->txn.mail.eight_bit = true;
		if (!caps_has(c, CAP_BINARYMIME) || !caps_has(c, CAP_CHUNKING))
			smtp_params_warn(s, _("BODY=BINARYMIME needs BINARYMIME and CHUNKING advertised (RFC 3030 3); the server lacks %s"),
					 caps_has(c, CAP_BINARYMIME) ? "CHUNKING" : "BINARYMIME");
	} else if (val == NULL || !util_strieq(val, "7BIT")) {
		smtp_params_warn(s, _("BODY=%s: the values are 7BIT, 8BITMIME (RFC 6152) and BINARYMIME (RFC 3030)"),
				 val ? val : "");
	}
}

static void smtp_params_smtputf8(struct smtp *s, const char *val)
{
	s->txn.mail.smtputf8 = true;
	if (val)
		smtp_params_warn(s, _("SMTPUTF8 takes no value (RFC 6531 3.4), not \"=%s\""), val);
}

static void smtp_params_ret(struct smtp *s, const char *val)
{
	if (!(val && (util_strieq(val, "FULL") || util_strieq(val, "HDRS"))))
		smtp_params_warn(s, _("RET=%s: the values are FULL and HDRS (RFC 3461 4.3)"), val ? val : "");
}

static void smtp_params_envid(struct smtp *s, const char *val)
{
	if (val == NULL || strlen(val) > 100)
		smtp_params_warn(s, _("ENVID needs a value of at most 100 characters (xtext, RFC 3461 4.4)"));
}

static void smtp_params_requiretls(struct smtp *s, const char *val)
{
	(void)val;
	if (!s->tls.up)
		smtp_params_warn(s, _("REQUIRETLS outside TLS: RFC 8689 4.1 requires the session to be protected by TLS (use /starttls first)"));
}

static bool smtp_params_notify_ok(const char *v)
{
	char *copy, *tok, *save = NULL;
	bool ok = true, never = false;
	size_t n = 0;

	if (v == NULL || *v == '\0')
		return false;
	copy = xstrdup(v);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save), n++) {
		if (util_strieq(tok, "NEVER"))
			never = true;
		else if (!util_strieq(tok, "SUCCESS") && !util_strieq(tok, "FAILURE") &&
			 !util_strieq(tok, "DELAY"))
			ok = false;
	}
	free(copy);
	return ok && n > 0 && !(never && n > 1);
}

static void smtp_params_notify(struct smtp *s, const char *val)
{
	if (!smtp_params_notify_ok(val))
		smtp_params_warn(s, _("NOTIFY=%s: NEVER alone, or a comma list of SUCCESS, FAILURE, DELAY (RFC 3461 4.1)"),
				 val ? val : "");
}

static void smtp_params_orcpt(struct smtp *s, const char *val)
{
	if (!(val && (util_istarts(val, "rfc822;") || util_istarts(val, "utf-8;")) &&
	      strchr(val, ';')[1] != '\0'))
		smtp_params_warn(s, _("ORCPT=%s: it is ADDR-TYPE;ADDRESS, e.g. rfc822;user@example.org (RFC 3461 4.2, RFC 6533 3)"),
				 val ? val : "");
}

/* The parameters smtpscope knows, one row each: the verb that takes
 * it, the capability that must have been advertised for it (CAP_OTHER:
 * none, or the value says) and the warning without it (after the key as
 * typed when key_first), then the check of its value. */
static const struct smtp_param {
	enum smtp_verb verb;
	const char *key;
	enum cap_id cap;
	bool key_first;
	const char *unoffered;
	void (*value)(struct smtp *s, const char *val);
} smtp_params[] = {
	{ SMTP_V_MAIL, "SIZE", CAP_SIZE, true, N_("= but the server did not advertise SIZE (RFC 1870)"),
	  smtp_params_size },
	{ SMTP_V_MAIL, "BODY", CAP_OTHER, false, NULL, smtp_params_body },
	{ SMTP_V_MAIL, "SMTPUTF8", CAP_SMTPUTF8, false,
	  N_("MAIL with SMTPUTF8 but the server did not advertise SMTPUTF8: expect 555 (RFC 6531 3.4)"),
	  smtp_params_smtputf8 },
	{ SMTP_V_MAIL, "RET", CAP_DSN, true, N_("= but the server did not advertise DSN (RFC 3461)"),
	  smtp_params_ret },
	{ SMTP_V_MAIL, "ENVID", CAP_DSN, true, N_("= but the server did not advertise DSN (RFC 3461)"),
	  smtp_params_envid },
	{ SMTP_V_MAIL, "REQUIRETLS", CAP_REQUIRETLS, false,
	  N_("REQUIRETLS but the server did not advertise it (RFC 8689 3)"), smtp_params_requiretls },
	{ SMTP_V_MAIL, "BY", CAP_DELIVERBY, true,
	  N_("= but the server did not advertise DELIVERBY (RFC 2852)"), NULL },
	{ SMTP_V_MAIL, "MTRK", CAP_MTRK, true, N_(" but the server did not advertise MTRK (RFC 3885)"),
	  NULL },
	{ SMTP_V_MAIL, "AUTH", CAP_AUTH, true, N_("= but the server did not advertise AUTH (RFC 4954 5)"),
	  NULL },
	{ SMTP_V_RCPT, "NOTIFY", CAP_DSN, true, N_("= but the server did not advertise DSN (RFC 3461)"),
	  smtp_params_notify },
	{ SMTP_V_RCPT, "ORCPT", CAP_DSN, true, N_("= but the server did not advertise DSN (RFC 3461)"),
	  smtp_params_orcpt },
};

/* One "KEY[=VALUE]" of MAIL or RCPT. */
static void smtp_params_one(struct smtp *s, enum smtp_verb v, const char *key, const char *val)
{
	for (size_t i = 0; i < sizeof smtp_params / sizeof smtp_params[0]; i++) {
		const struct smtp_param *p = &smtp_params[i];

		if (p->verb != v || !util_strieq(key, p->key))
			continue;
		if (p->cap != CAP_OTHER && !caps_has(&s->caps, p->cap))
			smtp_params_warn(s, "%s%s", p->key_first ? key : "", _(p->unoffered));
		if (p->value)
			p->value(s, val);
		return;
	}
	smtp_params_warn(s, _("%s parameter %s is not one smtpscope knows: the server must have advertised the extension that defines it, or it answers 555 (RFC 5321 4.1.1.11)"),
			 v == SMTP_V_MAIL ? "MAIL" : "RCPT", key);
}

/* RFC 5321 4.1.1.2, 4.1.1.3, 4.1.2: MAIL FROM:<path>, RCPT TO:<path>,
 * the angle brackets part of the syntax. */
static void smtp_params_path(struct smtp *s, enum smtp_verb v, const char *line)
{
	const char *colon = strchr(line, ':'), *lt;
	size_t n;
	char *addr;

	if (colon == NULL) {
		smtp_params_warn(s, "%s", v == SMTP_V_MAIL
				 ? _("MAIL without FROM: the command is MAIL FROM:<address> (RFC 5321 "
				     "4.1.1.2); expect 501")
				 : _("RCPT without TO: the command is RCPT TO:<address> (RFC 5321 4.1.1.3); "
				     "expect 501"));
		return;
	}
	lt = colon + 1 + strspn(colon + 1, " \t");
	if (*lt == '<') {
		if (strchr(lt, '>') == NULL)
			smtp_params_warn(s, _("the address after %.*s opens with \"<\" but has no closing "
					      "\">\" (RFC 5321 4.1.2); expect 501"),
					 (int)(colon + 1 - line), line);
		return;
	}
	n = strcspn(lt, " \t");
	addr = xmemdup(lt, n);
	if (v == SMTP_V_MAIL)
		smtp_params_warn(s, _("the sender has no angle brackets: RFC 5321 4.1.2 wants "
				      "MAIL FROM:<%s>%s; many servers answer 501 or 555 to it"),
				 addr, n == 0 ? _(" (the null sender, for bounces)") : "");
	else
		smtp_params_warn(s, _("the recipient has no angle brackets: RFC 5321 4.1.2 wants "
				      "RCPT TO:<%s>; many servers answer 501 or 555 to it"), addr);
	free(addr);
}

void smtp_params_check(struct smtp *s, enum smtp_verb v, const char *line)
{
	const char *path, *p;
	size_t plen;

	if (v != SMTP_V_MAIL && v != SMTP_V_RCPT)
		return;
	smtp_params_path(s, v, line);
	p = smtp_params_split(line, &path, &plen);
	if (v == SMTP_V_MAIL) {
		memset(&s->txn.mail, 0, sizeof s->txn.mail);
		free(s->mail_from);
		s->mail_from = xmemdup(path, plen);
	}
	while (*p) {
		size_t n;
		char *tok, *eq;

		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (n == 0)
			break;
		tok = xmemdup(p, n);
		eq = strchr(tok, '=');
		if (eq)
			*eq++ = '\0';
		smtp_params_one(s, v, tok, eq);
		free(tok);
		p += n;
	}
	/* RFC 6531 3.4: a UTF-8 address needs SMTPUTF8 on this MAIL. */
	if (smtp_params_has_8bit(path, plen) && !s->txn.mail.smtputf8)
		smtp_params_warn(s, "%s",
				 v == SMTP_V_MAIL
				 ? _("the address in MAIL has UTF-8 but MAIL has no SMTPUTF8 parameter: "
				     "the server will likely refuse it (553 or 555, RFC 6531 3.4)")
				 : _("the address in RCPT has UTF-8 but the transaction's MAIL had no "
				     "SMTPUTF8 parameter: the server will likely refuse it (553 or 555, RFC 6531 3.4)"));
}

const char *smtp_mail_from(const struct smtp *s)
{
	return s->mail_from;
}

void smtp_size_check(struct smtp *s, unsigned long long bytes, const char *what)
{
	const struct caps *c = &s->caps;

	if (c->size_max > 0 && bytes > c->size_max)
		session_text(s->session, SESSION_WARN,
			     _("the message (%s, %llu octets) is larger than the server's SIZE limit of %llu: "
			       "expect 552 5.3.4 (RFC 1870 6); sending it anyway"), what, bytes, c->size_max);
	if (s->txn.mail.size_given && bytes > s->txn.mail.size)
		session_text(s->session, SESSION_WARN,
			     _("the message (%s, %llu octets) is larger than the SIZE=%llu given on MAIL; the "
			       "server may refuse it (RFC 1870 6)"), what, bytes, s->txn.mail.size);
}
