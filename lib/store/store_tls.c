/* store_tls.c: TLS-RPT reports in the store (see store_tls.h): schema
 * (migration 7, which also gives DMARC reports their DMARCbis columns), writing one report with its policies and failure rows,
 * and the per-day readers for `ip`, `domain` and the dossier. */
#include "store/store_tls.h"

#include <sqlite3.h>
#include <string.h>
#include <time.h>
#include "base/text.h"
#include "parse/dmarc.h"
#include "store/store_int.h"
#include "store/store_rep.h"

int md_store_tls_migrate_7(md_store *st, md_err *err)
{
    return md_store_exec(st,
        "CREATE TABLE rep_tls_report ("
        "  id INTEGER PRIMARY KEY,"
        "  org_key TEXT NOT NULL, org_name TEXT NOT NULL, report_id TEXT NOT NULL,"
        "  contact TEXT, date_begin INTEGER NOT NULL, date_end INTEGER NOT NULL,"
        "  day TEXT NOT NULL, microsoft INTEGER NOT NULL DEFAULT 0,"
        "  skipped INTEGER NOT NULL DEFAULT 0, name TEXT,"
        "  source_id INTEGER REFERENCES source(id), stored_at INTEGER NOT NULL,"
        "  UNIQUE(org_key, report_id));"
        "CREATE INDEX rep_tls_report_begin ON rep_tls_report(date_begin);"
        "CREATE TABLE rep_tls_policy ("
        "  id INTEGER PRIMARY KEY,"
        "  report INTEGER NOT NULL REFERENCES rep_tls_report(id) ON DELETE CASCADE,"
        "  type TEXT, domain TEXT NOT NULL, mx_hosts TEXT,"
        "  success INTEGER NOT NULL, failure INTEGER NOT NULL);"
        "CREATE INDEX rep_tls_policy_report ON rep_tls_policy(report);"
        "CREATE TABLE rep_tls_failure ("
        "  id INTEGER PRIMARY KEY,"
        "  policy INTEGER NOT NULL REFERENCES rep_tls_policy(id) ON DELETE CASCADE,"
        "  result_type TEXT NOT NULL, sending_ip TEXT, receiving_mx TEXT, receiving_helo TEXT,"
        "  receiving_ip TEXT, reason_code TEXT, additional TEXT, count INTEGER NOT NULL);"
        "CREATE INDEX rep_tls_failure_policy ON rep_tls_failure(policy);"
        "CREATE INDEX rep_tls_failure_sip ON rep_tls_failure(sending_ip);"
        "CREATE INDEX rep_tls_failure_rip ON rep_tls_failure(receiving_ip);"
        "ALTER TABLE rep_dmarc_report ADD COLUMN generator TEXT;"
        "ALTER TABLE rep_dmarc_report ADD COLUMN discovery_method TEXT;",
        err);
}

int md_store_tls_dmarc_bis_put(md_store *st, const md_dmarc_report *r, int64_t id, md_err *err)
{
    if (!r->generator[0] && !r->discovery_method[0])
        return MD_OK;
    sqlite3_stmt *s = NULL;
    int rc = md_store_prepare(st, &s, "UPDATE rep_dmarc_report SET generator = ?1,"
                              " discovery_method = ?2 WHERE id = ?3", 0, err);
    if (rc != MD_OK)
        return rc;
    md_store_bind_text(s, 1, r->generator, -1);
    md_store_bind_text(s, 2, r->discovery_method, -1);
    sqlite3_bind_int64(s, 3, id);
    rc = sqlite3_step(s) == SQLITE_DONE ? MD_OK : md_store_dberr(st, err, "storing a DMARC report");
    sqlite3_finalize(s);
    return rc;
}

static int begin_tx(md_store *st, int *own, md_err *err)
{
    *own = !st->in_tx;
    return *own ? md_store_begin(st, err) : md_store_exec(st, "SAVEPOINT tls", err);
}

static int end_tx(md_store *st, int own, int rc, md_err *err)
{
    if (own) {
        if (rc == MD_OK && (rc = md_store_commit(st, err)) == MD_OK)
            return MD_OK;
        md_store_rollback(st);
        return rc;
    }
    if (rc == MD_OK)
        return md_store_exec(st, "RELEASE tls", err);
    md_store_exec(st, "ROLLBACK TO tls", NULL);
    md_store_exec(st, "RELEASE tls", NULL);
    return rc;
}

