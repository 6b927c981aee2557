/* test_input.c: lib/base/input.c on files and memory: plain text (LF, CRLF, no
 * final newline), gzip (several members), bzip2, xz and zstd recognised by
 * their magic whatever the name, truncated and corrupt streams (the lines
 * before the cut, then an error naming file and line), a 10 MB line (cut,
 * flagged, the next line still read), NUL bytes, standard input, peek,
 * slurp and skip_lines; md_input_real_path (links, "..", too small a
 * buffer, a missing file).  Compressed data is made here with the libraries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <bzlib.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include "base/input.h"
#include "base/md_limits.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------ */

#define tmpdir md_test_tmpdir

static void tmppath(char *dst, size_t n, const char *name)
{
    snprintf(dst, n, "%s/test_input_%ld_%s", tmpdir(), (long)getpid(), name);
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(p, 1, n, fp), n);
    fclose(fp);
}

/* A realistic log of `n` lines (sendmail, Solaris envelope, as in the scenario). */
static void make_log(md_buf *b, int n, int first)
{
    for (int i = first; i < first + n; i++)
        md_buf_printf(b,
                      "Apr 23 16:%02d:%02d n-mail-2 sendmail[%d]: [ID 801593 mail.info] "
                      "u3NE6S%04dX: to=<*snip*@hotmail.de>, delay=00:00:04, xdelay=00:00:03, "
                      "mailer=esmtp, pri=201909, relay=mx3.hotmail.com. [134.170.2.199], "
                      "dsn=2.0.0, stat=Sent (<0102015443%06d@eu-west-1.amazonses.com> Queued "
                      "mail for delivery)\n",
                      (i / 60) % 60, i % 60, 25000 + i, i % 10000, i);
}

static void gz(md_buf *out, const void *p, size_t n)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t bound = deflateBound(&z, (uLong)n);
    assert_int_equal(md_buf_reserve(out, bound), MD_OK);
    z.next_in = (unsigned char *)p;
    z.avail_in = (uInt)n;
    z.next_out = (unsigned char *)out->data + out->len;
    z.avail_out = (uInt)bound;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    out->len += bound - z.avail_out;
    deflateEnd(&z);
}

static void bz(md_buf *out, const void *p, size_t n)
{
    unsigned int cap = (unsigned int)(n + n / 100 + 600);
    assert_int_equal(md_buf_reserve(out, cap), MD_OK);
    assert_int_equal(BZ2_bzBuffToBuffCompress(out->data + out->len, &cap, (char *)p,
                                              (unsigned)n, 1, 0, 0), BZ_OK);
    out->len += cap;
}

static void xz(md_buf *out, const void *p, size_t n)
{
    size_t cap = lzma_stream_buffer_bound(n), pos = 0;
    assert_int_equal(md_buf_reserve(out, cap), MD_OK);
    assert_int_equal(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, p, n,
                                             (uint8_t *)out->data + out->len, &pos, cap), LZMA_OK);
    out->len += pos;
}

static void zst(md_buf *out, const void *p, size_t n)
{
    size_t cap = ZSTD_compressBound(n);
    assert_int_equal(md_buf_reserve(out, cap), MD_OK);
    size_t r = ZSTD_compress(out->data + out->len, cap, p, n, 3);
    assert_false(ZSTD_isError(r));
    out->len += r;
}

typedef void (*compressor)(md_buf *, const void *, size_t);

/* Read every line of `in`; they must equal the lines of `want`.  Returns
 * the final code (0 or negative) and leaves err set. */
static int read_all_equal(md_input *in, const md_buf *want, md_err *err, uint64_t *nlines)
{
    const char *w = md_buf_cstr(want), *wend = w + want->len;
    const char *line;
    size_t len;
    int flags, rc;
    uint64_t n = 0;
    while ((rc = md_input_getline(in, &line, &len, &flags, err)) == 1) {
        n++;
        assert_true(w < wend);
        const char *nl = memchr(w, '\n', (size_t)(wend - w));
        size_t wl = nl ? (size_t)(nl - w) : (size_t)(wend - w);
        if (len != wl || memcmp(line, w, len) != 0)
            fail_msg("line %llu differs", (unsigned long long)n);
        assert_int_equal(flags, 0);
        assert_int_equal(md_input_lineno(in), n);
        w += wl + (nl ? 1 : 0);
    }
    if (rc == 0)
        assert_ptr_equal(w, wend);
    *nlines = n;
    return rc;
}

