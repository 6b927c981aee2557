/* msgfile.c: the ingest reader for messages and mbox files (kinds
 * MD_KIND_MESSAGE and MD_KIND_MBOX; Maildir folders arrive as one file per
 * message).  See msgfile.h.
 *
 * For each message: parse (message.c), classify (complaint, bounce,
 * Microsoft sender-support reply, mail carrying a DMARC report, plain
 * message), and store the header evidence (store_msg.h): summary, address
 * index, Received hops with IP classes, authentication results, Microsoft
 * antispam fields, bounce recipients, complaint.  Messages attached to a
 * bounce or complaint (message/rfc822) are stored too: the original's
 * Received chain is the chain Microsoft saw.  Re-reading a message adds
 * nothing (content hash).  mbox files are split on "From " lines (">From "
 * unquoted) and resumed where the last run stopped.  Bad input is reported
 * through md_ingest_warn naming file and line; the rest is still taken.
 * Never prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arf.h"
#include "authres.h"
#include "dsn.h"
#include "message.h"
#include "msantispam.h"
#include "msgfile.h"
#include "msreply.h"
#include "received.h"
#include "repfile.h"
#include "store_msg.h"
#include "text.h"

#define MBOX_BATCH 500        /* messages per transaction in an mbox */
#define MAX_INNER_STORED 4    /* attached originals stored per message */

typedef struct mctx {
    md_ingest *ig;
    const char *path;
    md_msg_writer *w;
    int64_t source_id;
    md_buf hops, auth;  /* the blobs of the message being stored */
} mctx;

typedef struct msgbatch {
    md_msg_writer *w;   /* statements kept across inputs */
    int open;           /* a transaction is open */
    unsigned n;         /* messages in it */
} msgbatch;

/* tx_begin / tx_end: one transaction per input, or the batch's. */
static int tx_begin(mctx *c, md_err *err)
{
    msgbatch *b = c->ig->msg_batch;
    if (!b)
        return md_store_begin(c->ig->store, err);
    if (b->open)
        return MD_OK;
    int rc = md_store_begin(c->ig->store, err);
    b->open = rc == MD_OK;
    return rc;
}

static int tx_end(mctx *c, int rc, md_err *err)
{
    msgbatch *b = c->ig->msg_batch;
    if (rc != MD_OK) {
        md_store_rollback(c->ig->store);
        if (b) {
            b->open = 0;
            b->n = 0;
        }
        return rc;
    }
    if (b && ++b->n < MD_MSGFILE_BATCH)
        return MD_OK;
    rc = md_store_commit(c->ig->store, err);
    if (rc != MD_OK)
        md_store_rollback(c->ig->store);
    if (b) {
        b->open = 0;
        b->n = 0;
    }
    return rc;
}

int md_msgfile_batch_begin(md_ingest *ig, md_err *err)
{
    if (ig->msg_batch)
        return MD_OK;
    msgbatch *b = calloc(1, sizeof *b);
    if (!b)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    int rc = md_store_msg_writer_open(ig->store, &b->w, err);
    if (rc != MD_OK) {
        free(b);
        return rc;
    }
    ig->msg_batch = b;
    return MD_OK;
}

int md_msgfile_flush(md_ingest *ig, md_err *err)
{
    msgbatch *b = ig->msg_batch;
    int rc = MD_OK;
    if (!b || !b->open)
        return MD_OK;
    rc = md_store_commit(ig->store, err);
    if (rc != MD_OK)
        md_store_rollback(ig->store);
    b->open = 0;
    b->n = 0;
    return rc;
}

int md_msgfile_finish(md_ingest *ig, md_err *err)
{
    msgbatch *b = ig->msg_batch;
    int rc = MD_OK;
    if (!b)
        return MD_OK;
    if (b->open) {
        rc = md_store_commit(ig->store, err);
        if (rc != MD_OK)
            md_store_rollback(ig->store);
    }
    md_store_msg_writer_close(b->w);
    free(b);
    ig->msg_batch = NULL;
    return rc;
}

/* Content hash: two 64-bit FNV-1a lanes (fingerprint, not security) over
 * the bytes without CR and without trailing line ends, so that a CRLF copy,
 * an mbox copy and the .eml are one message. */
