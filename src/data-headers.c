/* data-headers: the header section of a message read as it streams, so
 * the mistakes a person typing a message makes can be told before the
 * dot goes (RFC 5322 2.1, 2.2, 3.6): a line in the header section that is
 * no header field (a missing colon, or the body begun without the empty
 * line that must come first), and a missing Date, From or Message-ID. */
#include "config.h"

#include <string.h>

#include "smtpscope/data.h"
#include "smtpscope/util.h"

void data_headers_init(struct data_headers *h)
{
	memset(h, 0, sizeof *h);
	h->in_header = true;
	h->line = 1;
}

/* RFC 5322 2.2, 3.6.8: a field name is printable ASCII but the colon,
 * then the colon (white space before it is the obsolete form, still
 * read). */
static bool data_headers_is_field(const char *s, size_t n, size_t *name_len)
{
	size_t i = 0;

	while (i < n && s[i] > ' ' && s[i] < 0x7f && s[i] != ':')
		i++;
	*name_len = i;
	if (i == 0)
		return false;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i < n && s[i] == ':';
}

static bool data_headers_named(const char *s, size_t n, const char *name)
{
	return n == strlen(name) && util_strnieq(s, name, n);
}

/* The first bytes of a line that is no field, cut at a character. */
static void data_headers_keep_bad(struct data_headers *h, const char *s, size_t n)
{
	bool cut = n > DATA_HEADER_SHOW;

	if (cut) {
		n = DATA_HEADER_SHOW;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(h->bad, s, n);
	memcpy(h->bad + n, cut ? "..." : "", cut ? 4 : 1);
	h->bad_line = h->line;
}

/* A whole line of the header section (without its line end). */
static void data_headers_line(struct data_headers *h)
{
	const char *s = h->cur;
	size_t n = h->cur_len, name;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (n == 0) {
		h->in_header = false;
		h->blank_seen = true;
		return;
	}
	if ((s[0] == ' ' || s[0] == '\t') && h->fields > 0)
		return; /* the field above continues */
	if (!data_headers_is_field(s, n, &name)) {
		if (h->bad_line == 0)
			data_headers_keep_bad(h, s, n);
		return;
	}
	h->fields++;
	h->date = h->date || data_headers_named(s, name, "Date");
	h->from = h->from || data_headers_named(s, name, "From");
	h->message_id = h->message_id || data_headers_named(s, name, "Message-ID");
}

void data_headers_feed(struct data_headers *h, const char *p, size_t n)
{
	for (size_t i = 0; i < n && h->in_header; i++) {
		if (p[i] == '\n') {
			data_headers_line(h);
			h->cur_len = 0;
			h->mid_line = false;
			h->line++;
			continue;
		}
		h->mid_line = true;
		if (h->cur_len < DATA_HEADER_SCAN)
			h->cur[h->cur_len++] = p[i];
	}
}

void data_headers_finish(struct data_headers *h)
{
	if (h->in_header && h->mid_line)
		data_headers_line(h);
	h->mid_line = false;
	h->cur_len = 0;
}
