/* store_forget.c: taking sources back out of the store, and how a log
 * source was read (see store_forget.h).  Owns the temporary tables
 * md_forget_src and md_forget_msg (this connection's) and migration 4 (the
 * source's read_year, read_tz); deletes rows of every area, as forgetting
 * an input must.  Never touches the case area's tickets and requests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/store_forget.h"
#include "store/store_int.h"
#include "store/store_log.h"

/* Migration 6: how a log source was read (--year given, zone). */
int md_store_forget_migrate_6(md_store *st, md_err *err)
{
    return md_store_exec(st,
                         "ALTER TABLE source ADD COLUMN read_year INTEGER;"
                         "ALTER TABLE source ADD COLUMN read_tz TEXT;",
                         err);
}

/* run: one statement with optional id (?1) and text (?2) parameters; adds
 * the rows it changed to *n (may be NULL) */
static int run(md_store *st, const char *sql, int64_t id, const char *text, uint64_t *n,
               md_err *err)
{
    sqlite3_stmt *s = NULL;
    if (md_store_prepare(st, &s, sql, 0, err) != MD_OK)
        return MD_ERR_DB;
    if (sqlite3_bind_parameter_count(s) >= 1)
        sqlite3_bind_int64(s, 1, id);
    if (sqlite3_bind_parameter_count(s) >= 2)
        md_store_bind_text(s, 2, text, -1);
    int rc = sqlite3_step(s) == SQLITE_DONE ? MD_OK : md_store_dberr(st, err, "forgetting");
    if (rc == MD_OK && n)
        *n += (uint64_t)sqlite3_changes(st->db);
    sqlite3_finalize(s);
    return rc;
}

/* count: the single integer a query returns (0 when none) */
static uint64_t count(md_store *st, const char *sql)
{
    sqlite3_stmt *s = md_store_row(st, "%s", sql);
    uint64_t v = s ? (uint64_t)sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    return v;
}

int md_store_forget_sources(md_store *st, md_forget_src_fn fn, void *arg, md_err *err)
{
    sqlite3_stmt *s = NULL;
    if (md_store_prepare(st, &s,
                         "SELECT id, kind, first_path, last_path, lines_done FROM source"
                         " ORDER BY id", 0, err) != MD_OK)
        return MD_ERR_DB;
    int rc = MD_OK, step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        md_forget_src r = {sqlite3_column_int64(s, 0), md_store_col_text(s, 1),
                           md_store_col_text(s, 2), md_store_col_text(s, 3),
                           (uint64_t)sqlite3_column_int64(s, 4)};
        if (fn(arg, &r))
            break;
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = md_store_dberr(st, err, "listing sources");
    sqlite3_finalize(s);
    return rc;
}

int md_store_forget_rule_origins(md_store *st, md_forget_origin_fn fn, void *arg, md_err *err)
{
    sqlite3_stmt *s = NULL;
    if (md_store_prepare(st, &s, "SELECT origin FROM rule_file ORDER BY origin", 0, err) != MD_OK)
        return MD_ERR_DB;
    int rc = MD_OK, step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW)
        if (fn(arg, md_store_col_text(s, 0)))
            break;
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = md_store_dberr(st, err, "listing rule files");
    sqlite3_finalize(s);
    return rc;
}

int md_store_forget_begin(md_store *st, md_err *err)
{
    return md_store_exec(st,
                         "CREATE TEMP TABLE IF NOT EXISTS md_forget_src (id INTEGER PRIMARY KEY);"
                         "CREATE TEMP TABLE IF NOT EXISTS md_forget_msg (id INTEGER PRIMARY KEY);"
                         "DELETE FROM md_forget_src; DELETE FROM md_forget_msg;",
                         err);
}

int md_store_forget_mark(md_store *st, int64_t source_id, md_err *err)
{
    return run(st, "INSERT OR IGNORE INTO md_forget_src(id) VALUES(?1)", source_id, NULL, NULL,
               err);
}

