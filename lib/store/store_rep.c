/* store_rep.c: the reputation area's tables and queries (see store_rep.h):
 * DMARC aggregate reports, records and auth results; SNDS data rows; SNDS
 * status ranges.  Owns only the statements it prepares for one call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/buf.h"
#include "store/store_int.h"
#include "store/store_rep.h"
#include "base/text.h"

const char md_store_schema_rep[] =
    "CREATE TABLE rep_dmarc_report ("
    "  id INTEGER PRIMARY KEY,"
    "  org_key TEXT NOT NULL,"          /* lower-case org_name, else email */
    "  org_name TEXT NOT NULL,"
    "  report_id TEXT NOT NULL,"
    "  email TEXT, extra_contact TEXT,"
    "  date_begin INTEGER NOT NULL, date_end INTEGER NOT NULL,"
    "  mid INTEGER NOT NULL,"           /* middle of the date range */
    "  day TEXT NOT NULL,"              /* YYYY-MM-DD of mid (UTC) */
    "  microsoft INTEGER NOT NULL DEFAULT 0,"
    "  version TEXT, ns_v2 INTEGER NOT NULL DEFAULT 0,"
    "  domain TEXT, adkim TEXT, aspf TEXT, p TEXT, sp TEXT, np TEXT, pct INTEGER,"
    "  testing TEXT,"
    "  records INTEGER NOT NULL, messages INTEGER NOT NULL, skipped INTEGER NOT NULL,"
    "  name TEXT,"
    "  source_id INTEGER REFERENCES source(id),"
    "  stored_at INTEGER NOT NULL,"
    "  UNIQUE(org_key, report_id));"
    "CREATE INDEX rep_dmarc_report_mid ON rep_dmarc_report(mid);"
    "CREATE TABLE rep_dmarc_record ("
    "  id INTEGER PRIMARY KEY,"
    "  report INTEGER NOT NULL REFERENCES rep_dmarc_report(id) ON DELETE CASCADE,"
    "  source_ip TEXT NOT NULL,"
    "  count INTEGER NOT NULL,"
    "  disposition TEXT, dkim TEXT, spf TEXT,"
    "  pass INTEGER NOT NULL,"          /* policy_evaluated dkim or spf = pass */
    "  reason TEXT, header_from TEXT, envelope_from TEXT, envelope_to TEXT,"
    "  line INTEGER);"
    "CREATE INDEX rep_dmarc_record_ip ON rep_dmarc_record(source_ip, report);"
    "CREATE INDEX rep_dmarc_record_report ON rep_dmarc_record(report);"
    "CREATE TABLE rep_dmarc_auth ("
    "  record INTEGER NOT NULL REFERENCES rep_dmarc_record(id) ON DELETE CASCADE,"
    "  method TEXT NOT NULL,"           /* dkim | spf */
    "  domain TEXT, selector TEXT, scope TEXT, result TEXT);"
    "CREATE INDEX rep_dmarc_auth_record ON rep_dmarc_auth(record);"
    "CREATE TABLE rep_snds ("
    "  ip TEXT NOT NULL,"
    "  act_start INTEGER NOT NULL, act_end INTEGER,"
    "  day TEXT NOT NULL,"              /* YYYY-MM-DD of act_start (UTC) */
    "  rcpt INTEGER, data INTEGER, recipients INTEGER,"
    "  filter TEXT,"                    /* GREEN | YELLOW | RED */
    "  complaint TEXT, complaint_pct REAL, complaint_lt INTEGER NOT NULL DEFAULT 0,"
    "  trap_start INTEGER, trap_end INTEGER, trap_hits INTEGER NOT NULL DEFAULT 0,"
    "  helo TEXT, jmr_sender TEXT, comments TEXT,"
    "  source_id INTEGER REFERENCES source(id), line INTEGER,"
    "  PRIMARY KEY(ip, act_start));"
    "CREATE INDEX rep_snds_day ON rep_snds(day);"
    "CREATE TABLE rep_snds_status ("
    "  id INTEGER PRIMARY KEY,"
    "  first_ip TEXT NOT NULL, last_ip TEXT NOT NULL,"
    "  first_b BLOB NOT NULL, last_b BLOB NOT NULL," /* 16-byte forms: memcmp order */
    "  blocked INTEGER NOT NULL, reason TEXT NOT NULL,"
    "  first_seen INTEGER, last_seen INTEGER,"
    "  source_id INTEGER REFERENCES source(id), line INTEGER,"
    "  UNIQUE(first_ip, last_ip, blocked, reason));"
    "CREATE INDEX rep_snds_status_range ON rep_snds_status(first_b, last_b);";

/* ---- helpers ---------------------------------------------------------------- */

/* Own transaction, or a savepoint inside the caller's. */
static int tx_begin(md_store *st, int *own, md_err *err)
{
    *own = !st->in_tx;
    if (*own)
        return md_store_begin(st, err);
    return md_store_exec(st, "SAVEPOINT rep", err);
}

static int tx_end(md_store *st, int own, int rc, md_err *err)
{
    if (own) {
        if (rc == MD_OK) {
            rc = md_store_commit(st, err);
            if (rc != MD_OK)
                md_store_rollback(st);
        } else {
            md_store_rollback(st);
        }
        return rc;
    }
    if (rc == MD_OK)
        return md_store_exec(st, "RELEASE rep", err);
    md_store_exec(st, "ROLLBACK TO rep", NULL);
    md_store_exec(st, "RELEASE rep", NULL);
    return rc;
}

