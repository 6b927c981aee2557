/* store_authfail.h: DMARC failure reports (RFC 9991 / ARF auth-failure) as
 * per-message evidence: the failure fields of a stored complaint message
 * (msg_arf holds the ARF fields common to every feedback type; this area,
 * msg_arf_auth, what only an auth-failure report says: which check
 * failed, the DKIM domain/selector/identity, the SPF record seen, the
 * delivery result and identity alignment).  All its SQL lives in
 * store_authfail.c.  Nothing here prints. */
#ifndef MD_STORE_AUTHFAIL_H
#define MD_STORE_AUTHFAIL_H

#include <stdint.h>
#include "parse/arf.h"
#include "store/store.h"

/* md_store_authfail_put: store a's auth-failure fields for message msg_id
 * (replacing them); nothing when a is no auth-failure report.  Joins the
 * caller's transaction. */
int md_store_authfail_put(md_store *st, int64_t msg_id, const md_arf *a, md_err *err);

/* One stored DMARC failure report. */
typedef struct md_authfail_row {
    int64_t msg_id;
    char source_ip[MD_IP_STRLEN];
    char reported_domain[256];
    char orig_message_id[512];
    int64_t arrival_date;
    char auth_failure[32];
    char dkim_domain[256];
    char dkim_selector[128];
    char spf_dns[512];
    char delivery_result[32];
    char identity_alignment[64];
} md_authfail_row;

typedef int (*md_authfail_fn)(void *arg, const md_authfail_row *r);

/* md_store_authfail_list: the stored DMARC failure reports, oldest
 * arrival first; ip NULL or "" = every one, else those whose Source-IP is
 * ip.  A callback's non-zero return stops the walk and is returned. */
int md_store_authfail_list(md_store *st, const char *ip, md_authfail_fn fn, void *arg,
                           md_err *err);

#endif
