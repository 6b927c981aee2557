/* pdfz.c: the streams of an uncompressed PDF deflated, by our own code
 * (see pdfz.h).  It reads the cross-reference table, cuts the file into
 * its objects by their offsets, deflates the unfiltered streams (several
 * at a time when threads are given) and writes the objects back in their
 * order with a new table.  It owns nothing past the call.
 */
#include "render/pdfz.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define PZ_MAX_THREADS 4

/* one object of the input; a stream to deflate has data != 0 */
typedef struct pz_obj {
    size_t num;            /* its number (generation 0) */
    size_t off, end;       /* its bytes: [off, end) */
    size_t close;          /* a stream's dictionary: its closing ">>" */
    size_t data, len;      /* a stream's data */
    size_t num_at, num_end;/* a direct /Length's digits; 0: indirect */
    size_t len_obj;        /* an indirect /Length's object; 0: direct */
    size_t new_value;      /* a /Length object: the value to write; 0: keep */
    unsigned char *z;      /* the deflated data (malloc) */
    size_t zlen;
    int failed;
} pz_obj;

typedef struct pz_pdf {
    const unsigned char *in;
    size_t n;
    size_t xref;           /* offset of "xref" */
    size_t trailer, startxref; /* "trailer" .. "startxref" copied as they are */
    size_t size;           /* objects in the table, object 0 included */
    pz_obj *obj;           /* by number; obj[0] unused */
    size_t *order;         /* numbers in file order */
    size_t norder;
    /* the deflating, shared by the threads */
    pthread_mutex_t mu;
    size_t next;           /* under mu: order index to take next */
    int level;
} pz_pdf;

/* ---- reading ------------------------------------------------------------- */

static int starts(const pz_pdf *p, size_t at, const char *s)
{
    size_t l = strlen(s);
    return at <= p->n && p->n - at >= l && memcmp(p->in + at, s, l) == 0;
}

/* digits at *at (at most 12), advanced past them; 0 when there are none */
static int number(const pz_pdf *p, size_t *at, size_t limit, size_t *v)
{
    size_t i = *at, r = 0;
    if (limit > p->n)
        limit = p->n;
    while (i < limit && i - *at < 12 && p->in[i] >= '0' && p->in[i] <= '9')
        r = r * 10 + (size_t)(p->in[i++] - '0');
    if (i == *at || (i < limit && p->in[i] >= '0' && p->in[i] <= '9'))
        return 0;
    *v = r;
    *at = i;
    return 1;
}

static const unsigned char *find(const pz_pdf *p, size_t from, size_t to, const char *s)
{
    if (to > p->n || from >= to)
        return NULL;
    return memmem(p->in + from, to - from, s, strlen(s));
}

/* the table: "startxref\nN\n%%EOF" at the end, "xref\n0 SIZE\n" at N, SIZE
 * entries of 20 bytes, then the trailer */
static int read_xref(pz_pdf *p)
{
    size_t at = p->n > 64 ? p->n - 64 : 0, x, first, i;
    const unsigned char *s = NULL, *t;
    while ((t = find(p, at, p->n, "startxref\n")) != NULL) {
        s = t;
        at = (size_t)(t - p->in) + 1;
    }
    if (!s)
        return 0;
    p->startxref = (size_t)(s - p->in);
    at = p->startxref + 10;
    if (!number(p, &at, p->n, &x) || !starts(p, at, "\n%%EOF") || x >= p->startxref ||
        !starts(p, x, "xref\n0 "))
        return 0;
    p->xref = x;
    at = x + 7;
    if (!number(p, &at, p->startxref, &p->size) || !starts(p, at, "\n") || p->size < 2)
        return 0;
    first = at + 1;
    if (p->size > (p->startxref - first) / 20)
        return 0;
    p->trailer = first + 20 * p->size;
    if (!starts(p, p->trailer, "trailer"))
        return 0;
    p->obj = calloc(p->size, sizeof *p->obj);
    p->order = calloc(p->size, sizeof *p->order);
    if (!p->obj || !p->order)
        return -1;
    for (i = 1; i < p->size; i++) {
        size_t e = first + 20 * i, off;
        at = e;
        if (!number(p, &at, e + 10, &off) || at != e + 10 || !starts(p, at, " 00000 n"))
            return 0;
        if (off == 0 || off >= p->xref)
            return 0;
        p->obj[i].num = i;
        p->obj[i].off = off;
        p->order[p->norder++] = i;
    }
    return 1;
}

