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
#include "smtpscope/kb.h"
#include "smtpscope/session.h"
#include "smtpscope/util.h"

#define CMD_PREFIX '/'
#define CMD_MAX_ARGS 16

/* What tab completion offers for a command's arguments. */
enum cmd_complete { CMD_COMPLETE_NONE, CMD_COMPLETE_FILE, CMD_COMPLETE_COMMAND,
		    CMD_COMPLETE_CODE, CMD_COMPLETE_HOST, CMD_COMPLETE_AUTH };

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

struct demo_ctl;
struct replay;

/* Shared by every command; owned by the front-end. */
struct cmd_ctx {
	struct client *client;
	struct session *session;
	const char *default_port;
	const struct kb *kb;       /* for /explain */
	struct demo_ctl *demo;     /* for /scenario, or NULL */
	struct replay *replay;     /* for /replay (the front-end runs it) */
	bool replay_by_key;        /* the TUI: a key per replay step */
	bool ladder_pane;          /* the TUI: /ladder switches the session pane
				    * to the ladder view instead of printing */
	bool ladder_view;          /* the TUI's session pane shows the ladder */
	bool guide;                /* /guide on: a hint after the replies */
	bool quit;          /* /quit ran: the front-end exits when idle */
	bool message_mode;  /* /data ran: following lines are the message */
	const struct cmd_auth_options *auth_opt;
	/* /auth waits for its secret: the next input line, which is
	 * neither shown nor stored (front-ends mask it). */
	struct cmd_auth_pending *auth_pending;
	/* The message /compose showed, until /compose send. */
	struct cmd_compose *compose;
};

struct cmd_entry {
	const char *name;
	const char *args;     /* "HOST[:PORT]" */
	const char *summary;  /* one line for the list */
	const char *help;     /* a few sentences for /help NAME */
	enum cmd_complete complete;
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
extern const struct cmd_entry cmd_explain_entry;
extern const struct cmd_entry cmd_guide_entry;
extern const struct cmd_entry cmd_help_entry;
extern const struct cmd_entry cmd_ladder_entry;
extern const struct cmd_entry cmd_pipe_entry;
extern const struct cmd_entry cmd_quit_entry;
extern const struct cmd_entry cmd_replay_entry;
extern const struct cmd_entry cmd_save_entry;
extern const struct cmd_entry cmd_scenario_entry;
extern const struct cmd_entry cmd_sendfile_entry;
extern const struct cmd_entry cmd_starttls_entry;
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
/* Runs a line as the user typed it: local command or SMTP line. */
int cmd_input(struct cmd_ctx *ctx, const char *line);

#endif
