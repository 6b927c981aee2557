/* cmd_request.c: `maildossier request`: the prefilled request to
 * Microsoft's sender support over tickets or a window, written as text
 * (templates/request-text.xsl) or XML.  Writing it is a preview; it is
 * recorded in the store as sent only with --sent (and Microsoft's case
 * number with --case), listed with --list and withdrawn with --withdraw.
 * A thin main over lib/dossier/analysis.h. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dossier/analysis.h"
#include "cli.h"
#include "base/outfile.h"
#include "base/text.h"
#include "render/render.h"
#include "store/store_case.h"

#define MAX_TICKETS 256

static void help(FILE *fp)
{
    fprintf(fp,
            "usage: maildossier request [--ticket N...] [--since T --until T] [options]\n\n"
            "Prefill the request to Microsoft's sender support (the Outlook.com delivery\n"
            "form): contact and organisation from the configuration, sender and recipient\n"
            "domains, every affected IP (one list separated by semicolons, and one per\n"
            "line with its role and evidence), each distinct error message once with its\n"
            "count and dates, volumes per day to Microsoft from the logs, SNDS/JMRP\n"
            "enrolment and a problem description from the tickets.  Personal data of\n"
            "users is always redacted.\n\n"
            "Writing or printing a request is a preview: nothing is recorded.  When you\n"
            "have submitted it to Microsoft, run the same command with --sent (and\n"
            "--case with the case number Microsoft gave): the store then records the\n"
            "request (date, IPs, tickets, the file's absolute path, the case number),\n"
            "and `maildossier ip` and `status` count it.  A request recorded by mistake\n"
            "is withdrawn with --withdraw ID (it stays listed, marked withdrawn).\n\n"
            "Tickets must have a dossier (maildossier ticket).  Without --ticket, the\n"
            "tickets whose window overlaps --since/--until are used (and Microsoft's\n"
            "failures naming our IPs in that window); without either, every ticket in\n"
            "the store.\n\n"
            "Options:\n"
            "  -t, --ticket N     a ticket (repeatable)\n"
            "  --since T          window start (2016-04-06, @UNIX, ...)\n"
            "  --until T          window end (default: now)\n"
            "  -o, --out FILE     write to FILE (default standard output; its directory is\n"
            "                     created if missing)\n"
            "  -f, --format FMT   txt or xml (default: xml when FILE ends in .xml, else txt)\n"
            "  --sent             record the request as sent to Microsoft (now)\n"
            "  --case ID          with --sent: Microsoft's case number (e.g. SRX1361942213ID)\n"
            "  --list             list the requests recorded as sent, withdrawn ones marked\n"
            "  --withdraw ID      mark recorded request ID (see --list) as withdrawn\n"
            "  --why TEXT         with --withdraw: the reason, kept with it\n"
            "  -h, --help         this text\n\n"
            "Exit status: 0 written (or listed, withdrawn), 1 failure (also: withdrawn\n"
            "already), 2 usage error, 4 no ticket and no evidence, or no such request.\n");
}

/* warn_undeclared: what the request would state as the site's, but the
 * configuration does not declare: the request then says "not declared"
 * (or leaves it out) instead of a default, and the postmaster is told */
static void warn_undeclared(md_cli *cli)
{
    const md_config *c = &cli->cfg;
    static const char what[] = "request: %s not declared in %s: the request %s";
    const char *conf = c->path[0] ? c->path : "the configuration (none read)";
    if (!c->org_name[0])
        md_cli_warn(cli, what, "[organisation] name", conf, "names no organisation");
    if (!c->org_description[0])
        md_cli_warn(cli, what, "[organisation] description", conf, "does not say what it is");
    if (!c->ndomains)
        md_cli_warn(cli, what, "[organisation] domains", conf, "lists no sending domains");
    if (!c->contact_name[0] || !c->contact_email[0])
        md_cli_warn(cli, what, "[contact] name and email", conf, "has no contact");
    if (!c->ip_usage[0])
        md_cli_warn(cli, what, "[microsoft] ip_usage", conf,
                    "says \"not declared\" for dedicated or shared");
    if (!c->sender_kind[0])
        md_cli_warn(cli, what, "[microsoft] sender_kind", conf,
                    "says \"not declared\" for the kind of sender");
    if (!c->optin_note[0])
        md_cli_warn(cli, what, "[microsoft] optin", conf, "says \"not declared\" for opt-in");
    if (c->snds_enrolled < 0)
        md_cli_warn(cli, what, "[microsoft] snds", conf, "says \"not declared\" for SNDS");
    if (c->jmrp_enrolled < 0)
        md_cli_warn(cli, what, "[microsoft] jmrp", conf, "says \"not declared\" for JMRP");
}