/* day_of: the UTC day of t, "YYYY-MM-DD" into dst (11 bytes) */
static void day_of(int64_t t, char *dst)
{
    char tmp[64];
    md_text_time_utc(tmp, sizeof tmp, t, "%Y-%m-%d", "1970-01-01");
    md_text_copy(dst, 11, tmp);
}

static void bind_opt_int(sqlite3_stmt *s, int i, int64_t v, int64_t none)
{
    if (v == none)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_int64(s, i, v);
}

static void bind_str(sqlite3_stmt *s, int i, const char *t)
{
    md_store_bind_text(s, i, t && t[0] ? t : NULL, -1);
}

static int64_t col_opt_int(sqlite3_stmt *s, int i, int64_t none)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? none : sqlite3_column_int64(s, i);
}

static void col_copy(sqlite3_stmt *s, int i, char *dst, size_t size)
{
    snprintf(dst, size, "%s", md_store_col_text(s, i));
}

static int ip_canon(const char *ip, char *dst, md_ip *bin, md_err *err)
{
    md_ip tmp;
    if (!bin)
        bin = &tmp;
    if (!ip || md_ip_parse(bin, ip, strlen(ip)) != 0)
        return md_err_set(err, MD_ERR_ARG, "not an IP address: %.60s", ip ? ip : "(null)");
    md_ip_format(bin, dst, MD_IP_STRLEN);
    return MD_OK;
}

int md_store_rep_is_microsoft(const char *org_name, const char *email)
{
    static const char *const marks[] = {"outlook.com", "microsoft", "hotmail", "outlook"};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        if (org_name && md_text_casestr(org_name, strlen(org_name), marks[i]))
            return 1;
        if (email) {
            const char *at = strrchr(email, '@');
            const char *dom = at ? at + 1 : email;
            if (md_text_casestr(dom, strlen(dom), marks[i]))
                return 1;
        }
    }
    return 0;
}

/* ---- DMARC -------------------------------------------------------------------- */

static int find_report(md_store *st, const char *key, const char *rid, int64_t *id, md_err *err)
{
    sqlite3_stmt *s = NULL;
    *id = 0;
    if (md_store_prepare(st, &s, "SELECT id FROM rep_dmarc_report WHERE org_key = ?1 AND "
                                 "report_id = ?2", 0, err) != MD_OK)
        return MD_ERR_DB;
    md_store_bind_text(s, 1, key, -1);
    md_store_bind_text(s, 2, rid, -1);
    int step = sqlite3_step(s);
    int rc = MD_OK;
    if (step == SQLITE_ROW)
        *id = sqlite3_column_int64(s, 0);
    else if (step != SQLITE_DONE)
        rc = md_store_dberr(st, err, "looking up DMARC report");
    sqlite3_finalize(s);
    return rc;
}

