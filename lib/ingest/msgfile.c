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
 * unquoted) and resumed where the last run stopped.  While batching, the
 * parsing of message files runs on a parse thread (see "the parse thread"
 * below); the store is written on the caller's thread only.  Bad input is reported
 * through md_ingest_warn naming file and line; the rest is still taken.
 * Never prints.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "parse/arf.h"
#include "parse/authres.h"
#include "parse/dsn.h"
#include "parse/message.h"
#include "parse/msantispam.h"
#include "parse/arc.h"
#include "ingest/msgfile.h"
#include "parse/msreply.h"
#include "parse/received.h"
#include "ingest/repfile.h"
#include "store/store_authfail.h"
#include "store/store_case.h"
#include "store/store_msg.h"
#include "base/text.h"

#define MBOX_BATCH 500        /* messages per transaction in an mbox */
#define PIPE_SLOTS 64         /* message files between the reader and the writer */
#define PIPE_WAKE 8           /* jobs a thread waits for before it is woken */
#define PIPE_THREADS 4        /* parse threads at most (see parse_threads) */

/* ---- a message file, prepared --------------------------------------------
 * Parsing, classifying and encoding need no store: a job holds a message
 * file's bytes and what was made of them (the message and the originals
 * attached to it, ready to store; the warnings to give), so that a parse
 * thread can make it while the writer stores the one before. */

/* prep: one message, ready to store */
typedef struct prep {
    int kind;               /* P_* */
    char hash[40];
    md_msg_row row;         /* strings in text (set when stored: set_row) */
    md_buf text;            /* message_id, from_addr, from, to, subject, summary (NUL each) */
    md_buf addrs;           /* per address: role byte, address, NUL */
    md_buf hops, auth, raw; /* the blobs; raw packed */
    md_msantispam *as;      /* allocated on first use, kept */
    md_message *m;          /* a plain message that may be a Microsoft reply or
                               carry a DMARC report: the writer reads it again */
} prep;

enum { P_NONE, P_MESSAGE, P_ARF, P_DSN };

typedef struct job {
    md_buf path;            /* the file */
    md_buf data;            /* its bytes */
    md_buf warn;            /* per warning: line (uint64_t), text, NUL */
    char hash[40];
    uint64_t lines, bytes;  /* the source's progress when stored */
    int skip;               /* 1 stored already (or a copy of a file before it): not parsed */
    int rc;                 /* the parse's result (0 or MD_ERR_NOMEM) */
    size_t np;              /* preps made: the message, then its originals */
    prep p[1 + MD_LIMIT_INNER_STORED];
    md_arf *arf;            /* the complaint or bounce of p[0], when it is one */
    md_dsn *dsn;
} job;

/* parse context: what making a job needs (one per thread: read only but
 * pk and the reports being read, which move to the job that is one) */
typedef struct pctx {
    const md_config *cfg;
    md_msg_pack *pk;
    md_arf *arf;            /* allocated on first use */
    md_dsn *dsn;
} pctx;

static void pctx_free(pctx *pc)
{
    md_store_msg_pack_close(pc->pk);
    free(pc->arf);
    free(pc->dsn);
    *pc = (pctx){.cfg = pc->cfg};
}

static void job_free(job *j)
{
    md_buf_free(&j->path);
    md_buf_free(&j->data);
    md_buf_free(&j->warn);
    for (size_t i = 0; i < 1 + MD_LIMIT_INNER_STORED; i++) {
        prep *p = &j->p[i];
        md_buf_free(&p->text);
        md_buf_free(&p->addrs);
        md_buf_free(&p->hops);
        md_buf_free(&p->auth);
        md_buf_free(&p->raw);
        free(p->as);
        md_message_free(p->m);
    }
    free(j->arf);
    free(j->dsn);
    memset(j, 0, sizeof *j);
}

