/* test_msreply.c: Microsoft sender-support replies (lib/parse/msreply.c): the
 * table mail of the scenario as text and as HTML, per-IP throttling mails,
 * "not qualified" and "mitigated" mails, quoted requests that must not be
 * read as answers, mails that are no reply at all, and storing through
 * md_msgfile_store_reply (the mail reader) into the case area. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/input.h"
#include "parse/message.h"
#include "ingest/msgfile.h"
#include "ingest/readers.h"
#include "parse/msreply.h"
#include "store/store_case.h"
#include "testutil.h"

static md_message *load(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/replies/%s", MD_FIXTURES, name);
    md_input *in = NULL;
    md_err err = {0, ""};
    assert_int_equal(md_input_open(&in, path, &err), MD_OK);
    md_buf b = MD_BUF_INIT;
    assert_int_equal(md_input_slurp(in, &b, MD_LIMIT_MESSAGE_BYTES, &err), MD_OK);
    md_input_close(in);
    md_message *m = NULL;
    assert_int_equal(md_message_parse(&m, md_buf_cstr(&b), b.len, &err), MD_OK);
    md_buf_free(&b);
    return m;
}

/* outcome_of: the outcome recorded for ip, MD_MSR_NONE when absent. */
static int outcome_of(const md_msreply *r, const char *ip)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->e[i].ip, ip) == 0)
            return r->e[i].outcome;
    return MD_MSR_NONE;
}

static const char *text_of(const md_msreply *r, const char *ip)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->e[i].ip, ip) == 0)
            return r->e[i].text;
    return "";
}

static void check_table(const md_msreply *r)
{
    assert_int_equal(r->n, 5);
    assert_int_equal(outcome_of(r, "141.89.68.1"), MD_MSR_MORE_INFO);
    assert_int_equal(outcome_of(r, "141.89.68.8"), MD_MSR_MORE_INFO);
    assert_int_equal(outcome_of(r, "141.89.68.7"), MD_MSR_COND_MITIGATED);
    assert_int_equal(outcome_of(r, "141.89.68.3"), MD_MSR_COND_MITIGATED);
    assert_int_equal(outcome_of(r, "141.89.68.4"), MD_MSR_COND_MITIGATED);
    /* 141.89.68.18 appears only in our quoted request */
    assert_int_equal(outcome_of(r, "141.89.68.18"), MD_MSR_NONE);
    assert_string_equal(r->ref, "SRX1361942213ID");
    assert_non_null(strstr(text_of(r, "141.89.68.1"), "We were unable to identify anything"));
    assert_non_null(strstr(text_of(r, "141.89.68.4"), "no active blocks"));
    assert_null(strstr(text_of(r, "141.89.68.4"), "We were unable"));
}

static void test_table_text(void **state)
{
    (void)state;
    md_message *m = load("table-text.eml");
    md_msreply *r = malloc(sizeof *r);
    md_err err = {0, ""};
    assert_int_equal(md_msreply_from_message(r, m, &err), 1);
    check_table(r);
    /* the signature after the blank line is not part of the explanation */
    assert_null(strstr(text_of(r, "141.89.68.7"), "Best regards"));
    free(r);
    md_message_free(m);
}

static void test_table_html(void **state)
{
    (void)state;
    md_message *m = load("table-html.eml");
    md_msreply *r = malloc(sizeof *r);
    md_err err = {0, ""};
    assert_int_equal(md_msreply_from_message(r, m, &err), 1);
    assert_int_equal(r->flags & MD_MSREPLY_HTML_FAILED, 0);
    check_table(r);
    free(r);
    md_message_free(m);
}

static void test_throttling(void **state)
{
    (void)state;
    static const char *const files[][2] = {{"throttling-141.89.68.1.eml", "141.89.68.1"},
                                           {"throttling-141.89.68.8.eml", "141.89.68.8"}};
    for (size_t i = 0; i < 2; i++) {
        md_message *m = load(files[i][0]);
        md_msreply *r = malloc(sizeof *r);
        md_err err = {0, ""};
        assert_int_equal(md_msreply_from_message(r, m, &err), 1);
        assert_int_equal(r->n, 1);
        assert_string_equal(r->e[0].ip, files[i][1]);
        assert_int_equal(r->e[0].outcome, MD_MSR_THROTTLING_RAISED);
        assert_non_null(strstr(r->e[0].text, "more appropriate level"));
        free(r);
        md_message_free(m);
    }
}

static void test_not_qualified_and_mitigated(void **state)
{
    (void)state;
    md_msreply *r = malloc(sizeof *r);
    md_err err = {0, ""};
    md_message *m = load("not-qualified-141.89.68.18.eml");
    assert_int_equal(md_msreply_from_message(r, m, &err), 1);
    assert_int_equal(r->n, 1);
    assert_int_equal(outcome_of(r, "141.89.68.18"), MD_MSR_NOT_QUALIFIED);
    assert_string_equal(r->ref, "SRX1402337719ID");
    md_message_free(m);
    m = load("mitigated-141.89.68.7.eml");
    assert_int_equal(md_msreply_from_message(r, m, &err), 1);
    assert_int_equal(r->n, 1);
    assert_int_equal(outcome_of(r, "141.89.68.7"), MD_MSR_MITIGATED);
    assert_non_null(strstr(r->e[0].text, "implemented mitigation"));
    md_message_free(m);
    free(r);
}

