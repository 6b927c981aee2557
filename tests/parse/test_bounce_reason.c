/* test_bounce_reason.c: lib/parse/bounce_reason.c and its use by
 * lib/parse/dsn.c: every entry of the status -> reason table; the Status
 * field wins over a status quoted in the Diagnostic-Code; the SMTP command
 * decides "user unknown" (RCPT: userunknown, DATA: filtered) and sender-side
 * refusals (MAIL FROM: rejected, HELO: blocked); auto-replies are vacation,
 * not bounces; Action: delivered is delivered; no recipient is left without
 * a reason; Microsoft's 5.7.515 keeps SPF/DKIM/DMARC one by one, S3140 keeps
 * the server and the IP, 4.7.651 / S3114 is badreputation, 5.7.606-649 is a
 * banned IP; Google Groups' notice in any language is rejected; Amazon
 * SES notifications in JSON (also wrapped by SNS) give their recipients. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parse/bounce_reason.h"
#include "parse/dsn.h"
#include "testutil.h"

static md_dsn d;

/* every entry of the status table, as RFC 3463 and sisimai read the codes */
static void test_status_table(void **state)
{
    (void)state;
    /* the codes of each reason (RFC 3463's meaning in sisimai's names) */
    static const char *const by_reason[][2] = {
        {"hasmoved", "4.1.6 5.1.6 5.7.17 5.7.18"},
        {"rejected", "4.1.7 4.1.8 5.1.7 5.1.8 5.7.27"},
        {"systemerror", "4.1.9 4.3.3 4.3.5 4.5.3 4.5.5 5.1.9 5.3.0 5.3.3 5.3.5 5.4.3 5.5.4 5.5.5"},
        {"suspend", "4.2.1 5.7.13"},
        {"mailboxfull", "4.2.2 5.2.2"},
        {"exceedlimit", "4.2.3 5.2.3"},
        {"filtered", "4.2.4 5.1.4 5.2.0 5.2.1 5.2.4"},
        {"systemfull", "4.3.1 4.4.5 5.3.1"},
        {"notaccept", "4.3.2 5.1.10 5.3.2"},
        {"expired", "4.4.1 4.4.7 5.4.7"},
        {"networkerror", "4.4.2 4.4.4 4.4.6 5.4.0 5.4.6"},
        {"contenterror", "4.6.0 4.6.2 4.6.5 5.6.0 5.6.1 5.6.2 5.6.3 5.6.5 5.6.6 5.6.7 5.6.8 5.6.9"},
        {"blocked", "4.7.1 4.7.2"},
        {"securityerror", "4.7.5 4.7.6 4.7.7 4.7.12 4.7.15 4.7.24 5.5.6 5.7.0 5.7.1 5.7.2 5.7.3 "
                          "5.7.4 5.7.5 5.7.6 5.7.7 5.7.8 5.7.9 5.7.10 5.7.11 5.7.14 5.7.15 5.7.19"},
        {"mesgtoobig", "4.7.16 5.3.4 5.7.16"},
        {"requireptr", "4.7.25 5.7.25"},
        {"authfailure", "4.7.26 5.7.20 5.7.21 5.7.22 5.7.23 5.7.24 5.7.26"},
        {"userunknown", "5.1.0 5.1.1 5.1.3"},
        {"hostunknown", "5.1.2 5.4.4"},
        {"toomanyconn", "5.5.3"},
    };
    char want[128][2][16];
    size_t nw = 0;
    for (size_t i = 0; i < sizeof by_reason / sizeof by_reason[0]; i++)
        for (const char *p = by_reason[i][1]; *p; p += *p == ' ') {
            size_t k = strcspn(p, " ");
            assert_true(nw < 128 && k < 16);
            snprintf(want[nw][0], 16, "%.*s", (int)k, p);
            snprintf(want[nw][1], 16, "%s", by_reason[i][0]);
            nw++;
            p += k;
        }
    for (size_t i = 0; i < nw; i++)
        if (strcmp(md_bounce_status_reason(want[i][0]), want[i][1]))
            fail_msg("%s: %s, want %s", want[i][0], md_bounce_status_reason(want[i][0]),
                     want[i][1]);
    /* and the table has no entry this test does not know */
    const char *code, *reason;
    size_t n = 0;
    for (; md_bounce_status_entry(n, &code, &reason); n++) {
        size_t k = 0;
        while (k < nw && strcmp(want[k][0], code))
            k++;
        if (k == nw)
            fail_msg("status table entry %s (%s) is not covered by this test", code, reason);
    }
    assert_int_equal(n, nw);
    assert_string_equal(md_bounce_status_reason("5.9.9"), "");
    assert_string_equal(md_bounce_status_reason(""), "");
}

