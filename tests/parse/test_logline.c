/* test_logline.c: the log line parser (lib/parse/logline.c) and stamp arithmetic
 * (lib/parse/logtime.c): every envelope, every field of formats.md for sendmail,
 * Postfix and Exim, the scenario's lines, year inference and rollover, and
 * bad input (junk, invalid UTF-8, a 10 MB line) never crashing.
 * Expected values are read off the input lines by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include <cmocka.h>

#include "base/input.h"
#include "parse/logline.h"
#include "parse/logtime.h"
#include "parse/reply.h"

#define S(span, lit) assert_true_msg(md_span_eq((span), (lit)), #span, (span), (lit))

static void assert_true_msg(int ok, const char *what, md_span s, const char *want)
{
    if (!ok)
        fail_msg("%s: got [%.*s]%s, want [%s]", what, (int)s.n, s.p ? s.p : "",
                 s.p ? "" : " (absent)", want);
}

#define ABSENT(span) assert_null((span).p)

static md_logctx ctx;

static int parse(const char *line, md_logrec *r)
{
    return md_logline_parse(&ctx, line, strlen(line), r);
}

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
    return md_logtime_make(y, mo, d, h, mi, s);
}

static int setup(void **state)
{
    (void)state;
    md_logctx_init(&ctx, 2016, -1);
    return 0;
}

/* ---- logtime ---------------------------------------------------------- */

/* stamps without zone in the local zone: Europe/Berlin's summer and winter
 * time and the days the clocks change; a stamp with its own zone keeps it */
static void test_local_zone(void **state)
{
    (void)state;
    const char *old = getenv("TZ");
    char saved[64] = "";
    if (old)
        snprintf(saved, sizeof saved, "%s", old);
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    md_logctx c;
    md_logctx_init(&c, 2016, -1);
    md_logctx_set_local(&c);
    static const struct {
        const char *line;
        int64_t utc;
    } v[] = {
        {"Jan 20 10:00:00 h postfix/smtp[1]: x", 1453280400},      /* 09:00Z, CET */
        {"Mar 27 01:59:59 h postfix/smtp[1]: x", 1459040399},      /* 00:59:59Z */
        {"Mar 27 03:00:00 h postfix/smtp[1]: x", 1459040400},      /* 01:00Z, CEST */
        {"Apr 20 10:00:00 h postfix/smtp[1]: x", 1461139200},      /* 08:00Z */
        {"Oct 30 04:00:00 h postfix/smtp[1]: x", 1477796400},      /* 03:00Z, CET again */
        {"2016-04-20T10:00:00+00:00 h postfix/smtp[1]: x", 1461146400},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        md_logrec r;
        assert_int_equal(md_logline_parse(&c, v[i].line, strlen(v[i].line), &r), 1);
        assert_int_equal(r.ts, v[i].utc);
    }
    if (saved[0])
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
}

static void test_logtime_days(void **state)
{
    int64_t y;
    int m, d;
    (void)state;
    assert_int_equal(md_logtime_days(1970, 1, 1), 0);
    assert_int_equal(md_logtime_days(2000, 3, 1), 11017);
    assert_int_equal(md_logtime_make(2016, 4, 23, 14, 6, 27), 1461420387);  /* date -d */
    assert_int_equal(md_logtime_make(2016, 2, 29, 0, 0, 0), 1456704000);
    assert_int_equal(md_logtime_make(1969, 12, 31, 23, 59, 59), -1);
    md_logtime_civil(md_logtime_days(2016, 12, 31), &y, &m, &d);
    assert_int_equal(y, 2016);
    assert_int_equal(m, 12);
    assert_int_equal(d, 31);
    assert_int_equal(md_logtime_year_of(1451606399), 2015);
    assert_int_equal(md_logtime_year_of(1451606400), 2016);
    assert_int_equal(md_logtime_month("Apr"), 4);
    assert_int_equal(md_logtime_month("dec"), 12);
    assert_int_equal(md_logtime_month("Jun"), 6);
    assert_int_equal(md_logtime_month("Jul"), 7);
    assert_int_equal(md_logtime_month("Xyz"), 0);
}

static void test_logtime_parse(void **state)
{
    md_logtime t;
    int z;
    (void)state;
    assert_int_equal(md_logtime_parse_bsd("Apr  3 06:07:08 x", 17, &t), 15);
    assert_int_equal(t.mon, 4);
    assert_int_equal(t.day, 3);
    assert_int_equal(t.sec, 8);
    assert_int_equal(md_logtime_parse_bsd("Apr 32 06:07:08 x", 17, &t), 0);
    assert_int_equal(md_logtime_parse_bsd("Apr 03 25:07:08 x", 17, &t), 0);
    assert_int_equal(md_logtime_parse_bsd("Apr 03 06:07", 12, &t), 0);
    assert_int_equal(md_logtime_parse_iso("2026-11-28T09:18:51.123456+01:00 h", 34, &t), 32);
    assert_int_equal(t.usec, 123456);
    assert_int_equal(t.tzoff_min, 60);
    assert_true(t.has_zone);
    assert_int_equal(md_logtime_parse_iso("2026-11-28T09:18:51Z", 20, &t), 20);
    assert_int_equal(t.tzoff_min, 0);
    assert_true(t.has_zone);
    assert_int_equal(md_logtime_parse_iso("2026-11-28T09:18:51-0530", 24, &t), 24);
    assert_int_equal(t.tzoff_min, -330);
    assert_int_equal(md_logtime_parse_iso("2026-11-28 09:18:51 +0100", 25, &t), 19);
    assert_false(t.has_zone);
    assert_int_equal(md_logtime_parse_iso("2026-02-30T09:18:51", 19, &t), 0);
    assert_int_equal(md_logtime_parse_iso("2024-02-29T09:18:51", 19, &t), 19);
    assert_int_equal(md_logtime_zone("+0200", 5, &z), 5);
    assert_int_equal(z, 120);
    assert_int_equal(md_logtime_zone("x", 1, &z), 0);
}

/* ---- the scenario ------------------------------------------------------- */

