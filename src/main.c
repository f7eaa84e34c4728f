/* smtpscope: command-line entry point. */
#include "config.h" /* and -D_GNU_SOURCE (Makefile.am): sched_getcpu, affinity */

#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smtpscope/batch.h"
#include "smtpscope/cli.h"
#include "smtpscope/cli-options.h"
#include "smtpscope/demo.h"
#include "smtpscope/front.h"
#include "smtpscope/i18n.h"
#include "smtpscope/kb.h"
#include "smtpscope/loop.h"
#include "smtpscope/oneshot.h"
#include "smtpscope/tls.h"
#include "smtpscope/ui.h"
#include "smtpscope/util.h"

/* Reads the shipped scenarios, in the language of the messages; a broken
 * file is a problem in errors, not fatal (demo_ctl.load_catalog). */
static void main_load_catalog(struct demo_catalog *cat, struct buf *errors)
{
	demo_catalog_load(cat, kb_default_dir(), errors);
	if (kb_lang_available(kb_default_dir(), i18n_lang()))
		demo_catalog_translate(cat, kb_default_dir(), i18n_lang(), errors);
}

/* The demo's catalog read now, its problems on stderr, and a scenario
 * found in it by name or file; NULL after saying why. */
static const struct demo_scenario *main_scenario(struct demo_ctl *demo, const char *name,
						 const char *who)
{
	const struct demo_scenario *sc;
	struct buf errors;
	char *err = NULL;

	buf_init(&errors);
	demo->load_catalog = main_load_catalog;
	sc = demo_catalog_find(demo_ctl_catalog(demo, &errors), name, &err);
	for (const char *p = errors.data; p && *p; ) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		fprintf(stderr, "%s: %.*s\n", who, (int)n, p);
		p += n + (nl != NULL);
	}
	buf_free(&errors);
	if (sc == NULL) {
		fprintf(stderr, "%s: %s\n", who, err);
		free(err);
	}
	return sc;
}

static void serve_on_signal(void *ctx, int signo)
{
	(void)signo;
	loop_stop(ctx);
}

static int serve_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "tls-listen", required_argument, NULL, 'L' },
		{ "scenario", required_argument, NULL, 's' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *listen_spec = CLI_SERVE_DEFAULT_LISTEN, *tls_spec = NULL;
	const char *scenario = "happy", *cert = NULL, *key = NULL;
	const struct demo_scenario *sc;
	struct demo_ctl ctl = { 0 }; /* only its catalog */
	char *bound = NULL, *tls_bound = NULL, *err = NULL;
	struct loop *l;
	struct demo_server *d;
	struct tls_server *tls;
	int c, fd, tls_fd = -1;
	const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

	optind = 1;
	while ((c = getopt_long(argc, argv, "l:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			listen_spec = optarg;
			break;
		case 'L':
			tls_spec = optarg;
			break;
		case 's':
			scenario = optarg;
			break;
		case 'c':
			cert = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'h':
			cli_usage(stdout);
			return 0;
		default:
			fputs(_("smtpscope serve: usage: smtpscope serve [--scenario NAME] [--listen ADDR:PORT]\n"), stderr);
			return BATCH_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, _("smtpscope serve: unexpected argument \"%s\"; usage: smtpscope serve [--listen ADDR:PORT]\n"),
			argv[optind]);
		return BATCH_EXIT_USAGE;
	}
	if ((cert == NULL) != (key == NULL)) {
		fputs(_("smtpscope serve: --cert and --key go together: the certificate "
			"(PEM) and its private key (PEM)\n"), stderr);
		return BATCH_EXIT_USAGE;
	}
	sc = main_scenario(&ctl, scenario, "smtpscope serve");
	if (sc == NULL) {
		demo_catalog_free(&ctl.catalog);
		return BATCH_EXIT_USAGE;
	}
	fd = demo_listen(listen_spec, &bound, &err);
	if (fd < 0) {
		fprintf(stderr, "smtpscope serve: %s\n", err);
		free(err);
		demo_catalog_free(&ctl.catalog);
		return BATCH_EXIT_USAGE;
	}
	if (tls_spec && (tls_fd = demo_listen(tls_spec, &tls_bound, &err)) < 0) {
		fprintf(stderr, "smtpscope serve: --tls-listen: %s\n", err);
		free(err);
		close(fd);
		free(bound);
		demo_catalog_free(&ctl.catalog);
		return BATCH_EXIT_USAGE;
	}
	tls = cert ? tls_server_from_files(cert, key, &err) : demo_tls_server(sc->domain, &err);
	if (tls == NULL && cert) {
		fprintf(stderr, "smtpscope serve: %s\n", err);
		free(err);
		close(fd);
		if (tls_fd >= 0)
			close(tls_fd);
		free(bound);
		free(tls_bound);
		demo_catalog_free(&ctl.catalog);
		return BATCH_EXIT_USAGE;
	}
	if (tls == NULL) {
		fprintf(stderr, _("smtpscope serve: no STARTTLS: %s\n"), err);
		free(err);
		err = NULL;
	}
	l = loop_new();
	d = demo_server_new(l, fd, sc, stdout);
	demo_server_set_tls(d, tls);
	if (tls_fd >= 0 && tls)
		demo_server_listen_implicit(d, tls_fd);
	else if (tls_fd >= 0)
		close(tls_fd);
	loop_signals(l, sigs, (int)UTIL_ARRAY_LEN(sigs), serve_on_signal, l);
	printf(_("smtpscope demo server listening on %s, scenario \"%s\": %s (Ctrl-C stops it)\n"),
	       bound, sc->name, _(sc->title));
	if (tls_fd >= 0 && tls)
		printf(_("smtpscope demo server: implicit TLS on %s\n"), tls_bound);
	fflush(stdout);
	loop_run(l);
	printf(ngettext("smtpscope demo server stopped (%u client were still connected)\n",
			"smtpscope demo server stopped (%u clients were still connected)\n",
			demo_server_clients(d)), demo_server_clients(d));
	demo_server_free(d);
	tls_server_free(tls);
	loop_free(l);
	free(bound);
	free(tls_bound);
	demo_catalog_free(&ctl.catalog);
	return 0;
}

/* The value of a --lang (or --lang=) among the options that has a
 * translation, or NULL for the environment's language. */
static const char *main_lang_arg(int argc, char **argv)
{
	const char *lang = NULL;

	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
			lang = argv[++i];
		else if (strncmp(argv[i], "--lang=", 7) == 0)
			lang = argv[i] + 7;
	}
	return lang && kb_lang_available(kb_default_dir(), lang) ? lang : NULL;
}


