/* store_log.c: the log area's tables and queries (see store_log.h).
 *
 * Raw lines live in LZ4-compressed blocks (one row per block of consecutive
 * lines of one source; stores written before LZ4 hold zstd blocks, still
 * read), not one row per line: that is what makes ingest
 * fast and the store small.  Messages, delivery attempts and links are rows;
 * addresses, Message-IDs and IPs have their own WITHOUT ROWID index tables.
 * Hot tables carry no foreign-key clauses (the writer is the only producer
 * and checks are per-row costs).  Owns the writer's prepared statements and
 * compression buffer.  Never prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <lz4.h>
#include <zstd.h>
#include "base/text.h"
#include "store/store_int.h"
#include "store/store_log.h"
#include "parse/reply.h"

const char md_store_schema_log[] =
    "CREATE TABLE log_host (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE log_block ("
    "  id INTEGER PRIMARY KEY,"
    "  source_id INTEGER NOT NULL REFERENCES source(id),"
    "  first_line INTEGER NOT NULL,"
    "  nlines INTEGER NOT NULL,"
    "  t_first INTEGER, t_last INTEGER,"
    "  raw_bytes INTEGER NOT NULL,"
    "  codec INTEGER NOT NULL,"            /* 0 stored, 1 zstd, 2 LZ4 */
    "  data BLOB NOT NULL);"
    "CREATE UNIQUE INDEX log_block_pos ON log_block(source_id, first_line);"
    "CREATE TABLE log_span ("
    "  source_id INTEGER NOT NULL, host_id INTEGER NOT NULL, fmt INTEGER NOT NULL,"
    "  lines INTEGER NOT NULL, t_first INTEGER, t_last INTEGER,"
    "  PRIMARY KEY (source_id, host_id, fmt)) WITHOUT ROWID;"
    "CREATE TABLE log_msg ("
    "  id INTEGER PRIMARY KEY,"
    "  host_id INTEGER NOT NULL,"
    "  qid TEXT NOT NULL,"
    "  t_first INTEGER NOT NULL, t_last INTEGER NOT NULL,"
    "  fmt INTEGER NOT NULL, flags INTEGER NOT NULL DEFAULT 0,"
    "  open INTEGER NOT NULL DEFAULT 0,"
    "  sender TEXT, msgid TEXT, client_host TEXT, client_ip TEXT,"
    "  size INTEGER, nrcpt INTEGER, source_id INTEGER NOT NULL, lines BLOB);"
    "CREATE INDEX log_msg_open ON log_msg(id) WHERE open = 1;"
    "CREATE TABLE log_dlv ("
    "  id INTEGER PRIMARY KEY, msg_id INTEGER NOT NULL, t INTEGER NOT NULL,"
    "  rcpt TEXT, orig_to TEXT, relay_host TEXT, relay_ip TEXT, dsn TEXT, status TEXT,"
    "  outcome INTEGER NOT NULL DEFAULT 0, reply TEXT, reason TEXT, named_ip TEXT,"
    "  internal_id TEXT, quoted_msgid TEXT, new_qid TEXT, ms INTEGER NOT NULL DEFAULT 0,"
    "  source_id INTEGER, lineno INTEGER);"
    "CREATE INDEX log_dlv_msg ON log_dlv(msg_id);"
    "CREATE INDEX log_dlv_ms ON log_dlv(t) WHERE ms = 1;"
    "CREATE TABLE log_link ("
    "  id INTEGER PRIMARY KEY, from_msg INTEGER NOT NULL, to_msg INTEGER,"
    "  kind INTEGER NOT NULL, t INTEGER, to_host TEXT, to_qid TEXT, why TEXT);"
    "CREATE UNIQUE INDEX log_link_pair ON log_link(from_msg, to_msg, kind);"
    "CREATE INDEX log_link_to ON log_link(to_msg);"
    "CREATE INDEX log_link_pending ON log_link(to_qid) WHERE to_msg IS NULL;"
    /* one index for addresses, Message-IDs, IPs and queue ids: a 63-bit hash
     * of (kind, value) -> message (md_store_log_key_hash; SQL md_key()) */
    "CREATE TABLE log_key (h INTEGER NOT NULL, msg_id INTEGER NOT NULL,"
    "  PRIMARY KEY (h, msg_id)) WITHOUT ROWID;"
    "CREATE TABLE log_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    /* messages whose Message-ID another message has: for the resolve pass */
    "CREATE TABLE log_cand (msg_id INTEGER PRIMARY KEY);";

enum {
    S_HOST_SEL, S_HOST_INS, S_BLOCK, S_SPAN, S_MSG_INS, S_MSG_UPD, S_DLV, S_LINK, S_KEY,
    S_KEY_SEL, S_CAND, S_KEY_MANY, S_HOUR, S_COUNT
};

/* index entries are inserted KEY_MANY rows per statement (one step, one
 * reset for all of them) */
#define KEY_MANY 32
#define KV2 "(?,?),(?,?)"
#define KV8 KV2 "," KV2 "," KV2 "," KV2

static const char *const writer_sql[S_COUNT] = {
    "SELECT id FROM log_host WHERE name = ?1",
    "INSERT INTO log_host(name) VALUES(?1)",
    "INSERT INTO log_block(source_id, first_line, nlines, t_first, t_last, raw_bytes, codec,"
    " data) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    "INSERT INTO log_span(source_id, host_id, fmt, lines, t_first, t_last)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(source_id, host_id, fmt) DO UPDATE SET"
    " lines = lines + excluded.lines, t_first = min(t_first, excluded.t_first),"
    " t_last = max(t_last, excluded.t_last)",
    "INSERT INTO log_msg(host_id, qid, t_first, t_last, fmt, flags, open, sender, msgid,"
    " client_host, client_ip, size, nrcpt, source_id, lines)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    "UPDATE log_msg SET t_first = ?3, t_last = ?4, flags = ?6, open = ?7, sender = ?8,"
    " msgid = ?9, client_host = ?10, client_ip = ?11, size = ?12, nrcpt = ?13, lines = ?15"
    " WHERE id = ?16",
    "INSERT INTO log_dlv(msg_id, t, rcpt, orig_to, relay_host, relay_ip, dsn, status, outcome,"
    " reply, reason, named_ip, internal_id, quoted_msgid, new_qid, ms, source_id, lineno)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    "INSERT OR IGNORE INTO log_link(from_msg, to_msg, kind, t, to_host, to_qid, why)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    "INSERT OR IGNORE INTO log_key(h, msg_id) VALUES(?1, ?2)",
    "SELECT msg_id FROM log_key WHERE h = ?1 AND msg_id != ?2 LIMIT 1",
    "INSERT OR IGNORE INTO log_cand(msg_id) VALUES(?1)",
    "INSERT OR IGNORE INTO log_key(h, msg_id) VALUES" KV8 "," KV8 "," KV8 "," KV8,
    "INSERT INTO log_hour(source_id, host_id, hour, lines, t_first, t_last)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(source_id, host_id, hour) DO UPDATE SET"
    " lines = lines + excluded.lines, t_first = min(t_first, excluded.t_first),"
    " t_last = max(t_last, excluded.t_last)",
};

/* Migration 5: lines per (source, host, UTC hour) with their first and last
 * time, for the dossier's coverage (which hours of a window a host's logs
 * cover).  Stores ingested before it have no rows for their old sources. */
const char md_store_schema_log_4[] =
    "CREATE TABLE IF NOT EXISTS log_hour ("
    "  source_id INTEGER NOT NULL, host_id INTEGER NOT NULL, hour INTEGER NOT NULL,"
    "  lines INTEGER NOT NULL, t_first INTEGER NOT NULL, t_last INTEGER NOT NULL,"
    "  PRIMARY KEY (source_id, host_id, hour)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS log_hour_hour ON log_hour(hour);";

/* next hops remembered per writer (an open-addressing set of key hashes)
 * so that each is indexed once, not once per delivery */
#define HOP_SET 4096
#define HOP_PEND 1024

static int64_t state_get(md_store *st, const char *key);
static int state_set(md_store *st, const char *key, int64_t v, md_err *err);

