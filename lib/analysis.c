/* analysis.c: the ticket dossier, the request to Microsoft, IP history and
 * open problems (see analysis.h).  Reads the store only through the areas'
 * query functions (trace.h, store_case.h); writes the evidence documents
 * with libxml2's tree API and hands them to lib/render.h.  Never prints. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdarg.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include "analysis.h"
#include "buf.h"
#include "ipaddr.h"
#include "msantispam.h"
#include "msreply.h"
#include "outfile.h"
#include "render.h"
#include "store_msg.h"
#include "store_rep.h"
#include "store_rules.h"
#include "text.h"
#include "trace.h"
#include "version.h"

#define BX (const xmlChar *)

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

/* fmt_time: xs:dateTime with its offset. */
static const char *fmt_time(int64_t t, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm)) {
        snprintf(buf, n, "1970-01-01T00:00:00Z");
        return buf;
    }
    long off = tm.tm_gmtoff;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 3600,
             (off % 3600) / 60);
    return buf;
}

/* fmt_short: "2016-04-23 16:06" for sentences. */
static const char *fmt_short(int64_t t, char *buf, size_t n)
{
    return md_text_time(buf, n, t, "%Y-%m-%d %H:%M", "?");
}

static const char *fmt_day(int64_t t, char *buf, size_t n)
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

static xmlNode *el(xmlNode *parent, const char *name)
{
    return xmlNewChild(parent, NULL, BX name, NULL);
}

static xmlNode *txt(xmlNode *parent, const char *name, const char *s)
{
    md_buf b = MD_BUF_INIT;
    clean(&b, s ? s : "", s ? strlen(s) : 0);
    xmlNode *n = xmlNewTextChild(parent, NULL, BX name, BX md_buf_cstr(&b));
    md_buf_free(&b);
    return n;
}

