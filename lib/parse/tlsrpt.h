/* tlsrpt.h: SMTP TLS reports (RFC 8460, TLS-RPT): the JSON document a
 * receiver (Microsoft, Google) sends about the TLS sessions it tried
 * towards a policy domain's MX hosts over one day, read with json-c.
 *
 * Read: organization-name, contact-info, report-id, date-range; per policy
 * its type (sts, tlsa, no-policy-found), policy-domain, mx-host list and
 * the summary counts; per failure-details entry result-type,
 * sending-mta-ip, receiving-mx-hostname, receiving-mx-helo, receiving-ip,
 * failed-session-count, failure-reason-code, additional-information.
 * Strings are copied into fixed fields (cut at their size); IPs are
 * canonical (an unusable IP is left "" and the row kept); a failure row
 * without a usable count is skipped and counted in `skipped`.
 *
 * Limits: MD_LIMIT_JSON_BYTES, MD_LIMIT_JSON_DEPTH (json-c's tokener
 * depth), MD_LIMIT_TLSRPT_POLICIES / _FAILURES rows (more are counted in
 * `skipped`).  Errors name the document and line: "NAME:LINE: what".
 *
 * Ownership: md_tlsrpt_parse allocates the report; free it with
 * md_tlsrpt_free (NULL is fine).  Never prints, never touches the store. */
#ifndef MD_TLSRPT_H
#define MD_TLSRPT_H

#include <stddef.h>
#include <stdint.h>
#include "base/err.h"
#include "base/ipaddr.h"

typedef struct md_tlsrpt_failure {
    char result_type[64];          /* e.g. certificate-expired, starttls-not-supported */
    char sending_ip[MD_IP_STRLEN]; /* "" when not given */
    char receiving_mx[256];
    char receiving_helo[256];
    char receiving_ip[MD_IP_STRLEN];
    char reason_code[128];
    char additional[256];
    uint64_t count;                /* failed-session-count */
} md_tlsrpt_failure;

typedef struct md_tlsrpt_policy {
    char type[24];                 /* sts, tlsa, no-policy-found */
    char domain[256];              /* policy-domain, lower case */
    char mx_hosts[512];            /* mx-host entries, ", " separated */
    uint64_t success, failure;     /* total-successful / total-failure-session-count */
    size_t fail_first, nfail;      /* its rows: report->failures[fail_first ..] */
} md_tlsrpt_policy;

typedef struct md_tlsrpt_report {
    char org_name[256];
    char contact[256];
    char report_id[256];
    int64_t begin, end;            /* date-range, unix seconds */
    md_tlsrpt_policy *policies;
    size_t npolicies;
    md_tlsrpt_failure *failures;
    size_t nfailures;
    size_t skipped;                /* rows refused or over the limits */
} md_tlsrpt_report;

/* md_tlsrpt_parse: parse data[0..n) (plain JSON: undo gzip before) named
 * `name`.  0 and *out on success; else *out is NULL and MD_ERR_PARSE (not
 * JSON, not a TLS report, no report-id or date-range), MD_ERR_LIMIT or
 * MD_ERR_NOMEM with "name:line: what" in err. */
int md_tlsrpt_parse(md_tlsrpt_report **out, const char *name, const char *data, size_t n,
                    md_err *err);

void md_tlsrpt_free(md_tlsrpt_report *r);

/* md_tlsrpt_sniff: 1 if data[0..n) looks like a TLS report (a JSON object
 * naming "policies" and "report-id" in its first 4 KiB), else 0.  Plain
 * text, no JSON parse. */
int md_tlsrpt_sniff(const char *data, size_t n);

/* md_tlsrpt_time: an RFC 3339 date-time ("2026-12-01T00:00:00Z", offsets
 * and fractions allowed) into unix seconds.  0 or -1 when unusable. */
int md_tlsrpt_time(const char *s, int64_t *out);

#endif
