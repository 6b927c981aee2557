/* store_msg.c: the msg area's tables and queries (see store_msg.h).
 * Owns its prepared statements (per writer); never prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zstd.h>
#include "base/buf.h"
#include "store/store_int.h"
#include "store/store_msg.h"

const char md_store_schema_msg[] =
    "CREATE TABLE msg ("
    "  id INTEGER PRIMARY KEY,"
    "  hash TEXT NOT NULL UNIQUE,"
    "  source_id INTEGER, path TEXT, mbox_offset INTEGER NOT NULL DEFAULT 0,"
    "  kind TEXT NOT NULL,"
    "  message_id TEXT, from_addr TEXT, from_text TEXT, to_text TEXT, subject TEXT,"
    "  date INTEGER, stored INTEGER NOT NULL, flags INTEGER NOT NULL DEFAULT 0,"
    "  size INTEGER, antispam TEXT, headers TEXT, raw BLOB);"
    "CREATE INDEX msg_message_id ON msg(message_id);"
    "CREATE INDEX msg_date ON msg(date);"
    "CREATE TABLE msg_addr ("
    "  addr TEXT NOT NULL, role INTEGER NOT NULL,"
    "  msg_id INTEGER NOT NULL REFERENCES msg(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (addr, role, msg_id)) WITHOUT ROWID;"
    "CREATE INDEX msg_addr_msg ON msg_addr(msg_id);"
    "CREATE TABLE msg_hop ("
    "  msg_id INTEGER NOT NULL REFERENCES msg(id) ON DELETE CASCADE,"
    "  idx INTEGER NOT NULL, parsed INTEGER NOT NULL,"
    "  helo TEXT, rdns TEXT, ip TEXT, cls INTEGER NOT NULL DEFAULT 0, ours_host TEXT,"
    "  by_host TEXT, by_ip TEXT, with_proto TEXT, qid TEXT, for_addr TEXT, via TEXT,"
    "  date INTEGER, no_zone INTEGER NOT NULL DEFAULT 0, delay INTEGER,"
    "  raw TEXT,"
    "  PRIMARY KEY (msg_id, idx)) WITHOUT ROWID;"
    "CREATE INDEX msg_hop_ip ON msg_hop(ip) WHERE ip IS NOT NULL;"
    "CREATE INDEX msg_hop_qid ON msg_hop(qid) WHERE qid IS NOT NULL;"
    "CREATE TABLE msg_auth ("
    "  msg_id INTEGER NOT NULL REFERENCES msg(id) ON DELETE CASCADE,"
    "  source TEXT NOT NULL, authserv TEXT, method TEXT NOT NULL, result TEXT,"
    "  reason TEXT, domain TEXT, props TEXT);"
    "CREATE INDEX msg_auth_msg ON msg_auth(msg_id);"
    "CREATE TABLE msg_antispam ("      /* Microsoft's verdict, one row per message */
    "  msg_id INTEGER PRIMARY KEY REFERENCES msg(id) ON DELETE CASCADE,"
    "  cip TEXT, ctry TEXT, lang TEXT, scl INTEGER, org_scl INTEGER, pcl INTEGER, bcl INTEGER,"
    "  sfv TEXT, ipv TEXT, cat TEXT, srv TEXT, sfty TEXT, dir TEXT, ptr TEXT, helo TEXT,"
    "  fields TEXT);"                    /* every KEY:value; as read (unknown ones too) */
    "CREATE TABLE msg_dsn ("
    "  msg_id INTEGER NOT NULL REFERENCES msg(id) ON DELETE CASCADE,"
    "  idx INTEGER NOT NULL, vendor TEXT, reporting_mta TEXT, arrival INTEGER,"
    "  orig_message_id TEXT, final_rcpt TEXT, orig_rcpt TEXT, action TEXT, status TEXT,"
    "  status_from_text INTEGER, reply_code INTEGER, remote_mta TEXT, diag TEXT,"
    "  last_attempt INTEGER, reason TEXT, hard INTEGER, microsoft INTEGER, named_ip TEXT,"
    "  ms_bracket TEXT,"
    "  PRIMARY KEY (msg_id, idx)) WITHOUT ROWID;"
    "CREATE INDEX msg_dsn_ip ON msg_dsn(named_ip) WHERE named_ip IS NOT NULL;"
    "CREATE INDEX msg_dsn_rcpt ON msg_dsn(final_rcpt);"
    "CREATE INDEX msg_dsn_orig ON msg_dsn(orig_message_id);"
    "CREATE TABLE msg_arf ("
    "  msg_id INTEGER PRIMARY KEY REFERENCES msg(id) ON DELETE CASCADE,"
    "  form TEXT, feedback_type TEXT, user_agent TEXT, version TEXT, microsoft INTEGER,"
    "  source_ip TEXT, source_from_orig INTEGER, orig_mail_from TEXT, orig_rcpt_to TEXT,"
    "  reported_domain TEXT, reporting_mta TEXT, arrival INTEGER, arrival_text TEXT,"
    "  orig_message_id TEXT, orig_from TEXT, orig_to TEXT, orig_subject TEXT, orig_date INTEGER);"
    "CREATE INDEX msg_arf_ip ON msg_arf(source_ip);"
    "CREATE INDEX msg_arf_orig ON msg_arf(orig_message_id);";

/* raw_codec: 0 raw bytes as read, 1 one zstd frame of them (written at level -1:
 * 7.5 -> 4.2 us a message for 23 % more bytes; the parse thread is the
 * slower of the two) */
const char md_store_schema_msg_2[] =
    "ALTER TABLE msg ADD COLUMN raw_codec INTEGER NOT NULL DEFAULT 0;";

/* Schema 3: a message's Received hops and authentication results are two
 * blobs (md_store_msg_hop_encode / _auth_encode) in one row of msg_ev, by
 * message id, instead of rows of msg_hop and msg_auth with their indexes:
 * every reader takes them by message.  (Not columns of msg: with them a
 * row with its raw message outgrew half a page, and a third of msg's pages
 * was left empty.)  The address index loses its by-message index and msg its
 * date index (no query could use them: addresses are read by address,
 * dates through coalesce(date, stored)).  md_store_msg_migrate_3 moves the
 * rows. */
static const char schema_msg_3[] =
    "CREATE TABLE msg_ev ("
    "  msg_id INTEGER PRIMARY KEY REFERENCES msg(id) ON DELETE CASCADE,"
    "  hops BLOB, auth BLOB);";

enum { S_FIND, S_INS, S_EV, S_KIND, S_ADDR, S_AS, S_DSN, S_ARF, S_SRC_PROG, S_SRC_FIND,
       S_SRC_NEW, S_SRC_SEEN, S_COUNT };

