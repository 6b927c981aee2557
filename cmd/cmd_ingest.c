/* cmd_ingest.c: `maildossier ingest PATH...`: take inputs into the store,
 * with progress on a terminal and a summary at the end. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "ingest/ingest.h"
#include "ingest/readers.h"
#include "ingest/rulefile.h"

static void help(FILE *fp)
{
    fprintf(fp,
            "usage: maildossier ingest [options] PATH...\n\n"
            "Take mail logs (sendmail, Postfix, Exim; plain, rotated, gzip/bzip2/xz/zstd),\n"
            "messages (.eml, mbox, Maildir), forwarding rules and reports into the store.\n"
            "Directories are read recursively; '-' reads standard input.  Each input is\n"
            "recognised by its content.  Ingest is idempotent: inputs already stored\n"
            "(also after rotation or compression) add nothing twice, and an appended\n"
            "log continues where the last run stopped.  Symbolic links are followed,\n"
            "each directory and file read once (a link loop is named, exit status 0).\n"
            "Devices, sockets, named pipes inside a directory and empty inputs are\n"
            "named and skipped (exit status 3).\n\n"
            "Options:\n"
            "  --year YEAR         year of BSD syslog timestamps (default: from the file's\n"
            "                      modification time, with the December->January step)\n"
            "  --format KIND       treat every input as KIND, without looking at its content:\n"
            "                      log, message, mbox, aliases, forward, sieve, rules-csv,\n"
            "                      dmarc, zip, snds, snds-status, tlsrpt\n"
            "  --log-format MTA    sendmail, postfix or exim (default: per line)\n"
            "  --host NAME         the host of lines that name none (Exim's mainlog;\n"
            "                      default \"-\")\n"
            "  --no-progress       no progress line even on a terminal\n"
            "  --rules-home DIR    a directory of home directories: DIR/USER/.forward and\n"
            "                      DIR/USER/.dovecot.sieve are USER@first domain's rules\n"
            "  -q, --quiet         no progress and no summary (as before the command)\n"
            "  -h, --help          this text\n\n"
            "Exit status: 0 all read, 1 failure, 2 usage, 3 some input skipped (reported\n"
            "on stderr as FILE:LINE: reason).\n");
}

typedef struct {
    md_cli *cli;
    int tty;
    struct timespec start;
    int drew;
} progress_state;

static double elapsed(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

static void on_warn(void *arg, const char *file, uint64_t line, const char *msg)
{
    progress_state *ps = arg;
    if (ps->drew) {
        fputs("\r\033[K", stderr);
        ps->drew = 0;
    }
    /* file names and messages may carry bytes from outside: md_cli_error
     * masks them, md_cli_arg cuts a long name */
    if (line)
        md_cli_error("%s:%llu: %s", md_cli_arg(file), (unsigned long long)line, msg);
    else
        md_cli_error("%s: %s", md_cli_arg(file), msg);
}

static void on_progress(void *arg, const md_ingest *ig, const char *file, uint64_t done,
                        uint64_t total)
{
    progress_state *ps = arg;
    double t = elapsed(&ps->start);
    if (ig->kind == MD_KIND_MESSAGE) { /* message files (a Maildir): count files */
        fprintf(stderr, "\r\033[K%llu input(s), %llu documents stored, %.0f inputs/s",
                (unsigned long long)ig->stats.files, (unsigned long long)ig->stats.docs,
                t > 0 ? ig->stats.files / t : 0.0);
        ps->drew = 1;
        return;
    }
    double rate = t > 0 ? ig->stats.lines / t : 0;
    char eta[32] = "";
    if (total && done && done < total && t >= 1.0) {
        double left = t / (double)done * (double)(total - done);
        snprintf(eta, sizeof eta, ", ETA %.0fs", left);
    }
    const char *base = strrchr(file, '/');
    fprintf(stderr, "\r\033[K%s: %.1f/%.1f MB, %llu lines, %.0f lines/s%s",
            md_cli_arg(base ? base + 1 : file), done / 1e6, total / 1e6,
            (unsigned long long)ig->stats.lines, rate, eta);
    ps->drew = 1;
}

