/* coverage.c: which hosts' logs cover a ticket's window (the evidence
 * coverage of the dossier, dossier.xsd's evidence-span), so that a negative
 * verdict ("never reached our servers") is given only when the logs could
 * have shown the message.  Part of the ticket analysis (analysis_int.h).
 *
 * The hosts that would have seen a message to a ticket address: every
 * syslog host named in a configured host's loghosts, and every host that
 * has log lines in the store at all (the mail hosts whose logs the site
 * reads).  Configured hosts without loghosts and without lines of their
 * own are listed as "no logs stored" but not expected: their logs are not
 * read (webmail, the mail store ...).
 *
 * The part of the window checked is [since, min(until, generation time)].
 * A host that relays mail logs every few minutes, so for each expected host
 * a stretch of more than gap_hours ([logs] gap_hours, MD_COVER_GAP_HOURS)
 * without one of its lines is missing logs: before its first line in the
 * window, between two lines, or after its last one.  The counts come per
 * host and UTC hour (store_cover.h): first and last are real line times;
 * at an edge of the window that falls inside an hour, that hour's lines
 * count whole.  Reads the store, never writes or prints.
 */
#include "dossier/analysis_int.h"
#include "store/store_cover.h"

static cover_host *host_find(cover *cv, const char *name)
{
    for (size_t i = 0; i < cv->n; i++)
        if (strcasecmp(cv->h[i].name, name) == 0)
            return &cv->h[i];
    return NULL;
}

/* the stored host a configured loghost names: the same name, or a dotted
 * name whose first label it is (as md_config_host_by_loghost matches) */
static cover_host *host_stored(cover *cv, const char *name, size_t len)
{
    for (size_t i = 0; i < cv->n; i++)
        if (cv->h[i].stored && strncasecmp(cv->h[i].name, name, len) == 0 &&
            (cv->h[i].name[len] == '\0' || cv->h[i].name[len] == '.'))
            return &cv->h[i];
    return NULL;
}

static cover_host *host_add(cover *cv, const char *name, size_t len)
{
    char nm[sizeof cv->h[0].name];
    snprintf(nm, sizeof nm, "%.*s", (int)(len < sizeof nm ? len : sizeof nm - 1), name);
    cover_host *h = host_find(cv, nm);
    if (h)
        return h;
    void *na = md_grow(cv->h, &cv->cap, cv->n + 1, sizeof *cv->h, 16);
    if (!na)
        return NULL;
    cv->h = na;
    h = &cv->h[cv->n++];
    memset(h, 0, sizeof *h);
    memcpy(h->name, nm, strlen(nm) + 1);
    return h;
}

static int on_host(void *arg, const md_cover_hostrow *r)
{
    cover *cv = arg;
    cover_host *h = host_add(cv, r->host, strlen(r->host));
    if (!h)
        return cv->oom = 1;
    h->stored = h->expected = 1;
    h->unhourly = r->lines_hourly < r->lines;
    if (r->t_first && (!cv->s_first || r->t_first < cv->s_first))
        cv->s_first = r->t_first;
    if (r->t_last > cv->s_last)
        cv->s_last = r->t_last;
    cv->s_lines += r->lines;
    return 0;
}

static void gap_add(cover_host *h, int64_t from, int64_t to)
{
    if (h->ngaps < MD_COVER_GAPS_SHOWN) {
        h->gaps[h->ngaps].from = from;
        h->gaps[h->ngaps].to = to;
    }
    h->ngaps++;
}

/* one hour of one host: its lines, its first and last line in the window,
 * and the gap before it */
static int on_hour(void *arg, const md_cover_hourrow *r)
{
    cover *cv = arg;
    cover_host *h = host_find(cv, r->host);
    if (!h || r->t_last < cv->from || r->t_first > cv->to)
        return 0;
    int64_t tf = r->t_first >= cv->from ? r->t_first : r->t_last;
    int64_t tl = r->t_last <= cv->to ? r->t_last : r->t_first;
    int64_t prev = h->first ? h->last : cv->from;
    if (tf - prev > cv->gap)
        gap_add(h, prev, tf);
    if (!h->first)
        h->first = tf;
    if (tl > h->last)
        h->last = tl;
    h->lines += r->lines;
    return 0;
}

