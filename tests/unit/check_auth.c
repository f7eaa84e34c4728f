/* auth: the SASL engines against the RFCs' own examples (RFC 4616 4,
 * RFC 2195 2, RFC 5802 5, RFC 7677 3), and their failure paths. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/auth.h"
#include "suites.h"

static char *b64(const char *s, size_t n)
{
	struct buf b;

	buf_init(&b);
	auth_b64_encode(s, n, &b);
	return buf_steal(&b);
}

/* Decodes base64 for a comparison with an RFC's plain text. */
static char *unb64(const char *s)
{
	struct buf b;

	buf_init(&b);
	ck_assert(auth_b64_decode(s, strlen(s), &b));
	buf_add(&b, "", 0);
	return buf_steal(&b);
}

/* Answers one challenge given in plain text; returns the decoded reply. */
static char *respond(struct auth *a, const char *challenge, bool want_ok)
{
	char *ch = b64(challenge, strlen(challenge)), *err = NULL, *r;
	struct buf out;
	bool ok;

	buf_init(&out);
	ok = auth_respond(a, ch, strlen(ch), &out, &err);
	free(ch);
	ck_assert_msg(ok == want_ok, "auth_respond: %s", err ? err : "(ok)");
	if (!ok) {
		free(err);
		buf_free(&out);
		return NULL;
	}
	buf_add(&out, "", 0);
	r = unb64(out.data);
	buf_free(&out);
	return r;
}

START_TEST(base64_round_trip)
{
	struct buf b;

	buf_init(&b);
	auth_b64_encode("", 0, &b);
	ck_assert_str_eq(b.data ? b.data : "", "");
	auth_b64_encode("Username:", 9, &b);
	ck_assert_str_eq(b.data, "VXNlcm5hbWU6");
	buf_clear(&b);
	ck_assert(auth_b64_decode("UGFzc3dvcmQ6", 12, &b));
	ck_assert_uint_eq(b.len, 9);
	ck_assert_mem_eq(b.data, "Password:", 9);
	buf_clear(&b);
	ck_assert(auth_b64_decode("YQ==", 4, &b));
	ck_assert_uint_eq(b.len, 1);
	ck_assert(!auth_b64_decode("YQ=", 3, &b));
	ck_assert(!auth_b64_decode("Y=Q=", 4, &b));
	ck_assert(!auth_b64_decode("a b=", 4, &b));
	buf_free(&b);
}
END_TEST

