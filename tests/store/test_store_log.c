/* test_store_log.c: lib/store/store_log.c: raw line blocks (compressed, found
 * again by source and line number), the varint line lists of messages
 * (source switches, going back), host ids, span counts, message
 * insert/update/open list, index look-ups and the link resolution by queue
 * id (same host for "forwarded as", relay FQDN for "queued as", time window),
 * and the sorted batch of index keys; the coverage queries over the lines
 * per host and hour (store_cover.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>
#include <zstd.h>
#include "store/store_log.h"
#include "store/store_cover.h"
#include "analysis/trace.h"
#include "testutil.h"

static char dbpath[512];
static md_store *st;
static md_log_writer *w;
static int64_t src;

static int setup(void **state)
{
    (void)state;
    src = md_test_log_store_open(dbpath, sizeof dbpath, "test_store_log", &st, &w, "fp1",
                                 "/var/log/mail.log");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    md_test_log_store_close(st, w, dbpath);
    return 0;
}

static void test_blocks(void **state)
{
    (void)state;
    md_err err = {0, ""};
    md_buf raw = MD_BUF_INIT;
    /* 3000 lines 1..3000 in two blocks, 3001..3002 incompressible-ish */
    for (int i = 1; i <= 2000; i++)
        md_buf_printf(&raw, "Nov 16 00:00:%02d smtpout postfix/qmgr[1021]: Q%d: removed\n", i % 60, i);
    assert_int_equal(md_store_begin(st, &err), MD_OK);
    assert_int_equal(md_store_log_block(w, src, 1, 2000, 100, 200, raw.data, raw.len, &err), MD_OK);
    size_t first_len = raw.len;
    md_buf_reset(&raw);
    for (int i = 2001; i <= 3000; i++)
        md_buf_printf(&raw, "line %d\n", i);
    assert_int_equal(md_store_log_block(w, src, 2001, 1000, 200, 300, raw.data, raw.len, &err),
                     MD_OK);
    assert_int_equal(md_store_commit(st, &err), MD_OK);

    md_buf out = MD_BUF_INIT;
    uint64_t first, n;
    assert_int_equal(md_store_log_block_get(st, src, 1500, &out, &first, &n, &err), MD_OK);
    assert_int_equal(first, 1);
    assert_int_equal(n, 2000);
    assert_int_equal(out.len, first_len);
    assert_non_null(strstr(out.data, "Q1500: removed\n"));
    assert_int_equal(md_store_log_block_get(st, src, 2001, &out, &first, &n, &err), MD_OK);
    assert_int_equal(first, 2001);
    assert_memory_equal(out.data, "line 2001\n", 10);
    /* line 0 is not stored; an unknown source neither */
    assert_int_equal(md_store_log_block_get(st, src, 0, &out, &first, &n, &err), MD_ERR_NOTFOUND);
    assert_int_equal(md_store_log_block_get(st, src + 99, 5, &out, &first, &n, &err),
                     MD_ERR_NOTFOUND);

    md_log_totals t;
    assert_int_equal(md_store_log_totals(st, &t, &err), MD_OK);
    assert_int_equal(t.blocks, 2);
    assert_int_equal(t.lines, 3000);
    assert_true(t.stored_bytes < t.raw_bytes / 3); /* compressed */
    assert_int_equal(t.t_first, 100);
    assert_int_equal(t.t_last, 300);
    /* the same first line twice breaks the (source, first_line) key */
    assert_int_equal(md_store_begin(st, &err), MD_OK);
    assert_int_equal(md_store_log_block(w, src, 2001, 1, 0, 0, "x\n", 2, &err), MD_ERR_DB);
    md_store_rollback(st);
    md_buf_free(&raw);
    md_buf_free(&out);
}

/* want_line (md_log_want_fn): the line in *arg */
static uint64_t want_line(void *arg, uint64_t first, uint64_t n)
{
    (void)first;
    (void)n;
    return *(const uint64_t *)arg;
}

/* A prefix of an LZ4 block: early lines come back in a prefix (not the
 * whole block), a line at the end in the whole block; without want, the
 * whole block. */
