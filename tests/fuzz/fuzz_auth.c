/* libFuzzer target for what the SASL engines (src/auth.c) take from the
 * server: the 334 challenges of CRAM-MD5, SCRAM-SHA-1/-256, LOGIN, PLAIN
 * and XOAUTH2, and the base64 decoder under them.
 *
 * Input: byte 0 picks the mechanism (bits 0-2), whether the initial
 * response was sent (bit 3), whether the challenges are given as on the
 * wire or raw, to be base64-encoded here so that mutations reach the
 * SCRAM attribute parser (bit 4), and a user name SCRAM must escape
 * (bit 5).  The rest is one challenge per line, answered in order until
 * the engine gives up, as smtp-auth.c does.  The client nonce is fixed
 * (the examples of RFC 5802 for SHA-1, RFC 7677 for SHA-256), so a
 * server-first message that extends it gets as far as the proof and the
 * server signature check, and the RFCs' exchanges verify.
 *
 * Checked: every answer is valid base64, a refusal always says why, the
 * decoder and encoder agree, and nothing leaks or reads out of bounds.
 * The fuzz build lowers AUTH_SCRAM_MAX_ITERATIONS (see Makefile.am) so
 * a hostile iteration count costs milliseconds, not seconds, per run. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/auth.h"
#include "smtpscope/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NONCE "fyko+d2lbbFgONRv9qkxdawL"
#define FUZZ_NONCE_256 "rOprNGfwEbeRWgbNEkqO"

static const enum auth_mech fuzz_mech[8] = {
	AUTH_CRAM_MD5, AUTH_SCRAM_SHA_1, AUTH_SCRAM_SHA_256, AUTH_LOGIN,
	AUTH_PLAIN, AUTH_XOAUTH2, AUTH_SCRAM_SHA_256, AUTH_CRAM_MD5,
};

/* Decoding then encoding then decoding again gives the same bytes;
 * encoding then decoding gives back what was encoded. */
static void fuzz_b64(const char *s, size_t n)
{
	struct buf dec, enc, again;

	buf_init(&dec);
	buf_init(&enc);
	buf_init(&again);
	if (auth_b64_decode(s, n, &dec)) {
		auth_b64_encode(dec.data, dec.len, &enc);
		if (enc.len % 4 != 0 || !auth_b64_decode(enc.data, enc.len, &again) ||
		    again.len != dec.len || (dec.len && memcmp(again.data, dec.data, dec.len) != 0))
			abort();
	} else if (dec.len != 0) {
		abort(); /* false leaves out unchanged */
	}
	buf_clear(&enc);
	buf_clear(&again);
	auth_b64_encode(s, n, &enc);
	if (!auth_b64_decode(enc.data, enc.len, &again) || again.len != n ||
	    (n && memcmp(again.data, s, n) != 0))
		abort();
	buf_free(&dec);
	buf_free(&enc);
	buf_free(&again);
}

static void fuzz_check_answer(const struct buf *b64)
{
	struct buf raw;

	buf_init(&raw);
	if (!auth_b64_decode(b64->data ? b64->data : "", b64->len, &raw))
		abort(); /* smtpscope would send something that is not base64 */
	buf_free(&raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p, *end;
	struct auth *a;
	struct buf out;
	uint8_t mode;

	if (size == 0)
		return 0;
	mode = data[0];
	p = (const char *)data + 1;
	end = (const char *)data + size;
	a = auth_new(fuzz_mech[mode & 7], mode & 0x20 ? "u,se=r" : "user", "pencil");
	auth_set_nonce(a, auth_mech(a) == AUTH_SCRAM_SHA_256 ? FUZZ_NONCE_256 : FUZZ_NONCE);
	buf_init(&out);
	if (mode & 0x08) {
		(void)auth_initial(a, &out);
		fuzz_check_answer(&out);
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		struct buf challenge;
		char *err = NULL;
		bool ok;

		buf_init(&challenge);
		if (mode & 0x10)
			auth_b64_encode(p, n, &challenge);
		else
			buf_add(&challenge, p, n);
		fuzz_b64(p, n);
		buf_clear(&out);
		ok = auth_respond(a, challenge.data, challenge.len, &out, &err);
		buf_free(&challenge);
		if (ok != (err == NULL))
			abort();
		if (!ok) {
			free(err);
			break; /* smtpscope cancels with "*" */
		}
		fuzz_check_answer(&out);
		p = nl ? nl + 1 : end;
	}
	if (auth_server_proof(a) == AUTH_PROOF_VERIFIED && auth_mech(a) != AUTH_SCRAM_SHA_1 &&
	    auth_mech(a) != AUTH_SCRAM_SHA_256)
		abort();
	buf_free(&out);
	auth_free(a);
	return 0;
}
