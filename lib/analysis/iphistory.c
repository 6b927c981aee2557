/* iphistory.c: an IP's history (failures day by day, tickets, requests,
 * Microsoft's answers) and the list of IPs with open problems.  Part of
 * the ticket analysis (analysis_int.h).  Never prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "analysis/iphistory.h"
#include "parse/msreply.h"
#include "parse/reply.h"
#include "base/text.h"
#include "analysis/trace.h"

/* ======================================================================
 * IP history and status
 * ====================================================================== */

const char *md_ip_state_name(md_ip_state s)
{
    switch (s) {
    case MD_IPSTATE_RESOLVED: return "mitigated";
    case MD_IPSTATE_OPEN: return "open";
    case MD_IPSTATE_RECURRENCE: return "recurrence";
    default: return "quiet";
    }
}

static int mitigation(const char *outcome)
{
    int o = md_msreply_outcome_parse(outcome);
    return o == MD_MSR_COND_MITIGATED || o == MD_MSR_MITIGATED || o == MD_MSR_THROTTLING_RAISED;
}


static md_ip_day *day_get(md_ip_history *h, int64_t day, size_t *cap)
{
    day = md_text_local_midnight(day);
    for (size_t i = 0; i < h->ndays; i++)
        if (h->days[i].day == day)
            return &h->days[i];
    md_ip_day *p = md_grow(h->days, cap, h->ndays + 1, sizeof *p, 32);
    if (!p)
        return NULL;
    h->days = p;
    md_ip_day *d = &h->days[h->ndays++];
    memset(d, 0, sizeof *d);
    d->day = day;
    return d;
}

static int cmp_day(const void *a, const void *b)
{
    const md_ip_day *x = a, *y = b;
    return x->day < y->day ? -1 : x->day > y->day;
}

/* a failure at t (day granularity when exact is 0) */
static void failure_at(md_ip_history *h, int64_t t, uint64_t n)
{
    if (!n)
        return;
    h->failures += n;
    if (!h->first_failure || t < h->first_failure)
        h->first_failure = t;
    if (t > h->last_failure)
        h->last_failure = t;
}

