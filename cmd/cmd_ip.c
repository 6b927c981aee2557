/* cmd_ip.c: `maildossier ip IP`: an IP's history: evidence by day,
 * tickets, requests that listed it, Microsoft's answers, and whether the
 * failures came back after a mitigation.  A thin main over lib/dossier/analysis.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dossier/analysis.h"
#include "analysis/iphistory.h"
#include "analysis/jmrp.h"
#include "cli.h"
#include "parse/msreply.h"
#include "base/text.h"

static void help(FILE *fp)
{
    fprintf(fp,
            "usage: maildossier ip [options] IP\n\n"
            "The history of one of our IPs: deliveries to Microsoft per day (accepted,\n"
            "deferred, bounced), failures in which Microsoft named it, its reputation by\n"
            "day (SNDS colour, volume, complaint rate, trap hits; DMARC results at\n"
            "Outlook.com) and DMARC results per reporter, the tickets that\n"
            "found it affected, the requests that listed it, Microsoft's answers, and\n"
            "whether failures came back after a mitigation (recurrence).\n\n"
            "Options:\n"
            "  -h, --help    this text\n\n"
            "Exit status: 0 history shown, 1 failure, 2 usage error, 4 nothing known.\n");
}

static const char *day(int64_t t, char *b, size_t n)
{
    return md_text_time(b, n, t, "%Y-%m-%d", "?");
}

static const char *when(int64_t t, char *b, size_t n)
{
    return md_text_time(b, n, t, "%Y-%m-%d %H:%M", "?");
}

/* standing: the requests that listed the IP and were not withdrawn */
static size_t standing(const md_ip_history *h)
{
    size_t n = 0;
    for (size_t i = 0; i < h->nrequests; i++)
        n += h->requests[i].withdrawn_at == 0;
    return n;
}

static void num(char *b, size_t n, int64_t v)
{
    if (v < 0)
        snprintf(b, n, "?");
    else
        snprintf(b, n, "%lld", (long long)v);
}

/* print_rep: SNDS and DMARC by day, DMARC per reporter */
static void print_rep(const md_ip_history *h)
{
    if (h->nrep) {
        printf("\nReputation by day (UTC; SNDS: filter colour, RCPT/DATA commands, recipients,\n"
               "complaint rate, trap hits; DMARC at Outlook.com: messages, passed, failed):\n");
        printf("  %-10s %-6s %7s %7s %7s %-9s %5s %8s %6s %6s\n", "day", "SNDS", "rcpt", "data",
               "rcpts", "complaint", "traps", "DMARC-MS", "pass", "fail");
        for (size_t i = 0; i < h->nrep; i++) {
            const md_rep_day *d = &h->rep[i];
            char r[24], da[24], rc[24], tr[24];
            num(r, sizeof r, d->has_snds ? d->rcpt : -1);
            num(da, sizeof da, d->has_snds ? d->data : -1);
            num(rc, sizeof rc, d->has_snds ? d->recipients : -1);
            num(tr, sizeof tr, d->has_snds ? d->trap_hits : -1);
            printf("  %-10s %-6s %7s %7s %7s %-9s %5s %8llu %6llu %6llu\n", d->day,
                   d->has_snds ? (d->filter[0] ? d->filter : "?") : "-", r, da, rc,
                   d->has_snds && d->complaint[0] ? d->complaint : "-", tr,
                   (unsigned long long)(d->ms_pass + d->ms_fail), (unsigned long long)d->ms_pass,
                   (unsigned long long)d->ms_fail);
        }
    }
    if (h->ndmarc) {
        printf("\nDMARC aggregate results for it, per reporter (DKIM/SPF: aligned passes):\n");
        for (size_t i = 0; i < h->ndmarc; i++) {
            const md_rep_dmarc_sum *x = &h->dmarc[i];
            const char *who = x->org_name[0] ? x->org_name : x->email;
            printf("  %s%s: %llu report%s, %llu messages, DMARC pass %llu, fail %llu; "
                   "DKIM pass %llu, SPF pass %llu\n",
                   who, x->microsoft && !md_text_casestr(who, strlen(who), "outlook") ?
                   " (Outlook.com)" : "",
                   (unsigned long long)x->reports, x->reports == 1 ? "" : "s",
                   (unsigned long long)x->messages, (unsigned long long)x->pass,
                   (unsigned long long)x->fail, (unsigned long long)x->dkim_pass,
                   (unsigned long long)x->spf_pass);
        }
    }
}