/* ---- tests -------------------------------------------------------------- */

static void test_plain_file(void **state)
{
    (void)state;
    char path[512];
    tmppath(path, sizeof path, "plain.log");
    md_buf log = MD_BUF_INIT;
    make_log(&log, 3000, 0);
    write_file(path, log.data, log.len);
    md_input *in;
    md_err e = {0, ""};
    assert_int_equal(md_input_open(&in, path, &e), MD_OK);
    assert_int_equal(md_input_comp(in), MD_COMP_NONE);
    assert_int_equal(md_input_raw_size(in), log.len);
    assert_true(md_input_mtime(in) > 1000000000);
    assert_true(md_input_ino(in) != 0);
    assert_string_equal(md_input_name(in), path);
    uint64_t n;
    assert_int_equal(read_all_equal(in, &log, &e, &n), 0);
    assert_int_equal(n, 3000);
    assert_int_equal(md_input_pos(in), log.len);
    assert_int_equal(md_input_raw_pos(in), log.len);
    /* at the end it stays at the end */
    const char *l;
    size_t len;
    int f;
    assert_int_equal(md_input_getline(in, &l, &len, &f, &e), 0);
    md_input_close(in);
    unlink(path);
    md_buf_free(&log);
}

static void test_crlf_and_no_final_newline(void **state)
{
    (void)state;
    static const char text[] = "first line\r\n\r\nthird\rline\nlast without newline";
    md_input *in;
    md_err e = {0, ""};
    assert_int_equal(md_input_open_mem(&in, "mem", text, sizeof text - 1, &e), MD_OK);
    const char *l;
    size_t len;
    int f;
    assert_int_equal(md_input_getline(in, &l, &len, &f, &e), 1);
    assert_string_equal(l, "first line");
    assert_int_equal(len, 10);
    assert_int_equal(md_input_getline(in, &l, &len, &f, &e), 1);
    assert_int_equal(len, 0);
    assert_int_equal(md_input_getline(in, &l, &len, &f, &e), 1);
    assert_string_equal(l, "third\rline");
    assert_int_equal(md_input_getline(in, &l, &len, &f, &e), 1);
    assert_string_equal(l, "last without newline");
    assert_int_equal(md_input_lineno(in), 4);
    assert_int_equal(md_input_getline(in, &l, &len, &f, &e), 0);
    assert_int_equal(md_input_pos(in), sizeof text - 1);
    md_input_close(in);

    /* empty input */
    assert_int_equal(md_input_open_mem(&in, "empty", "", 0, &e), MD_OK);
    assert_int_equal(md_input_getline(in, &l, &len, &f, &e), 0);
    md_input_close(in);
}

static void check_compressed(compressor comp, md_comp kind, const char *name, int members)
{
    md_buf log = MD_BUF_INIT, c = MD_BUF_INIT;
    int per = 2500;
    for (int m = 0; m < members; m++) {
        md_buf part = MD_BUF_INIT;
        make_log(&part, per, m * per);
        comp(&c, part.data, part.len);
        md_buf_append(&log, part.data, part.len);
        md_buf_free(&part);
    }
    /* from a file with a misleading name: the magic decides */
    char path[512];
    tmppath(path, sizeof path, name);
    write_file(path, c.data, c.len);
    md_input *in;
    md_err e = {0, ""};
    uint64_t n;
    assert_int_equal(md_input_open(&in, path, &e), MD_OK);
    assert_int_equal(md_input_comp(in), kind);
    int rc = read_all_equal(in, &log, &e, &n);
    if (rc != 0)
        fail_msg("%s: %s", name, e.msg);
    assert_int_equal(n, (uint64_t)per * members);
    assert_int_equal(md_input_pos(in), log.len);
    assert_int_equal(md_input_raw_pos(in), c.len);
    assert_int_equal(md_input_raw_size(in), c.len);
    md_input_close(in);
    unlink(path);
    /* and from memory */
    assert_int_equal(md_input_open_mem(&in, name, c.data, c.len, &e), MD_OK);
    assert_int_equal(md_input_comp(in), kind);
    assert_int_equal(read_all_equal(in, &log, &e, &n), 0);
    assert_int_equal(n, (uint64_t)per * members);
    md_input_close(in);
    md_buf_free(&log);
    md_buf_free(&c);
}

