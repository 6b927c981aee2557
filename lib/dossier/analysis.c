/* analysis.c: the ticket dossier, the request to Microsoft, IP history and
 * open problems (see analysis.h).  Reads the store only through the areas'
 * query functions (trace.h, store_case.h); writes the evidence documents
 * with libxml2's tree API and hands them to lib/render/render.h.  Never prints. */
#include "dossier/analysis_int.h"


/* ======================================================================
 * small helpers
 * ====================================================================== */

int md_analysis_ticket_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n >= MD_CASE_NUMBER || s[0] == '.' || s[0] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
            return 0;
    return strstr(s, "..") == NULL;
}

int md_analysis_ticket_window(const char *number, int before, int after, int64_t *since,
                              int64_t *until, md_err *err)
{
    if (!number || strlen(number) < 8)
        return md_err_set(err, MD_ERR_ARG, "ticket %s: no date in the number", number ? number : "");
    for (int i = 0; i < 8; i++)
        if (!isdigit((unsigned char)number[i]))
            return md_err_set(err, MD_ERR_ARG, "ticket %s: does not start with YYYYMMDD",
                              number);
    int y = (number[0] - '0') * 1000 + (number[1] - '0') * 100 + (number[2] - '0') * 10 +
            (number[3] - '0');
    int m = (number[4] - '0') * 10 + (number[5] - '0');
    int d = (number[6] - '0') * 10 + (number[7] - '0');
    if (y < 1990 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31)
        return md_err_set(err, MD_ERR_ARG, "ticket %s: %.8s is not a date", number, number);
    /* local midnights (the site's zone), so that days mean what the
     * helpdesk means by them, summer time included */
    struct tm a, b;
    memset(&a, 0, sizeof a);
    a.tm_year = y - 1900;
    a.tm_mon = m - 1;
    a.tm_mday = d - before;
    a.tm_isdst = -1;
    b = a;
    b.tm_mday = d + after + 1;
    time_t ta = mktime(&a), tb = mktime(&b);
    if (ta == (time_t)-1 || tb == (time_t)-1)
        return md_err_set(err, MD_ERR_ARG, "ticket %s: date out of range", number);
    *since = (int64_t)ta;
    *until = (int64_t)tb - 1;
    return MD_OK;
}

/* Times are stored in UTC and shown in the site's zone (the process's TZ,
 * set by cmd from the config's [logs] timezone), with their offset in the
 * XML: log lines and Date headers then read alike. */

/* fmt_time: xs:dateTime with its offset (the epoch when t is 0 or out of
 * range) */
static const char *fmt_time(int64_t t, char *buf, size_t n)
{
    return md_text_time(buf, n, t, "%Y-%m-%dT%H:%M:%S%:z", "1970-01-01T00:00:00Z");
}

/* md_an_fmt_short: "2016-04-23 16:06" for sentences. */
const char *md_an_fmt_short(int64_t t, char *buf, size_t n)
{
    return md_text_time(buf, n, t, "%Y-%m-%d %H:%M", "?");
}

const char *md_an_fmt_day(int64_t t, char *buf, size_t n)
{
    return md_text_time(buf, n, t, "%Y-%m-%d", "1970-01-01");
}

/* clean: append s[0..n) as valid UTF-8 XML text (C0 controls but TAB/LF
 * become spaces). */
static void clean(md_buf *out, const char *s, size_t n)
{
    md_buf tmp = MD_BUF_INIT;
    if (!md_text_utf8_valid(s, n)) {
        md_text_utf8_repair(&tmp, s, n);
        s = md_buf_cstr(&tmp);
        n = tmp.len;
    }
    size_t run = 0; /* start of the bytes not yet copied */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && c != '\t' && c != '\n') {
            md_buf_append(out, s + run, i - run);
            md_buf_putc(out, ' ');
            run = i + 1;
        } else if (c == 0xef && i + 2 < n && (unsigned char)s[i + 1] == 0xbf &&
                   ((unsigned char)s[i + 2] == 0xbe || (unsigned char)s[i + 2] == 0xbf)) {
            md_buf_append(out, s + run, i - run);
            md_buf_puts(out, "\xef\xbf\xbd");   /* U+FFFE/FFFF are not XML */
            i += 2;
            run = i + 1;
        }
    }
    md_buf_append(out, s + run, n - run);
    md_buf_free(&tmp);
}

