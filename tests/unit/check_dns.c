/* dns: the rdata parsers (every type, truncated and malformed records,
 * names with escapes, bounds), the reverse names and IDNA conversion. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "smtpscope/dns.h"
#include "smtpscope/loop.h"
#include "suites.h"

#define LIT(s) (const unsigned char *)(s), (sizeof(s) - 1)

static struct dns_answer a;

static void dns_setup(void)
{
	memset(&a, 0, sizeof a);
}

static void dns_teardown(void)
{
	dns_records_free(&a);
}

START_TEST(test_mx)
{
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_MX, LIT("\x00\x0a\x03mx1\x07" "example\x04test\x00")),
			 DNS_PARSE_OK);
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_MX, LIT("\xff\xff\x00")), DNS_PARSE_OK);
	ck_assert_uint_eq(a.n, 2);
	ck_assert_uint_eq(a.mx[0].pref, 10);
	ck_assert_str_eq(a.mx[0].host, "mx1.example.test.");
	ck_assert_uint_eq(a.mx[1].pref, 65535);
	ck_assert_str_eq(a.mx[1].host, "."); /* the Null MX's exchange */
}
END_TEST

START_TEST(test_mx_malformed)
{
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_MX, LIT("\x00")), DNS_PARSE_TRUNCATED);
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_MX, LIT("\x00\x0a")), DNS_PARSE_TRUNCATED);
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_MX, LIT("\x00\x0a\x03mx")), DNS_PARSE_TRUNCATED);
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_MX, LIT("\x00\x0a\x02mx")), DNS_PARSE_TRUNCATED);
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_MX, LIT("\x00\x0a\x02mx\x00z")), DNS_PARSE_TRAILING);
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_MX, LIT("\x00\x0a\xc0\x0c")), DNS_PARSE_COMPRESSED);
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_MX, LIT("\x00\x0a\x41xx")), DNS_PARSE_BAD_LABEL);
	ck_assert_uint_eq(a.n, 0);
	ck_assert_ptr_null(a.mx);
}
END_TEST

START_TEST(test_addresses)
{
	static const struct { const char *wire; const char *text; } v6[] = {
		{ "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", "2001:db8::1" },
		{ "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", "::1" },
		{ "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", "::" },
		{ "\x20\x01\x0d\xb8\0\0\0\x01\0\0\0\0\0\0\0\x01", "2001:db8:0:1::1" },
		{ "\x20\x01\x0d\xb8\0\x01\0\0\0\x01\0\x01\0\x01\0\x01", "2001:db8:1:0:1:1:1:1" },
		{ "\x20\x01\0\0\0\0\0\x01\0\0\0\0\0\x01\0\0", "2001::1:0:0:1:0" },
		{ "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\0", "fe80::" },
	};

	ck_assert_int_eq(dns_parse_rdata(&a, DNS_A, LIT("\xc0\x00\x02\x01")), DNS_PARSE_OK);
	ck_assert_str_eq(a.addr[0], "192.0.2.1");
	for (size_t i = 0; i < sizeof v6 / sizeof v6[0]; i++) {
		ck_assert_int_eq(dns_parse_rdata(&a, DNS_AAAA, (const unsigned char *)v6[i].wire, 16),
				 DNS_PARSE_OK);
		ck_assert_str_eq(a.addr[a.n - 1], v6[i].text);
	}
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_A, LIT("\x7f\x00\x01")), DNS_PARSE_BAD_LENGTH);
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_A, LIT("\x7f\x00\x00\x01\x00")),
			 DNS_PARSE_BAD_LENGTH);
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_AAAA, LIT("\x7f\x00\x00\x01")),
			 DNS_PARSE_BAD_LENGTH);
	ck_assert_uint_eq(a.n, 1 + sizeof v6 / sizeof v6[0]);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_PTR, LIT("\x04mail\x07" "example\x04test\x00")),
			 DNS_PARSE_OK);
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_CNAME, LIT("\x03" "a.b\x04test\x00")), DNS_PARSE_OK);
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_NS, LIT("\x04" "a\\ \x01\x04test\x00")),
			 DNS_PARSE_OK);
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_NS, LIT("\x00")), DNS_PARSE_OK);
	ck_assert_uint_eq(a.n, 4);
	ck_assert_str_eq(a.name[0], "mail.example.test.");
	ck_assert_str_eq(a.name[1], "a\\.b.test.");       /* a dot inside a label */
	ck_assert_str_eq(a.name[2], "a\\\\\\032\\001.test."); /* backslash, space, ^A */
	ck_assert_str_eq(a.name[3], ".");
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_PTR, LIT("")), DNS_PARSE_TRUNCATED);
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_PTR, LIT("\x04test")), DNS_PARSE_TRUNCATED);
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_PTR, LIT("\x04test\x00\x00")), DNS_PARSE_TRAILING);
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_CNAME, LIT("\x04test\xc0\x00")), DNS_PARSE_COMPRESSED);
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_NS, LIT("\x80test")), DNS_PARSE_BAD_LABEL);
	ck_assert_uint_eq(a.n, 4);
}
END_TEST