static void content_hash(const void *p, size_t n, char *out, size_t outsize)
{
    const unsigned char *s = p;
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    uint64_t a = 0xcbf29ce484222325ULL, b = 0x6c62272e07bb0142ULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r') {
            if (i + 1 < n && s[i + 1] == '\n')
                continue;
            /* a lone CR is a line end (CR-only files) */
        }
        unsigned char c = s[i] == '\r' ? '\n' : s[i];
        a = (a ^ c) * 0x100000001b3ULL;
        b = (b ^ c ^ (k++ & 0xff)) * 0x100000001b3ULL;
    }
    b ^= k;
    snprintf(out, outsize, "%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
}

static void warn_flags(mctx *c, uint64_t line, const md_message *m)
{
    int bad = m->flags & (MD_MSG_HDR_TRUNC | MD_MSG_HDR_LINE_CUT | MD_MSG_HDR_TOO_MANY |
                          MD_MSG_DEEP_COMMENT | MD_MSG_MIME_DEPTH | MD_MSG_MIME_PARTS |
                          MD_MSG_TOO_BIG);
    if (!bad)
        return;
    char t[512];
    md_message_flags_text(bad, t, sizeof t);
    md_ingest_warn(c->ig, c->path, line, "message %s%s%s: over a limit, kept what fits: %s",
                   *m->message_id ? "<" : "", *m->message_id ? m->message_id : "(no Message-ID)",
                   *m->message_id ? ">" : "", t);
}

static int store_addrs(mctx *c, int64_t id, const md_message *m, md_err *err)
{
    char list[4096];
    int rc = md_store_msg_addr_put(c->w, id, m->from_addr, MD_MSGADDR_FROM, err);
    static const char *const rcpt_hdrs[] = {"To", "Cc", "Delivered-To", "X-Original-To"};
    for (size_t h = 0; rc == MD_OK && h < sizeof rcpt_hdrs / sizeof rcpt_hdrs[0]; h++) {
        size_t pos = 0;
        const md_msg_header *f;
        while (rc == MD_OK && (f = md_message_header_next(m, rcpt_hdrs[h], &pos)) != NULL) {
            md_message_addr_list(f->value, list, sizeof list);
            for (char *s = list; rc == MD_OK && *s;) {
                size_t k = strcspn(s, ",");
                char save = s[k];
                s[k] = '\0';
                rc = md_store_msg_addr_put(c->w, id, s, MD_MSGADDR_TO, err);
                s[k] = save;
                s += k + (save == ',');
            }
        }
    }
    return rc;
}

/* enc_hops: the message's Received chain into the hops blob b. */
static int enc_hops(mctx *c, md_buf *b, const md_message *m, uint64_t line, md_err *err)
{
    md_received rc;
    int r = md_received_chain(&rc, m, err);
    if (r != MD_OK)
        return r;
    if (rc.truncated)
        md_ingest_warn(c->ig, c->path, line,
                       "message <%s>: %zu Received headers, only the newest %d kept",
                       m->message_id, rc.total_headers, MD_LIMIT_RECEIVED);
    for (size_t i = 0; r == MD_OK && i < rc.n; i++) {
        const md_hop *h = &rc.hop[i];
        const md_host *host = NULL;
        md_ipclass cls = h->has_ip ? md_received_classify(c->ig->cfg, &h->ip,
                                                          *h->rdns ? h->rdns : h->helo, &host)
                                   : MD_IPCLASS_NONE;
        if (md_store_msg_hop_encode(b, h, cls, host ? host->name : NULL) != MD_OK)
            r = md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", c->path);
    }
    md_received_free(&rc);
    return r;
}