static void test_not_a_reply(void **state)
{
    (void)state;
    md_msreply *r = malloc(sizeof *r);
    md_err err = {0, ""};
    /* headings and IPs but nothing says Microsoft */
    const char *b1 = "Hi,\n\nMitigated\n10.1.2.3;\n\nbye\n";
    assert_int_equal(md_msreply_parse(r, "status", b1, strlen(b1), 0, &err), 0);
    /* Microsoft's bounce text: an IP, "outlook.com", no outcome heading */
    const char *b2 = "550 5.7.1 Unfortunately, messages from [141.89.68.1] weren't sent. "
                     "Please contact your Internet service provider since part of their "
                     "network is on our block list (S3150). For more information see "
                     "http://mail.live.com/mail/troubleshooting.aspx#errors. "
                     "[VE1EUR03FT012.eop-EUR03.prod.protection.outlook.com]\n";
    assert_int_equal(md_msreply_parse(r, "Undeliverable", b2, strlen(b2), 0, &err), 0);
    assert_int_equal(r->n, 0);
    /* a heading word inside prose is not a heading */
    const char *b3 = "Outlook.com support: the issue was mitigated yesterday for 141.89.68.7\n";
    assert_int_equal(md_msreply_parse(r, NULL, b3, strlen(b3), 0, &err), 0);
    /* empty and NULL bodies */
    assert_int_equal(md_msreply_parse(r, NULL, NULL, 0, 0, &err), 0);
    assert_int_equal(md_msreply_parse(r, NULL, "", 0, 1, &err), 0);
    free(r);
}

static void test_row_forms(void **state)
{
    (void)state;
    md_msreply *r = malloc(sizeof *r);
    md_err err = {0, ""};
    /* text table, IP first; heading with IPs on the same line; CIDR */
    const char *b = "Outlook.com Deliverability Support\n"
                    "| 192.0.2.10 | Mitigated |\n"
                    "| 192.0.2.11 | Not qualified for mitigation |\n"
                    "Conditionally mitigated: 198.51.100.0/28; 2001:db8::25\n";
    assert_int_equal(md_msreply_parse(r, NULL, b, strlen(b), 0, &err), 1);
    assert_int_equal(outcome_of(r, "192.0.2.10"), MD_MSR_MITIGATED);
    assert_int_equal(outcome_of(r, "192.0.2.11"), MD_MSR_NOT_QUALIFIED);
    assert_int_equal(outcome_of(r, "198.51.100.0"), MD_MSR_COND_MITIGATED);
    assert_int_equal(outcome_of(r, "2001:db8::25"), MD_MSR_COND_MITIGATED);
    /* HTML with the IP in the first cell */
    const char *h = "<html><body><p>Outlook.com</p><table><tr><td>203.0.113.5</td>"
                    "<td>More information needed</td></tr></table></body></html>";
    assert_int_equal(md_msreply_parse(r, NULL, h, strlen(h), 1, &err), 1);
    assert_int_equal(r->n, 1);
    assert_int_equal(outcome_of(r, "203.0.113.5"), MD_MSR_MORE_INFO);
    free(r);
}

static void test_names(void **state)
{
    (void)state;
    for (int o = MD_MSR_NOT_QUALIFIED; o < MD_MSR_COUNT; o++) {
        assert_true(md_msreply_outcome_name(o)[0] != '\0');
        assert_int_equal(md_msreply_outcome_parse(md_msreply_outcome_name(o)), o);
    }
    assert_string_equal(md_msreply_outcome_name(0), "");
    assert_string_equal(md_msreply_outcome_name(99), "");
    assert_int_equal(md_msreply_outcome_parse("nonsense"), MD_MSR_NONE);
}

static void test_take_stores_once(void **state)
{
    (void)state;
    char db[256];
    md_store *st = md_test_store_open(db, sizeof db, "test_msreply");
    md_err err = {0, ""};
    md_config cfg;
    md_config_defaults(&cfg);
    md_ingest ig;
    md_readers_init(&ig, st, &cfg);
    md_message *t = load("table-text.eml"), *h = load("table-html.eml");
    assert_int_equal(md_msgfile_store_reply(&ig, t, 7, &err), 1);
    /* the HTML copy of the same mail (same Message-ID and Date) adds nothing */
    assert_int_equal(md_msgfile_store_reply(&ig, h, 8, &err), 1);
    md_case_answer *a = NULL;
    size_t n = 0;
    assert_int_equal(md_store_case_answers(st, NULL, &a, &n, &err), MD_OK);
    assert_int_equal(n, 5);
    free(a);
    assert_int_equal(md_store_case_answers(st, "141.89.68.7", &a, &n, &err), MD_OK);
    assert_int_equal(n, 1);
    assert_string_equal(a[0].outcome, "conditionally-mitigated");
    assert_int_equal(a[0].date, 1461750118); /* Wed, 27 Apr 2016 09:41:58 +0000 */
    assert_int_equal(a[0].msg_row, 7);
    free(a);
    /* an ordinary message is not taken */
    const char *plain = "From: a@b.example\nSubject: hi\n\nhello 141.89.68.1\n";
    md_message *p = md_test_message_mem(plain);
    assert_int_equal(md_msgfile_store_reply(&ig, p, 9, &err), 0);
    md_message_free(p);
    md_message_free(t);
    md_message_free(h);
    md_test_store_close(st, db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_text),
        cmocka_unit_test(test_table_html),
        cmocka_unit_test(test_throttling),
        cmocka_unit_test(test_not_qualified_and_mitigated),
        cmocka_unit_test(test_not_a_reply),
        cmocka_unit_test(test_row_forms),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_take_stores_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
