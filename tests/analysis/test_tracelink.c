/* test_tracelink.c: lib/analysis/tracelink.c through md_trace_run on a store
 * filled from a small log (md_ingest_path):
 *   - a copy tied to its parent by "forwarded as" gets no inferred parent:
 *     the previous hop shares the Message-ID Microsoft quotes for the copy,
 *     and that link is dropped (not even shown as possible);
 *   - the same message on the next host (same Message-ID, same recipient)
 *     is a precise link, with the recipient as `via`;
 *   - two copies of one original, re-injected with each recipient as the
 *     envelope sender, are precise for their own recipient: a trace of one
 *     recipient has its own copy only;
 *   - two copies with neither rules nor senders to tell them apart are
 *     possible links: a queue-id trace shows them (possible = 1), an
 *     address trace neither follows nor returns them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/trace.h"
#include "testutil.h"
#include "logstore.h"

static char dir[512];
static md_store *st;

static const char *const log_text[] = {
    /* forwarded copy whose 250 quotes the Message-ID of the previous hop too */
    "Nov 20 09:00:00 n-mail-1 sendmail[100]: xAK8000A000100: from=<ann@example.org>, size=900, class=0, nrcpts=1, msgid=<orig@example.org>, proto=ESMTP, daemon=MTA, relay=mx.example.org [192.0.2.25]",
    "Nov 20 09:00:01 n-mail-1 sendmail[101]: xAK8000A000100: to=<bob@uni-potsdam.de>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=1, relay=other.example.net. [198.51.100.7], dsn=2.0.0, stat=Sent (Ok: queued as 1111111111)",
    "Nov 20 09:00:01 relay postfix/smtpd[10]: 1111111111: client=n-mail-1.example.net[198.51.100.1]",
    "Nov 20 09:00:01 relay postfix/cleanup[11]: 1111111111: message-id=<orig@example.org>",
    "Nov 20 09:00:01 relay postfix/qmgr[12]: 1111111111: from=<ann@example.org>, size=950, nrcpt=1 (queue active)",
    "Nov 20 09:00:02 relay postfix/local[13]: 1111111111: to=<bob@uni-potsdam.de>, relay=local, delay=1, delays=0/0/0/0, dsn=2.0.0, status=sent (forwarded as 2222222222)",
    "Nov 20 09:00:02 relay postfix/qmgr[12]: 1111111111: removed",
    "Nov 20 09:00:02 relay postfix/cleanup[11]: 2222222222: message-id=<orig@example.org>",
    "Nov 20 09:00:02 relay postfix/qmgr[12]: 2222222222: from=<ann@example.org>, size=1000, nrcpt=1 (queue active)",
    "Nov 20 09:00:04 relay postfix/smtp[14]: 2222222222: to=<bob@hotmail.de>, orig_to=<bob@uni-potsdam.de>, relay=hotmail-com.olc.protection.outlook.com[104.47.1.1]:25, delay=2, delays=0/0/1/1, dsn=2.6.0, status=sent (250 2.6.0 <orig@example.org> [InternalId=1, Hostname=X.prod.outlook.com] Queued mail for delivery)",
    "Nov 20 09:00:04 relay postfix/qmgr[12]: 2222222222: removed",
    /* two copies re-injected with each recipient as sender */
    "Nov 20 10:00:00 n-mail-2 sendmail[200]: xAK9000B000200: from=<eve@example.org>, size=900, class=0, nrcpts=2, msgid=<two@example.org>, proto=ESMTP, daemon=MTA, relay=mx.example.org [192.0.2.25]",
    "Nov 20 10:00:01 n-mail-2 sendmail[201]: xAK9000B000200: to=<cat@uni-potsdam.de>, delay=00:00:01, xdelay=00:00:00, mailer=cgprov6, pri=1, relay=store.uni-potsdam.de. [198.51.100.44], dsn=2.0.0, stat=Sent",
    "Nov 20 10:00:01 n-mail-2 sendmail[201]: xAK9000B000200: to=<dan@uni-potsdam.de>, delay=00:00:01, xdelay=00:00:00, mailer=cgprov6, pri=1, relay=store.uni-potsdam.de. [198.51.100.44], dsn=2.0.0, stat=Sent",
    "Nov 20 10:00:02 n-mail-2 sendmail[210]: xAK9002C000210: from=<cat@uni-potsdam.de>, size=950, class=0, nrcpts=1, msgid=<c1@store>, proto=ESMTP, daemon=MTA, relay=store.uni-potsdam.de [198.51.100.44]",
    "Nov 20 10:00:02 n-mail-2 sendmail[212]: xAK9002D000212: from=<dan@uni-potsdam.de>, size=950, class=0, nrcpts=1, msgid=<c2@store>, proto=ESMTP, daemon=MTA, relay=store.uni-potsdam.de [198.51.100.44]",
    "Nov 20 10:00:04 n-mail-2 sendmail[215]: xAK9002C000210: to=<cat@hotmail.de>, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=1, relay=mx3.hotmail.com. [134.170.2.199], dsn=2.0.0, stat=Sent (<two@example.org> Queued mail for delivery)",
    "Nov 20 10:00:04 n-mail-2 sendmail[216]: xAK9002D000212: to=<dan@hotmail.de>, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=1, relay=mx3.hotmail.com. [134.170.2.199], dsn=2.0.0, stat=Sent (<two@example.org> Queued mail for delivery)",
    /* two copies that nothing tells apart */
    "Nov 20 11:00:00 n-mail-3 sendmail[300]: xAKA000E000300: from=<fay@example.org>, size=900, class=0, nrcpts=2, msgid=<three@example.org>, proto=ESMTP, daemon=MTA, relay=mx.example.org [192.0.2.25]",
    "Nov 20 11:00:01 n-mail-3 sendmail[301]: xAKA000E000300: to=<gus@uni-potsdam.de>, delay=00:00:01, xdelay=00:00:00, mailer=cgprov6, pri=1, relay=store.uni-potsdam.de. [198.51.100.44], dsn=2.0.0, stat=Sent",
    "Nov 20 11:00:01 n-mail-3 sendmail[301]: xAKA000E000300: to=<hal@uni-potsdam.de>, delay=00:00:01, xdelay=00:00:00, mailer=cgprov6, pri=1, relay=store.uni-potsdam.de. [198.51.100.44], dsn=2.0.0, stat=Sent",
    "Nov 20 11:00:02 n-mail-3 sendmail[310]: xAKA002F000310: from=<fay@example.org>, size=950, class=0, nrcpts=1, msgid=<c3@store>, proto=ESMTP, daemon=MTA, relay=store.uni-potsdam.de [198.51.100.44]",
    "Nov 20 11:00:02 n-mail-3 sendmail[312]: xAKA002G000312: from=<fay@example.org>, size=950, class=0, nrcpts=1, msgid=<c4@store>, proto=ESMTP, daemon=MTA, relay=store.uni-potsdam.de [198.51.100.44]",
    "Nov 20 11:00:04 n-mail-3 sendmail[315]: xAKA002F000310: to=<gus.private@hotmail.de>, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=1, relay=mx3.hotmail.com. [134.170.2.199], dsn=2.0.0, stat=Sent (<three@example.org> Queued mail for delivery)",
    "Nov 20 11:00:04 n-mail-3 sendmail[316]: xAKA002G000312: to=<hal.private@hotmail.de>, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=1, relay=mx3.hotmail.com. [134.170.2.199], dsn=2.0.0, stat=Sent (<three@example.org> Queued mail for delivery)",
};