/* the options of one run */
typedef struct req_args {
    const char *tickets[MAX_TICKETS];
    size_t nt;
    long long since, until;
    const char *out, *format;
    int sent, list;
    const char *case_number, *why;
    long long withdraw;        /* 0: none */
} req_args;

/* case_ok: Microsoft's case numbers are letters and digits ("SRX1361942213ID",
 * "12345678"), a few dashes at most */
static int case_ok(const char *s)
{
    size_t n = strlen(s);
    if (!n || n >= 64)
        return 0;
    for (; *s; s++)
        if (!(*s >= '0' && *s <= '9') && !(*s >= 'A' && *s <= 'Z') &&
            !(*s >= 'a' && *s <= 'z') && *s != '-' && *s != '_')
            return 0;
    return 1;
}

/* parse_id: a request id as --list shows it (a positive number) */
static int parse_id(const char *s, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v <= 0)
        return -1;
    *out = v;
    return 0;
}

static int parse_opt(req_args *a, int c, const char *arg)
{
    switch (c) {
    case 't':
        if (!md_analysis_ticket_valid(arg)) {
            md_cli_error("request: --ticket %s: not a ticket number", md_cli_arg(arg));
            return -1;
        }
        if (a->nt == MAX_TICKETS) {
            md_cli_error("request: at most %d tickets", MAX_TICKETS);
            return -1;
        }
        a->tickets[a->nt++] = arg;
        return 0;
    case 's':
    case 'u':
        return md_cli_time_opt("request", c == 's' ? "since" : "until", arg,
                               c == 's' ? &a->since : &a->until) != 0 ? -1 : 0;
    case 'o': a->out = arg; return 0;
    case 'f':
        if (strcmp(arg, "txt") && strcmp(arg, "xml")) {
            md_cli_error("request: --format %s: txt or xml", md_cli_arg(arg));
            return -1;
        }
        a->format = arg;
        return 0;
    case 'S': a->sent = 1; return 0;
    case 'L': a->list = 1; return 0;
    case 'C':
        if (!case_ok(arg)) {
            md_cli_error("request: --case %s: not a case number (letters, digits, '-')",
                         md_cli_arg(arg));
            return -1;
        }
        a->case_number = arg;
        return 0;
    case 'W':
        if (parse_id(arg, &a->withdraw) != 0) {
            md_cli_error("request: --withdraw %s: not a request number (see --list)",
                         md_cli_arg(arg));
            return -1;
        }
        return 0;
    case 'Y': a->why = arg; return 0;
    default: return -1;
    }
}

/* args_ok: the combinations that make sense */
static int args_ok(const req_args *a)
{
    int making = a->nt || a->since || a->until || a->out || a->format || a->sent;
    if ((a->list || a->withdraw) && making) {
        md_cli_error("request: --%s does not make a request: give it alone",
                     a->list ? "list" : "withdraw");
        return -1;
    }
    if (a->list && a->withdraw) {
        md_cli_error("request: --list or --withdraw, not both");
        return -1;
    }
    if (a->case_number && !a->sent) {
        md_cli_error("request: --case needs --sent (the case number of a request sent)");
        return -1;
    }
    if (a->why && !a->withdraw) {
        md_cli_error("request: --why needs --withdraw");
        return -1;
    }
    return 0;
}

static const char *when(int64_t t, char *buf, size_t n)
{
    return md_text_time(buf, n, t, "%Y-%m-%d %H:%M", "?");
}

/* list_requests: the requests recorded as sent, oldest first */
static int list_requests(md_store *st)
{
    md_case_request *r = NULL;
    size_t n = 0;
    md_err err = {0, ""};
    if (md_store_case_requests(st, NULL, &r, &n, &err) != MD_OK) {
        md_cli_error("request: %s", err.msg);
        return MD_EXIT_FAIL;
    }
    if (!n)
        printf("no request recorded as sent\n");
    for (size_t i = 0; i < n; i++) {
        char a[32], b[32];
        printf("%lld  sent %s", (long long)r[i].id, when(r[i].created_at, a, sizeof a));
        if (r[i].case_number[0])
            printf("  case %s", r[i].case_number);
        if (r[i].withdrawn_at)
            printf("  WITHDRAWN %s%s%s", when(r[i].withdrawn_at, b, sizeof b),
                   r[i].withdrawn_why[0] ? ": " : "", r[i].withdrawn_why);
        printf("\n    IPs: %s\n", r[i].ips[0] ? r[i].ips : "none");
        if (r[i].tickets[0])
            printf("    tickets: %s\n", r[i].tickets);
        if (r[i].file[0])
            printf("    file: %s\n", r[i].file);
    }
    free(r);
    return MD_EXIT_OK;
}

