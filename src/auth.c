/* auth: SASL mechanisms.  See include/smtpscope/auth.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "smtpscope/auth.h"
#include "smtpscope/i18n.h"

#define AUTH_NONCE_BYTES 18

struct auth {
	enum auth_mech mech;
	char *user, *secret;
	int step;             /* challenges answered so far */
	/* SCRAM */
	char *nonce;          /* client nonce */
	char *client_first_bare;
	unsigned char server_sig[EVP_MAX_MD_SIZE];
	unsigned sig_len;
	bool proof_checked;
};

static const char *const mech_names[AUTH_MECH__COUNT] = {
	[AUTH_PLAIN] = "PLAIN", [AUTH_LOGIN] = "LOGIN",
	[AUTH_CRAM_MD5] = "CRAM-MD5", [AUTH_XOAUTH2] = "XOAUTH2",
	[AUTH_SCRAM_SHA_1] = "SCRAM-SHA-1", [AUTH_SCRAM_SHA_256] = "SCRAM-SHA-256",
};

const char *auth_mech_name(enum auth_mech m)
{
	return (size_t)m < AUTH_MECH__COUNT ? mech_names[m] : "?";
}

bool auth_mech_parse(const char *name, enum auth_mech *m)
{
	size_t i;

	for (i = 0; i < AUTH_MECH__COUNT; i++)
		if (util_strieq(name, mech_names[i])) {
			*m = (enum auth_mech)i;
			return true;
		}
	return false;
}

const enum auth_mech *auth_mech_order(size_t *n)
{
	static const enum auth_mech order[] = {
		AUTH_SCRAM_SHA_256, AUTH_SCRAM_SHA_1, AUTH_CRAM_MD5, AUTH_PLAIN, AUTH_LOGIN,
	};

	*n = UTIL_ARRAY_LEN(order);
	return order;
}

bool auth_mech_is_token(enum auth_mech m)
{
	return m == AUTH_XOAUTH2;
}

void auth_secret_free(char *secret)
{
	if (secret) {
		OPENSSL_cleanse(secret, strlen(secret));
		free(secret);
	}
}

struct auth *auth_new(enum auth_mech m, const char *user, const char *secret)
{
	struct auth *a = xcalloc(1, sizeof *a);

	a->mech = m;
	a->user = xstrdup(user ? user : "");
	a->secret = xstrdup(secret ? secret : "");
	return a;
}

void auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	free(a->user);
	auth_secret_free(a->secret);
	free(a->nonce);
	free(a->client_first_bare);
	OPENSSL_cleanse(a->server_sig, sizeof a->server_sig);
	free(a);
}

enum auth_mech auth_mech(const struct auth *a) { return a->mech; }
const char *auth_user(const struct auth *a) { return a->user; }

void auth_set_nonce(struct auth *a, const char *nonce)
{
	free(a->nonce);
	a->nonce = xstrdup(nonce);
}

/* ---- base64 ----------------------------------------------------------- */

void auth_b64_encode(const void *p, size_t n, struct buf *out)
{
	size_t room = 4 * ((n + 2) / 3) + 1, before = out->len;
	int len;

	out->data = xgrow(out->data, &out->cap, out->len + room, 1);
	len = EVP_EncodeBlock((unsigned char *)out->data + before, p, (int)n);
	out->len = before + (size_t)len;
	out->data[out->len] = '\0';
}

bool auth_b64_decode(const char *s, size_t n, struct buf *out)
{
	size_t pad = 0, i, before = out->len;
	int len;

	if (n % 4 != 0)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '+' || c == '/';
		if (c == '=' && i + 2 >= n) {
			pad++;
			continue;
		}
		if (!ok || pad > 0)
			return false;
	}
	if (n == 0)
		return true;
	out->data = xgrow(out->data, &out->cap, out->len + n + 1, 1);
	/* EVP_DecodeBlock counts the padding as zero bytes: take them off. */
	len = EVP_DecodeBlock((unsigned char *)out->data + before,
			      (const unsigned char *)s, (int)n);
	if (len < 0 || (size_t)len < pad)
		return false;
	out->len = before + (size_t)len - pad;
	out->data[out->len] = '\0';
	return true;
}

