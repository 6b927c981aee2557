/* store_case.c: the case area's tables and queries (see store_case.h):
 * tickets and the IPs found for them, requests to Microsoft's sender
 * support, Microsoft's answers per IP.  Owns the case_* tables; reads no
 * other area's tables.  Never prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/store_case.h"
#include "base/buf.h"
#include "store/store_int.h"

const char md_store_schema_case[] =
    "CREATE TABLE case_ticket ("
    "  id INTEGER PRIMARY KEY,"
    "  number TEXT NOT NULL UNIQUE,"
    "  since INTEGER NOT NULL DEFAULT 0,"
    "  until INTEGER NOT NULL DEFAULT 0,"
    "  redact INTEGER NOT NULL DEFAULT 1,"
    "  generated_at INTEGER NOT NULL DEFAULT 0,"
    "  outcome TEXT NOT NULL DEFAULT '',"
    "  summary TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE case_ticket_addr ("
    "  ticket_id INTEGER NOT NULL REFERENCES case_ticket(id) ON DELETE CASCADE,"
    "  pos INTEGER NOT NULL,"
    "  address TEXT NOT NULL,"
    "  PRIMARY KEY (ticket_id, address));"
    "CREATE TABLE case_ticket_file ("
    "  ticket_id INTEGER NOT NULL REFERENCES case_ticket(id) ON DELETE CASCADE,"
    "  format TEXT NOT NULL,"
    "  path TEXT NOT NULL,"
    "  PRIMARY KEY (ticket_id, format));"
    "CREATE TABLE case_ticket_ip ("
    "  ticket_id INTEGER NOT NULL REFERENCES case_ticket(id) ON DELETE CASCADE,"
    "  ip TEXT NOT NULL,"
    "  first_seen INTEGER NOT NULL DEFAULT 0,"
    "  last_seen INTEGER NOT NULL DEFAULT 0,"
    "  outcome TEXT NOT NULL DEFAULT '',"
    "  failures INTEGER NOT NULL DEFAULT 0,"
    "  total INTEGER NOT NULL DEFAULT 0,"
    "  evidence TEXT NOT NULL DEFAULT '',"
    "  PRIMARY KEY (ticket_id, ip));"
    "CREATE INDEX case_ticket_ip_ip ON case_ticket_ip(ip);"
    "CREATE TABLE case_request ("
    "  id INTEGER PRIMARY KEY,"
    "  created_at INTEGER NOT NULL,"
    "  since INTEGER NOT NULL DEFAULT 0,"
    "  until INTEGER NOT NULL DEFAULT 0,"
    "  file TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE case_request_ip ("
    "  request_id INTEGER NOT NULL REFERENCES case_request(id) ON DELETE CASCADE,"
    "  pos INTEGER NOT NULL,"
    "  ip TEXT NOT NULL,"
    "  PRIMARY KEY (request_id, ip));"
    "CREATE INDEX case_request_ip_ip ON case_request_ip(ip);"
    "CREATE TABLE case_request_ticket ("
    "  request_id INTEGER NOT NULL REFERENCES case_request(id) ON DELETE CASCADE,"
    "  pos INTEGER NOT NULL,"
    "  number TEXT NOT NULL,"
    "  PRIMARY KEY (request_id, number));"
    "CREATE TABLE case_answer ("
    "  id INTEGER PRIMARY KEY,"
    "  ip TEXT NOT NULL,"
    "  outcome TEXT NOT NULL,"
    "  date INTEGER NOT NULL DEFAULT 0,"
    "  msg_row INTEGER NOT NULL DEFAULT 0,"
    "  message_id TEXT NOT NULL DEFAULT '',"
    "  ref TEXT NOT NULL DEFAULT '',"
    "  text TEXT NOT NULL DEFAULT '',"
    "  UNIQUE (ip, outcome, date, message_id));"
    "CREATE INDEX case_answer_ip ON case_answer(ip, date);";

/* Schema 4: a request is recorded when the postmaster says it was sent
 * (maildossier request --sent), with Microsoft's case number, and may be
 * withdrawn (kept, marked).  Requests recorded before were recorded at
 * every preview; they stay as they are. */
