/* store_forget.h: taking an input back out of the store (`maildossier
 * forget`, and a log read again with another year or zone), and what a
 * source records about how it was read (all SQL in store_forget.c).
 *
 * A source's evidence is everything derived from it: its raw log lines
 * (blocks, spans), the log messages with a line in it, their deliveries,
 * links and index keys, the stored messages read from it (with their
 * addresses, hops, DSNs, ARF and Microsoft fields, and Microsoft's answers
 * read from them: case_answer), the DMARC and SNDS rows read from it, and
 * the source row itself.  Rule files are keyed by their path, not by a
 * source (md_store_forget_rules).  Tickets and requests are not inputs and
 * are never touched.
 *
 * A log message with lines in the forgotten source and in others (a
 * message that spans a rotation) is deleted whole; md_store_forget_log
 * hands the caller its lines in the other sources, to be read again
 * (lib/ingest/forget.c), so that it becomes the message those lines alone
 * make.  Links to a deleted message that were resolved by queue id become
 * pending again (md_store_log_resolve resolves them anew); the partners of
 * its same-Message-ID links are noted for the resolve pass.
 *
 * Every function works inside the caller's transaction (md_store_begin):
 * on failure the caller rolls back and the store is unchanged.  Nothing
 * here prints.
 */
#ifndef MD_STORE_FORGET_H
#define MD_STORE_FORGET_H

#include <stddef.h>
#include <stdint.h>
#include "base/err.h"
#include "store/store.h"

/* What was (or, in a dry run, would be) removed, per kind. */
typedef struct md_forget_counts {
    uint64_t sources;        /* source rows */
    uint64_t log_lines;      /* raw log lines */
    uint64_t log_messages;   /* log messages deleted */
    uint64_t log_rebuilt;    /* of those, rebuilt from their lines in other sources */
    uint64_t deliveries;     /* delivery attempts deleted (before any rebuild) */
    uint64_t links;          /* links deleted (pending again: not counted) */
    uint64_t messages;       /* stored messages (and their parts) */
    uint64_t answers;        /* Microsoft's answers read from those messages */
    uint64_t reports;        /* DMARC reports (with their records) */
    uint64_t snds;           /* SNDS data and IP status rows */
    uint64_t rule_files;     /* rule files (with their rules) */
    uint64_t rules;
    uint64_t unread;         /* other inputs that may hold evidence forgotten (a message
                                file of a forgotten message's content, SNDS exports)
                                marked unread: the next ingest of them stores it again */
} md_forget_counts;

/* One stored source, for matching against a path. */
typedef struct md_forget_src {
    int64_t id;
    const char *kind;
    const char *first_path;  /* as ingest was given it */
    const char *last_path;
    uint64_t lines_done;
} md_forget_src;

/* md_store_forget_sources: every source (fn non-zero stops); the strings
 * are valid only during the call. */
typedef int (*md_forget_src_fn)(void *arg, const md_forget_src *s);
int md_store_forget_sources(md_store *st, md_forget_src_fn fn, void *arg, md_err *err);
/* md_store_forget_rule_origins: the origin (real path) of every rule file. */
typedef int (*md_forget_origin_fn)(void *arg, const char *origin);
int md_store_forget_rule_origins(md_store *st, md_forget_origin_fn fn, void *arg, md_err *err);

/* The sources to forget are marked first (a temporary set of this
 * connection), then forgotten together: each step below is one pass over
 * its tables, whatever the number of sources (a Maildir is one source per
 * file).  md_store_forget_begin empties the set. */
int md_store_forget_begin(md_store *st, md_err *err);
int md_store_forget_mark(md_store *st, int64_t source_id, md_err *err);
/* md_store_forget_log: delete every log message with a line in a marked
 * source, with its deliveries, index keys and links (see above); keep(arg,
 * source, line) is called for each of their lines in unmarked sources (any
 * order, maybe twice; keep may be NULL) before anything is deleted. */
typedef int (*md_forget_line_fn)(void *arg, int64_t source_id, uint64_t lineno);
int md_store_forget_log(md_store *st, md_forget_line_fn keep, void *arg, md_forget_counts *c,
                        md_err *err);
/* md_store_forget_join: after log source_id was read (new to the store, or
 * again with another year or zone): its messages left open (their end not
 * in it) and, for each, the message of the same host and queue id that
 * begins after it in another source soon enough to be its continuation
 * (within idle_secs, the correlator's, or MD_LIMIT_CORRELATE_SECS when a
 * recipient was deferred: as the correlator continues a message) are
 * deleted as md_store_forget_log deletes, every line of both handed to keep
 * first, to be read again as one; *n the number of messages deleted.  Call
 * md_store_forget_begin first. */
int md_store_forget_join(md_store *st, int64_t source_id, int64_t idle_secs,
                         md_forget_line_fn keep, void *arg, uint64_t *n, md_err *err);
/* md_store_forget_marked: delete the rest of the marked sources' evidence:
 * raw lines, stored messages with their parts, Microsoft's answers in them,
 * reports, the source rows; then the next-hop index entries that no
 * remaining delivery names and the host names nothing refers to.  A
 * message file not marked whose content is that of a stored message deleted
 * (its message was stored from the marked input first) is marked unread
 * (c->unread), so that the next ingest of it stores it; so are the other
 * SNDS exports of a kind whose rows go (a row is the latest export's, and
 * exports overlap).  Call md_store_forget_log first (a log message
 * refers to its lines).  Deletes the children itself: runs in a
 * transaction begun with md_store_begin_nofk as well. */
int md_store_forget_marked(md_store *st, md_forget_counts *c, md_err *err);
/* md_store_forget_rules: delete the rule file of that origin and its rules. */
int md_store_forget_rules(md_store *st, const char *origin, md_forget_counts *c, md_err *err);

/* md_store_source_t_range: the first and last time of a log source's lines
 * (0, 0 when it has none); for reading its lines again in the years they
 * were read in (year inference against t_last). */
int md_store_source_t_range(md_store *st, int64_t source_id, int64_t *t_first, int64_t *t_last,
                            md_err *err);

/* How a log source was read: the --year given (0: inferred from the file's
 * time) and the zone of its stamps (the config's [logs] timezone, "" the
 * machine's).  *known 0 for a source read before this was recorded. */
int md_store_source_read_get(md_store *st, int64_t source_id, int *year, char *tz, size_t tzn,
                             int *known, md_err *err);
int md_store_source_read_set(md_store *st, int64_t source_id, int year, const char *tz,
                             md_err *err);

/* Evidence for a log's year: a log message and a stored message (a copy,
 * a bounce) with its Message-ID whose Date is missing or more than
 * max_secs from the log's time: fn(arg, log source, copy's row id,
 * Message-ID, log time, copy's Date or 0); the caller looks at the copy's
 * Received dates too (store_msg.h: md_store_msg_hops).
 * md_store_year_pairs: the log messages of source_id (by log time);
 * md_store_year_copies_since: the copies with a row id above msg_top
 * (stored since), by source. */
typedef void (*md_year_pair_fn)(void *arg, int64_t source_id, int64_t copy_id, const char *msgid,
                                int64_t t_log, int64_t t_date);
int md_store_year_pairs(md_store *st, int64_t source_id, int64_t max_secs, md_year_pair_fn fn,
                        void *arg, md_err *err);
int md_store_year_copies_since(md_store *st, int64_t msg_top, int64_t max_secs,
                               md_year_pair_fn fn, void *arg, md_err *err);
/* md_store_msg_top: the highest stored-message row id (0: none). */
int64_t md_store_msg_top(md_store *st);

#endif