struct md_log_writer {
    md_store *st;
    sqlite3_stmt *s[S_COUNT];
    void *zbuf;            /* compressed block */
    size_t zcap;
    md_log_key *ktmp;      /* scratch for sorting index entries */
    size_t ktcap;
    int64_t hops[HOP_SET]; /* next hops indexed by this writer (0: free) */
    size_t nhops;
    md_log_key hopk[HOP_PEND]; /* their entries, until the next batch */
    size_t nhopk;
};

int md_store_log_writer_open(md_store *st, md_log_writer **out, md_err *err)
{
    md_log_writer *w = calloc(1, sizeof *w);
    *out = NULL;
    if (!w)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    w->st = st;
    if (md_store_log_ensure_fn(st, err) != MD_OK) {
        free(w);
        return MD_ERR_DB;
    }
    md_store_bulk(st, 1); /* undone by md_store_log_writer_close */
    md_store_bulk_journal(st, 1);
    /* a store without deliveries needs no next hops from before (see
     * md_store_log_resolve) */
    sqlite3_stmt *any = md_store_row(st, "SELECT 1 FROM log_dlv LIMIT 1");
    sqlite3_finalize(any);
    if (!any && !state_get(st, "hops") && state_set(st, "hops", 1, err) != MD_OK) {
        md_store_log_writer_close(w);
        return MD_ERR_DB;
    }
    for (int i = 0; i < S_COUNT; i++)
        if (md_store_prepare(st, &w->s[i], writer_sql[i], 1, err) != MD_OK) {
            md_store_log_writer_close(w);
            return MD_ERR_DB;
        }
    *out = w;
    return MD_OK;
}

void md_store_log_writer_close(md_log_writer *w)
{
    if (!w)
        return;
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(w->s[i]);
    md_store_bulk(w->st, 0);
    md_store_bulk_journal(w->st, 0);
    free(w->zbuf);
    free(w->ktmp);
    free(w);
}

/* Bind a string: NULL or "" -> NULL.  Not copied: the statements bound
 * this way are stepped, reset and cleared by run() before returning. */
static void bind_str(sqlite3_stmt *s, int i, const char *t)
{
    if (!t || !*t)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC);
}

/* Step a writer statement to completion and reset it. */
static int run(md_log_writer *w, sqlite3_stmt *s, const char *what, md_err *err)
{
    int rc = sqlite3_step(s);
    int ok = rc == SQLITE_DONE || rc == SQLITE_ROW;
    int r = ok ? MD_OK : md_store_dberr(w->st, err, what);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return r;
}

int md_store_log_host(md_log_writer *w, const char *name, size_t n, int64_t *id, md_err *err)
{
    sqlite3_stmt *s = w->s[S_HOST_SEL];
    sqlite3_bind_text(s, 1, name, (int)n, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
        return MD_OK;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return md_store_dberr(w->st, err, "looking up log host");
    s = w->s[S_HOST_INS];
    sqlite3_bind_text(s, 1, name, (int)n, SQLITE_TRANSIENT);
    if (run(w, s, "recording log host", err) != MD_OK)
        return MD_ERR_DB;
    *id = sqlite3_last_insert_rowid(w->st->db);
    return MD_OK;
}

int md_store_log_block(md_log_writer *w, int64_t source_id, uint64_t first_line,
                       uint64_t nlines, int64_t t_first, int64_t t_last, const char *raw,
                       size_t rawlen, md_err *err)
{
    /* LZ4: decodes three times as fast as zstd -1 (what trace and the
     * dossier wait for) and compresses 2.7 times as fast, for 3.7x instead
     * of 5.7x on logs (bench/RESULTS.md) */
    if (rawlen > (size_t)LZ4_MAX_INPUT_SIZE)
        return md_err_set(err, MD_ERR_LIMIT, "block of %zu bytes too large", rawlen);
    size_t bound = (size_t)LZ4_compressBound((int)rawlen);
    if (bound > w->zcap) {
        void *nb = realloc(w->zbuf, bound);
        if (!nb)
            return md_err_set(err, MD_ERR_NOMEM, "out of memory (block of %zu bytes)", rawlen);
        w->zbuf = nb;
        w->zcap = bound;
    }
    int zl = LZ4_compress_default(raw, w->zbuf, (int)rawlen, (int)w->zcap);
    size_t zn = zl > 0 ? (size_t)zl : rawlen;
    int codec = 2;
    const void *data = w->zbuf;
    if (zl <= 0 || zn >= rawlen) {
        codec = 0;
        data = raw;
        zn = rawlen;
    }
    sqlite3_stmt *s = w->s[S_BLOCK];
    sqlite3_bind_int64(s, 1, source_id);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)first_line);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)nlines);
    sqlite3_bind_int64(s, 4, t_first);
    sqlite3_bind_int64(s, 5, t_last);
    sqlite3_bind_int64(s, 6, (sqlite3_int64)rawlen);
    sqlite3_bind_int(s, 7, codec);
    sqlite3_bind_blob(s, 8, data ? data : "", (int)zn, SQLITE_STATIC);
    return run(w, s, "storing raw lines", err);
}

/* put_counts: one upsert of S_SPAN or S_HOUR: (source, host, key, lines,
 * first, last) */
static int put_counts(md_log_writer *w, int which, int64_t source_id, int64_t host_id,
                      int64_t key, uint64_t lines, int64_t t_first, int64_t t_last,
                      const char *what, md_err *err)
{
    sqlite3_stmt *s = w->s[which];
    sqlite3_bind_int64(s, 1, source_id);
    sqlite3_bind_int64(s, 2, host_id);
    sqlite3_bind_int64(s, 3, key);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)lines);
    sqlite3_bind_int64(s, 5, t_first);
    sqlite3_bind_int64(s, 6, t_last);
    return run(w, s, what, err);
}

int md_store_log_span_add(md_log_writer *w, int64_t source_id, int64_t host_id, int fmt,
                          uint64_t lines, int64_t t_first, int64_t t_last, md_err *err)
{
    return put_counts(w, S_SPAN, source_id, host_id, fmt, lines, t_first, t_last,
                      "storing host span", err);
}

int md_store_log_hour_add(md_log_writer *w, int64_t source_id, int64_t host_id, int64_t hour,
                          uint64_t lines, int64_t t_first, int64_t t_last, md_err *err)
{
    return put_counts(w, S_HOUR, source_id, host_id, hour, lines, t_first, t_last,
                      "storing lines per hour", err);
}

int md_store_log_msg_put(md_log_writer *w, md_log_msgrow *m, md_err *err)
{
    sqlite3_stmt *s = w->s[m->id ? S_MSG_UPD : S_MSG_INS];
    sqlite3_bind_int64(s, 1, m->host_id);
    sqlite3_bind_text(s, 2, m->qid ? m->qid : "", -1, SQLITE_STATIC); /* run() clears */
    sqlite3_bind_int64(s, 3, m->t_first);
    sqlite3_bind_int64(s, 4, m->t_last);
    sqlite3_bind_int(s, 5, m->fmt);
    sqlite3_bind_int(s, 6, m->flags);
    sqlite3_bind_int(s, 7, (m->flags & MD_LOGMSG_OPEN) ? 1 : 0);
    if (m->sender)
        sqlite3_bind_text(s, 8, m->sender, -1, SQLITE_STATIC); /* "" = <> kept */
    bind_str(s, 9, m->msgid);
    bind_str(s, 10, m->client_host);
    bind_str(s, 11, m->client_ip);
    if (m->size >= 0)
        sqlite3_bind_int64(s, 12, m->size);
    if (m->nrcpt >= 0)
        sqlite3_bind_int(s, 13, m->nrcpt);
    sqlite3_bind_int64(s, 14, m->source_id);
    if (m->lines_len)
        sqlite3_bind_blob(s, 15, m->lines, (int)m->lines_len, SQLITE_STATIC);
    if (m->id)
        sqlite3_bind_int64(s, 16, m->id);
    if (run(w, s, "storing message", err) != MD_OK)
        return MD_ERR_DB;
    if (!m->id)
        m->id = sqlite3_last_insert_rowid(w->st->db);
    return MD_OK;
}

/* Note a next hop (p[0..n), n > 0) once per writer: an index entry of kind
 * MD_LOGKEY_HOP, inserted with the next batch of entries. */
static int keys_put(md_log_writer *w, md_log_key *keys, size_t n, md_err *err);

