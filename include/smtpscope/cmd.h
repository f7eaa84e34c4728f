/* cmd: local commands.  One table; each command lives in its own file
 * (src/cmd-NAME.c) and exports one entry with its name, arguments, usage,
 * help text, completion kind and run function.  Dispatch, help and
 * completion all read the same table, in line mode and in the TUI.
 *
 * A line starting with CMD_PREFIX is a local command; any other line is
 * an SMTP command sent as typed. */
#ifndef SMTPSCOPE_CMD_H
#define SMTPSCOPE_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "smtpscope/client.h"
#include "smtpscope/dns.h"
#include "smtpscope/kb.h"
#include "smtpscope/session.h"
#include "smtpscope/util.h"

#define CMD_PREFIX '/'
#define CMD_MAX_ARGS 16

/* What tab completion offers for a command's arguments. */
enum cmd_complete { CMD_COMPLETE_NONE, CMD_COMPLETE_FILE, CMD_COMPLETE_COMMAND,
		    CMD_COMPLETE_CODE, CMD_COMPLETE_HOST, CMD_COMPLETE_AUTH,
		    CMD_COMPLETE_WORDS, /* the entry's words, for the first argument */
		    CMD_COMPLETE_DOMAIN /* the domains of the addresses in MAIL FROM
					 * and RCPT TO lines sent so far */ };

/* Where /auth finds the user name and the secret (options). */
struct cmd_auth_options {
	const char *user;          /* --auth-user */
	const char *password_env;  /* --password-env VAR */
	const char *password_file; /* --password-file FILE (first line) */
	const char *token;         /* --token TOKEN (XOAUTH2) */
	const char *token_env;     /* --token-env VAR */
};

struct cmd_auth_pending;
struct cmd_compose;
struct cmd_dns;
struct cmd_mx;
struct cmd_mtasts;
struct loop;

struct demo_ctl;
struct replay;

/* Shared by every command; owned by the front-end. */
struct cmd_ctx {
	struct client *client;
	struct session *session;
	const char *default_port;
	const struct kb *kb;       /* for /explain */
	struct kb *relang_kb;      /* /lang reloads it in place (the same as kb),
				    * or NULL */
	bool relang;               /* /lang ran: front-ends draw afresh */
	struct demo_ctl *demo;     /* for /scenario, or NULL */
	struct replay *replay;     /* for /replay (the front-end runs it) */
	bool replay_by_key;        /* the TUI: a key per replay step */
	bool ladder_pane;          /* the TUI: /ladder switches the session pane
				    * to the ladder view instead of printing */
	bool ladder_view;          /* the TUI's session pane shows the ladder */
	bool guide;                /* /guide on: a hint after the replies */
	bool quit;          /* /quit ran: the front-end exits when idle */
	size_t failures;    /* input lines refused here (unknown or failed
			     * local command, a line with no connection):
			     * batch mode exits with BATCH_EXIT_LOCAL */
	bool unconnected;   /* the line now running was refused for want
			     * of a connection */
	bool message_mode;  /* /data ran: following lines are the message */
	const struct cmd_auth_options *auth_opt;
	/* /auth waits for its secret: the next input line, which is
	 * neither shown nor stored (front-ends mask it). */
	struct cmd_auth_pending *auth_pending;
	/* The message /compose showed, until /compose send. */
	struct cmd_compose *compose;
	/* /dns: the loop its lookups run on, the resolver's options, and the
	 * resolver (made at the first /dns) with the lookup in flight. */
	struct loop *loop;
	const struct dns_options *dns_opt;
	struct cmd_dns *dns;
	/* /mx and /connect --mx: the domain being resolved, its plan, and
	 * the MX being connected to (on the same resolver). */
	struct cmd_mx *mx;
	/* /connect --dane (and --dane): the TLSA lookup before connecting */
	struct cmd_dane_connect *dane_connect;
	/* /mtasts: the MTA-STS check in flight (on the same resolver). */
	struct cmd_mtasts *mtasts;
};

struct cmd_entry {
	const char *name;
	const char *args;     /* "HOST[:PORT]" */
	const char *summary;  /* one line for the list */
	const char *help;     /* a few sentences for /help NAME */
	enum cmd_complete complete;
	const char *const *words; /* CMD_COMPLETE_WORDS: NULL-terminated */
	/* What Tab offers for the arguments after the first, when it differs
	 * from `complete` (0: the same). */
	enum cmd_complete complete_next;
	int min_args, max_args;
	/* The arguments are one string, the rest of the line as typed
	 * (argv[1], absent when empty): no quoting, no splitting. */
	bool raw_args;
	/* Refused, with the one "not connected" wording, unless connected. */
	bool needs_connection;
	/* Returns 0, or -1 after recording an error in the session. */
	int (*run)(struct cmd_ctx *ctx, int argc, char **argv);
};

