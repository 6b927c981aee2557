/* test_trace.c: lib/analysis/trace.c on a store filled from a small realistic log
 * (ingested through md_ingest_path): raw lines come back in order with
 * file and line number, outcomes per recipient (deferred with reason and
 * the IP Microsoft names, bounced, accepted with InternalId), look-up by
 * IP, the same Message-ID on two hosts becomes a link, the message limit
 * truncates, evidence spans per host and per-day Microsoft counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/config.h"
#include "ingest/ingest.h"
#include "ingest/readers.h"
#include "analysis/trace.h"
#include "testutil.h"
#include "logstore.h"

static char dir[512], logpath[600];
static md_store *st;

static const char *const log_text[] = {
    /* 1 */ "Nov 20 10:00:00 relay postfix/smtpd[10]: 1A2B3C4D5E: client=webmail.uni-potsdam.de[141.89.68.3]",
    /* 2 */ "Nov 20 10:00:00 relay postfix/cleanup[11]: 1A2B3C4D5E: message-id=<abc@uni-potsdam.de>",
    /* 3 */ "Nov 20 10:00:01 relay postfix/qmgr[12]: 1A2B3C4D5E: from=<Ann@uni-potsdam.de>, size=900, nrcpt=2 (queue active)",
    /* 4 */ "Nov 20 10:00:02 relay postfix/smtp[13]: 1A2B3C4D5E: to=<bob@outlook.com>, relay=outlook-com.olc.protection.outlook.com[104.47.56.33]:25, delay=1, delays=0/0/0.5/0.5, dsn=4.7.650, status=deferred (host outlook-com.olc.protection.outlook.com[104.47.56.33] said: 451 4.7.650 The mail server [141.89.68.8] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://aka.ms/postmaster (S775) [DB5EUR03FT012.eop-EUR03.prod.protection.outlook.com 2026-11-20T10:00:02.000Z 08DBB9A4C6F5] (in reply to MAIL FROM command))",
    /* 5 */ "Nov 20 10:00:02 relay postfix/smtp[13]: 1A2B3C4D5E: to=<carl@gmx.de>, relay=mx00.gmx.net[212.227.15.9]:25, delay=1, delays=0/0/0.5/0.5, dsn=5.1.1, status=bounced (host mx00.gmx.net[212.227.15.9] said: 550 5.1.1 <carl@gmx.de> Requested action not taken: mailbox unavailable (in reply to RCPT TO command))",
    /* 6 */ "Nov 20 10:00:03 relay postfix/cleanup[11]: 9F8E7D6C5B: message-id=<bounce1@relay.uni-potsdam.de>",
    /* 7 */ "Nov 20 10:00:03 relay postfix/bounce[14]: 1A2B3C4D5E: sender non-delivery notification: 9F8E7D6C5B",
    /* 8 */ "Nov 20 10:30:02 relay postfix/smtp[13]: 1A2B3C4D5E: to=<bob@outlook.com>, relay=outlook-com.olc.protection.outlook.com[104.47.56.34]:25, delay=1801, delays=1800/0/0.5/0.5, dsn=2.6.0, status=sent (250 2.6.0 <abc@uni-potsdam.de> [InternalId=555, Hostname=AM6PR04MB5432.eurprd04.prod.outlook.com] 1234 bytes in 0.1, 12 KB/sec Queued mail for delivery)",
    /* 9 */ "Nov 20 10:30:02 relay postfix/qmgr[12]: 1A2B3C4D5E: removed",
    /* 10 */ "Nov 20 10:30:05 mailup postfix/smtpd[20]: 7777777777: client=relay.uni-potsdam.de[141.89.68.8]",
    /* 11 */ "Nov 20 10:30:05 mailup postfix/cleanup[21]: 7777777777: message-id=<abc@uni-potsdam.de>",
    /* 12 */ "Nov 20 10:30:05 mailup postfix/qmgr[22]: 7777777777: from=<ann@uni-potsdam.de>, size=950, nrcpt=1 (queue active)",
    /* 13 */ "Nov 21 08:00:00 relay postfix/smtpd[10]: 2B2B2B2B2B: client=mail.example.net[198.51.100.9]",
    /* 14 */ "Nov 21 08:00:01 relay postfix/qmgr[12]: 2B2B2B2B2B: from=<x@example.net>, size=10, nrcpt=1 (queue active)",
    /* 15 */ "Nov 21 08:00:02 relay postfix/smtp[13]: 2B2B2B2B2B: to=<ann@hotmail.de>, relay=hotmail-com.olc.protection.outlook.com[104.47.1.1]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.6.0, status=sent (250 2.6.0 <q@example.net> [InternalId=777, Hostname=X.prod.outlook.com] Queued mail for delivery)",
};