static int hop_put(md_log_writer *w, const char *p, size_t n, md_err *err)
{
    int64_t key = md_store_log_key_hash(MD_LOGKEY_HOP, p, n), h = key | 1; /* h: never 0 */
    size_t i = (size_t)h & (HOP_SET - 1);
    while (w->hops[i] && w->hops[i] != h)
        i = (i + 1) & (HOP_SET - 1);
    if (w->hops[i])
        return MD_OK;
    if (w->nhops >= HOP_SET / 2) { /* many hops: forget them (re-inserts are ignored) */
        memset(w->hops, 0, sizeof w->hops);
        w->nhops = 0;
        i = (size_t)h & (HOP_SET - 1);
    }
    w->hops[i] = h;
    w->nhops++;
    md_log_key k = {key, 0, MD_LOGKEY_HOP};
    w->hopk[w->nhopk++] = k;
    if (w->nhopk < HOP_PEND)
        return MD_OK;
    w->nhopk = 0;
    return keys_put(w, w->hopk, HOP_PEND, err);
}

int md_store_log_dlv_put(md_log_writer *w, const md_log_dlvrow *d, md_err *err)
{
    sqlite3_stmt *s = w->s[S_DLV];
    sqlite3_bind_int64(s, 1, d->msg_id);
    sqlite3_bind_int64(s, 2, d->t);
    bind_str(s, 3, d->rcpt);
    bind_str(s, 4, d->orig_to);
    bind_str(s, 5, d->relay_host);
    bind_str(s, 6, d->relay_ip);
    bind_str(s, 7, d->dsn);
    bind_str(s, 8, d->status);
    sqlite3_bind_int(s, 9, d->outcome);
    bind_str(s, 10, d->reply);
    bind_str(s, 11, d->reason);
    bind_str(s, 12, d->named_ip);
    bind_str(s, 13, d->internal_id);
    bind_str(s, 14, d->quoted_msgid);
    bind_str(s, 15, d->new_qid);
    sqlite3_bind_int(s, 16, d->ms);
    sqlite3_bind_int64(s, 17, d->source_id);
    sqlite3_bind_int64(s, 18, (sqlite3_int64)d->lineno);
    if (run(w, s, "storing delivery attempt", err) != MD_OK)
        return MD_ERR_DB;
    /* as stored: the relay name without its trailing dots (sql_reinjected) */
    size_t hn = d->relay_host ? strlen(d->relay_host) : 0;
    while (hn && d->relay_host[hn - 1] == '.')
        hn--;
    if (d->relay_ours && d->relay_ip && *d->relay_ip &&
        hop_put(w, d->relay_ip, strlen(d->relay_ip), err) != MD_OK)
        return MD_ERR_DB;
    return hn ? hop_put(w, d->relay_host, hn, err) : MD_OK;
}

int md_store_log_link_put(md_log_writer *w, const md_log_linkrow *l, md_err *err)
{
    sqlite3_stmt *s = w->s[S_LINK];
    sqlite3_bind_int64(s, 1, l->from_msg);
    if (l->to_msg)
        sqlite3_bind_int64(s, 2, l->to_msg);
    sqlite3_bind_int(s, 3, l->kind);
    sqlite3_bind_int64(s, 4, l->t);
    bind_str(s, 5, l->to_host);
    bind_str(s, 6, l->to_qid);
    bind_str(s, 7, l->why);
    return run(w, s, "storing link", err);
}

int64_t md_store_log_key_hash(int kind, const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ ((uint64_t)kind * 0x9E3779B97F4A7C15ULL);
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return (int64_t)(h & 0x7fffffffffffffffULL);
}

/* SQL md_key(kind, text): the same hash, for the resolve pass. */
static void sql_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    const unsigned char *t = sqlite3_value_text(argv[1]);
    int n = sqlite3_value_bytes(argv[1]);
    sqlite3_result_int64(ctx, md_store_log_key_hash(sqlite3_value_int(argv[0]), (const char *)t,
                                                    (size_t)n));
}

int md_store_log_ensure_fn(md_store *st, md_err *err)
{
    if (sqlite3_create_function_v2(st->db, "md_key", 2,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                   sql_key, NULL, NULL, NULL) != SQLITE_OK)
        return md_store_dberr(st, err, "registering md_key()");
    return MD_OK;
}

static int cmp_key(const void *a, const void *b)
{
    const md_log_key *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return x->msg_id < y->msg_id ? -1 : x->msg_id > y->msg_id;
}

static int cmp_key_id(const void *a, const void *b)
{
    const md_log_key *x = a, *y = b;
    return x->msg_id < y->msg_id ? -1 : x->msg_id > y->msg_id;
}

/* Sort by (h, msg_id), as cmp_key: a stable radix sort on h (non-negative,
 * 63 bits) through the writer's scratch array, then each run of equal h
 * (one value in several messages; nearly always in msg_id order already)
 * by msg_id.  Falls back to qsort when the scratch cannot be had. */
static void sort_keys(md_log_writer *w, md_log_key *keys, size_t n)
{
    enum { BITS = 11, NB = 1 << BITS };
    if (n > w->ktcap && n >= 64) {
        md_log_key *nt = realloc(w->ktmp, n * sizeof *nt);
        if (nt) {
            w->ktmp = nt;
            w->ktcap = n;
        }
    }
    if (n < 64 || n > w->ktcap) {
        qsort(keys, n, sizeof *keys, cmp_key);
        return;
    }
    md_log_key *src = keys, *dst = w->ktmp;
    for (int shift = 0; shift < 63; shift += BITS) {
        size_t cnt[NB] = {0};
        for (size_t i = 0; i < n; i++)
            cnt[((uint64_t)src[i].h >> shift) & (NB - 1)]++;
        if (cnt[((uint64_t)src[0].h >> shift) & (NB - 1)] == n)
            continue; /* one digit for all: nothing to move */
        size_t sum = 0;
        for (size_t d = 0; d < NB; d++) {
            size_t c = cnt[d];
            cnt[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[cnt[((uint64_t)src[i].h >> shift) & (NB - 1)]++] = src[i];
        md_log_key *t = src;
        src = dst;
        dst = t;
    }
    if (src != keys)
        memcpy(keys, src, n * sizeof *keys);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1, sorted = 1;
        for (; j < n && keys[j].h == keys[i].h; j++)
            if (keys[j].msg_id < keys[j - 1].msg_id)
                sorted = 0;
        if (!sorted)
            qsort(keys + i, j - i, sizeof *keys, cmp_key_id);
        i = j;
    }
}

/* Insert the entries gathered in pend[0..*np) (in order), then *np = 0:
 * KEY_MANY at once through S_KEY_MANY, fewer one by one. */
static int keys_insert(md_log_writer *w, const md_log_key *const *pend, size_t *np,
                       md_err *err)
{
    size_t n = *np;
    *np = 0;
    sqlite3_stmt *s = w->s[n == KEY_MANY ? S_KEY_MANY : S_KEY];
    for (size_t i = 0; i < n;) {
        int p = 1;
        do {
            sqlite3_bind_int64(s, p++, pend[i]->h);
            sqlite3_bind_int64(s, p++, pend[i]->msg_id);
            i++;
        } while (n == KEY_MANY && i < n);
        int rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return md_store_dberr(w->st, err, "indexing messages");
    }
    return MD_OK;
}

int md_store_log_keys_put(md_log_writer *w, md_log_key *keys, size_t n, md_err *err)
{
    size_t nh = w->nhopk;
    w->nhopk = 0;
    if (nh && keys_put(w, w->hopk, nh, err) != MD_OK)
        return MD_ERR_DB;
    return keys_put(w, keys, n, err);
}

static int keys_put(md_log_writer *w, md_log_key *keys, size_t n, md_err *err)
{
    if (!n)
        return MD_OK;
    /* sorted, so the B-tree is walked once in order instead of at random */
    sort_keys(w, keys, n);
    const md_log_key *pend[KEY_MANY] = {0};
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && keys[i].h == keys[i - 1].h && keys[i].msg_id == keys[i - 1].msg_id)
            continue;
        if (keys[i].kind == MD_LOGKEY_MSGID) {
            /* another message with this Message-ID (in the store, or next in
             * this sorted batch): a candidate for the same-Message-ID link */
            int dup = i + 1 < n && keys[i + 1].h == keys[i].h && keys[i + 1].msg_id != keys[i].msg_id;
            int64_t other = 0;
            if (!dup) {
                /* entries of this value not yet inserted (the last ones
                 * gathered, as sorted) must be in the table first */
                if (np && pend[np - 1]->h == keys[i].h && keys_insert(w, pend, &np, err) != MD_OK)
                    return MD_ERR_DB;
                sqlite3_stmt *q = w->s[S_KEY_SEL];
                sqlite3_bind_int64(q, 1, keys[i].h);
                sqlite3_bind_int64(q, 2, keys[i].msg_id);
                if (sqlite3_step(q) == SQLITE_ROW) {
                    dup = 1;
                    other = sqlite3_column_int64(q, 0);
                }
                sqlite3_reset(q);
            }
            for (int k = 0; dup && k < 2; k++) {
                int64_t id = k ? other : keys[i].msg_id;
                if (!id)
                    continue;
                sqlite3_bind_int64(w->s[S_CAND], 1, id);
                if (run(w, w->s[S_CAND], "noting a shared Message-ID", err) != MD_OK)
                    return MD_ERR_DB;
            }
        }
        pend[np++] = &keys[i];
        if (np == KEY_MANY && keys_insert(w, pend, &np, err) != MD_OK)
            return MD_ERR_DB;
    }
    return keys_insert(w, pend, &np, err);
}

