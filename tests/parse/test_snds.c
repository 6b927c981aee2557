/* test_snds.c: lib/parse/snds.c: SNDS times and complaint rates as SNDS writes
 * them, the classic 14-column data export, the new portal's export with a
 * header row (columns in another order), quoted fields, the IP status
 * export, malformed lines (each an error, the parser goes on), sniffing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "parse/snds.h"

#define S(x) x, sizeof(x) - 1

static void test_time(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int64_t want; /* -1: must fail */
    } cases[] = {
        {"4/23/2016 3:00 PM", 1461423600},
        {"4/23/2016 12:00 AM", 1461369600},
        {"4/23/2016 12:30 PM", 1461414600},
        {"4/23/2016 11:59 PM", 1461455940},
        {"04/23/2016 15:00", 1461423600},
        {"4/23/2016", 1461369600},
        {"2016-04-23 15:00:00", 1461423600},
        {"2016-04-23T15:00:00Z", 1461423600},
        {"2016-04-23T15:00:00.123+00:00", 1461423600},
        {" 4/23/2016 3:00 pm ", 1461423600},
        {"13/23/2016 3:00 PM", -1},
        {"4/23/2016 13:00 PM", -1},
        {"4/23/2016 0:00 AM", -1},
        {"4/23/16 3:00 PM", -1},
        {"yesterday", -1},
        {"", -1},
        {"4/23/2016 3:00 PM extra", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t t = 0;
        int rc = md_snds_parse_time(cases[i].s, strlen(cases[i].s), &t);
        if (cases[i].want < 0) {
            if (rc == 0)
                fail_msg("\"%s\" parsed as %lld", cases[i].s, (long long)t);
        } else {
            if (rc != 0 || t != cases[i].want)
                fail_msg("\"%s\": rc %d, %lld, want %lld", cases[i].s, rc, (long long)t,
                         (long long)cases[i].want);
        }
    }
}

static void test_rate(void **state)
{
    (void)state;
    double pct;
    int lt;
    assert_int_equal(md_snds_parse_rate(S("< 0.1%"), &pct, &lt), 0);
    assert_true(pct > 0.0999 && pct < 0.1001);
    assert_int_equal(lt, 1);
    assert_int_equal(md_snds_parse_rate(S("1.2%"), &pct, &lt), 0);
    assert_true(pct > 1.1999 && pct < 1.2001);
    assert_int_equal(lt, 0);
    assert_int_equal(md_snds_parse_rate(S("<0.1 %"), &pct, &lt), 0);
    assert_int_equal(lt, 1);
    assert_int_equal(md_snds_parse_rate(S("0%"), &pct, &lt), 0);
    assert_true(pct == 0);
    assert_int_equal(md_snds_parse_rate(S("12"), &pct, &lt), 0);
    assert_int_equal(md_snds_parse_rate(S("high"), &pct, &lt), MD_ERR_PARSE);
    assert_int_equal(md_snds_parse_rate(S("120%"), &pct, &lt), MD_ERR_PARSE);
    assert_int_equal(md_snds_parse_rate(S("1.2.3%"), &pct, &lt), MD_ERR_PARSE);
    assert_int_equal(md_snds_parse_rate(S(""), &pct, &lt), MD_ERR_PARSE);
}

