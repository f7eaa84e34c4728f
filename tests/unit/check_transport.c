/* transport: target parsing (the network parts are integration tests). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smtpscope/transport.h"
#include "smtpscope/transport-local.h"
#include "smtpscope/util.h"
#include "suites.h"

static void parses(const char *spec, const char *host, const char *port)
{
	struct transport_target t;
	char *err = NULL;

	ck_assert_msg(transport_parse_target(spec, "25", &t, &err), "%s: %s", spec, err);
	ck_assert_str_eq(t.host, host);
	ck_assert_str_eq(t.port, port);
	transport_target_free(&t);
}

static void rejects_with(const char *spec, const char *says)
{
	struct transport_target t;
	char *err = NULL;

	ck_assert_msg(!transport_parse_target(spec, "25", &t, &err), "%s accepted", spec);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_null(t.host);
	ck_assert_msg(strstr(err, says) != NULL, "%s: \"%s\" lacks \"%s\"", spec, err, says);
	free(err);
}

static void rejects(const char *spec)
{
	rejects_with(spec, "expected");
}

START_TEST(test_targets)
{
	parses("mx.example.org", "mx.example.org", "25");
	parses("mx.example.org:587", "mx.example.org", "587");
	parses("127.0.0.1:2525", "127.0.0.1", "2525");
	parses("[::1]:2525", "::1", "2525");
	parses("[::1]", "::1", "25");
	parses("::1", "::1", "25");
	parses("2001:db8::25", "2001:db8::25", "25");
	parses("host:smtp", "host", "smtp");
	rejects("");
	rejects(":25");
	rejects("host:");
	rejects("[::1");
	rejects("[]:25");
	rejects("[::1]x");
}
END_TEST

/* Caught before any lookup, each naming what would be right. */
START_TEST(test_bad_ports_and_paths)
{
	parses("host:65535", "host", "65535");
	parses("[::1]:submission", "::1", "submission");
	rejects_with("host:abc", "expected a number from 1 to 65535");
	rejects_with("host:0", "expected a number from 1 to 65535");
	rejects_with("host:65536", "expected a number from 1 to 65535");
	rejects_with("host:2525x", "bad port");
	rejects_with("host:-25", "bad port");
	rejects_with("[::1]:abc", "bad port");
	{
		/* Listening, port 0 asks for a free port. */
		struct transport_target t;
		char *err = NULL;

		ck_assert(transport_parse_listen("127.0.0.1:0", &t, &err));
		ck_assert_str_eq(t.port, "0");
		transport_target_free(&t);
		ck_assert(transport_parse_listen("127.0.0.1", &t, &err));
		ck_assert_str_eq(t.port, "0");
		transport_target_free(&t);
		ck_assert(!transport_parse_listen("127.0.0.1:x", &t, &err));
		free(err);
	}
	rejects_with("./message.eml", "looks like a file path");
	rejects_with("/tmp/message.eml", "looks like a file path");
	rejects_with("~/mail.eml:25", "looks like a file path");
	rejects_with("mail dir", "not ' '");
	rejects_with("mx\x1b[2J.test", "not 0x1b");
	/* The user's own bytes are escaped in the message too. */
	rejects_with("mx\x1b[2J.test", "mx\\x1b[2J.test");
}
END_TEST

/* A bare word that names an existing file is a path, not a host. */
START_TEST(test_existing_file_is_not_a_host)
{
	char dir[] = "/tmp/smtpscope-target-XXXXXX";
	char *cwd = getcwd(NULL, 0);
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chdir(dir), 0);
	f = fopen("bounce.eml", "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	rejects_with("bounce.eml", "looks like a file path");
	parses("bounce.test", "bounce.test", "25");
	ck_assert_int_eq(unlink("bounce.eml"), 0);
	ck_assert_int_eq(chdir(cwd), 0);
	ck_assert_int_eq(rmdir(dir), 0);
	free(cwd);
}
END_TEST

/* --connect-to: the four fields, brackets, empty fields, refusals. */
static void route_parses(const char *spec, const char *h, const char *p, const char *a,
			 const char *ap)
{
	struct transport_route r;
	char *err = NULL;

	ck_assert_msg(transport_connect_to_parse(spec, &r, &err), "%s: %s", spec, err);
	ck_assert_str_eq(r.host, h);
	ck_assert_str_eq(r.port, p);
	ck_assert_str_eq(r.addr, a);
	ck_assert_str_eq(r.addr_port, ap);
	transport_route_free(&r);
}

static void route_rejects(const char *spec, const char *says)
{
	struct transport_route r;
	char *err = NULL;

	ck_assert_msg(!transport_connect_to_parse(spec, &r, &err), "%s accepted", spec);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_null(r.host);
	ck_assert_msg(strstr(err, says) != NULL, "%s: \"%s\" lacks \"%s\"", spec, err, says);
	ck_assert_msg(strstr(err, "HOST:PORT:ADDR:PORT") != NULL, "%s: %s names no form", spec, err);
	free(err);
}