int md_analysis_ip_history(md_store *st, const md_config *cfg, const char *ipstr,
                           md_ip_history *h, md_err *err)
{
    memset(h, 0, sizeof *h);
    md_ip ip;
    if (!ipstr || md_ip_parse(&ip, ipstr, strlen(ipstr)) != MD_OK)
        return md_err_set(err, MD_ERR_ARG, "%s: not an IP address", ipstr ? ipstr : "");
    md_ip_format(&ip, h->ip, sizeof h->ip);
    const md_host *host = md_config_host(cfg, &ip);
    if (host) {
        snprintf(h->host, sizeof h->host, "%s", host->name);
        snprintf(h->role, sizeof h->role, "%s", host->role);
    }
    size_t cap = 0;
    int rc;
    /* deliveries to Microsoft from the hosts that send from this IP */
    md_trace_daily *dl = NULL;
    size_t nd = 0;
    if ((rc = md_trace_ms_daily(st, 0, 0, &dl, &nd, err)) != MD_OK)
        return rc;
    for (size_t i = 0; i < nd; i++) {
        const md_host *hh = md_config_host_by_loghost(cfg, dl[i].host);
        if (!hh || hh != host)
            continue;
        md_ip_day *d = day_get(h, dl[i].day, &cap);
        if (!d)
            break;
        d->attempts += dl[i].attempts;
        d->accepted += dl[i].accepted;
        d->deferred += dl[i].deferred;
        d->bounced += dl[i].bounced;
        /* a failed day counts at its end: the exact time is not known */
        failure_at(h, d->day + 86399, dl[i].deferred + dl[i].bounced);
    }
    free(dl);
    /* failures in which Microsoft named this IP (any host) */
    md_trace_result *tr = NULL;
    const char *one[1] = {h->ip};
    md_trace_query q;
    memset(&q, 0, sizeof q);
    q.ips = one;
    q.nips = 1;
    q.no_lines = 1;
    q.no_follow = 1;
    if ((rc = md_trace_run(st, &q, &tr, err)) != MD_OK) {
        md_analysis_ip_history_free(h);
        return rc;
    }
    for (size_t i = 0; i < tr->nmsgs; i++) {
        const md_trace_msg *m = &tr->msgs[i];
        for (size_t k = 0; k < m->ndlvs; k++) {
            const md_trace_dlv *dv = &m->dlvs[k];
            char canon[MD_IP_STRLEN];
            md_ip_canon_str(dv->named_ip, canon);
            if (strcmp(canon, h->ip) != 0 || dv->outcome == MD_OUTCOME_MS_ACCEPTED ||
                dv->outcome == MD_OUTCOME_DELIVERED || dv->outcome == MD_OUTCOME_RELAYED ||
                md_reply_reason_recipient(md_reply_reason_parse(dv->reason)))
                continue;   /* not a failure of this IP */
            md_ip_day *d = day_get(h, dv->t, &cap);
            if (!d)
                break;
            d->named++;
            /* when the sending host is this IP the daily counts hold it already */
            const md_host *hh = md_config_host_by_loghost(cfg, m->host);
            failure_at(h, dv->t, hh == host ? 0 : 1);
            if (hh == host && dv->t > h->last_failure)
                h->last_failure = dv->t;
        }
    }
    md_trace_free(tr);
    /* tickets that found it affected */
    if ((rc = md_store_case_ip_tickets(st, h->ip, &h->tickets, &h->ntickets, err)) != MD_OK ||
        (rc = md_store_rep_ip_days(st, h->ip, 0, 0, &h->rep, &h->nrep, err)) != MD_OK ||
        (rc = md_store_rep_ip_dmarc(st, h->ip, 0, 0, &h->dmarc, &h->ndmarc, err)) != MD_OK ||
        (rc = md_store_case_requests(st, h->ip, &h->requests, &h->nrequests, err)) != MD_OK ||
        (rc = md_store_case_answers(st, h->ip, &h->answers, &h->nanswers, err)) != MD_OK) {
        md_analysis_ip_history_free(h);
        return rc;
    }
    for (size_t i = 0; i < h->ntickets; i++) {
        const md_case_ticket_ip *r = &h->tickets[i].rec;
        md_ip_day *d = day_get(h, r->last_seen ? r->last_seen : r->first_seen, &cap);
        if (d)
            d->tickets++;
        if (r->failures) {
            failure_at(h, r->first_seen ? r->first_seen : r->last_seen, r->failures);
            if (r->last_seen > h->last_failure)
                h->last_failure = r->last_seen;
        }
    }
    if (h->ndays > 1)
        qsort(h->days, h->ndays, sizeof *h->days, cmp_day);
    /* answers: the latest, the latest mitigation */
    for (size_t i = 0; i < h->nanswers; i++) {
        const md_case_answer *a = &h->answers[i];
        snprintf(h->last_answer, sizeof h->last_answer, "%s", a->outcome);
        h->last_answer_date = a->date;
        if (mitigation(a->outcome))
            h->last_mitigation = a->date;
    }
    /* state: recurrence = a failure after the first mitigation */
    int64_t first_mitigation = 0;
    for (size_t i = 0; i < h->nanswers; i++)
        if (mitigation(h->answers[i].outcome)) {
            first_mitigation = h->answers[i].date;
            break;
        }
    if (!h->failures) {
        h->state = MD_IPSTATE_QUIET;
    } else if (first_mitigation && h->last_failure > first_mitigation) {
        /* first failure after the first mitigation */
        int64_t t = 0;
        for (size_t i = 0; i < h->ndays; i++) {
            const md_ip_day *d = &h->days[i];
            if ((d->deferred || d->bounced || d->named) && d->day + 86399 > first_mitigation) {
                t = d->day > first_mitigation ? d->day : first_mitigation;
                break;
            }
        }
        for (size_t i = 0; i < h->ntickets; i++) {
            const md_case_ticket_ip *r = &h->tickets[i].rec;
            if (r->failures && r->last_seen > first_mitigation && (!t || r->last_seen < t))
                t = r->last_seen;
        }
        h->recurrence_at = t ? t : h->last_failure;
        h->state = h->last_mitigation > h->last_failure ? MD_IPSTATE_RESOLVED
                                                        : MD_IPSTATE_RECURRENCE;
    } else if (h->last_mitigation && h->last_mitigation >= h->last_failure) {
        h->state = MD_IPSTATE_RESOLVED;
    } else {
        h->state = MD_IPSTATE_OPEN;
    }
    return MD_OK;
}