static int setup(void **state)
{
    (void)state;
    int rc = md_test_logstore(dir, sizeof dir, "test_trace", log_text,
                              sizeof log_text / sizeof log_text[0], 2026, &st);
    snprintf(logpath, sizeof logpath, "%s/mail.log", dir);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    md_store_close(st);
    return md_test_rmtree(dir);
}

static md_trace_result *run(md_trace_query *q)
{
    md_trace_result *r = NULL;
    md_err err = {0, ""};
    assert_int_equal(md_trace_run(st, q, &r, &err), MD_OK);
    assert_non_null(r);
    return r;
}

static void test_outcomes_and_lines(void **state)
{
    (void)state;
    md_trace_query q;
    memset(&q, 0, sizeof q);
    const char *a[] = {"ANN@uni-potsdam.de"};
    q.addrs = a;
    q.naddrs = 1;
    q.no_follow = 1;
    md_trace_result *r = run(&q);
    /* the relay's message and the copy on mailup (same sender); not the
     * next day's one, which only a recipient ann@hotmail.de shares */
    assert_int_equal(r->nmsgs, 2);
    const md_trace_msg *m = &r->msgs[0];
    assert_string_equal(m->host, "relay");
    assert_string_equal(m->qid, "1A2B3C4D5E");
    assert_string_equal(m->mta, "postfix");
    assert_int_equal(m->size, 900);
    assert_false(m->open);
    /* lines in order, with their numbers: 1-5, 7, 8, 9 */
    const uint64_t want[] = {1, 2, 3, 4, 5, 7, 8, 9};
    assert_int_equal(m->nlines, 8);
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(m->lines[i].lineno, want[i]);
        assert_string_equal(m->lines[i].text, log_text[want[i] - 1]);
        assert_string_equal(m->lines[i].path, logpath);
    }
    /* three attempts, two recipients; bob's last attempt decides */
    assert_int_equal(m->ndlvs, 3);
    assert_int_equal(m->dlvs[0].outcome, MD_OUTCOME_DEFERRED);
    assert_string_equal(m->dlvs[0].reason, "badreputation");
    assert_string_equal(m->dlvs[0].named_ip, "141.89.68.8");
    assert_true(m->dlvs[0].ms);
    assert_int_equal(m->nrcpts, 2);
    assert_string_equal(m->rcpts[0].rcpt, "bob@outlook.com");
    assert_int_equal(m->rcpts[0].attempts, 2);
    assert_int_equal(m->rcpts[0].outcome, MD_OUTCOME_MS_ACCEPTED);
    assert_non_null(strstr(m->rcpts[0].summary, "InternalId=555"));
    assert_int_equal(m->rcpts[1].outcome, MD_OUTCOME_BOUNCED);
    assert_non_null(strstr(m->rcpts[1].summary, "5.1.1"));
    assert_string_equal(md_trace_outcome_name(m->rcpts[1].outcome), "bounced");
    md_trace_free(r);
}

