/* logtime.h: the calendar arithmetic of log time stamps, locale free.
 *
 * NAME
 *   md_logtime_days, md_logtime_civil, md_logtime_make, md_logtime_month,
 *   md_logtime_parse_iso, md_logtime_parse_bsd
 *
 * DESCRIPTION
 *   Proleptic Gregorian days from/to civil dates (Howard Hinnant's
 *   algorithms: no mktime, no timegm, no TZ, no locale), English month
 *   abbreviations, and the two stamp shapes of mail logs.  All times are
 *   UTC unix seconds; a zone offset is minutes east of UTC.
 *
 * OWNERSHIP
 *   Pure functions on the caller's bytes; nothing allocated, nothing kept.
 *
 * DIAGNOSTICS
 *   Parsers return the number of bytes consumed, 0 when the text is not a
 *   stamp of that shape (out-of-range fields count as not a stamp).
 */
#ifndef MD_LOGTIME_H
#define MD_LOGTIME_H

#include <stddef.h>
#include <stdint.h>

/* md_logtime_days: days since 1970-01-01 of y-m-d (m 1..12, d 1..31). */
int64_t md_logtime_days(int64_t y, int m, int d);
/* md_logtime_civil: the date of a day number (inverse of md_logtime_days). */
void md_logtime_civil(int64_t days, int64_t *y, int *m, int *d);
/* md_logtime_make: unix seconds of a UTC civil time. */
int64_t md_logtime_make(int64_t y, int mo, int d, int h, int mi, int s);
/* md_logtime_year_of: the UTC year of unix seconds t. */
int64_t md_logtime_year_of(int64_t t);
/* md_logtime_month: "Jan".."Dec" (any case) at p[0..3) -> 1..12, else 0. */
int md_logtime_month(const char *p);

/* A parsed stamp.  year is 0 for a BSD stamp (it has none). */
typedef struct md_logtime {
    int year, mon, day, hour, min, sec;
    int32_t usec;
    int has_zone;
    int tzoff_min;       /* when has_zone */
} md_logtime;

/* md_logtime_parse_iso: "YYYY-MM-DD[T ]hh:mm:ss[.frac][Z|+hh:mm|+hhmm|+hh]"
 * at s[0..n).  The zone is taken only when it follows directly (no blank).
 * Returns bytes consumed or 0. */
size_t md_logtime_parse_iso(const char *s, size_t n, md_logtime *out);
/* md_logtime_parse_bsd: "Mmm dd hh:mm:ss[.frac]" (dd may be " 3", "03" or "3").
 * Returns bytes consumed or 0. */
size_t md_logtime_parse_bsd(const char *s, size_t n, md_logtime *out);
/* md_logtime_zone: "+0100", "+01:00", "-05", "Z" at s[0..n) -> *min; bytes
 * consumed or 0. */
size_t md_logtime_zone(const char *s, size_t n, int *min);

#endif
