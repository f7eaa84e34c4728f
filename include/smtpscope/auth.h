/* auth: the client side of SASL mechanisms for SMTP AUTH, sans-I/O.
 *
 * An engine for one mechanism turns the user's credentials and the
 * server's 334 challenges into the base64 lines to send; it never touches
 * a socket or the session.  Base64, hashes, HMAC, PBKDF2 and random
 * nonces come from OpenSSL's libcrypto (only auth.c includes it).
 *
 * RFCs: 4954 (SMTP AUTH, initial response, "*" cancels), 4616 (PLAIN),
 * 2195 (CRAM-MD5), 5802 (SCRAM-SHA-1), 7677 (SCRAM-SHA-256); the LOGIN
 * mechanism (draft-murchison-sasl-login) and Google's XOAUTH2.
 *
 * Not done: SASLprep (RFC 4013) of non-ASCII SCRAM user names and
 * passwords (they are used as UTF-8 bytes as they are), channel binding
 * (the -PLUS variants). */
#ifndef SMTPSCOPE_AUTH_H
#define SMTPSCOPE_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "smtpscope/util.h"

enum auth_mech {
	AUTH_PLAIN, AUTH_LOGIN, AUTH_CRAM_MD5, AUTH_XOAUTH2,
	AUTH_SCRAM_SHA_1, AUTH_SCRAM_SHA_256, AUTH_MECH__COUNT
};

/* SCRAM iteration counts above this are refused: a hostile server could
 * otherwise make the client spin for minutes. */
#ifndef AUTH_SCRAM_MAX_ITERATIONS
#define AUTH_SCRAM_MAX_ITERATIONS 1000000
#endif

/* "SCRAM-SHA-256" ... */
const char *auth_mech_name(enum auth_mech m);
/* Case-insensitive name to mechanism; false for one smtpscope lacks. */
bool auth_mech_parse(const char *name, enum auth_mech *m);
/* The mechanisms in the order /auth tries them, strongest first
 * (XOAUTH2 is not in it: it takes a token, not a password). */
const enum auth_mech *auth_mech_order(size_t *n);
/* The secret is an OAuth 2.0 bearer token rather than a password. */
bool auth_mech_is_token(enum auth_mech m);

struct auth;

/* A new exchange for user (authentication identity) and secret (password
 * or token), both copied; they are wiped from memory by auth_free(). */
struct auth *auth_new(enum auth_mech m, const char *user, const char *secret);
void auth_free(struct auth *a);
enum auth_mech auth_mech(const struct auth *a);
const char *auth_user(const struct auth *a);
/* Tests only: the SCRAM client nonce, instead of a random one. */
void auth_set_nonce(struct auth *a, const char *nonce);

/* The initial response (RFC 4954 4) in base64, for mechanisms where the
 * client speaks first (PLAIN, XOAUTH2, SCRAM); false for the others. */
bool auth_initial(struct auth *a, struct buf *b64);
/* Answers a 334 challenge (its text, base64).  Appends the base64
 * response (possibly empty) and returns true; false with *err (caller
 * frees) when the challenge is bad or the server failed to prove itself:
 * the caller then cancels with "*". */
bool auth_respond(struct auth *a, const char *challenge, size_t n,
		  struct buf *b64, char **err);

/* SCRAM's proof that the server knows the password (RFC 5802 3). */
enum auth_server_proof {
	AUTH_PROOF_NONE,      /* the mechanism has none */
	AUTH_PROOF_MISSING,   /* SCRAM, but no server-final message came */
	AUTH_PROOF_VERIFIED,  /* the server signature matched */
};
enum auth_server_proof auth_server_proof(const struct auth *a);

/* Base64 (RFC 4648) through OpenSSL.  Decoding requires padding and
 * rejects anything that is not base64; false leaves out unchanged. */
void auth_b64_encode(const void *p, size_t n, struct buf *out);
bool auth_b64_decode(const char *s, size_t n, struct buf *out);

/* Frees a string holding a secret after overwriting it. */
void auth_secret_free(char *secret);

#endif
