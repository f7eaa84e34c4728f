/* ossl-lazy.c: libssl and libcrypto opened at the first OpenSSL call
 * (src/ossl-stubs.S's stubs), not linked: mapping and relocating them is
 * about 0.5 ms of every start, a quarter of `smtpscope --version` and
 * most of a session that never uses TLS.  The libraries are Debian's as
 * before, only opened later, so their security updates still apply. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "smtpscope/i18n.h"
#include "smtpscope/util.h"

/* configure: the run-time name of libssl (it brings libcrypto; dlsym
 * through its handle finds both libraries' functions). */
#define OSSL_LAZY_LIBSSL LIBSSL_SONAME

#define OSSL_LAZY_SYM(name) extern void *ossl_slot_##name;
#include "ossl-lazy-private.h"
#undef OSSL_LAZY_SYM

#define OSSL_LAZY_SYM(name) { #name, &ossl_slot_##name },
static const struct util_sym ossl_lazy_syms[] = {
#include "ossl-lazy-private.h"
};
#undef OSSL_LAZY_SYM

static void ossl_lazy_load(void)
{
	char *why = util_dlsyms(OSSL_LAZY_LIBSSL, ossl_lazy_syms, UTIL_ARRAY_LEN(ossl_lazy_syms));

	if (why == NULL)
		return;
	/* Nothing can go on without it, and the caller cannot be told: abort,
	 * which the TUI's crash handler answers by restoring the terminal. */
	fputs("smtpscope: ", stderr);
	fprintf(stderr, _("cannot load %s (%s): %s; install the Debian package %s"),
		OSSL_LAZY_LIBSSL, "OpenSSL", why, "libssl3");
	fputs("\n", stderr);
	free(why);
	abort();
}

/* Called by the first call of any stub, on any thread: once. */
void ossl_lazy_open(void);

void ossl_lazy_open(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, ossl_lazy_load);
}