xmlNode *md_an_el(xmlNode *parent, const char *name)
{
    return xmlNewChild(parent, NULL, BX name, NULL);
}

xmlNode *md_an_txt(xmlNode *parent, const char *name, const char *s)
{
    md_buf b = MD_BUF_INIT;
    clean(&b, s ? s : "", s ? strlen(s) : 0);
    xmlNode *n = xmlNewTextChild(parent, NULL, BX name, BX md_buf_cstr(&b));
    md_buf_free(&b);
    return n;
}

xmlNode *md_an_txtf(xmlNode *parent, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
xmlNode *md_an_txtf(xmlNode *parent, const char *name, const char *fmt, ...)
{
    md_buf b = MD_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    md_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    xmlNode *n = md_an_txt(parent, name, md_buf_cstr(&b));
    md_buf_free(&b);
    return n;
}

xmlNode *md_an_claim(xmlNode *parent, const char *name, const char *s, const char *cite)
{
    xmlNode *n = md_an_txt(parent, name, s);
    md_cite_set(n, cite);
    return n;
}

const char *md_an_cite1(size_t no, char *buf, size_t n)
{
    snprintf(buf, n, "s%zu", no);
    return buf;
}

size_t md_an_src_line(ctx *c, const md_trace_msg *m, size_t i)
{
    const md_trace_line *l = &m->lines[i];
    return md_srcs_log(c->src, l->source_id, l->path, l->lineno ? l->lineno : 1, m->host);
}

size_t md_an_src_dlv(ctx *c, const md_trace_msg *m, const md_trace_dlv *d)
{
    const char *path = NULL;
    for (size_t i = 0; i < m->nlines && !path; i++)
        if (m->lines[i].source_id == d->source_id)
            path = m->lines[i].path;
    return md_srcs_log(c->src, d->source_id, path, d->lineno, m->host);
}

xmlNode *md_an_time_el(xmlNode *parent, const char *name, int64_t t)
{
    char b[64];
    return md_an_txt(parent, name, fmt_time(t, b, sizeof b));
}

int md_an_ip_valid(const char *s)
{
    md_ip ip;
    return s && *s && md_ip_parse(&ip, s, strlen(s)) == MD_OK;
}

/* canonical text of an IP, "" when s is none */

/* ======================================================================
 * the analysis context
 * ====================================================================== */

const char *const md_an_oc_names[OC_COUNT] = {"unknown", "delivered", "accepted", "forwarded",
                                               "missing", "deferred", "expired", "bounced",
                                               "rejected", "filtered", "not-received"};

void md_an_note(ctx *c, const char *cite, const char *fmt, ...)
{
    md_buf_puts(&c->notes, cite ? cite : "");
    md_buf_putc(&c->notes, '\x1f');
    va_list ap;
    va_start(ap, fmt);
    md_buf_vprintf(&c->notes, fmt, ap);
    va_end(ap);
    md_buf_putc(&c->notes, '\n');
}

static void keep_add(ctx *c, const char *s)
{
    if (!s || !*s)
        return;
    char norm[MD_LIMIT_ADDR];
    if (md_text_addr_norm(norm, sizeof norm, s, strlen(s)) != MD_OK || !strchr(norm, '@'))
        return;
    for (size_t i = 0; i < c->nkeep; i++)
        if (strcmp(c->keep[i], norm) == 0)
            return;
    char **p = md_grow(c->keep, &c->capkeep, c->nkeep + 2, sizeof *p, 32);
    if (!p)
        return;
    c->keep = p;
    char *d = strdup(norm);
    if (!d)
        return;
    c->keep[c->nkeep++] = d;
    c->keep[c->nkeep] = NULL;
}

int md_an_is_ticket_addr(const ctx *c, const char *a)
{
    char norm[MD_LIMIT_ADDR];
    if (!a || md_text_addr_norm(norm, sizeof norm, a, strlen(a)) != MD_OK)
        return 0;
    for (size_t i = 0; i < c->o->naddrs; i++) {
        char t[MD_LIMIT_ADDR];
        if (md_text_addr_norm(t, sizeof t, c->o->addrs[i], strlen(c->o->addrs[i])) == MD_OK &&
            strcmp(t, norm) == 0)
            return 1;
    }
    return 0;
}

/* msgid_at: is the <...> starting at s[i] a Message-ID (by its context:
 * "msgid=<", "message-id=<", "(<", "quotes <", or "> Queued mail" /
 * "> [InternalId" after it)?  *end: index after the '>'. */
static int msgid_at(const char *s, size_t n, size_t i, size_t *end)
{
    const char *gt = memchr(s + i, '>', n - i);
    if (!gt || !memchr(s + i, '@', (size_t)(gt - (s + i))))
        return 0;
    for (const char *p = s + i + 1; p < gt; p++)
        if (*p == ' ' || *p == '<' || *p == ',')
            return 0;
    *end = (size_t)(gt - s) + 1;
    static const char *const before[] = {"msgid=", "message-id=", "message-id: ", "(", "quotes ",
                                         NULL};
    for (const char *const *b = before; *b; b++) {
        size_t bl = strlen(*b);
        if (i >= bl && md_text_ncasecmp(s + i - bl, *b, bl) == 0)
            return 1;
    }
    static const char *const after[] = {" Queued mail", " [InternalId", NULL};
    for (const char *const *a = after; *a; a++) {
        size_t al = strlen(*a);
        if (*end + al <= n && md_text_ncasecmp(s + *end, *a, al) == 0)
            return 1;
    }
    return 0;
}

/* red: append s redacted (unless redaction is off) and XML-clean.
 * Message-IDs are not addresses: in their usual places they stay. */
void md_an_red(ctx *c, md_buf *out, const char *s)
{
    if (!s)
        return;
    if (!c->redact) {
        md_buf_puts(out, s);
        return;
    }
    size_t n = strlen(s), done = 0;
    for (size_t i = 0; i < n; i++) {
        size_t end;
        if (s[i] != '<' || !msgid_at(s, n, i, &end))
            continue;
        md_text_redact_line(out, s + done, i - done, (const char *const *)c->keep);
        md_buf_append(out, s + i, end - i);
        done = end;
        i = end - 1;
    }
    md_text_redact_line(out, s + done, n - done, (const char *const *)c->keep);
}

/* md_an_redaddr: an address for display: kept ones as they are, others
 * "*snip*@domain"; "<>" for the null sender. */
void md_an_redaddr(ctx *c, md_buf *out, const char *a)
{
    if (!a || !*a) {
        md_buf_puts(out, "<>");
        return;
    }
    if (!c->redact) {
        md_buf_puts(out, a);
        return;
    }
    char norm[MD_LIMIT_ADDR];
    if (md_text_addr_norm(norm, sizeof norm, a, strlen(a)) == MD_OK)
        for (size_t i = 0; i < c->nkeep; i++)
            if (strcmp(c->keep[i], norm) == 0) {
                md_buf_puts(out, a);
                return;
            }
    md_text_redact_addr(out, a);
}

xmlNode *md_an_txt_red(ctx *c, xmlNode *parent, const char *name, const char *s)
{
    md_buf b = MD_BUF_INIT;
    md_an_red(c, &b, s);
    xmlNode *n = md_an_txt(parent, name, md_buf_cstr(&b));
    md_buf_free(&b);
    return n;
}

xmlNode *md_an_txt_addr(ctx *c, xmlNode *parent, const char *name, const char *a)
{
    md_buf b = MD_BUF_INIT;
    md_an_redaddr(c, &b, a);
    xmlNode *n = md_an_txt(parent, name, md_buf_cstr(&b));
    md_buf_free(&b);
    return n;
}

/* ======================================================================
 * threads: messages linked to each other
 * ====================================================================== */

static size_t uf_find(size_t *p, size_t i)
{
    while (p[i] != i) {
        p[i] = p[p[i]];
        i = p[i];
    }
    return i;
}

int md_an_is_ticket_addr(const ctx *c, const char *a);

/* copy_of_ticket: may a forwarded copy reached by link l belong to the
 * ticket?  Links by Message-ID quoted in Microsoft's reply or by store
 * re-injection are ambiguous when the original went to several users:
 * then only a copy whose envelope sender is a ticket address counts. */
static int copy_of_ticket(const ctx *c, const md_trace_link *l)
{
    if (l->kind != MD_LINK_MS_QUOTED && l->kind != MD_LINK_REINJECTED)
        return 1;
    if (md_an_is_ticket_addr(c, c->tr->msgs[l->to].sender))
        return 1;
    size_t n = 0;
    for (size_t i = 0; i < c->tr->nlinks; i++)
        if (c->tr->links[i].from == l->from && (c->tr->links[i].kind == MD_LINK_MS_QUOTED ||
                                                c->tr->links[i].kind == MD_LINK_REINJECTED))
            n++;
    return n <= 1;
}

int md_an_build_threads(ctx *c)
{
    md_trace_result *r = c->tr;
    if (r->nmsgs == 0)
        return MD_OK;
    size_t *p = malloc(r->nmsgs * sizeof *p);
    size_t *root_of = malloc(r->nmsgs * sizeof *root_of);
    c->th = calloc(r->nmsgs, sizeof *c->th);
    if (!p || !root_of || !c->th) {
        free(p);
        free(root_of);
        return md_err_set(c->err, MD_ERR_NOMEM, "out of memory");
    }
    /* relevant: matched the ticket's addresses, or reached from a relevant
     * message by a forward, re-injection, next hop, bounce or Microsoft's
     * quote; a shared Message-ID alone (a newsletter to many users) is not
     * enough: other users' copies stay out of the dossier */
    char *rel = calloc(r->nmsgs, 1);
    if (!rel) {
        free(p);
        free(root_of);
        return md_err_set(c->err, MD_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < r->nmsgs; i++)
        rel[i] = r->msgs[i].matched ? 1 : 0;
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < r->nlinks; i++) {
            const md_trace_link *l = &r->links[i];
            if (l->kind == MD_LINK_SAME_MSGID)
                continue;
            if (rel[l->from] && !rel[l->to] && !copy_of_ticket(c, l))
                continue;
            if (rel[l->from] && !rel[l->to]) {
                rel[l->to] = 1;
                changed = 1;
            }
            if (l->kind == MD_LINK_QUEUED_AS && rel[l->to] && !rel[l->from]) {
                rel[l->from] = 1;   /* the previous hop of the same message */
                changed = 1;
            }
        }
    }
    for (size_t i = 0; i < r->nmsgs; i++)
        p[i] = i;
    for (size_t i = 0; i < r->nlinks; i++) {
        if (!rel[r->links[i].from] || !rel[r->links[i].to])
            continue;
        size_t a = uf_find(p, r->links[i].from), b = uf_find(p, r->links[i].to);
        if (a != b)
            p[a > b ? a : b] = a > b ? b : a;
    }
    for (size_t i = 0; i < r->nmsgs; i++)
        root_of[i] = (size_t)-1;
    /* messages are in time order: threads come out in order of first message */
    for (size_t i = 0; i < r->nmsgs; i++) {
        if (!rel[i])
            continue;
        size_t root = uf_find(p, i);
        if (root_of[root] == (size_t)-1) {
            root_of[root] = c->nth;
            thread *t = &c->th[c->nth++];
            t->t = r->msgs[i].t_first;
            t->m = malloc(r->nmsgs * sizeof *t->m);
            if (!t->m) {
                free(p);
                free(root_of);
                free(rel);
                return md_err_set(c->err, MD_ERR_NOMEM, "out of memory");
            }
            snprintf(t->ref, sizeof t->ref, "m%u", (unsigned)c->nth % 100000000u);
        }
        thread *t = &c->th[root_of[root]];
        t->m[t->nm++] = i;
    }
    free(p);
    free(root_of);
    free(rel);
    return MD_OK;
}

