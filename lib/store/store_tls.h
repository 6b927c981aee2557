/* store_tls.h: the TLS-report part of the reputation area: RFC 8460
 * TLS-RPT reports (tlsrpt.h) per reporter and day, their policies
 * (policy domain, MX hosts, successful and failed sessions) and failure
 * rows (result type, MX, sending and receiving IP, sessions); and the
 * DMARCbis columns of DMARC reports (generator, discovery_method), new
 * with the same migration.
 *
 * A report is identified by reporter (lower-case organization-name, else
 * contact) + report-id: storing it again adds nothing.  All SQL of TLS
 * reports lives in store_tls.c.  Readers fill caller-owned values through
 * callbacks; nothing here prints. */
#ifndef MD_STORE_TLS_H
#define MD_STORE_TLS_H

#include <stdint.h>
#include "parse/tlsrpt.h"
#include "store/store.h"

/* md_store_tls_add: store r (name: the file or attachment name; source_id
 * the source row, or 0); *added (may be NULL) 1 when it was new.  Joins
 * the caller's transaction, else runs in its own. */
int md_store_tls_add(md_store *st, const md_tlsrpt_report *r, const char *name,
                     int64_t source_id, int *added, md_err *err);

/* One policy domain on one day from one reporter: sessions. */
typedef struct md_tls_day {
    char day[11];               /* YYYY-MM-DD (UTC) of the report's start */
    char domain[256];           /* policy domain */
    char org_name[256];         /* reporter */
    int microsoft;              /* the reporter is Microsoft */
    uint64_t success, failure;
} md_tls_day;

/* One failure kind on one day: sessions by result type, MX and IPs. */
typedef struct md_tls_fail {
    char day[11];
    char domain[256];
    char org_name[256];
    int microsoft;
    char result_type[64];
    char receiving_mx[256];
    char receiving_ip[MD_IP_STRLEN];
    char sending_ip[MD_IP_STRLEN];
    char reason_code[128];
    uint64_t count;
} md_tls_fail;

typedef int (*md_tls_day_fn)(void *arg, const md_tls_day *d);
typedef int (*md_tls_fail_fn)(void *arg, const md_tls_fail *f);

/* md_store_tls_days: per day, policy domain and reporter whose report
 * starts in [since, until], oldest first; domain NULL or "" = every one.
 * A callback's non-zero return stops the walk and is returned. */
int md_store_tls_days(md_store *st, const char *domain, int64_t since, int64_t until,
                      md_tls_day_fn fn, void *arg, md_err *err);

/* md_store_tls_failures: the failure rows in [since, until], oldest first,
 * then most sessions first; domain as above; ip NULL or "" = every row,
 * else only rows whose sending or receiving IP is ip (canonical). */
int md_store_tls_failures(md_store *st, const char *domain, const char *ip, int64_t since,
                          int64_t until, md_tls_fail_fn fn, void *arg, md_err *err);

/* md_store_tls_counts: stored reports, policies and failure rows. */
int md_store_tls_counts(md_store *st, int64_t *reports, int64_t *policies, int64_t *failures,
                        md_err *err);

#endif
