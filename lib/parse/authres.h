/* authres.h: Authentication-Results (RFC 8601), ARC-Authentication-Results,
 * Received-SPF and DKIM-Signature, read into plain values.
 *
 * md_authres_parse reads "authserv-id; method=result reason=... ptype.prop=v;
 * ..." (comments removed first with a depth counter, quoted strings kept
 * whole) into at most MD_AUTHRES_MAX results: spf, dkim, dmarc, arc,
 * compauth (with its reason code), iprev, auth and any other method name.
 * Missing parts stay "".  No allocation; never fails (an empty or garbled
 * value gives n = 0).
 */
#ifndef MD_AUTHRES_H
#define MD_AUTHRES_H

#include <stddef.h>
#include "base/md_limits.h"


typedef struct md_authres_item {
    char method[32];     /* "spf", "dkim", "dmarc", "compauth", "arc", ... */
    char result[32];     /* "pass", "fail", "softfail", "none", "temperror", ... */
    char reason[256];    /* reason= (compauth: the code, e.g. "100", "001") */
    char domain[256];    /* the domain the result is about: header.d, header.from,
                            smtp.mailfrom (its domain), else "" */
    char props[512];     /* all ptype.property=value pairs, space separated */
    char comment[256];   /* the first comment, e.g. "(sender IP is 1.2.3.4)" text */
} md_authres_item;

typedef struct md_authres {
    char authserv[256];  /* who evaluated (e.g. "spf=pass ... mx.microsoft.com") */
    int arc_instance;    /* ARC-Authentication-Results: i=, else 0 */
    md_authres_item item[MD_AUTHRES_MAX];
    size_t n;
} md_authres;

/* md_authres_parse: an Authentication-Results or ARC-Authentication-Results
 * value into *out (reset first: items past out->n are left as they were). */
void md_authres_parse(md_authres *out, const char *value);

/* md_authres_parse_spf: a Received-SPF value ("pass (comment) client-ip=...;
 * envelope-from=...") as one item with method "spf". */
void md_authres_parse_spf(md_authres_item *out, const char *value);

/* md_authres_dkim_sig: d= and s= of a DKIM-Signature value into d / s
 * (each "" when absent). */
void md_authres_dkim_sig(const char *value, char *d, size_t dn, char *s, size_t sn);

/* md_authres_find: the first item of that method, or NULL. */
const md_authres_item *md_authres_find(const md_authres *ar, const char *method);

/* md_authres_compauth_text: Microsoft's compauth reason code in words
 * ("000" -> "explicit DMARC fail ..."); "" when unknown. */
const char *md_authres_compauth_text(const char *reason);

#endif
