/* test_reply.c: classification of remote SMTP replies (lib/parse/reply.c):
 * Microsoft's texts and codes from formats.md -> reason, named IP,
 * InternalId, Hostname, quoted Message-ID, server bracket; common texts of
 * other receivers; host and domain tests; hostile bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parse/reply.h"

static md_reply rp;

static void classify(const char *text, const char *host)
{
    md_reply_classify(&rp, text, strlen(text), host, host ? strlen(host) : 0);
}

#define REASON(name) assert_string_equal(md_reply_reason_name(rp.reason), (name))
#define SPAN(span, lit)                                                                      \
    do {                                                                                     \
        if (!md_span_eq((span), (lit)))                                                      \
            fail_msg(#span ": got [%.*s], want [%s]", (int)(span).n,                         \
                     (span).p ? (span).p : "", (lit));                                       \
    } while (0)

static void test_ms_blocklist(void **state)
{
    (void)state;
    classify("host outlook-com.olc.protection.outlook.com[104.47.56.33] said: 550 5.7.1 Unfortunately, messages from [141.89.68.8] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [BN1NAM02FT046.eop-nam02.prod.protection.outlook.com 2016-04-24T07:14:11.000Z 08D36B5E0E8A0F13] (in reply to MAIL FROM command)",
             "outlook-com.olc.protection.outlook.com");
    assert_int_equal(rp.code, 550);
    assert_string_equal(rp.status, "5.7.1");
    assert_int_equal(rp.cls, 5);
    assert_true(rp.ms);
    assert_false(rp.accepted);
    REASON("blocked");
    SPAN(rp.ms_code, "S3150");
    assert_string_equal(rp.named_ip, "141.89.68.8"); /* not the host's 104.47.56.33 */
    SPAN(rp.named_ip_text, "141.89.68.8");
    SPAN(rp.server, "BN1NAM02FT046.eop-nam02.prod.protection.outlook.com 2016-04-24T07:14:11.000Z 08D36B5E0E8A0F13");

    classify("550 5.7.1 Unfortunately, messages from [141.89.68.7] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3140).", NULL);
    assert_true(rp.ms); /* from the code alone */
    REASON("blocked");
    SPAN(rp.ms_code, "S3140");
    assert_string_equal(rp.named_ip, "141.89.68.7");

    classify("550 5.7.606 Access denied, banned sending IP [141.89.68.8]. To request removal from this list please visit https://sender.office.com/ and follow the directions. For more information please go to http://go.microsoft.com/fwlink/?LinkID=526655 AS(1430) [AM5EUR02FT047.eop-EUR02.prod.protection.outlook.com 2016-04-23T14:12:01.123Z 08D36B6A1F2C3D4E]",
             "uni-potsdam-de.mail.protection.outlook.com");
    assert_string_equal(rp.status, "5.7.606");
    REASON("blocked");
    assert_string_equal(rp.named_ip, "141.89.68.8");
    SPAN(rp.server, "AM5EUR02FT047.eop-EUR02.prod.protection.outlook.com 2016-04-23T14:12:01.123Z 08D36B6A1F2C3D4E");

    /* a connection error names the peer's own address: nothing held against us */
    classify("connect to outlook-com.olc.protection.outlook.com[104.47.56.33]:25: Connection timed out", NULL);
    assert_string_equal(rp.named_ip, "");
    classify("lost connection with unknown[192.0.2.7] while sending RCPT TO", NULL);
    assert_string_equal(rp.named_ip, "");

    classify("550 5.7.649 Access denied", "x.mail.protection.outlook.com.");
    REASON("blocked");
    classify("550 5.7.511 Access denied, banned sender[141.89.68.8]", "x.mail.protection.outlook.com");
    REASON("blocked");
    assert_string_equal(rp.named_ip, "141.89.68.8");
    classify("550 5.7.25 [141.89.68.9] The IP address sending this message does not have a PTR record setup, or the corresponding forward DNS entry does not match the sending IP. As a policy, this recipient's domain must have a reverse dns record", "x.mail.protection.outlook.com");
    REASON("blocked");
    assert_string_equal(rp.named_ip, "141.89.68.9");
}

