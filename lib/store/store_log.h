/* store_log.h: the log area of the store: raw lines in compressed blocks,
 * messages, delivery attempts, links, and the address / Message-ID / IP
 * indexes (all SQL in store_log.c).
 *
 * Writing goes through an md_log_writer (prepared statements kept for the
 * whole ingest); the caller opens the transaction (md_store_begin) and
 * commits it together with md_store_source_progress, so a kill at any
 * moment leaves a store whose lines, messages and progress agree.
 * Reading functions hand rows to callbacks; the strings they see are only
 * valid during the callback.
 *
 * Raw lines: a block holds consecutive lines of one source (each ended by
 * "\n"), zstd-compressed; a line is found by (source id, line number).
 * A message's lines are a varint list (md_log_lines_*).
 *
 * The writer owns its statements (md_store_log_writer_close).  Nothing here
 * prints.  Strings passed in are copied by SQLite; a NULL or empty string is
 * stored as NULL.
 */
#ifndef MD_STORE_LOG_H
#define MD_STORE_LOG_H

#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/err.h"
#include "store/store.h"

/* message flags (log_msg.flags) */
#define MD_LOGMSG_OPEN      0x01  /* end not seen yet (kept open across runs) */
#define MD_LOGMSG_REMOVED   0x02  /* postfix removed / exim Completed seen */
#define MD_LOGMSG_DEFERRED  0x04  /* a recipient's last attempt was deferred */
#define MD_LOGMSG_NOTIFY    0x08  /* this message is a bounce notification */
#define MD_LOGMSG_NOQUEUE   0x10  /* pseudo message: a NOQUEUE reject */
#define MD_LOGMSG_OURS      0x20  /* came from one of our hosts/networks (or local pickup) */

/* kinds of index keys (log_key): a 63-bit hash of kind + value */
enum {
    MD_LOGKEY_ADDR = 1,   /* envelope sender, recipient, orig_to (normalised) */
    MD_LOGKEY_MSGID = 2,  /* Message-ID with <> */
    MD_LOGKEY_IP = 3,     /* client IP, IP named by Microsoft (canonical text) */
    MD_LOGKEY_QID = 4,    /* queue id */
    MD_LOGKEY_QUOTED = 5, /* Message-ID quoted in a delivery reply */
    MD_LOGKEY_HOP = 6,    /* a next hop delivered to (relay name without
                             trailing dots; relay IP when one of ours),
                             msg_id 0: noted by md_store_log_dlv_put, for
                             the resolve pass */
    MD_LOGKEY_IPSEEN = 7  /* an IP the message's lines name that MD_LOGKEY_IP
                             leaves out: a client IP of ours, a delivery's
                             relay IP (canonical text; for `trace IP`) */
};

typedef struct md_log_key {
    int64_t h;            /* md_store_log_key_hash */
    int64_t msg_id;
    int kind;             /* MD_LOGKEY_*: Message-IDs are checked for sharing */
} md_log_key;

/* What happened to one recipient, judged from its last delivery attempt
 * (the values of log_dlv.outcome; trace.h shows them). */
typedef enum md_trace_outcome {
    MD_OUTCOME_UNKNOWN = 0,     /* no delivery attempt logged */
    MD_OUTCOME_DELIVERED,       /* delivered locally (mailbox, store, program) */
    MD_OUTCOME_FORWARDED,       /* forwarded (local .forward / alias): see `detail` */
    MD_OUTCOME_RELAYED,         /* handed to another MTA (not Microsoft) */
    MD_OUTCOME_MS_ACCEPTED,     /* Microsoft answered 250 (Queued mail for delivery) */
    MD_OUTCOME_DEFERRED,        /* temporary failure, still queued */
    MD_OUTCOME_BOUNCED,         /* permanent failure */
    MD_OUTCOME_EXPIRED,         /* given up after the queue lifetime */
    MD_OUTCOME_REJECTED         /* refused at SMTP time (NOQUEUE reject) */
} md_trace_outcome;

