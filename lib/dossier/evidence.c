/* evidence.c: what the stored messages add to a ticket's threads: the
 * copies found by Message-ID, their Received hops, authentication results,
 * bounces and the forwarding rules that apply.  Part of the ticket analysis
 * (analysis_int.h).  Never prints. */
#include "dossier/analysis_int.h"
#include "base/idset.h"

/* ======================================================================
 * the msg area: headers, bounces, complaints
 * ====================================================================== */

typedef struct hoparg {
    ctx *c;
    thread *t;
    size_t i;                  /* the stored message (index into t->mrow) */
} hoparg;

static int on_msgrow(void *arg, const md_msg_row *m)
{
    hoparg *a = arg;
    thread *t = a->t;
    if (!strcmp(m->kind, MD_MSGKIND_MSREPLY) || !strcmp(m->kind, MD_MSGKIND_DMARC))
        return 0;
    for (size_t i = 0; i < t->nmrow; i++)
        if (t->mrow[i] == m->id)
            return 0;
    if (t->nmrow < 16) {
        t->mrow[t->nmrow] = m->id;
        snprintf(t->mkind[t->nmrow], sizeof t->mkind[0], "%s", m->kind);
        t->msrc[t->nmrow] = md_srcs_message(a->c->src, m->source_id, m->path, m->message_id);
        t->nmrow++;
    }
    return 0;
}

static void strip_brackets(const char *in, char *out, size_t n)
{
    while (*in == '<' || *in == ' ')
        in++;
    snprintf(out, n, "%s", in);
    size_t l = strlen(out);
    while (l && (out[l - 1] == '>' || out[l - 1] == ' '))
        out[--l] = '\0';
}

/* md_an_msg_lookup: the stored messages, bounces and complaints about the
 * thread's Message-IDs */
void md_an_msg_lookup(ctx *c, thread *t)
{
    md_err e = {0, ""};
    char id[512];
    hoparg a = {c, t, 0};
    for (size_t k = 0; k < t->nm; k++) {
        const md_trace_msg *m = &c->tr->msgs[t->m[k]];
        if (m->msgid[0]) {
            strip_brackets(m->msgid, id, sizeof id);
            md_store_msg_by_msgid(c->st, id, on_msgrow, &a, &e);
        }
        for (size_t i = 0; i < m->ndlvs; i++)
            if (m->dlvs[i].quoted_msgid[0]) {
                strip_brackets(m->dlvs[i].quoted_msgid, id, sizeof id);
                md_store_msg_by_msgid(c->st, id, on_msgrow, &a, &e);
            }
    }
}

static int on_our_ip(void *arg, const md_msg_hoprow *h)
{
    hoparg *a = arg;
    char buf[1024], when[32], cb[24];
    const char *cite = md_an_cite1(a->t->msrc[a->i], cb, sizeof cb);
    const md_host *host = md_config_host_str(a->c->cfg, h->ip);
    if (!host) {
        md_an_note(a->c, cite, "IP %s (in our networks, not a configured host) appears in the Received "
                   "chain of %s; if it is a mail system, add it to the configuration so that "
                   "it is listed.", h->ip, a->t->ref);
        return 0;
    }
    ipinfo *x = md_an_ip_get(a->c, h->ip);
    if (!x)
        return 0;
    snprintf(buf, sizeof buf, "Received header hop %d: from %s [%s] by %s%s%s%s%s; Microsoft "
                              "evaluates every IP of this chain",
             h->idx, h->rdns[0] ? h->rdns : h->helo, h->ip, h->by, h->qid[0] ? " id " : "",
             h->qid, h->date ? " at " : "", h->date ? md_an_fmt_short(h->date, when, sizeof when) : "");
    md_an_ip_evidence(a->c, x, "received", a->t->ref, buf, cite);
    md_an_ip_lead(a->c, x, MD_AN_LEAD_HOP, buf, cite);
    md_an_ip_seen(x, h->date);
    return 0;
}

