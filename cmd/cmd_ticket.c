/* cmd_ticket.c: `maildossier ticket NUMBER --address ADDR...`: write the
 * dossier of a helpdesk ticket (PDF, text, XML) from the evidence in the
 * store and record the ticket.  A thin main over lib/dossier/analysis.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dossier/analysis.h"
#include "render/render_files.h"
#include "cli.h"
#include "base/outfile.h"
#include "store/store_case.h"
#include "base/text.h"

static void help(FILE *fp)
{
    fprintf(fp,
            "usage: maildossier ticket NUMBER --address ADDR [--address ADDR...] [options]\n\n"
            "Write the dossier of a helpdesk ticket: every message to or from the\n"
            "addresses in the window across all ingested hosts, with the messages linked\n"
            "to them, a verdict per message in plain words, the forwarding rules, and\n"
            "every IP of ours that Microsoft saw.  Writes dossier-NUMBER.pdf, .txt and\n"
            ".xml and records the ticket in the store; running it again regenerates the\n"
            "files from the current evidence.\n\n"
            "NUMBER: letters, digits, '.', '_' and '-' (at most 63).  An OTRS/Znuny number\n"
            "(YYYYMMDD...) gives the default window: 14 days before to 1 day after the\n"
            "ticket's day ([dossier] window_before_days / window_after_days); other\n"
            "numbers need --since and --until.\n\n"
            "Options:\n"
            "  -a, --address ADDR  an address of the ticket (repeatable; at least one)\n"
            "  --since T           window start (2016-04-06, 2016-04-06 08:00, @UNIX)\n"
            "  --until T           window end\n"
            "  -o, --out DIR       where to write (default .; created if missing)\n"
            "  -f, --format LIST   pdf,txt,xml (default all three)\n"
            "  --no-redact         keep third parties' local parts (default: *snip*@domain)\n"
            "  -h, --help          this text\n\n"
            "Exit status: 0 written, 1 failure, 2 usage error, 5 written but the logs do\n"
            "not cover the window, so no negative verdict (the summary says what is missing).\n");
}

static int parse_formats(const char *s, int *out)
{
    *out = 0;
    char buf[64];
    if (strlen(s) >= sizeof buf)
        return -1;
    snprintf(buf, sizeof buf, "%s", s);
    for (char *sv = NULL, *p = strtok_r(buf, ",", &sv); p; p = strtok_r(NULL, ",", &sv)) {
        if (strcmp(p, "pdf") == 0)
            *out |= MD_FMT_PDF;
        else if (strcmp(p, "txt") == 0 || strcmp(p, "text") == 0)
            *out |= MD_FMT_TXT;
        else if (strcmp(p, "xml") == 0)
            *out |= MD_FMT_XML;
        else
            return -1;
    }
    return *out ? 0 : -1;
}

/* the command line of one ticket */
typedef struct targs {
    char addrs[MD_ANALYSIS_MAX_ADDRS][MD_LIMIT_ADDR];
    const char *addrv[MD_ANALYSIS_MAX_ADDRS + 1];
    size_t naddrs;
    long long since, until;
    int have_since, have_until, redact, formats;
    const char *dir, *number;
} targs;

/* parse_args: the options, the ticket number and its window into a; -1 to
 * go on, else the exit code (the error said) */