static char **read_lines(const char *path, size_t *count)
{
    md_input *in = NULL;
    md_err err;
    const char *l;
    size_t n, cap = 0;
    int flags;
    char **v = NULL;
    *count = 0;
    if (md_input_open(&in, path, &err) != 0) fail_msg("open %s: %s", path, err.msg);
    while (md_input_getline(in, &l, &n, &flags, &err) == 1) {
        if (*count == cap) {
            cap = cap ? cap * 2 : 64;
            v = realloc(v, cap * sizeof *v);
            assert_non_null(v);
        }
        v[*count] = malloc(n + 1);
        assert_non_null(v[*count]);
        memcpy(v[*count], l, n);
        v[*count][n] = '\0';
        (*count)++;
    }
    md_input_close(in);
    return v;
}

static void free_lines(char **v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) free(v[i]);
    free(v);
}

static void test_scenario_exact(void **state)
{
    size_t n;
    char **l = read_lines(MD_FIXTURES "/logs/scenario/n-mail-2-scenario.log", &n);
    md_logrec r, r1;
    md_reply rp;
    (void)state;
    assert_int_equal(n, 7);

    /* 1: from= line */
    assert_int_equal(parse(l[0], &r), 1);
    assert_int_equal(r.env, MD_ENV_SOLARIS);
    assert_int_equal(r.mta, MD_LOGFMT_SENDMAIL);
    assert_int_equal(r.ev, MD_EV_FROM);
    assert_int_equal(r.ts, utc(2016, 4, 23, 16, 6, 27));
    S(r.host, "n-mail-2");
    S(r.prog, "sendmail");
    S(r.pid, "25978");
    S(r.qid, "u3NE6PWI025978");
    S(r.from, "<*snip*@eu-west-1.amazonses.com>");
    S(r.size, "20144");
    S(r.nrcpts, "1");
    S(r.msgid, "<01020154437159cf-906c0795-8cee-4c30-a993-4764335f2c9e-000000@eu-west-1.amazonses.com>");
    S(r.proto, "ESMTP");
    S(r.client_host, "ironout.rz.uni-potsdam.de");
    S(r.client_ip, "141.89.68.7");
    ABSENT(r.relay_host);
    ABSENT(r.to);
    r1 = r;

    /* 2: milter */
    assert_int_equal(parse(l[1], &r), 1);
    assert_int_equal(r.ev, MD_EV_MILTER);
    S(r.qid, "u3NE6PWI025978");
    assert_int_equal(r.outcome, MD_OUT_NONE);

    /* 3: delivery to the store */
    assert_int_equal(parse(l[2], &r), 1);
    assert_int_equal(r.ev, MD_EV_TO);
    S(r.pid, "25989");
    S(r.to, "<*snip*@uni-potsdam.de>");
    S(r.delay, "00:00:01");
    S(r.xdelay, "00:00:00");
    S(r.mailer, "cgprov6");
    S(r.relay_host, "mailup.uni-potsdam.de.");
    S(r.relay_ip, "141.89.68.244");
    S(r.dsn, "2.0.0");
    S(r.status, "Sent");
    ABSENT(r.reply);
    assert_int_equal(r.outcome, MD_OUT_SENT);

    /* 4: the re-injected copy */
    assert_int_equal(parse(l[3], &r), 1);
    assert_int_equal(r.ev, MD_EV_FROM);
    S(r.qid, "u3NE6SaT025990");
    S(r.from, "<*snip*@amazon.de>");
    S(r.client_host, "n-compro-3.rz.uni-potsdam.de");
    S(r.client_ip, "141.89.68.4");
    S(r.msgid, "<201604231406.u3NE6SaT025990@cl-mail.uni-potsdam.de>");

    /* 5: accepted by Microsoft, quoting the original Message-ID */
    assert_int_equal(parse(l[4], &r), 1);
    assert_int_equal(r.ev, MD_EV_TO);
    assert_int_equal(r.ts, utc(2016, 4, 23, 16, 6, 32));
    S(r.to, "<*snip*@hotmail.de>");
    S(r.relay_host, "mx3.hotmail.com.");
    S(r.relay_ip, "134.170.2.199");
    S(r.status, "Sent");
    S(r.reply, "<01020154437159cf-906c0795-8cee-4c30-a993-4764335f2c9e-000000@eu-west-1.amazonses.com> Queued mail for delivery");
    assert_int_equal(r.outcome, MD_OUT_SENT);
    ABSENT(r.new_qid);
    md_reply_classify(&rp, r.reply.p, r.reply.n, r.relay_host.p, r.relay_host.n);
    assert_true(rp.ms);
    assert_true(rp.accepted);
    assert_int_equal(rp.reason, MD_RSN_DELIVERED);
    assert_int_equal(rp.quoted_msgid.n, r1.msgid.n);
    assert_memory_equal(rp.quoted_msgid.p, r1.msgid.p, r1.msgid.n);
    assert_true(md_reply_is_ms_addr(r.to.p, r.to.n));

    /* 6, 7: the self test */
    assert_int_equal(parse(l[5], &r), 1);
    S(r.from, "<jdoe@uni-potsdam.de>");
    ABSENT(r.client_host);
    S(r.client_ip, "141.89.62.54");
    S(r.msgid, "<571638CD.70804@uni-potsdam.de>");
    assert_int_equal(parse(l[6], &r), 1);
    S(r.to, "<jdoe@outlook.de>");
    S(r.reply, "<571638CD.70804@uni-potsdam.de> Queued mail for delivery");
    assert_int_equal(r.ts, utc(2016, 4, 19, 15, 57, 12));
    free_lines(l, n);
}

static void test_zone_setting(void **state)
{
    md_logrec r;
    (void)state;
    md_logctx_set_tz(&ctx, 120); /* CEST */
    assert_int_equal(parse("Apr 23 16:06:27 n-mail-2 sendmail[1]: x", &r), 1);
    assert_int_equal(r.ts, utc(2016, 4, 23, 14, 6, 27));
    assert_int_equal(r.tzoff_min, 120);
    assert_false(r.flags & MD_LF_HAS_ZONE);
    /* a stamp with its own zone ignores the setting */
    assert_int_equal(parse("2016-04-23T16:06:27+02:00 n-mail-2 sendmail[1]: x", &r), 1);
    assert_int_equal(r.ts, utc(2016, 4, 23, 14, 6, 27));
    assert_true(r.flags & MD_LF_HAS_ZONE);
    assert_int_equal(parse("2016-04-23T16:06:27Z n-mail-2 sendmail[1]: x", &r), 1);
    assert_int_equal(r.ts, utc(2016, 4, 23, 16, 6, 27));
}

