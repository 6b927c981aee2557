/* store_authfail.c: the msg_arf_auth table (see store_authfail.h):
 * migration 8, writing one DMARC failure report's fields, listing them. */
#include "store/store_authfail.h"

#include <sqlite3.h>
#include <string.h>
#include "base/text.h"
#include "store/store_int.h"

int md_store_authfail_migrate_8(md_store *st, md_err *err)
{
    return md_store_exec(st,
        "CREATE TABLE msg_arf_auth ("
        "  msg_id INTEGER PRIMARY KEY REFERENCES msg(id) ON DELETE CASCADE,"
        "  auth_failure TEXT, dkim_domain TEXT, dkim_identity TEXT, dkim_selector TEXT,"
        "  spf_dns TEXT, delivery_result TEXT, identity_alignment TEXT);",
        err);
}

int md_store_authfail_put(md_store *st, int64_t msg_id, const md_arf *a, md_err *err)
{
    if (!md_arf_is_auth_failure(a))
        return MD_OK;
    sqlite3_stmt *s = NULL;
    int rc = md_store_prepare(st, &s,
        "INSERT OR REPLACE INTO msg_arf_auth(msg_id, auth_failure, dkim_domain, dkim_identity,"
        " dkim_selector, spf_dns, delivery_result, identity_alignment)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", 0, err);
    if (rc != MD_OK)
        return rc;
    const char *v[] = {a->auth_failure, a->dkim_domain, a->dkim_identity, a->dkim_selector,
                       a->spf_dns, a->delivery_result, a->identity_alignment};
    sqlite3_bind_int64(s, 1, msg_id);
    for (int i = 0; i < 7; i++)
        md_store_bind_text(s, i + 2, v[i], -1);
    rc = sqlite3_step(s) == SQLITE_DONE ? MD_OK
                                        : md_store_dberr(st, err, "storing a DMARC failure report");
    sqlite3_finalize(s);
    return rc;
}

int md_store_authfail_list(md_store *st, const char *ip, md_authfail_fn fn, void *arg,
                           md_err *err)
{
    sqlite3_stmt *s = NULL;
    int rc = md_store_prepare(st, &s,
        "SELECT f.msg_id, a.source_ip, a.reported_domain, a.orig_message_id, a.arrival,"
        " f.auth_failure, f.dkim_domain, f.dkim_selector, f.spf_dns, f.delivery_result,"
        " f.identity_alignment FROM msg_arf_auth f JOIN msg_arf a ON a.msg_id = f.msg_id"
        " WHERE ?1 = '' OR a.source_ip = ?1 ORDER BY a.arrival, f.msg_id", 0, err);
    if (rc != MD_OK)
        return rc;
    md_store_bind_text(s, 1, ip ? ip : "", -1);
    int step = SQLITE_DONE;
    while (rc == MD_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
        md_authfail_row r;
        memset(&r, 0, sizeof r);
        r.msg_id = sqlite3_column_int64(s, 0);
        md_text_copy(r.source_ip, sizeof r.source_ip, md_store_col_text(s, 1));
        md_text_copy(r.reported_domain, sizeof r.reported_domain, md_store_col_text(s, 2));
        md_text_copy(r.orig_message_id, sizeof r.orig_message_id, md_store_col_text(s, 3));
        r.arrival_date = sqlite3_column_int64(s, 4);
        md_text_copy(r.auth_failure, sizeof r.auth_failure, md_store_col_text(s, 5));
        md_text_copy(r.dkim_domain, sizeof r.dkim_domain, md_store_col_text(s, 6));
        md_text_copy(r.dkim_selector, sizeof r.dkim_selector, md_store_col_text(s, 7));
        md_text_copy(r.spf_dns, sizeof r.spf_dns, md_store_col_text(s, 8));
        md_text_copy(r.delivery_result, sizeof r.delivery_result, md_store_col_text(s, 9));
        md_text_copy(r.identity_alignment, sizeof r.identity_alignment, md_store_col_text(s, 10));
        rc = fn(arg, &r);
    }
    if (rc == MD_OK && step != SQLITE_DONE)
        rc = md_store_dberr(st, err, "reading DMARC failure reports");
    sqlite3_finalize(s);
    return rc;
}