/* enc_auth: the message's authentication results into the blob b. */
static int enc_auth(md_buf *b, const md_message *m)
{
    static const char *const ar_hdrs[] = {"Authentication-Results", "ARC-Authentication-Results"};
    int rc = MD_OK;
    for (size_t h = 0; h < 2; h++) {
        size_t pos = 0;
        const md_msg_header *f;
        while (rc == MD_OK && (f = md_message_header_next(m, ar_hdrs[h], &pos)) != NULL) {
            md_authres ar;
            md_authres_parse(&ar, f->value);
            for (size_t i = 0; rc == MD_OK && i < ar.n; i++)
                rc = md_store_msg_auth_encode(b, ar_hdrs[h], ar.authserv, &ar.item[i]);
        }
    }
    size_t pos = 0;
    const md_msg_header *f;
    while (rc == MD_OK && (f = md_message_header_next(m, "Received-SPF", &pos)) != NULL) {
        md_authres_item it;
        md_authres_parse_spf(&it, f->value);
        rc = md_store_msg_auth_encode(b, "Received-SPF", NULL, &it);
    }
    pos = 0;
    while (rc == MD_OK && (f = md_message_header_next(m, "DKIM-Signature", &pos)) != NULL) {
        md_authres_item it;
        memset(&it, 0, sizeof it);
        char sel[128];
        snprintf(it.method, sizeof it.method, "dkim-signature");
        md_authres_dkim_sig(f->value, it.domain, sizeof it.domain, sel, sizeof sel);
        snprintf(it.props, sizeof it.props, "s=%s", sel);
        rc = md_store_msg_auth_encode(b, "DKIM-Signature", NULL, &it);
    }
    return rc;
}

static int is_report_attachment(const md_msg_part *p)
{
    static const char *const types[] = {"application/zip", "application/gzip",
                                        "application/x-gzip", "text/xml", "application/xml",
                                        "application/x-zip-compressed", "application/octet-stream"};
    const char *fn = p->filename;
    size_t l = strlen(fn);
    if ((l > 4 && (!md_text_casecmp(fn + l - 4, ".xml") || !md_text_casecmp(fn + l - 4, ".zip"))) ||
        (l > 3 && !md_text_casecmp(fn + l - 3, ".gz")))
        return 1;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(p->type, types[i]) && (i < 6 || *fn))
            return 1;
    return 0;
}

static int take_message(mctx *c, const char *data, size_t len, const char *known_hash,
                        uint64_t line, int depth, md_err *err);

/* store_inner: the originals attached to a bounce or complaint. */
static int store_inner(mctx *c, const md_message *m, uint64_t line, int depth, md_err *err)
{
    int stored = 0, rc = MD_OK;
    for (size_t i = 0; rc == MD_OK && i < m->npart && stored < MAX_INNER_STORED; i++) {
        const md_msg_part *p = &m->part[i];
        if (!p->inner || !p->data || !p->len)
            continue;
        rc = take_message(c, (const char *)p->data, p->len, NULL, line, depth + 1, err);
        if (rc == MD_ERR_PARSE) /* an attached part that is no message: not our problem */
            rc = MD_OK;
        stored++;
    }
    return rc;
}

/* take_message: parse, classify and store one message.  0 (stored or
 * already known), MD_ERR_PARSE (not a message: warned), or a store error.
 * known_hash: content_hash of data when the caller has it, else NULL. */
