/* text.h: small text utilities for bytes that come from outside.
 *
 * UTF-8 validation and repair, masking for terminals and error messages,
 * ASCII case folding, address normalisation and redaction.  Every function
 * takes explicit lengths; none allocates unless it says so; none prints.
 */
#ifndef MD_TEXT_H
#define MD_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"

/* md_text_utf8_valid: 1 if s[0..n) is well-formed UTF-8 (no overlongs, no
 * surrogates, <= U+10FFFF), else 0. */
int md_text_utf8_valid(const char *s, size_t n);

/* md_text_utf8_repair: append s[0..n) to out with every invalid sequence
 * replaced by U+FFFD and NUL bytes dropped.  Returns the number of
 * replacements, or MD_ERR_NOMEM. */
long md_text_utf8_repair(md_buf *out, const char *s, size_t n);

/* md_text_printable: write at most dstsize-1 bytes of s[0..n) into dst as
 * printable ASCII (control and 8-bit bytes become \xNN).  Text that does
 * not fit is cut and ends with "...(N bytes)", N = n ("..." when the size
 * would leave less than half of dst for the text).  For quoting outside
 * text in messages: the one function that makes it safe for a terminal and
 * short; arguments quoted by cmd/ take MD_LIMIT_SHOW_ARG bytes.  Returns
 * dst. */
char *md_text_printable(char *dst, size_t dstsize, const char *s, size_t n);

/* md_text_terminal: append s[0..n) to out, safe for a terminal: valid UTF-8
 * kept, control characters except TAB shown as \xNN, invalid bytes as U+FFFD. */
int md_text_terminal(md_buf *out, const char *s, size_t n);

/* ASCII helpers (locale independent). */
int md_text_casecmp(const char *a, const char *b);
int md_text_ncasecmp(const char *a, const char *b, size_t n);
/* md_text_casestr: find needle (NUL-terminated) in hay[0..n) ignoring ASCII case; NULL if absent. */
const char *md_text_casestr(const char *hay, size_t n, const char *needle);
void md_text_lower(char *s);

/* md_text_addr_norm: copy an address into dst (size dstsize) without angle
 * brackets and surrounding blanks, lower-cased.  Returns 0, or MD_ERR_LIMIT
 * when it does not fit (dst then holds a cut copy). */
int md_text_addr_norm(char *dst, size_t dstsize, const char *s, size_t n);

/* md_text_addr_domain: pointer to the domain part of a normalised address
 * (after the last '@'), or "" when there is none. */
const char *md_text_addr_domain(const char *addr);

/* md_text_redact_addr: append addr to out with its local part replaced by
 * "*snip*" ("*snip*@domain"); an address without '@' becomes "*snip*". */
int md_text_redact_addr(md_buf *out, const char *addr);

/* md_text_redact_line: append line[0..n) to out with the local part of every
 * e-mail address replaced by "*snip*", except addresses (normalised, lower
 * case) listed in keep (NULL-terminated array, may be NULL). */
int md_text_redact_line(md_buf *out, const char *line, size_t n, const char *const *keep);

/* md_text_copy_utf8: copy s[0..len) into dst (size n), cut to n-1 bytes and
 * then back to valid UTF-8 (bytes are dropped from the end until it is);
 * dst is always NUL-terminated.  Nothing is written when n is 0. */
void md_text_copy_utf8(char *dst, size_t n, const char *s, size_t len);

/* md_text_copy: the string s into dst (size n), cut to n-1 bytes (as
 * snprintf(dst, n, "%s", s), without its cost); dst is always
 * NUL-terminated.  Nothing is written when n is 0. */
void md_text_copy(char *dst, size_t n, const char *s);

/* md_text_runs: the numbers of ids ("s3 s7 s8 s9", or "3 7 8 9": a
 * non-digit prefix of each is skipped; ascending) appended to out as
 * footnote runs "3,7-9" (a pair as "7,8").  The one formatter of source
 * markers: the dossier writes it into each claim's mark attribute, the PDF
 * and the text show it. */
void md_text_runs(md_buf *out, const char *ids);

/* md_text_copy_trim: md_text_copy_utf8 of s[0..len) without the ASCII white
 * space (isspace in the C locale) at both ends. */
void md_text_copy_trim(char *dst, size_t n, const char *s, size_t len);

/* md_text_time: the one time formatter: unix seconds t as strftime(fmt) in
 * the local zone (the site's: cmd sets TZ from the config) into dst (size
 * n); besides strftime's conversions "%:z" is the offset from UTC as
 * "+02:00" (xs:dateTime, RFC 3339; "%z" gives "+0200").  `none` when t is 0
 * or out of range, or the result is empty or too long.  Returns dst. */
char *md_text_time(char *dst, size_t n, int64_t t, const char *fmt, const char *none);
/* md_text_clock_ms: a monotonic clock in milliseconds (for intervals:
 * progress ticks, waits, slices). */
int64_t md_text_clock_ms(void);
/* md_text_local_midnight: the start of t's day in the local zone (the
 * site's), or of its UTC day when the zone cannot say. */
int64_t md_text_local_midnight(int64_t t);
/* md_text_time_utc: the same in UTC (whatever TZ says). */
char *md_text_time_utc(char *dst, size_t n, int64_t t, const char *fmt, const char *none);

#endif
