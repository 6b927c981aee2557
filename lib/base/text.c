/* text.c: UTF-8 checking and repair, masking, case folding, address
 * normalisation and redaction, and the one formatter of times (see text.h).  Pure functions over caller
 * memory; the only allocations are inside md_buf appends. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/err.h"
#include "base/text.h"

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
    else return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int md_text_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        uint64_t w;
        if (i + 8 <= n && (memcpy(&w, p + i, 8), !(w & 0x8080808080808080ULL))) {
            i += 8; /* eight ASCII bytes (most mail) */
            continue;
        }
        if (p[i] < 0x80) { i++; continue; }
        size_t l = utf8_seq(p + i, n - i);
        if (!l)
            return 0;
        i += l;
    }
    return 1;
}

long md_text_utf8_repair(md_buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    long bad = 0;
    size_t i = 0, run = 0;
    while (i < n) {
        size_t l = p[i] ? utf8_seq(p + i, n - i) : 0;
        if (l) {
            i += l;
            run += l;
            continue;
        }
        if (md_buf_append(out, s + i - run, run) != MD_OK)
            return MD_ERR_NOMEM;
        run = 0;
        if (p[i]) {
            if (md_buf_append(out, "\xEF\xBF\xBD", 3) != MD_OK)
                return MD_ERR_NOMEM;
            bad++;
        }
        i++;
    }
    if (md_buf_append(out, s + i - run, run) != MD_OK)
        return MD_ERR_NOMEM;
    return bad;
}

/* the bytes byte c takes in md_text_printable's output: itself or \xNN */
static inline size_t printable_len(unsigned char c)
{
    return c >= 0x20 && c < 0x7F ? 1 : 4;
}

/* the mark md_text_printable ends a cut with, into mark[32]: "...(N
 * bytes)", or "..." when that would take more than half of room, or "" */
static size_t printable_mark(char mark[32], size_t room, size_t n)
{
    size_t ml = (size_t)snprintf(mark, 32, "...(%zu bytes)", n);
    if (ml <= room / 2)
        return ml;
    ml = room >= 3 ? 3 : 0;
    mark[ml] = '\0';
    return ml;
}

char *md_text_printable(char *dst, size_t dstsize, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0, room, need = 0, ml = 0;
    char mark[32] = "";
    if (dstsize == 0)
        return dst;
    room = dstsize - 1;
    for (size_t i = 0; i < n && need <= room; i++)
        need += printable_len(p[i]);
    if (need > room)
        ml = printable_mark(mark, room, n);
    for (size_t i = 0; i < n && o + printable_len(p[i]) + ml <= room; i++) {
        if (printable_len(p[i]) == 1)
            dst[o++] = (char)p[i];
        else
            o += (size_t)snprintf(dst + o, 5, "\\x%02X", p[i]);
    }
    memcpy(dst + o, mark, ml + 1);
    return dst;
}

int md_text_terminal(md_buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x7F) { /* a run of printable ASCII: one append */
            size_t j = i + 1;
            while (j < n && p[j] >= 0x20 && p[j] < 0x7F)
                j++;
            md_buf_append(out, s + i, j - i);
            i = j;
            continue;
        }
        if (c < 0x20 || c == 0x7F) {
            if (c == '\t')
                md_buf_putc(out, '\t');
            else
                md_buf_printf(out, "\\x%02X", c);
            i++;
            continue;
        }
        size_t l = utf8_seq(p + i, n - i);
        if (!l) {
            md_buf_append(out, "\xEF\xBF\xBD", 3);
            i++;
            continue;
        }
        /* C1 controls U+0080..U+009F are masked too. */
        if (l == 2 && c == 0xC2 && p[i + 1] < 0xA0)
            md_buf_printf(out, "\\u%04X", p[i + 1]);
        else
            md_buf_append(out, s + i, l);
        i += l;
    }
    return out->oom ? MD_ERR_NOMEM : MD_OK;
}

/* fold: tolower() of the C locale (the one we run in), without its call */
static inline int fold(unsigned char c)
{
    return (unsigned)(c - 'A') < 26u ? c + ('a' - 'A') : c;
}

int md_text_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = fold((unsigned char)*a), cb = fold((unsigned char)*b);
        if (ca != cb || !ca)
            return ca - cb;
    }
}

