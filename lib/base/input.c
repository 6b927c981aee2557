/* input.c: files and memory as line streams, with transparent gzip, bzip2,
 * xz and zstd (see input.h).  Owns the file descriptor, the decoder state and
 * two buffers; hands out pointers into its own buffer.  Never prints. */
#include <bzlib.h>
#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <lzma.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include "base/input.h"
#include "base/md_limits.h"

#define RAW_CAP (256u * 1024u)
#define OUT_CAP (1024u * 1024u + MD_LIMIT_LINE)

struct md_input {
    int fd;                     /* -1 for memory input */
    int regular;                /* fd is a regular file: a short read is its end */
    const unsigned char *mem;   /* memory input */
    size_t mem_len, mem_pos;
    md_comp comp;
    int raw_eof;
    unsigned char *raw;         /* compressed bytes */
    size_t raw_start, raw_end;
    uint64_t raw_pos, raw_size;
    char *out;                  /* decompressed bytes */
    size_t start, end;
    int eof;                    /* decoder has nothing more */
    int pend_code;              /* error to report once the data is used up */
    char pend_msg[256];
    int skipping;               /* discarding the rest of a cut line */
    uint64_t lineno, pos;
    int64_t mtime;
    uint64_t dev, ino;
    z_stream z;
    int z_init;
    bz_stream bz;
    int bz_init;
    lzma_stream xz;
    int xz_init;
    ZSTD_DStream *zs;
    int zs_state;               /* 3 inside a frame, 1 between frames */
    char name[MD_LIMIT_PATH];   /* last: input_new does not clear it */
};

/* input_new: an input with every field but the name zeroed (a Maildir is
 * opened file by file: clearing the 4 KiB name each time was a tenth of
 * the storing thread's work besides SQLite and parsing) */
static md_input *input_new(void)
{
    md_input *in = malloc(sizeof *in);
    if (in) {
        memset(in, 0, offsetof(md_input, name));
        in->name[0] = '\0';
    }
    return in;
}

static int raw_fill(md_input *in)
{
    if (in->raw_start > 0 && in->raw_start == in->raw_end)
        in->raw_start = in->raw_end = 0;
    if (in->raw_eof || in->raw_end == RAW_CAP)
        return 0;
    if (in->fd < 0) {
        size_t n = in->mem_len - in->mem_pos;
        if (n > RAW_CAP - in->raw_end)
            n = RAW_CAP - in->raw_end;
        memcpy(in->raw + in->raw_end, in->mem + in->mem_pos, n);
        in->mem_pos += n;
        in->raw_end += n;
        if (in->mem_pos == in->mem_len)
            in->raw_eof = 1;
        return 0;
    }
    for (;;) {
        ssize_t n = read(in->fd, in->raw + in->raw_end, RAW_CAP - in->raw_end);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            in->pend_code = MD_ERR_IO;
            snprintf(in->pend_msg, sizeof in->pend_msg, "read failed: %s", strerror(errno));
            in->raw_eof = 1;
            return -1;
        }
        /* a regular file's end, also when it came with bytes (a short
         * read): no read that returns 0 after it (a system call per file
         * of a Maildir) */
        if (n == 0 || (in->regular && (size_t)n < RAW_CAP - in->raw_end))
            in->raw_eof = 1;
        in->raw_end += (size_t)n;
        return 0;
    }
}

static void detect_comp(md_input *in)
{
    while (in->raw_end - in->raw_start < 6 && !in->raw_eof)
        if (raw_fill(in) < 0)
            break;
    const unsigned char *r = in->raw + in->raw_start;
    size_t n = in->raw_end - in->raw_start;
    if (n >= 2 && r[0] == 0x1f && r[1] == 0x8b)
        in->comp = MD_COMP_GZIP;
    else if (n >= 3 && memcmp(r, "BZh", 3) == 0)
        in->comp = MD_COMP_BZIP2;
    else if (n >= 6 && memcmp(r, "\xFD" "7zXZ\0", 6) == 0)
        in->comp = MD_COMP_XZ;
    else if (n >= 4 && memcmp(r, "\x28\xB5\x2F\xFD", 4) == 0)
        in->comp = MD_COMP_ZSTD;
    else
        in->comp = MD_COMP_NONE;
}

static void set_pending(md_input *in, int code, const char *what)
{
    if (!in->pend_code) {
        in->pend_code = code;
        snprintf(in->pend_msg, sizeof in->pend_msg, "%s", what);
    }
    in->eof = 1;
}

/* raw_ended: the raw input is used up and at its end: a stream left open
 * is truncated (xz first flushes what it holds); bytes produced, 0 at the
 * end (in->eof set) */