static const char *const sql_text[S_COUNT] = {
    "SELECT id FROM msg WHERE hash = ?1",
    "INSERT INTO msg (hash, source_id, path, mbox_offset, kind, message_id, from_addr, from_text,"
    " to_text, subject, date, stored, flags, size, antispam, headers, raw, raw_codec)"
    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?18,?12,?13,?14,?15,?16,?17)"
    " ON CONFLICT(hash) DO NOTHING",
    "INSERT INTO msg_ev (msg_id, hops, auth) VALUES (?1, ?2, ?3)",
    "UPDATE msg SET kind = ?2 WHERE id = ?1",
    "INSERT OR IGNORE INTO msg_addr (addr, role, msg_id) VALUES (?1, ?2, ?3)",
    "INSERT OR REPLACE INTO msg_antispam (msg_id, cip, ctry, lang, scl, org_scl, pcl, bcl, sfv,"
    " ipv, cat, srv, sfty, dir, ptr, helo, fields)"
    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17)",
    "INSERT OR REPLACE INTO msg_dsn (msg_id, idx, vendor, reporting_mta, arrival,"
    " orig_message_id, final_rcpt, orig_rcpt, action, status, status_from_text, reply_code,"
    " remote_mta, diag, last_attempt, reason, hard, microsoft, named_ip, ms_bracket)"
    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20)",
    "INSERT OR REPLACE INTO msg_arf (msg_id, form, feedback_type, user_agent, version,"
    " microsoft, source_ip, source_from_orig, orig_mail_from, orig_rcpt_to, reported_domain,"
    " reporting_mta, arrival, arrival_text, orig_message_id, orig_from, orig_to,"
    " orig_subject, orig_date)"
    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19)",
    /* the source statements of store.c (md_store_source_get/_progress) kept
     * prepared, one message file being one source: a lookup, then an insert
     * or an update by id (an upsert with RETURNING cost twice as much: an
     * ephemeral table and a statement journal per file) */
    "UPDATE source SET lines_done = ?2, bytes_done = ?3, complete = ?4 WHERE id = ?1",
    "SELECT id, kind, lines_done, bytes_done, complete FROM source WHERE fingerprint = ?1",
    "INSERT INTO source(fingerprint, kind, first_path, last_path,"
    " first_seen, last_seen, lines_done, bytes_done, complete)"
    " VALUES(?1, ?2, ?3, ?3, ?4, ?4, ?5, ?6, 1)",
    "UPDATE source SET last_path = ?2, last_seen = ?3 WHERE id = ?1",
};

/* raw messages: mail compresses 3-4x, and the bytes written (twice, WAL
 * then checkpoint) are the cost */
struct md_msg_pack {
    ZSTD_CCtx *zc;
};

int md_store_msg_pack_open(md_msg_pack **out, md_err *err)
{
    md_msg_pack *pk = calloc(1, sizeof *pk);
    if (!pk || !(pk->zc = ZSTD_createCCtx())) {
        free(pk);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory (zstd)");
    }
    ZSTD_CCtx_setParameter(pk->zc, ZSTD_c_compressionLevel, -1);
    *out = pk;
    return MD_OK;
}

void md_store_msg_pack_close(md_msg_pack *pk)
{
    if (!pk)
        return;
    ZSTD_freeCCtx(pk->zc);
    free(pk);
}

int md_store_msg_pack(md_msg_pack *pk, md_msg_row *r, md_buf *out)
{
    if (r->raw_codec || !r->raw || !r->rawlen)
        return MD_OK;
    size_t n = r->rawlen > MD_STORE_MSG_RAW_MAX ? MD_STORE_MSG_RAW_MAX : r->rawlen;
    size_t cap = ZSTD_compressBound(n), zn = 0;
    md_buf_reset(out);
    if (md_buf_reserve(out, cap) != MD_OK)
        return MD_ERR_NOMEM;
    zn = ZSTD_compress2(pk->zc, out->data, cap, r->raw, n);
    if (!ZSTD_isError(zn) && zn < n) {
        out->len = zn;
        r->raw_codec = 1;
    } else {
        memcpy(out->data, r->raw, n); /* stored as read, in out all the same */
        out->len = n;
    }
    r->raw = out->data;
    r->rawlen = out->len;
    return MD_OK;
}

struct md_msg_writer {
    md_store *st;
    sqlite3_stmt *s[S_COUNT];
    md_msg_pack *pk;   /* raw messages put unpacked */
    md_buf z;          /* a packed raw message */
    md_buf f;          /* antispam fields */
};

int md_store_msg_writer_open(md_store *st, md_msg_writer **out, md_err *err)
{
    md_msg_writer *w = calloc(1, sizeof *w);
    if (!w)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    w->st = st;
    if (md_store_msg_pack_open(&w->pk, err) != MD_OK) {
        free(w);
        return MD_ERR_NOMEM;
    }
    md_store_bulk(st, 1);
    md_store_bulk_journal(st, 1); /* mostly new pages: written once */
    *out = w;
    return MD_OK;
}

void md_store_msg_writer_close(md_msg_writer *w)
{
    if (!w)
        return;
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(w->s[i]);
    md_store_bulk(w->st, 0);
    md_store_bulk_journal(w->st, 0);
    md_store_msg_pack_close(w->pk);
    md_buf_free(&w->z);
    md_buf_free(&w->f);
    free(w);
}

/* stmt: the prepared statement k (prepared on first use), reset. */
static sqlite3_stmt *stmt(md_msg_writer *w, int k, md_err *err)
{
    if (!w->s[k] && md_store_prepare(w->st, &w->s[k], sql_text[k], 1, err) != MD_OK)
        return NULL;
    sqlite3_reset(w->s[k]);
    sqlite3_clear_bindings(w->s[k]);
    return w->s[k];
}

/* text: NULL for empty strings (stored as NULL).  Not copied: every
 * writer steps and resets its statement before it returns, while the
 * caller's strings live (a copy was a malloc per column). */
static int bt(sqlite3_stmt *s, int i, const char *t)
{
    if (!t || !*t)
        return sqlite3_bind_null(s, i);
    return sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC);
}

static int done(md_msg_writer *w, sqlite3_stmt *s, md_err *err, const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return md_store_dberr(w->st, err, what);
    return MD_OK;
}

/* find: r->id of the stored message with r's hash: 1 found, 0 none, or a
 * negative code */
static int find(md_msg_writer *w, md_msg_row *r, md_err *err)
{
    sqlite3_stmt *s = stmt(w, S_FIND, err);
    if (!s)
        return MD_ERR_DB;
    bt(s, 1, r->hash);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        r->id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return md_store_dberr(w->st, err, "looking up a message");
    return rc == SQLITE_ROW;
}

/* A packed row (the parse thread's) goes straight to the insert, which
 * does nothing for a stored hash (then found): one search of the hash index
 * instead of two for a new message.  An unpacked one is looked up first:
 * packing a stored message again would be wasted. */
