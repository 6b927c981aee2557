/* store.c: opening, configuring and migrating the SQLite evidence store, and
 * the sources table that makes ingest idempotent and resumable (see
 * store.h).  Owns the sqlite3 handle.  Never prints. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "base/buf.h"
#include "store/store_int.h"
#include "base/text.h"

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

static void turn_writer(md_store *st, char *dst, size_t n);

/* busy_err: the store stayed busy for longer than we wait */
static int busy_err(md_store *st, md_err *err)
{
    char what[512];
    turn_writer(st, what, sizeof what);
    return md_err_set(err, MD_ERR_DB, "gave up after waiting %d s for %s (see --wait)",
                      (st->wait_ms + 999) / 1000, what);
}

int md_store_dberr(md_store *st, md_err *err, const char *what)
{
    if (st->db && (sqlite3_errcode(st->db) & 0xff) == SQLITE_BUSY)
        return busy_err(st, err);
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
        if ((sqlite3_errcode(st->db) & 0xff) == SQLITE_BUSY)
            busy_err(st, err);
        else
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

/* Migration 4: a request's case number and withdrawal (store_case.c). */
static int migrate_4(md_store *st, md_err *err)
{
    return md_store_exec(st, md_store_schema_case_4, err);
}

/* Migration 5: log lines per (source, host, hour) for the coverage. */
static int migrate_5(md_store *st, md_err *err)
{
    return md_store_exec(st, md_store_schema_log_4, err);
}

static const struct {
    int version;
    int (*run)(md_store *, md_err *);
} migrations[] = {
    {1, migrate_1},
    {2, migrate_2},
    {3, md_store_msg_migrate_3}, /* hops and results as blobs (msg_ev) */
    {4, migrate_4},              /* requests: case number, withdrawn */
    {5, migrate_5},              /* log lines per host and hour (log_hour) */
    {6, md_store_forget_migrate_6}, /* how a log source was read (store_forget.c) */
    {7, md_store_tls_migrate_7},    /* TLS-RPT reports (store_tls.c) */
    {8, md_store_authfail_migrate_8}, /* DMARC failure reports (store_authfail.c) */
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

/* ---- taking turns -------------------------------------------------------
 * SQLite hands its write lock to whoever asks first once it is free, and a
 * waiting connection only asks again after a sleep: a bulk writer that
 * commits and begins again at once would starve every other writer.  So
 * writers take turns through PATH-lock, with open file description locks
 * (F_OFD_*: owned by our descriptor, not the process, so that a second
 * store in one process or a closed descriptor elsewhere cannot drop them):
 *   byte TURN_HOLD   write-locked by the connection in a write transaction;
 *                    the file's text says who ("maildossier ingest (pid 42,
 *                    since 10:00:02)"), for those who wait;
 *   byte TURN_WAIT   read-locked by every connection waiting in
 *                    md_store_begin for the write lock;
 *   byte TURN_LOGS   write-locked by the connection reading a log
 *                    (md_store_claim_logs); the text after the holder's
 *                    says who.
 * A connection that committed before lets the waiters go first when it
 * begins again (turn_yield); a bulk writer also commits early when it sees
 * one (md_store_slice_due).  Where the file cannot be had (a read-only
 * directory) turn_fd is -1 and nothing but the fairness is lost.  The lock
 * file is never removed: another command may hold it open. */
enum { TURN_HOLD = 0, TURN_WAIT = 1, TURN_LOGS = 2, TURN_TEXT = 16, TURN_TEXT_LEN = 160 };


static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* turn_lock: lock (F_RDLCK, F_WRLCK) or unlock (F_UNLCK) one byte, without
 * waiting; 0 when done */
static int turn_lock(md_store *st, int byte, short type)
{
    if (st->turn_fd < 0)
        return -1;
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = byte, .l_len = 1};
    return fcntl(st->turn_fd, F_OFD_SETLK, &fl);
}

/* turn_taken: 1 when another descriptor holds a lock on the byte that
 * conflicts with `type` */
static int turn_taken(md_store *st, int byte, short type)
{
    if (st->turn_fd < 0)
        return 0;
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = byte, .l_len = 1};
    return fcntl(st->turn_fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
}

static void turn_open(md_store *st, int flags)
{
    char p[MD_LIMIT_PATH + 8];
    st->turn_fd = -1;
    if ((size_t)snprintf(p, sizeof p, "%s-lock", st->path) >= sizeof p)
        return;
    /* as readable and writable as the store: whoever may write it takes turns */
    struct stat db;
    mode_t mode = stat(st->path, &db) == 0 ? (db.st_mode & 0666) : 0644;
    int fd = -1;
    if (!(flags & MD_STORE_READONLY)) {
        fd = open(p, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd >= 0 && fchmod(fd, mode) != 0) { /* (past the umask) */
            /* it stays as the umask made it: those who may not write it wait
             * as SQLite lets them, without turns */
        }
        if (fd < 0)
            fd = open(p, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    }
    if (fd < 0) /* a reader that may not create it still reads who holds it */
        fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat sb;
    if (fd >= 0 && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))) {
        close(fd);
        fd = -1;
    }
    st->turn_fd = fd;
}

