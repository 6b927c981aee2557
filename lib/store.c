/* store.c: opening, configuring and migrating the SQLite evidence store, and
 * the sources table that makes ingest idempotent and resumable (see
 * store.h).  Owns the sqlite3 handle.  Never prints. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "store_int.h"

static const char schema_core[] =
    "CREATE TABLE source ("
    "  id INTEGER PRIMARY KEY,"
    "  fingerprint TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL,"
    "  first_path TEXT NOT NULL,"
    "  last_path TEXT NOT NULL,"
    "  lines_done INTEGER NOT NULL DEFAULT 0,"
    "  bytes_done INTEGER NOT NULL DEFAULT 0,"
    "  complete INTEGER NOT NULL DEFAULT 0,"
    "  first_seen INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL);"
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);";

int md_store_dberr(md_store *st, md_err *err, const char *what)
{
    return md_err_set(err, MD_ERR_DB, "%s: %s: %s", st->path, what,
                      st->db ? sqlite3_errmsg(st->db) : "no database");
}

int md_store_prepare(md_store *st, sqlite3_stmt **out, const char *sql, int persist,
                     md_err *err)
{
    if (sqlite3_prepare_v3(st->db, sql, -1, persist ? SQLITE_PREPARE_PERSISTENT : 0, out,
                           NULL) != SQLITE_OK) {
        char what[64];
        snprintf(what, sizeof what, "preparing \"%.40s\"", sql);
        return md_store_dberr(st, err, what);
    }
    return MD_OK;
}

int md_store_cached(md_store *st, sqlite3_stmt **out, const char *sql, md_err *err)
{
    size_t i;
    for (i = 0; i < st->ncache; i++)
        if (st->cache[i].sql == sql && strcmp(sqlite3_sql(st->cache[i].s), sql) == 0)
            break;
    if (i < st->ncache) {
        if (st->cache[i].busy)
            return md_store_prepare(st, out, sql, 0, err); /* nested use */
        st->cache[i].busy = 1;
        *out = st->cache[i].s;
        return MD_OK;
    }
    if (md_store_prepare(st, out, sql, st->ncache < MD_STORE_CACHE, err) != MD_OK)
        return MD_ERR_DB;
    if (st->ncache < MD_STORE_CACHE) {
        st->cache[st->ncache].sql = sql;
        st->cache[st->ncache].s = *out;
        st->cache[st->ncache].busy = 1;
        st->ncache++;
    }
    return MD_OK;
}

void md_store_finish(md_store *st, sqlite3_stmt *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < st->ncache; i++)
        if (st->cache[i].s == s) {
            sqlite3_reset(s);
            sqlite3_clear_bindings(s);
            st->cache[i].busy = 0;
            return;
        }
    sqlite3_finalize(s);
}

int md_store_exec(md_store *st, const char *sql, md_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        md_err_set(err, MD_ERR_DB, "%s: %s", st->path, msg ? msg : "exec failed");
        sqlite3_free(msg);
        return MD_ERR_DB;
    }
    return MD_OK;
}

int md_store_bind_text(sqlite3_stmt *s, int i, const char *t, int n)
{
    if (!t)
        return sqlite3_bind_null(s, i);
    return sqlite3_bind_text(s, i, t, n, SQLITE_TRANSIENT);
}

const char *md_store_col_text(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? (const char *)t : "";
}

static int user_version(md_store *st)
{
    sqlite3_stmt *s;
    int v = -1;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            v = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    return v;
}

/* Migration 1: the first schema, every area's tables. */
static int migrate_1(md_store *st, md_err *err)
{
    const char *parts[] = {schema_core, md_store_schema_log, md_store_schema_msg,
                           md_store_schema_rules, md_store_schema_rep, md_store_schema_case};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (parts[i][0] && md_store_exec(st, parts[i], err) != MD_OK)
            return MD_ERR_DB;
    return MD_OK;
}

/* Migration 2: msg.raw_codec (raw messages stored zstd-compressed). */
static int migrate_2(md_store *st, md_err *err)
{
    return md_store_exec(st, md_store_schema_msg_2, err);
}

static const struct {
    int version;
    int (*run)(md_store *, md_err *);
} migrations[] = {
    {1, migrate_1},
    {2, migrate_2},
    {3, md_store_msg_migrate_3}, /* hops and results as blobs (msg_ev) */
};

