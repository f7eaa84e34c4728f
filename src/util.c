/* util: allocation that never returns NULL, growable buffers, the
 * visible escaping of untrusted bytes, and libraries opened when first
 * needed (util_dlsyms). */
#include "config.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/util.h"

static void util_oom(size_t n)
{
	fprintf(stderr, "smtpscope: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		util_oom(n);
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (p == NULL)
		util_oom(count * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		util_oom(n);
	return q;
}

void *xgrow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap;
	if (need <= c)
		return p;
	if (c == 0)
		c = 8;
	while (c < need) {
		if (c > SIZE_MAX / 2 / size)
			util_oom(SIZE_MAX);
		c *= 2;
	}
	*cap = c;
	return xrealloc(p, c * size);
}

char *xstrdup(const char *s)
{
	return xmemdup(s, strlen(s));
}

char *xmemdup(const void *p, size_t n)
{
	char *d = xmalloc(n + 1);
	if (n)
		memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

char *xasprintf(const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return buf_steal(&b);
}

void buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void buf_clear(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static void buf_reserve(struct buf *b, size_t extra)
{
	if (extra > SIZE_MAX - b->len - 1)
		util_oom(SIZE_MAX);
	b->data = xgrow(b->data, &b->cap, b->len + extra + 1, 1);
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	buf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		buf_clear(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

char *buf_steal(struct buf *b)
{
	char *d = b->data ? b->data : xstrdup("");
	buf_init(b);
	return d;
}

/* Length of the valid UTF-8 sequence at p (2..4), or 0 if it is invalid
 * (overlong, surrogate, beyond U+10FFFF, or cut short).  *cp gets the
 * code point. */
static size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c, min;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2; c = p[0] & 0x1f; min = 0x80;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3; c = p[0] & 0x0f; min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4; c = p[0] & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Code points that are valid UTF-8 but must not reach a terminal: C1
 * controls (some terminals act on them) and the bidirectional controls
 * that can make displayed text lie about its order. */
static bool util_cp_unsafe(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x061c || cp == 0xfeff;
}

bool util_utf8_valid(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0;
	uint32_t cp;

	while (i < n) {
		size_t len = u[i] < 0x80 ? 1 : utf8_decode(u + i, n - i, &cp);

		if (len == 0)
			return false;
		i += len;
	}
	return true;
}

void util_escape(struct buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned char c = p[i];
		if (c >= 0x20 && c < 0x7f) {
			if (c == '\\')
				buf_adds(out, "\\\\");
			else
				buf_addc(out, (char)c);
			i++;
		} else if (c == '\t') {
			buf_adds(out, "\\t"); i++;
		} else if (c == '\r') {
			buf_adds(out, "\\r"); i++;
		} else if (c == '\n') {
			buf_adds(out, "\\n"); i++;
		} else if (c < 0x80) {
			buf_printf(out, "\\x%02x", c); i++;
		} else {
			uint32_t cp = 0;
			size_t len = utf8_decode(p + i, n - i, &cp);
			if (len == 0) {
				buf_printf(out, "\\x%02x", c);
				i++;
			} else if (util_cp_unsafe(cp)) {
				buf_printf(out, "\\u{%04x}", (unsigned)cp);
				i += len;
			} else {
				buf_add(out, p + i, len);
				i += len;
			}
		}
	}
}

char *util_escape_dup(const char *p, size_t n)
{
	struct buf b;

	buf_init(&b);
	util_escape(&b, p, n);
	return buf_steal(&b);
}

static int util_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

bool util_name_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 1 && a[la - 1] == '.')
		la--;
	if (lb > 1 && b[lb - 1] == '.')
		lb--;
	return la == lb && util_strnieq(a, b, la);
}

bool util_strnieq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (util_lower((unsigned char)a[i]) != util_lower((unsigned char)b[i]))
			return false;
		if (a[i] == '\0')
			return true;
	}
	return true;
}

bool util_strieq(const char *a, const char *b)
{
	size_t la = strlen(a);

	return la == strlen(b) && util_strnieq(a, b, la);
}

bool util_istarts(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strlen(s) >= n && util_strnieq(s, prefix, n);
}

size_t util_chomp(char *s, size_t len)
{
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		s[--len] = '\0';
	return len;
}

void util_json_string(struct buf *out, const char *s)
{
	buf_addc(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': buf_adds(out, "\\\""); break;
		case '\\': buf_adds(out, "\\\\"); break;
		case '\n': buf_adds(out, "\\n"); break;
		case '\r': buf_adds(out, "\\r"); break;
		case '\t': buf_adds(out, "\\t"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				buf_printf(out, "\\u%04x", *p);
			else
				buf_addc(out, (char)*p);
		}
	}
	buf_addc(out, '"');
}

bool util_read_file(const char *path, size_t max, struct buf *out)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char chunk[65536];
	size_t n;
	bool ok;

	if (f == NULL)
		return false;
	while (out->len <= max && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(out, chunk, n);
	ok = !ferror(f);
	if (f != stdin)
		fclose(f);
	return ok;
}

/* Wide ranges (Unicode's East Asian Width W and F, the common blocks). */
static bool util_wide(unsigned long c)
{
	return (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0x303e) ||
	       (c >= 0x3041 && c <= 0x33ff) || (c >= 0x3400 && c <= 0x4dbf) ||
	       (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xa000 && c <= 0xa4cf) ||
	       (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
	       (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
	       (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
	       (c >= 0x20000 && c <= 0x3fffd);
}

size_t util_display_width(const char *s, size_t n)
{
	size_t cols = 0;

	for (size_t i = 0; i < n;) {
		unsigned char b = (unsigned char)s[i];
		unsigned long c = b;
		size_t len = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;

		if (len > 1 && i + len <= n) {
			c = b & (0x3fu >> (len - 1));
			for (size_t k = 1; k < len; k++)
				c = (c << 6) | ((unsigned char)s[i + k] & 0x3fu);
		}
		i += len;
		if (c >= 0x300 && c <= 0x36f)
			continue; /* combining diacritics */
		cols += util_wide(c) ? 2 : 1;
	}
	return cols;
}

unsigned long util_fnv1a(unsigned long h, const char *s)
{
	for (; s && *s; s++)
		h = ((h ^ (unsigned char)*s) * 16777619ul) & 0xfffffffful;
	/* a field ends: "ab" + "" differs from "a" + "b" */
	return ((h ^ 0xffu) * 16777619ul) & 0xfffffffful;
}

void util_json_member(struct buf *out, bool *first, const char *key, const char *val)
{
	if (!*first)
		buf_addc(out, ',');
	*first = false;
	util_json_string(out, key);
	buf_addc(out, ':');
	if (val)
		util_json_string(out, val);
	else
		buf_adds(out, "null");
}

char *util_dlsyms(const char *soname, const struct util_sym *syms, size_t n)
{
	void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (lib == NULL)
		return xstrdup(dlerror());
	for (size_t i = 0; i < n; i++)
		if ((*syms[i].slot = dlsym(lib, syms[i].name)) == NULL)
			return xasprintf("%s: no symbol %s", soname, syms[i].name);
	return NULL;
}
