/* test_store_tls.c: lib/store/store_tls.c: a TLS report stored once per
 * reporter + report id (a second add stores nothing); the per-day reader
 * sums sessions per policy domain and reporter (Microsoft marked); the
 * failure reader filters by domain and by an IP that is the sending or the
 * receiving one; a window excludes other days; counts.  Data built here,
 * figures checked against what was put in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "store/store.h"
#include "store/store_tls.h"
#include "testutil.h"

#define D22 1461283200 /* 2016-04-22 00:00 UTC */
#define D23 1461369600

static char dbpath[512];

static void build(md_tlsrpt_report *r, md_tlsrpt_policy *p, md_tlsrpt_failure *f,
                  const char *org, const char *id, int64_t begin)
{
    memset(r, 0, sizeof *r);
    memset(p, 0, 2 * sizeof *p);
    memset(f, 0, 2 * sizeof *f);
    snprintf(r->org_name, sizeof r->org_name, "%s", org);
    snprintf(r->report_id, sizeof r->report_id, "%s", id);
    r->begin = begin;
    r->end = begin + 86399;
    r->policies = p;
    r->npolicies = 2;
    r->failures = f;
    r->nfailures = 2;
    snprintf(p[0].domain, sizeof p[0].domain, "uni-potsdam.de");
    snprintf(p[0].type, sizeof p[0].type, "sts");
    p[0].success = 100;
    p[0].failure = 9;
    p[0].fail_first = 0;
    p[0].nfail = 2;
    snprintf(p[1].domain, sizeof p[1].domain, "example.org");
    p[1].success = 7;
    snprintf(f[0].result_type, sizeof f[0].result_type, "certificate-expired");
    snprintf(f[0].receiving_ip, sizeof f[0].receiving_ip, "141.89.68.18");
    snprintf(f[0].sending_ip, sizeof f[0].sending_ip, "40.92.68.31");
    snprintf(f[0].receiving_mx, sizeof f[0].receiving_mx, "ironin.rz.uni-potsdam.de");
    f[0].count = 6;
    snprintf(f[1].result_type, sizeof f[1].result_type, "starttls-not-supported");
    snprintf(f[1].receiving_ip, sizeof f[1].receiving_ip, "141.89.68.244");
    f[1].count = 3;
}

typedef struct seen {
    int n;
    char line[8][1024];
} seen;

static int on_day(void *arg, const md_tls_day *d)
{
    seen *s = arg;
    if (s->n < 8)
        snprintf(s->line[s->n], sizeof s->line[0], "%s %s %s ms=%d %llu/%llu", d->day,
                 d->domain, d->org_name, d->microsoft, (unsigned long long)d->success,
                 (unsigned long long)d->failure);
    s->n++;
    return 0;
}

static int on_fail(void *arg, const md_tls_fail *f)
{
    seen *s = arg;
    if (s->n < 8)
        snprintf(s->line[s->n], sizeof s->line[0], "%s %s %s %s %s %llu", f->day,
                 f->result_type, f->receiving_mx, f->receiving_ip, f->sending_ip,
                 (unsigned long long)f->count);
    s->n++;
    return 0;
}

static void test_add_and_read(void **state)
{
    (void)state;
    md_store *st = md_test_store_open(dbpath, sizeof dbpath, "test_store_tls");
    md_err e = {0, ""};
    md_tlsrpt_report r;
    md_tlsrpt_policy p[2];
    md_tlsrpt_failure f[2];
    int added = 0;
    build(&r, p, f, "Microsoft Corporation", "m1", D22);
    assert_int_equal(md_store_tls_add(st, &r, "a.json", 0, &added, &e), 0);
    assert_int_equal(added, 1);
    assert_int_equal(md_store_tls_add(st, &r, "a.json", 0, &added, &e), 0);
    assert_int_equal(added, 0);
    build(&r, p, f, "Google Inc.", "g1", D22);
    p[0].success = 50;
    p[0].failure = 1;
    assert_int_equal(md_store_tls_add(st, &r, "g.json", 0, &added, &e), 0);
    build(&r, p, f, "Microsoft Corporation", "m2", D23);
    assert_int_equal(md_store_tls_add(st, &r, "b.json", 0, &added, &e), 0);

    seen s = {0};
    assert_int_equal(md_store_tls_days(st, "uni-potsdam.de", D22, D22 + 86399, on_day, &s, &e), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.line[0], "2016-04-22 uni-potsdam.de Google Inc. ms=0 50/1");
    assert_string_equal(s.line[1], "2016-04-22 uni-potsdam.de Microsoft Corporation ms=1 100/9");
    memset(&s, 0, sizeof s);
    assert_int_equal(md_store_tls_days(st, NULL, 0, INT64_MAX, on_day, &s, &e), 0);
    assert_int_equal(s.n, 6); /* 2 domains x 2 reporters on the 22nd, 2 domains on the 23rd */
    assert_string_equal(s.line[0], "2016-04-22 example.org Google Inc. ms=0 7/0");

    memset(&s, 0, sizeof s);
    assert_int_equal(md_store_tls_failures(st, NULL, "141.89.68.18", D23, D23 + 86399, on_fail,
                                           &s, &e), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.line[0], "2016-04-23 certificate-expired ironin.rz.uni-potsdam.de "
                                   "141.89.68.18 40.92.68.31 6");
    memset(&s, 0, sizeof s);
    assert_int_equal(md_store_tls_failures(st, "uni-potsdam.de", "40.92.68.31", 0, INT64_MAX,
                                           on_fail, &s, &e), 0);
    assert_int_equal(s.n, 3);
    memset(&s, 0, sizeof s);
    assert_int_equal(md_store_tls_failures(st, "example.org", NULL, 0, INT64_MAX, on_fail, &s,
                                           &e), 0);
    assert_int_equal(s.n, 0);

    int64_t nr, np, nf;
    assert_int_equal(md_store_tls_counts(st, &nr, &np, &nf, &e), 0);
    assert_int_equal(nr, 3);
    assert_int_equal(np, 6);
    assert_int_equal(nf, 6);
    md_test_store_close(st, dbpath);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_and_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
