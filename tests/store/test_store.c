/* test_store.c: lib/store/store.c: creating and reopening a store, WAL, the
 * schema version and refusal of a newer one, read-only opening, damaged
 * files, transactions, and the sources table (get, progress, path) that
 * makes ingest idempotent and resumable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "store/store.h"
#include "store/store_int.h"
#include "store/store_msg.h"
#include "testutil.h"

static char dbpath[512];

static int setup(void **state)
{
    (void)state;
    snprintf(dbpath, sizeof dbpath, "%s/test_store_%ld.db", md_test_tmpdir(), (long)getpid());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    md_test_remove_db(dbpath);
    return 0;
}

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* Read n bytes at off of the database file header. */
static void header(const char *p, long off, unsigned char *dst, size_t n)
{
    FILE *fp = fopen(p, "rb");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, off, SEEK_SET), 0);
    assert_int_equal(fread(dst, 1, n, fp), n);
    fclose(fp);
}

/* Set the schema version (PRAGMA user_version: header offset 60, big endian). */
static void set_user_version(const char *p, uint32_t v)
{
    FILE *fp = fopen(p, "r+b");
    assert_non_null(fp);
    unsigned char b[4] = {v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff};
    assert_int_equal(fseek(fp, 60, SEEK_SET), 0);
    assert_int_equal(fwrite(b, 1, 4, fp), 4);
    fclose(fp);
}

static void test_create_wal_reopen(void **state)
{
    (void)state;
    md_test_remove_db(dbpath);
    md_store *st = NULL;
    md_err e = {0, ""};
    assert_int_equal(md_store_open(&st, dbpath, 0, &e), MD_OK);
    assert_non_null(st);
    assert_true(exists(dbpath));
    assert_string_equal(md_store_path(st), dbpath);
    assert_int_equal(md_store_schema_version(st), MD_STORE_SCHEMA_VERSION);
    /* a write goes to the write-ahead log */
    md_source src;
    int created = 0;
    assert_int_equal(md_store_source_get(st, "fp-mail.log", "log", "/var/log/mail.log", &src,
                                         &created, &e), MD_OK);
    char wal[600];
    snprintf(wal, sizeof wal, "%s-wal", dbpath);
    assert_true(exists(wal));
    md_store_close(st);
    /* file format bytes 18/19 are 2 in WAL mode */
    unsigned char fmt[2];
    header(dbpath, 18, fmt, 2);
    assert_int_equal(fmt[0], 2);
    assert_int_equal(fmt[1], 2);
    /* reopen: same version, the source is still there */
    assert_int_equal(md_store_open(&st, dbpath, 0, &e), MD_OK);
    assert_int_equal(md_store_schema_version(st), MD_STORE_SCHEMA_VERSION);
    md_source again;
    assert_int_equal(md_store_source_get(st, "fp-mail.log", "log", "/var/log/mail.log.1",
                                         &again, &created, &e), MD_OK);
    assert_int_equal(created, 0);
    assert_int_equal(again.id, src.id);
    md_store_close(st);
    md_store_close(NULL);
}