static void job_warn(job *j, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void job_warn(job *j, uint64_t line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    md_buf_append(&j->warn, &line, sizeof line);
    md_buf_vprintf(&j->warn, fmt, ap);
    md_buf_append(&j->warn, "", 1);
    va_end(ap);
}

/* Content hash: two 64-bit FNV-1a lanes (fingerprint, not security) over
 * the bytes without CR and without trailing line ends, so that a CRLF copy,
 * an mbox copy and the .eml are one message.  The runs between CRs go
 * through the plain loop (memchr finds the CRs): each lane is one
 * multiplication per byte, so the two run side by side. */
#define FNV_PRIME 0x100000001b3ULL
static void content_hash(const void *p, size_t n, char *out, size_t outsize)
{
    const unsigned char *s = p;
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    uint64_t a = 0xcbf29ce484222325ULL, b = 0x6c62272e07bb0142ULL;
    size_t k = 0, i = 0;
    while (i < n) {
        const unsigned char *cr = memchr(s + i, '\r', n - i);
        size_t e = cr ? (size_t)(cr - s) : n;
        for (; i < e; i++, k++) {
            a = (a ^ s[i]) * FNV_PRIME;
            b = (b ^ s[i] ^ (k & 0xff)) * FNV_PRIME;
        }
        if (i == n)
            break;
        /* a CR: nothing of CRLF, a lone CR is a line end (CR-only files) */
        if (!(i + 1 < n && s[i + 1] == '\n')) {
            a = (a ^ '\n') * FNV_PRIME;
            b = (b ^ '\n' ^ (k & 0xff)) * FNV_PRIME;
            k++;
        }
        i++;
    }
    b ^= k;
    /* "%016llx%016llx", without printf (once per file) */
    static const char hex[] = "0123456789abcdef";
    if (outsize < 33) {
        if (outsize)
            out[0] = '\0';
        return;
    }
    for (int j = 0; j < 16; j++) {
        out[j] = hex[(a >> (60 - 4 * j)) & 0xf];
        out[16 + j] = hex[(b >> (60 - 4 * j)) & 0xf];
    }
    out[32] = '\0';
}

static void warn_flags(job *j, uint64_t line, const md_message *m)
{
    int bad = m->flags & (MD_MSG_HDR_TRUNC | MD_MSG_HDR_LINE_CUT | MD_MSG_HDR_TOO_MANY |
                          MD_MSG_DEEP_COMMENT | MD_MSG_MIME_DEPTH | MD_MSG_MIME_PARTS |
                          MD_MSG_TOO_BIG);
    if (!bad)
        return;
    char t[512];
    md_message_flags_text(bad, t, sizeof t);
    job_warn(j, line, "message %s%s%s: over a limit, kept what fits: %s",
             *m->message_id ? "<" : "", *m->message_id ? m->message_id : "(no Message-ID)",
             *m->message_id ? ">" : "", t);
}

static void add_addr(prep *p, const char *addr, int role)
{
    if (!addr || !*addr)
        return;
    md_buf_putc(&p->addrs, role);
    md_buf_append(&p->addrs, addr, strlen(addr) + 1);
}

static void enc_addrs(prep *p, const md_message *m)
{
    char list[4096];
    add_addr(p, m->from_addr, MD_MSGADDR_FROM);
    static const char *const rcpt_hdrs[] = {"To", "Cc", "Delivered-To", "X-Original-To"};
    for (size_t h = 0; h < sizeof rcpt_hdrs / sizeof rcpt_hdrs[0]; h++) {
        size_t pos = 0;
        const md_msg_header *f;
        while ((f = md_message_header_next(m, rcpt_hdrs[h], &pos)) != NULL) {
            md_message_addr_list(f->value, list, sizeof list);
            for (char *s = list; *s;) {
                size_t k = strcspn(s, ",");
                char save = s[k];
                s[k] = '\0';
                add_addr(p, s, MD_MSGADDR_TO);
                s[k] = save;
                s += k + (save == ',');
            }
        }
    }
}

/* enc_hops: the message's Received chain into the hops blob b. */
static int enc_hops(const pctx *pc, job *j, md_buf *b, const md_message *m, uint64_t line)
{
    md_received rc;
    md_err e = {0, ""};
    int r = md_received_chain(&rc, m, &e);
    if (r != MD_OK)
        return r;
    if (rc.truncated)
        job_warn(j, line, "message <%s>: %zu Received headers, only the newest %d kept",
                 m->message_id, rc.total_headers, MD_LIMIT_RECEIVED);
    for (size_t i = 0; r == MD_OK && i < rc.n; i++) {
        const md_hop *h = &rc.hop[i];
        const md_host *host = NULL;
        md_ipclass cls = h->has_ip ? md_received_classify(pc->cfg, &h->ip,
                                                          *h->rdns ? h->rdns : h->helo, &host)
                                   : MD_IPCLASS_NONE;
        r = md_store_msg_hop_encode(b, h, cls, host ? host->name : NULL);
    }
    md_received_free(&rc);
    return r;
}

/* enc_item: one result of source into the blob b */
static int enc_item(md_buf *b, const char *source, const char *method, const char *result,
                    const char *reason, const char *props)
{
    md_authres_item it;
    memset(&it, 0, sizeof it);
    md_text_copy(it.method, sizeof it.method, method);
    md_text_copy(it.result, sizeof it.result, result);
    md_text_copy(it.reason, sizeof it.reason, reason);
    md_text_copy(it.props, sizeof it.props, props);
    return md_store_msg_auth_encode(b, source, NULL, &it);
}

/* enc_fwdauth: where Outlook.com filed m (X-Microsoft-Antispam-Mailbox-
 * Delivery: dest, ofr, rf, ucf, jmr, auth, eng), its ARC sets (source ARC-Seal, method
 * "arc-set", result cv, reason the AAR's results, props "i= d= s=
 * aar.authserv="), and, for a message with an ARC set or an SRS
 * Return-Path, whether the Return-Path is SRS (method "srs", result srs0,
 * srs1 or none, props the domain) into the blob b. */
static int enc_fwdauth(md_buf *b, const md_message *m)
{
    md_msmbx d;
    md_msmbx_from_message(&d, m);
    int rc = MD_OK;
    const char *mk[][2] = {{"dest", d.dest}, {"ofr", d.ofr}, {"rf", d.rf}, {"ucf", d.ucf},
                           {"jmr", d.jmr}, {"auth", d.auth}};
    for (size_t i = 0; rc == MD_OK && d.present && i < sizeof mk / sizeof mk[0]; i++)
        if (mk[i][1][0])
            rc = enc_item(b, "X-Microsoft-Antispam-Mailbox-Delivery", mk[i][0], mk[i][1], "", "");
    if (rc == MD_OK && d.eng[0])   /* the rule hits: longer than a result */
        rc = enc_item(b, "X-Microsoft-Antispam-Mailbox-Delivery", "eng", "hits", "", d.eng);
    md_arc *a = malloc(sizeof *a);
    if (!a)
        return MD_ERR_NOMEM;
    md_arc_from_message(a, m);
    for (size_t i = 0; rc == MD_OK && i < a->n; i++) {
        const md_arc_set *s = &a->set[i];
        char props[512];
        snprintf(props, sizeof props, "i=%d d=%s s=%s aar.authserv=%s", s->instance,
                 s->seal_d[0] ? s->seal_d : "-", s->seal_s[0] ? s->seal_s : "-",
                 s->aar_authserv[0] ? s->aar_authserv : "-");
        rc = enc_item(b, "ARC-Seal", "arc-set", s->has_seal && s->cv[0] ? s->cv : "unsealed",
                      s->aar, props);
    }
    const char *rp = md_message_header(m, "Return-Path");
    const char *srs = md_srs_kind(rp);
    if (rc == MD_OK && rp && (srs || a->n)) {
        char addr[512];
        md_text_addr_norm(addr, sizeof addr, rp, strlen(rp));
        const char *dom = md_text_addr_domain(addr);
        rc = enc_item(b, "Return-Path", "srs", srs ? (srs[3] == '0' ? "srs0" : "srs1") : "none",
                      "", dom ? dom : "");
    }
    free(a);
    return rc;
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
    return rc == MD_OK ? enc_fwdauth(b, m) : rc;
}

static int is_report_attachment(const md_msg_part *p)
{
    static const char *const types[] = {"application/zip", "application/gzip",
                                        "application/x-gzip", "text/xml", "application/xml",
                                        "application/x-zip-compressed", "application/tlsrpt+gzip",
                                        "application/tlsrpt+json", "application/octet-stream"};
    const char *fn = p->filename;
    size_t l = strlen(fn);
    if ((l > 4 && (!md_text_casecmp(fn + l - 4, ".xml") || !md_text_casecmp(fn + l - 4, ".zip"))) ||
        (l > 3 && !md_text_casecmp(fn + l - 3, ".gz")) ||
        (l > 5 && !md_text_casecmp(fn + l - 5, ".json")))
        return 1;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(p->type, types[i]) && (i < 8 || *fn))
            return 1;
    return 0;
}