/* ---- envelopes ------------------------------------------------------------ */

static void test_envelopes(void **state)
{
    md_logrec r;
    (void)state;
    assert_int_equal(parse("Apr  3 06:07:08 mx postfix/smtpd[77]: connect from a[1.2.3.4]", &r), 1);
    assert_int_equal(r.env, MD_ENV_BSD);
    assert_int_equal(r.ts, utc(2016, 4, 3, 6, 7, 8));
    S(r.host, "mx");
    S(r.prog, "postfix/smtpd");
    S(r.daemon, "smtpd");
    S(r.pid, "77");
    S(r.body, "connect from a[1.2.3.4]");
    assert_int_equal(r.ev, MD_EV_OTHER);
    ABSENT(r.qid);

    assert_int_equal(parse("2026-11-28T09:18:51.123456+01:00 mx postfix/qmgr[9]: ABCDE12345: removed", &r), 1);
    assert_int_equal(r.env, MD_ENV_ISO);
    assert_int_equal(r.ts, utc(2026, 11, 28, 8, 18, 51));
    assert_int_equal(r.usec, 123456);
    assert_int_equal(r.tzoff_min, 60);
    S(r.qid, "ABCDE12345");
    assert_int_equal(r.ev, MD_EV_REMOVED);
    S(r.stamp, "2026-11-28T09:18:51.123456+01:00");

    /* journalctl -o short-iso */
    assert_int_equal(parse("2026-11-28T09:18:51+0100 mx postfix/qmgr[9]: ABCDE12345: removed", &r), 1);
    assert_int_equal(r.ts, utc(2026, 11, 28, 8, 18, 51));

    /* syslog with a space-separated ISO stamp (some rsyslog templates) */
    assert_int_equal(parse("2026-11-28 09:18:51 mx postfix/qmgr[9]: ABCDE12345: removed", &r), 1);
    assert_int_equal(r.env, MD_ENV_ISO);
    assert_int_equal(r.ev, MD_EV_REMOVED);

    /* "<pri>" prefix, no pid, a tag without pid */
    assert_int_equal(parse("<22>Apr 23 16:06:27 mx sm-mta: u3NE6PWI025978: from=<a@b>, size=1", &r), 1);
    S(r.prog, "sm-mta");
    ABSENT(r.pid);
    assert_int_equal(r.mta, MD_LOGFMT_SENDMAIL);
    S(r.from, "<a@b>");

    /* no tag at all */
    assert_int_equal(parse("Apr 23 16:06:27 mx last message repeated 3 times", &r), 1);
    ABSENT(r.prog);
    assert_int_equal(r.mta, MD_LOGFMT_OTHER);
    S(r.body, "last message repeated 3 times");

    /* Solaris tag of another facility */
    assert_int_equal(parse("Apr 22 03:10:00 n-mail-2 named[411]: [ID 873579 daemon.notice] client x", &r), 1);
    assert_int_equal(r.env, MD_ENV_SOLARIS);
    assert_int_equal(r.mta, MD_LOGFMT_OTHER);
    S(r.body, "client x");

    /* CRLF */
    assert_int_equal(parse("Apr 23 16:06:27 mx postfix/qmgr[1]: ABCDE12345: removed\r", &r), 1);
    assert_int_equal(r.ev, MD_EV_REMOVED);

    /* not envelopes */
    assert_int_equal(parse("", &r), 0);
    assert_int_equal(r.ev, MD_EV_NONE);
    assert_int_equal(parse("hello world", &r), 0);
    assert_int_equal(parse("Apr 23 16:06:27", &r), 0);
    assert_int_equal(parse("Apr 23 16:06:27 ", &r), 0);
    assert_int_equal(parse("Foo 23 16:06:27 mx x: y", &r), 0);
    assert_int_equal(parse("2016-13-01T00:00:00Z mx x: y", &r), 0);
    assert_int_equal(parse("12345", &r), 0);
    assert_int_equal(md_logline_parse(&ctx, NULL, 0, &r), 0);
}

static void test_year_rollover(void **state)
{
    size_t n, i;
    char **l = read_lines(MD_FIXTURES "/logs/rollover/n-mail-1.log", &n);
    md_logrec r;
    int64_t prev = 0;
    (void)state;
    /* explicit year: the year of the first line, +1 at the December -> January step */
    md_logctx_init(&ctx, 2015, -1);
    assert_int_equal(n, 8);
    for (i = 0; i < n; i++) {
        assert_int_equal(parse(l[i], &r), 1);
        assert_true(r.ts >= prev);
        prev = r.ts;
        if (i == 4) assert_true(r.flags & MD_LF_ROLLOVER);
        else assert_false(r.flags & MD_LF_ROLLOVER);
    }
    assert_int_equal(md_logtime_year_of(r.ts), 2016);
    assert_int_equal(ctx.rollovers, 1);
    /* first line 2015-12-31 23:58:02 */
    assert_int_equal(parse(l[0], &r), 1);
    assert_int_equal(r.ts, utc(2016, 12, 31, 23, 58, 2)); /* no step back: still 2016 */

    /* year from the file's mtime: 2016-01-01 00:10 UTC */
    md_logctx_init(&ctx, 0, -1);
    md_logctx_set_ref(&ctx, utc(2016, 1, 1, 0, 10, 0));
    assert_int_equal(parse(l[0], &r), 1);
    assert_int_equal(r.ts, utc(2015, 12, 31, 23, 58, 2));
    assert_int_equal(parse(l[7], &r), 1);
    assert_int_equal(r.ts, utc(2016, 1, 1, 0, 3, 11));
    /* a line a day in the future of the reference still counts as this year */
    assert_int_equal(parse("Jan  1 23:00:00 n-mail-1 sendmail[1]: x", &r), 1);
    assert_int_equal(r.ts, utc(2016, 1, 1, 23, 0, 0));
    assert_int_equal(parse("Jan  3 00:00:00 n-mail-1 sendmail[1]: x", &r), 1);
    assert_int_equal(r.ts, utc(2015, 1, 3, 0, 0, 0));
    free_lines(l, n);
}

/* ---- sendmail -------------------------------------------------------------- */