int md_store_msg_put(md_msg_writer *w, md_msg_row *r, md_err *err)
{
    sqlite3_stmt *s;
    int rc;
    if (!r->raw_codec && r->raw && r->rawlen && (rc = find(w, r, err)) != 0)
        return rc > 0 ? 0 : rc;
    if (!(s = stmt(w, S_INS, err)))
        return MD_ERR_DB;
    bt(s, 1, r->hash);
    if (r->source_id)
        sqlite3_bind_int64(s, 2, r->source_id);
    bt(s, 3, r->path);
    sqlite3_bind_int64(s, 4, r->offset);
    bt(s, 5, r->kind ? r->kind : MD_MSGKIND_MESSAGE);
    bt(s, 6, r->message_id);
    bt(s, 7, r->from_addr);
    bt(s, 8, r->from_text);
    bt(s, 9, r->to_text);
    bt(s, 10, r->subject);
    if (r->date)
        sqlite3_bind_int64(s, 11, r->date);
    sqlite3_bind_int(s, 12, r->flags);
    sqlite3_bind_int64(s, 13, r->size);
    bt(s, 14, r->antispam);
    bt(s, 15, r->headers);
    md_msg_row pr = *r; /* packed here unless the caller packed it */
    if (md_store_msg_pack(w->pk, &pr, &w->z) != MD_OK)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    if (pr.raw && pr.rawlen)
        sqlite3_bind_blob(s, 16, pr.raw, (int)pr.rawlen, SQLITE_STATIC);
    sqlite3_bind_int(s, 17, pr.raw_codec);
    sqlite3_bind_int64(s, 18, (sqlite3_int64)time(NULL)); /* stored (strftime('%s','now')) */
    if (done(w, s, err, "storing a message") != MD_OK)
        return MD_ERR_DB;
    if (sqlite3_changes(w->st->db) == 0) { /* stored before */
        rc = find(w, r, err);
        return rc > 0 ? 0 : rc < 0 ? rc : md_store_dberr(w->st, err, "finding a message");
    }
    r->id = sqlite3_last_insert_rowid(w->st->db);
    if (!r->hops_len && !r->auth_len)
        return 1;
    if (!(s = stmt(w, S_EV, err)))
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, r->id);
    if (r->hops_len)
        sqlite3_bind_blob(s, 2, r->hops, (int)r->hops_len, SQLITE_STATIC);
    if (r->auth_len)
        sqlite3_bind_blob(s, 3, r->auth, (int)r->auth_len, SQLITE_STATIC);
    if (done(w, s, err, "storing a message's hops and results") != MD_OK)
        return MD_ERR_DB;
    return 1;
}

int md_store_msg_set_kind(md_msg_writer *w, int64_t id, const char *kind, md_err *err)
{
    sqlite3_stmt *s = stmt(w, S_KIND, err);
    if (!s)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, id);
    bt(s, 2, kind);
    return done(w, s, err, "setting a message's kind");
}

int md_store_msg_addr_put(md_msg_writer *w, int64_t msg_id, const char *addr, int role,
                          md_err *err)
{
    if (!addr || !*addr)
        return MD_OK;
    sqlite3_stmt *s = stmt(w, S_ADDR, err);
    if (!s)
        return MD_ERR_DB;
    bt(s, 1, addr);
    sqlite3_bind_int(s, 2, role);
    sqlite3_bind_int64(s, 3, msg_id);
    return done(w, s, err, "storing a message address");
}

/* ---- hop and result blobs ----------------------------------------------------
 * A blob is a sequence of records; a record is a varint of its length, then
 * its fields: varints and strings (a varint length, then the bytes; empty
 * for none).  Hop: idx, flags (1 parsed, 2 has date, 4 date without zone,
 * 8 has delay), cls, [date, zigzag], [delay, zigzag], then the strings of
 * hop_str.  Result: the strings of auth_str.  Unknown trailing fields of a
 * record are skipped (room to grow). */

enum { H_HELO, H_RDNS, H_IP, H_OURS, H_BY, H_BYIP, H_WITH, H_QID, H_FOR, H_VIA, H_RAW, H_NSTR };
enum { A_SOURCE, A_AUTHSERV, A_METHOD, A_RESULT, A_REASON, A_DOMAIN, A_PROPS, A_NSTR };

static uint64_t zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* put_record: the record of fields (nv varints, then ns strings) onto b. */
static int put_record(md_buf *b, const uint64_t *v, size_t nv, const char *const *str, size_t ns)
{
    size_t len = 0, sl[H_NSTR];
    for (size_t i = 0; i < nv; i++)
        for (uint64_t x = v[i]; len++, x > 0x7f; x >>= 7)
            ;
    for (size_t i = 0; i < ns; i++) {
        sl[i] = str[i] ? strlen(str[i]) : 0;
        len += sl[i] + 1;
        for (uint64_t x = sl[i]; x > 0x7f; x >>= 7)
            len++;
    }
    md_buf_put_varint(b, len);
    for (size_t i = 0; i < nv; i++)
        md_buf_put_varint(b, v[i]);
    for (size_t i = 0; i < ns; i++) {
        md_buf_put_varint(b, sl[i]);
        md_buf_append(b, str[i], sl[i]);
    }
    return b->oom ? MD_ERR_NOMEM : MD_OK;
}

static int hop_record(md_buf *b, int idx, int parsed, int cls, int has_date, int64_t date,
                      int no_zone, int has_delay, int64_t delay, const char *const *str)
{
    uint64_t v[5];
    size_t nv = 0;
    v[nv++] = (uint64_t)idx;
    v[nv++] = (uint64_t)((parsed ? 1 : 0) | (has_date ? 2 : 0) | (no_zone ? 4 : 0) |
                         (has_delay ? 8 : 0));
    v[nv++] = (uint64_t)cls;
    if (has_date)
        v[nv++] = zigzag(date);
    if (has_delay)
        v[nv++] = zigzag(delay);
    return put_record(b, v, nv, str, H_NSTR);
}

int md_store_msg_hop_encode(md_buf *b, const md_hop *h, int cls, const char *ours_host)
{
    const char *str[H_NSTR] = {
        [H_HELO] = h->helo, [H_RDNS] = h->rdns, [H_IP] = h->ipstr, [H_OURS] = ours_host,
        [H_BY] = h->by, [H_BYIP] = h->by_ipstr, [H_WITH] = h->with, [H_QID] = h->id,
        [H_FOR] = h->for_addr, [H_VIA] = h->via,
        /* a parsed hop's text is in the raw message; an unparsed one is kept */
        [H_RAW] = h->parsed ? NULL : h->raw};
    return hop_record(b, h->index, h->parsed, cls, h->has_date, h->date, h->date_no_zone,
                      h->has_delay, h->delay, str);
}

int md_store_msg_auth_encode(md_buf *b, const char *source, const char *authserv,
                             const md_authres_item *it)
{
    const char *str[A_NSTR] = {source, authserv, it->method, it->result, it->reason,
                               it->domain, it->props};
    return put_record(b, NULL, 0, str, A_NSTR);
}

/* blob reading: records of a blob one at a time, their strings copied
 * NUL-terminated into the reader's buffer (valid until the next record). */
typedef struct blobrd {
    const unsigned char *p;
    size_t n, pos;
    md_buf s;                     /* the strings of the current record */
    uint64_t v[8];                /* its varints */
    const char *str[H_NSTR];      /* its strings */
} blobrd;

/* next_record: read a record of nv varints (nv_of(flags) when nv_of is
 * set: the count depends on the second varint) and ns strings.  1 read, 0
 * at the end, -1 damaged or out of memory. */
