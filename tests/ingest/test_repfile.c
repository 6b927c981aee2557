/* test_repfile.c: lib/ingest/repfile.c through md_ingest: the project's report
 * fixtures (.xml, Outlook.com's .xml.gz, Google's .zip, dmarc-2.0, SNDS
 * data with and without a header row, SNDS IP status) stored and found
 * again by the queries; a second ingest stores nothing; the hook the mail
 * reader calls for attachments (md_repfile_take_attachment) fed with the
 * attachment of fixtures/reports/dmarc-report-outlook.eml decoded here (so
 * this test does not depend on the mail reader); bad inputs (truncated
 * gzip, zip bomb, DOCTYPE, malformed CSV) reported with file and line while
 * the rest goes on; and the parsedmarc corpus (skipped without
 * ../shared): every report parses or fails cleanly, with the figures
 * parsedmarc's own tests expect where they name them.
 *
 * fixtures/reports/ (written for this project; uni-potsdam.de, IPs
 * 141.89.68.1 cl-mail, .7 ironout, .8 smtpout, April 2016): Outlook.com
 * reports for 04-22 (.xml) and 04-23 (.xml.gz, Outlook.com's file name;
 * .8 fails DMARC, a spoofer 185.12.64.9), Google's zip for 04-23, the
 * dmarc-2.0 form (2016-10-11, the recurrence), the 04-21 report mailed as a
 * base64 .xml.gz attachment (dmarc-report-outlook.eml), SNDS data classic
 * (04-19..04-24: .1 YELLOW 04-20, .7 YELLOW 04-22/24 and RED 04-23 with 3
 * trap hits) and from the portal (header row, columns reordered, 04-25),
 * SNDS IP status (.7 blocked).  bad/: truncated .xml.gz, a zip entry of
 * 65 MiB of zeros, DOCTYPEs with external entities and nested entities, an
 * XML error at line 25, two unusable records (lines 45, 63), an SNDS export
 * with malformed lines 2-7 between good ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/config.h"
#include "parse/dmarc.h"
#include "ingest/ingest.h"
#include "ingest/readers.h"
#include "base/input.h"
#include "ingest/repfile.h"
#include "store/store.h"
#include "store/store_rep.h"
#include "base/text.h"
#include "testutil.h"

#define REP MD_FIXTURES "/reports/"
#define CORPUS MD_SHARED "/corpus/parsedmarc/"

typedef struct warns {
    int n;
    char file[16][512];
    uint64_t line[16];
    char msg[16][512];
} warns;

static void on_warn(void *arg, const char *file, uint64_t line, const char *msg)
{
    warns *w = arg;
    if (w->n < 16) {
        snprintf(w->file[w->n], sizeof w->file[0], "%s", file);
        w->line[w->n] = line;
        snprintf(w->msg[w->n], sizeof w->msg[0], "%s", msg);
    }
    w->n++;
}

typedef struct env {
    md_store *st;
    md_config cfg;
    md_ingest ig;
    warns w;
    char path[512];
} env;

static env *env_open(void)
{
    env *v = calloc(1, sizeof *v);
    assert_non_null(v);
    v->st = md_test_store_open(v->path, sizeof v->path, "test_repfile");
    md_config_defaults(&v->cfg);
    md_readers_init(&v->ig, v->st, &v->cfg);
    v->ig.warn = on_warn;
    v->ig.cb_arg = &v->w;
    return v;
}

static void env_close(env *v)
{
    md_test_store_close(v->st, v->path);
    free(v);
}

static int ingest(env *v, const char *path)
{
    md_err e = {0, ""};
    int rc = md_ingest_path(&v->ig, path, &e);
    if (rc != 0 && rc != MD_ERR_PARSE)
        fail_msg("%s: %s", path, e.msg);
    return rc;
}

static md_rep_counts counts(env *v)
{
    md_rep_counts c;
    md_err e = {0, ""};
    assert_int_equal(md_store_rep_counts(v->st, &c, &e), 0);
    return c;
}

static void read_file(const char *path, md_buf *b)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0)
        md_buf_append(b, chunk, got);
    fclose(fp);
}

/* The first base64 body of a mail (after a "Content-Transfer-Encoding:
 * base64" header and the blank line ending its header block), decoded.  A
 * test helper: the product's MIME reader is lib/ingest/msgfile.c. */
