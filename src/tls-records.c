/* tls-records: which TLS records the bytes of each read and write came
 * in, for --raw.  OpenSSL's message callback hands over every record
 * header (RFC 8446 5.1: content type, legacy version, length) and, in
 * TLS 1.3, the inner content type of each encrypted record (RFC 8446
 * 5.2); the log keeps them per direction until the client takes them. */
#include "config.h"

#include <string.h>

#include "tls-private.h"
#include "smtpscope/i18n.h"

void tls_records_watch(struct tls_conn *t, bool on)
{
	t->records_on = on;
	memset(t->records, 0, sizeof t->records);
}

void tls_records_callback(int write_p, int version, int content_type, const void *buf,
			  size_t len, SSL *ssl, void *arg)
{
	struct tls_conn *t = arg;
	struct tls_record_log *log;
	const unsigned char *b = buf;

	(void)version, (void)ssl;
	if (t == NULL || !t->records_on || !t->done)
		return; /* the handshake's records are the handshake's */
	log = &t->records[write_p ? 1 : 0];
	if (content_type == SSL3_RT_INNER_CONTENT_TYPE && len == 1) {
		if (log->n > 0 && log->rec[log->n - 1].inner == 0 && log->more == 0)
			log->rec[log->n - 1].inner = b[0];
		else
			log->pending_inner = b[0];
		return;
	}
	if (content_type != SSL3_RT_HEADER || len < SSL3_RT_HEADER_LENGTH)
		return;
	if (log->n == TLS_RECORDS_MAX) {
		log->more++;
		return;
	}
	log->rec[log->n].type = b[0];
	log->rec[log->n].len = (unsigned short)(b[3] << 8 | b[4]);
	log->rec[log->n].inner = log->pending_inner;
	log->pending_inner = 0;
	log->n++;
}

/* RFC 8446 B.1's names of the content types. */
static const char *tls_records_type(unsigned char type)
{
	switch (type) {
	case 20: return _("change_cipher_spec");
	case 21: return _("alert");
	case 22: return _("handshake");
	case 23: return _("application data");
	case 24: return _("heartbeat");
	default: return NULL;
	}
}

static void tls_records_name(struct buf *out, const struct tls_record *r)
{
	/* TLS 1.3 hides the type: every encrypted record says application
	 * data outside, the real type inside. */
	unsigned char type = r->inner ? r->inner : r->type;
	const char *name = tls_records_type(type);

	if (name)
		buf_adds(out, name);
	else
		buf_printf(out, _("type %u"), type);
}

bool tls_records_take(struct tls_conn *t, bool written, struct buf *out)
{
	struct tls_record_log *log = &t->records[written ? 1 : 0];
	size_t i = 0;

	if (log->n == 0)
		return false;
	while (i < log->n) {
		const struct tls_record *r = &log->rec[i];
		unsigned char type = r->inner ? r->inner : r->type;
		unsigned long bytes = 0;
		size_t k = i;

		while (k < log->n && (log->rec[k].inner ? log->rec[k].inner : log->rec[k].type) == type)
			bytes += log->rec[k++].len;
		if (i > 0)
			buf_adds(out, ", ");
		tls_records_name(out, r);
		if (k - i > 1)
			buf_printf(out, " x%zu", k - i);
		buf_printf(out, ngettext(" (%lu byte)", " (%lu bytes)", bytes), bytes);
		i = k;
	}
	if (log->more)
		buf_printf(out, ngettext(", and %zu more", ", and %zu more", log->more), log->more);
	log->n = log->more = 0;
	return true;
}