int md_store_log_key_put(md_log_writer *w, int kind, const char *value, int64_t msg_id,
                         md_err *err)
{
    if (!value || !*value)
        return MD_OK;
    md_log_key k = {md_store_log_key_hash(kind, value, strlen(value)), msg_id, kind};
    return md_store_log_keys_put(w, &k, 1, err);
}

/* ---- the reader: statements prepared once for many look-ups ------------ */

enum { R_MSG, R_DLV, R_LINK, R_BLOCK, R_COUNT };

struct md_log_reader {
    md_store *st;
    sqlite3_stmt *s[R_COUNT];
    ZSTD_DCtx *zd;          /* reused for every block */
    int own_tx;             /* a read transaction opened by the reader */
};

static const char *const reader_sql[R_COUNT];

int md_store_log_reader_open(md_store *st, md_log_reader **out, md_err *err)
{
    md_log_reader *r = calloc(1, sizeof *r);
    *out = NULL;
    if (!r)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    r->st = st;
    /* one read transaction for all look-ups: one snapshot, no lock per statement */
    if (!st->in_tx && md_store_exec(st, "BEGIN", err) != MD_OK) {
        free(r);
        return MD_ERR_DB;
    }
    r->own_tx = !st->in_tx;
    for (int i = 0; i < R_COUNT; i++)
        if (md_store_prepare(st, &r->s[i], reader_sql[i], 1, err) != MD_OK) {
            md_store_log_reader_close(r);
            return MD_ERR_DB;
        }
    r->zd = ZSTD_createDCtx();
    *out = r;
    return MD_OK;
}

void md_store_log_reader_close(md_log_reader *r)
{
    if (!r)
        return;
    for (int i = 0; i < R_COUNT; i++)
        sqlite3_finalize(r->s[i]);
    if (r->own_tx)
        md_store_exec(r->st, "COMMIT", NULL);
    ZSTD_freeDCtx(r->zd);
    free(r);
}

/* A statement of the reader (reset), or a fresh one when r is NULL (the
 * caller then finalizes it: *owned set). */
static int stmt_for(md_store *st, md_log_reader *r, int which, sqlite3_stmt **s, int *owned,
                    md_err *err)
{
    if (r) {
        *s = r->s[which];
        sqlite3_reset(*s);
        sqlite3_clear_bindings(*s);
        *owned = 0;
        return MD_OK;
    }
    *owned = 1;
    return md_store_prepare(st, s, reader_sql[which], 0, err);
}

static void stmt_done(sqlite3_stmt *s, int owned)
{
    if (owned)
        sqlite3_finalize(s);
    else
        sqlite3_reset(s);
}

/* ---- message rows out -------------------------------------------------- */

#define MSG_COLS                                                                          \
    "m.id, m.host_id, m.qid, m.t_first, m.t_last, m.fmt, m.flags, m.sender, m.msgid,"    \
    " m.client_host, m.client_ip, m.size, m.nrcpt, m.source_id, m.lines, h.name"

static void row_msg(sqlite3_stmt *s, md_log_msgrow *m)
{
    memset(m, 0, sizeof *m);
    m->id = sqlite3_column_int64(s, 0);
    m->host_id = sqlite3_column_int64(s, 1);
    m->qid = md_store_col_text(s, 2);
    m->t_first = sqlite3_column_int64(s, 3);
    m->t_last = sqlite3_column_int64(s, 4);
    m->fmt = sqlite3_column_int(s, 5);
    m->flags = sqlite3_column_int(s, 6);
    m->sender = sqlite3_column_type(s, 7) == SQLITE_NULL ? NULL : md_store_col_text(s, 7);
    m->msgid = md_store_col_text(s, 8);
    m->client_host = md_store_col_text(s, 9);
    m->client_ip = md_store_col_text(s, 10);
    m->size = sqlite3_column_type(s, 11) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 11);
    m->nrcpt = sqlite3_column_type(s, 12) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 12);
    m->source_id = sqlite3_column_int64(s, 13);
    m->lines = sqlite3_column_blob(s, 14);
    m->lines_len = (size_t)sqlite3_column_bytes(s, 14);
}

static int each_msg(md_store *st, sqlite3_stmt *s, md_log_msg_fn fn, void *arg, int *found,
                    md_err *err)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        md_log_msgrow m;
        row_msg(s, &m);
        if (found)
            (*found)++;
        if (fn(arg, &m, md_store_col_text(s, 15)))
            return MD_OK;
    }
    return rc == SQLITE_DONE ? MD_OK : md_store_dberr(st, err, "reading messages");
}

static const char *const reader_sql[R_COUNT] = {
    ("SELECT " MSG_COLS " FROM log_msg m JOIN log_host h ON h.id = m.host_id WHERE m.id = ?1"),
    ("SELECT msg_id, t, rcpt, orig_to, relay_host, relay_ip, dsn, status, outcome, reply, reason,"
     " named_ip, internal_id, quoted_msgid, new_qid, ms, source_id, lineno FROM log_dlv"
     " WHERE msg_id = ?1 ORDER BY t, id"),
    ("SELECT from_msg, to_msg, kind, t, to_host, to_qid, why FROM log_link"
     " WHERE from_msg = ?1 AND to_msg IS NOT NULL"
     " UNION ALL SELECT from_msg, to_msg, kind, t, to_host, to_qid, why"
     " FROM log_link WHERE to_msg = ?1"),
    ("SELECT first_line, nlines, raw_bytes, codec, data FROM log_block"
     " WHERE source_id = ?1 AND first_line <= ?2 ORDER BY first_line DESC LIMIT 1"),
};

int md_store_log_open_msgs(md_store *st, md_log_msg_fn fn, void *arg, md_err *err)
{
    sqlite3_stmt *s = NULL;
    if (md_store_prepare(st, &s,
                         "SELECT " MSG_COLS " FROM log_msg m JOIN log_host h ON h.id = m.host_id"
                         " WHERE m.open = 1 ORDER BY m.id", 0, err) != MD_OK)
        return MD_ERR_DB;
    int rc = each_msg(st, s, fn, arg, NULL, err);
    sqlite3_finalize(s);
    return rc;
}

int md_store_log_msg_get(md_store *st, int64_t id, md_log_msg_fn fn, void *arg, md_err *err)
{
    return md_store_log_r_msg_get(st, NULL, id, fn, arg, err);
}