/* ---- log messages ---------------------------------------------------------- */

typedef struct {
    md_store *st;
    sqlite3_stmt *marked;    /* is ?1 a marked source */
    int64_t last_src;
    int last_marked;
    int hit;                 /* a line in a marked source */
    int64_t *keep;           /* (source, line) pairs in other sources */
    size_t nkeep, capkeep;
} scan;

static int is_marked(scan *sc, int64_t src)
{
    if (src == sc->last_src)
        return sc->last_marked;
    sqlite3_reset(sc->marked);
    sqlite3_bind_int64(sc->marked, 1, src);
    sc->last_src = src;
    sc->last_marked = sqlite3_step(sc->marked) == SQLITE_ROW;
    return sc->last_marked;
}

static int scan_line(void *arg, int64_t src, uint64_t line)
{
    scan *sc = arg;
    if (is_marked(sc, src)) {
        sc->hit = 1;
        return 0;
    }
    if (sc->nkeep + 2 > sc->capkeep) {
        size_t cap = sc->capkeep ? sc->capkeep * 2 : 256;
        int64_t *k = realloc(sc->keep, cap * sizeof *k);
        if (!k)
            return 1; /* stops; noticed as keep == NULL by the caller */
        sc->keep = k;
        sc->capkeep = cap;
    }
    sc->keep[sc->nkeep++] = src;
    sc->keep[sc->nkeep++] = (int64_t)line;
    return 0;
}

/* find_msgs: note every log message with a line in a marked source in
 * md_forget_msg; hand its other lines to keep */
static int find_msgs(md_store *st, md_forget_line_fn keep, void *arg, md_forget_counts *c,
                     md_err *err)
{
    scan sc = {st, NULL, -1, 0, 0, NULL, 0, 0};
    sqlite3_stmt *s = NULL, *ins = NULL;
    int rc = MD_ERR_DB;
    if (md_store_prepare(st, &sc.marked, "SELECT 1 FROM md_forget_src WHERE id = ?1", 0, err) ||
        md_store_prepare(st, &ins, "INSERT OR IGNORE INTO md_forget_msg(id) VALUES(?1)", 0, err) ||
        md_store_prepare(st, &s, "SELECT id, lines FROM log_msg", 0, err))
        goto out;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        sc.hit = 0;
        sc.nkeep = 0;
        const void *p = sqlite3_column_blob(s, 1);
        size_t n = (size_t)sqlite3_column_bytes(s, 1);
        if (md_log_lines_decode(p, n, scan_line, &sc) != MD_OK) {
            md_err_set(err, MD_ERR_DB, "log message %lld: its line list is damaged",
                       (long long)sqlite3_column_int64(s, 0));
            goto out;
        }
        if (!sc.hit)
            continue;
        if (sc.nkeep && !sc.keep) {
            md_err_set(err, MD_ERR_NOMEM, "out of memory");
            goto out;
        }
        c->log_messages++;
        if (sc.nkeep)
            c->log_rebuilt++;
        for (size_t i = 0; keep && i < sc.nkeep; i += 2)
            if (keep(arg, sc.keep[i], (uint64_t)sc.keep[i + 1])) {
                md_err_set(err, MD_ERR_NOMEM, "out of memory");
                goto out;
            }
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, sqlite3_column_int64(s, 0));
        if (sqlite3_step(ins) != SQLITE_DONE) {
            md_store_dberr(st, err, "forgetting");
            goto out;
        }
    }
    rc = step == SQLITE_DONE ? MD_OK : md_store_dberr(st, err, "reading log messages");
out:
    sqlite3_finalize(sc.marked);
    sqlite3_finalize(ins);
    sqlite3_finalize(s);
    free(sc.keep);
    return rc;
}

/* drop_msgs: delete the log messages in md_forget_msg with their links,
 * deliveries and keys (see store_forget.h), and empty it */
