/* /cert [save FILE] */
#include "config.h"

#include <stdlib.h>

#include "smtpscope/cmd.h"
#include "smtpscope/i18n.h"
#include "smtpscope/tls.h"
#include "smtpscope/util.h"

static int cmd_cert_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct tls_conn *t = client_tls(ctx->client);
	char *err = NULL;
	struct buf b;

	if (t == NULL) {
		session_text(ctx->session, SESSION_ERROR,
			     _("no TLS connection: /starttls (or connect with --tls) first"));
		return -1;
	}
	if (argc == 1) {
		buf_init(&b);
		tls_chain_text(t, &b);
		session_tls(ctx->session, SESSION_TLS_NOTE, NULL, "%s", b.data);
		buf_free(&b);
		return 0;
	}
	if (argc != 3 || !util_strieq(argv[1], "save")) {
		session_text(ctx->session, SESSION_ERROR, _("usage: /cert [save FILE]"));
		return -1;
	}
	if (!tls_chain_save(t, argv[2], &err))
		return cmd_fail(ctx, err, NULL);
	session_text(ctx->session, SESSION_NOTE, _("certificate chain saved as PEM in %s"), argv[2]);
	return 0;
}

const struct cmd_entry cmd_cert_entry = {
	.name = "cert",
	.args = N_("[save FILE]"),
	.summary = N_("show the server's certificate chain, or save it as PEM"),
	.help = N_("Shows every certificate the server sent (subject, issuer, names, "
		"validity, key and SHA-256 fingerprint). \"/cert save FILE\" writes "
		"the chain to FILE in PEM, e.g. for openssl x509 -text."),
	.complete = CMD_COMPLETE_FILE,
	.min_args = 0,
	.max_args = 2,
	.run = cmd_cert_run,
};
