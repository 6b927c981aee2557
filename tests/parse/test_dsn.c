/* test_dsn.c: lib/parse/dsn.c on the scenario's bounces: the S3150 bounce (RFC
 * 3464 from sendmail, Microsoft's text naming 141.89.68.7), the 5.7.606
 * banned-IP bounce (Postfix, Microsoft's server bracket), the 4.7.650
 * delayed DSN (soft, badreputation); text-only bounces of Postfix, qmail,
 * Exim and Exchange without a report part; plain mail is no bounce; the
 * status and reply-code finders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parse/dsn.h"
#include "testutil.h"

#define load md_test_message_file
#define mem md_test_message_mem

static md_dsn d;

static void test_s3150(void **state)
{
    (void)state;
    md_message *m = load("messages/ndr-s3150.eml");
    assert_int_equal(md_dsn_parse(&d, m), 1);
    assert_int_equal(d.kind, MD_DSN_RFC3464);
    assert_string_equal(d.reporting_mta, "n-mail-3.rz.uni-potsdam.de");
    assert_int_equal(d.arrival_date, 1461316803);
    assert_string_equal(d.orig_message_id, "5719ED43.6010203@uni-potsdam.de");
    assert_string_equal(d.orig_from, "k.weber@uni-potsdam.de");
    assert_int_equal(d.n, 1);
    const md_dsn_rcpt *r = &d.rcpt[0];
    assert_string_equal(r->final_rcpt, "k.weber@live.de");
    assert_string_equal(r->action, "failed");
    assert_string_equal(r->status, "5.7.1");
    assert_false(r->status_from_text);
    assert_int_equal(r->reply_code, 550);
    assert_string_equal(r->remote_mta, "mx4.hotmail.com");
    assert_string_equal(r->reason, "blocked");
    assert_true(r->hard);
    assert_true(r->microsoft);
    assert_string_equal(r->named_ip, "141.89.68.7");
    assert_non_null(strstr(r->ms_bracket, "VE1EUR01FT012"));
    assert_non_null(strstr(r->diag, "(S3150)"));
    assert_int_equal(r->last_attempt_date, 1461316805);
    md_message_free(m);
}

static void test_banned_ip(void **state)
{
    (void)state;
    md_message *m = load("messages/ndr-5.7.606-banned-ip.eml");
    assert_int_equal(md_dsn_parse(&d, m), 1);
    assert_string_equal(d.vendor, "postfix");
    assert_int_equal(d.n, 1);
    const md_dsn_rcpt *r = &d.rcpt[0];
    assert_string_equal(r->final_rcpt, "alumni.mueller@outlook.com");
    assert_string_equal(r->orig_rcpt, "alumni.mueller@outlook.com");
    assert_string_equal(r->status, "5.7.606");
    assert_int_equal(r->reply_code, 550);
    assert_string_equal(r->reason, "blocked");
    assert_string_equal(r->named_ip, "141.89.68.8");
    assert_true(r->microsoft);
    assert_non_null(strstr(r->ms_bracket, "2016-04-23T14:12:01.123Z"));
    /* the folded Diagnostic-Code is one line */
    assert_null(strchr(r->diag, '\n'));
    assert_string_equal(d.orig_message_id, "20160423141157.4711@webmail.uni-potsdam.de");
    md_message_free(m);
}

static void test_delayed(void **state)
{
    (void)state;
    md_message *m = load("messages/dsn-delayed-4.7.650.eml");
    assert_int_equal(md_dsn_parse(&d, m), 1);
    assert_int_equal(d.n, 1);
    const md_dsn_rcpt *r = &d.rcpt[0];
    assert_string_equal(r->action, "delayed");
    assert_string_equal(r->status, "4.7.650");
    assert_int_equal(r->reply_code, 451);
    assert_string_equal(r->reason, "badreputation");
    assert_false(r->hard);
    assert_string_equal(r->named_ip, "141.89.68.7");
    assert_string_equal(d.orig_message_id, "571B8283.1020304@uni-potsdam.de");
    md_message_free(m);
}

