/* test_store_rep.c: lib/store/store_rep.c: DMARC reports stored once per
 * reporter + report id; SNDS rows replaced per IP and activity start;
 * status ranges widened; a failed write inside the caller's transaction
 * leaves nothing; the queries for the dossier and 'ip': days of an IP with
 * SNDS colour and DMARC pass/fail (all reporters and Microsoft's), DMARC
 * per reporter, status ranges holding an IP, IPs with trouble (only ours
 * with a configuration), totals.  Data built here, figures checked against
 * what was put in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/config.h"
#include "store/store.h"
#include "store/store_rep.h"
#include "testutil.h"

#define D22 1461283200 /* 2016-04-22 00:00 UTC */
#define D23 1461369600
#define D24 1461456000

static char dbpath[512];

static md_store *open_store(void)
{
    return md_test_store_open(dbpath, sizeof dbpath, "test_store_rep");
}

static void close_store(md_store *st)
{
    md_test_store_close(st, dbpath);
}

static void add_rec(md_dmarc_report *r, const char *ip, uint64_t count, const char *disp,
                    const char *dkim, const char *spf)
{
    r->records = realloc(r->records, (r->nrecords + 1) * sizeof *r->records);
    assert_non_null(r->records);
    md_dmarc_record *c = &r->records[r->nrecords++];
    memset(c, 0, sizeof *c);
    snprintf(c->source_ip, sizeof c->source_ip, "%s", ip);
    c->count = count;
    snprintf(c->disposition, sizeof c->disposition, "%s", disp);
    snprintf(c->dkim, sizeof c->dkim, "%s", dkim);
    snprintf(c->spf, sizeof c->spf, "%s", spf);
    snprintf(c->header_from, sizeof c->header_from, "uni-potsdam.de");
    r->auths = realloc(r->auths, (r->nauths + 1) * sizeof *r->auths);
    assert_non_null(r->auths);
    md_dmarc_auth *a = &r->auths[r->nauths];
    memset(a, 0, sizeof *a);
    snprintf(a->method, sizeof a->method, "spf");
    snprintf(a->result, sizeof a->result, "%s", spf);
    c->auth_first = r->nauths++;
    c->nauth = 1;
    r->messages += count;
}

static md_dmarc_report *report(const char *org, const char *email, const char *id,
                               int64_t begin)
{
    md_dmarc_report *r = calloc(1, sizeof *r);
    assert_non_null(r);
    snprintf(r->org_name, sizeof r->org_name, "%s", org);
    snprintf(r->email, sizeof r->email, "%s", email);
    snprintf(r->report_id, sizeof r->report_id, "%s", id);
    snprintf(r->domain, sizeof r->domain, "uni-potsdam.de");
    r->begin = begin;
    r->end = begin + 86400;
    r->pct = 100;
    return r;
}

static void snds(md_store *st, const char *ip, int64_t start, const char *filter,
                 const char *rate, int64_t traps, int64_t rcpt, int want_added)
{
    md_snds_row row;
    memset(&row, 0, sizeof row);
    snprintf(row.ip, sizeof row.ip, "%s", ip);
    row.act_start = start;
    row.act_end = start + 86399;
    row.rcpt = rcpt;
    row.data = rcpt - 10;
    row.recipients = -1;
    snprintf(row.filter, sizeof row.filter, "%s", filter);
    snprintf(row.complaint, sizeof row.complaint, "%s", rate);
    assert_int_equal(md_snds_parse_rate(rate, strlen(rate), &row.complaint_pct,
                                        &row.complaint_lt), 0);
    row.trap_hits = traps;
    snprintf(row.helo, sizeof row.helo, "ironout.rz.uni-potsdam.de");
    int added = -1;
    md_err e = {0, ""};
    assert_int_equal(md_store_rep_snds_put(st, &row, 0, 7, &added, &e), 0);
    assert_int_equal(added, want_added);
}