/* turn_say: write who we are at `off` of the lock file (best effort: the
 * text only informs those who wait): "maildossier ingest (pid 42, since
 * 10:00:02)" */
static void turn_say(md_store *st, off_t off)
{
    char text[TURN_TEXT_LEN], when[16];
    md_text_time(when, sizeof when, (int64_t)time(NULL), "%H:%M:%S", "");
    memset(text, 0, sizeof text);
    snprintf(text, sizeof text, "%s (pid %ld, since %s)", st->label, (long)getpid(), when);
    if (pwrite(st->turn_fd, text, sizeof text, off) != (ssize_t)sizeof text) {
        /* nothing to do: those who wait are told less */
    }
}

/* turn_hold: we hold the write lock: take the holder byte, say who we are */
static void turn_hold(md_store *st)
{
    if (turn_lock(st, TURN_HOLD, F_WRLCK) != 0)
        return;
    st->holding = 1;
    turn_say(st, TURN_TEXT);
}

static void turn_release(md_store *st)
{
    if (st->holding && turn_lock(st, TURN_HOLD, F_UNLCK) == 0)
        st->holding = 0;
}

/* turn_yield: before a write transaction of a connection that wrote
 * before: wait until the writers waiting for the lock are through (they
 * leave TURN_WAIT when they have it), at most MD_LIMIT_YIELD_MS */
static void turn_yield(md_store *st)
{
    if (!st->wrote || !turn_taken(st, TURN_WAIT, F_WRLCK))
        return;
    int64_t t0 = md_text_clock_ms();
    while (turn_taken(st, TURN_WAIT, F_WRLCK) && md_text_clock_ms() - t0 < MD_LIMIT_YIELD_MS)
        sleep_ms(1);
}

/* turn_who: what we wait for (the holder of `byte`, whose text is at
 * `off`), into dst (cut to n - 1 bytes) */
static void turn_who(md_store *st, int byte, off_t off, const char *what, char *dst, size_t n)
{
    char text[TURN_TEXT_LEN + 1], clean[TURN_TEXT_LEN * 4 + 1];
    ssize_t r = -1;
    if (turn_taken(st, byte, F_RDLCK))
        r = pread(st->turn_fd, text, TURN_TEXT_LEN, off);
    if (r > 0) {
        text[r] = '\0';
        md_text_printable(clean, sizeof clean, text, strlen(text));
    }
    int k = r > 0 ? snprintf(dst, n, "%s to finish %s %s", clean, what, st->path)
                  : snprintf(dst, n, "%s: another program holds it (a maildossier command "
                                     "starting or ending, or sqlite3)", st->path);
    if (k < 0 || (size_t)k >= n)
        dst[n - 1] = '\0'; /* cut: the path is the store's, already shown elsewhere */
}

/* turn_writer: what a writer waits for */
static void turn_writer(md_store *st, char *dst, size_t n)
{
    turn_who(st, TURN_HOLD, TURN_TEXT, "writing to", dst, n);
}

/* busy: SQLite's busy handler: wait in steps of a few ms (so that a turn
 * given is taken at once), announce a writer that waits, tell the user
 * once, give up after wait_ms */