static size_t raw_ended(md_input *in, char *dst, size_t cap)
{
    if (in->comp == MD_COMP_GZIP && in->z_init == 2)
        set_pending(in, MD_ERR_TRUNC, "truncated gzip stream");
    else if (in->comp == MD_COMP_BZIP2 && in->bz_init == 2)
        set_pending(in, MD_ERR_TRUNC, "truncated bzip2 stream");
    else if (in->comp == MD_COMP_XZ && in->xz_init == 2) {
        in->xz.next_in = NULL;
        in->xz.avail_in = 0;
        in->xz.next_out = (uint8_t *)dst;
        in->xz.avail_out = cap;
        lzma_ret rc = lzma_code(&in->xz, LZMA_FINISH);
        size_t produced = cap - in->xz.avail_out;
        if (rc == LZMA_STREAM_END)
            in->xz_init = 1;
        else if (rc != LZMA_OK || produced == 0)
            set_pending(in, MD_ERR_TRUNC, "truncated xz stream");
        if (produced)
            return produced;
    } else if (in->comp == MD_COMP_ZSTD && in->zs_state == 3)
        set_pending(in, MD_ERR_TRUNC, "truncated zstd stream");
    in->eof = 1;
    return 0;
}

/* read_plain: a plain file read straight into the output buffer: bytes
 * read, 0 at the end or on error (in->eof set) */
static size_t read_plain(md_input *in, char *dst, size_t cap)
{
    ssize_t n;
    do n = read(in->fd, dst, cap);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        set_pending(in, MD_ERR_IO, strerror(errno));
        return 0;
    }
    if (n == 0) {
        in->raw_eof = in->eof = 1;
        return 0;
    }
    if (in->regular && (size_t)n < cap)
        in->raw_eof = 1; /* its end (as in raw_fill) */
    in->raw_pos += (uint64_t)n;
    return (size_t)n;
}

enum { STEP_DONE, STEP_MORE, STEP_STOP };

/* gz_step: inflate src into dst (*used, *produced); STEP_MORE when a next
 * member's magic is not yet read, STEP_STOP on trailing garbage */
static int gz_step(md_input *in, const unsigned char *src, size_t avail, char *dst, size_t cap,
                   size_t *used, size_t *produced)
{
    if (in->z_init == 1) {
        /* after a member: only another gzip member may follow */
        if (avail < 2 && !in->raw_eof) {
            memmove(in->raw, src, avail);
            in->raw_start = 0;
            in->raw_end = avail;
            raw_fill(in);
            return STEP_MORE;
        }
        if (avail < 2 || src[0] != 0x1f || src[1] != 0x8b) {
            set_pending(in, MD_ERR_PARSE, "trailing garbage after gzip stream");
            return STEP_STOP;
        }
        inflateReset(&in->z);
    }
    in->z.next_in = (unsigned char *)src;
    in->z.avail_in = (uInt)avail;
    in->z.next_out = (unsigned char *)dst;
    in->z.avail_out = (uInt)cap;
    in->z_init = 2;
    int rc = inflate(&in->z, Z_NO_FLUSH);
    *used = avail - in->z.avail_in;
    *produced = cap - in->z.avail_out;
    if (rc == Z_STREAM_END)
        in->z_init = 1;
    else if (rc != Z_OK && rc != Z_BUF_ERROR)
        set_pending(in, MD_ERR_PARSE, in->z.msg ? in->z.msg : "corrupt gzip stream");
    return STEP_DONE;
}

static void bz_step(md_input *in, const unsigned char *src, size_t avail, char *dst, size_t cap,
                    size_t *used, size_t *produced)
{
    in->bz.next_in = (char *)src;
    in->bz.avail_in = (unsigned)avail;
    in->bz.next_out = dst;
    in->bz.avail_out = (unsigned)cap;
    in->bz_init = 2;
    int rc = BZ2_bzDecompress(&in->bz);
    *used = avail - in->bz.avail_in;
    *produced = cap - in->bz.avail_out;
    if (rc == BZ_STREAM_END) {
        in->bz_init = 1;
        BZ2_bzDecompressEnd(&in->bz);
        memset(&in->bz, 0, sizeof in->bz);
        if (BZ2_bzDecompressInit(&in->bz, 0, 0) != BZ_OK)
            set_pending(in, MD_ERR_NOMEM, "bzip2 init failed");
    } else if (rc != BZ_OK) {
        set_pending(in, MD_ERR_PARSE, "corrupt bzip2 stream");
    }
}