/* ---- the simple mechanisms ------------------------------------------ */

/* RFC 4616 2: [authzid] NUL authcid NUL passwd (authzid left empty). */
static void auth_plain(const struct auth *a, struct buf *b64)
{
	struct buf raw;

	buf_init(&raw);
	buf_addc(&raw, '\0');
	buf_adds(&raw, a->user);
	buf_addc(&raw, '\0');
	buf_adds(&raw, a->secret);
	auth_b64_encode(raw.data, raw.len, b64);
	OPENSSL_cleanse(raw.data, raw.len);
	buf_free(&raw);
}

/* Google's XOAUTH2: "user=" U ^A "auth=Bearer " TOKEN ^A ^A. */
static void auth_xoauth2(const struct auth *a, struct buf *b64)
{
	struct buf raw;

	buf_init(&raw);
	buf_printf(&raw, "user=%s\001auth=Bearer %s\001\001", a->user, a->secret);
	auth_b64_encode(raw.data, raw.len, b64);
	OPENSSL_cleanse(raw.data, raw.len);
	buf_free(&raw);
}

/* RFC 2195 2: user SP lowercase-hex(HMAC-MD5(password, challenge)). */
static bool auth_cram_md5(const struct auth *a, const struct buf *challenge,
			  struct buf *b64, char **err)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned len = 0, i;
	struct buf raw;

	if (HMAC(EVP_md5(), a->secret, (int)strlen(a->secret),
		 (const unsigned char *)challenge->data, challenge->len, mac, &len) == NULL) {
		*err = xstrdup(_("HMAC-MD5 is not available in this OpenSSL"));
		return false;
	}
	buf_init(&raw);
	buf_printf(&raw, "%s ", a->user);
	for (i = 0; i < len; i++)
		buf_printf(&raw, "%02x", mac[i]);
	auth_b64_encode(raw.data, raw.len, b64);
	buf_free(&raw);
	return true;
}

/* ---- SCRAM (RFC 5802) ------------------------------------------------ */

static const EVP_MD *auth_scram_md(const struct auth *a)
{
	return a->mech == AUTH_SCRAM_SHA_1 ? EVP_sha1() : EVP_sha256();
}

/* RFC 5802 5.1: "," and "=" in a saslname are written =2C and =3D. */
static void auth_saslname(struct buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == ',')
			buf_adds(out, "=2C");
		else if (*s == '=')
			buf_adds(out, "=3D");
		else
			buf_addc(out, *s);
	}
}

static void auth_scram_first(struct auth *a, struct buf *b64)
{
	struct buf bare, msg;

	if (a->nonce == NULL) {
		unsigned char r[AUTH_NONCE_BYTES];
		struct buf n;

		buf_init(&n);
		if (RAND_bytes(r, sizeof r) != 1)
			abort(); /* no randomness: nothing safe to do */
		auth_b64_encode(r, sizeof r, &n);
		a->nonce = buf_steal(&n);
	}
	buf_init(&bare);
	buf_adds(&bare, "n=");
	auth_saslname(&bare, a->user);
	buf_printf(&bare, ",r=%s", a->nonce);
	buf_init(&msg);
	buf_printf(&msg, "n,,%s", bare.data); /* gs2 header: no channel binding */
	auth_b64_encode(msg.data, msg.len, b64);
	buf_free(&msg);
	free(a->client_first_bare);
	a->client_first_bare = buf_steal(&bare);
}

