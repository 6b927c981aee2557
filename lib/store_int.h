/* store_int.h: private to lib/store*.c.  The store handle and helpers for
 * the area files.  Nothing else may include this (or sqlite3.h). */
#ifndef MD_STORE_INT_H
#define MD_STORE_INT_H

#include <sqlite3.h>
#include "limits.h"
#include "store.h"

struct md_store {
    sqlite3 *db;
    char path[MD_LIMIT_PATH];
    int in_tx;
    int bulk;   /* writers open in bulk mode (md_store_bulk) */
};

/* Area schemas, applied in this order by migration 1 (each file owns its
 * tables; a string of ';'-separated CREATE statements). */
extern const char md_store_schema_log[];
extern const char md_store_schema_msg[];
extern const char md_store_schema_rules[];
extern const char md_store_schema_rep[];
extern const char md_store_schema_case[];
/* Migration 2: raw messages compressed (msg.raw_codec). */
extern const char md_store_schema_msg_2[];
/* Migration 3: hops and authentication results as blobs of msg_ev, one row
 * per message (store_msg.c moves the rows of msg_hop and msg_auth, then
 * drops them). */
int md_store_msg_migrate_3(md_store *st, md_err *err);

/* md_store_dberr: set err from the database's last error; returns MD_ERR_DB. */
int md_store_dberr(md_store *st, md_err *err, const char *what);
/* md_store_prepare: prepare sql (sqlite3_prepare_v3, persistent when
 * `persist`); MD_ERR_DB with the SQL's first words in err on failure. */
int md_store_prepare(md_store *st, sqlite3_stmt **out, const char *sql, int persist,
                     md_err *err);
/* md_store_exec: run ';'-separated statements without results. */
int md_store_exec(md_store *st, const char *sql, md_err *err);

/* Bind helpers: text of length n (-1 for NUL-terminated), NULL when s is NULL. */
int md_store_bind_text(sqlite3_stmt *s, int i, const char *t, int n);
/* Column as text, "" when NULL. */
const char *md_store_col_text(sqlite3_stmt *s, int i);

/* md_store_bulk: a writer that writes far more than the default 1000 WAL
 * pages between commits opens (on = 1) and closes (on = 0) bulk mode: while
 * any is open, the WAL is checkpointed every 50000 pages instead (the data
 * is then copied once, at the end, not at every commit). */
void md_store_bulk(md_store *st, int on);

/* md_store_source_row: fill out from a row "id, kind, lines_done,
 * bytes_done, complete" (the RETURNING of the source statements). */
void md_store_source_row(sqlite3_stmt *s, md_source *out);

#endif