int md_text_ncasecmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int ca = fold((unsigned char)a[i]), cb = fold((unsigned char)b[i]);
        if (ca != cb || !ca)
            return ca - cb;
    }
    return 0;
}

/* next_of: the offset of the next byte c in s[from..to), or to. */
static size_t next_of(const char *s, size_t from, size_t to, int c)
{
    const char *p = memchr(s + from, c, to - from);
    return p ? (size_t)(p - s) : to;
}

/* The candidates are found with memchr: where the first byte of needle
 * that has no case (a dot, a digit, a colon; not a space: too common) is,
 * or else where its first letter is, in either case.  Each case has its
 * own next position, so that each byte of hay is scanned once per case. */
const char *md_text_casestr(const char *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    if (m == 0)
        return hay;
    if (m > n)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        unsigned char c = (unsigned char)needle[i];
        if (c != ' ' && fold(c) == c && (unsigned)(c - 'a') >= 26u) {
            k = i;
            break;
        }
    }
    int lo = fold((unsigned char)needle[k]);
    int up = (unsigned)(lo - 'a') < 26u ? lo - ('a' - 'A') : lo;
    /* byte k of a match is in hay[k .. n - m + k] */
    size_t pos = k, end = n - m + k + 1, nl = 0, nu = 0;
    int have = 0;
    while (pos < end) {
        if (!have || nl < pos)
            nl = next_of(hay, pos, end, lo);
        if (!have || nu < pos)
            nu = up == lo ? end : next_of(hay, pos, end, up);
        have = 1;
        size_t at = nl < nu ? nl : nu;
        if (at == end)
            return NULL;
        if (md_text_ncasecmp(hay + at - k, needle, m) == 0)
            return hay + at - k;
        pos = at + 1;
    }
    return NULL;
}

void md_text_lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

int md_text_addr_norm(char *dst, size_t dstsize, const char *s, size_t n)
{
    while (n && (isspace((unsigned char)*s) || *s == '<')) { s++; n--; }
    while (n && (isspace((unsigned char)s[n - 1]) || s[n - 1] == '>')) n--;
    if (dstsize == 0)
        return MD_ERR_LIMIT;
    size_t k = n < dstsize - 1 ? n : dstsize - 1;
    for (size_t i = 0; i < k; i++)
        dst[i] = (char)tolower((unsigned char)s[i]);
    dst[k] = '\0';
    return k == n ? MD_OK : MD_ERR_LIMIT;
}

const char *md_text_addr_domain(const char *addr)
{
    const char *at = strrchr(addr, '@');
    return at ? at + 1 : "";
}

int md_text_redact_addr(md_buf *out, const char *addr)
{
    const char *at = strrchr(addr, '@');
    md_buf_puts(out, "*snip*");
    if (at)
        md_buf_puts(out, at);
    return out->oom ? MD_ERR_NOMEM : MD_OK;
}

static int is_local_char(int c)
{
    return isalnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~.", c) != NULL);
}

static int is_domain_char(int c)
{
    return isalnum(c) || c == '-' || c == '.';
}

int md_text_redact_line(md_buf *out, const char *line, size_t n, const char *const *keep)
{
    size_t i = 0, done = 0;
    while (i < n) {
        const char *at = memchr(line + i, '@', n - i);
        if (!at)
            break;
        size_t a = (size_t)(at - line);
        size_t ls = a;
        while (ls > done && is_local_char((unsigned char)line[ls - 1]))
            ls--;
        /* "to=jdoe@x" (sendmail, unbracketed): the key is not part of it */
        const char *eq = memchr(line + ls, '=', a - ls);
        if (eq && eq > line + ls) {
            const char *k = line + ls;
            while (k < eq && (isalpha((unsigned char)*k) || *k == '_' || *k == '-'))
                k++;
            if (k == eq)
                ls = (size_t)(eq - line) + 1;
        }
        size_t de = a + 1;
        while (de < n && is_domain_char((unsigned char)line[de]))
            de++;
        while (de > a + 1 && line[de - 1] == '.')
            de--;
        if (ls == a || de == a + 1 || (ls < a && line[ls] == '*' && a - ls == 6 &&
                                       memcmp(line + ls, "*snip*", 6) == 0)) {
            i = a + 1;
            continue;
        }
        int kept = 0;
        if (keep) {
            char addr[MD_LIMIT_ADDR];
            if (md_text_addr_norm(addr, sizeof addr, line + ls, de - ls) == MD_OK)
                for (const char *const *k = keep; *k; k++)
                    if (strcmp(*k, addr) == 0)
                        kept = 1;
        }
        if (!kept) {
            md_buf_append(out, line + done, ls - done);
            md_buf_puts(out, "*snip*");
            done = a;
        }
        i = de;
    }
    md_buf_append(out, line + done, n - done);
    return out->oom ? MD_ERR_NOMEM : MD_OK;
}

