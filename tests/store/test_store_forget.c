/* test_store_forget.c: lib/store/store_forget.c: a marked log source takes
 * its messages with it, a message that also has lines in another source
 * hands those lines back and goes too, links to a deleted message resolved
 * by queue id become pending and same-Message-ID partners are noted; raw
 * lines, stored messages with their parts, Microsoft's answers, reports,
 * next-hop entries no delivery names, unused host names and the source row
 * go (a message file of a forgotten message's content, and the other SNDS
 * exports of a kind whose rows go, are marked unread), another source's
 * rows stay; a message left open joins its continuation in another source;
 * rule files by origin; how a source was read; stored copies whose date
 * disagrees with the log's (from either side). */
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
#include "store/store_forget.h"
#include "store/store_log.h"
#include "testutil.h"

static char dbpath[512];
static md_store *st;
static md_log_writer *w;
static int64_t s1, s2;

static int setup(void **state)
{
    (void)state;
    s1 = md_test_log_store_open(dbpath, sizeof dbpath, "test_store_forget", &st, &w, "fp1",
                                "/var/log/mail.log.1");
    s2 = md_test_source(st, "fp2", "log", "/var/log/mail.log");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    md_test_log_store_close(st, w, dbpath);
    return 0;
}

/* sql: run statements on a second connection (rows the test needs that no
 * writer of this area makes) */
static void sql(const char *text)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(db, text, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s", text, msg ? msg : "?");
    sqlite3_close(db);
}

/* num: the integer a query returns */
static long long num(const char *text)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, text, -1, &s, NULL), SQLITE_OK);
    long long v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

/* want: each query of the table returns its value */
typedef struct {
    const char *q;
    long long v;
} want;
static void expect(const want *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (num(t[i].q) != t[i].v)
            fail_msg("%s: %lld, want %lld", t[i].q, num(t[i].q), t[i].v);
}

static int64_t put_msg(const char *qid, const char *msgid, int64_t t, int64_t src,
                       const int64_t *lines, size_t n)
{
    md_err err = {0, ""};
    md_log_lines l = {MD_BUF_INIT, 0, 0, 0};
    for (size_t i = 0; i < n; i += 2)
        assert_int_equal(md_log_lines_add(&l, lines[i], (uint64_t)lines[i + 1]), MD_OK);
    int64_t host;
    assert_int_equal(md_store_log_host(w, "mx1", 3, &host, &err), MD_OK);
    md_log_msgrow m = {0};
    m.host_id = host;
    m.qid = qid;
    m.t_first = m.t_last = t;
    m.msgid = msgid;
    m.size = -1;
    m.nrcpt = -1;
    m.source_id = src;
    m.lines = l.buf.data;
    m.lines_len = l.buf.len;
    assert_int_equal(md_store_log_msg_put(w, &m, &err), MD_OK);
    md_buf_free(&l.buf);
    assert_int_equal(md_store_log_key_put(w, MD_LOGKEY_QID, qid, m.id, &err), MD_OK);
    if (msgid)
        assert_int_equal(md_store_log_key_put(w, MD_LOGKEY_MSGID, msgid, m.id, &err), MD_OK);
    return m.id;
}

typedef struct {
    int64_t v[16];
    size_t n;
} kept;

static int keep(void *arg, int64_t src, uint64_t line)
{
    kept *k = arg;
    k->v[k->n++] = src;
    k->v[k->n++] = (int64_t)line;
    return 0;
}

