/* libFuzzer target for the DNS rdata parsers.  The first input byte picks
 * the record type, the rest is one record's rdata as libunbound would hand
 * it over.  A record that parses is checked against the parser's bounds
 * (names at most 255 octets in wire form, so bounded text; TXT at most
 * DNS_TXT_MAX bytes; TLSA data the rdata minus its three octets); one that
 * is refused must leave the answer empty. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/dns.h"
#include "smtpscope/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const enum dns_type fuzz_types[] = { DNS_A, DNS_AAAA, DNS_MX, DNS_PTR,
					    DNS_TXT, DNS_TLSA, DNS_CNAME, DNS_NS };

/* Presentation form: at most 4 characters (\DDD) per wire octet. */
static void fuzz_check_name(const char *n)
{
	if (n == NULL || strlen(n) > 4 * 255 || n[strlen(n) - 1] != '.')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_answer a;
	enum dns_type t;
	enum dns_parse_status s;
	size_t used;
	char *name = NULL;

	if (size < 1)
		return 0;
	t = fuzz_types[data[0] % UTIL_ARRAY_LEN(fuzz_types)];
	memset(&a, 0, sizeof a);
	a.type = t;
	s = dns_parse_rdata(&a, t, data + 1, size - 1);
	if (s != DNS_PARSE_OK) {
		if (a.n != 0 || a.mx || a.addr || a.name || a.txt || a.tlsa)
			abort();
		if (dns_parse_strerror(s) == NULL)
			abort();
	} else {
		if (a.n != 1)
			abort();
		switch (t) {
		case DNS_MX: fuzz_check_name(a.mx[0].host); break;
		case DNS_A: case DNS_AAAA:
			if (strlen(a.addr[0]) > 39) abort();
			break;
		case DNS_PTR: case DNS_CNAME: case DNS_NS: fuzz_check_name(a.name[0]); break;
		case DNS_TXT:
			if (a.txt[0].len > DNS_TXT_MAX || a.txt[0].len > size) abort();
			break;
		case DNS_TLSA:
			if (a.tlsa[0].len != size - 4) abort();
			break;
		}
	}
	dns_records_free(&a);
	if (dns_parse_name(data + 1, size - 1, &used, &name) == DNS_PARSE_OK) {
		if (used > size - 1 || used > 255)
			abort();
		fuzz_check_name(name);
		free(name);
	}
	return 0;
}