static void test_sendmail_fields(void **state)
{
    md_logrec r;
    (void)state;
    /* ctladdr: a delivery made for a local user (.forward) */
    assert_int_equal(parse("Apr 22 08:05:41 cl-mail sm-mta[3105]: u3M65eDv003101: to=m.muster@hotmail.de, ctladdr=<mmuster@uni-potsdam.de> (2107/100), delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=122871, relay=hotmail-com.olc.protection.outlook.com. [104.47.18.97], dsn=2.0.0, stat=Sent (<57199A2C.1000605@fu-berlin.de> [InternalId=41154916024321, Hostname=DB6PR0801MB1736.eurprd08.prod.outlook.com] 4413 bytes in 0.211, 20.425 KB/sec Queued mail for delivery)", &r), 1);
    assert_int_equal(r.env, MD_ENV_BSD);
    assert_int_equal(r.ev, MD_EV_TO);
    S(r.to, "m.muster@hotmail.de");
    S(r.orig_to, "<mmuster@uni-potsdam.de>");
    S(r.ctladdr, "<mmuster@uni-potsdam.de> (2107/100)");
    assert_true(r.flags & MD_LF_CTLADDR);
    S(r.relay_host, "hotmail-com.olc.protection.outlook.com.");
    S(r.reply, "<57199A2C.1000605@fu-berlin.de> [InternalId=41154916024321, Hostname=DB6PR0801MB1736.eurprd08.prod.outlook.com] 4413 bytes in 0.211, 20.425 KB/sec Queued mail for delivery");

    /* several recipients, commas inside <> and (), a deferral with ", " in its text */
    assert_int_equal(parse("Apr 21 14:02:58 n-mail-2 sendmail[27125]: [ID 801593 mail.info] u3LC2uHk027119: to=<a@x.de>,<b, c@x.de>, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=124849, relay=mx3.hotmail.com. [134.170.2.199], dsn=4.0.0, stat=Deferred: 421 RP-001 (COL004-MC1F44) Unfortunately, some messages from 141.89.68.1 weren't sent. Please try again.", &r), 1);
    S(r.to, "<a@x.de>");
    S(r.to_all, "<a@x.de>,<b, c@x.de>");
    S(r.status, "Deferred");
    assert_int_equal(r.outcome, MD_OUT_DEFERRED);
    S(r.reply, "421 RP-001 (COL004-MC1F44) Unfortunately, some messages from 141.89.68.1 weren't sent. Please try again.");
    S(r.mailer, "esmtp");

    /* a permanent failure: stat is the text, outcome from dsn */
    assert_int_equal(parse("Apr 22 11:20:05 n-mail-3 sendmail[18997]: [ID 801593 mail.info] u3M9K3Rb018990: to=<k.weber@live.de>, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=122210, relay=mx4.hotmail.com. [65.55.37.104], dsn=5.7.1, stat=Service unavailable", &r), 1);
    S(r.status, "Service unavailable");
    assert_int_equal(r.outcome, MD_OUT_BOUNCED);

    /* DSN: the bounce's new queue id */
    assert_int_equal(parse("Apr 22 11:20:05 n-mail-3 sendmail[18997]: [ID 801593 mail.info] u3M9K3Rb018990: u3M9K5Tt019002: DSN: Service unavailable", &r), 1);
    assert_int_equal(r.ev, MD_EV_BOUNCE_NOTICE);
    S(r.qid, "u3M9K3Rb018990");
    S(r.new_qid, "u3M9K5Tt019002");
    S(r.reply, "Service unavailable");

    /* next hop's queue id from the reply */
    assert_int_equal(parse("Apr 20 10:00:00 n-mail-1 sendmail[1]: u3K800Aa000001: to=<a@web.de>, delay=00:00:01, mailer=esmtp, pri=1, relay=mx-ha02.web.de. [212.227.17.8], dsn=2.0.0, stat=Sent (Ok: queued as 3F1A2C0B3A)", &r), 1);
    S(r.new_qid, "3F1A2C0B3A");
    assert_true(r.flags & MD_LF_QUEUED_AS);
    assert_int_equal(parse("Apr 24 16:01:05 ironout sendmail[1]: u3OE15Lp020000: to=<a@b>, mailer=esmtp, relay=n-mail-3.rz.uni-potsdam.de. [141.89.68.1], dsn=2.0.0, stat=Sent (u3OE15Lp020011 Message accepted for delivery)", &r), 1);
    S(r.new_qid, "u3OE15Lp020011");

    /* local delivery */
    assert_int_equal(parse("Apr 20 10:00:00 n-mail-1 sendmail[1]: u3K800Aa000001: to=mmuster, ctladdr=<mmuster@uni-potsdam.de> (1234/100), delay=00:00:01, xdelay=00:00:00, mailer=local, pri=30303, dsn=2.0.0, stat=Sent", &r), 1);
    assert_true(r.flags & MD_LF_LOCAL);
    ABSENT(r.relay_host);

    /* a rejected RCPT (no queue id) */
    assert_int_equal(parse("Apr 20 10:00:00 n-mail-1 sendmail[1]: ruleset=check_rcpt, arg1=<x@uni-potsdam.de>, relay=bad.example [203.0.113.5] (may be forged), reject=550 5.7.1 <x@uni-potsdam.de>... Relaying denied", &r), 1);
    assert_int_equal(r.ev, MD_EV_REJECT);
    assert_int_equal(r.outcome, MD_OUT_REJECTED);
    ABSENT(r.qid);
    S(r.to, "<x@uni-potsdam.de>");
    S(r.client_host, "bad.example");
    S(r.client_ip, "203.0.113.5");
    S(r.reply, "550 5.7.1 <x@uni-potsdam.de>... Relaying denied");

    /* milter reject */
    assert_int_equal(parse("Apr 23 10:00:02 cl-mail sm-mta[4002]: u3N802Ab004002: Milter: data, reject=554 5.7.1 Rejected by content filter", &r), 1);
    assert_int_equal(r.ev, MD_EV_MILTER);
    assert_int_equal(r.outcome, MD_OUT_REJECTED);
    S(r.reply, "554 5.7.1 Rejected by content filter");

    /* lines without a queue id */
    assert_int_equal(parse("Apr 23 10:00:01 cl-mail sm-mta[4001]: STARTTLS=client, relay=mx00.emig.gmx.net., version=TLSv1/SSLv3, verify=FAIL", &r), 1);
    ABSENT(r.qid);
    assert_int_equal(r.ev, MD_EV_OTHER);
    assert_int_equal(parse("Apr 22 03:00:00 n-mail-2 sendmail[912]: [ID 702911 mail.info] starting daemon (8.14.7): SMTP+queueing@00:15:00", &r), 1);
    ABSENT(r.qid);
    assert_int_equal(parse("Apr 22 03:00:00 n-mail-2 sendmail[912]: NOQUEUE: connect from [1.2.3.4]", &r), 1);
    ABSENT(r.qid);
    assert_int_equal(r.ev, MD_EV_OTHER);
}