/* three messages: m1 in s1 alone, m2 across s1 and s2, m3 in s2 alone */
static void fill(int64_t *m1, int64_t *m2, int64_t *m3)
{
    md_err err = {0, ""};
    assert_int_equal(md_store_begin(st, &err), MD_OK);
    const int64_t l1[] = {s1, 1, s1, 2}, l2[] = {s1, 3, s2, 1}, l3[] = {s2, 2};
    *m1 = put_msg("Q1", "<a@x>", 1000, s1, l1, 4);
    *m2 = put_msg("Q2", NULL, 1010, s1, l2, 4);
    *m3 = put_msg("Q3", "<a@x>", 1020, s2, l3, 2);
    md_log_dlvrow d = {0};
    d.msg_id = *m2;
    d.t = 1011;
    d.rcpt = "bob@hotmail.com";
    d.relay_host = "only-m2.example.";
    d.source_id = s2;
    d.lineno = 1;
    assert_int_equal(md_store_log_dlv_put(w, &d, &err), MD_OK);
    d.msg_id = *m3;
    d.relay_host = "kept.example";
    d.lineno = 2;
    assert_int_equal(md_store_log_dlv_put(w, &d, &err), MD_OK);
    assert_int_equal(md_store_log_keys_put(w, NULL, 0, &err), MD_OK);
    /* m3 -> m1 queued as (by queue id), m1 -> m3 same Message-ID */
    md_log_linkrow k = {*m3, *m1, MD_LINK_QUEUED_AS, 1020, "mx1", "Q1", "queued as Q1"};
    assert_int_equal(md_store_log_link_put(w, &k, &err), MD_OK);
    md_log_linkrow s = {*m1, *m3, MD_LINK_SAME_MSGID, 1020, NULL, NULL, "same"};
    assert_int_equal(md_store_log_link_put(w, &s, &err), MD_OK);
    assert_int_equal(md_store_log_block(w, s1, 1, 3, 1000, 1010, "a\nb\nc\n", 6, &err), MD_OK);
    assert_int_equal(md_store_log_block(w, s2, 1, 2, 1011, 1020, "d\ne\n", 4, &err), MD_OK);
    assert_int_equal(md_store_commit(st, &err), MD_OK);
}

/* forget_s1: forget source s1 in a transaction (its kept lines to k when
 * not NULL) */
static void forget_s1(md_forget_counts *c, kept *k)
{
    md_err err = {0, ""};
    assert_int_equal(md_store_begin_nofk(st, &err), MD_OK);
    assert_int_equal(md_store_forget_begin(st, &err), MD_OK);
    assert_int_equal(md_store_forget_mark(st, s1, &err), MD_OK);
    assert_int_equal(md_store_forget_log(st, k ? keep : NULL, k, c, &err), MD_OK);
    assert_int_equal(md_store_forget_marked(st, c, &err), MD_OK);
    assert_int_equal(md_store_commit(st, &err), MD_OK);
}

static void test_log(void **state)
{
    (void)state;
    int64_t m1, m2, m3;
    fill(&m1, &m2, &m3);
    md_forget_counts c = {0};
    kept k = {{0}, 0};
    forget_s1(&c, &k);
    /* m2's line in s2 handed back; m1 and m2 gone, m3 kept */
    assert_int_equal(k.n, 2);
    assert_int_equal(k.v[0], s2);
    assert_int_equal(k.v[1], 1);
    assert_int_equal(c.log_messages, 2);
    assert_int_equal(c.log_rebuilt, 1);
    assert_int_equal(c.deliveries, 1);
    assert_int_equal(c.log_lines, 3);
    assert_int_equal(c.sources, 1);
    assert_int_equal(num("SELECT count(*) FROM log_msg"), 1);
    assert_int_equal(num("SELECT count(*) FROM log_msg WHERE qid = 'Q3'"), 1);
    assert_int_equal(num("SELECT count(*) FROM log_dlv"), 1);
    /* the queued-as link is pending again, the same-Message-ID one gone,
     * m3 noted for the resolve pass */
    assert_int_equal(num("SELECT count(*) FROM log_link"), 1);
    assert_int_equal(num("SELECT count(*) FROM log_link WHERE to_msg IS NULL AND to_qid = 'Q1'"),
                     1);
    char q[128];
    snprintf(q, sizeof q, "SELECT count(*) FROM log_cand WHERE msg_id = %lld", (long long)m3);
    assert_int_equal(num(q), 1);
    /* index entries of m1, m2 gone; m3's and its next hop kept, m2's hop gone */
    snprintf(q, sizeof q, "SELECT count(*) FROM log_key WHERE msg_id IN (%lld, %lld)",
             (long long)m1, (long long)m2);
    assert_int_equal(num(q), 0);
    snprintf(q, sizeof q, "SELECT count(*) FROM log_key WHERE msg_id = %lld", (long long)m3);
    assert_int_equal(num(q), 2);
    assert_int_equal(num("SELECT count(*) FROM log_key WHERE msg_id = 0"), 1);
    /* raw lines and the source: s1's gone, s2's kept */
    assert_int_equal(num("SELECT count(*) FROM log_block"), 1);
    assert_int_equal(num("SELECT count(*) FROM source"), 1);
    snprintf(q, sizeof q, "SELECT count(*) FROM source WHERE id = %lld", (long long)s2);
    assert_int_equal(num(q), 1);
}

