/* maildossier.c: main(): global options and the command table.  Every
 * command is a thin main over lib/ in cmd/cmd_NAME.c.
 *
 * Built twice.  maildossier-full runs every command.  maildossier, the
 * program users run, is built with MD_FRONT: it runs the log commands
 * (trace, stats, rules) itself and hands every other command, unchanged, to
 * maildossier-full by execv.  The front is not linked with libxml2,
 * libxslt and libharu (and ICU, libstdc++ and libpng behind them) and is
 * linked statically where it can be (CMakeLists.txt).  What that buys,
 * measured 2026-12-07 (perf stat -r 30, the 2-million-line store of
 * bench/run_ticket.sh, bench/RESULTS.md): a trace 4.8-5.9 ms through the
 * front against 5.9-8.3 ms in maildossier-full (1.2 ms CPU less, a
 * fifth), --version 0.8 against 1.9 ms; the other commands pay the
 * front's exec, about 0.8 ms. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "base/md_limits.h"
#include "version.h"

#ifdef MD_FRONT
#define FULL(fn) NULL /* run by maildossier-full */
#else
#define FULL(fn) fn
#endif

typedef struct {
    const char *name;
    int (*run)(md_cli *, int, char **);
    const char *summary;
} command;

static const command commands[] = {
    {"ingest", FULL(md_cmd_ingest), "take logs, messages, rules and reports into the store"},
    {"forget", FULL(md_cmd_forget), "remove inputs and what was derived from them"},
    {"trace", md_cmd_trace, "messages and delivery attempts for addresses, ids or IPs"},
    {"stats", md_cmd_stats, "what the store holds, per host and format"},
    {"show", FULL(md_cmd_show), "header evidence of a message, bounce or report"},
    {"rules", md_cmd_rules, "forwarding rules that apply to an address"},
    {"ticket", FULL(md_cmd_ticket), "write the dossier (PDF, text, XML) for a ticket"},
    {"request", FULL(md_cmd_request), "prefill Microsoft's sender-support mitigation request"},
    {"ip", FULL(md_cmd_ip), "an IP's history: evidence, requests, Microsoft's answers"},
    {"status", FULL(md_cmd_status), "IPs with open problems, recurrences first"},
    {"domain", FULL(md_cmd_domain), "a sending domain at Outlook.com: volume, DMARC, 5.7.515"},
};

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: maildossier [--db PATH] [--config PATH] [-q|-v] COMMAND [ARGS...]\n"
            "       maildossier --version | --help | help [COMMAND]\n\n"
            "Evidence dossiers for mail that a big mailbox provider dropped.\n\n"
            "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(fp, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(fp,
            "\nOptions:\n"
            "  --db PATH      the store (default $MAILDOSSIER_DB, else ./maildossier.db)\n"
            "  --config PATH  site configuration (default ./maildossier.conf, then\n"
            "                 /etc/maildossier.conf)\n"
            "  --wait SECONDS how long to wait for a store another command is writing\n"
            "                 (default 60; 0: not at all)\n"
            "  -q, --quiet    no progress, no summary\n"
            "  -v, --verbose  more detail (repeatable)\n"
            "  -V, --version  print the version\n"
            "  -h, --help     this text; 'maildossier COMMAND --help' for a command\n\n"
            "Exit status: 0 success, 1 failure, 2 usage error, 3 some input skipped,\n"
            "4 nothing found.  See maildossier(1).\n");
}

#ifdef MD_FRONT
/* run_full: execv maildossier-full with argv as given, found from the
 * front's own location (/proc/self/exe, symbolic links resolved): beside it
 * (the build tree), else in MD_LIBEXEC_FROM_BIN relative to it (an
 * installation, "../libexec/maildossier" from bin/, under whatever prefix it
 * was installed or moved to).  Returns only on failure. */
static int run_full(char **argv)
{
    char dir[MD_LIMIT_PATH], path[2][MD_LIMIT_PATH];
    char *slash = NULL;
    ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (n > 0) {
        dir[n] = '\0';
        slash = strrchr(dir, '/');
    }
    if (!slash) {
        md_cli_error("'%s' is run by maildossier-full, looked for from this program's "
                     "location, but /proc/self/exe cannot be read: %s", argv[optind],
                     n < 0 ? strerror(errno) : "no directory");
        return MD_EXIT_FAIL;
    }
    *slash = '\0';
    int w0 = snprintf(path[0], sizeof path[0], "%s/maildossier-full", dir);
    int w1 = snprintf(path[1], sizeof path[1], "%s/%s/maildossier-full", dir,
                      MD_LIBEXEC_FROM_BIN);
    if (w0 < 0 || (size_t)w0 >= sizeof path[0] || w1 < 0 || (size_t)w1 >= sizeof path[1]) {
        md_cli_error("'%s' is run by maildossier-full: the path from %s is too long",
                     argv[optind], dir);
        return MD_EXIT_FAIL;
    }
    for (int i = 0; i < 2; i++) {
        execv(path[i], argv);
        if (errno != ENOENT) {
            md_cli_error("cannot run %s (it runs '%s'): %s", path[i], argv[optind],
                         strerror(errno));
            return MD_EXIT_FAIL;
        }
    }
    md_cli_error("'%s' is run by maildossier-full, found neither beside this program "
                 "nor as %s", argv[optind], path[1]);
    return MD_EXIT_FAIL;
}
#endif

