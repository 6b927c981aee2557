/* tracelink.c: the judge of inferred links (see tracelink.h): reads the
 * two messages' senders, recipients and links through the trace's reader,
 * and the forwarding rules through store_rules; keeps what it read in a
 * small cache.  All SQL is in the store modules.  Never prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/md_limits.h"
#include "base/text.h"
#include "store/store_rules.h"
#include "analysis/tracelink.h"

typedef struct tlmsg {
    int64_t id;
    char *sender;
    char *rcpt[MD_TRACE_LINK_RCPTS], *orig[MD_TRACE_LINK_RCPTS];
    size_t nrc;
    int precise_in;                /* a forwarded-as / queued-as / bounce link ends here */
    int64_t child[2], parent[2];   /* distinct ends of inferred links (two are enough) */
    int nchild, nparent;
    int oom;
} tlmsg;

struct md_tracelink {
    md_store *st;
    md_log_reader *rd;
    const md_config *cfg;
    tlmsg *m;
    size_t n;
};

int md_tracelink_is_inferred(int kind)
{
    return kind == MD_LINK_SAME_MSGID || kind == MD_LINK_REINJECTED || kind == MD_LINK_MS_QUOTED;
}

int md_tracelink_open(md_tracelink **out, md_store *st, md_log_reader *rd, const md_config *cfg)
{
    md_tracelink *t = calloc(1, sizeof *t);
    *out = t;
    if (!t)
        return MD_ERR_NOMEM;
    t->st = st;
    t->rd = rd;
    t->cfg = cfg;
    t->m = calloc(MD_TRACE_LINK_CACHE, sizeof *t->m);
    if (!t->m) {
        free(t);
        *out = NULL;
        return MD_ERR_NOMEM;
    }
    return MD_OK;
}

static void tlmsg_clear(tlmsg *m)
{
    free(m->sender);
    for (size_t i = 0; i < m->nrc; i++) {
        free(m->rcpt[i]);
        free(m->orig[i]);
    }
    memset(m, 0, sizeof *m);
}

void md_tracelink_close(md_tracelink *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        tlmsg_clear(&t->m[i]);
    free(t->m);
    free(t);
}

static char *sdup(tlmsg *m, const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        m->oom = 1;
    return d;
}

static int on_msg(void *arg, const md_log_msgrow *r, const char *host)
{
    (void)host;
    tlmsg *m = arg;
    m->sender = sdup(m, r->sender);
    return 0;
}

static int on_dlv(void *arg, const md_log_dlvrow *d)
{
    tlmsg *m = arg;
    const char *rc = d->rcpt ? d->rcpt : "";
    for (size_t i = 0; i < m->nrc; i++)
        if (strcmp(m->rcpt[i], rc) == 0)
            return 0;
    if (m->nrc == MD_TRACE_LINK_RCPTS || !*rc)
        return 0;
    m->rcpt[m->nrc] = sdup(m, rc);
    m->orig[m->nrc] = sdup(m, d->orig_to);
    if (!m->rcpt[m->nrc] || !m->orig[m->nrc]) {
        free(m->rcpt[m->nrc]);
        free(m->orig[m->nrc]);
        return 1;
    }
    m->nrc++;
    return 0;
}

static void add_end(int64_t *v, int *n, int64_t id)
{
    for (int i = 0; i < *n; i++)
        if (v[i] == id)
            return;
    if (*n < 2)
        v[(*n)++] = id;
}

static int on_link(void *arg, const md_log_linkrow *l)
{
    tlmsg *m = arg;
    if (!md_tracelink_is_inferred(l->kind)) {
        if (l->to_msg == m->id)
            m->precise_in = 1;
        return 0;
    }
    if (l->from_msg == m->id)
        add_end(m->child, &m->nchild, l->to_msg);
    else
        add_end(m->parent, &m->nparent, l->from_msg);
    return 0;
}

