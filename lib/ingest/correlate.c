/* correlate.c: messages from log lines, in a bounded hash table (see
 * correlate.h).  Owns the open messages and their buffered delivery
 * attempts and links; writes them through the store_log writer.  Never
 * prints.  No allocation per line except when a message gains a field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/ipaddr.h"
#include "ingest/correlate.h"
#include "base/md_limits.h"
#include "base/text.h"

#define NBUCKETS (1u << 17)

typedef struct pdlv {
    md_log_dlvrow row;     /* string pointers into `mem` */
    char *mem;
} pdlv;

typedef struct plink {
    int kind;
    int64_t t;
    char *to_host, *to_qid, *why;
} plink;

typedef struct cmsg {
    struct cmsg *next;
    uint64_t hash;
    int64_t id;            /* 0 until written */
    int64_t host_id;
    const char *host;      /* points into the host name table */
    int64_t t_first, t_last, source_id, size;
    int nrcpt, fmt, flags, dirty, indexed;
    char *qid, *sender, *msgid, *client_host, *client_ip;
    md_log_lines lines;
    pdlv *dl;
    size_t ndl, capdl;
    plink *lk;
    size_t nlk, caplk;
} cmsg;

#define IDX_SENDER 1
#define IDX_MSGID 2
#define IDX_CLIENT 4

typedef struct hostname {
    int64_t id;
    char *name;
} hostname;

struct md_corr {
    md_store *st;
    md_log_writer *w;
    cmsg **tab;
    size_t nopen;
    int64_t now;
    uint64_t since_age;
    hostname *hosts;
    size_t nhosts, caphosts;
    md_log_key *keys;      /* index entries, written sorted at checkpoints */
    size_t nkeys, capkeys;
    int oom;
    md_corr_stats stats;
};

#define MAX_KEYS (256 * 1024)   /* x 24 bytes, and as much again while sorting */

static void key_add(md_corr *c, int kind, const char *v, int64_t msg_id)
{
    if (!v || !*v)
        return;
    md_log_key *nk = md_grow(c->keys, &c->capkeys, c->nkeys + 1, sizeof *nk, 4096);
    if (!nk) {
        c->oom = 1;
        return;
    }
    c->keys = nk;
    c->keys[c->nkeys].h = md_store_log_key_hash(kind, v, strlen(v));
    c->keys[c->nkeys].kind = kind;
    c->keys[c->nkeys++].msg_id = msg_id;
}

/* An IP as index entry, in canonical text (so that the query's form
 * matches); text that is no IP is indexed as logged. */
static void key_add_ip(md_corr *c, int kind, const char *v, int64_t msg_id)
{
    md_ip ip;
    char txt[MD_IP_STRLEN];
    size_t n = v ? strlen(v) : 0;
    /* dotted IPv4 as logged is canonical already (but for leading zeros) */
    int plain = n && strspn(v, "0123456789.") == n && v[0] != '0' && !strstr(v, ".0");
    if (n && !plain && md_ip_parse(&ip, v, n) == MD_OK)
        v = md_ip_format(&ip, txt, sizeof txt);
    key_add(c, kind, v, msg_id);
}

static int keys_flush(md_corr *c, md_err *err)
{
    if (c->oom)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory (index entries)");
    if (md_store_log_keys_put(c->w, c->keys, c->nkeys, err) != MD_OK)
        return MD_ERR_DB;
    c->nkeys = 0;
    return MD_OK;
}

static uint64_t hash_key(int64_t host_id, const char *q, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)host_id * 0x9E3779B97F4A7C15ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)q[i]) * 0x100000001b3ULL;
    return h;
}

