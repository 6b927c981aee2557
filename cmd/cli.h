/* cli.h: what the thin command mains share: global options, the store and
 * configuration they open, messages to the user, exit codes.
 *
 * Exit codes (documented in the man page and --help):
 *   0  success
 *   1  failure: nothing or not everything could be done (store, I/O)
 *   2  usage error (bad option or argument)
 *   3  done, but some input was skipped as bad (see the warnings)
 *   4  nothing found (trace/ip/rules/domain found no evidence)
 */
#ifndef MD_CLI_H
#define MD_CLI_H

#include "base/config.h"
#include "store/store.h"

enum { MD_EXIT_OK = 0, MD_EXIT_FAIL = 1, MD_EXIT_USAGE = 2, MD_EXIT_PARTIAL = 3,
       MD_EXIT_NOTFOUND = 4,
       MD_EXIT_INCOMPLETE = 5 /* ticket: dossier written, but the logs do not cover
                                 the window, so no negative verdict was given */ };

typedef struct md_cli {
    const char *db_path;     /* --db, MAILDOSSIER_DB, or ./maildossier.db */
    const char *config_path; /* --config or NULL (search order) */
    md_config cfg;
    int verbose;             /* -v count */
    int quiet;               /* -q */
    md_store *store;         /* opened by md_cli_store */
    const char *command;     /* the command's name (shown to those who wait for us) */
    int wait_ms;             /* --wait: 0 the default, < 0 not at all */
} md_cli;

/* md_cli_store: open the store (once); NULL after printing an error. */
md_store *md_cli_store(md_cli *cli, int flags);

/* Messages on stderr, one line each: errors and warnings prefixed
 * "maildossier: ", info unprefixed (and not with -q).  Control characters
 * in the formatted line are shown as \xNN (md_text_terminal), whatever
 * the arguments were; quote each outside string with md_cli_arg too, so
 * that a long one is cut. */
void md_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void md_cli_warn(md_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void md_cli_info(md_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* md_cli_arg: s (an argument, a path, a name from outside) for a message:
 * printable ASCII, cut to MD_LIMIT_SHOW_ARG bytes with "...(N bytes)"
 * (md_text_printable).  The result is static: valid until the fourth call
 * after this one. */
const char *md_cli_arg(const char *s);

/* md_cli_getopt: getopt_long(argc, argv, shortopts, longopts, NULL), but
 * getopt prints nothing: an unknown option, one that needs an argument
 * and has none, or an ambiguous one is reported here with md_cli_error,
 * quoted, after cmd (NULL: none), and '?' returned. */
struct option;
int md_cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
                  const struct option *longopts);

/* md_cli_wants_help: 1 if argv holds -h or --help (then print usage). */
int md_cli_wants_help(int argc, char **argv);

/* md_cli_parse_time: "2016-04-23", "2016-04-23 16:06", "2016-04-23T16:06:27Z",
 * "@1461420387" or a unix number -> unix seconds (local dates as UTC).
 * 0 or -1 when unparsable. */
int md_cli_parse_time(const char *s, long long *out);
/* md_cli_time_opt: md_cli_parse_time of option --NAME's argument of command
 * cmd; on failure says so, naming the forms accepted, and returns -1. */
int md_cli_time_opt(const char *cmd, const char *name, const char *arg, long long *out);
/* md_cli_window_ok: 0 when no window or since <= until; else says so
 * (naming both times) and returns -1. */
int md_cli_window_ok(const char *cmd, long long since, long long until);

/* The commands: int md_cmd_NAME(md_cli *, int argc, char **argv) with
 * argv[0] the command name. */
int md_cmd_ingest(md_cli *cli, int argc, char **argv);
int md_cmd_trace(md_cli *cli, int argc, char **argv);
int md_cmd_stats(md_cli *cli, int argc, char **argv);
int md_cmd_show(md_cli *cli, int argc, char **argv);
int md_cmd_rules(md_cli *cli, int argc, char **argv);
int md_cmd_ticket(md_cli *cli, int argc, char **argv);
int md_cmd_request(md_cli *cli, int argc, char **argv);
int md_cmd_ip(md_cli *cli, int argc, char **argv);
/* cmd_ip_tls.c: the TLS failures and DMARC failure reports naming ip,
 * printed; lines printed, or -1 (said) when the store failed. */
long md_cmd_ip_tls(md_store *st, const char *ip);
long md_cmd_domain_tls(md_store *st, const char *domain, int64_t since, int64_t until);
int md_cmd_status(md_cli *cli, int argc, char **argv);
int md_cmd_domain(md_cli *cli, int argc, char **argv);
int md_cmd_forget(md_cli *cli, int argc, char **argv);

#endif