static int on_dsn_ip(void *arg, const md_msg_dsnrow *d)
{
    hoparg *a = arg;
    if (!d->r->microsoft)
        return 0;
    a->t->ms = 1;
    if (!d->r->named_ip[0])
        return 0;
    md_ip ip;
    if (md_ip_parse(&ip, d->r->named_ip, strlen(d->r->named_ip)) != MD_OK ||
        !md_config_is_ours(a->c->cfg, &ip))
        return 0;
    ipinfo *x = md_an_ip_get(a->c, d->r->named_ip);
    if (!x)
        return 0;
    char buf[1400], when[32], cb[24];
    snprintf(buf, sizeof buf, "Microsoft's bounce%s%s names %s: %s %s",
             d->date ? " of " : "", d->date ? md_an_fmt_short(d->date, when, sizeof when) : "",
             d->r->named_ip, d->r->status, d->r->diag);
    const char *cite = md_an_cite1(a->t->msrc[a->i], cb, sizeof cb);
    md_an_ip_evidence(a->c, x, "bounce", a->t->ref, buf, cite);
    md_an_ip_lead(a->c, x, MD_AN_LEAD_NAMED, buf, cite);
    md_an_ip_seen(x, d->date);
    return 0;
}

/* md_an_msg_ips: affected IPs from the headers and bounces of the thread */
void md_an_msg_ips(ctx *c, thread *t)
{
    md_err e = {0, ""};
    hoparg a = {c, t, 0};
    for (a.i = 0; a.i < t->nmrow; a.i++)
        if (!strcmp(t->mkind[a.i], MD_MSGKIND_DSN))
            md_store_msg_dsns(c->st, t->mrow[a.i], on_dsn_ip, &a, &e);
    if (!t->ms)
        return;
    for (a.i = 0; a.i < t->nmrow; a.i++)
        if (!strcmp(t->mkind[a.i], MD_MSGKIND_MESSAGE) || !strcmp(t->mkind[a.i], MD_MSGKIND_ARF))
            md_store_msg_our_ips(c->st, t->mrow[a.i], on_our_ip, &a, &e);
}

/* standalone: messages of the msg area to/from the ticket's addresses in
 * the window that no log message explains */
typedef struct sarg {
    ctx *c;
    int rc;
    md_idset seen;             /* msg rows of the threads so far */
    size_t cap;                /* room in c->th */
} sarg;

static int on_standalone(void *arg, const md_msg_row *m)
{
    sarg *a = arg;
    ctx *c = a->c;
    if (!strcmp(m->kind, MD_MSGKIND_MSREPLY) || !strcmp(m->kind, MD_MSGKIND_DMARC))
        return 0;
    if (md_idset_has(&a->seen, m->id))
        return 0;
    thread *p = md_grow(c->th, &a->cap, c->nth + 1, sizeof *p, 16);
    if (p)
        c->th = p;   /* md_grow may have moved it */
    if (!p || md_idset_add(&a->seen, m->id) < 0) {
        a->rc = MD_ERR_NOMEM;
        return 1;
    }
    thread *t = &c->th[c->nth++];
    memset(t, 0, sizeof *t);
    t->t = m->date;
    t->mdate = m->date;
    t->mrow[0] = m->id;
    snprintf(t->mkind[0], sizeof t->mkind[0], "%s", m->kind);
    t->msrc[0] = md_srcs_message(c->src, m->source_id, m->path, m->message_id);
    t->nmrow = 1;
    snprintf(t->mfrom, sizeof t->mfrom, "%s", m->from_addr ? m->from_addr : "");
    snprintf(t->mto, sizeof t->mto, "%s", m->to_text ? m->to_text : "");
    snprintf(t->msubject, sizeof t->msubject, "%s", m->subject ? m->subject : "");
    snprintf(t->mmsgid, sizeof t->mmsgid, "%s", m->message_id ? m->message_id : "");
    return 0;
}