void md_cmd_ip_print(const md_ip_history *h, int brief);
void md_cmd_ip_print(const md_ip_history *h, int brief)
{
    char a[32], b[32];
    printf("%s", h->ip);
    if (h->host[0])
        printf("  %s (%s)", h->host, h->role);
    printf("  state: %s", md_ip_state_name(h->state));
    if (h->state == MD_IPSTATE_RECURRENCE)
        printf(" (failures again since %s, after the mitigation of %s)",
               when(h->recurrence_at, a, sizeof a), when(h->last_mitigation, b, sizeof b));
    putchar('\n');
    printf("  failures: %llu", (unsigned long long)h->failures);
    if (h->failures)
        printf(" (%s .. %s)", when(h->first_failure, a, sizeof a),
               when(h->last_failure, b, sizeof b));
    if (h->last_answer[0])
        printf("; Microsoft's last answer: %s (%s)",
               md_msreply_outcome_text(md_msreply_outcome_parse(h->last_answer)),
               day(h->last_answer_date, a, sizeof a));
    else
        printf("; no answer from Microsoft recorded");
    size_t sent = standing(h);
    printf("; %zu request%s sent, %zu ticket%s\n", sent, sent == 1 ? "" : "s", h->ntickets,
           h->ntickets == 1 ? "" : "s");
    if (brief)
        return;
    if (h->ndays) {
        printf("\nEvidence by day (deliveries to Microsoft from this IP; failures naming it;\n"
               "tickets):\n");
        printf("  %-10s %8s %8s %8s %8s %6s %7s\n", "day", "attempts", "accepted", "deferred",
               "bounced", "named", "tickets");
        for (size_t i = 0; i < h->ndays; i++) {
            const md_ip_day *d = &h->days[i];
            printf("  %-10s %8llu %8llu %8llu %8llu %6llu %7llu\n", day(d->day, a, sizeof a),
                   (unsigned long long)d->attempts, (unsigned long long)d->accepted,
                   (unsigned long long)d->deferred, (unsigned long long)d->bounced,
                   (unsigned long long)d->named, (unsigned long long)d->tickets);
        }
    }
    print_rep(h);
    if (h->ntickets) {
        printf("\nTickets:\n");
        for (size_t i = 0; i < h->ntickets; i++) {
            const md_case_ip_ticket *t = &h->tickets[i];
            printf("  %s  %s .. %s  %s", t->number, when(t->rec.first_seen, a, sizeof a),
                   when(t->rec.last_seen, b, sizeof b), t->rec.outcome);
            if (t->rec.evidence[0])
                printf("\n      %s", t->rec.evidence);
            putchar('\n');
        }
    }
    if (h->nrequests) {
        printf("\nRequests sent to Microsoft that listed it:\n");
        for (size_t i = 0; i < h->nrequests; i++) {
            const md_case_request *r = &h->requests[i];
            printf("  %s  request %lld", when(r->created_at, a, sizeof a), (long long)r->id);
            if (r->case_number[0])
                printf(", case %s", r->case_number);
            if (r->tickets[0])
                printf(", tickets %s", r->tickets);
            if (r->withdrawn_at)
                printf("  (withdrawn %s%s%s)", when(r->withdrawn_at, b, sizeof b),
                       r->withdrawn_why[0] ? ": " : "", r->withdrawn_why);
            putchar('\n');
            if (r->file[0])
                printf("      %s\n", r->file);
        }
    }
    if (h->nanswers) {
        printf("\nMicrosoft's answers:\n");
        for (size_t i = 0; i < h->nanswers; i++) {
            const md_case_answer *x = &h->answers[i];
            printf("  %s  %s%s%s%s\n", when(x->date, a, sizeof a),
                   md_msreply_outcome_text(md_msreply_outcome_parse(x->outcome)),
                   x->ref[0] ? "  [" : "", x->ref, x->ref[0] ? "]" : "");
            if (x->text[0])
                printf("      %.200s%s\n", x->text, strlen(x->text) > 200 ? "..." : "");
        }
    }
}

/* print_jmrp: JMRP complaints about ip per UTC day (analysis/jmrp.h);
 * returns how many days were printed */
static size_t print_jmrp(md_store *st, const md_config *cfg, const char *ip)
{
    md_jmrp_day *d = NULL;
    size_t n = 0;
    md_err err = {0, ""};
    if (md_an_jmrp_daily(st, cfg, ip, 0, 0, &d, &n, &err) != MD_OK || !n) {
        free(d);
        return 0;
    }
    printf("\nJMRP complaints by day (UTC; matched: to our delivery to Microsoft by\n"
           "Message-ID and time):\n");
    for (size_t i = 0; i < n; i++) {
        char b[16];
        time_t t = (time_t)d[i].day;
        struct tm tm;
        strftime(b, sizeof b, "%Y-%m-%d", gmtime_r(&t, &tm));
        printf("  %-10s %llu complaint%s, %llu matched\n", b, (unsigned long long)d[i].complaints,
               d[i].complaints == 1 ? "" : "s", (unsigned long long)d[i].matched);
    }
    free(d);
    return n;
}

int md_cmd_ip(md_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = md_cli_getopt("ip", argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'h': help(stdout); return MD_EXIT_OK;
        default: help(stderr); return MD_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        md_cli_error("ip: give exactly one IP");
        help(stderr);
        return MD_EXIT_USAGE;
    }
    md_ip ip;
    if (md_ip_parse(&ip, argv[optind], strlen(argv[optind])) != MD_OK) {
        md_cli_error("ip: '%s' is not an IP address", md_cli_arg(argv[optind]));
        return MD_EXIT_USAGE;
    }
    md_store *st = md_cli_store(cli, MD_STORE_MAPPED);
    if (!st)
        return MD_EXIT_FAIL;
    md_ip_history h;
    md_err err = {0, ""};
    if (md_analysis_ip_history(st, &cli->cfg, argv[optind], &h, &err) != MD_OK) {
        md_cli_error("ip: %s", err.msg);
        return MD_EXIT_FAIL;
    }
    int nothing = !md_ip_history_known(&h);
    md_cmd_ip_print(&h, 0);
    if (print_jmrp(st, &cli->cfg, argv[optind]))
        nothing = 0;
    md_analysis_ip_history_free(&h);
    long tls = md_cmd_ip_tls(st, argv[optind]); /* cmd_ip_tls.c */
    if (tls < 0)
        return MD_EXIT_FAIL;
    nothing = nothing && tls == 0;
    if (nothing) {
        md_cli_error("ip: nothing known about %s in the store", md_cli_arg(argv[optind]));
        return MD_EXIT_NOTFOUND;
    }
    return MD_EXIT_OK;
}