static int drop_msgs(md_store *st, md_forget_counts *c, md_err *err)
{
    uint64_t drop = 0;
    /* the other ends of same-Message-ID links: the resolve pass links them
     * to the rebuilt messages again */
    if (run(st, "INSERT OR IGNORE INTO log_cand(msg_id) SELECT to_msg FROM log_link"
                " WHERE kind = 4 AND from_msg IN (SELECT id FROM md_forget_msg)"
                " AND to_msg NOT IN (SELECT id FROM md_forget_msg)"
                " UNION SELECT from_msg FROM log_link WHERE kind = 4"
                " AND to_msg IN (SELECT id FROM md_forget_msg)"
                " AND from_msg NOT IN (SELECT id FROM md_forget_msg)", 0, NULL, NULL, err) ||
        run(st, "DELETE FROM log_link WHERE from_msg IN (SELECT id FROM md_forget_msg)", 0, NULL,
            &c->links, err) ||
        /* resolved by queue id: pending again */
        run(st, "UPDATE OR IGNORE log_link SET to_msg = NULL"
                " WHERE to_msg IN (SELECT id FROM md_forget_msg) AND kind IN (1, 2, 3)"
                " AND to_qid IS NOT NULL", 0, NULL, NULL, err) ||
        run(st, "DELETE FROM log_link WHERE to_msg IN (SELECT id FROM md_forget_msg)", 0, NULL,
            &c->links, err) ||
        run(st, "DELETE FROM log_dlv WHERE msg_id IN (SELECT id FROM md_forget_msg)", 0, NULL,
            &c->deliveries, err) ||
        run(st, "DELETE FROM log_key WHERE msg_id IN (SELECT id FROM md_forget_msg)", 0, NULL,
            NULL, err) ||
        run(st, "DELETE FROM log_cand WHERE msg_id IN (SELECT id FROM md_forget_msg)", 0, NULL,
            NULL, err) ||
        run(st, "DELETE FROM log_msg WHERE id IN (SELECT id FROM md_forget_msg)", 0, NULL, &drop,
            err))
        return MD_ERR_DB;
    return md_store_exec(st, "DELETE FROM md_forget_msg", err);
}

int md_store_forget_log(md_store *st, md_forget_line_fn keep, void *arg, md_forget_counts *c,
                        md_err *err)
{
    if (find_msgs(st, keep, arg, c, err) != MD_OK)
        return MD_ERR_DB;
    return drop_msgs(st, c, err);
}

/* every_line: hand all lines of the messages in md_forget_msg to keep */
static int every_line(md_store *st, md_forget_line_fn keep, void *arg, md_err *err)
{
    sqlite3_stmt *s = NULL;
    if (md_store_prepare(st, &s, "SELECT lines FROM log_msg WHERE id IN"
                                 " (SELECT id FROM md_forget_msg)", 0, err) != MD_OK)
        return MD_ERR_DB;
    int rc = MD_OK, step;
    while (rc == MD_OK && (step = sqlite3_step(s)) == SQLITE_ROW)
        rc = md_log_lines_decode(sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0),
                                 keep, arg) == MD_OK
                 ? MD_OK
                 : md_err_set(err, MD_ERR_DB, "a log message's line list is damaged");
    if (rc == MD_OK && step != SQLITE_DONE)
        rc = md_store_dberr(st, err, "reading log messages");
    sqlite3_finalize(s);
    return rc;
}

/* the messages of ?1 left open, each with the message of its host and
 * queue id that begins after it in another source, soon enough to be its
 * continuation (?2 MD_LIMIT_CORRELATE_SECS with a recipient deferred
 * (MD_LOGMSG_DEFERRED), else ?3 the correlator's idle time) */
