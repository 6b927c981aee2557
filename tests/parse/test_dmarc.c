/* test_dmarc.c: lib/parse/dmarc.c: DMARC aggregate reports from the fixtures
 * (Outlook.com's report for uni-potsdam.de, the dmarc-2.0 namespace form,
 * a namespace prefix), the figures written in them; the defences (DOCTYPE /
 * external entity / entity expansion refused, nesting and size limits);
 * errors with file:line; skipped records; invalid UTF-8 repaired; report
 * file names; sniffing.  The parsedmarc corpus is checked in
 * test_repfile.c (it needs gzip, zip and mails). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "parse/dmarc.h"
#include "base/input.h"

#define REP MD_FIXTURES "/reports/"
#define OUTLOOK_0422 REP "protection.outlook.com!uni-potsdam.de!1461283200!1461369600!" \
                         "0b9d3c2e7f6a4d1c9e8b7a6f5d4c3b2a.xml"
#define OUTLOOK_0423 REP "protection.outlook.com!uni-potsdam.de!1461369600!1461456000!" \
                         "e5a0c6f1b2d34e9f8a7b6c5d4e3f2a1b.xml.gz"
#define DMARC2 REP "dmarc2-outlook.com!uni-potsdam.de!1476144000!1476230400.xml"

/* the file, decompressed (md_input undoes gzip) */
static void slurp(const char *path, md_buf *b)
{
    md_input *in = NULL;
    md_err e = {0, ""};
    assert_int_equal(md_input_open(&in, path, &e), 0);
    assert_int_equal(md_input_slurp(in, b, 1 << 26, &e), 0);
    md_input_close(in);
}

typedef struct warns {
    int n;
    uint64_t line[8];
    char msg[8][256];
} warns;

static void on_warn(void *arg, const char *name, uint64_t line, const char *msg)
{
    (void)name;
    warns *w = arg;
    if (w->n < 8) {
        w->line[w->n] = line;
        snprintf(w->msg[w->n], sizeof w->msg[0], "%s", msg);
    }
    w->n++;
}

static md_dmarc_report *parse_file(const char *path, warns *w)
{
    md_buf b = MD_BUF_INIT;
    slurp(path, &b);
    md_dmarc_report *r = NULL;
    md_err e = {0, ""};
    int rc = md_dmarc_parse(&r, path, b.data, b.len, on_warn, w, NULL, &e);
    if (rc != 0)
        fail_msg("%s", e.msg);
    md_buf_free(&b);
    return r;
}

static int parse_mem(const char *xml, md_dmarc_report **r, uint64_t *line, md_err *e)
{
    return md_dmarc_parse(r, "mem.xml", xml, strlen(xml), NULL, NULL, line, e);
}

static void test_outlook_report(void **state)
{
    (void)state;
    warns w = {0};
    md_dmarc_report *r = parse_file(OUTLOOK_0423, &w);
    assert_int_equal(w.n, 0);
    assert_string_equal(r->org_name, "Outlook.com");
    assert_string_equal(r->email, "dmarcreport@microsoft.com");
    assert_string_equal(r->report_id, "e5a0c6f1b2d34e9f8a7b6c5d4e3f2a1b");
    assert_int_equal(r->begin, 1461369600);
    assert_int_equal(r->end, 1461456000);
    assert_string_equal(r->version, "1.0");
    assert_int_equal(r->ns_v2, 0);
    assert_string_equal(r->domain, "uni-potsdam.de");
    assert_string_equal(r->adkim, "r");
    assert_string_equal(r->aspf, "r");
    assert_string_equal(r->p, "none");
    assert_string_equal(r->sp, "none");
    assert_int_equal(r->pct, 100);
    assert_int_equal(r->nrecords, 4);
    assert_int_equal(r->messages, 412 + 57 + 23 + 5);
    /* ironout: SPF passes, DKIM fails: a DMARC pass */
    const md_dmarc_record *c = &r->records[0];
    assert_string_equal(c->source_ip, "141.89.68.7");
    assert_int_equal(c->count, 412);
    assert_string_equal(c->disposition, "none");
    assert_string_equal(c->dkim, "fail");
    assert_string_equal(c->spf, "pass");
    assert_true(md_dmarc_record_pass(c));
    assert_string_equal(c->envelope_to, "hotmail.de");
    assert_string_equal(c->envelope_from, "uni-potsdam.de");
    assert_string_equal(c->header_from, "uni-potsdam.de");
    assert_int_equal(c->nauth, 1);
    assert_string_equal(r->auths[c->auth_first].method, "spf");
    assert_string_equal(r->auths[c->auth_first].scope, "mfrom");
    assert_string_equal(r->auths[c->auth_first].result, "pass");
    /* cl-mail: DKIM and SPF results, selector kept */
    c = &r->records[1];
    assert_string_equal(c->source_ip, "141.89.68.1");
    assert_int_equal(c->nauth, 2);
    assert_string_equal(r->auths[c->auth_first].method, "dkim");
    assert_string_equal(r->auths[c->auth_first].selector, "s2016");
    assert_string_equal(r->auths[c->auth_first].domain, "uni-potsdam.de");
    /* smtpout fails both */
    c = &r->records[2];
    assert_string_equal(c->source_ip, "141.89.68.8");
    assert_false(md_dmarc_record_pass(c));
    assert_string_equal(r->auths[c->auth_first + 1].result, "softfail");
    assert_string_equal(r->auths[c->auth_first + 1].domain, "smtpout.uni-potsdam.de");
    assert_int_equal(r->records[3].count, 5);
    assert_true(r->records[0].line > 0 && r->records[0].line < r->records[1].line);
    md_dmarc_free(r);
}

