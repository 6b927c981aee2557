/* cmd_show.c: `maildossier show FILE|MESSAGE-ID`: a report file as read, or one message's header
 * evidence (Received hops with IPs and delays, ours marked, authentication,
 * Microsoft's antispam verdict in words, bounce or complaint content), read
 * from a file (.eml, mbox: every message; compressed is fine) or from the
 * store by Message-ID.  Rendering lives in lib/render/msgshow.c. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "base/input.h"
#include "parse/message.h"
#include "render/msgshow.h"
#include "render/repshow.h"
#include "store/store_msg.h"

static void help(FILE *fp)
{
    fprintf(fp,
            "usage: maildossier show [options] FILE|MESSAGE-ID\n\n"
            "Print one message's header evidence, like Microsoft's Message Header Analyzer:\n"
            "summary (From, To, Subject, Date, Message-ID), the Received hops oldest first\n"
            "(from, by, with, time, delay; negative delays are clock skew), every IP of the\n"
            "chain with its class (ours with host name and role, Microsoft, private, other)\n"
            "and which of our IPs Microsoft saw, authentication results, Microsoft's\n"
            "antispam fields in words, where Outlook.com filed a copy saved from its\n"
            "mailbox (X-Microsoft-Antispam-Mailbox-Delivery: inbox, Junk, Deleted Items,\n"
            "and on what grounds), a forwarded copy's authentication (SRS Return-Path,\n"
            "ARC sets: i=, sealer, cv=, results), and the bounce (status, reply code,\n"
            "reason, the IP Microsoft names) or complaint.  FILE may be an .eml, an mbox (every message\n"
            "is shown) or compressed; anything else is looked up as a Message-ID in the\n"
            "store (also bounces and complaints about that message).  A TLS report\n"
            "(RFC 8460 JSON) or a DMARC aggregate report (XML, RFC 7489 or dmarc-2.0),\n"
            "also gzip-compressed, is shown as read: reporter, period, policy and its\n"
            "sessions and failures, or records; so are the reports attached to a mail.\n\n"
            "Options:\n"
            "  --no-redact   show third parties' addresses in full (default: *snip*@domain\n"
            "                for addresses outside the configured domains)\n"
            "  --raw         also print the raw text of every Received header\n"
            "  -h, --help    this text\n\n"
            "Exit status: 0 shown, 1 failure, 2 usage, 3 shown but the message was damaged\n"
            "or over a limit, 4 no such message.\n");
}

static int show_bytes(md_cli *cli, const char *label, const char *data, size_t len, int flags,
                      int *damaged)
{
    md_message *m = NULL;
    md_err e = {0, ""};
    if (md_message_parse(&m, data, len, &e) != MD_OK) {
        md_cli_error("show: %s: %s", label, e.msg);
        return MD_EXIT_FAIL;
    }
    if (m->flags & (MD_MSG_HDR_TRUNC | MD_MSG_HDR_LINE_CUT | MD_MSG_HDR_TOO_MANY |
                    MD_MSG_DEEP_COMMENT | MD_MSG_MIME_DEPTH | MD_MSG_MIME_PARTS | MD_MSG_TOO_BIG))
        *damaged = 1;
    md_buf out = MD_BUF_INIT;
    int rc = md_msgshow_render(&out, m, &cli->cfg, flags);
    if (rc == MD_OK && md_repshow_attachments(&out, m, label) < 0)
        rc = MD_ERR_NOMEM;
    md_message_free(m);
    if (rc != MD_OK) {
        md_buf_free(&out);
        md_cli_error("show: out of memory");
        return MD_EXIT_FAIL;
    }
    fwrite(md_buf_cstr(&out), 1, out.len, stdout);
    md_buf_free(&out);
    return MD_EXIT_OK;
}

/* show_report: a TLS or DMARC aggregate report file (repshow.h): what was
 * read.  -1 when the file is no report. */
static int show_report(const char *path, const char *data, size_t len)
{
    md_buf out = MD_BUF_INIT;
    md_err e = {0, ""};
    int rc = md_repshow_render(&out, path, data, len, &e);
    if (rc == 1)
        fwrite(md_buf_cstr(&out), 1, out.len, stdout);
    md_buf_free(&out);
    if (rc == 0)
        return -1;
    if (rc < 0) {
        md_cli_error("show: %s", e.msg);
        return MD_EXIT_FAIL;
    }
    return MD_EXIT_OK;
}

