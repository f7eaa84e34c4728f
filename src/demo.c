/* demo: the default scenario and reply templates. */
#include "config.h"

#include <string.h>

#include "smtpscope/demo.h"
#include "smtpscope/i18n.h"
#include "smtpscope/util.h"

static const struct demo_scenario demo_default = {
	.name = "happy",
	.title = N_("The happy path: a normal ESMTP server for demo.test"),
	.lesson = N_("A normal ESMTP server: it accepts mail for any mailbox @demo.test "
		     "and refuses other domains."),
	.domain = "demo.test",
	.local_domain = "demo.test",
	.size_max = 10485760,
	.max_recipients = 100,
	.ehlo_keywords = {
		"PIPELINING", "SIZE", "ENHANCEDSTATUSCODES",
		"8BITMIME", "DSN", "SMTPUTF8", NULL,
	},
	.replies = {
		[DEMO_R_GREETING] = "220 {domain} ESMTP smtpscope demo server",
		[DEMO_R_EHLO] = "250-{domain} Hello {arg}",
		[DEMO_R_HELO] = "250 {domain} Hello {arg}",
		[DEMO_R_HELO_SYNTAX] = "501 5.5.4 Syntax: EHLO hostname",
		[DEMO_R_MAIL_OK] = "250 2.1.0 Sender <{arg}> ok",
		[DEMO_R_MAIL_SYNTAX] = "501 5.5.4 Syntax: MAIL FROM:<address>",
		[DEMO_R_MAIL_NO_HELO] = "503 5.5.1 Error: send HELO/EHLO first",
		[DEMO_R_MAIL_NESTED] = "503 5.5.1 Error: nested MAIL command",
		[DEMO_R_MAIL_TOO_BIG] = "552 5.3.4 Message size exceeds fixed limit",
		[DEMO_R_RCPT_OK] = "250 2.1.5 Recipient <{arg}> ok",
		[DEMO_R_RCPT_SYNTAX] = "501 5.5.4 Syntax: RCPT TO:<address>",
		[DEMO_R_RCPT_NO_MAIL] = "503 5.5.1 Error: need MAIL command",
		[DEMO_R_RCPT_RELAY] = "554 5.7.1 <{arg}>: Relay access denied",
		[DEMO_R_RCPT_TOO_MANY] = "452 4.5.3 Error: too many recipients",
		[DEMO_R_DATA_GO] = "354 End data with <CR><LF>.<CR><LF>",
		[DEMO_R_DATA_NO_RCPT] = "554 5.5.1 Error: no valid recipients",
		[DEMO_R_DATA_NO_MAIL] = "503 5.5.1 Error: need RCPT command",
		[DEMO_R_DOT_OK] = "250 2.0.0 Ok: queued as {arg}",
		[DEMO_R_DOT_TOO_BIG] = "552 5.3.4 Error: message file too big",
		[DEMO_R_RSET] = "250 2.0.0 Ok",
		[DEMO_R_NOOP] = "250 2.0.0 Ok",
		[DEMO_R_VRFY] = "252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery",
		[DEMO_R_VRFY_SYNTAX] = "501 5.5.4 Syntax: VRFY address",
		[DEMO_R_EXPN] = "502 5.5.1 EXPN not available",
		[DEMO_R_HELP] = "214-2.0.0 This is the smtpscope demo server.\n"
				"214-2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET NOOP VRFY HELP QUIT\n"
				"214 2.0.0 Mail for any mailbox @{domain} is accepted; other domains are refused.",
		[DEMO_R_QUIT] = "221 2.0.0 Bye",
		[DEMO_R_NOT_IMPLEMENTED] = "502 5.5.1 Error: command not implemented",
		[DEMO_R_UNKNOWN] = "500 5.5.2 Error: command not recognized",
		[DEMO_R_EMPTY] = "500 5.5.2 Error: bad syntax",
		[DEMO_R_LINE_TOO_LONG] = "500 5.5.6 Error: line too long",
		[DEMO_R_TIMEOUT] = "421 4.4.2 {domain} Error: timeout exceeded",
		[DEMO_R_TOO_MANY] = "421 4.3.2 {domain} Too many connections, try again later",
		[DEMO_R_STARTTLS_GO] = "220 2.0.0 Ready to start TLS",
		[DEMO_R_STARTTLS_ACTIVE] = "503 5.5.1 Error: TLS already active",
		[DEMO_R_STARTTLS_NONE] = "454 4.7.0 TLS not available due to local problem",
		[DEMO_R_STARTTLS_SYNTAX] = "501 5.5.4 Syntax: STARTTLS",
		[DEMO_R_TLS_REQUIRED] = "530 5.7.0 Must issue a STARTTLS command first",
		[DEMO_R_AUTH_REQUIRED] = "530 5.7.0 Authentication required",
		[DEMO_R_REFUSED_SESSION] = "503 5.5.1 Error: no SMTP service here, only QUIT",
		[DEMO_R_AUTH_OK] = "235 2.7.0 Authentication successful",
		[DEMO_R_AUTH_FAILED] = "535 5.7.8 Error: authentication failed",
		[DEMO_R_AUTH_MECH] = "504 5.5.4 Unrecognized authentication type",
		[DEMO_R_AUTH_ABORTED] = "501 5.7.0 Authentication aborted",
		[DEMO_R_AUTH_DECODE] = "501 5.5.2 Cannot decode response",
		[DEMO_R_AUTH_ALREADY] = "503 5.5.1 Error: already authenticated",
		[DEMO_R_AUTH_IN_MAIL] = "503 5.5.1 Error: MAIL transaction in progress",
	},
	.tls = DEMO_TLS_OFFERED,
};

const struct demo_scenario *demo_default_scenario(void)
{
	return &demo_default;
}

/* The argument as printable ASCII, so a client cannot make the server
 * send control bytes back (the demo is for teaching, not for tricks). */
static void demo_put_arg(const char *arg, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)arg;
	size_t n = 0;

	for (; *p && n < 256; p++, n++)
		buf_addc(out, (*p >= 0x20 && *p < 0x7f) ? (char)*p : '?');
}

/* Expands one template (lines separated by '\n'). */
void demo_expand_text(const struct demo_scenario *sc, const char *t,
		      const char *arg, struct buf *out)
{
	while (*t) {
		if (strncmp(t, "{arg}", 5) == 0) {
			demo_put_arg(arg ? arg : "", out);
			t += 5;
		} else if (strncmp(t, "{domain}", 8) == 0) {
			buf_adds(out, sc->domain);
			t += 8;
		} else if (*t == '\n') {
			buf_add(out, "\r\n", 2);
			t++;
		} else {
			buf_addc(out, *t++);
		}
	}
	buf_add(out, "\r\n", 2);
}

void demo_expand(const struct demo_scenario *sc, enum demo_reply which,
		 const char *arg, struct buf *out)
{
	const char *t = sc->replies[which];

	demo_expand_text(sc, t ? t : demo_default.replies[which], arg, out);
}