static int busy(void *arg, int count)
{
    md_store *st = arg;
    int64_t now = md_text_clock_ms();
    if (count == 0) {
        st->wait_t0 = now;
        st->wait_told = 0;
    }
    if (st->beginning && !st->announced)
        st->announced = turn_lock(st, TURN_WAIT, F_RDLCK) == 0;
    int64_t waited = now - st->wait_t0;
    if (waited >= st->wait_ms)
        return 0;
    if (!st->wait_told && waited >= MD_LIMIT_WAIT_TELL_MS && st->on_wait) {
        char what[512];
        turn_writer(st, what, sizeof what);
        st->on_wait(st->wait_arg, what);
        st->wait_told = 1;
    }
    sleep_ms(waited < 100 ? 1 : 4);
    return 1;
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

/* set_journal: a writer's store is in the WAL, except while a bulk writer
 * has switched it to a rollback journal (md_store_bulk_journal): then the
 * switch back fails (SQLite answers "busy" at once: the bulk writer holds
 * its write lock) and this connection works with the rollback journal
 * too, as SQLite does by itself when another connection changes the mode. */
static void set_journal(md_store *st)
{
    sqlite3_stmt *s = md_store_row(st, "PRAGMA journal_mode");
    int wal = s && sqlite3_stricmp((const char *)sqlite3_column_text(s, 0), "wal") == 0;
    sqlite3_finalize(s);
    if (!wal) {
        s = md_store_row(st, "PRAGMA journal_mode=WAL");
        sqlite3_finalize(s);
    }
}

int md_store_open(md_store **out, const char *path, int flags, md_err *err)
{
    return md_store_open_opts(out, path, flags, NULL, err);
}

int md_store_open_opts(md_store **out, const char *path, int flags, const md_store_opts *o,
                       md_err *err)
{
    *out = NULL;
    if ((flags & MD_STORE_READONLY) && hot_journal(path)) {
        /* roll it back (and return to the WAL) as a writer would; when that
         * fails the read-only open below reports the store's state */
        md_store *rw = NULL;
        md_err e = {0, ""};
        if (md_store_open_opts(&rw, path, 0, o, &e) == MD_OK)
            md_store_close(rw);
    }
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sqlite_setup);
    md_store *st = calloc(1, sizeof *st);
    if (!st)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    snprintf(st->path, sizeof st->path, "%s", path);
    snprintf(st->label, sizeof st->label, "%s", o && o->label ? o->label : "maildossier");
    st->wait_ms = !o || o->wait_ms == 0 ? MD_LIMIT_WAIT_MS : o->wait_ms < 0 ? 0 : o->wait_ms;
    st->on_wait = o ? o->on_wait : NULL;
    st->wait_arg = o ? o->arg : NULL;
    st->keep_wal = o ? o->keep_wal : 0;
    turn_open(st, flags);
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
    sqlite3_busy_handler(st->db, busy, st);
    sqlite3_extended_result_codes(st->db, 1);
    /* a new store has pages of 16 KiB: a message ingest wrote 4x fewer
     * pages (a page write is a system call) and its commits took 0.5 s
     * instead of 0.9 s for 100,000 messages; a trace reads no more */
    const char *pragmas = (flags & MD_STORE_READONLY)
        ? "PRAGMA foreign_keys=ON; PRAGMA cache_size=-16384"
        : "PRAGMA page_size=16384; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
          "PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY";
    if (md_store_exec(st, pragmas, err) != MD_OK ||
        ((flags & (MD_STORE_READONLY | MD_STORE_MAPPED)) &&
         md_store_exec(st, "PRAGMA mmap_size=1073741824", err) != MD_OK) ||
        (!(flags & MD_STORE_READONLY) && migrate(st, err) != MD_OK)) {
        md_store_close(st);
        return MD_ERR_DB;
    }
    if (!(flags & MD_STORE_READONLY)) /* (after migrate's check: a newer store stays as it is) */
        set_journal(st);
    int v = (flags & MD_STORE_READONLY) ? user_version(st) : MD_STORE_SCHEMA_VERSION;
    if (v > 0 && v < MD_STORE_SCHEMA_VERSION && !(flags & MD_STORE_UPGRADED)) {
        /* an older store read by a reading command: migrate it once (as a
         * writing command would), then read it */
        md_store_close(st);
        md_store *rw = NULL;
        if (md_store_open_opts(&rw, path, 0, o, err) != MD_OK) {
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err->msg);
            return md_err_set(err, MD_ERR_DB, "%s: schema %d needs an upgrade to %d: %s", path, v,
                              MD_STORE_SCHEMA_VERSION, why);
        }
        md_store_close(rw);
        return md_store_open_opts(out, path, flags | MD_STORE_UPGRADED, o, err);
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
    if (st->turn_fd >= 0)
        close(st->turn_fd); /* our locks go with it */
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
    turn_yield(st);
    st->beginning = 1;
    int rc = md_store_exec(st, "BEGIN IMMEDIATE", err);
    st->beginning = 0;
    if (st->announced && turn_lock(st, TURN_WAIT, F_UNLCK) == 0)
        st->announced = 0;
    if (rc != MD_OK) {
        if ((sqlite3_errcode(st->db) & 0xff) == SQLITE_BUSY)
            busy_err(st, err);
        fk_on(st);
        return MD_ERR_DB;
    }
    st->in_tx = 1;
    st->tx_t0 = md_text_clock_ms();
    turn_hold(st);
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
    st->wrote = 1;
    turn_release(st);
    fk_on(st);
    if (st->on_commit)
        st->on_commit(st->commit_arg);
    return MD_OK;
}