/* Kinds of links between messages (also the values stored). */
typedef enum md_trace_linkkind {
    MD_LINK_FORWARDED = 1,      /* postfix local: status=sent (forwarded as NEWQID) */
    MD_LINK_QUEUED_AS = 2,      /* next hop: 250 ... queued as QID (another host) */
    MD_LINK_BOUNCE = 3,         /* non-delivery notification (postfix bounce:, sendmail DSN:) */
    MD_LINK_SAME_MSGID = 4,     /* same Message-ID */
    MD_LINK_REINJECTED = 5,     /* mail store re-injected a forwarded copy */
    MD_LINK_MS_QUOTED = 6       /* Microsoft's 250 reply for the copy quotes the original's Message-ID */
} md_trace_linkkind;

typedef struct md_log_writer md_log_writer;

typedef struct md_log_msgrow {
    int64_t id;                 /* 0: insert (set on return); else update */
    int64_t host_id;
    const char *qid;
    int64_t t_first, t_last;
    int fmt;                    /* md_logfmt */
    int flags;                  /* MD_LOGMSG_* */
    const char *sender;         /* normalised; NULL when not logged */
    const char *msgid;
    const char *client_host;
    const char *client_ip;
    int64_t size;               /* -1 unknown */
    int nrcpt;                  /* -1 unknown */
    int64_t source_id;          /* where it was first seen */
    const void *lines;          /* md_log_lines encoding */
    size_t lines_len;
} md_log_msgrow;

typedef struct md_log_dlvrow {
    int64_t msg_id;
    int64_t t;
    const char *rcpt, *orig_to, *relay_host, *relay_ip, *dsn, *status, *reply;
    const char *reason, *named_ip, *internal_id, *quoted_msgid, *new_qid;
    int ms;
    int outcome;                /* md_trace_outcome */
    int64_t source_id;
    uint64_t lineno;
    int relay_ours;             /* writing: relay_ip is one of ours (MD_LOGKEY_HOP) */
} md_log_dlvrow;

typedef struct md_log_linkrow {
    int64_t from_msg;
    int64_t to_msg;             /* 0: unresolved, resolved later by qid */
    int kind;                   /* md_trace_linkkind */
    int64_t t;
    const char *to_host;        /* for unresolved: host (name) expected to log to_qid */
    const char *to_qid;
    const char *why;
} md_log_linkrow;

/* ---- writing ---------------------------------------------------------- */
int md_store_log_writer_open(md_store *st, md_log_writer **out, md_err *err);
void md_store_log_writer_close(md_log_writer *w);

/* md_store_log_host: id of a syslog host name (created when new). */
int md_store_log_host(md_log_writer *w, const char *name, size_t n, int64_t *id, md_err *err);

/* md_store_log_block: store lines first_line..first_line+nlines-1 of a
 * source (raw: the lines each ended by "\n"), compressed. */
int md_store_log_block(md_log_writer *w, int64_t source_id, uint64_t first_line,
                       uint64_t nlines, int64_t t_first, int64_t t_last, const char *raw,
                       size_t rawlen, md_err *err);

/* md_store_log_span_add: add counts of lines per (source, host, format). */
int md_store_log_span_add(md_log_writer *w, int64_t source_id, int64_t host_id, int fmt,
                          uint64_t lines, int64_t t_first, int64_t t_last, md_err *err);

/* md_store_log_hour_add: add counts of lines per (source, host, UTC hour:
 * the unix time of the hour's start), with the first and last line's time. */
int md_store_log_hour_add(md_log_writer *w, int64_t source_id, int64_t host_id, int64_t hour,
                          uint64_t lines, int64_t t_first, int64_t t_last, md_err *err);

int md_store_log_msg_put(md_log_writer *w, md_log_msgrow *m, md_err *err);
int md_store_log_dlv_put(md_log_writer *w, const md_log_dlvrow *d, md_err *err);
int md_store_log_link_put(md_log_writer *w, const md_log_linkrow *l, md_err *err);
/* md_store_log_key_hash: the index key of (kind, value[0..n)). */
int64_t md_store_log_key_hash(int kind, const char *value, size_t n);
/* md_store_log_keys_put: index entries (duplicates ignored); keys is
 * sorted in place first, so a batch walks the index once.  Also inserts
 * the next hops noted by md_store_log_dlv_put since the last call (n may be
 * 0): call it before committing deliveries. */
