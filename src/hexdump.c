/* hexdump: the rows of a hex + ASCII dump (see hexdump.h). */
#include "config.h"

#include <string.h>

#include "smtpscope/hexdump.h"

int hexdump_digits(size_t total)
{
	return total <= 0x10000 ? 4 : 8;
}

size_t hexdump_row_width(size_t per_row, int digits)
{
	/* offset, two spaces, "xx " per byte (one more space between the
	 * halves of a wide row), a space, then "|ascii|" */
	return (size_t)digits + 2 + per_row * 3 + (per_row > 8) + 1 + 2 + per_row;
}

size_t hexdump_fit(size_t cols, size_t total)
{
	int digits = hexdump_digits(total);

	if (cols >= hexdump_row_width(HEXDUMP_WIDE, digits))
		return HEXDUMP_WIDE;
	if (cols >= hexdump_row_width(8, digits))
		return 8;
	return 4;
}

static const char hexdump_digit[] = "0123456789abcdef";

void hexdump_plain(struct buf *out, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		buf_addc(out, hexdump_digit[b[i] >> 4]);
		buf_addc(out, hexdump_digit[b[i] & 15]);
	}
}

void hexdump_row(struct buf *out, const void *p, size_t n, size_t off, size_t per_row,
		 int digits)
{
	const unsigned char *b = p;

	if (per_row == 0)
		per_row = HEXDUMP_WIDE;
	if (n > per_row)
		n = per_row;
	buf_printf(out, "%0*zx  ", digits, off);
	for (size_t i = 0; i < per_row; i++) {
		if (i == 8 && per_row > 8)
			buf_addc(out, ' ');
		if (i < n) {
			hexdump_plain(out, b + i, 1);
			buf_addc(out, ' ');
		} else {
			buf_adds(out, "   ");
		}
	}
	buf_adds(out, " |");
	for (size_t i = 0; i < n; i++)
		buf_addc(out, b[i] >= 0x20 && b[i] < 0x7f ? (char)b[i] : '.');
	buf_addc(out, '|');
}

void hexdump(struct buf *out, const void *p, size_t n, size_t per_row, const char *prefix)
{
	const unsigned char *b = p;
	int digits = hexdump_digits(n);

	if (per_row == 0)
		per_row = HEXDUMP_WIDE;
	for (size_t off = 0; off < n; off += per_row) {
		buf_adds(out, prefix);
		hexdump_row(out, b + off, n - off, off, per_row, digits);
		buf_addc(out, '\n');
	}
}