static int b64val(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

static void mail_attachment(const char *path, md_buf *out)
{
    md_buf m = MD_BUF_INIT;
    read_file(path, &m);
    const char *p = md_text_casestr(m.data, m.len, "Content-Transfer-Encoding: base64");
    assert_non_null(p);
    const char *end = m.data + m.len;
    const char *body = NULL;
    for (const char *q = p; q + 1 < end; q++)
        if (q[0] == '\n' && (q[1] == '\n' || (q[1] == '\r' && q + 2 < end && q[2] == '\n'))) {
            body = q + 1;
            break;
        }
    assert_non_null(body);
    unsigned acc = 0;
    int bits = 0, bol = 1;
    for (const char *q = body; q < end; q++) {
        if (bol && *q == '-')
            break; /* the boundary */
        bol = *q == '\n';
        int v = b64val((unsigned char)*q);
        if (v < 0)
            continue;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            md_buf_putc(out, (int)((acc >> bits) & 0xFF));
        }
    }
    md_buf_free(&m);
}

/* ---- the project's fixtures ------------------------------------------------ */

static const char *const good_files[] = {
    REP "protection.outlook.com!uni-potsdam.de!1461283200!1461369600!"
        "0b9d3c2e7f6a4d1c9e8b7a6f5d4c3b2a.xml",
    REP "protection.outlook.com!uni-potsdam.de!1461369600!1461456000!"
        "e5a0c6f1b2d34e9f8a7b6c5d4e3f2a1b.xml.gz",
    REP "google.com!uni-potsdam.de!1461369600!1461455999.zip",
    REP "dmarc2-outlook.com!uni-potsdam.de!1476144000!1476230400.xml",
    REP "snds-data-2016-04.csv",
    REP "snds-data-portal-2016-04-25.csv",
    REP "snds-ipstatus-2016-04-26.csv",
};
#define NGOOD (sizeof good_files / sizeof good_files[0])