static int next_record(blobrd *r, size_t nv, size_t (*nv_of)(uint64_t), size_t ns)
{
    uint64_t len, x;
    if (r->pos >= r->n)
        return 0;
    if (!md_varint_get(r->p, r->n, &r->pos, &len) || len > r->n - r->pos)
        return -1;
    size_t end = r->pos + (size_t)len;
    md_buf_reset(&r->s);
    if (md_buf_reserve(&r->s, (size_t)len + ns) != MD_OK)
        return -1;
    for (size_t i = 0; i < nv; i++) {
        if (!md_varint_get(r->p, end, &r->pos, &r->v[i]))
            return -1;
        if (i == 1 && nv_of)
            nv = nv_of(r->v[1]);
    }
    size_t off[H_NSTR];
    for (size_t i = 0; i < ns; i++) {
        if (!md_varint_get(r->p, end, &r->pos, &x) || x > end - r->pos)
            return -1;
        off[i] = r->s.len;
        md_buf_append(&r->s, r->p + r->pos, (size_t)x);
        md_buf_putc(&r->s, '\0');
        r->pos += (size_t)x;
    }
    for (size_t i = 0; i < ns; i++) /* reserved above: the data did not move */
        r->str[i] = r->s.data + off[i];
    r->pos = end;
    return 1;
}

static size_t hop_nv(uint64_t flags)
{
    return 3 + ((flags & 2) ? 1 : 0) + ((flags & 8) ? 1 : 0);
}

/* hop_row: the hop of the current record. */
static void hop_row(const blobrd *r, int64_t msg_id, md_msg_hoprow *h)
{
    memset(h, 0, sizeof *h);
    size_t k = 3;
    h->msg_id = msg_id;
    h->idx = (int)r->v[0];
    h->cls = (int)r->v[2];
    if (r->v[1] & 2)
        h->date = unzigzag(r->v[k++]);
    if (r->v[1] & 8) {
        h->has_delay = 1;
        h->delay = unzigzag(r->v[k]);
    }
    h->ip = r->str[H_IP];
    h->helo = r->str[H_HELO];
    h->rdns = r->str[H_RDNS];
    h->by = r->str[H_BY];
    h->with = r->str[H_WITH];
    h->qid = r->str[H_QID];
    h->for_addr = r->str[H_FOR];
    h->ours_host = r->str[H_OURS];
}

/* append_blob: add the records in add to the blob column col of msg_ev
 * for message id (the one-at-a-time writers; ingest hands whole blobs to
 * md_store_msg_put). */
static int append_blob(md_msg_writer *w, int64_t id, const char *col, const md_buf *add,
                       md_err *err)
{
    char sql[160];
    sqlite3_stmt *s;
    if (add->oom)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    snprintf(sql, sizeof sql, "INSERT INTO msg_ev (msg_id, %s) VALUES (?1, ?2)"
             " ON CONFLICT(msg_id) DO UPDATE SET %s = cast(coalesce(%s, x'') || ?2 AS BLOB)",
             col, col, col);
    if (md_store_prepare(w->st, &s, sql, 0, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_blob(s, 2, add->data, (int)add->len, SQLITE_STATIC);
    int rc = sqlite3_step(s) == SQLITE_DONE ? MD_OK : md_store_dberr(w->st, err, "storing evidence");
    sqlite3_finalize(s);
    return rc;
}

int md_store_msg_hop_put(md_msg_writer *w, int64_t msg_id, const md_hop *h, int cls,
                         const char *ours_host, md_err *err)
{
    md_buf b = MD_BUF_INIT;
    md_store_msg_hop_encode(&b, h, cls, ours_host);
    int rc = append_blob(w, msg_id, "hops", &b, err);
    md_buf_free(&b);
    return rc;
}

int md_store_msg_auth_put(md_msg_writer *w, int64_t msg_id, const char *source,
                          const char *authserv, const md_authres_item *it, md_err *err)
{
    md_buf b = MD_BUF_INIT;
    md_store_msg_auth_encode(&b, source, authserv, it);
    int rc = append_blob(w, msg_id, "auth", &b, err);
    md_buf_free(&b);
    return rc;
}

static void bind_level(sqlite3_stmt *s, int i, int v)
{
    if (v > -2)
        sqlite3_bind_int(s, i, v);
}

int md_store_msg_antispam_put(md_msg_writer *w, int64_t msg_id, const md_msantispam *as,
                              md_err *err)
{
    sqlite3_stmt *s = stmt(w, S_AS, err);
    if (!s)
        return MD_ERR_DB;
    md_buf *f = &w->f;
    md_buf_reset(f);
    for (size_t i = 0; i < as->n; i++) {
        md_buf_puts(f, as->f[i].key);
        md_buf_putc(f, ':');
        md_buf_puts(f, as->f[i].value);
        md_buf_putc(f, ';');
    }
    sqlite3_bind_int64(s, 1, msg_id);
    bt(s, 2, as->cip);
    bt(s, 3, as->ctry);
    bt(s, 4, as->lang);
    bind_level(s, 5, as->scl);
    bind_level(s, 6, as->org_scl);
    bind_level(s, 7, as->pcl);
    bind_level(s, 8, as->bcl);
    bt(s, 9, as->sfv);
    bt(s, 10, as->ipv);
    bt(s, 11, as->cat);
    bt(s, 12, as->srv);
    bt(s, 13, as->sfty);
    bt(s, 14, as->dir);
    bt(s, 15, as->ptr);
    bt(s, 16, as->helo);
    bt(s, 17, md_buf_cstr(f));
    return done(w, s, err, "storing Microsoft's antispam verdict");
}

int md_store_msg_dsn_put(md_msg_writer *w, int64_t msg_id, const md_dsn *d, md_err *err)
{
    for (size_t i = 0; i < d->n; i++) {
        const md_dsn_rcpt *r = &d->rcpt[i];
        sqlite3_stmt *s = stmt(w, S_DSN, err);
        if (!s)
            return MD_ERR_DB;
        sqlite3_bind_int64(s, 1, msg_id);
        sqlite3_bind_int(s, 2, (int)i + 1);
        bt(s, 3, d->vendor);
        bt(s, 4, d->reporting_mta);
        if (d->arrival_date)
            sqlite3_bind_int64(s, 5, d->arrival_date);
        bt(s, 6, d->orig_message_id);
        bt(s, 7, r->final_rcpt);
        bt(s, 8, r->orig_rcpt);
        bt(s, 9, r->action);
        bt(s, 10, r->status);
        sqlite3_bind_int(s, 11, r->status_from_text);
        if (r->reply_code)
            sqlite3_bind_int(s, 12, r->reply_code);
        bt(s, 13, r->remote_mta);
        bt(s, 14, r->diag);
        if (r->last_attempt_date)
            sqlite3_bind_int64(s, 15, r->last_attempt_date);
        bt(s, 16, r->reason);
        sqlite3_bind_int(s, 17, r->hard);
        sqlite3_bind_int(s, 18, r->microsoft);
        bt(s, 19, r->named_ip);
        bt(s, 20, r->ms_bracket);
        if (done(w, s, err, "storing a bounce recipient") != MD_OK)
            return MD_ERR_DB;
    }
    return MD_OK;
}

int md_store_msg_arf_put(md_msg_writer *w, int64_t msg_id, const md_arf *a, md_err *err)
{
    sqlite3_stmt *s = stmt(w, S_ARF, err);
    if (!s)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, msg_id);
    bt(s, 2, md_arf_form_name(a->form));
    bt(s, 3, a->feedback_type);
    bt(s, 4, a->user_agent);
    bt(s, 5, a->version);
    sqlite3_bind_int(s, 6, a->microsoft);
    bt(s, 7, a->source_ip);
    sqlite3_bind_int(s, 8, a->source_ip_from_original);
    bt(s, 9, a->orig_mail_from);
    bt(s, 10, a->orig_rcpt_to);
    bt(s, 11, a->reported_domain);
    bt(s, 12, a->reporting_mta);
    if (a->arrival_date)
        sqlite3_bind_int64(s, 13, a->arrival_date);
    bt(s, 14, a->arrival_text);
    bt(s, 15, a->orig_message_id);
    bt(s, 16, a->orig_from);
    bt(s, 17, a->orig_to);
    bt(s, 18, a->orig_subject);
    if (a->orig_date)
        sqlite3_bind_int64(s, 19, a->orig_date);
    return done(w, s, err, "storing a complaint");
}

int md_store_msg_source_find(md_msg_writer *w, const char *fingerprint, md_source *out,
                             int *found, md_err *err)
{
    *found = 0;
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = stmt(w, S_SRC_FIND, err);
    if (!s)
        return MD_ERR_DB;
    /* not copied either ("" stays "": the columns are NOT NULL) */
    sqlite3_bind_text(s, 1, fingerprint, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        md_store_source_row(s, out);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return md_store_dberr(w->st, err, "looking up source");
    *found = rc == SQLITE_ROW;
    return MD_OK;
}

int md_store_msg_source_take(md_msg_writer *w, const char *fingerprint, const char *kind,
                             const char *path, uint64_t lines, uint64_t bytes, md_source *out,
                             int *created, md_err *err)
{
    int found;
    sqlite3_stmt *s;
    *created = 0;
    if (md_store_msg_source_find(w, fingerprint, out, &found, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_int64 now = (sqlite3_int64)time(NULL);
    if (found) {
        if (!(s = stmt(w, S_SRC_SEEN, err)))
            return MD_ERR_DB;
        sqlite3_bind_int64(s, 1, out->id);
        sqlite3_bind_text(s, 2, path, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, now);
        return done(w, s, err, "recording source");
    }
    if (!(s = stmt(w, S_SRC_NEW, err)))
        return MD_ERR_DB;
    sqlite3_bind_text(s, 1, fingerprint, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, now);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)lines);
    sqlite3_bind_int64(s, 6, (sqlite3_int64)bytes);
    if (done(w, s, err, "recording source") != MD_OK)
        return MD_ERR_DB;
    out->id = sqlite3_last_insert_rowid(w->st->db);
    snprintf(out->kind, sizeof out->kind, "%s", kind);
    out->lines_done = lines;
    out->bytes_done = bytes;
    out->complete = 1;
    *created = 1;
    return MD_OK;
}

int md_store_msg_source_progress(md_msg_writer *w, int64_t id, uint64_t lines_done,
                                 uint64_t bytes_done, int complete, md_err *err)
{
    sqlite3_stmt *s = stmt(w, S_SRC_PROG, err);
    if (!s)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)lines_done);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)bytes_done);
    sqlite3_bind_int(s, 4, complete);
    int rc = sqlite3_step(s) == SQLITE_DONE ? MD_OK : md_store_dberr(w->st, err, "source progress");
    sqlite3_reset(s);
    return rc;
}

