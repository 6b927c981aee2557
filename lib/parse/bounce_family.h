/* bounce_family.h: which MTA or provider wrote a bounce (sisimai's lhost-*
 * and rhost-* families), from its markers.
 *
 * NAME
 *   md_bounce_family
 *
 * DESCRIPTION
 *   md_bounce_family looks at the sender, Subject, a few headers and the
 *   bounce text and names the family ("gmail", "googlegroups", "amazonses",
 *   "yahoo", "aol", "apple", "zoho", "gmx", "james", "domino", "courier",
 *   "messagingserver", "imail", "mfilter", "exchange2003", "exchange2007",
 *   "opensmtpd", "mailru", "ezweb", "kddi", "docomo", "mcafee", "trendmicro",
 *   ...), or NULL when no marker matches (the caller keeps its own guess:
 *   postfix, exim, sendmail, qmail, office365).  *reason is set to the
 *   reason the family's notice always means when the recipient has no SMTP
 *   reply (Google Groups' "you may not
 *   have permission to post": rejected, in any language), else NULL.
 *
 * OWNERSHIP
 *   Returned strings are static; nothing is kept.
 */
#ifndef MD_BOUNCE_FAMILY_H
#define MD_BOUNCE_FAMILY_H

#include <stddef.h>
#include "parse/message.h"

/* md_bounce_family: the family of bounce m with text t[0..n), or NULL. */
const char *md_bounce_family(const md_message *m, const char *t, size_t n, const char **reason);

#endif
