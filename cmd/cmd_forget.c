/* cmd_forget.c: `maildossier forget [--dry-run] SOURCE...`: take inputs and
 * everything derived from them back out of the store (lib/ingest/forget.h),
 * in one transaction, and say what was removed. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "ingest/forget.h"
#include "ingest/readers.h"

static void help(FILE *fp)
{
    fprintf(fp,
            "usage: maildossier forget [--dry-run] SOURCE...\n\n"
            "Remove inputs from the store: each SOURCE is a file or directory as ingest\n"
            "was given it (a directory: every input under it), matched by canonical path.\n"
            "Removed are the input and everything derived from it: log lines, the log\n"
            "messages with a line in it (with their deliveries, links and index entries),\n"
            "stored messages, Microsoft's answers read from them, reports, rule files.\n"
            "A log message that also has lines in other files (it spans a rotation) is\n"
            "made again from those lines alone.  Tickets and requests stay.  All in one\n"
            "transaction: a killed forget leaves the store as it was.\n\n"
            "Options:\n"
            "  -n, --dry-run       say what would be removed, remove nothing\n"
            "  -h, --help          this text\n\n"
            "Exit status: 0 done, 1 failure or a SOURCE the store does not hold (named;\n"
            "nothing is removed then), 2 usage.\n");
}

static void say(md_cli *cli, int dry, const md_forget_counts *c)
{
    if (cli->quiet)
        return;
    printf("%s %llu source(s): %llu log lines, %llu log messages (%llu made again from "
           "their lines in other files), %llu delivery attempts, %llu links; %llu stored "
           "messages, %llu answers of Microsoft; %llu DMARC reports, %llu SNDS rows; "
           "%llu rule files (%llu rules)\n",
           dry ? "would forget" : "forgot", (unsigned long long)c->sources,
           (unsigned long long)c->log_lines, (unsigned long long)c->log_messages,
           (unsigned long long)c->log_rebuilt, (unsigned long long)c->deliveries,
           (unsigned long long)c->links, (unsigned long long)c->messages,
           (unsigned long long)c->answers, (unsigned long long)c->reports,
           (unsigned long long)c->snds, (unsigned long long)c->rule_files,
           (unsigned long long)c->rules);
    if (c->unread)
        printf("%llu other input(s) may hold evidence forgotten here (the same message, "
               "SNDS rows) and %s unread: ingest them again to store it\n",
               (unsigned long long)c->unread, dry ? "would be marked" : "are marked");
}

/* forget: mark every SOURCE, forget them, commit (or roll back: dry run) */
static int forget(md_cli *cli, md_store *st, char **srcs, int n, int dry)
{
    md_ingest ig;
    md_readers_init(&ig, st, &cli->cfg);
    md_forget_counts c = {0};
    md_err err = {0, ""};
    if (md_store_claim_logs(st, &err) != MD_OK || md_store_begin_nofk(st, &err) != MD_OK ||
        md_store_forget_begin(st, &err) != MD_OK) {
        md_cli_error("forget: %s", err.msg);
        return MD_EXIT_FAIL;
    }
    int result = MD_EXIT_OK;
    for (int i = 0; i < n; i++) {
        uint64_t found = 0;
        if (md_forget_mark_path(st, srcs[i], &found, &c, &err) != MD_OK) {
            md_cli_error("forget: %s", err.msg);
            result = MD_EXIT_FAIL;
            break;
        }
        if (!found) {
            md_cli_error("forget: %s: no input of the store is this file or under this "
                         "directory; nothing forgotten", md_cli_arg(srcs[i]));
            result = MD_EXIT_FAIL;
        }
    }
    if (result == MD_EXIT_OK && md_forget_marked(&ig, &c, &err) != MD_OK) {
        md_cli_error("forget: %s", err.msg);
        result = MD_EXIT_FAIL;
    }
    if (result != MD_EXIT_OK || dry) {
        md_store_rollback(st);
    } else if (md_store_commit(st, &err) != MD_OK) {
        md_cli_error("forget: %s", err.msg);
        result = MD_EXIT_FAIL;
    }
    md_store_release_logs(st);
    if (result == MD_EXIT_OK)
        say(cli, dry, &c);
    return result;
}

int md_cmd_forget(md_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"dry-run", no_argument, NULL, 'n'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    int dry = 0, c;
    optind = 1;
    while ((c = md_cli_getopt("forget", argc, argv, "nh", opts)) != -1) {
        switch (c) {
        case 'n': dry = 1; break;
        case 'h': help(stdout); return MD_EXIT_OK;
        default: help(stderr); return MD_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        md_cli_error("forget: no SOURCE given");
        help(stderr);
        return MD_EXIT_USAGE;
    }
    md_store *st = md_cli_store(cli, 0);
    if (!st)
        return MD_EXIT_FAIL;
    return forget(cli, st, argv + optind, argc - optind, dry);
}