/* ---- Postfix --------------------------------------------------------------- */

static void test_postfix_fields(void **state)
{
    md_logrec r;
    (void)state;
    assert_int_equal(parse("Apr 24 09:12:01 smtpout postfix/smtpd[4101]: 3qTB2x1Hpgz9vXa: client=mail-ed1.example.net[198.51.100.23]", &r), 1);
    assert_int_equal(r.mta, MD_LOGFMT_POSTFIX);
    assert_int_equal(r.ev, MD_EV_CLIENT);
    S(r.qid, "3qTB2x1Hpgz9vXa");
    S(r.client_host, "mail-ed1.example.net");
    S(r.client_ip, "198.51.100.23");

    assert_int_equal(parse("Apr 24 09:12:01 smtpout postfix/smtpd[4101]: 3F1A2C0B3A: client=unknown[2001:db8::25]:41234, sasl_method=PLAIN, sasl_username=jdoe", &r), 1);
    S(r.client_host, "unknown");
    S(r.client_ip, "2001:db8::25");

    assert_int_equal(parse("Apr 24 09:12:01 smtpout postfix/cleanup[4102]: 3qTB2x1Hpgz9vXa: message-id=<20160424091200.GA1234@example.net>", &r), 1);
    assert_int_equal(r.ev, MD_EV_MSGID);
    S(r.msgid, "<20160424091200.GA1234@example.net>");

    assert_int_equal(parse("Apr 24 09:12:01 smtpout postfix/qmgr[1021]: 3qTB2x1Hpgz9vXa: from=<t.klein@example.net>, size=4211, nrcpt=1 (queue active)", &r), 1);
    assert_int_equal(r.ev, MD_EV_FROM);
    S(r.from, "<t.klein@example.net>");
    S(r.size, "4211");
    S(r.nrcpts, "1");

    assert_int_equal(parse("Apr 24 09:12:01 smtpout postfix/qmgr[1021]: 3qTB2x1Hpgz9vXa: from=<>, size=3012, nrcpt=1 (queue active)", &r), 1);
    S(r.from, "<>");

    assert_int_equal(parse("Apr 24 09:12:02 smtpout postfix/local[4103]: 3qTB2x1Hpgz9vXa: to=<lena.schulz@uni-potsdam.de>, relay=local, delay=0.2, delays=0.1/0/0/0.1, dsn=2.0.0, status=sent (forwarded as 3qTB2x3Zkqz9vXc)", &r), 1);
    assert_int_equal(r.ev, MD_EV_TO);
    S(r.daemon, "local");
    S(r.relay_host, "local");
    S(r.delay, "0.2");
    S(r.delays, "0.1/0/0/0.1");
    S(r.status, "sent");
    S(r.reply, "forwarded as 3qTB2x3Zkqz9vXc");
    S(r.new_qid, "3qTB2x3Zkqz9vXc");
    assert_true(r.flags & MD_LF_FORWARDED);
    assert_true(r.flags & MD_LF_LOCAL);
    assert_int_equal(r.outcome, MD_OUT_SENT);

    assert_int_equal(parse("Apr 24 09:12:03 smtpout postfix/smtp[4104]: 3qTB2x3Zkqz9vXc: to=<lena.schulz@hotmail.de>, orig_to=<lena.schulz@uni-potsdam.de>, relay=hotmail-com.olc.protection.outlook.com[104.47.18.97]:25, delay=1.1, delays=0.1/0/0.4/0.6, dsn=2.6.0, status=sent (250 2.6.0 <20160424091200.GA1234@example.net> [InternalId=26182120276993, Hostname=AM6PR04MB5432.eurprd04.prod.outlook.com] 5236 bytes in 0.180, 28.4 KB/sec Queued mail for delivery)", &r), 1);
    S(r.to, "<lena.schulz@hotmail.de>");
    S(r.orig_to, "<lena.schulz@uni-potsdam.de>");
    S(r.relay_host, "hotmail-com.olc.protection.outlook.com");
    S(r.relay_ip, "104.47.18.97");
    S(r.relay_port, "25");
    S(r.dsn, "2.6.0");
    S(r.reply, "250 2.6.0 <20160424091200.GA1234@example.net> [InternalId=26182120276993, Hostname=AM6PR04MB5432.eurprd04.prod.outlook.com] 5236 bytes in 0.180, 28.4 KB/sec Queued mail for delivery");
    assert_false(r.flags & MD_LF_LOCAL);
    ABSENT(r.new_qid);

    assert_int_equal(parse("Apr 24 09:12:03 relay postfix/smtp[4104]: ABCDEF1234: to=<a@uni-potsdam.de>, relay=n-mail-1.rz.uni-potsdam.de[141.89.68.1]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4B7D1C0C11)", &r), 1);
    S(r.new_qid, "4B7D1C0C11");
    assert_true(r.flags & MD_LF_QUEUED_AS);

    assert_int_equal(parse("Apr 24 09:14:11 smtpout postfix/smtp[4120]: 3qTB4Q5kKRz9vXf: to=<someone@outlook.com>, relay=outlook-com.olc.protection.outlook.com[104.47.56.33]:25, delay=0.9, delays=0.1/0/0.5/0.3, dsn=5.7.1, status=bounced (host outlook-com.olc.protection.outlook.com[104.47.56.33] said: 550 5.7.1 Unfortunately, messages from [141.89.68.8] weren't sent. (S3150). (in reply to MAIL FROM command))", &r), 1);
    assert_int_equal(r.outcome, MD_OUT_BOUNCED);
    S(r.status, "bounced");
    S(r.reply, "host outlook-com.olc.protection.outlook.com[104.47.56.33] said: 550 5.7.1 Unfortunately, messages from [141.89.68.8] weren't sent. (S3150). (in reply to MAIL FROM command)");

    assert_int_equal(parse("Apr 24 09:14:11 x postfix/smtp[1]: ABCDEF1234: to=<a@b.c>, relay=none, delay=30, delays=0/0/30/0, dsn=4.4.1, status=deferred (connect to mx.b.c[192.0.2.1]:25: Connection timed out)", &r), 1);
    assert_int_equal(r.outcome, MD_OUT_DEFERRED);
    S(r.relay_host, "none");
    S(r.reply, "connect to mx.b.c[192.0.2.1]:25: Connection timed out");

    assert_int_equal(parse("Apr 24 16:01:04 ironout postfix/qmgr[1544]: 3qS9fW0Kx4z9wTv: from=<h.neumann@uni-potsdam.de>, status=expired, returned to sender", &r), 1);
    assert_int_equal(r.ev, MD_EV_EXPIRED);
    assert_int_equal(r.outcome, MD_OUT_EXPIRED);
    S(r.from, "<h.neumann@uni-potsdam.de>");

    assert_int_equal(parse("Apr 24 09:14:11 smtpout postfix/bounce[4121]: 3qTB4Q5kKRz9vXf: sender non-delivery notification: 3qTB4R0pF1z9vXh", &r), 1);
    assert_int_equal(r.ev, MD_EV_BOUNCE_NOTICE);
    S(r.new_qid, "3qTB4R0pF1z9vXh");

    assert_int_equal(parse("Apr 24 09:14:11 smtpout postfix/qmgr[1021]: 3qTB4Q5kKRz9vXf: removed", &r), 1);
    assert_int_equal(r.ev, MD_EV_REMOVED);

    assert_int_equal(parse("Apr 24 09:14:10 smtpout postfix/pickup[3999]: 3qTB4Q5kKRz9vXf: uid=1000 from=<j.fischer@uni-potsdam.de>", &r), 1);
    assert_int_equal(r.ev, MD_EV_CLIENT);
    assert_true(r.flags & MD_LF_PICKUP);
    S(r.uid, "1000");
    S(r.from, "<j.fischer@uni-potsdam.de>");

    assert_int_equal(parse("Apr 24 09:13:40 smtpout postfix/smtpd[4110]: NOQUEUE: reject: RCPT from unknown[203.0.113.5]: 554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.5; from=<x@spam.example> to=<lena.schulz@uni-potsdam.de> proto=ESMTP helo=<spam.example>", &r), 1);
    assert_int_equal(r.ev, MD_EV_REJECT);
    assert_int_equal(r.outcome, MD_OUT_REJECTED);
    ABSENT(r.qid);
    S(r.client_host, "unknown");
    S(r.client_ip, "203.0.113.5");
    S(r.reply, "554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.5");
    S(r.from, "<x@spam.example>");
    S(r.to, "<lena.schulz@uni-potsdam.de>");
    S(r.proto, "ESMTP");
    S(r.helo, "<spam.example>");

    assert_int_equal(parse("Apr 24 09:13:40 x postfix/cleanup[1]: ABCDEF1234: milter-reject: END-OF-MESSAGE from unknown[1.2.3.4]: 5.7.1 Spam; from=<a@b> to=<c@d> proto=ESMTP helo=<x>", &r), 1);
    assert_int_equal(r.ev, MD_EV_REJECT);
    S(r.qid, "ABCDEF1234");
    S(r.reply, "5.7.1 Spam");

    /* not queue ids */
    assert_int_equal(parse("Apr 24 09:13:40 x postfix/smtpd[1]: warning: hostname foo does not resolve", &r), 1);
    ABSENT(r.qid);
    assert_int_equal(r.ev, MD_EV_OTHER);
    assert_int_equal(parse("Apr 24 09:13:40 x postfix/anvil[1]: statistics: max connection rate 3/60s", &r), 1);
    ABSENT(r.qid);
    /* multi-instance names */
    assert_int_equal(parse("Apr 24 09:13:40 x postfix-out/smtp[1]: ABCDEF1234: to=<a@b>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (x)", &r), 1);
    assert_int_equal(r.mta, MD_LOGFMT_POSTFIX);
    S(r.daemon, "smtp");
    assert_int_equal(r.ev, MD_EV_TO);
}