static int take_message(mctx *c, const char *data, size_t len, const char *known_hash,
                        uint64_t line, int depth, md_err *err)
{
    md_message *m = NULL;
    md_err e = {0, ""};
    int rc = md_message_parse(&m, data, len, &e);
    if (rc == MD_ERR_NOMEM)
        return md_err_set(err, rc, "%s: out of memory", c->path);
    if (rc != MD_OK) {
        if (depth == 0)
            md_ingest_warn(c->ig, c->path, line, "not a message: %s", e.msg);
        return MD_ERR_PARSE;
    }
    if (depth == 0)
        warn_flags(c, line, m);
    char hash[40];
    if (known_hash)
        snprintf(hash, sizeof hash, "%s", known_hash);
    else
        content_hash(data, len, hash, sizeof hash);

    /* classify before storing: complaint, bounce (reports first) */
    md_arf *arf = malloc(sizeof *arf);
    md_dsn *dsn = malloc(sizeof *dsn);
    md_msantispam *as = malloc(sizeof *as);
    if (!arf || !dsn || !as) {
        rc = md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", c->path);
        goto out;
    }
    int is_arf = depth == 0 && md_arf_parse(arf, m);
    int is_dsn = depth == 0 && !is_arf && md_dsn_parse(dsn, m);
    md_msantispam_from_message(as, m);
    char summary[512] = "";
    if (as->present)
        md_msantispam_summary(as, summary, sizeof summary);
    md_msg_row row;
    memset(&row, 0, sizeof row);
    row.hash = hash;
    row.source_id = c->source_id;
    row.path = c->path;
    row.kind = is_arf ? MD_MSGKIND_ARF : is_dsn ? MD_MSGKIND_DSN : MD_MSGKIND_MESSAGE;
    row.message_id = m->message_id;
    row.from_addr = m->from_addr;
    row.from_text = m->from;
    row.to_text = m->to;
    row.subject = m->subject;
    row.date = m->date;
    row.flags = m->flags;
    row.size = (int64_t)len;
    row.antispam = summary;
    row.headers = NULL; /* the start of raw */
    row.raw = data;
    row.rawlen = len;
    md_buf_reset(&c->hops);
    md_buf_reset(&c->auth);
    if ((rc = enc_hops(c, &c->hops, m, line, err)) != MD_OK)
        goto out;
    if (enc_auth(&c->auth, m) != MD_OK) {
        rc = md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", c->path);
        goto out;
    }
    row.hops = c->hops.data;
    row.hops_len = c->hops.len;
    row.auth = c->auth.data;
    row.auth_len = c->auth.len;
    rc = md_store_msg_put(c->w, &row, err);
    if (rc <= 0) /* already stored (0) or failed */
        goto out;
    c->ig->stats.docs++;
    int64_t id = row.id;
    if ((rc = store_addrs(c, id, m, err)) != MD_OK ||
        (as->present && (rc = md_store_msg_antispam_put(c->w, id, as, err)) != MD_OK))
        goto out;
    if (is_arf) {
        if ((rc = md_store_msg_arf_put(c->w, id, arf, err)) != MD_OK ||
            (rc = md_store_msg_addr_put(c->w, id, arf->orig_rcpt_to, MD_MSGADDR_ORIG_RCPT, err)) != MD_OK ||
            (rc = md_store_msg_addr_put(c->w, id, *arf->orig_mail_from ? arf->orig_mail_from : arf->orig_from,
                                        MD_MSGADDR_ORIG_FROM, err)) != MD_OK)
            goto out;
    } else if (is_dsn) {
        if ((rc = md_store_msg_dsn_put(c->w, id, dsn, err)) != MD_OK ||
            (rc = md_store_msg_addr_put(c->w, id, dsn->orig_from, MD_MSGADDR_ORIG_FROM, err)) != MD_OK)
            goto out;
        for (size_t i = 0; i < dsn->n; i++)
            if ((rc = md_store_msg_addr_put(c->w, id, dsn->rcpt[i].final_rcpt, MD_MSGADDR_FINAL_RCPT, err)) != MD_OK ||
                (rc = md_store_msg_addr_put(c->w, id, dsn->rcpt[i].orig_rcpt, MD_MSGADDR_ORIG_RCPT, err)) != MD_OK)
                goto out;
    } else if (depth == 0) {
        /* a Microsoft sender-support reply? */
        int r = md_msreply_take(c->ig, m, id, err);
        if (r < 0) {
            rc = r;
            goto out;
        }
        if (r == 1 && (rc = md_store_msg_set_kind(c->w, id, MD_MSGKIND_MSREPLY, err)) != MD_OK)
            goto out;
        /* DMARC reports attached */
        int took = 0;
        for (size_t i = 0; !r && i < m->npart; i++) {
            const md_msg_part *p = &m->part[i];
            if (!p->data || !p->len || p->is_multipart || !is_report_attachment(p))
                continue;
            int t = md_repfile_take_attachment(c->ig, c->path, p->filename, p->data, p->len, err);
            if (t < 0) {
                rc = t;
                goto out;
            }
            took += t;
        }
        if (took && (rc = md_store_msg_set_kind(c->w, id, MD_MSGKIND_DMARC, err)) != MD_OK)
            goto out;
    }
    rc = MD_OK;
    if ((is_arf || is_dsn) && depth == 0)
        rc = store_inner(c, m, line, depth, err);
out:
    if (rc > 0)
        rc = MD_OK;
    free(arf);
    free(dsn);
    free(as);
    md_message_free(m);
    return rc;
}

