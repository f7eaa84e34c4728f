/* client-message: the message after DATA's 354 (typed lines, a file,
 * a composed or given buffer, dot-stuffed by the smtp encoder) or in
 * BDAT chunks of exact size; streamed into the output buffer as the
 * socket drains, so a 50 MB file never sits in memory. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client-private.h"
#include "smtpscope/i18n.h"

void client_data_line(struct client *c, const char *line)
{
	smtp_data_line(c->smtp, line, strlen(line), &c->out);
	if (c->conn == CLIENT_UP)
		client_sent(c);
	else
		buf_clear(&c->out);
}

void client_data_end(struct client *c)
{
	smtp_data_end(c->smtp, NULL, &c->out);
	if (c->conn == CLIENT_UP)
		client_sent(c);
	else
		buf_clear(&c->out);
}

/* Reads up to n octets of the message source (file or buffer); with
 * full, fewer only at its end.  0 at the end, or after a read error
 * (reported, and msg_src_failed set: the caller closes the connection
 * instead of ending the message, which would deliver a part of it). */
static size_t client_source_read(struct client *c, char *p, size_t n, bool full)
{
	size_t got = 0;

	while (c->msg_src.read && got < n && !c->msg_src_failed) {
		size_t r = c->msg_src.read(c->msg_src.arg, p + got, n - got);

		if (r == CLIENT_SOURCE_ERROR)
			c->msg_src_failed = true;
		else if (r == 0)
			break;
		else
			got += r;
		if (!full)
			break;
	}
	if (c->msg_src.read)
		return got;
	if (c->msg_fd < 0) {
		got = c->msg_len - c->msg_off < n ? c->msg_len - c->msg_off : n;
		memcpy(p, c->msg_mem + c->msg_off, got);
		c->msg_off += got;
		return got;
	}
	while (got < n) {
		ssize_t r = read(c->msg_fd, p + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			session_text(c->session, SESSION_ERROR, _("reading %s failed: %s"),
				     c->msg_label, strerror(errno));
			c->msg_src_failed = true;
			break;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (!full)
			break;
	}
	return got;
}

/* The message source failed: the final dot (or BDAT LAST) would deliver
 * what was sent so far, so the connection is closed without it. */
static void client_msg_failed(struct client *c)
{
	client_close(c, _("the message could not be read to its end: the "
			  "connection is closed without the final dot, so "
			  "nothing is delivered"));
}

/* The next BDAT chunk: exactly as many octets as the count says; LAST
 * once the file's end is reached (a file that shrank ends early). */
static void client_pump_bdat(struct client *c)
{
	while (c->msg_streaming && c->out.len < CLIENT_OUT_LOW && client_bdat_may_send(c)) {
		size_t want = c->bdat_chunk, got;
		bool last;

		if (c->bdat_size - c->bdat_sent < want)
			want = (size_t)(c->bdat_size - c->bdat_sent);
		if (c->bdat_buf == NULL)
			c->bdat_buf = xmalloc(c->bdat_chunk);
		got = want ? client_source_read(c, c->bdat_buf, want, true) : 0;
		if (c->msg_src_failed) {
			client_msg_failed(c);
			return;
		}
		c->bdat_sent += got;
		last = got < want || c->bdat_sent >= c->bdat_size;
		smtp_bdat(c->smtp, c->bdat_buf, got, last, &c->out);
		if (last)
			client_msg_clear(c);
	}
	client_sent(c);
}

/* Moves the next piece of the message source into the output. */
void client_pump_message(struct client *c)
{
	char chunk[CLIENT_READ_CHUNK * 4];

	if (c->msg_bdat) {
		client_pump_bdat(c);
		return;
	}
	while (c->msg_streaming && c->out.len < CLIENT_OUT_LOW) {
		ssize_t n;

		if (c->msg_fd >= 0 || c->msg_quiet) {
			/* A file or a composed message: summarised at its end. */
			n = (ssize_t)client_source_read(c, chunk, sizeof chunk, false);
			if (n > 0)
				smtp_data_bytes(c->smtp, chunk, (size_t)n, &c->out);
			if (c->msg_src_failed) {
				client_msg_failed(c);
				return;
			}
		} else {
			/* Typed lines: each one is shown in the transcript. */
			const char *line = c->msg_mem + c->msg_off;
			size_t left = c->msg_len - c->msg_off;
			const char *nl = memchr(line, '\n', left);
			size_t len = nl ? (size_t)(nl - line) : left;

			n = (ssize_t)left;
			if (left > 0) {
				smtp_data_line(c->smtp, line, len, &c->out);
				c->msg_off += nl ? len + 1 : len;
			}
		}
		if (n == 0) {
			smtp_data_end(c->smtp, c->msg_fd >= 0 || c->msg_quiet ? c->msg_label : NULL, &c->out);
			client_msg_clear(c);
		}
	}
	client_sent(c);
}

static void client_start_message(struct client *c)
{
	if (c->conn != CLIENT_UP) {
		session_text(c->session, SESSION_ERROR,
			     _("not connected: the message (%s) was not sent"), c->msg_label);
		client_msg_clear(c);
		return;
	}
	if (smtp_state(c->smtp) == SMTP_DATA && smtp_pending_count(c->smtp) == 0) {
		c->msg_streaming = true;
		client_pump_message(c);
		return;
	}
	c->msg_pending = true;
	client_command(c, "DATA");
}

/* Opens a message file; its size for the SIZE check. */
static int client_open_message(const char *path, unsigned long long *size, char **err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0) {
		*err = xasprintf(_("cannot open %s: %s (give the path of a message file, e.g. a .eml)"),
				 path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*err = xasprintf(_("%s is not a regular file (give the path of a message file, e.g. a .eml)"),
				 path);
		close(fd);
		return -1;
	}
	*size = (unsigned long long)st.st_size;
	return fd;
}

bool client_send_file(struct client *c, const char *path, char **err)
{
	unsigned long long size;
	int fd = client_open_message(path, &size, err);

	if (fd < 0)
		return false;
	client_msg_clear(c);
	c->msg_fd = fd;
	c->msg_label = xstrdup(path);
	smtp_size_check(c->smtp, size, path);
	client_start_message(c);
	return true;
}

/* The message source is set: BDAT chunks from now on. */
static void client_start_bdat(struct client *c, unsigned long long size, size_t chunk)
{
	const char *path = c->msg_label;

	c->msg_bdat = true;
	c->bdat_chunk = chunk ? chunk : CLIENT_BDAT_CHUNK;
	c->bdat_size = size;
	smtp_size_check(c->smtp, size, path);
	session_text(c->session, SESSION_NOTE,
		     _("BDAT: %s, %llu octets in chunks of at most %zu, sent exactly as they are (no dot-stuffing, no line-ending repair)%s"),
		     path, size, c->bdat_chunk,
		     caps_has(smtp_caps(c->smtp), CAP_PIPELINING) ? _("; chunks pipelined") : _("; each chunk after the previous reply"));
	c->msg_streaming = true;
	client_pump_message(c);
}

bool client_send_bdat(struct client *c, const char *path, size_t chunk, char **err)
{
	unsigned long long size;
	int fd;

	if (c->conn != CLIENT_UP) {
		*err = xasprintf(_("not connected: the message (%s) was not sent"), path);
		return false;
	}
	if ((fd = client_open_message(path, &size, err)) < 0)
		return false;
	client_msg_clear(c);
	c->msg_fd = fd;
	c->msg_label = xstrdup(path);
	client_start_bdat(c, size, chunk);
	return true;
}

void client_send_composed(struct client *c, const char *data, size_t len,
			  const char *label, bool bdat)
{
	client_msg_clear(c);
	c->msg_mem = xmemdup(data, len);
	c->msg_len = len;
	c->msg_label = xstrdup(label);
	c->msg_quiet = true;
	if (bdat) {
		client_start_bdat(c, len, 0);
		return;
	}
	smtp_size_check(c->smtp, len, label);
	client_start_message(c);
}

void client_send_source(struct client *c, const struct client_source *src,
			unsigned long long size, const char *label)
{
	client_msg_clear(c);
	c->msg_src = *src;
	c->msg_label = xstrdup(label);
	c->msg_quiet = true;
	if (size > 0)
		smtp_size_check(c->smtp, size, label);
	client_start_message(c);
}

void client_send_message(struct client *c, const char *data, size_t len,
			 const char *label)
{
	client_msg_clear(c);
	c->msg_mem = xmemdup(data, len);
	c->msg_len = len;
	c->msg_label = xstrdup(label);
	smtp_size_check(c->smtp, len, label);
	client_start_message(c);
}