/* the scenario's data: Outlook.com for 04-22 and 04-23, Google for 04-23 */
static void fill(md_store *st)
{
    md_err e = {0, ""};
    int added = -1;
    md_dmarc_report *a = report("Outlook.com", "dmarcreport@microsoft.com", "ms-0422", D22);
    add_rec(a, "141.89.68.7", 380, "none", "fail", "pass");
    add_rec(a, "141.89.68.8", 31, "none", "fail", "fail");
    assert_int_equal(md_store_rep_dmarc_add(st, a, "a.xml", 0, &added, &e), 0);
    assert_int_equal(added, 1);
    md_dmarc_report *b = report("Outlook.com", "dmarcreport@microsoft.com", "ms-0423", D23);
    add_rec(b, "141.89.68.7", 412, "none", "fail", "pass");
    add_rec(b, "141.89.68.8", 23, "quarantine", "fail", "fail");
    add_rec(b, "185.12.64.9", 5, "reject", "fail", "fail");
    assert_int_equal(md_store_rep_dmarc_add(st, b, "b.xml.gz", 0, &added, &e), 0);
    md_dmarc_report *g = report("google.com", "noreply-dmarc-support@google.com", "g-0423", D23);
    add_rec(g, "141.89.68.7", 12, "none", "pass", "pass");
    add_rec(g, "141.89.68.8", 2, "none", "pass", "fail");
    assert_int_equal(md_store_rep_dmarc_add(st, g, NULL, 0, &added, &e), 0);
    /* the same report again: nothing new */
    assert_int_equal(md_store_rep_dmarc_add(st, b, "copy.xml", 0, &added, &e), 0);
    assert_int_equal(added, 0);
    md_dmarc_free(a);
    md_dmarc_free(b);
    md_dmarc_free(g);

    snds(st, "141.89.68.7", D22, "YELLOW", "0.6%", 1, 8851, 1);
    snds(st, "141.89.68.7", D23, "GREEN", "< 0.1%", 0, 8000, 1);
    snds(st, "141.89.68.7", D23, "RED", "1.2%", 3, 8888, 0); /* a later export replaces */
    snds(st, "141.89.68.8", D23, "GREEN", "< 0.1%", 0, 1320, 1);
    snds(st, "8.8.8.8", D23, "RED", "5%", 9, 10, 1);         /* not ours */

    md_snds_status s = {"141.89.68.7", "141.89.68.7", 1,
                        "Blocked due to user complaints or other evidence of spamming"};
    assert_int_equal(md_store_rep_status_put(st, &s, D24, 0, 1, &e), 0);
    assert_int_equal(md_store_rep_status_put(st, &s, D24 + 86400, 0, 1, &e), 0);
    md_snds_status w = {"141.89.68.3", "141.89.68.4", 0, "Junked"};
    assert_int_equal(md_store_rep_status_put(st, &w, D24, 0, 2, &e), 0);
}

static void test_counts_and_idempotence(void **state)
{
    (void)state;
    md_store *st = open_store();
    fill(st);
    md_rep_counts c;
    md_err e = {0, ""};
    assert_int_equal(md_store_rep_counts(st, &c, &e), 0);
    assert_int_equal(c.dmarc_reports, 3);
    assert_int_equal(c.dmarc_records, 7);
    assert_int_equal(c.dmarc_messages, 380 + 31 + 412 + 23 + 5 + 12 + 2);
    assert_int_equal(c.snds_rows, 4);
    assert_int_equal(c.snds_ips, 3);
    assert_int_equal(c.status_rows, 2);
    assert_int_equal(c.status_blocked, 1);
    close_store(st);
}