/* ---- migration 3 ------------------------------------------------------------ */

/* move_rows: the rows of sel (msg_id first, then the record's fields, in
 * blob order) into the blob column of upd (?1 id, ?2 blob), one message at
 * a time; enc encodes the current row onto b. */
static int move_rows(md_store *st, const char *sel, const char *upd,
                     int (*enc)(md_buf *b, sqlite3_stmt *s), md_err *err)
{
    sqlite3_stmt *s = NULL, *u = NULL;
    md_buf b = MD_BUF_INIT;
    int64_t cur = 0;
    int rc = MD_ERR_DB, step;
    if (md_store_prepare(st, &s, sel, 0, err) != MD_OK ||
        md_store_prepare(st, &u, upd, 0, err) != MD_OK)
        goto out;
    for (;;) {
        step = sqlite3_step(s);
        if (step != SQLITE_ROW && step != SQLITE_DONE) {
            md_store_dberr(st, err, "migrating to schema 3");
            goto out;
        }
        int64_t id = step == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
        if (b.len && (step == SQLITE_DONE || id != cur)) {
            sqlite3_bind_int64(u, 1, cur);
            sqlite3_bind_blob(u, 2, b.data, (int)b.len, SQLITE_STATIC);
            if (sqlite3_step(u) != SQLITE_DONE) {
                md_store_dberr(st, err, "migrating to schema 3");
                goto out;
            }
            sqlite3_reset(u);
            md_buf_reset(&b);
        }
        if (step == SQLITE_DONE)
            break;
        cur = id;
        if (enc(&b, s) != MD_OK) {
            md_err_set(err, MD_ERR_NOMEM, "out of memory");
            goto out;
        }
    }
    rc = MD_OK;
out:
    sqlite3_finalize(s);
    sqlite3_finalize(u);
    md_buf_free(&b);
    return rc;
}

static const char *col_or_null(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

/* a msg_hop row: msg_id, idx, parsed, cls, date, no_zone, delay, then the
 * strings in hop_str order */
static int enc_hop_row(md_buf *b, sqlite3_stmt *s)
{
    const char *str[H_NSTR];
    for (int i = 0; i < H_NSTR; i++)
        str[i] = col_or_null(s, 7 + i);
    return hop_record(b, sqlite3_column_int(s, 1), sqlite3_column_int(s, 2),
                      sqlite3_column_int(s, 3), sqlite3_column_type(s, 4) != SQLITE_NULL,
                      sqlite3_column_int64(s, 4), sqlite3_column_int(s, 5),
                      sqlite3_column_type(s, 6) != SQLITE_NULL, sqlite3_column_int64(s, 6), str);
}

static int enc_auth_row(md_buf *b, sqlite3_stmt *s)
{
    const char *str[A_NSTR];
    for (int i = 0; i < A_NSTR; i++)
        str[i] = col_or_null(s, 1 + i);
    return put_record(b, NULL, 0, str, A_NSTR);
}

int md_store_msg_migrate_3(md_store *st, md_err *err)
{
    if (md_store_exec(st, schema_msg_3, err) != MD_OK ||
        move_rows(st,
                  "SELECT msg_id, idx, parsed, cls, date, no_zone, delay, helo, rdns, ip,"
                  " ours_host, by_host, by_ip, with_proto, qid, for_addr, via, raw"
                  " FROM msg_hop ORDER BY msg_id, idx",
                  "INSERT INTO msg_ev (msg_id, hops) VALUES (?1, ?2)", enc_hop_row, err) != MD_OK ||
        move_rows(st,
                  "SELECT msg_id, source, authserv, method, result, reason, domain, props"
                  " FROM msg_auth ORDER BY msg_id, rowid",
                  "INSERT INTO msg_ev (msg_id, auth) VALUES (?1, ?2)"
                  " ON CONFLICT(msg_id) DO UPDATE SET auth = excluded.auth", enc_auth_row, err) != MD_OK)
        return MD_ERR_DB;
    return md_store_exec(st,
                         "DROP TABLE msg_hop; DROP TABLE msg_auth; DROP INDEX msg_addr_msg;"
                         " DROP INDEX msg_date;",
                         err);
}

/* ---- reading ---------------------------------------------------------------- */

#define MSG_COLS "m.id, m.hash, m.source_id, m.path, m.mbox_offset, m.kind, m.message_id," \
                 " m.from_addr, m.from_text, m.to_text, m.subject, m.date, m.flags, m.size," \
                 " m.antispam"

static void read_msg(sqlite3_stmt *s, md_msg_row *r, int with_raw)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(s, 0);
    r->hash = md_store_col_text(s, 1);
    r->source_id = sqlite3_column_int64(s, 2);
    r->path = md_store_col_text(s, 3);
    r->offset = sqlite3_column_int64(s, 4);
    r->kind = md_store_col_text(s, 5);
    r->message_id = md_store_col_text(s, 6);
    r->from_addr = md_store_col_text(s, 7);
    r->from_text = md_store_col_text(s, 8);
    r->to_text = md_store_col_text(s, 9);
    r->subject = md_store_col_text(s, 10);
    r->date = sqlite3_column_int64(s, 11);
    r->flags = sqlite3_column_int(s, 12);
    r->size = sqlite3_column_int64(s, 13);
    r->antispam = md_store_col_text(s, 14);
    if (with_raw) {
        r->headers = md_store_col_text(s, 15);
        r->raw = sqlite3_column_blob(s, 16);
        r->rawlen = (size_t)sqlite3_column_bytes(s, 16);
    }
}

