/* store_domain.h: the questions `maildossier domain` asks of the store (all
 * SQL in store_domain.c): the delivery attempts to Microsoft with their
 * message's envelope sender, the stored bounces whose diagnostic names
 * 5.7.515, and Outlook.com's DMARC aggregate results per day for a
 * header_from domain and its subdomains.
 *
 * Times are unix seconds (UTC); a window [since, until] with 0 meaning
 * open.  Strings handed to a callback live until it returns.  Arrays handed
 * out are malloc'ed plain structs the caller free()s (NULL and 0 when there
 * are none).  Every function returns 0 or a negative MD_ERR_* code with the
 * reason in err.  Nothing here prints.
 */
#ifndef MD_STORE_DOMAIN_H
#define MD_STORE_DOMAIN_H

#include <stddef.h>
#include <stdint.h>
#include "base/err.h"
#include "store/store.h"

/* One delivery attempt to Microsoft (log_dlv.ms = 1). */
typedef struct md_domain_dlv {
    int64_t t;
    int64_t msg_id;             /* log_msg.id: one message, however many attempts */
    const char *sender;         /* envelope sender ("" the null sender) */
    const char *rcpt;
    const char *dsn, *reply;    /* "" when none */
    int outcome;                /* md_outcome (store_log.h) */
    const char *file;           /* the log file (last path of its source) */
    uint64_t lineno;
} md_domain_dlv;

typedef int (*md_domain_dlv_fn)(void *arg, const md_domain_dlv *d, md_err *err);

/* md_store_domain_ms_dlvs: fn for every delivery attempt to Microsoft in
 * [since, until], by time.  A non-zero return of fn stops the walk and is
 * returned. */
int md_store_domain_ms_dlvs(md_store *st, int64_t since, int64_t until, md_domain_dlv_fn fn,
                            void *arg, md_err *err);

/* A stored bounce (DSN part) whose status or diagnostic names 5.7.515. */
typedef struct md_domain_dsn {
    int64_t t;                  /* last attempt, arrival or the bounce's Date */
    char path[512];             /* where the bounce was read */
    char rcpt[512];             /* final recipient */
    char to[512];               /* the bounce's To: (our sender) */
    char status[16];
    char diag[2048];
} md_domain_dsn;

/* md_store_domain_dsn_515: stored bounces naming 5.7.515 in [since, until],
 * by time. */
int md_store_domain_dsn_515(md_store *st, int64_t since, int64_t until, md_domain_dsn **out,
                            size_t *n, md_err *err);

/* Outlook.com's DMARC results for one domain on one report day. */
typedef struct md_domain_dmarc_day {
    char day[11];               /* "YYYY-MM-DD": the report's middle (store_rep.h) */
    uint64_t reports;
    uint64_t messages, pass;    /* DMARC pass: aligned DKIM or SPF passed */
    uint64_t dkim_pass, spf_pass; /* policy_evaluated (aligned) dkim / spf pass */
} md_domain_dmarc_day;

/* md_store_domain_dmarc: per report day, oldest first, the rows of reports
 * from Microsoft (md_store_rep_is_microsoft) whose header_from is domain (lower
 * case) or a subdomain of it, reports overlapping [since, until]. */
int md_store_domain_dmarc(md_store *st, const char *domain, int64_t since, int64_t until,
                          md_domain_dmarc_day **out, size_t *n, md_err *err);

#endif
