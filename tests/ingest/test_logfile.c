/* test_logfile.c: lib/ingest/logfile.c through md_ingest_path: a log read in two
 * runs (appended between them, messages open across the cut) gives exactly
 * the counts of one run; the same file again, and its rotated gzip copy, add
 * nothing; a truncated gzip keeps the lines before the cut and reports the
 * error; junk lines are counted, reported with file:line and kept raw;
 * small commit intervals (md_ingest.commit_every) change nothing; a
 * copy re-injected by the mail store is linked (in one run or two). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "base/config.h"
#include "ingest/ingest.h"
#include "ingest/readers.h"
#include "store/store_log.h"
#include "testutil.h"
#include "analysis/trace.h"

static char dir[512];
static md_config cfg;

static int setup(void **state)
{
    (void)state;
    md_test_dir(dir, sizeof dir, "test_logfile");
    md_config_defaults(&cfg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return md_test_rmtree(dir);
}

/* A Postfix log of `nmsg` messages, two in flight at a time, each with a
 * forward of every 7th one.  Lines [from, to) of it are appended to fp. */
static size_t gen(FILE *fp, int nmsg, size_t from, size_t to)
{
    size_t line = 0;
    char buf[600];
#define OUT(...)                                                                          \
    do {                                                                                  \
        snprintf(buf, sizeof buf, __VA_ARGS__);                                           \
        if (line >= from && line < to)                                                    \
            fprintf(fp, "%s\n", buf);                                                     \
        line++;                                                                           \
    } while (0)
    for (int i = 0; i < nmsg; i++) {
        int s = i % 60, m = (i / 60) % 60, h = i / 3600;
        char ts[32];
        snprintf(ts, sizeof ts, "Nov 20 %02d:%02d:%02d", h % 24, m, s);
        OUT("%s smtpout postfix/smtpd[100]: %05XA: client=mail.example.net[198.51.100.%d]", ts,
            i, i % 250);
        OUT("%s smtpout postfix/cleanup[101]: %05XA: message-id=<m%d@example.net>", ts, i, i);
        if (i > 0) /* the previous message ends after this one began */
            OUT("%s smtpout postfix/qmgr[102]: %05XA: removed", ts, i - 1);
        OUT("%s smtpout postfix/qmgr[102]: %05XA: from=<s%d@example.net>, size=%d, nrcpt=1 "
            "(queue active)", ts, i, i % 17, 1000 + i);
        if (i % 7 == 0) {
            OUT("%s smtpout postfix/cleanup[101]: %05XB: message-id=<m%d@example.net>", ts, i, i);
            OUT("%s smtpout postfix/local[103]: %05XA: to=<u%d@uni-potsdam.de>, relay=local, "
                "delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (forwarded as %05XB)", ts, i,
                i % 13, i);
            OUT("%s smtpout postfix/qmgr[102]: %05XB: from=<s%d@example.net>, size=%d, nrcpt=1 "
                "(queue active)", ts, i, i % 17, 1100 + i);
            OUT("%s smtpout postfix/smtp[104]: %05XB: to=<u%d@hotmail.de>, orig_to=<u%d@uni-potsdam.de>, "
                "relay=hotmail-com.olc.protection.outlook.com[104.47.1.%d]:25, delay=1, "
                "delays=0/0/0.5/0.5, dsn=2.6.0, status=sent (250 2.6.0 <m%d@example.net> "
                "[InternalId=%d, Hostname=AM6PR04MB5432.eurprd04.prod.outlook.com] 1234 bytes in "
                "0.1, 12.0 KB/sec Queued mail for delivery)", ts, i, i % 13, i % 13, i % 200, i,
                40000 + i);
            OUT("%s smtpout postfix/qmgr[102]: %05XB: removed", ts, i);
        } else {
            OUT("%s smtpout postfix/smtp[104]: %05XA: to=<r%d@gmail.com>, "
                "relay=gmail-smtp-in.l.google.com[142.250.1.%d]:25, delay=0.3, delays=0/0/0.1/0.2, "
                "dsn=2.0.0, status=sent (250 2.0.0 OK 1700000000 x - gsmtp)", ts, i, i % 31, i % 200);
        }
    }
    return line;
#undef OUT
}