/* unpack: the raw message of a row with raw_codec 1 into b; r->raw then
 * points there.  MD_ERR_DB when the frame is damaged. */
static int unpack(md_store *st, md_msg_row *r, md_buf *b, md_err *err)
{
    unsigned long long n = ZSTD_getFrameContentSize(r->raw, r->rawlen);
    if (n == ZSTD_CONTENTSIZE_ERROR || n == ZSTD_CONTENTSIZE_UNKNOWN || n > MD_STORE_MSG_RAW_MAX)
        return md_err_set(err, MD_ERR_DB, "%s: raw message %lld is damaged", st->path,
                          (long long)r->id);
    md_buf_reset(b);
    if (md_buf_reserve(b, (size_t)n + 1) != MD_OK)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    size_t got = ZSTD_decompress(b->data, (size_t)n + 1, r->raw, r->rawlen);
    if (ZSTD_isError(got) || got != n)
        return md_err_set(err, MD_ERR_DB, "%s: raw message %lld is damaged", st->path,
                          (long long)r->id);
    b->len = got;
    r->raw = b->data;
    r->rawlen = got;
    return MD_OK;
}

static int run_msgs(md_store *st, sqlite3_stmt *s, int with_raw, md_msg_row_fn fn, void *arg,
                    md_err *err)
{
    int rc, r2 = MD_OK;
    md_buf b = MD_BUF_INIT;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        md_msg_row r;
        read_msg(s, &r, with_raw);
        if (with_raw && r.raw && sqlite3_column_int(s, 17) == 1 &&
            (r2 = unpack(st, &r, &b, err)) != MD_OK)
            break;
        if (fn(arg, &r))
            break;
    }
    md_buf_free(&b);
    int ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
    md_store_finish(st, s);
    if (r2 != MD_OK)
        return r2;
    return ok ? MD_OK : md_store_dberr(st, err, "reading messages");
}

int md_store_msg_by_addr(md_store *st, const char *addr, int64_t t_from, int64_t t_to,
                         md_msg_row_fn fn, void *arg, md_err *err)
{
    sqlite3_stmt *s;
    if (md_store_prepare(st, &s,
                         "SELECT " MSG_COLS " FROM msg m WHERE m.id IN"
                         " (SELECT msg_id FROM msg_addr WHERE addr = ?1)"
                         " AND (?2 = 0 OR coalesce(m.date, m.stored) >= ?2)"
                         " AND (?3 = 0 OR coalesce(m.date, m.stored) <= ?3)"
                         " ORDER BY coalesce(m.date, m.stored), m.id",
                         0, err) != MD_OK)
        return MD_ERR_DB;
    md_store_bind_text(s, 1, addr, -1);
    sqlite3_bind_int64(s, 2, t_from);
    sqlite3_bind_int64(s, 3, t_to);
    return run_msgs(st, s, 0, fn, arg, err);
}

int md_store_msg_by_msgid(md_store *st, const char *msgid, md_msg_row_fn fn, void *arg,
                          md_err *err)
{
    static const char sql[] =
        "SELECT " MSG_COLS " FROM msg m WHERE m.message_id = ?1"
        " OR m.id IN (SELECT msg_id FROM msg_dsn WHERE orig_message_id = ?1)"
        " OR m.id IN (SELECT msg_id FROM msg_arf WHERE orig_message_id = ?1)"
        " ORDER BY coalesce(m.date, m.stored), m.id";
    sqlite3_stmt *s;
    if (md_store_cached(st, &s, sql, err) != MD_OK) /* once per traced message */
        return MD_ERR_DB;
    md_store_bind_text(s, 1, msgid, -1);
    return run_msgs(st, s, 0, fn, arg, err);
}

int md_store_msg_get(md_store *st, int64_t id, md_msg_row_fn fn, void *arg, md_err *err)
{
    sqlite3_stmt *s;
    if (md_store_cached(st, &s, "SELECT " MSG_COLS ", m.headers, m.raw, m.raw_codec FROM msg m WHERE m.id = ?1",
                        err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, id);
    return run_msgs(st, s, 1, fn, arg, err);
}

enum { HOPS_ALL, HOPS_OURS, HOPS_QID, HOPS_IP };

/* run_hops: the hops of the rows (id, hops blob) of s, in the order they
 * were written (oldest first); mode HOPS_OURS: only the first hop of each
 * IP, and only when ours; HOPS_QID: only hops with Received id qid;
 * HOPS_IP: only hops from IP qid. */
static int run_hops(md_store *st, sqlite3_stmt *s, int mode, const char *qid, md_msg_hop_fn fn,
                    void *arg, md_err *err)
{
    int rc, r = 1, stop = 0;
    blobrd br;
    md_buf seen = MD_BUF_INIT; /* HOPS_OURS: the IPs before, each NUL-terminated */
    memset(&br, 0, sizeof br);
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s, 0);
        br.p = sqlite3_column_blob(s, 1);
        br.n = (size_t)sqlite3_column_bytes(s, 1);
        br.pos = 0;
        md_buf_reset(&seen);
        while (!stop && (r = next_record(&br, 3, hop_nv, H_NSTR)) == 1) {
            md_msg_hoprow h;
            hop_row(&br, id, &h);
            if (mode == HOPS_QID && strcmp(h.qid, qid) != 0)
                continue;
            if (mode == HOPS_IP && strcmp(h.ip, qid) != 0)
                continue;
            if (mode == HOPS_OURS) {
                int before = 0;
                for (size_t k = 0; k < seen.len && !before; k += strlen(seen.data + k) + 1)
                    before = !strcmp(seen.data + k, h.ip);
                if (*h.ip)
                    md_buf_append(&seen, h.ip, strlen(h.ip) + 1);
                if (before || h.cls != MD_IPCLASS_OURS || !*h.ip)
                    continue;
            }
            stop = fn(arg, &h);
        }
        if (r < 0)
            break;
    }
    if (seen.oom)
        r = -1;
    md_buf_free(&br.s);
    md_buf_free(&seen);
    int ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
    sqlite3_finalize(s);
    if (r < 0)
        return md_err_set(err, MD_ERR_DB, "%s: the Received hops of a message are damaged",
                          st->path);
    return ok ? MD_OK : md_store_dberr(st, err, "reading Received hops");
}