static void test_block_prefix(void **state)
{
    (void)state;
    md_err err = {0, ""};
    md_buf raw = MD_BUF_INIT;
    for (int i = 1; i <= 2000; i++)
        md_buf_printf(&raw, "Apr 20 09:41:12 mx1 postfix/qmgr[1]: P%d: removed\n", i);
    assert_int_equal(md_store_begin(st, &err), MD_OK);
    assert_int_equal(md_store_log_block(w, src, 5001, 2000, 100, 200, raw.data, raw.len, &err),
                     MD_OK);
    assert_int_equal(md_store_commit(st, &err), MD_OK);
    md_buf out = MD_BUF_INIT;
    uint64_t first, n, last = 5100;
    int whole = -1;
    assert_int_equal(md_store_log_r_block_prefix(st, NULL, src, 5050, want_line, &last, &out,
                                                 &first, &n, &whole, &err), MD_OK);
    assert_int_equal(first, 5001);
    assert_int_equal(n, 2000);
    assert_int_equal(whole, 0);
    assert_true(out.len < raw.len / 2);
    assert_memory_equal(out.data, raw.data, out.len);
    assert_non_null(strstr(out.data, ": P100: removed\n"));
    last = 7000;
    assert_int_equal(md_store_log_r_block_prefix(st, NULL, src, 5050, want_line, &last, &out,
                                                 &first, &n, &whole, &err), MD_OK);
    assert_int_equal(whole, 1);
    assert_int_equal(out.len, raw.len);
    whole = -1;
    assert_int_equal(md_store_log_r_block_prefix(st, NULL, src, 5050, NULL, NULL, &out, &first,
                                                 &n, &whole, &err), MD_OK);
    assert_int_equal(whole, 1);
    assert_memory_equal(out.data, raw.data, raw.len);
    md_buf_free(&raw);
    md_buf_free(&out);
}

/* Blocks of stores written before LZ4 (codec 1, zstd) are still read;
 * a damaged block of either codec is an error naming the store, never a
 * crash or garbage. */
static void test_block_codecs(void **state)
{
    (void)state;
    md_err err = {0, ""};
    const char text[] = "Apr 20 09:41:12 mx1 postfix/qmgr[1]: 3F2A1: removed\n"
                        "Apr 20 09:41:13 mx1 postfix/qmgr[1]: 3F2A2: removed\n";
    size_t n = sizeof text - 1;
    char z[256];
    size_t zn = ZSTD_compress(z, sizeof z, text, n, 1);
    assert_false(ZSTD_isError(zn));
    sqlite3 *db;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO log_block(source_id, first_line, nlines,"
                                            " t_first, t_last, raw_bytes, codec, data)"
                                            " VALUES (?1, ?2, 2, 0, 0, ?3, ?4, ?5)", -1, &s, NULL),
                     SQLITE_OK);
    /* 10: a good zstd block; 20: the same cut short; 30: LZ4 garbage */
    struct { int line, codec; const void *data; size_t len; } rows[] = {
        {10, 1, z, zn}, {20, 1, z, zn - 4}, {30, 2, "\xff\xff\xff\xff\xff\xff", 6}};
    for (size_t i = 0; i < 3; i++) {
        sqlite3_bind_int64(s, 1, src);
        sqlite3_bind_int(s, 2, rows[i].line);
        sqlite3_bind_int64(s, 3, (sqlite3_int64)n);
        sqlite3_bind_int(s, 4, rows[i].codec);
        sqlite3_bind_blob(s, 5, rows[i].data, (int)rows[i].len, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(s), SQLITE_DONE);
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    sqlite3_close(db);

    md_buf out = MD_BUF_INIT;
    uint64_t first, cnt;
    assert_int_equal(md_store_log_block_get(st, src, 11, &out, &first, &cnt, &err), MD_OK);
    assert_int_equal(first, 10);
    assert_int_equal(out.len, n);
    assert_memory_equal(out.data, text, n);
    assert_int_equal(md_store_log_block_get(st, src, 20, &out, &first, &cnt, &err), MD_ERR_DB);
    assert_non_null(strstr(err.msg, "damaged"));
    assert_non_null(strstr(err.msg, dbpath));
    assert_int_equal(md_store_log_block_get(st, src, 31, &out, &first, &cnt, &err), MD_ERR_DB);
    assert_non_null(strstr(err.msg, "damaged"));
    md_buf_free(&out);
}