static void test_text_only(void **state)
{
    (void)state;
    /* Postfix without a report part */
    md_message *m = mem(
        "From: MAILER-DAEMON@smtpout.rz.uni-potsdam.de (Mail Delivery System)\n"
        "To: j.fischer@uni-potsdam.de\nSubject: Undelivered Mail Returned to Sender\n\n"
        "This is the mail system at host smtpout.rz.uni-potsdam.de.\n\n"
        "<someone@outlook.com>: host outlook-com.olc.protection.outlook.com[104.47.56.33]\n"
        "    said: 550 5.7.1 Unfortunately, messages from [141.89.68.8] weren't sent.\n"
        "    Please contact your Internet service provider since part of their network\n"
        "    is on our block list (S3150). (in reply to MAIL FROM command)\n");
    assert_int_equal(md_dsn_parse(&d, m), 1);
    assert_int_equal(d.kind, MD_DSN_TEXT);
    assert_string_equal(d.vendor, "postfix");
    assert_int_equal(d.n, 1);
    assert_string_equal(d.rcpt[0].final_rcpt, "someone@outlook.com");
    assert_string_equal(d.rcpt[0].status, "5.7.1");
    assert_true(d.rcpt[0].status_from_text);
    assert_int_equal(d.rcpt[0].reply_code, 550);
    assert_string_equal(d.rcpt[0].reason, "blocked");
    assert_string_equal(d.rcpt[0].named_ip, "141.89.68.8");
    md_message_free(m);
    /* qmail */
    m = mem("From: MAILER-DAEMON@mail.example.org\nTo: a@uni-potsdam.de\nSubject: failure notice\n\n"
            "Hi. This is the qmail-send program at mail.example.org.\n"
            "I'm afraid I wasn't able to deliver your message to the following addresses.\n\n"
            "<user@hotmail.com>:\n104.47.18.97 does not like recipient.\n"
            "Remote host said: 550 5.5.0 Requested action not taken: mailbox unavailable.\n"
            "Giving up on 104.47.18.97.\n\n--- Below this line is a copy of the message.\n\n"
            "From: a@uni-potsdam.de\nTo: user@hotmail.com\n");
    assert_int_equal(md_dsn_parse(&d, m), 1);
    assert_string_equal(d.vendor, "qmail");
    assert_int_equal(d.n, 1);
    assert_string_equal(d.rcpt[0].final_rcpt, "user@hotmail.com");
    assert_int_equal(d.rcpt[0].reply_code, 550);
    assert_string_equal(d.rcpt[0].reason, "userunknown");
    md_message_free(m);
    /* Exim with X-Failed-Recipients, two recipients */
    m = mem("From: Mail Delivery System <Mailer-Daemon@mx.example.org>\nTo: a@uni-potsdam.de\n"
            "Subject: Mail delivery failed: returning message to sender\n"
            "X-Failed-Recipients: x@example.com, y@example.com\n\n"
            "This message was created automatically by mail delivery software.\n\n"
            "A message that you sent could not be delivered to one or more of its\n"
            "recipients. This is a permanent error. The following address(es) failed:\n\n"
            "  x@example.com\n    host mx.example.com [192.0.2.9]\n"
            "    SMTP error from remote mail server after RCPT TO:<x@example.com>:\n"
            "    550 5.1.1 <x@example.com>: Recipient address rejected: User unknown\n"
            "  y@example.com\n    host mx.example.com [192.0.2.9]\n"
            "    SMTP error from remote mail server after RCPT TO:<y@example.com>:\n"
            "    552 5.2.2 Mailbox full\n\n"
            "------ This is a copy of the message, including all the headers. ------\n\n"
            "From: a@uni-potsdam.de\nTo: x@example.com, y@example.com\n");
    assert_int_equal(md_dsn_parse(&d, m), 1);
    assert_string_equal(d.vendor, "exim");
    assert_int_equal(d.n, 2);
    assert_string_equal(d.rcpt[0].status, "5.1.1");
    assert_string_equal(d.rcpt[0].reason, "userunknown");
    assert_string_equal(d.rcpt[1].status, "5.2.2");
    assert_int_equal(d.rcpt[1].reply_code, 552);
    assert_string_equal(d.rcpt[1].reason, "mailboxfull");
    md_message_free(m);
    /* Exchange Online: the reason is only in "Remote Server returned" */
    m = mem("From: Microsoft Outlook <postmaster@outlook.com>\nTo: a@uni-potsdam.de\n"
            "Subject: Undeliverable: Test\nContent-Type: text/plain\n\n"
            "Delivery has failed to these recipients or groups:\n\n"
            "b@example.com<mailto:b@example.com>\nThe email address couldn't be found. See DSN 5.1.10.\n\n"
            "Diagnostic information for administrators:\n\nGenerating server: AM6PR04MB5432.eurprd04.prod.outlook.com\n\n"
            "b@example.com\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'\n\n"
            "Original message headers:\n\nMessage-ID: <orig-1@uni-potsdam.de>\nFrom: a@uni-potsdam.de\n");
    assert_int_equal(md_dsn_parse(&d, m), 1);
    assert_string_equal(d.vendor, "office365");
    assert_int_equal(d.n, 1);
    assert_string_equal(d.rcpt[0].status, "5.1.10");
    assert_int_equal(d.rcpt[0].reply_code, 550);
    assert_string_equal(d.rcpt[0].reason, "userunknown");
    assert_string_equal(d.orig_message_id, "orig-1@uni-potsdam.de");
    md_message_free(m);
}

