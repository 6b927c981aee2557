/* cli.c: helpers shared by the command mains (see cli.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
    fprintf(stderr, "maildossier: %s", prefix);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void md_cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg("", fmt, ap);
    va_end(ap);
}

void md_cli_warn(md_cli *cli, const char *fmt, ...)
{
    (void)cli;
    va_list ap;
    va_start(ap, fmt);
    vmsg("warning: ", fmt, ap);
    va_end(ap);
}

void md_cli_info(md_cli *cli, const char *fmt, ...)
{
    if (cli->quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* on_wait: the store is busy: say once what we wait for */
static void on_wait(void *arg, const char *what)
{
    md_cli *cli = arg;
    if (!cli->quiet)
        fprintf(stderr, "maildossier: waiting for %s ...\n", what);
}

md_store *md_cli_store(md_cli *cli, int flags)
{
    if (cli->store)
        return cli->store;
    md_err err = {0, ""};
    if ((flags & MD_STORE_READONLY) && access(cli->db_path, F_OK) != 0) {
        md_cli_error("no store at %s (see 'maildossier ingest', --db, MAILDOSSIER_DB)",
                     cli->db_path);
        return NULL;
    }
    char label[64];
    snprintf(label, sizeof label, "maildossier %s", cli->command ? cli->command : "");
    md_store_opts o = {label, cli->wait_ms, on_wait, cli};
    if (md_store_open_opts(&cli->store, cli->db_path, flags, &o, &err) != MD_OK) {
        md_cli_error("%s", err.msg);
        return NULL;
    }
    return cli->store;
}

int md_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    }
    return 0;
}

int md_cli_parse_time(const char *s, long long *out)
{
    static const char *const fmts[] = {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
                                       "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"};
    if (s[0] == '@' || (s[0] >= '0' && s[0] <= '9' && !strchr(s, '-'))) {
        char *end;
        long long v = strtoll(s[0] == '@' ? s + 1 : s, &end, 10);
        if (*end)
            return -1;
        *out = v;
        return 0;
    }
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        struct tm tm;
        memset(&tm, 0, sizeof tm);
        const char *end = strptime(s, fmts[i], &tm);
        /* local time (the site's zone) unless it ends in Z */
        if (end && *end == '\0') {
            tm.tm_isdst = -1;
            time_t t = mktime(&tm);
            if (t == (time_t)-1)
                return -1;
            *out = (long long)t;
            return 0;
        }
        if (end && strcmp(end, "Z") == 0) {
            *out = (long long)timegm(&tm);
            return 0;
        }
    }
    return -1;
}