int md_store_log_r_msg_get(md_store *st, md_log_reader *rd, int64_t id, md_log_msg_fn fn,
                           void *arg, md_err *err)
{
    sqlite3_stmt *s = NULL;
    int owned;
    if (stmt_for(st, rd, R_MSG, &s, &owned, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, id);
    int found = 0;
    int rc = each_msg(st, s, fn, arg, &found, err);
    stmt_done(s, owned);
    if (rc == MD_OK && !found)
        return md_err_set(err, MD_ERR_NOTFOUND, "no message %lld", (long long)id);
    return rc;
}

/* ---- the end-of-ingest pass --------------------------------------------- */

static int64_t state_get(md_store *st, const char *key)
{
    sqlite3_stmt *s = NULL;
    int64_t v = 0;
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM log_state WHERE key = ?1", -1, &s, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW)
            v = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    return v;
}

static int state_set(md_store *st, const char *key, int64_t v, md_err *err)
{
    sqlite3_stmt *s = NULL;
    if (md_store_prepare(st, &s, "INSERT OR REPLACE INTO log_state(key, value) VALUES(?1, ?2)",
                         0, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, v);
    int rc = sqlite3_step(s) == SQLITE_DONE ? MD_OK : md_store_dberr(st, err, "log state");
    sqlite3_finalize(s);
    return rc;
}

static int64_t max_id(md_store *st, const char *table)
{
    sqlite3_stmt *s = md_store_row(st, "SELECT coalesce(max(id), 0) FROM %s", table);
    int64_t v = s ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    return v;
}

/* Run one statement with two watermark parameters; add changes to *n. */
static int resolve_step(md_store *st, const char *sql, int64_t wm_msg, int64_t wm_dlv,
                        uint64_t *n, md_err *err)
{
    sqlite3_stmt *s = NULL;
    if (md_store_prepare(st, &s, sql, 0, err) != MD_OK)
        return MD_ERR_DB;
    if (sqlite3_bind_parameter_count(s) >= 1)
        sqlite3_bind_int64(s, 1, wm_msg);
    if (sqlite3_bind_parameter_count(s) >= 2)
        sqlite3_bind_int64(s, 2, wm_dlv);
    int rc = sqlite3_step(s) == SQLITE_DONE ? MD_OK : md_store_dberr(st, err, "linking messages");
    if (rc == MD_OK && n)
        *n += (uint64_t)sqlite3_changes(st->db);
    sqlite3_finalize(s);
    return rc;
}

/* Pending links by queue id: the message with that queue id on the expected
 * host (same name, or the relay's FQDN starts with the syslog host name),
 * first seen earliest within [-5 min, +1 h] of the link (SQLite 3.40 refuses
 * an outer column in ORDER BY inside an UPDATE). */
static const char sql_resolve_qid[] =
    "UPDATE OR IGNORE log_link SET to_msg = (SELECT m.id FROM log_key k"
    " JOIN log_msg m ON m.id = k.msg_id JOIN log_host h ON h.id = m.host_id"
    " WHERE k.h = md_key(4, log_link.to_qid) AND m.qid = log_link.to_qid"
    "   AND m.id != log_link.from_msg"
    "   AND (log_link.to_host IS NULL OR h.name = log_link.to_host"
    "        OR log_link.to_host LIKE h.name || '.%')"
    "   AND m.t_first BETWEEN log_link.t - 300 AND log_link.t + 3600"
    " ORDER BY m.t_first LIMIT 1)"
    " WHERE to_msg IS NULL AND to_qid IS NOT NULL"
    /* a next hop whose log is not in the store cannot resolve: skip cheaply */
    "   AND (to_host IS NULL OR EXISTS (SELECT 1 FROM log_host h2 WHERE h2.name = to_host"
    "        OR to_host LIKE h2.name || '.%'))";

/* Microsoft's 250 reply for a delivery quotes a Message-ID that another
 * message carries: original -> the message delivered (the copy).  Both
 * orders of arrival: new deliveries (?2), and new messages (?1) whose
 * Message-ID earlier deliveries quoted (key kind 5). */
#define MS_QUOTED_SELECT                                                                    \
    "INSERT OR IGNORE INTO log_link(from_msg, to_msg, kind, t, why)"                         \
    " SELECT o.id, c.id, 6, d.t,"                                                            \
    "  'reply of ' || coalesce(d.relay_host, 'Microsoft') || ' for ' || c.qid || ' quotes ' ||" \
    "  d.quoted_msgid || ', the Message-ID of ' || o.qid || ' on ' || ho.name"
static const char sql_ms_quoted[] =
    MS_QUOTED_SELECT
    " FROM log_dlv d INDEXED BY log_dlv_ms JOIN log_msg c ON c.id = d.msg_id"
    " JOIN log_key k ON k.h = md_key(2, d.quoted_msgid) JOIN log_msg o ON o.id = k.msg_id"
    " JOIN log_host ho ON ho.id = o.host_id"
    " WHERE d.ms = 1 AND d.t > -9223372036854775807 AND d.quoted_msgid IS NOT NULL"
    "   AND (d.id > ?2 OR o.id > ?1) AND o.id != c.id AND o.msgid = d.quoted_msgid"
    "   AND o.t_first <= c.t_first"; /* the original came first */

/* Same Message-ID on two messages (next hop, re-injection keeping the id):
 * earlier -> later, unless another link joins them already; not for
 * Message-IDs on more than 20 messages (lists, resends). */
static const char sql_same_msgid[] =
    "INSERT OR IGNORE INTO log_link(from_msg, to_msg, kind, t, why)"
    " SELECT a.id, b.id, 4, b.t_first, 'same Message-ID ' || b.msgid"
    " FROM log_cand x JOIN log_msg b ON b.id = x.msg_id"
    " JOIN log_key k ON k.h = md_key(2, b.msgid) AND k.msg_id != b.id"
    " JOIN log_msg a ON a.id = k.msg_id AND a.msgid = b.msgid"
    " WHERE b.msgid IS NOT NULL"
    "   AND (a.t_first < b.t_first OR (a.t_first = b.t_first AND a.id < b.id))"
    "   AND (SELECT count(*) FROM log_key k2 WHERE k2.h = k.h) <= 20"
    "   AND NOT EXISTS (SELECT 1 FROM log_link l WHERE l.kind != 4 AND"
    "     ((l.from_msg = a.id AND l.to_msg = b.id) OR (l.from_msg = b.id AND l.to_msg = a.id)))";

/* The mail store re-injects a forwarded copy: a message B from one of our
 * systems (MD_LOGMSG_OURS) with the same envelope sender as a message A that
 * was delivered, within MD_LIMIT_REINJECT_SECS before B, to the host B came
 * from (same IP or name). */
static const char sql_reinjected[] =
    "INSERT OR IGNORE INTO log_link(from_msg, to_msg, kind, t, why)"
    " SELECT a.id, b.id, 5, b.t_first,"
    "  'same sender ' || b.sender || ', re-injected by ' || coalesce(b.client_host, b.client_ip)"
    "  || ' ' || (b.t_first - d.t) || 's after ' || a.qid || ' was delivered to it'"
    " FROM log_msg b JOIN log_key k ON k.h = md_key(1, b.sender) AND k.msg_id != b.id"
    " JOIN log_msg a ON a.id = k.msg_id AND a.sender = b.sender"
    "   AND a.t_first BETWEEN b.t_first - 86400 AND b.t_first"
    " JOIN log_dlv d ON d.msg_id = a.id AND d.t BETWEEN b.t_first - 600 AND b.t_first + 5"
    "   AND (d.relay_ip = b.client_ip OR rtrim(d.relay_host, '.') = b.client_host)"
    " WHERE b.id > ?1 AND (b.flags & 32) AND b.sender IS NOT NULL AND b.sender != ''"
    "   AND b.client_ip IS NOT NULL"
    /* only from a host something was delivered to: a next hop (key 6; by
     * IP only ours: b's client IP is ours as b is, unless b came by pickup) */
    "   AND (EXISTS (SELECT 1 FROM log_key p WHERE p.h = md_key(6, b.client_ip) AND p.msg_id = 0)"
    "     OR EXISTS (SELECT 1 FROM log_key p WHERE p.h = md_key(6, b.client_host)"
    "                AND p.msg_id = 0))"
    "   AND NOT EXISTS (SELECT 1 FROM log_link l WHERE l.to_msg = b.id AND l.from_msg = a.id)";

/* The next hops of a store written before the writer indexed them. */
static const char sql_hops[] =
    "INSERT OR IGNORE INTO log_key(h, msg_id) SELECT md_key(6, v), 0 FROM"
    " (SELECT relay_ip AS v FROM log_dlv UNION SELECT rtrim(relay_host, '.') FROM log_dlv)"
    " WHERE v IS NOT NULL AND v != ''";

/* A store written before MD_LOGKEY_IPSEEN: the IPs it leaves out (our own
 * clients, the deliveries' relays) of the messages linked before (ids up
 * to ?1) are indexed once; later messages are indexed as they are written. */
static const char sql_ipseen_msg[] =
    "INSERT OR IGNORE INTO log_key(h, msg_id) SELECT md_key(7, client_ip), id FROM log_msg"
    " WHERE id <= ?1 AND client_ip IS NOT NULL AND client_ip != '' AND (flags & 32)";
static const char sql_ipseen_dlv[] =
    "INSERT OR IGNORE INTO log_key(h, msg_id) SELECT md_key(7, relay_ip), msg_id FROM log_dlv"
    " WHERE msg_id <= ?1 AND relay_ip IS NOT NULL AND relay_ip != ''"
    "   AND relay_ip != coalesce(named_ip, '')";

static int ipseen_once(md_store *st, int64_t wm_msg, md_err *err)
{
    if (state_get(st, "ipseen"))
        return MD_OK;
    int rc = MD_OK;
    if (wm_msg > 0) /* (0: a new store, indexed as written) */
        rc = resolve_step(st, sql_ipseen_msg, wm_msg, 0, NULL, err);
    if (rc == MD_OK && wm_msg > 0)
        rc = resolve_step(st, sql_ipseen_dlv, wm_msg, 0, NULL, err);
    return rc == MD_OK ? state_set(st, "ipseen", 1, err) : rc;
}

int md_store_log_resolve(md_store *st, uint64_t *nlinks, md_err *err)
{
    int own = !st->in_tx;
    if (md_store_log_ensure_fn(st, err) != MD_OK)
        return MD_ERR_DB;
    if (own && md_store_begin(st, err) != MD_OK)
        return MD_ERR_DB;
    int64_t wm_msg = state_get(st, "linked_msg"), wm_dlv = state_get(st, "linked_dlv");
    int64_t top_msg = max_id(st, "log_msg"), top_dlv = max_id(st, "log_dlv");
    uint64_t n = 0;
    int rc = ipseen_once(st, wm_msg, err);
    if (rc == MD_OK)
        rc = resolve_step(st, sql_resolve_qid, 0, 0, &n, err);
    if (rc == MD_OK && (top_msg > wm_msg || top_dlv > wm_dlv)) {
        rc = resolve_step(st, sql_ms_quoted, wm_msg, wm_dlv, &n, err);
        if (rc == MD_OK)
            rc = resolve_step(st, sql_same_msgid, 0, 0, &n, err);
        if (rc == MD_OK)
            rc = md_store_exec(st, "DELETE FROM log_cand", err);
        if (rc == MD_OK && !state_get(st, "hops")) /* a store written before next hops */
            rc = md_store_exec(st, sql_hops, err);
        if (rc == MD_OK)
            rc = state_set(st, "hops", 1, err);
        if (rc == MD_OK)
            rc = resolve_step(st, sql_reinjected, wm_msg, 0, &n, err);
        if (rc == MD_OK)
            rc = state_set(st, "linked_msg", top_msg, err);
        if (rc == MD_OK)
            rc = state_set(st, "linked_dlv", top_dlv, err);
    }
    if (own) {
        if (rc == MD_OK)
            rc = md_store_commit(st, err);
        else
            md_store_rollback(st);
    }
    if (rc == MD_OK && nlinks)
        *nlinks += n;
    return rc;
}

/* ---- line lists -------------------------------------------------------- */

int md_log_lines_add(md_log_lines *l, int64_t source_id, uint64_t lineno)
{
    int rc;
    if (l->count == 0 || source_id != l->last_src || lineno < l->last_line) {
        rc = md_buf_put_varint(&l->buf, ((uint64_t)source_id << 1) | 1);
        if (rc == MD_OK)
            rc = md_buf_put_varint(&l->buf, lineno);
    } else {
        rc = md_buf_put_varint(&l->buf, (lineno - l->last_line) << 1);
    }
    if (rc != MD_OK)
        return MD_ERR_NOMEM;
    l->last_src = source_id;
    l->last_line = lineno;
    l->count++;
    return MD_OK;
}

typedef struct {
    md_log_lines *l;
} load_ctx;

static int load_one(void *arg, int64_t src, uint64_t line)
{
    load_ctx *c = arg;
    c->l->last_src = src;
    c->l->last_line = line;
    c->l->count++;
    return 0;
}

int md_log_lines_load(md_log_lines *l, const void *p, size_t n)
{
    md_buf_reset(&l->buf);
    l->count = 0;
    l->last_src = 0;
    l->last_line = 0;
    if (n && md_buf_append(&l->buf, p, n) != MD_OK)
        return MD_ERR_NOMEM;
    load_ctx c = {l};
    return md_log_lines_decode(p, n, load_one, &c);
}

int md_log_lines_decode(const void *p, size_t n,
                        int (*fn)(void *arg, int64_t source_id, uint64_t lineno), void *arg)
{
    const unsigned char *s = p;
    size_t pos = 0;
    int64_t src = 0;
    uint64_t line = 0, v;
    while (pos < n) {
        if (!md_varint_get(s, n, &pos, &v))
            return MD_ERR_PARSE;
        if (v & 1) {
            src = (int64_t)(v >> 1);
            if (!md_varint_get(s, n, &pos, &line))
                return MD_ERR_PARSE;
        } else {
            line += v >> 1;
        }
        if (fn(arg, src, line))
            return MD_OK;
    }
    return MD_OK;
}

/* ---- reading ----------------------------------------------------------- */

int md_store_log_block_get(md_store *st, int64_t source_id, uint64_t lineno, md_buf *out,
                           uint64_t *first_line, uint64_t *nlines, md_err *err)
{
    return md_store_log_r_block_get(st, NULL, source_id, lineno, out, first_line, nlines, err);
}

int md_store_log_r_block_get(md_store *st, md_log_reader *rd, int64_t source_id,
                             uint64_t lineno, md_buf *out, uint64_t *first_line,
                             uint64_t *nlines, md_err *err)
{
    return md_store_log_r_block_prefix(st, rd, source_id, lineno, NULL, NULL, out, first_line,
                                       nlines, NULL, err);
}

/* prefix_target: how much of a block of raw bytes and n lines to decode
 * for its lines up to the k-th: their share of the bytes (log lines are of
 * similar length) and an eighth of the block to spare. */
static size_t prefix_target(size_t raw, uint64_t n, uint64_t k)
{
    if (k >= n || n == 0)
        return raw;
    size_t est = (size_t)((double)raw * (double)k / (double)n) + raw / 8 + 512;
    return est < raw ? est : raw;
}

int md_store_log_r_block_prefix(md_store *st, md_log_reader *rd, int64_t source_id,
                                uint64_t lineno, md_log_want_fn want, void *arg, md_buf *out,
                                uint64_t *first_line, uint64_t *nlines, int *whole,
                                md_err *err)
{
    sqlite3_stmt *s = NULL;
    int owned;
    md_buf_reset(out);
    if (whole)
        *whole = 1;
    if (stmt_for(st, rd, R_BLOCK, &s, &owned, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, source_id);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)lineno);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        int r = rc == SQLITE_DONE
                    ? md_err_set(err, MD_ERR_NOTFOUND, "no stored line %llu of source %lld",
                                 (unsigned long long)lineno, (long long)source_id)
                    : md_store_dberr(st, err, "reading raw lines");
        stmt_done(s, owned);
        return r;
    }
    *first_line = (uint64_t)sqlite3_column_int64(s, 0);
    *nlines = (uint64_t)sqlite3_column_int64(s, 1);
    size_t raw = (size_t)sqlite3_column_int64(s, 2);
    int codec = sqlite3_column_int(s, 3);
    const void *data = sqlite3_column_blob(s, 4);
    size_t dn = (size_t)sqlite3_column_bytes(s, 4);
    int r = MD_OK;
    if (codec == 0) {
        r = md_buf_append(out, data ? data : "", dn) == MD_OK ? MD_OK
                                                               : md_err_set(err, MD_ERR_NOMEM,
                                                                            "out of memory");
    } else if (md_buf_reserve(out, raw) != MD_OK) {
        r = md_err_set(err, MD_ERR_NOMEM, "out of memory");
    } else {
        size_t got = 0;
        int ok = 0;
        if (codec == 2 && raw <= (size_t)LZ4_MAX_INPUT_SIZE && dn <= (size_t)LZ4_MAX_INPUT_SIZE) {
            /* only the prefix that holds the wanted lines: LZ4 cannot start
             * mid-block, but it can stop early */
            size_t target = raw;
            if (want) {
                uint64_t last = want(arg, *first_line, *nlines);
                if (last >= *first_line)
                    target = prefix_target(raw, *nlines, last - *first_line + 1);
            }
            int g = target == raw
                        ? LZ4_decompress_safe(data, out->data, (int)dn, (int)raw)
                        : LZ4_decompress_safe_partial(data, out->data, (int)dn, (int)target,
                                                      (int)raw);
            ok = g >= 0 && (size_t)g == target;
            got = ok ? target : 0;
            if (whole)
                *whole = target == raw;
        } else if (codec == 1) { /* stores written before LZ4: whole blocks */
            got = rd && rd->zd ? ZSTD_decompressDCtx(rd->zd, out->data, raw, data, dn)
                               : ZSTD_decompress(out->data, raw, data, dn);
            ok = !ZSTD_isError(got) && got == raw;
        }
        if (!ok)
            r = md_err_set(err, MD_ERR_DB, "%s: raw line block of source %lld is damaged",
                           st->path, (long long)source_id);
        else {
            out->len = got;
            out->data[got] = '\0';
        }
    }
    stmt_done(s, owned);
    return r;
}

