/* store_cover.h: what the log area holds per syslog host and hour, for the
 * dossier's evidence coverage (all SQL in store_cover.c).
 *
 * The log reader counts every stored line per (source, host, UTC hour) with
 * the first and last line's time of that hour (table log_hour, migration 4;
 * md_store_log_hour_add writes it).  md_store_cover_hours hands out those
 * counts, summed over sources, for the hours that overlap a window;
 * md_store_cover_hosts every host that has log lines in the store at all,
 * with its whole span (from log_span) and how many of its lines are counted
 * by hour (fewer when sources were ingested before migration 4).
 *
 * Times are unix seconds (UTC); an hour is the unix time of its start.
 * Callbacks return non-zero to stop.  Functions return 0 or a negative
 * MD_ERR_* code with the reason in err.  Nothing here prints.
 */
#ifndef MD_STORE_COVER_H
#define MD_STORE_COVER_H

#include <stdint.h>
#include "base/err.h"
#include "store/store.h"

typedef struct md_cover_hourrow {
    const char *host;        /* valid during the callback */
    int64_t hour;            /* start of the UTC hour */
    uint64_t lines;
    int64_t t_first, t_last; /* first and last line in that hour */
} md_cover_hourrow;
typedef int (*md_cover_hour_fn)(void *arg, const md_cover_hourrow *r);

/* md_store_cover_hours: per host (sorted by name) and hour (ascending), the
 * lines of the hours that overlap [since, until]. */
int md_store_cover_hours(md_store *st, int64_t since, int64_t until, md_cover_hour_fn fn,
                         void *arg, md_err *err);

typedef struct md_cover_hostrow {
    const char *host;        /* valid during the callback */
    int64_t t_first, t_last; /* first and last line in the whole store (0: no time) */
    uint64_t lines;          /* all its lines */
    uint64_t lines_hourly;   /* of those, the lines counted per hour */
} md_cover_hostrow;
typedef int (*md_cover_host_fn)(void *arg, const md_cover_hostrow *r);

/* md_store_cover_hosts: every host with log lines in the store, by name. */
int md_store_cover_hosts(md_store *st, md_cover_host_fn fn, void *arg, md_err *err);

#endif
