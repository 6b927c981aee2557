/* render_trace.c: the text `trace` shows (see render_trace.h): each
 * message with its envelope, recipients and outcomes, the stored evidence
 * of its Message-ID, its links and raw lines; the forwarding rules of the
 * addresses asked for.  Outside text is made safe for a terminal and
 * redacted when asked.  Writes into the caller's buffer; never prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "render/render_trace.h"
#include "store/store_msg.h"
#include "store/store_rules.h"
#include "base/text.h"

static void fmt_time(char *dst, size_t n, int64_t t)
{
    md_text_time(dst, n, t, "%Y-%m-%d %H:%M:%S", "?");
}

typedef struct out {
    int redact;
    const char *const *keep;
    md_buf b;                  /* scratch */
    md_buf *dst;               /* the text */
} out;

/* Print text safe for a terminal, redacted when asked. */
static void put_text(out *o, const char *s)
{
    md_buf_reset(&o->b);
    if (o->redact) {
        md_buf red = MD_BUF_INIT;
        md_text_redact_line(&red, s, strlen(s), o->keep);
        md_text_terminal(&o->b, md_buf_cstr(&red), red.len);
        md_buf_free(&red);
    } else {
        md_text_terminal(&o->b, s, strlen(s));
    }
    md_buf_append(o->dst, o->b.data, o->b.len);
}

/* ---- header evidence of the stored messages ------------------------------ */

#define EVIDENCE_MAX 8   /* stored messages shown per log message */

typedef struct evrow {
    int64_t id, date;
    char kind[16], path[MD_LIMIT_PATH], msgid[512];
} evrow;

typedef struct evset {
    evrow r[EVIDENCE_MAX];
    size_t n, more;
} evset;

static int on_ev(void *arg, const md_msg_row *m)
{
    evset *e = arg;
    if (e->n == EVIDENCE_MAX) {
        e->more++;
        return 0;
    }
    evrow *r = &e->r[e->n++];
    r->id = m->id;
    r->date = m->date;
    snprintf(r->kind, sizeof r->kind, "%s", m->kind);
    snprintf(r->path, sizeof r->path, "%s", m->path);
    snprintf(r->msgid, sizeof r->msgid, "%s", m->message_id);
    return 0;
}

typedef struct evtext {
    md_buf b;
    size_t n;
} evtext;

static int on_ev_ip(void *arg, const md_msg_hoprow *h)
{
    evtext *t = arg;
    md_buf_printf(&t->b, "%s%s%s%s%s", t->n++ ? ", " : "", h->ip, *h->ours_host ? " (" : "",
                  h->ours_host, *h->ours_host ? ")" : "");
    return 0;
}

static int on_ev_auth(void *arg, const md_msg_authrow *a)
{
    evtext *t = arg;
    md_buf_printf(&t->b, "%s%s=%s", t->n++ ? ", " : "", a->method, a->result);
    return t->n >= 12;
}

static int on_ev_dsn(void *arg, const md_msg_dsnrow *d)
{
    evtext *t = arg;
    const md_dsn_rcpt *r = d->r;
    md_buf_printf(&t->b, "%s%s: %s%s%s%s%s%s", t->n ? "; " : ": ", r->final_rcpt,
                  r->status[0] ? r->status : "?",
                  r->reason[0] ? " (" : "", r->reason, r->reason[0] ? ")" : "",
                  r->named_ip[0] ? ", Microsoft names IP " : "", r->named_ip);
    t->n++;
    return 0;
}

/* print_evidence: the stored messages with the log message's Message-ID, and
 * the bounces and complaints about it (issue 3: header evidence in trace). */
