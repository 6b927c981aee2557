/* store_msg.h: the msg area of the store: messages, bounces and complaints
 * with their header evidence (all SQL in store_msg.c).
 *
 * Tables: msg (one row per distinct message, by content hash, with the
 * summary fields, the kind, the raw header block and - up to
 * MD_STORE_MSG_RAW_MAX bytes - the raw message, so `show` can read it
 * again), msg_ev (per message two blobs: its Received hops with IP class
 * and our host name, and its authentication results
 * (Authentication-Results, Received-SPF, DKIM-Signature); readers take them
 * by message), msg_addr (address index:
 * From, To/Cc, DSN Final-Recipient / Original-Recipient, ARF
 * Original-Rcpt-To, the original's sender), msg_antispam
 * (Microsoft's verdict: one row per message, the common fields as columns,
 * every field as read in `fields`), msg_dsn (per failed recipient), msg_arf
 * (complaints).
 *
 * Writing goes through an md_msg_writer (statements prepared once per
 * writer, lazily); the caller holds the transaction.  Reading functions
 * hand rows to callbacks; strings in a row are valid during the callback
 * only.  A callback returns non-zero to stop.  Nothing here prints.
 */
#ifndef MD_STORE_MSG_H
#define MD_STORE_MSG_H

#include <stddef.h>
#include <stdint.h>
#include "parse/arf.h"
#include "parse/authres.h"
#include "base/buf.h"
#include "parse/dsn.h"
#include "base/err.h"
#include "parse/msantispam.h"
#include "parse/received.h"
#include "store/store.h"
#include "base/md_limits.h"


/* address roles (msg_addr.role) */
enum {
    MD_MSGADDR_FROM = 1,
    MD_MSGADDR_TO = 2,           /* To and Cc */
    MD_MSGADDR_FINAL_RCPT = 3,   /* DSN Final-Recipient */
    MD_MSGADDR_ORIG_RCPT = 4,    /* DSN Original-Recipient, ARF Original-Rcpt-To */
    MD_MSGADDR_ORIG_FROM = 5     /* the bounced/complained-about message's sender */
};

/* message kinds (msg.kind) */
#define MD_MSGKIND_MESSAGE "message"
#define MD_MSGKIND_DSN     "dsn"
#define MD_MSGKIND_ARF     "arf"
#define MD_MSGKIND_MSREPLY "msreply"
#define MD_MSGKIND_DMARC   "dmarc"   /* a mail carrying DMARC aggregate or TLS reports */

typedef struct md_msg_row {
    int64_t id;                 /* set by put / read */
    const char *hash;           /* content hash (hex) */
    int64_t source_id;
    const char *path;           /* file it came from (mbox: file) */
    int64_t offset;             /* byte offset in an mbox, 0 otherwise */
    const char *kind;           /* MD_MSGKIND_* */
    const char *message_id;
    const char *from_addr;
    const char *from_text;
    const char *to_text;
    const char *subject;
    int64_t date;
    int flags;                  /* MD_MSG_* of message.h */
    int64_t size;
    const char *antispam;       /* one-line summary, "" */
    const char *headers;        /* raw header block (UTF-8-repaired); NULL: not kept
                                   (it is the start of raw) */
    const void *raw;            /* raw message bytes (may be cut) */
    size_t rawlen;
    int raw_codec;              /* put: 0 raw as read (put packs it), 1 packed
                                   already (md_store_msg_pack) */
    const void *hops;           /* put: md_store_msg_hop_encode records, or NULL */
    size_t hops_len;
    const void *auth;           /* put: md_store_msg_auth_encode records, or NULL */
    size_t auth_len;
} md_msg_row;

typedef struct md_msg_writer md_msg_writer;

/* A compressor of raw messages for one thread (no SQL: a parse thread packs
 * what the writer stores). */
typedef struct md_msg_pack md_msg_pack;
int md_store_msg_pack_open(md_msg_pack **out, md_err *err);
void md_store_msg_pack_close(md_msg_pack *pk);   /* NULL is fine */
/* md_store_msg_pack: the stored form of r's raw bytes (cut at
 * MD_STORE_MSG_RAW_MAX; a zstd frame when smaller) into out, r->raw,
 * r->rawlen and r->raw_codec then describe out.  Nothing when r->raw_codec
 * is set already or there are no bytes.  0 or MD_ERR_NOMEM. */
int md_store_msg_pack(md_msg_pack *pk, md_msg_row *r, md_buf *out);

int md_store_msg_writer_open(md_store *st, md_msg_writer **out, md_err *err);
void md_store_msg_writer_close(md_msg_writer *w);

/* md_store_msg_put: insert row unless a message with the same hash exists.
 * Returns 1 (inserted, row->id set), 0 (already stored, row->id set to the
 * existing row), or a negative code. */