static void test_links_ip_limit(void **state)
{
    (void)state;
    md_trace_query q;
    memset(&q, 0, sizeof q);
    const char *qq[] = {"7777777777"};
    q.qids = qq;
    q.nqids = 1;
    md_trace_result *r = run(&q);
    /* mailup's copy -> relay's original (same Message-ID) -> bounce notice */
    assert_int_equal(r->nmsgs, 3);
    int same = 0, bounce = 0;
    for (size_t i = 0; i < r->nlinks; i++) {
        const md_trace_link *l = &r->links[i];
        if (l->kind == MD_LINK_SAME_MSGID) {
            same = 1;
            assert_string_equal(r->msgs[l->from].host, "relay");
            assert_string_equal(r->msgs[l->to].host, "mailup");
            assert_non_null(strstr(l->why, "<abc@uni-potsdam.de>"));
        }
        if (l->kind == MD_LINK_BOUNCE) {
            bounce = 1;
            assert_string_equal(r->msgs[l->to].qid, "9F8E7D6C5B");
        }
    }
    assert_true(same);
    assert_true(bounce);
    assert_string_equal(md_trace_link_name(MD_LINK_SAME_MSGID), "same-message-id");
    assert_true(md_trace_find_msg(r, r->msgs[1].id) == 1);
    assert_int_equal(md_trace_find_msg(r, -5), -1);
    md_trace_free(r);

    /* the limit */
    q.max_messages = 1;
    r = run(&q);
    assert_int_equal(r->nmsgs, 1);
    assert_true(r->truncated);
    md_trace_free(r);

    /* by the IP Microsoft named; by the client IP; a window that excludes */
    memset(&q, 0, sizeof q);
    const char *ip[] = {"141.89.68.8"};
    q.ips = ip;
    q.nips = 1;
    q.no_follow = 1;
    r = run(&q);
    /* named by Microsoft in 1A2B3C4D5E's deferral; mailup's client */
    assert_int_equal(r->nmsgs, 2);
    assert_string_equal(r->msgs[0].qid, "1A2B3C4D5E");
    assert_string_equal(r->msgs[1].qid, "7777777777");
    md_trace_free(r);
    const char *ip2[] = {"198.51.100.9"};
    q.ips = ip2;
    r = run(&q);
    assert_int_equal(r->nmsgs, 1);
    assert_string_equal(r->msgs[0].qid, "2B2B2B2B2B");
    md_trace_free(r);
    q.until = 1763625600; /* 2025-11-20 08:00 UTC: before everything */
    r = run(&q);
    assert_int_equal(r->nmsgs, 0);
    md_trace_free(r);
    md_trace_free(NULL);
}

/* new_log: a fresh directory d for name, path = d/mail.log (open for
 * writing, returned), db = d/t.db; path and db hold 600 and 700 bytes. */
static FILE *new_log(char *d, size_t dn, const char *name, char *path, char *db)
{
    md_test_dir(d, dn, name);
    snprintf(path, 600, "%s/mail.log", d);
    snprintf(db, 700, "%s/t.db", d);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    return fp;
}

/* ingest_trace: a fresh store at db with the log at path (year 2026), and
 * the trace of addr in it; the caller frees both. */
static md_trace_result *ingest_trace(const char *path, const char *db, const char *addr,
                                     md_store **out)
{
    md_err err = {0, ""};
    assert_int_equal(md_store_open(out, db, 0, &err), MD_OK);
    md_config cfg;
    md_config_defaults(&cfg);
    md_ingest ig;
    md_readers_init(&ig, *out, &cfg);
    ig.year = 2026;
    assert_int_equal(md_ingest_path(&ig, path, &err), MD_OK);
    md_trace_query q;
    memset(&q, 0, sizeof q);
    const char *a[] = {addr};
    q.addrs = a;
    q.naddrs = 1;
    md_trace_result *r = NULL;
    assert_int_equal(md_trace_run(*out, &q, &r, &err), MD_OK);
    return r;
}

/* Messages whose lines are spread over many blocks (64 KB each) and
 * interleave: the trace reads the blocks in line order, each as far as the
 * last line wanted from it; every line must still come back exactly, to
 * its own message, in order. */