/* get: the cached message id, read when not cached yet (NULL on error). */
static tlmsg *get(md_tracelink *t, int64_t id, md_err *err)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->m[i].id == id)
            return &t->m[i];
    if (t->n == MD_TRACE_LINK_CACHE)
        return NULL; /* md_tracelink_judge makes room first */
    tlmsg *m = &t->m[t->n];
    memset(m, 0, sizeof *m);
    m->id = id;
    int rc = md_store_log_r_msg_get(t->st, t->rd, id, on_msg, m, err);
    if (rc == MD_ERR_NOTFOUND) {
        md_err_clear(err);
        rc = MD_OK;
    }
    if (rc == MD_OK)
        rc = md_store_log_r_dlvs(t->st, t->rd, id, on_dlv, m, err);
    if (rc == MD_OK)
        rc = md_store_log_r_links(t->st, t->rd, id, on_link, m, err);
    if (rc == MD_OK && m->oom)
        rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    if (rc != MD_OK) {
        tlmsg_clear(m);
        return NULL;
    }
    if (!m->sender)
        m->sender = sdup(m, "");
    t->n++;
    return m;
}

static int has_rcpt(const tlmsg *m, const char *a)
{
    for (size_t i = 0; i < m->nrc; i++)
        if (md_text_casecmp(m->rcpt[i], a) == 0)
            return 1;
    return 0;
}

/* is one of c's recipients a forward target of address a (rules)? */
static int forwards_to(md_tracelink *t, const char *a, const tlmsg *c)
{
    md_resolution res;
    md_err e = {0, ""};
    memset(&res, 0, sizeof res);
    int hit = 0;
    if (md_store_rules_resolve(t->st, t->cfg, a, &res, &e) == MD_OK)
        for (size_t k = 0; k < res.ntargets && !hit; k++)
            hit = res.targets[k].ttype == MD_TGT_ADDR && has_rcpt(c, res.targets[k].target);
    md_resolution_free(&res);
    return hit;
}

int md_tracelink_judge(md_tracelink *t, int64_t from, int64_t to, char *via, size_t viasz,
                       md_err *err)
{
    via[0] = '\0';
    if (t->n + 2 > MD_TRACE_LINK_CACHE) { /* full: start again */
        for (size_t i = 0; i < t->n; i++)
            tlmsg_clear(&t->m[i]);
        t->n = 0;
    }
    tlmsg *o = get(t, from, err);
    tlmsg *c = o ? get(t, to, err) : NULL;
    if (!o || !c)
        return err->code ? err->code : MD_ERR_DB;
    if (c->precise_in)
        return MD_TL_DROP;
    for (size_t i = 0; i < o->nrc; i++)
        if (has_rcpt(c, o->rcpt[i]) || (*o->orig[i] && has_rcpt(c, o->orig[i]))) {
            snprintf(via, viasz, "%s", o->rcpt[i]);
            return MD_TL_PRECISE;   /* the same message further on */
        }
    for (size_t i = 0; i < o->nrc; i++)
        if (forwards_to(t, o->rcpt[i], c) || (*o->orig[i] && forwards_to(t, o->orig[i], c))) {
            snprintf(via, viasz, "%s", o->rcpt[i]);
            return MD_TL_PRECISE;   /* the recipient's rule forwards there */
        }
    for (size_t i = 0; i < o->nrc; i++)
        if (*c->sender && md_text_casecmp(o->rcpt[i], c->sender) == 0) {
            snprintf(via, viasz, "%s", o->rcpt[i]);
            return MD_TL_PRECISE;   /* re-injected with the recipient as sender */
        }
    if (o->nchild == 1 && c->nparent == 1) {
        if (o->nrc == 1)
            snprintf(via, viasz, "%s", o->rcpt[0]);
        return MD_TL_PRECISE;       /* the only candidate both ways */
    }
    return MD_TL_POSSIBLE;
}

int md_tracelink_via_matches(md_tracelink *t, int64_t from, const char *via,
                             const char *const *addrs, size_t naddrs)
{
    if (!via || !*via)
        return 0;
    const tlmsg *o = NULL;
    for (size_t i = 0; i < t->n && !o; i++)
        if (t->m[i].id == from)
            o = &t->m[i];
    for (size_t k = 0; k < naddrs; k++) {
        if (md_text_casecmp(addrs[k], via) == 0)
            return 1;
        for (size_t i = 0; o && i < o->nrc; i++)
            if (strcmp(o->rcpt[i], via) == 0 && *o->orig[i] &&
                md_text_casecmp(o->orig[i], addrs[k]) == 0)
                return 1;
    }
    return 0;
}
