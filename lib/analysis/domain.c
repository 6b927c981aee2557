/* domain.c: the report of one sending domain (domain.h): daily volume to
 * Microsoft's consumer domains against the 5,000-a-day rule, Outlook.com's
 * DMARC results, the 5.7.515 refusals.  Reads the store (store_domain.h);
 * never prints. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "analysis/domain.h"
#include "base/buf.h"
#include "base/input.h"
#include "base/md_limits.h"
#include "parse/reply.h"
#include "store/store_domain.h"
#include "store/store_log.h"

int md_domain_matches(const char *addr, const char *domain)
{
    if (!addr || !domain || !domain[0])
        return 0;
    const char *at = strrchr(addr, '@');
    const char *d = at ? at + 1 : addr;
    size_t n = strlen(d), k = strlen(domain);
    while (n && (d[n - 1] == '>' || d[n - 1] == '.'))
        n--;
    if (n < k || strncasecmp(d + n - k, domain, k) != 0)
        return 0;
    return n == k || d[n - k - 1] == '.';
}

/* the walk over the deliveries to Microsoft */
typedef struct walk {
    md_domain_report *r;
    size_t cap_days, cap_ref;
    int64_t *ids;               /* message ids of the current day */
    size_t nids, cap_ids;
} walk;

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* close_day: count the distinct messages of the last day */
static void close_day(walk *w)
{
    if (!w->r->ndays || !w->nids)
        return;
    qsort(w->ids, w->nids, sizeof *w->ids, cmp_i64);
    uint64_t n = 1;
    for (size_t i = 1; i < w->nids; i++)
        n += w->ids[i] != w->ids[i - 1];
    w->r->days[w->r->ndays - 1].messages = n;
    w->nids = 0;
}

static md_domain_day *day_at(walk *w, int64_t day)
{
    md_domain_report *r = w->r;
    if (r->ndays && r->days[r->ndays - 1].day == day)
        return &r->days[r->ndays - 1];
    close_day(w);
    md_domain_day *p = md_grow(r->days, &w->cap_days, r->ndays + 1, sizeof *p, 32);
    if (!p)
        return NULL;
    r->days = p;
    memset(&p[r->ndays], 0, sizeof *p);
    p[r->ndays].day = day;
    return &p[r->ndays++];
}

static const char *domain_of(const char *addr)
{
    const char *at = strrchr(addr, '@');
    return at ? at + 1 : addr;
}

/* add_refusal: one 5.7.515 refusal, kept while there is room */
static int add_refusal(walk *w, const md_domain_515 *x, md_err *err)
{
    md_domain_report *r = w->r;
    r->refusals_total++;
    if (r->nrefusals >= MD_DOMAIN_515_KEPT)
        return MD_OK;
    md_domain_515 *p = md_grow(r->refusals, &w->cap_ref, r->nrefusals + 1, sizeof *p, 8);
    if (!p)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    r->refusals = p;
    p[r->nrefusals++] = *x;
    return MD_OK;
}

static int on_dlv(void *arg, const md_domain_dlv *d, md_err *err)
{
    walk *w = arg;
    if (!md_domain_matches(d->sender, w->r->domain))
        return MD_OK;
    const char *rd = domain_of(d->rcpt);
    if (!md_reply_is_ms_consumer_domain(rd, strlen(rd)))
        return MD_OK;
    md_domain_day *day = day_at(w, d->t - ((d->t % 86400) + 86400) % 86400);
    int64_t *ids = day ? md_grow(w->ids, &w->cap_ids, w->nids + 1, sizeof *ids, 256) : NULL;
    if (!ids)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    w->ids = ids;
    w->ids[w->nids++] = d->msg_id;
    day->attempts++;
    if (d->outcome == MD_OUTCOME_MS_ACCEPTED)
        day->accepted++;
    else if (d->outcome == MD_OUTCOME_DEFERRED)
        day->deferred++;
    else if (d->outcome == MD_OUTCOME_BOUNCED || d->outcome == MD_OUTCOME_REJECTED ||
             d->outcome == MD_OUTCOME_EXPIRED)
        day->bounced++;
    md_domain_515 x;
    memset(&x, 0, sizeof x);
    md_reply515_parse(d->reply, strlen(d->reply), &x.r);
    if (!x.r.is515 && strcmp(d->dsn, "5.7.515") != 0)
        return MD_OK;
    x.t = d->t;
    x.from_log = 1;
    snprintf(x.where, sizeof x.where, "%.500s:%llu", d->file, (unsigned long long)d->lineno);
    snprintf(x.rcpt_domain, sizeof x.rcpt_domain, "%s", rd);
    snprintf(x.text, sizeof x.text, "%s", d->reply);
    return add_refusal(w, &x, err);
}

/* stored bounces naming 5.7.515: those whose text names the domain, or,
 * naming none, that went to an address of it */
static int stored_refusals(md_store *st, walk *w, int64_t since, int64_t until, md_err *err)
{
    md_domain_dsn *ds = NULL;
    size_t n = 0;
    int rc = md_store_domain_dsn_515(st, since, until, &ds, &n, err);
    for (size_t i = 0; rc == MD_OK && i < n; i++) {
        md_domain_515 x;
        memset(&x, 0, sizeof x);
        md_reply515_parse(ds[i].diag, strlen(ds[i].diag), &x.r);
        if (x.r.domain[0] ? !md_domain_matches(x.r.domain, w->r->domain)
                          : !md_domain_matches(ds[i].to, w->r->domain))
            continue;
        x.t = ds[i].t;
        snprintf(x.where, sizeof x.where, "%.500s", ds[i].path);
        snprintf(x.rcpt_domain, sizeof x.rcpt_domain, "%.255s", domain_of(ds[i].rcpt));
        snprintf(x.text, sizeof x.text, "%.1023s", ds[i].diag);
        rc = add_refusal(w, &x, err);
    }
    free(ds);
    return rc;
}

