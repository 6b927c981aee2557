/* trace.c: the correlated view of the log evidence (see trace.h): seeds
 * from the indexes, links followed breadth first, then each message with
 * its raw lines, attempts and per-recipient outcome.  All SQL is in
 * store_log.c; this file only assembles.  Owns the result's memory (an
 * arena for strings, malloc'ed arrays).  Never prints.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/buf.h"
#include "base/ipaddr.h"
#include "store/store_log.h"
#include "base/text.h"
#include "analysis/trace.h"
#include "analysis/tracelink.h"
#include "store/store_msg.h"

/* ---- arena for the result's strings ------------------------------------ */

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    char data[];
} chunk;

typedef struct priv {
    chunk *chunks;
    int oom;
} priv;

static const char *adup_n(priv *pv, const char *s, size_t n)
{
    if (!s || !n)
        return "";
    chunk *c = pv->chunks;
    if (!c || c->cap - c->used < n + 1) {
        size_t cap = n + 1 > 65536 ? n + 1 : 65536;
        c = malloc(sizeof *c + cap);
        if (!c) {
            pv->oom = 1;
            return "";
        }
        c->used = 0;
        c->cap = cap;
        c->next = pv->chunks;
        pv->chunks = c;
    }
    char *p = c->data + c->used;
    memcpy(p, s, n);
    p[n] = '\0';
    c->used += n + 1;
    return p;
}

static const char *adup(priv *pv, const char *s)
{
    return s ? adup_n(pv, s, strlen(s)) : "";
}

/* ---- names -------------------------------------------------------------- */

const char *md_trace_outcome_name(md_trace_outcome o)
{
    switch (o) {
    case MD_OUTCOME_DELIVERED: return "delivered locally";
    case MD_OUTCOME_FORWARDED: return "forwarded";
    case MD_OUTCOME_RELAYED: return "relayed";
    case MD_OUTCOME_MS_ACCEPTED: return "accepted by Microsoft";
    case MD_OUTCOME_DEFERRED: return "deferred";
    case MD_OUTCOME_BOUNCED: return "bounced";
    case MD_OUTCOME_EXPIRED: return "expired";
    case MD_OUTCOME_REJECTED: return "rejected";
    default: return "no delivery logged";
    }
}

const char *md_trace_link_name(md_trace_linkkind k)
{
    switch (k) {
    case MD_LINK_FORWARDED: return "forwarded-as";
    case MD_LINK_QUEUED_AS: return "queued-as";
    case MD_LINK_BOUNCE: return "bounce";
    case MD_LINK_SAME_MSGID: return "same-message-id";
    case MD_LINK_REINJECTED: return "reinjected-forward";
    case MD_LINK_MS_QUOTED: return "ms-quoted-msgid";
    default: return "link";
    }
}

const char *md_trace_link_words(md_trace_linkkind k)
{
    switch (k) {
    case MD_LINK_FORWARDED: return "forwarded as";
    case MD_LINK_QUEUED_AS: return "queued as, on the next host";
    case MD_LINK_BOUNCE: return "bounce";
    case MD_LINK_SAME_MSGID: return "same Message-ID";
    case MD_LINK_REINJECTED: return "forwarded copy re-injected by the mail store";
    case MD_LINK_MS_QUOTED: return "Microsoft's reply quotes the original's Message-ID";
    default: return "link";
    }
}

/* ---- the set of message ids -------------------------------------------- */

typedef struct idset {
    int64_t *ids;
    int *matched;
    size_t n, cap, max;
    int truncated;
} idset;

static long idset_find(const idset *s, int64_t id)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->ids[i] == id)
            return (long)i;
    return -1;
}

/* 1 added, 0 present, -1 full/oom */
static int idset_add(idset *s, int64_t id, int matched)
{
    long i = idset_find(s, id);
    if (i >= 0) {
        if (matched)
            s->matched[i] = 1;
        return 0;
    }
    if (s->n >= s->max) {
        s->truncated = 1;
        return -1;
    }
    if (s->n == s->cap) { /* two arrays of one capacity */
        size_t cap = s->cap, mcap = s->cap;
        int64_t *ni = md_grow(s->ids, &cap, s->n + 1, sizeof *ni, 32);
        if (!ni)
            return -1;
        s->ids = ni;
        int *nm = md_grow(s->matched, &mcap, cap, sizeof *nm, 32);
        if (!nm)
            return -1;
        s->matched = nm;
        s->cap = cap;
    }
    s->ids[s->n] = id;
    s->matched[s->n++] = matched;
    return 1;
}

static int seed_cb(void *arg, int64_t id)
{
    idset *s = arg;
    return idset_add(s, id, 1) < 0 && s->truncated;
}

/* ---- links ------------------------------------------------------------- */