/* Three labels of 63 octets and one of `last`, in wire form. */
static size_t dns_long_name(unsigned char *w, int last)
{
	size_t n = 0;

	for (int l = 0; l < 4; l++) {
		int len = l < 3 ? 63 : last;
		w[n++] = (unsigned char)len;
		memset(w + n, 'a', (size_t)len);
		n += (size_t)len;
	}
	w[n++] = 0;
	return n;
}

/* RFC 1035 2.3.4: 255 octets in wire form at most, labels up to 63. */
START_TEST(test_name_bounds)
{
	unsigned char w[300];
	size_t n, used;
	char *out = NULL;

	n = dns_long_name(w, 61); /* 64 * 3 + 62 + 1 = 255 */
	ck_assert_uint_eq(n, 255);
	ck_assert_int_eq(dns_parse_name(w, n, &used, &out), DNS_PARSE_OK);
	ck_assert_uint_eq(used, 255);
	ck_assert_uint_eq(strlen(out), 254);
	free(out);
	n = dns_long_name(w, 62); /* one octet more */
	ck_assert_int_eq(dns_parse_name(w, n, &used, &out), DNS_PARSE_NAME_LONG);
	/* the parse stops at the root label, whatever follows */
	ck_assert_int_eq(dns_parse_name(LIT("\x03" "abc\x00zzz"), &used, &out), DNS_PARSE_OK);
	ck_assert_uint_eq(used, 5);
	ck_assert_str_eq(out, "abc.");
	free(out);
}
END_TEST

START_TEST(test_txt)
{
	unsigned char big[DNS_TXT_MAX + 600];
	size_t n = 0;

	ck_assert_int_eq(dns_parse_rdata(&a, DNS_TXT, LIT("\x0bv=spf1 -all")), DNS_PARSE_OK);
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_TXT, LIT("\x03" "abc\x00\x03" "d\x00" "f")),
			 DNS_PARSE_OK);
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_TXT, LIT("\x00")), DNS_PARSE_OK);
	ck_assert_str_eq(a.txt[0].text, "v=spf1 -all");
	ck_assert_uint_eq(a.txt[1].len, 6); /* joined, a NUL kept */
	ck_assert_mem_eq(a.txt[1].text, "abcd\0f", 6);
	ck_assert_uint_eq(a.txt[2].len, 0);
	ck_assert_str_eq(a.txt[2].text, "");
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_TXT, LIT("")), DNS_PARSE_EMPTY);
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_TXT, LIT("\x05" "abc")), DNS_PARSE_TRUNCATED);
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_TXT, LIT("\x01" "a\x02" "b")), DNS_PARSE_TRUNCATED);
	ck_assert_uint_eq(a.n, 3);
	/* bounded: strings of 255 up to more than DNS_TXT_MAX */
	while (n + 256 <= sizeof big) {
		big[n] = 255;
		memset(big + n + 1, 'x', 255);
		n += 256;
	}
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_TXT, big, n), DNS_PARSE_OK);
	ck_assert_uint_eq(a.txt[3].len, DNS_TXT_MAX);
	ck_assert(a.txt[3].cut);
	ck_assert(!a.txt[0].cut);
}
END_TEST

START_TEST(test_tlsa)
{
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_TLSA, LIT("\x03\x01\x01\xde\xad\xbe\xef")),
			 DNS_PARSE_OK);
	ck_assert_uint_eq(a.tlsa[0].usage, 3);
	ck_assert_uint_eq(a.tlsa[0].selector, 1);
	ck_assert_uint_eq(a.tlsa[0].mtype, 1);
	ck_assert_uint_eq(a.tlsa[0].len, 4);
	ck_assert_mem_eq(a.tlsa[0].data, "\xde\xad\xbe\xef", 4);
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_TLSA, LIT("\x03\x01")), DNS_PARSE_TRUNCATED);
	ck_assert_int_eq(dns_parse_rdata(&a, DNS_TLSA, LIT("\x03\x01\x01")), DNS_PARSE_EMPTY);
	ck_assert_uint_eq(a.n, 1);
}
END_TEST

