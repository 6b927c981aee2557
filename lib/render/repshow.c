/* repshow.c: the text of `show FILE` for report files (see repshow.h):
 * a TLS report's reporter, day, and per policy the sessions and failure
 * rows; a DMARC report's reporter, form (RFC 7489 or dmarc-2.0 with
 * generator, np, testing, discovery_method) and records; the reports
 * attached to a mail. */
#include "render/repshow.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "base/input.h"
#include "base/md_limits.h"
#include "base/text.h"
#include "parse/message.h"
#include "parse/dmarc.h"
#include "parse/tlsrpt.h"

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

static void tls_failure(md_buf *b, const md_tlsrpt_failure *f)
{
    md_buf_printf(b, "    %-26s %6" PRIu64 " session(s)  MX %s", f->result_type[0] ? f->result_type
                  : "(no result-type)", f->count, or_dash(f->receiving_mx));
    if (f->receiving_ip[0])
        md_buf_printf(b, " [%s]", f->receiving_ip);
    if (f->sending_ip[0])
        md_buf_printf(b, "  from %s", f->sending_ip);
    md_buf_puts(b, "\n");
    if (f->reason_code[0])
        md_buf_printf(b, "      failure-reason-code: %s\n", f->reason_code);
    if (f->additional[0])
        md_buf_printf(b, "      additional-information: %s\n", f->additional);
}

static void tls_report(md_buf *b, const md_tlsrpt_report *r)
{
    char t0[32], t1[32];
    md_text_time_utc(t0, sizeof t0, r->begin, "%Y-%m-%d %H:%M:%S", "-");
    md_text_time_utc(t1, sizeof t1, r->end, "%Y-%m-%d %H:%M:%S", "-");
    md_buf_printf(b, "TLS report (RFC 8460)\n  reporter:   %s <%s>\n  report-id:  %s\n"
                  "  period:     %s to %s UTC\n", or_dash(r->org_name), or_dash(r->contact),
                  r->report_id, t0, t1);
    for (size_t i = 0; i < r->npolicies; i++) {
        const md_tlsrpt_policy *p = &r->policies[i];
        md_buf_printf(b, "\npolicy %s for %s (MX: %s)\n  sessions: %" PRIu64 " successful, %"
                      PRIu64 " failed\n", or_dash(p->type), or_dash(p->domain),
                      or_dash(p->mx_hosts), p->success, p->failure);
        if (p->nfail)
            md_buf_puts(b, "  failures:\n");
        for (size_t k = 0; k < p->nfail; k++)
            tls_failure(b, &r->failures[p->fail_first + k]);
    }
    if (r->skipped)
        md_buf_printf(b, "\n%zu row(s) unusable or over the limit: not read\n", r->skipped);
}

static void dmarc_policy(md_buf *b, const md_dmarc_report *r)
{
    md_buf_printf(b, "  domain:     %s\n  policy:     p=%s sp=%s", or_dash(r->domain), or_dash(r->p),
                  or_dash(r->sp));
    if (r->np[0])
        md_buf_printf(b, " np=%s", r->np);
    if (r->adkim[0] || r->aspf[0])
        md_buf_printf(b, " adkim=%s aspf=%s", or_dash(r->adkim), or_dash(r->aspf));
    if (r->pct >= 0)
        md_buf_printf(b, " pct=%d", r->pct);
    if (r->testing[0])
        md_buf_printf(b, " testing=%s", r->testing);
    if (r->discovery_method[0])
        md_buf_printf(b, " discovery_method=%s", r->discovery_method);
    md_buf_puts(b, "\n");
}

/* which form the report is in: the namespace says DMARCbis; without it,
 * version 2.x or DMARCbis-only fields (np, testing, discovery_method,
 * generator) say DMARCbis fields in the old namespace */
static const char *form_of(const md_dmarc_report *r)
{
    if (r->ns_v2)
        return "DMARCbis, urn:ietf:params:xml:ns:dmarc-2.0";
    if (r->version[0] == '2' || r->np[0] || r->testing[0] || r->discovery_method[0] ||
        r->generator[0])
        return "DMARCbis fields, without the dmarc-2.0 namespace";
    return "RFC 7489";
}