int md_an_standalone(ctx *c)
{
    md_err e = {0, ""};
    sarg a = {c, MD_OK, {0}, c->nth};
    for (size_t i = 0; i < c->nth && a.rc == MD_OK; i++)
        for (size_t k = 0; k < c->th[i].nmrow; k++)
            if (md_idset_add(&a.seen, c->th[i].mrow[k]) < 0)
                a.rc = MD_ERR_NOMEM;
    for (size_t i = 0; i < c->o->naddrs && a.rc == MD_OK; i++) {
        char norm[MD_LIMIT_ADDR];
        if (md_text_addr_norm(norm, sizeof norm, c->o->addrs[i], strlen(c->o->addrs[i])) != MD_OK)
            continue;
        if (md_store_msg_by_addr(c->st, norm, c->o->since, c->o->until, on_standalone, &a, &e) !=
            MD_OK) {
            md_idset_free(&a.seen);
            return md_err_set(c->err, e.code ? e.code : MD_ERR_DB, "%s", e.msg);
        }
    }
    md_idset_free(&a.seen);
    if (a.rc != MD_OK)
        return md_err_set(c->err, a.rc, "out of memory");
    return MD_OK;
}

typedef struct dsnverd {
    ctx *c;
    thread *t;
    int oc;
} dsnverd;

/* recipient_reason: a refusal about the recipient, not the sending IP (the
 * reply classification's predicate; "hasmoved" is a bounce reason the
 * reply enum has no member for) */
static int recipient_reason(const char *reason)
{
    return md_reply_reason_recipient(md_reply_reason_parse(reason)) ||
           strcmp(reason, "hasmoved") == 0;
}

static int on_dsn_verdict(void *arg, const md_msg_dsnrow *d)
{
    dsnverd *v = arg;
    md_buf to = MD_BUF_INIT, diag = MD_BUF_INIT;
    md_an_redaddr(v->c, &to, d->r->final_rcpt);
    md_an_red(v->c, &diag, d->r->diag);
    md_an_sentence_sep(&v->t->verdict);
    md_an_sentence_sep(&v->t->shorttext);
    const char *st = d->r->status;
    if (!strcmp(d->r->action, "delivered") || !strcmp(d->r->action, "relayed") ||
        !strcmp(d->r->action, "expanded") || st[0] == '2') {
        /* a delivery report, no failure */
        md_buf_printf(&v->t->verdict, "delivery report%s%s for %s: %s%s%s",
                      d->reporting_mta[0] ? " from " : "", d->reporting_mta, md_buf_cstr(&to),
                      d->r->action[0] ? d->r->action : "delivered", st[0] ? " " : "", st);
        md_buf_printf(&v->t->shorttext, "delivery report (%s)", st[0] ? st : "delivered");
        if (v->oc < OC_DELIVERED)
            v->oc = OC_DELIVERED;
    } else if (d->r->microsoft && d->r->named_ip[0] && md_reply_status_banned(st)) {
        md_buf_printf(&v->t->verdict, "rejected because Microsoft banned the sending IP %s (%s): "
                                      "%s; the remedy is Microsoft's delist portal, not the "
                                      "sender-support form", d->r->named_ip, st, md_buf_cstr(&diag));
        md_buf_printf(&v->t->shorttext, "rejected by Microsoft: banned IP (%s)", st);
        v->oc = OC_REJECTED;
    } else if (d->r->microsoft && d->r->named_ip[0] && !strcmp(d->r->reason, "blocked")) {
        md_buf_printf(&v->t->verdict, "rejected by Microsoft naming IP %s%s (%s): %s",
                      d->r->named_ip, md_text_casestr(d->r->diag, strlen(d->r->diag), "block list")
                          ? ", which it says is on its block list" : "",
                      st, md_buf_cstr(&diag));
        md_buf_printf(&v->t->shorttext, "rejected by Microsoft (%s)", st);
        v->oc = OC_REJECTED;
    } else {
        md_buf_printf(&v->t->verdict, "bounce%s%s for %s: %s %s", d->reporting_mta[0] ? " from " : "",
                      d->reporting_mta, md_buf_cstr(&to), st, md_buf_cstr(&diag));
        if (recipient_reason(d->r->reason))
            md_buf_printf(&v->t->verdict, " (%s: a recipient error, not a problem of our IPs)",
                          d->r->reason);
        md_buf_printf(&v->t->shorttext, "bounced (%s)", st);
        if (v->oc < OC_BOUNCED)
            v->oc = OC_BOUNCED;
    }
    md_buf_free(&to);
    md_buf_free(&diag);
    return 0;
}