int md_store_log_keys_put(md_log_writer *w, md_log_key *keys, size_t n, md_err *err);
/* md_store_log_key_put: one entry for a NUL-terminated value ("" ignored). */
int md_store_log_key_put(md_log_writer *w, int kind, const char *value, int64_t msg_id,
                         md_err *err);

/* md_store_log_open_msgs: every message still open (MD_LOGMSG_OPEN), for
 * the correlator to continue them.  fn returns non-zero to stop. */
typedef int (*md_log_msg_fn)(void *arg, const md_log_msgrow *m, const char *host);
int md_store_log_open_msgs(md_store *st, md_log_msg_fn fn, void *arg, md_err *err);

/* md_store_log_resolve: the end-of-ingest pass (inside a transaction it
 * opens itself): resolve pending queue-id links, and make the links by
 * Message-ID (same Message-ID, Message-ID quoted by Microsoft) and the
 * re-injected forwards for everything stored since the last pass.  Adds the
 * number of links made to *nlinks (may be NULL). */
int md_store_log_resolve(md_store *st, uint64_t *nlinks, md_err *err);

/* ---- message line lists ------------------------------------------------
 * Varint list: a "source switch" entry (source id, absolute line) or a
 * delta to the previous line of the same source. */
typedef struct md_log_lines {
    md_buf buf;
    int64_t last_src;
    uint64_t last_line;
    uint32_t count;
} md_log_lines;
int md_log_lines_add(md_log_lines *l, int64_t source_id, uint64_t lineno);
/* md_log_lines_load: set l from a stored encoding (for continuing). */
int md_log_lines_load(md_log_lines *l, const void *p, size_t n);
/* md_log_lines_decode: call fn for each (source, line) in p[0..n). */
int md_log_lines_decode(const void *p, size_t n,
                        int (*fn)(void *arg, int64_t source_id, uint64_t lineno), void *arg);

/* ---- reading (trace, stats) -------------------------------------------- */
/* md_store_log_block_get: the block of source_id holding lineno,
 * decompressed into out (reset first); *first_line its first line. */
int md_store_log_block_get(md_store *st, int64_t source_id, uint64_t lineno, md_buf *out,
                           uint64_t *first_line, uint64_t *nlines, md_err *err);

/* Seeds of a trace: message ids matching addr / qid / msgid / ip inside
 * [since, until] (0 = open).  fn gets each id (maybe more than once). */
typedef int (*md_log_id_fn)(void *arg, int64_t msg_id);
int md_store_log_find_addr(md_store *st, const char *addr, int64_t since, int64_t until,
                           md_log_id_fn fn, void *arg, md_err *err);
int md_store_log_find_qid(md_store *st, const char *qid, int64_t since, int64_t until,
                          md_log_id_fn fn, void *arg, md_err *err);
int md_store_log_find_msgid(md_store *st, const char *msgid, int64_t since, int64_t until,
                            md_log_id_fn fn, void *arg, md_err *err);
int md_store_log_find_ip(md_store *st, const char *ip, int64_t since, int64_t until,
                         md_log_id_fn fn, void *arg, md_err *err);
/* md_store_log_find_ip_seen: as md_store_log_find_ip, and also the messages
 * whose lines name ip as our own client or as a delivery's relay
 * (MD_LOGKEY_IPSEEN; stores written before it know only the former). */
int md_store_log_find_ip_seen(md_store *st, const char *ip, int64_t since, int64_t until,
                              md_log_id_fn fn, void *arg, md_err *err);

/* md_store_log_msg_get: one message (fn called once; MD_ERR_NOTFOUND). */
int md_store_log_msg_get(md_store *st, int64_t id, md_log_msg_fn fn, void *arg, md_err *err);
/* md_store_log_dlvs: delivery attempts of a message in time order. */
typedef int (*md_log_dlv_fn)(void *arg, const md_log_dlvrow *d);
int md_store_log_dlvs(md_store *st, int64_t msg_id, md_log_dlv_fn fn, void *arg, md_err *err);
/* md_store_log_links: resolved links touching msg_id (either end). */
typedef int (*md_log_link_fn)(void *arg, const md_log_linkrow *l);
int md_store_log_links(md_store *st, int64_t msg_id, md_log_link_fn fn, void *arg, md_err *err);