/* has_report: whether a part of m may be a DMARC report */
static int has_report(const md_message *m)
{
    for (size_t i = 0; i < m->npart; i++) {
        const md_msg_part *p = &m->part[i];
        if (p->data && p->len && !p->is_multipart && is_report_attachment(p))
            return 1;
    }
    return 0;
}

static void put_text(md_buf *b, const char *s)
{
    md_buf_append(b, s ? s : "", strlen(s ? s : "") + 1);
}

/* prep_message: parse, classify and encode one message of j (depth 0: the
 * file, 1: an original attached to it) into the next prep.  0, MD_ERR_PARSE
 * (not a message: warned at depth 0, the prep is P_NONE) or MD_ERR_NOMEM. */
static int prep_message(pctx *pc, job *j, const char *data, size_t len,
                        const char *known_hash, uint64_t line, int depth)
{
    prep *p = &j->p[j->np++];
    md_message *m = NULL;
    md_err e = {0, ""};
    p->kind = P_NONE;
    int rc = md_message_parse(&m, data, len, &e);
    if (rc == MD_ERR_NOMEM)
        return rc;
    if (rc != MD_OK) {
        if (depth == 0)
            job_warn(j, line, "not a message: %s", e.msg);
        return MD_ERR_PARSE;
    }
    if (depth == 0)
        warn_flags(j, line, m);
    if (known_hash)
        snprintf(p->hash, sizeof p->hash, "%s", known_hash);
    else
        content_hash(data, len, p->hash, sizeof p->hash);
    if (!p->as && !(p->as = malloc(sizeof *p->as)))
        goto nomem;
    if (depth == 0 && ((!pc->arf && !(pc->arf = malloc(sizeof *pc->arf))) ||
                       (!pc->dsn && !(pc->dsn = malloc(sizeof *pc->dsn)))))
        goto nomem;
    /* classify before storing: complaint, bounce (reports first); a report
     * read moves to the job (a bounce is 90 KB: a slot keeps none unless it
     * holds one) */
    p->kind = depth == 0 && md_arf_parse(pc->arf, m)   ? P_ARF
              : depth == 0 && md_dsn_parse(pc->dsn, m) ? P_DSN
                                                       : P_MESSAGE;
    if (p->kind == P_ARF && pc->arf->cut)
        job_warn(j, line, "complaint %s%s%s: a report field too long, kept cut",
                 *m->message_id ? "<" : "", *m->message_id ? m->message_id : "(no Message-ID)",
                 *m->message_id ? ">" : "");
    if (p->kind == P_ARF) { /* the job's report (if any) is the scratch now */
        md_arf *t = j->arf;
        j->arf = pc->arf;
        pc->arf = t;
    } else if (p->kind == P_DSN) {
        md_dsn *t = j->dsn;
        j->dsn = pc->dsn;
        pc->dsn = t;
    }
    md_msantispam_from_message(p->as, m);
    char summary[512] = "";
    if (p->as->present)
        md_msantispam_summary(p->as, summary, sizeof summary);
    md_buf_reset(&p->text);
    put_text(&p->text, m->message_id);
    put_text(&p->text, m->from_addr);
    put_text(&p->text, m->from);
    put_text(&p->text, m->to);
    put_text(&p->text, m->subject);
    put_text(&p->text, summary);
    md_msg_row *r = &p->row;
    memset(r, 0, sizeof *r);
    r->kind = p->kind == P_ARF ? MD_MSGKIND_ARF : p->kind == P_DSN ? MD_MSGKIND_DSN
                                                                   : MD_MSGKIND_MESSAGE;
    r->date = m->date;
    r->flags = m->flags;
    r->size = (int64_t)len;
    r->headers = NULL; /* the start of raw */
    r->raw = data;
    r->rawlen = len;
    md_buf_reset(&p->addrs);
    md_buf_reset(&p->hops);
    md_buf_reset(&p->auth);
    enc_addrs(p, m);
    if (p->kind == P_ARF) {
        add_addr(p, j->arf->orig_rcpt_to, MD_MSGADDR_ORIG_RCPT);
        add_addr(p, *j->arf->orig_mail_from ? j->arf->orig_mail_from : j->arf->orig_from,
                 MD_MSGADDR_ORIG_FROM);
    } else if (p->kind == P_DSN) {
        add_addr(p, j->dsn->orig_from, MD_MSGADDR_ORIG_FROM);
        for (size_t i = 0; i < j->dsn->n; i++) {
            add_addr(p, j->dsn->rcpt[i].final_rcpt, MD_MSGADDR_FINAL_RCPT);
            add_addr(p, j->dsn->rcpt[i].orig_rcpt, MD_MSGADDR_ORIG_RCPT);
        }
    }
    if (enc_hops(pc, j, &p->hops, m, line) != MD_OK || enc_auth(&p->auth, m) != MD_OK ||
        md_store_msg_pack(pc->pk, r, &p->raw) != MD_OK || p->text.oom || p->addrs.oom)
        goto nomem;
    if (p->kind != P_MESSAGE && depth == 0) {
        /* the originals attached to a bounce or complaint */
        for (size_t i = 0, n = 0; i < m->npart && n < MD_LIMIT_INNER_STORED; i++) {
            const md_msg_part *part = &m->part[i];
            if (!part->inner || !part->data || !part->len)
                continue;
            rc = prep_message(pc, j, (const char *)part->data, part->len, NULL, line, 1);
            if (rc == MD_ERR_NOMEM)
                goto nomem;
            n++; /* an attached part that is no message: not our problem */
        }
    }
    if (depth == 0 && p->kind == P_MESSAGE && (md_msreply_may_be(m) || has_report(m)))
        p->m = m;
    else
        md_message_free(m);
    return MD_OK;
nomem:
    md_message_free(m);
    return MD_ERR_NOMEM;
}