static void test_ip_days(void **state)
{
    (void)state;
    md_store *st = open_store();
    fill(st);
    md_rep_day *d = NULL;
    size_t n = 0;
    md_err e = {0, ""};
    assert_int_equal(md_store_rep_ip_days(st, "141.89.68.7", 0, 0, &d, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(d[0].day, "2016-04-22");
    assert_int_equal(d[0].has_snds, 1);
    assert_string_equal(d[0].filter, "YELLOW");
    assert_int_equal(d[0].trap_hits, 1);
    assert_int_equal(d[0].ms_pass, 380);
    assert_int_equal(d[0].ms_fail, 0);
    assert_string_equal(d[1].day, "2016-04-23");
    assert_string_equal(d[1].filter, "RED");      /* replaced, not GREEN */
    assert_string_equal(d[1].complaint, "1.2%");
    assert_int_equal(d[1].rcpt, 8888);
    assert_int_equal(d[1].recipients, -1);
    assert_int_equal(d[1].trap_hits, 3);
    assert_int_equal(d[1].snds_line, 7);
    assert_int_equal(d[1].dmarc_pass, 412 + 12);  /* Outlook.com and Google */
    assert_int_equal(d[1].ms_pass, 412);
    free(d);
    /* smtpout: failures at Microsoft, a quarantine */
    assert_int_equal(md_store_rep_ip_days(st, "141.89.68.8", D23, D24, &d, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(d[0].ms_fail, 23);
    assert_int_equal(d[0].ms_quarantine, 23);
    assert_int_equal(d[0].dmarc_pass, 2);
    assert_int_equal(d[0].dmarc_fail, 23);
    free(d);
    /* a window with nothing; an IP with nothing; a bad IP */
    assert_int_equal(md_store_rep_ip_days(st, "141.89.68.7", D24 + 86400, 0, &d, &n, &e), 0);
    assert_int_equal(n, 0);
    assert_null(d);
    assert_int_equal(md_store_rep_ip_days(st, "141.89.68.18", 0, 0, &d, &n, &e), 0);
    assert_int_equal(n, 0);
    assert_int_equal(md_store_rep_ip_days(st, "141.89.68", 0, 0, &d, &n, &e), MD_ERR_ARG);
    close_store(st);
}

static void test_ip_dmarc_and_status(void **state)
{
    (void)state;
    md_store *st = open_store();
    fill(st);
    md_rep_dmarc_sum *s = NULL;
    size_t n = 0;
    md_err e = {0, ""};
    assert_int_equal(md_store_rep_ip_dmarc(st, "141.89.68.7", 0, 0, &s, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(s[0].org_name, "Outlook.com");
    assert_int_equal(s[0].microsoft, 1);
    assert_int_equal(s[0].reports, 2);
    assert_int_equal(s[0].messages, 792);
    assert_int_equal(s[0].pass, 792);
    /* each check as counted: the fixtures' ironout rows fail DKIM, pass SPF */
    assert_int_equal(s[0].dkim_pass, 0);
    assert_int_equal(s[0].spf_pass, 792);
    assert_int_equal(s[0].first_begin, D22);
    assert_int_equal(s[0].last_end, D24);
    assert_string_equal(s[0].header_from, "uni-potsdam.de");
    assert_string_equal(s[1].org_name, "google.com");
    assert_int_equal(s[1].microsoft, 0);
    free(s);
    assert_int_equal(md_store_rep_ip_dmarc(st, "141.89.68.8", D23 + 1, 0, &s, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(s[0].fail, 23);
    assert_int_equal(s[0].quarantine, 23);
    free(s);

    md_rep_status *r = NULL;
    assert_int_equal(md_store_rep_ip_status(st, "141.89.68.7", &r, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].blocked, 1);
    assert_int_equal(r[0].first_seen, D24);
    assert_int_equal(r[0].last_seen, D24 + 86400);
    free(r);
    /* inside the range 141.89.68.3 - 141.89.68.4, not outside */
    assert_int_equal(md_store_rep_ip_status(st, "141.89.68.4", &r, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].blocked, 0);
    assert_string_equal(r[0].first, "141.89.68.3");
    free(r);
    assert_int_equal(md_store_rep_ip_status(st, "141.89.68.5", &r, &n, &e), 0);
    assert_int_equal(n, 0);
    assert_int_equal(md_store_rep_ip_status(st, "::ffff:141.89.68.2", &r, &n, &e), 0);
    assert_int_equal(n, 0);
    close_store(st);
}

static void test_problems(void **state)
{
    (void)state;
    md_store *st = open_store();
    fill(st);
    md_rep_problem *p = NULL;
    size_t n = 0;
    md_err e = {0, ""};
    /* every IP: 8.8.8.8 (RED), .7 (blocked, RED, YELLOW), .8 and the spoofer (DMARC fails) */
    assert_int_equal(md_store_rep_problems(st, NULL, 0, 0, &p, &n, &e), 0);
    assert_int_equal(n, 4);
    assert_string_equal(p[0].ip, "141.89.68.7"); /* blocked first */
    assert_int_equal(p[0].blocked, 1);
    assert_int_equal(p[0].red_days, 1);
    assert_int_equal(p[0].yellow_days, 1);
    assert_int_equal(p[0].trap_hits, 4);
    assert_true(p[0].max_complaint_pct > 1.19 && p[0].max_complaint_pct < 1.21);
    assert_string_equal(p[0].first_day, "2016-04-22");
    assert_string_equal(p[0].last_day, "2016-04-23");
    assert_string_equal(p[1].ip, "8.8.8.8");
    free(p);
    /* only ours (141.89.0.0/16) */
    md_config cfg;
    md_config_defaults(&cfg);
    assert_int_equal(md_config_load(&cfg, MD_FIXTURES "/maildossier.conf", &e), 0);
    assert_int_equal(md_store_rep_problems(st, &cfg, 0, 0, &p, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(p[0].ip, "141.89.68.7");
    assert_string_equal(p[1].ip, "141.89.68.8");
    assert_int_equal(p[1].red_days, 0);
    assert_int_equal(p[1].dmarc_fail, 31 + 23);
    assert_int_equal(p[1].ms_fail, 31 + 23);
    assert_int_equal(p[1].dmarc_pass, 2);
    assert_int_equal(p[1].blocked, 0);
    free(p);
    /* window: only 04-22 */
    assert_int_equal(md_store_rep_problems(st, &cfg, D22, D23 - 1, &p, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(p[0].red_days, 0);
    assert_int_equal(p[0].yellow_days, 1);
    free(p);
    close_store(st);
}

static void test_joins_caller_transaction(void **state)
{
    (void)state;
    md_store *st = open_store();
    md_err e = {0, ""};
    assert_int_equal(md_store_begin(st, &e), 0);
    md_dmarc_report *a = report("Outlook.com", "dmarcreport@microsoft.com", "tx-1", D22);
    add_rec(a, "141.89.68.1", 44, "none", "pass", "fail");
    int added = 0;
    assert_int_equal(md_store_rep_dmarc_add(st, a, NULL, 0, &added, &e), 0);
    assert_int_equal(added, 1);
    md_store_rollback(st); /* the caller gives up: nothing stays */
    md_rep_counts c;
    assert_int_equal(md_store_rep_counts(st, &c, &e), 0);
    assert_int_equal(c.dmarc_reports, 0);
    assert_int_equal(c.dmarc_records, 0);
    /* a source marked complete with the report */
    md_source src;
    int created;
    assert_int_equal(md_store_source_get(st, "fp-test", "dmarc", "x.xml", &src, &created, &e), 0);
    assert_int_equal(src.complete, 0);
    assert_int_equal(md_store_rep_dmarc_add(st, a, "x.xml", src.id, &added, &e), 0);
    assert_int_equal(md_store_source_get(st, "fp-test", "dmarc", "x.xml", &src, &created, &e), 0);
    assert_int_equal(created, 0);
    assert_int_equal(src.complete, 1);
    /* a bad IP in an SNDS row is the caller's error, nothing stored */
    md_snds_row row;
    memset(&row, 0, sizeof row);
    snprintf(row.ip, sizeof row.ip, "not-an-ip");
    assert_int_equal(md_store_rep_snds_put(st, &row, 0, 1, NULL, &e), MD_ERR_ARG);
    md_dmarc_free(a);
    close_store(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_and_idempotence),
        cmocka_unit_test(test_ip_days),
        cmocka_unit_test(test_ip_dmarc_and_status),
        cmocka_unit_test(test_problems),
        cmocka_unit_test(test_joins_caller_transaction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
