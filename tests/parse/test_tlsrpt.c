/* test_tlsrpt.c: lib/parse/tlsrpt.c: the TLS-RPT fixtures (Microsoft's
 * report with failures, Google's .json.gz), the figures written in them;
 * errors with file:line (not JSON, cut short, no report-id, bad
 * date-range); the depth and size limits; unusable rows skipped; RFC 3339
 * times; sniffing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/input.h"
#include "base/md_limits.h"
#include "parse/tlsrpt.h"

#define DIR MD_FIXTURES "/reports-2026/"
#define MS DIR "microsoft.com!uni-potsdam.de!1461283200!1461369599!133266432000000000.json"
#define GOOGLE DIR "google.com!uni-potsdam.de!1461283200!1461369599!001.json.gz"

static md_tlsrpt_report *parse_file(const char *path)
{
    md_input *in = NULL;
    md_err e = {0, ""};
    md_buf b = MD_BUF_INIT;
    assert_int_equal(md_input_open(&in, path, &e), 0);
    assert_int_equal(md_input_slurp(in, &b, 1 << 24, &e), 0);
    md_input_close(in);
    md_tlsrpt_report *r = NULL;
    if (md_tlsrpt_parse(&r, path, b.data, b.len, &e) != 0)
        fail_msg("%s", e.msg);
    md_buf_free(&b);
    return r;
}

static int parse_str(const char *s, md_tlsrpt_report **r, md_err *e)
{
    return md_tlsrpt_parse(r, "mem.json", s, strlen(s), e);
}

static void test_microsoft(void **state)
{
    (void)state;
    md_tlsrpt_report *r = parse_file(MS);
    assert_string_equal(r->org_name, "Microsoft Corporation");
    assert_string_equal(r->report_id, "133266432000000000+uni-potsdam.de");
    assert_string_equal(r->contact, "tlsrpt-noreply@microsoft.com");
    assert_int_equal(r->begin, 1461283200);
    assert_int_equal(r->end, 1461369599);
    assert_int_equal(r->npolicies, 1);
    const md_tlsrpt_policy *p = &r->policies[0];
    assert_string_equal(p->type, "sts");
    assert_string_equal(p->domain, "uni-potsdam.de");
    assert_string_equal(p->mx_hosts, "ironin.rz.uni-potsdam.de, mailup.uni-potsdam.de");
    assert_int_equal(p->success, 1838);
    assert_int_equal(p->failure, 61);
    assert_int_equal(p->nfail, 3);
    assert_int_equal(r->nfailures, 3);
    assert_string_equal(r->failures[0].result_type, "certificate-expired");
    assert_string_equal(r->failures[0].sending_ip, "40.92.68.31");
    assert_string_equal(r->failures[0].receiving_ip, "141.89.68.18");
    assert_string_equal(r->failures[0].receiving_mx, "ironin.rz.uni-potsdam.de");
    assert_int_equal(r->failures[0].count, 37);
    assert_string_equal(r->failures[1].result_type, "starttls-not-supported");
    assert_string_equal(r->failures[1].receiving_ip, "141.89.68.244");
    assert_int_equal(r->failures[1].count, 12);
    assert_string_equal(r->failures[2].result_type, "sts-policy-fetch-error");
    assert_string_equal(r->failures[2].receiving_ip, "");
    assert_string_equal(r->failures[2].reason_code, "HTTP 404");
    assert_int_equal(r->skipped, 0);
    md_tlsrpt_free(r);
}

static void test_google_gz(void **state)
{
    (void)state;
    md_tlsrpt_report *r = parse_file(GOOGLE);
    assert_string_equal(r->org_name, "Google Inc.");
    assert_int_equal(r->npolicies, 1);
    assert_int_equal(r->policies[0].success, 412);
    assert_int_equal(r->policies[0].failure, 5);
    assert_int_equal(r->nfailures, 1);
    assert_string_equal(r->failures[0].sending_ip, "209.85.128.51");
    md_tlsrpt_free(r);
}

static void expect_error(const char *doc, int code, const char *want)
{
    md_tlsrpt_report *r = (md_tlsrpt_report *)1;
    md_err e = {0, ""};
    assert_int_equal(parse_str(doc, &r, &e), code);
    assert_null(r);
    if (!strstr(e.msg, want))
        fail_msg("'%s' lacks '%s'", e.msg, want);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("{\n\"a\": 1,\n\"b\": ]", MD_ERR_PARSE, "mem.json:3: not JSON");
    expect_error("{\n\"policies\": [", MD_ERR_PARSE, "mem.json:2: JSON document cut short");
    expect_error("{\"policies\": []} x", MD_ERR_PARSE, "text after the JSON document");
    expect_error("[1, 2]", MD_ERR_PARSE, "not a TLS report");
    expect_error("{\"policies\": [], \"date-range\": {}}", MD_ERR_PARSE, "without \"report-id\"");
    expect_error("{\"policies\": [], \"report-id\": \"x\", \"date-range\": {\"start-datetime\": "
                 "\"2016-04-22\", \"end-datetime\": \"2016-04-22T23:59:59Z\"}}",
                 MD_ERR_PARSE, "date-range");
    expect_error("", MD_ERR_PARSE, "empty");
}

static void test_limits(void **state)
{
    (void)state;
    char deep[2 * MD_LIMIT_JSON_DEPTH + 8];
    size_t n = 0;
    for (int i = 0; i < MD_LIMIT_JSON_DEPTH + 2; i++)
        deep[n++] = '[';
    deep[n] = '\0';
    expect_error(deep, MD_ERR_LIMIT, "nested deeper than the limit");
    md_tlsrpt_report *r = NULL;
    md_err e = {0, ""};
    assert_int_equal(md_tlsrpt_parse(&r, "big.json", "{}", (size_t)MD_LIMIT_JSON_BYTES + 1, &e),
                     MD_ERR_LIMIT);
}

static void test_rows_skipped(void **state)
{
    (void)state;
    const char *doc =
        "{\"report-id\": \"r1\", \"organization-name\": \"X\",\n"
        " \"date-range\": {\"start-datetime\": \"2026-12-01T00:00:00+01:00\","
        " \"end-datetime\": \"2026-12-01T23:59:59.5Z\"},\n"
        " \"policies\": [17, {\"policy\": {\"policy-type\": \"no-policy-found\","
        " \"policy-domain\": \"Example.ORG\"},"
        " \"summary\": {\"total-successful-session-count\": 3, \"total-failure-session-count\": 2},"
        " \"failure-details\": [{\"result-type\": \"validation-failure\"},"
        " {\"result-type\": \"dane-required\", \"sending-mta-ip\": \"not-an-ip\","
        " \"failed-session-count\": 2}, {\"failed-session-count\": -1}]}]}";
    md_tlsrpt_report *r = NULL;
    md_err e = {0, ""};
    assert_int_equal(parse_str(doc, &r, &e), 0);
    assert_int_equal(r->begin, 1796079600); /* 2026-12-01T00:00:00+01:00 */
    assert_int_equal(r->end, 1796169599);
    assert_int_equal(r->skipped, 3);       /* 17, no count, count -1 */
    assert_int_equal(r->npolicies, 1);
    assert_string_equal(r->policies[0].type, "no-policy-found");
    assert_string_equal(r->policies[0].domain, "example.org");
    assert_string_equal(r->policies[0].mx_hosts, "");
    assert_int_equal(r->policies[0].success, 3);
    assert_int_equal(r->policies[0].failure, 2);
    assert_int_equal(r->nfailures, 1);
    assert_string_equal(r->failures[0].result_type, "dane-required");
    assert_string_equal(r->failures[0].sending_ip, "");
    assert_int_equal(r->failures[0].count, 2);
    md_tlsrpt_free(r);
}