/* prepare: make job j from its bytes (any thread). */
static void prepare(pctx *pc, job *j)
{
    j->np = 0;
    j->rc = MD_OK;
    if (j->skip)
        return;
    int rc = prep_message(pc, j, md_buf_cstr(&j->data), j->data.len, j->hash, 1, 0);
    j->rc = rc == MD_ERR_NOMEM || j->warn.oom ? MD_ERR_NOMEM : MD_OK;
}

/* ---- storing ---------------------------------------------------------------- */

typedef struct msgpipe msgpipe;

typedef struct mctx {
    md_ingest *ig;
    const char *path;
    md_msg_writer *w;
    int64_t source_id;
    pctx pc;            /* parsing on this thread (no pipe, mbox) */
    job j;              /* the job of this thread */
} mctx;

typedef struct msgbatch {
    md_msg_writer *w;   /* statements kept across inputs */
    int open;           /* a transaction is open */
    unsigned n;         /* messages in it */
    msgpipe *pipe;      /* the parse thread, when started */
} msgbatch;

int md_msgfile_store_reply(md_ingest *ig, const md_message *msg, int64_t message_id,
                           md_err *err)
{
    md_msreply *r = malloc(sizeof *r);
    if (!r)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    int rc = md_msreply_from_message(r, msg, err);
    for (size_t i = 0; rc == 1 && i < r->n; i++) {
        md_case_answer a;
        memset(&a, 0, sizeof a);
        snprintf(a.ip, sizeof a.ip, "%s", r->e[i].ip);
        snprintf(a.outcome, sizeof a.outcome, "%s", md_msreply_outcome_name(r->e[i].outcome));
        a.date = msg->date;
        a.msg_row = message_id;
        snprintf(a.message_id, sizeof a.message_id, "%s", msg->message_id);
        snprintf(a.ref, sizeof a.ref, "%s", r->ref);
        snprintf(a.text, sizeof a.text, "%s", r->e[i].text);
        int src = md_store_case_answer_add(ig->store, &a, NULL, err);
        if (src != MD_OK)
            rc = src;
    }
    free(r);
    return rc;
}

/* store_prep: store one prepared message.  1 stored, 0 stored before, or
 * a negative code. */
