/* trace.h: correlated log evidence out of the store ("exigrep, but
 * correlated and across hosts").
 *
 * NAME
 *   md_trace_run, md_trace_free, md_trace_host_spans(_brief), md_trace_ms_daily,
 *   md_trace_outcome_name, md_trace_link_name
 *
 * DESCRIPTION
 *   md_trace_run finds the messages that involve any of the given addresses
 *   (envelope sender, recipient or orig_to; case-insensitive, with or
 *   without <>), queue ids, Message-IDs or IPs (client IP, or the IP that
 *   Microsoft named in a reply) inside an optional time window, then follows
 *   the links between messages both ways (forwarded as, queued as, bounce,
 *   same Message-ID, re-injected forward, Message-ID quoted by Microsoft;
 *   the last three are inferred and weighed by tracelink.h: a query by
 *   address follows an inferred link from an original into a copy only
 *   when the copy belongs to one of the addresses, never a possible one)
 *   and returns every message reached, ordered by first time, each with its
 *   raw log lines in order (source + line number), its delivery attempts and
 *   a one-line outcome per recipient.
 *
 *   The library never prints; rendering (and redaction) is the caller's job.
 *
 * OWNERSHIP
 *   A result (md_trace_result) and everything it points to (strings, arrays)
 *   belong to the result; the caller frees it with md_trace_free (NULL is
 *   fine).  The query's strings are not kept: they may be freed after the
 *   call returns.  Arrays from md_trace_host_spans / md_trace_ms_daily are
 *   plain malloc'ed arrays of plain values: free() them.
 *
 * DIAGNOSTICS
 *   Every function returns 0 or a negative MD_ERR_* code (err says why).
 *   md_trace_run returns MD_OK with nmsgs == 0 when nothing matched.
 *   Strings are never NULL: missing values are "".
 */
#ifndef MD_TRACE_H
#define MD_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include "base/config.h"
#include "base/err.h"
#include "store/store.h"
#include "store/store_log.h"   /* md_trace_outcome, md_trace_linkkind */
#include "base/md_limits.h"

/* At most MD_TRACE_MAX_MESSAGES messages are returned (md_limits.h; links
 * are followed breadth first; `truncated` says the limit was hit), with at
 * most MD_TRACE_MAX_LINES raw lines each. */

typedef struct md_trace_query {
    const char *const *addrs;   /* addresses (any case, <> optional) */
    size_t naddrs;
    const char *const *qids;    /* queue ids (exact) */
    size_t nqids;
    const char *const *msgids;  /* Message-IDs (with or without <>) */
    size_t nmsgids;
    const char *const *ips;     /* IPs in text form */
    size_t nips;
    int64_t since;              /* unix seconds; 0 = no lower bound */
    int64_t until;              /* unix seconds; 0 = no upper bound */
    int ip_seen;                /* 1: an IP also matches where the lines name it as
                                   our own client or a delivery's relay, and stored
                                   messages whose Received chain names it (`stored`;
                                   their Message-IDs seed too) */
    const md_config *cfg;       /* organisation (rules by local part); may be NULL */
    int no_follow;              /* 1: do not follow links */
    int no_lines;               /* 1: do not load raw lines (faster) */
    size_t max_messages;        /* 0 = MD_TRACE_MAX_MESSAGES */
} md_trace_query;


typedef struct md_trace_line {
    int64_t source_id;
    uint64_t lineno;            /* 1-based line number in its source */
    const char *path;           /* latest path of the source */
    const char *text;           /* the raw line, as logged (not made printable) */
} md_trace_line;

typedef struct md_trace_dlv {
    int64_t t;                  /* unix seconds */
    const char *rcpt;           /* normalised (lower-case, no <>) */
    const char *orig_to;        /* "" when none */
    const char *relay_host;
    const char *relay_ip;
    const char *dsn;            /* "2.0.0" */
    const char *status;         /* sent, deferred, bounced, expired, Sent, ... (as logged) */
    const char *reply;          /* the remote reply, whole */
    const char *reason;         /* sisimai-style reason ("blocked"), "" if none */
    const char *named_ip;       /* IP named by Microsoft in its reply, "" if none */
    const char *internal_id;    /* Microsoft's InternalId, "" if none */
    const char *quoted_msgid;   /* Message-ID quoted in a 250 reply, "" if none */
    const char *new_qid;        /* forwarded as / queued as, "" if none */
    int ms;                     /* 1: delivery attempt to Microsoft */
    md_trace_outcome outcome;   /* of this attempt */
    uint64_t lineno;            /* line of this attempt (0 if unknown) */
    int64_t source_id;
} md_trace_dlv;

typedef struct md_trace_rcpt {
    const char *rcpt;
    const char *orig_to;
    md_trace_outcome outcome;   /* from the last attempt */
    size_t attempts;
    const char *summary;        /* one line: "accepted by Microsoft (InternalId=..., mx3.hotmail.com)" */
} md_trace_rcpt;

/* the words for a sender no stored line gives (not the null sender <>) */
#define MD_TRACE_SENDER_UNKNOWN "(sender not in the stored lines)"

