/* cmd_status.c: `maildossier status`: our IPs with open problems,
 * recurrences first.  A thin main over lib/dossier/analysis.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include "dossier/analysis.h"
#include "analysis/iphistory.h"
#include "cli.h"

void md_cmd_ip_print(const md_ip_history *h, int brief);

static void help(FILE *fp)
{
    fprintf(fp,
            "usage: maildossier status [options]\n\n"
            "Our IPs with open problems: first those whose failures came back after\n"
            "Microsoft mitigated them (recurrence), then those with failures and no\n"
            "mitigation since (open), each group newest failure first.  The IPs are the\n"
            "configured hosts and every IP named by a ticket, a request or an answer.\n\n"
            "Options:\n"
            "  -a, --all     also IPs without an open problem (mitigated, quiet)\n"
            "  -h, --help    this text\n\n"
            "Exit status: 0 listed, 1 failure, 2 usage error, 4 no open problem.\n");
}

int md_cmd_status(md_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"all", no_argument, NULL, 'a'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c, all = 0;
    optind = 1;
    while ((c = md_cli_getopt("status", argc, argv, "ah", opts)) != -1) {
        switch (c) {
        case 'a': all = 1; break;
        case 'h': help(stdout); return MD_EXIT_OK;
        default: help(stderr); return MD_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        md_cli_error("status: unexpected argument '%s'", md_cli_arg(argv[optind]));
        return MD_EXIT_USAGE;
    }
    md_store *st = md_cli_store(cli, MD_STORE_MAPPED);
    if (!st)
        return MD_EXIT_FAIL;
    md_ip_history *hs = NULL;
    size_t n = 0;
    md_err err = {0, ""};
    if (md_analysis_status(st, &cli->cfg, all, &hs, &n, &err) != MD_OK) {
        md_cli_error("status: %s", err.msg);
        return MD_EXIT_FAIL;
    }
    size_t open = 0;
    for (size_t i = 0; i < n; i++) {
        if (hs[i].state == MD_IPSTATE_OPEN || hs[i].state == MD_IPSTATE_RECURRENCE)
            open++;
        md_cmd_ip_print(&hs[i], 1);
        md_analysis_ip_history_free(&hs[i]);
    }
    free(hs);
    if (!open) {
        if (!cli->quiet)
            printf("no open problem\n");
        return MD_EXIT_NOTFOUND;
    }
    return MD_EXIT_OK;
}
