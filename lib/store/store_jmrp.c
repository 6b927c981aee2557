/* store_jmrp.c: JMRP complaints matched to our log lines by Message-ID and
 * time (store_jmrp.h). */
#include <string.h>
#include "store/store_jmrp.h"
#include "base/md_limits.h"
#include "store/store_int.h"

int md_store_jmrp_matches(md_store *st, int64_t t_from, int64_t t_to, md_jmrp_match_fn fn,
                          void *arg, md_err *err)
{
    if (md_store_log_ensure_fn(st, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_stmt *s;
    /* the log_key index finds the log messages of a Message-ID (kind 2) */
    if (md_store_prepare(st, &s,
                         "WITH c AS (SELECT a.msg_id AS id, coalesce(a.arrival, m.date, 0) AS t,"
                         "  coalesce(a.source_ip, '') AS ip, coalesce(a.orig_message_id, '') AS mid"
                         "  FROM msg_arf a JOIN msg m ON m.id = a.msg_id WHERE a.microsoft = 1)"
                         " SELECT c.id, c.t, c.ip, c.mid, l.id, h.name, l.qid, d.t, d.source_id,"
                         "  d.lineno FROM c"
                         " LEFT JOIN log_key k ON c.mid <> '' AND k.h = md_key(2, '<' || c.mid || '>')"
                         " LEFT JOIN log_msg l ON l.id = k.msg_id AND l.msgid = '<' || c.mid || '>'"
                         " LEFT JOIN log_dlv d ON d.msg_id = l.id AND d.ms = 1"
                         "  AND d.t BETWEEN c.t - ?3 AND c.t + ?3"
                         " LEFT JOIN log_host h ON h.id = l.host_id"
                         " WHERE (?1 = 0 OR c.t >= ?1) AND (?2 = 0 OR c.t <= ?2)"
                         " GROUP BY c.id, d.id"   /* the unmatched rows of a complaint: one */
                         " ORDER BY c.t, c.id, d.id IS NULL, abs(d.t - c.t)",
                         0, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, t_from);
    sqlite3_bind_int64(s, 2, t_to);
    sqlite3_bind_int64(s, 3, MD_LIMIT_JMRP_MATCH_SECS);
    int rc;
    int64_t last = 0;
    int any = 0;   /* the current complaint had a matched row (they come first): its
                      unmatched row is dropped */
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        md_jmrp_match m;
        memset(&m, 0, sizeof m);
        m.complaint = sqlite3_column_int64(s, 0);
        m.arrival = sqlite3_column_int64(s, 1);
        m.source_ip = md_store_col_text(s, 2);
        m.message_id = md_store_col_text(s, 3);
        int matched = sqlite3_column_type(s, 7) != SQLITE_NULL;
        if (m.complaint != last)
            any = 0;
        last = m.complaint;
        if (!matched && any)
            continue;
        if (matched) {
            any = 1;
            m.log_msg = sqlite3_column_int64(s, 4);
            m.host = md_store_col_text(s, 5);
            m.qid = md_store_col_text(s, 6);
            m.t = sqlite3_column_int64(s, 7);
            m.source_id = sqlite3_column_int64(s, 8);
            m.lineno = sqlite3_column_int64(s, 9);
        } else {
            m.host = m.qid = "";
        }
        if (fn(arg, &m))
            break;
    }
    int ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
    sqlite3_finalize(s);
    return ok ? MD_OK : md_store_dberr(st, err, "reading JMRP complaints");
}
