/* test_domain.c: lib/analysis/domain.c (and the parsers it uses,
 * parse/reply515.c and parse/dnsexport.c) on a store ingested from a
 * generated log: messages a day to Microsoft's consumer domains counted
 * once however many recipients and tries, 5,001 messages over the limit
 * and 5,000 not, senders of subdomains counted and look-alikes not, mail
 * to others not; the 5.7.515 refusals with the results their text names;
 * SPF/DMARC records of a DNS export, and its bad line named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/domain.h"
#include "base/md_limits.h"
#include "testutil.h"
#include "logstore.h"

static char dir[512];
static md_store *st;
static char **lines;
static size_t nlines;

#define PF "postfix/smtp[20]: "
#define MX "relay=hotmail-com.olc.protection.outlook.com[104.47.18.97]:25, delay=1, "

static void add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void add(const char *fmt, ...)
{
    char b[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    lines = realloc(lines, (nlines + 1) * sizeof *lines);
    lines[nlines++] = strdup(b);
}

/* one message of sender on day (2016-05-DD) at second s to rcpt, sent */
static void one(int dd, int s, int id, const char *sender, const char *rcpt)
{
    add("2016-05-%02dT%02d:%02d:%02d+00:00 relay postfix/qmgr[10]: Q%dz%dx: from=<%s>, size=100, "
        "nrcpt=1 (queue active)", dd, s / 3600, s / 60 % 60, s % 60, dd, id, sender);
    add("2016-05-%02dT%02d:%02d:%02d+00:00 relay " PF "Q%dz%dx: to=<%s>, " MX "dsn=2.6.0, "
        "status=sent (250 2.6.0 <%d@x> Queued mail for delivery)", dd, s / 3600, s / 60 % 60,
        s % 60, dd, id, rcpt, id);
}

static int setup(void **state)
{
    (void)state;
    /* 2016-05-03: 5,001 messages; 2016-05-04: 5,000 */
    for (int i = 0; i < 5001; i++)
        one(3, 3600 + i * 8, i, i % 2 ? "a@uni-potsdam.de" : "b@cs.Uni-Potsdam.DE",
            i % 3 ? "x@hotmail.com" : "y@outlook.de");
    for (int i = 0; i < 5000; i++)
        one(4, 3600 + i * 8, i, "a@uni-potsdam.de", "x@live.com");
    /* 2016-05-05: 1 message to two recipients, one tried twice; a look-alike
     * sender; mail to gmx (relayed elsewhere) */
    add("2016-05-05T10:00:00+00:00 relay postfix/qmgr[10]: M1z1x: from=<c@uni-potsdam.de>, "
        "size=1, nrcpt=2 (queue active)");
    add("2016-05-05T10:00:01+00:00 relay " PF "M1z1x: to=<p@hotmail.de>, " MX "dsn=4.7.650, "
        "status=deferred (host mx said: 451 4.7.650 rate limited (in reply to RCPT TO command))");
    add("2016-05-05T10:00:02+00:00 relay " PF "M1z1x: to=<q@msn.com>, " MX "dsn=2.6.0, "
        "status=sent (250 2.6.0 <1@x> Queued mail for delivery)");
    add("2016-05-05T10:30:01+00:00 relay " PF "M1z1x: to=<p@hotmail.de>, " MX "dsn=2.6.0, "
        "status=sent (250 2.6.0 <2@x> Queued mail for delivery)");
    one(5, 40000, 2, "d@xuni-potsdam.de", "x@hotmail.com");
    add("2016-05-05T12:00:00+00:00 relay postfix/qmgr[10]: M3z3x: from=<e@uni-potsdam.de>, "
        "size=1, nrcpt=1 (queue active)");
    add("2016-05-05T12:00:01+00:00 relay " PF "M3z3x: to=<r@gmx.de>, relay=mx00.gmx.net"
        "[212.227.15.9]:25, delay=1, dsn=2.0.0, status=sent (250 ok)");
    /* 2016-05-06: a 5.7.515 refusal naming its results */
    add("2016-05-06T09:00:00+00:00 relay postfix/qmgr[10]: M4z4x: from=<f@uni-potsdam.de>, "
        "size=1, nrcpt=1 (queue active)");
    add("2016-05-06T09:00:01+00:00 relay " PF "M4z4x: to=<s@outlook.com>, " MX "dsn=5.7.515, "
        "status=bounced (host mx said: 550 5.7.515 Access denied, sending domain "
        "[uni-potsdam.de] does not meet the required authentication level. SPF: fail, "
        "DKIM: pass, DMARC: fail. (in reply to RCPT TO command))");
    return md_test_logstore(dir, sizeof dir, "test_domain", (const char *const *)lines, nlines,
                            2016, &st);
}