static int store_prep(mctx *c, job *j, prep *p, int depth, md_err *err)
{
    md_msg_row *r = &p->row;
    const char *t = md_buf_cstr(&p->text);
    const char **f[] = {&r->message_id, &r->from_addr, &r->from_text, &r->to_text, &r->subject,
                        &r->antispam};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++, t += strlen(t) + 1)
        *f[i] = t;
    r->hash = p->hash;
    r->source_id = c->source_id;
    r->path = c->path;
    r->hops = p->hops.data;
    r->hops_len = p->hops.len;
    r->auth = p->auth.data;
    r->auth_len = p->auth.len;
    int rc = md_store_msg_put(c->w, r, err);
    if (rc <= 0) /* already stored (0) or failed */
        return rc;
    c->ig->stats.docs++;
    int64_t id = r->id;
    for (const char *a = p->addrs.data, *end = a + p->addrs.len; a && a < end;
         a += strlen(a + 1) + 2)
        if ((rc = md_store_msg_addr_put(c->w, id, a + 1, (unsigned char)*a, err)) != MD_OK)
            return rc;
    if (p->as->present && (rc = md_store_msg_antispam_put(c->w, id, p->as, err)) != MD_OK)
        return rc;
    if (p->kind == P_ARF && depth == 0) {
        rc = md_store_msg_arf_put(c->w, id, j->arf, err);
        if (rc == MD_OK) /* a DMARC failure report's own fields */
            rc = md_store_authfail_put(c->ig->store, id, j->arf, err);
    } else if (p->kind == P_DSN && depth == 0)
        rc = md_store_msg_dsn_put(c->w, id, j->dsn, err);
    if (rc != MD_OK || !p->m)
        return rc == MD_OK ? 1 : rc;
    /* a Microsoft sender-support reply? */
    const md_message *m = p->m;
    int rr = md_msgfile_store_reply(c->ig, m, id, err);
    if (rr < 0)
        return rr;
    if (rr == 1 && (rc = md_store_msg_set_kind(c->w, id, MD_MSGKIND_MSREPLY, err)) != MD_OK)
        return rc;
    /* DMARC aggregate or TLS reports attached */
    int took = 0;
    for (size_t i = 0; !rr && i < m->npart; i++) {
        const md_msg_part *part = &m->part[i];
        if (!part->data || !part->len || part->is_multipart || !is_report_attachment(part))
            continue;
        int tk = md_repfile_take_attachment(c->ig, c->path, part->filename, part->data,
                                            part->len, err);
        if (tk < 0)
            return tk;
        took += tk;
    }
    if (took && (rc = md_store_msg_set_kind(c->w, id, MD_MSGKIND_DMARC, err)) != MD_OK)
        return rc;
    return 1;
}

/* store_job: give j's warnings and store its messages (the caller holds
 * the transaction).  0 or a negative code. */
static int store_job(mctx *c, job *j, md_err *err)
{
    int rc = MD_OK;
    for (const char *w = j->warn.data, *end = w + j->warn.len; w && w < end;) {
        uint64_t line;
        memcpy(&line, w, sizeof line);
        w += sizeof line;
        md_ingest_warn(c->ig, c->path, line, "%s", w);
        w += strlen(w) + 1;
    }
    if (j->rc != MD_OK)
        return md_err_set(err, j->rc, "%s: out of memory", c->path);
    for (size_t i = 0; rc == MD_OK && i < j->np; i++) {
        if (j->p[i].kind == P_NONE)
            continue;
        int r = store_prep(c, j, &j->p[i], i > 0, err);
        if (r < 0)
            rc = r;
        else if (r == 0 && i == 0)
            break; /* stored before: its originals too */
    }
    for (size_t i = 0; i < j->np; i++) {
        md_message_free(j->p[i].m);
        j->p[i].m = NULL;
    }
    return rc;
}

/* job_drop: forget what the job parsed (its source was stored before) */
static void job_drop(job *j)
{
    for (size_t i = 0; i < j->np; i++) {
        md_message_free(j->p[i].m);
        j->p[i].m = NULL;
    }
    j->np = 0;
}

/* take_message: parse, classify and store one message on this thread (an
 * mbox's, or a file's without the pipe).  0 or a store error. */
static int take_message(mctx *c, const char *data, size_t len, const char *known_hash,
                        uint64_t line, md_err *err)
{
    job *j = &c->j;
    md_buf_reset(&j->warn);
    j->np = 0;
    int rc = prep_message(&c->pc, j, data, len, known_hash, line, 0);
    j->rc = rc == MD_ERR_NOMEM || j->warn.oom ? MD_ERR_NOMEM : MD_OK;
    return store_job(c, j, err);
}


/* ---- the parse threads --------------------------------------------------------
 * Between md_msgfile_batch_begin and md_msgfile_finish, message files go
 * through a ring of PIPE_SLOTS jobs: the caller's thread reads a file,
 * looks its source up and queues it; the parse threads (see parse_threads,
 * at most PIPE_THREADS) each take the oldest queued job and prepare it; the
 * caller's thread stores the jobs in queue order (so ids are given in input
 * order, as without the threads).  A slot belongs to one thread at a time,
 * by its state (FREE and READY: the caller's; QUEUED: whichever parse
 * thread takes it, which makes it BUSY), changed under the mutex; nothing
 * else is shared but the configuration, which nobody changes.  A thread
 * that waits is woken when PIPE_WAKE jobs are there for it (or all there
 * will be): one wake-up per PIPE_WAKE jobs, not one per job. */