/* the configured hosts: their loghosts expected, the others listed */
static int cover_config(ctx *c, cover *cv)
{
    for (size_t k = 0; k < c->cfg->nhosts; k++) {
        const md_host *mh = &c->cfg->hosts[k];
        const char *p = mh->loghosts;
        int any = 0;
        while (*p) {
            size_t n = strcspn(p, ",");
            const char *s = p, *e = p + n;
            while (s < e && isspace((unsigned char)*s))
                s++;
            while (e > s && isspace((unsigned char)e[-1]))
                e--;
            if (e > s) {
                cover_host *h = host_stored(cv, s, (size_t)(e - s));
                if (!h)
                    h = host_add(cv, s, (size_t)(e - s));
                if (!h)
                    return MD_ERR_NOMEM;
                h->expected = 1;
                h->cfg = mh;
                any = 1;
            }
            p += n + (p[n] == ',');
        }
        int seen = any;
        for (size_t i = 0; i < cv->n && !seen; i++)
            seen = cv->h[i].stored && md_config_host_by_loghost(c->cfg, cv->h[i].name) == mh;
        if (seen || host_find(cv, mh->name))
            continue;
        cover_host *h = host_add(cv, mh->name, strlen(mh->name));
        if (!h)
            return MD_ERR_NOMEM;
        h->cfg = mh;
    }
    return MD_OK;
}

int md_an_cover_read(ctx *c)
{
    cover *cv = &c->cov;
    md_err e = {0, ""};
    int64_t now = c->o->now ? c->o->now : (int64_t)time(NULL);
    cv->from = c->o->since;
    cv->to = c->o->until && c->o->until < now ? c->o->until : now;
    cv->gap = (int64_t)(c->cfg->gap_hours > 0 ? c->cfg->gap_hours : MD_COVER_GAP_HOURS) * 3600;
    if (md_store_cover_hosts(c->st, on_host, cv, &e) != MD_OK)
        return md_err_set(c->err, e.code ? e.code : MD_ERR_DB, "%s", e.msg);
    if (cv->oom || cover_config(c, cv) != MD_OK)
        return md_err_set(c->err, MD_ERR_NOMEM, "out of memory");
    if (md_store_cover_hours(c->st, cv->from, cv->to, on_hour, cv, &e) != MD_OK)
        return md_err_set(c->err, e.code ? e.code : MD_ERR_DB, "%s", e.msg);
    cv->complete = cv->to > cv->from;
    size_t nexp = 0;
    for (size_t i = 0; i < cv->n; i++) {
        cover_host *h = &cv->h[i];
        if (!h->expected)
            continue;
        nexp++;
        if (!h->first)
            gap_add(h, cv->from, cv->to);
        else if (cv->to - h->last > cv->gap)
            gap_add(h, h->last, cv->to);
        if (h->ngaps || h->unhourly)
            cv->complete = 0;
    }
    if (!nexp)
        cv->complete = 0;
    cv->read = 1;
    return MD_OK;
}

void md_an_cover_free(cover *cv)
{
    free(cv->h);
    memset(cv, 0, sizeof *cv);
}

size_t md_an_cover_short(const ctx *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->cov.n; i++)
        n += c->cov.h[i].expected && (c->cov.h[i].ngaps || c->cov.h[i].unhourly);
    return n;
}

#define UNHOURLY "some of its lines were stored before maildossier counted lines per hour " \
                 "(store schema 5): ingest its logs into a new store"

/* why a host has no line in the window */
static const char *host_none(const cover_host *h)
{
    if (!h->stored)
        return h->expected ? "no logs stored" : "no logs stored; not expected (no loghosts declared)";
    if (h->unhourly)
        return "hours unknown: " UNHOURLY;
    return "no log lines in the window";
}

/* one host's missing hours in words: "none before X, none from A to B" */
static void host_missing(const cover *cv, const cover_host *h, md_buf *out)
{
    char a[32], b[32];
    if (!h->stored || !h->first) {
        md_buf_puts(out, host_none(h));
        return;
    }
    size_t shown = h->ngaps < MD_COVER_GAPS_SHOWN ? h->ngaps : MD_COVER_GAPS_SHOWN;
    for (size_t k = 0; k < shown; k++) {
        const cover_gap *g = &h->gaps[k];
        md_buf_puts(out, k ? ", " : "");
        if (g->from == cv->from)
            md_buf_printf(out, "none before %s", md_an_fmt_short(g->to, a, sizeof a));
        else if (g->to == cv->to)
            md_buf_printf(out, "none after %s", md_an_fmt_short(g->from, a, sizeof a));
        else
            md_buf_printf(out, "none from %s to %s", md_an_fmt_short(g->from, a, sizeof a),
                          md_an_fmt_short(g->to, b, sizeof b));
    }
    if (h->ngaps > shown)
        md_buf_printf(out, " and %zu more gap%s", h->ngaps - shown, h->ngaps - shown == 1 ? "" : "s");
    if (h->unhourly)
        md_buf_puts(out, "; other hours unknown: " UNHOURLY);
}