typedef struct rawlink {
    int64_t from, to;
    int kind;
    int cls;               /* MD_TL_* for inferred links, MD_TL_PRECISE for others */
    char *why, *via;
} rawlink;

typedef struct linkset {
    rawlink *l;
    size_t n, cap;
    int oom;
} linkset;

/* link_cb: collect a link once (the walk decides what to follow) */
static int link_cb(void *arg, const md_log_linkrow *l)
{
    linkset *ls = arg;
    for (size_t i = 0; i < ls->n; i++)
        if (ls->l[i].from == l->from_msg && ls->l[i].to == l->to_msg && ls->l[i].kind == l->kind)
            return 0;
    rawlink *nl = md_grow(ls->l, &ls->cap, ls->n + 1, sizeof *nl, 16);
    if (!nl) {
        ls->oom = 1;
        return 1;
    }
    ls->l = nl;
    rawlink *r = &ls->l[ls->n];
    r->from = l->from_msg;
    r->to = l->to_msg;
    r->kind = l->kind;
    r->cls = MD_TL_PRECISE;
    r->via = NULL;
    r->why = strdup(l->why ? l->why : "");
    if (!r->why) {
        ls->oom = 1;
        return 1;
    }
    ls->n++;
    return 0;
}

/* follow_one: judge a link first seen from message cur and add the other
 * end when the query follows it (see trace.h on inferred links). */
static int follow_one(md_tracelink *tl, const md_trace_query *q, char **addrs, rawlink *l,
                      int64_t cur, idset *ids, md_err *err)
{
    int64_t other = l->from == cur ? l->to : l->from;
    int go = 1;
    if (md_tracelink_is_inferred(l->kind)) {
        char via[MD_LIMIT_ADDR];
        int cls = md_tracelink_judge(tl, l->from, l->to, via, sizeof via, err);
        if (cls < 0)
            return cls;
        l->cls = cls;
        if (*via && !(l->via = strdup(via)))
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        if (q->naddrs && cls == MD_TL_PRECISE && cur == l->from)
            go = md_tracelink_via_matches(tl, l->from, via, (const char *const *)addrs, q->naddrs);
        else if (cls == MD_TL_DROP || (q->naddrs && cls == MD_TL_POSSIBLE))
            go = 0;
    }
    if (go && !q->no_follow)
        idset_add(ids, other, 0);
    return MD_OK;
}

/* walk: the links of every message in ids, breadth first (ids grows while
 * it is walked). */
static int walk(md_store *st, md_log_reader *rd, const md_trace_query *q, idset *ids,
                linkset *ls, md_err *err)
{
    md_tracelink *tl = NULL;
    char **addrs = calloc(q->naddrs ? q->naddrs : 1, sizeof *addrs);
    int rc = addrs ? md_tracelink_open(&tl, st, rd, q->cfg) : MD_ERR_NOMEM;
    if (rc != MD_OK) {
        free(addrs);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; rc == MD_OK && i < q->naddrs; i++) {
        char a[MD_LIMIT_ADDR];
        md_text_addr_norm(a, sizeof a, q->addrs[i], strlen(q->addrs[i]));
        if (!(addrs[i] = strdup(a)))
            rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; rc == MD_OK && i < ids->n; i++) {
        size_t before = ls->n;
        int64_t cur = ids->ids[i];
        rc = md_store_log_r_links(st, rd, cur, link_cb, ls, err);
        if (rc == MD_OK && ls->oom)
            rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        for (size_t k = before; rc == MD_OK && k < ls->n; k++)
            rc = follow_one(tl, q, addrs, &ls->l[k], cur, ids, err);
    }
    for (size_t i = 0; i < q->naddrs; i++)
        free(addrs[i]);
    free(addrs);
    md_tracelink_close(tl);
    return rc;
}

/* ---- loading one message ----------------------------------------------- */

/* The raw lines wanted by the messages: collected for all messages first,
 * then fetched in (source, line) order, so that each block is read once,
 * and only as far into it as the last line wanted from it. */
typedef struct lref {
    int64_t src;
    uint64_t lineno;
    md_trace_line *slot;
} lref;

typedef struct lrefs {
    lref *v;
    size_t n, cap;
} lrefs;

/* the block being read, decoded as far as `whole` says */
typedef struct lblock {
    md_buf buf;
    int64_t src;            /* 0: none */
    uint64_t first, n;
    int whole;              /* 0: a prefix of the block */
    uint64_t cur_line;      /* the last line found starts at buf.data + cur_off */
    size_t cur_off;
} lblock;

typedef struct loadctx {
    md_store *st;
    md_log_reader *rd;
    priv *pv;
    md_trace_msg *m;
    lblock blk;
    lrefs want;
    size_t at;             /* fill_lines: the next want.v to fetch */
    int64_t path_src;
    const char *path;
    size_t lines_cap, dlvs_cap;
    md_buf *enc;           /* the message's encoded line list */
    md_err *err;
    int rc;
} loadctx;