static xmlNode *txtf(xmlNode *parent, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static xmlNode *txtf(xmlNode *parent, const char *name, const char *fmt, ...)
{
    md_buf b = MD_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    md_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    xmlNode *n = txt(parent, name, md_buf_cstr(&b));
    md_buf_free(&b);
    return n;
}

static xmlNode *time_el(xmlNode *parent, const char *name, int64_t t)
{
    char b[64];
    return txt(parent, name, fmt_time(t, b, sizeof b));
}

static int ip_valid(const char *s)
{
    md_ip ip;
    return s && *s && md_ip_parse(&ip, s, strlen(s)) == MD_OK;
}

/* canonical text of an IP, "" when s is none */
static void ip_canon(const char *s, char out[MD_IP_STRLEN])
{
    md_ip ip;
    out[0] = '\0';
    if (s && *s && md_ip_parse(&ip, s, strlen(s)) == MD_OK)
        md_ip_format(&ip, out, MD_IP_STRLEN);
}

/* ======================================================================
 * the analysis context
 * ====================================================================== */

/* outcome tokens of dossier.xsd, ranked: a thread takes the worst. */
enum {
    OC_UNKNOWN = 0, OC_DELIVERED, OC_ACCEPTED, OC_FORWARDED, OC_MISSING, OC_DEFERRED,
    OC_EXPIRED, OC_BOUNCED, OC_REJECTED, OC_FILTERED, OC_COUNT
};
static const char *const oc_names[OC_COUNT] = {"unknown", "delivered", "accepted", "forwarded",
                                               "missing", "deferred", "expired", "bounced",
                                               "rejected", "filtered"};

typedef struct ipinfo {
    char ip[MD_IP_STRLEN];
    const md_host *host;
    int64_t first, last;
    uint64_t count[OC_COUNT];
    uint64_t failures, total;
    md_buf ev;                 /* evidence items: kind \x1f msgref \x1f text \x1e ... */
    size_t nev;
    char first_line[MD_CASE_TEXT];
} ipinfo;

typedef struct thread {
    size_t *m;                 /* trace message indexes, in time order */
    size_t nm;
    int64_t t;
    int oc;
    int ms;                    /* has a delivery attempt to Microsoft */
    char ref[16];              /* m1, m2, ... */
    md_buf verdict, shorttext;
    /* messages of the msg area about this thread (by Message-ID), or the
     * one message a standalone thread (nm == 0) is made of */
    int64_t mrow[16];
    char mkind[16][16];
    size_t nmrow;
    int64_t mdate;
    char mfrom[512], mto[512], msubject[256], mmsgid[512];
} thread;

typedef struct ctx {
    md_store *st;
    const md_config *cfg;
    const md_analysis_opts *o;
    int redact;
    char **keep;               /* NULL-terminated, lower case: never redacted */
    size_t nkeep, capkeep;
    md_trace_result *tr;
    thread *th;
    size_t nth;
    ipinfo *ips;
    size_t nips, capips;
    md_buf notes;              /* notes separated by '\n' */
    int strict;                /* request: redact every address (keep Message-IDs only) */
    md_resolution res[MD_ANALYSIS_MAX_ADDRS]; /* forwarding of each ticket address */
    size_t nres;
    int rules_stored;          /* the rules area holds rules at all */
    md_err *err;
} ctx;

static void note(ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(ctx *c, const char *fmt, ...)
{
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

static int is_ticket_addr(const ctx *c, const char *a)
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
static void red(ctx *c, md_buf *out, const char *s)
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

/* redaddr: an address for display: kept ones as they are, others
 * "*snip*@domain"; "<>" for the null sender. */
static void redaddr(ctx *c, md_buf *out, const char *a)
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

static xmlNode *txt_red(ctx *c, xmlNode *parent, const char *name, const char *s)
{
    md_buf b = MD_BUF_INIT;
    red(c, &b, s);
    xmlNode *n = txt(parent, name, md_buf_cstr(&b));
    md_buf_free(&b);
    return n;
}

static xmlNode *txt_addr(ctx *c, xmlNode *parent, const char *name, const char *a)
{
    md_buf b = MD_BUF_INIT;
    redaddr(c, &b, a);
    xmlNode *n = txt(parent, name, md_buf_cstr(&b));
    md_buf_free(&b);
    return n;
}

/* ======================================================================
 * reading replies: codes and reasons in words
 * ====================================================================== */

/* reply_status: the enhanced status code in a reply ("4.7.650"), else dsn. */
static void reply_status(const md_trace_dlv *d, char *out, size_t n)
{
    const char *r = d->reply;
    out[0] = '\0';
    for (size_t i = 0; r[i]; i++) {
        if ((r[i] == '4' || r[i] == '5' || r[i] == '2') && r[i + 1] == '.' &&
            (i == 0 || !isalnum((unsigned char)r[i - 1]))) {
            size_t j = i + 2, a = 0, b = 0;
            while (isdigit((unsigned char)r[j]) && a < 3)
                j++, a++;
            if (!a || r[j] != '.')
                continue;
            j++;
            while (isdigit((unsigned char)r[j]) && b < 3)
                j++, b++;
            if (!b || isdigit((unsigned char)r[j]))
                continue;
            snprintf(out, n, "%.*s", (int)(j - i), r + i);
            if (strcmp(out + 1, ".0.0") != 0)
                return;
        }
    }
    if (!out[0] || strcmp(out + 1, ".0.0") == 0)
        snprintf(out, n, "%s", d->dsn[0] ? d->dsn : out);
}

/* ms_code: Microsoft's own code in a reply: (S3150), S775, RP-001, ... */
static void ms_code(const char *r, char *out, size_t n)
{
    out[0] = '\0';
    for (size_t i = 0; r[i]; i++) {
        if (i && isalnum((unsigned char)r[i - 1]))
            continue;
        if (r[i] == 'S' && isdigit((unsigned char)r[i + 1])) {
            size_t j = i + 1;
            while (isdigit((unsigned char)r[j]))
                j++;
            if (j - i >= 4 && j - i <= 6 && !isalnum((unsigned char)r[j])) {
                snprintf(out, n, "%.*s", (int)(j - i), r + i);
                return;
            }
        }
        if (isupper((unsigned char)r[i]) && isupper((unsigned char)r[i + 1]) && r[i + 2] == '-' &&
            isdigit((unsigned char)r[i + 3]) && isdigit((unsigned char)r[i + 4]) &&
            isdigit((unsigned char)r[i + 5]) && !isalnum((unsigned char)r[i + 6])) {
            snprintf(out, n, "%.6s", r + i);
            return;
        }
    }
}

static const char *reason_words(const char *reason, const char *reply)
{
    static const struct {
        const char *r, *w;
    } t[] = {{"blocked", "the sending IP is on Microsoft's block list"},
             {"badreputation", "IP reputation"},
             {"speeding", "rate limits"},
             {"toomanyconn", "too many connections"},
             {"authfailure", "failed authentication (SPF/DKIM/DMARC)"},
             {"spamdetected", "content judged as spam"},
             {"filtered", "filtering"},
             {"userunknown", "unknown recipient"},
             {"mailboxfull", "mailbox full"},
             {"expired", "delivery time expired"},
             {"hostunknown", "unknown domain"},
             {"policyviolation", "policy"},
             {"rejected", "sender rejected"},
             {"networkerror", "network error"},
             {"systemerror", "error at the remote server"},
             {NULL, NULL}};
    if (md_text_casestr(reply, strlen(reply), "rate limited due to IP reputation"))
        return "IP reputation";
    for (size_t i = 0; t[i].r; i++)
        if (reason && strcmp(reason, t[i].r) == 0)
            return t[i].w;
    return "";
}

/* code_words: "4.7.650, S775" for a reply. */
static void code_words(const md_trace_dlv *d, char *out, size_t n)
{
    char st[32], mc[16];
    reply_status(d, st, sizeof st);
    ms_code(d->reply, mc, sizeof mc);
    if (st[0] && mc[0])
        snprintf(out, n, "%s, %s", st, mc);
    else
        snprintf(out, n, "%s", st[0] ? st : mc);
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

static int is_ticket_addr(const ctx *c, const char *a);

/* copy_of_ticket: may a forwarded copy reached by link l belong to the
 * ticket?  Links by Message-ID quoted in Microsoft's reply or by store
 * re-injection are ambiguous when the original went to several users:
 * then only a copy whose envelope sender is a ticket address counts. */
static int copy_of_ticket(const ctx *c, const md_trace_link *l)
{
    if (l->kind != MD_LINK_MS_QUOTED && l->kind != MD_LINK_REINJECTED)
        return 1;
    if (is_ticket_addr(c, c->tr->msgs[l->to].sender))
        return 1;
    size_t n = 0;
    for (size_t i = 0; i < c->tr->nlinks; i++)
        if (c->tr->links[i].from == l->from && (c->tr->links[i].kind == MD_LINK_MS_QUOTED ||
                                                c->tr->links[i].kind == MD_LINK_REINJECTED))
            n++;
    return n <= 1;
}

static int build_threads(ctx *c)
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
static int is_forwarded_copy(const ctx *c, size_t mi)
{
    for (size_t i = 0; i < c->tr->nlinks; i++) {
        const md_trace_link *l = &c->tr->links[i];
        if (l->to == mi && (l->kind == MD_LINK_FORWARDED || l->kind == MD_LINK_REINJECTED ||
                            l->kind == MD_LINK_MS_QUOTED))
            return 1;
    }
    return 0;
}

static int is_bounce_msg(const ctx *c, size_t mi)
{
    for (size_t i = 0; i < c->tr->nlinks; i++)
        if (c->tr->links[i].to == mi && c->tr->links[i].kind == MD_LINK_BOUNCE)
            return 1;
    return 0;
}

/* ======================================================================
 * affected IPs
 * ====================================================================== */

static ipinfo *ip_get(ctx *c, const char *ipstr)
{
    char canon[MD_IP_STRLEN];
    ip_canon(ipstr, canon);
    if (!canon[0])
        return NULL;
    for (size_t i = 0; i < c->nips; i++)
        if (strcmp(c->ips[i].ip, canon) == 0)
            return &c->ips[i];
    ipinfo *p = md_grow(c->ips, &c->capips, c->nips + 1, sizeof *p, 16);
    if (!p)
        return NULL;
    c->ips = p;
    ipinfo *x = &c->ips[c->nips++];
    memset(x, 0, sizeof *x);
    snprintf(x->ip, sizeof x->ip, "%s", canon);
    x->host = md_config_host_str(c->cfg, canon);
    return x;
}

static void ip_seen(ipinfo *x, int64_t t)
{
    if (!t)
        return;
    if (!x->first || t < x->first)
        x->first = t;
    if (t > x->last)
        x->last = t;
}

static void ip_evidence(ctx *c, ipinfo *x, const char *kind, const char *ref, const char *text)
{
    /* the same text once */
    md_buf item = MD_BUF_INIT;
    md_buf_printf(&item, "%s\x1f%s\x1f", kind, ref ? ref : "");
    red(c, &item, text);
    md_buf_putc(&item, '\x1e');
    if (!x->ev.len || !strstr(md_buf_cstr(&x->ev), md_buf_cstr(&item))) {
        if (x->nev < 50)
            md_buf_append(&x->ev, item.data, item.len);
        x->nev++;
        if (!x->first_line[0]) {
            md_buf one = MD_BUF_INIT;
            red(c, &one, text);
            snprintf(x->first_line, sizeof x->first_line, "%s", md_buf_cstr(&one));
            md_buf_free(&one);
        }
    }
    md_buf_free(&item);
}

/* ======================================================================
 * verdicts
 * ====================================================================== */

static int dlv_oc(const md_trace_dlv *d)
{
    switch (d->outcome) {
    case MD_OUTCOME_DELIVERED: return OC_DELIVERED;
    case MD_OUTCOME_FORWARDED: return OC_FORWARDED;
    case MD_OUTCOME_RELAYED: return OC_ACCEPTED;
    case MD_OUTCOME_MS_ACCEPTED: return OC_ACCEPTED;
    case MD_OUTCOME_DEFERRED: return OC_DEFERRED;
    case MD_OUTCOME_BOUNCED: return OC_BOUNCED;
    case MD_OUTCOME_EXPIRED: return OC_EXPIRED;
    case MD_OUTCOME_REJECTED: return OC_REJECTED;
    default: return OC_UNKNOWN;
    }
}

static void sentence_sep(md_buf *b)
{
    if (b->len)
        md_buf_puts(b, "; ");
}

/* copy_words: what the forwarding rules say about a local copy when mail
 * of a ticket address is forwarded to rcpt ("" when no rule says) */
static const char *copy_words(const ctx *c, const char *rcpt)
{
    for (size_t i = 0; i < c->nres; i++)
        for (size_t k = 0; k < c->res[i].ntargets; k++)
            if (md_text_casecmp(c->res[i].targets[k].target, rcpt) == 0) {
                switch (c->res[i].keeps_copy) {
                case MD_COPY_NEVER: return " without a local copy";
                case MD_COPY_SOMETIMES: return " (a local copy is kept only sometimes)";
                default: return ", keeping a local copy";
                }
            }
    return "";
}

/* forwards_without_copy: the ticket address addr forwards all its mail away */
static int forwards_without_copy(const ctx *c, const char *addr)
{
    for (size_t i = 0; i < c->nres; i++)
        if (md_text_casecmp(c->res[i].address, addr) == 0 && c->res[i].ntargets &&
            c->res[i].keeps_copy == MD_COPY_NEVER)
            return 1;
    return 0;
}

/* describe the Microsoft attempts of one recipient of one message */
static int verdict_ms(ctx *c, thread *t, const md_trace_msg *m, const char *rcpt, int fwd)
{
    size_t tries = 0, deferrals = 0;
    const md_trace_dlv *first_def = NULL, *last = NULL;
    for (size_t i = 0; i < m->ndlvs; i++) {
        const md_trace_dlv *d = &m->dlvs[i];
        if (!d->ms || strcmp(d->rcpt, rcpt) != 0)
            continue;
        tries++;
        if (d->outcome == MD_OUTCOME_DEFERRED) {
            deferrals++;
            if (!first_def)
                first_def = d;
        }
        last = d;
    }
    if (!last)
        return OC_UNKNOWN;
    md_buf *v = &t->verdict, *s = &t->shorttext;
    char when[32], code[64];
    sentence_sep(v);
    sentence_sep(s);
    md_buf to = MD_BUF_INIT;
    redaddr(c, &to, rcpt);
    md_buf_printf(v, "%s %s", fwd ? "forwarded to" : "sent to", md_buf_cstr(&to));
    md_buf_printf(s, "%s %s", fwd ? "forwarded to" : "sent to", md_buf_cstr(&to));
    md_buf_free(&to);
    if (fwd)
        md_buf_puts(v, copy_words(c, rcpt));
    int oc;
    if (deferrals && last->outcome != MD_OUTCOME_DEFERRED) {
        code_words(first_def, code, sizeof code);
        md_buf_printf(v, ", deferred by Microsoft %zu time%s (%s%s%s) since %s", deferrals,
                      deferrals == 1 ? "" : "s", reason_words(first_def->reason, first_def->reply),
                      code[0] ? ", " : "", code, fmt_short(first_def->t, when, sizeof when));
        md_buf_printf(s, ", deferred %zu time%s", deferrals, deferrals == 1 ? "" : "s");
    }
    switch (last->outcome) {
    case MD_OUTCOME_MS_ACCEPTED:
    case MD_OUTCOME_RELAYED: {
        md_buf_puts(v, deferrals ? ", then accepted by Microsoft (" : " and accepted by Microsoft (");
        md_buf_puts(v, "250 Queued mail for delivery");
        if (last->internal_id[0])
            md_buf_printf(v, ", InternalId=%s", last->internal_id);
        if (last->relay_host[0])
            md_buf_printf(v, ", %s", last->relay_host);
        md_buf_printf(v, ", %s)", fmt_short(last->t, when, sizeof when));
        md_buf_puts(v, " but reported missing: silently filtered by the recipient's provider");
        md_buf_puts(s, ", accepted by Microsoft, reported missing");
        oc = OC_FILTERED;
        break;
    }
    case MD_OUTCOME_DEFERRED:
        code_words(last, code, sizeof code);
        md_buf_printf(v, ", deferred by Microsoft for %s (%s) since %s, %zu tr%s, still queued",
                      reason_words(first_def->reason, first_def->reply)[0]
                          ? reason_words(first_def->reason, first_def->reply) : "a temporary failure",
                      code, fmt_short(first_def->t, when, sizeof when), tries,
                      tries == 1 ? "y" : "ies");
        md_buf_printf(s, ", deferred by Microsoft (%s), %zu tr%s", code, tries,
                      tries == 1 ? "y" : "ies");
        oc = OC_DEFERRED;
        break;
    default: {
        code_words(last, code, sizeof code);
        const char *w = reason_words(last->reason, last->reply);
        if (last->named_ip[0] && strcmp(last->reason, "blocked") == 0)
            md_buf_printf(v, ", rejected because IP %s is on Microsoft's block list (%s)",
                          last->named_ip, code);
        else if (last->outcome == MD_OUTCOME_EXPIRED)
            md_buf_printf(v, ", given up after %zu tries (last answer %s%s%s)", tries, code,
                          w[0] ? ": " : "", w);
        else
            md_buf_printf(v, ", rejected by Microsoft (%s%s%s)", code, w[0] ? ": " : "", w);
        md_buf_printf(s, ", %s by Microsoft (%s)",
                      last->outcome == MD_OUTCOME_EXPIRED ? "expired" : "rejected", code);
        oc = last->outcome == MD_OUTCOME_EXPIRED ? OC_EXPIRED
             : last->outcome == MD_OUTCOME_BOUNCED ? OC_BOUNCED : OC_REJECTED;
        break;
    }
    }
    return oc;
}

static void verdict_thread(ctx *c, thread *t)
{
    int oc = OC_UNKNOWN, local = 0;
    char when[32];
    /* recipients already described */
    for (size_t k = 0; k < t->nm; k++) {
        const md_trace_msg *m = &c->tr->msgs[t->m[k]];
        int fwd = is_forwarded_copy(c, t->m[k]);
        int bounce = is_bounce_msg(c, t->m[k]);
        for (size_t r = 0; r < m->nrcpts; r++) {
            const md_trace_rcpt *rc = &m->rcpts[r];
            int ms = 0;
            for (size_t i = 0; i < m->ndlvs; i++)
                if (m->dlvs[i].ms && strcmp(m->dlvs[i].rcpt, rc->rcpt) == 0)
                    ms = 1;
            if (ms) {
                t->ms = 1;
                int o = verdict_ms(c, t, m, rc->rcpt, fwd);
                if (o > oc)
                    oc = o;
                continue;
            }
            /* last attempt of this recipient */
            const md_trace_dlv *last = NULL;
            for (size_t i = 0; i < m->ndlvs; i++)
                if (strcmp(m->dlvs[i].rcpt, rc->rcpt) == 0)
                    last = &m->dlvs[i];
            int o = last ? dlv_oc(last) : OC_UNKNOWN;
            md_buf to = MD_BUF_INIT;
            redaddr(c, &to, rc->rcpt);
            switch (o) {
            case OC_DELIVERED:
                if (!local) {
                    int away = forwards_without_copy(c, rc->rcpt);
                    sentence_sep(&t->verdict);
                    sentence_sep(&t->shorttext);
                    md_buf_printf(&t->verdict, "%s %s%s%s (%s)",
                                  away ? "handed to the mail store for" :
                                         "delivered to the local mailbox of",
                                  md_buf_cstr(&to), last->relay_host[0] ? " on " : "",
                                  last->relay_host, fmt_short(last->t, when, sizeof when));
                    md_buf_puts(&t->shorttext, away ? "handed to the mail store" :
                                                      "delivered to the local mailbox");
                    local = 1;
                }
                break;
            case OC_FORWARDED:
                sentence_sep(&t->verdict);
                md_buf_printf(&t->verdict, "forwarded for %s by local forwarding",
                              md_buf_cstr(&to));
                if (last->new_qid[0])
                    md_buf_printf(&t->verdict, " (new queue id %s)", last->new_qid);
                if (t->nm == 1) {   /* else the copy says where it went */
                    sentence_sep(&t->shorttext);
                    md_buf_puts(&t->shorttext, "forwarded");
                }
                break;
            case OC_ACCEPTED:
                sentence_sep(&t->verdict);
                sentence_sep(&t->shorttext);
                md_buf_printf(&t->verdict, "%s to %s, accepted by %s (%s)",
                              bounce ? "bounce sent" : "relayed", md_buf_cstr(&to),
                              last->relay_host[0] ? last->relay_host : "the next server",
                              fmt_short(last->t, when, sizeof when));
                md_buf_printf(&t->shorttext, "%s to %s", bounce ? "bounce sent" : "relayed",
                              md_buf_cstr(&to));
                break;
            case OC_DEFERRED:
            case OC_BOUNCED:
            case OC_EXPIRED:
            case OC_REJECTED: {
                md_buf rep = MD_BUF_INIT;
                red(c, &rep, last->reply);
                sentence_sep(&t->verdict);
                sentence_sep(&t->shorttext);
                md_buf_printf(&t->verdict, "%s for %s (%s): %s", oc_names[o], md_buf_cstr(&to),
                              fmt_short(last->t, when, sizeof when), md_buf_cstr(&rep));
                md_buf_printf(&t->shorttext, "%s for %s", oc_names[o], md_buf_cstr(&to));
                md_buf_free(&rep);
                break;
            }
            default:
                sentence_sep(&t->verdict);
                sentence_sep(&t->shorttext);
                md_buf_printf(&t->verdict, "no delivery attempt logged for %s%s",
                              md_buf_cstr(&to), m->open ? " (still in the queue)" : "");
                md_buf_puts(&t->shorttext, "no delivery logged");
                break;
            }
            md_buf_free(&to);
            /* a local delivery after which a forwarded copy failed must not
             * hide the failure: rank the worse outcome */
            if (o > oc && !(o == OC_ACCEPTED && oc == OC_DELIVERED))
                oc = o;
            if (o == OC_DELIVERED && oc == OC_UNKNOWN)
                oc = o;
        }
    }
    if (!t->verdict.len) {
        md_buf_puts(&t->verdict, "the log shows the message arriving but no delivery");
        md_buf_puts(&t->shorttext, "no delivery logged");
    }
    md_buf_putc(&t->verdict, '.');
    if (t->verdict.data)
        t->verdict.data[0] = (char)toupper((unsigned char)t->verdict.data[0]);
    t->oc = oc;
}

/* collect the IPs of a thread that Microsoft saw */
static void msg_ips(ctx *c, thread *t);

static void ips_thread(ctx *c, thread *t)
{
    msg_ips(c, t);
    if (!t->ms)
        return;
    char when[32], buf[1024];
    /* outcomes of the thread's Microsoft attempts, for the counts */
    uint64_t cnt[OC_COUNT] = {0};
    int64_t tmin = 0, tmax = 0;
    for (size_t k = 0; k < t->nm; k++) {
        const md_trace_msg *m = &c->tr->msgs[t->m[k]];
        for (size_t i = 0; i < m->ndlvs; i++) {
            const md_trace_dlv *d = &m->dlvs[i];
            if (!d->ms)
                continue;
            int o = dlv_oc(d);
            if (o == OC_ACCEPTED && t->oc == OC_FILTERED)
                o = OC_FILTERED;
            cnt[o]++;
            if (!tmin || d->t < tmin)
                tmin = d->t;
            if (d->t > tmax)
                tmax = d->t;
        }
    }
    for (size_t k = 0; k < t->nm; k++) {
        size_t mi = t->m[k];
        const md_trace_msg *m = &c->tr->msgs[mi];
        if (is_bounce_msg(c, mi))
            continue;
        /* our host that handed the message on: in the Received chain */
        if (m->client_ip[0]) {
            const md_host *h = md_config_host_str(c->cfg, m->client_ip);
            if (h) {
                ipinfo *x = ip_get(c, m->client_ip);
                if (x) {
                    snprintf(buf, sizeof buf,
                             "%s %s: received from %s [%s] at %s; this hop is in the Received "
                             "chain Microsoft evaluates", m->host, m->qid,
                             m->client_host[0] ? m->client_host : h->name, m->client_ip,
                             fmt_short(m->t_first, when, sizeof when));
                    ip_evidence(c, x, "received", t->ref, buf);
                    ip_seen(x, m->t_first);
                }
            }
        }
        for (size_t i = 0; i < m->ndlvs; i++) {
            const md_trace_dlv *d = &m->dlvs[i];
            if (!d->ms)
                continue;
            const md_host *h = md_config_host_by_loghost(c->cfg, m->host);
            if (h && h->ipstr[0]) {
                ipinfo *x = ip_get(c, h->ipstr);
                if (x) {
                    char code[64];
                    code_words(d, code, sizeof code);
                    snprintf(buf, sizeof buf, "%s %s: to %s via %s [%s]: %s%s%s%s at %s", m->host,
                             m->qid, d->rcpt, d->relay_host, d->relay_ip,
                             md_trace_outcome_name(d->outcome), code[0] ? " (" : "", code,
                             code[0] ? ")" : "", fmt_short(d->t, when, sizeof when));
                    ip_evidence(c, x, "attempt", t->ref, buf);
                    ip_seen(x, d->t);
                }
            } else if (h == NULL) {
                note(c, "Syslog host %s is not in the configuration: the IP its deliveries to "
                        "Microsoft left from is unknown (add it to a [host] section's loghosts).",
                     m->host);
            }
            if (d->named_ip[0]) {
                md_ip nip;
                if (md_ip_parse(&nip, d->named_ip, strlen(d->named_ip)) == MD_OK &&
                    md_config_is_ours(c->cfg, &nip)) {
                    ipinfo *x = ip_get(c, d->named_ip);
                    if (x) {
                        snprintf(buf, sizeof buf, "Microsoft named %s in its reply at %s: %s",
                                 d->named_ip, fmt_short(d->t, when, sizeof when), d->reply);
                        ip_evidence(c, x, "bounce", t->ref, buf);
                        ip_seen(x, d->t);
                    }
                }
            }
        }
    }
    /* counts: every IP this thread touched gets the thread's attempts */
    for (size_t i = 0; i < c->nips; i++) {
        ipinfo *x = &c->ips[i];
        if (!x->ev.len || !strstr(md_buf_cstr(&x->ev), t->ref))
            continue;
        /* the ref must be an exact field: "\x1fm1\x1f" */
        char key[24];
        snprintf(key, sizeof key, "\x1f%s\x1f", t->ref);
        if (!strstr(md_buf_cstr(&x->ev), key))
            continue;
        for (int o = 0; o < OC_COUNT; o++) {
            x->count[o] += cnt[o];
            x->total += cnt[o];
            if (o != OC_ACCEPTED && o != OC_DELIVERED)
                x->failures += cnt[o];
        }
        ip_seen(x, tmin);
        ip_seen(x, tmax);
    }
}

/* ======================================================================
 * the document
 * ====================================================================== */

static void header_span(ctx *c, xmlNode *hdr)
{
    xmlNode *span = el(hdr, "evidence-span");
    md_trace_span *sp = NULL;
    size_t n = 0;
    md_err e = {0, ""};
    if (md_trace_host_spans_brief(c->st, c->o->since, c->o->until, &sp, &n, &e) != MD_OK) {
        note(c, "The evidence span could not be read: %s", e.msg);
        return;
    }
    char b1[32], b2[32];
    for (size_t i = 0; i < n; i++) {
        xmlNode *h = el(span, "host");
        txt(h, "name", sp[i].host);
        if (sp[i].t_first)
            time_el(h, "first", sp[i].t_first);
        if (sp[i].t_last)
            time_el(h, "last", sp[i].t_last);
        txtf(h, "lines", "%llu", (unsigned long long)sp[i].lines);
        if (sp[i].t_first > c->o->since + 3600)
            txtf(h, "note", "no lines before %s: the window starts %.0f days earlier",
                 fmt_short(sp[i].t_first, b1, sizeof b1),
                 (double)(sp[i].t_first - c->o->since) / 86400.0);
        else if (sp[i].t_last && sp[i].t_last + 3600 < c->o->until &&
                 sp[i].t_last + 3600 < (c->o->now ? c->o->now : (int64_t)time(NULL)))
            txtf(h, "note", "no lines after %s (the window ends %s)",
                 fmt_short(sp[i].t_last, b1, sizeof b1), fmt_short(c->o->until, b2, sizeof b2));
    }
    /* configured hosts without any log lines show as gaps */
    for (size_t k = 0; k < c->cfg->nhosts; k++) {
        const md_host *h = &c->cfg->hosts[k];
        int found = 0;
        for (size_t i = 0; i < n && !found; i++)
            if (md_config_host_by_loghost(c->cfg, sp[i].host) == h)
                found = 1;
        if (found)
            continue;
        xmlNode *x = el(span, "host");
        txt(x, "name", h->name);
        txt(x, "lines", "0");
        txt(x, "note", "no log lines of this host in the window");
    }
    free(sp);
}

static void build_header(ctx *c, xmlNode *root, int64_t now)
{
    xmlNode *h = el(root, "header");
    txt(h, "ticket", c->o->ticket);
    xmlNode *a = el(h, "addresses");
    for (size_t i = 0; i < c->o->naddrs; i++)
        txt(a, "address", c->o->addrs[i]);
    xmlNode *w = el(h, "window");
    time_el(w, "since", c->o->since);
    time_el(w, "until", c->o->until);
    time_el(h, "generated-at", now);
    txt(h, "author", c->cfg->author[0] ? c->cfg->author : "maildossier");
    txt(h, "organisation", c->cfg->org_name);
    txt(h, "tool-version", MD_VERSION);
    txt(h, "redaction", c->redact ? "on" : "off");
    header_span(c, h);
}

static void build_summary(ctx *c, xmlNode *root, md_analysis_summary *sum)
{
    xmlNode *s = el(root, "summary");
    size_t n[OC_COUNT] = {0};
    for (size_t i = 0; i < c->nth; i++)
        n[c->th[i].oc]++;
    md_buf v1 = MD_BUF_INIT, v2 = MD_BUF_INIT, v3 = MD_BUF_INIT;
    md_buf who = MD_BUF_INIT;
    for (size_t i = 0; i < c->o->naddrs; i++)
        md_buf_printf(&who, "%s%s", i ? ", " : "", c->o->addrs[i]);

    int worst = OC_UNKNOWN;
    for (size_t i = 0; i < c->nth; i++)
        if (c->th[i].oc > worst)
            worst = c->th[i].oc;
    if (c->nth == 0) {
        md_buf_printf(&v1, "No message to or from %s reached our servers between the start and "
                           "end of the window (no log line): ask the sender for the bounce "
                           "message or the exact time of sending.", md_buf_cstr(&who));
        worst = OC_MISSING;
    } else {
        md_buf_printf(&v1, "%zu message%s to or from %s in the window: ", c->nth,
                      c->nth == 1 ? "" : "s", md_buf_cstr(&who));
        int first = 1;
        for (int o = OC_COUNT - 1; o >= 0; o--) {
            if (!n[o])
                continue;
            static const char *const words[OC_COUNT] = {
                "with no delivery logged", "delivered locally", "accepted by the next server",
                "forwarded", "missing", "deferred", "given up (expired)", "bounced", "rejected",
                "accepted by Microsoft but reported missing (silently filtered)"};
            md_buf_printf(&v1, "%s%zu %s", first ? "" : ", ", n[o], words[o]);
            first = 0;
        }
        md_buf_putc(&v1, '.');
        /* the most telling message's verdict */
        for (size_t i = 0; i < c->nth; i++)
            if (c->th[i].oc == worst) {
                md_buf_printf(&v2, "For example %s: %s", c->th[i].ref,
                              md_buf_cstr(&c->th[i].verdict));
                break;
            }
    }
    if (c->nips) {
        md_buf_puts(&v3, "IPs of ours that Microsoft saw for these messages: ");
        for (size_t i = 0; i < c->nips; i++)
            md_buf_printf(&v3, "%s%s%s%s%s", i ? ", " : "", c->ips[i].ip,
                          c->ips[i].host ? " (" : "", c->ips[i].host ? c->ips[i].host->name : "",
                          c->ips[i].host ? ")" : "");
        md_buf_putc(&v3, '.');
    }
    txt(s, "verdict", md_buf_cstr(&v1));
    for (size_t i = 0; i < c->nres; i++) {
        const md_resolution *r = &c->res[i];
        if (!r->ms_without_copy)
            continue;
        md_buf fw = MD_BUF_INIT, tg = MD_BUF_INIT;
        for (size_t k = 0; k < r->ntargets; k++)
            if (r->targets[k].ms_consumer) {
                if (tg.len)
                    md_buf_puts(&tg, ", ");
                redaddr(c, &tg, r->targets[k].target);
            }
        md_buf_printf(&fw, "The mailbox %s forwards its mail to %s%s (rule in %s",
                      r->address, md_buf_cstr(&tg),
                      r->keeps_copy == MD_COPY_NEVER ? " without keeping a local copy"
                                                     : ", keeping a local copy only sometimes",
                      r->applied.n ? r->applied.v[0].file : "?");
        if (r->applied.n && r->applied.v[0].line)
            md_buf_printf(&fw, ":%llu", (unsigned long long)r->applied.v[0].line);
        md_buf_puts(&fw, "): what Microsoft filters is lost for the user.");
        txt(s, "verdict", md_buf_cstr(&fw));
        md_buf_free(&fw);
        md_buf_free(&tg);
    }
    if (v2.len)
        txt(s, "verdict", md_buf_cstr(&v2));
    if (v3.len)
        txt(s, "verdict", md_buf_cstr(&v3));

    if (c->nth == 0)
        txt(s, "next-step", "Ask the sender for the bounce message (or the time and the "
                            "sender address) and check that the address in the ticket is right.");
    if (n[OC_FILTERED]) {
        txt(s, "next-step", "Ask the user to look in the Junk E-mail folder at Outlook.com and "
                            "to keep a local copy of forwarded mail (or to read mail on the "
                            "university server) until this is solved.");
    }
    if (c->nips) {
        md_buf b = MD_BUF_INIT;
        md_buf_printf(&b, "List all %zu IP%s in the next request to Microsoft's sender support "
                          "(maildossier request --ticket %s).", c->nips, c->nips == 1 ? "" : "s",
                      c->o->ticket);
        txt(s, "next-step", md_buf_cstr(&b));
        md_buf_free(&b);
    }
    if (n[OC_DEFERRED] || n[OC_REJECTED] || n[OC_BOUNCED] || n[OC_EXPIRED])
        txt(s, "next-step", "Check the IPs' reputation (maildossier ip IP) and SNDS; a block "
                            "list entry needs a delisting request.");
    if (sum) {
        snprintf(sum->outcome, sizeof sum->outcome, "%s", oc_names[worst]);
        snprintf(sum->verdict, sizeof sum->verdict, "%s", md_buf_cstr(&v1));
        sum->messages = c->nth;
    }
    md_buf_free(&v1);
    md_buf_free(&v2);
    md_buf_free(&v3);
    md_buf_free(&who);
}

/* from / to of a thread for the timeline: its first message */
static void thread_from_to(ctx *c, thread *t, md_buf *from, md_buf *to)
{
    if (!t->nm) {
        redaddr(c, from, t->mfrom);
        red(c, to, t->mto);
        return;
    }
    const md_trace_msg *m = &c->tr->msgs[t->m[0]];
    redaddr(c, from, m->sender);
    /* prefer a ticket address among the recipients */
    const char *pick = NULL;
    for (size_t k = 0; k < t->nm && !pick; k++) {
        const md_trace_msg *mm = &c->tr->msgs[t->m[k]];
        for (size_t r = 0; r < mm->nrcpts && !pick; r++) {
            if (is_ticket_addr(c, mm->rcpts[r].rcpt))
                pick = mm->rcpts[r].rcpt;
            else if (is_ticket_addr(c, mm->rcpts[r].orig_to))
                pick = mm->rcpts[r].orig_to;
        }
    }
    if (!pick && m->nrcpts)
        pick = m->rcpts[0].rcpt;
    redaddr(c, to, pick ? pick : "");
}

static void build_timeline(ctx *c, xmlNode *root)
{
    xmlNode *tl = el(root, "timeline");
    for (size_t i = 0; i < c->nth; i++) {
        thread *t = &c->th[i];
        xmlNode *e = el(tl, "entry");
        xmlNewProp(e, BX "message", BX t->ref);
        time_el(e, "time", t->t);
        md_buf f = MD_BUF_INIT, to = MD_BUF_INIT;
        thread_from_to(c, t, &f, &to);
        txt(e, "from", md_buf_cstr(&f));
        txt(e, "to", md_buf_cstr(&to));
        txt(e, "outcome", oc_names[t->oc]);
        txt(e, "text", md_buf_cstr(&t->shorttext));
        md_buf_free(&f);
        md_buf_free(&to);
    }
}

static const char *attempt_oc(const md_trace_dlv *d, int filtered)
{
    int o = dlv_oc(d);
    if (o == OC_ACCEPTED && filtered && d->ms)
        o = OC_FILTERED;
    return oc_names[o];
}

static void build_hops(ctx *c, xmlNode *x, thread *t);
static void build_auth(ctx *c, xmlNode *x, thread *t);
static void build_bounces(ctx *c, xmlNode *x, thread *t);

static void build_standalone(ctx *c, xmlNode *x, thread *t)
{
    time_el(x, "time", t->t);
    if (t->mmsgid[0])
        txtf(x, "message-id", "<%s>", t->mmsgid);
    txt_addr(c, x, "from", t->mfrom);
    txt_red(c, x, "to", t->mto);
    if (t->msubject[0])
        txt_red(c, x, "subject", t->msubject);
    txt(x, "outcome", oc_names[t->oc]);
    txt(x, "verdict", md_buf_cstr(&t->verdict));
    el(x, "log-lines");
    el(x, "attempts");
    el(x, "links");
    build_hops(c, x, t);
    build_auth(c, x, t);
    build_bounces(c, x, t);
}

static void build_message(ctx *c, xmlNode *msgs, thread *t)
{
    xmlNode *x = el(msgs, "message");
    xmlNewProp(x, BX "id", BX t->ref);
    if (!t->nm) {
        build_standalone(c, x, t);
        return;
    }
    const md_trace_msg *m0 = &c->tr->msgs[t->m[0]];
    time_el(x, "time", t->t);
    if (m0->msgid[0])
        txt(x, "message-id", m0->msgid);
    txt_addr(c, x, "from", m0->sender);
    /* recipients of the first message (and orig_to) */
    int any = 0;
    for (size_t r = 0; r < m0->nrcpts; r++) {
        txt_addr(c, x, "to", m0->rcpts[r].rcpt);
        any = 1;
    }
    if (!any)
        txt(x, "to", "");
    md_buf q = MD_BUF_INIT;
    for (size_t k = 0; k < t->nm; k++)
        md_buf_printf(&q, "%s%s", k ? " " : "", c->tr->msgs[t->m[k]].qid);
    if (q.len)
        txt(x, "queue-ids", md_buf_cstr(&q));
    md_buf_free(&q);
    txt(x, "outcome", oc_names[t->oc]);
    txt(x, "verdict", md_buf_cstr(&t->verdict));

    xmlNode *ll = el(x, "log-lines");
    for (size_t k = 0; k < t->nm; k++) {
        const md_trace_msg *m = &c->tr->msgs[t->m[k]];
        for (size_t i = 0; i < m->nlines; i++) {
            xmlNode *l = el(ll, "log-line");
            txt(l, "file", m->lines[i].path);
            txtf(l, "line", "%llu", (unsigned long long)(m->lines[i].lineno ? m->lines[i].lineno : 1));
            txt_red(c, l, "text", m->lines[i].text);
        }
        if (m->lines_truncated)
            note(c, "Message %s (%s): more log lines than the dossier shows.", t->ref, m->qid);
    }

    xmlNode *at = el(x, "attempts");
    for (size_t k = 0; k < t->nm; k++) {
        const md_trace_msg *m = &c->tr->msgs[t->m[k]];
        const md_host *h = md_config_host_by_loghost(c->cfg, m->host);
        for (size_t i = 0; i < m->ndlvs; i++) {
            const md_trace_dlv *d = &m->dlvs[i];
            xmlNode *a = el(at, "attempt");
            time_el(a, "time", d->t);
            txt(a, "host", m->host);
            txt(a, "queue-id", m->qid[0] ? m->qid : "-");
            if (h && ip_valid(h->ipstr))
                txt(a, "source-ip", h->ipstr);
            txt_addr(c, a, "to", d->rcpt);
            if (d->relay_host[0])
                txt(a, "relay", d->relay_host);
            if (ip_valid(d->relay_ip))
                txt(a, "relay-ip", d->relay_ip);
            if (d->dsn[0])
                txt(a, "dsn", d->dsn);
            txt(a, "outcome", attempt_oc(d, t->oc == OC_FILTERED));
            if (d->reason[0])
                txt(a, "reason", d->reason);
            if (d->reply[0])
                txt_red(c, a, "reply", d->reply);
            txt(a, "microsoft", d->ms ? "true" : "false");
        }
    }

    xmlNode *lk = el(x, "links");
    for (size_t i = 0; i < c->tr->nlinks; i++) {
        const md_trace_link *l = &c->tr->links[i];
        int in = 0, in2 = 0;
        for (size_t k = 0; k < t->nm; k++) {
            if (t->m[k] == l->from)
                in = 1;
            if (t->m[k] == l->to)
                in2 = 1;
        }
        if (!in || !in2)
            continue;
        xmlNode *e = el(lk, "link");
        const char *fq = c->tr->msgs[l->from].qid, *tq = c->tr->msgs[l->to].qid;
        txt(e, "from", fq[0] ? fq : "-");
        txt(e, "to", tq[0] ? tq : "-");
        txt(e, "kind", md_trace_link_name(l->kind));
        txt_red(c, e, "why", l->why);
    }
    build_hops(c, x, t);
    build_auth(c, x, t);
    build_bounces(c, x, t);
}

/* SNDS days and DMARC results of one IP: the window, widened by a week
 * before (reputation builds up before the failures show) */
static void build_reputation(ctx *c, xmlNode *rep, const char *ip)
{
    md_err e = {0, ""};
    int64_t since = c->o->since - 7 * 86400, until = c->o->until;
    md_rep_day *days = NULL;
    size_t nd = 0;
    if (md_store_rep_ip_days(c->st, ip, since, until, &days, &nd, &e) == MD_OK) {
        for (size_t i = 0; i < nd; i++) {
            const md_rep_day *d = &days[i];
            if (!d->has_snds || !d->filter[0])
                continue;
            xmlNode *r = el(rep, "snds");
            time_el(r, "start", d->act_start);
            time_el(r, "end", d->act_end ? d->act_end : d->act_start);
            if (d->rcpt >= 0)
                txtf(r, "rcpt", "%lld", (long long)d->rcpt);
            if (d->data >= 0)
                txtf(r, "data", "%lld", (long long)d->data);
            if (d->recipients >= 0)
                txtf(r, "recipients", "%lld", (long long)d->recipients);
            txt(r, "filter", d->filter);
            if (d->complaint[0]) {
                char tok[40];
                size_t o = 0;
                for (const char *p = d->complaint; *p && o < sizeof tok - 1; p++)
                    if (*p != ' ')
                        tok[o++] = *p;
                tok[o] = '\0';
                txt(r, "complaint-rate", tok);
            }
            if (d->trap_hits > 0)
                txtf(r, "trap-hits", "%lld", (long long)d->trap_hits);
        }
        free(days);
    }
    md_rep_dmarc_sum *dm = NULL;
    size_t ndm = 0;
    if (md_store_rep_ip_dmarc(c->st, ip, since, until, &dm, &ndm, &e) == MD_OK) {
        for (size_t i = 0; i < ndm; i++) {
            xmlNode *r = el(rep, "dmarc");
            txt(r, "org", dm[i].org_name[0] ? dm[i].org_name : dm[i].email);
            time_el(r, "begin", dm[i].first_begin);
            time_el(r, "end", dm[i].last_end);
            if (dm[i].header_from[0])
                txt(r, "header-from", dm[i].header_from);
            txtf(r, "count", "%llu", (unsigned long long)dm[i].messages);
            txt(r, "disposition", dm[i].reject ? "reject" : dm[i].quarantine ? "quarantine" : "none");
            /* the store sums DMARC's result (dkim or spf aligned) per reporter */
            const char *res = dm[i].fail == 0 ? "pass" : dm[i].pass == 0 ? "fail" : "mixed";
            txt(r, "dkim", res);
            txt(r, "spf", res);
        }
        free(dm);
    }
}

/* complaints (JMRP / ARF) whose source is an affected IP, in the window */
static int on_complaint(void *arg, const md_msg_arfrow *r)
{
    void **a = arg;
    ctx *c = a[0];
    ipinfo *x = a[1];
    char buf[1200], when[32];
    int64_t t = r->a->arrival_date ? r->a->arrival_date : r->date;
    snprintf(buf, sizeof buf, "%s complaint (%s%s%s) about a message to %s",
             md_arf_form_name(r->a->form), r->a->feedback_type,
             t ? ", " : "", t ? fmt_short(t, when, sizeof when) : "",
             r->a->orig_rcpt_to[0] ? r->a->orig_rcpt_to : "?");
    ip_evidence(c, x, r->a->microsoft ? "jmrp" : "complaint", NULL, buf);
    return 0;
}

static void build_ips(ctx *c, xmlNode *root)
{
    xmlNode *ips = el(root, "ips");
    for (size_t i = 0; i < c->nips; i++) {
        md_err ce = {0, ""};
        void *carg[2] = {c, &c->ips[i]};
        md_store_msg_complaints(c->st, c->ips[i].ip, c->o->since - 7 * 86400, c->o->until,
                                on_complaint, carg, &ce);
    }
    for (size_t i = 0; i < c->nips; i++) {
        ipinfo *x = &c->ips[i];
        xmlNode *e = el(ips, "ip");
        txt(e, "address", x->ip);
        txt(e, "host", x->host ? x->host->name : "");
        txt(e, "role", x->host ? x->host->role : "");
        time_el(e, "first-seen", x->first);
        time_el(e, "last-seen", x->last ? x->last : x->first);
        xmlNode *cn = el(e, "counts");
        for (int o = 0; o < OC_COUNT; o++)
            if (x->count[o]) {
                xmlNode *k = txtf(cn, "count", "%llu", (unsigned long long)x->count[o]);
                xmlNewProp(k, BX "outcome", BX oc_names[o]);
            }
        xmlNode *ev = el(e, "evidence");
        const char *p = md_buf_cstr(&x->ev);
        while (*p) {
            const char *end = strchr(p, '\x1e');
            if (!end)
                break;
            const char *s1 = memchr(p, '\x1f', (size_t)(end - p));
            const char *s2 = s1 ? memchr(s1 + 1, '\x1f', (size_t)(end - s1 - 1)) : NULL;
            if (s1 && s2) {
                xmlNode *it = el(ev, "item");
                txtf(it, "kind", "%.*s", (int)(s1 - p), p);
                if (s2 > s1 + 1)
                    txtf(it, "message", "%.*s", (int)(s2 - s1 - 1), s1 + 1);
                txtf(it, "text", "%.*s", (int)(end - s2 - 1), s2 + 1);
            }
            p = end + 1;
        }
        if (x->nev > 50) {
            xmlNode *it = el(ev, "item");
            txt(it, "kind", "more");
            txtf(it, "text", "%zu more evidence items not shown", x->nev - 50);
        }
        xmlNode *rep = el(e, "reputation");
        build_reputation(c, rep, x->ip);
        md_case_answer *an = NULL;
        size_t na = 0;
        md_err er = {0, ""};
        if (md_store_case_answers(c->st, x->ip, &an, &na, &er) == MD_OK) {
            for (size_t k = 0; k < na; k++) {
                xmlNode *ms = el(rep, "microsoft");
                time_el(ms, "date", an[k].date);
                txt(ms, "outcome", an[k].outcome);
                if (an[k].text[0])
                    txt(ms, "text", an[k].text);
            }
            free(an);
        }
    }
}


/* ======================================================================
 * the msg area: headers, bounces, complaints
 * ====================================================================== */

static int on_msgrow(void *arg, const md_msg_row *m)
{
    thread *t = arg;
    if (!strcmp(m->kind, MD_MSGKIND_MSREPLY) || !strcmp(m->kind, MD_MSGKIND_DMARC))
        return 0;
    for (size_t i = 0; i < t->nmrow; i++)
        if (t->mrow[i] == m->id)
            return 0;
    if (t->nmrow < 16) {
        t->mrow[t->nmrow] = m->id;
        snprintf(t->mkind[t->nmrow], sizeof t->mkind[0], "%s", m->kind);
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

/* msg_lookup: the stored messages, bounces and complaints about the
 * thread's Message-IDs */
static void msg_lookup(ctx *c, thread *t)
{
    md_err e = {0, ""};
    char id[512];
    for (size_t k = 0; k < t->nm; k++) {
        const md_trace_msg *m = &c->tr->msgs[t->m[k]];
        if (m->msgid[0]) {
            strip_brackets(m->msgid, id, sizeof id);
            md_store_msg_by_msgid(c->st, id, on_msgrow, t, &e);
        }
        for (size_t i = 0; i < m->ndlvs; i++)
            if (m->dlvs[i].quoted_msgid[0]) {
                strip_brackets(m->dlvs[i].quoted_msgid, id, sizeof id);
                md_store_msg_by_msgid(c->st, id, on_msgrow, t, &e);
            }
    }
}

typedef struct hoparg {
    ctx *c;
    thread *t;
} hoparg;

static int on_our_ip(void *arg, const md_msg_hoprow *h)
{
    hoparg *a = arg;
    char buf[1024], when[32];
    const md_host *host = md_config_host_str(a->c->cfg, h->ip);
    if (!host) {
        note(a->c, "IP %s (in our networks, not a configured host) appears in the Received "
                   "chain of %s; if it is a mail system, add it to the configuration so that "
                   "it is listed.", h->ip, a->t->ref);
        return 0;
    }
    ipinfo *x = ip_get(a->c, h->ip);
    if (!x)
        return 0;
    snprintf(buf, sizeof buf, "Received header hop %d: from %s [%s] by %s%s%s%s%s; Microsoft "
                              "evaluates every IP of this chain",
             h->idx, h->rdns[0] ? h->rdns : h->helo, h->ip, h->by, h->qid[0] ? " id " : "",
             h->qid, h->date ? " at " : "", h->date ? fmt_short(h->date, when, sizeof when) : "");
    ip_evidence(a->c, x, "received", a->t->ref, buf);
    ip_seen(x, h->date);
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
    ipinfo *x = ip_get(a->c, d->r->named_ip);
    if (!x)
        return 0;
    char buf[1400], when[32];
    snprintf(buf, sizeof buf, "Microsoft's bounce%s%s names %s: %s %s",
             d->date ? " of " : "", d->date ? fmt_short(d->date, when, sizeof when) : "",
             d->r->named_ip, d->r->status, d->r->diag);
    ip_evidence(a->c, x, "bounce", a->t->ref, buf);
    ip_seen(x, d->date);
    return 0;
}

/* msg_ips: affected IPs from the headers and bounces of the thread */
static void msg_ips(ctx *c, thread *t)
{
    md_err e = {0, ""};
    hoparg a = {c, t};
    for (size_t i = 0; i < t->nmrow; i++)
        if (!strcmp(t->mkind[i], MD_MSGKIND_DSN))
            md_store_msg_dsns(c->st, t->mrow[i], on_dsn_ip, &a, &e);
    if (!t->ms)
        return;
    for (size_t i = 0; i < t->nmrow; i++)
        if (!strcmp(t->mkind[i], MD_MSGKIND_MESSAGE) || !strcmp(t->mkind[i], MD_MSGKIND_ARF))
            md_store_msg_our_ips(c->st, t->mrow[i], on_our_ip, &a, &e);
}

/* standalone: messages of the msg area to/from the ticket's addresses in
 * the window that no log message explains */
typedef struct sarg {
    ctx *c;
    int rc;
} sarg;

static int on_standalone(void *arg, const md_msg_row *m)
{
    sarg *a = arg;
    ctx *c = a->c;
    if (!strcmp(m->kind, MD_MSGKIND_MSREPLY) || !strcmp(m->kind, MD_MSGKIND_DMARC))
        return 0;
    for (size_t i = 0; i < c->nth; i++)
        for (size_t k = 0; k < c->th[i].nmrow; k++)
            if (c->th[i].mrow[k] == m->id)
                return 0;
    thread *p = realloc(c->th, (c->nth + 1) * sizeof *p);
    if (!p) {
        a->rc = MD_ERR_NOMEM;
        return 1;
    }
    c->th = p;
    thread *t = &c->th[c->nth++];
    memset(t, 0, sizeof *t);
    t->t = m->date;
    t->mdate = m->date;
    t->mrow[0] = m->id;
    snprintf(t->mkind[0], sizeof t->mkind[0], "%s", m->kind);
    t->nmrow = 1;
    snprintf(t->mfrom, sizeof t->mfrom, "%s", m->from_addr ? m->from_addr : "");
    snprintf(t->mto, sizeof t->mto, "%s", m->to_text ? m->to_text : "");
    snprintf(t->msubject, sizeof t->msubject, "%s", m->subject ? m->subject : "");
    snprintf(t->mmsgid, sizeof t->mmsgid, "%s", m->message_id ? m->message_id : "");
    return 0;
}

static int standalone(ctx *c)
{
    md_err e = {0, ""};
    sarg a = {c, MD_OK};
    for (size_t i = 0; i < c->o->naddrs; i++) {
        char norm[MD_LIMIT_ADDR];
        if (md_text_addr_norm(norm, sizeof norm, c->o->addrs[i], strlen(c->o->addrs[i])) != MD_OK)
            continue;
        if (md_store_msg_by_addr(c->st, norm, c->o->since, c->o->until, on_standalone, &a, &e) !=
            MD_OK)
            return md_err_set(c->err, e.code ? e.code : MD_ERR_DB, "%s", e.msg);
    }
    if (a.rc != MD_OK)
        return md_err_set(c->err, a.rc, "out of memory");
    return MD_OK;
}

typedef struct dsnverd {
    ctx *c;
    thread *t;
    int oc;
} dsnverd;

static int on_dsn_verdict(void *arg, const md_msg_dsnrow *d)
{
    dsnverd *v = arg;
    md_buf to = MD_BUF_INIT, diag = MD_BUF_INIT;
    redaddr(v->c, &to, d->r->final_rcpt);
    red(v->c, &diag, d->r->diag);
    sentence_sep(&v->t->verdict);
    sentence_sep(&v->t->shorttext);
    if (d->r->microsoft && d->r->named_ip[0] && !strcmp(d->r->reason, "blocked")) {
        md_buf_printf(&v->t->verdict, "rejected because IP %s is on Microsoft's block list "
                                      "(%s): %s", d->r->named_ip, d->r->status,
                      md_buf_cstr(&diag));
        md_buf_printf(&v->t->shorttext, "rejected by Microsoft (%s)", d->r->status);
        v->oc = OC_REJECTED;
    } else {
        md_buf_printf(&v->t->verdict, "bounce%s%s for %s: %s %s", d->reporting_mta[0] ? " from " : "",
                      d->reporting_mta, md_buf_cstr(&to), d->r->status, md_buf_cstr(&diag));
        md_buf_printf(&v->t->shorttext, "bounced (%s)", d->r->status);
        if (v->oc < OC_BOUNCED)
            v->oc = OC_BOUNCED;
    }
    md_buf_free(&to);
    md_buf_free(&diag);
    return 0;
}

static void verdict_standalone(ctx *c, thread *t)
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

static void build_hops(ctx *c, xmlNode *x, thread *t)
{
    xmlNode *hops = el(x, "hops");
    hopcol *best = NULL, *hc = malloc(sizeof *hc);
    md_err e = {0, ""};
    for (size_t i = 0; i < t->nmrow && hc; i++) {
        if (strcmp(t->mkind[i], MD_MSGKIND_MESSAGE) != 0)
            continue;
        hc->n = 0;
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
    for (size_t k = best->n, n = 1; k-- > 0; n++) {
        const md_msg_hoprow *h = &best->r[k];
        xmlNode *hp = el(hops, "hop");
        txtf(hp, "n", "%zu", n);
        if (best->s[k][0][0])
            txt(hp, "from", best->s[k][0]);
        if (ip_valid(best->s[k][1]))
            txt(hp, "ip", best->s[k][1]);
        if (best->s[k][2][0])
            txt(hp, "by", best->s[k][2]);
        if (best->s[k][3][0]) {
            /* xs:token: the first word */
            char w[64];
            snprintf(w, sizeof w, "%.63s", best->s[k][3]);
            w[strcspn(w, " \t")] = '\0';
            txt(hp, "with", w);
        }
        if (h->date)
            time_el(hp, "time", h->date);
        txt(hp, "ours", h->cls == MD_IPCLASS_OURS ? "true" : "false");
    }
    free(best);
}

/* authentication: the results in the message's headers (our copies and
 * the originals attached to bounces), each distinct one once */
#define AUTH_MAX 40
typedef struct autharg {
    ctx *c;
    xmlNode *x;
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
        xmlNode *r = el(g->x, "result");
        txt(r, "method", method);
        txt(r, "result", result);
        txt_red(g->c, r, "detail", md_buf_cstr(&d));
        g->n++;
    }
    md_buf_free(&k);
    md_buf_free(&d);
    return g->n >= AUTH_MAX;
}

static void build_auth(ctx *c, xmlNode *x, thread *t)
{
    autharg g = {c, el(x, "authentication"), MD_BUF_INIT, 0};
    md_err e = {0, ""};
    md_buf_puts(&g.seen, "\n");
    for (size_t i = 0; i < t->nmrow && g.n < AUTH_MAX; i++)
        md_store_msg_auths(c->st, t->mrow[i], on_auth, &g, &e);
    md_buf_free(&g.seen);
}

typedef struct bncarg {
    ctx *c;
    xmlNode *parent;
} bncarg;

static int on_bounce_xml(void *arg, const md_msg_dsnrow *d)
{
    bncarg *b = arg;
    xmlNode *x = el(b->parent, "bounce");
    if (d->date)
        time_el(x, "time", d->date);
    if (d->r->final_rcpt[0])
        txt_addr(b->c, x, "recipient", d->r->final_rcpt);
    if (d->r->status[0])
        txt(x, "status", d->r->status);
    if (d->r->reason[0])
        txt(x, "reason", d->r->reason);
    if (d->r->remote_mta[0])
        txt(x, "remote-mta", d->r->remote_mta);
    if (ip_valid(d->r->named_ip))
        txt(x, "ip", d->r->named_ip);
    txt_red(b->c, x, "diagnostic", d->r->diag);
    if (d->reporting_mta && d->reporting_mta[0])
        txt(x, "source", d->reporting_mta);
    return 0;
}

static void build_bounces(ctx *c, xmlNode *x, thread *t)
{
    xmlNode *bs = el(x, "bounces");
    md_err e = {0, ""};
    bncarg b = {c, bs};
    for (size_t i = 0; i < t->nmrow; i++)
        if (!strcmp(t->mkind[i], MD_MSGKIND_DSN))
            md_store_msg_dsns(c->st, t->mrow[i], on_bounce_xml, &b, &e);
}

static int cmp_thread(const void *a, const void *b)
{
    const thread *x = a, *y = b;
    return x->t < y->t ? -1 : x->t > y->t;
}

static void build_forwarding(ctx *c, xmlNode *root)
{
    xmlNode *fw = el(root, "forwarding");
    if (!c->rules_stored) {
        note(c, "No forwarding rules (aliases, .forward, Sieve, rule exports) ingested: "
                "forwarding is shown only as far as the logs show it, and whether a local "
                "copy is kept is not known.");
        return;
    }
    for (size_t i = 0; i < c->nres; i++) {
        const md_resolution *r = &c->res[i];
        for (size_t k = 0; k < r->applied.n; k++) {
            const md_rule *ru = &r->applied.v[k];
            xmlNode *x = el(fw, "rule");
            txt_addr(c, x, "address", ru->address);
            if (ru->ttype == MD_TGT_ADDR)
                txt_addr(c, x, "target", ru->target);
            else
                txtf(x, "target", "%s: %s", md_rules_tgt_name(ru->ttype), ru->target);
            txt(x, "keep-copy", ru->keeps_copy ? "true" : "false");
            txt(x, "kind", md_rules_kind_name(ru->kind));
            txt(x, "file", ru->file);
            if (ru->line)
                txtf(x, "line", "%llu", (unsigned long long)ru->line);
        }
        if (r->loop)
            note(c, "The forwarding rules of %s loop (at %s).", r->address, r->loop_at);
    }
}

static void ctx_free(ctx *c)
{
    for (size_t i = 0; i < c->nkeep; i++)
        free(c->keep[i]);
    free(c->keep);
    for (size_t i = 0; i < c->nth; i++) {
        free(c->th[i].m);
        md_buf_free(&c->th[i].verdict);
        md_buf_free(&c->th[i].shorttext);
    }
    free(c->th);
    for (size_t i = 0; i < c->nips; i++)
        md_buf_free(&c->ips[i].ev);
    free(c->ips);
    md_buf_free(&c->notes);
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
static int analyse(ctx *c)
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
    q.since = c->o->since;
    q.until = c->o->until;
    int rc = md_trace_run(c->st, &q, &c->tr, c->err);
    if (rc != MD_OK)
        return rc;
    if (c->tr->truncated)
        note(c, "More than %d linked messages: the dossier shows the first ones only.",
             MD_TRACE_MAX_MESSAGES);
    /* the ticket's forward targets are the user's own addresses: not
     * redacted (Message-IDs are recognised by red()) */
    for (size_t i = 0; i < c->tr->nmsgs; i++) {
        const md_trace_msg *m = &c->tr->msgs[i];
        if (!c->strict && is_ticket_addr(c, m->sender) && is_forwarded_copy(c, i))
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
            if (is_ticket_addr(c, a->rcpts[r].rcpt) || is_ticket_addr(c, a->rcpts[r].orig_to))
                from_ticket = 1;
        if (from_ticket)
            for (size_t r = 0; r < b->nrcpts; r++)
                keep_add(c, b->rcpts[r].rcpt);
    }
    if ((rc = build_threads(c)) != MD_OK)
        return rc;
    size_t nlog = c->nth;
    for (size_t i = 0; i < nlog; i++)
        msg_lookup(c, &c->th[i]);
    if ((rc = standalone(c)) != MD_OK)
        return rc;
    if (c->nth > nlog) {
        qsort(c->th, c->nth, sizeof *c->th, cmp_thread);
        for (size_t i = 0; i < c->nth; i++)
            snprintf(c->th[i].ref, sizeof c->th[i].ref, "m%u", (unsigned)(i + 1) % 100000000u);
    }
    for (size_t i = 0; i < c->nth; i++) {
        if (c->th[i].nm)
            verdict_thread(c, &c->th[i]);
        else
            verdict_standalone(c, &c->th[i]);
    }
    for (size_t i = 0; i < c->nth; i++)
        ips_thread(c, &c->th[i]);
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
        snprintf(r->outcome, sizeof r->outcome, "%s", oc_names[worst]);
        r->failures = x->failures;
        r->total = x->total;
        snprintf(r->evidence, sizeof r->evidence, "%s", x->first_line);
    }
    sum->nips = c->nips;
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
    c.st = st;
    c.cfg = cfg;
    c.o = o;
    c.err = err;
    int rc = analyse(&c);
    if (rc != MD_OK) {
        ctx_free(&c);
        return rc;
    }
    int64_t now = o->now ? o->now : (int64_t)time(NULL);
    xmlDoc *d = xmlNewDoc(BX "1.0");
    xmlNode *root = xmlNewNode(NULL, BX "dossier");
    xmlDocSetRootElement(d, root);
    xmlNewProp(root, BX "version", BX "1");
    build_header(&c, root, now);
    build_summary(&c, root, sum);
    build_timeline(&c, root);
    xmlNode *msgs = el(root, "messages");
    for (size_t i = 0; i < c.nth; i++)
        build_message(&c, msgs, &c.th[i]);
    build_forwarding(&c, root);
    {
        int64_t nmsg = 0, nb = 0, nc = 0;
        md_err e2 = {0, ""};
        if (md_store_msg_count(st, &nmsg, &nb, &nc, &e2) == MD_OK && nmsg == 0)
            note(&c, "No messages (headers, bounces, complaints) ingested: Received chains are "
                     "taken from the logs only (each of our hosts that handed a message on adds "
                     "a hop).");
        md_rep_counts rcn;
        if (md_store_rep_counts(st, &rcn, &e2) == MD_OK && !rcn.snds_rows && !rcn.dmarc_reports)
            note(&c, "No reputation data (SNDS, DMARC reports) ingested.");
    }
    build_ips(&c, root);
    /* notes go at the end of the header (dossier.xsd: after evidence-span) */
    if (c.notes.len) {
        xmlNode *hdr = root->children;
        xmlNode *nn = el(hdr, "notes");
        const char *p = md_buf_cstr(&c.notes);
        while (*p) {
            const char *e = strchr(p, '\n');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            /* each note once */
            char key[MD_CASE_TEXT];
            snprintf(key, sizeof key, "%.*s", (int)len, p);
            int dup = 0;
            for (xmlNode *k = nn->children; k && !dup; k = k->next) {
                xmlChar *tx = xmlNodeGetContent(k);
                dup = tx && strcmp((const char *)tx, key) == 0;
                xmlFree(tx);
            }
            if (!dup)
                txt(nn, "note", key);
            p += len + (e ? 1 : 0);
        }
    }
    summary_ips(&c, sum);
    ctx_free(&c);
    *doc = d;
    return MD_OK;
}

/* ======================================================================
 * writing the files
 * ====================================================================== */

/* the output path dir/dossier-NUMBER.ext into *path (0 or MD_ERR_LIMIT) */
static int out_path(md_buf *path, const char *dir, const char *number, const char *ext,
                    md_err *err)
{
    md_buf_printf(path, "%s/dossier-%s.%s", dir && *dir ? dir : ".", number, ext);
    if (path->oom || path->len >= MD_LIMIT_PATH)
        return md_err_set(err, MD_ERR_LIMIT, "output path too long");
    return MD_OK;
}

/* the text rendering: the template over a copy of doc (xsl:strip-space
 * changes the document it reads, and the PDF thread reads doc meanwhile) */
static int write_text(const xmlDoc *doc, const md_config *cfg, const char *path, md_err *err)
{
    char xsl[MD_LIMIT_PATH];
    md_buf out = MD_BUF_INIT;
    int rc = md_render_find_template(cfg, "dossier-text.xsl", xsl, sizeof xsl, err);
    if (rc != MD_OK)
        return rc;
    xmlDoc *copy = xmlCopyDoc((xmlDoc *)doc, 1);
    if (!copy)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    rc = md_render_xslt(copy, xsl, &out, err);
    xmlFreeDoc(copy);
    if (rc == MD_OK)
        rc = md_outfile_write(path, out.data, out.len, err);
    md_buf_free(&out);
    return rc;
}

/* the evidence document itself, serialised in memory and written whole */
static int write_xml(const xmlDoc *doc, const char *path, md_err *err)
{
    xmlChar *mem = NULL;
    int len = 0;
    xmlDocDumpFormatMemoryEnc((xmlDoc *)doc, &mem, &len, "UTF-8", 1);
    if (!mem)
        return md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", path);
    int rc = md_outfile_write(path, mem, (size_t)len, err);
    xmlFree(mem);
    return rc;
}

int md_analysis_write(xmlDoc *doc, const md_config *cfg, const char *dir, const char *number,
                      int formats, md_pdf_job *pdf, char *paths[3], const char *fmtnames[3],
                      size_t *nwritten, md_err *err)
{
    static const struct {
        int flag;
        const char *ext;
    } f[3] = {{MD_FMT_PDF, "pdf"}, {MD_FMT_TXT, "txt"}, {MD_FMT_XML, "xml"}};
    md_buf path[3] = {MD_BUF_INIT, MD_BUF_INIT, MD_BUF_INIT};
    int ok[3] = {0, 0, 0}, first = MD_OK;
    md_err e1;
    *nwritten = 0;
    if (!md_analysis_ticket_valid(number)) {
        md_render_pdf_wait(pdf, NULL);
        return md_err_set(err, MD_ERR_ARG, "not a valid ticket number");
    }
    for (size_t i = 0; i < 3; i++)
        if ((formats & f[i].flag) && out_path(&path[i], dir, number, f[i].ext, err) != MD_OK) {
            md_render_pdf_wait(pdf, NULL);
            for (size_t k = 0; k < 3; k++)
                md_buf_free(&path[k]);
            return MD_ERR_LIMIT;
        }
    int pdf_on = 0;
    if (formats & MD_FMT_PDF) {
        int rc = MD_OK;
        if (!pdf) {
            md_render_opts ro;
            md_render_opts_from_config(&ro, cfg);
            rc = md_render_pdf_start(&ro, &pdf, &e1);
        }
        if (rc == MD_OK)
            rc = md_render_pdf_submit(pdf, doc, md_buf_cstr(&path[0]), &e1);
        pdf_on = rc == MD_OK;
        if (rc != MD_OK)
            first = rc, *err = e1;
    }
    /* meanwhile, on this thread */
    if (formats & MD_FMT_XML) {
        int rc = write_xml(doc, md_buf_cstr(&path[2]), &e1);
        ok[2] = rc == MD_OK;
        if (rc != MD_OK && first == MD_OK)
            first = rc, *err = e1;
    }
    if (formats & MD_FMT_TXT) {
        int rc = write_text(doc, cfg, md_buf_cstr(&path[1]), &e1);
        ok[1] = rc == MD_OK;
        if (rc != MD_OK && first == MD_OK)
            first = rc, *err = e1;
    }
    /* the PDF (or a job the caller started needlessly: cancelled) */
    int rc = md_render_pdf_wait(pdf, &e1);
    ok[0] = pdf_on && rc == MD_OK;
    if (rc != MD_OK && first == MD_OK)
        first = rc, *err = e1;
    for (size_t i = 0; i < 3; i++) {
        if (ok[i]) {
            paths[*nwritten] = md_buf_detach(&path[i]);
            fmtnames[*nwritten] = f[i].ext;
            (*nwritten)++;
        }
        md_buf_free(&path[i]);
    }
    return first;
}

/* ======================================================================
 * the request to Microsoft's sender support
 * ====================================================================== */

typedef struct req_error {
    char *text;
    uint64_t count;
    int64_t first, last;
    char ips[256];
} req_error;

typedef struct req_ip {
    char ip[MD_IP_STRLEN];
    const md_host *host;
    char evidence[MD_CASE_TEXT];
    uint64_t failures, total;
    int64_t first, last;
} req_ip;

typedef struct req {
    req_error *errs;
    size_t nerrs, caperrs;
    req_ip *ips;
    size_t nips, capips;
    char rdom[32][128];
    size_t nrdom;
    int64_t first, last;
    uint64_t filtered, failed, accepted;
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
    for (size_t i = 0; i < r->nips; i++)
        if (strcmp(r->ips[i].ip, ip) == 0)
            return &r->ips[i];
    req_ip *p = md_grow(r->ips, &r->capips, r->nips + 1, sizeof *p, 16);
    if (!p)
        return NULL;
    r->ips = p;
    req_ip *x = &r->ips[r->nips++];
    memset(x, 0, sizeof *x);
    snprintf(x->ip, sizeof x->ip, "%s", ip);
    x->host = md_config_host_str(cfg, ip);
    return x;
}

static void req_domain(req *r, const char *addr)
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

static void req_add_error(req *r, ctx *c, const md_trace_msg *m, const md_trace_dlv *d)
{
    md_buf t = MD_BUF_INIT, key = MD_BUF_INIT;
    red(c, &t, d->reply);
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
    if (!e->first || d->t < e->first)
        e->first = d->t;
    if (d->t > e->last)
        e->last = d->t;
    const char *ip = d->named_ip;
    const md_host *h = md_config_host_by_loghost(c->cfg, m->host);
    if (!ip[0] && h)
        ip = h->ipstr;
    char canon[MD_IP_STRLEN];
    ip_canon(ip, canon);
    if (canon[0] && !strstr(e->ips, canon) && strlen(e->ips) + strlen(canon) + 2 < sizeof e->ips)
        snprintf(e->ips + strlen(e->ips), sizeof e->ips - strlen(e->ips), "%s%s",
                 e->ips[0] ? " " : "", canon);
}

/* req_collect: what one analysis adds to the request */
static void req_collect(req *r, ctx *c)
{
    for (size_t i = 0; i < c->nips; i++) {
        req_ip *x = req_ip_get(r, c->ips[i].ip, c->cfg);
        if (!x)
            continue;
        if (!x->evidence[0])
            snprintf(x->evidence, sizeof x->evidence, "%s", c->ips[i].first_line);
        x->failures += c->ips[i].failures;
        x->total += c->ips[i].total;
        if (!x->first || (c->ips[i].first && c->ips[i].first < x->first))
            x->first = c->ips[i].first;
        if (c->ips[i].last > x->last)
            x->last = c->ips[i].last;
    }
    for (size_t i = 0; i < c->nth; i++) {
        thread *t = &c->th[i];
        if (t->oc == OC_FILTERED && t->nm &&
            !req_seen(r, (uint64_t)c->tr->msgs[t->m[0]].id << 1))
            r->filtered++;
        for (size_t k = 0; k < t->nm; k++) {
            const md_trace_msg *m = &c->tr->msgs[t->m[k]];
            for (size_t j = 0; j < m->ndlvs; j++) {
                const md_trace_dlv *d = &m->dlvs[j];
                if (!d->ms || req_seen(r, ((uint64_t)m->id << 20 | (uint64_t)j) << 1 | 1))
                    continue;
                req_domain(r, d->rcpt);
                if (!r->first || d->t < r->first)
                    r->first = d->t;
                if (d->t > r->last)
                    r->last = d->t;
                if (d->outcome == MD_OUTCOME_MS_ACCEPTED || d->outcome == MD_OUTCOME_RELAYED) {
                    r->accepted++;
                    continue;
                }
                r->failed++;
                if (d->reply[0])
                    req_add_error(r, c, m, d);
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
        if (ip_valid(cfg->hosts[i].ipstr))
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
    md_trace_query q;
    memset(&q, 0, sizeof q);
    q.ips = ips;
    q.nips = n;
    q.since = since;
    q.until = until;
    q.no_lines = 1;
    int rc = md_trace_run(st, &q, &c.tr, err);
    if (rc == MD_OK)
        rc = build_threads(&c);
    if (rc == MD_OK) {
        for (size_t i = 0; i < c.nth; i++)
            verdict_thread(&c, &c.th[i]);
        for (size_t i = 0; i < c.nth; i++)
            ips_thread(&c, &c.th[i]);
        /* in window mode only failures count: filtered is a ticket's claim */
        for (size_t i = 0; i < c.nth; i++)
            if (c.th[i].oc == OC_FILTERED)
                c.th[i].oc = OC_ACCEPTED;
        req_collect(r, &c);
    }
    ctx_free(&c);
    return rc;
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
        if (na)
            rc = analyse(&c);
        if (rc == MD_OK)
            req_collect(&r, &c);
        ctx_free(&c);
        free(av);
        free(ad);
        if (!wfirst || (tk[i].since && tk[i].since < wfirst))
            wfirst = tk[i].since;
        if (tk[i].until > wlast)
            wlast = tk[i].until;
    }
    if (rc == MD_OK && (since || until))
        rc = req_window(&r, st, cfg, since, until, err);
    if (rc != MD_OK) {
        free(tk);
        req_free(&r);
        return rc;
    }
    if (r.nips > 1)
        qsort(r.ips, r.nips, sizeof *r.ips, cmp_reqip);

    xmlDoc *d = xmlNewDoc(BX "1.0");
    xmlNode *root = xmlNewNode(NULL, BX "request");
    xmlDocSetRootElement(d, root);
    xmlNewProp(root, BX "version", BX "1");
    time_el(root, "generated-at", now);
    txt(root, "tool-version", MD_VERSION);
    if (wfirst || wlast) {
        xmlNode *w = el(root, "window");
        time_el(w, "since", wfirst ? wfirst : (r.first ? r.first : now));
        time_el(w, "until", wlast ? wlast : now);
    }
    txtf(root, "title", "Mail from %s is accepted by Outlook.com but not delivered",
         cfg->org_name[0] ? cfg->org_name : (cfg->ndomains ? cfg->domains[0] : "our servers"));
    xmlNode *ct = el(root, "contact");
    txt(ct, "name", cfg->contact_name);
    txt(ct, "email", cfg->contact_email);
    if (cfg->contact_phone[0])
        txt(ct, "phone", cfg->contact_phone);
    xmlNode *rd = el(root, "recipient-domains");
    if (!r.nrdom)
        txt(rd, "domain", "outlook.com");
    for (size_t i = 0; i < r.nrdom; i++)
        txt(rd, "domain", r.rdom[i]);
    xmlNode *sd = el(root, "sender-domains");
    for (size_t i = 0; i < cfg->ndomains; i++)
        txt(sd, "domain", cfg->domains[i]);
    xmlNode *org = el(root, "organisation");
    txt(org, "name", cfg->org_name);
    txt(org, "description", cfg->org_description);
    txt(root, "ip-usage", strcmp(cfg->ip_usage, "dedicated") == 0 ? "dedicated"
                          : strcmp(cfg->ip_usage, "shared") == 0 ? "shared" : "unknown");
    xmlNode *ipn = el(root, "ips");
    for (size_t i = 0; i < r.nips; i++) {
        req_ip *x = &r.ips[i];
        xmlNode *e = el(ipn, "ip");
        txt(e, "address", x->ip);
        txt(e, "host", x->host ? x->host->name : "");
        txt(e, "role", x->host ? x->host->role : "");
        txt(e, "evidence", x->evidence[0] ? x->evidence : "named in the tickets' evidence");
        md_case_answer *an = NULL;
        size_t na = 0;
        md_err er = {0, ""};
        if (md_store_case_answers(st, x->ip, &an, &na, &er) == MD_OK && na) {
            char b[32];
            txtf(e, "last-answer", "%s (%s)", md_msreply_outcome_text(
                     md_msreply_outcome_parse(an[na - 1].outcome)),
                 an[na - 1].date ? fmt_short(an[na - 1].date, b, sizeof b) : "date unknown");
        }
        free(an);
    }
    xmlNode *es = el(root, "errors");
    for (size_t i = 0; i < r.nerrs; i++) {
        xmlNode *e = el(es, "error");
        txt(e, "text", r.errs[i].text);
        txtf(e, "count", "%llu", (unsigned long long)r.errs[i].count);
        time_el(e, "first", r.errs[i].first);
        time_el(e, "last", r.errs[i].last);
        if (r.errs[i].ips[0]) {
            xmlNode *ei = el(e, "ips");
            char tmp[256];
            snprintf(tmp, sizeof tmp, "%s", r.errs[i].ips);
            for (char *sv = NULL, *p = strtok_r(tmp, " ", &sv); p; p = strtok_r(NULL, " ", &sv))
                txt(ei, "ip", p);
        }
    }
    xmlNode *vol = el(root, "volumes");
    if (cfg->volume_note[0])
        txt(vol, "note", cfg->volume_note);
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
            xmlNode *dy = el(vol, "day");
            txt(dy, "date", fmt_day(days[k], b, sizeof b));
            txtf(dy, "messages", "%llu", (unsigned long long)cnt[k]);
        }
    }
    free(dl);
    txt(root, "opt-in", cfg->optin_note[0] ? cfg->optin_note
                                           : "Personal mail of our members only; no lists.");
    xmlNode *en = el(root, "enrolment");
    txt(en, "snds", cfg->snds_enrolled ? "true" : "false");
    txt(en, "jmrp", cfg->jmrp_enrolled ? "true" : "false");

    xmlNode *pr = el(root, "problem");
    {
        md_buf p = MD_BUF_INIT;
        char b1[32], b2[32];
        if (r.filtered)
            md_buf_printf(&p, "Since %s, messages from our servers to Outlook.com / Hotmail "
                              "recipients are accepted by your servers (250 Queued mail for "
                              "delivery) and then never delivered: %llu such message%s %s "
                              "documented in our helpdesk tickets. ",
                          r.first ? fmt_short(r.first, b1, sizeof b1) : "recently",
                          (unsigned long long)r.filtered, r.filtered == 1 ? "" : "s",
                          r.filtered == 1 ? "is" : "are");
        if (r.failed)
            md_buf_printf(&p, "%llu delivery attempt%s to your servers between %s and %s "
                              "failed or were deferred; the error messages are listed in full "
                              "below. ",
                          (unsigned long long)r.failed, r.failed == 1 ? "" : "s",
                          fmt_short(r.first, b1, sizeof b1), fmt_short(r.last, b2, sizeof b2));
        if (!r.filtered && !r.failed)
            md_buf_puts(&p, "Our users report that mail to Outlook.com / Hotmail recipients "
                            "does not arrive. ");
        md_buf_puts(&p, "We are not listed on any public block list.");
        txt(pr, "paragraph", md_buf_cstr(&p));
        md_buf_reset(&p);
        md_buf_puts(&p, "As Outlook.com evaluates every IP address in the Received header chain, "
                        "the list below holds every system of ours that appears in the headers "
                        "of the affected messages (gateways, mail cluster, webmail, relay), "
                        "not only the outbound gateway.");
        if (strcmp(cfg->ip_usage, "dedicated") == 0)
            md_buf_puts(&p, " Each of these IPs is used only by us.");
        txt(pr, "paragraph", md_buf_cstr(&p));
        md_buf_reset(&p);
        md_buf_puts(&p, "Affected IPs: ");
        for (size_t i = 0; i < r.nips; i++)
            md_buf_printf(&p, "%s%s", i ? "; " : "", r.ips[i].ip);
        if (!r.nips)
            md_buf_puts(&p, "(none found in the evidence)");
        md_buf_putc(&p, '.');
        txt(pr, "paragraph", md_buf_cstr(&p));
        md_buf_free(&p);
    }
    xmlNode *tl = el(root, "tickets");
    for (size_t i = 0; i < ntk; i++) {
        xmlNode *t = el(tl, "ticket");
        txt(t, "number", tk[i].number);
        md_buf sb = MD_BUF_INIT;
        md_text_redact_line(&sb, tk[i].summary, strlen(tk[i].summary), NULL);
        txt(t, "summary", sb.len ? md_buf_cstr(&sb) : "(no summary)");
        md_buf_free(&sb);
    }
    if (ips_out && r.nips) {
        *ips_out = calloc(r.nips, sizeof **ips_out);
        if (*ips_out) {
            for (size_t i = 0; i < r.nips; i++)
                snprintf((*ips_out)[i].ip, sizeof (*ips_out)[i].ip, "%s", r.ips[i].ip);
            *nips_out = r.nips;
        }
    }
    free(tk);
    req_free(&r);
    *doc = d;
    return MD_OK;
}

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

/* local_midnight: the start of t's day in the local zone (the site's) */
static int64_t local_midnight(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return t - (((t % 86400) + 86400) % 86400);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    time_t m = mktime(&tm);
    return m == (time_t)-1 ? t - (((t % 86400) + 86400) % 86400) : (int64_t)m;
}

static md_ip_day *day_get(md_ip_history *h, int64_t day, size_t *cap)
{
    day = local_midnight(day);
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
            ip_canon(dv->named_ip, canon);
            if (strcmp(canon, h->ip) != 0 || dv->outcome == MD_OUTCOME_MS_ACCEPTED ||
                dv->outcome == MD_OUTCOME_DELIVERED || dv->outcome == MD_OUTCOME_RELAYED)
                continue;
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
    h->days = NULL;
    h->tickets = NULL;
    h->requests = NULL;
    h->answers = NULL;
    h->ndays = h->ntickets = h->nrequests = h->nanswers = 0;
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
        ip_canon(i < cfg->nhosts ? cfg->hosts[i].ipstr : known[i - cfg->nhosts].ip, canon);
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