START_TEST(plain_rfc4616)
{
	struct auth *a = auth_new(AUTH_PLAIN, "tim", "tanstaaftanstaaf");
	struct buf b;

	buf_init(&b);
	ck_assert(auth_initial(a, &b));
	/* RFC 4616 4: "\0tim\0tanstaaftanstaaf". */
	ck_assert_str_eq(b.data, "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
	buf_free(&b);
	auth_free(a);
}
END_TEST

START_TEST(login_two_challenges)
{
	struct auth *a = auth_new(AUTH_LOGIN, "alice", "s3cret");
	struct buf b;
	char *r;

	buf_init(&b);
	ck_assert(!auth_initial(a, &b));
	buf_free(&b);
	r = respond(a, "Username:", true);
	ck_assert_str_eq(r, "alice");
	free(r);
	r = respond(a, "Password:", true);
	ck_assert_str_eq(r, "s3cret");
	free(r);
	ck_assert_ptr_null(respond(a, "What?", false));
	auth_free(a);
}
END_TEST

START_TEST(cram_md5_rfc2195)
{
	struct auth *a = auth_new(AUTH_CRAM_MD5, "tim", "tanstaaftanstaaf");
	char *r = respond(a, "<1896.697170952@postoffice.reston.mci.net>", true);

	ck_assert_str_eq(r, "tim b913a602c7eda7a495b4e6e7334d3890");
	free(r);
	auth_free(a);
}
END_TEST

START_TEST(xoauth2_format)
{
	struct auth *a = auth_new(AUTH_XOAUTH2, "someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");
	struct buf b;
	char *r;

	buf_init(&b);
	ck_assert(auth_initial(a, &b));
	r = unb64(b.data);
	ck_assert_str_eq(r, "user=someuser@example.com\001auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\001\001");
	free(r);
	buf_free(&b);
	ck_assert(auth_mech_is_token(AUTH_XOAUTH2));
	auth_free(a);
}
END_TEST

/* Runs a whole SCRAM exchange from an RFC's example. */
static void scram_example(enum auth_mech m, const char *nonce, const char *server_first,
			  const char *client_final, const char *server_final)
{
	struct auth *a = auth_new(m, "user", "pencil");
	struct buf b;
	char *r, *want_first = xasprintf("n,,n=user,r=%s", nonce);

	auth_set_nonce(a, nonce);
	buf_init(&b);
	ck_assert(auth_initial(a, &b));
	r = unb64(b.data);
	ck_assert_str_eq(r, want_first);
	free(r);
	free(want_first);
	buf_free(&b);
	r = respond(a, server_first, true);
	ck_assert_str_eq(r, client_final);
	free(r);
	ck_assert_int_eq(auth_server_proof(a), AUTH_PROOF_MISSING);
	r = respond(a, server_final, true);
	ck_assert_str_eq(r, "");
	free(r);
	ck_assert_int_eq(auth_server_proof(a), AUTH_PROOF_VERIFIED);
	auth_free(a);
}

START_TEST(scram_sha1_rfc5802)
{
	scram_example(AUTH_SCRAM_SHA_1, "fyko+d2lbbFgONRv9qkxdawL",
		      "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
		      "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
		      "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=");
}
END_TEST

START_TEST(scram_sha256_rfc7677)
{
	scram_example(AUTH_SCRAM_SHA_256, "rOprNGfwEbeRWgbNEkqO",
		      "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
		      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		      "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
}
END_TEST

/* A server that does not know the password cannot sign. */
START_TEST(scram_wrong_server_signature)
{
	struct auth *a = auth_new(AUTH_SCRAM_SHA_256, "user", "pencil");
	struct buf b;
	char *r;

	auth_set_nonce(a, "rOprNGfwEbeRWgbNEkqO");
	buf_init(&b);
	auth_initial(a, &b);
	buf_free(&b);
	r = respond(a, "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", true);
	free(r);
	ck_assert_ptr_null(respond(a, "v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", false));
	ck_assert_int_eq(auth_server_proof(a), AUTH_PROOF_MISSING);
	auth_free(a);
}
END_TEST

START_TEST(scram_bad_server_first)
{
	static const char *const bad[] = {
		"r=someoneelse,s=QSXCR+Q6sek8bf92,i=4096",      /* nonce not ours */
		"r=abcdefX,s=QSXCR+Q6sek8bf92,i=99999999",      /* too many rounds */
		"r=abcdefX,s=QSXCR+Q6sek8bf92",                 /* no i= */
		"r=abcdefX,s=not*base64,i=4096",
		"m=ext,r=abcdefX,s=QSXCR+Q6sek8bf92,i=4096",
	};
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(bad); i++) {
		struct auth *a = auth_new(AUTH_SCRAM_SHA_1, "us,er", "pencil");
		struct buf b;
		char *first;

		auth_set_nonce(a, "abcdef");
		buf_init(&b);
		auth_initial(a, &b);
		first = unb64(b.data);
		ck_assert_str_eq(first, "n,,n=us=2Cer,r=abcdef");
		free(first);
		buf_free(&b);
		ck_assert_ptr_null(respond(a, bad[i], false));
		auth_free(a);
	}
}
END_TEST

START_TEST(mech_names_and_order)
{
	enum auth_mech m;
	size_t n;
	const enum auth_mech *o = auth_mech_order(&n);

	ck_assert(auth_mech_parse("scram-sha-256", &m));
	ck_assert_int_eq(m, AUTH_SCRAM_SHA_256);
	ck_assert(!auth_mech_parse("GSSAPI", &m));
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(o[0], AUTH_SCRAM_SHA_256);
	ck_assert_int_eq(o[n - 1], AUTH_LOGIN);
}
END_TEST

Suite *auth_suite(void)
{
	Suite *s = suite_create("auth");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, base64_round_trip);
	tcase_add_test(tc, plain_rfc4616);
	tcase_add_test(tc, login_two_challenges);
	tcase_add_test(tc, cram_md5_rfc2195);
	tcase_add_test(tc, xoauth2_format);
	tcase_add_test(tc, scram_sha1_rfc5802);
	tcase_add_test(tc, scram_sha256_rfc7677);
	tcase_add_test(tc, scram_wrong_server_signature);
	tcase_add_test(tc, scram_bad_server_first);
	tcase_add_test(tc, mech_names_and_order);
	suite_add_tcase(s, tc);
	return s;
}