static void print_evidence(out *o, md_store *st, const md_trace_msg *m)
{
    char id[512];
    const char *s = m->msgid;
    size_t n = strlen(s);
    if (n && s[0] == '<') {
        s++;
        n--;
    }
    if (n && s[n - 1] == '>')
        n--;
    if (!n)
        return;
    snprintf(id, sizeof id, "%.*s", (int)n, s);
    evset e;
    memset(&e, 0, sizeof e);
    md_err err = {0, ""};
    if (md_store_msg_by_msgid(st, id, on_ev, &e, &err) != MD_OK || e.n == 0)
        return;
    for (size_t i = 0; i < e.n; i++) {
        const evrow *r = &e.r[i];
        char when[32];
        md_text_time(when, sizeof when, r->date, "%Y-%m-%d %H:%M", "no date");
        evtext t = {MD_BUF_INIT, 0};
        const char *what = "message";
        if (strcmp(r->kind, MD_MSGKIND_DSN) == 0) {
            what = "bounce";
            md_store_msg_dsns(st, r->id, on_ev_dsn, &t, &err);
        } else if (strcmp(r->kind, MD_MSGKIND_ARF) == 0) {
            what = "complaint";
        } else {
            md_buf_puts(&t.b, "; our IPs in its Received chain: ");
            md_store_msg_our_ips(st, r->id, on_ev_ip, &t, &err);
            if (t.n == 0)
                md_buf_puts(&t.b, "none");
            size_t before = t.b.len;
            t.n = 0;
            md_buf_puts(&t.b, "; results: ");
            md_store_msg_auths(st, r->id, on_ev_auth, &t, &err);
            if (t.n == 0)
                t.b.len = before, t.b.data[before] = '\0';
        }
        md_buf line = MD_BUF_INIT;
        md_buf_printf(&line, "    evidence: %s %s (%s)%s", what, r->path, when, md_buf_cstr(&t.b));
        put_text(o, md_buf_cstr(&line));
        md_buf_putc(o->dst, '\n');
        md_buf_free(&line);
        md_buf_free(&t.b);
    }
    if (e.more)
        md_buf_printf(o->dst, "    evidence: %zu more stored message(s) with this Message-ID\n", e.more);
}

/* print_rules: what the forwarding rules do with each traced address */
static void print_rules(out *o, md_store *st, const md_config *cfg, const char *const *addrs,
                        size_t n)
{
    int head = 0;
    for (size_t i = 0; i < n; i++) {
        md_resolution res;
        md_err err = {0, ""};
        memset(&res, 0, sizeof res);
        if (md_store_rules_resolve(st, cfg, addrs[i], &res, &err) != MD_OK) {
            md_resolution_free(&res);
            continue;
        }
        if (res.applied.n) {
            if (!head++)
                md_buf_printf(o->dst, "Forwarding rules:\n");
            md_buf b = MD_BUF_INIT;
            md_buf_printf(&b, "  %s ->", res.address);
            for (size_t k = 0; k < res.ntargets; k++)
                md_buf_printf(&b, "%s %s%s", k ? "," : "", res.targets[k].target,
                              res.targets[k].ms_consumer ? " (Microsoft consumer domain)"
                              : res.targets[k].local     ? " (local)" : "");
            md_buf_printf(&b, "; local copy: %s", md_rules_copy_name(res.keeps_copy));
            for (size_t k = 0; k < res.applied.n; k++)
                md_buf_printf(&b, "%s%s:%llu", k ? ", " : "; rules at ", res.applied.v[k].file,
                              (unsigned long long)res.applied.v[k].line);
            put_text(o, md_buf_cstr(&b));
            md_buf_putc(o->dst, '\n');
            if (res.ms_without_copy)
                md_buf_printf(o->dst, "  => forwarded to a Microsoft consumer domain %s\n",
                       res.keeps_copy == MD_COPY_NEVER ? "without a local copy"
                                                       : "with a local copy only sometimes");
            md_buf_free(&b);
        }
        md_resolution_free(&res);
    }
    if (head)
        md_buf_putc(o->dst, '\n');
}

/* print_msg: message i; st is NULL when the store holds no messages (no
 * header evidence to look up). */