static void test_ms_temporary(void **state)
{
    (void)state;
    classify("451 4.7.650 The mail server [141.89.68.7] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775) [Name=Protocol Filter Agent][AGT=PFA][MxId=11BA9B6A1C2D3E4F] [DB5EUR01FT012.eop-EUR01.prod.protection.outlook.com]", "mx4.hotmail.com.");
    assert_int_equal(rp.code, 451);
    assert_string_equal(rp.status, "4.7.650");
    assert_int_equal(rp.cls, 4);
    REASON("badreputation");
    SPAN(rp.ms_code, "S775");
    assert_string_equal(rp.named_ip, "141.89.68.7");
    SPAN(rp.server, "DB5EUR01FT012.eop-EUR01.prod.protection.outlook.com");

    classify("host outlook-com.olc.protection.outlook.com[104.47.56.33] said: 451 4.7.500 Server busy. Please try again later from [141.89.68.7]. (AS761) [BN3NAM01FT014.eop-nam01.prod.protection.outlook.com] (in reply to RCPT TO command)", NULL);
    REASON("speeding");
    assert_string_equal(rp.named_ip, "141.89.68.7");
    assert_true(rp.ms);

    classify("451 4.7.500 Access denied, please try again later.", "eur.olc.protection.outlook.com");
    REASON("blocked");
    classify("451 4.7.612 Access denied, please try again later.", "eur.olc.protection.outlook.com");
    REASON("blocked");

    classify("421 4.7.652 The mail server [141.89.68.7] has exceeded the maximum number of connections. (S3115)", "eur.olc.protection.outlook.com");
    REASON("toomanyconn");
    SPAN(rp.ms_code, "S3115");

    classify("550 5.7.509 Access denied, sending domain uni-potsdam.de does not pass DMARC verification and has a DMARC policy of reject.", "x.mail.protection.outlook.com");
    REASON("authfailure");
    classify("550 5.7.23 The message was rejected because of Sender Policy Framework violation", "x.mail.protection.outlook.com");
    REASON("authfailure");
    classify("451 4.7.26 Unauthenticated email from uni-potsdam.de is not accepted due to domain's DMARC policy, but temporary DNS failures prevented authentication. Sender must pass either SPF or DKIM validation", "x.olc.protection.outlook.com");
    REASON("authfailure");
    classify("550 5.7.515 Access denied, sending domain uni-potsdam.de does not meet the required authentication level.", "x.olc.protection.outlook.com");
    REASON("authfailure");
}

static void test_ms_outlook_codes(void **state)
{
    (void)state;
    classify("421 RP-001 (COL004-MC1F44) Unfortunately, some messages from 141.89.68.1 weren't sent. Please try again. We have limits for how many messages can be sent per hour and per day. You can also refer to http://mail.live.com/mail/troubleshooting.aspx#errors.", "mx3.hotmail.com.");
    assert_int_equal(rp.code, 421);
    assert_string_equal(rp.status, "");
    assert_int_equal(rp.cls, 4);
    SPAN(rp.ms_code, "RP-001");
    REASON("badreputation");
    assert_string_equal(rp.named_ip, "141.89.68.1");
    assert_null(rp.server.p); /* (COL004-MC1F44) is no bracket of the new form */

    classify("421 RP-003 The mail server IP connecting to Outlook.com server has exceeded the connection limit allowed.", "mx1.hotmail.com");
    REASON("toomanyconn");
    classify("550 SC-001 (BAY004-MC1F22) Unfortunately, messages from 141.89.68.8 weren't sent. Please contact your Internet service provider since part of their network is on our block list.", "mx1.hotmail.com");
    REASON("blocked");
    assert_string_equal(rp.named_ip, "141.89.68.8");
    classify("550 SC-004 Mail rejected by Outlook.com for policy reasons.", "mx1.hotmail.com");
    REASON("spamdetected");
    classify("550 DY-001 (SNT004-MC1F33) Unfortunately, messages from 192.0.2.1 weren't sent. You can tell them that Hotmail does not relay dynamically-assigned IP ranges.", "mx1.hotmail.com");
    REASON("blocked");
    classify("550 OU-002 (COL004-MC1F2) Mail rejected by Windows Live Hotmail for policy reasons. Reasons for rejection may be related to content with spam-like characteristics or IP/domain reputation problems.", "mx1.hotmail.com");
    REASON("spamdetected");
    classify("550 OU-001 (SNT0-MC4-F14) Unfortunately, messages from 141.89.68.3 weren't sent.", NULL);
    assert_true(rp.ms);
    REASON("blocked");
}

