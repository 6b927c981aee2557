/* test_arf.c: lib/parse/arf.c: both JMRP forms of the scenario (legacy
 * multipart/mixed from staff@hotmail.com with the IP in the subject;
 * feedback-report with only Feedback-Type / User-Agent JMRP/1.0 / Version,
 * source IP from the attached original's Received chain), a full RFC 5965
 * report with Source-IP and Arrival-Date, X-Originating-IP, folded report
 * fields (unfolded) and over-long ones (cut, flagged), and mail that is no
 * report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parse/arf.h"
#include "base/buf.h"
#include "testutil.h"

#define load md_test_message_file
#define mem md_test_message_mem

static void test_legacy(void **state)
{
    (void)state;
    md_arf a;
    md_message *m = load("messages/jmrp-legacy.eml");
    assert_int_equal(md_arf_parse(&a, m), 1);
    assert_int_equal(a.form, MD_ARF_JMRP_LEGACY);
    assert_true(a.microsoft);
    assert_string_equal(a.feedback_type, "abuse");
    assert_string_equal(a.source_ip, "141.89.68.7");
    assert_false(a.source_ip_from_original);
    assert_string_equal(a.orig_rcpt_to, "mstudent@hotmail.de");
    assert_string_equal(a.orig_message_id, "20160423140625.1234@hochschulsport.uni-potsdam.de");
    assert_string_equal(a.orig_from, "hochschulsport@uni-potsdam.de");
    assert_int_equal(a.arrival_date, 1461420392); /* Microsoft's hop: 07:06:32 -0700 */
    assert_string_equal(md_arf_form_name(a.form), "jmrp-legacy");
    md_message_free(m);
}

static void test_minimal(void **state)
{
    (void)state;
    md_arf a;
    md_message *m = load("messages/jmrp-arf.eml");
    assert_int_equal(md_arf_parse(&a, m), 1);
    assert_int_equal(a.form, MD_ARF_JMRP_MINIMAL);
    assert_string_equal(a.user_agent, "JMRP/1.0");
    assert_string_equal(a.version, "1");
    /* not in the report: from the original's chain (the first non-Microsoft,
     * non-private sender, newest first) */
    assert_string_equal(a.source_ip, "141.89.68.8");
    assert_true(a.source_ip_from_original);
    assert_string_equal(a.orig_rcpt_to, "alumni.schulz@outlook.com");
    assert_int_equal(a.arrival_date, 1461591077); /* 2016-04-25 13:31:17 UTC */
    assert_string_equal(md_arf_form_name(a.form), "jmrp");
    md_message_free(m);
}

static void test_rfc5965(void **state)
{
    (void)state;
    md_arf a;
    md_message *m = mem(
        "From: abuse@aol.example\nTo: postmaster@uni-potsdam.de\nSubject: FW: report\n"
        "Content-Type: multipart/report; report-type=feedback-report; boundary=x\n\n"
        "--x\nContent-Type: text/plain\n\nreport\n"
        "--x\nContent-Type: message/feedback-report\n\nFeedback-Type: Fraud\nUser-Agent: SomeGenerator/1.0\n"
        "Version: 1\nOriginal-Mail-From: <News@Uni-Potsdam.de>\nOriginal-Rcpt-To: <u@aol.example>\n"
        "Arrival-Date: Thu, 8 Mar 2005 14:00:00 EDT\nSource-IP: 141.89.68.3\nReported-Domain: uni-potsdam.de\n"
        "Reporting-MTA: dns; mail.aol.example\n"
        "--x\nContent-Type: message/rfc822\n\nFrom: news@uni-potsdam.de\nX-Originating-IP: [192.0.2.1]\n"
        "Message-ID: <n1@uni-potsdam.de>\nSubject: News\n\nbody\n--x--\n");
    assert_int_equal(md_arf_parse(&a, m), 1);
    assert_int_equal(a.form, MD_ARF_RFC5965);
    assert_false(a.microsoft);
    assert_string_equal(a.feedback_type, "fraud");
    assert_string_equal(a.source_ip, "141.89.68.3"); /* the report wins over X-Originating-IP */
    assert_false(a.source_ip_from_original);
    assert_string_equal(a.orig_mail_from, "news@uni-potsdam.de");
    assert_string_equal(a.orig_rcpt_to, "u@aol.example");
    assert_string_equal(a.reported_domain, "uni-potsdam.de");
    assert_string_equal(a.reporting_mta, "mail.aol.example");
    assert_int_equal(a.arrival_date, 1110304800);
    assert_string_equal(a.orig_message_id, "n1@uni-potsdam.de");
    md_message_free(m);
    /* X-Originating-IP when nothing else says */
    m = mem("From: staff@hotmail.com\nSubject: complaint about message from somewhere\n"
            "Content-Type: multipart/mixed; boundary=y\n\n--y\nContent-Type: message/rfc822\n\n"
            "From: a@uni-potsdam.de\nX-Originating-IP: [141.89.62.54]\n\nb\n--y--\n");
    assert_int_equal(md_arf_parse(&a, m), 1);
    assert_string_equal(a.source_ip, "141.89.62.54");
    assert_true(a.source_ip_from_original);
    md_message_free(m);
}

/* report fields folded (RFC 5322 allows it) are read whole; one too long for
 * where it goes is cut there and the report says so (md_arf.cut) */