static void dmarc_report(md_buf *b, const md_dmarc_report *r)
{
    char t0[32], t1[32];
    md_text_time_utc(t0, sizeof t0, r->begin, "%Y-%m-%d %H:%M:%S", "-");
    md_text_time_utc(t1, sizeof t1, r->end, "%Y-%m-%d %H:%M:%S", "-");
    md_buf_printf(b, "DMARC aggregate report (%s)\n  reporter:   %s <%s>\n  report_id:  %s\n"
                  "  period:     %s to %s UTC\n",
                  form_of(r),
                  or_dash(r->org_name), or_dash(r->email), r->report_id, t0, t1);
    if (r->generator[0])
        md_buf_printf(b, "  generator:  %s\n", r->generator);
    dmarc_policy(b, r);
    md_buf_printf(b, "\n%zu record(s), %" PRIu64 " message(s):\n", r->nrecords, r->messages);
    for (size_t i = 0; i < r->nrecords; i++) {
        const md_dmarc_record *c = &r->records[i];
        md_buf_printf(b, "  %-15s %6" PRIu64 "  DMARC %-4s (dkim %s, spf %s)  disposition %s"
                      "  header_from %s\n", c->source_ip, c->count,
                      md_dmarc_record_pass(c) ? "pass" : "fail", or_dash(c->dkim),
                      or_dash(c->spf), or_dash(c->disposition), or_dash(c->header_from));
    }
    if (r->skipped)
        md_buf_printf(b, "%zu record(s) unusable: not read\n", r->skipped);
}

/* tmp into out line by line, safe for a terminal (the reports' strings are
 * outside input: control characters shown as \xNN) */
static void append_safe(md_buf *out, const md_buf *tmp)
{
    const char *p = md_buf_cstr(tmp), *end = p + tmp->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p);
        md_text_terminal(out, p, k);
        md_buf_putc(out, '\n');
        p += k + 1;
    }
}

static int render_raw(md_buf *out, const char *name, const char *data, size_t n, md_err *err);

int md_repshow_render(md_buf *out, const char *name, const char *data, size_t n, md_err *err)
{
    md_buf tmp = MD_BUF_INIT;
    int rc = render_raw(&tmp, name, data, n, err);
    if (rc == 1)
        append_safe(out, &tmp);
    md_buf_free(&tmp);
    return rc == 1 && out->oom ? md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", name) : rc;
}

static int render_raw(md_buf *out, const char *name, const char *data, size_t n, md_err *err)
{
    if (md_tlsrpt_sniff(data, n)) {
        md_tlsrpt_report *r = NULL;
        int rc = md_tlsrpt_parse(&r, name, data, n, err);
        if (rc != MD_OK)
            return rc;
        tls_report(out, r);
        md_tlsrpt_free(r);
    } else if (md_dmarc_sniff(data, n)) {
        md_dmarc_report *r = NULL;
        int rc = md_dmarc_parse(&r, name, data, n, NULL, NULL, NULL, err);
        if (rc != MD_OK)
            return rc;
        dmarc_report(out, r);
        md_dmarc_free(r);
    } else {
        return 0;
    }
    return out->oom ? md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", name) : 1;
}

/* one attachment: undo gzip (md_input does), then render; 1 shown, 0 not a
 * report, MD_ERR_NOMEM */
static int show_part(md_buf *out, const md_msg_part *p, const char *label)
{
    if (p->len >= 4 && memcmp(p->data, "PK\x03\x04", 4) == 0) {
        md_buf_printf(out, "\n---- attachment %s (part %d): a zip archive (ingest reads the "
                      "reports in it) ----\n", or_dash(p->filename), p->index);
        return 0;
    }
    md_buf b = MD_BUF_INIT;
    md_input *in = NULL;
    md_err e = {0, ""};
    char name[MD_LIMIT_PATH];
    snprintf(name, sizeof name, "%s[%s]", label, p->filename[0] ? p->filename : "attachment");
    int rc = md_input_open_mem(&in, name, p->data, p->len, &e);
    if (rc == MD_OK)
        rc = md_input_slurp(in, &b, MD_LIMIT_XML_BYTES, &e);
    md_input_close(in);
    if (rc == MD_ERR_NOMEM) {
        md_buf_free(&b);
        return rc;
    }
    const char *d = md_buf_cstr(&b);
    int shown = 0;
    if (rc == MD_OK && (md_tlsrpt_sniff(d, b.len) || md_dmarc_sniff(d, b.len))) {
        md_buf_printf(out, "\n---- attached report %s (part %d) ----\n", or_dash(p->filename),
                      p->index);
        md_err re = {0, ""};
        rc = md_repshow_render(out, name, d, b.len, &re);
        if (rc == MD_ERR_NOMEM) {
            md_buf_free(&b);
            return rc;
        }
        if (rc < 0)
            md_buf_printf(out, "not read: %s\n", re.msg);
        shown = rc == 1;
    }
    md_buf_free(&b);
    return shown;
}

int md_repshow_attachments(md_buf *out, const md_message *m, const char *label)
{
    int n = 0;
    for (size_t i = 0; m && i < m->npart; i++) {
        const md_msg_part *p = &m->part[i];
        if (p->is_multipart || !p->data || !p->len || p->index == 0 ||
            !strncmp(p->type, "text/plain", 10) || !strncmp(p->type, "message/", 8))
            continue;
        int rc = show_part(out, p, label);
        if (rc < 0)
            return rc;
        n += rc;
    }
    return n;
}
