/* cmd_request.c: `maildossier request`: the prefilled request to
 * Microsoft's sender support over tickets or a window, written as text
 * (templates/request-text.xsl) or XML, and recorded in the store.  A thin
 * main over lib/dossier/analysis.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dossier/analysis.h"
#include "cli.h"
#include "base/outfile.h"
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
            "users is always redacted.  The request is recorded in the store (date, IPs,\n"
            "tickets).\n\n"
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
            "  -h, --help         this text\n\n"
            "Exit status: 0 written, 1 failure, 2 usage error, 4 no ticket and no evidence.\n");
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
    if (!c->optin_note[0])
        md_cli_warn(cli, what, "[microsoft] optin", conf, "says \"not declared\" for opt-in");
}

int md_cmd_request(md_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"ticket", required_argument, NULL, 't'}, {"since", required_argument, NULL, 's'},
        {"until", required_argument, NULL, 'u'},  {"out", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *tickets[MAX_TICKETS];
    size_t nt = 0;
    long long since = 0, until = 0;
    const char *out = NULL, *format = NULL;
    int c;
    optind = 1;
    while ((c = md_cli_getopt("request", argc, argv, "t:o:f:h", opts)) != -1) {
        switch (c) {
        case 't':
            if (!md_analysis_ticket_valid(optarg)) {
                md_cli_error("request: --ticket %s: not a ticket number", md_cli_arg(optarg));
                return MD_EXIT_USAGE;
            }
            if (nt == MAX_TICKETS) {
                md_cli_error("request: at most %d tickets", MAX_TICKETS);
                return MD_EXIT_USAGE;
            }
            tickets[nt++] = optarg;
            break;
        case 's':
        case 'u':
            if (md_cli_time_opt("request", c == 's' ? "since" : "until", optarg,
                                c == 's' ? &since : &until) != 0)
                return MD_EXIT_USAGE;
            break;
        case 'o': out = optarg; break;
        case 'f':
            if (strcmp(optarg, "txt") && strcmp(optarg, "xml")) {
                md_cli_error("request: --format %s: txt or xml", md_cli_arg(optarg));
                return MD_EXIT_USAGE;
            }
            format = optarg;
            break;
        case 'h': help(stdout); return MD_EXIT_OK;
        default: help(stderr); return MD_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        md_cli_error("request: unexpected argument '%s'", md_cli_arg(argv[optind]));
        return MD_EXIT_USAGE;
    }
    if (since && !until)
        until = (long long)time(NULL);
    if (md_cli_window_ok("request", since, until) != 0)
        return MD_EXIT_USAGE;
    if (!format) {
        size_t l = out ? strlen(out) : 0;
        format = l > 4 && strcmp(out + l - 4, ".xml") == 0 ? "xml" : "txt";
    }
    md_err err = {0, ""};
    if (out && md_outfile_mkparents(out, &err) != MD_OK) {
        md_cli_error("request: --out %s: %s", md_cli_arg(out), err.msg);
        return err.code == MD_ERR_ARG ? MD_EXIT_USAGE : MD_EXIT_FAIL;
    }
    md_store *st = md_cli_store(cli, MD_STORE_MAPPED);
    if (!st)
        return MD_EXIT_FAIL;
    md_case_ticket *all = NULL;
    size_t nall = 0;
    if (!nt) {
        /* every ticket, or those whose window overlaps --since/--until */
        if (md_store_case_ticket_list(st, since, until, &all, &nall, &err) != MD_OK) {
            md_cli_error("request: %s", err.msg);
            return MD_EXIT_FAIL;
        }
        for (size_t i = 0; i < nall && nt < MAX_TICKETS; i++)
            tickets[nt++] = all[i].number;
        if (!nt && !since && !until) {
            free(all);
            md_cli_error("request: no ticket in the store: make dossiers first, or give "
                         "--since/--until");
            return MD_EXIT_NOTFOUND;
        }
    }
    xmlDoc *doc = NULL;
    md_case_ipref *ips = NULL;
    size_t nips = 0;
    int64_t now = (int64_t)time(NULL);
    if (md_analysis_request(st, &cli->cfg, tickets, nt, since, until, now, &doc, &ips, &nips,
                            &err) != MD_OK) {
        md_cli_error("request: %s", err.msg);
        free(all);
        return err.code == MD_ERR_NOTFOUND ? MD_EXIT_NOTFOUND : MD_EXIT_FAIL;
    }
    warn_undeclared(cli);
    int result = MD_EXIT_OK;
    md_buf text = MD_BUF_INIT;
    if (strcmp(format, "xml") == 0) {
        xmlChar *mem = NULL;
        int len = 0;
        xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "UTF-8", 1);
        if (mem)
            md_buf_append(&text, mem, (size_t)len);
        xmlFree(mem);
    } else {
        char xsl[MD_LIMIT_PATH];
        if (md_render_find_template(&cli->cfg, "request-text.xsl", xsl, sizeof xsl, &err) !=
                MD_OK ||
            md_render_xslt(doc, xsl, &text, &err) != MD_OK) {
            md_cli_error("request: %s", err.msg);
            result = MD_EXIT_FAIL;
        }
    }
    if (result == MD_EXIT_OK && out) {
        if (md_outfile_write(out, text.data, text.len, &err) != MD_OK) {
            md_cli_error("request: %s", err.msg);
            result = MD_EXIT_FAIL;
        }
    } else if (result == MD_EXIT_OK &&
               (fwrite(md_buf_cstr(&text), 1, text.len, stdout) != text.len ||
                fflush(stdout) != 0)) {
        md_cli_error("request: standard output: cannot write");
        result = MD_EXIT_FAIL;
    }
    if (result == MD_EXIT_OK) {
        const char *ipv[1024];
        size_t n = nips < 1024 ? nips : 1024;
        for (size_t i = 0; i < n; i++)
            ipv[i] = ips[i].ip;
        if (md_store_case_request_add(st, now, since, until, out ? out : "", ipv, n, tickets, nt,
                                      NULL, &err) != MD_OK) {
            md_cli_error("request: recording it in the store: %s", err.msg);
            result = MD_EXIT_FAIL;
        } else if (out) {
            md_cli_info(cli, "request with %zu IP%s from %zu ticket%s written to %s", nips,
                        nips == 1 ? "" : "s", nt, nt == 1 ? "" : "s", md_cli_arg(out));
        }
    }
    md_buf_free(&text);
    free(ips);
    free(all);
    xmlFreeDoc(doc);
    return result;
}