/* Time window on messages: overlapping [since, until]. */
#define WINDOW " AND (?2 = 0 OR m.t_last >= ?2) AND (?3 = 0 OR m.t_first <= ?3)"

/* find_ids: ?1 is the key of (kind, key), ?4 (when the statement has it)
 * the key of (kind2, key). */
static int find_ids(md_store *st, const char *sql, int kind, int kind2, const char *key,
                    int64_t since, int64_t until, md_log_id_fn fn, void *arg, md_err *err)
{
    sqlite3_stmt *s = NULL;
    if (md_store_prepare(st, &s, sql, 0, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, md_store_log_key_hash(kind, key, strlen(key)));
    sqlite3_bind_int64(s, 2, since);
    sqlite3_bind_int64(s, 3, until);
    if (sqlite3_bind_parameter_count(s) >= 4)
        sqlite3_bind_int64(s, 4, md_store_log_key_hash(kind2, key, strlen(key)));
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if (fn(arg, sqlite3_column_int64(s, 0)))
            break;
    int r = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? MD_OK
                                                   : md_store_dberr(st, err, "finding messages");
    sqlite3_finalize(s);
    return r;
}

#define FIND_SQL "SELECT m.id FROM log_key k JOIN log_msg m ON m.id = k.msg_id WHERE k.h = ?1" WINDOW
/* two kinds of key at once (a message may come twice: callers' sets dedupe) */
#define FIND2_SQL                                                                          \
    "SELECT m.id FROM log_key k JOIN log_msg m ON m.id = k.msg_id WHERE k.h IN (?1, ?4)" WINDOW

int md_store_log_find_addr(md_store *st, const char *addr, int64_t since, int64_t until,
                           md_log_id_fn fn, void *arg, md_err *err)
{
    return find_ids(st, FIND_SQL, MD_LOGKEY_ADDR, 0, addr, since, until, fn, arg, err);
}

int md_store_log_find_qid(md_store *st, const char *qid, int64_t since, int64_t until,
                          md_log_id_fn fn, void *arg, md_err *err)
{
    return find_ids(st, FIND_SQL, MD_LOGKEY_QID, 0, qid, since, until, fn, arg, err);
}

int md_store_log_find_msgid(md_store *st, const char *msgid, int64_t since, int64_t until,
                            md_log_id_fn fn, void *arg, md_err *err)
{
    return find_ids(st, FIND2_SQL, MD_LOGKEY_MSGID, MD_LOGKEY_QUOTED, msgid, since, until, fn,
                    arg, err);
}

int md_store_log_find_ip(md_store *st, const char *ip, int64_t since, int64_t until,
                         md_log_id_fn fn, void *arg, md_err *err)
{
    return find_ids(st, FIND_SQL, MD_LOGKEY_IP, 0, ip, since, until, fn, arg, err);
}

int md_store_log_find_ip_seen(md_store *st, const char *ip, int64_t since, int64_t until,
                              md_log_id_fn fn, void *arg, md_err *err)
{
    return find_ids(st, FIND2_SQL, MD_LOGKEY_IP, MD_LOGKEY_IPSEEN, ip, since, until, fn, arg,
                    err);
}

int md_store_log_dlvs(md_store *st, int64_t msg_id, md_log_dlv_fn fn, void *arg, md_err *err)
{
    return md_store_log_r_dlvs(st, NULL, msg_id, fn, arg, err);
}

int md_store_log_r_dlvs(md_store *st, md_log_reader *rd, int64_t msg_id, md_log_dlv_fn fn,
                        void *arg, md_err *err)
{
    sqlite3_stmt *s = NULL;
    int owned;
    if (stmt_for(st, rd, R_DLV, &s, &owned, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, msg_id);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        md_log_dlvrow d;
        d.msg_id = sqlite3_column_int64(s, 0);
        d.t = sqlite3_column_int64(s, 1);
        d.rcpt = md_store_col_text(s, 2);
        d.orig_to = md_store_col_text(s, 3);
        d.relay_host = md_store_col_text(s, 4);
        d.relay_ip = md_store_col_text(s, 5);
        d.dsn = md_store_col_text(s, 6);
        d.status = md_store_col_text(s, 7);
        d.outcome = sqlite3_column_int(s, 8);
        d.reply = md_store_col_text(s, 9);
        d.reason = md_store_col_text(s, 10);
        d.named_ip = md_store_col_text(s, 11);
        d.internal_id = md_store_col_text(s, 12);
        d.quoted_msgid = md_store_col_text(s, 13);
        d.new_qid = md_store_col_text(s, 14);
        d.ms = sqlite3_column_int(s, 15);
        d.source_id = sqlite3_column_int64(s, 16);
        d.lineno = (uint64_t)sqlite3_column_int64(s, 17);
        if (fn(arg, &d))
            break;
    }
    int r = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? MD_OK
                                                   : md_store_dberr(st, err, "reading deliveries");
    stmt_done(s, owned);
    return r;
}

int md_store_log_links(md_store *st, int64_t msg_id, md_log_link_fn fn, void *arg, md_err *err)
{
    return md_store_log_r_links(st, NULL, msg_id, fn, arg, err);
}

int md_store_log_r_links(md_store *st, md_log_reader *rd, int64_t msg_id, md_log_link_fn fn,
                         void *arg, md_err *err)
{
    sqlite3_stmt *s = NULL;
    int owned;
    if (stmt_for(st, rd, R_LINK, &s, &owned, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, msg_id);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        md_log_linkrow l;
        l.from_msg = sqlite3_column_int64(s, 0);
        l.to_msg = sqlite3_column_int64(s, 1);
        l.kind = sqlite3_column_int(s, 2);
        l.t = sqlite3_column_int64(s, 3);
        l.to_host = md_store_col_text(s, 4);
        l.to_qid = md_store_col_text(s, 5);
        l.why = md_store_col_text(s, 6);
        if (fn(arg, &l))
            break;
    }
    int r = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? MD_OK
                                                   : md_store_dberr(st, err, "reading links");
    stmt_done(s, owned);
    return r;
}

/* host_spans: per host, the span of its lines within [since, until] and
 * their count; unless brief, also its messages and sources there. */
static int host_spans(md_store *st, int64_t since, int64_t until, int brief, md_log_span_fn fn,
                      void *arg, md_err *err)
{
    sqlite3_stmt *s = NULL;
    if (md_store_prepare(
            st, &s,
            brief ? "SELECT h.name, min(p.t_first), max(p.t_last), sum(p.lines), 0, 0"
                    " FROM log_span p JOIN log_host h ON h.id = p.host_id"
                    " WHERE (?1 = 0 OR p.t_last >= ?1) AND (?2 = 0 OR p.t_first <= ?2)"
                    " GROUP BY h.id ORDER BY h.name"
                  : "SELECT h.name, min(p.t_first), max(p.t_last), sum(p.lines),"
                    " (SELECT count(*) FROM log_msg m WHERE m.host_id = h.id"
                    "   AND (?1 = 0 OR m.t_last >= ?1) AND (?2 = 0 OR m.t_first <= ?2)),"
                    " count(DISTINCT p.source_id)"
                    " FROM log_span p JOIN log_host h ON h.id = p.host_id"
                    " WHERE (?1 = 0 OR p.t_last >= ?1) AND (?2 = 0 OR p.t_first <= ?2)"
                    " GROUP BY h.id ORDER BY h.name",
            0, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, since);
    sqlite3_bind_int64(s, 2, until);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t tf = sqlite3_column_int64(s, 1), tl = sqlite3_column_int64(s, 2);
        if (since && tf < since)
            tf = since;
        if (until && tl > until)
            tl = until;
        if (fn(arg, md_store_col_text(s, 0), tf, tl, (uint64_t)sqlite3_column_int64(s, 3),
               (uint64_t)sqlite3_column_int64(s, 4), (uint64_t)sqlite3_column_int64(s, 5)))
            break;
    }
    int r = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? MD_OK
                                                   : md_store_dberr(st, err, "reading host spans");
    sqlite3_finalize(s);
    return r;
}

int md_store_log_host_spans(md_store *st, int64_t since, int64_t until, md_log_span_fn fn,
                            void *arg, md_err *err)
{
    return host_spans(st, since, until, 0, fn, arg, err);
}

/* SQL md_localday(t): unix time of the local midnight (the process's zone)
 * that starts the day of unix time t, summer time included.  mktime is
 * slow, so results are cached per quarter hour of t: every zone's offset is
 * a multiple of 15 minutes, so a quarter hour lies within one local day. */
typedef struct dayc {
    int64_t key[64], val[64]; /* key: quarter hour + 1 (0: empty) */
} dayc;


static void sql_localday(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    dayc *c = sqlite3_user_data(ctx);
    int64_t t = sqlite3_value_int64(argv[0]);
    int64_t q = t >= 0 ? t / 900 : -((899 - t) / 900);
    size_t i = (size_t)q & 63;
    if (c->key[i] != q + 1) {
        c->key[i] = q + 1;
        c->val[i] = md_text_local_midnight(q * 900);
    }
    sqlite3_result_int64(ctx, c->val[i]);
}

/* rcpt_reasons: "'userunknown','mailboxfull',..." (md_reply_reason_recipient) */
static void rcpt_reasons(char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int r = 1; r < MD_RSN_COUNT && len + 1 < n; r++)
        if (md_reply_reason_recipient(r))
            len += (size_t)snprintf(buf + len, n - len, "%s'%s'", len ? "," : "",
                                    md_reply_reason_name(r));
}