static void test_ms_accept(void **state)
{
    (void)state;
    classify("250 2.6.0 <20160424091200.GA1234@example.net> [InternalId=26182120276993, Hostname=AM6PR04MB5432.eurprd04.prod.outlook.com] 5236 bytes in 0.180, 28.4 KB/sec Queued mail for delivery", "hotmail-com.olc.protection.outlook.com");
    assert_int_equal(rp.code, 250);
    assert_string_equal(rp.status, "2.6.0");
    assert_true(rp.accepted);
    assert_true(rp.ms);
    REASON("delivered");
    SPAN(rp.internal_id, "26182120276993");
    SPAN(rp.ms_hostname, "AM6PR04MB5432.eurprd04.prod.outlook.com");
    SPAN(rp.quoted_msgid, "<20160424091200.GA1234@example.net>");
    assert_string_equal(rp.named_ip, "");

    /* sendmail keeps only the text after the code */
    classify("<01020154437159cf-906c0795-8cee-4c30-a993-4764335f2c9e-000000@eu-west-1.amazonses.com> Queued mail for delivery", NULL);
    assert_int_equal(rp.code, 0);
    assert_true(rp.accepted);
    assert_true(rp.ms);
    assert_int_equal(rp.cls, 2);
    SPAN(rp.quoted_msgid, "<01020154437159cf-906c0795-8cee-4c30-a993-4764335f2c9e-000000@eu-west-1.amazonses.com>");

    classify("250 <571638CD.70804@uni-potsdam.de> Queued mail for delivery", "mx3.hotmail.com.");
    SPAN(rp.quoted_msgid, "<571638CD.70804@uni-potsdam.de>");

    /* other receivers' acceptances */
    classify("250 2.0.0 Ok: queued as 4B7D1C0C11", "mx.example.org");
    assert_true(rp.accepted);
    assert_false(rp.ms);
    SPAN(rp.queued_as, "4B7D1C0C11");
    assert_null(rp.quoted_msgid.p);
    classify("u3OE15Lp020011 Message accepted for delivery", NULL);
    assert_true(rp.accepted);
}

static void test_generic(void **state)
{
    (void)state;
    classify("host mx.example.org[192.0.2.25] said: 550 5.1.1 <x@example.org>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)", "mx.example.org");
    REASON("userunknown");
    assert_int_equal(rp.code, 550);
    assert_string_equal(rp.named_ip, "");
    classify("452 4.2.2 The email account that you tried to reach is over quota.", NULL);
    REASON("mailboxfull");
    classify("554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using zen.spamhaus.org", NULL);
    REASON("blocked");
    assert_string_equal(rp.named_ip, "203.0.113.5");
    classify("550 5.7.1 <x@y.de>... Relaying denied", NULL);
    REASON("norelaying");
    classify("connect to mx.b.c[192.0.2.1]:25: Connection timed out", NULL);
    REASON("networkerror");
    classify("Unrouteable address", NULL);
    REASON("hostunknown");
    classify("554 5.4.7 delivery expired (message too old)", NULL);
    REASON("expired");
    classify("552 5.3.4 Message size exceeds fixed limit", NULL);
    REASON("mesgtoobig");
    classify("550 5.7.1 Message rejected as spam by Content Filtering.", NULL);
    REASON("spamdetected");
    classify("", NULL);
    REASON("undefined");
    assert_int_equal(rp.code, 0);
    md_reply_classify(&rp, NULL, 0, NULL, 0);
    REASON("undefined");
}

static void test_numbers_not_codes(void **state)
{
    (void)state;
    /* an Exchange build number and IPs are not enhanced status codes */
    classify("Sent (id 15.1.225.42 at [141.89.68.244])", NULL);
    assert_string_equal(rp.status, "");
    assert_int_equal(rp.code, 0);
    classify("host mx.example.org[250.1.2.3] said: 421 Try later", NULL);
    assert_int_equal(rp.code, 421);
    classify("451-4.7.650 first line", NULL);
    assert_int_equal(rp.code, 451);
    assert_string_equal(rp.status, "4.7.650");
}

