/* util: checked allocation, growable byte buffers, the visible escaping
 * of untrusted bytes, and libraries opened when first needed.  Everything
 * a server sends passes through util_escape() before it reaches a
 * terminal or a log. */
#ifndef SMTPSCOPE_UTIL_H
#define SMTPSCOPE_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define UTIL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows an array of count elements of size `size` to hold at least `need`. */
void *xgrow(void *p, size_t *cap, size_t need, size_t size);
char *xstrdup(const char *s);
char *xmemdup(const void *p, size_t n); /* NUL-terminated copy */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte buffer; always NUL-terminated after its len bytes. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_clear(struct buf *b);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_addc(struct buf *b, char c);
void buf_adds(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Drops the first n bytes. */
void buf_consume(struct buf *b, size_t n);
/* Hands the data to the caller (who frees it) and empties the buffer. */
char *buf_steal(struct buf *b);

/* Appends a visible rendering of untrusted bytes: printable ASCII and
 * valid, printable UTF-8 as they are; tab, CR, LF as \t \r \n; other C0
 * and C1 controls, DEL, invalid UTF-8 and NUL as \xHH; bidirectional
 * override characters as \u{HHHH}; a backslash as \\ so the rendering is
 * unambiguous.  The result never contains a byte a terminal interprets. */
void util_escape(struct buf *out, const char *p, size_t n);
/* Convenience: returns a new string (caller frees). */
char *util_escape_dup(const char *p, size_t n);
/* True if p holds well-formed UTF-8 (RFC 3629: no overlong forms,
 * surrogates or code points beyond U+10FFFF; ASCII is UTF-8). */
bool util_utf8_valid(const char *p, size_t n);

/* FNV-1a (32 bits) of s, then of a field end, continuing from h
 * (start with 2166136261): a checksum of a sequence of texts. */
unsigned long util_fnv1a(unsigned long h, const char *s);

/* Terminal columns of UTF-8 text without a locale: wide (East Asian
 * Wide and Fullwidth: Hangul, CJK, fullwidth forms) characters take two,
 * combining marks and continuation bytes none, the rest one. */
size_t util_display_width(const char *s, size_t n);

/* Case-insensitive ASCII comparisons (locale-independent). */
bool util_strieq(const char *a, const char *b);
bool util_strnieq(const char *a, const char *b, size_t n);
/* The same domain name: ASCII case ignored, and a trailing dot. */
bool util_name_eq(const char *a, const char *b);
/* True if s starts with prefix, ignoring ASCII case. */
bool util_istarts(const char *s, const char *prefix);

/* Appends s as a JSON string literal (quotes included).  s should be
 * valid UTF-8 already: pass server text through util_escape first. */
void util_json_string(struct buf *out, const char *s);

/* Appends a whole file (standard input for "-") to out, stopping once
 * out holds more than max bytes, so the caller can say "too big".
 * False with errno set if it cannot be opened or read. */
bool util_read_file(const char *path, size_t max, struct buf *out);

/* One member of a JSON object: "," unless *first (which it clears), the
 * key, ':' and the value as a string, or null when val is NULL. */
void util_json_member(struct buf *out, bool *first, const char *key, const char *val);

/* Strips trailing CR/LF in place; returns the new length. */
size_t util_chomp(char *s, size_t len);

/* A library opened when first needed (dlopen) instead of linked, so that
 * a start that never needs it does not pay for loading it and the ones
 * it brings: each symbol's address goes to its slot. */
struct util_sym {
	const char *name;
	void **slot;
};
/* Opens soname and fills every slot; NULL, or (allocated) the dynamic
 * loader's words for what is missing.  The library stays open. */
char *util_dlsyms(const char *soname, const struct util_sym *syms, size_t n);

#endif