START_TEST(test_connect_to_parse)
{
	route_parses("mx1.example.test:25:127.0.0.2:2525", "mx1.example.test", "25", "127.0.0.2",
		     "2525");
	route_parses("::127.0.0.1:2525", "", "", "127.0.0.1", "2525");
	route_parses("mx.test:25::", "mx.test", "25", "", "");
	route_parses("[::1]:25:[::1]:2525", "::1", "25", "::1", "2525");
	route_parses("mx.test:smtp:127.0.0.1:submission", "mx.test", "smtp", "127.0.0.1",
		     "submission");
	route_rejects("", "expected");
	route_rejects("mx.test:25:127.0.0.1", "expected");
	route_rejects("mx.test:25:127.0.0.1:2525:9", "expected");
	route_rejects("mx.test", "expected");
	route_rejects("[::1:25:a:1", "expected");
	route_rejects("[]:25:a:1", "expected");
	route_rejects("[::1]x:25:a:1", "expected");
	route_rejects("mx.test:99999:a:25", "bad port \"99999\"");
	route_rejects("mx.test:25:a:0", "bad port \"0\"");
	route_rejects("mx.test:25:a:nosuchservice", "bad port");
	route_rejects("a/b:25:a:25", "not a host name");
	route_rejects("a:25:b c:25", "not a host name");
}
END_TEST

static void route_is(const struct transport_connect_to *m, const char *host, const char *port,
		     const char *addr, const char *aport)
{
	char *a = NULL, *p = NULL;
	const char *spec = NULL;
	bool hit = transport_connect_to_match(m, host, port, &a, &p, &spec);

	if (addr == NULL) {
		ck_assert_msg(!hit, "%s:%s matched %s", host, port, spec);
		return;
	}
	ck_assert_msg(hit, "%s:%s matched nothing", host, port);
	ck_assert_ptr_nonnull(spec);
	ck_assert_str_eq(a, addr);
	ck_assert_str_eq(p, aport);
	free(a);
	free(p);
}

START_TEST(test_connect_to_match)
{
	struct transport_connect_to m = { 0 };
	char *err = NULL;

	route_is(NULL, "mx.test", "25", NULL, NULL);
	route_is(&m, "mx.test", "25", NULL, NULL);
	ck_assert(transport_connect_to_add(&m, "mx1.example.test:25:127.0.0.2:2525", &err));
	ck_assert(transport_connect_to_add(&m, "mx2.example.test::127.0.0.3:", &err));
	ck_assert(transport_connect_to_add(&m, ":587:[::1]:2587", &err));
	ck_assert(transport_connect_to_add(&m, "mx1.example.test:26:127.0.0.9:9", &err));
	ck_assert(!transport_connect_to_add(&m, "bad", &err));
	free(err);
	ck_assert_uint_eq(m.n, 4);
	route_is(&m, "mx1.example.test", "25", "127.0.0.2", "2525");
	/* case, a trailing dot, a service name for the port */
	route_is(&m, "MX1.Example.TEST.", "smtp", "127.0.0.2", "2525");
	route_is(&m, "mx1.example.test", "2525", NULL, NULL);
	route_is(&m, "mx1.example.test", "26", "127.0.0.9", "9");
	/* empty PORT matches any port; empty ADDR PORT keeps the port */
	route_is(&m, "mx2.example.test", "2526", "127.0.0.3", "2526");
	/* empty HOST matches any host */
	route_is(&m, "anything.test", "587", "::1", "2587");
	route_is(&m, "anything.test", "25", NULL, NULL);
	route_is(&m, "mx1.example.tes", "25", NULL, NULL);
	/* the first matching rule wins */
	ck_assert(transport_connect_to_add(&m, "mx1.example.test:25:127.0.0.8:1", &err));
	route_is(&m, "mx1.example.test", "25", "127.0.0.2", "2525");
	/* an empty ADDR keeps the host */
	ck_assert(transport_connect_to_add(&m, "keep.test:25::2500", &err));
	route_is(&m, "keep.test", "25", "keep.test", "2500");
	while (m.n < TRANSPORT_CONNECT_TO_MAX)
		ck_assert(transport_connect_to_add(&m, "x.test:25:y.test:25", &err));
	ck_assert(!transport_connect_to_add(&m, "x.test:25:y.test:25", &err));
	ck_assert_ptr_nonnull(strstr(err, "at most"));
	free(err);
}
END_TEST

/* ---- unix:PATH and --pipe (transport-local.h) ------------------------ */