static void test_sources(void **state)
{
    (void)state;
    md_test_remove_db(dbpath);
    md_store *st;
    md_err e = {0, ""};
    assert_int_equal(md_store_open(&st, dbpath, 0, &e), MD_OK);
    md_source a, b;
    int created;
    assert_int_equal(md_store_source_get(st, "0123456789abcdef0123456789abcdef", "log",
                                         "fixtures/logs/mail.log", &a, &created, &e), MD_OK);
    assert_int_equal(created, 1);
    assert_true(a.id > 0);
    assert_string_equal(a.kind, "log");
    assert_int_equal(a.lines_done, 0);
    assert_int_equal(a.bytes_done, 0);
    assert_int_equal(a.complete, 0);
    assert_int_equal(md_store_source_get(st, "fedcba9876543210fedcba9876543210", "message",
                                         "bounce.eml", &b, &created, &e), MD_OK);
    assert_int_equal(created, 1);
    assert_true(b.id != a.id);

    /* progress commits with the transaction */
    assert_int_equal(md_store_begin(st, &e), MD_OK);
    assert_int_equal(md_store_begin(st, &e), MD_ERR_ARG);
    assert_int_equal(md_store_source_progress(st, a.id, 1200, 345678, 0, &e), MD_OK);
    assert_int_equal(md_store_commit(st, &e), MD_OK);
    assert_int_equal(md_store_commit(st, &e), MD_OK); /* nothing open: fine */

    /* and is undone by a rollback */
    assert_int_equal(md_store_begin(st, &e), MD_OK);
    assert_int_equal(md_store_source_progress(st, a.id, 99999, 1, 1, &e), MD_OK);
    md_store_rollback(st);
    md_store_rollback(st);

    /* rotated: same fingerprint, new name */
    md_source r;
    assert_int_equal(md_store_source_get(st, "0123456789abcdef0123456789abcdef", "log",
                                         "fixtures/logs/mail.log.1", &r, &created, &e), MD_OK);
    assert_int_equal(created, 0);
    assert_int_equal(r.id, a.id);
    assert_int_equal(r.lines_done, 1200);
    assert_int_equal(r.bytes_done, 345678);
    assert_int_equal(r.complete, 0);
    char path[256];
    assert_int_equal(md_store_source_path(st, a.id, path, sizeof path, &e), MD_OK);
    assert_string_equal(path, "fixtures/logs/mail.log.1");
    assert_int_equal(md_store_source_path(st, 424242, path, sizeof path, &e), MD_OK);
    assert_string_equal(path, "");
    /* a short destination is cut, not overrun */
    char small[8];
    md_store_source_path(st, a.id, small, sizeof small, &e);
    assert_string_equal(small, "fixture");
    md_store_close(st);

    /* closing with an open transaction rolls it back */
    assert_int_equal(md_store_open(&st, dbpath, 0, &e), MD_OK);
    assert_int_equal(md_store_begin(st, &e), MD_OK);
    assert_int_equal(md_store_source_progress(st, a.id, 5, 5, 1, &e), MD_OK);
    md_store_close(st);
    assert_int_equal(md_store_open(&st, dbpath, 0, &e), MD_OK);
    assert_int_equal(md_store_source_get(st, "0123456789abcdef0123456789abcdef", "log", "x", &r,
                                         &created, &e), MD_OK);
    assert_int_equal(r.lines_done, 1200);
    md_store_close(st);
}

/* fresh_store: a new empty store at dbpath, closed. */
static void fresh_store(void)
{
    md_store *st;
    md_err e = {0, ""};
    md_test_remove_db(dbpath);
    assert_int_equal(md_store_open(&st, dbpath, 0, &e), MD_OK);
    md_store_close(st);
}

static void test_newer_schema_refused(void **state)
{
    (void)state;
    md_store *st;
    md_err e = {0, ""};
    fresh_store();
    set_user_version(dbpath, MD_STORE_SCHEMA_VERSION + 1);
    st = (md_store *)1;
    assert_int_equal(md_store_open(&st, dbpath, 0, &e), MD_ERR_DB);
    assert_null(st);
    char want[MD_LIMIT_ERRMSG];
    snprintf(want, sizeof want,
             "%s: schema version %d was made by a newer maildossier (this one knows %d)",
             dbpath, MD_STORE_SCHEMA_VERSION + 1, MD_STORE_SCHEMA_VERSION);
    assert_string_equal(e.msg, want);
    /* the reading opens (read-only, mapped) say the same */
    const int flags[] = {MD_STORE_READONLY, MD_STORE_MAPPED};
    for (size_t i = 0; i < 2; i++) {
        md_err_clear(&e);
        assert_int_equal(md_store_open(&st, dbpath, flags[i], &e), MD_ERR_DB);
        assert_null(st);
        assert_string_equal(e.msg, want);
    }
    /* untouched: still the newer version */
    unsigned char v[4];
    header(dbpath, 60, v, 4);
    assert_int_equal(v[3], MD_STORE_SCHEMA_VERSION + 1);
}

