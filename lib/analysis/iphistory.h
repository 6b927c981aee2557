/* iphistory.h: what the store knows of an IP, day by day, and which IPs
 * have open problems (the `ip` and `status` commands, the request).
 *
 * From the log area (attempts to Microsoft per day and outcome, failures
 * in which Microsoft named the IP), the case area (tickets that found the
 * IP affected, requests sent, Microsoft's answers) and the configuration
 * (host and role); from the reputation area its SNDS days and DMARC
 * results (rep, dmarc: what the dossier shows of it).  The state says whether failures came after the last
 * mitigation.  Results are the caller's (md_analysis_ip_history_free).
 * Never prints.
 */
#ifndef MD_IPHISTORY_H
#define MD_IPHISTORY_H

#include <stddef.h>
#include <stdint.h>
#include "base/config.h"
#include "base/err.h"
#include "base/ipaddr.h"
#include "store/store.h"
#include "store/store_case.h"
#include "store/store_rep.h"

typedef struct md_ip_day {
    int64_t day;                      /* 00:00 UTC */
    uint64_t attempts, accepted, deferred, bounced; /* to Microsoft from this IP;
                                         deferred and bounced without recipient errors */
    uint64_t named;                   /* failures in which Microsoft named this IP */
    uint64_t tickets;                 /* tickets that found it affected that day */
} md_ip_day;

typedef enum md_ip_state {
    MD_IPSTATE_QUIET = 0,             /* no failure known */
    MD_IPSTATE_RESOLVED,              /* failures, then a mitigation, none since */
    MD_IPSTATE_OPEN,                  /* failures without a mitigation after them */
    MD_IPSTATE_RECURRENCE             /* failures came back after a mitigation */
} md_ip_state;

typedef struct md_ip_history {
    char ip[MD_IP_STRLEN];
    char host[128], role[128];        /* from the config, "" if unknown */
    md_ip_day *days;                  /* by day, oldest first */
    size_t ndays;
    md_case_ip_ticket *tickets;
    size_t ntickets;
    md_case_request *requests;
    size_t nrequests;
    md_case_answer *answers;
    size_t nanswers;
    md_rep_day *rep;                  /* SNDS rows and DMARC results by UTC day, oldest first */
    size_t nrep;
    md_rep_dmarc_sum *dmarc;          /* DMARC results per reporter, most messages first */
    size_t ndmarc;
    uint64_t failures;                /* failed attempts + filtered/failed ticket findings */
    int64_t first_failure, last_failure;
    int64_t last_mitigation;          /* date of the latest mitigation-type answer, 0 none */
    char last_answer[MD_CASE_OUTCOME];/* outcome token of the latest answer, "" none */
    int64_t last_answer_date;
    int64_t recurrence_at;            /* first failure after the first mitigation
                                         (0: none); state RECURRENCE while no
                                         mitigation came after the last failure */
    md_ip_state state;
} md_ip_history;

const char *md_ip_state_name(md_ip_state s);

/* md_analysis_ip_history: the history of ip (text form).  0 (also when
 * nothing is known: then every count is 0, md_ip_history_known says 0),
 * MD_ERR_ARG (not an IP). */
int md_analysis_ip_history(md_store *st, const md_config *cfg, const char *ip,
                           md_ip_history *out, md_err *err);
void md_analysis_ip_history_free(md_ip_history *h);

/* md_ip_history_known: 1 when the store knows anything of the IP: days of
 * deliveries or failures, tickets, requests, answers, SNDS rows or DMARC
 * results. */
int md_ip_history_known(const md_ip_history *h);

/* md_analysis_status: histories of every IP the store and config know,
 * those with open problems (all when `all`), recurrences first, then open
 * ones, each group by last failure (newest first).  *out: free each with
 * md_analysis_ip_history_free, then free(*out). */
int md_analysis_status(md_store *st, const md_config *cfg, int all, md_ip_history **out,
                       size_t *n, md_err *err);

#endif