START_TEST(test_unix_and_pipe_targets)
{
	struct transport_target t;
	char long_path[200], spec[220];
	char *err = NULL;

	ck_assert(transport_parse_connect("unix:/run/dovecot/lmtp", "25", &t, &err));
	ck_assert_str_eq(t.path, "/run/dovecot/lmtp");
	ck_assert_ptr_null(t.host);
	ck_assert_ptr_null(t.port);
	transport_target_free(&t);
	ck_assert(transport_parse_connect("mx.example.org:587", "25", &t, &err));
	ck_assert_str_eq(t.host, "mx.example.org");
	ck_assert_ptr_null(t.path);
	transport_target_free(&t);
	ck_assert(!transport_parse_connect("unix:", "25", &t, &err));
	ck_assert_ptr_nonnull(strstr(err, "unix:/run/dovecot/lmtp"));
	free(err);
	memset(long_path, 'a', sizeof long_path - 1);
	long_path[sizeof long_path - 1] = '\0';
	snprintf(spec, sizeof spec, "unix:/%s", long_path);
	ck_assert(!transport_parse_connect(spec, "25", &t, &err));
	ck_assert_ptr_nonnull(strstr(err, "at most 107"));
	free(err);
	/* where only a host will do, unix: is refused in words */
	ck_assert(!transport_parse_target("unix:/run/x", "25", &t, &err));
	ck_assert_ptr_nonnull(strstr(err, "is a UNIX socket"));
	free(err);
	ck_assert(transport_parse_pipe("exim -bh 192.0.2.1", &t, &err));
	ck_assert_str_eq(t.command, "exim -bh 192.0.2.1");
	transport_target_free(&t);
	ck_assert(!transport_parse_pipe(" \t", &t, &err));
	ck_assert_ptr_nonnull(strstr(err, "sendmail -bs"));
	free(err);
}
END_TEST

struct local_fx {
	struct loop *loop;
	struct transport_result *res;
	struct buf err;
	struct transport_exit exit;
	int exits, groups;
};

static void local_on_result(void *ctx, struct transport_result *res)
{
	struct local_fx *f = ctx;

	f->res = res;
}

/* Runs the loop until the result is in, or 5 s. */
static struct transport_result *local_connect(struct local_fx *f, const struct transport_target *t)
{
	f->res = NULL;
	transport_connect_start(f->loop, t, 5000, local_on_result, f);
	for (int i = 0; i < 100 && f->res == NULL; i++)
		loop_once(f->loop, 50);
	ck_assert_ptr_nonnull(f->res);
	return f->res;
}

START_TEST(test_unix_connect_and_listen)
{
	char dir[] = "/tmp/smtpscope-unix.XXXXXX", path[128], file[128];
	struct transport_target t = { .path = path };
	struct local_fx f = { .loop = loop_new() };
	struct transport_result *r;
	char *err = NULL;
	int fd, again;
	FILE *fp;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/smtp.sock", dir);
	snprintf(file, sizeof file, "%s/plain", dir);
	/* nothing there */
	r = local_connect(&f, &t);
	ck_assert_int_eq(r->error, TRANSPORT_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(r->message, "no UNIX socket at"));
	transport_result_free(r);
	/* a listener: connected, named unix:PATH */
	fd = transport_unix_listen(path, &err);
	ck_assert_msg(fd >= 0, "%s", err);
	r = local_connect(&f, &t);
	ck_assert_int_eq(r->error, TRANSPORT_OK);
	ck_assert_int_ge(r->fd, 0);
	ck_assert_ptr_nonnull(strstr(r->peer, "/smtp.sock"));
	close(r->fd);
	transport_result_free(r);
	/* a second listener on a live socket is refused */
	again = transport_unix_listen(path, &err);
	ck_assert_int_lt(again, 0);
	ck_assert_ptr_nonnull(strstr(err, "already accepts"));
	free(err);
	/* closed: a stale socket file, refused; then replaced by a listener */
	close(fd);
	r = local_connect(&f, &t);
	ck_assert_int_eq(r->error, TRANSPORT_EREFUSED);
	ck_assert_ptr_nonnull(strstr(r->message, "stale"));
	transport_result_free(r);
	fd = transport_unix_listen(path, &err);
	ck_assert_msg(fd >= 0, "%s", err);
	transport_unix_close_listener(fd);
	ck_assert_int_ne(access(path, F_OK), 0);
	/* a regular file is no socket */
	fp = fopen(file, "w");
	ck_assert_ptr_nonnull(fp);
	fclose(fp);
	t.path = file;
	r = local_connect(&f, &t);
	ck_assert_ptr_nonnull(strstr(r->message, "a regular file, not a UNIX socket"));
	transport_result_free(r);
	ck_assert_int_lt(transport_unix_listen(file, &err), 0);
	ck_assert_ptr_nonnull(strstr(err, "exists and is a regular file"));
	free(err);
	unlink(file);
	rmdir(dir);
	loop_free(f.loop);
}
END_TEST

