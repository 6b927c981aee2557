/* analysis.h: from evidence to answers: the ticket dossier, the request to
 * Microsoft's sender support, an IP's history and the open problems.
 *
 * md_analysis_ticket correlates everything the store holds about a
 * ticket's addresses inside a window (log messages with the messages linked
 * to them, message headers, bounces and complaints, forwarding rules,
 * reputation data, Microsoft's answers), decides per message what happened
 * in plain words, collects the affected IPs (every IP of ours Microsoft saw:
 * sending IPs of delivery attempts to Microsoft, our IPs in the Received
 * chains of those messages, IPs Microsoft named in its replies and bounces)
 * and writes the evidence document of templates/dossier.xsd.
 * md_analysis_request writes templates/request.xsd over tickets or a window.
 * md_analysis_ip_history and md_analysis_status read an IP's story (evidence
 * by day, requests, answers, recurrence) and the IPs with open problems.
 *
 * Evidence areas that hold nothing (no rules, no messages, no reputation
 * data ingested) are said so in the document's notes, never invented.
 * A negative verdict ("no message ... reached our servers") is given only
 * when the logs of every host that would have seen the message cover the
 * window (coverage.c); otherwise the summary says what is missing and
 * summary.evidence_incomplete is set.
 * Third parties' local parts are redacted (*snip*@domain) unless
 * opts.redact is 0; the ticket's own addresses, the targets its addresses
 * forward to and Message-IDs stay.  The library never prints; SQL stays in
 * lib/store*.c.
 *
 * Ownership: documents returned are the caller's (xmlFreeDoc); result
 * structs are freed with their _free function (safe on zeroed structs).
 */
#ifndef MD_ANALYSIS_H
#define MD_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>
#include <libxml/tree.h>
#include "base/config.h"
#include "base/err.h"
#include "store/store.h"
#include "store/store_case.h"
#include "base/md_limits.h"


/* md_analysis_ticket_valid: 1 if number is a usable ticket number: 1 to 63
 * characters of [A-Za-z0-9_.-], not starting with '.' or '-' (so no path
 * made from it leaves the output directory). */
int md_analysis_ticket_valid(const char *number);

/* md_analysis_ticket_window: the default window of an OTRS/Znuny number
 * (YYYYMMDD...): [midnight of that day - before days, midnight of the day
 * + after + 1 days - 1 s], in UTC like the log area's zone-less stamps.
 * 0, or MD_ERR_ARG when the number does not start with a plausible date. */
int md_analysis_ticket_window(const char *number, int before_days, int after_days,
                              int64_t *since, int64_t *until, md_err *err);

typedef struct md_analysis_opts {
    const char *ticket;               /* number (validated by the caller) */
    const char *const *addrs;         /* the ticket's addresses */
    size_t naddrs;
    int64_t since, until;             /* window, unix seconds */
    int redact;                       /* 1: redact third parties (default) */
    int64_t now;                      /* generated-at; 0 = time(NULL) */
} md_analysis_opts;

/* What the dossier found, for the case area and the command's output. */
typedef struct md_analysis_summary {
    char outcome[MD_CASE_OUTCOME];    /* overall outcome token */
    char verdict[MD_CASE_TEXT];       /* first verdict sentence (redacted form) */
    size_t messages;                  /* messages in the dossier */
    int evidence_incomplete;          /* 1: a negative verdict ("never reached our
                                         servers") was withheld because the logs
                                         do not cover the window (coverage.c) */
    md_case_ticket_ip *ips;           /* affected IPs (malloc'ed) */
    size_t nips;
} md_analysis_summary;

void md_analysis_summary_free(md_analysis_summary *s);

/* md_analysis_ticket: build the dossier document.  *doc is the caller's
 * (xmlFreeDoc); sum (may be NULL) receives the summary (free with
 * md_analysis_summary_free).  0 or a negative code (err). */
int md_analysis_ticket(md_store *st, const md_config *cfg, const md_analysis_opts *o,
                       xmlDoc **doc, md_analysis_summary *sum, md_err *err);


/* md_analysis_request: build the request document over the given tickets
 * (numbers of tickets in the store; their addresses and windows are used)
 * and/or the window [since, until] (0 = none).  Redaction is always on.
 * *ips / *nips (may be NULL) receive the IPs listed (malloc'ed array). */
int md_analysis_request(md_store *st, const md_config *cfg, const char *const *tickets,
                        size_t ntickets, int64_t since, int64_t until, int64_t now,
                        xmlDoc **doc, md_case_ipref **ips, size_t *nips, md_err *err);

#endif
