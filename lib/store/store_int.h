/* store_int.h: private to lib/store/.  The store handle and helpers for
 * the area files.  Nothing else may include this (or sqlite3.h). */
#ifndef MD_STORE_INT_H
#define MD_STORE_INT_H

#include <sqlite3.h>
#include "base/md_limits.h"
#include "store/store.h"

#define MD_STORE_CACHE 16   /* statements kept by md_store_cached */

struct md_store {
    sqlite3 *db;
    char path[MD_LIMIT_PATH];
    int in_tx;
    int bulk;   /* writers open in bulk mode (md_store_bulk) */
    int rbj;    /* in rollback-journal mode (md_store_bulk_journal) */
    int nofk;   /* foreign keys off until the transaction ends (md_store_begin_nofk) */
    struct {
        const char *sql;     /* the caller's (static) text: the key */
        sqlite3_stmt *s;
        int busy;            /* handed out, not yet finished */
    } cache[MD_STORE_CACHE];
    size_t ncache;
    void *localday;  /* store_log.c: md_localday()'s cache, owned by SQLite */
    md_store_commit_fn on_commit;  /* md_store_on_commit */
    void *commit_arg;
    /* sharing (store.c, "taking turns") */
    int turn_fd;           /* PATH-lock, or -1 (then no turns: SQLite's order) */
    char label[64];        /* who we are, for those who wait */
    int wait_ms;           /* longest wait; 0: do not wait */
    md_store_wait_fn on_wait;
    void *wait_arg;
    int keep_wal;          /* md_store_opts.keep_wal */
    int beginning;         /* in md_store_begin's BEGIN: waiting announces itself */
    int announced;         /* holds the waiting byte */
    int holding;           /* holds the holder byte (in a write transaction) */
    int logs;              /* holds the log reader's byte (md_store_claim_logs) */
    int wrote;             /* committed a write transaction: yields before the next */
    int64_t wait_t0;       /* when the current wait began (ms) */
    int wait_told;         /* on_wait called for the current wait */
    int64_t tx_t0;         /* when the open write transaction began (ms) */
    int64_t waiters_t;     /* when md_store_slice_due last looked for waiters (ms) */
};

/* Area schemas, applied in this order by migration 1 (each file owns its
 * tables; a string of ';'-separated CREATE statements). */
extern const char md_store_schema_log[];
extern const char md_store_schema_msg[];
extern const char md_store_schema_rules[];
extern const char md_store_schema_rep[];
extern const char md_store_schema_case[];
extern const char md_store_schema_case_4[];
/* Migration 2: raw messages compressed (msg.raw_codec). */
extern const char md_store_schema_msg_2[];
/* Migration 3: hops and authentication results as blobs of msg_ev, one row
 * per message (store_msg.c moves the rows of msg_hop and msg_auth, then
 * drops them). */
int md_store_msg_migrate_3(md_store *st, md_err *err);
/* Migration 5: log lines per (source, host, hour) (log_hour, store_log.c). */
extern const char md_store_schema_log_4[];
/* Migration 6: source.read_year, source.read_tz (store_forget.c). */
int md_store_forget_migrate_6(md_store *st, md_err *err);
/* store_tls.c: migration 7 (TLS reports, DMARCbis columns) and the
 * DMARCbis fields of a DMARC report just inserted as `id` (store_rep.c). */
int md_store_tls_migrate_7(md_store *st, md_err *err);
/* store_authfail.c: migration 8 (DMARC failure reports' fields) */
int md_store_authfail_migrate_8(md_store *st, md_err *err);
struct md_dmarc_report;
int md_store_tls_dmarc_bis_put(md_store *st, const struct md_dmarc_report *r, int64_t id,
                               md_err *err);

/* md_store_dberr: set err from the database's last error; returns MD_ERR_DB. */
int md_store_dberr(md_store *st, md_err *err, const char *what);
/* md_store_prepare: prepare sql (sqlite3_prepare_v3, persistent when
 * `persist`); MD_ERR_DB with the SQL's first words in err on failure. */
int md_store_prepare(md_store *st, sqlite3_stmt **out, const char *sql, int persist,
                     md_err *err);
/* md_store_cached: a statement for sql (a string constant) that lives as
 * long as the store: prepared on first use, reset and unbound when handed
 * out again (readers that run once per message save the parse).  End each
 * use with md_store_finish, never sqlite3_finalize.  While one is in use,
 * or beyond MD_STORE_CACHE texts, a fresh statement is handed out instead. */
int md_store_cached(md_store *st, sqlite3_stmt **out, const char *sql, md_err *err);
/* md_store_finish: end a use of s: a cached statement is reset and kept,
 * any other finalized.  s may be NULL. */
void md_store_finish(md_store *st, sqlite3_stmt *s);
/* md_store_exec: run ';'-separated statements without results. */
int md_store_exec(md_store *st, const char *sql, md_err *err);

/* md_store_row: prepare the SQL made from fmt (sqlite3_mprintf: %q, %s
 * for trusted names only) and step it once: the statement, on its first
 * row, for the caller to read and finalize; NULL when there is no row or
 * on error. */
sqlite3_stmt *md_store_row(md_store *st, const char *fmt, ...);

/* md_store_list_rows: step the prepared, bound statement s to its end,
 * appending a zeroed elem-sized row filled by `fill` per result; finishes
 * s (md_store_finish).  The list goes to *out / *n (both untouched on
 * failure, when it is freed); `what` names the query in a database error. */
int md_store_list_rows(md_store *st, sqlite3_stmt *s, void **out, size_t *n, size_t elem,
                       void (*fill)(sqlite3_stmt *s, void *row), const char *what, md_err *err);

/* Bind helpers: text of length n (-1 for NUL-terminated), NULL when s is NULL. */
int md_store_bind_text(sqlite3_stmt *s, int i, const char *t, int n);
/* Column as text, "" when NULL. */
const char *md_store_col_text(sqlite3_stmt *s, int i);

/* md_store_bulk: a writer that writes far more than the default 1000 WAL
 * pages between commits opens (on = 1) and closes (on = 0) bulk mode: while
 * any is open, the WAL is checkpointed every 50000 pages instead (the data
 * is then copied once, at the end, not at every commit). */
void md_store_bulk(md_store *st, int on);

/* md_store_bulk_journal: a writer that fills mostly new pages (log ingest)
 * switches (on = 1) the store from the WAL to a rollback journal for its
 * transactions and back (on = 0) when done.  Pages new in a transaction are
 * then written once, to the database file, instead of to the WAL and again
 * by the checkpoint; pages changed are saved to the journal first.  A kill
 * at any moment is safe: the next open rolls a hot journal back and sets
 * the WAL again.  Only switched outside a transaction and when no other
 * connection has the store open (otherwise it stays in the WAL: the same
 * result, slower; never an error).  The price: while a transaction has
 * spilled pages, readers that open the store wait (store.c's busy handler,
 * bounded by --wait) for its commit instead of reading a snapshot;
 * md_store_opts.keep_wal (the command's MAILDOSSIER_INGEST_WAL) keeps the
 * WAL instead. */
void md_store_bulk_journal(md_store *st, int on);

/* md_store_log_ensure_fn: register SQL md_key(kind, text) (store_log.c:
 * md_store_log_key_hash) on the connection. */
int md_store_log_ensure_fn(md_store *st, md_err *err);

/* md_store_source_row: fill out from a row "id, kind, lines_done,
 * bytes_done, complete" (the RETURNING of the source statements). */
void md_store_source_row(sqlite3_stmt *s, md_source *out);

#endif
