/* client-raw: --raw and /raw, every read and write of the connection as
 * a SESSION_RAW event, its bytes as they went (inside TLS, decrypted, with
 * the TLS records they came in).  Credentials never reach a dump: the
 * bytes queued with a line the session redacts (an AUTH initial
 * response, a SASL answer after 334) mark a span of the output, and a
 * write that overlaps it is recorded by its size alone. */
#include "config.h"

#include "client-private.h"

void client_set_raw(struct client *c, bool on)
{
	c->opt.raw = on;
	if (c->tls)
		tls_records_watch(c->tls, on);
}

bool client_raw(const struct client *c)
{
	return c->opt.raw;
}

void client_raw_reset(struct client *c)
{
	c->raw_marked = c->raw_written = 0;
	c->raw_kept = 0;
	c->raw_secret_from = c->raw_secret_to = 0;
	c->raw_seen_ev = session_count(c->session);
}

/* A line that saved sessions and the ladder show as "***". */
static bool client_raw_secret(struct client *c, const struct session_event *ev)
{
	bool secret;

	if (ev->kind != SESSION_SENT)
		return false;
	buf_clear(&c->raw_tmp);
	secret = session_redact(c->session, ev, &c->raw_tmp);
	buf_clear(&c->raw_tmp);
	return secret;
}

void client_raw_mark(struct client *c)
{
	size_t n = session_count(c->session);
	unsigned long long end = c->raw_written + c->out.len;
	bool secret = false;

	for (size_t i = c->raw_seen_ev; c->opt.raw && i < n; i++)
		secret = client_raw_secret(c, session_get(c->session, i)) || secret;
	c->raw_seen_ev = n;
	if (secret) {
		/* A span not yet written grows to take the new bytes too. */
		if (c->raw_secret_to <= c->raw_written)
			c->raw_secret_from = c->raw_marked;
		c->raw_secret_to = end;
	}
	c->raw_marked = end;
}

/* The TLS records of this read or write (NULL outside TLS), in b. */
static const char *client_raw_records(struct client *c, bool written)
{
	buf_clear(&c->raw_tmp);
	if (c->tls == NULL || !tls_records_take(c->tls, written, &c->raw_tmp))
		return NULL;
	return c->raw_tmp.data;
}

/* One dump: as many bytes as the connection's budget still allows. */
static void client_raw_dump(struct client *c, bool write, const char *p, size_t n, bool secret)
{
	size_t keep = secret ? 0 : SESSION_RAW_BUDGET - c->raw_kept;

	if (keep > n)
		keep = n;
	if (keep > SESSION_RAW_KEEP)
		keep = SESSION_RAW_KEEP;
	c->raw_kept += keep;
	session_raw(c->session, write, p, n, keep, secret, client_raw_records(c, write));
}

void client_raw_read(struct client *c, const char *p, size_t n)
{
	if (c->opt.raw)
		client_raw_dump(c, false, p, n, false);
}

void client_raw_wrote(struct client *c, const char *p, size_t n)
{
	unsigned long long from = c->raw_written;
	bool secret;

	c->raw_written += n;
	if (!c->opt.raw)
		return;
	secret = from < c->raw_secret_to && c->raw_written > c->raw_secret_from;
	client_raw_dump(c, true, p, n, secret);
}
