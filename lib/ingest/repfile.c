/* repfile.c: the ingest reader for reputation data (see repfile.h).
 *
 * Reads a whole report into memory (bounded), undoes gzip and zip (minizip,
 * from memory; entry count and sizes bounded against zip bombs), hands DMARC
 * XML to dmarc.c and SNDS lines to snds.c, and stores what they return
 * through store_rep.c.  A report is identified by a hash of its content
 * (sources table) and by reporter + report id (rep area), so ingesting the
 * same file or mail twice stores nothing new.  Never prints: problems go to
 * md_ingest_warn with file and line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unzip.h>
#include "base/buf.h"
#include "parse/dmarc.h"
#include "base/md_limits.h"
#include "ingest/repfile.h"
#include "parse/snds.h"
#include "parse/tlsrpt.h"
#include "store/store_rep.h"
#include "store/store_tls.h"
#include "base/text.h"


enum { TAKE_NOT_REPORT = 0, TAKE_STORED = 1, TAKE_KNOWN = 2 };

/* A content fingerprint of a whole document (not a security hash): two
 * FNV-1a passes, the kind mixed in. */
static void content_fp(const void *data, size_t n, const char *kind, char *out, size_t size)
{
    const unsigned char *s = data;
    uint64_t a = 0xcbf29ce484222325ULL, b = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n;
    for (size_t i = 0; i < n; i++) {
        a = (a ^ s[i]) * 0x100000001b3ULL;
        b = (b ^ s[n - 1 - i]) * 0x100000001b3ULL;
    }
    snprintf(out, size, "%s:%016llx%016llx", kind, (unsigned long long)a, (unsigned long long)b);
}

/* "path[entry]": where a warning about a part of a file points */
static void label_of(char *dst, size_t size, const char *path, const char *name)
{
    if (name && name[0]) {
        if (snprintf(dst, size, "%s[%s]", path, name) >= (int)size && size > 1)
            dst[size - 2] = ']'; /* truncated: still a closed label */
    } else
        snprintf(dst, size, "%s", path);
}

/* the text of an md_err without its leading "name:line: " */
static const char *bare_msg(const md_err *e, const char *name)
{
    const char *m = e->msg;
    size_t l = strlen(name);
    if (strncmp(m, name, l) != 0)
        return m;
    m += l;
    if (*m == ':') {
        m++;
        while (*m >= '0' && *m <= '9')
            m++;
        if (*m == ':')
            m++;
        while (*m == ' ')
            m++;
    }
    return m;
}

static void on_dmarc_warn(void *arg, const char *name, uint64_t line, const char *msg)
{
    md_ingest_warn(arg, name, line, "%s", msg);
}

/* ---- DMARC --------------------------------------------------------------- */

/* report_source: the source row of a report document of kind (by its
 * content); TAKE_KNOWN when it was stored completely before. */
static int report_source(md_ingest *ig, const char *label, const char *data, size_t n,
                         const char *kind, md_source *src, md_err *err)
{
    char fp[80];
    content_fp(data, n, kind, fp, sizeof fp);
    int created = 0;
    int rc = md_store_source_get(ig->store, fp, kind, label, src, &created, err);
    if (rc == MD_OK && src->complete)
        return TAKE_KNOWN;
    return rc;
}

static int store_dmarc(md_ingest *ig, const char *label, const char *name, const char *data,
                       size_t n, md_err *err)
{
    md_source src;
    int rc = report_source(ig, label, data, n, "dmarc", &src, err);
    if (rc != MD_OK)
        return rc;
    md_dmarc_report *r = NULL;
    uint64_t line = 0;
    md_err e = {0, ""};
    rc = md_dmarc_parse(&r, label, data, n, on_dmarc_warn, ig, &line, &e);
    if (rc == MD_ERR_NOMEM)
        return md_err_set(err, rc, "%s", e.msg);
    if (rc != MD_OK) {
        md_ingest_warn(ig, label, line, "%s", bare_msg(&e, label));
        return MD_ERR_PARSE;
    }
    int added = 0;
    rc = md_store_rep_dmarc_add(ig->store, r, name, src.id, &added, err);
    md_dmarc_free(r);
    if (rc != MD_OK)
        return rc;
    if (added)
        ig->stats.docs++;
    return added ? TAKE_STORED : TAKE_KNOWN;
}