static int by_offset(const void *a, const void *b, void *objs)
{
    const pz_obj *obj = objs;
    size_t x = obj[*(const size_t *)a].off, y = obj[*(const size_t *)b].off;
    return x < y ? -1 : x > y;
}

/* each object ends where the next begins (the last, at the table); each
 * begins with "NUM 0 obj" */
static int cut_objects(pz_pdf *p)
{
    size_t i;
    qsort_r(p->order, p->norder, sizeof *p->order, by_offset, p->obj);
    for (i = 0; i < p->norder; i++) {
        pz_obj *o = &p->obj[p->order[i]];
        size_t at = o->off, v;
        o->end = i + 1 < p->norder ? p->obj[p->order[i + 1]].off : p->xref;
        if (o->end <= o->off || !number(p, &at, o->end, &v) || v != o->num ||
            !starts(p, at, " 0 obj"))
            return 0;
    }
    return 1;
}

/* the value of a /Length object: "NUM 0 obj\nVALUE\nendobj" */
static int length_value(const pz_pdf *p, size_t num, size_t *v)
{
    const pz_obj *o;
    size_t at;
    if (num == 0 || num >= p->size)
        return 0;
    o = &p->obj[num];
    const unsigned char *nl = find(p, o->off, o->end, "\n");
    if (!nl)
        return 0;
    at = (size_t)(nl - p->in) + 1;
    return number(p, &at, o->end, v) && starts(p, at, "\nendobj");
}

/* o's stream, when it has one without a filter: its dictionary, data and
 * /Length.  0 when o is no such stream (copied as it is), -1 when it looks
 * like one but does not add up. */
static int read_stream(pz_pdf *p, pz_obj *o)
{
    const unsigned char *k = find(p, o->off, o->end, ">>\nstream\r\n"), *l;
    size_t at, v;
    if (!k)
        return 0;
    o->close = (size_t)(k - p->in);
    if (find(p, o->off, o->close, "/Filter") || find(p, o->off, o->close, "/DecodeParms"))
        return 0;
    l = find(p, o->off, o->close, "\n/Length ");
    if (!l)
        return -1;
    at = (size_t)(l - p->in) + 9;
    o->num_at = at;
    if (!number(p, &at, o->close, &v))
        return -1;
    if (starts(p, at, " 0 R")) {
        o->num_at = 0;
        o->len_obj = v;
        if (!length_value(p, v, &v) || p->obj[o->len_obj].new_value != 0)
            return -1;
    } else {
        o->num_end = at;
    }
    o->data = o->close + 11;
    o->len = v;
    if (o->data > o->end || o->end - o->data < v)
        return -1;
    /* after the data: blanks, "endstream", blanks, "endobj", blanks */
    at = o->data + v;
    while (at < o->end && (p->in[at] == '\r' || p->in[at] == '\n'))
        at++;
    if (!starts(p, at, "endstream"))
        return -1;
    at += 9;
    while (at < o->end && (p->in[at] == '\r' || p->in[at] == '\n'))
        at++;
    if (!starts(p, at, "endobj"))
        return -1;
    if (o->len_obj)
        p->obj[o->len_obj].new_value = 1; /* claimed; set after deflating */
    return 1;
}

static int read_pdf(pz_pdf *p)
{
    int r = read_xref(p);
    if (r <= 0)
        return r;
    if (!cut_objects(p))
        return 0;
    for (size_t i = 0; i < p->norder; i++) {
        pz_obj *o = &p->obj[p->order[i]];
        r = read_stream(p, o);
        if (r < 0)
            return 0;
        if (r == 0)
            o->data = 0;
    }
    return 1;
}

/* ---- deflating ------------------------------------------------------------ */

static void deflate_one(pz_obj *o, const unsigned char *data, int level)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    o->failed = 1;
    if (o->len > (size_t)(uInt)-1 ||
        deflateInit2(&zs, level, Z_DEFLATED, MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return;
    uLong cap = deflateBound(&zs, (uLong)o->len);
    o->z = malloc(cap ? cap : 1);
    if (o->z) {
        zs.next_in = (Bytef *)data;
        zs.avail_in = (uInt)o->len;
        zs.next_out = o->z;
        zs.avail_out = (uInt)cap;
        if (deflate(&zs, Z_FINISH) == Z_STREAM_END) {
            o->zlen = zs.total_out;
            o->failed = 0;
        }
    }
    deflateEnd(&zs);
}

/* take streams in file order until none is left */
static void *deflate_some(void *arg)
{
    pz_pdf *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->next < p->norder && p->obj[p->order[p->next]].data == 0)
            p->next++;
        size_t i = p->next < p->norder ? p->next++ : SIZE_MAX;
        pthread_mutex_unlock(&p->mu);
        if (i == SIZE_MAX)
            return NULL;
        pz_obj *o = &p->obj[p->order[i]];
        deflate_one(o, p->in + o->data, p->level);
    }
}

