/* arf.h: abuse/complaint reports: ARF (RFC 5965) and Microsoft's JMRP.
 *
 * An ARF report of Feedback-Type auth-failure (a DMARC failure report,
 * RFC 9991 / RFC 6591) also gives its Auth-Failure, DKIM-Domain,
 * DKIM-Identity, DKIM-Selector, SPF-DNS, Delivery-Result and
 * Identity-Alignment fields (md_arf_is_auth_failure).
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
    /* DMARC failure reports (RFC 9991, RFC 6591: Feedback-Type: auth-failure);
     * "" when the report has no such field */
    char auth_failure[32];         /* Auth-Failure: dkim, spf, dmarc, bodyhash, revoked,
                                      signature, adsp (lower case) */
    char dkim_domain[256];         /* DKIM-Domain */
    char dkim_identity[256];       /* DKIM-Identity */
    char dkim_selector[128];       /* DKIM-Selector */
    char spf_dns[512];             /* SPF-DNS: "txt : domain : record" */
    char delivery_result[32];      /* Delivery-Result: delivered, spam, policy, reject, other */
    char identity_alignment[64];   /* Identity-Alignment (RFC 9991): none, spf, dkim, "dkim, spf" */
    int cut;                       /* a report field was longer than its room here
                                      (MD_LIMIT_REPORT_FIELD, or the member it went to): cut */
} md_arf;

/* md_arf_parse: read m into *out (zeroed first).  1 if m is a complaint
 * report of one of the three forms, else 0. */
int md_arf_parse(md_arf *out, const md_message *m);

/* md_arf_is_auth_failure: 1 for a DMARC failure report (Feedback-Type
 * auth-failure), else 0.  Inline, like md_arf_form_name. */
static inline int md_arf_is_auth_failure(const md_arf *a)
{
    const char *t = a->feedback_type, *w = "auth-failure";
    while (*w && *t == *w) {
        t++;
        w++;
    }
    return !*w && !*t;
}

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