typedef struct {
    int64_t src[16];
    uint64_t line[16];
    int n;
} got;

static int collect(void *arg, int64_t s, uint64_t l)
{
    got *g = arg;
    g->src[g->n] = s;
    g->line[g->n++] = l;
    return g->n == 16;
}

static void test_lines(void **state)
{
    (void)state;
    md_log_lines l;
    memset(&l, 0, sizeof l);
    const int64_t s[] = {3, 3, 3, 7, 7, 3, 3};
    const uint64_t n[] = {10, 11, 400000, 5, 6, 9, 12}; /* back to source 3 and back in lines */
    for (int i = 0; i < 7; i++)
        assert_int_equal(md_log_lines_add(&l, s[i], n[i]), MD_OK);
    assert_int_equal(l.count, 7);
    got g = {{0}, {0}, 0};
    assert_int_equal(md_log_lines_decode(l.buf.data, l.buf.len, collect, &g), MD_OK);
    assert_int_equal(g.n, 7);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(g.src[i], s[i]);
        assert_int_equal(g.line[i], n[i]);
    }
    /* continuing from a stored list */
    md_log_lines l2;
    memset(&l2, 0, sizeof l2);
    assert_int_equal(md_log_lines_load(&l2, l.buf.data, l.buf.len), MD_OK);
    assert_int_equal(l2.count, 7);
    assert_int_equal(l2.last_src, 3);
    assert_int_equal(l2.last_line, 12);
    assert_int_equal(md_log_lines_add(&l2, 3, 13), MD_OK);
    assert_int_equal(l2.buf.len, l.buf.len + 1); /* a delta of 1: one byte */
    /* a cut encoding is refused */
    g.n = 0;
    unsigned char bad[] = {0x87};
    assert_int_equal(md_log_lines_decode(bad, 1, collect, &g), MD_ERR_PARSE);
    md_buf_free(&l.buf);
    md_buf_free(&l2.buf);
}

static int64_t msg(int64_t hid, const char *qid, int64_t t, const char *sender, int open)
{
    md_err err = {0, ""};
    md_log_msgrow m;
    memset(&m, 0, sizeof m);
    m.host_id = hid;
    m.qid = qid;
    m.t_first = m.t_last = t;
    m.sender = sender;
    m.size = -1;
    m.nrcpt = -1;
    m.source_id = src;
    m.flags = open ? MD_LOGMSG_OPEN : 0;
    assert_int_equal(md_store_log_msg_put(w, &m, &err), MD_OK);
    assert_true(m.id > 0);
    if (sender)
        assert_int_equal(md_store_log_key_put(w, MD_LOGKEY_ADDR, sender, m.id, &err), MD_OK);
    assert_int_equal(md_store_log_key_put(w, MD_LOGKEY_QID, qid, m.id, &err), MD_OK);
    return m.id;
}

static int count_open(void *arg, const md_log_msgrow *m, const char *host)
{
    (void)host;
    (*(int *)arg)++;
    assert_true(m->flags & MD_LOGMSG_OPEN);
    return 0;
}

static int count_ids(void *arg, int64_t id)
{
    (void)id;
    (*(int *)arg)++;
    return 0;
}