static void test_dmarc2_namespace(void **state)
{
    (void)state;
    warns w = {0};
    md_dmarc_report *r = parse_file(DMARC2, &w);
    assert_int_equal(r->ns_v2, 1);
    assert_string_equal(r->version, "2.0");
    assert_string_equal(r->p, "quarantine");
    assert_string_equal(r->np, "reject");
    assert_string_equal(r->testing, "n");
    assert_string_equal(r->discovery_method, "treewalk");
    assert_string_equal(r->generator, "Outlook.com DMARC Aggregate Reporter");
    assert_int_equal(r->pct, -1); /* dmarc-2.0 has no pct */
    assert_int_equal(r->nrecords, 2);
    assert_string_equal(r->records[0].source_ip, "141.89.68.1");
    assert_string_equal(r->records[0].disposition, "quarantine");
    assert_int_equal(r->records[0].count, 17);
    assert_string_equal(r->auths[r->records[0].auth_first].selector, "exch2016");
    assert_int_equal(r->messages, 220);
    md_dmarc_free(r);

    /* a namespace prefix on every element; upper-case results */
    const char *px =
        "<?xml version='1.0'?>\n"
        "<d:feedback xmlns:d='urn:ietf:params:xml:ns:dmarc-2.0'>\n"
        " <d:report_metadata><d:org_name>Outlook.com</d:org_name>"
        "<d:report_id> r1 </d:report_id>\n"
        "  <d:date_range><d:begin>1461369600</d:begin><d:end>1461456000</d:end></d:date_range>"
        " </d:report_metadata>\n"
        " <d:record><d:row><d:source_ip>2001:db8::0:1</d:source_ip><d:count>3</d:count>"
        "<d:policy_evaluated><d:disposition>None</d:disposition><d:dkim>Pass</d:dkim>"
        "<d:spf>FAIL</d:spf></d:policy_evaluated></d:row></d:record>\n"
        "</d:feedback>\n";
    md_err e = {0, ""};
    assert_int_equal(parse_mem(px, &r, NULL, &e), 0);
    assert_int_equal(r->ns_v2, 1);
    assert_string_equal(r->report_id, "r1");
    assert_string_equal(r->records[0].source_ip, "2001:db8::1");
    assert_string_equal(r->records[0].dkim, "pass");
    assert_string_equal(r->records[0].spf, "fail");
    assert_string_equal(r->records[0].disposition, "none");
    assert_true(md_dmarc_record_pass(&r->records[0]));
    md_dmarc_free(r);
}