static void test_time_and_sniff(void **state)
{
    (void)state;
    int64_t t = 0;
    assert_int_equal(md_tlsrpt_time("2016-04-22T00:00:00Z", &t), 0);
    assert_int_equal(t, 1461283200);
    assert_int_equal(md_tlsrpt_time("2016-04-22T02:00:00+02:00", &t), 0);
    assert_int_equal(t, 1461283200);
    assert_int_equal(md_tlsrpt_time("2016-04-22T00:00:00.123Z", &t), 0);
    assert_int_equal(t, 1461283200);
    assert_int_equal(md_tlsrpt_time("2016-04-22", &t), -1);
    assert_int_equal(md_tlsrpt_time("2016-13-22T00:00:00Z", &t), -1);
    assert_int_equal(md_tlsrpt_time("2016-04-22T00:00:00", &t), -1);
    const char *s = "{\"organization-name\": \"G\", \"report-id\": \"x\", \"policies\": []}";
    assert_true(md_tlsrpt_sniff(s, strlen(s)));
    assert_false(md_tlsrpt_sniff("{\"policies\": []}", 16));
    assert_false(md_tlsrpt_sniff("<feedback>", 10));
    assert_false(md_tlsrpt_sniff("", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_microsoft),
        cmocka_unit_test(test_google_gz),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_rows_skipped),
        cmocka_unit_test(test_time_and_sniff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
