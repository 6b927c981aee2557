/* jmrp.c: JMRP complaints per IP and day (jmrp.h). */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "analysis/jmrp.h"
#include "store/store_jmrp.h"

typedef struct jarg {
    const md_config *cfg;
    char want[MD_IP_STRLEN];    /* "" every IP */
    int64_t last;               /* the complaint counted last (rows repeat it) */
    md_jmrp_day *d;
    size_t n, cap;
    int nomem;
} jarg;

static md_jmrp_day *day_get(jarg *a, int64_t day, const char *ip)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->d[i].day == day && strcmp(a->d[i].ip, ip) == 0)
            return &a->d[i];
    if (a->n == a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 16;
        md_jmrp_day *p = realloc(a->d, nc * sizeof *p);
        if (!p)
            return NULL;
        a->d = p;
        a->cap = nc;
    }
    md_jmrp_day *x = &a->d[a->n++];
    memset(x, 0, sizeof *x);
    x->day = day;
    snprintf(x->ip, sizeof x->ip, "%s", ip);
    return x;
}

static int on_match(void *arg, const md_jmrp_match *m)
{
    jarg *a = arg;
    if (m->complaint == a->last)
        return 0;   /* counted at its closest delivery */
    a->last = m->complaint;
    char ip[MD_IP_STRLEN] = "";
    md_ip_canon_str(m->source_ip, ip);
    if (!ip[0] && m->log_msg) {
        const md_host *h = md_config_host_by_loghost(a->cfg, m->host);
        if (h)
            md_ip_canon_str(h->ipstr, ip);
    }
    if (!ip[0] || (a->want[0] && strcmp(ip, a->want) != 0))
        return 0;
    int64_t t = m->log_msg ? m->t : m->arrival;
    int64_t day = t - ((t % 86400) + 86400) % 86400;
    md_jmrp_day *x = day_get(a, day, ip);
    if (!x) {
        a->nomem = 1;
        return 1;
    }
    x->complaints++;
    if (m->log_msg)
        x->matched++;
    return 0;
}

static int cmp_day(const void *p, const void *q)
{
    const md_jmrp_day *x = p, *y = q;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return strcmp(x->ip, y->ip);
}

int md_an_jmrp_daily(md_store *st, const md_config *cfg, const char *ip, int64_t from,
                     int64_t to, md_jmrp_day **out, size_t *n, md_err *err)
{
    *out = NULL;
    *n = 0;
    jarg a;
    memset(&a, 0, sizeof a);
    a.cfg = cfg;
    a.last = -1;
    if (ip)
        md_ip_canon_str(ip, a.want);
    int rc = md_store_jmrp_matches(st, from, to, on_match, &a, err);
    if (rc == MD_OK && a.nomem)
        rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    if (rc != MD_OK) {
        free(a.d);
        return rc;
    }
    if (a.n > 1)
        qsort(a.d, a.n, sizeof *a.d, cmp_day);
    *out = a.d;
    *n = a.n;
    return MD_OK;
}