static void test_rules(void **state)
{
    (void)state;
    static const struct { const char *diag, *status; int code; const char *action, *cmd, *want; } t[] = {
        /* "user unknown": by the command it answered */
        {"550 User unknown", "5.0.0", 550, "failed", "RCPT", "userunknown"},
        {"550 User unknown", "5.0.0", 550, "failed", "DATA", "filtered"},
        {"550 User unknown", "5.0.0", 550, "failed", "", "userunknown"},
        {"550 5.2.1 User Unknown", "5.2.1", 550, "failed", "", "filtered"},
        {"550 5.1.1 Mailbox does not exist", "5.1.1", 550, "", "DATA", "userunknown"},
        {"550 <a@b>: Recipient address rejected: User unknown in local recipient table", "5.1.1",
         550, "", "RCPT", "userunknown"},
        /* sender-side refusals are not recipient-side ones */
        {"550 5.7.1 Access denied", "5.7.1", 550, "", "MAIL", "rejected"},
        {"501 5.1.8 Sender address rejected", "5.1.8", 501, "", "", "rejected"},
        {"550 Unroutable sender address", "5.0.0", 550, "", "MAIL", "rejected"},
        {"501 5.0.0 Invalid domain name", "5.0.0", 501, "", "HELO", "blocked"},
        /* specific status and words */
        {"552 5.2.2 Mailbox full", "5.2.2", 552, "", "", "mailboxfull"},
        {"550 5.1.1 <a@b>: Recipient address rejected: mailbox is full", "5.1.1", 550, "", "RCPT",
         "mailboxfull"},
        {"552 5.2.3 Message length exceeds limit set by recipient", "5.2.3", 552, "", "",
         "exceedlimit"},
        {"554 5.3.4 Message too big for system", "5.3.4", 554, "", "", "mesgtoobig"},
        {"550 5.7.26 Multiple authentication checks failed", "5.7.26", 550, "", "RCPT",
         "authfailure"},
        {"550 5.7.25 Reverse DNS validation failed", "5.7.25", 550, "", "", "requireptr"},
        {"554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
         "5.7.1", 554, "", "RCPT", "blocked"},
        {"554 Relay access denied", "5.7.1", 554, "", "RCPT", "norelaying"},
        {"550 5.1.2 Host unknown", "5.1.2", 550, "", "", "hostunknown"},
        {"554 5.4.6 Too many hops", "5.4.6", 554, "", "", "networkerror"},
        {"451 Temporary local problem", "4.3.0", 451, "delayed", "", "expired"},
        {"550 5.6.0 Media error", "5.6.0", 550, "", "", "contenterror"},
        {"554 5.7.0 Reject, id=1 - SPAM", "5.7.0", 554, "", "DATA", "spamdetected"},
        {"550 Virus Detected; Content Rejected", "5.0.0", 550, "", "DATA", "virusdetected"},
        {"503 Improper sequence of commands", "5.5.0", 503, "", "", "syntaxerror"},
        {"452 4.3.1 Insufficient system storage", "4.3.1", 452, "", "", "systemfull"},
        {"550 Messages with multiple addresses in From: header are not accepted", "5.7.1", 550,
         "", "", "notcompliantrfc"},
        /* 2.X.X and Action: delivered: delivered, never a failure */
        {"250 2.1.5 Ok", "2.1.5", 250, "delivered", "", "delivered"},
        {"", "", 0, "delivered", "", "delivered"},
        /* never empty: some words, nothing known: onhold; nothing at all: undefined */
        {"something happened", "", 0, "failed", "", "onhold"},
        {"", "", 0, "failed", "", "undefined"},
        {NULL, NULL, 0, NULL, NULL, "undefined"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        md_bounce_in in = {t[i].diag, t[i].status, t[i].code, t[i].action, t[i].cmd, "smtp"};
        if (strcmp(md_bounce_reason(&in), t[i].want))
            fail_msg("%s (%s, %s): %s, want %s", t[i].diag ? t[i].diag : "(null)",
                     t[i].status ? t[i].status : "", t[i].cmd ? t[i].cmd : "",
                     md_bounce_reason(&in), t[i].want);
    }
    /* whose side: the envelope sender / sending host, the recipient, the message */
    assert_string_equal(md_bounce_side("rejected", ""), "sender");
    assert_string_equal(md_bounce_side("blocked", "RCPT"), "sender");
    assert_string_equal(md_bounce_side("userunknown", "MAIL"), "sender");
    assert_string_equal(md_bounce_side("userunknown", "RCPT"), "recipient");
    assert_string_equal(md_bounce_side("mailboxfull", ""), "recipient");
    assert_string_equal(md_bounce_side("spamdetected", "DATA"), "message");
    assert_string_equal(md_bounce_side("expired", ""), "");
    assert_string_equal(md_bounce_side(NULL, NULL), "");
    /* a local mailer's words (Diagnostic-Code: X-Unix) */
    md_bounce_in in = {"exit code 75", "5.3.0", 0, "failed", "", "x-unix"};
    assert_string_equal(md_bounce_reason(&in), "mailererror");
}

static void test_command(void **state)
{
    (void)state;
    static const char *const c[][2] = {
        {"said: 550 5.1.1 unknown (in reply to RCPT TO command)", "RCPT"},
        {"said: 554 rejected (in reply to end of DATA command)", "DATA"},
        {"SMTP error from remote mail server after MAIL FROM:<a@b> SIZE=1: 550 no", "MAIL"},
        {"SMTP error from remote mail server after end of data: 550 no", "DATA"},
        {"Connected to 192.0.2.1 but sender was rejected.", "MAIL"},
        {"Connected to 192.0.2.1 but my name was rejected.", "HELO"},
        {">>> RCPT To:<a@b>\n<<< 550 ok\n>>> DATA\n<<< 503 Need RCPT", "DATA"},
        {"host x[1.2.3.4] refused to talk to me: 421 go", "CONN"},
        {"550 User unknown", ""},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        assert_string_equal(md_bounce_command(c[i][0], strlen(c[i][0])), c[i][1]);
}

/* a DSN with one recipient: Status and Diagnostic-Code as given */
static md_message *dsn_msg(const char *status, const char *diag)
{
    char buf[4096];
    snprintf(buf, sizeof buf,
             "From: MAILER-DAEMON@mx.example.org\r\nTo: a@uni-potsdam.de\r\n"
             "Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
             "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n"
             "--B\r\nContent-Type: text/plain\r\n\r\nThe message could not be delivered.\r\n\r\n"
             "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n"
             "Final-Recipient: rfc822; x@example.net\r\nAction: failed\r\nStatus: %s\r\n"
             "Diagnostic-Code: smtp; %s\r\n\r\n--B--\r\n",
             status, diag);
    return md_test_message_mem(buf);
}

/* one_rcpt: the only recipient of the DSN dsn_msg(status, diag) makes */
static const md_dsn_rcpt *one_rcpt(const char *status, const char *diag)
{
    md_message *m = dsn_msg(status, diag);
    assert_int_equal(md_dsn_parse(&d, m), 1);
    assert_int_equal(d.n, 1);
    md_message_free(m);
    return &d.rcpt[0];
}

static void test_precedence(void **state)
{
    (void)state;
    /* the Status field wins over a status quoted in the Diagnostic-Code */
    md_message *m = dsn_msg("5.1.1", "550 5.7.1 <x@example.net>... User unknown");
    assert_int_equal(md_dsn_parse(&d, m), 1);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.rcpt[0].status, "5.1.1");
    assert_false(d.rcpt[0].status_from_text);
    assert_string_equal(d.rcpt[0].reason, "userunknown");
    md_message_free(m);
    /* the report part wins over the prose above it */
    m = md_test_message_mem(
        "From: MAILER-DAEMON@mx.example.org\r\nTo: a@uni-potsdam.de\r\nSubject: Returned mail\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; "
        "boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nYour message was "
        "automatically rejected:\r\nNot enough disk space\r\n\r\n--B\r\nContent-Type: "
        "message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n"
        "Final-Recipient: rfc822; x@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <x@example.net>... User Unknown\r\n\r\n--B--\r\n");
    assert_int_equal(md_dsn_parse(&d, m), 1);
    assert_string_equal(d.rcpt[0].reason, "userunknown");
    md_message_free(m);
    /* ... except a generic one (X.0.0), which says nothing */
    m = dsn_msg("5.0.0", "550 5.7.1 <x@example.net>... Access denied");
    assert_int_equal(md_dsn_parse(&d, m), 1);
    assert_string_equal(d.rcpt[0].status, "5.7.1");
    assert_false(d.rcpt[0].status_derived);
    md_message_free(m);
    /* a sender-side refusal is told apart from a recipient-side one */
    const md_dsn_rcpt *r = one_rcpt("5.1.8", "553 5.1.8 <a@uni-potsdam.de>... Domain of sender "
                                    "address a@uni-potsdam.de does not exist (in reply to "
                                    "MAIL FROM command)");
    assert_string_equal(r->reason, "rejected");
    assert_string_equal(r->command, "MAIL");
    assert_string_equal(r->side, "sender");
    r = one_rcpt("5.1.1", "550 5.1.1 <x@example.net>: Recipient address rejected: User unknown "
                 "in local recipient table (in reply to RCPT TO command)");
    assert_string_equal(r->reason, "userunknown");
    assert_string_equal(r->side, "recipient");
    /* no status anywhere: derived from the reply code, and marked so */
    m = dsn_msg("", "550 Mailbox is frozen");
    assert_int_equal(md_dsn_parse(&d, m), 1);
    assert_string_equal(d.rcpt[0].status, "5.0.0");
    assert_true(d.rcpt[0].status_from_text);
    assert_true(d.rcpt[0].status_derived);
    assert_string_equal(d.rcpt[0].reason, "suspend");
    md_message_free(m);
}

static void test_microsoft(void **state)
{
    (void)state;
    const md_dsn_rcpt *r = one_rcpt(
        "5.7.515", "550 5.7.515 Access denied, sending domain uni-potsdam.de doesn't meet the "
        "required authentication level. SPF: fail, DKIM: none, DMARC: fail [AM0PR01MB1234."
        "eurprd01.prod.exchangelabs.com 2026-12-01T10:00:00.000Z 08DD]");
    assert_string_equal(r->reason, "authfailure");
    assert_string_equal(r->auth_spf, "fail");
    assert_string_equal(r->auth_dkim, "none");
    assert_string_equal(r->auth_dmarc, "fail");
    assert_true(r->microsoft);
    r = one_rcpt("5.7.1", "550 5.7.1 Unfortunately, messages from [141.89.68.7] weren't sent. "
                 "Please contact your Internet service provider since part of their network is "
                 "on our block list (S3140). [DB5EUR01FT012.eop-EUR01.prod.protection.outlook.com]");
    assert_string_equal(r->reason, "blocked");
    assert_string_equal(r->named_ip, "141.89.68.7");
    assert_non_null(strstr(r->ms_bracket, "DB5EUR01FT012.eop-EUR01.prod.protection.outlook.com"));
    r = one_rcpt("4.7.651", "451 4.7.651 The mail server [141.89.68.7] has been temporarily "
                 "rate limited due to IP reputation. (S3114) [VI1EUR01FT005.outlook.com]");
    assert_string_equal(r->reason, "badreputation");
    assert_false(r->hard);
    assert_string_equal(r->named_ip, "141.89.68.7");
    r = one_rcpt("5.7.625", "550 5.7.625 Access denied, banned sending IP [141.89.68.7]. To "
                 "request removal from this list please visit https://sender.office.com/");
    assert_string_equal(r->reason, "blocked");
    assert_true(r->banned_ip);
    assert_string_equal(r->named_ip, "141.89.68.7");
    r = one_rcpt("5.7.1", "550 5.7.1 Unfortunately, messages from [141.89.68.7] weren't sent. "
                 "(S3150) [X.outlook.com]");
    assert_false(r->banned_ip);
    assert_string_equal(r->auth_spf, "");
}

static void test_vacation_and_groups(void **state)
{
    (void)state;
    md_message *m = md_test_message_mem(
        "From: kollege@example.org\r\nTo: a@uni-potsdam.de\r\nReturn-Path: <>\r\n"
        "Auto-Submitted: auto-replied\r\nSubject: Away until May 5\r\n\r\n"
        "I am on vacation until May 5.\r\n");
    assert_true(md_dsn_autoreply(m));
    assert_int_equal(md_dsn_parse(&d, m), 0); /* not a bounce */
    md_message_free(m);
    m = md_test_message_mem(
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\r\n"
        "To: a@uni-potsdam.de\r\nAuto-Submitted: auto-replied\r\n"
        "Subject: Delivery Status Notification (Failure)\r\n"
        "X-Failed-Recipients: liste@googlegroups.com\r\n\r\n"
        "Hallo a@uni-potsdam.de,\r\n\r\nSie erhalten diese E-Mail, weil die Gruppe, die Sie "
        "kontaktieren m\xc3\xb6" "chten (liste), m\xc3\xb6glicherweise nicht vorhanden ist.\r\n");
    assert_false(md_dsn_autoreply(m));
    assert_int_equal(md_dsn_parse(&d, m), 1);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.vendor, "googlegroups");
    assert_string_equal(d.rcpt[0].final_rcpt, "liste@googlegroups.com");
    assert_string_equal(d.rcpt[0].reason, "rejected");
    md_message_free(m);
    /* a text-only bounce that names no reason still has one: undefined */
    m = md_test_message_mem("From: MAILER-DAEMON@mx.example.org\r\nTo: a@uni-potsdam.de\r\n"
                            "Subject: Returned mail\r\n\r\n<x@example.net>\r\n");
    assert_int_equal(md_dsn_parse(&d, m), 1);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.rcpt[0].reason, "undefined");
    md_message_free(m);
}