static int withdraw_request(md_cli *cli, md_store *st, const req_args *a)
{
    md_err err = {0, ""};
    if (md_store_case_request_withdraw(st, a->withdraw, (int64_t)time(NULL), a->why, &err) !=
        MD_OK) {
        md_cli_error("request: --withdraw %lld: %s", a->withdraw, err.msg);
        return err.code == MD_ERR_NOTFOUND ? MD_EXIT_NOTFOUND : MD_EXIT_FAIL;
    }
    md_cli_info(cli, "request %lld withdrawn: it stays listed (--list), marked, and no longer "
                "counts as sent", a->withdraw);
    return MD_EXIT_OK;
}

/* render: the request document as XML or text (request-text.xsl) */
static int render(md_cli *cli, xmlDoc *doc, const char *format, md_buf *text)
{
    md_err err = {0, ""};
    if (strcmp(format, "xml") == 0) {
        xmlChar *mem = NULL;
        int len = 0;
        xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "UTF-8", 1);
        if (mem)
            md_buf_append(text, mem, (size_t)len);
        xmlFree(mem);
        return MD_EXIT_OK;
    }
    char xsl[MD_LIMIT_PATH];
    if (md_render_find_template(&cli->cfg, "request-text.xsl", xsl, sizeof xsl, &err) != MD_OK ||
        md_render_xslt(doc, xsl, text, &err) != MD_OK) {
        md_cli_error("request: %s", err.msg);
        return MD_EXIT_FAIL;
    }
    return MD_EXIT_OK;
}

static int emit(const char *out, const md_buf *text)
{
    md_err err = {0, ""};
    if (out) {
        if (md_outfile_write(out, text->data, text->len, &err) != MD_OK) {
            md_cli_error("request: %s", err.msg);
            return MD_EXIT_FAIL;
        }
        return MD_EXIT_OK;
    }
    if (fwrite(text->data ? text->data : "", 1, text->len, stdout) != text->len ||
        fflush(stdout) != 0) {
        md_cli_error("request: standard output: cannot write");
        return MD_EXIT_FAIL;
    }
    return MD_EXIT_OK;
}

/* record: the request sent, with the file's absolute path (the store
 * outlives the directory the command ran in) */
static int record(md_cli *cli, md_store *st, const req_args *a, int64_t now,
                  const md_case_ipref *ips, size_t nips)
{
    const char *ipv[1024];
    size_t n = nips < 1024 ? nips : 1024;
    for (size_t i = 0; i < n; i++)
        ipv[i] = ips[i].ip;
    char abs[PATH_MAX];
    const char *file = "";
    if (a->out)
        file = realpath(a->out, abs) ? abs : a->out;
    md_err err = {0, ""};
    int64_t id = 0;
    if (md_store_case_request_add(st, now, a->since, a->until, file, a->case_number, ipv, n,
                                  a->tickets, a->nt, &id, &err) != MD_OK) {
        md_cli_error("request: recording it as sent: %s", err.msg);
        return MD_EXIT_FAIL;
    }
    md_cli_info(cli, "request %lld recorded as sent%s%s: %zu IP%s from %zu ticket%s%s%s",
                (long long)id, a->case_number ? ", case " : "",
                a->case_number ? a->case_number : "", nips, nips == 1 ? "" : "s", a->nt,
                a->nt == 1 ? "" : "s", a->out ? "; written to " : "",
                a->out ? md_cli_arg(a->out) : "");
    return MD_EXIT_OK;
}

/* tickets_default: without --ticket, every ticket or those whose window
 * overlaps --since/--until (*all owns the numbers) */