/* a message of s1 left open joins its continuation in s2 (same host and
 * queue id, within the idle time after it: no recipient deferred), not a
 * later reuse of the queue id */
static void test_join(void **state)
{
    (void)state;
    md_err err = {0, ""};
    assert_int_equal(md_store_begin(st, &err), MD_OK);
    const int64_t la[] = {s1, 5}, lb[] = {s2, 1, s2, 2}, lc[] = {s2, 9};
    int64_t a = put_msg("Q5", NULL, 2000, s1, la, 2);
    int64_t b = put_msg("Q5", NULL, 2005, s2, lb, 4);
    int64_t later = put_msg("Q5", NULL, 2000 + 3 * 3600, s2, lc, 2);
    int64_t other = put_msg("Q6", NULL, 2001, s1, la, 2);
    assert_int_equal(md_store_commit(st, &err), MD_OK);
    char q[256];
    snprintf(q, sizeof q, "UPDATE log_msg SET open = 1 WHERE id IN (%lld, %lld)", (long long)a,
             (long long)other);
    sql(q);
    kept k = {{0}, 0};
    uint64_t n = 0;
    assert_int_equal(md_store_begin_nofk(st, &err), MD_OK);
    assert_int_equal(md_store_forget_begin(st, &err), MD_OK);
    assert_int_equal(md_store_forget_join(st, s1, 3600, keep, &k, &n, &err), MD_OK);
    assert_int_equal(md_store_commit(st, &err), MD_OK);
    assert_int_equal(n, 2);
    assert_int_equal(k.n, 6); /* a's line and b's two */
    snprintf(q, sizeof q, "SELECT count(*) FROM log_msg WHERE id IN (%lld, %lld)", (long long)a,
             (long long)b);
    assert_int_equal(num(q), 0);
    snprintf(q, sizeof q, "SELECT count(*) FROM log_msg WHERE id IN (%lld, %lld)",
             (long long)later, (long long)other);
    assert_int_equal(num(q), 2);
}