void md_analysis_ip_history_free(md_ip_history *h)
{
    if (!h)
        return;
    free(h->days);
    free(h->tickets);
    free(h->requests);
    free(h->answers);
    free(h->rep);
    free(h->dmarc);
    h->rep = NULL;
    h->dmarc = NULL;
    h->nrep = h->ndmarc = 0;
    h->days = NULL;
    h->tickets = NULL;
    h->requests = NULL;
    h->answers = NULL;
    h->ndays = h->ntickets = h->nrequests = h->nanswers = 0;
}

int md_ip_history_known(const md_ip_history *h)
{
    return h->ndays || h->ntickets || h->nrequests || h->nanswers || h->nrep || h->ndmarc;
}

static int cmp_status(const void *a, const void *b)
{
    const md_ip_history *x = a, *y = b;
    if (x->state != y->state)
        return x->state > y->state ? -1 : 1;
    if (x->last_failure != y->last_failure)
        return x->last_failure > y->last_failure ? -1 : 1;
    return strcmp(x->ip, y->ip);
}

int md_analysis_status(md_store *st, const md_config *cfg, int all, md_ip_history **out,
                       size_t *n, md_err *err)
{
    *out = NULL;
    *n = 0;
    md_case_ipref *known = NULL;
    size_t nk = 0;
    int rc = md_store_case_known_ips(st, &known, &nk, err);
    if (rc != MD_OK)
        return rc;
    size_t cap = nk + cfg->nhosts;
    char (*ips)[MD_IP_STRLEN] = calloc(cap ? cap : 1, sizeof *ips);
    md_ip_history *hs = calloc(cap ? cap : 1, sizeof *hs);
    if (!ips || !hs) {
        free(known);
        free(ips);
        free(hs);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    size_t ni = 0;
    for (size_t i = 0; i < cfg->nhosts + nk; i++) {
        char canon[MD_IP_STRLEN];
        md_ip_canon_str(i < cfg->nhosts ? cfg->hosts[i].ipstr : known[i - cfg->nhosts].ip, canon);
        if (!canon[0])
            continue;
        size_t k = 0;
        while (k < ni && strcmp(ips[k], canon) != 0)
            k++;
        if (k == ni)
            snprintf(ips[ni++], MD_IP_STRLEN, "%s", canon);
    }
    free(known);
    for (size_t i = 0; i < ni; i++) {
        md_ip_history h;
        rc = md_analysis_ip_history(st, cfg, ips[i], &h, err);
        if (rc != MD_OK)
            break;
        if (all || h.state == MD_IPSTATE_OPEN || h.state == MD_IPSTATE_RECURRENCE)
            hs[(*n)++] = h;
        else
            md_analysis_ip_history_free(&h);
    }
    free(ips);
    if (rc != MD_OK) {
        for (size_t i = 0; i < *n; i++)
            md_analysis_ip_history_free(&hs[i]);
        free(hs);
        *n = 0;
        return rc;
    }
    if (*n > 1)
        qsort(hs, *n, sizeof *hs, cmp_status);
    *out = hs;
    return MD_OK;
}

