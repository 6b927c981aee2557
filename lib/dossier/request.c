/* request.c: the request to Microsoft's sender support: every affected IP
 * of the tickets in a window, with its evidence and the errors Microsoft
 * gave (request.xsd).  Part of the ticket analysis (analysis_int.h).
 * Never prints. */
#include "dossier/analysis_int.h"
#include "dossier/reqroute.h"

/* ======================================================================
 * the request to Microsoft's sender support
 * ====================================================================== */

typedef struct req_error {
    char *text;
    uint64_t count;
    int64_t first, last;
    char ips[256];
    size_t src_first, src_last; /* the log lines of its first and last attempt */
    md_req_route rt;           /* what kind of error, the server it names (reqroute.h) */
} req_error;

typedef struct req_ip {
    char ip[MD_IP_STRLEN];
    const md_host *host;
    char evidence[MD_CASE_TEXT];
    char cite[256];            /* the sources of evidence */
    int lead_rank;             /* of evidence (md_an_ip_lead) */
    uint64_t failures, total;
    uint64_t rejected, deferred, notrecv, junked; /* what Microsoft did, per IP */
    int64_t first, last;
    int route;                 /* MD_REQ_*: the strongest error naming it */
    size_t route_err;          /* that error's index + 1, 0 none */
    int foreign;               /* 1: not ours (outside the networks, not a host) */
} req_ip;

typedef struct req {
    req_error *errs;
    size_t nerrs, caperrs;
    req_ip *ips;
    size_t nips, capips;
    char rdom[32][128];
    size_t rdsrc[32];          /* an attempt to each domain (its source) */
    size_t nrdom;
    md_srcs src;               /* the document's sources */
    md_buf cfiltered;          /* the sources of the not-received and junked counts */
    int64_t first, last;
    uint64_t notrecv;          /* messages accepted and, per the tickets, not received */
    uint64_t junked;           /* messages a stored copy shows in the Junk E-mail folder */
    uint64_t failed, accepted, rejected, deferred;
    uint64_t rcpterr;          /* recipient errors: not about our IPs, not listed */
    uint64_t *seen;            /* hash set of attempts/messages counted already */
    size_t nseen, capseen;
} req;

/* req_seen: 1 if key was counted before (tickets and the window may find
 * the same attempt twice), else remember it and return 0. */
static int req_seen(req *r, uint64_t key)
{
    key = key * 0x9E3779B97F4A7C15ull | 1;  /* never 0: 0 marks a free slot */
    if (r->nseen * 2 >= r->capseen) {
        size_t nc = r->capseen ? r->capseen * 2 : 1024;
        uint64_t *n = calloc(nc, sizeof *n);
        if (!n)
            return 0;
        for (size_t i = 0; i < r->capseen; i++)
            if (r->seen[i]) {
                size_t j = (size_t)(r->seen[i] >> 7) % nc;
                while (n[j])
                    j = (j + 1) % nc;
                n[j] = r->seen[i];
            }
        free(r->seen);
        r->seen = n;
        r->capseen = nc;
    }
    size_t j = (size_t)(key >> 7) % r->capseen;
    while (r->seen[j]) {
        if (r->seen[j] == key)
            return 1;
        j = (j + 1) % r->capseen;
    }
    r->seen[j] = key;
    r->nseen++;
    return 0;
}

static req_ip *req_ip_get(req *r, const char *ip, const md_config *cfg)
{
    int added;
    req_ip *x = md_find_or_add(&r->ips, &r->nips, &r->capips, sizeof *x, ip, md_an_same_ip,
                               &added);
    if (x && added) {
        snprintf(x->ip, sizeof x->ip, "%s", ip);
        x->host = md_config_host_str(cfg, ip);
    }
    return x;
}

static void req_domain(req *r, const char *addr, size_t src)
{
    const char *d = md_text_addr_domain(addr);
    if (!*d)
        return;
    for (size_t i = 0; i < r->nrdom; i++)
        if (md_text_casecmp(r->rdom[i], d) == 0)
            return;
    if (r->nrdom < 32) {
        snprintf(r->rdom[r->nrdom], sizeof r->rdom[0], "%s", d);
        md_text_lower(r->rdom[r->nrdom]);
        r->rdsrc[r->nrdom] = src;
        r->nrdom++;
    }
}

/* error_key: the part of a reply that makes it one distinct error: without
 * the MTA's prefix ("host X[ip] said: ", Exim's "SMTP error from remote mail
 * server after ...: "), Microsoft's server/time/id brackets, ids like
 * "(COL004-MC1F44)" and the trailing "(in reply to ... command)". */
static void error_key(const char *s, md_buf *out)
{
    const char *p = strstr(s, " said: ");
    if (p)
        s = p + 7;
    else if ((p = md_text_casestr(s, strlen(s), "SMTP error from remote mail server after ")) &&
             (p = strstr(p, ": ")))
        s = p + 2;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '[' || s[i] == '(') {
            char close = s[i] == '[' ? ']' : ')';
            const char *e = strchr(s + i, close);
            if (e) {
                size_t len = (size_t)(e - (s + i)) + 1;
                int drop = 0;
                if (s[i] == '[' && md_text_casestr(s + i, len, ".outlook.com"))
                    drop = 1;
                if (s[i] == '(' && md_text_casestr(s + i, len, "in reply to"))
                    drop = 1;
                if (s[i] == '(' && len > 4 && memchr(s + i, '-', len)) {
                    drop = 1;
                    for (size_t k = 1; k + 1 < len; k++)
                        if (!isupper((unsigned char)s[i + k]) && !isdigit((unsigned char)s[i + k]) &&
                            s[i + k] != '-')
                            drop = 0;
                }
                if (drop) {
                    i += len - 1;
                    continue;
                }
            }
        }
        md_buf_putc(out, s[i]);
    }
    while (out->len && out->data[out->len - 1] == ' ')
        out->data[--out->len] = '\0';
}

