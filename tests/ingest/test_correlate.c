/* test_correlate.c: lib/ingest/correlate.c (with store_log and trace): messages keyed
 * by host + queue id + time, postfix "forwarded as" and the scenario's
 * Microsoft reply quoting the original's Message-ID become links, queue id
 * reuse makes two messages, a message open at a checkpoint is continued by
 * the next correlator (resume), and the open table stays bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ingest/correlate.h"
#include "ingest/ingest.h"
#include "store/store_log.h"
#include "analysis/trace.h"
#include "testutil.h"

static char dbpath[512];
static md_store *st;
static md_log_writer *w;
static int64_t src_id;

static int setup(void **state)
{
    (void)state;
    src_id = md_test_log_store_open(dbpath, sizeof dbpath, "test_correlate", &st, &w, "fp-test",
                                    "test.log");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    md_test_log_store_close(st, w, dbpath);
    return 0;
}

static md_corr_str S(const char *s)
{
    md_corr_str r = {s, s ? strlen(s) : 0};
    return r;
}

static int64_t host(const char *name)
{
    int64_t id;
    md_err err = {0, ""};
    assert_int_equal(md_store_log_host(w, name, strlen(name), &id, &err), MD_OK);
    return id;
}

static md_corr_ev ev(md_corr_kind k, int64_t t, const char *h, const char *qid)
{
    md_corr_ev e;
    memset(&e, 0, sizeof e);
    e.kind = k;
    e.t = t;
    e.fmt = MD_LOGFMT_POSTFIX;
    e.host = h;
    e.host_id = host(h);
    e.qid = S(qid);
    e.size = -1;
    e.nrcpt = -1;
    return e;
}

/* ms_sent: an attempt of qid to `to` that Outlook.com accepted, its reply
 * quoting `quoted` */
static md_corr_ev ms_sent(int64_t t, const char *h, const char *qid, const char *to,
                          const char *relay_ip, const char *quoted, const char *reply)
{
    md_corr_ev e = ev(MD_CEV_TO, t, h, qid);
    e.to = S(to);
    e.relay_host = S("hotmail-com.olc.protection.outlook.com");
    e.relay_ip = S(relay_ip);
    e.status = S("sent");
    e.dsn = S("2.6.0");
    e.ms = 1;
    e.quoted_msgid = S(quoted);
    e.reply = S(reply);
    return e;
}

static uint64_t lineno;

static void feed(md_corr *c, const md_corr_ev *e)
{
    md_err err = {0, ""};
    assert_int_equal(md_corr_line(c, e, src_id, ++lineno, &err), MD_OK);
}

static void finish(md_corr *c)
{
    md_err err = {0, ""};
    assert_int_equal(md_corr_checkpoint(c, &err), MD_OK);
}

static md_trace_result *trace_addr(const char *addr)
{
    md_trace_query q;
    memset(&q, 0, sizeof q);
    const char *a[1] = {addr};
    q.addrs = a;
    q.naddrs = 1;
    q.no_lines = 1;
    md_trace_result *r = NULL;
    md_err err = {0, ""};
    assert_int_equal(md_trace_run(st, &q, &r, &err), MD_OK);
    assert_non_null(r);
    return r;
}

