/* cli.c: helpers shared by the command mains (see cli.h).  Every message to
 * the user leaves through say(): outside text in it cannot reach the
 * terminal as control characters. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "base/text.h"

/* one line on stderr: prefix, then fmt made safe for a terminal (control
 * characters as \xNN; what quoted an argument with md_cli_arg is short) */
static void say(const char *prefix, const char *fmt, va_list ap)
{
    md_buf raw = MD_BUF_INIT, safe = MD_BUF_INIT;
    md_buf_vprintf(&raw, fmt, ap);
    md_text_terminal(&safe, md_buf_cstr(&raw), raw.len);
    fprintf(stderr, "%s%s\n", prefix, md_buf_cstr(&safe));
    md_buf_free(&raw);
    md_buf_free(&safe);
}

void md_cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say("maildossier: ", fmt, ap);
    va_end(ap);
}

void md_cli_warn(md_cli *cli, const char *fmt, ...)
{
    (void)cli;
    va_list ap;
    va_start(ap, fmt);
    say("maildossier: warning: ", fmt, ap);
    va_end(ap);
}

void md_cli_info(md_cli *cli, const char *fmt, ...)
{
    if (cli->quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    say("", fmt, ap);
    va_end(ap);
}

const char *md_cli_arg(const char *s)
{
    static char ring[4][MD_LIMIT_SHOW_ARG];
    static unsigned next;
    char *dst = ring[next++ % 4];
    return md_text_printable(dst, MD_LIMIT_SHOW_ARG, s, strlen(s));
}

/* how many options of longopts the word w ("--name" or "--name=value")
 * names or abbreviates, counting only those with val v when v is not 0;
 * -1 when one is named in full */
static int long_matches(const char *w, const struct option *longopts, int v)
{
    size_t n = strcspn(w + 2, "=");
    int k = 0;
    for (const struct option *o = longopts; o && o->name; o++) {
        if (strncmp(o->name, w + 2, n) != 0 || (v && o->val != v))
            continue;
        if (o->name[n] == '\0')
            return -1;
        k++;
    }
    return k;
}

/* getopt's complaint (c: '?' or ':'), quoted; cmd (may be NULL) starts the
 * message.  A long option's word is argv[optind - 1] (getopt has stepped
 * over it); a short option is optopt (its word may not be behind optind:
 * "-xq" fails at x before q). */
static void bad_option(const char *cmd, int c, char **argv, const struct option *longopts)
{
    const char *w = argv[optind - 1], *sep = cmd ? ": " : "";
    int is_long = strncmp(w, "--", 2) == 0 && (!optopt || long_matches(w, longopts, optopt));
    char shortopt[3] = {'-', (char)optopt, '\0'};
    const char *what = md_cli_arg(is_long ? w : shortopt);
    if (!cmd)
        cmd = "";
    if (c == ':')
        md_cli_error("%s%soption '%s' needs an argument", cmd, sep, what);
    else if (is_long && optopt) /* --help=x */
        md_cli_error("%s%soption '%s' takes no argument", cmd, sep, what);
    else
        md_cli_error("%s%s%s option '%s'", cmd, sep,
                     is_long && long_matches(w, longopts, 0) > 1 ? "ambiguous" : "unknown", what);
}

int md_cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
                  const struct option *longopts)
{
    char spec[64];
    int plus = shortopts[0] == '+';
    /* ':' first (after '+'): getopt prints nothing and tells a missing
     * argument (':') from an unknown option ('?') */
    snprintf(spec, sizeof spec, "%s:%s", plus ? "+" : "", shortopts + plus);
    int c = getopt_long(argc, argv, spec, longopts, NULL);
    if (c == '?' || c == ':') {
        bad_option(cmd, c, argv, longopts);
        return '?';
    }
    return c;
}

/* on_wait: the store is busy: say once what we wait for (not with -q:
 * cron would mail it) */
static void on_wait(void *arg, const char *what)
{
    md_cli_info(arg, "maildossier: waiting for %s ...", what);
}

md_store *md_cli_store(md_cli *cli, int flags)
{
    if (cli->store)
        return cli->store;
    md_err err = {0, ""};
    /* only ingest makes a store: a dossier, request or status of a store
     * that is not there would say nothing happened */
    int makes = cli->command && strcmp(cli->command, "ingest") == 0;
    if (!makes && access(cli->db_path, F_OK) != 0) {
        md_cli_error("no store at %s (see 'maildossier ingest', --db, MAILDOSSIER_DB)",
                     md_cli_arg(cli->db_path));
        return NULL;
    }
    char label[64];
    snprintf(label, sizeof label, "maildossier %s", cli->command ? cli->command : "");
    md_store_opts o = {label, cli->wait_ms, on_wait, cli, 0};
    /* man page, ENVIRONMENT: the journal a bulk ingest writes through */
    const char *wal = getenv("MAILDOSSIER_INGEST_WAL");
    o.keep_wal = wal != NULL;
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

int md_cli_time_opt(const char *cmd, const char *name, const char *arg, long long *out)
{
    if (md_cli_parse_time(arg, out) == 0)
        return 0;
    md_cli_error("%s: --%s %s: not a time (2016-04-23, \"2016-04-23 16:06\", "
                 "2016-04-23T16:06:27Z, @UNIX)", cmd, name, md_cli_arg(arg));
    return -1;
}

int md_cli_window_ok(const char *cmd, long long since, long long until)
{
    if (!since || !until || since <= until)
        return 0;
    md_cli_error("%s: --since is later than --until: the window ends before it starts", cmd);
    return -1;
}