/* A reader keeps the statements of the four look-ups above prepared and a
 * zstd context, for many calls (trace): md_store_log_r_* are the same
 * functions through it (r may be NULL).  Unless the caller has a
 * transaction open, the reader holds a read transaction (one snapshot)
 * until it is closed: close it before md_store_begin / md_store_close. */
typedef struct md_log_reader md_log_reader;
int md_store_log_reader_open(md_store *st, md_log_reader **out, md_err *err);
void md_store_log_reader_close(md_log_reader *r);
int md_store_log_r_msg_get(md_store *st, md_log_reader *r, int64_t id, md_log_msg_fn fn,
                           void *arg, md_err *err);
int md_store_log_r_dlvs(md_store *st, md_log_reader *r, int64_t msg_id, md_log_dlv_fn fn,
                        void *arg, md_err *err);
int md_store_log_r_links(md_store *st, md_log_reader *r, int64_t msg_id, md_log_link_fn fn,
                         void *arg, md_err *err);
int md_store_log_r_block_get(md_store *st, md_log_reader *r, int64_t source_id,
                             uint64_t lineno, md_buf *out, uint64_t *first_line,
                             uint64_t *nlines, md_err *err);
/* md_store_log_r_block_prefix: as md_store_log_r_block_get, but told the
 * block's first line and line count, want returns the last line of it that
 * the caller needs, and only a prefix of the block likely to hold that line
 * may be decoded: *whole is then 0 (when want is NULL, or the block is not
 * LZ4, the whole block).  A line is in out when its newline is, or when
 * *whole; else ask again without want. */
typedef uint64_t (*md_log_want_fn)(void *arg, uint64_t first_line, uint64_t nlines);
int md_store_log_r_block_prefix(md_store *st, md_log_reader *r, int64_t source_id,
                                uint64_t lineno, md_log_want_fn want, void *arg, md_buf *out,
                                uint64_t *first_line, uint64_t *nlines, int *whole,
                                md_err *err);

/* Host spans and per-day Microsoft counts (see trace.h for the meaning). */
typedef int (*md_log_span_fn)(void *arg, const char *host, int64_t t_first, int64_t t_last,
                              uint64_t lines, uint64_t messages, uint64_t sources);
int md_store_log_host_spans(md_store *st, int64_t since, int64_t until, md_log_span_fn fn,
                            void *arg, md_err *err);
/* the same without the message and source counts (given as 0): cheap */
int md_store_log_host_lines(md_store *st, int64_t since, int64_t until, md_log_span_fn fn,
                            void *arg, md_err *err);
typedef int (*md_log_daily_fn)(void *arg, const char *host, int64_t day, uint64_t attempts,
                               uint64_t accepted, uint64_t deferred, uint64_t bounced,
                               uint64_t messages);
/* md_store_log_ms_daily: deliveries to Microsoft per host and local day
 * (the process's zone, TZ; summer time included): day is the unix time of
 * that day's local midnight.  deferred and bounced leave out recipient
 * errors (md_reply_reason_recipient): they are no failure of the IP. */
int md_store_log_ms_daily(md_store *st, int64_t since, int64_t until, md_log_daily_fn fn,
                          void *arg, md_err *err);

/* Totals for `stats`. */
typedef struct md_log_totals {
    uint64_t sources, blocks, lines, raw_bytes, stored_bytes;
    uint64_t messages, open_messages, deliveries, links, links_pending, ms_deliveries;
    uint64_t by_format[8];      /* lines per md_logfmt */
    int64_t t_first, t_last;
} md_log_totals;
int md_store_log_totals(md_store *st, md_log_totals *out, md_err *err);
/* md_store_log_sources: per log source: fn(arg, id, path, lines, complete). */
typedef int (*md_log_source_fn)(void *arg, int64_t id, const char *path, uint64_t lines,
                                int64_t t_first, int64_t t_last);
int md_store_log_sources(md_store *st, md_log_source_fn fn, void *arg, md_err *err);

#endif