static void xz_step(md_input *in, const unsigned char *src, size_t avail, char *dst, size_t cap,
                    size_t *used, size_t *produced)
{
    in->xz.next_in = src;
    in->xz.avail_in = avail;
    in->xz.next_out = (uint8_t *)dst;
    in->xz.avail_out = cap;
    in->xz_init = 2;
    lzma_ret rc = lzma_code(&in->xz, LZMA_RUN);
    *used = avail - in->xz.avail_in;
    *produced = cap - in->xz.avail_out;
    if (rc == LZMA_STREAM_END)
        in->xz_init = 1;
    else if (rc == LZMA_MEMLIMIT_ERROR)
        set_pending(in, MD_ERR_LIMIT, "xz stream needs more memory than allowed");
    else if (rc != LZMA_OK && rc != LZMA_BUF_ERROR)
        set_pending(in, MD_ERR_PARSE, "corrupt xz stream");
}

static void zstd_step(md_input *in, const unsigned char *src, size_t avail, char *dst,
                      size_t cap, size_t *used, size_t *produced)
{
    ZSTD_inBuffer ib = {src, avail, 0};
    ZSTD_outBuffer ob = {dst, cap, 0};
    size_t rc = ZSTD_decompressStream(in->zs, &ob, &ib);
    *used = ib.pos;
    *produced = ob.pos;
    if (ZSTD_isError(rc))
        set_pending(in, MD_ERR_PARSE, ZSTD_getErrorName(rc));
    else
        in->zs_state = rc == 0 ? 1 : 3;
}

/* Decode into out[end..cap). Returns bytes produced (0 with in->eof at the end). */
static size_t decode(md_input *in, char *dst, size_t cap)
{
    size_t produced = 0;
    while (produced == 0 && !in->eof) {
        if (in->raw_start == in->raw_end || in->comp == MD_COMP_NONE) {
            if (in->comp == MD_COMP_NONE && in->raw_start < in->raw_end) {
                size_t n = in->raw_end - in->raw_start;
                if (n > cap)
                    n = cap;
                memcpy(dst, in->raw + in->raw_start, n);
                in->raw_start += n;
                in->raw_pos += n;
                return n;
            }
            if (in->raw_eof)
                return raw_ended(in, dst, cap);
            if (in->fd >= 0 && in->comp == MD_COMP_NONE)
                return read_plain(in, dst, cap);
            if (raw_fill(in) < 0) {
                in->eof = 1;
                return 0;
            }
            continue;
        }
        const unsigned char *src = in->raw + in->raw_start;
        size_t avail = in->raw_end - in->raw_start, used = 0;
        switch (in->comp) {
        case MD_COMP_GZIP: {
            int r = gz_step(in, src, avail, dst, cap, &used, &produced);
            if (r == STEP_MORE)
                continue;
            if (r == STEP_STOP)
                return produced;
            break;
        }
        case MD_COMP_BZIP2:
            bz_step(in, src, avail, dst, cap, &used, &produced);
            break;
        case MD_COMP_XZ:
            xz_step(in, src, avail, dst, cap, &used, &produced);
            break;
        case MD_COMP_ZSTD:
            zstd_step(in, src, avail, dst, cap, &used, &produced);
            break;
        default:
            break;
        }
        in->raw_start += used;
        in->raw_pos += used;
        if (used == 0 && produced == 0 && !in->eof) {
            if (in->raw_eof) {
                in->raw_start = in->raw_end;
                continue;
            }
            memmove(in->raw, in->raw + in->raw_start, in->raw_end - in->raw_start);
            in->raw_end -= in->raw_start;
            in->raw_start = 0;
            raw_fill(in);
        }
    }
    return produced;
}

/* Make room and decode more into out.  Returns bytes added. */
static size_t fill(md_input *in)
{
    if (in->start > 0) {
        memmove(in->out, in->out + in->start, in->end - in->start);
        in->end -= in->start;
        in->start = 0;
    }
    if (in->end == OUT_CAP || in->eof)
        return 0;
    size_t n = decode(in, in->out + in->end, OUT_CAP - in->end);
    in->end += n;
    return n;
}