static int insert_report(md_store *st, const md_dmarc_report *r, const char *key,
                         const char *name, int64_t source_id, int64_t *id, md_err *err)
{
    sqlite3_stmt *s = NULL;
    if (md_store_prepare(st, &s,
                         "INSERT INTO rep_dmarc_report(org_key, org_name, report_id, email,"
                         " extra_contact, date_begin, date_end, mid, day, microsoft, version,"
                         " ns_v2, domain, adkim, aspf, p, sp, np, pct, testing, records,"
                         " messages, skipped, name, source_id, stored_at) VALUES(?1, ?2, ?3,"
                         " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
                         " ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, strftime('%s','now'))",
                         0, err) != MD_OK)
        return MD_ERR_DB;
    int64_t mid = r->begin + (r->end > r->begin ? (r->end - r->begin) / 2 : 0);
    char day[11];
    day_of(mid, day);
    md_store_bind_text(s, 1, key, -1);
    md_store_bind_text(s, 2, r->org_name, -1);
    md_store_bind_text(s, 3, r->report_id, -1);
    bind_str(s, 4, r->email);
    bind_str(s, 5, r->extra_contact);
    sqlite3_bind_int64(s, 6, r->begin);
    sqlite3_bind_int64(s, 7, r->end);
    sqlite3_bind_int64(s, 8, mid);
    md_store_bind_text(s, 9, day, -1);
    sqlite3_bind_int(s, 10, md_store_rep_is_microsoft(r->org_name, r->email));
    bind_str(s, 11, r->version);
    sqlite3_bind_int(s, 12, r->ns_v2);
    bind_str(s, 13, r->domain);
    bind_str(s, 14, r->adkim);
    bind_str(s, 15, r->aspf);
    bind_str(s, 16, r->p);
    bind_str(s, 17, r->sp);
    bind_str(s, 18, r->np);
    bind_opt_int(s, 19, r->pct, -1);
    bind_str(s, 20, r->testing);
    sqlite3_bind_int64(s, 21, (sqlite3_int64)r->nrecords);
    sqlite3_bind_int64(s, 22, (sqlite3_int64)r->messages);
    sqlite3_bind_int64(s, 23, (sqlite3_int64)r->skipped);
    bind_str(s, 24, name);
    bind_opt_int(s, 25, source_id, 0);
    int rc = sqlite3_step(s) == SQLITE_DONE ? MD_OK
                                            : md_store_dberr(st, err, "storing DMARC report");
    sqlite3_finalize(s);
    *id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

static int insert_records(md_store *st, const md_dmarc_report *r, int64_t rid, md_err *err)
{
    sqlite3_stmt *s = NULL, *a = NULL;
    int rc = MD_ERR_DB;
    if (md_store_prepare(st, &s,
                         "INSERT INTO rep_dmarc_record(report, source_ip, count, disposition,"
                         " dkim, spf, pass, reason, header_from, envelope_from, envelope_to,"
                         " line) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                         0, err) != MD_OK ||
        md_store_prepare(st, &a,
                         "INSERT INTO rep_dmarc_auth(record, method, domain, selector, scope,"
                         " result) VALUES(?1, ?2, ?3, ?4, ?5, ?6)", 0, err) != MD_OK)
        goto out;
    for (size_t i = 0; i < r->nrecords; i++) {
        const md_dmarc_record *c = &r->records[i];
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, rid);
        md_store_bind_text(s, 2, c->source_ip, -1);
        sqlite3_bind_int64(s, 3, (sqlite3_int64)(c->count > INT64_MAX ? INT64_MAX : c->count));
        bind_str(s, 4, c->disposition);
        bind_str(s, 5, c->dkim);
        bind_str(s, 6, c->spf);
        sqlite3_bind_int(s, 7, md_dmarc_record_pass(c));
        bind_str(s, 8, c->reason);
        bind_str(s, 9, c->header_from);
        bind_str(s, 10, c->envelope_from);
        bind_str(s, 11, c->envelope_to);
        sqlite3_bind_int64(s, 12, (sqlite3_int64)c->line);
        if (sqlite3_step(s) != SQLITE_DONE) {
            md_store_dberr(st, err, "storing DMARC record");
            goto out;
        }
        int64_t recid = sqlite3_last_insert_rowid(st->db);
        for (size_t k = 0; k < c->nauth && c->auth_first + k < r->nauths; k++) {
            const md_dmarc_auth *au = &r->auths[c->auth_first + k];
            sqlite3_reset(a);
            sqlite3_bind_int64(a, 1, recid);
            md_store_bind_text(a, 2, au->method, -1);
            bind_str(a, 3, au->domain);
            bind_str(a, 4, au->selector);
            bind_str(a, 5, au->scope);
            bind_str(a, 6, au->result);
            if (sqlite3_step(a) != SQLITE_DONE) {
                md_store_dberr(st, err, "storing DMARC auth result");
                goto out;
            }
        }
    }
    rc = MD_OK;
out:
    sqlite3_finalize(s);
    sqlite3_finalize(a);
    return rc;
}

int md_store_rep_dmarc_add(md_store *st, const md_dmarc_report *r, const char *name,
                           int64_t source_id, int *added, md_err *err)
{
    int dummy, own;
    if (!added)
        added = &dummy;
    *added = 0;
    char key[256];
    snprintf(key, sizeof key, "%s", r->org_name[0] ? r->org_name : r->email);
    md_text_lower(key);
    int rc = tx_begin(st, &own, err);
    if (rc != MD_OK)
        return rc;
    int64_t id;
    rc = find_report(st, key, r->report_id, &id, err);
    if (rc == MD_OK && id == 0) {
        rc = insert_report(st, r, key, name, source_id, &id, err);
        if (rc == MD_OK)
            rc = md_store_tls_dmarc_bis_put(st, r, id, err);
        if (rc == MD_OK)
            rc = insert_records(st, r, id, err);
        if (rc == MD_OK)
            *added = 1;
    }
    if (rc == MD_OK && source_id > 0)
        rc = md_store_source_progress(st, source_id, 0, 0, 1, err);
    rc = tx_end(st, own, rc, err);
    if (rc != MD_OK)
        *added = 0;
    return rc;
}

/* ---- SNDS ---------------------------------------------------------------------- */

int md_store_rep_snds_put(md_store *st, const md_snds_row *row, int64_t source_id,
                          uint64_t line, int *added, md_err *err)
{
    int dummy, own;
    if (!added)
        added = &dummy;
    *added = 0;
    char ip[MD_IP_STRLEN], day[11];
    int rc = ip_canon(row->ip, ip, NULL, err);
    if (rc != MD_OK)
        return rc;
    day_of(row->act_start, day);
    if ((rc = tx_begin(st, &own, err)) != MD_OK)
        return rc;
    sqlite3_stmt *s = NULL;
    rc = md_store_prepare(st, &s, "SELECT 1 FROM rep_snds WHERE ip = ?1 AND act_start = ?2",
                          0, err);
    if (rc == MD_OK) {
        md_store_bind_text(s, 1, ip, -1);
        sqlite3_bind_int64(s, 2, row->act_start);
        *added = sqlite3_step(s) != SQLITE_ROW;
        sqlite3_finalize(s);
        s = NULL;
        rc = md_store_prepare(st, &s,
                              "INSERT OR REPLACE INTO rep_snds(ip, act_start, act_end, day, rcpt,"
                              " data, recipients, filter, complaint, complaint_pct, complaint_lt,"
                              " trap_start, trap_end, trap_hits, helo, jmr_sender, comments,"
                              " source_id, line) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                              " ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)", 0, err);
    }
    if (rc == MD_OK) {
        md_store_bind_text(s, 1, ip, -1);
        sqlite3_bind_int64(s, 2, row->act_start);
        bind_opt_int(s, 3, row->act_end, 0);
        md_store_bind_text(s, 4, day, -1);
        bind_opt_int(s, 5, row->rcpt, -1);
        bind_opt_int(s, 6, row->data, -1);
        bind_opt_int(s, 7, row->recipients, -1);
        bind_str(s, 8, row->filter);
        bind_str(s, 9, row->complaint);
        if (row->complaint_pct < 0)
            sqlite3_bind_null(s, 10);
        else
            sqlite3_bind_double(s, 10, row->complaint_pct);
        sqlite3_bind_int(s, 11, row->complaint_lt);
        bind_opt_int(s, 12, row->trap_start, 0);
        bind_opt_int(s, 13, row->trap_end, 0);
        sqlite3_bind_int64(s, 14, row->trap_hits);
        bind_str(s, 15, row->helo);
        bind_str(s, 16, row->jmr_sender);
        bind_str(s, 17, row->comments);
        bind_opt_int(s, 18, source_id, 0);
        sqlite3_bind_int64(s, 19, (sqlite3_int64)line);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = md_store_dberr(st, err, "storing SNDS row");
    }
    sqlite3_finalize(s);
    return tx_end(st, own, rc, err);
}

int md_store_rep_status_put(md_store *st, const md_snds_status *stt, int64_t seen,
                            int64_t source_id, uint64_t line, md_err *err)
{
    char first[MD_IP_STRLEN], last[MD_IP_STRLEN];
    md_ip a, b;
    int rc, own;
    if ((rc = ip_canon(stt->first, first, &a, err)) != MD_OK ||
        (rc = ip_canon(stt->last, last, &b, err)) != MD_OK)
        return rc;
    if ((rc = tx_begin(st, &own, err)) != MD_OK)
        return rc;
    sqlite3_stmt *s = NULL;
    rc = md_store_prepare(st, &s,
                          "INSERT INTO rep_snds_status(first_ip, last_ip, first_b, last_b,"
                          " blocked, reason, first_seen, last_seen, source_id, line)"
                          " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9)"
                          " ON CONFLICT(first_ip, last_ip, blocked, reason) DO UPDATE SET"
                          " first_seen = min(first_seen, excluded.first_seen),"
                          " last_seen = max(last_seen, excluded.last_seen)", 0, err);
    if (rc == MD_OK) {
        md_store_bind_text(s, 1, first, -1);
        md_store_bind_text(s, 2, last, -1);
        sqlite3_bind_blob(s, 3, a.b, 16, SQLITE_TRANSIENT);
        sqlite3_bind_blob(s, 4, b.b, 16, SQLITE_TRANSIENT);
        sqlite3_bind_int(s, 5, stt->blocked ? 1 : 0);
        md_store_bind_text(s, 6, stt->reason, -1);
        sqlite3_bind_int64(s, 7, seen);
        bind_opt_int(s, 8, source_id, 0);
        sqlite3_bind_int64(s, 9, (sqlite3_int64)line);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = md_store_dberr(st, err, "storing SNDS status");
    }
    sqlite3_finalize(s);
    return tx_end(st, own, rc, err);
}

/* ---- reading: days of an IP ------------------------------------------------- */

static int colour_rank(const char *f)
{
    return strcmp(f, "RED") == 0 ? 3 : strcmp(f, "YELLOW") == 0 ? 2 : strcmp(f, "GREEN") == 0;
}

/* the entry for day in the sorted-by-insertion list (days arrive in order
 * from each query; the second query merges into the first) */
static md_rep_day *day_slot(md_rep_day **arr, size_t *n, size_t *cap, const char *day,
                            md_err *err)
{
    for (size_t i = *n; i > 0; i--)
        if (strcmp((*arr)[i - 1].day, day) == 0)
            return &(*arr)[i - 1];
    md_rep_day *g = md_grow(*arr, cap, *n + 1, sizeof *g, 16);
    if (!g) {
        md_err_set(err, MD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    *arr = g;
    md_rep_day *d = &(*arr)[(*n)++];
    memset(d, 0, sizeof *d);
    snprintf(d->day, sizeof d->day, "%s", day);
    d->rcpt = d->data = d->recipients = -1;
    d->complaint_pct = -1;
    return d;
}

static int64_t add_opt(int64_t a, int64_t b)
{
    return a < 0 ? b : b < 0 ? a : a + b;
}

static int cmp_day(const void *a, const void *b)
{
    return strcmp(((const md_rep_day *)a)->day, ((const md_rep_day *)b)->day);
}

int md_store_rep_ip_days(md_store *st, const char *ipin, int64_t since, int64_t until,
                         md_rep_day **out, size_t *n, md_err *err)
{
    *out = NULL;
    *n = 0;
    char ip[MD_IP_STRLEN];
    int rc = ip_canon(ipin, ip, NULL, err);
    if (rc != MD_OK)
        return rc;
    md_rep_day *arr = NULL;
    size_t cnt = 0, cap = 0;
    sqlite3_stmt *s = NULL;
    static const char snds_sql[] =
        "SELECT day, act_start, act_end, rcpt, data, recipients, filter,"
        " complaint, complaint_pct, complaint_lt, trap_hits, helo, comments,"
        " source_id, line FROM rep_snds WHERE ip = ?1"
        " AND (?2 = 0 OR act_start >= ?2) AND (?3 = 0 OR act_start <= ?3)"
        " ORDER BY act_start";
    rc = md_store_cached(st, &s, snds_sql, err);
    if (rc != MD_OK)
        goto fail;
    md_store_bind_text(s, 1, ip, -1);
    sqlite3_bind_int64(s, 2, since);
    sqlite3_bind_int64(s, 3, until);
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        md_rep_day *d = day_slot(&arr, &cnt, &cap, md_store_col_text(s, 0), err);
        if (!d) {
            rc = MD_ERR_NOMEM;
            goto fail;
        }
        const char *filter = md_store_col_text(s, 6);
        if (!d->has_snds) {
            d->act_start = sqlite3_column_int64(s, 1);
            d->snds_source = sqlite3_column_int64(s, 13);
            d->snds_line = (uint64_t)sqlite3_column_int64(s, 14);
        }
        d->act_end = col_opt_int(s, 2, 0);
        d->rcpt = add_opt(d->rcpt, col_opt_int(s, 3, -1));
        d->data = add_opt(d->data, col_opt_int(s, 4, -1));
        d->recipients = add_opt(d->recipients, col_opt_int(s, 5, -1));
        if (colour_rank(filter) > colour_rank(d->filter))
            snprintf(d->filter, sizeof d->filter, "%s", filter);
        double pct = sqlite3_column_type(s, 8) == SQLITE_NULL ? -1 : sqlite3_column_double(s, 8);
        if (pct > d->complaint_pct || (pct == d->complaint_pct && !sqlite3_column_int(s, 9))) {
            d->complaint_pct = pct;
            d->complaint_lt = sqlite3_column_int(s, 9);
            col_copy(s, 7, d->complaint, sizeof d->complaint);
        }
        d->trap_hits += sqlite3_column_int64(s, 10);
        if (!d->helo[0])
            col_copy(s, 11, d->helo, sizeof d->helo);
        if (!d->comments[0])
            col_copy(s, 12, d->comments, sizeof d->comments);
        d->has_snds = 1;
    }
    if (step != SQLITE_DONE) {
        rc = md_store_dberr(st, err, "reading SNDS days");
        goto fail;
    }
    md_store_finish(st, s);
    s = NULL;
    static const char dmarc_days_sql[] =
        "SELECT r.day, r.microsoft,"
        " SUM(CASE WHEN c.pass THEN c.count ELSE 0 END),"
        " SUM(CASE WHEN c.pass THEN 0 ELSE c.count END),"
        " SUM(CASE WHEN c.disposition = 'quarantine' THEN c.count ELSE 0 END),"
        " SUM(CASE WHEN c.disposition = 'reject' THEN c.count ELSE 0 END)"
        " FROM rep_dmarc_record c JOIN rep_dmarc_report r ON r.id = c.report"
        " WHERE c.source_ip = ?1 AND (?2 = 0 OR r.mid >= ?2)"
        " AND (?3 = 0 OR r.mid <= ?3) GROUP BY r.day, r.microsoft"
        " ORDER BY r.day";
    rc = md_store_cached(st, &s, dmarc_days_sql, err);
    if (rc != MD_OK)
        goto fail;
    md_store_bind_text(s, 1, ip, -1);
    sqlite3_bind_int64(s, 2, since);
    sqlite3_bind_int64(s, 3, until);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        md_rep_day *d = day_slot(&arr, &cnt, &cap, md_store_col_text(s, 0), err);
        if (!d) {
            rc = MD_ERR_NOMEM;
            goto fail;
        }
        uint64_t pass = (uint64_t)sqlite3_column_int64(s, 2);
        uint64_t fail = (uint64_t)sqlite3_column_int64(s, 3);
        d->dmarc_pass += pass;
        d->dmarc_fail += fail;
        if (sqlite3_column_int(s, 1)) {
            d->ms_pass += pass;
            d->ms_fail += fail;
            d->ms_quarantine += (uint64_t)sqlite3_column_int64(s, 4);
            d->ms_reject += (uint64_t)sqlite3_column_int64(s, 5);
        }
    }
    if (step != SQLITE_DONE) {
        rc = md_store_dberr(st, err, "reading DMARC days");
        goto fail;
    }
    md_store_finish(st, s);
    if (cnt > 1)
        qsort(arr, cnt, sizeof *arr, cmp_day);
    *out = arr;
    *n = cnt;
    return MD_OK;
fail:
    md_store_finish(st, s);
    free(arr);
    return rc;
}

/* ---- reading: DMARC per reporter ---------------------------------------------- */

static void dmarc_sum_row(sqlite3_stmt *s, void *row)
{
    md_rep_dmarc_sum *d = row;
    col_copy(s, 1, d->org_name, sizeof d->org_name);
    col_copy(s, 2, d->email, sizeof d->email);
    d->microsoft = sqlite3_column_int(s, 3);
    d->reports = (uint64_t)sqlite3_column_int64(s, 4);
    d->messages = (uint64_t)sqlite3_column_int64(s, 5);
    d->pass = (uint64_t)sqlite3_column_int64(s, 6);
    d->fail = (uint64_t)sqlite3_column_int64(s, 7);
    d->quarantine = (uint64_t)sqlite3_column_int64(s, 8);
    d->reject = (uint64_t)sqlite3_column_int64(s, 9);
    d->first_begin = sqlite3_column_int64(s, 10);
    d->last_end = sqlite3_column_int64(s, 11);
    col_copy(s, 12, d->header_from, sizeof d->header_from);
    d->dkim_pass = (uint64_t)sqlite3_column_int64(s, 13);
    d->spf_pass = (uint64_t)sqlite3_column_int64(s, 14);
}

int md_store_rep_ip_dmarc(md_store *st, const char *ipin, int64_t since, int64_t until,
                          md_rep_dmarc_sum **out, size_t *n, md_err *err)
{
    *out = NULL;
    *n = 0;
    char ip[MD_IP_STRLEN];
    int rc = ip_canon(ipin, ip, NULL, err);
    if (rc != MD_OK)
        return rc;
    sqlite3_stmt *s = NULL;
    static const char dmarc_sum_sql[] =
        "SELECT r.org_key, max(r.org_name), max(r.email), max(r.microsoft),"
        " COUNT(DISTINCT r.id), SUM(c.count),"
        " SUM(CASE WHEN c.pass THEN c.count ELSE 0 END),"
        " SUM(CASE WHEN c.pass THEN 0 ELSE c.count END),"
        " SUM(CASE WHEN c.disposition = 'quarantine' THEN c.count ELSE 0 END),"
        " SUM(CASE WHEN c.disposition = 'reject' THEN c.count ELSE 0 END),"
        " MIN(r.date_begin), MAX(r.date_end),"
        " (SELECT c2.header_from FROM rep_dmarc_record c2 JOIN rep_dmarc_report r2"
        "   ON r2.id = c2.report WHERE c2.source_ip = ?1 AND r2.org_key = r.org_key"
        "   AND (?2 = 0 OR r2.date_end >= ?2) AND (?3 = 0 OR r2.date_begin <= ?3)"
        "   GROUP BY c2.header_from ORDER BY SUM(c2.count) DESC LIMIT 1),"
        " SUM(CASE WHEN c.dkim = 'pass' THEN c.count ELSE 0 END),"
        " SUM(CASE WHEN c.spf = 'pass' THEN c.count ELSE 0 END)"
        " FROM rep_dmarc_record c JOIN rep_dmarc_report r ON r.id = c.report"
        " WHERE c.source_ip = ?1 AND (?2 = 0 OR r.date_end >= ?2)"
        " AND (?3 = 0 OR r.date_begin <= ?3)"
        " GROUP BY r.org_key ORDER BY SUM(c.count) DESC, r.org_key";
    rc = md_store_cached(st, &s, dmarc_sum_sql, err);
    if (rc != MD_OK)
        return rc;
    md_store_bind_text(s, 1, ip, -1);
    sqlite3_bind_int64(s, 2, since);
    sqlite3_bind_int64(s, 3, until);
    return md_store_list_rows(st, s, (void **)out, n, sizeof **out, dmarc_sum_row,
                     "reading DMARC per reporter", err);
}

/* ---- reading: status ------------------------------------------------------------ */

static void status_row(sqlite3_stmt *s, void *row)
{
    md_rep_status *d = row;
    col_copy(s, 0, d->first, sizeof d->first);
    col_copy(s, 1, d->last, sizeof d->last);
    d->blocked = sqlite3_column_int(s, 2);
    col_copy(s, 3, d->reason, sizeof d->reason);
    d->first_seen = sqlite3_column_int64(s, 4);
    d->last_seen = sqlite3_column_int64(s, 5);
    d->source_id = sqlite3_column_int64(s, 6);
    d->line = (uint64_t)sqlite3_column_int64(s, 7);
}

int md_store_rep_ip_status(md_store *st, const char *ipin, md_rep_status **out, size_t *n,
                           md_err *err)
{
    *out = NULL;
    *n = 0;
    char ip[MD_IP_STRLEN];
    md_ip bin;
    int rc = ip_canon(ipin, ip, &bin, err);
    if (rc != MD_OK)
        return rc;
    sqlite3_stmt *s = NULL;
    rc = md_store_prepare(st, &s,
                          "SELECT first_ip, last_ip, blocked, reason, first_seen, last_seen,"
                          " source_id, line FROM rep_snds_status"
                          " WHERE first_b <= ?1 AND last_b >= ?1"
                          " ORDER BY blocked DESC, last_seen DESC, id", 0, err);
    if (rc != MD_OK)
        return rc;
    sqlite3_bind_blob(s, 1, bin.b, 16, SQLITE_TRANSIENT);
    return md_store_list_rows(st, s, (void **)out, n, sizeof **out, status_row, "reading SNDS status",
                     err);
}

/* ---- reading: problems ------------------------------------------------------------ */

static md_rep_problem *problem_slot(md_rep_problem **arr, size_t *n, size_t *cap,
                                    const char *ip, md_err *err)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*arr)[i].ip, ip) == 0)
            return &(*arr)[i];
    md_rep_problem *g = md_grow(*arr, cap, *n + 1, sizeof *g, 16);
    if (!g) {
        md_err_set(err, MD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    *arr = g;
    md_rep_problem *p = &(*arr)[(*n)++];
    memset(p, 0, sizeof *p);
    snprintf(p->ip, sizeof p->ip, "%s", ip);
    p->max_complaint_pct = -1;
    return p;
}

static void widen_days(md_rep_problem *p, const char *first, const char *last)
{
    if (first[0] && (!p->first_day[0] || strcmp(first, p->first_day) < 0))
        snprintf(p->first_day, sizeof p->first_day, "%s", first);
    if (last[0] && strcmp(last, p->last_day) > 0)
        snprintf(p->last_day, sizeof p->last_day, "%s", last);
}

static int keep_ip(const md_config *cfg, const char *ip)
{
    md_ip bin;
    if (!cfg)
        return 1;
    return md_ip_parse(&bin, ip, strlen(ip)) == 0 && md_config_is_ours(cfg, &bin);
}

static int cmp_problem(const void *a, const void *b)
{
    const md_rep_problem *x = a, *y = b;
    if (x->blocked != y->blocked)
        return y->blocked - x->blocked;
    if (x->red_days != y->red_days)
        return x->red_days < y->red_days ? 1 : -1;
    if (x->yellow_days != y->yellow_days)
        return x->yellow_days < y->yellow_days ? 1 : -1;
    if (x->dmarc_fail != y->dmarc_fail)
        return x->dmarc_fail < y->dmarc_fail ? 1 : -1;
    return strcmp(x->ip, y->ip);
}

/* problem_rows: run sql (?1 = since, ?2 = until) and fill the problem of
 * each row's IP (column 0) that keep_ip takes, through `fill`. */
static int problem_rows(md_store *st, const char *sql, int64_t since, int64_t until,
                        const md_config *cfg, md_rep_problem **arr, size_t *cnt, size_t *cap,
                        void (*fill)(sqlite3_stmt *s, md_rep_problem *p), const char *what,
                        md_err *err)
{
    sqlite3_stmt *s = NULL;
    int step, rc = md_store_prepare(st, &s, sql, 0, err);
    if (rc != MD_OK)
        return rc;
    sqlite3_bind_int64(s, 1, since);
    sqlite3_bind_int64(s, 2, until);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        const char *ip = md_store_col_text(s, 0);
        if (!keep_ip(cfg, ip))
            continue;
        md_rep_problem *p = problem_slot(arr, cnt, cap, ip, err);
        if (!p) {
            rc = MD_ERR_NOMEM;
            break;
        }
        fill(s, p);
    }
    if (rc == MD_OK && step != SQLITE_DONE)
        rc = md_store_dberr(st, err, what);
    sqlite3_finalize(s);
    return rc;
}