static int msg_cb(void *arg, const md_log_msgrow *r, const char *host)
{
    loadctx *c = arg;
    md_trace_msg *m = c->m;
    static const char *const mta[] = {"sendmail", "postfix", "exim", "other"};
    m->id = r->id;
    m->host = adup(c->pv, host);
    m->qid = adup(c->pv, r->qid);
    m->mta = adup(c->pv, r->fmt >= 0 && r->fmt < 4 ? mta[r->fmt] : "other");
    m->t_first = r->t_first;
    m->t_last = r->t_last;
    m->sender = adup(c->pv, r->sender);
    m->sender_known = r->sender != NULL;
    m->msgid = adup(c->pv, r->msgid);
    m->client_host = adup(c->pv, r->client_host);
    m->client_ip = adup(c->pv, r->client_ip);
    m->size = r->size;
    m->open = (r->flags & MD_LOGMSG_OPEN) != 0;
    /* the line list is decoded by the caller from a copy */
    if (c->enc && r->lines_len)
        md_buf_append(c->enc, r->lines, r->lines_len);
    return 0;
}

static const char *source_path(loadctx *c, int64_t src)
{
    if (src != c->path_src || !c->path) {
        char p[MD_LIMIT_PATH];
        md_err e = {0, ""};
        md_store_source_path(c->st, src, p, sizeof p, &e);
        c->path = adup(c->pv, p);
        c->path_src = src;
    }
    return c->path;
}

static int line_cb(void *arg, int64_t src, uint64_t lineno)
{
    loadctx *c = arg;
    md_trace_msg *m = c->m;
    if (m->nlines >= MD_TRACE_MAX_LINES) {
        m->lines_truncated = 1;
        return 1;
    }
    md_trace_line *nlines = md_grow(m->lines, &c->lines_cap, m->nlines + 1, sizeof *nlines, 16);
    if (!nlines) {
        c->rc = MD_ERR_NOMEM;
        return 1;
    }
    m->lines = nlines;
    md_trace_line *l = &m->lines[m->nlines++];
    l->source_id = src;
    l->lineno = lineno;
    l->path = NULL;
    l->text = NULL; /* fill_lines */
    return 0;
}

/* want_lines: a reference to each line of m (m->lines is final now). */
static int want_lines(lrefs *rs, md_trace_msg *m)
{
    if (m->nlines > SIZE_MAX - rs->n)
        return MD_ERR_NOMEM;
    lref *v = md_grow(rs->v, &rs->cap, rs->n + m->nlines, sizeof *v, 256);
    if (!v)
        return MD_ERR_NOMEM;
    rs->v = v;
    for (size_t i = 0; i < m->nlines; i++)
        rs->v[rs->n++] = (lref){m->lines[i].source_id, m->lines[i].lineno, &m->lines[i]};
    return MD_OK;
}

static int cmp_lref(const void *a, const void *b)
{
    const lref *x = a, *y = b;
    if (x->src != y->src)
        return x->src < y->src ? -1 : 1;
    return x->lineno < y->lineno ? -1 : x->lineno > y->lineno;
}

/* last_wanted (md_log_want_fn): the last wanted line inside the block */
static uint64_t last_wanted(void *arg, uint64_t first, uint64_t n)
{
    const loadctx *c = arg;
    const lref *v = c->want.v;
    uint64_t last = v[c->at].lineno;
    for (size_t i = c->at + 1; i < c->want.n && v[i].src == v[c->at].src &&
                               v[i].lineno < first + n; i++)
        last = v[i].lineno;
    return last;
}

/* read_block: the block of (src, lineno) into c->blk, a prefix of it when
 * `prefix`.  0, or 1 when the line is not stored (c->rc set on errors). */
static int read_block(loadctx *c, int64_t src, uint64_t lineno, int prefix)
{
    lblock *b = &c->blk;
    b->src = 0;
    if (md_store_log_r_block_prefix(c->st, c->rd, src, lineno, prefix ? last_wanted : NULL, c,
                                    &b->buf, &b->first, &b->n, &b->whole, c->err) != MD_OK) {
        if (c->err->code == MD_ERR_NOTFOUND)
            md_err_clear(c->err); /* not stored (should not happen): skipped */
        else
            c->rc = c->err->code;
        return 1;
    }
    b->src = src;
    b->cur_line = b->first;
    b->cur_off = 0;
    return lineno >= b->first + b->n;
}

/* find_line: the line in the decoded part of the block, counting newlines
 * on from the last line found (wanted lines come in order); 0 when its end
 * is past the decoded prefix. */