static void test_migrates_empty_file(void **state)
{
    (void)state;
    md_test_remove_db(dbpath);
    FILE *fp = fopen(dbpath, "w");
    assert_non_null(fp);
    fclose(fp);
    md_store *st;
    md_err e = {0, ""};
    assert_int_equal(md_store_open(&st, dbpath, 0, &e), MD_OK);
    assert_int_equal(md_store_schema_version(st), MD_STORE_SCHEMA_VERSION);
    md_store_close(st);
    unsigned char v[4];
    header(dbpath, 60, v, 4);
    assert_int_equal(v[0] << 24 | v[1] << 16 | v[2] << 8 | v[3], MD_STORE_SCHEMA_VERSION);
}

/* The msg tables of schema 2 (hops and results as rows), without schema
 * 5's log_hour, the source without how it was read (schema 6), without
 * schema 7's TLS reports and DMARCbis columns: turns a store of this
 * version into one of schema 2. */
static const char schema_2_msg[] =
    "DROP TABLE msg_ev; DROP TABLE log_hour;"
    "DROP TABLE msg_arf_auth; DROP TABLE rep_tls_failure; DROP TABLE rep_tls_policy; DROP TABLE rep_tls_report;"
    "ALTER TABLE rep_dmarc_report DROP COLUMN generator;"
    "ALTER TABLE rep_dmarc_report DROP COLUMN discovery_method;"
    "ALTER TABLE source DROP COLUMN read_year; ALTER TABLE source DROP COLUMN read_tz;"
    "CREATE INDEX msg_addr_msg ON msg_addr(msg_id); CREATE INDEX msg_date ON msg(date);"
    "CREATE TABLE msg_hop (msg_id, idx, parsed, helo, rdns, ip, cls, ours_host, by_host, by_ip,"
    " with_proto, qid, for_addr, via, date, no_zone, delay, raw);"
    "CREATE TABLE msg_auth (msg_id, source, authserv, method, result, reason, domain, props);"
    "ALTER TABLE case_request DROP COLUMN case_number;"
    "ALTER TABLE case_request DROP COLUMN withdrawn_at;"
    "ALTER TABLE case_request DROP COLUMN withdrawn_why;"
    "PRAGMA user_version = 2;";

/* a store of schema 1 (no msg.raw_codec) is migrated on open, its rows
 * kept */
