/* test_store_case.c: the case area (lib/store/store_case.c): tickets saved and
 * regenerated (details replaced, not added), the IP <-> ticket index,
 * requests with their IPs and tickets, answers stored once and in date
 * order, the IPs the area knows, and inputs it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "store/store_case.h"
#include "testutil.h"

static char dbpath[512];

static int setup(void **state)
{
    *state = md_test_store_open(dbpath, sizeof dbpath, "test_store_case");
    return 0;
}

static int teardown(void **state)
{
    md_test_store_close(*state, dbpath);
    return 0;
}

static md_case_ticket_ip tip(const char *ip, int64_t a, int64_t b, const char *oc, uint64_t f)
{
    md_case_ticket_ip r;
    memset(&r, 0, sizeof r);
    snprintf(r.ip, sizeof r.ip, "%s", ip);
    r.first_seen = a;
    r.last_seen = b;
    snprintf(r.outcome, sizeof r.outcome, "%s", oc);
    r.failures = f;
    r.total = f + 1;
    snprintf(r.evidence, sizeof r.evidence, "evidence for %s", ip);
    return r;
}

static void test_ticket_save_and_regenerate(void **state)
{
    md_store *st = *state;
    md_err err = {0, ""};
    md_case_ticket t;
    memset(&t, 0, sizeof t);
    snprintf(t.number, sizeof t.number, "2016042010001094");
    t.since = 1460000000;
    t.until = 1461300000;
    t.redact = 1;
    t.generated_at = 1461400000;
    snprintf(t.outcome, sizeof t.outcome, "filtered");
    snprintf(t.summary, sizeof t.summary, "forwarded to Hotmail, filtered");
    const char *addrs[] = {"anna.schmidt@uni-potsdam.de", "anna.schmidt@hotmail.de"};
    md_case_ticket_ip ips[] = {tip("141.89.68.1", 10, 20, "filtered", 2),
                               tip("141.89.68.7", 5, 25, "filtered", 2)};
    const char *files[] = {"out/dossier-2016042010001094.pdf", "out/dossier-2016042010001094.xml"};
    const char *fmts[] = {"pdf", "xml"};
    assert_int_equal(md_store_case_ticket_save(st, &t, addrs, 2, ips, 2, files, fmts, 2, &err),
                     MD_OK);
    assert_true(t.id > 0);
    int64_t id = t.id;

    md_case_ticket g;
    assert_int_equal(md_store_case_ticket_get(st, "2016042010001094", &g, &err), MD_OK);
    assert_string_equal(g.addresses, "anna.schmidt@uni-potsdam.de, anna.schmidt@hotmail.de");
    assert_string_equal(g.files, "out/dossier-2016042010001094.pdf, out/dossier-2016042010001094.xml");
    assert_string_equal(g.outcome, "filtered");
    assert_int_equal(g.since, 1460000000);

    /* regenerate: one address, one IP, three files; same id, details replaced */
    t.id = 0;
    t.generated_at = 1461500000;
    const char *files3[] = {"a.pdf", "a.txt", "a.xml"};
    const char *fmts3[] = {"pdf", "txt", "xml"};
    assert_int_equal(md_store_case_ticket_save(st, &t, addrs, 1, ips + 1, 1, files3, fmts3, 3,
                                               &err), MD_OK);
    assert_int_equal(t.id, id);
    assert_int_equal(md_store_case_ticket_get(st, "2016042010001094", &g, &err), MD_OK);
    assert_string_equal(g.addresses, "anna.schmidt@uni-potsdam.de");
    assert_string_equal(g.files, "a.pdf, a.txt, a.xml");
    assert_int_equal(g.generated_at, 1461500000);
    md_case_ticket_ip *ri = NULL;
    size_t n = 0;
    assert_int_equal(md_store_case_ticket_ips(st, "2016042010001094", &ri, &n, &err), MD_OK);
    assert_int_equal(n, 1);
    assert_string_equal(ri[0].ip, "141.89.68.7");
    assert_int_equal(ri[0].failures, 2);
    free(ri);
    md_case_addr *ad = NULL;
    assert_int_equal(md_store_case_ticket_addrs(st, "2016042010001094", &ad, &n, &err), MD_OK);
    assert_int_equal(n, 1);
    free(ad);

    assert_int_equal(md_store_case_ticket_get(st, "nope", &g, &err), MD_ERR_NOTFOUND);
    md_case_ticket bad;
    memset(&bad, 0, sizeof bad);
    assert_int_equal(md_store_case_ticket_save(st, &bad, NULL, 0, NULL, 0, NULL, NULL, 0, &err),
                     MD_ERR_ARG);
}

