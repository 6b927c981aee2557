/* store_cover.c: the queries of the evidence coverage over the log area's
 * per-hour line counts (log_hour) and per-source spans (log_span); see
 * store_cover.h.  Reads only; the table is written by store_log.c's writer.
 * Never prints.
 */
#include "store/store_cover.h"
#include "store/store_int.h"

/* each: run sql with ?1 and ?2 bound to a and b, handing each row to row
 * (non-zero stops); MD_ERR_DB naming `what` when the step fails */
static int each(md_store *st, const char *sql, int64_t a, int64_t b,
                int (*row)(sqlite3_stmt *s, void *cb), void *cb, const char *what, md_err *err)
{
    sqlite3_stmt *s = NULL;
    if (md_store_prepare(st, &s, sql, 0, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, a);
    sqlite3_bind_int64(s, 2, b);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && !row(s, cb))
        ;
    int r = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? MD_OK : md_store_dberr(st, err, what);
    sqlite3_finalize(s);
    return r;
}

typedef struct hour_cb {
    md_cover_hour_fn fn;
    void *arg;
} hour_cb;

static int hour_row(sqlite3_stmt *s, void *cb)
{
    hour_cb *c = cb;
    md_cover_hourrow r = {md_store_col_text(s, 0), sqlite3_column_int64(s, 1),
                          (uint64_t)sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3),
                          sqlite3_column_int64(s, 4)};
    return c->fn(c->arg, &r);
}

int md_store_cover_hours(md_store *st, int64_t since, int64_t until, md_cover_hour_fn fn,
                         void *arg, md_err *err)
{
    hour_cb c = {fn, arg};
    return each(st,
                "SELECT h.name, p.hour, sum(p.lines), min(p.t_first), max(p.t_last)"
                " FROM log_hour p JOIN log_host h ON h.id = p.host_id"
                " WHERE p.hour > ?1 - 3600 AND p.hour <= ?2"
                " GROUP BY p.host_id, p.hour ORDER BY h.name, p.hour",
                since, until, hour_row, &c, "reading lines per hour", err);
}

typedef struct host_cb {
    md_cover_host_fn fn;
    void *arg;
} host_cb;

static int host_row(sqlite3_stmt *s, void *cb)
{
    host_cb *c = cb;
    md_cover_hostrow r = {md_store_col_text(s, 0), sqlite3_column_int64(s, 1),
                          sqlite3_column_int64(s, 2), (uint64_t)sqlite3_column_int64(s, 3),
                          (uint64_t)sqlite3_column_int64(s, 4)};
    return c->fn(c->arg, &r);
}

int md_store_cover_hosts(md_store *st, md_cover_host_fn fn, void *arg, md_err *err)
{
    host_cb c = {fn, arg};
    return each(st,
                "SELECT h.name, min(NULLIF(p.t_first, 0)), max(p.t_last), sum(p.lines),"
                " (SELECT coalesce(sum(q.lines), 0) FROM log_hour q WHERE q.host_id = h.id)"
                " FROM log_span p JOIN log_host h ON h.id = p.host_id"
                " WHERE ?1 = ?2 GROUP BY h.id HAVING sum(p.lines) > 0 ORDER BY h.name",
                0, 0, host_row, &c, "reading log hosts", err);
}