static void test_hosts_msgs_links(void **state)
{
    (void)state;
    md_err err = {0, ""};
    int64_t h1, h2, again;
    assert_int_equal(md_store_begin(st, &err), MD_OK);
    assert_int_equal(md_store_log_host(w, "smtpout", 7, &h1, &err), MD_OK);
    assert_int_equal(md_store_log_host(w, "mailup", 6, &h2, &err), MD_OK);
    assert_int_equal(md_store_log_host(w, "smtpout", 7, &again, &err), MD_OK);
    assert_int_equal(h1, again);
    assert_true(h1 != h2);
    int64_t a = msg(h1, "AAA", 1000, "x@example.org", 0);
    int64_t fwd = msg(h1, "FWD", 1001, "x@example.org", 0);
    int64_t fwd_far = msg(h1, "FWD", 90000, "x@example.org", 0);  /* reused, much later */
    int64_t next = msg(h2, "NXT", 1003, "x@example.org", 1);
    int64_t other = msg(h1, "NXT", 1003, "x@example.org", 1);      /* same id, wrong host */
    (void)fwd_far;
    (void)other;
    md_log_linkrow l = {a, 0, MD_LINK_FORWARDED, 1001, "smtpout", "FWD", "forwarded as FWD"};
    assert_int_equal(md_store_log_link_put(w, &l, &err), MD_OK);
    md_log_linkrow l2 = {a, 0, MD_LINK_QUEUED_AS, 1002, "mailup.uni-potsdam.de", "NXT", "queued as"};
    assert_int_equal(md_store_log_link_put(w, &l2, &err), MD_OK);
    md_log_linkrow l3 = {a, 0, MD_LINK_QUEUED_AS, 1002, "elsewhere.example", "ZZZ", "queued as"};
    assert_int_equal(md_store_log_link_put(w, &l3, &err), MD_OK);
    assert_int_equal(md_store_log_span_add(w, src, h1, 1, 10, 1000, 2000, &err), MD_OK);
    assert_int_equal(md_store_log_span_add(w, src, h1, 1, 5, 500, 1500, &err), MD_OK);
    assert_int_equal(md_store_commit(st, &err), MD_OK);
    uint64_t nl = 0;
    assert_int_equal(md_store_log_resolve(st, &nl, &err), MD_OK);

    md_log_totals t;
    assert_int_equal(md_store_log_totals(st, &t, &err), MD_OK);
    assert_int_equal(t.messages, 5);
    assert_int_equal(t.open_messages, 2);
    assert_int_equal(t.links, 2);
    assert_int_equal(t.links_pending, 1);
    assert_int_equal(t.by_format[1], 15);
    int nopen = 0;
    assert_int_equal(md_store_log_open_msgs(st, count_open, &nopen, &err), MD_OK);
    assert_int_equal(nopen, 2);

    md_trace_query q;
    memset(&q, 0, sizeof q);
    const char *qq[1] = {"AAA"};
    q.qids = qq;
    q.nqids = 1;
    md_trace_result *r = NULL;
    assert_int_equal(md_trace_run(st, &q, &r, &err), MD_OK);
    /* AAA, the FWD of the same time on the same host, NXT on mailup */
    assert_int_equal(r->nmsgs, 3);
    assert_true(md_trace_find_msg(r, fwd) >= 0);
    assert_true(md_trace_find_msg(r, next) >= 0);
    assert_int_equal(md_trace_find_msg(r, fwd_far), -1);
    md_trace_free(r);

    /* time windows on the indexes */
    int k = 0;
    assert_int_equal(md_store_log_find_addr(st, "x@example.org", 0, 0, count_ids, &k, &err), MD_OK);
    assert_int_equal(k, 5);
    k = 0;
    assert_int_equal(md_store_log_find_addr(st, "x@example.org", 5000, 0, count_ids, &k, &err),
                     MD_OK);
    assert_int_equal(k, 1);
    k = 0;
    assert_int_equal(md_store_log_find_qid(st, "FWD", 0, 2000, count_ids, &k, &err), MD_OK);
    assert_int_equal(k, 1);

    md_trace_span *sp = NULL;
    size_t n = 0;
    assert_int_equal(md_trace_host_spans(st, 0, 0, &sp, &n, &err), MD_OK);
    assert_int_equal(n, 1); /* only smtpout has counted lines */
    assert_string_equal(sp[0].host, "smtpout");
    assert_int_equal(sp[0].lines, 15);
    assert_int_equal(sp[0].t_first, 500);
    assert_int_equal(sp[0].t_last, 2000);
    free(sp);
}

typedef struct hourseen {
    char s[512];
} hourseen;

static int on_hour(void *arg, const md_cover_hourrow *r)
{
    hourseen *h = arg;
    size_t n = strlen(h->s);
    snprintf(h->s + n, sizeof h->s - n, "%s@%lld:%llu[%lld..%lld] ", r->host, (long long)r->hour,
             (unsigned long long)r->lines, (long long)r->t_first, (long long)r->t_last);
    return 0;
}

static int on_chost(void *arg, const md_cover_hostrow *r)
{
    hourseen *h = arg;
    size_t n = strlen(h->s);
    snprintf(h->s + n, sizeof h->s - n, "%s:%lld..%lld:%llu/%llu ", r->host, (long long)r->t_first,
             (long long)r->t_last, (unsigned long long)r->lines,
             (unsigned long long)r->lines_hourly);
    return 0;
}

