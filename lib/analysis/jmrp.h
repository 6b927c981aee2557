/* jmrp.h: Microsoft's JMRP complaints counted per IP and day, each matched
 * (where the store allows) to our delivery of the complained-about message
 * by Message-ID and time (store_jmrp.h).  The IP of a complaint is the
 * Source-IP it names, else the configured IP of the host that logged the
 * matched delivery; the day is the UTC day of the matched delivery, else of
 * the complaint's Arrival-Date.  A complaint with neither IP is left out.
 *
 * Ownership: *out is malloc'ed, the caller frees it.  Never prints. */
#ifndef MD_JMRP_H
#define MD_JMRP_H

#include <stddef.h>
#include <stdint.h>
#include "base/config.h"
#include "base/err.h"
#include "base/ipaddr.h"
#include "store/store.h"

typedef struct md_jmrp_day {
    int64_t day;                /* UTC midnight, unix seconds */
    char ip[MD_IP_STRLEN];      /* canonical */
    uint64_t complaints;
    uint64_t matched;           /* of them: matched to our delivery to Microsoft */
} md_jmrp_day;

/* md_an_jmrp_daily: the days (ascending, then IP) of complaints about ip
 * (NULL: every IP) arriving in [from, to] (0 = open). */
int md_an_jmrp_daily(md_store *st, const md_config *cfg, const char *ip, int64_t from,
                     int64_t to, md_jmrp_day **out, size_t *n, md_err *err);

#endif