static void snds_problem(sqlite3_stmt *s, md_rep_problem *p)
{
    p->red_days = (uint64_t)sqlite3_column_int64(s, 1);
    p->yellow_days = (uint64_t)sqlite3_column_int64(s, 2);
    p->green_days = (uint64_t)sqlite3_column_int64(s, 3);
    p->trap_hits = sqlite3_column_int64(s, 4);
    p->max_complaint_pct = sqlite3_column_type(s, 5) == SQLITE_NULL
                               ? -1 : sqlite3_column_double(s, 5);
    widen_days(p, md_store_col_text(s, 6), md_store_col_text(s, 7));
}

static void dmarc_problem(sqlite3_stmt *s, md_rep_problem *p)
{
    p->dmarc_pass = (uint64_t)sqlite3_column_int64(s, 1);
    p->dmarc_fail = (uint64_t)sqlite3_column_int64(s, 2);
    p->ms_fail = (uint64_t)sqlite3_column_int64(s, 3);
    widen_days(p, md_store_col_text(s, 4), md_store_col_text(s, 5));
}

int md_store_rep_problems(md_store *st, const md_config *cfg, int64_t since, int64_t until,
                          md_rep_problem **out, size_t *n, md_err *err)
{
    *out = NULL;
    *n = 0;
    md_rep_problem *arr = NULL;
    size_t cnt = 0, cap = 0;
    sqlite3_stmt *s = NULL;
    int step, rc = problem_rows(st,
        "SELECT ip, SUM(filter = 'RED'), SUM(filter = 'YELLOW'), SUM(filter = 'GREEN'),"
        " SUM(trap_hits), MAX(complaint_pct),"
        " MIN(CASE WHEN filter IN ('RED','YELLOW') OR trap_hits > 0 THEN day END),"
        " MAX(CASE WHEN filter IN ('RED','YELLOW') OR trap_hits > 0 THEN day END)"
        " FROM rep_snds WHERE (?1 = 0 OR act_start >= ?1) AND (?2 = 0 OR act_start <= ?2)"
        " GROUP BY ip", since, until, cfg, &arr, &cnt, &cap, snds_problem,
        "reading SNDS problems", err);
    if (rc != MD_OK)
        goto fail;
    rc = problem_rows(st,
        "SELECT c.source_ip, SUM(CASE WHEN c.pass THEN c.count ELSE 0 END),"
        " SUM(CASE WHEN c.pass THEN 0 ELSE c.count END),"
        " SUM(CASE WHEN NOT c.pass AND r.microsoft THEN c.count ELSE 0 END),"
        " MIN(CASE WHEN NOT c.pass THEN r.day END), MAX(CASE WHEN NOT c.pass THEN r.day END)"
        " FROM rep_dmarc_record c JOIN rep_dmarc_report r ON r.id = c.report"
        " WHERE (?1 = 0 OR r.mid >= ?1) AND (?2 = 0 OR r.mid <= ?2) GROUP BY c.source_ip",
        since, until, cfg, &arr, &cnt, &cap, dmarc_problem, "reading DMARC problems", err);
    if (rc != MD_OK)
        goto fail;
    /* single-IP blocked ranges name an IP even without data */
    rc = md_store_prepare(st, &s, "SELECT first_ip FROM rep_snds_status WHERE blocked = 1"
                                  " AND first_ip = last_ip", 0, err);
    if (rc != MD_OK)
        goto fail;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        const char *ip = md_store_col_text(s, 0);
        if (keep_ip(cfg, ip) && !problem_slot(&arr, &cnt, &cap, ip, err)) {
            rc = MD_ERR_NOMEM;
            goto fail;
        }
    }
    sqlite3_finalize(s);
    s = NULL;
    size_t keep = 0;
    for (size_t i = 0; i < cnt; i++) {
        md_rep_status *stt = NULL;
        size_t ns = 0;
        if ((rc = md_store_rep_ip_status(st, arr[i].ip, &stt, &ns, err)) != MD_OK)
            goto fail;
        arr[i].blocked = ns > 0 && stt[0].blocked;
        free(stt);
        const md_rep_problem *p = &arr[i];
        if (p->red_days || p->yellow_days || p->trap_hits > 0 || p->dmarc_fail || p->blocked)
            arr[keep++] = arr[i];
    }
    cnt = keep;
    if (cnt > 1)
        qsort(arr, cnt, sizeof *arr, cmp_problem);
    if (!cnt) {
        free(arr);
        arr = NULL;
    }
    *out = arr;
    *n = cnt;
    return MD_OK;