int md_store_msg_put(md_msg_writer *w, md_msg_row *row, md_err *err);
/* md_store_msg_source_find: the source with that fingerprint, without
 * writing anything: *found 1 and out filled, or *found 0.
 * md_store_msg_source_take: md_store_source_get (store.h) on the writer's
 * prepared statement, for one source per message file, taken whole: a new
 * source is recorded complete at once, with lines and bytes done (*created
 * 1; the caller's transaction stores its messages, or rolls both back),
 * which spares md_store_msg_source_progress.  A known source keeps its
 * progress (out has it; *created 0).
 * md_store_msg_source_progress: md_store_source_progress on the writer's
 * prepared statement. */
int md_store_msg_source_find(md_msg_writer *w, const char *fingerprint, md_source *out,
                             int *found, md_err *err);
int md_store_msg_source_take(md_msg_writer *w, const char *fingerprint, const char *kind,
                             const char *path, uint64_t lines, uint64_t bytes, md_source *out,
                             int *created, md_err *err);
int md_store_msg_source_progress(md_msg_writer *w, int64_t id, uint64_t lines_done,
                                 uint64_t bytes_done, int complete, md_err *err);
/* md_store_msg_set_kind: change the kind of a stored message. */
int md_store_msg_set_kind(md_msg_writer *w, int64_t id, const char *kind, md_err *err);
int md_store_msg_addr_put(md_msg_writer *w, int64_t msg_id, const char *addr, int role,
                          md_err *err);
/* md_store_msg_hop_encode: append hop h (cls its IP class, ours_host the
 * configured host name when ours, may be NULL) to the hops blob b of a
 * message (md_msg_row.hops), oldest hop first.  No SQL: any thread may
 * encode.  0 or MD_ERR_NOMEM. */
int md_store_msg_hop_encode(md_buf *b, const md_hop *h, int cls, const char *ours_host);
/* md_store_msg_auth_encode: append one result (source: the header name) to
 * the results blob b (md_msg_row.auth).  No SQL.  0 or MD_ERR_NOMEM. */
int md_store_msg_auth_encode(md_buf *b, const char *source, const char *authserv,
                             const md_authres_item *it);
/* md_store_msg_hop_put / md_store_msg_auth_put: append one hop / result to
 * a stored message (rewrites its blob: for a few; ingest passes whole
 * blobs to md_store_msg_put). */
int md_store_msg_hop_put(md_msg_writer *w, int64_t msg_id, const md_hop *h, int cls,
                         const char *ours_host, md_err *err);
int md_store_msg_auth_put(md_msg_writer *w, int64_t msg_id, const char *source,
                          const char *authserv, const md_authres_item *it, md_err *err);
int md_store_msg_antispam_put(md_msg_writer *w, int64_t msg_id, const md_msantispam *as,
                              md_err *err);
int md_store_msg_dsn_put(md_msg_writer *w, int64_t msg_id, const md_dsn *d, md_err *err);
int md_store_msg_arf_put(md_msg_writer *w, int64_t msg_id, const md_arf *a, md_err *err);

/* ---- reading ------------------------------------------------------------ */

typedef int (*md_msg_row_fn)(void *arg, const md_msg_row *m);

/* md_store_msg_by_addr: messages where addr (normalised) appears in any
 * role, with Date (or, for rows without, the time stored) in [t_from,
 * t_to] (0 = open end), oldest first.  raw/headers are not filled. */
int md_store_msg_by_addr(md_store *st, const char *addr, int64_t t_from, int64_t t_to,
                         md_msg_row_fn fn, void *arg, md_err *err);
/* md_store_msg_by_msgid: messages with that Message-ID (without <>), and
 * bounces/complaints about it (their original's Message-ID). */
int md_store_msg_by_msgid(md_store *st, const char *msgid, md_msg_row_fn fn, void *arg,
                          md_err *err);
/* md_store_msg_get: one message by id, raw and headers filled. */
int md_store_msg_get(md_store *st, int64_t id, md_msg_row_fn fn, void *arg, md_err *err);

typedef struct md_msg_hoprow {
    int64_t msg_id;
    int idx;                    /* 1 = oldest */
    const char *ip, *helo, *rdns, *by, *with, *qid, *for_addr, *ours_host;
    int cls;                    /* md_ipclass */
    int64_t date;
    int64_t delay;
    int has_delay;
} md_msg_hoprow;
typedef int (*md_msg_hop_fn)(void *arg, const md_msg_hoprow *h);

/* md_store_msg_hops: the hops of a message, in the order written (oldest
 * first). */
