/* test_msgfile.c: lib/ingest/msgfile.c through md_ingest_path: the scenario's
 * messages (.eml, mbox with a ">From " line, Maildir cur/new/tmp) become
 * stored messages of the right kinds, with hops, bounce recipients and
 * complaints; originals attached to bounces/complaints are stored too;
 * ingesting again adds nothing (content hash, also for the mbox and the
 * Maildir copies); bad input (binary junk, hostile MIME, a 10 MB header
 * line in an mbox) is warned naming file and line and the rest is taken. */
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
#include "base/buf.h"
#include "base/input.h"
#include "ingest/ingest.h"
#include "ingest/readers.h"
#include "store/store_msg.h"
#include "testutil.h"

static char dbpath[1024];
static md_store *st;
static md_config cfg;
static char warned[8192];
static int nwarn;

static void on_warn(void *arg, const char *file, uint64_t line, const char *msg)
{
    (void)arg;
    size_t l = strlen(warned);
    snprintf(warned + l, sizeof warned - l, "%s:%llu: %s\n", file, (unsigned long long)line, msg);
    nwarn++;
}

static int setup(void **state)
{
    (void)state;
    st = md_test_store_open(dbpath, sizeof dbpath, "test_msgfile");
    md_err e = {0, ""};
    assert_int_equal(md_config_load(&cfg, MD_FIXTURES "/maildossier.conf", &e), MD_OK);
    warned[0] = '\0';
    nwarn = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    md_test_store_close(st, dbpath);
    return 0;
}

static int ingest(const char *path, md_ingest_stats *stats)
{
    md_ingest ig;
    md_readers_init(&ig, st, &cfg);
    ig.warn = on_warn;
    md_err e = {0, ""};
    int rc = md_ingest_path(&ig, path, &e);
    if (rc != MD_OK && rc != MD_ERR_PARSE)
        fail_msg("ingest %s: %s", path, e.msg);
    if (stats)
        *stats = ig.stats;
    return rc;
}

typedef struct counts {
    int n, dsn, arf, msg;
    int64_t last_id;
} counts;

static int count_row(void *arg, const md_msg_row *m)
{
    counts *c = arg;
    c->n++;
    c->dsn += !strcmp(m->kind, "dsn");
    c->arf += !strcmp(m->kind, "arf");
    c->msg += !strcmp(m->kind, "message");
    c->last_id = m->id;
    return 0;
}

static void test_fixtures(void **state)
{
    (void)state;
    md_ingest_stats s;
    int rc = ingest(MD_FIXTURES "/messages", &s);
    assert_int_equal(rc, MD_ERR_PARSE); /* bad/ holds broken input */
    int64_t msgs = 0, bounces = 0, complaints = 0;
    md_err e;
    assert_int_equal(md_store_msg_count(st, &msgs, &bounces, &complaints, &e), MD_OK);
    /* 7 distinct scenario messages + the mbox's user mail + 4 originals
     * attached to bounces/complaints + the bad ones that parse */
    assert_int_equal(bounces, 3);
    assert_int_equal(complaints, 2);
    assert_true(msgs >= 12);
    /* warnings name the file (and line) */
    assert_non_null(strstr(warned, "binary-junk.eml"));
    assert_non_null(strstr(warned, "deep-nesting.eml:1: message <deep-nesting@example.org>"));
    /* the bounce about k.weber's message, by its Message-ID */
    counts c = {0};
    assert_int_equal(md_store_msg_by_msgid(st, "5719ED43.6010203@uni-potsdam.de", count_row, &c, &e), MD_OK);
    assert_int_equal(c.dsn, 1);
    assert_int_equal(c.msg, 1); /* the attached headers, stored as the original */
    /* again: nothing new */
    int64_t before = msgs;
    ingest(MD_FIXTURES "/messages", &s);
    assert_int_equal(md_store_msg_count(st, &msgs, NULL, NULL, &e), MD_OK);
    assert_int_equal(msgs, before);
    assert_int_equal(s.docs, 0);
    assert_true(s.files_unchanged >= 5);
}