#define JOIN_PAIRS                                                                          \
    " FROM log_msg a JOIN log_key k ON k.h = md_key(4, a.qid)"                              \
    " JOIN log_msg b ON b.id = k.msg_id AND b.host_id = a.host_id AND b.qid = a.qid"        \
    "  AND b.source_id != a.source_id AND b.t_first >= a.t_first"                           \
    "  AND b.t_first - a.t_last <= CASE WHEN a.flags & 4 THEN ?2 ELSE ?3 END"               \
    " WHERE a.open = 1 AND a.source_id = ?1"

int md_store_forget_join(md_store *st, int64_t source_id, int64_t idle_secs,
                         md_forget_line_fn keep, void *arg, uint64_t *n, md_err *err)
{
    *n = 0;
    md_forget_counts c = {0};
    sqlite3_stmt *s = NULL;
    if (md_store_log_ensure_fn(st, err) != MD_OK ||
        md_store_prepare(st, &s, "INSERT OR IGNORE INTO md_forget_msg(id)"
                                 " SELECT a.id" JOIN_PAIRS " UNION SELECT b.id" JOIN_PAIRS,
                         0, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, source_id);
    sqlite3_bind_int64(s, 2, MD_LIMIT_CORRELATE_SECS);
    sqlite3_bind_int64(s, 3, idle_secs);
    int rc = sqlite3_step(s) == SQLITE_DONE ? MD_OK : md_store_dberr(st, err, "joining");
    sqlite3_finalize(s);
    if (rc == MD_OK)
        *n = count(st, "SELECT count(*) FROM md_forget_msg");
    if (rc == MD_OK && *n)
        rc = every_line(st, keep, arg, err);
    if (rc == MD_OK)
        rc = drop_msgs(st, &c, err);
    return rc;
}

/* ---- the rest -------------------------------------------------------------- */

#define MARKED "(SELECT id FROM md_forget_src)"
#define MSGS "(SELECT id FROM msg WHERE source_id IN " MARKED ")"

int md_store_forget_marked(md_store *st, md_forget_counts *c, md_err *err)
{
    c->log_lines += count(st, "SELECT coalesce(sum(nlines), 0) FROM log_block"
                              " WHERE source_id IN " MARKED);
    static const char *const children[] = {
        "DELETE FROM msg_addr WHERE msg_id IN " MSGS,
        "DELETE FROM msg_ev WHERE msg_id IN " MSGS,
        "DELETE FROM msg_antispam WHERE msg_id IN " MSGS,
        "DELETE FROM msg_dsn WHERE msg_id IN " MSGS,
        "DELETE FROM msg_arf WHERE msg_id IN " MSGS,
        "DELETE FROM msg_arf_auth WHERE msg_id IN " MSGS,
        "DELETE FROM rep_dmarc_auth WHERE record IN (SELECT r.id FROM rep_dmarc_record r"
        " JOIN rep_dmarc_report p ON p.id = r.report WHERE p.source_id IN " MARKED ")",
        "DELETE FROM rep_dmarc_record WHERE report IN (SELECT id FROM rep_dmarc_report"
        " WHERE source_id IN " MARKED ")",
        "DELETE FROM rep_tls_failure WHERE policy IN (SELECT p.id FROM rep_tls_policy p"
        " JOIN rep_tls_report r ON r.id = p.report WHERE r.source_id IN " MARKED ")",
        "DELETE FROM rep_tls_policy WHERE report IN (SELECT id FROM rep_tls_report"
        " WHERE source_id IN " MARKED ")",
        "DELETE FROM rep_tls_report WHERE source_id IN " MARKED,
        "DELETE FROM log_block WHERE source_id IN " MARKED,
        "DELETE FROM log_span WHERE source_id IN " MARKED,
        "DELETE FROM log_hour WHERE source_id IN " MARKED,
    };
    for (size_t i = 0; i < sizeof children / sizeof children[0]; i++)
        if (run(st, children[i], 0, NULL, NULL, err) != MD_OK)
            return MD_ERR_DB;
    /* a message file of the same content, not forgotten, is one whose message
     * was stored from the forgotten input: the next ingest of it stores it */
    if (run(st, "UPDATE source SET complete = 0, lines_done = 0, bytes_done = 0"
                " WHERE id NOT IN " MARKED " AND fingerprint IN (SELECT hash FROM msg"
                "  WHERE source_id IN " MARKED ")", 0, NULL, &c->unread, err) ||
        /* SNDS rows are the latest export's (exports overlap): the other
         * exports of that kind are read again by the next ingest */
        run(st, "UPDATE source SET complete = 0, lines_done = 0, bytes_done = 0"
                " WHERE id NOT IN " MARKED " AND complete = 1 AND ((kind = 'snds' AND EXISTS"
                "  (SELECT 1 FROM rep_snds WHERE source_id IN " MARKED "))"
                " OR (kind = 'snds-status' AND EXISTS (SELECT 1 FROM rep_snds_status"
                "  WHERE source_id IN " MARKED ")))", 0, NULL, &c->unread, err))
        return MD_ERR_DB;
    if (run(st, "DELETE FROM case_answer WHERE msg_row IN " MSGS, 0, NULL, &c->answers, err) ||
        run(st, "DELETE FROM msg WHERE source_id IN " MARKED, 0, NULL, &c->messages, err) ||
        run(st, "DELETE FROM rep_dmarc_report WHERE source_id IN " MARKED, 0, NULL, &c->reports,
            err) ||
        run(st, "DELETE FROM rep_snds WHERE source_id IN " MARKED, 0, NULL, &c->snds, err) ||
        run(st, "DELETE FROM rep_snds_status WHERE source_id IN " MARKED, 0, NULL, &c->snds,
            err) ||
        run(st, "DELETE FROM source WHERE id IN " MARKED, 0, NULL, &c->sources, err))
        return MD_ERR_DB;
    /* next hops that no remaining delivery names (md_store_log_dlv_put) */
    if (md_store_log_ensure_fn(st, err) != MD_OK ||
        run(st, "DELETE FROM log_key WHERE msg_id = 0 AND h NOT IN ("
                " SELECT md_key(6, rtrim(relay_host, '.')) FROM log_dlv"
                "  WHERE relay_host IS NOT NULL AND rtrim(relay_host, '.') != ''"
                " UNION SELECT md_key(6, relay_ip) FROM log_dlv"
                "  WHERE relay_ip IS NOT NULL AND relay_ip != '')", 0, NULL, NULL, err))
        return MD_ERR_DB;
    /* host names no line or message refers to any more */
    if (run(st, "DELETE FROM log_host WHERE id NOT IN (SELECT host_id FROM log_span)"
                " AND id NOT IN (SELECT host_id FROM log_msg)", 0, NULL, NULL, err))
        return MD_ERR_DB;
    return md_store_exec(st, "DELETE FROM md_forget_src", err);
}

int md_store_forget_rules(md_store *st, const char *origin, md_forget_counts *c, md_err *err)
{
    if (run(st, "DELETE FROM rule WHERE origin = ?2", 0, origin, &c->rules, err) ||
        run(st, "DELETE FROM rule_file WHERE origin = ?2", 0, origin, &c->rule_files, err))
        return MD_ERR_DB;
    return MD_OK;
}

/* ---- how a source was read ------------------------------------------------- */

int md_store_source_t_range(md_store *st, int64_t source_id, int64_t *t_first, int64_t *t_last,
                            md_err *err)
{
    sqlite3_stmt *s = NULL;
    *t_first = *t_last = 0;
    if (md_store_prepare(st, &s,
                         "SELECT min(nullif(t_first, 0)), max(t_last) FROM log_span"
                         " WHERE source_id = ?1", 0, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, source_id);
    if (sqlite3_step(s) == SQLITE_ROW) {
        *t_first = sqlite3_column_int64(s, 0);
        *t_last = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    return MD_OK;
}

int md_store_source_read_get(md_store *st, int64_t source_id, int *year, char *tz, size_t tzn,
                             int *known, md_err *err)
{
    sqlite3_stmt *s = NULL;
    *year = 0;
    *known = 0;
    if (tzn)
        tz[0] = '\0';
    if (md_store_prepare(st, &s, "SELECT read_year, read_tz FROM source WHERE id = ?1", 0,
                         err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, source_id);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 1) != SQLITE_NULL) {
        *known = 1;
        *year = sqlite3_column_int(s, 0);
        if (tzn)
            snprintf(tz, tzn, "%s", md_store_col_text(s, 1));
    }
    sqlite3_finalize(s);
    return MD_OK;
}

int md_store_source_read_set(md_store *st, int64_t source_id, int year, const char *tz,
                             md_err *err)
{
    sqlite3_stmt *s = NULL;
    if (md_store_prepare(st, &s, "UPDATE source SET read_year = ?2, read_tz = ?3 WHERE id = ?1",
                         0, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, source_id);
    sqlite3_bind_int(s, 2, year);
    sqlite3_bind_text(s, 3, tz ? tz : "", -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s) == SQLITE_DONE ? MD_OK : md_store_dberr(st, err, "recording source");
    sqlite3_finalize(s);
    return rc;
}

/* ---- evidence against the year -------------------------------------------- */

/* pairs: run a query of (source, copy, Message-ID, log time, Date) rows
 * with parameters ?1 (a, an id) and ?2 (max_secs), each row to fn */
static int pairs(md_store *st, const char *sql, int64_t a, int64_t max_secs, md_year_pair_fn fn,
                 void *arg, md_err *err)
{
    sqlite3_stmt *s = NULL;
    if (md_store_log_ensure_fn(st, err) != MD_OK || md_store_prepare(st, &s, sql, 0, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, a);
    sqlite3_bind_int64(s, 2, max_secs);
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW)
        fn(arg, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1), md_store_col_text(s, 2),
           sqlite3_column_int64(s, 3), sqlite3_column_int64(s, 4));
    int rc = step == SQLITE_DONE ? MD_OK : md_store_dberr(st, err, "comparing dates");
    sqlite3_finalize(s);
    return rc;
}

#define FAR "(coalesce(c.date, 0) = 0 OR abs(c.date - l.t_first) > ?2)"

int md_store_year_pairs(md_store *st, int64_t source_id, int64_t max_secs, md_year_pair_fn fn,
                        void *arg, md_err *err)
{
    if (!md_store_msg_top(st)) /* no stored message: spares a pass over the log's (40 ms
                                  for 150,000) */
        return MD_OK;
    return pairs(st,
                 "SELECT l.source_id, c.id, l.msgid, l.t_first, coalesce(c.date, 0) FROM log_msg l"
                 " JOIN msg c ON c.message_id = trim(l.msgid, '<>')"
                 " WHERE l.source_id = ?1 AND l.msgid IS NOT NULL AND " FAR
                 " ORDER BY l.t_first, c.id", source_id, max_secs, fn, arg, err);
}

int md_store_year_copies_since(md_store *st, int64_t msg_top, int64_t max_secs,
                               md_year_pair_fn fn, void *arg, md_err *err)
{
    return pairs(st,
                 "SELECT l.source_id, c.id, l.msgid, l.t_first, coalesce(c.date, 0) FROM msg c"
                 " JOIN log_key k ON k.h = md_key(2, '<' || c.message_id || '>')"
                 " JOIN log_msg l ON l.id = k.msg_id"
                 "  AND l.msgid = '<' || c.message_id || '>'"
                 " WHERE c.id > ?1 AND c.message_id IS NOT NULL AND " FAR
                 " ORDER BY l.source_id, l.t_first, c.id", msg_top, max_secs, fn, arg, err);
}

int64_t md_store_msg_top(md_store *st)
{
    return (int64_t)count(st, "SELECT coalesce(max(id), 0) FROM msg");
}