/* a stored message with its parts and an answer, reports: only s1's go */
static void test_other_areas(void **state)
{
    (void)state;
    char text[2048];
    snprintf(text, sizeof text,
             "INSERT INTO msg(id, hash, source_id, kind, message_id, stored)"
             " VALUES(1, 'h1', %lld, 'message', 'a@x', 0), (2, 'h2', %lld, 'message', 'b@x', 0);"
             "INSERT INTO msg_addr VALUES('bob@x', 1, 1), ('bob@x', 1, 2);"
             "INSERT INTO msg_ev(msg_id) VALUES(1), (2);"
             "INSERT INTO msg_dsn(msg_id, idx) VALUES(1, 0);"
             "INSERT INTO msg_arf(msg_id) VALUES(1);"
             "INSERT INTO msg_antispam(msg_id) VALUES(1);"
             "INSERT INTO case_answer(ip, outcome, msg_row) VALUES('192.0.2.1', 'mitigated', 1),"
             " ('192.0.2.1', 'denied', 2);"
             "INSERT INTO rep_dmarc_report(id, org_key, org_name, report_id, date_begin, date_end,"
             " mid, day, records, messages, skipped, source_id, stored_at)"
             " VALUES(1, 'o', 'o', 'r1', 0, 1, 0, 'd', 1, 1, 0, %lld, 0);"
             "INSERT INTO rep_dmarc_record(id, report, source_ip, count, pass) VALUES(1, 1, 'ip', 1, 1);"
             "INSERT INTO rep_dmarc_auth(record, method) VALUES(1, 'spf');"
             "INSERT INTO rep_snds(ip, act_start, day, source_id) VALUES('ip', 1, 'd', %lld),"
             " ('ip', 2, 'd', %lld);"
             "INSERT INTO case_ticket(number) VALUES('T1');"
             "INSERT INTO source(id, fingerprint, kind, first_path, last_path, lines_done,"
             " complete, first_seen, last_seen) VALUES(30, 'h1', 'message', 'c.eml', 'c.eml',"
             " 9, 1, 0, 0), (31, 'h9', 'message', 'd.eml', 'd.eml', 9, 1, 0, 0),"
             " (32, 's9', 'snds', 'e.csv', 'e.csv', 9, 1, 0, 0),"
             " (33, 't9', 'snds-status', 'f.csv', 'f.csv', 9, 1, 0, 0);"
             "INSERT INTO log_host(id, name) VALUES(77, 'unused');",
             (long long)s1, (long long)s2, (long long)s1, (long long)s1, (long long)s2);
    sql(text);
    md_forget_counts c = {0};
    forget_s1(&c, NULL);
    assert_int_equal(c.messages, 1);
    assert_int_equal(c.answers, 1);
    assert_int_equal(c.reports, 1);
    assert_int_equal(c.snds, 1);
    assert_int_equal(c.unread, 2);
    static const want rows[] = {
        {"SELECT complete + lines_done FROM source WHERE id = 30", 0},
        {"SELECT complete + lines_done FROM source WHERE id = 32", 0},
        {"SELECT complete + lines_done FROM source WHERE id = 33", 10},
        {"SELECT complete + lines_done FROM source WHERE id = 31", 10},
        {"SELECT count(*) FROM log_host WHERE name = 'unused'", 0},
        {"SELECT group_concat(id) FROM msg", 2},
        {"SELECT count(*) FROM msg_addr", 1},
        {"SELECT count(*) FROM msg_ev", 1},
        {"SELECT count(*) FROM msg_dsn", 0},
        {"SELECT count(*) FROM msg_arf", 0},
        {"SELECT count(*) FROM msg_antispam", 0},
        {"SELECT count(*) FROM case_answer WHERE outcome = 'denied'", 1},
        {"SELECT count(*) FROM case_answer", 1},
        {"SELECT count(*) FROM rep_dmarc_report", 0},
        {"SELECT count(*) FROM rep_dmarc_record", 0},
        {"SELECT count(*) FROM rep_dmarc_auth", 0},
        {"SELECT act_start FROM rep_snds", 2},
        {"SELECT count(*) FROM case_ticket", 1},
        {"PRAGMA foreign_key_check", -1},
    };
    expect(rows, sizeof rows / sizeof rows[0]); /* foreign_key_check -1: no row, none broken */
}

static void test_rules(void **state)
{
    (void)state;
    md_err err = {0, ""};
    sql("INSERT INTO rule_file VALUES('/etc/aliases', 'aliases', '', 2, 0, 0),"
        " ('/etc/other', 'aliases', '', 1, 0, 0);"
        "INSERT INTO rule(origin, kind, address, target, ttype, keeps_copy, file, line) VALUES"
        " ('/etc/aliases', 'alias', 'a', 'b', 'address', 0, '/etc/aliases', 1),"
        " ('/etc/aliases', 'alias', 'c', 'd', 'address', 0, '/etc/aliases', 2),"
        " ('/etc/other', 'alias', 'e', 'f', 'address', 0, '/etc/other', 1);");
    md_forget_counts c = {0};
    assert_int_equal(md_store_begin(st, &err), MD_OK);
    assert_int_equal(md_store_forget_rules(st, "/etc/aliases", &c, &err), MD_OK);
    assert_int_equal(md_store_commit(st, &err), MD_OK);
    assert_int_equal(c.rule_files, 1);
    assert_int_equal(c.rules, 2);
    assert_int_equal(num("SELECT count(*) FROM rule"), 1);
    assert_int_equal(num("SELECT count(*) FROM rule_file WHERE origin = '/etc/other'"), 1);
}