/* --to ...: the plan of the one-shot transaction, fed to the front-end;
 * false after saying why there is none. */
static bool main_oneshot(struct cli_options *o, struct oneshot_plan *plan,
			 struct oneshot_run **run)
{
	char host[256], *err = NULL;
	const char *login = getenv("LOGNAME");
	struct oneshot_env env;

	if (gethostname(host, sizeof host) != 0 || host[0] == '\0')
		snprintf(host, sizeof host, "%s", "smtpscope.invalid");
	host[sizeof host - 1] = '\0';
	if (login == NULL || login[0] == '\0')
		login = getenv("USER");
	env.host = host;
	env.login = login && login[0] ? login : "smtpscope";
	env.has_target = o->front.target != NULL;
	if (!oneshot_plan_make(&o->oneshot, &env, plan, &err)) {
		fprintf(stderr, "smtpscope: %s\n", err);
		free(err);
		oneshot_plan_free(plan);
		return false;
	}
	*run = oneshot_run_new(plan);
	o->front.feed = oneshot_feed;
	o->front.feed_arg = *run;
	/* no lines to read in line mode: the plan is the input (and standard
	 * input, if anything, the message) */
	if (!o->oneshot.interactive)
		o->front.in_fd = -1;
	return true;
}


/* The knowledge base of a session, read on a thread of its own from the
 * start (about 1 ms of CPU, a second core's while this one loads the TLS
 * files and the scenarios, sets up and connects) and waited for before
 * the first reply can be explained: by the TUI before it starts, in line
 * mode once the connection is under way (front_options.load_kb).  The
 * reading goes to whichever thread comes to it first: a thread the
 * scheduler has not started by then (one core, a busy machine) costs the
 * wait nothing, the main thread reads the kb itself. */
struct main_kb {
	struct kb *kb;
	pthread_t thread;
	bool joinable;
	bool any_cpu_known;
	cpu_set_t any_cpu;  /* the process's own CPUs, for the thread once started */
	atomic_int claim;   /* MAIN_KB_FREE, then who reads it */
};
enum { MAIN_KB_FREE, MAIN_KB_THREAD, MAIN_KB_MAIN };

static void *main_kb_thread(void *arg)
{
	struct main_kb *m = arg;
	int expected = MAIN_KB_FREE;

	/* created on another core than the main thread's (a new thread
	 * often waits for its parent's core otherwise); any core from now */
	if (m->any_cpu_known)
		pthread_setaffinity_np(pthread_self(), sizeof m->any_cpu, &m->any_cpu);
	if (atomic_compare_exchange_strong(&m->claim, &expected, MAIN_KB_THREAD))
		cli_read_kb(m->kb);
	return NULL;
}

static void main_kb_start(struct main_kb *m)
{
	pthread_attr_t attr;
	cpu_set_t other;
	int here = sched_getcpu();

	m->kb = kb_new();
	atomic_init(&m->claim, MAIN_KB_FREE);
	m->joinable = false;
	m->any_cpu_known = sched_getaffinity(0, sizeof m->any_cpu, &m->any_cpu) == 0;
	if (pthread_attr_init(&attr) != 0)
		return; /* main_kb_wait reads it */
	if (here >= 0 && m->any_cpu_known) {
		other = m->any_cpu;
		CPU_CLR(here, &other);
		if (CPU_COUNT(&other) > 0)
			pthread_attr_setaffinity_np(&attr, sizeof other, &other);
	}
	m->joinable = pthread_create(&m->thread, &attr, main_kb_thread, m) == 0;
	pthread_attr_destroy(&attr);
}