static void test_forwarded_as(void **state)
{
    (void)state;
    md_err err = {0, ""};
    md_corr *c = NULL;
    assert_int_equal(md_store_begin(st, &err), MD_OK);
    assert_int_equal(md_corr_open(&c, st, w, &err), MD_OK);
    int64_t t = 1700000000;
    md_corr_ev e = ev(MD_CEV_CLIENT, t, "smtpout", "AAA111");
    e.client_host = S("mail.example.net");
    e.client_ip = S("198.51.100.7");
    feed(c, &e);
    e = ev(MD_CEV_MSGID, t, "smtpout", "AAA111");
    e.msgid = S("<m1@example.net>");
    feed(c, &e);
    e = ev(MD_CEV_FROM, t, "smtpout", "AAA111");
    e.from = S("<Anna@Example.NET>");
    e.has_from = 1;
    e.size = 1234;
    e.nrcpt = 1;
    feed(c, &e);
    /* the copy is made before the local agent logs "forwarded as" */
    e = ev(MD_CEV_MSGID, t + 1, "smtpout", "BBB222");
    e.msgid = S("<m1@example.net>");
    feed(c, &e);
    e = ev(MD_CEV_TO, t + 1, "smtpout", "AAA111");
    e.to = S("<JDoe@uni-potsdam.de>");
    e.status = S("sent");
    e.dsn = S("2.0.0");
    e.reply = S("forwarded as BBB222");
    e.new_qid = S("BBB222");
    e.forwarded = 1;
    e.local = 1;
    feed(c, &e);
    e = ev(MD_CEV_END, t + 1, "smtpout", "AAA111");
    feed(c, &e);
    e = ev(MD_CEV_FROM, t + 1, "smtpout", "BBB222");
    e.from = S("<anna@example.net>");
    e.has_from = 1;
    feed(c, &e);
    e = ms_sent(t + 3, "smtpout", "BBB222", "<jdoe.private@hotmail.de>", "104.47.1.2",
                "<m1@example.net>",
                "250 2.6.0 <m1@example.net> [InternalId=12345678, Hostname=X.prod.outlook.com] "
                "Queued mail for delivery");
    e.orig_to = S("<jdoe@uni-potsdam.de>");
    e.internal_id = S("12345678");
    feed(c, &e);
    e = ev(MD_CEV_END, t + 3, "smtpout", "BBB222");
    feed(c, &e);
    finish(c);
    assert_int_equal(md_corr_get_stats(c)->messages, 2);
    assert_int_equal(md_corr_get_stats(c)->deliveries, 2);
    assert_int_equal(md_corr_get_stats(c)->open, 0);
    md_corr_close(c);
    assert_int_equal(md_store_commit(st, &err), MD_OK);
    uint64_t nl = 0;
    if (md_store_log_resolve(st, &nl, &err) != MD_OK)
        fail_msg("resolve: %s", err.msg);
    assert_true(nl >= 1);

    /* upper case with brackets finds the original; the link leads to the copy */
    md_trace_result *r = trace_addr("<JDOE@Uni-Potsdam.DE>");
    assert_int_equal(r->nmsgs, 2);
    assert_string_equal(r->msgs[0].qid, "AAA111");
    assert_true(r->msgs[0].matched);
    assert_string_equal(r->msgs[0].sender, "anna@example.net");
    assert_string_equal(r->msgs[1].qid, "BBB222");
    int forwarded = 0;
    for (size_t i = 0; i < r->nlinks; i++)
        if (r->links[i].kind == MD_LINK_FORWARDED && r->links[i].from == 0 && r->links[i].to == 1)
            forwarded = 1;
    assert_true(forwarded);
    assert_int_equal(r->msgs[0].nrcpts, 1);
    assert_int_equal(r->msgs[0].rcpts[0].outcome, MD_OUTCOME_FORWARDED);
    assert_non_null(strstr(r->msgs[0].rcpts[0].summary, "jdoe.private@hotmail.de"));
    assert_int_equal(r->msgs[1].rcpts[0].outcome, MD_OUTCOME_MS_ACCEPTED);
    assert_non_null(strstr(r->msgs[1].rcpts[0].summary, "InternalId=12345678"));
    md_trace_free(r);

    /* the Hotmail address finds the copy, and the link leads back */
    r = trace_addr("jdoe.private@hotmail.de");
    assert_int_equal(r->nmsgs, 2);
    assert_false(r->msgs[0].matched);
    assert_true(r->msgs[1].matched);
    md_trace_free(r);

    /* per-day Microsoft counts */
    md_trace_daily *d = NULL;
    size_t nd = 0;
    assert_int_equal(md_trace_ms_daily(st, 0, 0, &d, &nd, &err), MD_OK);
    assert_int_equal(nd, 1);
    assert_string_equal(d[0].host, "smtpout");
    assert_int_equal(d[0].accepted, 1);
    free(d);
}

/* The scenario: the store re-injects a copy with a new Message-ID; Microsoft's
 * reply for the copy quotes the original's Message-ID. */
