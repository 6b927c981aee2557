/* store_rules.c: the rules area's tables and queries (see store_rules.h).
 * Owns the tables rule and rule_file; all SQL of the area lives here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/buf.h"
#include "store/store_int.h"
#include "store/store_rules.h"
#include "base/text.h"

const char md_store_schema_rules[] =
    "CREATE TABLE rule_file ("
    "  origin TEXT PRIMARY KEY,"         /* the rule file (real path) */
    "  kind TEXT NOT NULL,"              /* aliases, forward, sieve, rules-csv */
    "  owner TEXT NOT NULL DEFAULT '',"  /* .forward / Sieve: whose file */
    "  nrules INTEGER NOT NULL,"
    "  nerrors INTEGER NOT NULL,"
    "  ingested INTEGER NOT NULL);"
    "CREATE TABLE rule ("
    "  id INTEGER PRIMARY KEY,"
    "  origin TEXT NOT NULL REFERENCES rule_file(origin) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL,"              /* alias, forward, sieve, csv */
    "  address TEXT NOT NULL,"           /* whose mail (bare local part for aliases) */
    "  target TEXT NOT NULL,"
    "  ttype TEXT NOT NULL,"             /* address, local, program, file, ... */
    "  keeps_copy INTEGER NOT NULL,"
    "  condition TEXT NOT NULL DEFAULT '',"
    "  note TEXT NOT NULL DEFAULT '',"
    "  file TEXT NOT NULL,"              /* where found */
    "  line INTEGER NOT NULL);"
    "CREATE INDEX rule_address ON rule(address);"
    "CREATE INDEX rule_origin ON rule(origin);";

static int tx_begin(md_store *st, int *own, md_err *err)
{
    *own = !st->in_tx;
    return *own ? md_store_begin(st, err) : MD_OK;
}

int md_store_rules_replace(md_store *st, const char *origin, const char *kind,
                           const char *owner, const md_rule *rules, size_t n,
                           size_t nerrors, md_err *err)
{
    int own, rc = tx_begin(st, &own, err);
    if (rc != MD_OK)
        return rc;
    sqlite3_stmt *del = NULL, *file = NULL, *ins = NULL;
    rc = md_store_prepare(st, &del, "DELETE FROM rule WHERE origin = ?1", 0, err);
    if (rc == MD_OK)
        rc = md_store_prepare(st, &file,
                              "INSERT OR REPLACE INTO rule_file(origin, kind, owner, nrules,"
                              " nerrors, ingested) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", 0, err);
    if (rc == MD_OK)
        rc = md_store_prepare(st, &ins,
                              "INSERT INTO rule(origin, kind, address, target, ttype,"
                              " keeps_copy, condition, note, file, line)"
                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", 0, err);
    if (rc != MD_OK)
        goto out;
    md_store_bind_text(del, 1, origin, -1);
    if (sqlite3_step(del) != SQLITE_DONE) {
        rc = md_store_dberr(st, err, "deleting old rules");
        goto out;
    }
    md_store_bind_text(file, 1, origin, -1);
    md_store_bind_text(file, 2, kind, -1);
    md_store_bind_text(file, 3, owner ? owner : "", -1);
    sqlite3_bind_int64(file, 4, (sqlite3_int64)n);
    sqlite3_bind_int64(file, 5, (sqlite3_int64)nerrors);
    sqlite3_bind_int64(file, 6, (sqlite3_int64)time(NULL));
    if (sqlite3_step(file) != SQLITE_DONE) {
        rc = md_store_dberr(st, err, "recording a rule file");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const md_rule *r = &rules[i];
        sqlite3_reset(ins);
        md_store_bind_text(ins, 1, origin, -1);
        md_store_bind_text(ins, 2, md_rules_kind_name(r->kind), -1);
        md_store_bind_text(ins, 3, r->address, -1);
        md_store_bind_text(ins, 4, r->target, -1);
        md_store_bind_text(ins, 5, md_rules_tgt_name(r->ttype), -1);
        sqlite3_bind_int(ins, 6, r->keeps_copy ? 1 : 0);
        md_store_bind_text(ins, 7, r->condition, -1);
        md_store_bind_text(ins, 8, r->note, -1);
        md_store_bind_text(ins, 9, r->file, -1);
        sqlite3_bind_int64(ins, 10, (sqlite3_int64)r->line);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            rc = md_store_dberr(st, err, "storing a rule");
            goto out;
        }
    }
out:
    sqlite3_finalize(del);
    sqlite3_finalize(file);
    sqlite3_finalize(ins);
    if (own) {
        if (rc == MD_OK)
            rc = md_store_commit(st, err);
        else
            md_store_rollback(st);
    }
    return rc;
}

static void col_copy(char *dst, size_t n, sqlite3_stmt *s, int i)
{
    snprintf(dst, n, "%s", md_store_col_text(s, i));
}

