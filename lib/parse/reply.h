/* reply.h: what a remote SMTP reply (or DSN diagnostic) says.
 *
 * NAME
 *   md_reply_classify, md_reply_reason_name, md_reply_reason_parse,
 *   md_reply_is_ms_host, md_reply_is_ms_consumer_domain, md_reply_is_ms_addr
 *
 * DESCRIPTION
 *   md_reply_classify reads one reply text, as kept whole in a log line
 *   ("host X said: 550 5.7.1 ... (in reply to RCPT TO command)", sendmail's
 *   "Deferred: 451 4.7.650 ...", exim's C="250 ...") or a DSN
 *   Diagnostic-Code, and finds: the SMTP code and enhanced status (the
 *   first ones in the text), whether the peer is Microsoft (from the peer
 *   host name when given, else from markers in the text), the reason in
 *   sisimai's names, Microsoft's own code (S3150, S775, RP-001, ...), the IP
 *   the text names ("[1.2.3.4]", "(1.2.3.4)", "from 1.2.3.4"), and from an
 *   acceptance Microsoft's InternalId=, Hostname=, the quoted Message-ID
 *   ("250 2.6.0 <id> ... Queued mail for delivery", also the older "250 <id>
 *   Queued mail for delivery") and the trailing server bracket
 *   "[FRONTEND.prod.protection.outlook.com 2023-09-21T22:58:42.927Z ID]".
 *   Matching is ASCII case-insensitive and needs no valid UTF-8.
 *
 *   Microsoft's table (formats.md): S3150/S3140 and 5.7.606-649 "banned
 *   sending IP", 5.7.511, 5.7.25 (PTR): blocked; 4.7.650/4.7.651 (S775,
 *   S3114): badreputation; 4.7.500 "Server busy": speeding; other 4.7.5xx/6xx
 *   "Access denied, please try again later": blocked; 4.7.652 (S3115):
 *   toomanyconn; 5.7.509/5.7.23/4.7.26/5.7.515: authfailure; RP-001/002:
 *   badreputation, RP-003: toomanyconn; SC-001..003, DY-*, OU-001: blocked;
 *   SC-004, OU-002: spamdetected.  Other texts: 5.1.1 / "user unknown"...:
 *   userunknown; 4.2.2/5.2.2 / "mailbox full", "over quota": mailboxfull;
 *   "blocked using", "listed at": blocked; and more (see reply.c).
 *
 * OWNERSHIP
 *   md_reply is a plain value; its spans point into the text given and are
 *   valid as long as it is; ip is a copy (canonical form).  Nothing to free.
 *
 * DIAGNOSTICS
 *   md_reply_classify never fails: an empty or unknown text gives code 0,
 *   reason MD_RSN_UNDEFINED.  Texts longer than MD_LIMIT_LINE are read up to
 *   that length.
 */
#ifndef MD_REPLY_H
#define MD_REPLY_H

#include <stddef.h>
#include "base/ipaddr.h"
#include "parse/logline.h"   /* md_span */

/* Reasons, named as sisimai names them (md_reply_reason_name). */
typedef enum md_reason {
    MD_RSN_UNDEFINED = 0,   /* "undefined" (also: no text) */
    MD_RSN_DELIVERED,       /* "delivered": a 2xx acceptance */
    MD_RSN_BLOCKED,         /* "blocked": the sending IP is refused */
    MD_RSN_BADREPUTATION,   /* "badreputation": throttled/refused for reputation */
    MD_RSN_SPEEDING,        /* "speeding": rate limited, server busy */
    MD_RSN_TOOMANYCONN,     /* "toomanyconn" */
    MD_RSN_AUTHFAILURE,     /* "authfailure": SPF/DKIM/DMARC */
    MD_RSN_REQUIREPTR,      /* "requireptr": no reverse DNS (non-Microsoft texts) */
    MD_RSN_SPAMDETECTED,    /* "spamdetected" */
    MD_RSN_FILTERED,        /* "filtered" */
    MD_RSN_POLICYVIOLATION, /* "policyviolation" */
    MD_RSN_USERUNKNOWN,     /* "userunknown" */
    MD_RSN_MAILBOXFULL,     /* "mailboxfull" */
    MD_RSN_SUSPEND,         /* "suspend": mailbox disabled */
    MD_RSN_HOSTUNKNOWN,     /* "hostunknown" */
    MD_RSN_NORELAYING,      /* "norelaying" */
    MD_RSN_MESGTOOBIG,      /* "mesgtoobig" */
    MD_RSN_EXCEEDLIMIT,     /* "exceedlimit" */
    MD_RSN_VIRUSDETECTED,   /* "virusdetected" */
    MD_RSN_NETWORKERROR,    /* "networkerror": timeout, refused, DNS */
    MD_RSN_EXPIRED,         /* "expired": given up after the queue lifetime */
    MD_RSN_SYSTEMERROR,     /* "systemerror" */
    MD_RSN_REJECTED,        /* "rejected": the sender address refused */
    MD_RSN_SECURITYERROR,   /* "securityerror" */
    MD_RSN_SYNTAXERROR,     /* "syntaxerror" */
    MD_RSN_COUNT
} md_reason;