static void test_ms_quoted(void **state)
{
    (void)state;
    md_err err = {0, ""};
    md_corr *c = NULL;
    assert_int_equal(md_store_begin(st, &err), MD_OK);
    assert_int_equal(md_corr_open(&c, st, w, &err), MD_OK);
    const char *orig = "<01020154437159cf-906c0795@eu-west-1.amazonses.com>";
    int64_t t = 1461427587;
    md_corr_ev e = ev(MD_CEV_FROM, t, "n-mail-2", "u3NE6PWI025978");
    e.fmt = MD_LOGFMT_SENDMAIL;
    e.from = S("<x@eu-west-1.amazonses.com>");
    e.has_from = 1;
    e.msgid = S(orig);
    e.client_host = S("ironout.rz.uni-potsdam.de");
    e.client_ip = S("141.89.68.7");
    feed(c, &e);
    e = ev(MD_CEV_TO, t + 1, "n-mail-2", "u3NE6PWI025978");
    e.to = S("<user@uni-potsdam.de>");
    e.relay_host = S("mailup.uni-potsdam.de.");
    e.relay_ip = S("141.89.68.244");
    e.dsn = S("2.0.0");
    e.status = S("Sent");
    e.local = 1;
    feed(c, &e);
    e = ev(MD_CEV_FROM, t + 2, "n-mail-2", "u3NE6SaT025990");
    e.from = S("<y@amazon.de>");
    e.has_from = 1;
    e.msgid = S("<201604231406.u3NE6SaT025990@cl-mail.uni-potsdam.de>");
    e.client_host = S("n-compro-3.rz.uni-potsdam.de");
    e.client_ip = S("141.89.68.4");
    feed(c, &e);
    e = ev(MD_CEV_TO, t + 5, "n-mail-2", "u3NE6SaT025990");
    e.to = S("<user@hotmail.de>");
    e.relay_host = S("mx3.hotmail.com.");
    e.relay_ip = S("134.170.2.199");
    e.dsn = S("2.0.0");
    e.status = S("Sent");
    e.ms = 1;
    e.quoted_msgid = S(orig);
    e.reply = S("<01020154437159cf-906c0795@eu-west-1.amazonses.com> Queued mail for delivery");
    feed(c, &e);
    finish(c);
    /* sendmail has no end line: both stay open until they go quiet */
    assert_int_equal(md_corr_get_stats(c)->open, 2);
    md_corr_close(c);
    assert_int_equal(md_store_commit(st, &err), MD_OK);
    if (md_store_log_resolve(st, NULL, &err) != MD_OK)
        fail_msg("resolve: %s", err.msg);

    md_trace_result *r = trace_addr("user@uni-potsdam.de");
    assert_int_equal(r->nmsgs, 2);
    assert_string_equal(r->msgs[0].qid, "u3NE6PWI025978");
    assert_string_equal(r->msgs[1].qid, "u3NE6SaT025990");
    assert_int_equal(r->nlinks, 1);
    assert_int_equal(r->links[0].kind, MD_LINK_MS_QUOTED);
    assert_int_equal(r->links[0].from, 0);
    assert_int_equal(r->links[0].to, 1);
    assert_non_null(strstr(r->links[0].why, "u3NE6PWI025978"));
    assert_int_equal(r->msgs[0].rcpts[0].outcome, MD_OUTCOME_DELIVERED);
    assert_int_equal(r->msgs[1].rcpts[0].outcome, MD_OUTCOME_MS_ACCEPTED);
    /* trailing dot of sendmail's relay= is dropped */
    assert_string_equal(r->msgs[1].dlvs[0].relay_host, "mx3.hotmail.com");
    md_trace_free(r);

    /* by Message-ID without brackets, and by queue id */
    md_trace_query q;
    memset(&q, 0, sizeof q);
    const char *m[1] = {"01020154437159cf-906c0795@eu-west-1.amazonses.com"};
    q.msgids = m;
    q.nmsgids = 1;
    q.no_follow = 1;
    assert_int_equal(md_trace_run(st, &q, &r, &err), MD_OK);
    assert_int_equal(r->nmsgs, 2); /* the original, and the copy whose reply quotes it */
    md_trace_free(r);
}