/* the refusal of a store of schema v, newer than this build's: one message
 * for the reading and the writing opens */
static int newer_schema(md_store *st, int v, md_err *err)
{
    return md_err_set(err, MD_ERR_DB,
                      "%s: schema version %d was made by a newer maildossier (this one "
                      "knows %d)", st->path, v, MD_STORE_SCHEMA_VERSION);
}

static int migrate(md_store *st, md_err *err)
{
    int v = user_version(st);
    if (v < 0)
        return md_store_dberr(st, err, "reading schema version");
    if (v > MD_STORE_SCHEMA_VERSION)
        return newer_schema(st, v, err);
    for (size_t i = 0; i < sizeof migrations / sizeof migrations[0]; i++) {
        if (migrations[i].version <= v)
            continue;
        if (md_store_exec(st, "BEGIN IMMEDIATE", err) != MD_OK)
            return MD_ERR_DB;
        /* another process may have migrated while we waited for the lock */
        if (user_version(st) >= migrations[i].version) {
            md_store_exec(st, "COMMIT", err);
            continue;
        }
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", migrations[i].version);
        if (migrations[i].run(st, err) != MD_OK || md_store_exec(st, sql, err) != MD_OK) {
            md_store_exec(st, "ROLLBACK", NULL);
            return MD_ERR_DB;
        }
        if (md_store_exec(st, "COMMIT", err) != MD_OK)
            return MD_ERR_DB;
    }
    return MD_OK;
}

/* SQLite's process-wide settings, before its first use: no memory
 * statistics (a global mutex taken around every allocation and free, some
 * 250 per stored message).  When the embedding program has started SQLite
 * already, its settings stay (sqlite3_config refuses: harmless). */
static void sqlite_setup(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* internal flag: the read-only open after upgrading an older store */
#define MD_STORE_UPGRADED 0x100

/* A rollback journal left by a writer killed in bulk mode
 * (md_store_bulk_journal): a read-only connection cannot roll it back. */
static int hot_journal(const char *path)
{
    char j[MD_LIMIT_PATH + 16];
    struct stat sb;
    return (size_t)snprintf(j, sizeof j, "%s-journal", path) < sizeof j && stat(j, &sb) == 0 &&
           sb.st_size > 0;
}

int md_store_open(md_store **out, const char *path, int flags, md_err *err)
{
    *out = NULL;
    if ((flags & MD_STORE_READONLY) && hot_journal(path)) {
        /* roll it back (and return to the WAL) as a writer would; when that
         * fails the read-only open below reports the store's state */
        md_store *rw = NULL;
        md_err e = {0, ""};
        if (md_store_open(&rw, path, 0, &e) == MD_OK)
            md_store_close(rw);
    }
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sqlite_setup);
    md_store *st = calloc(1, sizeof *st);
    if (!st)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    snprintf(st->path, sizeof st->path, "%s", path);
    /* NOMUTEX: one thread at a time (store.h); SQLite's per-call locking
     * was 8% of a trace's instructions */
    int oflags = SQLITE_OPEN_NOMUTEX | ((flags & MD_STORE_READONLY)
                                            ? SQLITE_OPEN_READONLY
                                            : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
        int rc = md_store_dberr(st, err, "cannot open");
        md_store_close(st);
        return rc;
    }
    sqlite3_busy_timeout(st->db, 10000);
    sqlite3_extended_result_codes(st->db, 1);
    /* a new store has pages of 16 KiB: a message ingest wrote 4x fewer
     * pages (a page write is a system call) and its commits took 0.5 s
     * instead of 0.9 s for 100,000 messages; a trace reads no more */
    const char *pragmas = (flags & MD_STORE_READONLY)
        ? "PRAGMA foreign_keys=ON; PRAGMA cache_size=-16384"
        : "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
          " PRAGMA foreign_keys=ON;"
          "PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY";
    if (md_store_exec(st, pragmas, err) != MD_OK ||
        ((flags & (MD_STORE_READONLY | MD_STORE_MAPPED)) &&
         md_store_exec(st, "PRAGMA mmap_size=1073741824", err) != MD_OK) ||
        (!(flags & MD_STORE_READONLY) && migrate(st, err) != MD_OK)) {
        md_store_close(st);
        return MD_ERR_DB;
    }
    int v = (flags & MD_STORE_READONLY) ? user_version(st) : MD_STORE_SCHEMA_VERSION;
    if (v > 0 && v < MD_STORE_SCHEMA_VERSION && !(flags & MD_STORE_UPGRADED)) {
        /* an older store read by a reading command: migrate it once (as a
         * writing command would), then read it */
        md_store_close(st);
        md_store *rw = NULL;
        if (md_store_open(&rw, path, 0, err) != MD_OK) {
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err->msg);
            return md_err_set(err, MD_ERR_DB, "%s: schema %d needs an upgrade to %d: %s", path, v,
                              MD_STORE_SCHEMA_VERSION, why);
        }
        md_store_close(rw);
        return md_store_open(out, path, flags | MD_STORE_UPGRADED, err);
    }
    if (v != MD_STORE_SCHEMA_VERSION) {
        if (v > MD_STORE_SCHEMA_VERSION)
            newer_schema(st, v, err);
        else
            md_err_set(err, MD_ERR_DB, "%s: not a maildossier store of schema %d", path,
                       MD_STORE_SCHEMA_VERSION);
        md_store_close(st);
        return MD_ERR_DB;
    }
    *out = st;
    return MD_OK;
}

