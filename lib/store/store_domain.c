/* store_domain.c: the SQL of `maildossier domain` (store_domain.h): delivery
 * attempts to Microsoft with their envelope sender, stored 5.7.515 bounces,
 * Outlook.com's DMARC results per day for a header_from domain.  Reads
 * only; never prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/store_int.h"
#include "store/store_domain.h"

static void cpy(sqlite3_stmt *s, int i, char *dst, size_t n)
{
    snprintf(dst, n, "%s", md_store_col_text(s, i));
}

/* window_stmt: the cached statement for sql with the window bound to ?at
 * and ?at+1 */
static int window_stmt(md_store *st, sqlite3_stmt **s, const char *sql, int at, int64_t since,
                       int64_t until, md_err *err)
{
    int rc = md_store_cached(st, s, sql, err);
    if (rc != MD_OK)
        return rc;
    sqlite3_bind_int64(*s, at, since);
    sqlite3_bind_int64(*s, at + 1, until);
    return MD_OK;
}

int md_store_domain_ms_dlvs(md_store *st, int64_t since, int64_t until, md_domain_dlv_fn fn,
                            void *arg, md_err *err)
{
    static const char sql[] =
        "SELECT d.t, d.msg_id, coalesce(m.sender, ''), coalesce(d.rcpt, ''),"
        " coalesce(d.dsn, ''), coalesce(d.reply, ''), d.outcome,"
        " coalesce(s.last_path, ''), coalesce(d.lineno, 0)"
        " FROM log_dlv d JOIN log_msg m ON m.id = d.msg_id"
        " LEFT JOIN source s ON s.id = d.source_id"
        " WHERE d.ms = 1 AND (?1 = 0 OR d.t >= ?1) AND (?2 = 0 OR d.t <= ?2)"
        " ORDER BY d.t, d.id";
    sqlite3_stmt *s = NULL;
    int rc = window_stmt(st, &s, sql, 1, since, until, err);
    if (rc != MD_OK)
        return rc;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        md_domain_dlv d;
        d.t = sqlite3_column_int64(s, 0);
        d.msg_id = sqlite3_column_int64(s, 1);
        d.sender = md_store_col_text(s, 2);
        d.rcpt = md_store_col_text(s, 3);
        d.dsn = md_store_col_text(s, 4);
        d.reply = md_store_col_text(s, 5);
        d.outcome = sqlite3_column_int(s, 6);
        d.file = md_store_col_text(s, 7);
        d.lineno = (uint64_t)sqlite3_column_int64(s, 8);
        if ((rc = fn(arg, &d, err)) != 0)
            break;
    }
    if (rc == MD_OK && step != SQLITE_DONE)
        rc = md_store_dberr(st, err, "reading the deliveries to Microsoft");
    md_store_finish(st, s);
    return rc;
}

static void dsn_row(sqlite3_stmt *s, void *row)
{
    md_domain_dsn *d = row;
    d->t = sqlite3_column_int64(s, 0);
    cpy(s, 1, d->path, sizeof d->path);
    cpy(s, 2, d->rcpt, sizeof d->rcpt);
    cpy(s, 3, d->to, sizeof d->to);
    cpy(s, 4, d->status, sizeof d->status);
    cpy(s, 5, d->diag, sizeof d->diag);
}

int md_store_domain_dsn_515(md_store *st, int64_t since, int64_t until, md_domain_dsn **out,
                            size_t *n, md_err *err)
{
    *out = NULL;
    *n = 0;
    static const char sql[] =
        "SELECT t, path, rcpt, to_text, status, diag FROM ("
        " SELECT coalesce(nullif(d.last_attempt, 0), nullif(d.arrival, 0), m.date, 0) AS t,"
        " coalesce(m.path, '') AS path, coalesce(d.final_rcpt, '') AS rcpt,"
        " coalesce(m.to_text, '') AS to_text, coalesce(d.status, '') AS status,"
        " coalesce(d.diag, '') AS diag"
        " FROM msg_dsn d JOIN msg m ON m.id = d.msg_id"
        " WHERE d.status = '5.7.515' OR d.diag LIKE '%5.7.515%')"
        " WHERE (?1 = 0 OR t >= ?1) AND (?2 = 0 OR t <= ?2) ORDER BY t, path";
    sqlite3_stmt *s = NULL;
    int rc = window_stmt(st, &s, sql, 1, since, until, err);
    if (rc != MD_OK)
        return rc;
    return md_store_list_rows(st, s, (void **)out, n, sizeof **out, dsn_row, "reading 5.7.515 bounces", err);
}

static void dmarc_row(sqlite3_stmt *s, void *row)
{
    md_domain_dmarc_day *d = row;
    cpy(s, 0, d->day, sizeof d->day);
    d->reports = (uint64_t)sqlite3_column_int64(s, 1);
    d->messages = (uint64_t)sqlite3_column_int64(s, 2);
    d->pass = (uint64_t)sqlite3_column_int64(s, 3);
    d->dkim_pass = (uint64_t)sqlite3_column_int64(s, 4);
    d->spf_pass = (uint64_t)sqlite3_column_int64(s, 5);
}

int md_store_domain_dmarc(md_store *st, const char *domain, int64_t since, int64_t until,
                          md_domain_dmarc_day **out, size_t *n, md_err *err)
{
    *out = NULL;
    *n = 0;
    static const char sql[] =
        "SELECT r.day, COUNT(DISTINCT r.id), SUM(c.count),"
        " SUM(CASE WHEN c.pass THEN c.count ELSE 0 END),"
        " SUM(CASE WHEN c.dkim = 'pass' THEN c.count ELSE 0 END),"
        " SUM(CASE WHEN c.spf = 'pass' THEN c.count ELSE 0 END)"
        " FROM rep_dmarc_record c JOIN rep_dmarc_report r ON r.id = c.report"
        " WHERE r.microsoft AND (lower(c.header_from) = ?1"
        "  OR substr(lower(c.header_from), -length(?1) - 1) = '.' || ?1)"
        " AND (?2 = 0 OR r.date_end >= ?2) AND (?3 = 0 OR r.date_begin <= ?3)"
        " GROUP BY r.day ORDER BY r.day";
    sqlite3_stmt *s = NULL;
    int rc = window_stmt(st, &s, sql, 2, since, until, err);
    if (rc != MD_OK)
        return rc;
    md_store_bind_text(s, 1, domain, -1);
    return md_store_list_rows(st, s, (void **)out, n, sizeof **out, dmarc_row,
                "reading Outlook.com's DMARC results", err);
}