static void test_classic_rows(void **state)
{
    (void)state;
    md_snds_parser p;
    md_snds_init(&p, MD_SNDS_DATA);
    md_snds_row r;
    md_err e = {0, ""};
    const char *red = "141.89.68.7,4/23/2016 12:00 AM,4/23/2016 11:59 PM,8888,8838,8875,RED,"
                      "1.2%,4/23/2016 6:41 AM,4/23/2016 9:17 PM,3,ironout.rz.uni-potsdam.de,"
                      "*snip*@uni-potsdam.de,Complaint rate and trap hits high";
    assert_int_equal(md_snds_data_line(&p, red, strlen(red), &r, &e), 1);
    assert_string_equal(r.ip, "141.89.68.7");
    assert_int_equal(r.act_start, 1461369600);
    assert_int_equal(r.act_end, 1461455940);
    assert_int_equal(r.rcpt, 8888);
    assert_int_equal(r.data, 8838);
    assert_int_equal(r.recipients, 8875);
    assert_string_equal(r.filter, "RED");
    assert_string_equal(r.complaint, "1.2%");
    assert_int_equal(r.complaint_lt, 0);
    assert_int_equal(r.trap_start, 1461393660);
    assert_int_equal(r.trap_end, 1461446220);
    assert_int_equal(r.trap_hits, 3);
    assert_string_equal(r.helo, "ironout.rz.uni-potsdam.de");
    assert_string_equal(r.jmr_sender, "*snip*@uni-potsdam.de");
    assert_string_equal(r.comments, "Complaint rate and trap hits high");
    /* empty trailing fields; lower-case colour; a quoted number with a comma */
    const char *green = "141.89.68.8,4/19/2016 12:00 AM,4/19/2016 11:59 PM,\"1,320\",1311,1318,"
                        "green,< 0.1%,,,0,smtpout.uni-potsdam.de,,";
    assert_int_equal(md_snds_data_line(&p, green, strlen(green), &r, &e), 1);
    assert_int_equal(r.rcpt, 1320);
    assert_string_equal(r.filter, "GREEN");
    assert_int_equal(r.complaint_lt, 1);
    assert_int_equal(r.trap_start, 0);
    assert_int_equal(r.trap_hits, 0);
    assert_string_equal(r.jmr_sender, "");
    /* blank line: consumed, no row */
    assert_int_equal(md_snds_data_line(&p, S("   "), &r, &e), 0);
    assert_int_equal(p.rows, 2);
}

static void test_header_rows(void **state)
{
    (void)state;
    md_snds_parser p;
    md_snds_init(&p, MD_SNDS_DATA);
    md_snds_row r;
    md_err e = {0, ""};
    const char *hdr = "IP Address,Activity Start,Activity End,Filter Result,Complaint Rate,"
                      "RCPT Commands,DATA Commands,Message Recipients,Trap Message Start,"
                      "Trap Message End,Trap Hits,Sample HELO,JMR P1 Sender,Comments";
    assert_int_equal(md_snds_data_line(&p, hdr, strlen(hdr), &r, &e), 0);
    assert_int_equal(p.have_header, 1);
    const char *row = "141.89.68.7,4/25/2016 3:00 PM,4/26/2016 3:00 PM,RED,2.1%,\"9,012\",8977,"
                      "8990,4/25/2016 7:02 PM,4/26/2016 1:48 AM,5,ironout.rz.uni-potsdam.de,"
                      "*snip*@uni-potsdam.de,\"Blocked, see IP status\"";
    assert_int_equal(md_snds_data_line(&p, row, strlen(row), &r, &e), 1);
    assert_string_equal(r.filter, "RED");
    assert_string_equal(r.complaint, "2.1%");
    assert_int_equal(r.rcpt, 9012);
    assert_int_equal(r.data, 8977);
    assert_int_equal(r.recipients, 8990);
    assert_int_equal(r.trap_hits, 5);
    assert_int_equal(r.act_start, 1461596400);
    assert_string_equal(r.comments, "Blocked, see IP status");
    /* a header of a shorter export: only what it names */
    md_snds_init(&p, MD_SNDS_DATA);
    assert_int_equal(md_snds_data_line(&p, S("IP,Activity start,Filter result,Trap hits"), &r,
                                       &e), 0);
    assert_int_equal(md_snds_data_line(&p, S("141.89.68.1,2016-04-20 00:00,YELLOW,0"), &r, &e),
                     1);
    assert_string_equal(r.filter, "YELLOW");
    assert_int_equal(r.rcpt, -1);
    assert_true(r.complaint_pct < 0);
}