static void test_mbox_maildir(void **state)
{
    (void)state;
    md_ingest_stats s;
    assert_int_equal(ingest(MD_FIXTURES "/messages/bounces.mbox", &s), MD_OK);
    assert_int_equal(s.by_kind[MD_KIND_MBOX], 1);
    md_err e;
    counts c = {0};
    assert_int_equal(md_store_msg_by_addr(st, "jdoe@uni-potsdam.de", 0, 0, count_row, &c, &e), MD_OK);
    assert_int_equal(c.n, 1); /* the user's mail (its ">From " line unquoted) */
    int64_t n_mbox = 0;
    assert_int_equal(md_store_msg_count(st, &n_mbox, NULL, NULL, &e), MD_OK);
    assert_int_equal(n_mbox, 5); /* 3 messages + 2 attached originals */
    /* the single files add only what the mbox did not have */
    assert_int_equal(ingest(MD_FIXTURES "/messages/ndr-s3150.eml", &s), MD_OK);
    int64_t n2;
    assert_int_equal(md_store_msg_count(st, &n2, NULL, NULL, &e), MD_OK);
    assert_int_equal(n2, n_mbox);
    assert_int_equal(ingest(MD_FIXTURES "/messages/Maildir", &s), MD_OK);
    assert_int_equal(s.by_kind[MD_KIND_MESSAGE], 3);
    assert_int_equal(md_store_msg_count(st, &n2, NULL, NULL, &e), MD_OK);
    assert_int_equal(n2, n_mbox + 3 + 2); /* 3 new messages, 2 attached originals */
}

static void test_bad_mbox(void **state)
{
    (void)state;
    char path[1100];
    snprintf(path, sizeof path, "%s.mbox", dbpath);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs("From a@b Mon Apr 25 10:00:00 2016\nFrom: a@uni-potsdam.de\nSubject: one\n\nbody\n\n", fp);
    fputs("From a@b Mon Apr 25 10:00:01 2016\nFrom: b@uni-potsdam.de\nX-Huge: ", fp);
    for (int i = 0; i < 10 * 1024; i++) {
        char k[1024];
        memset(k, 'x', sizeof k);
        fwrite(k, 1, sizeof k, fp);
    }
    fputs("\nSubject: two\n\nbody\n\n", fp);
    fputs("From a@b Mon Apr 25 10:00:02 2016\n\x01\x02\xff junk without header\n\n", fp);
    fputs("From a@b Mon Apr 25 10:00:03 2016\nFrom: c@uni-potsdam.de\nSubject: four\n\nbody\n", fp);
    fclose(fp);
    md_ingest_stats s;
    assert_int_equal(ingest(path, &s), MD_ERR_PARSE);
    if (!strstr(warned, ":9: line longer than"))
        fail_msg("warnings: %s", warned);
    assert_non_null(strstr(warned, "not a message"));
    md_err e;
    counts c = {0};
    assert_int_equal(md_store_msg_by_addr(st, "c@uni-potsdam.de", 0, 0, count_row, &c, &e), MD_OK);
    assert_int_equal(c.n, 1); /* the message after the bad ones is taken */
    c.n = 0;
    assert_int_equal(md_store_msg_by_addr(st, "b@uni-potsdam.de", 0, 0, count_row, &c, &e), MD_OK);
    assert_int_equal(c.n, 1); /* the cut one is kept, cut */
    /* appended: only the new message is read (resumed) */
    fp = fopen(path, "ab");
    fputs("\nFrom a@b Mon Apr 25 10:00:04 2016\nFrom: d@uni-potsdam.de\nSubject: five\n\nbody\n", fp);
    fclose(fp);
    nwarn = 0;
    assert_int_equal(ingest(path, &s), MD_OK);
    assert_int_equal(nwarn, 0);
    c.n = 0;
    assert_int_equal(md_store_msg_by_addr(st, "d@uni-potsdam.de", 0, 0, count_row, &c, &e), MD_OK);
    assert_int_equal(c.n, 1);
    unlink(path);
}

/* write_file: dir/name with text s */
static void write_file(const char *dir, const char *name, const char *s, size_t n)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(s, 1, n, f), n);
    fclose(f);
}

typedef struct idrow {
    int64_t id;
    int n;
} idrow;

static int on_id(void *arg, const md_msg_row *m)
{
    idrow *r = arg;
    if (!strcmp(m->kind, "message") || !strcmp(m->kind, "dsn")) {
        r->id = m->id;
        r->n++;
    }
    return 0;
}

static int hash_row(void *arg, const md_msg_row *m)
{
    snprintf(arg, 40, "%s", m->hash);
    return 0;
}

/* the content hash: LF, CRLF, CR-only and trailing line ends are one
 * message; a lone CR is a line end.  The values pin the hash of stores
 * written before (a changed hash would store every message again). */