static int insert_report(md_store *st, const md_tlsrpt_report *r, const char *key,
                         const char *name, int64_t source_id, int64_t *id, md_err *err)
{
    sqlite3_stmt *s = NULL;
    int rc = md_store_prepare(st, &s,
        "INSERT INTO rep_tls_report(org_key, org_name, report_id, contact, date_begin, date_end,"
        " day, microsoft, skipped, name, source_id, stored_at)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)", 0, err);
    if (rc != MD_OK)
        return rc;
    char day[64];
    md_text_time_utc(day, sizeof day, r->begin, "%Y-%m-%d", "1970-01-01");
    md_store_bind_text(s, 1, key, -1);
    md_store_bind_text(s, 2, r->org_name, -1);
    md_store_bind_text(s, 3, r->report_id, -1);
    md_store_bind_text(s, 4, r->contact, -1);
    sqlite3_bind_int64(s, 5, r->begin);
    sqlite3_bind_int64(s, 6, r->end);
    md_store_bind_text(s, 7, day, -1);
    sqlite3_bind_int(s, 8, md_store_rep_is_microsoft(r->org_name, r->contact));
    sqlite3_bind_int64(s, 9, (int64_t)r->skipped);
    md_store_bind_text(s, 10, name ? name : "", -1);
    if (source_id > 0)
        sqlite3_bind_int64(s, 11, source_id);
    sqlite3_bind_int64(s, 12, (int64_t)time(NULL));
    rc = sqlite3_step(s) == SQLITE_DONE ? MD_OK : md_store_dberr(st, err, "storing a TLS report");
    sqlite3_finalize(s);
    *id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

static int insert_failures(md_store *st, const md_tlsrpt_report *r, const md_tlsrpt_policy *p,
                           int64_t pid, md_err *err)
{
    sqlite3_stmt *s = NULL;
    int rc = md_store_prepare(st, &s,
        "INSERT INTO rep_tls_failure(policy, result_type, sending_ip, receiving_mx,"
        " receiving_helo, receiving_ip, reason_code, additional, count)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", 0, err);
    for (size_t i = 0; rc == MD_OK && i < p->nfail; i++) {
        const md_tlsrpt_failure *f = &r->failures[p->fail_first + i];
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, pid);
        md_store_bind_text(s, 2, f->result_type, -1);
        md_store_bind_text(s, 3, f->sending_ip, -1);
        md_store_bind_text(s, 4, f->receiving_mx, -1);
        md_store_bind_text(s, 5, f->receiving_helo, -1);
        md_store_bind_text(s, 6, f->receiving_ip, -1);
        md_store_bind_text(s, 7, f->reason_code, -1);
        md_store_bind_text(s, 8, f->additional, -1);
        sqlite3_bind_int64(s, 9, f->count > INT64_MAX ? INT64_MAX : (int64_t)f->count);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = md_store_dberr(st, err, "storing a TLS failure row");
    }
    sqlite3_finalize(s);
    return rc;
}

static int insert_policies(md_store *st, const md_tlsrpt_report *r, int64_t rid, md_err *err)
{
    int rc = MD_OK;
    for (size_t i = 0; rc == MD_OK && i < r->npolicies; i++) {
        const md_tlsrpt_policy *p = &r->policies[i];
        sqlite3_stmt *s = NULL;
        rc = md_store_prepare(st, &s,
            "INSERT INTO rep_tls_policy(report, type, domain, mx_hosts, success, failure)"
            " VALUES(?1, ?2, ?3, ?4, ?5, ?6)", 0, err);
        if (rc != MD_OK)
            return rc;
        sqlite3_bind_int64(s, 1, rid);
        md_store_bind_text(s, 2, p->type, -1);
        md_store_bind_text(s, 3, p->domain, -1);
        md_store_bind_text(s, 4, p->mx_hosts, -1);
        sqlite3_bind_int64(s, 5, p->success > INT64_MAX ? INT64_MAX : (int64_t)p->success);
        sqlite3_bind_int64(s, 6, p->failure > INT64_MAX ? INT64_MAX : (int64_t)p->failure);
        rc = sqlite3_step(s) == SQLITE_DONE ? MD_OK
                                            : md_store_dberr(st, err, "storing a TLS policy");
        sqlite3_finalize(s);
        if (rc == MD_OK)
            rc = insert_failures(st, r, p, sqlite3_last_insert_rowid(st->db), err);
    }
    return rc;
}

int md_store_tls_add(md_store *st, const md_tlsrpt_report *r, const char *name,
                     int64_t source_id, int *added, md_err *err)
{
    int dummy, own;
    if (!added)
        added = &dummy;
    *added = 0;
    char key[256];
    md_text_copy(key, sizeof key, r->org_name[0] ? r->org_name : r->contact);
    md_text_lower(key);
    int rc = begin_tx(st, &own, err);
    if (rc != MD_OK)
        return rc;
    sqlite3_stmt *s = NULL;
    rc = md_store_prepare(st, &s, "SELECT id FROM rep_tls_report WHERE org_key = ?1 AND"
                          " report_id = ?2", 0, err);
    int known = 0;
    if (rc == MD_OK) {
        md_store_bind_text(s, 1, key, -1);
        md_store_bind_text(s, 2, r->report_id, -1);
        known = sqlite3_step(s) == SQLITE_ROW;
        sqlite3_finalize(s);
    }
    int64_t id = 0;
    if (rc == MD_OK && !known) {
        rc = insert_report(st, r, key, name, source_id, &id, err);
        if (rc == MD_OK)
            rc = insert_policies(st, r, id, err);
        *added = rc == MD_OK;
    }
    if (rc == MD_OK && source_id > 0)
        rc = md_store_source_progress(st, source_id, 0, 0, 1, err);
    rc = end_tx(st, own, rc, err);
    if (rc != MD_OK)
        *added = 0;
    return rc;
}