const char md_store_schema_case_4[] =
    "ALTER TABLE case_request ADD COLUMN case_number TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE case_request ADD COLUMN withdrawn_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE case_request ADD COLUMN withdrawn_why TEXT NOT NULL DEFAULT '';";

/* ---- small helpers ------------------------------------------------------ */

static void copy(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s ? s : "");
}

/* tx_begin / tx_end: own transaction unless the caller has one open. */
static int tx_begin(md_store *st, int *own, md_err *err)
{
    *own = 0;
    if (st->in_tx)
        return MD_OK;
    if (md_store_begin(st, err) != MD_OK)
        return MD_ERR_DB;
    *own = 1;
    return MD_OK;
}

static int tx_end(md_store *st, int own, int rc, md_err *err)
{
    if (!own)
        return rc;
    if (rc != MD_OK) {
        md_store_rollback(st);
        return rc;
    }
    return md_store_commit(st, err);
}

/* run: prepare, bind nothing, step to the end (for parameterless writes). */
static int step_done(md_store *st, sqlite3_stmt *s, md_err *err, const char *what)
{
    int r = sqlite3_step(s);
    if (r != SQLITE_DONE && r != SQLITE_ROW)
        return md_store_dberr(st, err, what);
    return MD_OK;
}

/* join: the rows of a single-column query (one int64 parameter) joined by sep. */
static int join_col(md_store *st, const char *sql, int64_t id, const char *sep, char *dst,
                    size_t n, md_err *err)
{
    sqlite3_stmt *s;
    if (md_store_prepare(st, &s, sql, 0, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, id);
    size_t len = 0;
    dst[0] = '\0';
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        const char *v = md_store_col_text(s, 0);
        int w = snprintf(dst + len, n - len, "%s%s", len ? sep : "", v);
        if (w < 0 || (size_t)w >= n - len) {
            len = n - 1;
            break;
        }
        len += (size_t)w;
    }
    int rc = (r == SQLITE_ROW || r == SQLITE_DONE) ? MD_OK : md_store_dberr(st, err, "join");
    sqlite3_finalize(s);
    return rc;
}

/* insert_list: run sql (?1 = id, ?2 = position, ?3 = v[i]) for each of the
 * n strings v; `what` names a failed step. */