/* attempt_ip: the IP an attempt is about: the one Microsoft named, else
 * the one it left from ("" when neither is known) */
static void attempt_ip(const ctx *c, const md_trace_msg *m, const md_trace_dlv *d,
                       char canon[MD_IP_STRLEN])
{
    const char *ip = d->named_ip;
    const md_host *h = md_config_host_by_loghost(c->cfg, m->host);
    if (!ip[0] && h)
        ip = h->ipstr;
    md_ip_canon_str(ip, canon);
}

static void req_add_error(req *r, ctx *c, const md_trace_msg *m, const md_trace_dlv *d)
{
    md_buf t = MD_BUF_INIT, key = MD_BUF_INIT;
    md_an_red(c, &t, d->reply);
    const char *s = md_buf_cstr(&t);
    error_key(s, &key);
    req_error *e = NULL;
    for (size_t i = 0; i < r->nerrs && !e; i++) {
        md_buf k2 = MD_BUF_INIT;
        error_key(r->errs[i].text, &k2);
        if (strcmp(md_buf_cstr(&k2), md_buf_cstr(&key)) == 0)
            e = &r->errs[i];
        md_buf_free(&k2);
    }
    md_buf_free(&key);
    if (!e) {
        if (r->nerrs == r->caperrs) {
            size_t nc = r->caperrs ? r->caperrs * 2 : 16;
            req_error *p = realloc(r->errs, nc * sizeof *p);
            if (!p) {
                md_buf_free(&t);
                return;
            }
            r->errs = p;
            r->caperrs = nc;
        }
        e = &r->errs[r->nerrs++];
        memset(e, 0, sizeof *e);
        e->text = md_buf_detach(&t);
        if (!e->text) {
            r->nerrs--;
            return;
        }
    }
    md_buf_free(&t);
    e->count++;
    size_t src = md_an_src_dlv(c, m, d);
    if (!e->first || d->t < e->first) {
        e->first = d->t;
        e->src_first = src;
    }
    if (d->t >= e->last) {
        e->last = d->t;
        e->src_last = src;
    }
    char canon[MD_IP_STRLEN];
    attempt_ip(c, m, d, canon);
    if (canon[0] && !strstr(e->ips, canon) && strlen(e->ips) + strlen(canon) + 2 < sizeof e->ips)
        snprintf(e->ips + strlen(e->ips), sizeof e->ips - strlen(e->ips), "%s%s",
                 e->ips[0] ? " " : "", canon);
}

/* req_count_failure: a refusal or deferral by Microsoft, for the request
 * and for the IP it names or left from */
static void req_count_failure(req *r, ctx *c, const md_trace_msg *m, const md_trace_dlv *d)
{
    int def = d->outcome == MD_OUTCOME_DEFERRED || d->outcome == MD_OUTCOME_EXPIRED;
    if (def)
        r->deferred++;
    else
        r->rejected++;
    char canon[MD_IP_STRLEN];
    attempt_ip(c, m, d, canon);
    if (!canon[0])
        return;
    req_ip *x = NULL;
    for (size_t i = 0; i < r->nips && !x; i++)
        if (strcmp(r->ips[i].ip, canon) == 0)
            x = &r->ips[i];
    if (!x)
        return;   /* not one of the affected IPs (not ours) */
    if (def)
        x->deferred++;
    else
        x->rejected++;
}

/* req_collect: what one analysis adds to the request */
static void req_collect(req *r, ctx *c)
{
    for (size_t i = 0; i < c->nips; i++) {
        req_ip *x = req_ip_get(r, c->ips[i].ip, c->cfg);
        if (!x)
            continue;
        if (!x->evidence[0] || c->ips[i].lead_rank > x->lead_rank) {
            snprintf(x->evidence, sizeof x->evidence, "%s", c->ips[i].first_line);
            snprintf(x->cite, sizeof x->cite, "%s", c->ips[i].first_cite);
            x->lead_rank = c->ips[i].lead_rank;
        }
        x->notrecv += c->ips[i].count[OC_NOTRECEIVED];
        x->junked += c->ips[i].count[OC_FILTERED];
        x->failures += c->ips[i].failures;
        x->total += c->ips[i].total;
        if (!x->first || (c->ips[i].first && c->ips[i].first < x->first))
            x->first = c->ips[i].first;
        if (c->ips[i].last > x->last)
            x->last = c->ips[i].last;
    }
    for (size_t i = 0; i < c->nth; i++) {
        thread *t = &c->th[i];
        if (t->oc == OC_NOTRECEIVED && t->nm &&
            !req_seen(r, (uint64_t)c->tr->msgs[t->m[0]].id << 1)) {
            r->notrecv++;
            md_cite_merge(&r->cfiltered, md_buf_cstr(&t->cite));
        }
        if (t->oc == OC_FILTERED && t->ipprob &&
            !req_seen(r, (uint64_t)(t->nm ? c->tr->msgs[t->m[0]].id : t->mrow[0]) << 1)) {
            r->junked++;
            md_cite_merge(&r->cfiltered, md_buf_cstr(&t->cite));
        }
        for (size_t k = 0; k < t->nm; k++) {
            const md_trace_msg *m = &c->tr->msgs[t->m[k]];
            for (size_t j = 0; j < m->ndlvs; j++) {
                const md_trace_dlv *d = &m->dlvs[j];
                if (!d->ms || !md_an_rcpt_in_scope(c, t->m[k], d->rcpt) ||
                    req_seen(r, ((uint64_t)m->id << 20 | (uint64_t)j) << 1 | 1))
                    continue;
                size_t src = md_an_src_dlv(c, m, d);
                req_domain(r, d->rcpt, src);
                if (!r->first || d->t < r->first)
                    r->first = d->t;
                if (d->t > r->last)
                    r->last = d->t;
                if (d->outcome == MD_OUTCOME_MS_ACCEPTED || d->outcome == MD_OUTCOME_RELAYED) {
                    r->accepted++;
                    continue;
                }
                if (md_an_rcpt_error(d)) {
                    r->rcpterr++;   /* the recipient's problem, not our IPs' */
                    continue;
                }
                r->failed++;
                req_count_failure(r, c, m, d);
                if (d->reply[0])
                    req_add_error(r, c, m, d);
            }
        }
    }
}

