/* logfile.c: the reader for mail log files (see logfile.h).
 *
 * One pass over the input: each line is parsed (logline.h), classified
 * (reply.h), handed to the correlator (correlate.h) and appended to the raw
 * line block, which is compressed and stored every MD_LOGFILE_BLOCK bytes.
 * Every MD_LOGFILE_COMMIT lines the block, the per-host line counts, the
 * correlator's pending state and the source's progress are committed in one
 * transaction: a kill at any moment leaves a store that the next run
 * completes exactly (it resumes at the source's lines_done).  Owns its
 * buffers, the writer and the correlator for the duration of one input.
 * Records how the source was read (--year, zone): a source read before
 * with another is forgotten and read again.  The messages left open at the
 * end of a source new to the store or read again join their continuations
 * in files read before it (md_store_forget_join), as reading in order
 * would.  After a walk, yearcheck.c compares the dates with other evidence
 * (stored copies, the file's time) and warns once per file.
 * Also forgets marked sources (md_logfile_forget_marked), reading the
 * stored lines of messages that spanned a forgotten file again.
 * Never prints: bad lines go to md_ingest_warn, notes to md_ingest_note.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/buf.h"
#include "ingest/correlate.h"
#include "ingest/ingest.h"
#include "ingest/logfile.h"
#include "ingest/yearcheck.h"
#include "base/ipaddr.h"
#include "parse/logline.h"
#include "parse/reply.h"
#include "store/store_forget.h"
#include "store/store_log.h"
#include "base/text.h"

#define MD_LOGFILE_BLOCK   (64 * 1024)   /* raw bytes per stored block (trace decompresses
                                            a whole block to show one line) */
#define MD_LOGFILE_COMMIT  500000        /* lines per transaction (md_ingest's
                                            commit_every overrides it: for tests
                                            and tuning); a slice also ends after
                                            MD_LIMIT_SLICE_MS or when another
                                            writer waits (md_store_slice_due) */
#define MD_LOGFILE_WARN    100           /* bad lines reported one by one per input */
#define MAX_HOSTS          256           /* host name -> id cache entries */
#define MAX_SPANS          256
#define MAX_HOURB          256           /* (host, hour) line counts kept until a flush */

typedef struct hostent_ {
    char name[256];
    size_t n;
    int64_t id;
} hostent_;

typedef struct span {
    int64_t host_id;
    int fmt;
    uint64_t lines;
    int64_t tf, tl;
} span;

typedef struct hourb {
    int64_t host_id, hour;
    uint64_t lines;
    int64_t tf, tl;
} hourb;

typedef struct adapt {
    md_logctx ctx;
    md_logrec rec;
    md_reply reply;
} adapt;


typedef struct lf {
    md_ingest *ig;
    md_input *in;
    const char *path;
    md_source src;
    md_log_writer *w;
    md_corr *corr;
    md_buf block;
    uint64_t block_first, block_n;
    int64_t block_tf, block_tl;
    hostent_ hosts[MAX_HOSTS];
    size_t nhosts, last_host;
    span spans[MAX_SPANS];
    size_t nspans;
    hourb hours[MAX_HOURB];
    size_t nhours;
    uint64_t since_commit, bad;
    int rec_year;          /* the year recorded for the source (read_year) */
    int reread;            /* new, or read again (another year or zone): its open
                              messages join their continuations at the end */
    adapt ad;
} lf;

static adapt *A(lf *f)
{
    return &f->ad;
}

static void adapt_init(lf *f)
{
    adapt *a = A(f);
    int force = f->ig->log_format ? md_logline_fmt_parse(f->ig->log_format) : -1;
    md_logctx_init(&a->ctx, f->ig->year, force);
    /* syslog writes local time: the site's zone (cmd sets TZ from the
     * config's [logs] timezone) */
    md_logctx_set_local(&a->ctx);
    if (!f->ig->year && md_input_mtime(f->in) > 0)
        md_logctx_set_ref(&a->ctx, md_input_mtime(f->in));
}

static void adapt_free(lf *f)
{
    (void)f;
}


