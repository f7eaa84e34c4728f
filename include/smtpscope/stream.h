/* stream: one read/write/close API over a connected socket.  A stream is a
 * stack of layers; the plain socket is the bottom one, and the TLS module
 * pushes a layer on top (tls_stream_ops) after STARTTLS or at connect for
 * implicit TLS, so callers never write "if (tls)" at every read. */
#ifndef SMTPSCOPE_STREAM_H
#define SMTPSCOPE_STREAM_H

#include <stdbool.h>
#include <stddef.h>

enum stream_status {
	STREAM_OK,     /* *done bytes moved (> 0) */
	STREAM_AGAIN,  /* would block: wait for stream_events() */
	STREAM_EOF,    /* the peer closed (read only) */
	STREAM_ERROR,  /* see stream_error() */
};

struct stream_ops {
	enum stream_status (*read)(void *impl, char *buf, size_t cap, size_t *done);
	enum stream_status (*write)(void *impl, const char *buf, size_t n, size_t *done);
	short (*events)(void *impl, bool want_write); /* poll events needed */
	void (*close)(void *impl);
	const char *(*error)(void *impl);
};

struct stream;

/* Takes ownership of a connected non-blocking socket. */
struct stream *stream_new_fd(int fd);
/* Puts a layer on top (e.g. TLS); the layer reads/writes through the one
 * below it via its own ops. */
void stream_push(struct stream *s, const struct stream_ops *ops, void *impl);
enum stream_status stream_read(struct stream *s, char *buf, size_t cap, size_t *done);
enum stream_status stream_write(struct stream *s, const char *buf, size_t n, size_t *done);
short stream_events(struct stream *s, bool want_write);
int stream_fd(const struct stream *s);
const char *stream_error(struct stream *s);
bool stream_layered(const struct stream *s);
/* Closes every layer and the socket. */
void stream_free(struct stream *s);

#endif