int md_store_log_ms_daily(md_store *st, int64_t since, int64_t until, md_log_daily_fn fn,
                          void *arg, md_err *err)
{
    /* registered once per connection; its cache emptied per call (the zone
     * may have changed) */
    if (st->localday) {
        memset(st->localday, 0, sizeof(dayc));
    } else {
        dayc *c = calloc(1, sizeof *c);
        if (!c)
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
        if (sqlite3_create_function_v2(st->db, "md_localday", 1,
                                       SQLITE_UTF8 | SQLITE_INNOCUOUS, c, sql_localday, NULL,
                                       NULL, free) != SQLITE_OK)
            return md_store_dberr(st, err, "registering md_localday()");
        st->localday = c;
    }
    sqlite3_stmt *s = NULL;
    /* outcome codes: see md_trace_outcome (4 accepted, 5 deferred, 6/7
     * bounced/expired); recipient errors are no failure of the IP */
    char rr[256], ok[320], sql[1024];
    rcpt_reasons(rr, sizeof rr);
    snprintf(ok, sizeof ok, "coalesce(d.reason, '') NOT IN (%s)", rr);
    snprintf(sql, sizeof sql,
             "SELECT h.name, md_localday(d.t) AS day, count(*),"
             " sum(d.outcome = 4), sum(d.outcome = 5 AND %s), sum(d.outcome IN (6, 7) AND %s),"
             " count(DISTINCT d.msg_id)"
             " FROM log_dlv d JOIN log_msg m ON m.id = d.msg_id JOIN log_host h ON h.id = m.host_id"
             " WHERE d.ms = 1 AND (?1 = 0 OR d.t >= ?1) AND (?2 = 0 OR d.t <= ?2)"
             " GROUP BY h.name, day ORDER BY h.name, day", ok, ok);
    if (md_store_prepare(st, &s, sql, 0, err) != MD_OK)
        return MD_ERR_DB;
    sqlite3_bind_int64(s, 1, since);
    sqlite3_bind_int64(s, 2, until);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if (fn(arg, md_store_col_text(s, 0), sqlite3_column_int64(s, 1),
               (uint64_t)sqlite3_column_int64(s, 2), (uint64_t)sqlite3_column_int64(s, 3),
               (uint64_t)sqlite3_column_int64(s, 4), (uint64_t)sqlite3_column_int64(s, 5),
               (uint64_t)sqlite3_column_int64(s, 6)))
            break;
    int r = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? MD_OK
                                                   : md_store_dberr(st, err, "reading daily counts");
    sqlite3_finalize(s);
    return r;
}