static int host_id(lf *f, const char *name, size_t n, int64_t *id, md_err *err)
{
    if (n >= sizeof f->hosts[0].name)
        n = sizeof f->hosts[0].name - 1;
    hostent_ *h = &f->hosts[f->last_host];
    if (f->nhosts && h->n == n && memcmp(h->name, name, n) == 0) {
        *id = h->id;
        return MD_OK;
    }
    for (size_t i = 0; i < f->nhosts; i++) {
        h = &f->hosts[i];
        if (h->n == n && memcmp(h->name, name, n) == 0) {
            f->last_host = i;
            *id = h->id;
            return MD_OK;
        }
    }
    if (md_store_log_host(f->w, name, n, id, err) != MD_OK)
        return MD_ERR_DB;
    size_t slot = f->nhosts < MAX_HOSTS ? f->nhosts++ : (size_t)(*id % MAX_HOSTS);
    h = &f->hosts[slot];
    memcpy(h->name, name, n);
    h->name[n] = '\0';
    h->n = n;
    h->id = *id;
    f->last_host = slot;
    return MD_OK;
}

static int flush_hours(lf *f, md_err *err)
{
    for (size_t i = 0; i < f->nhours; i++) {
        hourb *h = &f->hours[i];
        if (md_store_log_hour_add(f->w, f->src.id, h->host_id, h->hour, h->lines, h->tf, h->tl,
                                  err) != MD_OK)
            return MD_ERR_DB;
    }
    f->nhours = 0;
    return MD_OK;
}

/* count_hour: one line of host hid at time t (not 0) in its UTC hour's
 * count; the most recent buckets are looked at first (logs run forward) */
static int count_hour(lf *f, int64_t hid, int64_t t, md_err *err)
{
    int64_t hour = t - ((t % 3600) + 3600) % 3600;
    hourb *h = NULL;
    for (size_t i = f->nhours; i-- > 0 && !h;)
        if (f->hours[i].host_id == hid && f->hours[i].hour == hour)
            h = &f->hours[i];
    if (!h) {
        if (f->nhours == MAX_HOURB && flush_hours(f, err) != MD_OK)
            return MD_ERR_DB;
        h = &f->hours[f->nhours++];
        h->host_id = hid;
        h->hour = hour;
        h->lines = 0;
        h->tf = h->tl = t;
    }
    h->lines++;
    if (t < h->tf)
        h->tf = t;
    if (t > h->tl)
        h->tl = t;
    return MD_OK;
}

static int flush_spans(lf *f, md_err *err)
{
    if (flush_hours(f, err) != MD_OK)
        return MD_ERR_DB;
    for (size_t i = 0; i < f->nspans; i++) {
        span *s = &f->spans[i];
        if (md_store_log_span_add(f->w, f->src.id, s->host_id, s->fmt, s->lines, s->tf, s->tl,
                                  err) != MD_OK)
            return MD_ERR_DB;
    }
    f->nspans = 0;
    return MD_OK;
}

static int count_span(lf *f, int64_t hid, int fmt, int64_t t, md_err *err)
{
    span *s = NULL;
    for (size_t i = f->nspans; i-- > 0;)
        if (f->spans[i].host_id == hid && f->spans[i].fmt == fmt) {
            s = &f->spans[i];
            break;
        }
    if (!s) {
        if (f->nspans == MAX_SPANS && flush_spans(f, err) != MD_OK)
            return MD_ERR_DB;
        s = &f->spans[f->nspans++];
        s->host_id = hid;
        s->fmt = fmt;
        s->lines = 0;
        s->tf = s->tl = t;
    }
    s->lines++;
    if (t && count_hour(f, hid, t, err) != MD_OK)
        return MD_ERR_DB;
    if (t && (t < s->tf || !s->tf))
        s->tf = t;
    if (t > s->tl)
        s->tl = t;
    return MD_OK;
}

static int flush_block(lf *f, md_err *err)
{
    if (!f->block_n)
        return MD_OK;
    if (md_store_log_block(f->w, f->src.id, f->block_first, f->block_n, f->block_tf, f->block_tl,
                           f->block.data, f->block.len, err) != MD_OK)
        return MD_ERR_DB;
    md_buf_reset(&f->block);
    f->block_first += f->block_n;
    f->block_n = 0;
    f->block_tf = f->block_tl = 0;
    return MD_OK;
}

/* Commit what was read so far (lines up to lineno) and open the next
 * transaction when `reopen`. */
static int checkpoint(lf *f, uint64_t lineno, int reopen, md_err *err)
{
    md_store *st = f->ig->store;
    if (flush_block(f, err) != MD_OK || flush_spans(f, err) != MD_OK ||
        md_corr_checkpoint(f->corr, err) != MD_OK ||
        md_store_source_progress(st, f->src.id, lineno, md_input_pos(f->in), 0, err) != MD_OK ||
        md_store_commit(st, err) != MD_OK)
        return MD_ERR_DB;
    f->since_commit = 0;
    if (reopen && md_store_begin(st, err) != MD_OK)
        return MD_ERR_DB;
    return MD_OK;
}

