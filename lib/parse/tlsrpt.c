/* tlsrpt.c: RFC 8460 TLS reports read with json-c (see tlsrpt.h).
 *
 * The document is tokenised with a depth-limited json_tokener; the tree is
 * walked by key, every value type-checked (a string where a string is
 * due, a non-negative integer for counts).  Errors name the line of the
 * byte where json-c stopped. */
#include "parse/tlsrpt.h"

#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/md_limits.h"
#include "base/text.h"
#include "parse/logtime.h"

static uint64_t line_at(const char *data, size_t n, size_t off)
{
    uint64_t line = 1;
    for (size_t i = 0; i < off && i < n; i++)
        line += data[i] == '\n';
    return line;
}

/* the string member key of o, or "" */
static const char *str_of(json_object *o, const char *key)
{
    json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return "";
    return json_object_get_string(v);
}

static void take_str(json_object *o, const char *key, char *dst, size_t size)
{
    const char *s = str_of(o, key);
    md_text_copy_trim(dst, size, s, strlen(s));
}

static void take_ip(json_object *o, const char *key, char *dst)
{
    const char *s = str_of(o, key);
    md_ip ip;
    dst[0] = '\0';
    if (*s && md_ip_parse(&ip, s, strlen(s)) == MD_OK)
        md_ip_format(&ip, dst, MD_IP_STRLEN);
}

/* a non-negative integer member: 0 and *out, else -1 */
static int take_count(json_object *o, const char *key, uint64_t *out)
{
    json_object *v;
    *out = 0;
    if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
        return -1;
    int64_t x = json_object_get_int64(v);
    if (x < 0)
        return -1;
    *out = (uint64_t)x;
    return 0;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int md_tlsrpt_time(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, se;
    if (strlen(s) < 19 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
        s[7] != '-' || digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
        digits(s + 17, 2, &se) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        se > 60)
        return -1;
    const char *z = s + 19;
    if (*z == '.')
        for (z++; *z >= '0' && *z <= '9'; z++)
            ;
    int64_t off = 0;
    if (*z == 'Z' || *z == 'z') {
        z++;
    } else if (*z == '+' || *z == '-') {
        int oh, om;
        if (digits(z + 1, 2, &oh) || z[3] != ':' || digits(z + 4, 2, &om) || oh > 23 || om > 59)
            return -1;
        off = (*z == '+' ? 1 : -1) * (int64_t)(oh * 3600 + om * 60);
        z += 6;
    } else {
        return -1;
    }
    if (*z)
        return -1;
    *out = md_logtime_make(y, mo, d, h, mi, se) - off;
    return 0;
}

/* the mx-host array (strings, or RFC 8460's earlier objects) joined */
static void take_mx_hosts(json_object *pol, char *dst, size_t size)
{
    json_object *a;
    dst[0] = '\0';
    if (!json_object_object_get_ex(pol, "mx-host", &a) || !json_object_is_type(a, json_type_array))
        return;
    size_t len = 0;
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        json_object *e = json_object_array_get_idx(a, i);
        const char *s = json_object_is_type(e, json_type_string) ? json_object_get_string(e)
                                                                 : str_of(e, "hostname");
        if (!*s)
            continue;
        int w = snprintf(dst + len, size - len, "%s%s", len ? ", " : "", s);
        if (w < 0 || (size_t)w >= size - len) {
            dst[len] = '\0';
            return;
        }
        len += (size_t)w;
    }
}

static int take_failures(md_tlsrpt_report *r, json_object *det, md_tlsrpt_policy *p)
{
    p->fail_first = r->nfailures;
    if (!det || !json_object_is_type(det, json_type_array))
        return MD_OK;
    size_t n = json_object_array_length(det);
    for (size_t i = 0; i < n; i++) {
        json_object *f = json_object_array_get_idx(det, i);
        md_tlsrpt_failure row;
        memset(&row, 0, sizeof row);
        if (!json_object_is_type(f, json_type_object) ||
            take_count(f, "failed-session-count", &row.count) != 0 ||
            r->nfailures >= MD_LIMIT_TLSRPT_FAILURES) {
            r->skipped++;
            continue;
        }
        take_str(f, "result-type", row.result_type, sizeof row.result_type);
        md_text_lower(row.result_type);
        take_ip(f, "sending-mta-ip", row.sending_ip);
        take_str(f, "receiving-mx-hostname", row.receiving_mx, sizeof row.receiving_mx);
        take_str(f, "receiving-mx-helo", row.receiving_helo, sizeof row.receiving_helo);
        take_ip(f, "receiving-ip", row.receiving_ip);
        take_str(f, "failure-reason-code", row.reason_code, sizeof row.reason_code);
        take_str(f, "additional-information", row.additional, sizeof row.additional);
        r->failures[r->nfailures++] = row;
        p->nfail++;
    }
    return MD_OK;
}

/* room for every policy and failure row the document holds (bounded) */
static int size_rows(md_tlsrpt_report *r, json_object *pols)
{
    size_t np = json_object_array_length(pols), nf = 0;
    for (size_t i = 0; i < np; i++) {
        json_object *det;
        json_object *p = json_object_array_get_idx(pols, i);
        if (json_object_is_type(p, json_type_object) &&
            json_object_object_get_ex(p, "failure-details", &det) &&
            json_object_is_type(det, json_type_array))
            nf += json_object_array_length(det);
    }
    if (np > MD_LIMIT_TLSRPT_POLICIES)
        np = MD_LIMIT_TLSRPT_POLICIES;
    if (nf > MD_LIMIT_TLSRPT_FAILURES)
        nf = MD_LIMIT_TLSRPT_FAILURES;
    r->policies = calloc(np ? np : 1, sizeof *r->policies);
    r->failures = calloc(nf ? nf : 1, sizeof *r->failures);
    return r->policies && r->failures ? MD_OK : MD_ERR_NOMEM;
}