static void test_entities_refused(void **state)
{
    (void)state;
    static const char *const files[] = {REP "bad/xxe-external-entity.xml",
                                        REP "bad/billion-laughs.xml"};
    for (size_t i = 0; i < 2; i++) {
        md_buf b = MD_BUF_INIT;
        slurp(files[i], &b);
        md_dmarc_report *r = (md_dmarc_report *)1;
        uint64_t line = 99;
        md_err e = {0, ""};
        assert_int_equal(md_dmarc_parse(&r, files[i], b.data, b.len, NULL, NULL, &line, &e),
                         MD_ERR_PARSE);
        assert_null(r);
        assert_int_equal(line, 2);
        assert_non_null(strstr(e.msg, "DOCTYPE"));
        assert_non_null(strstr(e.msg, ":2: "));
        assert_null(strstr(e.msg, "root:")); /* nothing of /etc/passwd */
        md_buf_free(&b);
    }
    /* an internal entity used in a value is refused the same way */
    const char *ie = "<?xml version='1.0'?><!DOCTYPE feedback [<!ENTITY x 'y'>]>"
                     "<feedback><report_metadata><report_id>&x;</report_id></report_metadata>"
                     "</feedback>";
    md_dmarc_report *r = NULL;
    md_err e = {0, ""};
    assert_int_equal(parse_mem(ie, &r, NULL, &e), MD_ERR_PARSE);
    assert_null(r);
}

static void test_errors_name_line(void **state)
{
    (void)state;
    md_buf b = MD_BUF_INIT;
    slurp(REP "bad/not-well-formed.xml", &b);
    md_dmarc_report *r = NULL;
    uint64_t line = 0;
    md_err e = {0, ""};
    assert_int_equal(md_dmarc_parse(&r, "nwf.xml", b.data, b.len, NULL, NULL, &line, &e),
                     MD_ERR_PARSE);
    assert_int_equal(line, 25); /* </record> closes an open <row> there */
    assert_true(strncmp(e.msg, "nwf.xml:25: not well-formed XML", 31) == 0);
    md_buf_free(&b);

    /* not a report; empty; no report_id; no date_range */
    assert_int_equal(parse_mem("<?xml version='1.0'?>\n<html><body/></html>", &r, &line, &e),
                     MD_ERR_PARSE);
    assert_int_equal(line, 2);
    assert_non_null(strstr(e.msg, "<feedback>"));
    assert_int_equal(md_dmarc_parse(&r, "e.xml", "", 0, NULL, NULL, &line, &e), MD_ERR_PARSE);
    assert_int_equal(parse_mem("<feedback><report_metadata><org_name>x</org_name>"
                               "</report_metadata></feedback>", &r, &line, &e), MD_ERR_PARSE);
    assert_non_null(strstr(e.msg, "report_id"));
    assert_int_equal(parse_mem("<feedback><report_metadata><report_id>1</report_id>"
                               "<date_range><begin>soon</begin><end>1</end></date_range>"
                               "</report_metadata></feedback>", &r, &line, &e), MD_ERR_PARSE);
    assert_non_null(strstr(e.msg, "date_range"));
    assert_null(r);
}

static void test_limits(void **state)
{
    (void)state;
    /* nesting: 100 levels below <feedback> */
    md_buf b = MD_BUF_INIT;
    md_buf_puts(&b, "<feedback><report_metadata><report_id>1</report_id></report_metadata>\n");
    for (int i = 0; i < 100; i++)
        md_buf_puts(&b, "<x>");
    for (int i = 0; i < 100; i++)
        md_buf_puts(&b, "</x>");
    md_buf_puts(&b, "</feedback>");
    md_dmarc_report *r = NULL;
    md_err e = {0, ""};
    assert_int_equal(md_dmarc_parse(&r, "deep.xml", b.data, b.len, NULL, NULL, NULL, &e),
                     MD_ERR_LIMIT);
    assert_non_null(strstr(e.msg, "nested deeper"));
    md_buf_free(&b);
    /* size: refused before parsing */
    size_t big = (size_t)MD_LIMIT_XML_BYTES + 1;
    char *p = malloc(big);
    assert_non_null(p);
    memset(p, ' ', big);
    assert_int_equal(md_dmarc_parse(&r, "big.xml", p, big, NULL, NULL, NULL, &e), MD_ERR_LIMIT);
    free(p);
    assert_null(r);
}