START_TEST(test_unsupported_and_words)
{
	enum dns_type t;

	ck_assert_int_eq(dns_parse_rdata(&a, (enum dns_type)99, LIT("\x00")), DNS_PARSE_UNSUPPORTED);
	for (int s = DNS_PARSE_OK; s <= DNS_PARSE_UNSUPPORTED; s++)
		ck_assert_str_ne(dns_parse_strerror(s), "?");
	for (size_t i = 0; dns_type_names[i]; i++) {
		ck_assert(dns_type_from_name(dns_type_names[i], &t));
		ck_assert_str_eq(dns_type_name(t), dns_type_names[i]);
	}
	ck_assert(dns_type_from_name("mx", &t));
	ck_assert_int_eq(t, DNS_MX);
	ck_assert(!dns_type_from_name("SOA", &t));
	ck_assert_str_eq(dns_security_name(DNS_BOGUS), "bogus");
}
END_TEST

START_TEST(test_reverse)
{
	char *r = dns_reverse_name("192.0.2.10");

	ck_assert_str_eq(r, "10.2.0.192.in-addr.arpa.");
	free(r);
	r = dns_reverse_name("2001:db8::567:89ab");
	ck_assert_str_eq(r, "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.");
	free(r);
	ck_assert_ptr_null(dns_reverse_name("example.test"));
	ck_assert_ptr_null(dns_reverse_name("192.0.2"));
}
END_TEST

START_TEST(test_idn)
{
	char *err = NULL, *s;

	s = dns_name_to_ascii("b\xc3\xbc" "cher.example.test", &err);
	ck_assert_str_eq(s, "xn--bcher-kva.example.test");
	free(s);
	s = dns_name_to_ascii("mx1.example.test", &err);
	ck_assert_str_eq(s, "mx1.example.test");
	free(s);
	/* invalid UTF-8, and a name IDNA2008 refuses (a symbol) */
	ck_assert_ptr_null(dns_name_to_ascii("\xff\xfe.test", &err));
	ck_assert_ptr_nonnull(strstr(err, "not a valid internationalised domain name"));
	free(err);
	err = NULL;
	ck_assert_ptr_null(dns_name_to_ascii("\xe2\x98\x83.test", &err));
	ck_assert_ptr_nonnull(err);
	free(err);
	err = NULL;
	ck_assert_ptr_null(dns_name_to_ascii("", &err));
	free(err);
}
END_TEST

/* RFC 1035 2.3.4 shapes: empty or long labels and long names refused,
 * escapes counted as one octet, a final dot and the root allowed. */
START_TEST(test_name_shape)
{
	static const char *const bad[] = { "bad..name", ".lead.test", "a.." };
	char label63[64], label64[66], name254[256], *err = NULL, *s;

	memset(label63, 'a', 63), label63[63] = '\0';
	memset(label64, 'a', 64), strcpy(label64 + 64, ".");
	for (size_t i = 0; i < 127; i++)
		name254[2 * i] = 'a', name254[2 * i + 1] = '.';
	name254[253] = '\0'; /* 253 octets: 127 labels */
	for (size_t i = 0; i < 3; i++) {
		ck_assert_ptr_null(dns_name_to_ascii(bad[i], &err));
		ck_assert_ptr_nonnull(strstr(err, "is no domain name: labels of 1 to 63 bytes"));
		free(err);
		err = NULL;
	}
	ck_assert_ptr_null(dns_name_to_ascii(label64, &err));
	free(err);
	err = NULL;
	s = dns_name_to_ascii(label63, &err);
	ck_assert_ptr_nonnull(s);
	free(s);
	s = dns_name_to_ascii(name254, &err);
	ck_assert_ptr_nonnull(s);
	free(s);
	name254[253] = 'a', name254[254] = '\0'; /* 254 octets */
	ck_assert_ptr_null(dns_name_to_ascii(name254, &err));
	free(err);
	err = NULL;
	/* escapes: weird\.label is one label; \065 one octet; final dot, root */
	for (const char *const *ok = (const char *const[]){ "weird\\.label.example.test",
			"\\065.test", "mx.example.test.", ".", "_25._tcp.mx.test", NULL }; *ok; ok++) {
		s = dns_name_to_ascii(*ok, &err);
		ck_assert_msg(s != NULL, "%s refused: %s", *ok, err ? err : "");
		free(s);
	}
	/* the refusal shows the name escaped */
	ck_assert_ptr_null(dns_name_to_ascii("\x1b[2J..test", &err));
	ck_assert_ptr_null(strchr(err, '\x1b'));
	free(err);
}
END_TEST