int md_cmd_ingest(md_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"year", required_argument, NULL, 'y'},  {"format", required_argument, NULL, 'f'},
        {"log-format", required_argument, NULL, 'l'}, {"no-progress", no_argument, NULL, 'P'},
        {"quiet", no_argument, NULL, 'q'},
        {"rules-home", required_argument, NULL, 'R'},
        {"host", required_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    int year = 0, no_progress = 0, c;
    md_kind force = MD_KIND_UNKNOWN;
    const char *log_format = NULL, *rules_home = NULL, *host = NULL;
    optind = 1;
    while ((c = md_cli_getopt("ingest", argc, argv, "hq", opts)) != -1) {
        switch (c) {
        case 'y':
            year = atoi(optarg);
            if (year < 1970 || year > 2200) {
                md_cli_error("ingest: --year %s: not a year", md_cli_arg(optarg));
                return MD_EXIT_USAGE;
            }
            break;
        case 'f':
            force = md_ingest_kind_parse(optarg);
            if (force == MD_KIND_UNKNOWN) {
                md_cli_error("ingest: --format %s: unknown kind", md_cli_arg(optarg));
                return MD_EXIT_USAGE;
            }
            break;
        case 'l':
            if (strcmp(optarg, "sendmail") && strcmp(optarg, "postfix") && strcmp(optarg, "exim")) {
                md_cli_error("ingest: --log-format %s: sendmail, postfix or exim",
                             md_cli_arg(optarg));
                return MD_EXIT_USAGE;
            }
            log_format = optarg;
            break;
        case 'P': no_progress = 1; break;
        case 'q': cli->quiet = 1; break;
        case 'R': rules_home = optarg; break;
        case 'H':
            if (!*optarg || strlen(optarg) > 255 || strpbrk(optarg, " \t\r\n")) {
                md_cli_error("ingest: --host %s: not a host name", md_cli_arg(optarg));
                return MD_EXIT_USAGE;
            }
            host = optarg;
            break;
        case 'h': help(stdout); return MD_EXIT_OK;
        default: help(stderr); return MD_EXIT_USAGE;
        }
    }
    if (optind >= argc && !rules_home) {
        md_cli_error("ingest: no input given");
        help(stderr);
        return MD_EXIT_USAGE;
    }
    md_store *st = md_cli_store(cli, 0);
    if (!st)
        return MD_EXIT_FAIL;

    md_ingest ig;
    md_readers_init(&ig, st, &cli->cfg);
    ig.year = year;
    ig.force_kind = force;
    ig.log_format = log_format;
    ig.host = host;
    progress_state ps = {cli, isatty(2), {0, 0}, 0};
    clock_gettime(CLOCK_MONOTONIC, &ps.start);
    ig.warn = on_warn;
    ig.cb_arg = &ps;
    if (ps.tty && !cli->quiet && !no_progress)
        ig.progress = on_progress;

    ig.rules_home = rules_home;
    /* for tests and tuning: smaller transactions (man page, ENVIRONMENT) */
    const char *ce = getenv("MAILDOSSIER_COMMIT_LINES");
    if (ce && atol(ce) > 0)
        ig.commit_every = (uint64_t)atol(ce);
    const char *pt = getenv("MAILDOSSIER_PARSE_THREADS");
    if (pt && atoi(pt) > 0)
        ig.parse_threads = atoi(pt);
    int result = MD_EXIT_OK;
    for (int i = optind; i < argc; i++) {
        md_err err = {0, ""};
        int rc = md_ingest_path(&ig, argv[i], &err);
        if (rc == MD_ERR_PARSE) {
            result = MD_EXIT_PARTIAL;
        } else if (rc != MD_OK) {
            if (ps.drew)
                fputs("\r\033[K", stderr);
            md_cli_error("%s", err.msg);
            result = MD_EXIT_FAIL;
            break;
        }
    }
    if (rules_home && result != MD_EXIT_FAIL) { /* DIR/USER/.forward, .dovecot.sieve */
        md_err err = {0, ""};
        int rc = md_rulefile_ingest_home(&ig, rules_home, &err);
        if (rc == MD_ERR_PARSE)
            result = MD_EXIT_PARTIAL;
        else if (rc != MD_OK) {
            md_cli_error("%s", err.msg);
            result = MD_EXIT_FAIL;
        }
    }
    if (ps.drew)
        fputs("\r\033[K", stderr);
    double t = elapsed(&ps.start);
    /* after a failure the store holds what was committed before it: the
     * summary says that, not what was read */
    const md_ingest_stats *s = result == MD_EXIT_FAIL ? &ig.stored : &ig.stats;
    if (result == MD_EXIT_FAIL) {
        const md_ingest_stats *r = &ig.stats;
        md_cli_error("ingest stopped: stored before the failure: %llu new lines, %llu "
                     "documents; not stored: %llu lines and %llu documents read after the "
                     "last commit (run the same ingest again to complete it)",
                     (unsigned long long)s->lines_new, (unsigned long long)s->docs,
                     (unsigned long long)(r->lines_new - s->lines_new),
                     (unsigned long long)(r->docs - s->docs));
    }
    if (!cli->quiet && result != MD_EXIT_FAIL) {
        fprintf(stderr,
                "ingested %llu input(s) (%llu unchanged, %llu failed), %.1f MB in %.2fs\n"
                "  lines: %llu read, %llu new (%.0f lines/s); skipped: %llu\n"
                "  log: %llu messages, %llu delivery attempts; sendmail %llu, postfix %llu, "
                "exim %llu, other %llu lines\n",
                (unsigned long long)s->files, (unsigned long long)s->files_unchanged,
                (unsigned long long)s->files_failed, s->bytes / 1e6, t,
                (unsigned long long)s->lines, (unsigned long long)s->lines_new,
                t > 0 ? s->lines / t : 0.0, (unsigned long long)s->skipped,
                (unsigned long long)s->messages, (unsigned long long)s->deliveries,
                (unsigned long long)s->by_format[MD_LOGFMT_SENDMAIL],
                (unsigned long long)s->by_format[MD_LOGFMT_POSTFIX],
                (unsigned long long)s->by_format[MD_LOGFMT_EXIM],
                (unsigned long long)s->by_format[MD_LOGFMT_OTHER]);
        int any = 0;
        for (int k = MD_KIND_MESSAGE; k < MD_KIND_COUNT; k++) {
            if (!s->by_kind[k])
                continue;
            fprintf(stderr, "%s%s %llu", any ? ", " : "  other inputs: ", md_ingest_kind_name(k),
                    (unsigned long long)s->by_kind[k]);
            any = 1;
        }
        if (any)
            fprintf(stderr, "; %llu documents stored\n", (unsigned long long)s->docs);
    }
    return result;
}