static void test_bad_lines(void **state)
{
    (void)state;
    md_snds_parser p;
    md_snds_init(&p, MD_SNDS_DATA);
    md_snds_row r;
    md_err e = {0, ""};
    static const struct {
        const char *line;
        const char *want;
    } bad[] = {
        {"141.89.68.300,4/19/2016 12:00 AM,,1,1,1,GREEN,< 0.1%,,,0,x,,", "IP"},
        {"141.89.68.7,yesterday,,1,1,1,GREEN,< 0.1%,,,0,x,,", "activity start"},
        {"141.89.68.7,4/20/2016 12:00 AM,,1,1,1,PURPLE,< 0.1%,,,0,x,,", "filter result"},
        {"141.89.68.7,4/21/2016 12:00 AM,,\"10,10,GREEN", "unterminated"},
        {"141.89.68.7,4/22/2016 12:00 AM,,ten,1,1,GREEN,< 0.1%,,,0,x,,", "RCPT"},
        {"141.89.68.7,4/22/2016 12:00 AM,,1,1,1,GREEN,lots,,,0,x,,", "complaint"},
        {"141.89.68.7", "activity start"},
        {"just some words", "IP"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        e.msg[0] = '\0';
        assert_int_equal(md_snds_data_line(&p, bad[i].line, strlen(bad[i].line), &r, &e),
                         MD_ERR_PARSE);
        if (!strstr(e.msg, bad[i].want))
            fail_msg("line %zu: \"%s\" lacks \"%s\"", i, e.msg, bad[i].want);
    }
    /* too many fields */
    char many[400] = "141.89.68.7";
    for (int i = 0; i < 80; i++)
        strcat(many, ",");
    assert_int_equal(md_snds_data_line(&p, many, strlen(many), &r, &e), MD_ERR_PARSE);
    /* the parser still reads good rows after bad ones (no header guessed) */
    assert_int_equal(md_snds_data_line(&p, S("141.89.68.8,4/19/2016 12:00 AM,,1,1,1,GREEN,"
                                             "< 0.1%,,,0,x,,"), &r, &e), 1);
    assert_int_equal(p.have_header, 0);
}

static void test_status(void **state)
{
    (void)state;
    md_snds_parser p;
    md_snds_init(&p, MD_SNDS_STATUS);
    md_snds_status s;
    md_err e = {0, ""};
    const char *l1 = "141.89.68.7,141.89.68.7,Yes,Blocked due to user complaints or other "
                     "evidence of spamming";
    assert_int_equal(md_snds_status_line(&p, l1, strlen(l1), &s, &e), 1);
    assert_string_equal(s.first, "141.89.68.7");
    assert_string_equal(s.last, "141.89.68.7");
    assert_int_equal(s.blocked, 1);
    assert_string_equal(s.reason,
                        "Blocked due to user complaints or other evidence of spamming");
    assert_int_equal(md_snds_status_line(&p, S("141.89.68.3,141.89.68.4,No,Junked"), &s, &e), 1);
    assert_int_equal(s.blocked, 0);
    assert_int_equal(md_snds_status_line(&p, S("141.89.68.9,141.89.68.4,Yes,x"), &s, &e),
                     MD_ERR_PARSE);
    assert_non_null(strstr(e.msg, "not a range"));
    assert_int_equal(md_snds_status_line(&p, S("141.89.68.9,Yes"), &s, &e), MD_ERR_PARSE);
    /* with a header row, in another order */
    md_snds_init(&p, MD_SNDS_STATUS);
    assert_int_equal(md_snds_status_line(&p, S("Blocked,First IP,Last IP,Details"), &s, &e), 0);
    assert_int_equal(md_snds_status_line(&p, S("Yes,141.89.68.0,141.89.68.255,Spam"), &s, &e), 1);
    assert_string_equal(s.first, "141.89.68.0");
    assert_string_equal(s.last, "141.89.68.255");
    assert_int_equal(s.blocked, 1);
}

static void test_sniff(void **state)
{
    (void)state;
    assert_int_equal(md_snds_sniff(S("141.89.68.7,4/23/2016 12:00 AM,4/23/2016 11:59 PM,1,1,1,"
                                     "RED,1.2%,,,0,x,,\r\n")), MD_SNDS_DATA);
    assert_int_equal(md_snds_sniff(S("IP Address,Activity Start,Activity End,Filter Result\n")),
                     MD_SNDS_DATA);
    assert_int_equal(md_snds_sniff(S("141.89.68.7,141.89.68.7,Yes,Blocked\n")), MD_SNDS_STATUS);
    assert_int_equal(md_snds_sniff(S("First IP,Last IP,Blocked,Details\n")), MD_SNDS_STATUS);
    assert_int_equal(md_snds_sniff(S("address,target,keeps_copy\n")), MD_SNDS_NONE);
    assert_int_equal(md_snds_sniff(S("Apr 23 16:06:27 n-mail-2 sendmail[1]: x\n")),
                     MD_SNDS_NONE);
    assert_int_equal(md_snds_sniff(S("")), MD_SNDS_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_rate),
        cmocka_unit_test(test_classic_rows),
        cmocka_unit_test(test_header_rows),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_sniff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