static void test_not_bounce(void **state)
{
    (void)state;
    md_message *m = load("messages/exchange-relayed-spam.eml");
    assert_int_equal(md_dsn_parse(&d, m), 0);
    assert_int_equal(d.kind, MD_DSN_NONE);
    assert_false(md_dsn_looks_like_bounce(m));
    md_message_free(m);
    assert_int_equal(md_dsn_parse(&d, NULL), 0);
}

static void test_finders(void **state)
{
    (void)state;
    char st[16];
    const char *s = "550-5.7.606 Access denied";
    assert_true(md_dsn_find_status(s, strlen(s), st, sizeof st));
    assert_string_equal(st, "5.7.606");
    s = "id 15.1.225.42 and 2.6.0";
    assert_true(md_dsn_find_status(s, strlen(s), st, sizeof st));
    assert_string_equal(st, "2.6.0");
    s = "version 5.1.225.42 only";
    assert_false(md_dsn_find_status(s, strlen(s), st, sizeof st));
    assert_int_equal(md_dsn_find_reply_code("smtp; 451 4.7.650 x", 19), 451);
    assert_int_equal(md_dsn_find_reply_code("8.14.4/8.14.4 port 25", 21), 0);
    assert_int_equal(md_dsn_find_reply_code("550", 3), 550);
    md_dsn_rcpt r;
    memset(&r, 0, sizeof r);
    snprintf(r.diag, sizeof r.diag, "421 RP-001 (BAY004-MC1F41) Unfortunately, some messages from 141.89.68.1 weren't sent.");
    md_dsn_classify(&r);
    assert_int_equal(r.reply_code, 421);
    assert_string_equal(r.status, "4.0.0");
    assert_true(r.status_from_text);
    assert_string_equal(r.reason, "badreputation");
    assert_string_equal(r.named_ip, "141.89.68.1");
    assert_true(r.microsoft);
    assert_false(r.hard);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_s3150),      cmocka_unit_test(test_banned_ip),
        cmocka_unit_test(test_delayed),    cmocka_unit_test(test_text_only),
        cmocka_unit_test(test_not_bounce), cmocka_unit_test(test_finders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