static int find_line(lblock *b, uint64_t lineno, const char **text, size_t *len)
{
    const char *p = b->buf.data + b->cur_off, *end = b->buf.data + b->buf.len;
    uint64_t k = b->cur_line;
    for (; k < lineno && p < end; k++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if ((!nl || k < lineno) && !b->whole)
        return 0;
    b->cur_line = lineno;
    b->cur_off = (size_t)(p - b->buf.data);
    *text = p;
    *len = nl ? (size_t)(nl - p) : (size_t)(end - p);
    return 1;
}

/* fetch_line: the text of want.v[c->at] into its slot (left NULL when the
 * line is not stored). */
static void fetch_line(loadctx *c)
{
    const lref *w = &c->want.v[c->at];
    lblock *b = &c->blk;
    if (!(b->src == w->src && w->lineno >= b->first && w->lineno < b->first + b->n) &&
        read_block(c, w->src, w->lineno, 1))
        return;
    const char *text;
    size_t len;
    if (!find_line(b, w->lineno, &text, &len) &&
        (read_block(c, w->src, w->lineno, 0) || !find_line(b, w->lineno, &text, &len)))
        return;
    w->slot->path = source_path(c, w->src);
    w->slot->text = adup_n(c->pv, text, len);
}

/* fill_lines: fetch every wanted line, then drop the lines not stored. */
static int fill_lines(loadctx *c, md_trace_result *r)
{
    if (c->want.n)
        qsort(c->want.v, c->want.n, sizeof *c->want.v, cmp_lref);
    for (c->at = 0; c->at < c->want.n && c->rc == MD_OK; c->at++)
        fetch_line(c);
    if (c->rc != MD_OK)
        return c->rc;
    for (size_t i = 0; i < r->nmsgs; i++) {
        md_trace_msg *m = &r->msgs[i];
        size_t k = 0;
        for (size_t j = 0; j < m->nlines; j++)
            if (m->lines[j].text)
                m->lines[k++] = m->lines[j];
        m->nlines = k;
    }
    return MD_OK;
}

static int dlv_cb(void *arg, const md_log_dlvrow *d)
{
    loadctx *c = arg;
    md_trace_msg *m = c->m;
    md_trace_dlv *nd = md_grow(m->dlvs, &c->dlvs_cap, m->ndlvs + 1, sizeof *nd, 8);
    if (!nd) {
        c->rc = MD_ERR_NOMEM;
        return 1;
    }
    m->dlvs = nd;
    md_trace_dlv *o = &m->dlvs[m->ndlvs++];
    priv *pv = c->pv;
    o->t = d->t;
    o->rcpt = adup(pv, d->rcpt);
    o->orig_to = adup(pv, d->orig_to);
    o->relay_host = adup(pv, d->relay_host);
    o->relay_ip = adup(pv, d->relay_ip);
    o->dsn = adup(pv, d->dsn);
    o->status = adup(pv, d->status);
    o->reply = adup(pv, d->reply);
    o->reason = adup(pv, d->reason);
    o->named_ip = adup(pv, d->named_ip);
    o->internal_id = adup(pv, d->internal_id);
    o->quoted_msgid = adup(pv, d->quoted_msgid);
    o->new_qid = adup(pv, d->new_qid);
    o->ms = d->ms;
    o->outcome = (md_trace_outcome)d->outcome;
    o->lineno = d->lineno;
    o->source_id = d->source_id;
    return 0;
}

/* ---- outcomes per recipient -------------------------------------------- */

static void cut_reply(char *dst, size_t n, const char *reply)
{
    snprintf(dst, n, "%s", reply);
    if (strlen(reply) >= n && n > 4)
        memcpy(dst + n - 4, "...", 4);
}

/* The recipients a forwarded copy went to: from the linked message whose
 * queue id is new_qid. */
static void forward_targets(const md_trace_result *r, const md_trace_msg *m, const char *new_qid,
                            char *dst, size_t n)
{
    dst[0] = '\0';
    for (size_t i = 0; i < r->nmsgs; i++) {
        const md_trace_msg *o = &r->msgs[i];
        if (o == m || strcmp(o->qid, new_qid) != 0 || strcmp(o->host, m->host) != 0)
            continue;
        size_t used = 0;
        for (size_t k = 0; k < o->ndlvs && used + 2 < n; k++) {
            int dup = 0;
            for (size_t j = 0; j < k; j++)
                if (strcmp(o->dlvs[j].rcpt, o->dlvs[k].rcpt) == 0)
                    dup = 1;
            if (dup)
                continue;
            int w = snprintf(dst + used, n - used, "%s%s", used ? ", " : "", o->dlvs[k].rcpt);
            if (w < 0 || (size_t)w >= n - used)
                break;
            used += (size_t)w;
        }
        return;
    }
}

/* code_of: the status of an attempt in a few characters: "2.0.0 Sent"
 * (sendmail, Postfix: dsn and - with_word - the status word), else the reply's code and
 * enhanced code ("250 2.6.0", Exim), else "". */
static void code_of(const md_trace_dlv *d, int with_word, char *dst, size_t n)
{
    int word = with_word && d->status[0] && isalpha((unsigned char)d->status[0]);
    if (d->dsn[0]) {
        snprintf(dst, n, "%s%s%s", d->dsn, word ? " " : "", word ? d->status : "");
        return;
    }
    const char *p = d->reply;
    while (*p && !isdigit((unsigned char)*p))
        p++;
    size_t k = 0;
    if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2])) {
        k = 3;
        if (p[3] == ' ' || p[3] == '-') {
            size_t j = 4;
            while (isdigit((unsigned char)p[j]) || p[j] == '.')
                j++;
            if (j > 4 && strchr(p + 4, '.') && (size_t)(strchr(p + 4, '.') - p) < j)
                k = j;
        }
    }
    snprintf(dst, n, "%.*s", (int)k, p);
}

