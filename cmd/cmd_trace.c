/* cmd_trace.c: `maildossier trace ADDRESS|QUEUE-ID|MESSAGE-ID|IP...`: every
 * correlated message that involves it, following links both ways, with
 * raw lines, attempts and a one-line outcome per recipient.  A thin main
 * over lib/trace.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "ipaddr.h"
#include "store_msg.h"
#include "store_rules.h"
#include "text.h"
#include "trace.h"

static void help(FILE *fp)
{
    fprintf(fp,
            "usage: maildossier trace [options] ADDRESS|QUEUE-ID|MESSAGE-ID|IP...\n\n"
            "Show every message in the store that involves the given envelope address\n"
            "(sender, recipient or original recipient; any case, with or without <>),\n"
            "queue id, Message-ID or IP, following the links between messages both ways\n"
            "(forwarded as, queued as, bounces, same Message-ID, a forwarded copy\n"
            "re-injected by the mail store, Microsoft's reply quoting the original's\n"
            "Message-ID).  Each message is shown with its raw log lines in order\n"
            "(file:line), and one line per recipient saying what became of it.\n\n"
            "Options:\n"
            "  --since T      only messages seen at or after T (2016-04-23, 2016-04-23 16:06,\n"
            "                 2016-04-23T16:06:27Z, @UNIX; local time unless it ends in Z)\n"
            "  --until T      only messages seen at or before T\n"
            "  --no-follow    do not follow links\n"
            "  --no-lines     do not print the raw lines\n"
            "  --redact       replace the local part of every address but the ones asked\n"
            "                 for by *snip*\n"
            "  --max N        at most N messages (default %d)\n"
            "  -h, --help     this text\n\n"
            "Exit status: 0 found, 1 failure, 2 usage, 4 nothing found.\n",
            MD_TRACE_MAX_MESSAGES);
}

static void fmt_time(char *dst, size_t n, int64_t t)
{
    md_text_time(dst, n, t, "%Y-%m-%d %H:%M:%S", "?");
}

typedef struct out {
    int redact;
    const char *const *keep;
    md_buf b;
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
    fputs(md_buf_cstr(&o->b), stdout);
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
        putchar('\n');
        md_buf_free(&line);
        md_buf_free(&t.b);
    }
    if (e.more)
        printf("    evidence: %zu more stored message(s) with this Message-ID\n", e.more);
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
                printf("Forwarding rules:\n");
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
            putchar('\n');
            if (res.ms_without_copy)
                printf("  => forwarded to a Microsoft consumer domain %s\n",
                       res.keeps_copy == MD_COPY_NEVER ? "without a local copy"
                                                       : "with a local copy only sometimes");
            md_buf_free(&b);
        }
        md_resolution_free(&res);
    }
    if (head)
        putchar('\n');
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
    printf("[%zu] %s %s %s  %s .. %s%s%s\n", i + 1, m->host, m->mta, m->qid, a, bl,
           m->matched ? "" : "  (linked)", waiting ? "  (not finished in the log)" : "");
    char line[2048];
    snprintf(line, sizeof line, "    from <%s>%s%s%s%s%s%s%s", m->sender,
             *m->msgid ? "  message-id " : "", m->msgid, *m->client_ip || *m->client_host ? "  client " : "",
             m->client_host, *m->client_ip ? " [" : "", m->client_ip, *m->client_ip ? "]" : "");
    put_text(o, line);
    if (m->size >= 0)
        printf("  size %lld", (long long)m->size);
    putchar('\n');
    for (size_t k = 0; k < m->nrcpts; k++) {
        const md_trace_rcpt *rc = &m->rcpts[k];
        snprintf(line, sizeof line, "    to <%s>%s%s%s: %s%s", rc->rcpt, *rc->orig_to ? " (orig_to <" : "",
                 rc->orig_to, *rc->orig_to ? ">)" : "", rc->summary,
                 rc->attempts > 1 ? "" : "");
        put_text(o, line);
        if (rc->attempts > 1)
            printf(" [%zu attempts]", rc->attempts);
        putchar('\n');
    }
    if (st)
        print_evidence(o, st, m);
    for (size_t k = 0; k < r->nlinks; k++) {
        const md_trace_link *l = &r->links[k];
        if (l->from != i && l->to != i)
            continue;
        size_t other = l->from == i ? l->to : l->from;
        snprintf(line, sizeof line, "    %s [%zu] %s %s (%s): %s", l->from == i ? "->" : "<-",
                 other + 1, r->msgs[other].host, r->msgs[other].qid, md_trace_link_name(l->kind),
                 l->why);
        put_text(o, line);
        putchar('\n');
    }
    if (lines) {
        for (size_t k = 0; k < m->nlines; k++) {
            const md_trace_line *ln = &m->lines[k];
            printf("    %s:%llu: ", ln->path, (unsigned long long)ln->lineno);
            put_text(o, ln->text);
            putchar('\n');
        }
        if (m->lines_truncated)
            printf("    (more lines not shown)\n");
    }
    putchar('\n');
}

static int push(const char ***arr, size_t *n, const char *s)
{
    const char **na = realloc(*arr, (*n + 1) * sizeof *na);
    if (!na)
        return -1;
    na[(*n)++] = s;
    *arr = na;
    return 0;
}

int md_cmd_trace(md_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"since", required_argument, NULL, 's'}, {"until", required_argument, NULL, 'u'},
        {"no-follow", no_argument, NULL, 'F'},   {"no-lines", no_argument, NULL, 'L'},
        {"redact", no_argument, NULL, 'r'},      {"max", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    md_trace_query q;
    memset(&q, 0, sizeof q);
    int c, redact = 0;
    long long t;
    optind = 1;
    while ((c = md_cli_getopt("trace", argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 's':
        case 'u':
            if (md_cli_parse_time(optarg, &t) != 0) {
                md_cli_error("trace: --%s %s: not a time", c == 's' ? "since" : "until",
                             md_cli_arg(optarg));
                return MD_EXIT_USAGE;
            }
            if (c == 's')
                q.since = t;
            else
                q.until = t;
            break;
        case 'F': q.no_follow = 1; break;
        case 'L': q.no_lines = 1; break;
        case 'r': redact = 1; break;
        case 'm':
            q.max_messages = (size_t)atol(optarg);
            if (q.max_messages == 0) {
                md_cli_error("trace: --max %s: not a positive number", md_cli_arg(optarg));
                return MD_EXIT_USAGE;
            }
            break;
        case 'h': help(stdout); return MD_EXIT_OK;
        default: help(stderr); return MD_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        md_cli_error("trace: nothing to trace (give an address, queue id, Message-ID or IP)");
        help(stderr);
        return MD_EXIT_USAGE;
    }
    const char **addrs = NULL, **qids = NULL, **msgids = NULL, **ips = NULL;
    size_t na = 0, nq = 0, nm = 0, ni = 0;
    char **keep = calloc((size_t)argc + 1, sizeof *keep);
    size_t nkeep = 0;
    int result = MD_EXIT_FAIL;
    for (int i = optind; i < argc; i++) {
        const char *s = argv[i];
        md_ip ip;
        int bad = 0;
        if (strchr(s, '@')) {
            bad |= push(&addrs, &na, s) | push(&msgids, &nm, s);
            char norm[MD_LIMIT_ADDR];
            if (keep && md_text_addr_norm(norm, sizeof norm, s, strlen(s)) == MD_OK)
                keep[nkeep++] = strdup(norm);
        } else if (md_ip_parse(&ip, s, strlen(s)) == MD_OK) {
            bad |= push(&ips, &ni, s);
        } else {
            bad |= push(&qids, &nq, s);
        }
        if (bad) {
            md_cli_error("trace: out of memory");
            goto done;
        }
    }
    q.addrs = addrs;
    q.naddrs = na;
    q.qids = qids;
    q.nqids = nq;
    q.msgids = msgids;
    q.nmsgids = nm;
    q.ips = ips;
    q.nips = ni;
    md_store *st = md_cli_store(cli, MD_STORE_READONLY);
    if (!st)
        goto done;
    md_trace_result *r = NULL;
    md_err err = {0, ""};
    if (md_trace_run(st, &q, &r, &err) != MD_OK) {
        md_cli_error("trace: %s", err.msg);
        goto done;
    }
    if (r->nmsgs == 0) {
        if (!cli->quiet)
            md_cli_error("trace: nothing found in %s", md_store_path(st));
        result = MD_EXIT_NOTFOUND;
        md_trace_free(r);
        goto done;
    }
    out o = {redact, (const char *const *)keep, MD_BUF_INIT};
    size_t matched = 0;
    for (size_t i = 0; i < r->nmsgs; i++)
        matched += r->msgs[i].matched;
    printf("%zu message(s): %zu matched, %zu linked; %zu link(s)%s\n\n", r->nmsgs, matched,
           r->nmsgs - matched, r->nlinks, r->truncated ? " (limit reached: use --max)" : "");
    print_rules(&o, st, &cli->cfg, addrs, na);
    md_store *ev = md_store_msg_any(st) ? st : NULL;
    for (size_t i = 0; i < r->nmsgs; i++)
        print_msg(&o, ev, r, i, !q.no_lines);
    md_buf_free(&o.b);
    md_trace_free(r);
    result = MD_EXIT_OK;
done:
    if (keep)
        for (size_t i = 0; i < nkeep; i++)
            free(keep[i]);
    free(keep);
    free(addrs);
    free(qids);
    free(msgids);
    free(ips);
    return result;
}