static int setup(void **state)
{
    (void)state;
    return md_test_logstore(dir, sizeof dir, "test_tracelink", log_text,
                            sizeof log_text / sizeof log_text[0], 2026, &st);
}

static int teardown(void **state)
{
    (void)state;
    md_store_close(st);
    return md_test_rmtree(dir);
}

static md_trace_result *run(const char *qid, const char *addr)
{
    md_trace_query q;
    memset(&q, 0, sizeof q);
    q.qids = &qid;
    q.nqids = qid ? 1 : 0;
    q.addrs = &addr;
    q.naddrs = addr ? 1 : 0;
    md_trace_result *r = NULL;
    md_err err = {0, ""};
    assert_int_equal(md_trace_run(st, &q, &r, &err), MD_OK);
    assert_non_null(r);
    return r;
}

static long find(const md_trace_result *r, const char *qid)
{
    for (size_t i = 0; i < r->nmsgs; i++)
        if (strcmp(r->msgs[i].qid, qid) == 0)
            return (long)i;
    return -1;
}

/* the link between the messages with those queue ids, or NULL */
static const md_trace_link *link_of(const md_trace_result *r, const char *a, const char *b)
{
    long x = find(r, a), y = find(r, b);
    for (size_t i = 0; x >= 0 && y >= 0 && i < r->nlinks; i++)
        if (r->links[i].from == (size_t)x && r->links[i].to == (size_t)y)
            return &r->links[i];
    return NULL;
}

