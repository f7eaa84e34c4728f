/* data: streaming dot-stuffing and line-ending repair for DATA. */
#include "config.h"

#include <string.h>

#include "smtpscope/data.h"

void data_encoder_init(struct data_encoder *d)
{
	memset(d, 0, sizeof *d);
	d->at_line_start = true;
}

static void data_end_line(struct data_encoder *d, struct buf *out)
{
	buf_add(out, "\r\n", 2);
	d->lines++;
	if (d->line_len > DATA_LINE_MAX) {
		if (d->long_lines++ == 0)
			d->first_long_line = d->lines;
	}
	d->line_len = 0;
	d->at_line_start = true;
}

static void data_put(struct data_encoder *d, char c, struct buf *out)
{
	if (d->at_line_start && c == '.') {
		/* RFC 5321 4.5.2: a line starting with "." gets one more. */
		buf_addc(out, '.');
		d->stuffed++;
	}
	d->at_line_start = false;
	if (c == '\0')
		d->had_nul = true;
	buf_addc(out, c);
	d->line_len++;
}

void data_encode(struct data_encoder *d, const char *in, size_t n,
		 struct buf *out)
{
	size_t before = out->len, i;

	d->in_bytes += n;
	for (i = 0; i < n; i++) {
		char c = in[i];
		if (d->pending_cr) {
			d->pending_cr = false;
			if (c == '\n') {
				data_end_line(d, out);
				continue;
			}
			/* A CR on its own. */
			d->bare_cr++;
			if (d->raw) {
				buf_addc(out, '\r');
				d->line_len++;
				d->at_line_start = false;
			} else {
				data_end_line(d, out);
			}
		}
		if (c == '\r') {
			d->pending_cr = true;
		} else if (c == '\n') {
			d->bare_lf++;
			if (d->raw) {
				buf_addc(out, '\n');
				d->line_len++;
				d->at_line_start = false;
			} else {
				data_end_line(d, out);
			}
		} else {
			data_put(d, c, out);
		}
	}
	d->out_bytes += out->len - before;
}

void data_finish(struct data_encoder *d, struct buf *out)
{
	size_t before = out->len;

	if (d->pending_cr) {
		/* A final lone CR is taken as the end of the last line. */
		d->pending_cr = false;
		data_end_line(d, out);
	} else if (!d->at_line_start) {
		data_end_line(d, out);
	}
	buf_add(out, ".\r\n", 3);
	d->out_bytes += out->len - before;
}
