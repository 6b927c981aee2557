/* store_case.h: the case area of the store: tickets, requests to
 * Microsoft's sender support, Microsoft's answers per IP.
 *
 * What the other areas hold is evidence; this area holds what was done with
 * it: the tickets a dossier was made for (number, addresses, window, the
 * affected IPs found, files written, when), the mitigation requests written
 * (date, window, IPs, tickets, file) and Microsoft's answers (per IP: the
 * outcome, the date of the mail, the message it came from).  IP history,
 * recurrence and open problems are assembled by lib/dossier/analysis.c from these
 * and the other areas' queries.
 *
 * Conventions: times are unix seconds (0 = unknown); IPs are canonical text
 * (md_ip_format); strings are copied in, never kept; arrays handed out are
 * malloc'ed plain values the caller free()s.  Every function returns 0 or a
 * negative MD_ERR_* code with the reason in err; writes run in their own
 * transaction unless the caller has one open (then they join it).
 */
#ifndef MD_STORE_CASE_H
#define MD_STORE_CASE_H

#include <stddef.h>
#include <stdint.h>
#include "base/err.h"
#include "base/ipaddr.h"
#include "store/store.h"

#define MD_CASE_NUMBER  64     /* bytes of a ticket number */
#define MD_CASE_TEXT    1024   /* bytes of a summary / evidence line */
#define MD_CASE_OUTCOME 32

/* ---- tickets ------------------------------------------------------------ */

typedef struct md_case_ticket {
    int64_t id;
    char number[MD_CASE_NUMBER];
    int64_t since, until;           /* the window the dossier covered */
    int redact;                     /* 1: third parties redacted */
    int64_t generated_at;           /* last time the dossier was made */
    char outcome[MD_CASE_OUTCOME];  /* overall outcome token (dossier.xsd outcome) */
    char summary[MD_CASE_TEXT];     /* the verdict sentence (redacted form) */
    char addresses[MD_CASE_TEXT];   /* the ticket's addresses, ", " separated */
    char files[MD_CASE_TEXT];       /* files written, ", " separated */
} md_case_ticket;

/* One affected IP found for a ticket. */
typedef struct md_case_ticket_ip {
    char ip[MD_IP_STRLEN];
    int64_t first_seen, last_seen;
    char outcome[MD_CASE_OUTCOME];  /* worst outcome seen for this IP */
    uint64_t failures;              /* attempts/messages that failed or were filtered */
    uint64_t total;
    char evidence[MD_CASE_TEXT];    /* one line (redacted) */
} md_case_ticket_ip;

/* md_store_case_ticket_save: create or update the ticket t->number (number,
 * window, redact, generated_at, outcome, summary) and replace its
 * addresses, affected IPs and files with the ones given (files: paths
 * and formats "pdf", "txt", "xml" side by side; nfiles may be 0).
 * Sets t->id. */
int md_store_case_ticket_save(md_store *st, md_case_ticket *t, const char *const *addrs,
                              size_t naddrs, const md_case_ticket_ip *ips, size_t nips,
                              const char *const *files, const char *const *formats,
                              size_t nfiles, md_err *err);

/* md_store_case_ticket_get: the ticket with that number (addresses and files
 * joined into t->addresses / t->files).  MD_ERR_NOTFOUND when absent. */
int md_store_case_ticket_get(md_store *st, const char *number, md_case_ticket *out,
                             md_err *err);

/* md_store_case_ticket_addrs: the ticket's addresses as a malloc'ed array of
 * fixed strings (free()). */
typedef struct md_case_addr {
    char addr[512];
} md_case_addr;
int md_store_case_ticket_addrs(md_store *st, const char *number, md_case_addr **out,
                               size_t *n, md_err *err);

/* md_store_case_ticket_list: every ticket, newest first; only those whose
 * window overlaps [since, until] when those are not 0. */
int md_store_case_ticket_list(md_store *st, int64_t since, int64_t until,
                              md_case_ticket **out, size_t *n, md_err *err);