/* req_routes: classify every error (reqroute.h) and give each IP it names
 * the strongest kind; an IP Microsoft names that is not ours (outside
 * [organisation] networks, not a configured host: e.g. a shared relay of
 * the research network) joins the list marked foreign, with the error as
 * its evidence, so that the request says whom it concerns */
static void req_routes(req *r, const md_config *cfg)
{
    for (size_t i = 0; i < r->nerrs; i++) {
        req_error *e = &r->errs[i];
        md_req_route_classify(e->text, &e->rt);
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%s", e->ips);
        for (char *sv = NULL, *p = strtok_r(tmp, " ", &sv); p; p = strtok_r(NULL, " ", &sv)) {
            md_ip ip;
            if (md_ip_parse(&ip, p, strlen(p)) != MD_OK)
                continue;
            int ours = md_config_is_ours(cfg, &ip);
            req_ip *x = NULL;
            for (size_t k = 0; k < r->nips && !x; k++)
                if (strcmp(r->ips[k].ip, p) == 0)
                    x = &r->ips[k];
            if (!x && ours)
                continue;   /* ours, but in none of the analyses: not listed */
            if (!x && (x = req_ip_get(r, p, cfg)) != NULL) {
                x->foreign = 1;
                snprintf(x->evidence, sizeof x->evidence, "Microsoft named %s in its reply: %s",
                         p, e->text);
                char cb[24];
                md_buf c = MD_BUF_INIT;
                md_cite_add(&c, e->src_first);
                md_cite_add(&c, e->src_last);
                snprintf(x->cite, sizeof x->cite, "%s", c.len ? md_buf_cstr(&c)
                         : md_an_cite1(md_srcs_store(&r->src, "logs"), cb, sizeof cb));
                md_buf_free(&c);
            }
            if (x && e->rt.kind > x->route) {
                x->route = e->rt.kind;
                x->route_err = i + 1;
            }
        }
    }
}

static void req_free(req *r)
{
    for (size_t i = 0; i < r->nerrs; i++)
        free(r->errs[i].text);
    free(r->errs);
    free(r->ips);
    free(r->seen);
    md_srcs_free(&r->src);
    md_buf_free(&r->cfiltered);
}

static int cmp_reqip(const void *a, const void *b)
{
    const req_ip *x = a, *y = b;
    md_ip p, q;
    md_ip_parse(&p, x->ip, strlen(x->ip));
    md_ip_parse(&q, y->ip, strlen(y->ip));
    return memcmp(p.b, q.b, 16);
}

/* req_window: Microsoft failures naming our configured IPs in a window */
static int req_window(req *r, md_store *st, const md_config *cfg, int64_t since, int64_t until,
                      md_err *err)
{
    const char *ips[MD_CONFIG_MAX_HOSTS];
    size_t n = 0;
    for (size_t i = 0; i < cfg->nhosts; i++)
        if (md_an_ip_valid(cfg->hosts[i].ipstr))
            ips[n++] = cfg->hosts[i].ipstr;
    if (!n)
        return MD_OK;
    md_analysis_opts o;
    memset(&o, 0, sizeof o);
    o.ticket = "window";
    o.since = since;
    o.until = until;
    o.redact = 1;
    ctx c;
    memset(&c, 0, sizeof c);
    c.st = st;
    c.cfg = cfg;
    c.o = &o;
    c.err = err;
    c.redact = 1;
    c.strict = 1;
    c.src = &r->src;
    md_trace_query q;
    memset(&q, 0, sizeof q);
    q.ips = ips;
    q.nips = n;
    q.since = since;
    q.until = until;
    q.no_lines = 1;             /* the sources find paths by source id */
    int rc = md_trace_run(st, &q, &c.tr, err);
    if (rc == MD_OK)
        rc = md_an_build_threads(&c);
    if (rc == MD_OK) {
        for (size_t i = 0; i < c.nth; i++)
            md_an_verdict_thread(&c, &c.th[i]);
        for (size_t i = 0; i < c.nth; i++)
            md_an_ips_thread(&c, &c.th[i]);
        /* in window mode only failures count: not received is a ticket's claim */
        for (size_t i = 0; i < c.nth; i++)
            if (c.th[i].oc == OC_NOTRECEIVED)
                c.th[i].oc = OC_ACCEPTED;
        for (size_t i = 0; i < c.nth; i++)
            md_an_cite_thread(&c, &c.th[i]);
        req_collect(r, &c);
    }
    md_an_ctx_free(&c);
    return rc;
}