/* is the message reached from the thread's first one by a forward link? */
int md_an_is_forwarded_copy(const ctx *c, size_t mi)
{
    for (size_t i = 0; i < c->tr->nlinks; i++) {
        const md_trace_link *l = &c->tr->links[i];
        if (l->to == mi && (l->kind == MD_LINK_FORWARDED || l->kind == MD_LINK_REINJECTED ||
                            l->kind == MD_LINK_MS_QUOTED))
            return 1;
    }
    return 0;
}

int md_an_is_bounce_msg(const ctx *c, size_t mi)
{
    for (size_t i = 0; i < c->tr->nlinks; i++)
        if (c->tr->links[i].to == mi && c->tr->links[i].kind == MD_LINK_BOUNCE)
            return 1;
    return 0;
}

void md_an_ctx_free(ctx *c)
{
    for (size_t i = 0; i < c->nkeep; i++)
        free(c->keep[i]);
    free(c->keep);
    for (size_t i = 0; i < c->nth; i++) {
        free(c->th[i].m);
        md_buf_free(&c->th[i].verdict);
        md_buf_free(&c->th[i].shorttext);
        md_buf_free(&c->th[i].cite);
    }
    free(c->th);
    for (size_t i = 0; i < c->nips; i++)
        md_buf_free(&c->ips[i].ev);
    free(c->ips);
    md_buf_free(&c->notes);
    md_an_cover_free(&c->cov);
    md_trace_free(c->tr);
    for (size_t i = 0; i < c->nres; i++)
        md_resolution_free(&c->res[i]);
}