static void test_gzip_members(void **state)
{
    (void)state;
    check_compressed(gz, MD_COMP_GZIP, "mail.log.2.gz", 1);
    check_compressed(gz, MD_COMP_GZIP, "mail.log", 3); /* gzip -c a b c > x */
}

static void test_bzip2(void **state)
{
    (void)state;
    check_compressed(bz, MD_COMP_BZIP2, "mail.log.3.bz2", 1);
    check_compressed(bz, MD_COMP_BZIP2, "maillog", 2);
}

static void test_xz(void **state)
{
    (void)state;
    check_compressed(xz, MD_COMP_XZ, "mail.log.4.xz", 1);
    check_compressed(xz, MD_COMP_XZ, "mail.txt", 2);
}

static void test_zstd(void **state)
{
    (void)state;
    check_compressed(zst, MD_COMP_ZSTD, "mail.log.5.zst", 1);
    check_compressed(zst, MD_COMP_ZSTD, "mail.gz", 2);
}

/* Cut the compressed form at `keep` of its length: the complete lines before
 * the cut come out unchanged, then an error of `code` naming file and line. */
static void check_truncated(compressor comp, const char *name, double keep, int code)
{
    md_buf log = MD_BUF_INIT, c = MD_BUF_INIT;
    make_log(&log, 4000, 0);
    comp(&c, log.data, log.len);
    size_t cut = (size_t)(c.len * keep);
    char path[512];
    tmppath(path, sizeof path, name);
    write_file(path, c.data, cut);
    md_input *in;
    md_err e = {0, ""};
    assert_int_equal(md_input_open(&in, path, &e), MD_OK);
    const char *l;
    size_t len;
    int f, rc;
    uint64_t n = 0;
    const char *w = log.data;
    while ((rc = md_input_getline(in, &l, &len, &f, &e)) == 1) {
        n++;
        const char *nl = memchr(w, '\n', log.len - (size_t)(w - log.data));
        assert_non_null(nl);
        size_t wl = (size_t)(nl - w);
        /* the last line before the cut may be partial: a prefix */
        assert_true(len <= wl);
        assert_memory_equal(l, w, len);
        if (len < wl) {
            assert_int_equal(md_input_getline(in, &l, &len, &f, &e), code);
            rc = code;
            break;
        }
        w = nl + 1;
    }
    if (rc != code)
        fail_msg("%s: expected %d, got %d (%s)", name, code, rc, e.msg);
    assert_int_equal(e.code, code);
    if (n <= 100) /* most of what was there came out */
        fail_msg("%s: only %llu lines before the cut", name, (unsigned long long)n);
    assert_true(n < 4000);
    char want[600];
    snprintf(want, sizeof want, "%s: after line %llu: ", path, (unsigned long long)n);
    if (strncmp(e.msg, want, strlen(want)) != 0)
        fail_msg("message '%s' does not start with '%s'", e.msg, want);
    /* and then it is over */
    assert_int_equal(md_input_getline(in, &l, &len, &f, &e), 0);
    md_input_close(in);
    unlink(path);
    md_buf_free(&log);
    md_buf_free(&c);
}