enum { SLOT_FREE, SLOT_QUEUED, SLOT_BUSY, SLOT_READY };

struct msgpipe {
    pthread_t th[PIPE_THREADS];
    int nth;                  /* parse threads running */
    pthread_mutex_t mu;
    pthread_cond_t work, ready;
    int state[PIPE_SLOTS];
    job slot[PIPE_SLOTS];
    unsigned head, tail;      /* next to store, next to fill (caller's counters) */
    unsigned next;            /* next to take (the parse threads' counter) */
    int parsers_wait;         /* parse threads waiting for work */
    int caller_waits;
    int quit;
    pctx pc[PIPE_THREADS];    /* the parse threads' */
    size_t started;           /* parse threads that took their pc */
};

/* enough_ready: the caller may go on (under the mutex): the oldest
 * PIPE_WAKE queued jobs (or all, when fewer) are ready */
static int enough_ready(const msgpipe *pp)
{
    unsigned queued = pp->tail - pp->head;
    unsigned want = queued < PIPE_WAKE ? queued : PIPE_WAKE;
    for (unsigned i = 0; i < want; i++)
        if (pp->state[(pp->head + i) % PIPE_SLOTS] != SLOT_READY)
            return 0;
    return 1;
}

static void *pipe_main(void *arg)
{
    msgpipe *pp = arg;
    pthread_mutex_lock(&pp->mu);
    pctx *pc = &pp->pc[pp->started++];
    for (;;) {
        while (!pp->quit && pp->next == pp->tail) {
            pp->parsers_wait++;
            pthread_cond_wait(&pp->work, &pp->mu);
            pp->parsers_wait--;
        }
        if (pp->quit)
            break;
        unsigned k = pp->next++ % PIPE_SLOTS;
        pp->state[k] = SLOT_BUSY;
        /* more than this thread takes: wake another */
        if (pp->parsers_wait && pp->tail - pp->next >= PIPE_WAKE)
            pthread_cond_signal(&pp->work);
        pthread_mutex_unlock(&pp->mu);
        prepare(pc, &pp->slot[k]);
        pthread_mutex_lock(&pp->mu);
        pp->state[k] = SLOT_READY;
        if (pp->caller_waits && enough_ready(pp))
            pthread_cond_signal(&pp->ready);
    }
    pthread_mutex_unlock(&pp->mu);
    return NULL;
}

static void pipe_stop(msgpipe *pp)
{
    if (!pp)
        return;
    pthread_mutex_lock(&pp->mu);
    pp->quit = 1;
    pthread_cond_broadcast(&pp->work);
    pthread_mutex_unlock(&pp->mu);
    for (int i = 0; i < pp->nth; i++)
        pthread_join(pp->th[i], NULL);
    pthread_mutex_destroy(&pp->mu);
    pthread_cond_destroy(&pp->work);
    pthread_cond_destroy(&pp->ready);
    for (size_t i = 0; i < PIPE_THREADS; i++)
        pctx_free(&pp->pc[i]);
    for (size_t i = 0; i < PIPE_SLOTS; i++)
        job_free(&pp->slot[i]);
    free(pp);
}

/* parse_threads: one per processor but the caller's, at least one, at most
 * PIPE_THREADS (the caller's thread is as busy as a parse thread: on two
 * processors a second parse thread made ingest slower, not faster);
 * md_ingest's parse_threads sets the number (1 to PIPE_THREADS) */
static int parse_threads(const md_ingest *ig)
{
    long n = ig->parse_threads > 0 ? ig->parse_threads : sysconf(_SC_NPROCESSORS_ONLN) - 1;
    return n < 1 ? 1 : n > PIPE_THREADS ? PIPE_THREADS : (int)n;
}

static int pipe_start(msgpipe **out, const md_ingest *ig, md_err *err)
{
    msgpipe *pp = calloc(1, sizeof *pp);
    if (!pp)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    const md_config *cfg = ig->cfg;
    int want = parse_threads(ig);
    for (int i = 0; i < want; i++) {
        pp->pc[i].cfg = cfg;
        if (md_store_msg_pack_open(&pp->pc[i].pk, err) != MD_OK) {
            for (int k = 0; k < i; k++)
                pctx_free(&pp->pc[k]);
            free(pp);
            return MD_ERR_NOMEM;
        }
    }
    pthread_mutex_init(&pp->mu, NULL);
    pthread_cond_init(&pp->work, NULL);
    pthread_cond_init(&pp->ready, NULL);
    while (pp->nth < want && pthread_create(&pp->th[pp->nth], NULL, pipe_main, pp) == 0)
        pp->nth++;
    if (pp->nth == 0) {
        pipe_stop(pp);
        return md_err_set(err, MD_ERR_NOMEM, "cannot start the parse thread");
    }
    *out = pp;
    return MD_OK;
}

/* pipe_take: the oldest queued job once it is ready (waiting when `wait`),
 * or NULL (none queued, or not ready and not waiting).  The caller stores it
 * and gives the slot back with pipe_done. */