static void test_hosts_domains(void **state)
{
    static const char *const ms_hosts[] = {"mx3.hotmail.com.", "MX4.HOTMAIL.COM",
        "hotmail-com.olc.protection.outlook.com", "uni-potsdam-de.mail.protection.outlook.com",
        "AM6PR04MB5432.eurprd04.prod.outlook.com"};
    static const char *const other_hosts[] = {"hotmail.com.evil.org", "evilhotmail.com",
        "mx.outlook.com.example", "mailup.uni-potsdam.de.", "", "outlook.com"};
    static const char *const ms_dom[] = {"hotmail.de", "Hotmail.COM", "outlook.de", "outlook.com",
        "live.de", "live.co.uk", "msn.com", "windowslive.com", "passport.com", "hotmail.fr."};
    static const char *const other_dom[] = {"uni-potsdam.de", "example.com", "hotmail.example.org",
        "notlive.de", "outlook.com.evil.org", "gmx.de", "msn.com.evil.org", ""};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof ms_hosts / sizeof *ms_hosts; i++)
        if (!md_reply_is_ms_host(ms_hosts[i], strlen(ms_hosts[i]))) fail_msg("%s", ms_hosts[i]);
    for (i = 0; i < sizeof other_hosts / sizeof *other_hosts; i++)
        if (md_reply_is_ms_host(other_hosts[i], strlen(other_hosts[i]))) fail_msg("%s", other_hosts[i]);
    for (i = 0; i < sizeof ms_dom / sizeof *ms_dom; i++)
        if (!md_reply_is_ms_consumer_domain(ms_dom[i], strlen(ms_dom[i]))) fail_msg("%s", ms_dom[i]);
    for (i = 0; i < sizeof other_dom / sizeof *other_dom; i++)
        if (md_reply_is_ms_consumer_domain(other_dom[i], strlen(other_dom[i]))) fail_msg("%s", other_dom[i]);
    assert_true(md_reply_is_ms_addr("<anna.schmidt@hotmail.de>", 25));
    assert_false(md_reply_is_ms_addr("<anna.schmidt@uni-potsdam.de>", 29));
    assert_false(md_reply_is_ms_addr("hotmail.de", 10));
    assert_false(md_reply_is_ms_host(NULL, 0));
}

static void test_reason_names(void **state)
{
    int i;
    (void)state;
    for (i = 0; i < MD_RSN_COUNT; i++)
        assert_int_equal(md_reply_reason_parse(md_reply_reason_name(i)), i);
    assert_string_equal(md_reply_reason_name(-3), "undefined");
    assert_string_equal(md_reply_reason_name(MD_RSN_COUNT), "undefined");
    assert_int_equal(md_reply_reason_parse("nonsense"), MD_RSN_UNDEFINED);
    assert_int_equal(md_reply_reason_parse(NULL), MD_RSN_UNDEFINED);
}

static void test_hostile(void **state)
{
    size_t n = 200000, i;
    char *b = malloc(n);
    unsigned s = 12345;
    (void)state;
    assert_non_null(b);
    for (i = 0; i < n; i++) {
        s = s * 1103515245u + 12345u;
        b[i] = "[]()<>=.0123456789 S-:,"[(s >> 16) % 23];
    }
    md_reply_classify(&rp, b, n, b, 300);
    for (i = 0; i < n; i++) b[i] = (char)(i * 7);
    md_reply_classify(&rp, b, n, b, n);
    memset(b, '[', n);
    md_reply_classify(&rp, b, n, NULL, 0);
    memset(b, '5', n);
    md_reply_classify(&rp, b, n, NULL, 0);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ms_blocklist),  cmocka_unit_test(test_ms_temporary),
        cmocka_unit_test(test_ms_outlook_codes), cmocka_unit_test(test_ms_accept),
        cmocka_unit_test(test_generic),       cmocka_unit_test(test_numbers_not_codes),
        cmocka_unit_test(test_hosts_domains), cmocka_unit_test(test_reason_names),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