static void test_truncated(void **state)
{
    (void)state;
    check_truncated(gz, "cut.gz", 0.6, MD_ERR_TRUNC);
    check_truncated(bz, "cut.bz2", 0.6, MD_ERR_TRUNC);
    check_truncated(xz, "cut.xz", 0.6, MD_ERR_TRUNC);
    check_truncated(zst, "cut.zst", 0.6, MD_ERR_TRUNC);
    /* gzip cut inside its 8-byte trailer: every line is there, then the error */
    md_buf log = MD_BUF_INIT, c = MD_BUF_INIT;
    make_log(&log, 10, 0);
    gz(&c, log.data, log.len);
    md_input *in;
    md_err e = {0, ""};
    uint64_t n;
    assert_int_equal(md_input_open_mem(&in, "trailer.gz", c.data, c.len - 3, &e), MD_OK);
    assert_int_equal(read_all_equal(in, &log, &e, &n), MD_ERR_TRUNC);
    assert_int_equal(n, 10);
    assert_non_null(strstr(e.msg, "trailer.gz: after line 10"));
    md_input_close(in);
    md_buf_free(&log);
    md_buf_free(&c);
}

static void test_corrupt(void **state)
{
    (void)state;
    md_buf log = MD_BUF_INIT, c = MD_BUF_INIT;
    make_log(&log, 2000, 0);
    gz(&c, log.data, log.len);
    /* garbage after a complete member */
    md_buf_append(&c, "\0\0\0\0garbage", 11);
    md_input *in;
    md_err e = {0, ""};
    uint64_t n;
    assert_int_equal(md_input_open_mem(&in, "garbage.gz", c.data, c.len, &e), MD_OK);
    assert_int_equal(read_all_equal(in, &log, &e, &n), MD_ERR_PARSE);
    assert_int_equal(n, 2000);
    assert_non_null(strstr(e.msg, "garbage.gz: after line 2000"));
    md_input_close(in);
    /* flipped bytes in the middle of the deflate data */
    c.len -= 11;
    for (size_t i = c.len / 2; i < c.len / 2 + 16; i++)
        c.data[i] ^= 0x5a;
    assert_int_equal(md_input_open_mem(&in, "flipped.gz", c.data, c.len, &e), MD_OK);
    const char *l;
    size_t len;
    int f, rc;
    while ((rc = md_input_getline(in, &l, &len, &f, &e)) == 1)
        ;
    assert_true(rc < 0);
    assert_non_null(strstr(e.msg, "flipped.gz: after line "));
    md_input_close(in);
    /* only a gzip magic */
    assert_int_equal(md_input_open_mem(&in, "magic.gz", "\x1f\x8b", 2, &e), MD_OK);
    assert_true(md_input_getline(in, &l, &len, &f, &e) < 0);
    md_input_close(in);
    md_buf_free(&log);
    md_buf_free(&c);
}

/* A 10 MB line between two normal ones: cut at MD_LIMIT_LINE and flagged,
 * the next line still read with the right number. */
static void check_long_line(compressor comp)
{
    size_t big = 10u * 1024 * 1024;
    md_buf raw = MD_BUF_INIT, c = MD_BUF_INIT;
    md_buf_puts(&raw, "Nov 28 09:18:51 n-mail-1 sm-mta[4242]: first\n");
    assert_int_equal(md_buf_reserve(&raw, big + 200), MD_OK);
    memset(raw.data + raw.len, 'A', big);
    raw.len += big;
    md_buf_puts(&raw, "\nNov 28 09:18:52 n-mail-1 sm-mta[4242]: third\n");
    /* and a last long line without a newline */
    memset(raw.data + raw.len, 'B', MD_LIMIT_LINE + 5);
    raw.len += MD_LIMIT_LINE + 5;
    const md_buf *src = &raw;
    if (comp) {
        comp(&c, raw.data, raw.len);
        src = &c;
    }
    md_input *in;
    md_err e = {0, ""};
    assert_int_equal(md_input_open_mem(&in, "long.log", src->data, src->len, &e), MD_OK);
    const char *l;
    size_t len;
    int f;
    assert_int_equal(md_input_getline(in, &l, &len, &f, &e), 1);
    assert_int_equal(f, 0);
    assert_int_equal(md_input_getline(in, &l, &len, &f, &e), 1);
    assert_int_equal(md_input_lineno(in), 2);
    assert_int_equal(len, MD_LIMIT_LINE);
    assert_true(f & MD_LINE_CUT);
    assert_int_equal(l[0], 'A');
    assert_int_equal(l[len - 1], 'A');
    assert_int_equal(md_input_getline(in, &l, &len, &f, &e), 1);
    assert_int_equal(f, 0);
    assert_int_equal(md_input_lineno(in), 3);
    assert_string_equal(l, "Nov 28 09:18:52 n-mail-1 sm-mta[4242]: third");
    assert_int_equal(md_input_getline(in, &l, &len, &f, &e), 1);
    assert_true(f & MD_LINE_CUT);
    assert_int_equal(len, MD_LIMIT_LINE);
    assert_int_equal(l[0], 'B');
    assert_int_equal(md_input_getline(in, &l, &len, &f, &e), 0);
    assert_int_equal(md_input_lineno(in), 4);
    assert_int_equal(md_input_pos(in), raw.len);
    md_input_close(in);
    md_buf_free(&raw);
    md_buf_free(&c);
}

