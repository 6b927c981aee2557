/* received.h: Received header chains as hops, with delays and IP classes.
 *
 * md_received_parse_one reads one (unfolded) Received value by its keywords
 * from/by/with/id/for/via (any case; a repeated keyword's values are joined
 * with "; "), takes the date after the last ';' (or, leniently, a date at
 * the end), and the sending host's HELO, reverse DNS name and IP from the
 * forms "from HELO (RDNS [IP])", "from RDNS ([IP] helo=HELO)",
 * "from HELO (IP)", "[IPv6:...]" and ports.  "id 15.1.225.42" stays an id.
 * A value without keywords (comment-only, broken) is kept as an unparsed hop
 * with its raw text: never dropped.  The parser is iterative and bounded
 * (no recursion over comments).
 *
 * md_received_chain builds the hops of a message in sending order (oldest
 * first; headers are newest first), at most MD_LIMIT_RECEIVED, with per-hop
 * delay (negative = clock skew) and the total.  md_received_classify tells
 * for an IP whether it is the organisation's (config), Microsoft's,
 * private or other.
 *
 * md_received is owned by the caller (md_received_free); hops are plain
 * values (fixed arrays).  Nothing here prints or allocates except the hop
 * array.
 */
#ifndef MD_RECEIVED_H
#define MD_RECEIVED_H

#include <stdint.h>
#include "base/config.h"
#include "base/ipaddr.h"
#include "parse/message.h"

typedef enum md_ipclass {
    MD_IPCLASS_NONE = 0,     /* no IP */
    MD_IPCLASS_OURS,         /* a configured host or network */
    MD_IPCLASS_MICROSOFT,    /* Microsoft's networks or host names */
    MD_IPCLASS_PRIVATE,      /* RFC 1918, ULA, loopback ... (and not ours) */
    MD_IPCLASS_OTHER
} md_ipclass;

typedef struct md_hop {
    int index;               /* 1 = oldest (sending order) */
    int parsed;              /* 1 if at least one keyword was found */
    char from_text[512];     /* the whole from clause, comments included */
    char helo[256];          /* HELO/EHLO name as given ("" if none) */
    char rdns[256];          /* reverse DNS name the receiver found ("" if none) */
    char ipstr[MD_IP_STRLEN];/* sending IP ("" if none) */
    md_ip ip;
    int has_ip;
    char by_text[512];       /* the whole by clause */
    char by[256];            /* receiving host name (first word of by) */
    char by_ipstr[MD_IP_STRLEN]; /* receiving host IP when given, e.g. "(10.1.2.3)" */
    char with[256];          /* protocol clause ("ESMTPS", "Microsoft SMTP Server (...)") */
    char id[128];            /* queue id / Exchange build: never an IP */
    char for_addr[512];      /* recipient, normalised (no <>) */
    char via[256];
    char date_text[128];     /* as written */
    int64_t date;            /* unix seconds, 0 when absent/unparsable */
    int has_date;
    int date_no_zone;        /* the date had no zone: read as UTC */
    int64_t delay;           /* seconds since the previous hop (may be < 0) */
    int has_delay;
    char raw[1024];          /* the unfolded value (cut; evidence) */
} md_hop;

typedef struct md_received {
    md_hop *hop;             /* hop[0] is the oldest */
    size_t n;
    size_t total_headers;    /* Received fields in the message */
    int truncated;           /* more than MD_LIMIT_RECEIVED: only the newest kept */
    int64_t total_delay;     /* newest dated hop - oldest dated hop */
    int has_total;
} md_received;

/* md_received_parse_one: parse the unfolded value into *hop (index 0).
 * Always succeeds (an unparsable value gives parsed = 0, raw kept). */
void md_received_parse_one(md_hop *hop, const char *value);

/* md_received_chain: the hops of m's Received fields, oldest first.
 * 0 or MD_ERR_NOMEM.  out must be freed with md_received_free. */
int md_received_chain(md_received *out, const md_message *m, md_err *err);

/* md_received_free: release the hops; safe on a zeroed md_received. */
void md_received_free(md_received *r);

/* md_received_classify: the class of ip; *host (may be NULL) is set to the
 * configured host of that IP or NULL; name (may be NULL) is a host name
 * seen with the IP (rdns/helo), used to recognise Microsoft's hosts. */
md_ipclass md_received_classify(const md_config *cfg, const md_ip *ip, const char *name,
                                const md_host **host);

/* md_received_is_microsoft_name: 1 if a host name is Microsoft's
 * (*.outlook.com, *.hotmail.com, *.office365.com, *.microsoft.com ...). */
int md_received_is_microsoft_name(const char *name);

/* md_received_class_name: "ours", "microsoft", "private", "other", "". */
const char *md_received_class_name(md_ipclass c);

/* md_received_delay_text: "3 s", "2 min 5 s", "-40 s (clock skew)" into dst. */
char *md_received_delay_text(int64_t secs, char *dst, size_t n);

#endif