void md_an_cover_missing(const ctx *c, md_buf *out)
{
    const cover *cv = &c->cov;
    char a[32], b[32];
    int any_line = 0;
    for (size_t i = 0; i < cv->n; i++)
        any_line |= cv->h[i].first != 0 || cv->h[i].unhourly;
    if (!cv->s_lines) {
        md_buf_puts(out, "the store holds no log lines");
        return;
    }
    if (!any_line) {
        md_buf_printf(out, "no log lines at all in the window: the store holds log lines of %s "
                           "to %s only (were the logs read with the right --year?)",
                      md_an_fmt_day(cv->s_first, a, sizeof a), md_an_fmt_day(cv->s_last, b, sizeof b));
        return;
    }
    int first = 1;
    for (size_t i = 0; i < cv->n; i++) {
        const cover_host *h = &cv->h[i];
        if (!h->expected || (!h->ngaps && !h->unhourly))
            continue;
        md_buf_printf(out, "%s%s: ", first ? "" : "; ", h->name);
        host_missing(cv, h, out);
        first = 0;
    }
}

/* the evidence-span element: per host its lines in the window, then the
 * rule and the missing hours once */
void md_an_build_coverage(ctx *c, xmlNode *parent)
{
    const cover *cv = &c->cov;
    /* what the notes rest on: the log area of the store, and for the rule
     * the configuration's gap_hours and loghosts */
    char cb[24];
    md_buf rule = MD_BUF_INIT;
    const char *logs = md_an_cite1(md_srcs_store(c->src, "logs"), cb, sizeof cb);
    md_cite_add(&rule, md_srcs_store(c->src, "logs"));
    md_cite_add(&rule, md_srcs_config(c->src, "[logs] gap_hours"));
    xmlNode *span = md_an_el(parent, "evidence-span");
    xmlNewProp(span, BX "complete", BX (cv->complete ? "true" : "false"));
    char gh[24];
    snprintf(gh, sizeof gh, "%lld", (long long)(cv->gap / 3600));
    xmlNewProp(span, BX "gap-hours", BX gh);
    for (size_t i = 0; i < cv->n; i++) {
        const cover_host *h = &cv->h[i];
        xmlNode *x = md_an_el(span, "host");
        xmlNewProp(x, BX "expected", BX (h->expected ? "true" : "false"));
        md_an_txt(x, "name", h->name);
        if (h->first) {
            md_an_time_el(x, "first", h->first);
            md_an_time_el(x, "last", h->last);
        }
        md_an_txtf(x, "lines", "%llu", (unsigned long long)h->lines);
        size_t shown = h->ngaps < MD_COVER_GAPS_SHOWN ? h->ngaps : MD_COVER_GAPS_SHOWN;
        for (size_t k = 0; k < shown && h->first; k++) {
            xmlNode *g = md_an_el(x, "gap");
            md_an_time_el(g, "from", h->gaps[k].from);
            md_an_time_el(g, "to", h->gaps[k].to);
        }
        if (!h->first)
            md_cite_set(md_an_txt(x, "note", host_none(h)), logs);
    }
    md_buf b = MD_BUF_INIT;
    char t1[32], t2[32];
    md_buf_printf(&b, "Checked: %s to %s. Expected are the hosts named in the configuration's "
                      "loghosts and every host with log lines in the store; more than %lld hours "
                      "without a line of such a host count as missing logs.",
                  md_an_fmt_short(cv->from, t1, sizeof t1), md_an_fmt_short(cv->to, t2, sizeof t2),
                  (long long)(cv->gap / 3600));
    md_an_claim(span, "note", md_buf_cstr(&b), md_buf_cstr(&rule));
    md_buf_reset(&b);
    if (cv->complete) {
        md_buf_puts(&b, "The logs of every expected host cover the window.");
    } else {
        md_buf_puts(&b, "Missing logs: ");
        md_an_cover_missing(c, &b);
        md_buf_putc(&b, '.');
    }
    md_an_claim(span, "note", md_buf_cstr(&b), logs);
    md_buf_free(&b);
    md_buf_free(&rule);
}
