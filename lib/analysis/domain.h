/* domain.h: what the store knows of one of our sending domains (the
 * `domain` command): per day (UTC) the messages from DOMAIN and its
 * subdomains (envelope senders in our logs) with a delivery attempt to
 * Microsoft's consumer domains, against the 5,000-a-day threshold of
 * Outlook.com's rule of May 2025 (MD_MS_BULK_THRESHOLD); Outlook.com's DMARC
 * aggregate results for the domain's header_from that day; and the 550
 * 5.7.515 refusals (log lines and stored bounces) with the results they
 * name.  Results are the caller's (md_analysis_domain_free).  Never prints.
 */
#ifndef MD_DOMAIN_H
#define MD_DOMAIN_H

#include <stddef.h>
#include <stdint.h>
#include "base/err.h"
#include "parse/dnsexport.h"
#include "parse/reply515.h"
#include "store/store.h"

typedef struct md_domain_day {
    int64_t day;                /* 00:00 UTC */
    uint64_t messages;          /* messages with an attempt to a consumer domain that day */
    uint64_t attempts;          /* delivery attempts (one per recipient and try) */
    uint64_t accepted, deferred, bounced; /* attempts by outcome (bounced: also rejected) */
    int over;                   /* messages > MD_MS_BULK_THRESHOLD */
    /* Outlook.com's DMARC aggregate reports of that day (has_dmarc) */
    int has_dmarc;
    uint64_t dm_reports, dm_messages, dm_pass, dm_dkim, dm_spf;
} md_domain_day;

typedef struct md_domain_515 {
    int64_t t;
    int from_log;               /* 1: a log line (where = file:line), 0: a stored bounce */
    char where[600];
    char rcpt_domain[256];      /* the refused recipient's domain (local part not kept) */
    md_reply515 r;              /* the domain and results the text names */
    char text[1024];            /* the reply / diagnostic as written (cut) */
} md_domain_515;

typedef struct md_domain_report {
    char domain[256];           /* lower case */
    md_domain_day *days;        /* oldest first */
    size_t ndays;
    uint64_t days_over;         /* days over the threshold */
    uint64_t max_messages;      /* the busiest day's messages */
    md_domain_515 *refusals;    /* by time, at most MD_DOMAIN_515_KEPT */
    size_t nrefusals;
    uint64_t refusals_total;    /* all of them (more than kept: counted only) */
} md_domain_report;

/* md_domain_matches: 1 when the domain part of addr (or addr itself when it
 * has no '@') is domain or a subdomain of it (ASCII case ignored). */
int md_domain_matches(const char *addr, const char *domain);

/* md_analysis_domain: the report for domain over [since, until] (0 open).
 * 0 (also when nothing is known: then ndays and nrefusals are 0),
 * MD_ERR_ARG (not a domain name). */
int md_analysis_domain(md_store *st, const char *domain, int64_t since, int64_t until,
                       md_domain_report *out, md_err *err);
void md_analysis_domain_free(md_domain_report *r);

/* md_analysis_domain_dns: the SPF records of domain and its subdomains and
 * the DMARC records of _dmarc.(domain or a subdomain) in the DNS export at
 * path (plain or compressed; at most MD_LIMIT_DNS_EXPORT bytes), in the
 * order written.  0; MD_ERR_IO / MD_ERR_LIMIT; MD_ERR_PARSE with
 * "PATH: line N: reason" in err. */
int md_analysis_domain_dns(const char *path, const char *domain, md_dns_export *out,
                           md_err *err);

#endif