static int cmp_ipinfo(const void *a, const void *b)
{
    const ipinfo *x = a, *y = b;
    md_ip p, q;
    md_ip_parse(&p, x->ip, strlen(x->ip));
    md_ip_parse(&q, y->ip, strlen(y->ip));
    return memcmp(p.b, q.b, 16);
}

/* analyse: trace the addresses in the window, threads, verdicts, IPs */
int md_an_analyse(ctx *c)
{
    c->redact = c->o->redact || c->strict;
    for (size_t i = 0; i < c->o->naddrs && !c->strict; i++)
        keep_add(c, c->o->addrs[i]);
    uint64_t nrules = 0, nfiles = 0;
    md_err e2 = {0, ""};
    if (md_store_rules_count(c->st, &nrules, &nfiles, &e2) == MD_OK && nrules)
        c->rules_stored = 1;
    for (size_t i = 0; i < c->o->naddrs && i < MD_ANALYSIS_MAX_ADDRS && c->rules_stored; i++) {
        if (md_store_rules_resolve(c->st, c->cfg, c->o->addrs[i], &c->res[c->nres], &e2) != MD_OK)
            continue;
        md_resolution *r = &c->res[c->nres++];
        for (size_t k = 0; k < r->ntargets && !c->strict; k++)
            if (r->targets[k].ttype == MD_TGT_ADDR && !r->targets[k].local)
                keep_add(c, r->targets[k].target);   /* the user's own address elsewhere */
    }
    md_trace_query q;
    memset(&q, 0, sizeof q);
    q.addrs = c->o->addrs;
    q.naddrs = c->o->naddrs;
    q.cfg = c->cfg;     /* forwarding rules by local part: whose copy is whose */
    q.since = c->o->since;
    q.until = c->o->until;
    int rc = md_trace_run(c->st, &q, &c->tr, c->err);
    if (rc != MD_OK)
        return rc;
    char cb[24];
    if (c->tr->truncated)
        md_an_note(c, md_an_cite1(md_srcs_store(c->src, "logs"), cb, sizeof cb),
                   "More than %d linked messages: the dossier shows the first ones only.",
             MD_TRACE_MAX_MESSAGES);
    /* the ticket's forward targets are the user's own addresses: not
     * redacted (Message-IDs are recognised by md_an_red()) */
    for (size_t i = 0; i < c->tr->nmsgs; i++) {
        const md_trace_msg *m = &c->tr->msgs[i];
        if (!c->strict && md_an_is_ticket_addr(c, m->sender) && md_an_is_forwarded_copy(c, i))
            for (size_t r = 0; r < m->nrcpts; r++)
                keep_add(c, m->rcpts[r].rcpt);
    }
    for (size_t i = 0; i < c->tr->nlinks; i++) {
        const md_trace_link *l = &c->tr->links[i];
        if (l->kind != MD_LINK_FORWARDED || c->strict)
            continue;
        const md_trace_msg *a = &c->tr->msgs[l->from], *b = &c->tr->msgs[l->to];
        int from_ticket = 0;
        for (size_t r = 0; r < a->nrcpts; r++)
            if (md_an_is_ticket_addr(c, a->rcpts[r].rcpt) || md_an_is_ticket_addr(c, a->rcpts[r].orig_to))
                from_ticket = 1;
        if (from_ticket)
            for (size_t r = 0; r < b->nrcpts; r++)
                keep_add(c, b->rcpts[r].rcpt);
    }
    if ((rc = md_an_build_threads(c)) != MD_OK)
        return rc;
    size_t nlog = c->nth;
    for (size_t i = 0; i < nlog; i++)
        md_an_msg_lookup(c, &c->th[i]);
    if ((rc = md_an_standalone(c)) != MD_OK)
        return rc;
    if (c->nth > nlog) {
        qsort(c->th, c->nth, sizeof *c->th, md_an_cmp_thread);
        for (size_t i = 0; i < c->nth; i++)
            snprintf(c->th[i].ref, sizeof c->th[i].ref, "m%u", (unsigned)(i + 1) % 100000000u);
    }
    for (size_t i = 0; i < c->nth; i++) {
        if (c->th[i].nm)
            md_an_verdict_thread(c, &c->th[i]);
        else
            md_an_verdict_standalone(c, &c->th[i]);
    }
    for (size_t i = 0; i < c->nth; i++)
        md_an_cite_thread(c, &c->th[i]);
    for (size_t i = 0; i < c->nth; i++)
        md_an_hdrev_thread(c, &c->th[i]);
    for (size_t i = 0; i < c->nth; i++)
        md_an_ips_thread(c, &c->th[i]);
    if (c->nips > 1)
        qsort(c->ips, c->nips, sizeof *c->ips, cmp_ipinfo);
    return MD_OK;
}