static int msg_hops(md_store *st, int64_t msg_id, int mode, md_msg_hop_fn fn, void *arg,
                    md_err *err)
{
    sqlite3_stmt *s;
    if (md_store_prepare(st, &s, "SELECT msg_id, hops FROM msg_ev WHERE msg_id = ?1", 0, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, msg_id);
    return run_hops(st, s, mode, NULL, fn, arg, err);
}

int md_store_msg_hops(md_store *st, int64_t msg_id, md_msg_hop_fn fn, void *arg, md_err *err)
{
    return msg_hops(st, msg_id, HOPS_ALL, fn, arg, err);
}

int md_store_msg_our_ips(md_store *st, int64_t msg_id, md_msg_hop_fn fn, void *arg,
                         md_err *err)
{
    return msg_hops(st, msg_id, HOPS_OURS, fn, arg, err);
}

/* hops_scan: the hops (mode HOPS_QID or HOPS_IP) whose field is key, of
 * every message: a scan (no index: an index per hop was a fifth of
 * ingest, and only trace asks); instr() finds the candidates, the decoder
 * the hops. */
static int hops_scan(md_store *st, const char *key, int mode, md_msg_hop_fn fn, void *arg,
                     md_err *err)
{
    sqlite3_stmt *s;
    if (!key || !*key)
        return MD_OK;
    if (md_store_prepare(st, &s,
                         "SELECT msg_id, hops FROM msg_ev WHERE instr(hops, ?1) > 0"
                         " ORDER BY msg_id", 0, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_blob(s, 1, key, (int)strlen(key), SQLITE_TRANSIENT);
    return run_hops(st, s, mode, key, fn, arg, err);
}

int md_store_msg_hops_by_qid(md_store *st, const char *qid, md_msg_hop_fn fn, void *arg,
                             md_err *err)
{
    return hops_scan(st, qid, HOPS_QID, fn, arg, err);
}

int md_store_msg_hops_by_ip(md_store *st, const char *ip, md_msg_hop_fn fn, void *arg,
                            md_err *err)
{
    return hops_scan(st, ip, HOPS_IP, fn, arg, err);
}

int md_store_msg_auths(md_store *st, int64_t msg_id, md_msg_auth_fn fn, void *arg, md_err *err)
{
    sqlite3_stmt *s;
    int rc, r = 0, stop = 0;
    md_msg_authrow a;
    a.msg_id = msg_id;
    /* the header results (the blob), then the antispam row's fields */
    if (md_store_cached(st, &s, "SELECT auth FROM msg_ev WHERE msg_id = ?1", err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, msg_id);
    if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        blobrd br;
        memset(&br, 0, sizeof br);
        br.p = sqlite3_column_blob(s, 0);
        br.n = (size_t)sqlite3_column_bytes(s, 0);
        while (!stop && (r = next_record(&br, 0, NULL, A_NSTR)) == 1) {
            a.source = br.str[A_SOURCE];
            a.authserv = br.str[A_AUTHSERV];
            a.method = br.str[A_METHOD];
            a.result = br.str[A_RESULT];
            a.reason = br.str[A_REASON];
            a.props = br.str[A_PROPS];
            stop = fn(arg, &a);
        }
        md_buf_free(&br.s);
    }
    md_store_finish(st, s);
    if (r < 0)
        return md_err_set(err, MD_ERR_DB, "%s: the authentication results of message %lld are"
                          " damaged", st->path, (long long)msg_id);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return md_store_dberr(st, err, "reading authentication results");
    if (stop)
        return MD_OK;
#define AS_FIELD(n, f) " UNION ALL SELECT " #n ", '" f "', " f " FROM x WHERE " f " IS NOT NULL"
    if (md_store_cached(
            st, &s,
            "WITH x AS (SELECT * FROM msg_antispam WHERE msg_id = ?1)"
            " SELECT r, m, v FROM ("
            "  SELECT 0 AS r, NULL AS m, NULL AS v WHERE 0"
            AS_FIELD(1, "scl") AS_FIELD(2, "sfv") AS_FIELD(3, "bcl") AS_FIELD(4, "pcl")
            AS_FIELD(5, "cat") AS_FIELD(6, "ipv") AS_FIELD(7, "sfty") ")"
            " ORDER BY 1",
            err) != MD_OK)
        return MD_ERR_DB;
#undef AS_FIELD
    sqlite3_bind_int64(s, 1, msg_id);
    a.source = "X-Forefront-Antispam-Report";
    a.authserv = a.reason = a.props = "";
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        a.method = md_store_col_text(s, 1);
        a.result = md_store_col_text(s, 2);
        if (fn(arg, &a))
            break;
    }
    int ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
    md_store_finish(st, s);
    return ok ? MD_OK : md_store_dberr(st, err, "reading authentication results");
}

#define DSN_COLS "d.msg_id, m.date, m.message_id, d.orig_message_id, d.vendor, d.reporting_mta," \
                 " d.final_rcpt, d.orig_rcpt, d.action, d.status, d.status_from_text," \
                 " d.reply_code, d.remote_mta, d.diag, d.last_attempt, d.reason, d.hard," \
                 " d.microsoft, d.named_ip, d.ms_bracket"

static void col_copy(char *dst, size_t n, sqlite3_stmt *s, int i)
{
    snprintf(dst, n, "%s", md_store_col_text(s, i));
}

static int run_dsns(md_store *st, sqlite3_stmt *s, md_msg_dsn_fn fn, void *arg, md_err *err)
{
    int rc;
    md_dsn_rcpt *r = malloc(sizeof *r);
    if (!r) {
        sqlite3_finalize(s);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        md_msg_dsnrow d;
        memset(r, 0, sizeof *r);
        d.msg_id = sqlite3_column_int64(s, 0);
        d.date = sqlite3_column_int64(s, 1);
        d.bounce_msgid = md_store_col_text(s, 2);
        d.orig_message_id = md_store_col_text(s, 3);
        d.vendor = md_store_col_text(s, 4);
        d.reporting_mta = md_store_col_text(s, 5);
        col_copy(r->final_rcpt, sizeof r->final_rcpt, s, 6);
        col_copy(r->orig_rcpt, sizeof r->orig_rcpt, s, 7);
        col_copy(r->action, sizeof r->action, s, 8);
        col_copy(r->status, sizeof r->status, s, 9);
        r->status_from_text = sqlite3_column_int(s, 10);
        r->reply_code = sqlite3_column_int(s, 11);
        col_copy(r->remote_mta, sizeof r->remote_mta, s, 12);
        col_copy(r->diag, sizeof r->diag, s, 13);
        r->last_attempt_date = sqlite3_column_int64(s, 14);
        col_copy(r->reason, sizeof r->reason, s, 15);
        r->hard = sqlite3_column_int(s, 16);
        r->microsoft = sqlite3_column_int(s, 17);
        col_copy(r->named_ip, sizeof r->named_ip, s, 18);
        col_copy(r->ms_bracket, sizeof r->ms_bracket, s, 19);
        d.r = r;
        if (fn(arg, &d))
            break;
    }
    free(r);
    int ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
    sqlite3_finalize(s);
    return ok ? MD_OK : md_store_dberr(st, err, "reading bounces");
}

int md_store_msg_dsns(md_store *st, int64_t msg_id, md_msg_dsn_fn fn, void *arg, md_err *err)
{
    sqlite3_stmt *s;
    if (md_store_prepare(st, &s,
                         "SELECT " DSN_COLS " FROM msg_dsn d JOIN msg m ON m.id = d.msg_id"
                         " WHERE d.msg_id = ?1 ORDER BY d.idx",
                         0, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, msg_id);
    return run_dsns(st, s, fn, arg, err);
}

int md_store_msg_bounces_naming_ip(md_store *st, const char *ip, md_msg_dsn_fn fn, void *arg,
                                   md_err *err)
{
    sqlite3_stmt *s;
    if (md_store_prepare(st, &s,
                         "SELECT " DSN_COLS " FROM msg_dsn d JOIN msg m ON m.id = d.msg_id"
                         " WHERE d.named_ip = ?1 ORDER BY coalesce(m.date, m.stored), d.msg_id, d.idx",
                         0, err) != MD_OK)
        return MD_ERR_DB;
    md_store_bind_text(s, 1, ip, -1);
    return run_dsns(st, s, fn, arg, err);
}

int md_store_msg_bounces_for(md_store *st, const char *rcpt, int64_t t_from, int64_t t_to,
                             md_msg_dsn_fn fn, void *arg, md_err *err)
{
    sqlite3_stmt *s;
    if (md_store_prepare(st, &s,
                         "SELECT " DSN_COLS " FROM msg_dsn d JOIN msg m ON m.id = d.msg_id"
                         " WHERE (d.final_rcpt = ?1 OR d.orig_rcpt = ?1)"
                         " AND (?2 = 0 OR coalesce(m.date, m.stored) >= ?2)"
                         " AND (?3 = 0 OR coalesce(m.date, m.stored) <= ?3)"
                         " ORDER BY coalesce(m.date, m.stored), d.msg_id, d.idx",
                         0, err) != MD_OK)
        return MD_ERR_DB;
    md_store_bind_text(s, 1, rcpt, -1);
    sqlite3_bind_int64(s, 2, t_from);
    sqlite3_bind_int64(s, 3, t_to);
    return run_dsns(st, s, fn, arg, err);
}

int md_store_msg_complaints(md_store *st, const char *ip, int64_t t_from, int64_t t_to,
                            md_msg_arf_fn fn, void *arg, md_err *err)
{
    sqlite3_stmt *s;
    if (md_store_prepare(st, &s,
                         "SELECT a.msg_id, m.date, a.form, a.feedback_type, a.user_agent, a.version,"
                         " a.microsoft, a.source_ip, a.source_from_orig, a.orig_mail_from,"
                         " a.orig_rcpt_to, a.reported_domain, a.reporting_mta, a.arrival,"
                         " a.arrival_text, a.orig_message_id, a.orig_from, a.orig_to,"
                         " a.orig_subject, a.orig_date FROM msg_arf a JOIN msg m ON m.id = a.msg_id"
                         " WHERE (?1 IS NULL OR a.source_ip = ?1)"
                         /* a DMARC failure report is no complaint (store_authfail.h) */
                         " AND a.feedback_type IS NOT 'auth-failure'"
                         " AND (?2 = 0 OR coalesce(a.arrival, m.date) >= ?2)"
                         " AND (?3 = 0 OR coalesce(a.arrival, m.date) <= ?3)"
                         " ORDER BY coalesce(a.arrival, m.date), a.msg_id",
                         0, err) != MD_OK)
        return MD_ERR_DB;
    md_store_bind_text(s, 1, ip, -1);
    sqlite3_bind_int64(s, 2, t_from);
    sqlite3_bind_int64(s, 3, t_to);
    md_arf *a = malloc(sizeof *a);
    if (!a) {
        sqlite3_finalize(s);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        memset(a, 0, sizeof *a);
        const char *form = md_store_col_text(s, 2);
        a->form = !strcmp(form, "jmrp") ? MD_ARF_JMRP_MINIMAL
                  : !strcmp(form, "jmrp-legacy") ? MD_ARF_JMRP_LEGACY : MD_ARF_RFC5965;
        col_copy(a->feedback_type, sizeof a->feedback_type, s, 3);
        col_copy(a->user_agent, sizeof a->user_agent, s, 4);
        col_copy(a->version, sizeof a->version, s, 5);
        a->microsoft = sqlite3_column_int(s, 6);
        col_copy(a->source_ip, sizeof a->source_ip, s, 7);
        a->source_ip_from_original = sqlite3_column_int(s, 8);
        col_copy(a->orig_mail_from, sizeof a->orig_mail_from, s, 9);
        col_copy(a->orig_rcpt_to, sizeof a->orig_rcpt_to, s, 10);
        col_copy(a->reported_domain, sizeof a->reported_domain, s, 11);
        col_copy(a->reporting_mta, sizeof a->reporting_mta, s, 12);
        a->arrival_date = sqlite3_column_int64(s, 13);
        col_copy(a->arrival_text, sizeof a->arrival_text, s, 14);
        col_copy(a->orig_message_id, sizeof a->orig_message_id, s, 15);
        col_copy(a->orig_from, sizeof a->orig_from, s, 16);
        col_copy(a->orig_to, sizeof a->orig_to, s, 17);
        col_copy(a->orig_subject, sizeof a->orig_subject, s, 18);
        a->orig_date = sqlite3_column_int64(s, 19);
        md_msg_arfrow r = {sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1), a};
        if (fn(arg, &r))
            break;
    }
    free(a);
    int ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
    sqlite3_finalize(s);
    return ok ? MD_OK : md_store_dberr(st, err, "reading complaints");
}

int md_store_msg_any(md_store *st)
{
    sqlite3_stmt *s;
    if (md_store_prepare(st, &s, "SELECT EXISTS (SELECT 1 FROM msg)", 0, NULL) != MD_OK)
        return 0;
    int any = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return any;
}

int md_store_msg_count(md_store *st, int64_t *messages, int64_t *bounces, int64_t *complaints,
                       md_err *err)
{
    sqlite3_stmt *s;
    if (md_store_prepare(st, &s,
                         "SELECT count(*), (SELECT count(DISTINCT msg_id) FROM msg_dsn),"
                         " (SELECT count(*) FROM msg_arf) FROM msg",
                         0, err) != MD_OK)
        return MD_ERR_DB;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        if (messages)
            *messages = sqlite3_column_int64(s, 0);
        if (bounces)
            *bounces = sqlite3_column_int64(s, 1);
        if (complaints)
            *complaints = sqlite3_column_int64(s, 2);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? MD_OK : md_store_dberr(st, err, "counting messages");
}
