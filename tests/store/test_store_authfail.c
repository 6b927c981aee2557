/* test_store_authfail.c: lib/store/store_authfail.c: a DMARC failure
 * report's fields stored with its message and listed by Source-IP; a
 * complaint (abuse) stores nothing there and stays a complaint, while the
 * failure report is left out of md_store_msg_complaints.  Data built here. */
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
#include "store/store_authfail.h"
#include "store/store_msg.h"
#include "testutil.h"

static char dbpath[512];

static int64_t put_msg(md_store *st, const char *hash, const md_arf *a)
{
    md_msg_writer *w = NULL;
    md_err e = {0, ""};
    assert_int_equal(md_store_msg_writer_open(st, &w, &e), 0);
    md_msg_row r;
    memset(&r, 0, sizeof r);
    r.hash = hash;
    r.kind = MD_MSGKIND_ARF;
    r.path = "report.eml";
    r.message_id = hash;
    r.from_addr = r.from_text = r.to_text = r.subject = r.antispam = "";
    r.raw = "x";
    r.rawlen = 1;
    r.date = a->arrival_date;
    assert_int_equal(md_store_msg_put(w, &r, &e), 1);
    assert_int_equal(md_store_msg_arf_put(w, r.id, a, &e), 0);
    assert_int_equal(md_store_authfail_put(st, r.id, a, &e), 0);
    md_store_msg_writer_close(w);
    return r.id;
}

typedef struct seen {
    int n;
    char line[4][1024];
} seen;

static int on_row(void *arg, const md_authfail_row *r)
{
    seen *s = arg;
    if (s->n < 4)
        snprintf(s->line[s->n], sizeof s->line[0], "%s %s %s %s %s", r->source_ip,
                 r->auth_failure, r->dkim_selector, r->delivery_result, r->orig_message_id);
    s->n++;
    return 0;
}

static int on_complaint(void *arg, const md_msg_arfrow *r)
{
    (void)r;
    (*(int *)arg)++;
    return 0;
}

static void test_put_and_list(void **state)
{
    (void)state;
    md_store *st = md_test_store_open(dbpath, sizeof dbpath, "test_store_authfail");
    md_err e = {0, ""};
    md_arf a;
    memset(&a, 0, sizeof a);
    a.form = MD_ARF_RFC5965;
    snprintf(a.feedback_type, sizeof a.feedback_type, "auth-failure");
    snprintf(a.source_ip, sizeof a.source_ip, "141.89.68.8");
    snprintf(a.auth_failure, sizeof a.auth_failure, "dkim");
    snprintf(a.dkim_selector, sizeof a.dkim_selector, "s2016");
    snprintf(a.delivery_result, sizeof a.delivery_result, "reject");
    snprintf(a.orig_message_id, sizeof a.orig_message_id, "m1@uni-potsdam.de");
    a.arrival_date = 1461409092;
    assert_int_equal(md_store_begin(st, &e), 0);
    put_msg(st, "h-authfail", &a);
    snprintf(a.feedback_type, sizeof a.feedback_type, "abuse");
    snprintf(a.orig_message_id, sizeof a.orig_message_id, "m2@uni-potsdam.de");
    put_msg(st, "h-abuse", &a);
    assert_int_equal(md_store_commit(st, &e), 0);

    seen s = {0};
    assert_int_equal(md_store_authfail_list(st, "141.89.68.8", on_row, &s, &e), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.line[0], "141.89.68.8 dkim s2016 reject m1@uni-potsdam.de");
    memset(&s, 0, sizeof s);
    assert_int_equal(md_store_authfail_list(st, "141.89.68.7", on_row, &s, &e), 0);
    assert_int_equal(s.n, 0);
    int complaints = 0;
    assert_int_equal(md_store_msg_complaints(st, "141.89.68.8", 0, 0, on_complaint, &complaints,
                                             &e), 0);
    assert_int_equal(complaints, 1); /* the abuse report only */
    md_test_store_close(st, dbpath);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_and_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