/* An xz stream whose LZMA2 dictionary (block header) asks for 4 GiB: refused
 * as over MD_LIMIT_XZ_MEMORY instead of allocated. */
static void test_xz_memory_limit(void **state)
{
    (void)state;
    md_buf log = MD_BUF_INIT, c = MD_BUF_INIT;
    make_log(&log, 10, 0);
    xz(&c, log.data, log.len);
    unsigned char *h = (unsigned char *)c.data + 12; /* after the stream header */
    size_t hs = ((size_t)h[0] + 1) * 4, pos = 2;
    int flags = h[1];
    for (int f = 0x40; f <= 0x80; f <<= 1)
        if (flags & f)
            while (h[pos++] & 0x80)
                ;
    assert_int_equal(h[pos], 0x21);     /* LZMA2 */
    assert_int_equal(h[pos + 1], 1);    /* one property byte */
    h[pos + 2] = 40;                    /* dictionary 4 GiB - 1 */
    uLong crc = crc32(0, h, (uInt)(hs - 4));
    for (int i = 0; i < 4; i++)
        h[hs - 4 + i] = (unsigned char)(crc >> (8 * i));
    md_input *in;
    md_err e = {0, ""};
    assert_int_equal(md_input_open_mem(&in, "huge-dict.xz", c.data, c.len, &e), MD_OK);
    const char *l;
    size_t len;
    int f;
    assert_int_equal(md_input_getline(in, &l, &len, &f, &e), MD_ERR_LIMIT);
    assert_non_null(strstr(e.msg, "huge-dict.xz: after line 0: xz stream needs more memory"));
    md_input_close(in);
    md_buf_free(&log);
    md_buf_free(&c);
}

static void test_long_line(void **state)
{
    (void)state;
    check_long_line(NULL);
    check_long_line(gz);
}

static void test_line_at_limit(void **state)
{
    (void)state;
    /* exactly MD_LIMIT_LINE bytes is not cut */
    md_buf raw = MD_BUF_INIT;
    md_buf_reserve(&raw, 2 * MD_LIMIT_LINE + 10);
    memset(raw.data, 'x', MD_LIMIT_LINE);
    raw.len = MD_LIMIT_LINE;
    md_buf_puts(&raw, "\r\nnext\n");
    md_input *in;
    md_err e = {0, ""};
    assert_int_equal(md_input_open_mem(&in, "limit", raw.data, raw.len, &e), MD_OK);
    const char *l;
    size_t len;
    int f;
    assert_int_equal(md_input_getline(in, &l, &len, &f, &e), 1);
    assert_int_equal(len, MD_LIMIT_LINE);
    assert_int_equal(f, 0);
    assert_int_equal(md_input_getline(in, &l, &len, &f, &e), 1);
    assert_string_equal(l, "next");
    md_input_close(in);
    md_buf_free(&raw);
}

static void test_nul_bytes(void **state)
{
    (void)state;
    static const char text[] = "Nov 28 09:18:51 host\0\0\0 sm-mta: x\n\0\nclean\n";
    md_input *in;
    md_err e = {0, ""};
    assert_int_equal(md_input_open_mem(&in, "nul", text, sizeof text - 1, &e), MD_OK);
    const char *l;
    size_t len;
    int f;
    assert_int_equal(md_input_getline(in, &l, &len, &f, &e), 1);
    assert_int_equal(len, 33);
    assert_true(f & MD_LINE_NUL);
    assert_memory_equal(l + 20, "\0\0\0 sm-mta: x", 13);
    assert_int_equal(md_input_getline(in, &l, &len, &f, &e), 1);
    assert_int_equal(len, 1);
    assert_true(f & MD_LINE_NUL);
    assert_int_equal(md_input_getline(in, &l, &len, &f, &e), 1);
    assert_int_equal(f, 0);
    assert_string_equal(l, "clean");
    md_input_close(in);
}