void md_store_on_commit(md_store *st, md_store_commit_fn fn, void *arg)
{
    if (!st)
        return;
    st->on_commit = fn;
    st->commit_arg = arg;
}

void md_store_rollback(md_store *st)
{
    if (st->in_tx) {
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        st->in_tx = 0;
    }
    turn_release(st);
    fk_on(st);
}

int md_store_claim_logs(md_store *st, md_err *err)
{
    if (st->logs || st->turn_fd < 0)
        return MD_OK; /* no lock file: nothing to take turns with */
    int64_t t0 = md_text_clock_ms();
    int told = 0;
    char what[512];
    while (turn_lock(st, TURN_LOGS, F_WRLCK) != 0) {
        if (errno != EAGAIN && errno != EACCES)
            return MD_OK; /* a read-only lock file: nothing to take turns with */
        int64_t waited = md_text_clock_ms() - t0;
        if (waited >= st->wait_ms || (!told && waited >= MD_LIMIT_WAIT_TELL_MS)) {
            turn_who(st, TURN_LOGS, TURN_TEXT + TURN_TEXT_LEN, "reading a log into", what,
                     sizeof what);
            if (waited >= st->wait_ms)
                return md_err_set(err, MD_ERR_DB, "gave up after waiting %d s for %s (see "
                                  "--wait)", (st->wait_ms + 999) / 1000, what);
            if (st->on_wait)
                st->on_wait(st->wait_arg, what);
            told = 1;
        }
        sleep_ms(5);
    }
    st->logs = 1;
    turn_say(st, TURN_TEXT + TURN_TEXT_LEN);
    return MD_OK;
}

void md_store_release_logs(md_store *st)
{
    if (st->logs && turn_lock(st, TURN_LOGS, F_UNLCK) == 0)
        st->logs = 0;
}

int md_store_slice_due(md_store *st)
{
    if (!st->in_tx)
        return 0;
    int64_t now = md_text_clock_ms(), open = now - st->tx_t0;
    if (open >= MD_LIMIT_SLICE_MS)
        return 1;
    /* a writer waits: let it in soon, but not for every row (a look at the
     * lock file is a system call) */
    if (open < 5 || now - st->waiters_t < 5)
        return 0;
    st->waiters_t = now;
    return turn_taken(st, TURN_WAIT, F_WRLCK);
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
    if (on && st->keep_wal) /* readers must not wait (store_int.h) */
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

/* md_store_list_rows: store_int.h */
int md_store_list_rows(md_store *st, sqlite3_stmt *s, void **out, size_t *n, size_t elem,
                       void (*fill)(sqlite3_stmt *s, void *row), const char *what, md_err *err)
{
    void *arr = NULL;
    size_t cnt = 0, cap = 0;
    int step, rc = MD_OK;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        void *g = md_grow(arr, &cap, cnt + 1, elem, 16);
        if (!g) {
            rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            break;
        }
        arr = g;
        void *row = (char *)arr + cnt++ * elem;
        memset(row, 0, elem);
        fill(s, row);
    }
    if (rc == MD_OK && step != SQLITE_DONE)
        rc = md_store_dberr(st, err, what);
    md_store_finish(st, s);
    if (rc != MD_OK) {
        free(arr);
        return rc;
    }
    *out = arr;
    *n = cnt;
    return MD_OK;
}
