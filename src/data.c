/* data: streaming dot-stuffing and line-ending repair for DATA. */
#include "config.h"

#include <string.h>

#include "smtpscope/data.h"

void data_encoder_init(struct data_encoder *d)
{
	memset(d, 0, sizeof *d);
	d->at_line_start = true;
	data_headers_init(&d->hdr);
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

/* The length of the run of ordinary octets (no CR, no LF) at p; NULs
 * and octets with the 8th bit set are noted in d. */
static size_t data_run(struct data_encoder *d, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i, high = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = u[i];
		if (c == '\r' || c == '\n')
			break;
		if (c == '\0')
			d->had_nul = true;
		high += c >> 7;
	}
	d->eight_bit += high;
	return i;
}

/* A line break that was bare LF or bare CR: repaired, or kept (raw). */
static void data_bare(struct data_encoder *d, char c, struct buf *out)
{
	if (d->raw) {
		buf_addc(out, c);
		d->line_len++;
		d->at_line_start = false;
	} else {
		data_end_line(d, out);
	}
}

void data_encode(struct data_encoder *d, const char *in, size_t n,
		 struct buf *out)
{
	size_t before = out->len, i = 0;

	/* Runs of ordinary octets are copied whole: this is the hot path
	 * of a large message (bench/throughput.sh). */
	d->in_bytes += n;
	if (d->hdr.in_header)
		data_headers_feed(&d->hdr, in, n);
	while (i < n) {
		char c = in[i];
		size_t run;

		if (d->pending_cr) {
			d->pending_cr = false;
			if (c == '\n') {
				data_end_line(d, out);
				i++;
				continue;
			}
			d->bare_cr++;
			data_bare(d, '\r', out);
		}
		if (c == '\r') {
			d->pending_cr = true;
			i++;
			continue;
		}
		if (c == '\n') {
			d->bare_lf++;
			data_bare(d, '\n', out);
			i++;
			continue;
		}
		if (d->at_line_start && c == '.') {
			/* RFC 5321 4.5.2: a line starting with "." gets one more. */
			buf_addc(out, '.');
			d->stuffed++;
		}
		d->at_line_start = false;
		run = data_run(d, in + i, n - i);
		buf_add(out, in + i, run);
		d->line_len += run;
		i += run;
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