/* ---- TLS-RPT ------------------------------------------------------------- */

static int store_tlsrpt(md_ingest *ig, const char *label, const char *name, const char *data,
                        size_t n, md_err *err)
{
    md_source src;
    int rc = report_source(ig, label, data, n, "tlsrpt", &src, err);
    if (rc != MD_OK)
        return rc;
    md_tlsrpt_report *r = NULL;
    md_err e = {0, ""};
    rc = md_tlsrpt_parse(&r, label, data, n, &e);
    if (rc == MD_ERR_NOMEM)
        return md_err_set(err, rc, "%s", e.msg);
    if (rc != MD_OK) {
        const char *m = bare_msg(&e, label);
        unsigned long long line = 0;
        if (strncmp(e.msg, label, strlen(label)) == 0 && e.msg[strlen(label)] == ':')
            line = strtoull(e.msg + strlen(label) + 1, NULL, 10);
        md_ingest_warn(ig, label, line, "%s", m);
        return MD_ERR_PARSE;
    }
    if (r->skipped)
        md_ingest_warn(ig, label, 0, "%zu policy or failure rows unusable or over the limit; "
                       "skipped", r->skipped);
    int added = 0;
    rc = md_store_tls_add(ig->store, r, name, src.id, &added, err);
    md_tlsrpt_free(r);
    if (rc != MD_OK)
        return rc;
    if (added)
        ig->stats.docs++;
    return added ? TAKE_STORED : TAKE_KNOWN;
}

static int take_blob(md_ingest *ig, const char *path, const char *name, const char *data,
                     size_t n, int depth, int xml, md_err *err);

/* undo gzip (md_input detects it) into out, at most MD_LIMIT_XML_BYTES */
static int gunzip(md_ingest *ig, const char *label, const char *data, size_t n, md_buf *out)
{
    md_input *in = NULL;
    md_err e = {0, ""};
    int rc = md_input_open_mem(&in, label, data, n, &e);
    if (rc == MD_OK)
        rc = md_input_slurp(in, out, MD_LIMIT_XML_BYTES, &e);
    md_input_close(in);
    /* bytes after a complete gzip member (Mimecast appends CRLF): the
     * report itself is whole, so it is taken (parsedmarc does the same) */
    if (rc == MD_ERR_PARSE && strstr(e.msg, "trailing garbage after gzip stream") && out->len)
        rc = MD_OK;
    if (rc == MD_ERR_LIMIT)
        md_ingest_warn(ig, label, 0, "decompressed report larger than %d bytes; skipped",
                       MD_LIMIT_XML_BYTES);
    else if (rc != MD_OK)
        md_ingest_warn(ig, label, 0, "%s", bare_msg(&e, label));
    return rc;
}

/* A zip archive in memory, read through minizip's file-function hooks. */
typedef struct {
    const unsigned char *data;
    size_t len, pos;
} memzip;

static voidpf mz_open(voidpf opaque, const void *name, int mode)
{
    (void)name;
    (void)mode;
    memzip *m = opaque;
    m->pos = 0;
    return m;
}

static uLong mz_read(voidpf opaque, voidpf stream, void *buf, uLong size)
{
    (void)opaque;
    memzip *m = stream;
    size_t left = m->len - m->pos, n = size < left ? (size_t)size : left;
    memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    return (uLong)n;
}

static uLong mz_write(voidpf opaque, voidpf stream, const void *buf, uLong size)
{
    (void)opaque;
    (void)stream;
    (void)buf;
    (void)size;
    return 0; /* read-only */
}

static ZPOS64_T mz_tell(voidpf opaque, voidpf stream)
{
    (void)opaque;
    return ((memzip *)stream)->pos;
}