void md_analysis_summary_free(md_analysis_summary *s)
{
    if (!s)
        return;
    free(s->ips);
    s->ips = NULL;
    s->nips = 0;
}

static void summary_ips(ctx *c, md_analysis_summary *sum)
{
    if (!sum || !c->nips)
        return;
    sum->ips = calloc(c->nips, sizeof *sum->ips);
    if (!sum->ips)
        return;
    for (size_t i = 0; i < c->nips; i++) {
        md_case_ticket_ip *r = &sum->ips[i];
        const ipinfo *x = &c->ips[i];
        snprintf(r->ip, sizeof r->ip, "%s", x->ip);
        r->first_seen = x->first;
        r->last_seen = x->last;
        int worst = OC_UNKNOWN;
        for (int o = 0; o < OC_COUNT; o++)
            if (x->count[o])
                worst = o;
        snprintf(r->outcome, sizeof r->outcome, "%s", md_an_oc_names[worst]);
        r->failures = x->failures;
        r->total = x->total;
        snprintf(r->evidence, sizeof r->evidence, "%s", x->first_line);
    }
    sum->nips = c->nips;
}

/* write_notes: the notes, each once (a repeated note adds its sources) */
static void write_notes(ctx *c, xmlNode *hdr)
{
    if (!c->notes.len)
        return;
    xmlNode *nn = md_an_el(hdr, "notes");
    const char *p = md_buf_cstr(&c->notes);
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        const char *us = memchr(p, '\x1f', len);
        md_buf cite = MD_BUF_INIT;
        if (us)
            md_buf_append(&cite, p, (size_t)(us - p));
        const char *tx0 = us ? us + 1 : p;
        char key[MD_CASE_TEXT];
        snprintf(key, sizeof key, "%.*s", (int)(len - (size_t)(tx0 - p)), tx0);
        xmlNode *dup = NULL;
        for (xmlNode *k = nn->children; k && !dup; k = k->next) {
            xmlChar *tx = xmlNodeGetContent(k);
            if (tx && strcmp((const char *)tx, key) == 0)
                dup = k;
            xmlFree(tx);
        }
        if (dup) {
            xmlChar *old = xmlGetProp(dup, BX "src");
            md_cite_merge(&cite, (const char *)old);
            xmlFree(old);
            md_cite_set(dup, md_buf_cstr(&cite));
        } else {
            md_an_claim(nn, "note", key, md_buf_cstr(&cite));
        }
        md_buf_free(&cite);
        p += len + (e ? 1 : 0);
    }
}