static job *pipe_take(msgpipe *pp, int wait)
{
    job *j = NULL;
    pthread_mutex_lock(&pp->mu);
    unsigned k = pp->head % PIPE_SLOTS;
    while (wait && pp->head != pp->tail && !enough_ready(pp)) {
        if (pp->parsers_wait) /* fewer than PIPE_WAKE queued: they wait for more */
            pthread_cond_broadcast(&pp->work);
        pp->caller_waits = 1;
        pthread_cond_wait(&pp->ready, &pp->mu);
        pp->caller_waits = 0;
    }
    if (pp->head != pp->tail && pp->state[k] == SLOT_READY)
        j = &pp->slot[k];
    pthread_mutex_unlock(&pp->mu);
    return j;
}

static void pipe_done(msgpipe *pp)
{
    pthread_mutex_lock(&pp->mu);
    pp->state[pp->head % PIPE_SLOTS] = SLOT_FREE;
    pp->head++;
    pthread_mutex_unlock(&pp->mu);
}

static void pipe_queue(msgpipe *pp)
{
    pthread_mutex_lock(&pp->mu);
    pp->state[pp->tail % PIPE_SLOTS] = SLOT_QUEUED;
    pp->tail++;
    if (pp->parsers_wait && pp->tail - pp->next >= PIPE_WAKE)
        pthread_cond_signal(&pp->work);
    pthread_mutex_unlock(&pp->mu);
}

/* ---- transactions and batches ---------------------------------------------- */

/* tx_begin / tx_end: one transaction per input, or the batch's.  Foreign
 * keys unchecked (md_store_begin_nofk): every row written refers to a
 * message or source just stored or found, and nothing is deleted. */
static int tx_begin(mctx *c, md_err *err)
{
    msgbatch *b = c->ig->msg_batch;
    if (!b)
        return md_store_begin_nofk(c->ig->store, err);
    if (b->open)
        return MD_OK;
    int rc = md_store_begin_nofk(c->ig->store, err);
    b->open = rc == MD_OK;
    return rc;
}

static void pipe_drop(msgbatch *b);

static int tx_end(mctx *c, int rc, md_err *err)
{
    msgbatch *b = c->ig->msg_batch;
    if (rc != MD_OK) {
        md_store_rollback(c->ig->store);
        if (b) {
            b->open = 0;
            b->n = 0;
            pipe_drop(b); /* their sources went with the transaction */
        }
        return rc;
    }
    /* a batch is committed when full, or after MD_LIMIT_SLICE_MS or when
     * another command waits for the store (md_store_slice_due) */
    uint64_t every = c->ig->commit_every ? c->ig->commit_every : MD_MSGFILE_BATCH;
    if (b && ++b->n < every && !md_store_slice_due(c->ig->store))
        return MD_OK;
    rc = md_store_commit(c->ig->store, err);
    if (rc != MD_OK)
        md_store_rollback(c->ig->store);
    if (b) {
        b->open = 0;
        b->n = 0;
        if (rc != MD_OK)
            pipe_drop(b);
    }
    return rc;
}

/* store_taken: take the job's source and store the job, in the open
 * transaction: a source counts as done only in the transaction that stores
 * what was read from it (a commit between the two lost the file for good
 * when the run was killed).  A source stored complete by then (a copy of a
 * file before it, or another command's ingest) is unchanged: only the
 * job's warnings are reported. */
static int store_taken(mctx *c, job *j, md_err *err)
{
    md_source src;
    int created = 0;
    int rc = md_store_msg_source_take(c->w, j->hash, "message", c->path, j->lines, j->bytes, &src,
                                      &created, err);
    if (rc != MD_OK)
        return rc;
    c->source_id = src.id;
    if (!created && src.complete) {
        c->ig->stats.files_unchanged++;
        job_drop(j);
        return store_job(c, j, err); /* its warnings */
    }
    if (j->skip) {
        /* not parsed, for a copy queued before it, which was not stored
         * after all: left for the next run, never marked done */
        md_ingest_warn(c->ig, c->path, 0, "not stored in this run (a copy of it was not "
                       "stored either); the next ingest reads it");
        return md_store_msg_source_progress(c->w, src.id, 0, 0, 0, err);
    }
    rc = store_job(c, j, err);
    if (rc == MD_OK && !created) /* a new source is complete already */
        rc = md_store_msg_source_progress(c->w, src.id, j->lines, j->bytes, 1, err);
    return rc;
}

enum { STORE_READY, STORE_ROOM, STORE_ALL };

/* store_ready: store the jobs of the pipe that are ready (STORE_READY), or
 * as many as make room for one more (STORE_ROOM), or all (STORE_ALL),
 * waiting for the parse thread when needed.  0 or a store error (the pipe
 * is then gone). */
static int store_ready(md_ingest *ig, int mode, md_err *err)
{
    msgbatch *b = ig->msg_batch;
    msgpipe *pp = b ? b->pipe : NULL;
    job *j;
    int rc = MD_OK;
    while (rc == MD_OK && pp &&
           (j = pipe_take(pp, mode == STORE_ALL ||
                                  (mode == STORE_ROOM && pp->tail - pp->head == PIPE_SLOTS))) !=
               NULL) {
        mctx c;
        memset(&c, 0, sizeof c);
        c.ig = ig;
        c.w = b->w;
        c.path = md_buf_cstr(&j->path);
        if ((rc = tx_begin(&c, err)) == MD_OK)
            rc = store_taken(&c, j, err);
        pipe_done(pp);
        rc = tx_end(&c, rc, err);
        pp = b->pipe;
    }
    return rc;
}

