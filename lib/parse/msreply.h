/* msreply.h: Microsoft sender-support replies (Outlook.com deliverability).
 *
 * After a mitigation request Microsoft answers by mail, in text or HTML:
 * one mail that lists the submitted IPs under outcome headings ("Not
 * qualified for mitigation", "More information needed", "Conditionally
 * mitigated", "Mitigated"; as paragraphs or as a table), and later one mail
 * per IP saying "The connection and throttling limitation against your IP:
 * (a.b.c.d) has been set to a more appropriate level".  This module
 * recognises such a reply and turns it into (IP, outcome) pairs with the
 * explanation Microsoft gave; md_msreply_take stores them in the case area
 * (lib/store/store_case.h) with the mail's date and the message they came from.
 *
 * Quoted text (lines starting with '>', everything after an "Original
 * Message" separator) is ignored, so our own request quoted below an answer
 * is never read as an answer.  HTML bodies are parsed with libxml2's HTML
 * parser (no network, no error output); a table row is read as one line
 * whose cells are separated, so "IP | outcome" and "outcome | IPs" rows both
 * work.  Limits: at most MD_MSREPLY_MAX_ENTRIES pairs (more sets
 * MD_MSREPLY_TRUNC), bodies over MD_LIMIT_SLURP are refused.
 *
 * Never prints, never exits.  md_msreply is a plain value (fixed arrays,
 * nothing to free).
 */
#ifndef MD_MSREPLY_H
#define MD_MSREPLY_H

#include <stddef.h>
#include <stdint.h>
#include "base/err.h"
#include "base/ipaddr.h"
#include "parse/message.h"
#include "base/md_limits.h"

/* Outcomes, in the order they are ranked (a later answer of a higher rank
 * is better news).  Names (md_msreply_outcome_name) are the tokens of
 * templates/dossier.xsd ms-answer/outcome. */
typedef enum md_msreply_outcome {
    MD_MSR_NONE = 0,
    MD_MSR_NOT_QUALIFIED,      /* "not-qualified": not qualified for mitigation */
    MD_MSR_MORE_INFO,          /* "more-information": more information needed */
    MD_MSR_COND_MITIGATED,     /* "conditionally-mitigated" */
    MD_MSR_MITIGATED,          /* "mitigated" */
    MD_MSR_THROTTLING_RAISED,  /* "throttling-raised": per-IP limits raised */
    MD_MSR_OTHER,              /* "other": a reply naming the IP, outcome unclear */
    MD_MSR_COUNT
} md_msreply_outcome;

#define MD_MSREPLY_TEXT        512   /* bytes of explanation kept per entry */
#define MD_MSREPLY_TRUNC       0x1   /* more pairs than MD_MSREPLY_MAX_ENTRIES */
#define MD_MSREPLY_HTML_FAILED 0x2   /* HTML body could not be parsed (text used) */

typedef struct md_msreply_entry {
    char ip[MD_IP_STRLEN];         /* canonical text form */
    int outcome;                   /* md_msreply_outcome */
    char text[MD_MSREPLY_TEXT];    /* Microsoft's explanation for this group,
                                      first sentence(s), "" when none */
} md_msreply_entry;

typedef struct md_msreply {
    int marker;                    /* 1: subject/body/sender says Microsoft
                                      sender support (Outlook.com, SRX ...) */
    char ref[64];                  /* Microsoft's case reference ("SRX...ID"), "" if none */
    size_t n;
    md_msreply_entry e[MD_MSREPLY_MAX_ENTRIES];
    int flags;                     /* MD_MSREPLY_* */
} md_msreply;

/* md_msreply_outcome_name: "not-qualified", "more-information",
 * "conditionally-mitigated", "mitigated", "throttling-raised", "other";
 * "" for MD_MSR_NONE or out of range. */
const char *md_msreply_outcome_name(int outcome);
/* md_msreply_outcome_text: the same in words ("not qualified for
 * mitigation", "more information needed", ...). */
const char *md_msreply_outcome_text(int outcome);
/* md_msreply_outcome_parse: a name of md_msreply_outcome_name back to the
 * code; MD_MSR_NONE when unknown. */
int md_msreply_outcome_parse(const char *name);

/* md_msreply_parse: the pure parser.  subject may be NULL; body[0..len) is
 * the text (is_html 0) or HTML (is_html 1) of the mail.  Fills *out (zeroed
 * first).  Returns 1 when it is a sender-support reply (out->marker set and
 * at least one entry), 0 when not, MD_ERR_LIMIT for a body over
 * MD_LIMIT_SLURP, MD_ERR_NOMEM.  Bytes need not be valid UTF-8. */
int md_msreply_parse(md_msreply *out, const char *subject, const char *body, size_t len,
                     int is_html, md_err *err);

/* md_msreply_from_message: md_msreply_parse over a parsed message: its
 * text/plain part, else its raw text/html part (parsed here), else the HTML
 * text md_message made; a sender at microsoft.com / outlook.com /
 * hotmail.com / live.com / msn.com counts as a marker.  Same returns. */
int md_msreply_from_message(md_msreply *out, const md_message *msg, md_err *err);

/* md_msreply_may_be: the cheap test md_msreply_from_message starts with: 0 when msg
 * cannot be a reply (its sender, subject and body never say Microsoft),
 * else 1.  Reads msg only: the mail reader's parse thread asks it. */
int md_msreply_may_be(const md_message *msg);


#endif