/* req_analyse: analyse each ticket (strictly redacted) and collect its
 * IPs and errors into r; widens [*wfirst, *wlast] to the tickets' windows */
static int req_analyse(req *r, md_store *st, const md_config *cfg, const md_case_ticket *tk,
                       size_t ntk, int64_t *wfirst, int64_t *wlast, md_err *err)
{
    int rc = MD_OK;
    for (size_t i = 0; i < ntk && rc == MD_OK; i++) {
        md_case_addr *ad = NULL;
        size_t na = 0;
        rc = md_store_case_ticket_addrs(st, tk[i].number, &ad, &na, err);
        if (rc != MD_OK)
            break;
        const char **av = calloc(na + 1, sizeof *av);
        if (!av) {
            free(ad);
            rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            break;
        }
        for (size_t k = 0; k < na; k++)
            av[k] = ad[k].addr;
        md_analysis_opts o;
        memset(&o, 0, sizeof o);
        o.ticket = tk[i].number;
        o.addrs = av;
        o.naddrs = na;
        o.since = tk[i].since;
        o.until = tk[i].until;
        o.redact = 1;
        ctx c;
        memset(&c, 0, sizeof c);
        c.st = st;
        c.cfg = cfg;
        c.o = &o;
        c.err = err;
        c.strict = 1;
        c.src = &r->src;
        if (na)
            rc = md_an_analyse(&c);
        if (rc == MD_OK)
            req_collect(r, &c);
        md_an_ctx_free(&c);
        free(av);
        free(ad);
        if (!*wfirst || (tk[i].since && tk[i].since < *wfirst))
            *wfirst = tk[i].since;
        if (tk[i].until > *wlast)
            *wlast = tk[i].until;
    }
    return rc;
}

/* req_doc_ips: the affected IPs, each with its evidence and Microsoft's
 * last answer */
/* cfg_cite: the source of one configuration key, as a cite */
static const char *cfg_cite(req *r, const char *key, char *buf, size_t n)
{
    return md_an_cite1(md_srcs_config(&r->src, key), buf, n);
}

/* req_err_cite: the sources of error i (its first and last attempt) */
static void req_err_cite(const req *r, size_t i, md_buf *c)
{
    md_cite_add(c, r->errs[i].src_first);
    md_cite_add(c, r->errs[i].src_last);
}

/* req_doc_route: whose IP it is (<party>) and where the request about it
 * goes (<channel>), each citing what it rests on */
static void req_doc_route(xmlNode *e, req *r, const req_ip *x, const char *key)
{
    char cb[24];
    md_buf c = MD_BUF_INIT, t = MD_BUF_INIT;
    md_cite_add(&c, md_srcs_config(&r->src, key));
    if (x->foreign)
        md_cite_merge(&c, x->cite);
    md_an_claim(e, "party", x->host ? "host" : x->foreign ? "foreign" : "network", md_buf_cstr(&c));
    md_buf_reset(&c);
    const req_error *er = x->route_err ? &r->errs[x->route_err - 1] : NULL;
    const char *name = "sender-support";
    if (er) {
        req_err_cite(r, x->route_err - 1, &c);
        char when[32];
        md_buf_printf(&t, "Microsoft's error names it: %s (", md_req_route_words(er->rt.kind));
        if (er->rt.status[0])
            md_buf_printf(&t, "%s, ", er->rt.status);
        if (er->rt.code[0])
            md_buf_printf(&t, "%s, ", er->rt.code);
        if (er->rt.server[0])
            md_buf_printf(&t, "server %s, ", er->rt.server);
        md_buf_printf(&t, "%s)", md_req_utc(er->last, when, sizeof when));
    } else {
        md_cite_merge(&c, x->cite[0] ? x->cite : cfg_cite(r, key, cb, sizeof cb));
        md_buf_puts(&t, "No error of Microsoft names it; it is in the Received chain of the "
                        "affected messages, which Microsoft evaluates");
    }
    if (x->foreign) {
        name = "operator";
        md_buf_puts(&t, ". It is not ours (outside [organisation] networks and not a configured "
                        "host): its operator, not us, would have to ask Microsoft about it.");
    } else if (er && md_req_route_delist(er->rt.kind)) {
        name = "delist-portal";
        md_buf_puts(&t, ". A banned IP is delisted through Microsoft's delist portal ("
                        MD_REQ_DELIST_URL "), not through the sender-support form: it is not in "
                        "this form's IP list.");
    } else {
        md_buf_puts(&t, ". This is a matter for Microsoft's sender support: it is in this form's "
                        "IP list.");
    }
    xmlNode *ch = md_an_claim(e, "channel", md_buf_cstr(&t), md_buf_cstr(&c));
    xmlNewProp(ch, BX "name", BX name);
    md_buf_free(&c);
    md_buf_free(&t);
}