int md_store_msg_hops(md_store *st, int64_t msg_id, md_msg_hop_fn fn, void *arg, md_err *err);
/* md_store_msg_our_ips: the distinct hops of ours (cls MD_IPCLASS_OURS) in
 * the message's chain, one row per IP (its oldest hop). */
int md_store_msg_our_ips(md_store *st, int64_t msg_id, md_msg_hop_fn fn, void *arg,
                         md_err *err);
/* md_store_msg_hops_by_qid: hops whose Received id is qid (our queue id in
 * a header links the message to log records), by message.  A scan of the
 * messages (no index: no command asks). */
int md_store_msg_hops_by_qid(md_store *st, const char *qid, md_msg_hop_fn fn, void *arg,
                             md_err *err);
/* md_store_msg_hops_by_ip: the hops whose IP is ip (canonical text), of
 * every stored message (a scan of the hops: for `trace IP`). */
int md_store_msg_hops_by_ip(md_store *st, const char *ip, md_msg_hop_fn fn, void *arg,
                            md_err *err);

/* One authentication or filter result of a message: an
 * Authentication-Results / Received-SPF / ARC item (source = the header),
 * or one field of Microsoft's antispam verdict (source
 * "X-Forefront-Antispam-Report"; method scl, sfv, bcl, pcl, cat, ipv, sfty;
 * authserv, reason and props "").  Rows the ingest adds for forwarded and
 * Outlook.com copies (lib/ingest/msgfile.c, enc_fwdauth): source
 * "X-Microsoft-Antispam-Mailbox-Delivery" (method dest, ofr, rf, ucf, jmr,
 * auth, result as written; method eng, result "hits", props the rule
 * hits as written), "ARC-Seal" (method arc-set, result the seal's cv=, reason the
 * AAR's results, props "i=N d=sealer s=selector aar.authserv=host"),
 * "Return-Path" (method srs, result srs0 / srs1 / none, props its domain).  props: the item's properties as read
 * ("smtp.mailfrom=uni-potsdam.de").  Strings valid during the callback. */
typedef struct md_msg_authrow {
    int64_t msg_id;
    const char *source, *authserv, *method, *result, *reason, *props;
} md_msg_authrow;
typedef int (*md_msg_auth_fn)(void *arg, const md_msg_authrow *a);

/* md_store_msg_auths: the results of a message, in header order, then its
 * antispam fields. */
int md_store_msg_auths(md_store *st, int64_t msg_id, md_msg_auth_fn fn, void *arg, md_err *err);

typedef struct md_msg_dsnrow {
    int64_t msg_id;
    int64_t date;               /* the bounce's Date */
    const char *bounce_msgid;   /* the bounce's own Message-ID */
    const char *orig_message_id;
    const char *vendor, *reporting_mta;
    const md_dsn_rcpt *r;       /* the recipient (classification filled) */
} md_msg_dsnrow;
typedef int (*md_msg_dsn_fn)(void *arg, const md_msg_dsnrow *d);

/* md_store_msg_dsns: the failed recipients of one bounce. */
int md_store_msg_dsns(md_store *st, int64_t msg_id, md_msg_dsn_fn fn, void *arg, md_err *err);
/* md_store_msg_bounces_naming_ip: every bounce recipient whose text names
 * ip (canonical text form), oldest first. */
int md_store_msg_bounces_naming_ip(md_store *st, const char *ip, md_msg_dsn_fn fn, void *arg,
                                   md_err *err);
/* md_store_msg_bounces_for: bounce recipients for address rcpt (final or
 * original recipient), Date in [t_from, t_to] (0 = open). */
int md_store_msg_bounces_for(md_store *st, const char *rcpt, int64_t t_from, int64_t t_to,
                             md_msg_dsn_fn fn, void *arg, md_err *err);

typedef struct md_msg_arfrow {
    int64_t msg_id;
    int64_t date;
    const md_arf *a;
} md_msg_arfrow;
typedef int (*md_msg_arf_fn)(void *arg, const md_msg_arfrow *r);

/* md_store_msg_complaints: complaints whose source IP is ip (NULL: all),
 * arrival in [t_from, t_to] (0 = open), oldest first.  DMARC failure reports
 * (Feedback-Type auth-failure) are no complaints: store_authfail.h lists them. */
int md_store_msg_complaints(md_store *st, const char *ip, int64_t t_from, int64_t t_to,
                            md_msg_arf_fn fn, void *arg, md_err *err);

/* md_store_msg_any: 1 when the store holds any message, else 0 (also on
 * error): lets readers skip lookups in a log-only store. */
int md_store_msg_any(md_store *st);

/* md_store_msg_count: rows in msg (for status). */
int md_store_msg_count(md_store *st, int64_t *messages, int64_t *bounces, int64_t *complaints,
                       md_err *err);

#endif