/* md_store_case_ticket_ips: the affected IPs recorded for a ticket. */
int md_store_case_ticket_ips(md_store *st, const char *number, md_case_ticket_ip **out,
                             size_t *n, md_err *err);

/* md_store_case_ip_tickets: the tickets that found this IP affected, with
 * that ticket's per-IP record (ticket number in `number`), oldest first. */
typedef struct md_case_ip_ticket {
    char number[MD_CASE_NUMBER];
    int64_t generated_at;
    md_case_ticket_ip rec;
} md_case_ip_ticket;
int md_store_case_ip_tickets(md_store *st, const char *ip, md_case_ip_ticket **out,
                             size_t *n, md_err *err);

/* ---- requests ----------------------------------------------------------- */

typedef struct md_case_request {
    int64_t id;
    int64_t created_at;
    int64_t since, until;           /* window (0 when built from tickets only) */
    char file[1024];                /* where it was written ("" = standard output) */
    char case_number[64];           /* Microsoft's case number ("" = not given) */
    int64_t withdrawn_at;           /* 0 = standing */
    char withdrawn_why[256];
    char ips[MD_CASE_TEXT];         /* "; " separated */
    char tickets[MD_CASE_TEXT];     /* ", " separated */
} md_case_request;

/* md_store_case_request_add: record a request sent to Microsoft at
 * created_at (its file as an absolute path or "", Microsoft's case number
 * or NULL, its IPs and tickets); *id (may be NULL) receives its id.  A
 * preview is not a request: the caller records one only when told it was
 * sent. */
int md_store_case_request_add(md_store *st, int64_t created_at, int64_t since,
                              int64_t until, const char *file, const char *case_number,
                              const char *const *ips, size_t nips,
                              const char *const *tickets, size_t ntickets, int64_t *id,
                              md_err *err);

/* md_store_case_requests: requests that listed ip (every request when ip is
 * NULL), oldest first, each with all its IPs and tickets joined; withdrawn
 * ones included (withdrawn_at != 0). */
int md_store_case_requests(md_store *st, const char *ip, md_case_request **out, size_t *n,
                           md_err *err);

/* md_store_case_request_get: request id into *out; MD_ERR_NOTFOUND when
 * there is none. */
int md_store_case_request_get(md_store *st, int64_t id, md_case_request *out, md_err *err);

/* md_store_case_request_withdraw: mark request id withdrawn at `at` with a
 * reason (may be NULL); it stays in the store, marked.  MD_ERR_NOTFOUND
 * when there is no such request, MD_ERR_ARG when it is withdrawn already. */
int md_store_case_request_withdraw(md_store *st, int64_t id, int64_t at, const char *why,
                                   md_err *err);

/* ---- Microsoft's answers ------------------------------------------------ */

typedef struct md_case_answer {
    int64_t id;
    char ip[MD_IP_STRLEN];
    char outcome[MD_CASE_OUTCOME];  /* md_msreply_outcome_name() token */
    int64_t date;                   /* Date of the mail (0 unknown) */
    int64_t msg_row;                /* store row of the mail (0 unknown) */
    char message_id[512];           /* Message-ID of the mail, "" unknown */
    char ref[64];                   /* Microsoft's case reference */
    char text[512];                 /* Microsoft's explanation */
} md_case_answer;

/* md_store_case_answer_add: record one answer.  The same (ip, outcome,
 * date, message_id) again is ignored; *added (may be NULL) says 1 or 0. */
int md_store_case_answer_add(md_store *st, const md_case_answer *a, int *added,
                             md_err *err);

/* md_store_case_answers: answers about ip (every answer when ip is NULL),
 * in date order. */
int md_store_case_answers(md_store *st, const char *ip, md_case_answer **out, size_t *n,
                          md_err *err);

/* ---- IPs the case area knows ------------------------------------------- */

typedef struct md_case_ipref {
    char ip[MD_IP_STRLEN];
} md_case_ipref;

/* md_store_case_known_ips: every distinct IP named by a ticket, a request or
 * an answer, sorted. */
int md_store_case_known_ips(md_store *st, md_case_ipref **out, size_t *n, md_err *err);

#endif