/* The value of attribute "x=" in a SCRAM message (a copy), or NULL. */
static char *auth_scram_attr(const char *msg, char name)
{
	const char *p = msg;

	while (p && *p) {
		if (p[0] == name && p[1] == '=') {
			size_t n = strcspn(p + 2, ",");
			return xmemdup(p + 2, n);
		}
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return NULL;
}

static bool auth_hmac(const EVP_MD *md, const void *key, size_t klen,
		      const void *data, size_t dlen, unsigned char *out, unsigned *olen)
{
	return HMAC(md, key, (int)klen, data, dlen, out, olen) != NULL;
}

/* RFC 5802 3: everything from the salted password to the proof. */
static bool auth_scram_final(struct auth *a, const char *server_first,
			     struct buf *b64, char **err)
{
	const EVP_MD *md = auth_scram_md(a);
	char *nonce = auth_scram_attr(server_first, 'r');
	char *salt64 = auth_scram_attr(server_first, 's');
	char *iter = auth_scram_attr(server_first, 'i');
	unsigned char salted[EVP_MAX_MD_SIZE], ckey[EVP_MAX_MD_SIZE], skey[EVP_MAX_MD_SIZE];
	unsigned char stored[EVP_MAX_MD_SIZE], csig[EVP_MAX_MD_SIZE], proof[EVP_MAX_MD_SIZE];
	unsigned hlen = (unsigned)EVP_MD_get_size(md), len = 0, i;
	struct buf salt, without, am;
	long iterations = 0;
	char *end = NULL;
	bool ok = false;

	buf_init(&salt);
	buf_init(&without);
	buf_init(&am);
	if (server_first[0] == 'm') {
		*err = xstrdup(_("the server asks for a SCRAM extension (m=) smtpscope does not know"));
		goto out;
	}
	if (nonce == NULL || salt64 == NULL || iter == NULL) {
		*err = xstrdup(_("the server-first message lacks r=, s= or i= (RFC 5802 5.1)"));
		goto out;
	}
	if (strncmp(nonce, a->nonce, strlen(a->nonce)) != 0 || strlen(nonce) <= strlen(a->nonce)) {
		*err = xstrdup(_("the server's nonce does not extend the client nonce (RFC 5802 5.1): possibly a replay"));
		goto out;
	}
	if (!auth_b64_decode(salt64, strlen(salt64), &salt)) {
		*err = xstrdup(_("the salt (s=) is not valid base64"));
		goto out;
	}
	iterations = strtol(iter, &end, 10);
	if (*iter == '\0' || *end != '\0' || iterations < 1 ||
	    iterations > AUTH_SCRAM_MAX_ITERATIONS) {
		*err = xasprintf(_("iteration count \"%s\" is not between 1 and %d"), iter,
				 AUTH_SCRAM_MAX_ITERATIONS);
		goto out;
	}
	if (PKCS5_PBKDF2_HMAC(a->secret, (int)strlen(a->secret),
			      (const unsigned char *)salt.data, (int)salt.len,
			      (int)iterations, md, (int)hlen, salted) != 1 ||
	    !auth_hmac(md, salted, hlen, "Client Key", 10, ckey, &len) ||
	    EVP_Digest(ckey, hlen, stored, NULL, md, NULL) != 1 ||
	    !auth_hmac(md, salted, hlen, "Server Key", 10, skey, &len)) {
		*err = xstrdup(_("the SCRAM key derivation failed in OpenSSL"));
		goto out;
	}
	/* c=biws is base64("n,,"): no channel binding. */
	buf_printf(&without, "c=biws,r=%s", nonce);
	buf_printf(&am, "%s,%s,%s", a->client_first_bare, server_first, without.data);
	if (!auth_hmac(md, stored, hlen, am.data, am.len, csig, &len) ||
	    !auth_hmac(md, skey, hlen, am.data, am.len, a->server_sig, &a->sig_len)) {
		*err = xstrdup(_("HMAC failed in OpenSSL"));
		goto out;
	}
	for (i = 0; i < hlen; i++)
		proof[i] = ckey[i] ^ csig[i];
	buf_adds(&without, ",p=");
	auth_b64_encode(proof, hlen, &without);
	auth_b64_encode(without.data, without.len, b64);
	ok = true;
out:
	OPENSSL_cleanse(salted, sizeof salted);
	OPENSSL_cleanse(ckey, sizeof ckey);
	OPENSSL_cleanse(skey, sizeof skey);
	OPENSSL_cleanse(stored, sizeof stored);
	free(nonce);
	free(salt64);
	free(iter);
	buf_free(&salt);
	buf_free(&without);
	buf_free(&am);
	return ok;
}

/* RFC 5802 3: the server proves it knows the password too. */
static bool auth_scram_verify(struct auth *a, const char *server_final, char **err)
{
	char *e = auth_scram_attr(server_final, 'e');
	char *v = auth_scram_attr(server_final, 'v');
	struct buf sig;
	bool ok = false;

	buf_init(&sig);
	if (e)
		*err = xasprintf(_("the server reports a SCRAM error: %s"), e);
	else if (v == NULL)
		*err = xstrdup(_("the server-final message has no signature (v=)"));
	else if (!auth_b64_decode(v, strlen(v), &sig) || sig.len != a->sig_len ||
		 CRYPTO_memcmp(sig.data, a->server_sig, sig.len) != 0)
		*err = xstrdup(_("the server's SCRAM signature is WRONG: this server does not know "
				 "the password (an impostor, or a different account database)"));
	else
		ok = a->proof_checked = true;
	free(e);
	free(v);
	buf_free(&sig);
	return ok;
}

bool auth_initial(struct auth *a, struct buf *b64)
{
	switch (a->mech) {
	case AUTH_PLAIN:
		auth_plain(a, b64);
		return true;
	case AUTH_XOAUTH2:
		auth_xoauth2(a, b64);
		return true;
	case AUTH_SCRAM_SHA_1:
	case AUTH_SCRAM_SHA_256:
		auth_scram_first(a, b64);
		return true;
	default:
		return false;
	}
}

bool auth_respond(struct auth *a, const char *challenge, size_t n,
		  struct buf *b64, char **err)
{
	struct buf ch;
	bool ok = true;
	int step = a->step++;

	buf_init(&ch);
	if (!auth_b64_decode(challenge, n, &ch)) {
		*err = xstrdup(_("the 334 challenge is not valid base64 (RFC 4954 4)"));
		buf_free(&ch);
		return false;
	}
	buf_add(&ch, "", 0);
	switch (a->mech) {
	case AUTH_PLAIN:
	case AUTH_XOAUTH2:
		if (step == 0 && ch.len == 0) {
			/* An empty challenge asks for what we did not send. */
			if (a->mech == AUTH_PLAIN)
				auth_plain(a, b64);
			else
				auth_xoauth2(a, b64);
		}
		/* Otherwise (XOAUTH2's JSON error) an empty line ends it. */
		break;
	case AUTH_LOGIN:
		if (step == 0)
			auth_b64_encode(a->user, strlen(a->user), b64);
		else if (step == 1)
			auth_b64_encode(a->secret, strlen(a->secret), b64);
		else {
			*err = xstrdup(_("LOGIN has only two challenges (user name, password)"));
			ok = false;
		}
		break;
	case AUTH_CRAM_MD5:
		if (step == 0) {
			ok = auth_cram_md5(a, &ch, b64, err);
		} else {
			*err = xstrdup(_("CRAM-MD5 has only one challenge (RFC 2195)"));
			ok = false;
		}
		break;
	case AUTH_SCRAM_SHA_1:
	case AUTH_SCRAM_SHA_256:
		if (a->client_first_bare == NULL) {
			/* No initial response was sent: send client-first now. */
			a->step = 0;
			auth_scram_first(a, b64);
		} else if (a->sig_len == 0) {
			ok = auth_scram_final(a, ch.data, b64, err);
		} else if (!a->proof_checked) {
			ok = auth_scram_verify(a, ch.data, err); /* then an empty line */
		} else {
			*err = xstrdup(_("a challenge after the SCRAM exchange ended"));
			ok = false;
		}
		break;
	default:
		*err = xstrdup(_("unknown mechanism"));
		ok = false;
	}
	buf_free(&ch);
	return ok;
}

enum auth_server_proof auth_server_proof(const struct auth *a)
{
	if (a->mech != AUTH_SCRAM_SHA_1 && a->mech != AUTH_SCRAM_SHA_256)
		return AUTH_PROOF_NONE;
	return a->proof_checked ? AUTH_PROOF_VERIFIED : AUTH_PROOF_MISSING;
}