int md_analysis_ticket(md_store *st, const md_config *cfg, const md_analysis_opts *o,
                       xmlDoc **doc, md_analysis_summary *sum, md_err *err)
{
    *doc = NULL;
    if (sum)
        memset(sum, 0, sizeof *sum);
    if (!o->ticket || !md_analysis_ticket_valid(o->ticket))
        return md_err_set(err, MD_ERR_ARG, "not a valid ticket number");
    if (o->naddrs == 0)
        return md_err_set(err, MD_ERR_ARG, "a ticket needs at least one address");
    ctx c;
    memset(&c, 0, sizeof c);
    md_srcs srcs;
    md_srcs_init(&srcs, st, cfg);
    c.st = st;
    c.cfg = cfg;
    c.o = o;
    c.err = err;
    c.src = &srcs;
    int rc = md_an_cover_read(&c);
    if (rc == MD_OK)
        rc = md_an_analyse(&c);
    if (rc != MD_OK) {
        md_an_ctx_free(&c);
        md_srcs_free(&srcs);
        return rc;
    }
    char cb[24];
    int64_t now = o->now ? o->now : (int64_t)time(NULL);
    xmlDoc *d = xmlNewDoc(BX "1.0");
    xmlNode *root = xmlNewNode(NULL, BX "dossier");
    xmlDocSetRootElement(d, root);
    xmlNewProp(root, BX "version", BX "1");
    md_an_build_header(&c, root, now);
    md_an_build_summary(&c, root, sum);
    md_an_build_timeline(&c, root);
    xmlNode *msgs = md_an_el(root, "messages");
    for (size_t i = 0; i < c.nth; i++)
        md_an_build_message(&c, msgs, &c.th[i]);
    md_an_build_forwarding(&c, root);
    {
        int64_t nmsg = 0, nb = 0, nc = 0;
        md_err e2 = {0, ""};
        if (md_store_msg_count(st, &nmsg, &nb, &nc, &e2) == MD_OK && nmsg == 0)
            md_an_note(&c, md_an_cite1(md_srcs_store(&srcs, "messages"), cb, sizeof cb),
                       "No messages (headers, bounces, complaints) ingested: Received chains are "
                     "taken from the logs only (each of our hosts that handed a message on adds "
                     "a hop).");
        md_rep_counts rcn;
        if (md_store_rep_counts(st, &rcn, &e2) == MD_OK && !rcn.snds_rows && !rcn.dmarc_reports)
            md_an_note(&c, md_an_cite1(md_srcs_store(&srcs, "reports"), cb, sizeof cb),
                       "No reputation data (SNDS, DMARC reports) ingested.");
    }
    md_an_build_ips(&c, root);
    md_an_build_tls(&c, root);
    /* notes go at the end of the header (dossier.xsd: after evidence-span) */
    write_notes(&c, root->children);
    rc = md_srcs_write(&srcs, root);
    summary_ips(&c, sum);
    if (sum)
        sum->evidence_incomplete = c.withheld;
    md_an_ctx_free(&c);
    md_srcs_free(&srcs);
    if (rc != MD_OK) {
        xmlFreeDoc(d);
        md_analysis_summary_free(sum);
        return md_err_set(err, rc, "out of memory");
    }
    *doc = d;
    return MD_OK;
}