int md_store_rules_lookup(void *arg, const char *key, md_rule_list *out, md_err *err)
{
    md_store *st = arg;
    sqlite3_stmt *s = NULL;
    int rc = md_store_prepare(st, &s,
                              "SELECT kind, ttype, address, target, keeps_copy, condition,"
                              " note, file, line FROM rule WHERE address = ?1"
                              " ORDER BY file, line, id", 1, err);
    if (rc != MD_OK)
        return rc;
    md_store_bind_text(s, 1, key, -1);
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        md_rule r;
        memset(&r, 0, sizeof r);
        int k = md_rules_kind_parse(md_store_col_text(s, 0));
        int t = md_rules_tgt_parse(md_store_col_text(s, 1));
        r.kind = k < 0 ? MD_RK_ALIAS : (md_rkind)k;
        r.ttype = t < 0 ? MD_TGT_ADDR : (md_tgt)t;
        col_copy(r.address, sizeof r.address, s, 2);
        col_copy(r.target, sizeof r.target, s, 3);
        r.keeps_copy = sqlite3_column_int(s, 4);
        col_copy(r.condition, sizeof r.condition, s, 5);
        col_copy(r.note, sizeof r.note, s, 6);
        col_copy(r.file, sizeof r.file, s, 7);
        r.line = (uint64_t)sqlite3_column_int64(s, 8);
        if (md_rules_list_add(out, &r) != MD_OK) {
            rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            break;
        }
    }
    if (rc == MD_OK && step != SQLITE_DONE)
        rc = md_store_dberr(st, err, "reading rules");
    sqlite3_finalize(s);
    return rc;
}

int md_store_rules_for(md_store *st, const md_config *cfg, const char *address,
                       md_rule_list *out, md_err *err)
{
    char key[MD_LIMIT_ADDR];
    if (md_rules_owner_key(key, sizeof key, address, cfg) != MD_OK)
        return md_err_set(err, MD_ERR_ARG, "address too long");
    int rc = md_store_rules_lookup(st, key, out, err);
    const char *at = strrchr(key, '@');
    if (rc == MD_OK && at && cfg && md_config_is_our_domain(cfg, at + 1)) {
        key[at - key] = '\0';
        rc = md_store_rules_lookup(st, key, out, err);
    }
    return rc;
}

int md_store_rules_resolve(md_store *st, const md_config *cfg, const char *address,
                           md_resolution *out, md_err *err)
{
    return md_rules_resolve(address, md_store_rules_lookup, st, cfg, out, err);
}

int md_store_rules_each_address(md_store *st, md_store_rules_addr_fn fn, void *arg,
                                md_err *err)
{
    sqlite3_stmt *s = NULL;
    int rc = md_store_prepare(st, &s, "SELECT DISTINCT address FROM rule ORDER BY address", 0,
                              err);
    if (rc != MD_OK)
        return rc;
    /* collect first: fn may query the store (resolution) */
    char **v = NULL;
    size_t n = 0, cap = 0;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        char **v2 = md_grow(v, &cap, n + 1, sizeof *v, 64);
        if (!v2) {
            rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            break;
        }
        v = v2;
        if (!(v[n] = strdup(md_store_col_text(s, 0)))) {
            rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
            break;
        }
        n++;
    }
    if (rc == MD_OK && step != SQLITE_DONE)
        rc = md_store_dberr(st, err, "listing rule addresses");
    sqlite3_finalize(s);
    for (size_t i = 0; i < n; i++) {
        if (rc == MD_OK)
            rc = fn(arg, v[i]);
        free(v[i]);
    }
    free(v);
    return rc;
}

typedef struct ms_walk {
    md_store *st;
    const md_config *cfg;
    md_store_rules_res_fn fn;
    void *arg;
    size_t count;
    md_err *err;
    md_resolution res;
} ms_walk;

static int ms_one(void *arg, const char *address)
{
    ms_walk *w = arg;
    int rc = md_store_rules_resolve(w->st, w->cfg, address, &w->res, w->err);
    if (rc != MD_OK)
        return rc;
    if (!w->res.ms_without_copy)
        return MD_OK;
    w->count++;
    return w->fn ? w->fn(w->arg, &w->res) : MD_OK;
}

int md_store_rules_ms_forwards(md_store *st, const md_config *cfg, md_store_rules_res_fn fn,
                               void *arg, size_t *count, md_err *err)
{
    ms_walk w;
    memset(&w, 0, sizeof w);
    w.st = st;
    w.cfg = cfg;
    w.fn = fn;
    w.arg = arg;
    w.err = err;
    int rc = md_store_rules_each_address(st, ms_one, &w, err);
    md_resolution_free(&w.res);
    if (count)
        *count = w.count;
    return rc;
}

int md_store_rules_count(md_store *st, uint64_t *rules, uint64_t *files, md_err *err)
{
    sqlite3_stmt *s = NULL;
    int rc = md_store_prepare(st, &s,
                              "SELECT (SELECT count(*) FROM rule),"
                              " (SELECT count(*) FROM rule_file)",
                              0, err);
    if (rc != MD_OK)
        return rc;
    if (sqlite3_step(s) == SQLITE_ROW) {
        if (rules)
            *rules = (uint64_t)sqlite3_column_int64(s, 0);
        if (files)
            *files = (uint64_t)sqlite3_column_int64(s, 1);
    } else
        rc = md_store_dberr(st, err, "counting rules");
    sqlite3_finalize(s);
    return rc;
}