/* ---- Exim ------------------------------------------------------------------ */

static void test_exim_fields(void **state)
{
    md_logrec r;
    (void)state;
    assert_int_equal(parse("2016-04-22 09:12:44 [+0200] 1atMyK-0004Vb-3Q <= h.neumann@uni-potsdam.de H=webmail-1.rz.uni-potsdam.de (webmail) [141.89.68.3]:41234 P=esmtps X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=no S=3302 id=5719CE0C.3030501@uni-potsdam.de T=\"Hello, you\"", &r), 1);
    assert_int_equal(r.env, MD_ENV_EXIM);
    assert_int_equal(r.mta, MD_LOGFMT_EXIM);
    assert_int_equal(r.ts, utc(2016, 4, 22, 7, 12, 44));
    ABSENT(r.host);
    assert_int_equal(r.ev, MD_EV_FROM);
    assert_string_equal(r.exim_op, "<=");
    S(r.qid, "1atMyK-0004Vb-3Q");
    S(r.from, "h.neumann@uni-potsdam.de");
    S(r.client_host, "webmail-1.rz.uni-potsdam.de");
    S(r.helo, "webmail");
    S(r.client_ip, "141.89.68.3");
    S(r.proto, "esmtps");
    S(r.size, "3302");
    S(r.msgid, "5719CE0C.3030501@uni-potsdam.de");

    assert_int_equal(parse("2016-04-22 09:12:45 [+0200] 1atMyK-0004Vb-3Q => hneumann@outlook.de <hneumann@lists.uni-potsdam.de> R=redirect_router T=remote_smtp H=eur.olc.protection.outlook.com [104.47.1.33] X=TLS1.2:ECDHE-RSA-AES256-SHA384:256 CV=yes C=\"250 2.6.0 <5719CE0C.3030501@uni-potsdam.de> [InternalId=8993661649502, Hostname=AM4PR08MB0612.eurprd08.prod.outlook.com] 3985 bytes in 0.122, 31.897 KB/sec Queued mail for delivery\"", &r), 1);
    assert_int_equal(r.ev, MD_EV_TO);
    assert_int_equal(r.outcome, MD_OUT_SENT);
    assert_string_equal(r.exim_op, "=>");
    S(r.to, "hneumann@outlook.de");
    S(r.orig_to, "<hneumann@lists.uni-potsdam.de>");
    S(r.router, "redirect_router");
    S(r.mailer, "remote_smtp");
    S(r.relay_host, "eur.olc.protection.outlook.com");
    S(r.relay_ip, "104.47.1.33");
    S(r.reply, "250 2.6.0 <5719CE0C.3030501@uni-potsdam.de> [InternalId=8993661649502, Hostname=AM4PR08MB0612.eurprd08.prod.outlook.com] 3985 bytes in 0.122, 31.897 KB/sec Queued mail for delivery");

    assert_int_equal(parse("2016-04-22 09:00:03 1atMm5-0004Ot-Ah -> l.richter@live.de R=dnslookup T=remote_smtp H=eur.olc.protection.outlook.com [104.47.1.33]", &r), 1);
    assert_string_equal(r.exim_op, "->");
    assert_int_equal(r.ev, MD_EV_TO);
    S(r.to, "l.richter@live.de");
    assert_false(r.flags & MD_LF_HAS_ZONE);
    assert_int_equal(r.ts, utc(2016, 4, 22, 9, 0, 3));

    assert_int_equal(parse("2016-04-22 09:00:04 1atMm5-0004Ot-Ah ** t.schaefer@outlook.com R=dnslookup T=remote_smtp H=outlook-com.olc.protection.outlook.com [104.47.56.33] X=TLS1.2:x:256 CV=yes: SMTP error from remote mail server after RCPT TO:<t.schaefer@outlook.com>: 550 5.5.0 Requested action not taken: mailbox unavailable.", &r), 1);
    assert_int_equal(r.outcome, MD_OUT_BOUNCED);
    S(r.to, "t.schaefer@outlook.com");
    S(r.relay_ip, "104.47.56.33");
    S(r.reply, "SMTP error from remote mail server after RCPT TO:<t.schaefer@outlook.com>: 550 5.5.0 Requested action not taken: mailbox unavailable.");

    assert_int_equal(parse("2016-04-22 09:00:04 1atMm5-0004Ot-Ah == b.klein@msn.com R=dnslookup T=remote_smtp defer (-44) H=msn-com.olc.protection.outlook.com [104.47.33.33]: SMTP error from remote mail server after MAIL FROM:<x@y> SIZE=6128: 451 4.7.650 The mail server [141.89.68.7] has been temporarily rate limited due to IP reputation. (S775)", &r), 1);
    assert_int_equal(r.outcome, MD_OUT_DEFERRED);
    S(r.relay_host, "msn-com.olc.protection.outlook.com");
    S(r.reply, "SMTP error from remote mail server after MAIL FROM:<x@y> SIZE=6128: 451 4.7.650 The mail server [141.89.68.7] has been temporarily rate limited due to IP reputation. (S775)");

    assert_int_equal(parse("2016-04-22 10:00:05.530 [18045] 1atNp7-0004nS-Fw ** nobody@uni-potsdam.invalid: Unrouteable address", &r), 1);
    S(r.pid, "18045");
    assert_int_equal(r.usec, 530000);
    S(r.to, "nobody@uni-potsdam.invalid");
    S(r.reply, "Unrouteable address");

    assert_int_equal(parse("2016-04-22 09:00:05 +0200 1atMm9-0004PA-Kd <= <> R=1atMm5-0004Ot-Ah U=Debian-exim P=local S=7210", &r), 1);
    assert_true(r.flags & MD_LF_HAS_ZONE);
    assert_int_equal(r.ts, utc(2016, 4, 22, 7, 0, 5));
    S(r.from, "<>");
    S(r.bounce_of, "1atMm5-0004Ot-Ah");
    S(r.uid, "Debian-exim");

    assert_int_equal(parse("2016-04-22 09:00:05 1atMm9-0004PA-Kd => /var/mail/anna (anna@uni-potsdam.de) <anna@uni-potsdam.de> R=local_user T=mail_spool", &r), 1);
    S(r.to, "/var/mail/anna");
    S(r.orig_to, "<anna@uni-potsdam.de>");
    assert_true(r.flags & MD_LF_LOCAL);

    assert_int_equal(parse("2016-04-22 09:00:05 1atMm9-0004PA-Kd Completed", &r), 1);
    assert_int_equal(r.ev, MD_EV_REMOVED);

    assert_int_equal(parse("2016-04-22 09:30:10 H=(ylmf-pc) [45.227.254.20] F=<spameri@tiscali.it> rejected RCPT <info@lists.uni-potsdam.de>: relay not permitted", &r), 1);
    assert_int_equal(r.ev, MD_EV_REJECT);
    ABSENT(r.qid);
    S(r.client_ip, "45.227.254.20");
    S(r.helo, "ylmf-pc");
    S(r.from, "<spameri@tiscali.it>");
    S(r.to, "<info@lists.uni-potsdam.de>");
    S(r.reply, "relay not permitted");

    assert_int_equal(parse("2016-04-22 09:40:00 [+0200] Start queue run: pid=18022", &r), 1);
    assert_int_equal(r.ev, MD_EV_OTHER);

    /* Exim 4.97 ids, Exim inside syslog (with its own stamp), remote next-hop id */
    assert_int_equal(parse("2026-11-28 09:18:51 1tGxyz-00000000abc-0012 Completed", &r), 1);
    S(r.qid, "1tGxyz-00000000abc-0012");
    assert_int_equal(parse("Nov 28 09:18:51 mx exim4[123]: 2026-11-28 09:18:51 1tGxyz-000abc-12 => x@y.org R=dnslookup T=remote_smtp H=mx.y.org [192.0.2.1] C=\"250 OK id=1tGabc-000def-34\"", &r), 1);
    assert_int_equal(r.env, MD_ENV_BSD);
    assert_int_equal(r.mta, MD_LOGFMT_EXIM);
    S(r.host, "mx");
    S(r.qid, "1tGxyz-000abc-12");
    S(r.new_qid, "1tGabc-000def-34");
    assert_int_equal(parse("Nov 28 09:18:51 mx exim[123]: 1tGxyz-000abc-12 <= a@b H=[192.0.2.9] P=smtp S=1", &r), 1);
    S(r.client_ip, "192.0.2.9");
    ABSENT(r.client_host);

    /* forced format: an Exim mainlog line that looks like syslog */
    md_logctx_init(&ctx, 2016, MD_LOGFMT_EXIM);
    assert_int_equal(parse("2016-04-22 09:40:00 cwd=/var/spool/exim4 3 args: /usr/sbin/exim4 -bd", &r), 1);
    assert_int_equal(r.env, MD_ENV_EXIM);
}