static void test_stdin(void **state)
{
    (void)state;
    md_buf log = MD_BUF_INIT, c = MD_BUF_INIT;
    make_log(&log, 50, 0);
    gz(&c, log.data, log.len);
    assert_true(c.len < 60000); /* fits in a pipe without a writer process */
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], c.data, c.len), (ssize_t)c.len);
    close(p[1]);
    int saved = dup(0);
    assert_true(saved >= 0);
    assert_int_equal(dup2(p[0], 0), 0);
    close(p[0]);
    md_input *in;
    md_err e = {0, ""};
    uint64_t n;
    assert_int_equal(md_input_open(&in, "-", &e), MD_OK);
    assert_string_equal(md_input_name(in), "(stdin)");
    assert_int_equal(md_input_comp(in), MD_COMP_GZIP);
    assert_int_equal(md_input_raw_size(in), 0); /* a pipe: unknown */
    assert_int_equal(read_all_equal(in, &log, &e, &n), 0);
    assert_int_equal(n, 50);
    md_input_close(in);
    assert_int_equal(dup2(saved, 0), 0);
    close(saved);
    md_buf_free(&log);
    md_buf_free(&c);
}

static void test_open_errors(void **state)
{
    (void)state;
    md_input *in = (md_input *)1;
    md_err e = {0, ""};
    assert_int_equal(md_input_open(&in, "/nonexistent/mail.log", &e), MD_ERR_IO);
    assert_null(in);
    assert_non_null(strstr(e.msg, "/nonexistent/mail.log"));
    assert_int_equal(md_input_open(&in, tmpdir(), &e), MD_ERR_IO);
    assert_non_null(strstr(e.msg, "directory"));
    md_input_close(NULL);
}

static void test_peek(void **state)
{
    (void)state;
    md_buf log = MD_BUF_INIT, c = MD_BUF_INIT;
    make_log(&log, 2000, 0);
    xz(&c, log.data, log.len);
    md_input *in;
    md_err e = {0, ""};
    assert_int_equal(md_input_open_mem(&in, "peek.xz", c.data, c.len, &e), MD_OK);
    const char *p;
    size_t n;
    assert_int_equal(md_input_peek(in, 65536, &p, &n, &e), MD_OK);
    assert_true(n >= 65536);
    assert_memory_equal(p, log.data, 65536);
    /* nothing consumed */
    assert_int_equal(md_input_pos(in), 0);
    const char *l;
    size_t len;
    int f;
    assert_int_equal(md_input_getline(in, &l, &len, &f, &e), 1);
    assert_memory_equal(l, log.data, len);
    assert_int_equal(log.data[len], '\n');
    /* peek after a line starts at the next line */
    assert_int_equal(md_input_peek(in, 10, &p, &n, &e), MD_OK);
    assert_memory_equal(p, log.data + len + 1, 10);
    md_input_close(in);
    /* peeking more than a short input holds */
    assert_int_equal(md_input_open_mem(&in, "short", "abc\n", 4, &e), MD_OK);
    assert_int_equal(md_input_peek(in, 4096, &p, &n, &e), MD_OK);
    assert_int_equal(n, 4);
    md_input_close(in);
    md_buf_free(&log);
    md_buf_free(&c);
}

/* a regular file ends at a short read (no read returning 0 after it): all
 * bytes of files just under, at and over the 256 KiB read and the 1 MiB
 * output buffer, plain and gzip, are read */