static void print_msg(out *o, md_store *st, const md_trace_result *r, size_t i, int lines)
{
    const md_trace_msg *m = &r->msgs[i];
    char a[32], b[32];
    fmt_time(a, sizeof a, m->t_first);
    fmt_time(b, sizeof b, m->t_last);
    /* sendmail logs no end of a message: "open" matters only while a
     * recipient waits (deferred) or nothing was delivered yet */
    int waiting = m->open && m->nrcpts == 0;
    for (size_t k = 0; m->open && k < m->nrcpts; k++)
        if (m->rcpts[k].outcome == MD_OUTCOME_DEFERRED || m->rcpts[k].outcome == MD_OUTCOME_UNKNOWN)
            waiting = 1;
    /* the last time without its date when it is the same day */
    const char *bl = strncmp(a, b, 10) == 0 && strlen(b) > 11 ? b + 11 : b;
    md_buf_printf(o->dst, "[%zu] %s %s %s  %s .. %s%s%s\n", i + 1, m->host, m->mta, m->qid, a, bl,
           m->matched ? "" : "  (linked)", waiting ? "  (not finished in the log)" : "");
    char line[2048];
    snprintf(line, sizeof line, "    from %s%s%s%s%s%s%s%s%s%s", m->sender_known ? "<" : "",
             m->sender_known ? m->sender : MD_TRACE_SENDER_UNKNOWN,
             m->sender_known ? ">" : "",
             *m->msgid ? "  message-id " : "", m->msgid, *m->client_ip || *m->client_host ? "  client " : "",
             m->client_host, *m->client_ip ? " [" : "", m->client_ip, *m->client_ip ? "]" : "");
    put_text(o, line);
    if (m->size >= 0)
        md_buf_printf(o->dst, "  size %lld", (long long)m->size);
    md_buf_putc(o->dst, '\n');
    for (size_t k = 0; k < m->nrcpts; k++) {
        const md_trace_rcpt *rc = &m->rcpts[k];
        snprintf(line, sizeof line, "    to <%s>%s%s%s: %s%s", rc->rcpt, *rc->orig_to ? " (orig_to <" : "",
                 rc->orig_to, *rc->orig_to ? ">)" : "", rc->summary,
                 rc->attempts > 1 ? "" : "");
        put_text(o, line);
        if (rc->attempts > 1)
            md_buf_printf(o->dst, " [%zu attempts]", rc->attempts);
        md_buf_putc(o->dst, '\n');
    }
    if (st)
        print_evidence(o, st, m);
    for (size_t k = 0; k < r->nlinks; k++) {
        const md_trace_link *l = &r->links[k];
        if (l->from != i && l->to != i)
            continue;
        size_t other = l->from == i ? l->to : l->from;
        snprintf(line, sizeof line, "    %s [%zu] %s %s (%s%s): %s", l->from == i ? "->" : "<-",
                 other + 1, r->msgs[other].host, r->msgs[other].qid,
                 l->possible ? "possible link only, it may be a sibling copy: " : "",
                 md_trace_link_name(l->kind), l->why);
        put_text(o, line);
        md_buf_putc(o->dst, '\n');
    }
    if (lines) {
        for (size_t k = 0; k < m->nlines; k++) {
            const md_trace_line *ln = &m->lines[k];
            md_buf_printf(o->dst, "    %s:%llu: ", ln->path, (unsigned long long)ln->lineno);
            put_text(o, ln->text);
            md_buf_putc(o->dst, '\n');
        }
        if (m->lines_truncated)
            md_buf_printf(o->dst, "    (more lines not shown)\n");
    }
    md_buf_putc(o->dst, '\n');
}

/* print_stored: the stored messages whose Received chain names the IP */
static void print_stored(out *o, const md_trace_result *r)
{
    if (!r->nstored)
        return;
    md_buf_printf(o->dst, "%zu stored message(s) whose Received chain names the IP:\n",
                  r->nstored);
    for (size_t i = 0; i < r->nstored; i++) {
        const md_trace_stored *s = &r->stored[i];
        char when[32], line[1600];
        md_text_time(when, sizeof when, s->date, "%Y-%m-%d %H:%M", "no date");
        snprintf(line, sizeof line, "  %s %s (%s, hop %d)%s%s%s", s->kind, s->path, when, s->hop,
                 *s->message_id ? " Message-ID <" : "", s->message_id,
                 *s->message_id ? ">" : "");
        put_text(o, line);
        md_buf_putc(o->dst, '\n');
    }
    md_buf_putc(o->dst, '\n');
}

int md_render_trace(md_buf *text, md_store *st, const md_config *cfg, const md_trace_result *r,
                    const md_render_trace_opts *opt)
{
    out o = {opt->redact, opt->keep, MD_BUF_INIT, text};
    out *op = &o;
    size_t matched = 0;
    for (size_t i = 0; i < r->nmsgs; i++)
        matched += r->msgs[i].matched;
    md_buf_printf(op->dst, "%zu message(s): %zu matched, %zu linked; %zu link(s)%s\n\n", r->nmsgs,
                  matched, r->nmsgs - matched, r->nlinks,
                  r->truncated ? " (limit reached: use --max)" : "");
    print_rules(op, st, cfg, opt->addrs, opt->naddrs);
    md_store *ev = md_store_msg_any(st) ? st : NULL;
    print_stored(op, r);
    for (size_t i = 0; i < r->nmsgs; i++)
        print_msg(op, ev, r, i, opt->lines);
    md_buf_free(&o.b);
    return text->oom ? MD_ERR_NOMEM : MD_OK;
}