static void test_content_hash(void **state)
{
    (void)state;
    static const char m[] = "From: a@example.org\nTo: b@example.org\nSubject: hash\n"
                            "Message-ID: <hash-lf@example.org>\n\nline one\nline two\n";
    char dir[1024], path[64], text[512], lf[512];
    md_test_dir(dir, sizeof dir, "msgfile_hash");
    for (int v = 0; v < 4; v++) {
        size_t n = 0;
        for (const char *c = m; *c; c++) {
            if (*c == '\n' && v == 1)
                text[n++] = '\r';
            text[n++] = *c == '\n' && v == 2 ? '\r' : *c;
        }
        if (v == 3)
            n += (size_t)snprintf(text + n, sizeof text - n, "\n\n");
        snprintf(path, sizeof path, "copy%d.eml", v);
        write_file(dir, path, text, n);
    }
    snprintf(lf, sizeof lf, "%s", "From: a@example.org\nTo: b@example.org\nSubject: hash\n"
             "Message-ID: <hash-cr@example.org>\n\nbare\rcr and crlf\r\nend\r\r\n");
    write_file(dir, "cr.eml", lf, strlen(lf));
    md_ingest_stats s;
    assert_int_equal(ingest(dir, &s), MD_OK);
    assert_int_equal(s.docs, 2);
    assert_int_equal(s.files_unchanged, 3);
    char hash[40] = "";
    md_err e;
    assert_int_equal(md_store_msg_by_msgid(st, "hash-lf@example.org", hash_row, hash, &e), MD_OK);
    assert_string_equal(hash, "45bf73a6e47f596b064da5b787c15d0c");
    assert_int_equal(md_store_msg_by_msgid(st, "hash-cr@example.org", hash_row, hash, &e), MD_OK);
    assert_string_equal(hash, "ddaa28d570077dd630acb8a892d507af");
    md_test_rmtree(dir);
}

/* copy_fixture: fixture file `src` into dir/name, after a first line
 * `first` (a header that makes the copy a message of its own) */
static void copy_fixture(const char *dir, const char *name, const char *src, const char *first)
{
    md_buf b = MD_BUF_INIT;
    md_err e = {0, ""};
    md_input *in;
    assert_int_equal(md_input_open(&in, src, &e), MD_OK);
    md_buf_puts(&b, first);
    assert_int_equal(md_input_slurp(in, &b, 1 << 20, &e), MD_OK);
    md_input_close(in);
    write_file(dir, name, b.data, b.len);
    md_buf_free(&b);
}

typedef struct rcptrow {
    int n, other_status;
    const char *status;
    int64_t first, last;  /* the bounces' ids */
} rcptrow;

static int on_rcpt(void *arg, const md_msg_dsnrow *d)
{
    rcptrow *r = arg;
    r->n++;
    r->other_status += strcmp(d->r->status, r->status) != 0;
    if (!r->first || d->msg_id < r->first)
        r->first = d->msg_id;
    if (d->msg_id > r->last)
        r->last = d->msg_id;
    return 0;
}

static int on_complaint(void *arg, const md_msg_arfrow *a)
{
    (void)a;
    (*(int *)arg)++;
    return 0;
}

/* the bounces to rcpt: n, each with this status; the first one's id */
static int64_t bounce_of(const char *rcpt, const char *status, int n, int64_t *last)
{
    rcptrow r = {0, 0, status, 0, 0};
    md_err e = {0, ""};
    assert_int_equal(md_store_msg_bounces_for(st, rcpt, 0, 0, on_rcpt, &r, &e), MD_OK);
    assert_int_equal(r.n, n);
    assert_int_equal(r.other_status, 0);
    if (last)
        *last = r.last;
    return r.first;
}

/* A Maildir of more files than the parse threads' ring holds (twice), with
 * a copy of an earlier file, two files that are no message, three bounces
 * and a complaint (each with its original; two bounces side by side, so
 * that a parse thread reads one report while the other waits to be
 * stored): the ids follow the input order, each file is stored once with
 * its own report, the warnings come in file order, and a second run adds
 * nothing; with one parse thread and with three. */