static long mz_seek(voidpf opaque, voidpf stream, ZPOS64_T off, int origin)
{
    (void)opaque;
    memzip *m = stream;
    ZPOS64_T base = origin == ZLIB_FILEFUNC_SEEK_CUR ? m->pos
                    : origin == ZLIB_FILEFUNC_SEEK_END ? m->len : 0;
    if (off > m->len || base + off > m->len)
        return -1;
    m->pos = (size_t)(base + off);
    return 0;
}

static int mz_close(voidpf opaque, voidpf stream)
{
    (void)opaque;
    (void)stream;
    return 0;
}

static int mz_error(voidpf opaque, voidpf stream)
{
    (void)opaque;
    (void)stream;
    return 0;
}

static const char *zip_errstr(int rc)
{
    switch (rc) {
    case UNZ_BADZIPFILE: return "not a zip archive or a broken directory";
    case UNZ_CRCERROR: return "CRC mismatch";
    case UNZ_ERRNO: return "read error";
    case UNZ_INTERNALERROR: return "internal error";
    case Z_DATA_ERROR: return "corrupt deflate data";
    case Z_MEM_ERROR: return "out of memory";
    default: return "unreadable (unsupported method or encrypted)";
    }
}

/* the current entry of uf into out, at most MD_LIMIT_XML_BYTES */
static int read_entry(md_ingest *ig, unzFile uf, const char *label, md_buf *out)
{
    int zr = unzOpenCurrentFile(uf);
    if (zr != UNZ_OK) {
        md_ingest_warn(ig, label, 0, "cannot read zip entry: %s", zip_errstr(zr));
        return MD_ERR_PARSE;
    }
    char chunk[65536];
    int rc = MD_OK;
    for (;;) {
        int got = unzReadCurrentFile(uf, chunk, sizeof chunk);
        if (got < 0) {
            md_ingest_warn(ig, label, 0, "broken zip entry: %s", zip_errstr(got));
            rc = MD_ERR_PARSE;
            break;
        }
        if (got == 0)
            break;
        if (out->len + (size_t)got > MD_LIMIT_XML_BYTES) {
            md_ingest_warn(ig, label, 0, "zip entry larger than %d bytes uncompressed; skipped",
                           MD_LIMIT_XML_BYTES);
            rc = MD_ERR_LIMIT;
            break;
        }
        if (md_buf_append(out, chunk, (size_t)got) != MD_OK) {
            rc = MD_ERR_NOMEM;
            break;
        }
    }
    zr = unzCloseCurrentFile(uf);
    if (rc == MD_OK && zr != UNZ_OK) {
        md_ingest_warn(ig, label, 0, "broken zip entry: %s", zip_errstr(zr));
        rc = MD_ERR_PARSE;
    }
    return rc;
}

/* Every entry of a zip archive in memory.  Returns TAKE_STORED / TAKE_KNOWN
 * when at least one report was found, TAKE_NOT_REPORT when none,
 * MD_ERR_PARSE when the archive (or every report in it) was broken, or a
 * store error. */