static void test_many_blocks(void **state)
{
    (void)state;
    enum { MSGS = 8, ROUNDS = 8, FILL = 700 };
    char d[512], path[600], db[700];
    FILE *fp = new_log(d, sizeof d, "test_trace_blocks", path, db);
    /* want[m][k]: line number of the k-th line of message m */
    static uint64_t want[MSGS][ROUNDS + 2];
    static char text[MSGS][ROUNDS + 2][200];
    uint64_t ln = 0;
    for (int m = 0; m < MSGS; m++) {
        snprintf(text[m][0], sizeof text[m][0],
                 "Nov 21 07:00:%02d relay postfix/qmgr[12]: A0000000%02X: from=<s%d@example.net>,"
                 " size=100, nrcpt=1 (queue active)", m, m, m);
        fprintf(fp, "%s\n", text[m][0]);
        want[m][0] = ++ln;
    }
    for (int r = 0; r < ROUNDS; r++) {
        for (int f = 0; f < FILL; f++, ln++)
            fprintf(fp, "Nov 21 %02d:%02d:%02d relay postfix/qmgr[12]: F%03d%06d: removed\n",
                    8 + r, f / 60 % 60, f % 60, r, f);
        for (int m = 0; m < MSGS; m++) {
            snprintf(text[m][r + 1], sizeof text[m][r + 1],
                     "Nov 21 %02d:59:%02d relay postfix/smtp[13]: A0000000%02X: to=<many@hotmail.de>,"
                     " relay=none, delay=%d, delays=0/0/0/0, dsn=4.4.1, status=deferred"
                     " (connect to mx%d.example: Connection timed out)", 8 + r, m, m, r, m);
            fprintf(fp, "%s\n", text[m][r + 1]);
            want[m][r + 1] = ++ln;
        }
    }
    fclose(fp);
    md_store *s2;
    md_trace_result *r = ingest_trace(path, db, "many@hotmail.de", &s2);
    assert_int_equal(r->nmsgs, MSGS);
    for (size_t i = 0; i < r->nmsgs; i++) {
        const md_trace_msg *m = &r->msgs[i];
        int k = (int)strtol(m->qid + 8, NULL, 16);
        assert_true(k >= 0 && k < MSGS);
        assert_int_equal(m->nlines, ROUNDS + 1);
        for (int j = 0; j <= ROUNDS; j++) {
            assert_int_equal(m->lines[j].lineno, want[k][j]);
            assert_string_equal(m->lines[j].text, text[k][j]);
        }
    }
    md_trace_free(r);
    md_store_close(s2);
    md_test_rmtree(d);
}

/* A wanted line behind long lines, with short lines after it: the share
 * of the block estimated from line counts falls short of it, and the trace
 * must read the whole block to find it. */
static void test_prefix_short(void **state)
{
    (void)state;
    char d[512], path[600], db[700];
    FILE *fp = new_log(d, sizeof d, "test_trace_prefix", path, db);
    const char *l1 = "Nov 21 07:00:00 relay postfix/qmgr[12]: B00000001: from=<s@example.net>,"
                     " size=100, nrcpt=1 (queue active)";
    const char *l2 = "Nov 21 07:30:00 relay postfix/smtp[13]: B00000001: to=<short@hotmail.de>,"
                     " relay=none, delay=1, delays=0/0/0/0, dsn=4.4.1, status=deferred"
                     " (connect to mx.example: Connection timed out)";
    fprintf(fp, "%s\n", l1);
    for (int i = 0; i < 150; i++) /* ~300 bytes each */
        fprintf(fp, "Nov 21 07:%02d:%02d relay postfix/smtpd[14]: warning: %0250d\n", i / 60,
                i % 60, i);
    fprintf(fp, "%s\n", l2);
    for (int i = 0; i < 300; i++) /* ~40 bytes each */
        fprintf(fp, "Nov 21 08:%02d:%02d relay x[1]: y\n", i / 60 % 60, i % 60);
    fclose(fp);
    md_store *s2;
    md_trace_result *r = ingest_trace(path, db, "short@hotmail.de", &s2);
    assert_int_equal(r->nmsgs, 1);
    assert_int_equal(r->msgs[0].nlines, 2);
    assert_int_equal(r->msgs[0].lines[0].lineno, 1);
    assert_string_equal(r->msgs[0].lines[0].text, l1);
    assert_int_equal(r->msgs[0].lines[1].lineno, 152);
    assert_string_equal(r->msgs[0].lines[1].text, l2);
    md_trace_free(r);
    md_store_close(s2);
    md_test_rmtree(d);
}