/* Exim logs the Message-ID without angle brackets (id=): it is stored with
 * them, as sendmail's and Postfix's are, so that Microsoft's reply quoting
 * it links the Exim original to the copy sent on by Postfix. */
static void test_exim_msgid(void **state)
{
    (void)state;
    md_err err = {0, ""};
    md_corr *c = NULL;
    assert_int_equal(md_store_begin(st, &err), MD_OK);
    assert_int_equal(md_corr_open(&c, st, w, &err), MD_OK);
    int64_t t = 1461308401;
    md_corr_ev e = ev(MD_CEV_FROM, t, "lists", "1atMm5-0004Ot-Ah");
    e.fmt = MD_LOGFMT_EXIM;
    e.from = S("<chor-l-bounces@lists.uni-potsdam.de>");
    e.has_from = 1;
    e.msgid = S("5719CB11.9070106@uni-potsdam.de");
    feed(c, &e);
    e = ev(MD_CEV_TO, t + 1, "lists", "1atMm5-0004Ot-Ah");
    e.fmt = MD_LOGFMT_EXIM;
    e.to = S("<m.wolf@uni-potsdam.de>");
    e.dsn = S("2.0.0");
    e.status = S("sent");
    e.local = 1;
    feed(c, &e);
    e = ev(MD_CEV_FROM, t + 60, "smtpout", "4F2A1B3C9D");
    e.from = S("<chor-l-bounces@lists.uni-potsdam.de>");
    e.has_from = 1;
    e.msgid = S("<201604220901.u3M701aa000001@smtpout.uni-potsdam.de>");
    feed(c, &e);
    e = ms_sent(t + 61, "smtpout", "4F2A1B3C9D", "<m.wolf@hotmail.de>", "104.47.14.108",
                "<5719CB11.9070106@uni-potsdam.de>",
                "250 2.6.0 <5719CB11.9070106@uni-potsdam.de> Queued mail for delivery");
    feed(c, &e);
    finish(c);
    md_corr_close(c);
    assert_int_equal(md_store_commit(st, &err), MD_OK);
    if (md_store_log_resolve(st, NULL, &err) != MD_OK)
        fail_msg("resolve: %s", err.msg);
    md_trace_result *r = trace_addr("m.wolf@uni-potsdam.de");
    assert_int_equal(r->nmsgs, 2);
    assert_string_equal(r->msgs[0].msgid, "<5719CB11.9070106@uni-potsdam.de>");
    assert_int_equal(r->nlinks, 1);
    assert_int_equal(r->links[0].kind, MD_LINK_MS_QUOTED);
    assert_int_equal(r->links[0].from, 0);
    assert_int_equal(r->links[0].to, 1);
    md_trace_free(r);
}