static int init_common(md_input *in, const char *name, md_err *err)
{
    snprintf(in->name, sizeof in->name, "%s", name);
    in->raw = malloc(RAW_CAP);
    in->out = malloc(OUT_CAP + 1);
    if (!in->raw || !in->out)
        return md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", name);
    detect_comp(in);
    switch (in->comp) {
    case MD_COMP_GZIP:
        if (inflateInit2(&in->z, 16 + MAX_WBITS) != Z_OK)
            return md_err_set(err, MD_ERR_NOMEM, "%s: zlib init failed", name);
        in->z_init = 4; /* 4 fresh, 2 inside a member, 1 between members */
        break;
    case MD_COMP_BZIP2:
        if (BZ2_bzDecompressInit(&in->bz, 0, 0) != BZ_OK)
            return md_err_set(err, MD_ERR_NOMEM, "%s: bzip2 init failed", name);
        in->bz_init = 1;
        break;
    case MD_COMP_XZ:
        if (lzma_stream_decoder(&in->xz, MD_LIMIT_XZ_MEMORY, LZMA_CONCATENATED) != LZMA_OK)
            return md_err_set(err, MD_ERR_NOMEM, "%s: xz init failed", name);
        in->xz_init = 1;
        break;
    case MD_COMP_ZSTD:
        in->zs = ZSTD_createDStream();
        if (!in->zs)
            return md_err_set(err, MD_ERR_NOMEM, "%s: zstd init failed", name);
        ZSTD_initDStream(in->zs);
        break;
    default:
        break;
    }
    return MD_OK;
}

int md_input_open(md_input **out, const char *path, md_err *err)
{
    return md_input_open_at(out, AT_FDCWD, path, path, 0, err);
}

int md_input_open_at(md_input **out, int dirfd, const char *name, const char *path, int flags,
                     md_err *err)
{
    *out = NULL;
    md_input *in = input_new();
    if (!in)
        return md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", path);
    if (strcmp(name, "-") == 0 && dirfd == AT_FDCWD) {
        in->fd = 0;
        path = "(stdin)";
    } else {
        in->fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
        if (in->fd < 0) {
            int e = errno;
            free(in);
            return md_err_set(err, MD_ERR_IO, "%s: %s", path, strerror(e));
        }
    }
    struct stat st;
    if (flags & MD_INPUT_REGULAR) {
        in->regular = 1;
    } else if (fstat(in->fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            if (in->fd > 0)
                close(in->fd);
            free(in);
            return md_err_set(err, MD_ERR_IO, "%s: is a directory", path);
        }
        if (S_ISREG(st.st_mode)) {
            in->raw_size = (uint64_t)st.st_size;
            in->regular = 1;
        }
        in->mtime = (int64_t)st.st_mtime;
        in->dev = (uint64_t)st.st_dev;
        in->ino = (uint64_t)st.st_ino;
    }
    int rc = init_common(in, path, err);
    if (rc != MD_OK) {
        md_input_close(in);
        return rc;
    }
    *out = in;
    return MD_OK;
}

int md_input_open_mem(md_input **out, const char *name, const void *data, size_t len,
                      md_err *err)
{
    *out = NULL;
    md_input *in = input_new();
    if (!in)
        return md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", name);
    in->fd = -1;
    in->mem = data;
    in->mem_len = len;
    in->raw_size = len;
    if (len == 0)
        in->raw_eof = 1;
    int rc = init_common(in, name, err);
    if (rc != MD_OK) {
        md_input_close(in);
        return rc;
    }
    *out = in;
    return MD_OK;
}

void md_input_close(md_input *in)
{
    if (!in)
        return;
    if (in->fd > 0)
        close(in->fd);
    if (in->z_init)
        inflateEnd(&in->z);
    if (in->bz_init)
        BZ2_bzDecompressEnd(&in->bz);
    if (in->xz_init)
        lzma_end(&in->xz);
    if (in->zs)
        ZSTD_freeDStream(in->zs);
    free(in->raw);
    free(in->out);
    free(in);
}

static int report_pending(md_input *in, md_err *err)
{
    int code = in->pend_code;
    in->pend_code = 0;
    return md_err_set(err, code, "%s: after line %llu: %s", in->name,
                      (unsigned long long)in->lineno, in->pend_msg);
}

int md_input_would_block(md_input *in, int wait_ms)
{
    if (in->regular || in->fd < 0 || in->eof)
        return 0;
    if (in->end > in->start && memchr(in->out + in->start, '\n', in->end - in->start))
        return 0;
    struct pollfd p = {.fd = in->fd, .events = POLLIN};
    return poll(&p, 1, wait_ms) == 0;
}