static void test_read_settings(void **state)
{
    (void)state;
    md_err err = {0, ""};
    int year = -1, known = -1;
    char tz[64];
    assert_int_equal(md_store_source_read_get(st, s1, &year, tz, sizeof tz, &known, &err), MD_OK);
    assert_int_equal(known, 0);
    assert_int_equal(md_store_begin(st, &err), MD_OK);
    assert_int_equal(md_store_source_read_set(st, s1, 2015, "Europe/Berlin", &err), MD_OK);
    assert_int_equal(md_store_source_read_set(st, s2, 0, "", &err), MD_OK);
    assert_int_equal(md_store_log_span_add(w, s1, 1, 1, 3, 1000, 2000, &err), MD_OK);
    assert_int_equal(md_store_log_span_add(w, s1, 2, 1, 3, 900, 1500, &err), MD_OK);
    assert_int_equal(md_store_commit(st, &err), MD_OK);
    assert_int_equal(md_store_source_read_get(st, s1, &year, tz, sizeof tz, &known, &err), MD_OK);
    assert_int_equal(known, 1);
    assert_int_equal(year, 2015);
    assert_string_equal(tz, "Europe/Berlin");
    assert_int_equal(md_store_source_read_get(st, s2, &year, tz, sizeof tz, &known, &err), MD_OK);
    assert_int_equal(known, 1);
    assert_int_equal(year, 0);
    assert_string_equal(tz, "");
    int64_t tf, tl;
    assert_int_equal(md_store_source_t_range(st, s1, &tf, &tl, &err), MD_OK);
    assert_int_equal(tf, 900);
    assert_int_equal(tl, 2000);
    assert_int_equal(md_store_source_t_range(st, s2, &tf, &tl, &err), MD_OK);
    assert_int_equal(tf, 0);
    assert_int_equal(tl, 0);
}

typedef struct {
    int n;
    int64_t src[4], copy[4], t_log[4], t_date[4];
} pairs_seen;

static void take_pair(void *arg, int64_t src, int64_t copy, const char *msgid, int64_t t_log,
                      int64_t t_date)
{
    pairs_seen *p = arg;
    assert_string_equal(msgid, "<a@x>");
    if (p->n < 4) {
        p->src[p->n] = src;
        p->copy[p->n] = copy;
        p->t_log[p->n] = t_log;
        p->t_date[p->n] = t_date;
    }
    p->n++;
}

static void test_year_pairs(void **state)
{
    (void)state;
    md_err err = {0, ""};
    int64_t m1, m2, m3;
    fill(&m1, &m2, &m3);
    /* copies of <a@x>: row 1 dated a year after m1 (t 1000), row 2 close
     * to it, row 3 without a Date */
    sql("INSERT INTO msg(id, hash, kind, message_id, date, stored) VALUES"
        " (1, 'h1', 'message', 'a@x', 31537000, 0), (2, 'h2', 'message', 'a@x', 1100, 0),"
        " (3, 'h3', 'message', 'a@x', NULL, 0);");
    pairs_seen p = {0, {0}, {0}, {0}, {0}};
    assert_int_equal(md_store_year_pairs(st, s1, 2 * 86400, take_pair, &p, &err), MD_OK);
    assert_int_equal(p.n, 2);
    assert_int_equal(p.src[0], s1);
    assert_int_equal(p.copy[0], 1);
    assert_int_equal(p.t_log[0], 1000);
    assert_int_equal(p.t_date[0], 31537000);
    assert_int_equal(p.copy[1], 3);
    assert_int_equal(p.t_date[1], 0);
    /* a slack wider than the year: only the copy without a Date */
    p.n = 0;
    assert_int_equal(md_store_year_pairs(st, s1, 40000000, take_pair, &p, &err), MD_OK);
    assert_int_equal(p.n, 1);
    assert_int_equal(p.copy[0], 3);
    /* from the copies' side: those stored after row 2 (row 3), in source
     * order: m1 (s1) and m3 (s2) */
    assert_int_equal(md_store_msg_top(st), 3);
    p.n = 0;
    assert_int_equal(md_store_year_copies_since(st, 2, 2 * 86400, take_pair, &p, &err), MD_OK);
    assert_int_equal(p.n, 2);
    assert_int_equal(p.src[0], s1);
    assert_int_equal(p.src[1], s2);
    assert_int_equal(p.copy[0], 3);
    assert_int_equal(p.copy[1], 3);
    /* after row 0: rows 1 and 3 for each of m1 and m3, not row 2 */
    p.n = 0;
    assert_int_equal(md_store_year_copies_since(st, 0, 2 * 86400, take_pair, &p, &err), MD_OK);
    assert_int_equal(p.n, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_join, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_areas, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_settings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_year_pairs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