static void warn_bad(lf *f, uint64_t lineno, const char *what, const char *line, size_t n)
{
    f->bad++;
    if (f->bad <= MD_LOGFILE_WARN) {
        char show[MD_LIMIT_SHOW_BYTES * 4 + 8];
        md_text_printable(show, sizeof show, line, n < MD_LIMIT_SHOW_BYTES ? n : MD_LIMIT_SHOW_BYTES);
        md_ingest_warn(f->ig, f->path, lineno, "%s (kept as raw text): \"%s\"", what, show);
    } else {
        f->ig->stats.skipped++;
    }
}

/* ---- one line -------------------------------------------------------------- */

/* ---- line -> event ----------------------------------------------------------- */

static md_corr_str mk(md_span s)
{
    md_corr_str r = {s.p, s.n};
    return r;
}

static int64_t num(md_span s)
{
    int64_t v = 0;
    if (!s.p || !s.n)
        return -1;
    for (size_t i = 0; i < s.n && i < 18; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return i ? v : -1;
        v = v * 10 + (s.p[i] - '0');
    }
    return v;
}

static int span_has(md_span s, const char *needle)
{
    return s.p && md_text_casestr(s.p, s.n, needle) != NULL;
}

/* Delivered into a mailbox (store) rather than passed on: the parser's
 * local agents, plus LMTP and the mail store's mailers. */
static int is_local(const md_logrec *r)
{
    if (r->flags & (MD_LF_LOCAL | MD_LF_CTLADDR))
        return 1;
    if (md_span_eq(r->daemon, "lmtp"))
        return 1;
    return span_has(r->mailer, "lmtp") || span_has(r->mailer, "cgp") ||
           span_has(r->mailer, "cyrus") || span_has(r->mailer, "dovecot");
}

/* The next hop is one of ours (so its log may be in the store): its IP in
 * our networks or hosts, its name in our domains; with no organisation
 * configured every next hop may be. */
static int relay_is_ours(lf *f, const md_logrec *r)
{
    const md_config *cfg = f->ig->cfg;
    if (!cfg || (!cfg->nnetworks && !cfg->ndomains && !cfg->nhosts))
        return 1;
    md_ip ip;
    if (r->relay_ip.p && md_ip_parse(&ip, r->relay_ip.p, r->relay_ip.n) == MD_OK &&
        md_config_is_ours(cfg, &ip))
        return 1;
    if (r->relay_host.p && r->relay_host.n) {
        char h[256];
        size_t n = r->relay_host.n < sizeof h - 1 ? r->relay_host.n : sizeof h - 1;
        memcpy(h, r->relay_host.p, n);
        while (n && h[n - 1] == '.')
            n--;
        h[n] = '\0';
        md_text_lower(h);
        if (md_config_is_our_domain(cfg, h))
            return 1;
    }
    return 0;
}

/* Parse one line: 1 with an event for the correlator, 0 a log line without
 * one, -1 not a log line.  Sets fmt, time and host. */
