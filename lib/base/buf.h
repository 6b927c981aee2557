/* buf.h: the one growable byte string of maildossier.
 *
 * An md_buf is always NUL-terminated once anything was appended (data may be
 * NULL while empty: use md_buf_cstr).  Growth is overflow-checked; on
 * allocation failure the buffer keeps what it had, sets the sticky `oom`
 * flag and every later append fails, so a caller may append many times and
 * check once.  The caller owns the buffer and releases it with md_buf_free
 * (safe on a zeroed or already freed buffer).
 */
#ifndef MD_BUF_H
#define MD_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct md_buf {
    char *data;
    size_t len;
    size_t cap;
    int oom;
} md_buf;

#define MD_BUF_INIT {NULL, 0, 0, 0}

void md_buf_init(md_buf *b);
void md_buf_free(md_buf *b);
/* md_buf_reset: length 0, memory kept. */
void md_buf_reset(md_buf *b);
/* md_buf_reserve: room for `extra` more bytes plus the NUL.  0 or MD_ERR_NOMEM. */
int md_buf_reserve(md_buf *b, size_t extra);
int md_buf_append(md_buf *b, const void *p, size_t n);
int md_buf_puts(md_buf *b, const char *s);
int md_buf_putc(md_buf *b, int c);
int md_buf_printf(md_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int md_buf_vprintf(md_buf *b, const char *fmt, va_list ap);
/* md_buf_cstr: the text, "" while empty. Valid until the next change. */
const char *md_buf_cstr(const md_buf *b);
/* md_buf_detach: hand the malloc'ed text to the caller (free() it); the
 * buffer is left empty.  Returns NULL on an oom buffer; never NULL otherwise. */
char *md_buf_detach(md_buf *b);

/* md_buf_put_varint: append v as a varint (7 bits a byte, low first).
 * 0 or MD_ERR_NOMEM. */
int md_buf_put_varint(md_buf *b, uint64_t v);
/* md_varint_get: read a varint at p[*pos] (n bytes in all) into *v and
 * advance *pos; 0 when p ends inside it or it is too long. */
int md_varint_get(const unsigned char *p, size_t n, size_t *pos, uint64_t *v);

/* md_grow: room for `need` elements of `elem` bytes in the array arr that
 * has *cap of them: arr itself when there is room, else arr reallocated to
 * twice its capacity (at least need; `first` elements when empty) with *cap
 * updated.  NULL when out of memory (arr is then unchanged and still the
 * caller's).  Use: p = md_grow(v, &cap, n + 1, sizeof *v, 16); v = p. */
void *md_grow(void *arr, size_t *cap, size_t need, size_t elem, size_t first);

/* md_find_or_add: in the array whose pointer is at *arrp, holding *n
 * elements of `elem` bytes (room for *cap), the first element for which
 * same(element, key) is true; else a new zeroed element appended (the
 * array grown with md_grow, *arrp and *cap updated, *n counted) and *added
 * set to 1.  NULL when out of memory (the array unchanged).  arrp is the
 * address of the caller's typed pointer (e.g. &c->ips). */
void *md_find_or_add(void *arrp, size_t *n, size_t *cap, size_t elem, const void *key,
                     int (*same)(const void *element, const void *key), int *added);

#endif