static void test_ticket_list_and_ip_index(void **state)
{
    md_store *st = *state;
    md_err err = {0, ""};
    const char *a[] = {"x@uni-potsdam.de"};
    for (int i = 0; i < 3; i++) {
        md_case_ticket t;
        memset(&t, 0, sizeof t);
        snprintf(t.number, sizeof t.number, "T%d", i);
        t.since = 1000 * (i + 1);
        t.until = 1000 * (i + 1) + 500;
        t.generated_at = 100 + i;
        md_case_ticket_ip ip = tip("141.89.68.4", t.since, t.until, "filtered", 1);
        assert_int_equal(md_store_case_ticket_save(st, &t, a, 1, &ip, i == 1 ? 0 : 1, NULL, NULL,
                                                   0, &err), MD_OK);
    }
    md_case_ticket *l = NULL;
    size_t n = 0;
    assert_int_equal(md_store_case_ticket_list(st, 0, 0, &l, &n, &err), MD_OK);
    assert_int_equal(n, 3);
    assert_string_equal(l[0].number, "T2"); /* newest first */
    free(l);
    /* windows overlapping [1800, 2200]: T0 [1000,1500] no, T1 [2000,2500] yes, T2 no */
    assert_int_equal(md_store_case_ticket_list(st, 1800, 2200, &l, &n, &err), MD_OK);
    assert_int_equal(n, 1);
    assert_string_equal(l[0].number, "T1");
    free(l);
    md_case_ip_ticket *it = NULL;
    assert_int_equal(md_store_case_ip_tickets(st, "141.89.68.4", &it, &n, &err), MD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(it[0].number, "T0");
    assert_string_equal(it[1].number, "T2");
    free(it);
}

static void test_requests(void **state)
{
    md_store *st = *state;
    md_err err = {0, ""};
    const char *ips1[] = {"141.89.68.1", "141.89.68.7"};
    const char *ips2[] = {"141.89.68.7", "141.89.68.3"};
    const char *tk[] = {"2016042010001094", "2016042010000826"};
    int64_t id1 = 0, id2 = 0;
    assert_int_equal(md_store_case_request_add(st, 2000, 0, 0, "req1.txt", "SRX1361942213ID",
                                               ips1, 2, tk, 2, &id1, &err), MD_OK);
    assert_int_equal(md_store_case_request_add(st, 3000, 10, 20, NULL, NULL, ips2, 2, tk, 1,
                                               &id2, &err), MD_OK);
    assert_true(id2 > id1);
    md_case_request *r = NULL;
    size_t n = 0;
    assert_int_equal(md_store_case_requests(st, "141.89.68.7", &r, &n, &err), MD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(r[0].ips, "141.89.68.1; 141.89.68.7");
    assert_string_equal(r[0].tickets, "2016042010001094, 2016042010000826");
    assert_string_equal(r[0].file, "req1.txt");
    assert_string_equal(r[1].file, "");
    assert_string_equal(r[0].case_number, "SRX1361942213ID");
    assert_string_equal(r[1].case_number, "");
    assert_int_equal(r[0].withdrawn_at, 0);
    free(r);
    /* withdrawn: kept, marked, once */
    assert_int_equal(md_store_case_request_withdraw(st, id2, 4000, "sent twice", &err), MD_OK);
    md_case_request one;
    assert_int_equal(md_store_case_request_get(st, id2, &one, &err), MD_OK);
    assert_int_equal(one.withdrawn_at, 4000);
    assert_string_equal(one.withdrawn_why, "sent twice");
    assert_string_equal(one.ips, "141.89.68.7; 141.89.68.3");
    assert_int_equal(md_store_case_request_withdraw(st, id2, 5000, NULL, &err), MD_ERR_ARG);
    assert_int_equal(md_store_case_request_get(st, id2, &one, &err), MD_OK);
    assert_int_equal(one.withdrawn_at, 4000);
    assert_int_equal(md_store_case_request_withdraw(st, id2 + 100, 5000, NULL, &err),
                     MD_ERR_NOTFOUND);
    assert_int_equal(md_store_case_request_get(st, id2 + 100, &one, &err), MD_ERR_NOTFOUND);
    assert_int_equal(md_store_case_requests(st, "141.89.68.1", &r, &n, &err), MD_OK);
    assert_int_equal(n, 1);
    free(r);
    assert_int_equal(md_store_case_requests(st, "192.0.2.1", &r, &n, &err), MD_OK);
    assert_int_equal(n, 0);
    assert_null(r);
    assert_int_equal(md_store_case_requests(st, NULL, &r, &n, &err), MD_OK);
    assert_int_equal(n, 2);
    free(r);
}

static void test_answers(void **state)
{
    md_store *st = *state;
    md_err err = {0, ""};
    md_case_answer a;
    memset(&a, 0, sizeof a);
    snprintf(a.ip, sizeof a.ip, "141.89.68.1");
    snprintf(a.outcome, sizeof a.outcome, "throttling-raised");
    a.date = 5000;
    snprintf(a.message_id, sizeof a.message_id, "b@x");
    int added = -1;
    assert_int_equal(md_store_case_answer_add(st, &a, &added, &err), MD_OK);
    assert_int_equal(added, 1);
    assert_int_equal(md_store_case_answer_add(st, &a, &added, &err), MD_OK);
    assert_int_equal(added, 0);
    snprintf(a.outcome, sizeof a.outcome, "more-information");
    a.date = 4000;
    snprintf(a.message_id, sizeof a.message_id, "a@x");
    assert_int_equal(md_store_case_answer_add(st, &a, &added, &err), MD_OK);
    md_case_answer *r = NULL;
    size_t n = 0;
    assert_int_equal(md_store_case_answers(st, "141.89.68.1", &r, &n, &err), MD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(r[0].outcome, "more-information");
    assert_string_equal(r[1].outcome, "throttling-raised");
    free(r);
    memset(&a, 0, sizeof a);
    assert_int_equal(md_store_case_answer_add(st, &a, NULL, &err), MD_ERR_ARG);

    md_case_ipref *ips = NULL;
    assert_int_equal(md_store_case_known_ips(st, &ips, &n, &err), MD_OK);
    assert_int_equal(n, 1);
    assert_string_equal(ips[0].ip, "141.89.68.1");
    free(ips);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ticket_save_and_regenerate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ticket_list_and_ip_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