static int adapt_line(lf *f, const char *line, size_t n, md_corr_ev *ev, int *fmt, int64_t *t,
                      const char **host, size_t *hn)
{
    adapt *a = A(f);
    md_logrec *r = &a->rec;
    memset(ev, 0, sizeof *ev);
    ev->size = -1;
    ev->nrcpt = -1;
    if (!md_logline_parse(&a->ctx, line, n, r))
        return -1;
    *fmt = r->mta >= 0 && r->mta < MD_LOGFMT_COUNT ? r->mta : MD_LOGFMT_OTHER;
    *t = r->ts;
    if (r->host.p && r->host.n) {
        *host = r->host.p;
        *hn = r->host.n;
    }
    ev->t = r->ts;
    ev->fmt = *fmt;
    ev->qid = mk(r->qid);
    switch (r->ev) {
    case MD_EV_CLIENT: ev->kind = MD_CEV_CLIENT; break;
    case MD_EV_MSGID: ev->kind = MD_CEV_MSGID; break;
    case MD_EV_FROM: ev->kind = MD_CEV_FROM; break;
    case MD_EV_TO: ev->kind = MD_CEV_TO; break;
    case MD_EV_BOUNCE_NOTICE: ev->kind = MD_CEV_BOUNCE_NOTICE; break;
    case MD_EV_REMOVED: ev->kind = MD_CEV_END; break;
    case MD_EV_REJECT: ev->kind = r->qid.n ? MD_CEV_TO : MD_CEV_REJECT; break;
    default: ev->kind = MD_CEV_OTHER; break;
    }
    if (ev->kind == MD_CEV_OTHER && !r->qid.n)
        return 0;
    if (r->from.p) {
        ev->from = mk(r->from);
        ev->has_from = 1;
    }
    ev->msgid = mk(r->msgid);
    ev->size = num(r->size);
    ev->nrcpt = (int)num(r->nrcpts);
    ev->client_host = mk(r->client_host);
    ev->client_ip = mk(r->client_ip);
    if (r->flags & MD_LF_PICKUP)
        ev->ours = 1;
    else if (r->client_ip.p && f->ig->cfg) {
        md_ip ip;
        if (md_ip_parse(&ip, r->client_ip.p, r->client_ip.n) == MD_OK &&
            md_config_is_ours(f->ig->cfg, &ip))
            ev->ours = 1;
    }
    if (ev->kind != MD_CEV_TO && ev->kind != MD_CEV_REJECT && ev->kind != MD_CEV_BOUNCE_NOTICE)
        return 1;
    ev->to = mk(r->to);
    ev->orig_to = mk(r->orig_to);
    ev->relay_host = mk(r->relay_host);
    ev->relay_ip = mk(r->relay_ip);
    ev->dsn = mk(r->dsn);
    ev->status = mk(r->status);
    ev->reply = mk(r->reply);
    ev->new_qid = mk(r->new_qid);
    ev->forwarded = (r->flags & MD_LF_FORWARDED) != 0;
    ev->local = is_local(r);
    ev->relay_ours = relay_is_ours(f, r);
    if (ev->kind != MD_CEV_TO && ev->kind != MD_CEV_REJECT)
        return 1;
    int ms_peer = r->relay_host.p && md_reply_is_ms_host(r->relay_host.p, r->relay_host.n);
    int ms_rcpt = r->to.p && md_reply_is_ms_addr(r->to.p, r->to.n);
    if (r->reply.p && (r->outcome != MD_OUT_SENT || ms_peer || ms_rcpt)) {
        md_reply *rp = &a->reply;
        md_reply_classify(rp, r->reply.p, r->reply.n, r->relay_host.p, r->relay_host.n);
        ev->ms = ms_peer || (rp->ms && ms_rcpt);
        if (rp->reason != MD_RSN_UNDEFINED && rp->reason != MD_RSN_DELIVERED) {
            const char *rn = md_reply_reason_name(rp->reason);
            ev->reason.p = rn;
            ev->reason.n = strlen(rn);
        }
        if (rp->named_ip[0]) {
            ev->named_ip.p = rp->named_ip;
            ev->named_ip.n = strlen(rp->named_ip);
        }
        ev->internal_id = mk(rp->internal_id);
        ev->quoted_msgid = mk(rp->quoted_msgid);
        if (!ev->new_qid.p && rp->queued_as.p)
            ev->new_qid = mk(rp->queued_as);
    } else {
        ev->ms = ms_peer;
    }
    switch (r->outcome) {
    case MD_OUT_SENT:
        ev->outcome = ev->ms ? MD_OUTCOME_MS_ACCEPTED
                    : ev->forwarded ? MD_OUTCOME_FORWARDED
                    : ev->local ? MD_OUTCOME_DELIVERED : MD_OUTCOME_RELAYED;
        break;
    case MD_OUT_DEFERRED: ev->outcome = MD_OUTCOME_DEFERRED; break;
    case MD_OUT_BOUNCED: ev->outcome = MD_OUTCOME_BOUNCED; break;
    case MD_OUT_EXPIRED: ev->outcome = MD_OUTCOME_EXPIRED; break;
    case MD_OUT_REJECTED: ev->outcome = MD_OUTCOME_REJECTED; break;
    default: ev->outcome = 0; break; /* derived from status/dsn */
    }
    return 1;
}

/* feed: the event of line lineno (host hname[0..hn), id hid) to the correlator */
static int feed(lf *f, md_corr_ev *ev, int64_t hid, const char *hname, size_t hn,
                uint64_t lineno, md_err *err)
{
    ev->host_id = hid;
    char hz[256];
    size_t k = hn < sizeof hz - 1 ? hn : sizeof hz - 1;
    memcpy(hz, hname, k);
    hz[k] = '\0';
    ev->host = hz;
    return md_corr_line(f->corr, ev, f->src.id, lineno, err);
}