static void test_folded_and_cut(void **state)
{
    (void)state;
    md_arf a;
    char long_ua[700];
    memset(long_ua, 'x', sizeof long_ua - 1);
    long_ua[sizeof long_ua - 1] = '\0';
    const char *head =
        "From: abuse@aol.example\nSubject: report\n"
        "Content-Type: multipart/report; report-type=feedback-report; boundary=x\n\n"
        "--x\nContent-Type: message/feedback-report\n\n";
    md_buf b = MD_BUF_INIT;
    md_buf_printf(&b, "%sFeedback-Type: abuse\nUser-Agent: Some\n Generator/1.0\n"
                      "Arrival-Date: Thu, 8 Mar 2005\n\t14:00:00 EDT\nSource-IP:\n 141.89.68.3\n"
                      "--x--\n", head);
    md_message *m = mem(md_buf_cstr(&b));
    assert_int_equal(md_arf_parse(&a, m), 1);
    assert_string_equal(a.user_agent, "Some Generator/1.0");
    assert_string_equal(a.source_ip, "141.89.68.3");
    assert_int_equal(a.arrival_date, 1110304800);
    assert_false(a.cut);
    md_message_free(m);
    /* 699 bytes of User-Agent: over MD_LIMIT_REPORT_FIELD, and user_agent */
    md_buf_reset(&b);
    md_buf_printf(&b, "%sFeedback-Type: abuse\nUser-Agent: %s\n--x--\n", head, long_ua);
    m = mem(md_buf_cstr(&b));
    assert_int_equal(md_arf_parse(&a, m), 1);
    assert_true(a.cut);
    assert_int_equal(strlen(a.user_agent), sizeof a.user_agent - 1);
    md_message_free(m);
    /* 200 bytes: within the field limit, not within user_agent[128] */
    md_buf_reset(&b);
    md_buf_printf(&b, "%sFeedback-Type: abuse\nUser-Agent: %.200s\n--x--\n", head, long_ua);
    m = mem(md_buf_cstr(&b));
    assert_int_equal(md_arf_parse(&a, m), 1);
    assert_true(a.cut);
    md_message_free(m);
    md_buf_free(&b);
}

static void test_not_report(void **state)
{
    (void)state;
    md_arf a;
    md_message *m = load("messages/ndr-s3150.eml");
    assert_int_equal(md_arf_parse(&a, m), 0);
    assert_int_equal(a.form, MD_ARF_NONE);
    md_message_free(m);
    /* the subject alone, from anyone: not Microsoft's complaint */
    m = mem("From: someone@example.org\nSubject: complaint about message from 1.2.3.4\n\nb\n");
    assert_int_equal(md_arf_parse(&a, m), 0);
    md_message_free(m);
    assert_int_equal(md_arf_parse(&a, NULL), 0);
    assert_string_equal(md_arf_form_name(MD_ARF_NONE), "");
}

/* the 2026 form: standard ARF from Microsoft, the original as
 * text/rfc822-headers only (no body), its sender and recipient redacted */
static void test_headers_only(void **state)
{
    (void)state;
    md_arf a;
    md_message *m = load("messages-16d/jmrp-2026-headers-only.eml");
    assert_int_equal(md_arf_parse(&a, m), 1);
    assert_int_equal(a.form, MD_ARF_JMRP_MINIMAL);
    assert_true(a.microsoft);
    assert_string_equal(a.feedback_type, "abuse");
    assert_string_equal(a.source_ip, "141.89.68.1");
    assert_false(a.source_ip_from_original);
    assert_int_equal(a.arrival_date, 1461556810); /* 2016-04-25 04:00:10 UTC */
    /* from the headers-only original */
    assert_string_equal(a.orig_message_id, "8ED98358.44901@uni-potsdam.de");
    assert_string_equal(a.orig_subject, "Sportkurse im Sommersemester");
    assert_string_equal(a.orig_rcpt_to, "redacted@outlook.de");
    assert_string_equal(a.orig_mail_from, "");   /* redacted: not in the report */
    assert_int_equal(a.orig_date, 1461556805);
    md_message_free(m);
}

/* a DMARC failure report (RFC 9991, Feedback-Type auth-failure): its own
 * fields, lower-cased where they are keywords; a JMRP complaint is none */
static void test_auth_failure(void **state)
{
    (void)state;
    md_arf a;
    md_message *m = load("reports-2026/auth-failure-dmarc-141.89.68.8.eml");
    assert_int_equal(md_arf_parse(&a, m), 1);
    assert_int_equal(a.form, MD_ARF_RFC5965);
    assert_true(md_arf_is_auth_failure(&a));
    assert_string_equal(a.feedback_type, "auth-failure");
    assert_string_equal(a.source_ip, "141.89.68.8");
    assert_string_equal(a.reported_domain, "uni-potsdam.de");
    assert_string_equal(a.auth_failure, "dmarc");
    assert_string_equal(a.identity_alignment, "none");
    assert_string_equal(a.dkim_domain, "uni-potsdam.de");
    assert_string_equal(a.dkim_identity, "@uni-potsdam.de");
    assert_string_equal(a.dkim_selector, "s2016");
    assert_string_equal(a.spf_dns, "txt : uni-potsdam.de : \"v=spf1 ip4:141.89.68.0/24 ~all\"");
    assert_string_equal(a.delivery_result, "spam");
    assert_string_equal(a.orig_message_id, "571B3A2D.5060708@uni-potsdam.de");
    assert_false(a.cut);
    md_message_free(m);
    m = load("messages/jmrp-arf.eml");
    assert_int_equal(md_arf_parse(&a, m), 1);
    assert_false(md_arf_is_auth_failure(&a));
    assert_string_equal(a.auth_failure, "");
    md_message_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_legacy), cmocka_unit_test(test_minimal),
        cmocka_unit_test(test_rfc5965), cmocka_unit_test(test_folded_and_cut),
        cmocka_unit_test(test_not_report), cmocka_unit_test(test_headers_only),
        cmocka_unit_test(test_auth_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