static void summarise(priv *pv, const md_trace_result *r, const md_trace_msg *m,
                      const md_trace_dlv *d, md_trace_rcpt *rc)
{
    char s[1024], rep[200], extra[320] = "", relay[300], code[64];
    code_of(d, d->outcome == MD_OUTCOME_MS_ACCEPTED, code, sizeof code);
    snprintf(relay, sizeof relay, "%s%s%s%s", d->relay_host, *d->relay_ip ? " [" : "",
             d->relay_ip, *d->relay_ip ? "]" : "");
    cut_reply(rep, sizeof rep, d->reply);
    if (*d->reason || *d->named_ip)
        snprintf(extra, sizeof extra, " (%s%s%s%s)", d->reason, *d->reason && *d->named_ip ? ", " : "",
                 *d->named_ip ? "Microsoft names IP " : "", d->named_ip);
    switch (d->outcome) {
    case MD_OUTCOME_DELIVERED:
        snprintf(s, sizeof s, "delivered locally%s%s", *relay ? " via " : "", relay);
        break;
    case MD_OUTCOME_FORWARDED: {
        char tg[256];
        forward_targets(r, m, d->new_qid, tg, sizeof tg);
        snprintf(s, sizeof s, "forwarded%s%s%s%s", *tg ? " to " : "", tg,
                 *d->new_qid ? " as " : "", d->new_qid);
        break;
    }
    case MD_OUTCOME_MS_ACCEPTED:
        snprintf(s, sizeof s, "accepted by Microsoft%s%s%s at %s%s%s%s",
                 *d->internal_id ? " (InternalId=" : "", d->internal_id,
                 *d->internal_id ? ")" : "", relay, *code ? " (" : "", code, *code ? ")" : "");
        break;
    case MD_OUTCOME_RELAYED:
        snprintf(s, sizeof s, "relayed to %s%s%s%s%s%s", relay, *code || *d->new_qid ? " (" : "",
                 code, *code && *d->new_qid ? ", " : "", *d->new_qid ? "queued as " : "",
                 d->new_qid);
        if (*code || *d->new_qid)
            snprintf(s + strlen(s), sizeof s - strlen(s), ")");
        break;
    case MD_OUTCOME_DEFERRED:
    case MD_OUTCOME_BOUNCED:
    case MD_OUTCOME_EXPIRED:
        snprintf(s, sizeof s, "%s%s%s%s%s%s: %s", md_trace_outcome_name(d->outcome), *code ? " " : "",
                 code, extra, *relay ? " by " : "", relay, rep);
        break;
    case MD_OUTCOME_REJECTED:
        snprintf(s, sizeof s, "rejected at SMTP time: %s", rep);
        break;
    default:
        snprintf(s, sizeof s, "%s %s: %s", d->status, d->dsn, rep);
        break;
    }
    rc->summary = adup(pv, s);
}

static int build_rcpts(priv *pv, const md_trace_result *r, md_trace_msg *m)
{
    if (!m->ndlvs)
        return MD_OK;
    m->rcpts = calloc(m->ndlvs, sizeof *m->rcpts);
    if (!m->rcpts)
        return MD_ERR_NOMEM;
    size_t *last = calloc(m->ndlvs, sizeof *last);
    if (!last)
        return MD_ERR_NOMEM;
    for (size_t i = 0; i < m->ndlvs; i++) {
        const md_trace_dlv *d = &m->dlvs[i];
        size_t k;
        for (k = 0; k < m->nrcpts; k++)
            if (strcmp(m->rcpts[k].rcpt, d->rcpt) == 0)
                break;
        if (k == m->nrcpts) {
            m->rcpts[k].rcpt = d->rcpt;
            m->rcpts[k].orig_to = d->orig_to;
            m->nrcpts++;
        }
        m->rcpts[k].attempts++;
        m->rcpts[k].outcome = d->outcome;
        last[k] = i;
    }
    for (size_t k = 0; k < m->nrcpts; k++)
        summarise(pv, r, m, &m->dlvs[last[k]], &m->rcpts[k]);
    free(last);
    return MD_OK;
}