static int take_line(lf *f, const char *line, size_t n, int flags, uint64_t lineno, md_err *err)
{
    md_corr_ev ev;
    int fmt = MD_LOGFMT_OTHER;
    int64_t t = 0;
    /* lines that name no host (Exim's mainlog): --host, else "-" */
    const char *hname = f->ig->host && f->ig->host[0] ? f->ig->host : "-";
    size_t hn = strlen(hname);
    int parsed = adapt_line(f, line, n, &ev, &fmt, &t, &hname, &hn);
    if (flags & MD_LINE_CUT)
        warn_bad(f, lineno, "line longer than the limit, cut", line, n);
    else if (flags & MD_LINE_NUL)
        warn_bad(f, lineno, "line contains NUL bytes", line, n);
    else if (parsed < 0)
        warn_bad(f, lineno, "not a log line", line, n);
    int64_t hid;
    if (host_id(f, hname, hn, &hid, err) != MD_OK)
        return MD_ERR_DB;
    if (count_span(f, hid, fmt, t, err) != MD_OK)
        return MD_ERR_DB;
    if (fmt >= 0 && fmt < MD_LOGFMT_COUNT)
        f->ig->stats.by_format[fmt]++;
    if (parsed > 0 && feed(f, &ev, hid, hname, hn, lineno, err) != MD_OK)
        return err->code ? err->code : MD_ERR_DB;
    /* raw text, as read (a cut line is kept cut) */
    if (md_buf_append(&f->block, line, n) != MD_OK || md_buf_putc(&f->block, '\n') != MD_OK)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    if (!f->block_n)
        f->block_first = lineno;
    f->block_n++;
    if (t && (!f->block_tf || t < f->block_tf))
        f->block_tf = t;
    if (t > f->block_tl)
        f->block_tl = t;
    if (f->block.len >= MD_LOGFILE_BLOCK && flush_block(f, err) != MD_OK)
        return MD_ERR_DB;
    return MD_OK;
}

/* ---- how the source was read: again with another year or zone ------------- */

static const char *zone_of(const md_ingest *ig)
{
    return ig->cfg ? ig->cfg->timezone : "";
}

static int forget_source(md_ingest *ig, int64_t source_id, md_forget_counts *c, md_err *err);
static int rejoin(md_ingest *ig, int64_t source_id, uint64_t *n, md_err *err);

/* reread: a source read before with another --year or zone is forgotten
 * and read again (said through md_ingest_note); sets f->rec_year */
static int reread(lf *f, const char *fp, int *created, md_err *err)
{
    md_ingest *ig = f->ig;
    int year = 0, known = 0;
    char tz[64], why[200] = "";
    const char *zone = zone_of(ig);
    if (md_store_source_read_get(ig->store, f->src.id, &year, tz, sizeof tz, &known, err))
        return MD_ERR_DB;
    f->rec_year = ig->year ? ig->year : year;
    if (ig->year) {
        int was = year;
        int64_t tf = 0, tl = 0;
        if (!was && md_store_source_t_range(ig->store, f->src.id, &tf, &tl, err) == MD_OK && tf)
            was = md_yearcheck_local_year(tf);
        if (was && was != ig->year)
            snprintf(why, sizeof why, "year %d instead of %d", ig->year, was);
    }
    if (!why[0] && known && strcmp(tz, zone) != 0)
        snprintf(why, sizeof why, "zone %s instead of %s", zone[0] ? zone : "of the machine",
                 tz[0] ? tz : "of the machine");
    if (!why[0])
        return MD_OK;
    md_forget_counts c = {0};
    if (forget_source(ig, f->src.id, &c, err) != MD_OK)
        return err->code ? err->code : MD_ERR_DB;
    f->reread = 1;
    md_ingest_note(ig, f->path, "read again: %s (the %llu lines and %llu messages of the "
                   "earlier reading forgotten)", why, (unsigned long long)c.log_lines,
                   (unsigned long long)c.log_messages);
    return md_store_source_get(ig->store, fp, "log", f->path, &f->src, created, err);
}