static size_t nlines(int nmsg)
{
    FILE *fp = fopen("/dev/null", "w");
    assert_non_null(fp);
    size_t n = gen(fp, nmsg, 0, 0);
    fclose(fp);
    return n;
}

static void write_log(const char *path, int nmsg, size_t from, size_t to, const char *mode)
{
    FILE *fp = fopen(path, mode);
    assert_non_null(fp);
    gen(fp, nmsg, from, to);
    fclose(fp);
}

static md_store *open_store(const char *name)
{
    char p[700];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    md_test_remove_db(p);
    md_store *st = NULL;
    md_err err = {0, ""};
    assert_int_equal(md_store_open(&st, p, 0, &err), MD_OK);
    return st;
}

static uint64_t commit_every; /* md_ingest.commit_every of the next ingest */

static int ingest(md_store *st, const char *path, md_ingest_stats *stats)
{
    md_ingest ig;
    md_readers_init(&ig, st, &cfg);
    ig.year = 2026;
    ig.commit_every = commit_every;
    md_err err = {0, ""};
    int rc = md_ingest_path(&ig, path, &err);
    if (stats)
        *stats = ig.stats;
    return rc;
}

static void totals(md_store *st, md_log_totals *t)
{
    md_err err = {0, ""};
    assert_int_equal(md_store_log_totals(st, t, &err), MD_OK);
}

static void same_totals(const md_log_totals *a, const md_log_totals *b)
{
    assert_int_equal(a->lines, b->lines);
    assert_int_equal(a->messages, b->messages);
    assert_int_equal(a->open_messages, b->open_messages);
    assert_int_equal(a->deliveries, b->deliveries);
    assert_int_equal(a->ms_deliveries, b->ms_deliveries);
    assert_int_equal(a->links, b->links);
    assert_int_equal(a->links_pending, b->links_pending);
    assert_int_equal(a->by_format[1], b->by_format[1]);
}

static void test_split_equals_whole(void **state)
{
    (void)state;
    char whole[600], part[600];
    snprintf(whole, sizeof whole, "%s/whole.log", dir);
    snprintf(part, sizeof part, "%s/part.log", dir);
    size_t n = nlines(500);
    write_log(whole, 500, 0, (size_t)-1, "w");

    md_store *a = open_store("a.db");
    md_ingest_stats s;
    assert_int_equal(ingest(a, whole, &s), MD_OK);
    assert_int_equal(s.lines, n);
    assert_int_equal(s.messages, 500 + 500 / 7 + 1);
    md_log_totals ta;
    totals(a, &ta);
    assert_int_equal(ta.lines, n);
    assert_int_equal(ta.links, (500 / 7 + 1) * 2); /* forwarded-as + Microsoft's quote */
    assert_int_equal(ta.ms_deliveries, 500 / 7 + 1);
    /* the same file again: nothing new */
    assert_int_equal(ingest(a, whole, &s), MD_OK);
    assert_int_equal(s.lines_new, 0);
    md_log_totals ta2;
    totals(a, &ta2);
    same_totals(&ta, &ta2);

    /* the same log read in three runs, cut inside messages */
    md_store *b = open_store("b.db");
    size_t cut1 = n / 3 + 1, cut2 = 2 * n / 3 + 2;
    write_log(part, 500, 0, cut1, "w");
    assert_int_equal(ingest(b, part, NULL), MD_OK);
    write_log(part, 500, cut1, cut2, "a");
    assert_int_equal(ingest(b, part, &s), MD_OK);
    assert_int_equal(s.lines_new, cut2 - cut1);
    write_log(part, 500, cut2, (size_t)-1, "a");
    assert_int_equal(ingest(b, part, NULL), MD_OK);
    md_log_totals tb;
    totals(b, &tb);
    same_totals(&ta, &tb);

    /* commits every 7 lines: the same again */
    commit_every = 7;
    md_store *c = open_store("c.db");
    assert_int_equal(ingest(c, whole, NULL), MD_OK);
    commit_every = 0;
    md_log_totals tc;
    totals(c, &tc);
    same_totals(&ta, &tc);
    assert_true(tc.blocks > ta.blocks);

    md_store_close(a);
    md_store_close(b);
    md_store_close(c);
}