static void local_err_line(void *ctx, const char *line, size_t len, bool cut)
{
	struct local_fx *f = ctx;

	buf_add(&f->err, line, len);
	buf_adds(&f->err, cut ? "[cut]\n" : "\n");
}

static void local_exited(void *ctx, const struct transport_exit *e)
{
	struct local_fx *f = ctx;

	f->exit = *e;
	f->exits++;
}

static void local_group(void *ctx, int sig)
{
	struct local_fx *f = ctx;

	(void)sig;
	f->groups++;
}

/* The program with its events watched, until it ends (or 8 s). */
static struct transport_child *local_spawn(struct local_fx *f, const char *command,
					   struct transport_result **res)
{
	struct transport_target t = { .command = (char *)command };
	struct transport_child *ch;

	*res = local_connect(f, &t);
	ck_assert_int_eq((*res)->error, TRANSPORT_OK);
	ch = (*res)->child;
	ck_assert_ptr_nonnull(ch);
	(*res)->child = NULL;
	buf_clear(&f->err);
	f->exits = 0;
	transport_child_watch(ch, f->loop, &(struct transport_child_events){
		.err_line = local_err_line, .exited = local_exited, .group_signal = local_group,
		.ctx = f });
	return ch;
}

static void local_wait(struct local_fx *f, struct transport_child *ch)
{
	for (int i = 0; i < 160 && transport_child_busy(ch); i++)
		loop_once(f->loop, 50);
	ck_assert(!transport_child_busy(ch));
}

START_TEST(test_pipe_program)
{
	struct local_fx f = { .loop = loop_new() };
	struct transport_result *r;
	struct transport_child *ch;
	char line[16];
	ssize_t n;

	buf_init(&f.err);
	/* its output on our socket, its standard error in lines (a CR, a
	 * long line cut, a last line without LF), its exit status; it holds
	 * only 0, 1 and 2 */
	ch = local_spawn(&f, "echo 220 hi; echo one >&2; printf 'two\\r\\n' >&2; "
			     "ls /proc/self/fd | tr '\\n' ' ' >&2; echo >&2; "
			     "head -c 1500 /dev/zero | tr '\\0' x >&2; echo >&2; printf last >&2; exit 3",
			 &r);
	local_wait(&f, ch);
	ck_assert_int_eq(f.exits, 1);
	ck_assert(!f.exit.signaled);
	ck_assert_int_eq(f.exit.code, 3);
	ck_assert_ptr_nonnull(strstr(f.err.data, "one\ntwo\n0 1 2 3 \n"));
	ck_assert_ptr_nonnull(strstr(f.err.data, "xxx[cut]\nlast\n"));
	n = read(r->fd, line, sizeof line - 1);
	ck_assert_int_eq(n, 7);
	close(r->fd);
	transport_result_free(r);
	transport_child_free(ch);
	/* a command the shell does not find: 127 */
	ch = local_spawn(&f, "nosuch-command-for-smtpscope-tests", &r);
	local_wait(&f, ch);
	ck_assert_int_eq(f.exit.code, 127);
	ck_assert_ptr_nonnull(strstr(f.err.data, "not found"));
	close(r->fd);
	transport_result_free(r);
	transport_child_free(ch);
	/* input closed, still running, SIGTERM ignored by what the shell runs:
	 * SIGTERM ends the shell, SIGKILL the rest of its group */
	ch = local_spawn(&f, "sh -c 'trap \"\" TERM; while :; do sleep 0.05; done'; echo unreachable", &r);
	close(r->fd);
	transport_child_hangup(ch);
	local_wait(&f, ch);
	ck_assert(f.exit.signaled);
	ck_assert(f.exit.by_us);
	ck_assert_int_eq(f.groups, 1);
	transport_result_free(r);
	transport_child_free(ch);
	/* freed while it runs: killed and reaped at once, no event */
	ch = local_spawn(&f, "sleep 30", &r);
	f.exits = 0;
	transport_child_free(ch);
	ck_assert_int_eq(f.exits, 0);
	close(r->fd);
	transport_result_free(r);
	buf_free(&f.err);
	loop_free(f.loop);
}
END_TEST

Suite *transport_suite(void)
{
	Suite *s = suite_create("transport");
	TCase *tc = tcase_create("targets");

	tcase_add_test(tc, test_targets);
	tcase_add_test(tc, test_bad_ports_and_paths);
	tcase_add_test(tc, test_existing_file_is_not_a_host);
	tcase_add_test(tc, test_connect_to_parse);
	tcase_add_test(tc, test_connect_to_match);
	tcase_add_test(tc, test_unix_and_pipe_targets);
	tcase_add_test(tc, test_unix_connect_and_listen);
	tcase_add_test(tc, test_pipe_program);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}
