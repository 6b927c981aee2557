/* dnsexport.h: the SPF and DMARC records of a postmaster's DNS export (no
 * DNS is queried): `dig TXT` output or a zone file fragment, one record a
 * line:  NAME [TTL] [CLASS] TXT "string" ["string" ...]  (strings joined),
 * with ';' comments, "$ORIGIN name." and "@" or relative names (taken
 * relative to the origin, or kept as written when there is none), and a
 * line that starts blank naming the previous line's owner.  TXT records
 * starting "v=spf1" are SPF, those starting "v=DMARC1" DMARC; other lines
 * are skipped.  Multi-line records "( ... )" are refused (the line says
 * so).  Never allocates, never prints.
 */
#ifndef MD_DNSEXPORT_H
#define MD_DNSEXPORT_H

#include <stddef.h>
#include "base/err.h"
#include "base/md_limits.h"

enum { MD_DNS_SPF = 1, MD_DNS_DMARC = 2 };

typedef struct md_dns_record {
    int kind;                   /* MD_DNS_SPF / MD_DNS_DMARC */
    char name[256];             /* owner, lower case, no trailing dot */
    char text[1024];            /* the TXT strings joined */
    int cut;                    /* text was longer: cut */
    unsigned line;
} md_dns_record;

typedef struct md_dns_export {
    md_dns_record rec[MD_LIMIT_DNS_RECORDS];
    size_t n;
    size_t dropped;             /* SPF/DMARC records beyond the limit */
} md_dns_export;

/* md_dns_export_parse: read buf[0..n) into *out.  0, or MD_ERR_PARSE with
 * "line N: reason" in err (*out then holds the records before it). */
int md_dns_export_parse(const char *buf, size_t n, md_dns_export *out, md_err *err);

#endif