/* Amazon SES notifications in JSON, also wrapped as an escaped string by SNS */
static void test_ses_json(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "{\"notificationType\":\"Bounce\",\"bounce\":{\"bouncedRecipients\":[{\"emailAddress\":"
        "\"x@example.net\",\"action\":\"failed\",\"status\":\"5.1.1\",\"diagnosticCode\":"
        "\"smtp; 550 5.1.1 user unknown\"},{\"emailAddress\":\"y@example.net\",\"action\":"
        "\"failed\",\"status\":\"5.2.2\",\"diagnosticCode\":\"smtp; 552 5.2.2 mailbox full\"}]}}",
        "{\n  \"Type\" : \"Notification\",\n  \"Message\" : \"{\\\"notificationType\\\":"
        "\\\"Bounce\\\",\\\"bounce\\\":{\\\"bouncedRecipients\\\":[{\\\"emailAddress\\\":"
        "\\\"x@example.net\\\",\\\"action\\\":\\\"failed\\\",\\\"status\\\":\\\"5.1.1\\\","
        "\\\"diagnosticCode\\\":\\\"smtp; 550 5.1.1 user unknown\\\"}]}}\"\n}",
    };
    for (size_t i = 0; i < 2; i++) {
        char buf[2048];
        snprintf(buf, sizeof buf, "From: SES <no-reply@sns.amazonaws.com>\r\nTo: a@uni-potsdam.de\r\n"
                 "Subject: AWS Notification Message\r\n\r\n%s\r\n", bodies[i]);
        md_message *m = md_test_message_mem(buf);
        assert_int_equal(md_dsn_parse(&d, m), 1);
        assert_string_equal(d.vendor, "amazonses");
        assert_int_equal(d.n, i == 0 ? 2 : 1);
        assert_string_equal(d.rcpt[0].final_rcpt, "x@example.net");
        assert_string_equal(d.rcpt[0].status, "5.1.1");
        assert_int_equal(d.rcpt[0].reply_code, 550);
        assert_string_equal(d.rcpt[0].reason, "userunknown");
        if (i == 0)
            assert_string_equal(d.rcpt[1].reason, "mailboxfull");
        md_message_free(m);
    }
    /* a complaint notification is no bounce */
    md_message *m = md_test_message_mem(
        "From: SES <no-reply@sns.amazonaws.com>\r\nTo: a@uni-potsdam.de\r\n"
        "Subject: AWS Notification Message\r\n\r\n{\"notificationType\":\"Complaint\"}\r\n");
    assert_int_equal(md_dsn_parse(&d, m), 0);
    md_message_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_table), cmocka_unit_test(test_rules),
        cmocka_unit_test(test_command),      cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_microsoft),    cmocka_unit_test(test_vacation_and_groups),
        cmocka_unit_test(test_ses_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