/* lines per host and hour: summed over writes, limited to the hours that
 * overlap the window; hosts with their whole span and the lines counted
 * per hour (mailup: a span without hour counts, as an older ingest left) */
static void test_cover(void **state)
{
    (void)state;
    md_err err = {0, ""};
    int64_t h1, h2;
    assert_int_equal(md_store_begin(st, &err), MD_OK);
    assert_int_equal(md_store_log_host(w, "smtpout", 7, &h1, &err), MD_OK);
    assert_int_equal(md_store_log_host(w, "mailup", 6, &h2, &err), MD_OK);
    assert_int_equal(md_store_log_hour_add(w, src, h1, 3600, 2, 3700, 3900, &err), MD_OK);
    assert_int_equal(md_store_log_hour_add(w, src, h1, 3600, 1, 3650, 3800, &err), MD_OK);
    assert_int_equal(md_store_log_hour_add(w, src, h1, 7200, 4, 7300, 10000, &err), MD_OK);
    assert_int_equal(md_store_log_hour_add(w, src, h1, 36000, 1, 36001, 36001, &err), MD_OK);
    assert_int_equal(md_store_log_span_add(w, src, h1, 1, 8, 3650, 36001, &err), MD_OK);
    assert_int_equal(md_store_log_span_add(w, src, h2, 1, 5, 100, 200, &err), MD_OK);
    assert_int_equal(md_store_commit(st, &err), MD_OK);
    hourseen h = {""};
    /* [3700, 7200]: the hour of 3600 overlaps, 7200 starts at the end */
    assert_int_equal(md_store_cover_hours(st, 3700, 7200, on_hour, &h, &err), MD_OK);
    assert_string_equal(h.s, "smtpout@3600:3[3650..3900] smtpout@7200:4[7300..10000] ");
    h.s[0] = '\0';
    assert_int_equal(md_store_cover_hours(st, 7201, 30000, on_hour, &h, &err), MD_OK);
    assert_string_equal(h.s, "smtpout@7200:4[7300..10000] ");
    h.s[0] = '\0';
    assert_int_equal(md_store_cover_hosts(st, on_chost, &h, &err), MD_OK);
    assert_string_equal(h.s, "mailup:100..200:5/0 smtpout:3650..36001:8/8 ");
}

static void test_keys(void **state)
{
    (void)state;
    md_err err = {0, ""};
    /* kinds keep equal texts apart; case matters (values come normalised) */
    assert_true(md_store_log_key_hash(MD_LOGKEY_ADDR, "a@b", 3) !=
                md_store_log_key_hash(MD_LOGKEY_MSGID, "a@b", 3));
    assert_true(md_store_log_key_hash(MD_LOGKEY_ADDR, "a@b", 3) !=
                md_store_log_key_hash(MD_LOGKEY_ADDR, "A@b", 3));
    assert_true(md_store_log_key_hash(MD_LOGKEY_QID, "Q1", 2) >= 0);
    md_log_key k[5];
    memset(k, 0, sizeof k);
    for (int i = 0; i < 5; i++) {
        k[i].h = md_store_log_key_hash(MD_LOGKEY_ADDR, "x@y", 3);
        k[i].msg_id = 5 - (i % 3); /* 5 4 3 5 4: duplicates in the batch */
    }
    assert_int_equal(md_store_begin(st, &err), MD_OK);
    assert_int_equal(md_store_log_keys_put(w, k, 5, &err), MD_OK);
    assert_int_equal(md_store_log_keys_put(w, k, 5, &err), MD_OK); /* again: ignored */
    assert_int_equal(md_store_commit(st, &err), MD_OK);
    assert_true(k[0].msg_id <= k[1].msg_id); /* sorted in place */
    int n = 0;
    /* no log_msg rows: the join finds nothing, but the query runs */
    assert_int_equal(md_store_log_find_addr(st, "x@y", 0, 0, count_ids, &n, &err), MD_OK);
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_codecs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_prefix, setup, teardown),
        cmocka_unit_test(test_lines),
        cmocka_unit_test_setup_teardown(test_hosts_msgs_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cover, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