/* ---- the reader ------------------------------------------------------------ */

static int open_source(mctx *c, const char *fp, const char *kind, md_source *src, int *created,
                       md_err *err)
{
    int rc = md_store_source_get(c->ig->store, fp, kind, c->path, src, created, err);
    if (rc == MD_OK)
        c->source_id = src->id;
    return rc;
}

static int read_one(mctx *c, md_input *in, md_err *err)
{
    md_buf b = MD_BUF_INIT;
    md_err e = {0, ""};
    int rc = md_input_slurp(in, &b, MD_LIMIT_MESSAGE_BYTES, &e);
    if (rc == MD_ERR_NOMEM) {
        md_buf_free(&b);
        return md_err_set(err, rc, "%s: out of memory", c->path);
    }
    if (rc == MD_ERR_LIMIT)
        md_ingest_warn(c->ig, c->path, 0, "message larger than %d bytes: only the first part read",
                       MD_LIMIT_MESSAGE_BYTES);
    else if (rc != MD_OK)
        md_ingest_warn(c->ig, c->path, md_input_lineno(in), "%s", e.msg);
    char hash[40];
    content_hash(md_buf_cstr(&b), b.len, hash, sizeof hash);
    md_source src;
    int created = 0;
    if ((rc = tx_begin(c, err)) != MD_OK) {
        md_buf_free(&b);
        return rc;
    }
    rc = md_store_msg_source_get(c->w, hash, "message", c->path, &src, &created, err);
    if (rc == MD_OK)
        c->source_id = src.id;
    if (rc == MD_OK && !created && src.complete) {
        c->ig->stats.files_unchanged++;
    } else if (rc == MD_OK) {
        rc = take_message(c, md_buf_cstr(&b), b.len, hash, 1, 0, err);
        if (rc == MD_ERR_PARSE)
            rc = MD_OK;
        if (rc == MD_OK)
            rc = md_store_msg_source_progress(c->w, src.id, md_input_lineno(in), b.len, 1, err);
    }
    rc = tx_end(c, rc, err);
    md_buf_free(&b);
    return rc;
}

/* mbox: "From " at the start of a line separates messages; ">From " lines
 * lose one '>' (mboxrd). */