int md_logfile_ingest(md_ingest *ig, md_input *in, const char *path, md_err *err)
{
    lf *f = calloc(1, sizeof *f);
    if (!f)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    f->ig = ig;
    f->in = in;
    f->path = path;
    md_store *st = ig->store;
    int rc = MD_OK, created = 0, in_tx = 0;
    char fp[64];
    rc = md_ingest_fingerprint(in, MD_KIND_LOG, fp, sizeof fp, err);
    if (rc == MD_ERR_NOTFOUND) { /* empty input, or no complete line */
        md_err_clear(err);
        free(f);
        return MD_OK;
    }
    if (rc != MD_OK)
        goto out;
    /* one log reader per store at a time: the source's progress and the
     * messages left open are read now and written back at the end */
    if ((rc = md_store_claim_logs(st, err)) != MD_OK)
        goto out;
    rc = md_store_source_get(st, fp, "log", path, &f->src, &created, err);
    if (rc == MD_OK && !created)
        rc = reread(f, fp, &created, err);
    else
        f->rec_year = ig->year;
    /* a file new to the store (also one forgotten before) may be older than
     * files read already: its open messages join their continuations */
    f->reread |= created;
    if (rc != MD_OK)
        goto out;
    if (f->src.lines_done) {
        rc = md_input_skip_lines(in, f->src.lines_done, err);
        if (rc < 0)
            goto out;
        if (md_input_lineno(in) < f->src.lines_done) {
            /* fewer lines than stored: the same first line, another file */
            ig->stats.files_unchanged++;
            rc = MD_OK;
            goto out;
        }
    }
    f->block_first = f->src.lines_done + 1;
    adapt_init(f);
    uint64_t commit_every = ig->commit_every ? ig->commit_every : MD_LOGFILE_COMMIT;
    rc = md_store_log_writer_open(st, &f->w, err);
    if (rc != MD_OK)
        goto out;
    rc = md_store_begin(st, err);
    if (rc != MD_OK)
        goto out;
    in_tx = 1;
    rc = md_store_source_read_set(st, f->src.id, f->rec_year, zone_of(ig), err);
    if (rc != MD_OK)
        goto out;
    rc = md_corr_open(&f->corr, st, f->w, err);
    if (rc != MD_OK)
        goto out;
    const char *line;
    size_t n;
    int flags;
    uint64_t lines0 = ig->stats.lines;
    int rd;
    while ((rd = md_input_getline(in, &line, &n, &flags, err)) == 1) {
        uint64_t lineno = md_input_lineno(in);
        ig->stats.lines++;
        ig->stats.lines_new++;
        if (!in_tx && (rc = md_store_begin(st, err)) != MD_OK)
            goto out;
        in_tx = 1;
        rc = take_line(f, line, n, flags, lineno, err);
        if (rc != MD_OK)
            goto out;
        /* a slice ends after commit_every lines, MD_LIMIT_SLICE_MS, or
         * when another command waits for the store */
        if (++f->since_commit >= commit_every ||
            ((lineno & 255) == 0 && md_store_slice_due(st))) {
            rc = checkpoint(f, lineno, 1, err);
            if (rc != MD_OK)
                goto out;
        } else if (md_input_would_block(in, 20)) {
            /* a pipe pauses: commit, and hold no lock while it waits (the
             * next line begins the next transaction) */
            rc = checkpoint(f, lineno, 0, err);
            in_tx = 0;
            if (rc != MD_OK)
                goto out;
        }
        if ((lineno & 1023) == 0)
            md_ingest_tick(ig, in);
    }
    /* rd == 0: the end; rd < 0: read error or truncated input: what was
     * read is kept, the error is returned for the walk to report */
    md_err keep = *err;
    if (ig->stats.lines == lines0 && rd == 0)
        ig->stats.files_unchanged++;
    if (!in_tx && (rc = md_store_begin(st, err)) != MD_OK)
        goto out;
    in_tx = 1;
    rc = checkpoint(f, md_input_lineno(in), 0, err);
    in_tx = 0;
    if (rc != MD_OK)
        goto out;
    if (f->reread) {
        uint64_t joined = 0;
        if ((rc = rejoin(ig, f->src.id, &joined, err)) != MD_OK)
            goto out;
    }
    const md_corr_stats *cs = md_corr_get_stats(f->corr);
    ig->stats.messages += cs->messages;
    ig->stats.deliveries += cs->deliveries;
    if (f->bad > MD_LOGFILE_WARN) {
        md_ingest_warn(ig, path, 0, "%llu more bad lines not shown one by one",
                       (unsigned long long)(f->bad - MD_LOGFILE_WARN));
        ig->stats.skipped--; /* that warning is no line of its own */
    }
    rc = md_store_log_resolve(st, NULL, err);
    if (rc == MD_OK && ig->stats.lines > lines0)
        rc = md_yearcheck_note(ig, f->src.id, md_input_mtime(in), err);
    if (rc == MD_OK && rd < 0) {
        *err = keep;
        rc = rd;
    }
out:
    if (in_tx)
        md_store_rollback(st);
    md_store_release_logs(st);
    md_corr_close(f->corr);
    md_store_log_writer_close(f->w);
    md_buf_free(&f->block);
    adapt_free(f);
    free(f);
    return rc;
}