#ifdef MD_FRONT_STATIC
/* The static front's dlopen (CMakeLists.txt: --wrap=dlopen): SQLite's
 * extension loader, which nothing enables, is its only caller. */
void *__wrap_dlopen(const char *file, int mode);
void *__wrap_dlopen(const char *file, int mode)
{
    (void)file;
    (void)mode;
    return NULL;
}
#endif

int main(int argc, char **argv)
{
    md_cli cli;
    memset(&cli, 0, sizeof cli);
    cli.db_path = getenv("MAILDOSSIER_DB");
    if (!cli.db_path || !*cli.db_path)
        cli.db_path = "maildossier.db";

    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"config", required_argument, NULL, 'c'},
        {"quiet", no_argument, NULL, 'q'},    {"verbose", no_argument, NULL, 'v'},
        {"version", no_argument, NULL, 'V'},  {"help", no_argument, NULL, 'h'},
        {"wait", required_argument, NULL, 'w'}, {NULL, 0, NULL, 0}};
    int c;
    /* '+': stop at the command name; its own options follow it */
    while ((c = md_cli_getopt(NULL, argc, argv, "+qvVh", opts)) != -1) {
        switch (c) {
        case 'd': cli.db_path = optarg; break;
        case 'c': cli.config_path = optarg; break;
        case 'q': cli.quiet = 1; break;
        case 'v': cli.verbose++; break;
        case 'w': {
            char *end;
            long w = strtol(optarg, &end, 10);
            if (*end || end == optarg || w < 0 || w > 86400) {
                md_cli_error("--wait takes whole seconds from 0 to 86400");
                return MD_EXIT_USAGE;
            }
            cli.wait_ms = w ? (int)w * 1000 : -1;
            break;
        }
        case 'V': printf("maildossier %s\n", MD_VERSION); return MD_EXIT_OK;
        case 'h': usage(stdout); return MD_EXIT_OK;
        default: usage(stderr); return MD_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return MD_EXIT_USAGE;
    }
    const char *name = argv[optind];
    /* "maildossier help [COMMAND]": the usage, or the command's --help */
    if (strcmp(name, "help") == 0) {
        if (optind + 1 >= argc) {
            usage(stdout);
            return MD_EXIT_OK;
        }
        static char help_opt[] = "--help";
        argv[optind] = argv[optind + 1];
        argv[optind + 1] = help_opt;
        name = argv[optind];
    }
    cli.command = name;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(name, commands[i].name) != 0)
            continue;
#ifdef MD_FRONT
        if (!commands[i].run)
            return run_full(argv);
#endif
        md_err err = {0, ""};
        md_config_set_zoneinfo(getenv("TZDIR")); /* as the C library finds zones */
        if (!md_cli_wants_help(argc - optind, argv + optind) &&
            md_config_find(&cli.cfg, cli.config_path, &err) != MD_OK) {
            md_cli_error("%s", err.msg);
            return MD_EXIT_FAIL;
        }
        /* the site's zone: syslog stamps are read, and times shown, in it */
        if (cli.cfg.timezone[0]) {
            setenv("TZ", cli.cfg.timezone, 1);
            tzset();
        }
        optind++;
        int first = optind;
        /* The global options were parsed in order ('+'); glibc keeps that
         * mode until getopt is reinitialised (optind = 0).  Reinitialise it
         * here in its permuting mode, so that a command's own options may
         * follow its arguments ("trace ADDR --since T"). */
        static char *none[] = {"maildossier", NULL};
        optind = 0;
        getopt_long(1, none, "", opts, NULL);
        optind = 1;
        int rc = commands[i].run(&cli, argc - first + 1, argv + first - 1);
        md_store_close(cli.store);
        return rc;
    }
    md_cli_error("unknown command '%s' (see 'maildossier --help')", md_cli_arg(name));
    return MD_EXIT_USAGE;
}