/* ---- dns.c on a loop, with the unsigned test zone loaded in-process
 * (an unbound config written here with absolute paths): no network. ---- */

struct dns_got {
	int calls;
	struct dns_answer *a;
};

static void dns_got_cb(void *ctx, struct dns_answer *ans)
{
	struct dns_got *g = ctx;

	g->calls++;
	dns_answer_free(g->a);
	g->a = ans;
}

static char dns_conf[64];

static struct dns *dns_local(struct loop *l)
{
	struct dns_options o = { 0 };
	char *err = NULL;
	struct dns *d;
	FILE *f;
	int fd;

	strcpy(dns_conf, "/tmp/smtpscope-dns-XXXXXX");
	fd = mkstemp(dns_conf);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fprintf(f, "server:\n  local-zone: \"test.\" nodefault\n"
		   "auth-zone:\n  name: \"example.test.\"\n  zonefile: \"%s/example.test.zone\"\n"
		   "  for-upstream: yes\n  for-downstream: no\n  fallback-enabled: no\n",
		TESTS_DNSDIR);
	fclose(f);
	o.config = dns_conf;
	d = dns_new(l, &o, &err);
	ck_assert_msg(d != NULL, "dns_new: %s", err ? err : "?");
	return d;
}

/* Runs the loop until the callback, at most 10 s. */
static void dns_wait(struct loop *l, struct dns_got *g)
{
	int64_t end = loop_now_ms() + 10000;

	while (g->calls == 0 && loop_now_ms() < end)
		loop_once(l, 100);
	ck_assert_int_eq(g->calls, 1);
}

START_TEST(test_query_on_loop)
{
	struct loop *l = loop_new();
	struct dns *d = dns_local(l);
	struct dns_got g = { 0 };
	char *err = NULL;

	ck_assert(!dns_busy(d));
	ck_assert_ptr_nonnull(dns_query(d, "example.test", DNS_MX, dns_got_cb, &g, &err));
	ck_assert(dns_busy(d));
	dns_wait(l, &g);
	ck_assert(!dns_busy(d));
	ck_assert_int_eq(g.a->sec, DNS_INSECURE);
	ck_assert_uint_eq(g.a->n, 2);
	ck_assert_uint_eq(g.a->mx[0].pref, 10); /* sorted */
	ck_assert_str_eq(g.a->mx[0].host, "mx1.example.test.");
	ck_assert(!g.a->nxdomain && !g.a->nodata && !g.a->temporary);

	g.calls = 0;
	ck_assert_ptr_nonnull(dns_query(d, "www.example.test", DNS_A, dns_got_cb, &g, &err));
	dns_wait(l, &g);
	ck_assert_str_eq(g.a->canonical, "mx1.example.test.");
	ck_assert_str_eq(g.a->addr[0], "127.0.0.2");

	g.calls = 0;
	ck_assert_ptr_nonnull(dns_query(d, "nosuch.example.test", DNS_TXT, dns_got_cb, &g, &err));
	dns_wait(l, &g);
	ck_assert(g.a->nxdomain && !g.a->nodata);
	ck_assert_int_eq(g.a->rcode, 3);

	g.calls = 0;
	ck_assert_ptr_nonnull(dns_query(d, "nomail.example.test", DNS_MX, dns_got_cb, &g, &err));
	dns_wait(l, &g);
	ck_assert(g.a->nodata && !g.a->nxdomain);
	ck_assert_uint_eq(g.a->n, 0);

	dns_answer_free(g.a);
	dns_free(d);
	loop_free(l);
	unlink(dns_conf);
}
END_TEST

/* A cancelled query never calls back; dns_free cancels what is left. */
START_TEST(test_cancel_and_free)
{
	struct loop *l = loop_new();
	struct dns *d = dns_local(l);
	struct dns_got g = { 0 }, other = { 0 };
	struct dns_query *q;
	char *err = NULL;

	q = dns_query(d, "example.test", DNS_MX, dns_got_cb, &g, &err);
	ck_assert_ptr_nonnull(dns_query(d, "mx1.example.test", DNS_A, dns_got_cb, &other, &err));
	dns_cancel(d, q);
	dns_wait(l, &other);
	for (int i = 0; i < 5; i++)
		loop_once(l, 20);
	ck_assert_int_eq(g.calls, 0);
	ck_assert(!dns_busy(d));
	ck_assert_ptr_nonnull(dns_query(d, "mx2.example.test", DNS_A, dns_got_cb, &g, &err));
	dns_free(d); /* pending: cancelled, no callback */
	ck_assert_int_eq(g.calls, 0);
	dns_answer_free(other.a);
	loop_free(l);
	unlink(dns_conf);
}
END_TEST