static void test_rotated_gzip_and_truncated(void **state)
{
    (void)state;
    char plain[600], gz[600], cut[600];
    snprintf(plain, sizeof plain, "%s/mail.log", dir);
    snprintf(gz, sizeof gz, "%s/mail.log.1.gz", dir);
    snprintf(cut, sizeof cut, "%s/cut.log.gz", dir);
    write_log(plain, 300, 0, (size_t)-1, "w");
    /* gzip it (rotation), and a copy cut in the middle */
    FILE *in = fopen(plain, "rb");
    assert_non_null(in);
    static char data[1 << 20];
    size_t len = fread(data, 1, sizeof data, in);
    fclose(in);
    gzFile g = gzopen(gz, "wb");
    assert_non_null(g);
    assert_int_equal(gzwrite(g, data, (unsigned)len), (int)len);
    gzclose(g);
    FILE *zf = fopen(gz, "rb");
    static char zdata[1 << 20];
    size_t zlen = fread(zdata, 1, sizeof zdata, zf);
    fclose(zf);
    FILE *cf = fopen(cut, "wb");
    fwrite(zdata, 1, zlen / 2, cf);
    fclose(cf);

    md_store *st = open_store("r.db");
    md_ingest_stats s;
    assert_int_equal(ingest(st, plain, &s), MD_OK);
    md_log_totals t1;
    totals(st, &t1);
    /* rotated and compressed: same content, nothing new */
    assert_int_equal(ingest(st, gz, &s), MD_OK);
    assert_int_equal(s.lines_new, 0);
    md_log_totals t2;
    totals(st, &t2);
    same_totals(&t1, &t2);

    /* the cut gzip alone, in a fresh store: lines before the cut are kept */
    md_store *st2 = open_store("cut.db");
    assert_int_equal(ingest(st2, cut, &s), MD_ERR_PARSE);
    assert_true(s.files_failed >= 1);
    md_log_totals t3;
    totals(st2, &t3);
    assert_true(t3.lines > 0);
    assert_true(t3.lines < t1.lines);
    assert_int_equal(t3.lines, s.lines);
    md_store_close(st);
    md_store_close(st2);
}

typedef struct {
    int n;
    char first[512];
    uint64_t line;
} warns;

static void on_warn(void *arg, const char *file, uint64_t line, const char *msg)
{
    warns *w = arg;
    if (w->n++ == 0) {
        snprintf(w->first, sizeof w->first, "%s: %s", file, msg);
        w->line = line;
    }
}

static void test_junk_lines(void **state)
{
    (void)state;
    char p[600];
    snprintf(p, sizeof p, "%s/junk.log", dir);
    write_log(p, 20, 0, (size_t)-1, "w");
    FILE *fp = fopen(p, "a");
    fputs("\x01\x02\xff\xfe binary junk\n", fp);
    fputs("this is not a log line\n", fp);
    fclose(fp);
    write_log(p, 20, 0, 3, "a"); /* good lines after the junk */
    md_store *st = open_store("j.db");
    md_ingest ig;
    md_readers_init(&ig, st, &cfg);
    ig.year = 2026;
    warns w = {0, "", 0};
    ig.warn = on_warn;
    ig.cb_arg = &w;
    md_err err = {0, ""};
    assert_int_equal(md_ingest_path(&ig, p, &err), MD_ERR_PARSE);
    assert_int_equal(ig.stats.skipped, 2);
    assert_int_equal(w.n, 2);
    size_t good = nlines(20);
    assert_int_equal(w.line, good + 1);
    assert_non_null(strstr(w.first, "junk.log"));
    assert_non_null(strstr(w.first, "\\x01\\x02\\xFF\\xFE binary junk"));
    md_log_totals t;
    totals(st, &t);
    assert_int_equal(t.lines, good + 2 + 3); /* junk kept as raw text */
    md_store_close(st);
}