static int read_mbox(mctx *c, md_input *in, md_err *err)
{
    char fp[40];
    md_err e = {0, ""};
    if (md_ingest_fingerprint(in, MD_KIND_MBOX, fp, sizeof fp, &e) != MD_OK)
        content_hash(c->path, strlen(c->path), fp, sizeof fp);
    md_source src;
    int created = 0, rc;
    /* an mbox commits on its own (in batches of MBOX_BATCH) */
    if ((rc = md_msgfile_flush(c->ig, err)) != MD_OK)
        return rc;
    if ((rc = md_store_begin(c->ig->store, err)) != MD_OK)
        return rc;
    if ((rc = open_source(c, fp, "mbox", &src, &created, err)) != MD_OK) {
        md_store_rollback(c->ig->store);
        return rc;
    }
    if (src.lines_done && (rc = md_input_skip_lines(in, src.lines_done, &e)) != MD_OK) {
        md_store_rollback(c->ig->store);
        md_ingest_warn(c->ig, c->path, md_input_lineno(in), "%s", e.msg);
        return MD_ERR_PARSE;
    }
    md_buf msg = MD_BUF_INIT;
    uint64_t start = 0, done_lines = src.lines_done, done_bytes = src.bytes_done;
    int nmsg = 0, have = 0, cut_warned = 0;
    const char *line;
    size_t len;
    int flags;
    for (;;) {
        int g = md_input_getline(in, &line, &len, &flags, &e);
        int sep = g == 1 && len >= 5 && memcmp(line, "From ", 5) == 0;
        if ((g != 1 || sep) && have) {
            rc = take_message(c, md_buf_cstr(&msg), msg.len, NULL, start, 0, err);
            if (rc == MD_ERR_PARSE)
                rc = MD_OK;
            if (rc != MD_OK)
                break;
            done_lines = md_input_lineno(in) - (g == 1 ? 1 : 0);
            done_bytes = md_input_pos(in);
            md_buf_reset(&msg);
            have = 0;
            cut_warned = 0;
            if (++nmsg % MBOX_BATCH == 0) {
                if ((rc = md_store_source_progress(c->ig->store, src.id, done_lines, done_bytes, 0, err)) != MD_OK ||
                    (rc = md_store_commit(c->ig->store, err)) != MD_OK ||
                    (rc = md_store_begin(c->ig->store, err)) != MD_OK)
                    break;
                md_ingest_tick(c->ig, in);
            }
        }
        if (g < 0) {
            md_ingest_warn(c->ig, c->path, md_input_lineno(in), "%s", e.msg);
            break;
        }
        if (g == 0)
            break;
        if (sep) {
            start = md_input_lineno(in) + 1;
            have = 1;
            continue; /* the envelope line is not part of the message */
        }
        if (!have && len == 0)
            continue; /* blank lines between messages (an appended mbox) */
        if (!have) { /* text before the first "From " line */
            start = md_input_lineno(in);
            have = 1;
        }
        if ((flags & MD_LINE_CUT) && !cut_warned) {
            md_ingest_warn(c->ig, c->path, md_input_lineno(in),
                           "line longer than %d bytes: cut", MD_LIMIT_LINE);
            cut_warned = 1;
        }
        const char *l = line;
        size_t ll = len;
        if (ll >= 6 && l[0] == '>') {
            size_t k = 0;
            while (k < ll && l[k] == '>')
                k++;
            if (ll - k >= 5 && memcmp(l + k, "From ", 5) == 0) {
                l++;
                ll--;
            }
        }
        md_buf_append(&msg, l, ll);
        md_buf_putc(&msg, '\n');
        if (msg.oom) {
            rc = md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", c->path);
            break;
        }
        if (msg.len > MD_LIMIT_MESSAGE_BYTES) {
            /* the rest of this message is dropped (up to the next From line) */
            md_ingest_warn(c->ig, c->path, md_input_lineno(in),
                           "message larger than %d bytes: only the first part read",
                           MD_LIMIT_MESSAGE_BYTES);
            rc = take_message(c, md_buf_cstr(&msg), msg.len, NULL, start, 0, err);
            if (rc == MD_ERR_PARSE)
                rc = MD_OK;
            if (rc != MD_OK)
                break;
            md_buf_reset(&msg);
            have = 0;
            int g2;
            while ((g2 = md_input_getline(in, &line, &len, &flags, &e)) == 1 &&
                   !(len >= 5 && memcmp(line, "From ", 5) == 0))
                ;
            if (g2 != 1)
                break;
            start = md_input_lineno(in) + 1;
            have = 1;
        }
    }
    md_buf_free(&msg);
    if (rc == MD_OK)
        rc = md_store_source_progress(c->ig->store, src.id, done_lines, done_bytes, 1, err);
    if (rc == MD_OK)
        rc = md_store_commit(c->ig->store, err);
    if (rc != MD_OK)
        md_store_rollback(c->ig->store);
    return rc;
}

int md_msgfile_ingest(md_ingest *ig, md_input *in, const char *path, md_err *err)
{
    mctx c = {ig, path, NULL, 0, MD_BUF_INIT, MD_BUF_INIT};
    msgbatch *b = ig->msg_batch;
    int rc = MD_OK;
    if (b && ig->kind != MD_KIND_MBOX)
        c.w = b->w;
    else if ((rc = md_store_msg_writer_open(ig->store, &c.w, err)) != MD_OK)
        return rc;
    if (ig->kind == MD_KIND_MBOX)
        rc = read_mbox(&c, in, err);
    else
        rc = read_one(&c, in, err);
    if (!b || ig->kind == MD_KIND_MBOX)
        md_store_msg_writer_close(c.w);
    md_buf_free(&c.hops);
    md_buf_free(&c.auth);
    return rc;
}