static int deflate_all(pz_pdf *p, int threads)
{
    pthread_t t[PZ_MAX_THREADS];
    int started = 0;
    if (threads > PZ_MAX_THREADS)
        threads = PZ_MAX_THREADS;
    pthread_mutex_init(&p->mu, NULL);
    for (int i = 1; i < threads; i++)
        if (pthread_create(&t[started], NULL, deflate_some, p) == 0)
            started++;
    deflate_some(p);
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    pthread_mutex_destroy(&p->mu);
    for (size_t i = 0; i < p->norder; i++) {
        pz_obj *o = &p->obj[p->order[i]];
        if (o->data && o->failed)
            return 0;
        if (o->data && o->len_obj)
            p->obj[o->len_obj].new_value = o->zlen + 1; /* +1: 0 means keep */
    }
    return 1;
}

/* ---- writing -------------------------------------------------------------- */

static void write_object(const pz_pdf *p, const pz_obj *o, md_buf *out)
{
    if (o->data) {
        if (o->num_at) {
            md_buf_append(out, p->in + o->off, o->num_at - o->off);
            md_buf_printf(out, "%zu", o->zlen);
            md_buf_append(out, p->in + o->num_end, o->close - o->num_end);
        } else {
            md_buf_append(out, p->in + o->off, o->close - o->off);
        }
        md_buf_puts(out, "/Filter /FlateDecode\n>>\nstream\r\n");
        md_buf_append(out, o->z, o->zlen);
        md_buf_puts(out, "\nendstream\nendobj\n");
    } else if (o->new_value) {
        md_buf_printf(out, "%zu 0 obj\n%zu\nendobj\n", o->num, o->new_value - 1);
    } else {
        md_buf_append(out, p->in + o->off, o->end - o->off);
    }
}

static int write_pdf(const pz_pdf *p, md_buf *out)
{
    size_t base = out->len, *at = calloc(p->size, sizeof *at);
    if (!at)
        return MD_ERR_NOMEM;
    md_buf_append(out, p->in, p->obj[p->order[0]].off); /* the header */
    for (size_t i = 0; i < p->norder; i++) {
        at[p->order[i]] = out->len - base;
        write_object(p, &p->obj[p->order[i]], out);
    }
    size_t xref = out->len - base;
    md_buf_printf(out, "xref\n0 %zu\n0000000000 65535 f\r\n", p->size);
    for (size_t i = 1; i < p->size; i++)
        md_buf_printf(out, "%010zu 00000 n\r\n", at[i]);
    md_buf_append(out, p->in + p->trailer, p->startxref - p->trailer);
    md_buf_printf(out, "startxref\n%zu\n%%%%EOF\n", xref);
    free(at);
    return out->oom ? MD_ERR_NOMEM : MD_OK;
}

int md_pdfz_deflate(const unsigned char *in, size_t n, int level, int threads, md_buf *out,
                    md_err *err)
{
    pz_pdf p;
    size_t keep = out->len;
    int rc = MD_OK, r;
    memset(&p, 0, sizeof p);
    p.in = in;
    p.n = n;
    p.level = level;
    r = read_pdf(&p);
    if (r < 0)
        rc = md_err_set(err, MD_ERR_NOMEM, "pdf: out of memory");
    else if (r == 0)
        rc = md_err_set(err, MD_ERR_PARSE, "pdf: not the uncompressed PDF libharu writes");
    else if (!deflate_all(&p, threads < 1 ? 1 : threads))
        rc = md_err_set(err, MD_ERR_NOMEM, "pdf: cannot deflate a stream (out of memory)");
    else if ((rc = write_pdf(&p, out)) != MD_OK)
        md_err_set(err, rc, "pdf: out of memory");
    if (rc != MD_OK && !out->oom && out->data) {
        out->len = keep;
        out->data[keep] = '\0';
    }
    for (size_t i = 0; p.obj && i < p.size; i++)
        free(p.obj[i].z);
    free(p.obj);
    free(p.order);
    return rc;
}