/* collect the links of one message */
typedef struct links_seen {
    int n, reinjected;
    int64_t from, to;
} links_seen;

static int on_link(void *arg, const md_log_linkrow *l)
{
    links_seen *ls = arg;
    ls->n++;
    if (l->kind == MD_LINK_REINJECTED) {
        ls->reinjected++;
        ls->from = l->from_msg;
        ls->to = l->to_msg;
    }
    return 0;
}

/* The mail store (a next hop that is ours) re-injects a forwarded copy
 * with the same sender: linked; the same sender from webmail (never a next
 * hop) is not.  In one run, and in two runs with the first delivery in the
 * first. */
static void test_reinjected(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "Nov 16 10:00:01 smtpout postfix/smtpd[100]: AAAA111111: client=mx.example.org[192.0.2.10]",
        "Nov 16 10:00:01 smtpout postfix/qmgr[102]: AAAA111111: from=<news@example.org>, size=1000, nrcpt=1 (queue active)",
        "Nov 16 10:00:02 smtpout postfix/lmtp[103]: AAAA111111: to=<jdoe@uni-potsdam.de>, relay=mailup.uni-potsdam.de[141.89.68.244]:24, delay=0.8, delays=0.1/0/0.1/0.0, dsn=2.0.0, status=sent (250 2.0.0 <jdoe@uni-potsdam.de> delivered)",
        "Nov 16 10:00:02 smtpout postfix/qmgr[102]: AAAA111111: removed",
        "Nov 16 10:00:05 smtpout postfix/smtpd[100]: BBBB222222: client=mailup.uni-potsdam.de[141.89.68.244]",
        "Nov 16 10:00:05 smtpout postfix/qmgr[102]: BBBB222222: from=<news@example.org>, size=1100, nrcpt=1 (queue active)",
        "Nov 16 10:00:06 smtpout postfix/qmgr[102]: BBBB222222: removed",
        "Nov 16 10:00:07 smtpout postfix/smtpd[100]: CCCC333333: client=webmail.uni-potsdam.de[141.89.68.3]",
        "Nov 16 10:00:07 smtpout postfix/qmgr[102]: CCCC333333: from=<news@example.org>, size=1100, nrcpt=1 (queue active)",
        "Nov 16 10:00:08 smtpout postfix/qmgr[102]: CCCC333333: removed",
    };
    static md_config c; /* large: not on the stack */
    md_err err = {0, ""};
    assert_int_equal(md_config_load(&c, MD_FIXTURES "/maildossier.conf", &err), MD_OK);
    for (int split = 0; split < 2; split++) {
        char p[600], db[64];
        snprintf(p, sizeof p, "%s/reinj%d.log", dir, split);
        snprintf(db, sizeof db, "reinj%d.db", split);
        md_store *st = open_store(db);
        for (int run = 0; run < 2; run++) {
            FILE *fp = fopen(p, run ? "a" : "w");
            assert_non_null(fp);
            for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
                if (split ? (run ? i >= 4 : i < 4) : !run) /* one run: the same file again */
                    fprintf(fp, "%s\n", lines[i]);
            fclose(fp);
            md_ingest ig;
            md_readers_init(&ig, st, &c);
            ig.year = 2026;
            assert_int_equal(md_ingest_path(&ig, p, &err), MD_OK);
        }
        links_seen a = {0, 0, 0, 0}, b = {0, 0, 0, 0}, w = {0, 0, 0, 0};
        assert_int_equal(md_store_log_links(st, 1, on_link, &a, &err), MD_OK);
        assert_int_equal(md_store_log_links(st, 2, on_link, &b, &err), MD_OK);
        assert_int_equal(md_store_log_links(st, 3, on_link, &w, &err), MD_OK);
        assert_int_equal(a.reinjected, 1);
        assert_int_equal(a.from, 1);
        assert_int_equal(a.to, 2);
        assert_int_equal(b.reinjected, 1);
        assert_int_equal(w.n, 0);
        md_store_close(st);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_equals_whole),
        cmocka_unit_test(test_rotated_gzip_and_truncated),
        cmocka_unit_test(test_junk_lines),
        cmocka_unit_test(test_reinjected),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