static void test_regular_sizes(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 5, 6, 2345, 256 * 1024 - 1, 256 * 1024,
                                   256 * 1024 + 1, 1024 * 1024 - 1, 1024 * 1024,
                                   1024 * 1024 + 1, 3 * 1024 * 1024 + 7};
    char path[512];
    snprintf(path, sizeof path, "%s/test_input_sizes_%ld", md_test_tmpdir(), (long)getpid());
    int dfd = open(md_test_tmpdir(), O_RDONLY | O_DIRECTORY);
    assert_true(dfd >= 0);
    md_buf data = MD_BUF_INIT, c = MD_BUF_INIT, out = MD_BUF_INIT;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (int packed = 0; packed < 2; packed++) {
            md_buf_reset(&data);
            for (size_t k = 0; k < sizes[i]; k++)
                md_buf_putc(&data, k % 61 == 60 ? '\n' : 'a' + (int)(k * 7 % 26));
            if (packed) {
                md_buf_reset(&c);
                gz(&c, md_buf_cstr(&data), data.len);
                write_file(path, c.data, c.len);
            } else {
                write_file(path, md_buf_cstr(&data), data.len);
            }
            /* by path; relative to the directory (fstat'ed); and as a
             * regular file a listing named (no fstat: sizes unknown) */
            for (int how = 0; how < 3; how++) {
                md_input *in;
                md_err e = {0, ""};
                const char *base = strrchr(path, '/') + 1;
                if (how == 0)
                    assert_int_equal(md_input_open(&in, path, &e), MD_OK);
                else
                    assert_int_equal(md_input_open_at(&in, dfd, base, path,
                                                      how == 2 ? MD_INPUT_REGULAR : 0, &e),
                                     MD_OK);
                assert_string_equal(md_input_name(in), path);
                md_buf_reset(&out);
                assert_int_equal(md_input_slurp(in, &out, 8 * 1024 * 1024, &e), MD_OK);
                assert_int_equal(out.len, sizes[i]);
                assert_true(out.len == 0 || memcmp(out.data, data.data, out.len) == 0);
                assert_int_equal(md_input_raw_size(in),
                                 how == 2 ? 0 : packed ? c.len : sizes[i]);
                assert_true(how == 2 ? md_input_mtime(in) == 0 : md_input_mtime(in) > 0);
                md_input_close(in);
            }
        }
    /* a name the directory does not have: the error names the path */
    md_input *in;
    md_err e = {0, ""};
    assert_int_equal(md_input_open_at(&in, dfd, "no-such-file", "dir/no-such-file",
                                      MD_INPUT_REGULAR, &e), MD_ERR_IO);
    assert_non_null(strstr(e.msg, "dir/no-such-file: "));
    close(dfd);
    unlink(path);
    md_buf_free(&data);
    md_buf_free(&c);
    md_buf_free(&out);
}

static void test_slurp(void **state)
{
    (void)state;
    md_buf log = MD_BUF_INIT, c = MD_BUF_INIT, out = MD_BUF_INIT;
    make_log(&log, 3000, 0);
    zst(&c, log.data, log.len);
    md_input *in;
    md_err e = {0, ""};
    /* after the first line, the rest */
    assert_int_equal(md_input_open_mem(&in, "s.zst", c.data, c.len, &e), MD_OK);
    const char *l;
    size_t len;
    int f;
    assert_int_equal(md_input_getline(in, &l, &len, &f, &e), 1);
    assert_int_equal(md_input_slurp(in, &out, MD_LIMIT_SLURP, &e), MD_OK);
    assert_int_equal(out.len, log.len - len - 1);
    assert_memory_equal(out.data, log.data + len + 1, out.len);
    md_input_close(in);
    /* a limit: the first max bytes and MD_ERR_LIMIT */
    md_buf_reset(&out);
    assert_int_equal(md_input_open_mem(&in, "s.zst", c.data, c.len, &e), MD_OK);
    assert_int_equal(md_input_slurp(in, &out, 1000, &e), MD_ERR_LIMIT);
    assert_int_equal(out.len, 1000);
    assert_memory_equal(out.data, log.data, 1000);
    assert_non_null(strstr(e.msg, "s.zst"));
    md_input_close(in);
    /* exactly the limit is fine, from a plain file too */
    char path[512];
    tmppath(path, sizeof path, "exact.log");
    write_file(path, log.data, log.len);
    md_buf_reset(&out);
    assert_int_equal(md_input_open(&in, path, &e), MD_OK);
    int rc = md_input_slurp(in, &out, log.len, &e);
    if (rc != MD_OK)
        fail_msg("slurp of exactly max bytes: %s", e.msg);
    assert_int_equal(out.len, log.len);
    md_input_close(in);
    unlink(path);
    /* a truncated stream: what was there, and the error */
    md_buf_reset(&out);
    assert_int_equal(md_input_open_mem(&in, "t.zst", c.data, c.len / 2, &e), MD_OK);
    assert_int_equal(md_input_slurp(in, &out, MD_LIMIT_SLURP, &e), MD_ERR_TRUNC);
    assert_true(out.len > 0 && out.len < log.len);
    assert_memory_equal(out.data, log.data, out.len);
    md_input_close(in);
    md_buf_free(&out);
    md_buf_free(&log);
    md_buf_free(&c);
}