static int take_zip(md_ingest *ig, const char *path, const char *data, size_t n, int depth,
                    md_err *err)
{
    memzip m = {(const unsigned char *)data, n, 0};
    zlib_filefunc64_def ff = {mz_open, mz_read, mz_write, mz_tell, mz_seek,
                              mz_close, mz_error, &m};
    unz_global_info64 gi;
    unzFile uf = unzOpen2_64("memory", &ff);
    if (!uf || unzGetGlobalInfo64(uf, &gi) != UNZ_OK) {
        md_ingest_warn(ig, path, 0, "not a readable zip archive: %s",
                       zip_errstr(UNZ_BADZIPFILE));
        if (uf)
            unzClose(uf);
        return MD_ERR_PARSE;
    }
    if (gi.number_entry > MD_LIMIT_ZIP_ENTRIES)
        md_ingest_warn(ig, path, 0, "zip archive with %llu entries: only the first %d are read",
                       (unsigned long long)gi.number_entry, MD_LIMIT_ZIP_ENTRIES);
    int stored = 0, known = 0, broken = 0, zr = unzGoToFirstFile(uf);
    for (int i = 0; zr == UNZ_OK && i < MD_LIMIT_ZIP_ENTRIES;
         i++, zr = unzGoToNextFile(uf)) {
        unz_file_info64 fi;
        char ename[MD_LIMIT_PATH];
        if (unzGetCurrentFileInfo64(uf, &fi, ename, sizeof ename, NULL, 0, NULL, 0) != UNZ_OK)
            continue;
        ename[sizeof ename - 1] = '\0';
        size_t el = strlen(ename);
        if (el && ename[el - 1] == '/')
            continue; /* a directory */
        char label[MD_LIMIT_PATH];
        label_of(label, sizeof label, path, ename);
        if (fi.uncompressed_size > MD_LIMIT_XML_BYTES) {
            md_ingest_warn(ig, label, 0, "zip entry of %llu bytes uncompressed is over the "
                           "limit of %d; skipped", (unsigned long long)fi.uncompressed_size,
                           MD_LIMIT_XML_BYTES);
            broken = 1;
            continue;
        }
        md_buf b = MD_BUF_INIT;
        int rc = read_entry(ig, uf, label, &b);
        if (rc == MD_ERR_NOMEM) {
            md_buf_free(&b);
            unzClose(uf);
            return md_err_set(err, rc, "%s: out of memory", label);
        }
        if (rc == MD_OK) {
            const char *base = strrchr(ename, '/');
            rc = take_blob(ig, label, base ? base + 1 : ename, b.data ? b.data : "", b.len,
                           depth + 1, 0, err);
        }
        md_buf_free(&b);
        if (rc == MD_ERR_PARSE || rc == MD_ERR_LIMIT) {
            broken = 1;
        } else if (rc < 0) {
            unzClose(uf);
            return rc;
        } else {
            stored |= rc == TAKE_STORED;
            known |= rc == TAKE_KNOWN;
        }
    }
    if (zr != UNZ_OK && zr != UNZ_END_OF_LIST_OF_FILE) {
        md_ingest_warn(ig, path, 0, "broken zip directory: %s", zip_errstr(zr));
        broken = 1;
    }
    unzClose(uf);
    if (stored)
        return TAKE_STORED;
    if (known)
        return TAKE_KNOWN;
    return broken ? MD_ERR_PARSE : TAKE_NOT_REPORT;
}

/* One blob that may be a report: XML, gzip'ed XML or a zip of them.
 * `path` names it in warnings (a file, or "file[entry]"); name is its own
 * file name (stored with the report).  xml 2: the caller knows it is meant
 * as a TLS report (JSON, parsed whatever it looks like); xml 1: it is meant
 * as a DMARC report (ingest detected it): then XML whose root is not
 * <feedback> is parsed anyway, so that the error says where it goes wrong. */
static int take_blob(md_ingest *ig, const char *path, const char *name, const char *data,
                     size_t n, int depth, int xml, md_err *err)
{
    if (depth > MD_LIMIT_ARCHIVE_NESTING) {
        md_ingest_warn(ig, path, 0, "archives nested deeper than %d; skipped", MD_LIMIT_ARCHIVE_NESTING);
        return MD_ERR_PARSE;
    }
    if (n >= 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b) {
        md_buf b = MD_BUF_INIT;
        int rc = gunzip(ig, path, data, n, &b);
        if (rc == MD_OK)
            rc = take_blob(ig, path, name, b.data ? b.data : "", b.len, depth + 1, xml, err);
        else if (rc != MD_ERR_NOMEM)
            rc = MD_ERR_PARSE;
        else
            rc = md_err_set(err, rc, "%s: out of memory", path);
        md_buf_free(&b);
        return rc;
    }
    if (n >= 4 && memcmp(data, "PK\x03\x04", 4) == 0)
        return take_zip(ig, path, data, n, depth, err);
    if (xml == 2 || (xml == 0 && md_tlsrpt_sniff(data, n)))
        return store_tlsrpt(ig, path, name, data, n, err);
    if (md_dmarc_sniff(data, n) || (xml && n > 0))
        return store_dmarc(ig, path, name, data, n, err);
    return TAKE_NOT_REPORT;
}