static int teardown(void **state)
{
    (void)state;
    md_store_close(st);
    for (size_t i = 0; i < nlines; i++)
        free(lines[i]);
    free(lines);
    return 0;
}

static const md_domain_day *day_of(const md_domain_report *r, int dd)
{
    int64_t want = 1462233600 + (int64_t)(dd - 3) * 86400; /* 2016-05-03 00:00 UTC */
    for (size_t i = 0; i < r->ndays; i++)
        if (r->days[i].day == want)
            return &r->days[i];
    return NULL;
}

static void test_volume(void **state)
{
    (void)state;
    md_domain_report r;
    md_err err = {0, ""};
    assert_int_equal(md_analysis_domain(st, "Uni-Potsdam.de", 0, 0, &r, &err), MD_OK);
    assert_string_equal(r.domain, "uni-potsdam.de");
    const md_domain_day *d3 = day_of(&r, 3), *d4 = day_of(&r, 4), *d5 = day_of(&r, 5);
    assert_non_null(d3);
    assert_non_null(d4);
    assert_non_null(d5);
    assert_int_equal(d3->messages, 5001);
    assert_int_equal(d3->attempts, 5001);
    assert_int_equal(d3->over, 1);
    assert_int_equal(d4->messages, 5000);
    assert_int_equal(d4->over, 0);
    /* one message, three attempts (two recipients, one tried twice); the
     * look-alike and the gmx mail do not count */
    assert_int_equal(d5->messages, 1);
    assert_int_equal(d5->attempts, 3);
    assert_int_equal(d5->accepted, 2);
    assert_int_equal(d5->deferred, 1);
    assert_int_equal(r.days_over, 1);
    assert_int_equal(r.max_messages, 5001);
    md_analysis_domain_free(&r);
    /* the subdomain alone; a window */
    assert_int_equal(md_analysis_domain(st, "cs.uni-potsdam.de", 0, 0, &r, &err), MD_OK);
    assert_int_equal(r.ndays, 1);
    assert_int_equal(r.days[0].messages, 2501);
    md_analysis_domain_free(&r);
    assert_int_equal(md_analysis_domain(st, "uni-potsdam.de", 1462320000, 1462406399, &r, &err),
                     MD_OK);
    assert_int_equal(r.ndays, 1);
    assert_int_equal(r.days[0].messages, 5000);
    md_analysis_domain_free(&r);
    assert_int_equal(md_analysis_domain(st, "nobody.example", 0, 0, &r, &err), MD_OK);
    assert_int_equal(r.ndays + r.refusals_total, 0);
    md_analysis_domain_free(&r);
    assert_int_equal(md_analysis_domain(st, "bad domain", 0, 0, &r, &err), MD_ERR_ARG);
}

static void test_refusals(void **state)
{
    (void)state;
    md_domain_report r;
    md_err err = {0, ""};
    assert_int_equal(md_analysis_domain(st, "uni-potsdam.de", 0, 0, &r, &err), MD_OK);
    assert_int_equal(r.refusals_total, 1);
    assert_int_equal(r.nrefusals, 1);
    const md_domain_515 *x = &r.refusals[0];
    assert_int_equal(x->from_log, 1);
    assert_int_equal(x->t, 1462525201);
    assert_string_equal(x->rcpt_domain, "outlook.com");
    assert_string_equal(x->r.domain, "uni-potsdam.de");
    assert_string_equal(x->r.spf, "fail");
    assert_string_equal(x->r.dkim, "pass");
    assert_string_equal(x->r.dmarc, "fail");
    assert_non_null(strstr(x->where, "mail.log:"));
    md_analysis_domain_free(&r);
}