typedef struct md_reply {
    int code;               /* SMTP reply code (250, 451, 550), 0 if none */
    int cls;                /* 2, 4, 5 from status or code; 0 if none */
    char status[12];        /* enhanced status "5.7.1", "" if none */
    int reason;             /* md_reason */
    int ms_table;           /* 1: the reason is from Microsoft's own table (formats.md) */
    int ms;                 /* 1: the peer is Microsoft (host or text markers) */
    int accepted;           /* 1: a 2xx acceptance ("Queued mail for delivery") */
    md_span ms_code;        /* "S3150", "S775", "RP-001", "SC-001", ... */
    md_span named_ip_text;  /* the IP literal as written in the text */
    char named_ip[MD_IP_STRLEN]; /* the same, canonical; "" if none */
    md_span internal_id;    /* value of InternalId= */
    md_span ms_hostname;    /* value of Hostname= */
    md_span quoted_msgid;   /* "<id>" quoted in an acceptance, with brackets */
    md_span queued_as;      /* "queued as X" / "ok ... id=X" next-hop queue id */
    md_span server;         /* contents of the trailing "[HOST time ID]" bracket */
    const char *detail;     /* static English words for the reason found
                               ("IP on Microsoft's block list (S3150)"), "" if none */
} md_reply;

/* md_reply_classify: classify text[0..n).  peer_host (may be NULL, length
 * hn) is the host the reply came from (relay=), used for ms.  Fills *out
 * (zeroed first). */
void md_reply_classify(md_reply *out, const char *text, size_t n, const char *peer_host,
                       size_t hn);

/* md_reply_reason_name: "blocked", "userunknown", ... ("undefined" for 0 or
 * out of range). */
const char *md_reply_reason_name(int reason);
/* md_reply_reason_parse: a name back to md_reason; MD_RSN_UNDEFINED if unknown. */
int md_reply_reason_parse(const char *name);
/* md_reply_reason_recipient: 1 if the reason is about the recipient
 * (userunknown, mailboxfull, suspend, hostunknown), not about the sending
 * IP: such a failure is no IP reputation problem. */
int md_reply_reason_recipient(int reason);
/* md_reply_status_banned: the enhanced status is Microsoft's 5.7.606 to
 * 5.7.649, "banned sending IP" (remedy: its delist portal, not the
 * sender-support form). */
int md_reply_status_banned(const char *status);

/* md_reply_is_ms_host: host[0..n) (a trailing dot allowed, any case) is one
 * of Microsoft's mail hosts: *.olc.protection.outlook.com,
 * *.mail.protection.outlook.com, *.prod.outlook.com, *.outlook.com,
 * *.hotmail.com (mx3.hotmail.com). */
int md_reply_is_ms_host(const char *host, size_t n);
/* md_reply_is_ms_consumer_domain: domain[0..n) is a Microsoft consumer mail
 * domain: hotmail.*, outlook.*, live.*, msn.com, windowslive.com,
 * passport.com (any case, trailing dot allowed). */
int md_reply_is_ms_consumer_domain(const char *domain, size_t n);
/* md_reply_is_ms_addr: the address addr[0..n) ("<u@hotmail.de>" or bare)
 * is in a Microsoft consumer domain. */
int md_reply_is_ms_addr(const char *addr, size_t n);

#endif