static int parse_args(md_cli *cli, int argc, char **argv, targs *a)
{
    static const struct option opts[] = {
        {"address", required_argument, NULL, 'a'}, {"since", required_argument, NULL, 's'},
        {"until", required_argument, NULL, 'u'},   {"out", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'},  {"no-redact", no_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof *a);
    a->redact = 1;
    a->formats = MD_FMT_PDF | MD_FMT_TXT | MD_FMT_XML;
    a->dir = ".";
    int c;
    optind = 1;
    while ((c = md_cli_getopt("ticket", argc, argv, "a:o:f:h", opts)) != -1) {
        switch (c) {
        case 'a':
            if (a->naddrs == MD_ANALYSIS_MAX_ADDRS) {
                md_cli_error("ticket: at most %d addresses", MD_ANALYSIS_MAX_ADDRS);
                return MD_EXIT_USAGE;
            }
            if (md_text_addr_norm(a->addrs[a->naddrs], sizeof a->addrs[0], optarg, strlen(optarg)) != MD_OK ||
                !strchr(a->addrs[a->naddrs], '@') || a->addrs[a->naddrs][0] == '@') {
                md_cli_error("ticket: --address %s: not an e-mail address", md_cli_arg(optarg));
                return MD_EXIT_USAGE;
            }
            a->addrv[a->naddrs] = a->addrs[a->naddrs];
            a->naddrs++;
            break;
        case 's':
        case 'u':
            if (md_cli_time_opt("ticket", c == 's' ? "since" : "until", optarg,
                                c == 's' ? &a->since : &a->until) != 0)
                return MD_EXIT_USAGE;
            *(c == 's' ? &a->have_since : &a->have_until) = 1;
            break;
        case 'o': a->dir = optarg; break;
        case 'f':
            if (parse_formats(optarg, &a->formats) != 0) {
                md_cli_error("ticket: --format %s: a list of pdf, txt, xml", md_cli_arg(optarg));
                return MD_EXIT_USAGE;
            }
            break;
        case 'R': a->redact = 0; break;
        case 'h': help(stdout); return MD_EXIT_OK;
        default: help(stderr); return MD_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        md_cli_error("ticket: give exactly one ticket number");
        help(stderr);
        return MD_EXIT_USAGE;
    }
    a->number = argv[optind];
    if (!md_analysis_ticket_valid(a->number)) {
        md_cli_error("ticket: '%s' is not a ticket number (letters, digits, '.', '_', '-'; "
                     "at most 63)", md_cli_arg(a->number));
        return MD_EXIT_USAGE;
    }
    if (a->naddrs == 0) {
        md_cli_error("ticket: at least one --address is needed");
        return MD_EXIT_USAGE;
    }
    a->addrv[a->naddrs] = NULL;
    md_err err = {0, ""};
    if (!a->have_since || !a->have_until) {
        int64_t s, u;
        if (md_analysis_ticket_window(a->number, cli->cfg.window_before_days,
                                      cli->cfg.window_after_days, &s, &u, &err) != MD_OK) {
            md_cli_error("ticket: %s; give --since and --until", err.msg);
            return MD_EXIT_USAGE;
        }
        if (!a->have_since)
            a->since = s;
        if (!a->have_until)
            a->until = u;
    }
    if (md_cli_window_ok("ticket", a->since, a->until) != 0)
        return MD_EXIT_USAGE;
    return -1;
}

/* record: the ticket, its addresses, IPs and files in the store */
static int record(md_store *st, const targs *a, const md_analysis_summary *sum, char **paths,
                  const char **fmts, size_t nw, md_err *err)
{
    md_case_ticket t;
    memset(&t, 0, sizeof t);
    snprintf(t.number, sizeof t.number, "%s", a->number);
    t.since = a->since;
    t.until = a->until;
    t.redact = a->redact;
    t.generated_at = (int64_t)time(NULL);
    snprintf(t.outcome, sizeof t.outcome, "%s", sum->outcome);
    snprintf(t.summary, sizeof t.summary, "%s", sum->verdict);
    return md_store_case_ticket_save(st, &t, a->addrv, a->naddrs, sum->ips, sum->nips,
                                     (const char *const *)paths, fmts, nw, err);
}

int md_cmd_ticket(md_cli *cli, int argc, char **argv)
{
    targs a;
    int r = parse_args(cli, argc, argv, &a);
    if (r >= 0)
        return r;
    md_err err = {0, ""};
    if (md_outfile_mkdirs(a.dir, &err) != MD_OK) {
        md_cli_error("ticket: --out %s: %s", md_cli_arg(a.dir), err.msg);
        return err.code == MD_ERR_ARG ? MD_EXIT_USAGE : MD_EXIT_FAIL;
    }
    /* the PDF's fonts load on a thread while the store opens and the
     * analysis runs */
    md_pdf_job *pdf = NULL;
    if (a.formats & MD_FMT_PDF) {
        md_render_opts ro;
        md_render_opts_from_config(&ro, &cli->cfg);
        if (md_render_pdf_start(&ro, &pdf, &err) != MD_OK) {
            md_cli_error("ticket %s: %s", a.number, err.msg);
            return MD_EXIT_FAIL;
        }
    }
    md_store *st = md_cli_store(cli, MD_STORE_MAPPED);
    if (!st) {
        md_render_pdf_wait(pdf, NULL);
        return MD_EXIT_FAIL;
    }

    md_analysis_opts o;
    memset(&o, 0, sizeof o);
    o.ticket = a.number;
    o.addrs = a.addrv;
    o.naddrs = a.naddrs;
    o.since = a.since;
    o.until = a.until;
    o.redact = a.redact;
    xmlDoc *doc = NULL;
    md_analysis_summary sum;
    if (md_analysis_ticket(st, &cli->cfg, &o, &doc, &sum, &err) != MD_OK) {
        md_cli_error("ticket %s: %s", a.number, err.msg);
        md_render_pdf_wait(pdf, NULL);
        return MD_EXIT_FAIL;
    }
    char *paths[3] = {NULL, NULL, NULL};
    const char *fmts[3] = {NULL, NULL, NULL};
    size_t nw = 0;
    int rc = md_render_dossier_files(doc, &cli->cfg, a.dir, a.number, a.formats, pdf, paths, fmts, &nw,
                               &err);
    int result = MD_EXIT_OK;
    if (rc != MD_OK) {
        md_cli_error("ticket %s: %s", a.number, err.msg);
        result = MD_EXIT_FAIL;
    }
    if (record(st, &a, &sum, paths, fmts, nw, &err) != MD_OK) {
        md_cli_error("ticket %s: recording it in the store: %s", a.number, err.msg);
        result = MD_EXIT_FAIL;
    }
    if (!cli->quiet) {
        printf("ticket %s: %zu message%s, outcome %s, %zu affected IP%s\n", a.number, sum.messages,
               sum.messages == 1 ? "" : "s", sum.outcome, sum.nips, sum.nips == 1 ? "" : "s");
        printf("  %s\n", sum.verdict);
    }
    for (size_t i = 0; i < nw; i++) {
        printf("%s\n", paths[i]);
        free(paths[i]);
    }
    if (result == MD_EXIT_OK && sum.evidence_incomplete)
        result = MD_EXIT_INCOMPLETE;
    md_analysis_summary_free(&sum);
    xmlFreeDoc(doc);
    return result;
}