/* ---- stored lines read again (forget.c) ------------------------------------ */

typedef struct replayer {
    lf f;
} replayer;

static int replay_open(replayer **out, md_ingest *ig, md_log_writer *w, md_corr *corr,
                       md_err *err)
{
    replayer *r = calloc(1, sizeof *r);
    *out = r;
    if (!r)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    r->f.ig = ig;
    r->f.w = w;
    r->f.corr = corr;
    r->f.src.id = -1;
    return MD_OK;
}

/* replay_line: line lineno of source_id, parsed in the years its source's
 * lines were stored in (year inference against the source's last time
 * t_last), to the correlator */
static int replay_line(replayer *r, int64_t source_id, int64_t t_last, uint64_t lineno,
                       const char *line, size_t n, md_err *err)
{
    lf *f = &r->f;
    if (source_id != f->src.id) {
        /* each line in the latest year that puts it at most a day after the
         * source's last stored time: the years it was read in */
        adapt *a = A(f);
        int force = f->ig->log_format ? md_logline_fmt_parse(f->ig->log_format) : -1;
        md_logctx_init(&a->ctx, 0, force);
        md_logctx_set_local(&a->ctx);
        if (t_last > 0)
            md_logctx_set_ref(&a->ctx, t_last);
        f->src.id = source_id;
    }
    md_corr_ev ev;
    int fmt = MD_LOGFMT_OTHER;
    int64_t t = 0, hid;
    const char *hname = f->ig->host && f->ig->host[0] ? f->ig->host : "-";
    size_t hn = strlen(hname);
    if (adapt_line(f, line, n, &ev, &fmt, &t, &hname, &hn) <= 0)
        return MD_OK;
    if (host_id(f, hname, hn, &hid, err) != MD_OK)
        return MD_ERR_DB;
    if (feed(f, &ev, hid, hname, hn, lineno, err) != MD_OK)
        return err->code ? err->code : MD_ERR_DB;
    return MD_OK;
}

static void replay_close(replayer *r)
{
    free(r);
}

/* ---- the other lines of the messages forgotten ----------------------------- */

typedef struct {
    int64_t order;         /* its source's first time: sources in time order */
    int64_t src;
    uint64_t line;
} kline;

typedef struct {
    kline *v;
    size_t n, cap;
    int oom;
} klines;

static int keep_line(void *arg, int64_t src, uint64_t line)
{
    klines *k = arg;
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 256;
        kline *v = realloc(k->v, cap * sizeof *v);
        if (!v) {
            k->oom = 1;
            return 1;
        }
        k->v = v;
        k->cap = cap;
    }
    k->v[k->n].order = 0;
    k->v[k->n].src = src;
    k->v[k->n++].line = line;
    return 0;
}