static void parse_thread_case(const char *threads)
{
    setenv("MAILDOSSIER_PARSE_THREADS", threads, 1);
    char dir[1024], cur[1100];
    md_test_dir(dir, sizeof dir, "msgfile_pipe");
    snprintf(cur, sizeof cur, "%s/cur", dir);
    mkdir(cur, 0700);
    char sub[1200];
    snprintf(sub, sizeof sub, "%s/new", dir);
    mkdir(sub, 0700);
    snprintf(sub, sizeof sub, "%s/tmp", dir);
    mkdir(sub, 0700);
    enum { N = 150 };
    for (int i = 0; i < N; i++) {
        char name[32], text[512];
        int n = snprintf(text, sizeof text,
                         "Received: from a.example ([192.0.2.%d]) by ironout id Q%d;"
                         " Sat, 23 Apr 2016 16:10:02 +0200\n"
                         "From: u%d@uni-potsdam.de\nTo: v%d@outlook.de\nMessage-ID: <m%d@x>\n"
                         "Subject: s%d\n\nbody %d\n", i % 250 + 1, i, i, i, i, i, i);
        if (i == 40) /* a copy of file 3 */
            n = snprintf(text, sizeof text,
                         "Received: from a.example ([192.0.2.4]) by ironout id Q3;"
                         " Sat, 23 Apr 2016 16:10:02 +0200\n"
                         "From: u3@uni-potsdam.de\nTo: v3@outlook.de\nMessage-ID: <m3@x>\n"
                         "Subject: s3\n\nbody 3\n");
        if (i == 20 || i == 50)
            n = snprintf(text, sizeof text, "no header here %d\n", i);
        snprintf(name, sizeof name, "%04d.eml", i);
        write_file(cur, name, text, (size_t)n);
    }
    copy_fixture(cur, "0030b.eml", MD_FIXTURES "/messages/ndr-s3150.eml", "");
    copy_fixture(cur, "0030c.eml", MD_FIXTURES "/messages/ndr-5.7.606-banned-ip.eml", "");
    copy_fixture(cur, "0100b.eml", MD_FIXTURES "/messages/dsn-delayed-4.7.650.eml", "");
    copy_fixture(cur, "0120b.eml", MD_FIXTURES "/messages/jmrp-arf.eml", "");
    copy_fixture(cur, "0121b.eml", MD_FIXTURES "/messages/ndr-s3150.eml",
                 "X-Copy: the same bounce again, another file\n");

    md_ingest_stats s;
    md_err e = {0, ""};
    assert_int_equal(ingest(dir, &s), MD_ERR_PARSE);
    assert_int_equal(s.files, N + 5);
    assert_int_equal(s.files_unchanged, 1);
    assert_int_equal(nwarn, 2);
    const char *w20 = strstr(warned, "0020.eml:1: not a message");
    const char *w50 = strstr(warned, "0050.eml:1: not a message");
    assert_non_null(w20);
    assert_non_null(w50);
    assert_true(w20 < w50);
    int64_t last = 0, b30 = 0, b100 = 0, b121 = 0;
    for (int i = 0; i < N; i++) {
        char mid[32];
        idrow r = {0, 0};
        snprintf(mid, sizeof mid, "m%d@x", i);
        assert_int_equal(md_store_msg_by_msgid(st, mid, on_id, &r, &e), MD_OK);
        if (i == 20 || i == 40 || i == 50) {
            assert_int_equal(r.n, 0);
            continue;
        }
        assert_int_equal(r.n, 1);
        if (r.id <= last)
            fail_msg("message %d: id %lld after %lld", i, (long long)r.id, (long long)last);
        last = r.id;
        if (i == 30) { /* the two bounces (0030b, 0030c) and their originals */
            b30 = last;
            last += 4;
        } else if (i == 100) { /* a bounce and its original */
            b100 = last;
            last += 2;
        } else if (i == 120) { /* a complaint and its original */
            last += 2;
        } else if (i == 121) { /* a bounce (its original is stored) */
            b121 = last;
            last += 1;
        }
    }
    /* each bounce with its own recipients, in file order */
    int64_t again = 0;
    assert_int_equal(bounce_of("k.weber@live.de", "5.7.1", 2, &again), b30 + 1);
    assert_int_equal(again, b121 + 1);
    assert_int_equal(bounce_of("alumni.mueller@outlook.com", "5.7.606", 1, NULL), b30 + 3);
    assert_int_equal(bounce_of("jdoe@outlook.de", "4.7.650", 1, NULL), b100 + 1);
    int complaints = 0;
    assert_int_equal(md_store_msg_complaints(st, NULL, 0, 0, on_complaint, &complaints, &e),
                     MD_OK);
    assert_int_equal(complaints, 1);
    int64_t msgs = 0, bounces = 0, arfs = 0;
    assert_int_equal(md_store_msg_count(st, &msgs, &bounces, &arfs, &e), MD_OK);
    assert_int_equal(bounces, 4);
    assert_int_equal(arfs, 1);
    assert_int_equal(msgs, s.docs);
    assert_int_equal(msgs, N - 3 + 9); /* five reports, four originals (one twice) */

    /* again: nothing new, the same warnings not given again */
    nwarn = 0;
    assert_int_equal(ingest(dir, &s), MD_OK);
    assert_int_equal(s.files_unchanged, N + 5);
    assert_int_equal(s.docs, 0);
    assert_int_equal(nwarn, 0);
    md_test_rmtree(dir);
    unsetenv("MAILDOSSIER_PARSE_THREADS");
}

static void test_parse_thread(void **state)
{
    (void)state;
    parse_thread_case("1");
}

static void test_parse_threads(void **state)
{
    (void)state;
    parse_thread_case("3");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fixtures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mbox_maildir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_mbox, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_thread, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_content_hash, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
