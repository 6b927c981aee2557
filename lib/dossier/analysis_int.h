/* analysis_int.h: private to the ticket analysis (analysis.c, verdict.c,
 * evidence.c, dossier.c, request.c, iphistory.c): the context one analysis
 * works in, its threads and IPs, and the helpers the parts share.  Nothing
 * outside these files includes it.  Names: md_an_*. */
#ifndef MD_ANALYSIS_INT_H
#define MD_ANALYSIS_INT_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <stdarg.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include "dossier/analysis.h"
#include "dossier/sources.h"
#include "analysis/iphistory.h"
#include "base/buf.h"
#include "base/ipaddr.h"
#include "parse/msantispam.h"
#include "parse/msreply.h"
#include "parse/reply.h"
#include "store/store_msg.h"
#include "store/store_rep.h"
#include "store/store_rules.h"
#include "base/text.h"
#include "analysis/trace.h"
#include "version.h"

#define BX (const xmlChar *)

/* outcome tokens of dossier.xsd, ranked: a thread takes the worst. */
enum {
    OC_UNKNOWN = 0, OC_DELIVERED, OC_ACCEPTED, OC_FORWARDED, OC_MISSING, OC_DEFERRED,
    OC_EXPIRED, OC_BOUNCED, OC_REJECTED, OC_FILTERED,
    OC_NOTRECEIVED,            /* accepted by Microsoft and, per the ticket, not received */
    OC_COUNT
};

typedef struct ipinfo {
    char ip[MD_IP_STRLEN];
    const md_host *host;
    int64_t first, last;
    uint64_t count[OC_COUNT];
    uint64_t failures, total;
    md_buf ev;                 /* evidence items: kind \x1f msgref \x1f text \x1f cite \x1e ... */
    size_t nev;
    char first_line[MD_CASE_TEXT]; /* the line the request shows for this IP */
    char first_cite[256];      /* the sources of first_line */
    int lead_rank;             /* how well first_line names the IP (md_an_ip_lead) */
} ipinfo;

typedef struct thread {
    size_t *m;                 /* trace message indexes, in time order */
    size_t nm;
    int64_t t;
    int oc;
    int ms;                    /* has a delivery attempt to Microsoft */
    int ipprob;                /* Microsoft refused, deferred or (per the ticket) lost it:
                                  its IPs are affected (recipient errors and mail
                                  accepted and not reported missing are not) */
    char ref[16];              /* m1, m2, ... */
    md_buf verdict, shorttext;
    md_buf cite;               /* the sources its verdict narrates (sources.h) */
    /* messages of the msg area about this thread (by Message-ID), or the
     * one message a standalone thread (nm == 0) is made of */
    int64_t mrow[16];
    char mkind[16][16];
    size_t msrc[16];           /* each stored message's source number */
    size_t nmrow;
    int64_t mdate;
    char mfrom[512], mto[512], msubject[256], mmsgid[512];
} thread;

/* coverage.c: which hosts' logs cover the window */
typedef struct cover_gap {
    int64_t from, to;          /* no line of the host in between */
} cover_gap;

typedef struct cover_host {
    char name[256];            /* syslog host (or configured host without logs) */
    int expected;              /* would have seen a message (coverage.c's rule) */
    int stored;                /* has log lines in the store */
    int unhourly;              /* some of its lines were stored without hour counts */
    const md_host *cfg;        /* configured host, or NULL */
    int64_t first, last;       /* its first and last line in the window, 0: none */
    uint64_t lines;            /* its lines in the window */
    cover_gap gaps[MD_COVER_GAPS_SHOWN];
    size_t ngaps;              /* gaps found (the first MD_COVER_GAPS_SHOWN kept) */
} cover_host;

typedef struct cover {
    cover_host *h;
    size_t n, cap;
    int64_t from, to;          /* the part of the window checked */
    int64_t gap;               /* seconds without a line that are a gap */
    int64_t s_first, s_last;   /* the store's log lines, all hosts */
    uint64_t s_lines;
    int read, complete, oom;
} cover;

typedef struct ctx {
    md_store *st;
    const md_config *cfg;
    const md_analysis_opts *o;
    int redact;
    char **keep;               /* NULL-terminated, lower case: never redacted */
    size_t nkeep, capkeep;
    md_trace_result *tr;
    thread *th;
    size_t nth;
    ipinfo *ips;
    size_t nips, capips;
    md_buf notes;              /* notes: cite \x1f text \n ... */
    md_srcs *src;              /* the document's sources (the caller's) */
    int strict;                /* request: redact every address (keep Message-IDs only) */
    md_resolution res[MD_ANALYSIS_MAX_ADDRS]; /* forwarding of each ticket address */
    size_t nres;
    int rules_stored;          /* the rules area holds rules at all */
    cover cov;                 /* the logs' coverage of the window (ticket only) */
    int withheld;              /* a negative verdict was not given: logs incomplete */
    md_err *err;
} ctx;