static char *dupn(const char *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

/* Replace *dst by a copy of s (no-op when equal). 0 or MD_ERR_NOMEM. */
static int set_str(char **dst, const char *p, size_t n)
{
    if (*dst && strlen(*dst) == n && memcmp(*dst, p, n) == 0)
        return MD_OK;
    char *s = dupn(p, n);
    if (!s)
        return MD_ERR_NOMEM;
    free(*dst);
    *dst = s;
    return MD_OK;
}

/* msgid_norm: the Message-ID in angle brackets, as sendmail and Postfix log
 * it (Exim's id= has none), into dst (cut to fit); its length. */
static size_t msgid_norm(char *dst, size_t size, md_corr_str id)
{
    int bare = id.p[0] != '<';
    size_t n = id.n < size - 3 ? id.n : size - 3;
    snprintf(dst, size, "%s%.*s%s", bare ? "<" : "", (int)n, id.p, bare ? ">" : "");
    return strlen(dst);
}

/* Normalised address copy into dst; "<>" and "" become "". */
static void norm_addr(char *dst, size_t size, md_corr_str a)
{
    if (!a.p) {
        dst[0] = '\0';
        return;
    }
    md_text_addr_norm(dst, size, a.p, a.n);
}

static const char *host_name(md_corr *c, int64_t id, const char *name)
{
    for (size_t i = 0; i < c->nhosts; i++)
        if (c->hosts[i].id == id)
            return c->hosts[i].name;
    hostname *nh = md_grow(c->hosts, &c->caphosts, c->nhosts + 1, sizeof *nh, 16);
    if (!nh)
        return "";
    c->hosts = nh;
    char *s = strdup(name ? name : "");
    if (!s)
        return "";
    c->hosts[c->nhosts].id = id;
    c->hosts[c->nhosts].name = s;
    return c->hosts[c->nhosts++].name;
}

static void msg_free(cmsg *m)
{
    for (size_t i = 0; i < m->ndl; i++)
        free(m->dl[i].mem);
    for (size_t i = 0; i < m->nlk; i++) {
        free(m->lk[i].to_host);
        free(m->lk[i].to_qid);
        free(m->lk[i].why);
    }
    free(m->dl);
    free(m->lk);
    free(m->qid);
    free(m->sender);
    free(m->msgid);
    free(m->client_host);
    free(m->client_ip);
    md_buf_free(&m->lines.buf);
    free(m);
}

/* Write a message (row, index entries, buffered attempts and links). */
static int msg_write(md_corr *c, cmsg *m, int open, md_err *err)
{
    int flags = open ? (m->flags | MD_LOGMSG_OPEN) : (m->flags & ~MD_LOGMSG_OPEN);
    if (m->id && !m->dirty && !m->ndl && !m->nlk && flags == m->flags)
        return MD_OK;
    m->flags = flags;
    md_log_msgrow r = {
        .id = m->id, .host_id = m->host_id, .qid = m->qid, .t_first = m->t_first,
        .t_last = m->t_last, .fmt = m->fmt, .flags = m->flags, .sender = m->sender,
        .msgid = m->msgid, .client_host = m->client_host, .client_ip = m->client_ip,
        .size = m->size, .nrcpt = m->nrcpt, .source_id = m->source_id,
        .lines = m->lines.buf.data, .lines_len = m->lines.buf.len};
    if (md_store_log_msg_put(c->w, &r, err) != MD_OK)
        return MD_ERR_DB;
    if (!m->id)
        key_add(c, MD_LOGKEY_QID, m->qid, r.id);
    m->id = r.id;
    m->dirty = 0;
    if (m->sender && *m->sender && !(m->indexed & IDX_SENDER)) {
        key_add(c, MD_LOGKEY_ADDR, m->sender, m->id);
        m->indexed |= IDX_SENDER;
    }
    if (m->msgid && !(m->indexed & IDX_MSGID)) {
        key_add(c, MD_LOGKEY_MSGID, m->msgid, m->id);
        m->indexed |= IDX_MSGID;
    }
    if (m->client_ip && !(m->indexed & IDX_CLIENT)) {
        /* our own systems' IPs are indexed apart: `trace IP` finds them,
         * the look-ups of Microsoft's failures naming an IP do not */
        key_add_ip(c, (m->flags & MD_LOGMSG_OURS) ? MD_LOGKEY_IPSEEN : MD_LOGKEY_IP,
                   m->client_ip, m->id);
        m->indexed |= IDX_CLIENT;
    }
    for (size_t i = 0; i < m->ndl; i++) {
        md_log_dlvrow *d = &m->dl[i].row;
        d->msg_id = m->id;
        if (md_store_log_dlv_put(c->w, d, err) != MD_OK)
            return MD_ERR_DB;
        key_add(c, MD_LOGKEY_ADDR, d->rcpt, m->id);
        key_add(c, MD_LOGKEY_ADDR, d->orig_to, m->id);
        key_add(c, MD_LOGKEY_IP, d->named_ip, m->id);
        if (d->relay_ip && *d->relay_ip && (!d->named_ip || strcmp(d->relay_ip, d->named_ip)))
            key_add_ip(c, MD_LOGKEY_IPSEEN, d->relay_ip, m->id);
        key_add(c, MD_LOGKEY_QUOTED, d->quoted_msgid, m->id);
        free(m->dl[i].mem);
    }
    m->ndl = 0;
    for (size_t i = 0; i < m->nlk; i++) {
        plink *l = &m->lk[i];
        md_log_linkrow lr = {m->id, 0, l->kind, l->t, l->to_host, l->to_qid, l->why};
        if (md_store_log_link_put(c->w, &lr, err) != MD_OK)
            return MD_ERR_DB;
        free(l->to_host);
        free(l->to_qid);
        free(l->why);
    }
    m->nlk = 0;
    if (c->nkeys >= MAX_KEYS)
        return keys_flush(c, err);
    return MD_OK;
}

static void unlink_msg(md_corr *c, cmsg *m)
{
    cmsg **pp = &c->tab[m->hash & (NBUCKETS - 1)];
    while (*pp && *pp != m)
        pp = &(*pp)->next;
    if (*pp)
        *pp = m->next;
    c->nopen--;
}

/* End a message: write it closed and forget it. */
static int msg_close(md_corr *c, cmsg *m, md_err *err)
{
    int rc = msg_write(c, m, 0, err);
    unlink_msg(c, m);
    msg_free(m);
    return rc;
}

/* Write it open and forget it (it belongs to a later time than the lines
 * being read: the next run picks it up again). */
static int msg_evict(md_corr *c, cmsg *m, md_err *err)
{
    int rc = msg_write(c, m, 1, err);
    unlink_msg(c, m);
    msg_free(m);
    return rc;
}

/* Ageing pass: end quiet messages, evict ones far ahead of `now`. */
static int age(md_corr *c, int64_t idle, md_err *err)
{
    for (size_t b = 0; b < NBUCKETS; b++) {
        cmsg *m = c->tab[b];
        while (m) {
            cmsg *nx = m->next;
            int64_t lim = (m->flags & MD_LOGMSG_DEFERRED) ? MD_LIMIT_CORRELATE_SECS : idle;
            int rc = MD_OK;
            if (c->now - m->t_last > lim)
                rc = msg_close(c, m, err);
            else if (m->t_last - c->now > MD_CORR_IDLE_SECS)
                rc = msg_evict(c, m, err);
            if (rc != MD_OK)
                return rc;
            m = nx;
        }
    }
    return MD_OK;
}

static cmsg *lookup(md_corr *c, int64_t host_id, const char *q, size_t n, uint64_t h)
{
    for (cmsg *m = c->tab[h & (NBUCKETS - 1)]; m; m = m->next)
        if (m->hash == h && m->host_id == host_id && strlen(m->qid) == n &&
            memcmp(m->qid, q, n) == 0)
            return m;
    return NULL;
}

static cmsg *msg_new(md_corr *c, int64_t host_id, const char *host, const char *q, size_t n,
                     uint64_t h)
{
    cmsg *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->qid = dupn(q, n);
    if (!m->qid) {
        free(m);
        return NULL;
    }
    m->hash = h;
    m->host_id = host_id;
    m->host = host;
    m->size = -1;
    m->nrcpt = -1;
    m->dirty = 1;
    size_t b = h & (NBUCKETS - 1);
    m->next = c->tab[b];
    c->tab[b] = m;
    c->nopen++;
    if (c->nopen > c->stats.peak_open)
        c->stats.peak_open = c->nopen;
    return m;
}

int md_corr_outcome(const md_corr_ev *ev)
{
    const md_corr_str *s = &ev->status;
    if (ev->kind == MD_CEV_REJECT)
        return MD_OUTCOME_REJECTED;
    if (s->p && s->n >= 4 && md_text_ncasecmp(s->p, "sent", 4) == 0) {
        if (ev->ms)
            return MD_OUTCOME_MS_ACCEPTED;
        if (ev->forwarded)
            return MD_OUTCOME_FORWARDED;
        return ev->local ? MD_OUTCOME_DELIVERED : MD_OUTCOME_RELAYED;
    }
    if (s->p && s->n >= 5 && md_text_ncasecmp(s->p, "defer", 5) == 0)
        return MD_OUTCOME_DEFERRED;
    if (s->p && s->n >= 7 && md_text_ncasecmp(s->p, "expired", 7) == 0)
        return MD_OUTCOME_EXPIRED;
    if (s->p && s->n >= 6 && md_text_ncasecmp(s->p, "bounce", 6) == 0)
        return MD_OUTCOME_BOUNCED;
    if (ev->dsn.p && ev->dsn.n) {
        if (ev->dsn.p[0] == '5')
            return MD_OUTCOME_BOUNCED;
        if (ev->dsn.p[0] == '4')
            return MD_OUTCOME_DEFERRED;
        if (ev->dsn.p[0] == '2')
            return ev->ms ? MD_OUTCOME_MS_ACCEPTED
                          : ev->local ? MD_OUTCOME_DELIVERED : MD_OUTCOME_RELAYED;
    }
    return MD_OUTCOME_UNKNOWN;
}

/* Buffer a delivery attempt in m: strings copied into one allocation. */
static int add_dlv(cmsg *m, const md_corr_ev *ev, int64_t source_id, uint64_t lineno)
{
    pdlv *nd = md_grow(m->dl, &m->capdl, m->ndl + 1, sizeof *nd, 2);
    if (!nd)
        return MD_ERR_NOMEM;
    m->dl = nd;
    char rcpt[MD_LIMIT_ADDR], orig[MD_LIMIT_ADDR];
    norm_addr(rcpt, sizeof rcpt, ev->to);
    norm_addr(orig, sizeof orig, ev->orig_to);
    struct {
        const char *p;
        size_t n;
    } f[12] = {{rcpt, strlen(rcpt)},           {orig, strlen(orig)},
               {ev->relay_host.p, ev->relay_host.n}, {ev->relay_ip.p, ev->relay_ip.n},
               {ev->dsn.p, ev->dsn.n},         {ev->status.p, ev->status.n},
               {ev->reply.p, ev->reply.n},     {ev->reason.p, ev->reason.n},
               {ev->named_ip.p, ev->named_ip.n}, {ev->internal_id.p, ev->internal_id.n},
               {ev->quoted_msgid.p, ev->quoted_msgid.n}, {ev->new_qid.p, ev->new_qid.n}};
    size_t total = 0;
    for (int i = 0; i < 12; i++) {
        if (!f[i].p)
            f[i].n = 0;
        total += f[i].n + 1;
    }
    /* a relay host as logged by sendmail ends with a dot: drop it */
    if (f[2].n && f[2].p[f[2].n - 1] == '.')
        f[2].n--;
    char *mem = malloc(total), *p = mem;
    if (!mem)
        return MD_ERR_NOMEM;
    const char *out[12];
    for (int i = 0; i < 12; i++) {
        out[i] = p;
        if (f[i].n)
            memcpy(p, f[i].p, f[i].n);
        p[f[i].n] = '\0';
        p += f[i].n + 1;
    }
    pdlv *d = &m->dl[m->ndl++];
    d->mem = mem;
    memset(&d->row, 0, sizeof d->row);
    d->row.t = ev->t;
    d->row.rcpt = out[0];
    d->row.orig_to = out[1];
    d->row.relay_host = out[2];
    d->row.relay_ip = out[3];
    d->row.dsn = out[4];
    d->row.status = out[5];
    d->row.reply = out[6];
    d->row.reason = out[7];
    d->row.named_ip = out[8];
    d->row.internal_id = out[9];
    d->row.quoted_msgid = out[10];
    d->row.new_qid = out[11];
    d->row.ms = ev->ms;
    d->row.outcome = ev->outcome ? ev->outcome : md_corr_outcome(ev);
    /* the raw line keeps every reply; the row keeps the ones trace shows */
    if (!ev->ms && (d->row.outcome == MD_OUTCOME_DELIVERED || d->row.outcome == MD_OUTCOME_RELAYED ||
                    d->row.outcome == MD_OUTCOME_FORWARDED))
        d->row.reply = NULL;
    if (!ev->ms)
        d->row.quoted_msgid = NULL;
    d->row.source_id = source_id;
    d->row.lineno = lineno;
    d->row.relay_ours = ev->relay_ours;
    return MD_OK;
}

static int add_link(md_corr *c, cmsg *m, int kind, int64_t t, const char *to_host,
                    md_corr_str to_qid, const char *why)
{
    plink *nl = md_grow(m->lk, &m->caplk, m->nlk + 1, sizeof *nl, 2);
    if (!nl)
        return MD_ERR_NOMEM;
    m->lk = nl;
    plink *l = &m->lk[m->nlk];
    size_t hn = to_host ? strlen(to_host) : 0;
    if (hn && to_host[hn - 1] == '.')
        hn--;
    l->kind = kind;
    l->t = t;
    l->to_host = to_host ? dupn(to_host, hn) : NULL;
    l->to_qid = dupn(to_qid.p, to_qid.n);
    l->why = strdup(why);
    if (!l->to_qid || !l->why || (to_host && !l->to_host)) {
        free(l->to_host);
        free(l->to_qid);
        free(l->why);
        return MD_ERR_NOMEM;
    }
    m->nlk++;
    c->stats.links++;
    return MD_OK;
}

/* relay_loopback: the attempt went to a loopback address (127.0.0.0/8,
 * ::1): a content filter on the same host. */
static int relay_loopback(const md_corr_ev *ev)
{
    md_ip ip;
    if (!ev->relay_ip.p || md_ip_parse(&ip, ev->relay_ip.p, ev->relay_ip.n) != MD_OK)
        return 0;
    if (ip.v4)
        return ip.b[12] == 127;
    static const uint8_t one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return memcmp(ip.b, one, 16) == 0;
}

/* A NOQUEUE reject: a closed pseudo message with one attempt. */
static int reject(md_corr *c, const md_corr_ev *ev, int64_t source_id, uint64_t lineno,
                  md_err *err)
{
    cmsg *m = msg_new(c, ev->host_id, host_name(c, ev->host_id, ev->host), "NOQUEUE", 7,
                      hash_key(ev->host_id, "NOQUEUE", 7) ^ (uint64_t)lineno);
    if (!m)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    m->t_first = m->t_last = ev->t;
    m->fmt = ev->fmt;
    m->source_id = source_id;
    m->flags = MD_LOGMSG_NOQUEUE;
    char a[MD_LIMIT_ADDR];
    int rc = MD_OK;
    if (ev->has_from) {
        norm_addr(a, sizeof a, ev->from);
        rc = set_str(&m->sender, a, strlen(a));
    }
    if (rc == MD_OK && ev->client_ip.p)
        rc = set_str(&m->client_ip, ev->client_ip.p, ev->client_ip.n);
    if (rc == MD_OK && ev->client_host.p)
        rc = set_str(&m->client_host, ev->client_host.p, ev->client_host.n);
    if (rc == MD_OK)
        rc = md_log_lines_add(&m->lines, source_id, lineno);
    if (rc == MD_OK && ev->to.p)
        rc = add_dlv(m, ev, source_id, lineno);
    if (rc != MD_OK) {
        unlink_msg(c, m);
        msg_free(m);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    c->stats.messages++;
    if (ev->to.p)
        c->stats.deliveries++;
    return msg_close(c, m, err);
}

int md_corr_line(md_corr *c, const md_corr_ev *ev, int64_t source_id, uint64_t lineno,
                 md_err *err)
{
    if (ev->t)
        c->now = ev->t;
    /* (when full, at most every 1024 lines: a full table that cannot shrink
     * must not cost a pass per line) */
    if (++c->since_age >= MD_CORR_AGE_EVERY ||
        (c->nopen >= MD_CORR_MAX_OPEN && c->since_age >= 1024)) {
        c->since_age = 0;
        if (age(c, MD_CORR_IDLE_SECS, err) != MD_OK)
            return MD_ERR_DB;
        if (c->nopen >= MD_CORR_MAX_OPEN && age(c, 60, err) != MD_OK)
            return MD_ERR_DB;
        if (c->nopen >= MD_CORR_MAX_OPEN) {
            /* still full: end everything quiet for a second */
            for (size_t b = 0; b < NBUCKETS && c->nopen >= MD_CORR_MAX_OPEN / 2; b++) {
                cmsg *m = c->tab[b];
                while (m) {
                    cmsg *nx = m->next;
                    if (m->t_last < c->now && msg_close(c, m, err) != MD_OK)
                        return MD_ERR_DB;
                    m = nx;
                }
            }
        }
    }
    if (ev->kind == MD_CEV_REJECT)
        return reject(c, ev, source_id, lineno, err);
    if (!ev->qid.p || !ev->qid.n || ev->qid.n > MD_LIMIT_QID)
        return MD_OK;
    uint64_t h = hash_key(ev->host_id, ev->qid.p, ev->qid.n);
    cmsg *m = lookup(c, ev->host_id, ev->qid.p, ev->qid.n, h);
    if (m && ev->t && (ev->t - m->t_last > MD_LIMIT_CORRELATE_SECS ||
                       m->t_first - ev->t > MD_LIMIT_CORRELATE_SECS)) {
        /* the queue id was reused long after: a new message */
        if (msg_close(c, m, err) != MD_OK)
            return MD_ERR_DB;
        m = NULL;
    }
    int created = 0;
    if (!m) {
        m = msg_new(c, ev->host_id, host_name(c, ev->host_id, ev->host), ev->qid.p, ev->qid.n, h);
        if (!m)
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        m->t_first = m->t_last = ev->t;
        m->fmt = ev->fmt;
        m->source_id = source_id;
        c->stats.messages++;
        created = 1;
    }
    if (ev->t > m->t_last)
        m->t_last = ev->t;
    if (ev->t && ev->t < m->t_first)
        m->t_first = ev->t;
    m->dirty = 1;
    int rc = md_log_lines_add(&m->lines, source_id, lineno);
    char a[MD_LIMIT_ADDR];
    switch (ev->kind) {
    case MD_CEV_CLIENT:
    case MD_CEV_FROM:
    case MD_CEV_MSGID:
        if (rc == MD_OK && ev->client_ip.p && ev->client_ip.n)
            rc = set_str(&m->client_ip, ev->client_ip.p, ev->client_ip.n);
        if (rc == MD_OK && ev->client_host.p && ev->client_host.n)
            rc = set_str(&m->client_host, ev->client_host.p, ev->client_host.n);
        if (rc == MD_OK && ev->has_from) {
            norm_addr(a, sizeof a, ev->from);
            if (!m->sender || strcmp(m->sender, a) != 0)
                m->indexed &= ~IDX_SENDER;
            rc = set_str(&m->sender, a, strlen(a));
        }
        if (rc == MD_OK && ev->msgid.p && ev->msgid.n) {
            char id[MD_LIMIT_ADDR + 2];
            size_t n = msgid_norm(id, sizeof id, ev->msgid);
            if (!m->msgid || strlen(m->msgid) != n || memcmp(m->msgid, id, n) != 0)
                m->indexed &= ~IDX_MSGID;
            rc = set_str(&m->msgid, id, n);
        }
        if (ev->size >= 0)
            m->size = ev->size;
        if (ev->nrcpt >= 0)
            m->nrcpt = ev->nrcpt;
        if (ev->ours)
            m->flags |= MD_LOGMSG_OURS;
        break;
    case MD_CEV_TO: {
        if (rc == MD_OK)
            rc = add_dlv(m, ev, source_id, lineno);
        if (rc != MD_OK)
            break;
        c->stats.deliveries++;
        int oc = m->dl[m->ndl - 1].row.outcome;
        if (oc == MD_OUTCOME_DEFERRED)
            m->flags |= MD_LOGMSG_DEFERRED;
        else
            m->flags &= ~MD_LOGMSG_DEFERRED; /* approximate: last attempt decides */
        if (ev->new_qid.p && ev->new_qid.n && ev->new_qid.n <= MD_LIMIT_QID) {
            char why[MD_LIMIT_ADDR + 600];
            norm_addr(a, sizeof a, ev->to);
            if (ev->forwarded) {
                snprintf(why, sizeof why, "%s: to=<%s> status=sent (forwarded as %.*s)", m->qid,
                         a, (int)ev->new_qid.n, ev->new_qid.p);
                rc = add_link(c, m, MD_LINK_FORWARDED, ev->t, m->host, ev->new_qid, why);
            } else if (relay_loopback(ev)) {
                /* a content filter on this host (amavis on 127.0.0.1:10024)
                 * that queues the message again here: a precise link */
                snprintf(why, sizeof why, "%s: to=<%s> content filter %.*s: queued as %.*s",
                         m->qid, a, (int)ev->relay_ip.n, ev->relay_ip.p, (int)ev->new_qid.n,
                         ev->new_qid.p);
                rc = add_link(c, m, MD_LINK_QUEUED_AS, ev->t, m->host, ev->new_qid, why);
            } else if (ev->relay_ours) {
                char rh[256];
                size_t rn = ev->relay_host.n < sizeof rh - 1 ? ev->relay_host.n : sizeof rh - 1;
                if (ev->relay_host.p)
                    memcpy(rh, ev->relay_host.p, rn);
                else
                    rn = 0;
                while (rn && rh[rn - 1] == '.') /* sendmail's trailing dot */
                    rn--;
                rh[rn] = '\0';
                snprintf(why, sizeof why, "relay %.200s: queued as %.*s", rh,
                         (int)ev->new_qid.n, ev->new_qid.p);
                rc = add_link(c, m, MD_LINK_QUEUED_AS, ev->t, rn ? rh : NULL, ev->new_qid, why);
            }
        }
        break;
    }
    case MD_CEV_BOUNCE_NOTICE:
        if (rc == MD_OK && ev->new_qid.p && ev->new_qid.n && ev->new_qid.n <= MD_LIMIT_QID) {
            char why[160];
            snprintf(why, sizeof why, "%s: sender non-delivery notification: %.*s", m->qid,
                     (int)ev->new_qid.n, ev->new_qid.p);
            rc = add_link(c, m, MD_LINK_BOUNCE, ev->t, m->host, ev->new_qid, why);
        }
        break;
    case MD_CEV_END:
        if (rc == MD_OK) {
            m->flags |= MD_LOGMSG_REMOVED;
            return msg_close(c, m, err);
        }
        break;
    default:
        break;
    }
    (void)created;
    if (rc == MD_ERR_NOMEM)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    return rc;
}

int md_corr_checkpoint(md_corr *c, md_err *err)
{
    for (size_t b = 0; b < NBUCKETS; b++)
        for (cmsg *m = c->tab[b]; m; m = m->next)
            if (msg_write(c, m, 1, err) != MD_OK)
                return MD_ERR_DB;
    c->stats.open = c->nopen;
    return keys_flush(c, err);
}

typedef struct {
    md_corr *c;
    int rc;
} load_state;

static int load_msg(void *arg, const md_log_msgrow *r, const char *host)
{
    load_state *ls = arg;
    md_corr *c = ls->c;
    size_t qn = strlen(r->qid);
    uint64_t h = hash_key(r->host_id, r->qid, qn);
    if (lookup(c, r->host_id, r->qid, qn, h))
        return 0; /* two open rows for one key: keep the first */
    cmsg *m = msg_new(c, r->host_id, host_name(c, r->host_id, host), r->qid, qn, h);
    if (!m) {
        ls->rc = MD_ERR_NOMEM;
        return 1;
    }
    m->id = r->id;
    m->t_first = r->t_first;
    m->t_last = r->t_last;
    m->fmt = r->fmt;
    m->flags = r->flags;
    m->size = r->size;
    m->nrcpt = r->nrcpt;
    m->source_id = r->source_id;
    m->dirty = 0;
    /* what msg_write indexed when it stored the row: the fields it had */
    m->indexed = (r->sender && *r->sender ? IDX_SENDER : 0) |
                 (r->msgid && *r->msgid ? IDX_MSGID : 0) |
                 (r->client_ip && *r->client_ip ? IDX_CLIENT : 0);
    int rc = MD_OK;
    if (r->sender)
        rc = set_str(&m->sender, r->sender, strlen(r->sender));
    if (rc == MD_OK && r->msgid && *r->msgid)
        rc = set_str(&m->msgid, r->msgid, strlen(r->msgid));
    if (rc == MD_OK && r->client_host && *r->client_host)
        rc = set_str(&m->client_host, r->client_host, strlen(r->client_host));
    if (rc == MD_OK && r->client_ip && *r->client_ip)
        rc = set_str(&m->client_ip, r->client_ip, strlen(r->client_ip));
    if (rc == MD_OK)
        rc = md_log_lines_load(&m->lines, r->lines, r->lines_len);
    if (rc != MD_OK) {
        ls->rc = rc;
        return 1;
    }
    if (m->t_last > c->now)
        c->now = m->t_last;
    return 0;
}

int md_corr_open(md_corr **out, md_store *st, md_log_writer *w, md_err *err)
{
    *out = NULL;
    md_corr *c = calloc(1, sizeof *c);
    if (!c || !(c->tab = calloc(NBUCKETS, sizeof *c->tab))) {
        free(c);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    c->st = st;
    c->w = w;
    load_state ls = {c, MD_OK};
    int rc = md_store_log_open_msgs(st, load_msg, &ls, err);
    if (rc == MD_OK && ls.rc != MD_OK)
        rc = md_err_set(err, ls.rc, "loading open messages: %s", md_err_str(ls.rc));
    if (rc != MD_OK) {
        md_corr_close(c);
        return rc;
    }
    c->now = 0; /* set by the first line */
    c->stats.open = c->nopen;
    *out = c;
    return MD_OK;
}

void md_corr_close(md_corr *c)
{
    if (!c)
        return;
    if (c->tab)
        for (size_t b = 0; b < NBUCKETS; b++) {
            cmsg *m = c->tab[b];
            while (m) {
                cmsg *nx = m->next;
                msg_free(m);
                m = nx;
            }
        }
    free(c->tab);
    for (size_t i = 0; i < c->nhosts; i++)
        free(c->hosts[i].name);
    free(c->hosts);
    free(c->keys);
    free(c);
}

const md_corr_stats *md_corr_get_stats(const md_corr *c)
{
    return &c->stats;
}
