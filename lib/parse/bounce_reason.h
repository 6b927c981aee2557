/* bounce_reason.h: the reason of one failed recipient of a bounce, in
 * sisimai's taxonomy, from what the bounce says about it.
 *
 * NAME
 *   md_bounce_reason, md_bounce_status_reason, md_bounce_status_entry,
 *   md_bounce_command, md_bounce_side, md_bounce_text_is
 *
 * DESCRIPTION
 *   md_bounce_reason decides one reason from the diagnostic text, the
 *   enhanced status, the SMTP reply code, the DSN Action and the SMTP
 *   command the refusal answered, in three steps (the rules sisimai
 *   documents, re-expressed here; see tests/corpus/DIFFERENCES.md for where
 *   we differ on purpose):
 *    1. reasons a specific status or a specific text settles, most
 *       specific first (mailboxfull, mesgtoobig, exceedlimit, suspend,
 *       hasmoved, norelaying, authfailure, requireptr, userunknown,
 *       filtered, rejected, hostunknown, spamdetected, speeding,
 *       toomanyconn, blocked).  A "user unknown" text is userunknown when
 *       the status says X.1.1 or the refusal answered RCPT TO; after DATA
 *       (or with no command known and no X.1.x status) it is filtered: the
 *       recipient's filter refused the content.  Sender-side texts are
 *       "rejected" when the refusal answered MAIL FROM or the status says
 *       X.1.7/X.1.8/X.7.27;
 *    2. the status table (RFC 3463 codes to reasons), unless it names only
 *       a generic reason, then the texts of the broader reasons
 *       (policyviolation, virusdetected, badreputation, securityerror,
 *       systemerror, networkerror, expired, contenterror, systemfull,
 *       notaccept, mailererror, ...), then the status class (X.6 content,
 *       X.7 security), 50x syntax, Action: delayed (expired), HELO/EHLO
 *       (blocked);
 *    3. an auto-reply text is vacation, any other text onhold, nothing at
 *       all undefined.
 *   A diagnostic of a type other than SMTP (X-Unix, X-Postfix: a local
 *   mailer's words) skips step 1 and is "mailererror" when step 2 finds
 *   nothing.  A 2.X.X status is "delivered".  The result is never empty.
 *
 *   md_bounce_status_reason maps an enhanced status to its reason by the
 *   table ("" when the code names none).  md_bounce_command finds the SMTP
 *   command a refusal answered ("in reply to RCPT TO command", Exim's
 *   "after MAIL FROM:", sendmail's ">>> DATA", qmail's "sender was
 *   rejected"): "RCPT", "MAIL", "DATA", "HELO", "CONN" or "".
 *   md_bounce_text_is: 1 if text matches a phrase of the named reason.
 *
 * OWNERSHIP
 *   Returned strings are static.  Texts are read, never kept; matching is
 *   ASCII case-insensitive over at most MD_BOUNCE_TEXT_MAX bytes.
 */
#ifndef MD_BOUNCE_REASON_H
#define MD_BOUNCE_REASON_H

#include <stddef.h>

#define MD_BOUNCE_TEXT_MAX 2048

typedef struct md_bounce_in {
    const char *diag;     /* diagnostic text ("" when none) */
    const char *status;   /* enhanced status "5.1.1" ("" when none) */
    int reply_code;       /* 550, ... (0 when none) */
    const char *action;   /* DSN Action ("" when none) */
    const char *command;  /* md_bounce_command's answer ("" when unknown) */
    const char *diag_type; /* Diagnostic-Code type: "smtp", "x-unix", ... ("" or NULL: none) */
} md_bounce_in;

/* md_bounce_reason: the reason name (static, never empty). */
const char *md_bounce_reason(const md_bounce_in *in);

/* md_bounce_status_reason: "userunknown" for "5.1.1", ... ; "" if none. */
const char *md_bounce_status_reason(const char *status);

/* md_bounce_status_entry: the i-th entry of the status table (for tests
 * that cover every entry): 1 and *code, *reason set, or 0 past the end. */
int md_bounce_status_entry(size_t i, const char **code, const char **reason);

/* md_bounce_command: the SMTP command text[0..n) says was refused; "" if none. */
const char *md_bounce_command(const char *text, size_t n);

/* md_bounce_side: whose side a refusal is about: "sender" (the envelope
 * sender, its domain or the sending host: rejected, blocked, requireptr,
 * authfailure, badreputation, speeding, toomanyconn, norelaying,
 * securityerror, or any refusal at MAIL FROM, HELO or the greeting),
 * "recipient" (userunknown, mailboxfull, suspend, hasmoved, hostunknown,
 * filtered, notaccept, exceedlimit), "message" (spamdetected,
 * virusdetected, contenterror, mesgtoobig, policyviolation,
 * notcompliantrfc), else "" (expired, network or system errors, undefined,
 * delivered, vacation). */
const char *md_bounce_side(const char *reason, const char *command);

/* md_bounce_text_is: 1 if text matches one of the phrases of reason. */
int md_bounce_text_is(const char *text, const char *reason);

#endif