extern const struct cmd_entry cmd_auth_entry;
extern const struct cmd_entry cmd_bdat_entry;
extern const struct cmd_entry cmd_cert_entry;
extern const struct cmd_entry cmd_compose_entry;
extern const struct cmd_entry cmd_connect_entry;
extern const struct cmd_entry cmd_data_entry;
extern const struct cmd_entry cmd_dns_entry;
extern const struct cmd_entry cmd_explain_entry;
extern const struct cmd_entry cmd_guide_entry;
extern const struct cmd_entry cmd_help_entry;
extern const struct cmd_entry cmd_ladder_entry;
extern const struct cmd_entry cmd_lang_entry;
extern const struct cmd_entry cmd_mtasts_entry;
extern const struct cmd_entry cmd_mx_entry;
extern const struct cmd_entry cmd_pipe_entry;
extern const struct cmd_entry cmd_quit_entry;
extern const struct cmd_entry cmd_raw_entry;
extern const struct cmd_entry cmd_replay_entry;
extern const struct cmd_entry cmd_save_entry;
extern const struct cmd_entry cmd_scenario_entry;
extern const struct cmd_entry cmd_sendfile_entry;
extern const struct cmd_entry cmd_starttls_entry;
extern const struct cmd_entry cmd_tlsa_entry;
extern const struct cmd_entry cmd_trace_entry;

/* The table, sorted by name. */
const struct cmd_entry *const *cmd_table(size_t *n);
/* Exact name, or a unique prefix of one. */
const struct cmd_entry *cmd_find(const char *name);
/* Splits words with "double quotes" and backslash escapes.  Returns the
 * word count or -1 (unbalanced quote); words point into a copy the
 * caller frees with cmd_split_free(). */
int cmd_split(const char *line, char ***argv);
void cmd_split_free(int argc, char **argv);
/* Runs one local command line (without the prefix).  Errors go to the
 * session with the usage that would be right.  Returns 0 or -1. */
int cmd_execute(struct cmd_ctx *ctx, const char *line);
/* For a command's run(): records err (taken and freed; NULL says
 * `fallback`) as an error in the session and returns -1. */
int cmd_fail(struct cmd_ctx *ctx, char *err, const char *fallback);
/* Each line of text (problems one a line, as the catalogs report them;
 * NULL is none) as a warning in the session. */
void cmd_warn_lines(struct cmd_ctx *ctx, const char *text);
/* True when connected; otherwise records "not connected: /connect
 * HOST[:PORT] first, then /WHAT" and returns false. */
bool cmd_connected(struct cmd_ctx *ctx, const char *what);
/* For an on|off command NAME: sets *flag from argv[1] if given; false
 * (after recording "usage: /NAME on|off") for any other argument. */
bool cmd_switch(struct cmd_ctx *ctx, const char *name, int argc, char **argv, bool *flag);
/* Completes a waiting /auth with the secret the user typed. */
int cmd_auth_secret(struct cmd_ctx *ctx, const char *secret);
void cmd_auth_pending_free(struct cmd_ctx *ctx);
void cmd_compose_free(struct cmd_ctx *ctx);
/* The unique part of a composed message's Message-ID and MIME boundary
 * (the time and random hex digits), into out of n octets. */
void cmd_compose_unique(char *out, size_t n);
/* A /dns lookup (or the resolver's first probe), or a /mtasts check, is
 * still awaited: the front-end waits for it as for a reply. */
bool cmd_dns_busy(const struct cmd_ctx *ctx);
void cmd_dns_free(struct cmd_ctx *ctx);
/* The resolver of /dns, /mx and /connect --mx, made at its first use;
 * NULL and *err (to free) when it cannot be set up. */
struct dns *cmd_dns_resolver(struct cmd_ctx *ctx, char **err);
/* /mx (connect false) and /connect --mx: resolves the domain of target
 * (an address's domain part) as a sender does, prints the plan, and then
 * connects to the first MX that answers.  Returns 0, or -1 after saying
 * why nothing was started.  Its lookups hold the queue (cmd_dns_busy). */
int cmd_mx_start(struct cmd_ctx *ctx, const char *target, bool connect);
void cmd_mx_free(struct cmd_ctx *ctx);
/* /connect --dane HOST[:PORT] (and the --dane option): TLSA at
 * _PORT._tcp.HOST first, then the connection, verified by DANE (RFC 7672)
 * when the records are DNSSEC-signed and usable; HOST is taken as the MX
 * (its MX RRset is not looked up).  0, or a failure as cmd_fail. */
int cmd_connect_dane(struct cmd_ctx *ctx, const char *target);
void cmd_connect_dane_free(struct cmd_ctx *ctx);
/* /connect --mx: the domain's MTA-STS check is still out (the queue waits). */
bool cmd_mx_busy(const struct cmd_ctx *ctx);
/* Cancels a /mtasts check still running (before the resolver goes). */
void cmd_mtasts_free(struct cmd_ctx *ctx);
/* Runs a line as the user typed it: local command or SMTP line. */
int cmd_input(struct cmd_ctx *ctx, const char *line);

#endif
