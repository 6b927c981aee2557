/* arc.h: the ARC chain of a message (RFC 8617) and the SRS form of an
 * envelope sender (the authentication of forwarded copies).
 *
 * An ARC set is the ARC-Seal, ARC-Message-Signature and
 * ARC-Authentication-Results of one instance i= (1..50) added by one
 * intermediary (a forwarder, a list): md_arc_add reads one such header
 * into the set of its instance; the seal's cv= (none, pass, fail) is the
 * chain's state as the sealer found it, d= / s= the sealer's domain and
 * selector, the AAR's results what the sealer saw on arrival.  Signatures
 * are not verified (no DNS): the sets say what the headers claim.
 *
 * md_arc is a plain value (fixed arrays); nothing to free.
 */
#ifndef MD_ARC_H
#define MD_ARC_H

#include <stddef.h>
#include "base/md_limits.h"
#include "parse/message.h"

typedef struct md_arc_set {
    int instance;                /* i= (1..MD_ARC_MAX_INSTANCE) */
    int has_seal, has_ams, has_aar;
    char cv[16];                 /* the seal's cv=, lower case, "" */
    char seal_d[128], seal_s[64];/* the sealer: the seal's d= and s= */
    char ams_d[128], ams_s[64];  /* the message signature's d= and s= */
    char aar_authserv[128];      /* who wrote the AAR */
    char aar[256];               /* its results, "spf=pass dkim=fail dmarc=fail" */
} md_arc_set;

typedef struct md_arc {
    md_arc_set set[MD_ARC_MAX_SETS]; /* by instance, lowest first */
    size_t n;
    int bad;                     /* a header without a usable i= (not kept) */
} md_arc;

/* md_arc_tag: the value of tag (e.g. "cv") in a tag=value; list, spaces
 * and folding around '=' and ';' ignored, cut to dst (size n); 1 when
 * found, else 0 and dst "". */
int md_arc_tag(const char *value, const char *tag, char *dst, size_t n);

/* md_arc_init: no set. */
void md_arc_init(md_arc *a);

/* md_arc_add: one ARC header (name "ARC-Seal", "ARC-Message-Signature" or
 * "ARC-Authentication-Results", any case) into its set.  0 when taken,
 * -1 when the name is no ARC header, the i= is missing or out of range,
 * or MD_ARC_MAX_SETS sets are full (a->bad set). */
int md_arc_add(md_arc *a, const char *name, const char *value);

/* md_arc_from_message: init, then every ARC header of m. */
void md_arc_from_message(md_arc *a, const md_message *m);

/* md_arc_latest: the set of the highest instance, NULL when none. */
const md_arc_set *md_arc_latest(const md_arc *a);

/* md_arc_microsoft_sealer: 1 when d (a sealer's d=) is Microsoft's own
 * (microsoft.com, outlook.com, hotmail.com or below): Exchange Online and
 * Outlook.com seal the mail they pass on themselves, so such a set shows
 * no forward. */
int md_arc_microsoft_sealer(const char *d);

/* md_srs_kind: "SRS0" / "SRS1" when the envelope sender addr (with or
 * without <>) is in the Sender Rewriting Scheme's form (local part
 * starting "SRS0=" / "SRS1=", any case), else NULL. */
const char *md_srs_kind(const char *addr);

#endif