/* pipe_drop: forget the queued jobs (after a rollback); the thread stops. */
static void pipe_drop(msgbatch *b)
{
    pipe_stop(b->pipe);
    b->pipe = NULL;
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
    int rc = store_ready(ig, STORE_ALL, err);
    if (rc != MD_OK || !b || !b->open)
        return rc;
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
    if (!b)
        return MD_OK;
    int rc = md_msgfile_flush(ig, err);
    if (b->open) /* the flush failed */
        md_store_rollback(ig->store);
    pipe_drop(b);
    md_store_msg_writer_close(b->w);
    free(b);
    ig->msg_batch = NULL;
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

/* read_one: one message file: read, look up (stored before?), then store
 * it, or queue it for the parse thread when batching. */
static int read_one(mctx *c, md_input *in, md_err *err)
{
    msgbatch *b = c->ig->msg_batch;
    msgpipe *pp = NULL;
    job *j = &c->j;
    int rc;
    if (b) {
        /* store what is ready, making room for this one */
        if (!b->pipe && (rc = pipe_start(&b->pipe, c->ig, err)) != MD_OK)
            return rc;
        if ((rc = store_ready(c->ig, STORE_ROOM, err)) != MD_OK)
            return rc;
        pp = b->pipe;
        j = &pp->slot[pp->tail % PIPE_SLOTS];
    }
    md_buf_reset(&j->path);
    md_buf_reset(&j->data);
    md_buf_reset(&j->warn);
    j->np = 0;
    j->rc = MD_OK;
    md_buf_puts(&j->path, c->path);
    md_err e = {0, ""};
    rc = md_input_slurp(in, &j->data, MD_LIMIT_MESSAGE_BYTES, &e);
    if (rc == MD_ERR_NOMEM || j->path.oom)
        return md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", c->path);
    if (rc == MD_ERR_LIMIT)
        job_warn(j, 0, "message larger than %d bytes: only the first part read",
                 MD_LIMIT_MESSAGE_BYTES);
    else if (rc != MD_OK)
        job_warn(j, md_input_lineno(in), "%s", e.msg);
    content_hash(md_buf_cstr(&j->data), j->data.len, j->hash, sizeof j->hash);
    j->lines = md_input_lineno(in);
    j->bytes = j->data.len;
    md_source src;
    int created = 0;
    if ((rc = tx_begin(c, err)) != MD_OK)
        return rc;
    if (pp) {
        /* only looked up here: the source is taken when the job is stored
         * (store_taken), in the transaction that stores its messages */
        int found;
        rc = md_store_msg_source_find(c->w, j->hash, &src, &found, err);
        if (rc != MD_OK)
            return tx_end(c, rc, err);
        j->skip = found && src.complete;
        /* a copy of a file still queued is stored by then */
        for (unsigned k = pp->head; !j->skip && k != pp->tail; k++)
            j->skip = strcmp(pp->slot[k % PIPE_SLOTS].hash, j->hash) == 0;
        pipe_queue(pp);
        return MD_OK;
    }
    rc = md_store_msg_source_take(c->w, j->hash, "message", c->path, j->lines, j->bytes, &src,
                                  &created, err);
    if (rc != MD_OK)
        return tx_end(c, rc, err);
    j->skip = !created && src.complete;
    c->source_id = src.id;
    if (j->skip) {
        c->ig->stats.files_unchanged++;
        rc = store_job(c, j, err);
    } else {
        prepare(&c->pc, j);
        rc = store_job(c, j, err);
        if (rc == MD_OK && !created)
            rc = md_store_msg_source_progress(c->w, src.id, j->lines, j->bytes, 1, err);
    }
    return tx_end(c, rc, err);
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
            rc = take_message(c, md_buf_cstr(&msg), msg.len, NULL, start, err);
            if (rc == MD_ERR_PARSE)
                rc = MD_OK;
            if (rc != MD_OK)
                break;
            done_lines = md_input_lineno(in) - (g == 1 ? 1 : 0);
            done_bytes = md_input_pos(in);
            md_buf_reset(&msg);
            have = 0;
            cut_warned = 0;
            if (++nmsg % MBOX_BATCH == 0 || md_store_slice_due(c->ig->store)) {
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
            rc = take_message(c, md_buf_cstr(&msg), msg.len, NULL, start, err);
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
    mctx c;
    msgbatch *b = ig->msg_batch;
    int rc = MD_OK;
    memset(&c, 0, sizeof c);
    c.ig = ig;
    c.path = path;
    c.pc.cfg = ig->cfg;
    int pipe = b && ig->kind != MD_KIND_MBOX;
    if (b && ig->kind != MD_KIND_MBOX)
        c.w = b->w;
    else if ((rc = md_store_msg_writer_open(ig->store, &c.w, err)) != MD_OK)
        return rc;
    if (!pipe && (rc = md_store_msg_pack_open(&c.pc.pk, err)) != MD_OK) {
        md_store_msg_writer_close(c.w);
        return rc;
    }
    if (ig->kind == MD_KIND_MBOX)
        rc = read_mbox(&c, in, err);
    else
        rc = read_one(&c, in, err);
    if (!pipe)
        md_store_msg_writer_close(c.w);
    pctx_free(&c.pc);
    job_free(&c.j);
    return rc;
}