static int tickets_default(md_store *st, req_args *a, md_case_ticket **all)
{
    size_t nall = 0;
    md_err err = {0, ""};
    if (md_store_case_ticket_list(st, a->since, a->until, all, &nall, &err) != MD_OK) {
        md_cli_error("request: %s", err.msg);
        return MD_EXIT_FAIL;
    }
    for (size_t i = 0; i < nall && a->nt < MAX_TICKETS; i++)
        a->tickets[a->nt++] = (*all)[i].number;
    if (!a->nt && !a->since && !a->until) {
        md_cli_error("request: no ticket in the store: make dossiers first, or give "
                     "--since/--until");
        return MD_EXIT_NOTFOUND;
    }
    return MD_EXIT_OK;
}

static int make_request(md_cli *cli, md_store *st, req_args *a)
{
    md_case_ticket *all = NULL;
    int result = a->nt ? MD_EXIT_OK : tickets_default(st, a, &all);
    xmlDoc *doc = NULL;
    md_case_ipref *ips = NULL;
    size_t nips = 0;
    int64_t now = (int64_t)time(NULL);
    md_err err = {0, ""};
    if (result == MD_EXIT_OK &&
        md_analysis_request(st, &cli->cfg, a->tickets, a->nt, a->since, a->until, now, &doc,
                            &ips, &nips, &err) != MD_OK) {
        md_cli_error("request: %s", err.msg);
        result = err.code == MD_ERR_NOTFOUND ? MD_EXIT_NOTFOUND : MD_EXIT_FAIL;
    }
    md_buf text = MD_BUF_INIT;
    if (result == MD_EXIT_OK) {
        warn_undeclared(cli);
        result = render(cli, doc, a->format, &text);
    }
    if (result == MD_EXIT_OK)
        result = emit(a->out, &text);
    if (result == MD_EXIT_OK && a->sent)
        result = record(cli, st, a, now, ips, nips);
    else if (result == MD_EXIT_OK)
        md_cli_info(cli, "request with %zu IP%s from %zu ticket%s %s%s: a preview, not "
                    "recorded; once it is submitted to Microsoft, run this again with --sent "
                    "(and --case ID)", nips, nips == 1 ? "" : "s", a->nt, a->nt == 1 ? "" : "s",
                    a->out ? "written to " : "printed", a->out ? md_cli_arg(a->out) : "");
    md_buf_free(&text);
    free(ips);
    free(all);
    xmlFreeDoc(doc);
    return result;
}

int md_cmd_request(md_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"ticket", required_argument, NULL, 't'}, {"since", required_argument, NULL, 's'},
        {"until", required_argument, NULL, 'u'},  {"out", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'}, {"sent", no_argument, NULL, 'S'},
        {"case", required_argument, NULL, 'C'},   {"list", no_argument, NULL, 'L'},
        {"withdraw", required_argument, NULL, 'W'}, {"why", required_argument, NULL, 'Y'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    req_args a;
    memset(&a, 0, sizeof a);
    int c;
    optind = 1;
    while ((c = md_cli_getopt("request", argc, argv, "t:o:f:h", opts)) != -1) {
        if (c == 'h') {
            help(stdout);
            return MD_EXIT_OK;
        }
        if (c == '?' || c == ':') {
            help(stderr);
            return MD_EXIT_USAGE;
        }
        if (parse_opt(&a, c, optarg) != 0)
            return MD_EXIT_USAGE;
    }
    if (optind != argc) {
        md_cli_error("request: unexpected argument '%s'", md_cli_arg(argv[optind]));
        return MD_EXIT_USAGE;
    }
    if (args_ok(&a) != 0)
        return MD_EXIT_USAGE;
    if (a.since && !a.until)
        a.until = (long long)time(NULL);
    if (md_cli_window_ok("request", a.since, a.until) != 0)
        return MD_EXIT_USAGE;
    if (!a.format) {
        size_t l = a.out ? strlen(a.out) : 0;
        a.format = l > 4 && strcmp(a.out + l - 4, ".xml") == 0 ? "xml" : "txt";
    }
    md_err err = {0, ""};
    if (a.out && md_outfile_mkparents(a.out, &err) != MD_OK) {
        md_cli_error("request: --out %s: %s", md_cli_arg(a.out), err.msg);
        return err.code == MD_ERR_ARG ? MD_EXIT_USAGE : MD_EXIT_FAIL;
    }
    md_store *st = md_cli_store(cli, MD_STORE_MAPPED);
    if (!st)
        return MD_EXIT_FAIL;
    if (a.list)
        return list_requests(st);
    if (a.withdraw)
        return withdraw_request(cli, st, &a);
    return make_request(cli, st, &a);
}