/* analysis.c: the context, redaction, threads, XML helpers */
int md_an_analyse(ctx *c);
int md_an_build_threads(ctx *c);
void md_an_ctx_free(ctx *c);
xmlNode *md_an_el(xmlNode *parent, const char *name);
const char *md_an_fmt_day(int64_t t, char *buf, size_t n);
const char *md_an_fmt_short(int64_t t, char *buf, size_t n);
int md_an_ip_valid(const char *s);
int md_an_is_bounce_msg(const ctx *c, size_t mi);
int md_an_is_forwarded_copy(const ctx *c, size_t mi);
int md_an_is_ticket_addr(const ctx *c, const char *a);
/* md_an_note: a note for the reader, citing its sources (cite: "s1 s4") */
void md_an_note(ctx *c, const char *cite, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* md_an_claim: a text element citing its sources (sources.h) */
xmlNode *md_an_claim(xmlNode *parent, const char *name, const char *s, const char *cite);

/* tlsrep.c: Microsoft's TLS reports about our domains in the window
 * (element tls-reports after ips, only when there are some) */
void md_an_build_tls(ctx *c, xmlNode *root);

/* reqdomain.c: the request's paragraphs on our sending domains and
 * Outlook.com's authentication rule (element domain-authentication, only
 * when a domain was over the daily threshold or refused with 5.7.515) */
void md_an_req_domains(xmlNode *root, md_store *st, const md_config *cfg, int64_t since,
                       int64_t until, md_srcs *src);
/* the source of log line i of message m, of an attempt, of a config key, of
 * a whole store area (their numbers; 0 when out of memory) */
size_t md_an_src_line(ctx *c, const md_trace_msg *m, size_t i);
size_t md_an_src_dlv(ctx *c, const md_trace_msg *m, const md_trace_dlv *d);
/* md_an_cite1: cite with the one source no, as text in buf */
const char *md_an_cite1(size_t no, char *buf, size_t n);
extern const char *const md_an_oc_names[OC_COUNT];
void md_an_red(ctx *c, md_buf *out, const char *s);
void md_an_redaddr(ctx *c, md_buf *out, const char *a);
xmlNode *md_an_time_el(xmlNode *parent, const char *name, int64_t t);
xmlNode *md_an_txt(xmlNode *parent, const char *name, const char *s);
xmlNode *md_an_txt_addr(ctx *c, xmlNode *parent, const char *name, const char *a);
xmlNode *md_an_txt_red(ctx *c, xmlNode *parent, const char *name, const char *s);
xmlNode *md_an_txtf(xmlNode *parent, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* verdict.c: what became of each thread, in words; the IPs it names */
int md_an_dlv_oc(const md_trace_dlv *d);
void md_an_ip_evidence(ctx *c, ipinfo *x, const char *kind, const char *ref, const char *text,
                       const char *cite);
/* md_an_ip_lead: text (with its sources, cite) becomes the IP's line for
 * the request when rank is higher than its current one (MD_AN_LEAD_*) */
enum { MD_AN_LEAD_ACCEPTED = 1, MD_AN_LEAD_HOP, MD_AN_LEAD_FAILED, MD_AN_LEAD_NAMED };
void md_an_ip_lead(ctx *c, ipinfo *x, int rank, const char *text, const char *cite);
/* md_an_rcpt_error: the attempt failed for its recipient (unknown, mailbox
 * full or disabled, domain unknown), not for the sending IP */
int md_an_rcpt_error(const md_trace_dlv *d);
/* md_an_rcpt_in_scope: is rcpt of message mi the ticket's business?  On a
 * message to a ticket address (or a forward target of one) only those
 * recipients are; otherwise (mail sent by a ticket address, a window
 * without addresses) all are. */
int md_an_rcpt_in_scope(const ctx *c, size_t mi, const char *rcpt);
ipinfo *md_an_ip_get(ctx *c, const char *ipstr);
/* md_an_same_ip: md_find_or_add's test for structs whose first member is
 * the IP (ipinfo, request.c's req_ip) */
int md_an_same_ip(const void *element, const void *ip);
void md_an_ip_seen(ipinfo *x, int64_t t);
void md_an_ips_thread(ctx *c, thread *t);
void md_an_sentence_sep(md_buf *b);
void md_an_verdict_thread(ctx *c, thread *t);
/* md_an_cite_thread: t->cite := the attempts its verdict narrates, its
 * stored messages, the rules and the ticket it relies on */
void md_an_cite_thread(ctx *c, thread *t);
/* hdrev.c: md_an_hdrev_thread: where Outlook.com filed the thread's stored
 * copies and how forwarded copies were authenticated (SRS, DKIM, ARC), as
 * sentences added to its verdict (its stored messages are cited already) */
void md_an_hdrev_thread(ctx *c, thread *t);

/* evidence.c: the stored messages' evidence (Received hops, authentication, bounces, forwarding) */
void md_an_build_auth(ctx *c, xmlNode *x, thread *t);
void md_an_build_bounces(ctx *c, xmlNode *x, thread *t);
void md_an_build_forwarding(ctx *c, xmlNode *root);
void md_an_build_hops(ctx *c, xmlNode *x, thread *t);
int md_an_cmp_thread(const void *a, const void *b);
void md_an_msg_ips(ctx *c, thread *t);
void md_an_msg_lookup(ctx *c, thread *t);
int md_an_standalone(ctx *c);
void md_an_verdict_standalone(ctx *c, thread *t);
/* md_an_copy_junked: a stored copy of the thread carries Microsoft's spam
 * verdict (SFV:SPM or SCL >= 5): 1 and its words appended to words */
int md_an_copy_junked(ctx *c, const thread *t, md_buf *words);

/* coverage.c: the evidence coverage (md_an_cover_read before the verdicts) */
int md_an_cover_read(ctx *c);
void md_an_cover_free(cover *cv);
void md_an_cover_missing(const ctx *c, md_buf *out);
size_t md_an_cover_short(const ctx *c);
void md_an_build_coverage(ctx *c, xmlNode *parent);

/* dossier.c: the evidence document of a ticket and its files */
void md_an_build_header(ctx *c, xmlNode *root, int64_t now);
void md_an_build_ips(ctx *c, xmlNode *root);
void md_an_build_message(ctx *c, xmlNode *msgs, thread *t);
void md_an_build_summary(ctx *c, xmlNode *root, md_analysis_summary *sum);
void md_an_build_timeline(ctx *c, xmlNode *root);

#endif