static void test_reply515(void **state)
{
    (void)state;
    md_reply515 r;
    const char *a = "550 5.7.515 Access denied, sending domain [CS.Uni-Potsdam.de] does not meet "
                    "the required authentication level. spf=pass dkim=fail (body hash) "
                    "DMARC result: fail";
    md_reply515_parse(a, strlen(a), &r);
    assert_int_equal(r.is515, 1);
    assert_string_equal(r.domain, "cs.uni-potsdam.de");
    assert_string_equal(r.spf, "pass");
    assert_string_equal(r.dkim, "fail");
    assert_string_equal(r.dmarc, "fail");
    const char *b = "550 5.7.515 Access denied, sending domain [x.org] does not meet the "
                    "required authentication level. See aka.ms/spfdkim";
    md_reply515_parse(b, strlen(b), &r);
    assert_string_equal(r.domain, "x.org");
    assert_string_equal(r.spf, "");
    assert_string_equal(r.dkim, "");
    md_reply515_parse("5.7.1 nope", 10, &r);
    assert_int_equal(r.is515, 0);
    assert_int_equal(md_domain_matches("a@x.uni-potsdam.de>", "uni-potsdam.de"), 1);
    assert_int_equal(md_domain_matches("a@xuni-potsdam.de", "uni-potsdam.de"), 0);
    assert_int_equal(md_domain_matches("", "uni-potsdam.de"), 0);
}

static void test_dns(void **state)
{
    (void)state;
    md_dns_export x;
    md_err err = {0, ""};
    assert_int_equal(md_analysis_domain_dns(MD_FIXTURES "/dns/uni-potsdam.de.dig",
                                            "uni-potsdam.de", &x, &err), MD_OK);
    assert_int_equal(x.n, 3);
    assert_int_equal(x.rec[0].kind, MD_DNS_SPF);
    assert_int_equal(x.rec[0].line, 6);
    assert_string_equal(x.rec[0].text, "v=spf1 ip4:141.89.64.0/20 ip4:141.89.68.0/24 "
                                       "include:_spf.uni-potsdam.de ~all");
    assert_int_equal(x.rec[1].kind, MD_DNS_DMARC);
    assert_string_equal(x.rec[1].name, "_dmarc.uni-potsdam.de");
    assert_string_equal(x.rec[2].name, "cs.uni-potsdam.de");
    assert_int_equal(md_analysis_domain_dns(MD_FIXTURES "/dns/bad/unterminated.zone",
                                            "uni-potsdam.de", &x, &err), MD_ERR_PARSE);
    assert_non_null(strstr(err.msg, "unterminated.zone: line 4: unterminated"));
    /* zone form: $ORIGIN, @, relative names, a blank-started line */
    const char *z = "$ORIGIN example.org.\n@ IN TXT \"v=spf1 -all\"\n"
                    "_dmarc 300 IN TXT \"v=DMARC1; p=reject\"\n   IN TXT \"v=spf1 a\"\n";
    assert_int_equal(md_dns_export_parse(z, strlen(z), &x, &err), MD_OK);
    assert_int_equal(x.n, 3);
    assert_string_equal(x.rec[0].name, "example.org");
    assert_string_equal(x.rec[1].name, "_dmarc.example.org");
    assert_string_equal(x.rec[2].name, "_dmarc.example.org");
    const char *m = "x. IN TXT ( \"v=spf1\"\n \"-all\" )\n";
    assert_int_equal(md_dns_export_parse(m, strlen(m), &x, &err), MD_ERR_PARSE);
    assert_non_null(strstr(err.msg, "line 1: multi-line"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_volume),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_reply515),
        cmocka_unit_test(test_dns),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