typedef struct spamarg {
    char sfv[16];
    int scl;                   /* -99: none */
} spamarg;

static int on_spam_field(void *arg, const md_msg_authrow *a)
{
    spamarg *g = arg;
    if (strcmp(a->source, "X-Forefront-Antispam-Report") != 0)
        return 0;
    if (md_text_casecmp(a->method, "SFV") == 0 && !g->sfv[0])
        snprintf(g->sfv, sizeof g->sfv, "%s", a->result);
    else if (md_text_casecmp(a->method, "SCL") == 0 && g->scl == -99)
        g->scl = atoi(a->result);
    return 0;
}

int md_an_copy_junked(ctx *c, const thread *t, md_buf *words)
{
    md_err e = {0, ""};
    for (size_t i = 0; i < t->nmrow; i++) {
        if (strcmp(t->mkind[i], MD_MSGKIND_MESSAGE) != 0)
            continue;
        spamarg g = {"", -99};
        md_store_msg_auths(c->st, t->mrow[i], on_spam_field, &g, &e);
        /* SFV:SPM, or SCL 5 and more: Microsoft's own verdict is spam */
        if (md_text_casecmp(g.sfv, "SPM") != 0 && g.scl < 5)
            continue;
        md_buf_puts(words, "put in the Junk E-mail folder by Microsoft (the stored copy's "
                           "X-Forefront-Antispam-Report: ");
        if (g.sfv[0])
            md_buf_printf(words, "SFV:%s%s", g.sfv, g.scl != -99 ? ", " : "");
        if (g.scl != -99)
            md_buf_printf(words, "SCL %d", g.scl);
        md_buf_putc(words, ')');
        return 1;
    }
    return 0;
}

static int on_count_hop(void *arg, const md_msg_hoprow *h)
{
    (void)h;
    (*(size_t *)arg)++;
    return 0;
}

/* stored_copy_verdict: a stored message no log line explains: what its
 * own headers show (our hosts in its Received chain, Microsoft's spam
 * verdict); 0 when they show neither */
static int stored_copy_verdict(ctx *c, thread *t)
{
    size_t ours = 0;
    md_err e = {0, ""};
    md_store_msg_our_ips(c->st, t->mrow[0], on_count_hop, &ours, &e);
    md_buf junk = MD_BUF_INIT;
    int junked = md_an_copy_junked(c, t, &junk);
    if (!ours && !junked) {
        md_buf_free(&junk);
        return 0;
    }
    md_buf_puts(&t->verdict, ours ? "a stored copy shows it left through our servers (our IPs in "
                                    "its Received chain)"
                                  : "a stored copy of it exists");
    if (junked) {
        md_buf_printf(&t->verdict, " and was %s", md_buf_cstr(&junk));
        md_buf_puts(&t->shorttext, "stored copy: put in the Junk E-mail folder by Microsoft");
        t->oc = OC_FILTERED;
        t->ms = 1;       /* its chain's IPs are affected */
        t->ipprob = 1;
    } else {
        md_buf_puts(&t->shorttext, "stored copy: left through our servers");
        t->oc = OC_UNKNOWN;
    }
    md_buf_puts(&t->verdict, "; no log line of it in the window");
    md_buf_free(&junk);
    return 1;
}

