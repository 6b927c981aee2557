/* cmd_trace.c: `maildossier trace ADDRESS|QUEUE-ID|MESSAGE-ID|IP...`: every
 * correlated message that involves it, following links both ways, with
 * raw lines, attempts and a one-line outcome per recipient.  A thin main
 * over lib/analysis/trace.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "base/ipaddr.h"
#include "base/text.h"
#include "render/render_trace.h"
#include "analysis/trace.h"

static void help(FILE *fp)
{
    fprintf(fp,
            "usage: maildossier trace [options] ADDRESS|QUEUE-ID|MESSAGE-ID|IP...\n\n"
            "Show every message in the store that involves the given envelope address\n"
            "(sender, recipient or original recipient; any case, with or without <>),\n"
            "queue id, Message-ID or IP, following the links between messages both ways\n"
            "(forwarded as, queued as, bounces, same Message-ID, a forwarded copy\n"
            "re-injected by the mail store, Microsoft's reply quoting the original's\n"
            "Message-ID; a link of the last three that could join sibling copies of one\n"
            "original is shown as possible only, and not followed for an address).  An\n"
            "IP finds the messages whose lines name it (client, relay, Microsoft's\n"
            "reply) and the stored messages whose Received chain names it.\n"
            "Each message is shown with its raw log lines in order\n"
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
            if (md_cli_time_opt("trace", c == 's' ? "since" : "until", optarg, &t) != 0)
                return MD_EXIT_USAGE;
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
    if (md_cli_window_ok("trace", q.since, q.until) != 0)
        return MD_EXIT_USAGE;
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
    q.ip_seen = 1;          /* an IP: wherever the lines or Received chains name it */
    q.cfg = &cli->cfg;
    md_store *st = md_cli_store(cli, MD_STORE_READONLY);
    if (!st)
        goto done;
    md_trace_result *r = NULL;
    md_err err = {0, ""};
    if (md_trace_run(st, &q, &r, &err) != MD_OK) {
        md_cli_error("trace: %s", err.msg);
        goto done;
    }
    if (r->nmsgs == 0 && r->nstored == 0) {
        if (!cli->quiet)
            md_cli_error("trace: nothing found in %s", md_store_path(st));
        result = MD_EXIT_NOTFOUND;
        md_trace_free(r);
        goto done;
    }
    md_render_trace_opts ro = {redact, (const char *const *)keep, !q.no_lines, addrs, na};
    md_buf text = MD_BUF_INIT;
    int rc = md_render_trace(&text, st, &cli->cfg, r, &ro);
    fwrite(text.data, 1, text.len, stdout);
    md_buf_free(&text);
    md_trace_free(r);
    if (rc != MD_OK)
        md_cli_error("trace: out of memory");
    result = rc == MD_OK ? MD_EXIT_OK : MD_EXIT_FAIL;
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