/* ---- the query ----------------------------------------------------------- */

static int cmp_msg(const void *a, const void *b)
{
    const md_trace_msg *x = a, *y = b;
    if (x->t_first != y->t_first)
        return x->t_first < y->t_first ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

long md_trace_find_msg(const md_trace_result *r, int64_t id)
{
    for (size_t i = 0; r && i < r->nmsgs; i++)
        if (r->msgs[i].id == id)
            return (long)i;
    return -1;
}

static int seeds(md_store *st, const md_trace_query *q, idset *ids, md_err *err)
{
    int rc = MD_OK;
    for (size_t i = 0; rc == MD_OK && i < q->naddrs; i++) {
        char a[MD_LIMIT_ADDR];
        md_text_addr_norm(a, sizeof a, q->addrs[i], strlen(q->addrs[i]));
        rc = md_store_log_find_addr(st, a, q->since, q->until, seed_cb, ids, err);
    }
    for (size_t i = 0; rc == MD_OK && i < q->nqids; i++)
        rc = md_store_log_find_qid(st, q->qids[i], q->since, q->until, seed_cb, ids, err);
    for (size_t i = 0; rc == MD_OK && i < q->nmsgids; i++) {
        char m[MD_LIMIT_ADDR + 4];
        const char *s = q->msgids[i];
        while (*s == ' ')
            s++;
        if (*s == '<')
            snprintf(m, sizeof m, "%s", s);
        else
            snprintf(m, sizeof m, "<%s>", s);
        rc = md_store_log_find_msgid(st, m, q->since, q->until, seed_cb, ids, err);
    }
    for (size_t i = 0; rc == MD_OK && i < q->nips; i++) {
        md_ip ip;
        char txt[MD_IP_STRLEN];
        const char *key = q->ips[i];
        if (md_ip_parse(&ip, key, strlen(key)) == MD_OK)
            key = md_ip_format(&ip, txt, sizeof txt);
        rc = q->ip_seen ? md_store_log_find_ip_seen(st, key, q->since, q->until, seed_cb, ids, err)
                        : md_store_log_find_ip(st, key, q->since, q->until, seed_cb, ids, err);
    }
    return rc;
}

/* ---- stored messages by Received hop ----------------------------------- */

typedef struct hopset {
    int64_t *id;
    int *hop;
    size_t n, cap, max;
    int oom;
} hopset;

static int hop_cb(void *arg, const md_msg_hoprow *h)
{
    hopset *s = arg;
    if (s->n && s->id[s->n - 1] == h->msg_id)
        return 0; /* (hops come by message, oldest first) */
    if (s->n >= s->max)
        return 1;
    size_t cap = s->cap;
    int64_t *ni = md_grow(s->id, &cap, s->n + 1, sizeof *ni, 16);
    if (ni)
        s->id = ni;
    int *nh = ni ? md_grow(s->hop, &s->cap, s->n + 1, sizeof *nh, 16) : NULL;
    if (!nh) {
        s->oom = 1;
        return 1;
    }
    s->hop = nh;
    s->id[s->n] = h->msg_id;
    s->hop[s->n++] = h->idx;
    return 0;
}

typedef struct storedctx {
    priv *pv;
    md_trace_stored *o;
    char msgid[MD_LIMIT_ADDR + 4];
} storedctx;

static int stored_cb(void *arg, const md_msg_row *m)
{
    storedctx *c = arg;
    c->o->id = m->id;
    c->o->path = adup(c->pv, m->path);
    c->o->kind = adup(c->pv, m->kind);
    c->o->message_id = adup(c->pv, m->message_id);
    c->o->date = m->date;
    snprintf(c->msgid, sizeof c->msgid, "<%s>", m->message_id ? m->message_id : "");
    return 0;
}

/* stored_by_ip: the stored messages whose Received chain names a queried
 * IP, into r->stored; their Message-IDs seed the log messages too. */
static int stored_by_ip(md_store *st, const md_trace_query *q, md_trace_result *r, idset *ids,
                        md_err *err)
{
    hopset hs = {NULL, NULL, 0, 0, ids->max, 0};
    int rc = MD_OK;
    for (size_t i = 0; rc == MD_OK && i < q->nips; i++) {
        md_ip ip;
        char key[MD_IP_STRLEN];
        if (md_ip_parse(&ip, q->ips[i], strlen(q->ips[i])) != MD_OK)
            continue;
        md_ip_format(&ip, key, sizeof key);
        rc = md_store_msg_hops_by_ip(st, key, hop_cb, &hs, err);
    }
    if (rc == MD_OK && hs.oom)
        rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    if (rc == MD_OK && hs.n && !(r->stored = calloc(hs.n, sizeof *r->stored)))
        rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == MD_OK && i < hs.n; i++) {
        long dup = 0;
        for (size_t k = 0; k < r->nstored; k++)
            dup |= r->stored[k].id == hs.id[i];
        if (dup)
            continue;
        storedctx c = {r->priv_, &r->stored[r->nstored], ""};
        c.o->hop = hs.hop[i];
        rc = md_store_msg_get(st, hs.id[i], stored_cb, &c, err);
        if (rc != MD_OK || !c.o->id)
            continue; /* (gone meanwhile) */
        r->nstored++;
        if (rc == MD_OK && strlen(c.msgid) > 2)
            rc = md_store_log_find_msgid(st, c.msgid, q->since, q->until, seed_cb, ids, err);
    }
    free(hs.id);
    free(hs.hop);
    return rc;
}

