/* repshow.c: the text of `show FILE` for report files (see repshow.h):
 * a TLS report's reporter, day, and per policy the sessions and failure
 * rows; a DMARC report's reporter, form (RFC 7489 or dmarc-2.0 with
 * generator, np, testing, discovery_method) and records. */
#include "render/repshow.h"

#include <inttypes.h>
#include <string.h>
#include "base/text.h"
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

int md_repshow_render(md_buf *out, const char *name, const char *data, size_t n, md_err *err)
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