/* A forwarder that never answers (a UDP socket of ours, never read):
 * the query ends at its timeout as a temporary failure. */
START_TEST(test_timeout)
{
	struct loop *l = loop_new();
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t slen = sizeof sin;
	char fwd[64], ta[] = "/tmp/smtpscope-ta-XXXXXX", *err = NULL;
	struct dns_options o = { .timeout_ms = 300 };
	struct dns_got g = { 0 };
	struct dns *d;
	int s = socket(AF_INET, SOCK_DGRAM, 0), fd = mkstemp(ta);

	ck_assert_int_ge(s, 0);
	ck_assert_int_ge(fd, 0);
	dprintf(fd, "example.test. IN DS 60 13 2 "
		    "c60f0fc4faacd06ae9aaf328e64508ad2abc3bdf9d62741bde461cdc74760de0\n");
	close(fd);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sin, sizeof sin), 0);
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&sin, &slen), 0);
	snprintf(fwd, sizeof fwd, "127.0.0.1@%u", ntohs(sin.sin_port));
	o.resolver = fwd;
	o.trust_anchor = ta;
	d = dns_new(l, &o, &err);
	ck_assert_msg(d != NULL, "dns_new: %s", err ? err : "?");
	ck_assert_ptr_nonnull(dns_query(d, "example.test", DNS_MX, dns_got_cb, &g, &err));
	dns_wait(l, &g);
	ck_assert(g.a->temporary);
	ck_assert(!g.a->nxdomain && !g.a->nodata);
	ck_assert_str_eq(g.a->error, "no answer within 300 ms");
	dns_answer_free(g.a);
	dns_free(d);
	loop_free(l);
	close(s);
	unlink(ta);
}
END_TEST

START_TEST(test_setup_refused)
{
	struct loop *l = loop_new();
	struct dns_options o = { .resolver = "mx1.example.test" };
	struct dns *d;
	char *err = NULL;

	ck_assert_ptr_null(dns_new(l, &o, &err));
	ck_assert_ptr_nonnull(strstr(err, "--resolver wants ADDR[@PORT]"));
	free(err);
	err = NULL;
	o = (struct dns_options){ .resolver = "127.0.0.1@0" };
	ck_assert_ptr_null(dns_new(l, &o, &err));
	free(err);
	err = NULL;
	o = (struct dns_options){ .resolver = "127.0.0.1", .recursive = true };
	ck_assert_ptr_null(dns_new(l, &o, &err));
	ck_assert_ptr_nonnull(strstr(err, "exclude each other"));
	free(err);
	err = NULL;
	o = (struct dns_options){ .resolver = "::1@5353", .trust_anchor = "/nonexistent/ta" };
	ck_assert_ptr_null(dns_new(l, &o, &err));
	ck_assert_ptr_nonnull(strstr(err, "--trust-anchor /nonexistent/ta: cannot read"));
	free(err);
	err = NULL;
	o = (struct dns_options){ .config = "/nonexistent/unbound.conf" };
	ck_assert_ptr_null(dns_new(l, &o, &err));
	ck_assert_ptr_nonnull(strstr(err, "cannot read the file"));
	free(err);
	err = NULL;
	/* a name libidn2 refuses is refused before any query */
	d = dns_local(l);
	ck_assert_ptr_null(dns_query(d, "\xe2\x98\x83.test", DNS_A, dns_got_cb, NULL, &err));
	ck_assert_ptr_nonnull(err);
	free(err);
	ck_assert(!dns_busy(d));
	dns_free(d);
	loop_free(l);
	unlink(dns_conf);
}
END_TEST

Suite *dns_suite(void)
{
	Suite *s = suite_create("dns");
	TCase *tc = tcase_create("parse");

	tcase_add_checked_fixture(tc, dns_setup, dns_teardown);
	tcase_add_test(tc, test_mx);
	tcase_add_test(tc, test_mx_malformed);
	tcase_add_test(tc, test_addresses);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_name_bounds);
	tcase_add_test(tc, test_txt);
	tcase_add_test(tc, test_tlsa);
	tcase_add_test(tc, test_unsupported_and_words);
	tcase_add_test(tc, test_reverse);
	tcase_add_test(tc, test_idn);
	tcase_add_test(tc, test_name_shape);
	suite_add_tcase(s, tc);
	tc = tcase_create("resolve");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_query_on_loop);
	tcase_add_test(tc, test_cancel_and_free);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_setup_refused);
	suite_add_tcase(s, tc);
	return s;
}