static void test_bad_records_skipped(void **state)
{
    (void)state;
    warns w = {0};
    md_dmarc_report *r = parse_file(REP "bad/bad-records.xml", &w);
    assert_int_equal(r->nrecords, 1);
    assert_int_equal(r->skipped, 2);
    assert_int_equal(w.n, 2);
    assert_int_equal(w.line[0], 45);
    assert_non_null(strstr(w.msg[0], "141.89.68.999"));
    assert_int_equal(w.line[1], 63);
    assert_non_null(strstr(w.msg[1], "\"many\""));
    md_dmarc_free(r);
}

static void test_utf8_repaired(void **state)
{
    (void)state;
    const char *x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback>\n"
                    "<report_metadata><org_name>Universit\xE4t</org_name>\n"
                    "<report_id>1</report_id><date_range><begin>1</begin><end>2</end>"
                    "</date_range></report_metadata></feedback>\n";
    warns w = {0};
    md_dmarc_report *r = NULL;
    md_err e = {0, ""};
    assert_int_equal(md_dmarc_parse(&r, "u.xml", x, strlen(x), on_warn, &w, NULL, &e), 0);
    assert_int_equal(w.n, 1);
    assert_int_equal(w.line[0], 3);
    assert_string_equal(r->org_name, "Universit\xEF\xBF\xBDt");
    assert_int_equal(r->utf8_repaired, 1);
    md_dmarc_free(r);
    /* declared Latin-1: libxml2 converts, nothing to repair */
    const char *l1 = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<feedback>"
                     "<report_metadata><org_name>Universit\xE4t</org_name>"
                     "<report_id>1</report_id><date_range><begin>1</begin><end>2</end>"
                     "</date_range></report_metadata></feedback>\n";
    w.n = 0;
    assert_int_equal(md_dmarc_parse(&r, "l.xml", l1, strlen(l1), on_warn, &w, NULL, &e), 0);
    assert_int_equal(w.n, 0);
    assert_string_equal(r->org_name, "Universit\xC3\xA4t");
    md_dmarc_free(r);
}

static void test_names_and_sniff(void **state)
{
    (void)state;
    char rep[64], dom[64];
    int64_t b = 0, e = 0;
    assert_int_equal(md_dmarc_name_parse("x/protection.outlook.com!uni-potsdam.de!1461369600!"
                                         "1461456000!e5a0c6f1.xml.gz", rep, sizeof rep, dom,
                                         sizeof dom, &b, &e), 0);
    assert_string_equal(rep, "protection.outlook.com");
    assert_string_equal(dom, "uni-potsdam.de");
    assert_int_equal(b, 1461369600);
    assert_int_equal(e, 1461456000);
    assert_int_equal(md_dmarc_name_parse("google.com!uni-potsdam.de!1461369600!1461455999.zip",
                                         rep, sizeof rep, dom, sizeof dom, &b, &e), 0);
    assert_string_equal(rep, "google.com");
    assert_int_equal(e, 1461455999);
    assert_int_equal(md_dmarc_name_parse("report.xml", NULL, 0, NULL, 0, NULL, NULL),
                     MD_ERR_PARSE);
    assert_int_equal(md_dmarc_name_parse("a!b!soon!1.xml", NULL, 0, NULL, 0, NULL, NULL),
                     MD_ERR_PARSE);

    assert_true(md_dmarc_sniff("<feedback>", 10));
    assert_true(md_dmarc_sniff("\xEF\xBB\xBF<?xml version='1.0'?>\n<!-- a > b -->\n<feedback>",
                               54));
    assert_true(md_dmarc_sniff("<x:feedback xmlns:x='u'>", 24));
    const char *dt = "<?xml version='1.0'?><!DOCTYPE feedback [<!ENTITY a 'b'>]><feedback>";
    assert_true(md_dmarc_sniff(dt, strlen(dt)));
    assert_false(md_dmarc_sniff("<feedbackx>", 11));
    assert_false(md_dmarc_sniff("<?xml version='1.0'?><html>", 27));
    assert_false(md_dmarc_sniff("Received: from x", 16));
    assert_false(md_dmarc_sniff("", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outlook_report),
        cmocka_unit_test(test_dmarc2_namespace),
        cmocka_unit_test(test_entities_refused),
        cmocka_unit_test(test_errors_name_line),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_bad_records_skipped),
        cmocka_unit_test(test_utf8_repaired),
        cmocka_unit_test(test_names_and_sniff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
