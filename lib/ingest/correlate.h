/* correlate.h: log lines -> messages, delivery attempts and links, in
 * memory with bounded state.
 *
 * NAME
 *   md_corr_open, md_corr_line, md_corr_reject, md_corr_checkpoint,
 *   md_corr_close
 *
 * DESCRIPTION
 *   A message is keyed by syslog host + queue id + time: queue ids are only
 *   unique per host and get reused.  Open messages live in a hash table and
 *   are written to the store (store_log.h) when they end (postfix "removed",
 *   exim "Completed"), when they go quiet (no line for MD_CORR_IDLE_SECS and
 *   no recipient deferred; MD_LIMIT_CORRELATE_SECS otherwise), or when the
 *   table is over MD_CORR_MAX_OPEN (the quietest go first).  At a checkpoint
 *   every message still open is written too, marked open, so that a later
 *   run (the next file, the rest of an appended file, a run after a kill)
 *   continues it: md_corr_open loads them back.
 *
 *   Delivery attempts and links are buffered in their message and written
 *   with it.  Links by queue id (forwarded as, queued as, bounce
 *   notification) are written unresolved (to_qid, to_host) and resolved by
 *   md_store_log_resolve at the end of an ingest; Message-ID links are made
 *   there too.
 *
 * OWNERSHIP
 *   md_corr is owned by the caller (md_corr_close, which writes nothing:
 *   call md_corr_checkpoint first).  It keeps the store and writer pointers
 *   (not owned).  Event strings are copied; the event may be reused.
 *
 * DIAGNOSTICS
 *   0 or a negative MD_ERR_* (store errors from the writer, MD_ERR_NOMEM).
 */
#ifndef MD_CORRELATE_H
#define MD_CORRELATE_H

#include <stddef.h>
#include <stdint.h>
#include "base/err.h"
#include "store/store.h"
#include "store/store_log.h"
#include "base/md_limits.h"

#define MD_CORR_IDLE_SECS  3600        /* a quiet message without deferrals ends */
#define MD_CORR_AGE_EVERY  65536       /* lines between ageing passes */

typedef struct md_corr_str {
    const char *p;                     /* not NUL-terminated; NULL/0 = absent */
    size_t n;
} md_corr_str;

typedef enum md_corr_kind {
    MD_CEV_OTHER = 0,      /* a line of the message without fields we use */
    MD_CEV_CLIENT,         /* postfix smtpd client=, exim <= H=, sendmail from= relay= */
    MD_CEV_MSGID,          /* postfix cleanup message-id= */
    MD_CEV_FROM,           /* envelope sender (+ size, nrcpt, msgid, relay) */
    MD_CEV_TO,             /* a delivery attempt */
    MD_CEV_END,            /* postfix removed, exim Completed */
    MD_CEV_BOUNCE_NOTICE,  /* a non-delivery notification new_qid was made */
    MD_CEV_REJECT          /* NOQUEUE reject (qid absent) */
} md_corr_kind;

typedef struct md_corr_ev {
    md_corr_kind kind;
    int64_t t;             /* unix seconds */
    int fmt;               /* md_logfmt */
    int64_t host_id;       /* md_store_log_host */
    const char *host;      /* syslog host name (NUL-terminated) */
    md_corr_str qid;
    /* CLIENT / FROM */
    md_corr_str client_host, client_ip;
    md_corr_str from;      /* envelope sender, with or without <> ("<>" = null sender) */
    int has_from;
    md_corr_str msgid;
    int64_t size;          /* -1 unknown */
    int nrcpt;             /* -1 unknown */
    int ours;              /* client is one of our hosts/networks, or local pickup */
    /* TO / REJECT */
    md_corr_str to, orig_to, relay_host, relay_ip, dsn, status, reply;
    md_corr_str new_qid;   /* forwarded as / queued as / bounce notification */
    int forwarded;         /* new_qid came from "forwarded as" */
    int local;             /* delivered by a local agent (local, virtual, lmtp to store, ...) */
    int ms;                /* attempt to Microsoft */
    int relay_ours;        /* the next hop is ours (its log may be ingested):
                              only then is a "queued as" link recorded */
    int outcome;           /* md_trace_outcome; 0 = derive from status/dsn */
    md_corr_str reason, named_ip, internal_id, quoted_msgid;
} md_corr_ev;

typedef struct md_corr_stats {
    uint64_t messages;     /* messages created */
    uint64_t deliveries;   /* delivery attempts */
    uint64_t links;        /* links recorded (unresolved) */
    uint64_t open;         /* open right now */
    uint64_t peak_open;
} md_corr_stats;

typedef struct md_corr md_corr;

/* md_corr_open: a correlator writing through w; loads the store's open
 * messages.  0 or a negative code. */
int md_corr_open(md_corr **out, md_store *st, md_log_writer *w, md_err *err);
void md_corr_close(md_corr *c);

/* md_corr_line: take one event of a line (source_id, lineno: where the
 * line is stored).  Events without a queue id other than REJECT are
 * ignored. */
int md_corr_line(md_corr *c, const md_corr_ev *ev, int64_t source_id, uint64_t lineno,
                 md_err *err);

/* md_corr_checkpoint: write everything pending (inside the caller's
 * transaction); open messages are written as open and stay in memory. */
int md_corr_checkpoint(md_corr *c, md_err *err);

/* md_corr_get_stats: counters so far. */
const md_corr_stats *md_corr_get_stats(const md_corr *c);

/* md_corr_outcome: the outcome of an attempt from its status / dsn / reply
 * (used when the event does not say). */
int md_corr_outcome(const md_corr_ev *ev);

#endif