static int take_policies(md_tlsrpt_report *r, json_object *pols)
{
    int rc = size_rows(r, pols);
    if (rc != MD_OK)
        return rc;
    for (size_t i = 0; i < json_object_array_length(pols); i++) {
        json_object *p = json_object_array_get_idx(pols, i), *pol, *sum, *det = NULL;
        if (!json_object_is_type(p, json_type_object) ||
            !json_object_object_get_ex(p, "policy", &pol) ||
            !json_object_is_type(pol, json_type_object) || r->npolicies >= MD_LIMIT_TLSRPT_POLICIES) {
            r->skipped++;
            continue;
        }
        md_tlsrpt_policy *q = &r->policies[r->npolicies++];
        take_str(pol, "policy-type", q->type, sizeof q->type);
        md_text_lower(q->type);
        take_str(pol, "policy-domain", q->domain, sizeof q->domain);
        md_text_lower(q->domain);
        take_mx_hosts(pol, q->mx_hosts, sizeof q->mx_hosts);
        if (json_object_object_get_ex(p, "summary", &sum)) {
            (void)take_count(sum, "total-successful-session-count", &q->success);
            (void)take_count(sum, "total-failure-session-count", &q->failure);
        }
        (void)json_object_object_get_ex(p, "failure-details", &det);
        take_failures(r, det, q);
    }
    return MD_OK;
}

static int walk(md_tlsrpt_report *r, json_object *root, const char *name, md_err *err)
{
    json_object *dr, *pols;
    if (!json_object_is_type(root, json_type_object) ||
        !json_object_object_get_ex(root, "policies", &pols) ||
        !json_object_is_type(pols, json_type_array))
        return md_err_set(err, MD_ERR_PARSE, "%s:1: not a TLS report (no \"policies\" array)",
                          name);
    take_str(root, "organization-name", r->org_name, sizeof r->org_name);
    take_str(root, "contact-info", r->contact, sizeof r->contact);
    take_str(root, "report-id", r->report_id, sizeof r->report_id);
    if (!r->report_id[0])
        return md_err_set(err, MD_ERR_PARSE, "%s:1: TLS report without \"report-id\"", name);
    if (!json_object_object_get_ex(root, "date-range", &dr) ||
        md_tlsrpt_time(str_of(dr, "start-datetime"), &r->begin) != 0 ||
        md_tlsrpt_time(str_of(dr, "end-datetime"), &r->end) != 0)
        return md_err_set(err, MD_ERR_PARSE, "%s:1: TLS report without a usable \"date-range\" "
                          "(start-datetime, end-datetime)", name);
    int rc = take_policies(r, pols);
    return rc == MD_ERR_NOMEM ? md_err_set(err, rc, "%s: out of memory", name) : rc;
}

static int tokenize(json_object **root, const char *name, const char *data, size_t n, md_err *err)
{
    json_tokener *tok = json_tokener_new_ex(MD_LIMIT_JSON_DEPTH);
    if (!tok)
        return md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", name);
    *root = json_tokener_parse_ex(tok, data, (int)n);
    enum json_tokener_error je = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (*root && je == json_tokener_success) {
        while (end < n && strchr(" \t\r\n", data[end]) && data[end])
            end++;
        if (end == n)
            return MD_OK;
        json_object_put(*root);
        *root = NULL;
        return md_err_set(err, MD_ERR_PARSE, "%s:%llu: text after the JSON document", name,
                          (unsigned long long)line_at(data, n, end));
    }
    json_object_put(*root);
    *root = NULL;
    if (je == json_tokener_continue)
        return md_err_set(err, MD_ERR_PARSE, "%s:%llu: JSON document cut short", name,
                          (unsigned long long)line_at(data, n, n));
    return md_err_set(err, je == json_tokener_error_depth ? MD_ERR_LIMIT : MD_ERR_PARSE,
                      "%s:%llu: not JSON: %s", name, (unsigned long long)line_at(data, n, end),
                      je == json_tokener_error_depth ? "nested deeper than the limit"
                                                     : json_tokener_error_desc(je));
}

int md_tlsrpt_parse(md_tlsrpt_report **out, const char *name, const char *data, size_t n,
                    md_err *err)
{
    *out = NULL;
    if (n > MD_LIMIT_JSON_BYTES)
        return md_err_set(err, MD_ERR_LIMIT, "%s:0: TLS report larger than %d bytes", name,
                          MD_LIMIT_JSON_BYTES);
    if (n == 0 || memchr(data, '\0', n))
        return md_err_set(err, MD_ERR_PARSE, "%s:1: not JSON (%s)", name,
                          n ? "NUL byte" : "empty");
    json_object *root = NULL;
    int rc = tokenize(&root, name, data, n, err);
    if (rc != MD_OK)
        return rc;
    md_tlsrpt_report *r = calloc(1, sizeof *r);
    if (!r) {
        json_object_put(root);
        return md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", name);
    }
    rc = walk(r, root, name, err);
    json_object_put(root);
    if (rc != MD_OK) {
        md_tlsrpt_free(r);
        return rc;
    }
    *out = r;
    return MD_OK;
}

void md_tlsrpt_free(md_tlsrpt_report *r)
{
    if (!r)
        return;
    free(r->policies);
    free(r->failures);
    free(r);
}

int md_tlsrpt_sniff(const char *data, size_t n)
{
    size_t i = 0, probe = n < 4096 ? n : 4096;
    if (probe >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < probe && strchr(" \t\r\n", data[i]) && data[i])
        i++;
    return i < probe && data[i] == '{' && md_text_casestr(data, probe, "\"policies\"") &&
           md_text_casestr(data, probe, "\"report-id\"");
}