static uint64_t count_of(md_store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    uint64_t v = 0;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = (uint64_t)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

int md_store_log_totals(md_store *st, md_log_totals *o, md_err *err)
{
    memset(o, 0, sizeof *o);
    sqlite3_stmt *s = NULL;
    o->sources = count_of(st, "SELECT count(DISTINCT source_id) FROM log_block");
    if (md_store_prepare(st, &s,
                         "SELECT count(*), coalesce(sum(nlines), 0), coalesce(sum(raw_bytes), 0),"
                         " coalesce(sum(length(data)), 0), coalesce(min(t_first), 0),"
                         " coalesce(max(t_last), 0) FROM log_block", 0, err) != MD_OK)
        return MD_ERR_DB;
    if (sqlite3_step(s) == SQLITE_ROW) {
        o->blocks = (uint64_t)sqlite3_column_int64(s, 0);
        o->lines = (uint64_t)sqlite3_column_int64(s, 1);
        o->raw_bytes = (uint64_t)sqlite3_column_int64(s, 2);
        o->stored_bytes = (uint64_t)sqlite3_column_int64(s, 3);
        o->t_first = sqlite3_column_int64(s, 4);
        o->t_last = sqlite3_column_int64(s, 5);
    }
    sqlite3_finalize(s);
    o->messages = count_of(st, "SELECT count(*) FROM log_msg");
    o->open_messages = count_of(st, "SELECT count(*) FROM log_msg WHERE open = 1");
    o->deliveries = count_of(st, "SELECT count(*) FROM log_dlv");
    o->ms_deliveries = count_of(st, "SELECT count(*) FROM log_dlv WHERE ms = 1");
    o->links = count_of(st, "SELECT count(*) FROM log_link WHERE to_msg IS NOT NULL");
    o->links_pending = count_of(st, "SELECT count(*) FROM log_link WHERE to_msg IS NULL");
    if (md_store_prepare(st, &s, "SELECT fmt, sum(lines) FROM log_span GROUP BY fmt", 0, err) !=
        MD_OK)
        return MD_ERR_DB;
    while (sqlite3_step(s) == SQLITE_ROW) {
        int f = sqlite3_column_int(s, 0);
        if (f >= 0 && f < 8)
            o->by_format[f] = (uint64_t)sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    return MD_OK;
}

int md_store_log_sources(md_store *st, md_log_source_fn fn, void *arg, md_err *err)
{
    sqlite3_stmt *s = NULL;
    if (md_store_prepare(st, &s,
                         "SELECT s.id, s.last_path, s.lines_done, min(b.t_first), max(b.t_last)"
                         " FROM source s JOIN log_block b ON b.source_id = s.id"
                         " GROUP BY s.id ORDER BY s.id", 0, err) != MD_OK)
        return MD_ERR_DB;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if (fn(arg, sqlite3_column_int64(s, 0), md_store_col_text(s, 1),
               (uint64_t)sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3),
               sqlite3_column_int64(s, 4)))
            break;
    int r = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? MD_OK
                                                   : md_store_dberr(st, err, "reading sources");
    sqlite3_finalize(s);
    return r;
}

/* Like md_store_log_host_spans but without the per-host message and source
 * counts (passed as 0): the dossier needs only the span and its lines, and
 * counting messages scans all of log_msg (md_trace_host_spans_brief). */
int md_store_log_host_lines(md_store *st, int64_t since, int64_t until, md_log_span_fn fn,
                            void *arg, md_err *err)
{
    return host_spans(st, since, until, 1, fn, arg, err);
}