static void test_skip_lines(void **state)
{
    (void)state;
    md_buf log = MD_BUF_INIT, c = MD_BUF_INIT;
    make_log(&log, 1000, 0);
    bz(&c, log.data, log.len);
    md_input *in;
    md_err e = {0, ""};
    assert_int_equal(md_input_open_mem(&in, "skip.bz2", c.data, c.len, &e), MD_OK);
    assert_int_equal(md_input_skip_lines(in, 700, &e), MD_OK);
    assert_int_equal(md_input_lineno(in), 700);
    const char *l;
    size_t len;
    int f;
    assert_int_equal(md_input_getline(in, &l, &len, &f, &e), 1);
    assert_int_equal(md_input_lineno(in), 701);
    md_buf want = MD_BUF_INIT;
    make_log(&want, 1, 700);
    assert_int_equal(len, want.len - 1);
    assert_memory_equal(l, want.data, len);
    /* skipping past the end stops at the end */
    assert_int_equal(md_input_skip_lines(in, 5000, &e), 0);
    assert_int_equal(md_input_lineno(in), 1000);
    md_input_close(in);
    md_buf_free(&want);
    md_buf_free(&log);
    md_buf_free(&c);
}

/* md_input_real_path: links and ".." resolved; too small a buffer or a
 * missing file is -1 */
static void test_real_path(void **state)
{
    (void)state;
    char dir[512], real_dir[4096], p[1024], got[4096];
    md_test_dir(dir, sizeof dir, "realpath");
    assert_int_equal(md_input_real_path(dir, real_dir, sizeof real_dir), 0);
    assert_true(real_dir[0] == '/');
    snprintf(p, sizeof p, "%s/file", dir);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fclose(fp);
    snprintf(p, sizeof p, "%s/link", dir);
    assert_int_equal(symlink("file", p), 0);
    assert_int_equal(md_input_real_path(p, got, sizeof got), 0);
    char want[4200];
    snprintf(want, sizeof want, "%s/file", real_dir);
    assert_string_equal(got, want);
    snprintf(p, sizeof p, "%s/../%s/link", dir, strrchr(dir, '/') + 1);
    assert_int_equal(md_input_real_path(p, got, sizeof got), 0);
    assert_string_equal(got, want);
    /* room for all but the NUL: refused */
    assert_int_equal(md_input_real_path(p, got, strlen(want)), -1);
    assert_int_equal(md_input_real_path(p, got, strlen(want) + 1), 0);
    snprintf(p, sizeof p, "%s/missing", dir);
    assert_int_equal(md_input_real_path(p, got, sizeof got), -1);
    assert_int_equal(md_test_rmtree(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_file),
        cmocka_unit_test(test_crlf_and_no_final_newline),
        cmocka_unit_test(test_gzip_members),
        cmocka_unit_test(test_bzip2),
        cmocka_unit_test(test_xz),
        cmocka_unit_test(test_zstd),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_corrupt),
        cmocka_unit_test(test_xz_memory_limit),
        cmocka_unit_test(test_long_line),
        cmocka_unit_test(test_line_at_limit),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_stdin),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_peek),
        cmocka_unit_test(test_slurp),
        cmocka_unit_test(test_regular_sizes),
        cmocka_unit_test(test_skip_lines),
        cmocka_unit_test(test_real_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