static int cmp_kline(const void *a, const void *b)
{
    const kline *x = a, *y = b;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    if (x->src != y->src)
        return x->src < y->src ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* sort_lines: the kept lines in reading order: sources by their first
 * time (a file read again has a new source id but its old place), lines in
 * order within each */
static int sort_lines(md_store *st, klines *k, md_err *err)
{
    if (k->oom)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    qsort(k->v, k->n, sizeof *k->v, cmp_kline); /* (orders 0: by source) */
    int64_t tf = 0, tl = 0;
    for (size_t i = 0; i < k->n; i++) {
        if ((!i || k->v[i].src != k->v[i - 1].src) &&
            md_store_source_t_range(st, k->v[i].src, &tf, &tl, err) != MD_OK)
            return MD_ERR_DB;
        k->v[i].order = tf;
    }
    qsort(k->v, k->n, sizeof *k->v, cmp_kline);
    return MD_OK;
}

/* a block of stored lines and a cursor in it */
typedef struct {
    md_buf buf;
    int64_t src;
    uint64_t first, nlines, at_line;
    size_t at_pos;
} blockcur;

/* line_text: line `line` of source src, from the store */
static int line_text(md_store *st, blockcur *b, int64_t src, uint64_t line, const char **p,
                     size_t *n, md_err *err)
{
    if (src != b->src || line < b->at_line || line >= b->first + b->nlines) {
        if (md_store_log_block_get(st, src, line, &b->buf, &b->first, &b->nlines, err) != MD_OK)
            return err->code ? err->code : MD_ERR_DB;
        b->src = src;
        b->at_line = b->first;
        b->at_pos = 0;
    }
    const char *d = b->buf.data;
    size_t len = b->buf.len;
    while (b->at_line < line && b->at_pos < len) {
        const char *nl = memchr(d + b->at_pos, '\n', len - b->at_pos);
        b->at_pos = nl ? (size_t)(nl - d) + 1 : len;
        b->at_line++;
    }
    const char *nl = memchr(d + b->at_pos, '\n', len - b->at_pos);
    *p = d + b->at_pos;
    *n = nl ? (size_t)(nl - *p) : len - b->at_pos;
    return MD_OK;
}

/* replay: read the kept lines again (sorted: per source, in order) */
static int replay(md_ingest *ig, klines *k, md_err *err)
{
    md_store *st = ig->store;
    md_log_writer *w = NULL;
    md_corr *corr = NULL;
    replayer *r = NULL;
    blockcur b = {{0}, -1, 0, 0, 0, 0};
    int rc = md_store_log_writer_open(st, &w, err);
    if (rc == MD_OK)
        rc = md_corr_open(&corr, st, w, err);
    if (rc == MD_OK)
        rc = replay_open(&r, ig, w, corr, err);
    int64_t tf = 0, tl = 0, src = -1;
    for (size_t i = 0; rc == MD_OK && i < k->n; i++) {
        if (i && k->v[i].src == k->v[i - 1].src && k->v[i].line == k->v[i - 1].line)
            continue;
        if (k->v[i].src != src) {
            src = k->v[i].src;
            rc = md_store_source_t_range(st, src, &tf, &tl, err);
        }
        const char *p;
        size_t n;
        if (rc == MD_OK)
            rc = line_text(st, &b, src, k->v[i].line, &p, &n, err);
        if (rc == MD_OK)
            rc = replay_line(r, src, tl, k->v[i].line, p, n, err);
    }
    if (rc == MD_OK)
        rc = md_corr_checkpoint(corr, err);
    replay_close(r);
    md_corr_close(corr);
    md_store_log_writer_close(w);
    md_buf_free(&b.buf);
    return rc;
}

int md_logfile_forget_marked(md_ingest *ig, md_forget_counts *c, md_err *err)
{
    klines k = {NULL, 0, 0, 0};
    int rc = md_store_forget_log(ig->store, keep_line, &k, c, err);
    if (rc == MD_OK)
        rc = md_store_forget_marked(ig->store, c, err);
    if (rc == MD_OK && k.n && (rc = sort_lines(ig->store, &k, err)) == MD_OK)
        rc = replay(ig, &k, err);
    free(k.v);
    if (rc == MD_OK)
        rc = md_store_log_resolve(ig->store, NULL, err);
    return rc;
}

/* forget_source: md_logfile_forget_marked for one source, in a transaction
 * of its own (the log claim held) */
static int forget_source(md_ingest *ig, int64_t source_id, md_forget_counts *c, md_err *err)
{
    md_store *st = ig->store;
    int rc = md_store_begin_nofk(st, err);
    if (rc != MD_OK)
        return rc;
    if ((rc = md_store_forget_begin(st, err)) == MD_OK &&
        (rc = md_store_forget_mark(st, source_id, err)) == MD_OK &&
        (rc = md_logfile_forget_marked(ig, c, err)) == MD_OK)
        return md_store_commit(st, err);
    md_store_rollback(st);
    return rc;
}

/* rejoin: after a source was read again (another year or zone), its
 * messages left open are read again together with their continuations in
 * other files (md_store_forget_join), as a first ingest in order joins
 * them; one transaction.  *n: the messages joined. */
static int rejoin(md_ingest *ig, int64_t source_id, uint64_t *n, md_err *err)
{
    md_store *st = ig->store;
    klines k = {NULL, 0, 0, 0};
    int rc = md_store_begin_nofk(st, err);
    if (rc != MD_OK)
        return rc;
    if ((rc = md_store_forget_begin(st, err)) == MD_OK &&
        (rc = md_store_forget_join(st, source_id, MD_CORR_IDLE_SECS, keep_line, &k, n,
                                   err)) == MD_OK &&
        *n && (rc = sort_lines(st, &k, err)) == MD_OK)
        rc = replay(ig, &k, err);
    free(k.v);
    if (rc == MD_OK)
        return md_store_commit(st, err);
    md_store_rollback(st);
    return rc;
}
