/* cmd_domain.c: `maildossier domain DOMAIN`: one of our sending domains at
 * Outlook.com: messages a day to Microsoft's consumer domains against the
 * 5,000-a-day rule, Outlook.com's DMARC results, the 5.7.515 refusals, and
 * the SPF/DMARC records of a DNS export (--dns).  A thin main over
 * lib/analysis/domain.h. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "analysis/domain.h"
#include "base/md_limits.h"
#include "base/text.h"
#include "cli.h"

static void help(FILE *fp)
{
    fprintf(fp,
            "usage: maildossier domain [options] DOMAIN\n\n"
            "One of our sending domains (DOMAIN and its subdomains, as envelope senders\n"
            "in the logs) at Outlook.com: per day (UTC) the messages with a delivery\n"
            "attempt to Microsoft's consumer domains (outlook.*, hotmail.*, live.*,\n"
            "msn.com) against the %d,%03d a day above which Outlook.com requires SPF, DKIM\n"
            "and DMARC (its rule of May 2025), the days over it, Outlook.com's DMARC\n"
            "aggregate results for the domain (DMARC, aligned DKIM and SPF passes),\n"
            "the 550 5.7.515 refusals (log lines and stored bounces) with the\n"
            "results they name, and the TLS reports (RFC 8460) about mail to DOMAIN.\n"
            "DNS is not queried: --dns reads the records.\n\n"
            "Options:\n"
            "  --since T     from T (2016-04-06, @UNIX, ...)\n"
            "  --until T     to T (default: now when --since is given)\n"
            "  --dns FILE    a DNS export (dig output or zone fragment) with the\n"
            "                domain's SPF and _dmarc TXT records, shown as written\n"
            "  -h, --help    this text\n\n"
            "Exit status: 0 shown, 1 failure, 2 usage error, 4 nothing known.\n",
            MD_MS_BULK_THRESHOLD / 1000, MD_MS_BULK_THRESHOLD % 1000);
}

static const char *day(int64_t t, char *b, size_t n)
{
    return md_text_time_utc(b, n, t, "%Y-%m-%d", "?");
}

static void pct(char *b, size_t n, uint64_t part, uint64_t all)
{
    snprintf(b, n, "%llu (%.1f%%)", (unsigned long long)part, all ? 100.0 * part / all : 0.0);
}

static void print_volume(const md_domain_report *r)
{
    char a[32], limit[32];
    snprintf(limit, sizeof limit, "%d,%03d", MD_MS_BULK_THRESHOLD / 1000,
             MD_MS_BULK_THRESHOLD % 1000);
    printf("\nMessages to Microsoft's consumer domains per day (UTC; over %s a day\n"
           "Outlook.com requires SPF, DKIM and DMARC):\n", limit);
    printf("  %-10s %8s %8s %8s %8s %8s\n", "day", "messages", "attempts", "accepted",
           "deferred", "bounced");
    size_t shown = 0;
    for (size_t i = 0; i < r->ndays; i++) {
        const md_domain_day *d = &r->days[i];
        if (!d->attempts)
            continue;
        shown++;
        printf("  %-10s %8llu %8llu %8llu %8llu %8llu%s\n", day(d->day, a, sizeof a),
               (unsigned long long)d->messages, (unsigned long long)d->attempts,
               (unsigned long long)d->accepted, (unsigned long long)d->deferred,
               (unsigned long long)d->bounced, d->over ? "  over the limit" : "");
    }
    if (!shown) {
        printf("  none in the logs\n");
        return;
    }
    if (!r->days_over) {
        printf("Not over %s on any day in the logs (busiest: %llu messages).\n", limit,
               (unsigned long long)r->max_messages);
        return;
    }
    printf("Over %s on %llu day%s:", limit, (unsigned long long)r->days_over,
           r->days_over == 1 ? "" : "s");
    const char *sep = " ";
    for (size_t i = 0; i < r->ndays; i++)
        if (r->days[i].over) {
            printf("%s%s (%llu messages)", sep, day(r->days[i].day, a, sizeof a),
                   (unsigned long long)r->days[i].messages);
            sep = ", ";
        }
    printf(".\n");
}

static void print_dmarc(const md_domain_report *r)
{
    char a[32], p1[48], p2[48], p3[48];
    printf("\nDMARC aggregate reports from Outlook.com (header_from %s and below):\n",
           r->domain);
    printf("  %-10s %7s %8s %16s %16s %16s\n", "day", "reports", "messages", "DMARC pass",
           "DKIM pass", "SPF pass");
    size_t shown = 0;
    for (size_t i = 0; i < r->ndays; i++) {
        const md_domain_day *d = &r->days[i];
        if (!d->has_dmarc)
            continue;
        shown++;
        pct(p1, sizeof p1, d->dm_pass, d->dm_messages);
        pct(p2, sizeof p2, d->dm_dkim, d->dm_messages);
        pct(p3, sizeof p3, d->dm_spf, d->dm_messages);
        printf("  %-10s %7llu %8llu %16s %16s %16s\n", day(d->day, a, sizeof a),
               (unsigned long long)d->dm_reports, (unsigned long long)d->dm_messages, p1, p2, p3);
    }
    if (!shown)
        printf("  none stored\n");
    else
        printf("(DKIM and SPF: the policy-evaluated, aligned results; the day is the middle\n"
               "of each report's range.)\n");
}

static void print_refusals(const md_domain_report *r)
{
    char a[32];
    printf("\n550 5.7.515 refusals (sending domain below Outlook.com's required "
           "authentication level): %llu\n", (unsigned long long)r->refusals_total);
    for (size_t i = 0; i < r->nrefusals; i++) {
        const md_domain_515 *x = &r->refusals[i];
        printf("  %s  to *snip*@%s  %s  %s\n", md_text_time_utc(a, sizeof a, x->t,
               "%Y-%m-%d %H:%M:%S", "?"), x->rcpt_domain, x->from_log ? "log" : "bounce",
               x->where);
        printf("      domain %s:", x->r.domain[0] ? x->r.domain : "(not named)");
        if (x->r.spf[0] || x->r.dkim[0] || x->r.dmarc[0])
            printf(" SPF %s, DKIM %s, DMARC %s\n", x->r.spf[0] ? x->r.spf : "(not named)",
                   x->r.dkim[0] ? x->r.dkim : "(not named)",
                   x->r.dmarc[0] ? x->r.dmarc : "(not named)");
        else
            printf(" the text names no SPF, DKIM or DMARC result\n");
    }
    if (r->refusals_total > r->nrefusals)
        printf("  ... and %llu more\n", (unsigned long long)(r->refusals_total - r->nrefusals));
}

static int print_dns(const char *path, const char *domain)
{
    if (!path) {
        printf("\nSPF/DMARC records: not checked (no export given)\n");
        return 0;
    }
    md_dns_export x;
    md_err err = {0, ""};
    if (md_analysis_domain_dns(path, domain, &x, &err) != MD_OK) {
        md_cli_error("domain: %s", err.msg);
        return -1;
    }
    printf("\nSPF/DMARC records in %s (as exported, not checked against DNS):\n",
           md_cli_arg(path));
    int spf = 0, dmarc = 0;
    for (size_t i = 0; i < x.n; i++) {
        const md_dns_record *d = &x.rec[i];
        spf += d->kind == MD_DNS_SPF;
        dmarc += d->kind == MD_DNS_DMARC;
        printf("  line %u  %-5s %s  \"%s%s\"\n", d->line, d->kind == MD_DNS_SPF ? "SPF" : "DMARC",
               d->name, md_cli_arg(d->text), d->cut ? "..." : "");
    }
    if (!spf)
        printf("  no SPF record (v=spf1) for %s in it\n", domain);
    if (!dmarc)
        printf("  no DMARC record (_dmarc.%s TXT v=DMARC1) in it\n", domain);
    return 0;
}

int md_cmd_domain(md_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"since", required_argument, NULL, 's'},
                                         {"until", required_argument, NULL, 'u'},
                                         {"dns", required_argument, NULL, 'd'},
                                         {NULL, 0, NULL, 0}};
    long long since = 0, until = 0;
    const char *dns = NULL;
    int c;
    optind = 1;
    while ((c = md_cli_getopt("domain", argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'h': help(stdout); return MD_EXIT_OK;
        case 's':
        case 'u':
            if (md_cli_time_opt("domain", c == 's' ? "since" : "until", optarg,
                                c == 's' ? &since : &until) != 0)
                return MD_EXIT_USAGE;
            break;
        case 'd': dns = optarg; break;
        default: help(stderr); return MD_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        md_cli_error("domain: give exactly one domain");
        help(stderr);
        return MD_EXIT_USAGE;
    }
    if (since && !until)
        until = (long long)time(NULL);
    if (md_cli_window_ok("domain", since, until) != 0)
        return MD_EXIT_USAGE;
    md_store *st = md_cli_store(cli, MD_STORE_MAPPED);
    if (!st)
        return MD_EXIT_FAIL;
    md_domain_report r;
    md_err err = {0, ""};
    int rc = md_analysis_domain(st, argv[optind], since, until, &r, &err);
    if (rc != MD_OK) {
        md_cli_error("domain: %s", err.msg);
        return rc == MD_ERR_ARG ? MD_EXIT_USAGE : MD_EXIT_FAIL;
    }
    printf("%s (and its subdomains)\n", r.domain);
    print_volume(&r);
    print_dmarc(&r);
    print_refusals(&r);
    long tls = md_cmd_domain_tls(st, r.domain, since, until);
    int bad = print_dns(dns, r.domain) || tls < 0;
    int nothing = !r.ndays && !r.refusals_total && tls <= 0;
    md_analysis_domain_free(&r);
    if (bad)
        return MD_EXIT_FAIL;
    if (nothing) {
        md_cli_error("domain: nothing known about %s in the store", md_cli_arg(argv[optind]));
        return MD_EXIT_NOTFOUND;
    }
    return MD_EXIT_OK;
}