static void test_fixtures(void **state)
{
    (void)state;
    env *v = env_open();
    for (size_t i = 0; i < NGOOD; i++)
        assert_int_equal(ingest(v, good_files[i]), 0);
    assert_int_equal(v->w.n, 0);
    assert_int_equal(v->ig.stats.by_kind[MD_KIND_DMARC], 3);
    assert_int_equal(v->ig.stats.by_kind[MD_KIND_ZIP], 1);
    assert_int_equal(v->ig.stats.by_kind[MD_KIND_SNDS], 2);
    assert_int_equal(v->ig.stats.by_kind[MD_KIND_SNDS_STATUS], 1);
    md_rep_counts c = counts(v);
    assert_int_equal(c.dmarc_reports, 4);
    assert_int_equal(c.dmarc_records, 3 + 4 + 2 + 2);
    assert_int_equal(c.dmarc_messages, (380 + 31 + 44) + (412 + 57 + 23 + 5) + (12 + 3) +
                                           (17 + 203));
    assert_int_equal(c.snds_rows, 18 + 3);   /* 6 days x 3 IPs; 3 rows of 04-25 */
    assert_int_equal(c.snds_ips, 3);
    assert_int_equal(c.status_rows, 2);
    assert_int_equal(c.status_blocked, 1);

    /* ironout on the day of the scenario's log lines */
    md_rep_day *d = NULL;
    size_t n = 0;
    md_err e = {0, ""};
    assert_int_equal(md_store_rep_ip_days(v->st, "141.89.68.7", 1461369600, 1461455999, &d, &n,
                                          &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(d[0].day, "2016-04-23");
    assert_string_equal(d[0].filter, "RED");
    assert_string_equal(d[0].complaint, "1.2%");
    assert_int_equal(d[0].trap_hits, 3);
    assert_int_equal(d[0].ms_pass, 412);
    assert_int_equal(d[0].dmarc_pass, 412 + 12);
    free(d);
    /* the portal export (header row, columns reordered): 04-25 is RED with 5 trap hits */
    assert_int_equal(md_store_rep_ip_days(v->st, "141.89.68.7", 1461542400, 1461628799, &d, &n,
                                          &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(d[0].filter, "RED");
    assert_int_equal(d[0].rcpt, 9012);
    assert_int_equal(d[0].trap_hits, 5);
    free(d);
    /* the IP status export */
    md_rep_status *s = NULL;
    assert_int_equal(md_store_rep_ip_status(v->st, "141.89.68.4", &s, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(s[0].blocked, 0);
    free(s);
    /* our IPs with trouble in April: .7 blocked/RED, .1 YELLOW, .8 DMARC failures */
    md_config cfg;
    md_config_defaults(&cfg);
    assert_int_equal(md_config_load(&cfg, MD_FIXTURES "/maildossier.conf", &e), 0);
    md_rep_problem *p = NULL;
    assert_int_equal(md_store_rep_problems(v->st, &cfg, 1461024000, 1462060799, &p, &n, &e), 0);
    assert_int_equal(n, 3);
    assert_string_equal(p[0].ip, "141.89.68.7");
    assert_int_equal(p[0].blocked, 1);
    assert_int_equal(p[0].red_days, 2);     /* 04-23 and 04-25 */
    assert_int_equal(p[0].yellow_days, 2);  /* 04-22 and 04-24 */
    assert_string_equal(p[1].ip, "141.89.68.1");
    assert_int_equal(p[1].yellow_days, 2);  /* 04-20 and 04-25 */
    assert_string_equal(p[2].ip, "141.89.68.8");
    assert_int_equal(p[2].ms_fail, 31 + 23);
    free(p);

    /* the same files again: nothing new */
    v->ig.stats.files_unchanged = 0;
    for (size_t i = 0; i < NGOOD; i++)
        assert_int_equal(ingest(v, good_files[i]), 0);
    assert_int_equal(v->ig.stats.files_unchanged, NGOOD);
    md_rep_counts c2 = counts(v);
    assert_memory_equal(&c, &c2, sizeof c);
    env_close(v);
}

static void test_attachment_hook(void **state)
{
    (void)state;
    env *v = env_open();
    md_buf att = MD_BUF_INIT;
    mail_attachment(REP "dmarc-report-outlook.eml", &att);
    assert_true(att.len > 100);
    md_err e = {0, ""};
    const char *name = "protection.outlook.com!uni-potsdam.de!1461196800!1461283200!"
                       "3f2e1d0c9b8a47f6e5d4c3b2a1908f7e.xml.gz";
    const unsigned char *data = (const unsigned char *)att.data;
    assert_int_equal(md_repfile_take_attachment(&v->ig, "mail.eml", name, data, att.len, &e), 1);
    md_rep_counts c = counts(v);
    assert_int_equal(c.dmarc_reports, 1);
    assert_int_equal(c.dmarc_messages, 298 + 12);
    /* the same attachment again (another copy of the mail): known, nothing new */
    assert_int_equal(md_repfile_take_attachment(&v->ig, "copy.eml", name, data, att.len, &e), 1);
    assert_int_equal(counts(v).dmarc_reports, 1);
    assert_int_equal(v->w.n, 0);
    /* not a report: 0, silently */
    const unsigned char txt[] = "Hello, this is a PDF of the enrolment letter.";
    assert_int_equal(md_repfile_take_attachment(&v->ig, "m.eml", "letter.txt", txt,
                                                sizeof txt - 1, &e), 0);
    assert_int_equal(md_repfile_take_attachment(&v->ig, "m.eml", NULL, txt, 0, &e), 0);
    assert_int_equal(v->w.n, 0);
    /* a cut attachment: 0 and a warning naming mail and attachment */
    assert_int_equal(md_repfile_take_attachment(&v->ig, "cut.eml", name, data, att.len / 2, &e),
                     0);
    assert_int_equal(v->w.n, 1);
    assert_non_null(strstr(v->w.file[0], "cut.eml["));
    /* a zip attachment (Google's form) */
    md_buf z = MD_BUF_INIT;
    read_file(REP "google.com!uni-potsdam.de!1461369600!1461455999.zip", &z);
    assert_int_equal(md_repfile_take_attachment(&v->ig, "g.eml", "google.zip",
                                                (const unsigned char *)z.data, z.len, &e), 1);
    assert_int_equal(counts(v).dmarc_reports, 2);
    /* inside the caller's transaction (the mail reader may hold one) */
    md_buf x = MD_BUF_INIT;
    read_file(REP "dmarc2-outlook.com!uni-potsdam.de!1476144000!1476230400.xml", &x);
    assert_int_equal(md_store_begin(v->st, &e), 0);
    assert_int_equal(md_repfile_take_attachment(&v->ig, "t.eml", "r.xml",
                                                (const unsigned char *)x.data, x.len, &e), 1);
    assert_int_equal(md_store_commit(v->st, &e), 0);
    assert_int_equal(counts(v).dmarc_reports, 3);
    md_buf_free(&x);
    md_buf_free(&z);
    md_buf_free(&att);
    env_close(v);
}

static int find_warn(const warns *w, const char *text, uint64_t line)
{
    for (int i = 0; i < w->n && i < 16; i++)
        if (strstr(w->msg[i], text) && (line == (uint64_t)-1 || w->line[i] == line))
            return 1;
    return 0;
}

static void test_bad_inputs(void **state)
{
    (void)state;
    env *v = env_open();
    /* truncated gzip */
    assert_int_equal(ingest(v, REP "bad/truncated-protection.outlook.com!uni-potsdam.de!"
                                   "1461369600!1461456000!e5a0c6f1.xml.gz"), MD_ERR_PARSE);
    assert_true(find_warn(&v->w, "truncated", (uint64_t)-1));
    /* zip bomb: the entry is refused by its size before it is inflated */
    v->w.n = 0;
    assert_int_equal(ingest(v, REP "bad/bomb-google.com!uni-potsdam.de!1461369600!"
                                   "1461455999.zip"), MD_ERR_PARSE);
    assert_true(find_warn(&v->w, "over the limit", 0));
    assert_non_null(strstr(v->w.file[0], ".zip[google.com!uni-potsdam.de!"));
    /* DOCTYPE: external entity, entity expansion */
    v->w.n = 0;
    assert_int_equal(ingest(v, REP "bad/xxe-external-entity.xml"), MD_ERR_PARSE);
    assert_int_equal(ingest(v, REP "bad/billion-laughs.xml"), MD_ERR_PARSE);
    assert_int_equal(v->w.n, 2);
    assert_true(find_warn(&v->w, "DOCTYPE", 2));
    /* not well-formed: the line of the error */
    v->w.n = 0;
    assert_int_equal(ingest(v, REP "bad/not-well-formed.xml"), MD_ERR_PARSE);
    assert_true(find_warn(&v->w, "not well-formed", 25));
    assert_int_equal(counts(v).dmarc_reports, 0);
    /* bad records: the good one is kept */
    v->w.n = 0;
    assert_int_equal(ingest(v, REP "bad/bad-records.xml"), MD_ERR_PARSE);
    assert_int_equal(v->w.n, 2);
    assert_int_equal(counts(v).dmarc_records, 1);
    /* malformed CSV: each bad line named, the two good ones stored */
    v->w.n = 0;
    assert_int_equal(ingest(v, REP "bad/snds-malformed.csv"), MD_ERR_PARSE);
    assert_int_equal(v->w.n, 6);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(v->w.line[i], (uint64_t)i + 2);
        assert_non_null(strstr(v->w.msg[i], "line skipped"));
    }
    assert_int_equal(counts(v).snds_rows, 2);
    assert_int_equal(v->ig.stats.files_failed, 5);
    env_close(v);
}

/* ---- the parsedmarc corpus -------------------------------------------------- */

static md_dmarc_report *corpus_parse(const char *file, uint64_t *line, md_err *e, int *warned)
{
    md_buf b = MD_BUF_INIT;
    char path[512];
    snprintf(path, sizeof path, CORPUS "%s", file);
    read_file(path, &b);
    warns w = {0};
    md_dmarc_report *r = NULL;
    md_dmarc_parse(&r, file, b.data ? b.data : "", b.len, on_warn, &w, line, e);
    if (warned)
        *warned = w.n;
    md_buf_free(&b);
    return r;
}

/* figures that parsedmarc's tests.py asserts for these samples
 * (testDMARCbisDraftSample, testDMARCbisWithExplicitFields,
 * testDMARCbisFieldsWithRFC7489, testEmptySample) */
static void test_corpus_parsedmarc_figures(void **state)
{
    (void)state;
    uint64_t line;
    md_err e = {0, ""};
    md_dmarc_report *r = corpus_parse("aggregate/rfc9990-sample.xml", &line, &e, NULL);
    assert_non_null(r);
    assert_string_equal(r->org_name, "Sample Reporter");
    assert_string_equal(r->email, "report_sender@example-reporter.com");
    assert_string_equal(r->extra_contact, "...");
    assert_string_equal(r->report_id, "3v98abbp8ya9n3va8yr8oa3ya");
    assert_string_equal(r->domain, "example.com");
    assert_string_equal(r->p, "quarantine");
    assert_string_equal(r->sp, "none");
    assert_string_equal(r->np, "none");
    assert_string_equal(r->testing, "n");
    assert_string_equal(r->adkim, "");   /* parsedmarc defaults it to "r"; we keep "absent" */
    assert_int_equal(r->pct, -1);        /* parsedmarc: None */
    assert_int_equal(r->nrecords, 1);
    assert_string_equal(r->records[0].source_ip, "192.0.2.123");
    assert_int_equal(r->records[0].count, 123);
    assert_string_equal(r->records[0].disposition, "pass");
    assert_string_equal(r->records[0].dkim, "pass");
    assert_string_equal(r->records[0].spf, "fail");
    assert_int_equal(r->records[0].nauth, 2);
    const md_dmarc_auth *a = &r->auths[r->records[0].auth_first];
    assert_string_equal(a[0].method, "dkim");
    assert_string_equal(a[0].domain, "example.com");
    assert_string_equal(a[0].selector, "abc123");
    assert_string_equal(a[0].result, "pass");
    assert_string_equal(a[1].method, "spf");
    assert_string_equal(a[1].result, "fail");
    md_dmarc_free(r);

    r = corpus_parse("aggregate/rfc9990-example.net!example.com!1700000000!1700086399.xml",
                     &line, &e, NULL);
    assert_non_null(r);
    assert_string_equal(r->np, "reject");
    assert_string_equal(r->testing, "y");
    assert_int_equal(r->nrecords, 2);
    assert_string_equal(r->records[1].reason, "other: sender not authorized");
    md_dmarc_free(r);

    r = corpus_parse("aggregate/example.net!example.com!1529366400!1529452799.xml", &line, &e,
                     NULL);
    assert_non_null(r);
    assert_int_equal(r->pct, 100);
    assert_string_equal(r->np, "");
    assert_string_equal(r->testing, "");
    md_dmarc_free(r);

    r = corpus_parse("empty.xml", &line, &e, NULL);
    assert_null(r);
    assert_int_equal(e.code, MD_ERR_PARSE);
}

/* count "<record>" in a file: an oracle independent of the parser */
static size_t count_records(const char *path)
{
    md_buf b = MD_BUF_INIT;
    md_input *in = NULL;
    md_err e = {0, ""};
    size_t n = 0;
    if (md_input_open(&in, path, &e) == 0 && md_input_slurp(in, &b, 1 << 26, &e) == 0)
        for (const char *p = b.data; p && (p = md_text_casestr(p, b.len - (size_t)(p - b.data),
                                                               "<record>")) != NULL; p++)
            n++;
    md_input_close(in);
    md_buf_free(&b);
    return n;
}

static void test_corpus_ingest(void **state)
{
    (void)state;
    env *v = env_open();
    /* the broken ones: not well-formed, each reported with its line */
    static const struct {
        const char *file;
        uint64_t line;
    } broken[] = {
        {"aggregate/ikea.com!example.de!1538690400!1538776800.xml", 47},
        {"aggregate/invalid_xml.xml", 5},
    };
    for (size_t i = 0; i < 2; i++) {
        char path[512];
        snprintf(path, sizeof path, CORPUS "%s", broken[i].file);
        v->w.n = 0;
        assert_int_equal(ingest(v, path), MD_ERR_PARSE);
        assert_int_equal(v->w.n, 1);
        assert_int_equal(v->w.line[0], broken[i].line);
        assert_non_null(strstr(v->w.msg[0], "not well-formed"));
    }
    /* an empty file is named, but is no failure (a log just rotated) */
    v->w.n = 0;
    assert_int_equal(ingest(v, CORPUS "empty.xml"), MD_OK);
    assert_int_equal(v->w.n, 1);
    assert_int_equal(counts(v).dmarc_reports, 0);

    /* every other plain report: stored, with as many records as it has */
    static const char *const xml[] = {
        "aggregate/!example.com!1538204542!1538463818.xml",
        "aggregate/!large-example.com!1711897200!1711983600.xml",
        "aggregate/addisonfoods.com!example.com!1536105600!1536191999.xml",
        "aggregate/empty_reason.xml",
        "aggregate/example.net!example.com!1529366400!1529452799.xml",
        "aggregate/fastmail.com!example.com!1516060800!1516147199!102675056.xml.gz",
        "aggregate/old_draft_from_wiki.xml",
        "aggregate/rfc9990-example.net!example.com!1700000000!1700086399.xml",
        "aggregate/rfc9990-sample.xml",
        "aggregate/usssa.com!example.com!1538784000!1538870399.xml",
        "aggregate/veeam.com!example.com!1530133200!1530219600.xml",
        "aggregate_invalid/report_with_upper_cased_pass.xml",
        "extract_report/nice-input.xml",
        "extract_report/changed-input.xml",
    };
    size_t want_records = 0;
    v->w.n = 0;
    for (size_t i = 0; i < sizeof xml / sizeof xml[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, CORPUS "%s", xml[i]);
        if (ingest(v, path) != 0)
            fail_msg("%s: %s", xml[i], v->w.n ? v->w.msg[0] : "failed");
        want_records += count_records(path);
    }
    md_rep_counts c = counts(v);
    assert_int_equal(c.dmarc_reports, sizeof xml / sizeof xml[0]);
    assert_int_equal(c.dmarc_records, want_records);
    assert_true(c.dmarc_records >= 2286);
    /* invalid UTF-8: repaired and reported at its line (parsedmarc parses it
     * too); it is the "!example.com!1538204542!1538463818.xml" report with
     * one byte changed (same reporter and report_id), so it adds nothing */
    assert_int_equal(ingest(v, CORPUS "aggregate/invalid_utf_8.xml"), MD_ERR_PARSE);
    assert_true(find_warn(&v->w, "UTF-8", 31));
    assert_int_equal(counts(v).dmarc_reports, c.dmarc_reports);
    /* parsedmarc's extract_report tests: the .gz and .zip hold the same
     * report as nice-input.xml: known already, nothing new */
    v->ig.stats.files_unchanged = 0;
    assert_int_equal(ingest(v, CORPUS "extract_report/nice-input.xml.gz"), 0);
    assert_int_equal(ingest(v, CORPUS "extract_report/nice-input.xml.zip"), 0);
    assert_int_equal(v->ig.stats.files_unchanged, 2);
    /* a zip of its own */
    assert_int_equal(ingest(v, CORPUS "aggregate/estadocuenta1.infonacot.gob.mx!example.com!"
                                      "1536853302!1536939702!2940.xml.zip"), 0);
    assert_int_equal(counts(v).dmarc_reports, c.dmarc_reports + 1);
    /* reports inside mails: Google's zip (two mails), Mimecast's gzip */
    static const char *const mails[] = {
        "aggregate/Report domain- borschow.com Submitter- google.com Report-ID- 949348866075514174.eml",
        "aggregate/twilight.eml",
        "aggregate/mimecast-weird-gzip.eml",
    };
    for (size_t i = 0; i < 3; i++) {
        char path[512];
        snprintf(path, sizeof path, CORPUS "%s", mails[i]);
        md_buf att = MD_BUF_INIT;
        mail_attachment(path, &att);
        md_err e = {0, ""};
        uint64_t before = counts(v).dmarc_reports;
        if (md_repfile_take_attachment(&v->ig, path, "attachment",
                                       (const unsigned char *)att.data, att.len, &e) != 1)
            fail_msg("%s: not taken (%s)", mails[i], v->w.n ? v->w.msg[v->w.n - 1] : "");
        assert_int_equal(counts(v).dmarc_reports, before + 1);
        md_buf_free(&att);
    }
    /* the borschow mail's report is Google's (parsedmarc:
     * testParseReportFileAcceptsPathForEmail), with the id its subject names */
    md_rep_report *rl = NULL;
    size_t nr = 0, hits = 0;
    md_err e = {0, ""};
    assert_int_equal(md_store_rep_dmarc_reports(v->st, 0, 0, &rl, &nr, &e), 0);
    assert_int_equal(nr, c.dmarc_reports + 4);
    for (size_t i = 0; i < nr; i++)
        if (strcmp(rl[i].report_id, "949348866075514174") == 0) {
            assert_string_equal(rl[i].org_name, "google.com");
            assert_string_equal(rl[i].domain, "borschow.com");
            hits++;
        }
    assert_int_equal(hits, 1);
    free(rl);
    env_close(v);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_attachment_hook),
        cmocka_unit_test(test_bad_inputs),
    };
    const struct CMUnitTest corpus[] = {
        cmocka_unit_test(test_corpus_parsedmarc_figures),
        cmocka_unit_test(test_corpus_ingest),
    };
    static const char *const need[] = {"parsedmarc/aggregate", NULL};
    return MD_TEST_MAIN(tests, corpus, need, NULL, NULL);
}
