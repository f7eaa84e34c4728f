/* libFuzzer target for the blocklist list parser and the query names
 * (dnsbl.h).  The input, cut at its first NUL, is a help/blocklists.txt.
 * Checked: a refusal's message has no control byte (the file's bytes are
 * escaped); every zone kept is a DNS name of at most 253 bytes of
 * letters, digits, '-', '_' and '.', without a trailing dot; a comment
 * has no newline; the query names of an IPv4 and an IPv6 address
 * under each zone end in ".ZONE". */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/dns.h"
#include "smtpscope/dnsbl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The lookups (dnsbl_start) are not fuzzed here: the resolver's entry
 * points are never reached from the parser and the query names. */
struct dns_query *dns_query(struct dns *d, const char *name, enum dns_type type,
			    dns_cb cb, void *ctx, char **err)
{
	(void)d, (void)name, (void)type, (void)cb, (void)ctx, (void)err;
	abort();
}

void dns_cancel(struct dns *d, struct dns_query *q)
{
	(void)d, (void)q;
	abort();
}

void dns_answer_free(struct dns_answer *a)
{
	(void)a;
	abort();
}

static void fuzz_no_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

static void fuzz_zone(const struct dnsbl_zone *z)
{
	static const char *const addrs[] = { "127.0.0.2", "2001:db8::1" };
	size_t n = strlen(z->zone);

	if (n == 0 || n > 253 || z->zone[n - 1] == '.' ||
	    strspn(z->zone, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != n)
		abort();
	if (z->comment && strchr(z->comment, '\n'))
		abort();
	for (size_t i = 0; i < 2; i++) {
		char *q = dnsbl_query_name(addrs[i], z->zone);
		size_t qn = q ? strlen(q) : 0;

		if (q == NULL || qn <= n + 1 || q[qn - n - 1] != '.' || strcmp(q + qn - n, z->zone))
			abort();
		free(q);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct dnsbl_list l;
	char *err;

	memcpy(text, data, size);
	text[size] = '\0';
	if (dnsbl_list_parse(&l, "fuzz", text, &err)) {
		if (err)
			abort();
		for (size_t i = 0; i < l.n; i++)
			fuzz_zone(&l.z[i]);
		dnsbl_list_free(&l);
	} else {
		if (err == NULL || l.n != 0)
			abort();
		fuzz_no_control(err);
		free(err);
	}
	free(text);
	return 0;
}