/* Makes the kb ready (once; later calls return at once) and reports its
 * problems on stderr. */
static void main_kb_wait(void *ctx)
{
	struct main_kb *m = ctx;
	int expected = MAIN_KB_FREE;

	if (m->kb == NULL)
		return;
	if (atomic_compare_exchange_strong(&m->claim, &expected, MAIN_KB_MAIN)) {
		cli_read_kb(m->kb);
	} else if (expected == MAIN_KB_MAIN) {
		return; /* read and reported already */
	}
	if (m->joinable)
		pthread_join(m->thread, NULL);
	m->joinable = false;
	cli_report_kb(m->kb);
	atomic_store(&m->claim, MAIN_KB_MAIN);
}

static void main_kb_free(struct main_kb *m)
{
	int expected = MAIN_KB_FREE;

	/* a thread not started yet finds nothing to read */
	atomic_compare_exchange_strong(&m->claim, &expected, MAIN_KB_MAIN);
	if (m->joinable)
		pthread_join(m->thread, NULL);
	kb_free(m->kb);
}

/* The demo server unless a target was given (or a one-shot finds its
 * MX, unless --demo), then the terminal UI (at a terminal, unless -b, --json or a
 * one-shot without --interactive) or line mode. */
static int main_front(struct cli_options *o)
{
	struct front_options *fo = &o->front;
	struct demo_ctl demo;
	const struct demo_scenario *sc;
	struct oneshot_plan plan;
	struct oneshot_run *run = NULL;
	bool oneshot = oneshot_wanted(&o->oneshot), tui;
	char *intro = NULL;
	struct main_kb kb;
	int status;

	memset(&demo, 0, sizeof demo);
	memset(&plan, 0, sizeof plan);
	main_kb_start(&kb);
	status = cli_options_load(o);
	demo.load_catalog = main_load_catalog; /* when /scenario wants it */
	if (status < 0 && fo->target == NULL && fo->pipe == NULL && (!oneshot || o->demo)) {
		char *err = NULL;

		if ((sc = main_scenario(&demo, o->scenario, "smtpscope")) == NULL) {
			status = BATCH_EXIT_USAGE;
		} else if (!demo_ctl_start(&demo, sc, &err)) {
			fprintf(stderr, "smtpscope: %s\n", err);
			free(err);
			status = BATCH_EXIT_INTERNAL;
		}
		if (status < 0) {
			fo->target = demo.target;
			intro = demo_ctl_intro(&demo);
			fo->intro = intro;
		}
	}
	if (status >= 0) {
		main_kb_free(&kb);
		demo_catalog_free(&demo.catalog);
		return status;
	}
	if (oneshot && !main_oneshot(o, &plan, &run)) {
		main_kb_free(&kb);
		demo_ctl_stop(&demo);
		demo_catalog_free(&demo.catalog);
		free(intro);
		return BATCH_EXIT_USAGE;
	}
	fo->demo = &demo;
	fo->interactive = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	tui = fo->interactive && !o->batch && !fo->json && (!oneshot || o->oneshot.interactive);
	if (oneshot && !tui)
		fo->interactive = false; /* a script's transaction, even at a terminal */
	fo->print.kb = kb.kb;
	fo->kb = kb.kb;
	if (tui) {
		main_kb_wait(&kb); /* the TUI: before it takes the screen */
	} else {
		fo->load_kb = main_kb_wait; /* line mode: once connecting */
		fo->load_kb_ctx = &kb;
	}
	status = -1;
	if (tui)
		status = ui_run(fo); /* -1: the terminal cannot be used */
	if (status < 0 && o->oneshot.interactive) {
		fputs(_("smtpscope: --interactive opens the terminal UI, which needs a terminal "
			"(standard input and output) and no --batch\n"), stderr);
		status = BATCH_EXIT_USAGE;
	} else if (status < 0) {
		status = batch_run(fo);
	}
	main_kb_free(&kb);
	demo_ctl_stop(&demo);
	demo_catalog_free(&demo.catalog);
	free(intro);
	oneshot_run_free(run);
	oneshot_plan_free(&plan);
	return status;
}

int main(int argc, char **argv)
{
	struct cli_options o;
	int status;

	signal(SIGPIPE, SIG_IGN);
	/* --lang first, so that even an error about an option before it is
	 * in that language; the option is checked again where it is parsed. */
	cli_set_lang(main_lang_arg(argc, argv));
	if (argc > 1 && strcmp(argv[1], "serve") == 0)
		return serve_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "explain") == 0)
		return cli_explain_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "probe") == 0)
		return cli_probe_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "tlsa") == 0)
		return cli_tlsa_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "mtasts") == 0)
		return cli_mtasts_main(argc - 1, argv + 1);
	status = cli_options_parse(&o, argc, argv);
	if (status < 0 && !cli_set_lang(o.lang))
		status = BATCH_EXIT_USAGE;
	if (status < 0)
		status = main_front(&o);
	cli_options_free(&o);
	front_reraise(); /* a signal ended the session: end by it */
	return status;
}