void md_store_close(md_store *st)
{
    if (!st)
        return;
    if (st->db) {
        for (size_t i = 0; i < st->ncache; i++)
            sqlite3_finalize(st->cache[i].s);
        if (st->in_tx)
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        st->in_tx = 0;
        md_store_bulk_journal(st, 0);
        sqlite3_close_v2(st->db);
    }
    free(st);
}

const char *md_store_path(const md_store *st)
{
    return st->path;
}

int md_store_schema_version(md_store *st)
{
    return user_version(st);
}

/* fk_on: foreign keys on again after a transaction of md_store_begin_nofk
 * (outside a transaction: within one the pragma does nothing) */
static void fk_on(md_store *st)
{
    if (st->nofk && !st->in_tx && md_store_exec(st, "PRAGMA foreign_keys=ON", NULL) == MD_OK)
        st->nofk = 0;
}

/* begin: BEGIN IMMEDIATE, with foreign keys off first when nofk */
static int begin(md_store *st, int nofk, md_err *err)
{
    if (st->in_tx)
        return md_err_set(err, MD_ERR_ARG, "transaction already open");
    if (nofk) {
        if (md_store_exec(st, "PRAGMA foreign_keys=OFF", err) != MD_OK)
            return MD_ERR_DB;
        st->nofk = 1;
    }
    if (md_store_exec(st, "BEGIN IMMEDIATE", err) != MD_OK) {
        fk_on(st);
        return MD_ERR_DB;
    }
    st->in_tx = 1;
    return MD_OK;
}

int md_store_begin(md_store *st, md_err *err)
{
    return begin(st, 0, err);
}

int md_store_begin_nofk(md_store *st, md_err *err)
{
    return begin(st, 1, err);
}

int md_store_commit(md_store *st, md_err *err)
{
    if (!st->in_tx)
        return MD_OK;
    if (md_store_exec(st, "COMMIT", err) != MD_OK)
        return MD_ERR_DB;
    st->in_tx = 0;
    fk_on(st);
    return MD_OK;
}

void md_store_rollback(md_store *st)
{
    if (st->in_tx) {
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        st->in_tx = 0;
    }
    fk_on(st);
}

void md_store_bulk(md_store *st, int on)
{
    if (!st)
        return;
    int was = st->bulk;
    st->bulk += on ? 1 : (st->bulk > 0 ? -1 : 0);
    if (!was != !st->bulk)
        md_store_exec(st, st->bulk ? "PRAGMA wal_autocheckpoint=50000"
                                   : "PRAGMA wal_autocheckpoint=1000", NULL);
}

sqlite3_stmt *md_store_row(md_store *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    sqlite3_stmt *s = NULL;
    if (sql && sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        sqlite3_free(sql);
        return s;
    }
    sqlite3_free(sql);
    sqlite3_finalize(s);
    return NULL;
}