static int cmp_day(const void *a, const void *b)
{
    const md_domain_day *x = a, *y = b;
    return x->day < y->day ? -1 : x->day > y->day;
}

static int cmp_515(const void *a, const void *b)
{
    const md_domain_515 *x = a, *y = b;
    return x->t < y->t ? -1 : x->t > y->t;
}

/* day_of: "YYYY-MM-DD" -> 00:00 UTC (days from the civil date); -1 bad */
static int64_t day_of(const char *s)
{
    int y, m, d;
    if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (era * 146097 + doe - 719468) * 86400;
}

/* merge Outlook.com's DMARC days into the volume days */
static int merge_dmarc(md_store *st, walk *w, int64_t since, int64_t until, md_err *err)
{
    md_domain_dmarc_day *dm = NULL;
    size_t n = 0;
    int rc = md_store_domain_dmarc(st, w->r->domain, since, until, &dm, &n, err);
    for (size_t i = 0; rc == MD_OK && i < n; i++) {
        int64_t day = day_of(dm[i].day);
        if (day < 0)
            continue;
        md_domain_day *d = NULL;
        for (size_t k = 0; k < w->r->ndays && !d; k++)
            if (w->r->days[k].day == day)
                d = &w->r->days[k];
        if (!d) {
            md_domain_day *p = md_grow(w->r->days, &w->cap_days, w->r->ndays + 1, sizeof *p, 32);
            if (!p) {
                rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
                break;
            }
            w->r->days = p;
            d = &p[w->r->ndays++];
            memset(d, 0, sizeof *d);
            d->day = day;
        }
        d->has_dmarc = 1;
        d->dm_reports += dm[i].reports;
        d->dm_messages += dm[i].messages;
        d->dm_pass += dm[i].pass;
        d->dm_dkim += dm[i].dkim_pass;
        d->dm_spf += dm[i].spf_pass;
    }
    free(dm);
    return rc;
}

static int domain_ok(const char *d, char *out, size_t n)
{
    size_t k = d ? strlen(d) : 0;
    if (!k || k >= n || d[0] == '.' || d[k - 1] == '.')
        return 0;
    for (size_t i = 0; i < k; i++) {
        unsigned char c = (unsigned char)d[i];
        if (!isalnum(c) && c != '.' && c != '-' && c != '_')
            return 0;
        out[i] = (char)tolower(c);
    }
    out[k] = '\0';
    return 1;
}

int md_analysis_domain(md_store *st, const char *domain, int64_t since, int64_t until,
                       md_domain_report *r, md_err *err)
{
    memset(r, 0, sizeof *r);
    if (!domain_ok(domain, r->domain, sizeof r->domain))
        return md_err_set(err, MD_ERR_ARG, "'%s' is not a domain name", domain ? domain : "");
    walk w;
    memset(&w, 0, sizeof w);
    w.r = r;
    int rc = md_store_domain_ms_dlvs(st, since, until, on_dlv, &w, err);
    close_day(&w);
    free(w.ids);
    if (rc == MD_OK)
        rc = stored_refusals(st, &w, since, until, err);
    if (rc == MD_OK)
        rc = merge_dmarc(st, &w, since, until, err);
    if (rc != MD_OK) {
        md_analysis_domain_free(r);
        return rc;
    }
    if (r->ndays > 1)
        qsort(r->days, r->ndays, sizeof *r->days, cmp_day);
    if (r->nrefusals > 1)
        qsort(r->refusals, r->nrefusals, sizeof *r->refusals, cmp_515);
    for (size_t i = 0; i < r->ndays; i++) {
        md_domain_day *d = &r->days[i];
        d->over = d->messages > MD_MS_BULK_THRESHOLD;
        r->days_over += (uint64_t)d->over;
        if (d->messages > r->max_messages)
            r->max_messages = d->messages;
    }
    return MD_OK;
}

void md_analysis_domain_free(md_domain_report *r)
{
    if (!r)
        return;
    free(r->days);
    free(r->refusals);
    r->days = NULL;
    r->refusals = NULL;
    r->ndays = r->nrefusals = 0;
}

/* dns_wanted: r is an SPF record of domain (or below) or its DMARC record */
static int dns_wanted(const md_dns_record *r, const char *domain)
{
    if (r->kind == MD_DNS_SPF)
        return md_domain_matches(r->name, domain);
    return strncmp(r->name, "_dmarc.", 7) == 0 && md_domain_matches(r->name + 7, domain);
}

int md_analysis_domain_dns(const char *path, const char *domain, md_dns_export *out,
                           md_err *err)
{
    memset(out, 0, sizeof *out);
    md_input *in = NULL;
    md_buf b = MD_BUF_INIT;
    int rc = md_input_open(&in, path, err);
    if (rc == MD_OK)
        rc = md_input_slurp(in, &b, MD_LIMIT_DNS_EXPORT, err);
    md_input_close(in);
    md_err why = {0, ""};
    if (rc == MD_OK && md_dns_export_parse(b.data ? b.data : "", b.len, out, &why) != MD_OK)
        rc = md_err_set(err, MD_ERR_PARSE, "%s: %s", path, why.msg);
    md_buf_free(&b);
    if (rc != MD_OK)
        return rc;
    size_t k = 0;
    for (size_t i = 0; i < out->n; i++)
        if (dns_wanted(&out->rec[i], domain))
            out->rec[k++] = out->rec[i];
    out->n = k;
    return MD_OK;
}
