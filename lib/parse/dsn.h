/* dsn.h: bounces: RFC 3464 delivery status notifications and the
 * non-standard bounces of Exchange, Office 365 / Outlook.com, Postfix,
 * sendmail, qmail, Exim and others that only carry text.
 *
 * md_dsn_parse looks at a parsed message: the message/delivery-status part
 * (per-message Reporting-MTA, Arrival-Date; per recipient Final-Recipient,
 * Original-Recipient, Action, Status, Remote-MTA, Diagnostic-Code,
 * Last-Attempt-Date) when there is one, and the human-readable text (for
 * the diagnostic Microsoft's NDRs give as "Remote Server returned '...'",
 * and for bounces without a report part).  The attached original (message/
 * rfc822 or text/rfc822-headers) gives the original Message-ID, sender,
 * recipient and subject.
 *
 * Each failed recipient is classified (md_dsn_classify): SMTP reply code
 * and enhanced status (also when only the text carries them), reason in
 * sisimai's names, hard/soft, whether Microsoft answered, the IP that
 * Microsoft's text names and Microsoft's server/time/id bracket.
 *
 * md_dsn is a plain value (fixed arrays); nothing to free.  Never prints.
 */
#ifndef MD_DSN_H
#define MD_DSN_H

#include <stddef.h>
#include <stdint.h>
#include "base/ipaddr.h"
#include "parse/message.h"
#include "base/md_limits.h"

#define MD_DSN_DIAG     1024

typedef enum md_dsn_kind {
    MD_DSN_NONE = 0,     /* not a bounce */
    MD_DSN_RFC3464,      /* has a message/delivery-status part */
    MD_DSN_TEXT          /* a bounce in text only */
} md_dsn_kind;

typedef struct md_dsn_rcpt {
    char final_rcpt[512];    /* normalised address */
    char orig_rcpt[512];     /* Original-Recipient, normalised, "" */
    char action[32];         /* failed, delayed, delivered, relayed, expanded ("" = failed for text bounces) */
    char status[16];         /* enhanced status "5.7.606", "" when none was found */
    int status_from_text;    /* 1 if the status came from the text, not a Status field */
    int status_derived;      /* 1 if no status was written anywhere: "5.0.0" is the class of
                                the reply code (also status_from_text) */
    int reply_code;          /* 550, 451, ...; 0 when none */
    char remote_mta[256];    /* Remote-MTA (without "dns;") or the host the text names */
    char diag[MD_DSN_DIAG];  /* Diagnostic-Code (without "smtp;") or the text's reason, unfolded */
    char last_attempt[64];   /* Last-Attempt-Date as written */
    int64_t last_attempt_date;
    /* classification */
    char diag_type[16];      /* Diagnostic-Code type, lower case ("smtp", "x-unix"), "" */
    char command[8];         /* SMTP command refused: "RCPT", "MAIL", "DATA", "HELO", "CONN", "" */
    char reason[32];         /* sisimai reason name ("blocked", "userunknown", ...; never "" after
                                md_dsn_classify: "undefined" when nothing is known) */
    char side[12];           /* md_bounce_side: "sender", "recipient", "message" or "" */
    int hard;                /* 1 hard bounce, 0 soft (temporary / delay) */
    int microsoft;           /* 1 if Microsoft produced the answer */
    char named_ip[MD_IP_STRLEN]; /* the IP the text holds against us ("" if none) */
    char ms_bracket[256];    /* "[X.prod.protection.outlook.com 2023-09-21T22:58:42.927Z ID]" */
    int banned_ip;           /* Microsoft's 5.7.606-5.7.649 "banned sending IP": the remedy is
                                the delist portal (sender.office.com), not the support form */
    /* the authentication results a refusal names one by one (Microsoft's
     * 5.7.515 "SPF: fail, DKIM: none, DMARC: fail"), lower case, "" if not named */
    char auth_spf[16], auth_dkim[16], auth_dmarc[16];
} md_dsn_rcpt;

typedef struct md_dsn {
    md_dsn_kind kind;
    char vendor[32];         /* "rfc3464", "office365", "exchange", "outlook.com", "postfix",
                                "sendmail", "qmail", "exim", "other" */
    char reporting_mta[256];
    char arrival_text[64];
    int64_t arrival_date;
    /* the original message, from the attached copy */
    char orig_message_id[512];
    char orig_from[512];
    char orig_to[512];
    char orig_subject[256];
    int64_t orig_date;
    md_dsn_rcpt rcpt[MD_DSN_MAX_RCPT];
    size_t n;
    int truncated;           /* more recipients than MD_DSN_MAX_RCPT */
} md_dsn;

/* md_dsn_parse: read m into *out (zeroed first when m is a bounce; else
 * only kind = MD_DSN_NONE and n = 0 are set).  Returns 1 if m is a bounce
 * (out->kind != MD_DSN_NONE), else 0. */
int md_dsn_parse(md_dsn *out, const md_message *m);

/* md_dsn_looks_like_bounce: 1 if m's sender/subject/content type say
 * bounce (null sender, MAILER-DAEMON, postmaster, "Undeliverable" ...). */
int md_dsn_looks_like_bounce(const md_message *m);

/* md_dsn_autoreply: 1 if m is an RFC 3834 auto-reply ("vacation": Auto-
 * Submitted: auto-replied, X-Autoreply, or a subject that opens with
 * "Automatic reply", "Out of Office", ...) sent by a person's mailbox, not
 * by a mailer daemon and without a delivery report.  md_dsn_parse calls
 * such a message no bounce. */
int md_dsn_autoreply(const md_message *m);

/* md_dsn_classify: fill reply_code/status (when still empty) and reason,
 * hard, microsoft, named_ip, ms_bracket of r from r->diag, r->status,
 * r->action and r->remote_mta. */
void md_dsn_classify(md_dsn_rcpt *r);

/* md_dsn_find_status: the first enhanced status code ("5.7.606") in
 * s[0..n) into dst (size >= 16).  1 if found. */
int md_dsn_find_status(const char *s, size_t n, char *dst, size_t dstsize);

/* md_dsn_find_reply_code: the first SMTP reply code (2xx-5xx followed by a
 * blank, '-' or the end) in s, 0 when none. */
int md_dsn_find_reply_code(const char *s, size_t n);

#endif