void md_an_verdict_standalone(ctx *c, thread *t)
{
    md_err e = {0, ""};
    if (!strcmp(t->mkind[0], MD_MSGKIND_DSN)) {
        dsnverd v = {c, t, OC_UNKNOWN};
        md_store_msg_dsns(c->st, t->mrow[0], on_dsn_verdict, &v, &e);
        if (!t->verdict.len)
            md_buf_puts(&t->verdict, "a bounce without a failed recipient");
        md_buf_puts(&t->verdict, "; the bounced message has no log line in the window");
        t->oc = v.oc ? v.oc : OC_BOUNCED;
    } else if (!strcmp(t->mkind[0], MD_MSGKIND_ARF)) {
        md_buf_puts(&t->verdict, "reported as junk by its recipient (complaint report); "
                                 "no log line in the window");
        md_buf_puts(&t->shorttext, "complaint (reported as junk)");
        t->oc = OC_FILTERED;
    } else if (!strcmp(t->mkind[0], MD_MSGKIND_MESSAGE) && stored_copy_verdict(c, t)) {
        /* said by its headers */
    } else if (c->cov.read && !c->cov.complete) {
        md_buf_puts(&t->verdict, "no log line in the window, but the logs do not cover the "
                                 "window (see Evidence coverage): whether it reached our servers "
                                 "cannot be told from them");
        md_buf_puts(&t->shorttext, "no log line (logs incomplete)");
        t->oc = OC_MISSING;
        c->withheld = 1;
    } else {
        md_buf_puts(&t->verdict, "never reached our servers (no log line in the window): ask "
                                 "the sender for the bounce");
        md_buf_puts(&t->shorttext, "no log line: never reached our servers");
        t->oc = OC_MISSING;
    }
    md_buf_putc(&t->verdict, '.');
    if (t->verdict.data)
        t->verdict.data[0] = (char)toupper((unsigned char)t->verdict.data[0]);
}

typedef struct hopcol {
    size_t src;                /* the message's source number */
    md_msg_hoprow r[MD_LIMIT_RECEIVED];
    char s[MD_LIMIT_RECEIVED][4][256];
    size_t n;
} hopcol;

static int on_hop(void *arg, const md_msg_hoprow *h)
{
    hopcol *hc = arg;
    if (hc->n >= MD_LIMIT_RECEIVED)
        return 1;
    hc->r[hc->n] = *h;
    snprintf(hc->s[hc->n][0], 256, "%s", h->rdns && h->rdns[0] ? h->rdns : (h->helo ? h->helo : ""));
    snprintf(hc->s[hc->n][1], 256, "%s", h->ip ? h->ip : "");
    snprintf(hc->s[hc->n][2], 256, "%s", h->by ? h->by : "");
    snprintf(hc->s[hc->n][3], 256, "%s", h->with ? h->with : "");
    hc->n++;
    return 0;
}

void md_an_build_hops(ctx *c, xmlNode *x, thread *t)
{
    xmlNode *hops = md_an_el(x, "hops");
    hopcol *best = NULL, *hc = malloc(sizeof *hc);
    md_err e = {0, ""};
    for (size_t i = 0; i < t->nmrow && hc; i++) {
        if (strcmp(t->mkind[i], MD_MSGKIND_MESSAGE) != 0)
            continue;
        hc->n = 0;
        hc->src = t->msrc[i];
        md_store_msg_hops(c->st, t->mrow[i], on_hop, hc, &e);
        if (!best || hc->n > best->n) {
            hopcol *tmp = best;
            best = hc;
            hc = tmp ? tmp : malloc(sizeof *hc);
        }
    }
    free(hc);
    if (!best)
        return;
    char cb[24];
    for (size_t k = best->n, n = 1; k-- > 0; n++) {
        const md_msg_hoprow *h = &best->r[k];
        xmlNode *hp = md_an_el(hops, "hop");
        md_cite_set(hp, md_an_cite1(best->src, cb, sizeof cb));
        md_an_txtf(hp, "n", "%zu", n);
        if (best->s[k][0][0])
            md_an_txt(hp, "from", best->s[k][0]);
        if (md_an_ip_valid(best->s[k][1]))
            md_an_txt(hp, "ip", best->s[k][1]);
        if (best->s[k][2][0])
            md_an_txt(hp, "by", best->s[k][2]);
        if (best->s[k][3][0]) {
            /* xs:token: the first word */
            char w[64];
            snprintf(w, sizeof w, "%.63s", best->s[k][3]);
            w[strcspn(w, " \t")] = '\0';
            md_an_txt(hp, "with", w);
        }
        if (h->date)
            md_an_time_el(hp, "time", h->date);
        md_an_txt(hp, "ours", h->cls == MD_IPCLASS_OURS ? "true" : "false");
    }
    free(best);
}