/* ---- every fixture line is recognised ------------------------------------- */

static void test_fixtures_recognised(void **state)
{
    static const char *const files[] = {
        "/logs/n-mail-1/mail.log", "/logs/n-mail-2/mail.log", "/logs/n-mail-2/mail.log.1.gz",
        "/logs/n-mail-3/mail.log", "/logs/cl-mail/mail.log", "/logs/ironout/mail.log",
        "/logs/smtpout/mail.log", "/logs/rfc3339/smtpout-iso.log", "/logs/exim/mainlog",
        "/logs/scenario/n-mail-2-scenario.log"};
    size_t f, i, n, to = 0, from = 0, ms_named = 0;
    (void)state;
    for (f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[1024];
        char **l;
        snprintf(path, sizeof path, "%s%s", MD_FIXTURES, files[f]);
        l = read_lines(path, &n);
        assert_true(n > 0);
        for (i = 0; i < n; i++) {
            md_logrec r;
            if (parse(l[i], &r) != 1) fail_msg("%s:%zu not recognised", files[f], i + 1);
            assert_true(r.ts > utc(2016, 4, 18, 0, 0, 0) && r.ts < utc(2016, 4, 26, 0, 0, 0));
            if (r.ev == MD_EV_TO) {
                to++;
                if (!r.qid.p || !r.to.p || !r.outcome) fail_msg("%s:%zu: to without qid/to/outcome", files[f], i + 1);
                if (r.reply.p && r.outcome == MD_OUT_DEFERRED) {
                    md_reply rp;
                    md_reply_classify(&rp, r.reply.p, r.reply.n, r.relay_host.p, r.relay_host.n);
                    if (rp.ms && rp.named_ip[0]) ms_named++;
                }
            }
            if (r.ev == MD_EV_FROM) {
                from++;
                if (!r.from.p) fail_msg("%s:%zu: from without sender", files[f], i + 1);
            }
        }
        free_lines(l, n);
    }
    assert_true(to > 100);
    assert_true(from > 100);
    assert_true(ms_named >= 8); /* the 4.7.650 / RP-001 / 4.7.500 / S3115 deferrals */
}