typedef struct md_trace_msg {
    int64_t id;                 /* store id (stable) */
    const char *host;           /* syslog host that logged it */
    const char *qid;
    const char *mta;            /* "sendmail", "postfix", "exim" */
    int64_t t_first, t_last;
    const char *sender;         /* normalised envelope sender ("" for <>, and when
                                   not logged: see sender_known) */
    int sender_known;           /* 0: no line of the store gave its envelope sender
                                   (shown as MD_TRACE_SENDER_UNKNOWN)
                                   (a continued message whose first lines are
                                   elsewhere): not the null sender */
    const char *msgid;          /* Message-ID with <>, "" if not logged */
    const char *client_host;
    const char *client_ip;
    int64_t size;               /* -1 if not logged */
    int matched;                /* 1: matched the query itself; 0: reached by a link */
    int open;                   /* 1: the log did not show the end of it yet */
    md_trace_line *lines;
    size_t nlines;
    int lines_truncated;        /* more than MD_TRACE_MAX_LINES */
    md_trace_dlv *dlvs;         /* in time order */
    size_t ndlvs;
    md_trace_rcpt *rcpts;       /* in order of first attempt */
    size_t nrcpts;
} md_trace_msg;

typedef struct md_trace_link {
    size_t from, to;            /* indexes into msgs */
    md_trace_linkkind kind;
    const char *why;            /* one line: what in the log made the link */
    int possible;               /* 1: an inferred link (same Message-ID, Microsoft's
                                   quote, re-injection) that could be to a sibling
                                   copy: only a possible link (tracelink.h); never
                                   in the result of a query by address */
    const char *via;            /* inferred and precise: the original's recipient the
                                   copy belongs to ("" unknown or not inferred) */
} md_trace_link;

/* A stored message (msg area) whose Received chain names a queried IP. */
typedef struct md_trace_stored {
    int64_t id;                 /* msg id */
    const char *path;
    const char *kind;           /* MD_MSGKIND_* */
    const char *message_id;     /* without <>, "" if none */
    int64_t date;               /* 0 unknown */
    int hop;                    /* the first hop (1 = oldest) naming the IP */
} md_trace_stored;

typedef struct md_trace_result {
    md_trace_msg *msgs;         /* ordered by t_first, then id */
    size_t nmsgs;
    md_trace_link *links;
    size_t nlinks;
    int truncated;              /* max_messages reached */
    md_trace_stored *stored;    /* ip_seen: stored messages whose hops name an IP */
    size_t nstored;
    void *priv_;                /* memory of the strings; do not touch */
} md_trace_result;

/* md_trace_run: run the query (see DESCRIPTION).  *out is set to a result
 * the caller frees with md_trace_free, also when nothing was found; NULL
 * on failure. */
int md_trace_run(md_store *st, const md_trace_query *q, md_trace_result **out, md_err *err);

/* md_trace_free: release a result and everything in it; NULL is fine. */
void md_trace_free(md_trace_result *r);

/* md_trace_find_msg: index of the message with that store id, or -1. */
long md_trace_find_msg(const md_trace_result *r, int64_t id);

/* Evidence span per syslog host: what the store holds of each host. */
typedef struct md_trace_span {
    char host[256];
    int64_t t_first, t_last;    /* unix seconds */
    uint64_t lines;
    uint64_t messages;
    uint64_t sources;
} md_trace_span;

/* md_trace_host_spans: one entry per host (sorted by name), limited to
 * [since, until] when those are not 0 (lines and messages then count only
 * what overlaps, approximately: whole blocks).  *out is malloc'ed: free(). */
int md_trace_host_spans(md_store *st, int64_t since, int64_t until, md_trace_span **out,
                        size_t *n, md_err *err);
/* md_trace_host_spans_brief: the same with messages and sources left 0,
 * much cheaper on a big store (no scan of every message). */
int md_trace_host_spans_brief(md_store *st, int64_t since, int64_t until, md_trace_span **out,
                              size_t *n, md_err *err);

/* Per-day counts of delivery attempts to Microsoft, per sending host. */
typedef struct md_trace_daily {
    char host[256];             /* syslog host that made the attempts */
    int64_t day;                /* unix seconds of that day's local midnight */
    uint64_t attempts;
    uint64_t accepted;          /* 2xx */
    uint64_t deferred;          /* recipient errors not counted (md_reply_reason_recipient) */
    uint64_t bounced;           /* bounced or expired; recipient errors not counted */
    uint64_t messages;          /* distinct messages */
} md_trace_daily;

/* md_trace_ms_daily: per host and local day (the process's zone, TZ, with
 * its changes of summer time) inside [since, until] (0 = open).  *out is
 * malloc'ed: free(). */
int md_trace_ms_daily(md_store *st, int64_t since, int64_t until, md_trace_daily **out,
                      size_t *n, md_err *err);

/* Names for output: "accepted by Microsoft", "forwarded-as", ... */
const char *md_trace_outcome_name(md_trace_outcome o);
/* md_trace_link_words: a link kind in words, for documents people read
 * ("same Message-ID"); md_trace_link_name gives the token. */
const char *md_trace_link_words(md_trace_linkkind k);
const char *md_trace_link_name(md_trace_linkkind k);

#endif
