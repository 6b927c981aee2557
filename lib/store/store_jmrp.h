/* store_jmrp.h: Microsoft's JMRP complaints (msg_arf rows reported by
 * Microsoft, any form: legacy, ARF with the original, the 2026 headers-only
 * ARF) matched to our log lines: the delivery to Microsoft of the
 * complaint's original Message-ID whose time lies within
 * MD_LIMIT_JMRP_MATCH_SECS of the complaint's Arrival-Date (else the
 * report's Date).  All SQL in store_jmrp.c.
 *
 * Reading hands rows to a callback; strings are valid during the callback
 * only; a callback returns non-zero to stop.  Nothing here prints. */
#ifndef MD_STORE_JMRP_H
#define MD_STORE_JMRP_H

#include <stdint.h>
#include "store/store.h"

typedef struct md_jmrp_match {
    int64_t complaint;          /* msg.id of the complaint */
    int64_t arrival;            /* Arrival-Date, else the report's Date (unix) */
    const char *source_ip;      /* as the complaint names it, "" unknown */
    const char *message_id;     /* the original's Message-ID (no <>), "" unknown */
    /* the matched delivery (log_msg 0 when none matched) */
    int64_t log_msg;
    const char *host;           /* the syslog host that logged it */
    const char *qid;
    int64_t t;                  /* the delivery to Microsoft */
    int64_t source_id;          /* its log line */
    int64_t lineno;
} md_jmrp_match;
typedef int (*md_jmrp_match_fn)(void *arg, const md_jmrp_match *m);

/* md_store_jmrp_matches: each complaint reported by Microsoft with arrival
 * in [t_from, t_to] (0 = open), oldest first; once per matching delivery
 * (the closest first), once with log_msg 0 when none matched. */
int md_store_jmrp_matches(md_store *st, int64_t t_from, int64_t t_to, md_jmrp_match_fn fn,
                          void *arg, md_err *err);

#endif