static void test_qid_reuse_and_resume(void **state)
{
    (void)state;
    md_err err = {0, ""};
    md_corr *c = NULL;
    int64_t t = 1700000000;
    assert_int_equal(md_store_begin(st, &err), MD_OK);
    assert_int_equal(md_corr_open(&c, st, w, &err), MD_OK);
    md_corr_ev e = ev(MD_CEV_FROM, t, "mx", "Q1");
    e.from = S("a@b.example");
    e.has_from = 1;
    feed(c, &e);
    e = ev(MD_CEV_END, t + 1, "mx", "Q1");
    feed(c, &e);
    /* same queue id again: a new message */
    e = ev(MD_CEV_FROM, t + 100, "mx", "Q1");
    e.from = S("c@d.example");
    e.has_from = 1;
    feed(c, &e);
    /* same queue id on another host: another message */
    e = ev(MD_CEV_FROM, t + 100, "mx2", "Q1");
    e.from = S("e@f.example");
    e.has_from = 1;
    feed(c, &e);
    finish(c);
    assert_int_equal(md_corr_get_stats(c)->messages, 3);
    md_corr_close(c); /* "killed" after the commit below */
    assert_int_equal(md_store_commit(st, &err), MD_OK);

    /* the next run continues the open message on mx */
    assert_int_equal(md_store_begin(st, &err), MD_OK);
    assert_int_equal(md_corr_open(&c, st, w, &err), MD_OK);
    assert_int_equal(md_corr_get_stats(c)->open, 2);
    e = ev(MD_CEV_TO, t + 101, "mx", "Q1");
    e.to = S("x@y.example");
    e.status = S("sent");
    e.dsn = S("2.0.0");
    feed(c, &e);
    e = ev(MD_CEV_END, t + 101, "mx", "Q1");
    feed(c, &e);
    finish(c);
    assert_int_equal(md_corr_get_stats(c)->messages, 0);
    md_corr_close(c);
    assert_int_equal(md_store_commit(st, &err), MD_OK);

    md_trace_result *r = trace_addr("c@d.example");
    assert_int_equal(r->nmsgs, 1);
    assert_int_equal(r->msgs[0].ndlvs, 1);
    assert_false(r->msgs[0].open);
    assert_int_equal(r->msgs[0].rcpts[0].outcome, MD_OUTCOME_RELAYED);
    md_trace_free(r);
    md_log_totals tot;
    assert_int_equal(md_store_log_totals(st, &tot, &err), MD_OK);
    assert_int_equal(tot.messages, 3);
    assert_int_equal(tot.open_messages, 1);
}

/* 70,000 messages that never end, one a second: the table stays under
 * MD_CORR_MAX_OPEN and ageing ends the quiet ones. */
static void test_bounded(void **state)
{
    (void)state;
    md_err err = {0, ""};
    md_corr *c = NULL;
    assert_int_equal(md_store_begin(st, &err), MD_OK);
    assert_int_equal(md_corr_open(&c, st, w, &err), MD_OK);
    int64_t hid = host("busy");
    char q[32];
    for (int i = 0; i < 70000; i++) {
        md_corr_ev e;
        memset(&e, 0, sizeof e);
        e.kind = MD_CEV_OTHER;
        e.t = 1700000000 + i;
        e.host = "busy";
        e.host_id = hid;
        snprintf(q, sizeof q, "Q%06d", i);
        e.qid = S(q);
        e.size = -1;
        e.nrcpt = -1;
        feed(c, &e);
    }
    const md_corr_stats *s = md_corr_get_stats(c);
    assert_int_equal(s->messages, 70000);
    assert_true(s->peak_open <= MD_CORR_MAX_OPEN);
    finish(c);
    /* the ones quiet for over an hour were ended and written */
    assert_true(md_corr_get_stats(c)->open <= 30000);
    md_corr_close(c);
    assert_int_equal(md_store_commit(st, &err), MD_OK);
}

static void test_outcome(void **state)
{
    (void)state;
    md_corr_ev e;
    memset(&e, 0, sizeof e);
    e.status = S("deferred");
    assert_int_equal(md_corr_outcome(&e), MD_OUTCOME_DEFERRED);
    e.status = S("bounced");
    assert_int_equal(md_corr_outcome(&e), MD_OUTCOME_BOUNCED);
    e.status = S("expired");
    assert_int_equal(md_corr_outcome(&e), MD_OUTCOME_EXPIRED);
    e.status = S("Deferred: 451 4.7.650");
    assert_int_equal(md_corr_outcome(&e), MD_OUTCOME_DEFERRED);
    e.status = S("User unknown");
    e.dsn = S("5.1.1");
    assert_int_equal(md_corr_outcome(&e), MD_OUTCOME_BOUNCED);
    e.status = S("Sent");
    e.ms = 1;
    assert_int_equal(md_corr_outcome(&e), MD_OUTCOME_MS_ACCEPTED);
    e.ms = 0;
    e.local = 1;
    assert_int_equal(md_corr_outcome(&e), MD_OUTCOME_DELIVERED);
    e.kind = MD_CEV_REJECT;
    assert_int_equal(md_corr_outcome(&e), MD_OUTCOME_REJECTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_forwarded_as, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ms_quoted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exim_msgid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_qid_reuse_and_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bounded, setup, teardown),
        cmocka_unit_test(test_outcome),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
