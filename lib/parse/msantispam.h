/* msantispam.h: Microsoft's antispam verdict headers, decoded into words.
 *
 * X-Forefront-Antispam-Report (and -Untrusted) is a list of KEY:value;
 * fields: CIP connecting IP, CTRY country, LANG language, SCL spam
 * confidence level, PCL phishing confidence, SRV:BULK bulk, IPV IP filter
 * verdict (CAL allow list, NLI no list), SFV spam filtering verdict, PTR
 * reverse DNS, CAT protection policy category, SFTY phishing/safety,
 * SFS spam rules, DIR direction, H HELO; unknown fields are kept as they
 * are.  X-MS-Exchange-Organization-SCL carries the SCL alone;
 * X-Microsoft-Antispam carries BCL:n (bulk complaint level) and PCL.
 * Meanings follow Microsoft's documentation (see formats.md).
 *
 * md_msantispam is a plain value (fixed arrays); nothing to free.
 */
#ifndef MD_MSANTISPAM_H
#define MD_MSANTISPAM_H

#include <stddef.h>
#include "base/ipaddr.h"
#include "parse/message.h"
#include "base/md_limits.h"


typedef struct md_msas_field {
    char key[24];        /* as written, e.g. "SFV" */
    char value[256];     /* as written (cut), e.g. "SPM" */
    char source[40];     /* header it came from */
} md_msas_field;

typedef struct md_msantispam {
    int present;                 /* 1 if any of the headers was found */
    md_msas_field f[MD_MSAS_MAX_FIELDS];
    size_t n;
    /* the common fields, decoded ("" / -2 when absent) */
    char cip[MD_IP_STRLEN];
    char ctry[16];
    char lang[16];
    char sfv[16];
    char ipv[16];
    char cat[32];
    char srv[32];
    char sfty[64];
    char dir[8];
    char ptr[256];
    char helo[256];
    int scl;                     /* -2 absent; -1 skipped; 0..9 */
    int org_scl;                 /* X-MS-Exchange-Organization-SCL, -2 absent */
    int pcl;                     /* -2 absent */
    int bcl;                     /* -2 absent */
} md_msantispam;

/* md_msantispam_init: everything absent (f[n..] left as they were). */
void md_msantispam_init(md_msantispam *as);

/* md_msantispam_parse_fields: add the KEY:value; fields of one header value
 * (source: the header name). */
void md_msantispam_parse_fields(md_msantispam *as, const char *source, const char *value);

/* md_msantispam_from_message: init, then read X-Forefront-Antispam-Report,
 * X-Forefront-Antispam-Report-Untrusted, X-Microsoft-Antispam,
 * X-MS-Exchange-Organization-SCL / -PCL of m (the first of each). */
void md_msantispam_from_message(md_msantispam *as, const md_message *m);

/* md_msantispam_label: a field key in words ("SFV" -> "spam filtering
 * verdict"); "" when unknown. */
const char *md_msantispam_label(const char *key);

/* md_msantispam_meaning: a field's value in words ("SFV","SPM" -> "spam");
 * "" when there is nothing to say.  Static text, or dst (size n) for
 * numeric levels. */
const char *md_msantispam_meaning(const char *key, const char *value, char *dst, size_t n);

/* md_msantispam_scl_text: SCL in words ("-1 skipped filtering (trusted)",
 * "5 spam", "9 high confidence spam"). */
const char *md_msantispam_scl_text(int scl);

/* md_msantispam_summary: one line for the dossier: "spam (SFV:SPM, SCL 5
 * spam folder)", "not spam (SCL 1)", ... into dst. */
char *md_msantispam_summary(const md_msantispam *as, char *dst, size_t n);

/* X-Microsoft-Antispam-Mailbox-Delivery: where Outlook.com / Exchange
 * Online filed a message in the mailbox, in copies saved from such a
 * mailbox ("ucf:0;jmr:0;auth:0;dest:J;OFR:SpamFilterPass;ENG:(...)(...);
 * RF:JunkEmail;").  Fields: dest I inbox, J Junk Email, D Deleted Items;
 * OFR the grounds of the folder choice (SpamFilterPass the spam filter's
 * verdict, TrustedListed the user's safe senders, CustomRules the user's
 * rules, ExclusiveSettings the user's "trusted senders only"; other values
 * are given as written, without words); RF the
 * folder a rule routed to; ucf, jmr, auth flags; ENG the rules that hit.
 * Values as written (cut to their arrays).  A plain value. */
typedef struct md_msmbx {
    int present;                 /* 1 if the header was found */
    char dest[8];                /* "I", "J", "D", other as written, "" */
    char ofr[64];
    char rf[64];
    char ucf[16], jmr[16], auth[16];
    char eng[256];               /* rule hits as written, "(750128)(520011016)" */
} md_msmbx;

/* md_msmbx_parse: the fields of one header value into *d (reset first). */
void md_msmbx_parse(md_msmbx *d, const char *value);

/* md_msmbx_from_message: the first X-Microsoft-Antispam-Mailbox-Delivery
 * of m (d->present 0 without one). */
void md_msmbx_from_message(md_msmbx *d, const md_message *m);

/* md_msmbx_dest_text: dest in words ("J" -> "the Junk Email folder");
 * "" when unknown. */
const char *md_msmbx_dest_text(const char *dest);

/* md_msmbx_ofr_text: OFR in words ("SpamFilterPass" -> "the verdict of
 * Microsoft's spam filter"); "" when unknown. */
const char *md_msmbx_ofr_text(const char *ofr);

/* md_msmbx_sentence: the filing in plain words, "filed in the Junk Email
 * folder (dest:J), on the grounds OFR:SpamFilterPass (the verdict of
 * Microsoft's spam filter), routed to JunkEmail (RF)"; "" when the header
 * gives no dest.  Into dst (size n). */
char *md_msmbx_sentence(const md_msmbx *d, char *dst, size_t n);

#endif