int md_input_getline(md_input *in, const char **line, size_t *len, int *flags, md_err *err)
{
    for (;;) {
        char *s = in->out + in->start;
        size_t avail = in->end - in->start;
        char *nl = avail ? memchr(s, '\n', avail) : NULL;
        if (in->skipping) {
            if (nl) {
                in->pos += (size_t)(nl - s) + 1;
                in->start += (size_t)(nl - s) + 1;
                in->skipping = 0;
                continue;
            }
            in->pos += avail;
            in->start = in->end;
            if (fill(in) == 0 && in->eof) {
                in->skipping = 0;
                if (in->pend_code)
                    return report_pending(in, err);
                return 0;
            }
            continue;
        }
        size_t n;
        int f = 0;
        if (nl) {
            n = (size_t)(nl - s);
            /* a line of exactly MD_LIMIT_LINE bytes before "\r\n" is not cut */
            if (n - (n && s[n - 1] == '\r') > MD_LIMIT_LINE) {
                n = MD_LIMIT_LINE;
                f |= MD_LINE_CUT;
                in->start += n;
                in->skipping = 1;
            } else {
                in->start += n + 1;
            }
        } else if (avail > MD_LIMIT_LINE + 1) {
            /* longer than the limit even if "\r\n" comes next */
            n = MD_LIMIT_LINE;
            f |= MD_LINE_CUT;
            in->start += n;
            in->skipping = 1;
        } else if (!in->eof) {
            fill(in);
            if (in->end - in->start == avail && in->eof && avail == 0) {
                if (in->pend_code)
                    return report_pending(in, err);
                return 0;
            }
            continue;
        } else if (avail > 0) {
            n = avail;
            in->start += n;
            if (n - (s[n - 1] == '\r') > MD_LIMIT_LINE) {
                in->pos += n - MD_LIMIT_LINE;
                n = MD_LIMIT_LINE;
                f |= MD_LINE_CUT;
            }
        } else {
            if (in->pend_code)
                return report_pending(in, err);
            return 0;
        }
        in->pos += n + (f & MD_LINE_CUT ? 0 : (nl ? 1 : 0));
        if (n && s[n - 1] == '\r')
            n--;
        if (n && memchr(s, '\0', n))
            f |= MD_LINE_NUL;
        s[n] = '\0'; /* safe: a byte of the line break or of the buffer's spare */
        in->lineno++;
        *line = s;
        *len = n;
        *flags = f;
        return 1;
    }
}

int md_input_peek(md_input *in, size_t want, const char **p, size_t *n, md_err *err)
{
    if (want > OUT_CAP / 2)
        want = OUT_CAP / 2;
    while (in->end - in->start < want && !in->eof)
        if (fill(in) == 0 && in->eof)
            break;
    *p = in->out + in->start;
    *n = in->end - in->start;
    (void)err;
    return MD_OK;
}

int md_input_slurp(md_input *in, md_buf *out, size_t max, md_err *err)
{
    for (;;) {
        size_t avail = in->end - in->start;
        if (avail) {
            size_t take = avail;
            if (out->len >= max)
                take = 0;
            else if (take > max - out->len)
                take = max - out->len;
            if (md_buf_append(out, in->out + in->start, take) != MD_OK)
                return md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", in->name);
            in->start += take;
            in->pos += take;
        }
        if (out->len >= max) {
            /* at the limit: an error only if anything is left */
            while (in->start == in->end && !in->eof)
                fill(in);
            if (in->end > in->start)
                return md_err_set(err, MD_ERR_LIMIT, "%s: larger than %zu bytes", in->name, max);
        }
        if (in->eof && in->start == in->end)
            break;
        fill(in);
    }
    if (in->pend_code)
        return md_err_set(err, in->pend_code, "%s: at byte %llu: %s", in->name,
                          (unsigned long long)in->pos, in->pend_msg);
    return MD_OK;
}

int md_input_skip_lines(md_input *in, uint64_t lineno, md_err *err)
{
    const char *l;
    size_t n;
    int f;
    while (in->lineno < lineno) {
        int rc = md_input_getline(in, &l, &n, &f, err);
        if (rc <= 0)
            return rc;
    }
    return MD_OK;
}

const char *md_input_name(const md_input *in) { return in->name; }
md_comp md_input_comp(const md_input *in) { return in->comp; }
uint64_t md_input_lineno(const md_input *in) { return in->lineno; }
uint64_t md_input_raw_pos(const md_input *in) { return in->raw_pos; }
uint64_t md_input_raw_size(const md_input *in) { return in->raw_size; }
uint64_t md_input_pos(const md_input *in) { return in->pos; }
int64_t md_input_mtime(const md_input *in) { return in->mtime; }
uint64_t md_input_dev(const md_input *in) { return in->dev; }
uint64_t md_input_ino(const md_input *in) { return in->ino; }

int md_input_real_path(const char *path, char *dst, size_t n)
{
    char *r = realpath(path, NULL);
    if (!r)
        return -1;
    size_t l = strlen(r);
    if (l < n)
        memcpy(dst, r, l + 1);
    free(r);
    return l < n ? 0 : -1;
}