/* ---- bad input --------------------------------------------------------------- */

static void test_bad_files(void **state)
{
    static const char *const files[] = {"/logs/bad/junk.bin", "/logs/bad/invalid-utf8.log",
                                        "/logs/bad/mixed.log"};
    size_t f, i, n, ok;
    (void)state;
    for (f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[1024];
        md_input *in = NULL;
        md_err err;
        const char *l;
        int flags;
        snprintf(path, sizeof path, "%s%s", MD_FIXTURES, files[f]);
        assert_int_equal(md_input_open(&in, path, &err), 0);
        n = ok = 0;
        while (md_input_getline(in, &l, &i, &flags, &err) == 1) {
            md_logrec r;
            ok += (size_t)md_logline_parse(&ctx, l, i, &r);
            n++;
        }
        md_input_close(in);
        if (f == 1) assert_int_equal(ok, 4); /* invalid UTF-8 is still a log line */
        if (f == 2) assert_true(ok >= 5 && ok < n);
    }
}

static void test_long_line(void **state)
{
    size_t n = 10 * 1024 * 1024, i;
    char *big = malloc(n);
    const char *head = "Apr 23 16:06:32 n-mail-2 sendmail[1]: u3NE6SaT025990: to=<a@b>, stat=Sent (";
    md_logrec r;
    (void)state;
    assert_non_null(big);
    memcpy(big, head, strlen(head));
    for (i = strlen(head); i < n; i++) big[i] = (char)('a' + i % 26);
    assert_int_equal(md_logline_parse(&ctx, big, n, &r), 1);
    assert_true(r.flags & MD_LF_TRUNC);
    assert_int_equal(r.ev, MD_EV_TO);
    assert_true(r.reply.p + r.reply.n <= big + MD_LIMIT_LINE);
    /* all separators: commas, brackets, quotes */
    for (i = 0; i < n; i++) big[i] = ",<>()[]\"= :"[i % 11];
    assert_int_equal(md_logline_parse(&ctx, big, n, &r), 0);
    memcpy(big, head, strlen(head));
    assert_int_equal(md_logline_parse(&ctx, big, n, &r), 1);
    free(big);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(md_logline_event_name(MD_EV_TO), "to");
    assert_string_equal(md_logline_event_name(-1), "");
    assert_string_equal(md_logline_outcome_name(MD_OUT_DEFERRED), "deferred");
    assert_string_equal(md_logline_env_name(MD_ENV_SOLARIS), "solaris");
    assert_int_equal(md_logline_fmt_parse("exim"), MD_LOGFMT_EXIM);
    assert_int_equal(md_logline_fmt_parse("qmail"), -1);
    assert_true(md_span_caseeq((md_span){"SENT", 4}, "sent"));
    assert_false(md_span_caseeq((md_span){"SENT", 4}, "sen"));
    assert_true(md_span_eq((md_span){NULL, 0}, ""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_logtime_days, setup),
        cmocka_unit_test_setup(test_logtime_parse, setup),
        cmocka_unit_test_setup(test_scenario_exact, setup),
        cmocka_unit_test_setup(test_zone_setting, setup),
        cmocka_unit_test_setup(test_envelopes, setup),
        cmocka_unit_test_setup(test_year_rollover, setup),
        cmocka_unit_test_setup(test_sendmail_fields, setup),
        cmocka_unit_test_setup(test_postfix_fields, setup),
        cmocka_unit_test_setup(test_exim_fields, setup),
        cmocka_unit_test_setup(test_fixtures_recognised, setup),
        cmocka_unit_test_setup(test_bad_files, setup),
        cmocka_unit_test_setup(test_long_line, setup),
        cmocka_unit_test_setup(test_names, setup),
        cmocka_unit_test(test_local_zone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
