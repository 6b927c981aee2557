/* arf.h: abuse/complaint reports: ARF (RFC 5965) and Microsoft's JMRP.
 *
 * Three forms are recognised:
 *  - ARF: multipart/report; report-type=feedback-report with a
 *    message/feedback-report part (Feedback-Type, User-Agent, Version,
 *    Original-Mail-From, Original-Rcpt-To, Arrival-Date, Source-IP,
 *    Reported-Domain, Reporting-MTA) and the original attached;
 *  - JMRP minimal: the same, but the report part holds only
 *    Feedback-Type / User-Agent: JMRP/1.0 / Version: the source IP and
 *    dates are then taken from the attached original's headers
 *    (X-Originating-IP, else the first hop whose sending IP is neither
 *    Microsoft's nor private, walking the Received chain newest first);
 *  - JMRP legacy: multipart/mixed from staff@hotmail.com, subject
 *    "complaint about message from <IP>", the original attached
 *    (X-HmXmrOriginalRecipient names the complaining recipient).
 *
 * Report fields may be folded (they are unfolded).  A value that does not
 * fit where it goes is cut there and `cut` is set, for the caller to say.
 *
 * md_arf is a plain value; nothing to free.  Never prints.
 */
#ifndef MD_ARF_H
#define MD_ARF_H

#include <stdint.h>
#include "base/ipaddr.h"
#include "base/md_limits.h"
#include "parse/message.h"

typedef enum md_arf_form {
    MD_ARF_NONE = 0,
    MD_ARF_RFC5965,
    MD_ARF_JMRP_MINIMAL,
    MD_ARF_JMRP_LEGACY
} md_arf_form;

typedef struct md_arf {
    md_arf_form form;
    int microsoft;                 /* JMRP, or reported by Microsoft (hotmail/outlook) */
    char feedback_type[32];        /* "abuse", "fraud", "virus", "other", ... ("abuse" for JMRP legacy) */
    char user_agent[128];
    char version[16];
    char source_ip[MD_IP_STRLEN];  /* "" when unknown */
    int source_ip_from_original;   /* 1: taken from the attached original's headers */
    char orig_mail_from[512];      /* normalised */
    char orig_rcpt_to[512];        /* normalised (JMRP: X-HmXmrOriginalRecipient) */
    char reported_domain[256];
    char reporting_mta[256];
    char arrival_text[64];
    int64_t arrival_date;          /* Arrival-Date, else the original's Date / first hop date */
    /* the original message */
    char orig_message_id[512];
    char orig_from[512];
    char orig_to[512];
    char orig_subject[256];
    int64_t orig_date;
    int cut;                       /* a report field was longer than its room here
                                      (MD_LIMIT_REPORT_FIELD, or the member it went to): cut */
} md_arf;

/* md_arf_parse: read m into *out (zeroed first).  1 if m is a complaint
 * report of one of the three forms, else 0. */
int md_arf_parse(md_arf *out, const md_message *m);

/* md_arf_form_name: "arf", "jmrp", "jmrp-legacy", "".  Inline: the store's
 * readers use it without linking the parsers (and libetpan). */
static inline const char *md_arf_form_name(md_arf_form f)
{
    switch (f) {
    case MD_ARF_RFC5965: return "arf";
    case MD_ARF_JMRP_MINIMAL: return "jmrp";
    case MD_ARF_JMRP_LEGACY: return "jmrp-legacy";
    default: return "";
    }
}

#endif