int md_repfile_take_attachment(md_ingest *ig, const char *path, const char *name,
                               const unsigned char *data, size_t n, md_err *err)
{
    char label[MD_LIMIT_PATH];
    label_of(label, sizeof label, path ? path : "-", name);
    int rc = take_blob(ig, label, name, (const char *)data, n, 0, 0, err);
    if (rc == TAKE_STORED || rc == TAKE_KNOWN)
        return 1;
    if (rc == TAKE_NOT_REPORT || rc == MD_ERR_PARSE || rc == MD_ERR_LIMIT)
        return 0;
    return rc;
}

/* ---- files --------------------------------------------------------------- */

static int ingest_report(md_ingest *ig, md_input *in, const char *path, md_kind kind,
                         md_err *err)
{
    md_buf b = MD_BUF_INIT;
    md_err e = {0, ""};
    size_t max = kind == MD_KIND_ZIP ? MD_LIMIT_SLURP
                 : kind == MD_KIND_TLSRPT ? MD_LIMIT_JSON_BYTES : MD_LIMIT_XML_BYTES;
    int rc = md_input_slurp(in, &b, max, &e);
    if (rc == MD_ERR_NOMEM) {
        md_buf_free(&b);
        return md_err_set(err, rc, "%s: out of memory", path);
    }
    if (rc != MD_OK) {
        if (rc == MD_ERR_LIMIT)
            md_ingest_warn(ig, path, 0, "report larger than %zu bytes; skipped", max);
        else
            md_ingest_warn(ig, path, md_input_lineno(in), "%s", bare_msg(&e, path));
        ig->stats.files_failed++;
        md_buf_free(&b);
        return MD_ERR_PARSE;
    }
    const char *base = strrchr(path, '/');
    rc = take_blob(ig, path, base ? base + 1 : path, b.data ? b.data : "", b.len, 0,
                   kind == MD_KIND_DMARC ? 1 : kind == MD_KIND_TLSRPT ? 2 : 0, err);
    md_buf_free(&b);
    md_ingest_tick(ig, in);
    if (rc == TAKE_KNOWN) {
        ig->stats.files_unchanged++;
        return MD_OK;
    }
    if (rc == TAKE_STORED)
        return MD_OK;
    if (rc == TAKE_NOT_REPORT) {
        md_ingest_warn(ig, path, 0, "%s", kind == MD_KIND_ZIP
                           ? "zip archive holds no DMARC aggregate report; skipped"
                           : kind == MD_KIND_TLSRPT ? "not a TLS report; skipped"
                                                    : "not a DMARC aggregate report; skipped");
        rc = MD_ERR_PARSE;
    }
    if (rc == MD_ERR_PARSE)
        ig->stats.files_failed++;
    return rc;
}