static void req_doc_ips(xmlNode *root, md_store *st, req *r)
{
    xmlNode *ipn = md_an_el(root, "ips");
    for (size_t i = 0; i < r->nips; i++) {
        const req_ip *x = &r->ips[i];
        xmlNode *e = md_an_el(ipn, "ip");
        char key[200], cb[24];
        snprintf(key, sizeof key, x->host ? "[host %s] ip" : "[organisation] networks",
                 x->host ? x->host->name : "");
        md_cite_set(e, cfg_cite(r, key, cb, sizeof cb));
        md_an_txt(e, "address", x->ip);
        md_an_txt(e, "host", x->host ? x->host->name : "");
        md_an_txt(e, "role", x->host ? x->host->role : "");
        req_doc_route(e, r, x, key);
        md_an_claim(e, "evidence", x->evidence[0] ? x->evidence : "named in the tickets' evidence",
                    x->cite[0] ? x->cite : cfg_cite(r, key, cb, sizeof cb));
        md_case_answer *an = NULL;
        size_t na = 0;
        md_err er = {0, ""};
        if (md_store_case_answers(st, x->ip, &an, &na, &er) == MD_OK && na) {
            char b[32];
            md_cite_set(md_an_txtf(e, "last-answer", "%s (%s)", md_msreply_outcome_text(
                     md_msreply_outcome_parse(an[na - 1].outcome)),
                 an[na - 1].date ? md_an_fmt_short(an[na - 1].date, b, sizeof b) : "date unknown"),
                 md_an_cite1(md_srcs_reply(&r->src, an[na - 1].ref, an[na - 1].date,
                                           an[na - 1].message_id, an[na - 1].msg_row),
                             cb, sizeof cb));
        }
        free(an);
    }
}

/* req_doc_errors: every error text, with count, first, last and IPs */
static void req_doc_errors(xmlNode *root, const req *r)
{
    xmlNode *es = md_an_el(root, "errors");
    for (size_t i = 0; i < r->nerrs; i++) {
        xmlNode *e = md_an_el(es, "error");
        md_buf ec = MD_BUF_INIT;
        md_cite_add(&ec, r->errs[i].src_first);
        md_cite_add(&ec, r->errs[i].src_last);
        md_cite_set(e, md_buf_cstr(&ec));
        md_buf_free(&ec);
        md_an_txt(e, "text", r->errs[i].text);
        md_an_txtf(e, "count", "%llu", (unsigned long long)r->errs[i].count);
        md_an_time_el(e, "first", r->errs[i].first);
        md_an_time_el(e, "last", r->errs[i].last);
        char ub[32];
        md_an_txt(e, "first-utc", md_req_utc(r->errs[i].first, ub, sizeof ub));
        md_an_txt(e, "last-utc", md_req_utc(r->errs[i].last, ub, sizeof ub));
        if (r->errs[i].rt.server[0])
            md_an_txt(e, "server", r->errs[i].rt.server);
        if (r->errs[i].ips[0]) {
            xmlNode *ei = md_an_el(e, "ips");
            char tmp[256];
            snprintf(tmp, sizeof tmp, "%s", r->errs[i].ips);
            for (char *sv = NULL, *p = strtok_r(tmp, " ", &sv); p; p = strtok_r(NULL, " ", &sv))
                md_an_txt(ei, "ip", p);
        }
    }
}

/* req_doc_volumes: messages to Microsoft per local day of the window */
static void req_doc_volumes(xmlNode *root, md_store *st, const md_config *cfg, int64_t wfirst,
                            int64_t wlast, req *r)
{
    xmlNode *vol = md_an_el(root, "volumes");
    char cb[24];
    if (cfg->volume_note[0])
        md_an_claim(vol, "note", cfg->volume_note, cfg_cite(r, "[microsoft] volume", cb, sizeof cb));
    const char *logs = md_an_cite1(md_srcs_store(&r->src, "logs"), cb, sizeof cb);
    md_trace_daily *dl = NULL;
    size_t nd = 0;
    md_err er = {0, ""};
    if (md_trace_ms_daily(st, wfirst, wlast, &dl, &nd, &er) == MD_OK) {
        /* sum over hosts per day (the array is sorted by host, then day) */
        int64_t days[400];
        uint64_t cnt[400];
        size_t ndays = 0;
        for (size_t i = 0; i < nd; i++) {
            size_t k = 0;
            while (k < ndays && days[k] != dl[i].day)
                k++;
            if (k == ndays) {
                if (ndays == 400)
                    continue;
                days[ndays] = dl[i].day;
                cnt[ndays++] = 0;
            }
            cnt[k] += dl[i].messages;
        }
        for (size_t a = 1; a < ndays; a++)
            for (size_t b = a; b > 0 && days[b - 1] > days[b]; b--) {
                int64_t td = days[b];
                days[b] = days[b - 1];
                days[b - 1] = td;
                uint64_t tc = cnt[b];
                cnt[b] = cnt[b - 1];
                cnt[b - 1] = tc;
            }
        for (size_t k = 0; k < ndays; k++) {
            char b[16];
            xmlNode *dy = md_an_el(vol, "day");
            md_cite_set(dy, logs);
            md_an_txt(dy, "date", md_an_fmt_day(days[k], b, sizeof b));
            md_an_txtf(dy, "messages", "%llu", (unsigned long long)cnt[k]);
        }
    }
    free(dl);
}

/* req_title: the problem title, after what Microsoft did: rejected,
 * deferred, accepted and (per the tickets) not received, or a mix */