static void test_migrates_v1(void **state)
{
    (void)state;
    md_test_remove_db(dbpath);
    md_store *st;
    md_err e = {0, ""};
    assert_int_equal(md_store_open(&st, dbpath, 0, &e), MD_OK);
    md_source src;
    int created;
    assert_int_equal(md_store_source_get(st, "fp-v1", "log", "old.log", &src, &created, &e), MD_OK);
    md_store_close(st);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, schema_2_msg, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "ALTER TABLE msg DROP COLUMN raw_codec; PRAGMA user_version = 1",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    /* a reading command upgrades it too */
    assert_int_equal(md_store_open(&st, dbpath, MD_STORE_READONLY, &e), MD_OK);
    assert_int_equal(md_store_schema_version(st), MD_STORE_SCHEMA_VERSION);
    md_store_close(st);
    assert_int_equal(md_store_open(&st, dbpath, 0, &e), MD_OK);
    assert_int_equal(md_store_schema_version(st), MD_STORE_SCHEMA_VERSION);
    md_source again;
    assert_int_equal(md_store_source_get(st, "fp-v1", "log", "old.log", &again, &created, &e), MD_OK);
    assert_int_equal(created, 0);
    md_store_close(st);
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "SELECT raw_codec FROM msg", NULL, NULL, NULL), SQLITE_OK);
    /* migration 5: the lines per host and hour */
    assert_int_equal(sqlite3_exec(db, "SELECT hour, lines FROM log_hour", NULL, NULL, NULL),
                     SQLITE_OK);
    /* migration 6: how a log source was read */
    assert_int_equal(sqlite3_exec(db, "SELECT read_year, read_tz FROM source", NULL, NULL, NULL),
                     SQLITE_OK);
    /* migration 7: TLS reports, DMARCbis columns; 8: DMARC failure reports */
    assert_int_equal(sqlite3_exec(db, "SELECT count, receiving_ip FROM rep_tls_failure;"
                                  "SELECT generator, discovery_method FROM rep_dmarc_report;"
                                  "SELECT auth_failure, spf_dns FROM msg_arf_auth",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static int count_hop(void *arg, const md_msg_hoprow *h)
{
    int *n = arg;
    /* the rows below: idx 1 and 2, the second with a delay */
    assert_int_equal(h->idx, *n + 1);
    assert_string_equal(h->ip, *n ? "40.92.1.1" : "141.89.68.7");
    assert_int_equal(h->has_delay, *n == 1);
    if (*n == 1) {
        assert_int_equal(h->delay, -3);
        assert_string_equal(h->qid, "AB12");
        assert_string_equal(h->ours_host, "");
    } else {
        assert_string_equal(h->ours_host, "ironout");
        assert_int_equal(h->date, 1461420000);
    }
    (*n)++;
    return 0;
}

static int count_auth(void *arg, const md_msg_authrow *a)
{
    int *n = arg;
    if (*n == 0) {
        assert_string_equal(a->source, "Authentication-Results");
        assert_string_equal(a->method, "spf");
        assert_string_equal(a->result, "pass");
        assert_string_equal(a->props, "smtp.mailfrom=uni-potsdam.de");
    } else {
        assert_string_equal(a->method, "dkim");
        assert_string_equal(a->authserv, "");
    }
    (*n)++;
    return 0;
}

/* a store of schema 2 (hops and results as rows) is migrated to 3: the
 * rows become the blobs of their messages, the tables go */
static void test_migrates_v2(void **state)
{
    (void)state;
    md_store *st;
    md_err e = {0, ""};
    fresh_store();
    sqlite3 *db;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, schema_2_msg, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "INSERT INTO msg (id, hash, kind, stored) VALUES (1, 'h1', 'message', 1),"
                     " (2, 'h2', 'message', 1), (3, 'h3', 'message', 1);"
                     "INSERT INTO msg_hop (msg_id, idx, parsed, ip, cls, ours_host, date, delay, qid)"
                     " VALUES (1, 2, 1, '40.92.1.1', 2, NULL, NULL, -3, 'AB12'),"
                     " (1, 1, 1, '141.89.68.7', 1, 'ironout', 1461420000, NULL, NULL),"
                     " (3, 1, 0, NULL, 0, NULL, NULL, NULL, NULL);"
                     "INSERT INTO msg_auth (msg_id, source, authserv, method, result, props)"
                     " VALUES (1, 'Authentication-Results', 'mx', 'spf', 'pass',"
                     " 'smtp.mailfrom=uni-potsdam.de'),"
                     " (1, 'DKIM-Signature', NULL, 'dkim', 'none', NULL);",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(md_store_open(&st, dbpath, MD_STORE_READONLY, &e), MD_OK);
    assert_int_equal(md_store_schema_version(st), MD_STORE_SCHEMA_VERSION);
    int n = 0;
    assert_int_equal(md_store_msg_hops(st, 1, count_hop, &n, &e), MD_OK);
    assert_int_equal(n, 2);
    n = 0;
    assert_int_equal(md_store_msg_our_ips(st, 1, count_hop, &n, &e), MD_OK);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(md_store_msg_auths(st, 1, count_auth, &n, &e), MD_OK);
    assert_int_equal(n, 2);
    n = 0;
    assert_int_equal(md_store_msg_hops(st, 2, count_hop, &n, &e), MD_OK);
    assert_int_equal(n, 0);
    assert_int_equal(md_store_msg_auths(st, 2, count_auth, &n, &e), MD_OK);
    assert_int_equal(n, 0);
    md_store_close(st);
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "SELECT 1 FROM msg_hop", NULL, NULL, NULL), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "SELECT 1 FROM msg_auth", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "SELECT hops, auth FROM msg_ev", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void test_readonly(void **state)
{
    (void)state;
    md_test_remove_db(dbpath);
    md_store *st;
    md_err e = {0, ""};
    /* no store yet: read-only does not create one */
    assert_int_equal(md_store_open(&st, dbpath, MD_STORE_READONLY, &e), MD_ERR_DB);
    assert_false(exists(dbpath));
    assert_non_null(strstr(e.msg, dbpath));
    assert_int_equal(md_store_open(&st, dbpath, 0, &e), MD_OK);
    md_source s;
    int created;
    assert_int_equal(md_store_source_get(st, "fp", "log", "a.log", &s, &created, &e), MD_OK);
    md_store_close(st);
    assert_int_equal(md_store_open(&st, dbpath, MD_STORE_READONLY, &e), MD_OK);
    assert_int_equal(md_store_schema_version(st), MD_STORE_SCHEMA_VERSION);
    char path[64];
    assert_int_equal(md_store_source_path(st, s.id, path, sizeof path, &e), MD_OK);
    assert_string_equal(path, "a.log");
    /* writing fails cleanly */
    assert_int_equal(md_store_source_get(st, "fp2", "log", "b.log", &s, &created, &e), MD_ERR_DB);
    assert_int_equal(e.code, MD_ERR_DB);
    md_store_close(st);
    /* an SQLite file without our schema is refused read-only */
    md_test_remove_db(dbpath);
    FILE *fp = fopen(dbpath, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(md_store_open(&st, dbpath, MD_STORE_READONLY, &e), MD_ERR_DB);
    assert_non_null(strstr(e.msg, "not a maildossier store"));
}

static void test_not_a_store(void **state)
{
    (void)state;
    md_test_remove_db(dbpath);
    FILE *fp = fopen(dbpath, "w");
    assert_non_null(fp);
    for (int i = 0; i < 200; i++)
        fputs("Apr 23 16:06:27 n-mail-2 sendmail[25978]: this is a log, not a store\n", fp);
    fclose(fp);
    md_store *st;
    md_err e = {0, ""};
    assert_int_equal(md_store_open(&st, dbpath, 0, &e), MD_ERR_DB);
    assert_non_null(strstr(e.msg, dbpath));
    assert_int_equal(md_store_open(&st, dbpath, MD_STORE_READONLY, &e), MD_ERR_DB);
    /* a directory that does not exist */
    assert_int_equal(md_store_open(&st, "/nonexistent/dir/maildossier.db", 0, &e), MD_ERR_DB);
    assert_non_null(strstr(e.msg, "/nonexistent/dir/maildossier.db"));
}

/* md_store_cached: one statement per text, reset and unbound between uses,
 * a fresh one while it is in use, finalized at close (a statement left
 * unfinalized would keep the database open: the file is then still locked
 * when the test removes it). */
/* md_store_begin_nofk: a child row without its parent goes in while the
 * transaction lasts; after commit or rollback the foreign keys hold again */
static void test_begin_nofk(void **state)
{
    (void)state;
    md_store *st = NULL;
    md_err e = {0, ""};
    md_test_remove_db(dbpath);
    assert_int_equal(md_store_open(&st, dbpath, 0, &e), MD_OK);
    static const char orphan1[] = "INSERT INTO msg_addr (addr, role, msg_id) VALUES ('a@x', 1, 4242)";
    static const char orphan2[] = "INSERT INTO msg_addr (addr, role, msg_id) VALUES ('b@x', 1, 4242)";
    static const char orphan3[] = "INSERT INTO msg_addr (addr, role, msg_id) VALUES ('c@x', 1, 4242)";
    assert_int_equal(md_store_begin_nofk(st, &e), MD_OK);
    assert_int_equal(md_store_begin_nofk(st, &e), MD_ERR_ARG);
    assert_int_equal(sqlite3_exec(st->db, orphan1, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(md_store_commit(st, &e), MD_OK);
    /* checked again: in a transaction and without */
    assert_int_equal(md_store_begin(st, &e), MD_OK);
    assert_int_not_equal(sqlite3_exec(st->db, orphan2, NULL, NULL, NULL), SQLITE_OK);
    md_store_rollback(st);
    assert_int_not_equal(sqlite3_exec(st->db, orphan2, NULL, NULL, NULL), SQLITE_OK);
    /* after a rollback too */
    assert_int_equal(md_store_begin_nofk(st, &e), MD_OK);
    assert_int_equal(sqlite3_exec(st->db, orphan3, NULL, NULL, NULL), SQLITE_OK);
    md_store_rollback(st);
    assert_int_not_equal(sqlite3_exec(st->db, orphan3, NULL, NULL, NULL), SQLITE_OK);
    md_store_close(st);
    md_test_remove_db(dbpath);
}

static void test_stmt_cache(void **state)
{
    (void)state;
    static const char sql[] = "SELECT ?1";
    md_test_remove_db(dbpath);
    md_store *st;
    md_err e = {0, ""};
    assert_int_equal(md_store_open(&st, dbpath, 0, &e), MD_OK);
    sqlite3_stmt *a, *b, *c;
    assert_int_equal(md_store_cached(st, &a, sql, &e), MD_OK);
    sqlite3_bind_int(a, 1, 42);
    assert_int_equal(sqlite3_step(a), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(a, 0), 42);
    /* nested use of the same text: another statement */
    assert_int_equal(md_store_cached(st, &b, sql, &e), MD_OK);
    assert_ptr_not_equal(a, b);
    md_store_finish(st, b);
    md_store_finish(st, a);
    /* the kept one comes back reset, its binding cleared */
    assert_int_equal(md_store_cached(st, &c, sql, &e), MD_OK);
    assert_ptr_equal(a, c);
    assert_int_equal(sqlite3_step(c), SQLITE_ROW);
    assert_int_equal(sqlite3_column_type(c, 0), SQLITE_NULL);
    md_store_finish(st, c);
    md_store_finish(st, NULL);
    /* an equal text at another address is its own entry */
    char other[sizeof sql];
    memcpy(other, sql, sizeof sql);
    assert_int_equal(md_store_cached(st, &b, other, &e), MD_OK);
    assert_ptr_not_equal(a, b);
    md_store_finish(st, b);
    /* beyond the cache's size: fresh statements, finalized when finished */
    static char texts[MD_STORE_CACHE + 4][32];
    for (int i = 0; i < MD_STORE_CACHE + 4; i++) {
        snprintf(texts[i], sizeof texts[i], "SELECT %d", i);
        assert_int_equal(md_store_cached(st, &b, texts[i], &e), MD_OK);
        assert_int_equal(sqlite3_step(b), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(b, 0), i);
        md_store_finish(st, b);
    }
    assert_int_equal((int)st->ncache, MD_STORE_CACHE);
    /* a bad text: an error naming it, nothing cached */
    assert_int_equal(md_store_cached(st, &b, "SELEC nonsense", &e), MD_ERR_DB);
    md_store_close(st);
    /* closed cleanly: every statement finalized, the file can be opened again */
    assert_int_equal(md_store_open(&st, dbpath, MD_STORE_READONLY, &e), MD_OK);
    md_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_wal_reopen),
        cmocka_unit_test(test_sources),
        cmocka_unit_test(test_newer_schema_refused),
        cmocka_unit_test(test_migrates_empty_file),
        cmocka_unit_test(test_migrates_v1),
        cmocka_unit_test(test_migrates_v2),
        cmocka_unit_test(test_readonly),
        cmocka_unit_test(test_not_a_store),
        cmocka_unit_test(test_stmt_cache),
        cmocka_unit_test(test_begin_nofk),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