/* show_file: a report file, a message, or each message of an mbox. */
static int show_file(md_cli *cli, const char *path, int flags)
{
    md_input *in = NULL;
    md_err e = {0, ""};
    if (md_input_open(&in, path, &e) != MD_OK) {
        md_cli_error("show: %s", e.msg);
        return MD_EXIT_FAIL;
    }
    md_buf b = MD_BUF_INIT;
    int rc = md_input_slurp(in, &b, MD_LIMIT_MESSAGE_BYTES, &e);
    md_input_close(in);
    int damaged = 0;
    if (rc == MD_ERR_LIMIT) {
        md_cli_warn(cli, "%s: larger than %d bytes: only the first part is shown", md_cli_arg(path),
                    MD_LIMIT_MESSAGE_BYTES);
        damaged = 1;
    } else if (rc != MD_OK) {
        md_cli_warn(cli, "%s", e.msg);
        damaged = 1;
        if (!b.len) {
            md_buf_free(&b);
            return MD_EXIT_FAIL;
        }
    }
    const char *p = md_buf_cstr(&b), *end = p + b.len;
    int result = show_report(path, p, b.len), n = 0;
    if (result >= 0) {
        md_buf_free(&b);
        return result == MD_EXIT_OK && damaged ? MD_EXIT_PARTIAL : result;
    }
    result = MD_EXIT_OK;
    if (b.len >= 5 && memcmp(p, "From ", 5) == 0) {
        /* mbox: split on "\nFrom " */
        while (p < end && result == MD_EXIT_OK) {
            const char *next = memmem(p + 1, (size_t)(end - p - 1), "\nFrom ", 6);
            const char *e2 = next ? next + 1 : end;
            if (n++)
                fputs("\n========================================================================\n", stdout);
            char label[MD_LIMIT_PATH + 32];
            snprintf(label, sizeof label, "%s (message %d)", path, n);
            result = show_bytes(cli, label, p, (size_t)(e2 - p), flags, &damaged);
            p = e2;
        }
    } else {
        result = show_bytes(cli, path, p, b.len, flags, &damaged);
    }
    md_buf_free(&b);
    if (result == MD_EXIT_OK && damaged)
        result = MD_EXIT_PARTIAL;
    return result;
}

typedef struct found {
    int64_t ids[64];
    size_t n;
} found;

static int collect(void *arg, const md_msg_row *m)
{
    found *f = arg;
    if (f->n < sizeof f->ids / sizeof f->ids[0])
        f->ids[f->n++] = m->id;
    return 0;
}

typedef struct shown {
    md_cli *cli;
    int flags;
    int rc;
    int damaged;
} shown;

static int show_row(void *arg, const md_msg_row *m)
{
    shown *s = arg;
    printf("Stored from: %s\n", *m->path ? m->path : "(unknown)");
    if (!m->raw || !m->rawlen) {
        printf("(the raw message was not stored)\n");
        return 0;
    }
    s->rc = show_bytes(s->cli, m->path, m->raw, m->rawlen, s->flags, &s->damaged);
    return 0;
}

static int show_msgid(md_cli *cli, const char *arg, int flags)
{
    char id[MD_LIMIT_ADDR];
    const char *a = arg;
    while (*a == '<' || *a == ' ')
        a++;
    snprintf(id, sizeof id, "%s", a);
    id[strcspn(id, ">")] = '\0';
    md_store *st = md_cli_store(cli, MD_STORE_READONLY);
    if (!st)
        return MD_EXIT_FAIL;
    found f = {{0}, 0};
    md_err e = {0, ""};
    if (md_store_msg_by_msgid(st, id, collect, &f, &e) != MD_OK) {
        md_cli_error("show: %s", e.msg);
        return MD_EXIT_FAIL;
    }
    if (!f.n) {
        md_cli_error("show: %s: no such file, and no stored message with that Message-ID",
                     md_cli_arg(arg));
        return MD_EXIT_NOTFOUND;
    }
    shown s = {cli, flags, MD_EXIT_OK, 0};
    for (size_t i = 0; i < f.n; i++) {
        if (i)
            fputs("\n========================================================================\n", stdout);
        if (md_store_msg_get(st, f.ids[i], show_row, &s, &e) != MD_OK) {
            md_cli_error("show: %s", e.msg);
            return MD_EXIT_FAIL;
        }
    }
    return s.rc == MD_EXIT_OK && s.damaged ? MD_EXIT_PARTIAL : s.rc;
}

int md_cmd_show(md_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"no-redact", no_argument, NULL, 'R'},
                                         {"raw", no_argument, NULL, 'r'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int flags = 0, c;
    optind = 1;
    while ((c = md_cli_getopt("show", argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'R': flags |= MD_SHOW_NO_REDACT; break;
        case 'r': flags |= MD_SHOW_RAW_HOPS; break;
        case 'h': help(stdout); return MD_EXIT_OK;
        default: help(stderr); return MD_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        md_cli_error("show: give one FILE or MESSAGE-ID");
        help(stderr);
        return MD_EXIT_USAGE;
    }
    const char *arg = argv[optind];
    struct stat sb;
    if (!strcmp(arg, "-") || stat(arg, &sb) == 0)
        return show_file(cli, arg, flags);
    return show_msgid(cli, arg, flags);
}