static void test_forwarded_copy_no_inferred_parent(void **state)
{
    (void)state;
    md_trace_result *r = run("xAK8000A000100", NULL);
    assert_int_equal(r->nmsgs, 3);
    const md_trace_link *hop = link_of(r, "xAK8000A000100", "1111111111");
    assert_non_null(hop);
    assert_int_equal(hop->kind, MD_LINK_SAME_MSGID);
    assert_int_equal(hop->possible, 0);
    assert_string_equal(hop->via, "bob@uni-potsdam.de");
    const md_trace_link *fw = link_of(r, "1111111111", "2222222222");
    assert_non_null(fw);
    assert_int_equal(fw->kind, MD_LINK_FORWARDED);
    /* the previous hop's Message-ID is quoted for the copy: no link */
    assert_null(link_of(r, "xAK8000A000100", "2222222222"));
    for (size_t i = 0; i < r->nlinks; i++)
        assert_true(r->links[i].kind != MD_LINK_MS_QUOTED);
    md_trace_free(r);
}

static void test_copies_by_sender(void **state)
{
    (void)state;
    md_trace_result *r = run("xAK9000B000200", NULL);
    assert_int_equal(r->nmsgs, 3);
    const md_trace_link *a = link_of(r, "xAK9000B000200", "xAK9002C000210");
    const md_trace_link *b = link_of(r, "xAK9000B000200", "xAK9002D000212");
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->possible, 0);
    assert_string_equal(a->via, "cat@uni-potsdam.de");
    assert_string_equal(b->via, "dan@uni-potsdam.de");
    md_trace_free(r);
    /* cat's trace: her original and her copy (found as its sender), not dan's */
    r = run(NULL, "cat@hotmail.de");
    assert_true(find(r, "xAK9002C000210") >= 0);
    assert_true(find(r, "xAK9000B000200") >= 0);
    assert_int_equal(find(r, "xAK9002D000212"), -1);
    md_trace_free(r);
}

static void test_possible_only(void **state)
{
    (void)state;
    md_trace_result *r = run("xAKA000E000300", NULL);
    assert_int_equal(r->nmsgs, 3);
    const md_trace_link *a = link_of(r, "xAKA000E000300", "xAKA002F000310");
    assert_non_null(a);
    assert_int_equal(a->possible, 1);
    assert_string_equal(a->via, "");
    md_trace_free(r);
    r = run(NULL, "gus@uni-potsdam.de");
    assert_int_equal(r->nmsgs, 1);
    assert_int_equal(r->nlinks, 0);
    md_trace_free(r);
    /* from a copy: not back over a possible link either */
    r = run(NULL, "gus.private@hotmail.de");
    assert_int_equal(r->nmsgs, 1);
    assert_string_equal(r->msgs[0].qid, "xAKA002F000310");
    md_trace_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forwarded_copy_no_inferred_parent),
        cmocka_unit_test(test_copies_by_sender),
        cmocka_unit_test(test_possible_only),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
