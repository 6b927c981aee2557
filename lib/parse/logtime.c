/* logtime.c: calendar arithmetic and stamp parsing for log lines (see
 * logtime.h).  Owns no state; never calls mktime/timegm/strptime (locale
 * and TZ costs, and wrong for logs written in another zone). */
#include "parse/logtime.h"

static int dig2(const char *p)
{
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9') return -1;
    return (p[0] - '0') * 10 + (p[1] - '0');
}

int64_t md_logtime_days(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void md_logtime_civil(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp, yy;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    yy = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yy + (*m <= 2);
}

int64_t md_logtime_make(int64_t y, int mo, int d, int h, int mi, int s)
{
    return md_logtime_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

int64_t md_logtime_year_of(int64_t t)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400), y;
    int m, d;
    md_logtime_civil(days, &y, &m, &d);
    return y;
}

int md_logtime_month(const char *p)
{
    /* Switch on the lower-cased three letters. */
    unsigned a = (unsigned char)p[0] | 0x20, b = (unsigned char)p[1] | 0x20,
             c = (unsigned char)p[2] | 0x20;
    switch (a) {
    case 'j':
        if (b == 'a' && c == 'n') return 1;
        if (b == 'u' && c == 'n') return 6;
        if (b == 'u' && c == 'l') return 7;
        return 0;
    case 'f': return b == 'e' && c == 'b' ? 2 : 0;
    case 'm':
        if (b == 'a' && c == 'r') return 3;
        if (b == 'a' && c == 'y') return 5;
        return 0;
    case 'a':
        if (b == 'p' && c == 'r') return 4;
        if (b == 'u' && c == 'g') return 8;
        return 0;
    case 's': return b == 'e' && c == 'p' ? 9 : 0;
    case 'o': return b == 'c' && c == 't' ? 10 : 0;
    case 'n': return b == 'o' && c == 'v' ? 11 : 0;
    case 'd': return b == 'e' && c == 'c' ? 12 : 0;
    default: return 0;
    }
}

static int days_in_month(int y, int m)
{
    static const unsigned char dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return dm[m - 1];
}

/* hh:mm:ss[.frac] at s; fills out; returns bytes or 0. */
static size_t parse_hms(const char *s, size_t n, md_logtime *out)
{
    size_t i;
    int32_t us = 0, scale = 100000;
    if (n < 8 || s[2] != ':' || s[5] != ':') return 0;
    out->hour = dig2(s);
    out->min = dig2(s + 3);
    out->sec = dig2(s + 6);
    if (out->hour < 0 || out->hour > 23 || out->min < 0 || out->min > 59 || out->sec < 0 ||
        out->sec > 60)
        return 0;
    i = 8;
    if (i < n && (s[i] == '.' || s[i] == ',') && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (scale > 0) {
                us += (s[i] - '0') * scale;
                scale /= 10;
            }
            i++;
        }
    }
    out->usec = us;
    return i;
}

size_t md_logtime_zone(const char *s, size_t n, int *min)
{
    int sign, h, m = 0;
    size_t i;
    if (n >= 1 && (s[0] == 'Z' || s[0] == 'z')) {
        *min = 0;
        return 1;
    }
    if (n < 3 || (s[0] != '+' && s[0] != '-')) return 0;
    sign = s[0] == '-' ? -1 : 1;
    h = dig2(s + 1);
    if (h < 0 || h > 18) return 0;
    i = 3;
    if (i + 2 < n + 0 && s[i] == ':' && dig2(s + i + 1) >= 0) {
        m = dig2(s + i + 1);
        i += 3;
    } else if (i + 1 < n && dig2(s + i) >= 0) {
        m = dig2(s + i);
        i += 2;
    }
    if (m > 59) return 0;
    *min = sign * (h * 60 + m);
    return i;
}

size_t md_logtime_parse_iso(const char *s, size_t n, md_logtime *out)
{
    size_t i, k;
    int y1, y2, z;
    if (n < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ')) return 0;
    y1 = dig2(s);
    y2 = dig2(s + 2);
    if (y1 < 0 || y2 < 0) return 0;
    out->year = y1 * 100 + y2;
    out->mon = dig2(s + 5);
    out->day = dig2(s + 8);
    if (out->mon < 1 || out->mon > 12 || out->day < 1 ||
        out->day > days_in_month(out->year, out->mon))
        return 0;
    k = parse_hms(s + 11, n - 11, out);
    if (!k) return 0;
    i = 11 + k;
    out->has_zone = 0;
    out->tzoff_min = 0;
    k = md_logtime_zone(s + i, n - i, &z);
    if (k) {
        out->has_zone = 1;
        out->tzoff_min = z;
        i += k;
    }
    return i;
}

size_t md_logtime_parse_bsd(const char *s, size_t n, md_logtime *out)
{
    size_t i = 4, k;
    int d;
    if (n < 14 || s[3] != ' ') return 0;
    out->mon = md_logtime_month(s);
    if (!out->mon) return 0;
    /* "Apr 23", "Apr  3" (syslog), "Apr 3" (some relays), "Apr 03" */
    if (s[i] == ' ') i++;
    if (i >= n || s[i] < '0' || s[i] > '9') return 0;
    d = s[i++] - '0';
    if (i < n && s[i] >= '0' && s[i] <= '9') d = d * 10 + (s[i++] - '0');
    if (d < 1 || d > 31 || i >= n || s[i] != ' ') return 0;
    i++;
    out->day = d;
    out->year = 0;
    out->has_zone = 0;
    out->tzoff_min = 0;
    k = parse_hms(s + i, n - i, out);
    if (!k) return 0;
    return i + k;
}