static void test_spans_daily(void **state)
{
    (void)state;
    md_err err = {0, ""};
    md_trace_span *sp = NULL;
    size_t n = 0;
    assert_int_equal(md_trace_host_spans(st, 0, 0, &sp, &n, &err), MD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(sp[0].host, "mailup");
    assert_int_equal(sp[0].lines, 3);
    assert_int_equal(sp[0].messages, 1);
    assert_string_equal(sp[1].host, "relay");
    assert_int_equal(sp[1].lines, 12);
    assert_int_equal(sp[1].messages, 3);
    assert_true(sp[1].t_last - sp[1].t_first > 20 * 3600);
    free(sp);

    md_trace_daily *d = NULL;
    assert_int_equal(md_trace_ms_daily(st, 0, 0, &d, &n, &err), MD_OK);
    assert_int_equal(n, 2); /* relay on Nov 20 and Nov 21 */
    assert_string_equal(d[0].host, "relay");
    assert_int_equal(d[0].attempts, 2);
    assert_int_equal(d[0].accepted, 1);
    assert_int_equal(d[0].deferred, 1);
    assert_int_equal(d[0].messages, 1);
    assert_int_equal(d[1].day - d[0].day, 86400);
    assert_int_equal(d[0].day % 86400, 0);
    free(d);

    /* days are the site's: in Europe/Berlin (CET in November) they start
     * at 23:00 UTC */
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    assert_int_equal(md_trace_ms_daily(st, 0, 0, &d, &n, &err), MD_OK);
    assert_true(n >= 1);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(((d[i].day % 86400) + 86400) % 86400, 23 * 3600);
    free(d);
    setenv("TZ", "UTC", 1);
    tzset();
}

/* Local days across the end of summer time (Europe/Berlin, 25 Oct 2026):
 * a delivery at 22:30 UTC belongs to the next day in CEST (00:30) but to the
 * same day in CET (23:30). */
static void test_daily_dst(void **state)
{
    (void)state;
    char d[512], path[600], db[700];
    FILE *fp = new_log(d, sizeof d, "test_trace_dst", path, db);
    for (int i = 0; i < 2; i++)
        fprintf(fp, "Oct %d 22:30:0%d relay postfix/smtp[13]: C0000000%d: to=<x%d@hotmail.de>,"
                    " relay=hotmail-com.olc.protection.outlook.com[104.47.14.108]:25,"
                    " delay=1, delays=0/0/0/1, dsn=2.6.0, status=sent (250 2.6.0"
                    " <m%d@uni-potsdam.de> [InternalId=1, Hostname=DB8PR09MB3012.eurprd04."
                    "prod.outlook.com] Queued mail for delivery)\n", i ? 30 : 20, i, i, i, i);
    fclose(fp);
    md_store *s2;
    md_trace_free(ingest_trace(path, db, "x0@hotmail.de", &s2)); /* TZ=UTC: stamps are UTC */
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    md_trace_daily *dl = NULL;
    size_t n = 0;
    md_err err = {0, ""};
    assert_int_equal(md_trace_ms_daily(s2, 0, 0, &dl, &n, &err), MD_OK);
    setenv("TZ", "UTC", 1);
    tzset();
    assert_int_equal(n, 2);
    struct tm a = {.tm_year = 126, .tm_mon = 9, .tm_mday = 20, .tm_hour = 22};
    struct tm b = {.tm_year = 126, .tm_mon = 9, .tm_mday = 29, .tm_hour = 23};
    assert_int_equal(dl[0].day, (int64_t)timegm(&a)); /* 21 Oct 00:00 CEST */
    assert_int_equal(dl[1].day, (int64_t)timegm(&b)); /* 30 Oct 00:00 CET */
    assert_int_equal(dl[0].accepted, 1);
    assert_int_equal(dl[1].accepted, 1);
    free(dl);
    md_store_close(s2);
    md_test_rmtree(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outcomes_and_lines),
        cmocka_unit_test(test_links_ip_limit),
        cmocka_unit_test(test_spans_daily),
        cmocka_unit_test(test_daily_dst),
        cmocka_unit_test(test_many_blocks),
        cmocka_unit_test(test_prefix_short),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