static int insert_list(md_store *st, const char *sql, int64_t id, const char *const *v,
                       size_t n, const char *what, md_err *err)
{
    sqlite3_stmt *s;
    if (md_store_prepare(st, &s, sql, 0, err) != MD_OK)
        return MD_ERR_DB;
    int rc = MD_OK;
    for (size_t i = 0; i < n && rc == MD_OK; i++) {
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int64(s, 2, (int64_t)i);
        md_store_bind_text(s, 3, v[i], -1);
        rc = step_done(st, s, err, what);
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return rc;
}

/* Lists handed to the caller: list_start empties *out / *n and prepares
 * sql; list_rows steps the (bound) statement to its end, appending an
 * elem-sized row filled by `fill` per result, and finalizes it.  On failure
 * the list is freed and empty; `what` names the query in a database error. */
typedef int (*row_fill)(md_store *st, sqlite3_stmt *s, void *row, md_err *err);

static int list_start(md_store *st, sqlite3_stmt **s, const char *sql, void **out, size_t *n,
                      md_err *err)
{
    *out = NULL;
    *n = 0;
    return md_store_prepare(st, s, sql, 0, err) != MD_OK ? MD_ERR_DB : MD_OK;
}

static int list_rows(md_store *st, sqlite3_stmt *s, void **out, size_t *n, size_t elem,
                     row_fill fill, const char *what, md_err *err)
{
    size_t cap = 0;
    int r, rc = MD_OK;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        void *g = md_grow(*out, &cap, *n + 1, elem, 16);
        if (!g) {
            rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            break;
        }
        *out = g;
        if ((rc = fill(st, s, (char *)*out + *n * elem, err)) != MD_OK)
            break;
        (*n)++;
    }
    if (rc == MD_OK && r != SQLITE_DONE)
        rc = md_store_dberr(st, err, what);
    sqlite3_finalize(s);
    if (rc != MD_OK) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

/* ---- tickets ------------------------------------------------------------ */

static int ticket_children(md_store *st, int64_t id, const char *const *addrs, size_t naddrs,
                           const md_case_ticket_ip *ips, size_t nips,
                           const char *const *files, const char *const *formats,
                           size_t nfiles, md_err *err)
{
    static const char *const del[] = {"DELETE FROM case_ticket_addr WHERE ticket_id = ?1",
                                      "DELETE FROM case_ticket_ip WHERE ticket_id = ?1",
                                      "DELETE FROM case_ticket_file WHERE ticket_id = ?1"};
    sqlite3_stmt *s = NULL;
    int rc = MD_OK;
    for (size_t i = 0; i < 3 && rc == MD_OK; i++) {
        if (md_store_prepare(st, &s, del[i], 0, err) != MD_OK)
            return MD_ERR_DB;
        sqlite3_bind_int64(s, 1, id);
        rc = step_done(st, s, err, "deleting ticket details");
        sqlite3_finalize(s);
    }
    if (rc != MD_OK)
        return rc;

    rc = insert_list(st, "INSERT OR IGNORE INTO case_ticket_addr (ticket_id, pos, address) "
                         "VALUES (?1, ?2, ?3)", id, addrs, naddrs, "storing ticket address", err);
    if (rc != MD_OK)
        return rc;

    if (md_store_prepare(st, &s,
                         "INSERT OR REPLACE INTO case_ticket_ip (ticket_id, ip, first_seen, "
                         "last_seen, outcome, failures, total, evidence) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", 0, err) != MD_OK)
        return MD_ERR_DB;
    for (size_t i = 0; i < nips && rc == MD_OK; i++) {
        sqlite3_bind_int64(s, 1, id);
        md_store_bind_text(s, 2, ips[i].ip, -1);
        sqlite3_bind_int64(s, 3, ips[i].first_seen);
        sqlite3_bind_int64(s, 4, ips[i].last_seen);
        md_store_bind_text(s, 5, ips[i].outcome, -1);
        sqlite3_bind_int64(s, 6, (int64_t)ips[i].failures);
        sqlite3_bind_int64(s, 7, (int64_t)ips[i].total);
        md_store_bind_text(s, 8, ips[i].evidence, -1);
        rc = step_done(st, s, err, "storing ticket IP");
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    if (rc != MD_OK)
        return rc;

    if (md_store_prepare(st, &s,
                         "INSERT OR REPLACE INTO case_ticket_file (ticket_id, format, path) "
                         "VALUES (?1, ?2, ?3)", 0, err) != MD_OK)
        return MD_ERR_DB;
    for (size_t i = 0; i < nfiles && rc == MD_OK; i++) {
        sqlite3_bind_int64(s, 1, id);
        md_store_bind_text(s, 2, formats[i], -1);
        md_store_bind_text(s, 3, files[i], -1);
        rc = step_done(st, s, err, "storing ticket file");
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return rc;
}

int md_store_case_ticket_save(md_store *st, md_case_ticket *t, const char *const *addrs,
                              size_t naddrs, const md_case_ticket_ip *ips, size_t nips,
                              const char *const *files, const char *const *formats,
                              size_t nfiles, md_err *err)
{
    if (!t->number[0])
        return md_err_set(err, MD_ERR_ARG, "ticket without a number");
    int own, rc;
    if ((rc = tx_begin(st, &own, err)) != MD_OK)
        return rc;
    sqlite3_stmt *s = NULL;
    rc = md_store_prepare(st, &s,
                          "INSERT INTO case_ticket (number, since, until, redact, generated_at, "
                          "outcome, summary) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                          "ON CONFLICT(number) DO UPDATE SET since = excluded.since, "
                          "until = excluded.until, redact = excluded.redact, "
                          "generated_at = excluded.generated_at, outcome = excluded.outcome, "
                          "summary = excluded.summary", 0, err);
    if (rc == MD_OK) {
        md_store_bind_text(s, 1, t->number, -1);
        sqlite3_bind_int64(s, 2, t->since);
        sqlite3_bind_int64(s, 3, t->until);
        sqlite3_bind_int(s, 4, t->redact ? 1 : 0);
        sqlite3_bind_int64(s, 5, t->generated_at);
        md_store_bind_text(s, 6, t->outcome, -1);
        md_store_bind_text(s, 7, t->summary, -1);
        rc = step_done(st, s, err, "storing ticket");
        sqlite3_finalize(s);
    }
    if (rc == MD_OK) {
        rc = md_store_prepare(st, &s, "SELECT id FROM case_ticket WHERE number = ?1", 0, err);
        if (rc == MD_OK) {
            md_store_bind_text(s, 1, t->number, -1);
            if (sqlite3_step(s) == SQLITE_ROW)
                t->id = sqlite3_column_int64(s, 0);
            else
                rc = md_store_dberr(st, err, "reading ticket id");
            sqlite3_finalize(s);
        }
    }
    if (rc == MD_OK)
        rc = ticket_children(st, t->id, addrs, naddrs, ips, nips, files, formats, nfiles, err);
    return tx_end(st, own, rc, err);
}

#define TICKET_COLS "id, number, since, until, redact, generated_at, outcome, summary"

static int ticket_row(md_store *st, sqlite3_stmt *s, void *row, md_err *err)
{
    md_case_ticket *t = row;
    memset(t, 0, sizeof *t);
    t->id = sqlite3_column_int64(s, 0);
    copy(t->number, sizeof t->number, md_store_col_text(s, 1));
    t->since = sqlite3_column_int64(s, 2);
    t->until = sqlite3_column_int64(s, 3);
    t->redact = sqlite3_column_int(s, 4);
    t->generated_at = sqlite3_column_int64(s, 5);
    copy(t->outcome, sizeof t->outcome, md_store_col_text(s, 6));
    copy(t->summary, sizeof t->summary, md_store_col_text(s, 7));
    if (join_col(st, "SELECT address FROM case_ticket_addr WHERE ticket_id = ?1 ORDER BY pos",
                 t->id, ", ", t->addresses, sizeof t->addresses, err) != MD_OK)
        return MD_ERR_DB;
    return join_col(st, "SELECT path FROM case_ticket_file WHERE ticket_id = ?1 ORDER BY "
                        "CASE format WHEN 'pdf' THEN 1 WHEN 'txt' THEN 2 WHEN 'xml' THEN 3 "
                        "ELSE 4 END", t->id, ", ", t->files, sizeof t->files, err);
}

int md_store_case_ticket_get(md_store *st, const char *number, md_case_ticket *out,
                             md_err *err)
{
    sqlite3_stmt *s;
    if (md_store_prepare(st, &s, "SELECT " TICKET_COLS " FROM case_ticket WHERE number = ?1",
                         0, err) != MD_OK)
        return MD_ERR_DB;
    md_store_bind_text(s, 1, number, -1);
    int r = sqlite3_step(s), rc;
    if (r == SQLITE_ROW)
        rc = ticket_row(st, s, out, err);
    else if (r == SQLITE_DONE)
        rc = md_err_set(err, MD_ERR_NOTFOUND, "no ticket %s in the store", number);
    else
        rc = md_store_dberr(st, err, "reading ticket");
    sqlite3_finalize(s);
    return rc;
}

static int addr_row(md_store *st, sqlite3_stmt *s, void *row, md_err *err)
{
    (void)st;
    (void)err;
    md_case_addr *a = row;
    copy(a->addr, sizeof a->addr, md_store_col_text(s, 0));
    return MD_OK;
}

int md_store_case_ticket_addrs(md_store *st, const char *number, md_case_addr **out,
                               size_t *n, md_err *err)
{
    sqlite3_stmt *s;
    if (list_start(st, &s,
                   "SELECT a.address FROM case_ticket_addr a JOIN case_ticket t ON "
                   "t.id = a.ticket_id WHERE t.number = ?1 ORDER BY a.pos",
                   (void **)out, n, err) != MD_OK)
        return MD_ERR_DB;
    md_store_bind_text(s, 1, number, -1);
    return list_rows(st, s, (void **)out, n, sizeof **out, addr_row,
                     "reading ticket addresses", err);
}

int md_store_case_ticket_list(md_store *st, int64_t since, int64_t until,
                              md_case_ticket **out, size_t *n, md_err *err)
{
    sqlite3_stmt *s;
    if (list_start(st, &s,
                   "SELECT " TICKET_COLS " FROM case_ticket "
                   "WHERE (?1 = 0 OR until = 0 OR until >= ?1) "
                   "AND (?2 = 0 OR since <= ?2) "
                   "ORDER BY generated_at DESC, number DESC", (void **)out, n, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, since);
    sqlite3_bind_int64(s, 2, until);
    return list_rows(st, s, (void **)out, n, sizeof **out, ticket_row, "listing tickets", err);
}

static void ticket_ip_row(sqlite3_stmt *s, int col, md_case_ticket_ip *r)
{
    memset(r, 0, sizeof *r);
    copy(r->ip, sizeof r->ip, md_store_col_text(s, col));
    r->first_seen = sqlite3_column_int64(s, col + 1);
    r->last_seen = sqlite3_column_int64(s, col + 2);
    copy(r->outcome, sizeof r->outcome, md_store_col_text(s, col + 3));
    r->failures = (uint64_t)sqlite3_column_int64(s, col + 4);
    r->total = (uint64_t)sqlite3_column_int64(s, col + 5);
    copy(r->evidence, sizeof r->evidence, md_store_col_text(s, col + 6));
}

static int ticket_ip_fill(md_store *st, sqlite3_stmt *s, void *row, md_err *err)
{
    (void)st;
    (void)err;
    ticket_ip_row(s, 0, row);
    return MD_OK;
}

int md_store_case_ticket_ips(md_store *st, const char *number, md_case_ticket_ip **out,
                             size_t *n, md_err *err)
{
    sqlite3_stmt *s;
    if (list_start(st, &s,
                   "SELECT i.ip, i.first_seen, i.last_seen, i.outcome, i.failures, "
                   "i.total, i.evidence FROM case_ticket_ip i JOIN case_ticket t ON "
                   "t.id = i.ticket_id WHERE t.number = ?1 ORDER BY i.ip",
                   (void **)out, n, err) != MD_OK)
        return MD_ERR_DB;
    md_store_bind_text(s, 1, number, -1);
    return list_rows(st, s, (void **)out, n, sizeof **out, ticket_ip_fill,
                     "reading ticket IPs", err);
}

static int ip_ticket_row(md_store *st, sqlite3_stmt *s, void *row, md_err *err)
{
    (void)st;
    (void)err;
    md_case_ip_ticket *x = row;
    copy(x->number, sizeof x->number, md_store_col_text(s, 0));
    x->generated_at = sqlite3_column_int64(s, 1);
    ticket_ip_row(s, 2, &x->rec);
    return MD_OK;
}

int md_store_case_ip_tickets(md_store *st, const char *ip, md_case_ip_ticket **out,
                             size_t *n, md_err *err)
{
    sqlite3_stmt *s;
    if (list_start(st, &s,
                   "SELECT t.number, t.generated_at, i.ip, i.first_seen, i.last_seen, "
                   "i.outcome, i.failures, i.total, i.evidence FROM case_ticket_ip i "
                   "JOIN case_ticket t ON t.id = i.ticket_id WHERE i.ip = ?1 "
                   "ORDER BY i.first_seen, t.number", (void **)out, n, err) != MD_OK)
        return MD_ERR_DB;
    md_store_bind_text(s, 1, ip, -1);
    return list_rows(st, s, (void **)out, n, sizeof **out, ip_ticket_row,
                     "reading IP tickets", err);
}

/* ---- requests ----------------------------------------------------------- */

int md_store_case_request_add(md_store *st, int64_t created_at, int64_t since,
                              int64_t until, const char *file, const char *case_number,
                              const char *const *ips, size_t nips,
                              const char *const *tickets, size_t ntickets, int64_t *id,
                              md_err *err)
{
    int own, rc;
    if ((rc = tx_begin(st, &own, err)) != MD_OK)
        return rc;
    sqlite3_stmt *s = NULL;
    int64_t rid = 0;
    rc = md_store_prepare(st, &s,
                          "INSERT INTO case_request (created_at, since, until, file, "
                          "case_number) VALUES (?1, ?2, ?3, ?4, ?5)", 0, err);
    if (rc == MD_OK) {
        sqlite3_bind_int64(s, 1, created_at);
        sqlite3_bind_int64(s, 2, since);
        sqlite3_bind_int64(s, 3, until);
        md_store_bind_text(s, 4, file ? file : "", -1);
        md_store_bind_text(s, 5, case_number ? case_number : "", -1);
        rc = step_done(st, s, err, "storing request");
        sqlite3_finalize(s);
        rid = sqlite3_last_insert_rowid(st->db);
    }
    if (rc == MD_OK)
        rc = insert_list(st, "INSERT OR IGNORE INTO case_request_ip (request_id, pos, ip) "
                             "VALUES (?1, ?2, ?3)", rid, ips, nips, "storing request IP", err);
    if (rc == MD_OK)
        rc = insert_list(st, "INSERT OR IGNORE INTO case_request_ticket (request_id, pos, "
                             "number) VALUES (?1, ?2, ?3)", rid, tickets, ntickets,
                         "storing request ticket", err);
    rc = tx_end(st, own, rc, err);
    if (rc == MD_OK && id)
        *id = rid;
    return rc;
}

static int request_row(md_store *st, sqlite3_stmt *s, void *row, md_err *err)
{
    md_case_request *q = row;
    memset(q, 0, sizeof *q);
    q->id = sqlite3_column_int64(s, 0);
    q->created_at = sqlite3_column_int64(s, 1);
    q->since = sqlite3_column_int64(s, 2);
    q->until = sqlite3_column_int64(s, 3);
    copy(q->file, sizeof q->file, md_store_col_text(s, 4));
    copy(q->case_number, sizeof q->case_number, md_store_col_text(s, 5));
    q->withdrawn_at = sqlite3_column_int64(s, 6);
    copy(q->withdrawn_why, sizeof q->withdrawn_why, md_store_col_text(s, 7));
    int rc = join_col(st, "SELECT ip FROM case_request_ip WHERE request_id = ?1 ORDER BY pos",
                      q->id, "; ", q->ips, sizeof q->ips, err);
    if (rc == MD_OK)
        rc = join_col(st, "SELECT number FROM case_request_ticket WHERE request_id = ?1 "
                          "ORDER BY pos", q->id, ", ", q->tickets, sizeof q->tickets, err);
    return rc;
}

#define REQUEST_COLS "SELECT id, created_at, since, until, file, case_number, withdrawn_at, " \
                     "withdrawn_why FROM case_request r "

int md_store_case_requests(md_store *st, const char *ip, md_case_request **out, size_t *n,
                           md_err *err)
{
    sqlite3_stmt *s;
    if (list_start(st, &s,
                   REQUEST_COLS "WHERE ?1 IS NULL OR EXISTS (SELECT 1 FROM case_request_ip i "
                   "WHERE i.request_id = r.id AND i.ip = ?1) ORDER BY created_at, id",
                   (void **)out, n, err) != MD_OK)
        return MD_ERR_DB;
    md_store_bind_text(s, 1, ip, -1);
    return list_rows(st, s, (void **)out, n, sizeof **out, request_row, "reading requests",
                     err);
}

int md_store_case_request_get(md_store *st, int64_t id, md_case_request *out, md_err *err)
{
    sqlite3_stmt *s = NULL;
    int rc = md_store_prepare(st, &s, REQUEST_COLS "WHERE id = ?1", 0, err);
    if (rc != MD_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    int step = sqlite3_step(s);
    if (step == SQLITE_ROW)
        rc = request_row(st, s, out, err);
    else if (step == SQLITE_DONE)
        rc = md_err_set(err, MD_ERR_NOTFOUND, "no request %lld in the store", (long long)id);
    else
        rc = md_store_dberr(st, err, "reading a request");
    sqlite3_finalize(s);
    return rc;
}

int md_store_case_request_withdraw(md_store *st, int64_t id, int64_t at, const char *why,
                                   md_err *err)
{
    int own, rc;
    if ((rc = tx_begin(st, &own, err)) != MD_OK)
        return rc;
    md_case_request q;
    rc = md_store_case_request_get(st, id, &q, err);
    if (rc == MD_OK && q.withdrawn_at)
        rc = md_err_set(err, MD_ERR_ARG, "request %lld was withdrawn already", (long long)id);
    sqlite3_stmt *s = NULL;
    if (rc == MD_OK)
        rc = md_store_prepare(st, &s, "UPDATE case_request SET withdrawn_at = ?2, "
                                      "withdrawn_why = ?3 WHERE id = ?1", 0, err);
    if (rc == MD_OK) {
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int64(s, 2, at);
        md_store_bind_text(s, 3, why ? why : "", -1);
        rc = step_done(st, s, err, "withdrawing a request");
        sqlite3_finalize(s);
    }
    return tx_end(st, own, rc, err);
}

/* ---- answers ------------------------------------------------------------ */

int md_store_case_answer_add(md_store *st, const md_case_answer *a, int *added, md_err *err)
{
    if (added)
        *added = 0;
    if (!a->ip[0] || !a->outcome[0])
        return md_err_set(err, MD_ERR_ARG, "answer without IP or outcome");
    sqlite3_stmt *s;
    if (md_store_prepare(st, &s,
                         "INSERT OR IGNORE INTO case_answer (ip, outcome, date, msg_row, "
                         "message_id, ref, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", 0,
                         err) != MD_OK)
        return MD_ERR_DB;
    md_store_bind_text(s, 1, a->ip, -1);
    md_store_bind_text(s, 2, a->outcome, -1);
    sqlite3_bind_int64(s, 3, a->date);
    sqlite3_bind_int64(s, 4, a->msg_row);
    md_store_bind_text(s, 5, a->message_id, -1);
    md_store_bind_text(s, 6, a->ref, -1);
    md_store_bind_text(s, 7, a->text, -1);
    int rc = step_done(st, s, err, "storing answer");
    sqlite3_finalize(s);
    if (rc == MD_OK && added)
        *added = sqlite3_changes(st->db) > 0;
    return rc;
}

static int answer_row(md_store *st, sqlite3_stmt *s, void *row, md_err *err)
{
    (void)st;
    (void)err;
    md_case_answer *a = row;
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(s, 0);
    copy(a->ip, sizeof a->ip, md_store_col_text(s, 1));
    copy(a->outcome, sizeof a->outcome, md_store_col_text(s, 2));
    a->date = sqlite3_column_int64(s, 3);
    a->msg_row = sqlite3_column_int64(s, 4);
    copy(a->message_id, sizeof a->message_id, md_store_col_text(s, 5));
    copy(a->ref, sizeof a->ref, md_store_col_text(s, 6));
    copy(a->text, sizeof a->text, md_store_col_text(s, 7));
    return MD_OK;
}

int md_store_case_answers(md_store *st, const char *ip, md_case_answer **out, size_t *n,
                          md_err *err)
{
    sqlite3_stmt *s;
    if (list_start(st, &s,
                   "SELECT id, ip, outcome, date, msg_row, message_id, ref, text "
                   "FROM case_answer WHERE ?1 IS NULL OR ip = ?1 ORDER BY date, id",
                   (void **)out, n, err) != MD_OK)
        return MD_ERR_DB;
    md_store_bind_text(s, 1, ip, -1);
    return list_rows(st, s, (void **)out, n, sizeof **out, answer_row, "reading answers", err);
}

static int ipref_row(md_store *st, sqlite3_stmt *s, void *row, md_err *err)
{
    (void)st;
    (void)err;
    md_case_ipref *r = row;
    copy(r->ip, sizeof r->ip, md_store_col_text(s, 0));
    return MD_OK;
}

int md_store_case_known_ips(md_store *st, md_case_ipref **out, size_t *n, md_err *err)
{
    sqlite3_stmt *s;
    if (list_start(st, &s,
                   "SELECT ip FROM case_ticket_ip UNION SELECT ip FROM case_request_ip "
                   "UNION SELECT ip FROM case_answer ORDER BY 1", (void **)out, n, err) != MD_OK)
        return MD_ERR_DB;
    return list_rows(st, s, (void **)out, n, sizeof **out, ipref_row, "listing IPs", err);
}