void md_trace_free(md_trace_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nmsgs; i++) {
        free(r->msgs[i].lines);
        free(r->msgs[i].dlvs);
        free(r->msgs[i].rcpts);
    }
    free(r->msgs);
    free(r->links);
    free(r->stored);
    priv *pv = r->priv_;
    if (pv) {
        chunk *c = pv->chunks;
        while (c) {
            chunk *nx = c->next;
            free(c);
            c = nx;
        }
        free(pv);
    }
    free(r);
}

int md_trace_run(md_store *st, const md_trace_query *q, md_trace_result **out, md_err *err)
{
    *out = NULL;
    md_trace_result *r = calloc(1, sizeof *r);
    priv *pv = calloc(1, sizeof *pv);
    idset ids = {0};
    linkset ls = {0};
    md_buf lb = MD_BUF_INIT;
    loadctx lc;
    memset(&lc, 0, sizeof lc);
    int rc = MD_OK;
    if (!r || !pv) {
        free(r);
        free(pv);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    r->priv_ = pv;
    ids.max = q->max_messages ? q->max_messages : MD_TRACE_MAX_MESSAGES;
    rc = md_store_log_reader_open(st, &lc.rd, err);
    if (rc != MD_OK)
        goto fail;
    rc = seeds(st, q, &ids, err);
    if (rc == MD_OK && q->ip_seen)
        rc = stored_by_ip(st, q, r, &ids, err);
    if (rc == MD_OK)
        rc = walk(st, lc.rd, q, &ids, &ls, err);
    if (rc != MD_OK)
        goto fail;
    r->truncated = ids.truncated;
    r->msgs = calloc(ids.n ? ids.n : 1, sizeof *r->msgs);
    if (!r->msgs) {
        rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        goto fail;
    }
    lc.st = st;
    lc.pv = pv;
    lc.err = err;
    for (size_t i = 0; i < ids.n; i++) {
        md_trace_msg *m = &r->msgs[r->nmsgs];
        memset(m, 0, sizeof *m);
        md_buf_reset(&lb);
        lc.enc = &lb;
        lc.m = m;
        rc = md_store_log_r_msg_get(st, lc.rd, ids.ids[i], msg_cb, &lc, err);
        if (rc == MD_ERR_NOTFOUND) {
            md_err_clear(err);
            rc = MD_OK;
            continue;
        }
        if (rc != MD_OK)
            goto fail;
        m->matched = ids.matched[i];
        r->nmsgs++;
        lc.lines_cap = lc.dlvs_cap = 0;
        lc.rc = MD_OK;
        if (!q->no_lines && lb.len) {
            md_log_lines_decode(lb.data, lb.len, line_cb, &lc);
            if (lc.rc == MD_OK && want_lines(&lc.want, m) != MD_OK)
                lc.rc = MD_ERR_NOMEM;
            if (lc.rc != MD_OK) {
                rc = lc.rc;
                if (rc == MD_ERR_NOMEM)
                    md_err_set(err, rc, "out of memory");
                goto fail;
            }
        }
        rc = md_store_log_r_dlvs(st, lc.rd, m->id, dlv_cb, &lc, err);
        if (rc == MD_OK && lc.rc != MD_OK)
            rc = md_err_set(err, lc.rc, "out of memory");
        if (rc != MD_OK)
            goto fail;
    }
    lc.rc = MD_OK;
    rc = fill_lines(&lc, r);
    if (rc != MD_OK) {
        if (rc == MD_ERR_NOMEM)
            md_err_set(err, rc, "out of memory");
        goto fail;
    }
    qsort(r->msgs, r->nmsgs, sizeof *r->msgs, cmp_msg);
    for (size_t i = 0; i < r->nmsgs; i++)
        if (build_rcpts(pv, r, &r->msgs[i]) != MD_OK) {
            rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            goto fail;
        }
    r->links = calloc(ls.n ? ls.n : 1, sizeof *r->links);
    if (!r->links) {
        rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < ls.n; i++) {
        long a = md_trace_find_msg(r, ls.l[i].from), b = md_trace_find_msg(r, ls.l[i].to);
        int cls = ls.l[i].cls;
        if (a < 0 || b < 0 || cls == MD_TL_DROP || (cls == MD_TL_POSSIBLE && q->naddrs))
            continue;
        md_trace_link *l = &r->links[r->nlinks++];
        l->from = (size_t)a;
        l->to = (size_t)b;
        l->kind = (md_trace_linkkind)ls.l[i].kind;
        l->why = adup(pv, ls.l[i].why);
        l->possible = cls == MD_TL_POSSIBLE;
        l->via = adup(pv, ls.l[i].via);
    }
    if (pv->oom) {
        rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        goto fail;
    }
    *out = r;
    r = NULL;
fail:
    md_trace_free(r);
    for (size_t i = 0; i < ls.n; i++) {
        free(ls.l[i].why);
        free(ls.l[i].via);
    }
    free(ls.l);
    free(ids.ids);
    free(ids.matched);
    md_buf_free(&lb);
    free(lc.want.v);
    md_buf_free(&lc.blk.buf);
    md_store_log_reader_close(lc.rd);
    return rc;
}

/* ---- spans and daily counts ---------------------------------------------- */

typedef struct {
    void *arr;
    size_t n, cap, size;
    int oom;
} vec;

static void *vec_push(vec *v)
{
    void *na = md_grow(v->arr, &v->cap, v->n + 1, v->size, 16);
    if (!na) {
        v->oom = 1;
        return NULL;
    }
    v->arr = na;
    void *p = (char *)v->arr + v->n * v->size;
    memset(p, 0, v->size);
    v->n++;
    return p;
}

static int span_cb(void *arg, const char *host, int64_t tf, int64_t tl, uint64_t lines,
                   uint64_t messages, uint64_t sources)
{
    md_trace_span *s = vec_push(arg);
    if (!s)
        return 1;
    snprintf(s->host, sizeof s->host, "%s", host);
    s->t_first = tf;
    s->t_last = tl;
    s->lines = lines;
    s->messages = messages;
    s->sources = sources;
    return 0;
}

static int host_spans(md_store *st, int64_t since, int64_t until, int brief,
                      md_trace_span **out, size_t *n, md_err *err)
{
    vec v = {NULL, 0, 0, sizeof(md_trace_span), 0};
    *out = NULL;
    *n = 0;
    int rc = brief ? md_store_log_host_lines(st, since, until, span_cb, &v, err)
                   : md_store_log_host_spans(st, since, until, span_cb, &v, err);
    if (rc == MD_OK && v.oom)
        rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    if (rc != MD_OK) {
        free(v.arr);
        return rc;
    }
    *out = v.arr;
    *n = v.n;
    return MD_OK;
}

int md_trace_host_spans(md_store *st, int64_t since, int64_t until, md_trace_span **out,
                        size_t *n, md_err *err)
{
    return host_spans(st, since, until, 0, out, n, err);
}

int md_trace_host_spans_brief(md_store *st, int64_t since, int64_t until, md_trace_span **out,
                              size_t *n, md_err *err)
{
    return host_spans(st, since, until, 1, out, n, err);
}

static int daily_cb(void *arg, const char *host, int64_t day, uint64_t attempts,
                    uint64_t accepted, uint64_t deferred, uint64_t bounced, uint64_t messages)
{
    md_trace_daily *d = vec_push(arg);
    if (!d)
        return 1;
    snprintf(d->host, sizeof d->host, "%s", host);
    d->day = day;
    d->attempts = attempts;
    d->accepted = accepted;
    d->deferred = deferred;
    d->bounced = bounced;
    d->messages = messages;
    return 0;
}

int md_trace_ms_daily(md_store *st, int64_t since, int64_t until, md_trace_daily **out,
                      size_t *n, md_err *err)
{
    vec v = {NULL, 0, 0, sizeof(md_trace_daily), 0};
    *out = NULL;
    *n = 0;
    int rc = md_store_log_ms_daily(st, since, until, daily_cb, &v, err);
    if (rc == MD_OK && v.oom)
        rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    if (rc != MD_OK) {
        free(v.arr);
        return rc;
    }
    *out = v.arr;
    *n = v.n;
    return MD_OK;
}