fail:
    sqlite3_finalize(s);
    free(arr);
    return rc;
}

static void report_row(sqlite3_stmt *s, void *row)
{
    md_rep_report *d = row;
    d->id = sqlite3_column_int64(s, 0);
    col_copy(s, 1, d->org_name, sizeof d->org_name);
    col_copy(s, 2, d->email, sizeof d->email);
    col_copy(s, 3, d->report_id, sizeof d->report_id);
    d->begin = sqlite3_column_int64(s, 4);
    d->end = sqlite3_column_int64(s, 5);
    col_copy(s, 6, d->day, sizeof d->day);
    d->microsoft = sqlite3_column_int(s, 7);
    col_copy(s, 8, d->domain, sizeof d->domain);
    col_copy(s, 9, d->p, sizeof d->p);
    d->records = (uint64_t)sqlite3_column_int64(s, 10);
    d->messages = (uint64_t)sqlite3_column_int64(s, 11);
    d->skipped = (uint64_t)sqlite3_column_int64(s, 12);
    col_copy(s, 13, d->name, sizeof d->name);
    d->source_id = sqlite3_column_int64(s, 14);
}

int md_store_rep_dmarc_reports(md_store *st, int64_t since, int64_t until,
                               md_rep_report **out, size_t *n, md_err *err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = NULL;
    int rc = md_store_prepare(st, &s,
                              "SELECT id, org_name, email, report_id, date_begin, date_end, day,"
                              " microsoft, domain, p, records, messages, skipped, name, source_id"
                              " FROM rep_dmarc_report WHERE (?1 = 0 OR date_end >= ?1)"
                              " AND (?2 = 0 OR date_begin <= ?2) ORDER BY date_begin, id",
                              0, err);
    if (rc != MD_OK)
        return rc;
    sqlite3_bind_int64(s, 1, since);
    sqlite3_bind_int64(s, 2, until);
    return md_store_list_rows(st, s, (void **)out, n, sizeof **out, report_row, "listing DMARC reports",
                     err);
}