void md_text_copy_utf8(char *dst, size_t n, const char *s, size_t len)
{
    if (n == 0)
        return;
    if (len >= n)
        len = n - 1;
    memcpy(dst, s, len);
    dst[len] = '\0';
    while (len && !md_text_utf8_valid(dst, len))
        dst[--len] = '\0';
}

void md_text_copy(char *dst, size_t n, const char *s)
{
    if (n == 0)
        return;
    size_t len = strnlen(s, n - 1);
    memcpy(dst, s, len);
    dst[len] = '\0';
}

void md_text_copy_trim(char *dst, size_t n, const char *s, size_t len)
{
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    md_text_copy_utf8(dst, n, s, len);
}

/* colon_zone: fmt with every "%:z" replaced by tm's offset from UTC as
 * "+hh:mm" into f (size n): 0 when it does not fit. */
static int colon_zone(char *f, size_t n, const char *fmt, const struct tm *tm)
{
    long off = tm->tm_gmtoff, a = off < 0 ? -off : off;
    char z[48];
    snprintf(z, sizeof z, "%c%02ld:%02ld", off < 0 ? '-' : '+', a / 3600 % 100, a % 3600 / 60);
    size_t o = 0;
    for (const char *p = fmt; *p; p++) {
        const char *add = p;
        size_t al = 1;
        if (p[0] == '%' && p[1] == ':' && p[2] == 'z') {
            add = z;
            al = strlen(z);
            p += 2;
        } else if (p[0] == '%' && p[1]) { /* "%%" and the like stay whole */
            al = 2;
            p++;
        }
        if (o + al >= n)
            return 0;
        memcpy(f + o, add, al);
        o += al;
    }
    f[o] = '\0';
    return 1;
}

/* time_fmt: md_text_time in the local zone, or in UTC */
static char *time_fmt(char *dst, size_t n, int64_t t, const char *fmt, const char *none, int utc)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char f[128];
    if (n == 0)
        return dst;
    if (!t || !(utc ? gmtime_r(&tt, &tm) : localtime_r(&tt, &tm)) ||
        (strstr(fmt, "%:z") && !colon_zone(f, sizeof f, fmt, &tm)) ||
        strftime(dst, n, strstr(fmt, "%:z") ? f : fmt, &tm) == 0)
        snprintf(dst, n, "%s", none);
    return dst;
}

char *md_text_time(char *dst, size_t n, int64_t t, const char *fmt, const char *none)
{
    return time_fmt(dst, n, t, fmt, none, 0);
}

char *md_text_time_utc(char *dst, size_t n, int64_t t, const char *fmt, const char *none)
{
    return time_fmt(dst, n, t, fmt, none, 1);
}

int64_t md_text_local_midnight(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return t - ((t % 86400) + 86400) % 86400;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    time_t m = mktime(&tm);
    return m == (time_t)-1 ? t - ((t % 86400) + 86400) % 86400 : (int64_t)m;
}

int64_t md_text_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* one run [a, b] of md_text_runs */
static void text_run(md_buf *out, unsigned long a, unsigned long b)
{
    md_buf_printf(out, "%lu", a);
    if (b == a + 1)
        md_buf_printf(out, ",%lu", b);
    else if (b > a + 1)
        md_buf_printf(out, "-%lu", b);
}

void md_text_runs(md_buf *out, const char *ids)
{
    unsigned long a = 0, b = 0;
    int any = 0;
    for (const char *p = ids ? ids : ""; *p;) {
        p += strspn(p, " ");
        const char *d = p + strcspn(p, " 0123456789");
        unsigned long n = 0;
        if (*d >= '0' && *d <= '9')
            n = strtoul(d, NULL, 10);
        if (n && any && n == b + 1) {
            b = n;
        } else if (n) {
            if (any) {
                text_run(out, a, b);
                md_buf_putc(out, ',');
            }
            a = b = n;
            any = 1;
        }
        p += strcspn(p, " ");
    }
    if (any)
        text_run(out, a, b);
}
