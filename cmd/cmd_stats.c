/* cmd_stats.c: `maildossier stats`: what the store holds of the logs: files,
 * lines, messages, attempts, links, and the time span per host and per
 * format.  A thin main over lib/store/store_log.h and lib/analysis/trace.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "ingest/ingest.h"
#include "store/store_log.h"
#include "base/text.h"
#include "analysis/trace.h"

static void help(FILE *fp)
{
    fprintf(fp,
            "usage: maildossier stats [--sources]\n\n"
            "What the store holds of the mail logs: log files (sources), lines, raw and\n"
            "stored bytes, messages, delivery attempts (to Microsoft among them), links,\n"
            "and per syslog host the time span and number of lines and messages.\n\n"
            "Options:\n"
            "  --sources   list every log source with its latest path\n"
            "  -h, --help  this text\n\n"
            "Exit status: 0 done, 1 failure, 2 usage.\n");
}

static void fmt_time(char *dst, size_t n, int64_t t)
{
    md_text_time(dst, n, t, "%Y-%m-%d %H:%M:%S", "-");
}

static int source_cb(void *arg, int64_t id, const char *path, uint64_t lines, int64_t tf,
                     int64_t tl)
{
    char a[32], b[32];
    md_buf safe = MD_BUF_INIT;
    (void)arg;
    fmt_time(a, sizeof a, tf);
    fmt_time(b, sizeof b, tl);
    md_text_terminal(&safe, path, strlen(path));
    printf("  #%-4lld %10llu lines  %s .. %s  %s\n", (long long)id, (unsigned long long)lines, a,
           b, md_buf_cstr(&safe));
    md_buf_free(&safe);
    return 0;
}

int md_cmd_stats(md_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"sources", no_argument, NULL, 's'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c, sources = 0;
    optind = 1;
    while ((c = md_cli_getopt("stats", argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 's': sources = 1; break;
        case 'h': help(stdout); return MD_EXIT_OK;
        default: help(stderr); return MD_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        md_cli_error("stats: unexpected argument '%s'", md_cli_arg(argv[optind]));
        return MD_EXIT_USAGE;
    }
    md_store *st = md_cli_store(cli, MD_STORE_READONLY);
    if (!st)
        return MD_EXIT_FAIL;
    md_err err = {0, ""};
    md_log_totals t;
    if (md_store_log_totals(st, &t, &err) != MD_OK) {
        md_cli_error("stats: %s", err.msg);
        return MD_EXIT_FAIL;
    }
    char a[32], b[32];
    fmt_time(a, sizeof a, t.t_first);
    fmt_time(b, sizeof b, t.t_last);
    printf("store: %s\n", md_store_path(st));
    printf("log sources: %llu, lines: %llu (%.1f MB raw, %.1f MB stored in %llu blocks)\n",
           (unsigned long long)t.sources, (unsigned long long)t.lines, t.raw_bytes / 1e6,
           t.stored_bytes / 1e6, (unsigned long long)t.blocks);
    printf("time span: %s .. %s (local time)\n", a, b);
    printf("messages: %llu (%llu still open), delivery attempts: %llu (%llu to Microsoft), "
           "links: %llu (%llu unresolved)\n",
           (unsigned long long)t.messages, (unsigned long long)t.open_messages,
           (unsigned long long)t.deliveries, (unsigned long long)t.ms_deliveries,
           (unsigned long long)t.links, (unsigned long long)t.links_pending);
    static const char *const fmt_names[MD_LOGFMT_COUNT] = {"sendmail", "postfix", "exim",
                                                           "other"};
    printf("lines per format:");
    for (int f = 0; f < MD_LOGFMT_COUNT; f++)
        printf(" %s %llu%s", fmt_names[f], (unsigned long long)t.by_format[f],
               f + 1 < MD_LOGFMT_COUNT ? "," : "\n");
    md_trace_span *sp = NULL;
    size_t n = 0;
    if (md_trace_host_spans(st, 0, 0, &sp, &n, &err) != MD_OK) {
        md_cli_error("stats: %s", err.msg);
        return MD_EXIT_FAIL;
    }
    if (n)
        printf("\nper host:\n  %-24s %10s %10s  %-19s    %s\n", "host", "lines", "messages",
               "first", "last");
    for (size_t i = 0; i < n; i++) {
        md_buf safe = MD_BUF_INIT;
        md_text_terminal(&safe, sp[i].host, strlen(sp[i].host));
        fmt_time(a, sizeof a, sp[i].t_first);
        fmt_time(b, sizeof b, sp[i].t_last);
        printf("  %-24s %10llu %10llu  %s .. %s\n", md_buf_cstr(&safe),
               (unsigned long long)sp[i].lines, (unsigned long long)sp[i].messages, a, b);
        md_buf_free(&safe);
    }
    free(sp);
    if (sources) {
        printf("\nsources:\n");
        if (md_store_log_sources(st, source_cb, NULL, &err) != MD_OK) {
            md_cli_error("stats: %s", err.msg);
            return MD_EXIT_FAIL;
        }
    }
    return MD_EXIT_OK;
}
