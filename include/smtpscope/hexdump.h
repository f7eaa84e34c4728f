/* hexdump: bytes as `hexdump -C` and `xxd` show them — an offset, the
 * bytes in hex, the printable ASCII with a dot for anything else:
 *
 *   0000  32 32 30 20 64 65 6d 6f  2e 74 65 73 74 0d 0a     |220 demo.test..|
 *
 * Sans-I/O; every byte of the ASCII column is printable ASCII, so the
 * rows are safe on any terminal whatever the bytes were. */
#ifndef SMTPSCOPE_HEXDUMP_H
#define SMTPSCOPE_HEXDUMP_H

#include <stddef.h>

#include "smtpscope/util.h"

/* Bytes per row: the usual 16, or fewer for a narrow pane. */
#define HEXDUMP_WIDE 16

/* Hex digits of the offset column for a dump of total bytes: 4 up to
 * 64 KiB, else 8. */
int hexdump_digits(size_t total);
/* Columns one row takes (per_row bytes, digits of offset). */
size_t hexdump_row_width(size_t per_row, int digits);
/* The most bytes per row (16, 8 or 4) whose rows fit in cols columns. */
size_t hexdump_fit(size_t cols, size_t total);
/* One row: bytes p[0..n) (n <= per_row) at offset off, no newline. */
void hexdump_row(struct buf *out, const void *p, size_t n, size_t off, size_t per_row,
		 int digits);
/* The bytes as hex digits, two a byte, nothing between ("32320d0a"). */
void hexdump_plain(struct buf *out, const void *p, size_t n);
/* Every row of p[0..n), each after prefix and ending in '\n'. */
void hexdump(struct buf *out, const void *p, size_t n, size_t per_row, const char *prefix);

#endif
