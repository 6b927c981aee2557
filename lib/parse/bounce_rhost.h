/* bounce_rhost.h: reasons from the error codes a receiving provider
 * publishes (sisimai's rhost-* families), where the code says more than the
 * words.
 *
 * NAME
 *   md_bounce_rhost_reason
 *
 * DESCRIPTION
 *   md_bounce_rhost_reason finds a provider's own code in a diagnostic and
 *   maps it by the provider's published table: Orange and La Poste
 *   ("OFR006_102", "LPN007_426", "ofr_506", "OUK_513": the last three
 *   digits), GoDaddy ("IB607" ...), Cox ("AUP#CXBL" ...), Spectrum
 *   ("AUP#In-1310": ranges of four digits), Facebook ("RCP-P1" with its
 *   postmaster page named).  Returns the
 *   reason name (static; "undefined" for a code the provider documents
 *   without a reason), or NULL when the text carries no such code.
 *
 * OWNERSHIP
 *   Returned strings are static; the text is only read.
 */
#ifndef MD_BOUNCE_RHOST_H
#define MD_BOUNCE_RHOST_H

/* md_bounce_rhost_reason: the reason a provider code in diag means, or NULL. */
const char *md_bounce_rhost_reason(const char *diag);

#endif