int md_store_rep_counts(md_store *st, md_rep_counts *out, md_err *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = NULL;
    int rc = md_store_prepare(st, &s,
        "SELECT (SELECT COUNT(*) FROM rep_dmarc_report),"
        " (SELECT COUNT(*) FROM rep_dmarc_record),"
        " (SELECT COALESCE(SUM(count), 0) FROM rep_dmarc_record),"
        " (SELECT COUNT(*) FROM rep_snds), (SELECT COUNT(DISTINCT ip) FROM rep_snds),"
        " (SELECT COUNT(*) FROM rep_snds_status),"
        " (SELECT COUNT(*) FROM rep_snds_status WHERE blocked = 1)", 0, err);
    if (rc != MD_OK)
        return rc;
    if (sqlite3_step(s) == SQLITE_ROW) {
        out->dmarc_reports = (uint64_t)sqlite3_column_int64(s, 0);
        out->dmarc_records = (uint64_t)sqlite3_column_int64(s, 1);
        out->dmarc_messages = (uint64_t)sqlite3_column_int64(s, 2);
        out->snds_rows = (uint64_t)sqlite3_column_int64(s, 3);
        out->snds_ips = (uint64_t)sqlite3_column_int64(s, 4);
        out->status_rows = (uint64_t)sqlite3_column_int64(s, 5);
        out->status_blocked = (uint64_t)sqlite3_column_int64(s, 6);
    } else {
        rc = md_store_dberr(st, err, "counting reputation data");
    }
    sqlite3_finalize(s);
    return rc;
}