static xmlNode *req_title(xmlNode *root, const md_config *cfg, const req *r)
{
    const char *org = cfg->org_name[0] ? cfg->org_name
                      : (cfg->ndomains ? cfg->domains[0] : "our servers");
    const char *did[3];
    size_t n = 0;
    if (r->rejected)
        did[n++] = "rejected";
    if (r->deferred)
        did[n++] = "deferred";
    if (r->junked)
        did[n++] = "put in the Junk E-mail folder";
    md_buf b = MD_BUF_INIT;
    md_buf_printf(&b, "Mail from %s ", org);
    if (n) {
        md_buf_puts(&b, "is ");
        for (size_t i = 0; i < n; i++)
            md_buf_printf(&b, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ", did[i]);
        md_buf_puts(&b, " by Outlook.com");
    }
    if (n && r->notrecv)
        md_buf_puts(&b, ", and mail it accepted is reported missing by its recipients");
    else if (r->notrecv)
        md_buf_puts(&b, "is accepted by Outlook.com but reported missing by its recipients");
    else if (!n)
        md_buf_puts(&b, "to Outlook.com recipients: delivery problems reported by our users");
    xmlNode *t = md_an_txt(root, "title", md_buf_cstr(&b));
    md_buf_free(&b);
    return t;
}

/* req_per_ip: "Per IP: 141.89.68.1: deferred 2 times; ..." (what
 * Microsoft did with mail each IP sent or that Microsoft named it in) */
static void req_per_ip(md_buf *p, const req *r)
{
    int any = 0;
    for (size_t i = 0; i < r->nips; i++) {
        const req_ip *x = &r->ips[i];
        if (!x->rejected && !x->deferred && !x->notrecv && !x->junked)
            continue;
        md_buf_printf(p, "%s%s: ", any ? "; " : "Per IP: ", x->ip);
        any = 1;
        int n = 0;
        if (x->rejected)
            md_buf_printf(p, "%srejected %llu time%s", n++ ? ", " : "",
                          (unsigned long long)x->rejected, x->rejected == 1 ? "" : "s");
        if (x->deferred)
            md_buf_printf(p, "%sdeferred %llu time%s", n++ ? ", " : "",
                          (unsigned long long)x->deferred, x->deferred == 1 ? "" : "s");
        if (x->junked)
            md_buf_printf(p, "%son the path of %llu message%s put in the Junk E-mail folder",
                          n++ ? ", " : "", (unsigned long long)x->junked,
                          x->junked == 1 ? "" : "s");
        if (x->notrecv)
            md_buf_printf(p, "%son the path of %llu accepted message%s reported missing",
                          n++ ? ", " : "", (unsigned long long)x->notrecv,
                          x->notrecv == 1 ? "" : "s");
    }
    if (any)
        md_buf_puts(p, ". ");
}

/* req_affected: "Affected IPs: a; b." (those for this form), then the
 * banned ones (delist portal) and those not ours, with the errors' sources */
static void req_affected(req *r, md_buf *p, md_buf *pc)
{
    static const char *const head[3] = {
        "Affected IPs: ",
        (" Not in this request, because Microsoft banned them (550 5.7.606-5.7.649) and their "
         "removal is asked at Microsoft's delist portal (" MD_REQ_DELIST_URL "): "),
        (" Named by Microsoft but not ours (outside our networks, not one of our hosts), so not "
         "in this request: ")};
    for (int g = 0; g < 3; g++) {
        size_t n = 0;
        for (size_t i = 0; i < r->nips; i++) {
            const req_ip *x = &r->ips[i];
            int grp = x->foreign ? 2 : md_req_route_delist(x->route) ? 1 : 0;
            if (grp != g)
                continue;
            md_buf_printf(p, "%s%s", n++ ? "; " : head[g], x->ip);
            if (g && x->route_err)
                req_err_cite(r, x->route_err - 1, pc);
        }
        if (!n && !g)
            md_buf_printf(p, "%s(none found in the evidence)", head[0]);
        if (n || !g)
            md_buf_putc(p, '.');
    }
}

/* req_doc_problem: the problem described in three paragraphs */
static void req_doc_problem(xmlNode *root, const md_config *cfg, req *r)
{
    xmlNode *pr = md_an_el(root, "problem");
    {
        md_buf p = MD_BUF_INIT, pc = MD_BUF_INIT;
        char cb[24];
        md_cite_merge(&pc, md_buf_cstr(&r->cfiltered));
        for (size_t i = 0; i < r->nerrs; i++) {
            md_cite_add(&pc, r->errs[i].src_first);
            md_cite_add(&pc, r->errs[i].src_last);
        }
        if (!pc.len)   /* "our users report": the tickets, or the logs found nothing */
            md_cite_add(&pc, md_srcs_store(&r->src, "logs"));
        char b1[32], b2[32];
        if (r->notrecv)
            md_buf_printf(&p, "Since %s, messages to our users' Outlook.com / Hotmail "
                              "addresses (their own or where they forward their mail) are "
                              "accepted by your servers (250 Queued mail for delivery) and, "
                              "per our users, not received: %llu such message%s %s "
                              "documented in our helpdesk tickets. ",
                          r->first ? md_an_fmt_short(r->first, b1, sizeof b1) : "recently",
                          (unsigned long long)r->notrecv, r->notrecv == 1 ? "" : "s",
                          r->notrecv == 1 ? "is" : "are");
        if (r->junked)
            md_buf_printf(&p, "%llu message%s from our servers %s put in the Junk E-mail folder "
                              "(the X-Forefront-Antispam-Report of copies our users saved). ",
                          (unsigned long long)r->junked, r->junked == 1 ? "" : "s",
                          r->junked == 1 ? "was" : "were");
        if (r->failed) {
            md_an_fmt_short(r->first, b1, sizeof b1);
            md_an_fmt_short(r->last, b2, sizeof b2);
            if (strcmp(b1, b2) == 0)
                md_buf_printf(&p, "On %s your servers ", b1);
            else
                md_buf_printf(&p, "Between %s and %s your servers ", b1, b2);
            if (r->rejected)
                md_buf_printf(&p, "rejected %llu delivery attempt%s", (unsigned long long)r->rejected,
                              r->rejected == 1 ? "" : "s");
            if (r->deferred)
                md_buf_printf(&p, "%sdeferred %llu delivery attempt%s", r->rejected ? " and " : "",
                              (unsigned long long)r->deferred, r->deferred == 1 ? "" : "s");
            md_buf_puts(&p, " from our servers; the error messages are listed in full in this request. ");
        }
        req_per_ip(&p, r);
        if (r->rcpterr)
            md_buf_printf(&p, "%llu recipient error%s (unknown recipient, mailbox full) %s not "
                              "listed: %s not about our IPs. ", (unsigned long long)r->rcpterr,
                          r->rcpterr == 1 ? "" : "s", r->rcpterr == 1 ? "is" : "are",
                          r->rcpterr == 1 ? "it is" : "they are");
        if (!r->notrecv && !r->failed && !r->junked)
            md_buf_puts(&p, "Our users report that mail to Outlook.com / Hotmail recipients "
                            "does not arrive. ");
        md_an_claim(pr, "paragraph", md_buf_cstr(&p), md_buf_cstr(&pc));
        md_buf_reset(&p);
        md_buf_reset(&pc);
        for (size_t i = 0; i < r->nips; i++)
            md_cite_merge(&pc, r->ips[i].cite);
        if (strcmp(cfg->ip_usage, "dedicated") == 0)
            md_cite_add(&pc, md_srcs_config(&r->src, "[microsoft] ip_usage"));
        if (!pc.len)
            md_cite_add(&pc, md_srcs_config(&r->src, "[organisation] networks"));
        md_buf_puts(&p, "As Outlook.com evaluates every IP address in the Received header chain, "
                        "the list below holds every system of ours that appears in the headers "
                        "of the affected messages (gateways, mail cluster, webmail, relay), "
                        "not only the outbound gateway.");
        if (strcmp(cfg->ip_usage, "dedicated") == 0)
            md_buf_puts(&p, " Each of these IPs is used only by us (declared by the postmaster: "
                            "[microsoft] ip_usage).");
        md_an_claim(pr, "paragraph", md_buf_cstr(&p), md_buf_cstr(&pc));
        md_buf_reset(&p);
        md_buf_reset(&pc);
        for (size_t i = 0; i < r->nips; i++) {
            char key[200];
            snprintf(key, sizeof key, r->ips[i].host ? "[host %s] ip" : "[organisation] networks",
                     r->ips[i].host ? r->ips[i].host->name : "");
            md_cite_merge(&pc, cfg_cite(r, key, cb, sizeof cb));
            md_cite_merge(&pc, r->ips[i].cite);
        }
        if (!pc.len)
            md_cite_add(&pc, md_srcs_store(&r->src, "logs"));
        req_affected(r, &p, &pc);
        md_an_claim(pr, "paragraph", md_buf_cstr(&p), md_buf_cstr(&pc));
        md_buf_free(&p);
        md_buf_free(&pc);
    }
}

/* req_doc_tickets: the tickets, with their (redacted) summaries */
static void req_doc_tickets(xmlNode *root, const md_case_ticket *tk, size_t ntk, req *r)
{
    xmlNode *tl = md_an_el(root, "tickets");
    for (size_t i = 0; i < ntk; i++) {
        xmlNode *t = md_an_el(tl, "ticket");
        md_an_txt(t, "number", tk[i].number);
        md_buf sb = MD_BUF_INIT;
        md_text_redact_line(&sb, tk[i].summary, strlen(tk[i].summary), NULL);
        char cb[24];
        md_an_claim(t, "summary", sb.len ? md_buf_cstr(&sb) : "(no summary)",
                    md_an_cite1(md_srcs_ticket(&r->src, tk[i].number), cb, sizeof cb));
        md_buf_free(&sb);
    }
}

/* req_doc_head: title, contact, the domains, the organisation and how its
 * IPs are used, each citing what it rests on */
static void req_doc_head(xmlNode *root, const md_config *cfg, req *r, const md_case_ticket *tk,
                         size_t ntk)
{
    char cb[24];
    md_buf tc = MD_BUF_INIT;
    md_cite_add(&tc, md_srcs_config(&r->src, cfg->org_name[0] ? "[organisation] name"
                                                              : "[organisation] domains"));
    md_cite_merge(&tc, md_buf_cstr(&r->cfiltered));
    for (size_t i = 0; i < ntk; i++)
        md_cite_add(&tc, md_srcs_ticket(&r->src, tk[i].number));
    for (size_t i = 0; i < r->nerrs; i++) {
        md_cite_add(&tc, r->errs[i].src_first);
        md_cite_add(&tc, r->errs[i].src_last);
    }
    md_cite_set(req_title(root, cfg, r), md_buf_cstr(&tc));
    xmlNode *ct = md_an_el(root, "contact");
    md_cite_set(ct, cfg_cite(r, "[contact]", cb, sizeof cb));
    md_an_txt(ct, "name", cfg->contact_name);
    md_an_txt(ct, "email", cfg->contact_email);
    if (cfg->contact_phone[0])
        md_an_txt(ct, "phone", cfg->contact_phone);
    xmlNode *rd = md_an_el(root, "recipient-domains");
    if (!r->nrdom)   /* no attempt: the request's title names Outlook.com */
        md_an_claim(rd, "domain", "outlook.com", md_buf_cstr(&tc));
    for (size_t i = 0; i < r->nrdom; i++)
        md_an_claim(rd, "domain", r->rdom[i], md_an_cite1(r->rdsrc[i], cb, sizeof cb));
    xmlNode *sd = md_an_el(root, "sender-domains");
    md_cite_set(sd, cfg_cite(r, "[organisation] domains", cb, sizeof cb));
    for (size_t i = 0; i < cfg->ndomains; i++)
        md_an_txt(sd, "domain", cfg->domains[i]);
    xmlNode *org = md_an_el(root, "organisation");
    md_cite_set(org, cfg_cite(r, "[organisation]", cb, sizeof cb));
    md_an_txt(org, "name", cfg->org_name);
    md_an_txt(org, "description", cfg->org_description);
    md_an_claim(root, "ip-usage", strcmp(cfg->ip_usage, "dedicated") == 0 ? "dedicated"
                          : strcmp(cfg->ip_usage, "shared") == 0 ? "shared" : "unknown",
                cfg_cite(r, "[microsoft] ip_usage", cb, sizeof cb));
    /* "" when not declared: the key's absence is what the claim rests on */
    md_an_claim(root, "sender-kind", cfg->sender_kind,
                cfg_cite(r, "[microsoft] sender_kind", cb, sizeof cb));
    md_buf_free(&tc);
}

int md_analysis_request(md_store *st, const md_config *cfg, const char *const *tickets,
                        size_t ntickets, int64_t since, int64_t until, int64_t now,
                        xmlDoc **doc, md_case_ipref **ips_out, size_t *nips_out, md_err *err)
{
    *doc = NULL;
    if (ips_out)
        *ips_out = NULL;
    if (nips_out)
        *nips_out = 0;
    if (!now)
        now = (int64_t)time(NULL);
    req r;
    memset(&r, 0, sizeof r);
    md_srcs_init(&r.src, st, cfg);
    r.src.redact_paths = 1;     /* the request goes out: no home directory names */
    int rc = MD_OK;
    md_case_ticket *tk = NULL;
    size_t ntk = 0;
    /* the tickets: named ones, or those whose window overlaps */
    if (ntickets) {
        tk = calloc(ntickets, sizeof *tk);
        if (!tk)
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < ntickets && rc == MD_OK; i++) {
            rc = md_store_case_ticket_get(st, tickets[i], &tk[ntk], err);
            if (rc == MD_ERR_NOTFOUND)
                md_err_set(err, MD_ERR_NOTFOUND,
                           "ticket %s is not in the store: make its dossier first "
                           "(maildossier ticket %s --address ...)", tickets[i], tickets[i]);
            if (rc == MD_OK)
                ntk++;
        }
    } else if (since || until) {
        rc = md_store_case_ticket_list(st, since, until, &tk, &ntk, err);
    }
    int64_t wfirst = since, wlast = until;
    if (rc == MD_OK)
        rc = req_analyse(&r, st, cfg, tk, ntk, &wfirst, &wlast, err);
    if (rc == MD_OK && (since || until))
        rc = req_window(&r, st, cfg, since, until, err);
    if (rc != MD_OK) {
        free(tk);
        req_free(&r);
        return rc;
    }
    req_routes(&r, cfg);
    if (r.nips > 1)
        qsort(r.ips, r.nips, sizeof *r.ips, cmp_reqip);

    xmlDoc *d = xmlNewDoc(BX "1.0");
    xmlNode *root = xmlNewNode(NULL, BX "request");
    xmlDocSetRootElement(d, root);
    xmlNewProp(root, BX "version", BX "1");
    md_an_time_el(root, "generated-at", now);
    md_an_txt(root, "tool-version", MD_VERSION);
    if (wfirst || wlast) {
        xmlNode *w = md_an_el(root, "window");
        md_an_time_el(w, "since", wfirst ? wfirst : (r.first ? r.first : now));
        md_an_time_el(w, "until", wlast ? wlast : now);
    }
    req_doc_head(root, cfg, &r, tk, ntk);
    req_doc_ips(root, st, &r);
    req_doc_errors(root, &r);
    req_doc_volumes(root, st, cfg, wfirst, wlast, &r);
    md_an_req_domains(root, st, cfg, wfirst, wlast, &r.src);
    char cb[24];
    /* "" when not declared: the key's absence is what the claim rests on */
    md_an_claim(root, "opt-in", cfg->optin_note, cfg_cite(&r, "[microsoft] optin", cb, sizeof cb));
    xmlNode *en = md_an_el(root, "enrolment");
    /* left out when the configuration does not declare it (-1) */
    if (cfg->snds_enrolled >= 0)
        md_an_claim(en, "snds", cfg->snds_enrolled ? "true" : "false",
                    cfg_cite(&r, "[microsoft] snds", cb, sizeof cb));
    if (cfg->jmrp_enrolled >= 0)
        md_an_claim(en, "jmrp", cfg->jmrp_enrolled ? "true" : "false",
                    cfg_cite(&r, "[microsoft] jmrp", cb, sizeof cb));

    req_doc_problem(root, cfg, &r);
    req_doc_tickets(root, tk, ntk, &r);
    rc = md_srcs_write(&r.src, root);
    if (ips_out && r.nips) {
        *ips_out = calloc(r.nips, sizeof **ips_out);
        if (*ips_out) {
            for (size_t i = 0; i < r.nips; i++)
                /* not ours, or banned (the delist portal's): not in the form */
                if (!r.ips[i].foreign && !md_req_route_delist(r.ips[i].route))
                    snprintf((*ips_out)[(*nips_out)++].ip, sizeof (*ips_out)[0].ip, "%s",
                             r.ips[i].ip);
        }
    }
    free(tk);
    req_free(&r);
    if (rc != MD_OK) {
        xmlFreeDoc(d);
        if (ips_out) {
            free(*ips_out);
            *ips_out = NULL;
            *nips_out = 0;
        }
        return md_err_set(err, rc, "out of memory");
    }
    *doc = d;
    return MD_OK;
}