static void col_copy(sqlite3_stmt *s, int i, char *dst, size_t size)
{
    md_text_copy(dst, size, md_store_col_text(s, i));
}

int md_store_tls_days(md_store *st, const char *domain, int64_t since, int64_t until,
                      md_tls_day_fn fn, void *arg, md_err *err)
{
    sqlite3_stmt *s = NULL;
    int rc = md_store_prepare(st, &s,
        "SELECT r.day, p.domain, r.org_name, r.microsoft, SUM(p.success), SUM(p.failure)"
        " FROM rep_tls_policy p JOIN rep_tls_report r ON r.id = p.report"
        " WHERE r.date_begin BETWEEN ?1 AND ?2 AND (?3 = '' OR p.domain = ?3)"
        " GROUP BY r.day, p.domain, r.org_key ORDER BY r.day, p.domain, r.org_name", 0, err);
    if (rc != MD_OK)
        return rc;
    sqlite3_bind_int64(s, 1, since);
    sqlite3_bind_int64(s, 2, until);
    md_store_bind_text(s, 3, domain ? domain : "", -1);
    int step = SQLITE_DONE;
    while (rc == MD_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
        md_tls_day d;
        memset(&d, 0, sizeof d);
        col_copy(s, 0, d.day, sizeof d.day);
        col_copy(s, 1, d.domain, sizeof d.domain);
        col_copy(s, 2, d.org_name, sizeof d.org_name);
        d.microsoft = sqlite3_column_int(s, 3);
        d.success = (uint64_t)sqlite3_column_int64(s, 4);
        d.failure = (uint64_t)sqlite3_column_int64(s, 5);
        rc = fn(arg, &d);
    }
    if (rc == MD_OK && step != SQLITE_DONE)
        rc = md_store_dberr(st, err, "reading TLS reports");
    sqlite3_finalize(s);
    return rc;
}

int md_store_tls_failures(md_store *st, const char *domain, const char *ip, int64_t since,
                          int64_t until, md_tls_fail_fn fn, void *arg, md_err *err)
{
    sqlite3_stmt *s = NULL;
    int rc = md_store_prepare(st, &s,
        "SELECT r.day, p.domain, r.org_name, r.microsoft, f.result_type, f.receiving_mx,"
        " f.receiving_ip, f.sending_ip, f.reason_code, f.count"
        " FROM rep_tls_failure f JOIN rep_tls_policy p ON p.id = f.policy"
        " JOIN rep_tls_report r ON r.id = p.report"
        " WHERE r.date_begin BETWEEN ?1 AND ?2 AND (?3 = '' OR p.domain = ?3)"
        " AND (?4 = '' OR f.sending_ip = ?4 OR f.receiving_ip = ?4)"
        " ORDER BY r.day, f.count DESC, f.result_type, f.id", 0, err);
    if (rc != MD_OK)
        return rc;
    sqlite3_bind_int64(s, 1, since);
    sqlite3_bind_int64(s, 2, until);
    md_store_bind_text(s, 3, domain ? domain : "", -1);
    md_store_bind_text(s, 4, ip ? ip : "", -1);
    int step = SQLITE_DONE;
    while (rc == MD_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
        md_tls_fail f;
        memset(&f, 0, sizeof f);
        col_copy(s, 0, f.day, sizeof f.day);
        col_copy(s, 1, f.domain, sizeof f.domain);
        col_copy(s, 2, f.org_name, sizeof f.org_name);
        f.microsoft = sqlite3_column_int(s, 3);
        col_copy(s, 4, f.result_type, sizeof f.result_type);
        col_copy(s, 5, f.receiving_mx, sizeof f.receiving_mx);
        col_copy(s, 6, f.receiving_ip, sizeof f.receiving_ip);
        col_copy(s, 7, f.sending_ip, sizeof f.sending_ip);
        col_copy(s, 8, f.reason_code, sizeof f.reason_code);
        f.count = (uint64_t)sqlite3_column_int64(s, 9);
        rc = fn(arg, &f);
    }
    if (rc == MD_OK && step != SQLITE_DONE)
        rc = md_store_dberr(st, err, "reading TLS failures");
    sqlite3_finalize(s);
    return rc;
}

static int64_t count_of(md_store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    int64_t n = -1;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
}

int md_store_tls_counts(md_store *st, int64_t *reports, int64_t *policies, int64_t *failures,
                        md_err *err)
{
    *reports = count_of(st, "SELECT COUNT(*) FROM rep_tls_report");
    *policies = count_of(st, "SELECT COUNT(*) FROM rep_tls_policy");
    *failures = count_of(st, "SELECT COUNT(*) FROM rep_tls_failure");
    if (*reports < 0 || *policies < 0 || *failures < 0)
        return md_store_dberr(st, err, "counting TLS reports");
    return MD_OK;
}
