/* buf.c: the growable byte string (see buf.h).  Owns the memory behind
 * md_buf.data; never prints. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/err.h"

void md_buf_init(md_buf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

void md_buf_free(md_buf *b)
{
    if (!b)
        return;
    free(b->data);
    md_buf_init(b);
}

void md_buf_reset(md_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

int md_buf_reserve(md_buf *b, size_t extra)
{
    if (b->oom)
        return MD_ERR_NOMEM;
    if (extra > SIZE_MAX - b->len - 1)
        goto fail;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return MD_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p)
        goto fail;
    b->data = p;
    b->cap = cap;
    return MD_OK;
fail:
    b->oom = 1;
    return MD_ERR_NOMEM;
}

int md_buf_append(md_buf *b, const void *p, size_t n)
{
    if (md_buf_reserve(b, n) != MD_OK)
        return MD_ERR_NOMEM;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return MD_OK;
}

int md_buf_puts(md_buf *b, const char *s)
{
    return md_buf_append(b, s, strlen(s));
}

int md_buf_putc(md_buf *b, int c)
{
    char ch = (char)c;
    return md_buf_append(b, &ch, 1);
}

int md_buf_vprintf(md_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return MD_ERR_ARG;
    if (md_buf_reserve(b, (size_t)n) != MD_OK)
        return MD_ERR_NOMEM;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return MD_OK;
}

int md_buf_printf(md_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = md_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

const char *md_buf_cstr(const md_buf *b)
{
    return b->data ? b->data : "";
}

char *md_buf_detach(md_buf *b)
{
    if (b->oom)
        return NULL;
    char *p = b->data;
    if (!p) {
        p = malloc(1);
        if (!p)
            return NULL;
        p[0] = '\0';
    }
    md_buf_init(b);
    return p;
}

void *md_grow(void *arr, size_t *cap, size_t need, size_t elem, size_t first)
{
    if (need <= *cap)
        return arr;
    size_t nc = *cap ? *cap : (first ? first : 1);
    while (nc < need) {
        if (nc > SIZE_MAX / 2)
            return NULL;
        nc *= 2;
    }
    if (elem && nc > SIZE_MAX / elem)
        return NULL;
    void *p = realloc(arr, nc * elem);
    if (p)
        *cap = nc;
    return p;
}

void *md_find_or_add(void *arrp, size_t *n, size_t *cap, size_t elem, const void *key,
                     int (*same)(const void *element, const void *key), int *added)
{
    unsigned char *arr;
    memcpy(&arr, arrp, sizeof arr);
    *added = 0;
    for (size_t i = 0; i < *n; i++)
        if (same(arr + i * elem, key))
            return arr + i * elem;
    unsigned char *p = md_grow(arr, cap, *n + 1, elem, 16);
    if (!p)
        return NULL;
    memcpy(arrp, &p, sizeof p);
    unsigned char *x = p + (*n)++ * elem;
    memset(x, 0, elem);
    *added = 1;
    return x;
}

int md_buf_put_varint(md_buf *b, uint64_t v)
{
    unsigned char tmp[10];
    size_t k = 0;
    do {
        tmp[k++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    return md_buf_append(b, tmp, k);
}

int md_varint_get(const unsigned char *p, size_t n, size_t *pos, uint64_t *v)
{
    uint64_t r = 0;
    for (int shift = 0; shift < 64 && *pos < n; shift += 7) {
        unsigned char c = p[(*pos)++];
        r |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = r;
            return 1;
        }
    }
    return 0;
}