/* authentication: the results in the message's headers (our copies and
 * the originals attached to bounces), each distinct one once */
#define AUTH_MAX 40
typedef struct autharg {
    ctx *c;
    xmlNode *x;
    size_t src;                /* the message's source number */
    md_buf seen;    /* "method\tresult\tdetail\n" of those added */
    int n;
} autharg;

/* token: the first word of s, lower case unless keep (xs:token) */
static void token(char *dst, size_t n, const char *s, int keep)
{
    size_t k = 0;
    while (*s == ' ' || *s == '\t')
        s++;
    for (; *s && *s != ' ' && *s != '\t' && *s != ';' && k + 1 < n; s++)
        dst[k++] = keep ? *s : (char)tolower((unsigned char)*s);
    dst[k] = '\0';
}

static int on_auth(void *arg, const md_msg_authrow *a)
{
    autharg *g = arg;
    int as = strcmp(a->source, "X-Forefront-Antispam-Report") == 0;
    char method[64], result[64], key[64];
    token(method, sizeof method, a->method, 0);
    token(result, sizeof result, a->result, as);
    if (!method[0] || !result[0])
        return 0;
    md_buf d = MD_BUF_INIT;
    if (as) {
        char w[256];
        snprintf(key, sizeof key, "%s", method);
        for (char *p = key; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        const char *m = strcmp(key, "SCL") == 0 ? md_msantispam_scl_text(atoi(a->result))
                                                : md_msantispam_meaning(key, a->result, w, sizeof w);
        md_buf_printf(&d, "%s; %s", m && *m ? m : md_msantispam_label(key), a->source);
    } else {
        if (a->reason[0])
            md_buf_printf(&d, "reason %s; ", a->reason);
        if (a->props[0])
            md_buf_printf(&d, "%s; ", a->props);
        md_buf_printf(&d, "%s%s%s", a->source, a->authserv[0] ? " by " : "", a->authserv);
    }
    md_buf k = MD_BUF_INIT;
    md_buf_printf(&k, "\n%s\t%s\t%s\n", method, result, md_buf_cstr(&d));
    if (!md_text_casestr(md_buf_cstr(&g->seen), g->seen.len, md_buf_cstr(&k)) && g->n < AUTH_MAX) {
        md_buf_append(&g->seen, md_buf_cstr(&k) + 1, k.len - 1);
        xmlNode *r = md_an_el(g->x, "result");
        char cb[24];
        md_cite_set(r, md_an_cite1(g->src, cb, sizeof cb));
        md_an_txt(r, "method", method);
        md_an_txt(r, "result", result);
        md_an_txt_red(g->c, r, "detail", md_buf_cstr(&d));
        g->n++;
    }
    md_buf_free(&k);
    md_buf_free(&d);
    return g->n >= AUTH_MAX;
}

void md_an_build_auth(ctx *c, xmlNode *x, thread *t)
{
    autharg g = {c, md_an_el(x, "authentication"), 0, MD_BUF_INIT, 0};
    md_err e = {0, ""};
    md_buf_puts(&g.seen, "\n");
    for (size_t i = 0; i < t->nmrow && g.n < AUTH_MAX; i++) {
        g.src = t->msrc[i];
        md_store_msg_auths(c->st, t->mrow[i], on_auth, &g, &e);
    }
    md_buf_free(&g.seen);
}

typedef struct bncarg {
    ctx *c;
    xmlNode *parent;
    size_t src;                /* the bounce's source number */
} bncarg;

static int on_bounce_xml(void *arg, const md_msg_dsnrow *d)
{
    bncarg *b = arg;
    xmlNode *x = md_an_el(b->parent, "bounce");
    char cb[24];
    md_cite_set(x, md_an_cite1(b->src, cb, sizeof cb));
    if (d->date)
        md_an_time_el(x, "time", d->date);
    if (d->r->final_rcpt[0])
        md_an_txt_addr(b->c, x, "recipient", d->r->final_rcpt);
    if (d->r->status[0])
        md_an_txt(x, "status", d->r->status);
    if (d->r->reason[0] && strcmp(d->r->reason, "undefined") != 0)   /* nothing known */
        md_an_txt(x, "reason", d->r->reason);
    if (d->r->remote_mta[0])
        md_an_txt(x, "remote-mta", d->r->remote_mta);
    if (md_an_ip_valid(d->r->named_ip))
        md_an_txt(x, "ip", d->r->named_ip);
    md_an_txt_red(b->c, x, "diagnostic", d->r->diag);
    if (d->reporting_mta && d->reporting_mta[0])
        md_an_txt(x, "source", d->reporting_mta);
    return 0;
}

void md_an_build_bounces(ctx *c, xmlNode *x, thread *t)
{
    xmlNode *bs = md_an_el(x, "bounces");
    md_err e = {0, ""};
    bncarg b = {c, bs, 0};
    for (size_t i = 0; i < t->nmrow; i++)
        if (!strcmp(t->mkind[i], MD_MSGKIND_DSN)) {
            b.src = t->msrc[i];
            md_store_msg_dsns(c->st, t->mrow[i], on_bounce_xml, &b, &e);
        }
}

int md_an_cmp_thread(const void *a, const void *b)
{
    const thread *x = a, *y = b;
    return x->t < y->t ? -1 : x->t > y->t;
}

void md_an_build_forwarding(ctx *c, xmlNode *root)
{
    xmlNode *fw = md_an_el(root, "forwarding");
    char cb[24];
    if (!c->rules_stored) {
        md_an_note(c, md_an_cite1(md_srcs_store(c->src, "rules"), cb, sizeof cb),
                   "No forwarding rules (aliases, .forward, Sieve, rule exports) ingested: "
                "forwarding is shown only as far as the logs show it, and whether a local "
                "copy is kept is not known.");
        return;
    }
    for (size_t i = 0; i < c->nres; i++) {
        const md_resolution *r = &c->res[i];
        for (size_t k = 0; k < r->applied.n; k++) {
            const md_rule *ru = &r->applied.v[k];
            xmlNode *x = md_an_el(fw, "rule");
            md_cite_set(x, md_an_cite1(md_srcs_rule(c->src, ru->file, ru->line), cb, sizeof cb));
            md_an_txt_addr(c, x, "address", ru->address);
            if (ru->ttype == MD_TGT_ADDR)
                md_an_txt_addr(c, x, "target", ru->target);
            else
                md_an_txtf(x, "target", "%s: %s", md_rules_tgt_name(ru->ttype), ru->target);
            md_an_txt(x, "keep-copy", ru->keeps_copy ? "true" : "false");
            md_an_txt(x, "kind", md_rules_kind_name(ru->kind));
            md_an_txt(x, "file", ru->file);
            if (ru->line)
                md_an_txtf(x, "line", "%llu", (unsigned long long)ru->line);
        }
        md_buf lc = MD_BUF_INIT;
        for (size_t k = 0; k < r->applied.n; k++)
            md_cite_add(&lc, md_srcs_rule(c->src, r->applied.v[k].file, r->applied.v[k].line));
        if (!lc.len)
            md_cite_add(&lc, md_srcs_store(c->src, "rules"));
        if (r->loop)
            md_an_note(c, md_buf_cstr(&lc), "The forwarding rules of %s loop (at %s).", r->address, r->loop_at);
        md_buf_free(&lc);
    }
}