/* Set the journal mode; 1 when the store now is in `mode` (as reported). */
static int journal_mode(md_store *st, const char *mode)
{
    sqlite3_stmt *s = md_store_row(st, "PRAGMA journal_mode=%s", mode);
    int ok = s && sqlite3_stricmp((const char *)sqlite3_column_text(s, 0), mode) == 0;
    sqlite3_finalize(s);
    return ok;
}

void md_store_bulk_journal(md_store *st, int on)
{
    if (!st || st->in_tx || !on == !st->rbj)
        return;
    if (on && getenv("MAILDOSSIER_INGEST_WAL")) /* readers must not wait (store_int.h) */
        return;
    if (on)
        st->rbj = journal_mode(st, "DELETE");
    else if (journal_mode(st, "WAL"))
        st->rbj = 0;
}

void md_store_source_row(sqlite3_stmt *s, md_source *out)
{
    out->id = sqlite3_column_int64(s, 0);
    snprintf(out->kind, sizeof out->kind, "%s", md_store_col_text(s, 1));
    out->lines_done = (uint64_t)sqlite3_column_int64(s, 2);
    out->bytes_done = (uint64_t)sqlite3_column_int64(s, 3);
    out->complete = sqlite3_column_int(s, 4);
}

int md_store_source_get(md_store *st, const char *fingerprint, const char *kind,
                        const char *path, md_source *out, int *created, md_err *err)
{
    sqlite3_stmt *s = NULL;
    int rc = MD_ERR_DB;
    *created = 0;
    memset(out, 0, sizeof *out);
    if (md_store_prepare(st, &s,
                         "UPDATE source SET last_path = ?2, last_seen = strftime('%s','now')"
                         " WHERE fingerprint = ?1"
                         " RETURNING id, kind, lines_done, bytes_done, complete", 0, err) != MD_OK)
        return MD_ERR_DB;
    md_store_bind_text(s, 1, fingerprint, -1);
    md_store_bind_text(s, 2, path, -1);
    int step = sqlite3_step(s);
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        md_store_dberr(st, err, "looking up source");
        goto out;
    }
    if (step == SQLITE_DONE) {
        sqlite3_finalize(s);
        s = NULL;
        if (md_store_prepare(st, &s,
                             "INSERT INTO source(fingerprint, kind, first_path, last_path,"
                             " first_seen, last_seen) VALUES(?1, ?2, ?3, ?3,"
                             " strftime('%s','now'), strftime('%s','now'))"
                             " RETURNING id, kind, lines_done, bytes_done, complete",
                             0, err) != MD_OK)
            return MD_ERR_DB;
        md_store_bind_text(s, 1, fingerprint, -1);
        md_store_bind_text(s, 2, kind, -1);
        md_store_bind_text(s, 3, path, -1);
        if (sqlite3_step(s) != SQLITE_ROW) {
            md_store_dberr(st, err, "recording source");
            goto out;
        }
        *created = 1;
    }
    md_store_source_row(s, out);
    while (sqlite3_step(s) == SQLITE_ROW)
        ;
    rc = MD_OK;
out:
    sqlite3_finalize(s);
    return rc;
}

int md_store_source_progress(md_store *st, int64_t id, uint64_t lines_done,
                             uint64_t bytes_done, int complete, md_err *err)
{
    sqlite3_stmt *s = NULL;
    if (md_store_prepare(st, &s,
                         "UPDATE source SET lines_done = ?2, bytes_done = ?3, complete = ?4"
                         " WHERE id = ?1", 0, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)lines_done);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)bytes_done);
    sqlite3_bind_int(s, 4, complete);
    int rc = sqlite3_step(s) == SQLITE_DONE ? MD_OK : md_store_dberr(st, err, "source progress");
    sqlite3_finalize(s);
    return rc;
}

int md_store_source_path(md_store *st, int64_t id, char *dst, size_t n, md_err *err)
{
    sqlite3_stmt *s = NULL;
    if (md_store_prepare(st, &s, "SELECT last_path FROM source WHERE id = ?1", 0, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, id);
    snprintf(dst, n, "%s", sqlite3_step(s) == SQLITE_ROW ? md_store_col_text(s, 0) : "");
    sqlite3_finalize(s);
    return MD_OK;
}
