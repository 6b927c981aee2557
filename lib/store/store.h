/* store.h: the evidence store (embedded SQLite).
 *
 * Every SQL statement of maildossier lives in lib/store/, behind md_store_*
 * functions: store.c opens the database, sets WAL, a busy timeout and
 * foreign keys, and migrates the schema forward (PRAGMA user_version); the
 * area files (store_log.c, store_msg.c, store_rules.c, store_rep.c,
 * store_case.c) own their tables and queries.  Nothing outside lib/store/
 * includes sqlite3.h, so that a PostgreSQL store can replace this one.
 *
 * An md_store is owned by the caller (md_store_close) and used by one
 * thread at a time (its connection has no mutex of its own; SQLite's
 * memory statistics are off: nothing reads them, and each allocation
 * took a lock for them).  Every function
 * returns 0 or a negative MD_ERR_* code with the message in err; on failure
 * the store is unchanged (statements run inside transactions).
 */
#ifndef MD_STORE_H
#define MD_STORE_H

#include <stdint.h>
#include "base/err.h"

typedef struct md_store md_store;

#define MD_STORE_READONLY 0x1
/* read-write, but mostly reading (ticket, request, ip, status): reads go
 * through a memory map, as in read-only opens.  Not for bulk writers: the
 * pages they touch would count as their memory. */
#define MD_STORE_MAPPED   0x2

/* ---- sharing the store ----------------------------------------------------
 * Any number of commands may use one store at once.  Readers read a
 * snapshot and wait only while a bulk writer in rollback-journal mode
 * commits (md_store_bulk_journal).  Writers take turns: a write transaction
 * (md_store_begin) waits for the one in progress; a bulk writer commits in
 * slices (md_store_slice_due) and, after a commit, lets the writers that
 * wait go first (through PATH-lock, a small file beside the store that
 * also says who holds the store: see store.c).  Every wait is bounded
 * (opts.wait_ms); after MD_LIMIT_WAIT_TELL_MS the caller is told once what
 * it waits for, through opts.on_wait. */
typedef void (*md_store_wait_fn)(void *arg, const char *what);
typedef struct md_store_opts {
    const char *label;          /* who this is, shown to those who wait for it
                                   ("maildossier ingest"); copied; NULL: "maildossier" */
    int wait_ms;                /* longest wait for the store: 0 MD_LIMIT_WAIT_MS,
                                   < 0 none (fail at once when it is busy) */
    md_store_wait_fn on_wait;   /* may be NULL; `what` is only valid during the call */
    void *arg;
    int keep_wal;               /* a bulk writer keeps the WAL (md_store_bulk_journal in
                                   store_int.h): readers never wait, ingest is slower */
} md_store_opts;

/* The schema version this build writes. */
#define MD_STORE_SCHEMA_VERSION 8

/* md_store_open: open or create the store at path.  Migrates older schemas;
 * refuses a newer one (MD_ERR_DB, "made by a newer maildossier"). */
int md_store_open(md_store **out, const char *path, int flags, md_err *err);
/* md_store_open_opts: md_store_open with the options above (o may be NULL:
 * the defaults). */
int md_store_open_opts(md_store **out, const char *path, int flags, const md_store_opts *o,
                       md_err *err);
/* md_store_close: close; NULL is fine. */
void md_store_close(md_store *st);
const char *md_store_path(const md_store *st);
int md_store_schema_version(md_store *st);

/* Transactions (not nested). */
int md_store_begin(md_store *st, md_err *err);
/* md_store_begin_nofk: md_store_begin, with foreign keys unchecked until the
 * transaction ends (md_store_commit or md_store_rollback turn them on
 * again), for a bulk writer whose rows satisfy them by construction (the
 * children of the rows it has just inserted) and that deletes and replaces
 * no parent rows (no cascades would run).  Each child row checked its parent
 * (a B-tree search): a fifth of message ingest's SQLite work. */
int md_store_begin_nofk(md_store *st, md_err *err);
int md_store_commit(md_store *st, md_err *err);
void md_store_rollback(md_store *st);
/* md_store_claim_logs: wait (bounded, told, as md_store_begin does) until
 * no other command reads a log into this store, and hold that claim until
 * md_store_release_logs (or md_store_close).  Log ingest loads the messages
 * left open by the runs before it and writes them back: two at once would
 * each continue the same messages.  Outside any transaction; MD_ERR_DB
 * with the holder named when the wait is over. */
int md_store_claim_logs(md_store *st, md_err *err);
void md_store_release_logs(md_store *st);

/* md_store_on_commit: call fn(arg) after every successful md_store_commit
 * (fn NULL: no more calls).  One callback per store; the caller keeps arg
 * alive while it is set.  For counting what a bulk writer has stored for
 * good (md_ingest's `stored`).  st may be NULL (nothing happens). */
typedef void (*md_store_commit_fn)(void *arg);
void md_store_on_commit(md_store *st, md_store_commit_fn fn, void *arg);

/* md_store_slice_due: 1 when a bulk writer's open transaction should be
 * committed now: it has been open MD_LIMIT_SLICE_MS, or another writer
 * waits (then after a few ms).  Cheap enough to ask every few hundred rows. */
int md_store_slice_due(md_store *st);

/* ---- sources: every ingested input, by content --------------------------
 * A source is identified by a fingerprint of its first line (decompressed),
 * so that mail.log, mail.log.1 and mail.log.2.gz are one source, and an
 * appended file continues where the last run stopped. */
typedef struct md_source {
    int64_t id;
    char kind[32];          /* "log", "message", "aliases", ... */
    uint64_t lines_done;    /* lines fully stored */
    uint64_t bytes_done;    /* decompressed bytes fully stored */
    int complete;           /* 1 for one-shot documents (a message, a report) */
} md_source;

/* md_store_source_get: find the source with that fingerprint or create it
 * (lines_done 0).  Records path as its latest name.  *created set to 1 when
 * new. */
int md_store_source_get(md_store *st, const char *fingerprint, const char *kind,
                        const char *path, md_source *out, int *created, md_err *err);
/* md_store_source_progress: record lines/bytes done (inside the caller's
 * transaction, so progress and data commit together). */
int md_store_source_progress(md_store *st, int64_t id, uint64_t lines_done,
                             uint64_t bytes_done, int complete, md_err *err);

/* md_store_source_path: the latest path seen for source id ("" if unknown);
 * dst of size n. */
int md_store_source_path(md_store *st, int64_t id, char *dst, size_t n, md_err *err);

#endif