static int ingest_snds(md_ingest *ig, md_input *in, const char *path, md_kind kind,
                       md_err *err)
{
    const char *kname = md_ingest_kind_name(kind);
    md_buf b = MD_BUF_INIT;
    md_err e = {0, ""};
    int rc = md_input_slurp(in, &b, MD_LIMIT_SLURP, &e);
    if (rc != MD_OK) {
        md_buf_free(&b);
        if (rc == MD_ERR_NOMEM)
            return md_err_set(err, rc, "%s: out of memory", path);
        if (rc == MD_ERR_LIMIT)
            md_ingest_warn(ig, path, 0, "SNDS export larger than %d bytes; skipped",
                           MD_LIMIT_SLURP);
        else
            md_ingest_warn(ig, path, md_input_lineno(in), "%s", bare_msg(&e, path));
        ig->stats.files_failed++;
        return MD_ERR_PARSE;
    }
    char fp[80];
    content_fp(b.data ? b.data : "", b.len, kname, fp, sizeof fp);
    md_source src;
    int created;
    if ((rc = md_store_source_get(ig->store, fp, kname, path, &src, &created, err)) != MD_OK) {
        md_buf_free(&b);
        return rc;
    }
    if (src.complete) {
        ig->stats.files_unchanged++;
        md_buf_free(&b);
        return MD_OK;
    }
    int64_t seen = md_input_mtime(in) > 0 ? md_input_mtime(in) : (int64_t)time(NULL);
    md_input *lines = NULL;
    if ((rc = md_input_open_mem(&lines, path, b.data ? b.data : "", b.len, err)) != MD_OK) {
        md_buf_free(&b);
        return rc;
    }
    if ((rc = md_store_begin(ig->store, err)) != MD_OK) {
        md_input_close(lines);
        md_buf_free(&b);
        return rc;
    }
    md_snds_parser p;
    md_snds_init(&p, kind == MD_KIND_SNDS_STATUS ? MD_SNDS_STATUS : MD_SNDS_DATA);
    const char *line;
    size_t len;
    int flags, got;
    uint64_t nlines = 0, stored = 0;
    while ((got = md_input_getline(lines, &line, &len, &flags, &e)) == 1) {
        uint64_t ln = md_input_lineno(lines);
        nlines++;
        if (flags & (MD_LINE_CUT | MD_LINE_NUL)) {
            md_ingest_warn(ig, path, ln, "%s; line skipped", (flags & MD_LINE_CUT)
                               ? "line longer than the limit" : "line with NUL bytes");
            continue;
        }
        int r;
        md_err le = {0, ""};
        if (kind == MD_KIND_SNDS_STATUS) {
            md_snds_status s;
            r = md_snds_status_line(&p, line, len, &s, &le);
            if (r == 1)
                rc = md_store_rep_status_put(ig->store, &s, seen, src.id, ln, err);
        } else {
            md_snds_row row;
            int added = 0;
            r = md_snds_data_line(&p, line, len, &row, &le);
            if (r == 1) {
                rc = md_store_rep_snds_put(ig->store, &row, src.id, ln, &added, err);
                ig->stats.lines_new += (uint64_t)added;
            }
        }
        if (rc != MD_OK)
            break;
        if (r < 0)
            md_ingest_warn(ig, path, ln, "%s; line skipped", le.msg);
        else
            stored += (uint64_t)r;
    }
    if (rc == MD_OK && got < 0)
        md_ingest_warn(ig, path, md_input_lineno(lines), "%s", bare_msg(&e, path));
    if (rc == MD_OK)
        rc = md_store_source_progress(ig->store, src.id, nlines, b.len, 1, err);
    if (rc == MD_OK)
        rc = md_store_commit(ig->store, err);
    if (rc != MD_OK)
        md_store_rollback(ig->store);
    else if (stored)
        ig->stats.docs++;
    ig->stats.lines += nlines;
    md_input_close(lines);
    md_buf_free(&b);
    md_ingest_tick(ig, in);
    if (rc == MD_OK && stored == 0 && nlines > 0) {
        md_ingest_warn(ig, path, 0, "no usable row in this %s export", kname);
        ig->stats.files_failed++;
        return MD_ERR_PARSE;
    }
    return rc;
}

int md_repfile_ingest(md_ingest *ig, md_input *in, const char *path, md_err *err)
{
    md_kind kind = ig->kind;
    if (kind != MD_KIND_DMARC && kind != MD_KIND_ZIP && kind != MD_KIND_SNDS &&
        kind != MD_KIND_SNDS_STATUS && kind != MD_KIND_TLSRPT) {
        const char *p;
        size_t n;
        md_err e = {0, ""};
        kind = md_input_peek(in, 65536, &p, &n, &e) == MD_OK ? md_ingest_detect(p, n, path)
                                                             : MD_KIND_UNKNOWN;
    }
    switch (kind) {
    case MD_KIND_DMARC:
    case MD_KIND_ZIP:
    case MD_KIND_TLSRPT:
        return ingest_report(ig, in, path, kind, err);
    case MD_KIND_SNDS:
    case MD_KIND_SNDS_STATUS:
        return ingest_snds(ig, in, path, kind, err);
    default:
        md_ingest_warn(ig, path, 0, "not a reputation report (DMARC, SNDS, TLS-RPT); skipped");
        ig->stats.files_failed++;
        return MD_ERR_PARSE;
    }
}
