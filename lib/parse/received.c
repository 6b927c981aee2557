/* received.c: Received header chains as hops (see received.h).
 *
 * One pass over the value splits it into keyword clauses at parenthesis
 * depth 0 (a counter, no recursion, so 100,000 nested comments cost one
 * scan); each clause is then read for host names, IP literals, ids and
 * addresses.  Owns only the hop array of an md_received.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/md_limits.h"
#include "parse/received.h"
#include "base/text.h"

enum { KW_NONE = -1, KW_FROM, KW_BY, KW_WITH, KW_ID, KW_FOR, KW_VIA, KW_COUNT };
static const char *const kw_names[KW_COUNT] = {"from", "by", "with", "id", "for", "via"};

/* copy_trim: the value trimmed of white space and trailing ';' */
static void copy_trim(char *dst, size_t n, const char *s, size_t len)
{
    while (len && (isspace((unsigned char)s[len - 1]) || s[len - 1] == ';'))
        len--;
    md_text_copy_trim(dst, n, s, len);
}

static void append_clause(char *dst, size_t n, const char *s, size_t len)
{
    char tmp[512];
    copy_trim(tmp, sizeof tmp, s, len);
    if (!*tmp)
        return;
    size_t l = strlen(dst);
    if (l)
        snprintf(dst + l, n - l, "; %s", tmp);
    else
        md_text_copy(dst, n, tmp);
}

/* first_word: the first word of clause s (up to blank, '(' or ';'). */
static void first_word(char *dst, size_t n, const char *s)
{
    while (*s == ' ')
        s++;
    size_t k = strcspn(s, " \t(;");
    copy_trim(dst, n, s, k);
}

/* take_ip: parse s[0..len) as an IP (brackets, IPv6: prefix, :port after ']'). */
static int take_ip(md_ip *ip, const char *s, size_t len)
{
    while (len && strchr(",;.", s[len - 1]))
        len--;
    if (len && s[0] == '[') {
        const char *rb = memchr(s, ']', len);
        if (rb)
            len = (size_t)(rb - s) + 1;
    }
    if (len < 2 || len > 64)
        return -1;
    return md_ip_parse(ip, s, len);
}

static int looks_like_host(const char *s, size_t len)
{
    if (len == 7 && md_text_ncasecmp(s, "unknown", 7) == 0)
        return 1;
    if (!memchr(s, '.', len))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr(".-_", s[i]))
            return 0;
    return 1;
}

/* parse_from: HELO, rdns and IP out of the from clause. */
static void parse_from(md_hop *h, const char *t)
{
    char w[256];
    first_word(w, sizeof w, t);
    md_ip ip;
    if (*w == '[' && take_ip(&ip, w, strlen(w)) == 0) {
        h->ip = ip;
        h->has_ip = 1;
    }
    md_text_copy(h->helo, sizeof h->helo, w);
    int helo_eq = 0, helo_kw = 0;
    /* walk the top-level comments */
    size_t n = strlen(t);
    for (size_t i = 0; i < n; i++) {
        if (t[i] != '(')
            continue;
        size_t st = i + 1, d = 0, e = st;
        for (e = i; e < n; e++) {
            if (t[e] == '(')
                d++;
            else if (t[e] == ')' && --d == 0)
                break;
        }
        const char *c = t + st;
        size_t cl = (e < n ? e : n) - st;
        int first = 1;
        for (size_t j = 0; j < cl;) {
            while (j < cl && (c[j] == ' ' || c[j] == ','))
                j++;
            size_t k = j;
            while (k < cl && c[k] != ' ' && c[k] != ',' && c[k] != '(' && c[k] != ')')
                k++;
            if (k == j) {
                j++;
                continue;
            }
            const char *tok = c + j;
            size_t tl = k - j;
            if (tl > 5 && md_text_ncasecmp(tok, "helo=", 5) == 0) {
                copy_trim(h->helo, sizeof h->helo, tok + 5, tl - 5);
                helo_eq = 1;
            } else if (tl == 4 && md_text_ncasecmp(tok, "HELO", 4) == 0 && k < cl) {
                helo_kw = 1; /* qmail: (HELO name): the next token is the HELO */
                size_t a = k;
                while (a < cl && c[a] == ' ')
                    a++;
                size_t b = a;
                while (b < cl && c[b] != ' ' && c[b] != ')')
                    b++;
                if (b > a)
                    copy_trim(h->helo, sizeof h->helo, c + a, b - a);
                k = b;
            } else if (!h->has_ip && take_ip(&ip, tok, tl) == 0) {
                h->ip = ip;
                h->has_ip = 1;
            } else if (first && !*h->rdns && looks_like_host(tok, tl)) {
                copy_trim(h->rdns, sizeof h->rdns, tok, tl);
            }
            first = 0;
            j = k;
        }
        i = e < n ? e : n;
    }
    if ((helo_eq || helo_kw) && !*h->rdns && *w != '[') {
        /* Exim/qmail: the word after "from" is the reverse DNS name */
        md_text_copy(h->rdns, sizeof h->rdns, w);
    }
    if (!h->has_ip) {
        size_t pos, len;
        if (md_ip_find(t, n, &ip, &pos, &len)) {
            h->ip = ip;
            h->has_ip = 1;
        }
    }
    if (h->has_ip)
        md_ip_format(&h->ip, h->ipstr, sizeof h->ipstr);
}

static void parse_by(md_hop *h, const char *t)
{
    first_word(h->by, sizeof h->by, t);
    const char *p = strchr(t, '(');
    if (p) {
        const char *e = strchr(p, ')');
        md_ip ip;
        if (e && take_ip(&ip, p + 1, (size_t)(e - p - 1)) == 0)
            md_ip_format(&ip, h->by_ipstr, sizeof h->by_ipstr);
    }
}

/* kw_at: the keyword starting at v[i] (word-bounded), or KW_NONE. */
static int kw_at(const char *v, size_t n, size_t i)
{
    if (i > 0 && !isspace((unsigned char)v[i - 1]) && v[i - 1] != ')' && v[i - 1] != ';')
        return KW_NONE;
    for (int k = 0; k < KW_COUNT; k++) {
        size_t l = strlen(kw_names[k]);
        if (n - i > l && md_text_ncasecmp(v + i, kw_names[k], l) == 0 &&
            (isspace((unsigned char)v[i + l]) || v[i + l] == '('))
            return k;
        if (n - i == l && md_text_ncasecmp(v + i, kw_names[k], l) == 0)
            return k;
    }
    return KW_NONE;
}

static int day_or_month(const char *s, size_t n)
{
    static const char *const w[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun",
                                    "jan", "feb", "mar", "apr", "may", "jun", "jul",
                                    "aug", "sep", "oct", "nov", "dec"};
    if (n < 3)
        return 0;
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        if (md_text_ncasecmp(s, w[i], 3) == 0)
            return 1;
    return 0;
}

/* find_date: where the date starts in v[0..n): after the last ';', else a
 * date at the end (some MTAs omit the ';').  Returns n when none. */
static size_t find_date(const char *v, size_t n, md_hop *h)
{
    const char *semi = NULL;
    for (size_t i = n; i > 0; i--)
        if (v[i - 1] == ';') {
            semi = v + i - 1;
            break;
        }
    int hz = 0;
    if (semi) {
        size_t st = (size_t)(semi - v) + 1;
        if (md_message_parse_date(v + st, n - st, &h->date, &hz) == MD_OK) {
            h->has_date = 1;
            h->date_no_zone = !hz;
        }
        copy_trim(h->date_text, sizeof h->date_text, v + st, n - st);
        return (size_t)(semi - v);
    }
    /* no ';': try each word start that could begin a date (needs a time) */
    if (!memchr(v, ':', n))
        return n;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && v[i - 1] != ' ')
            continue;
        if (!isdigit((unsigned char)v[i]) && !day_or_month(v + i, n - i))
            continue;
        if (md_message_parse_date(v + i, n - i, &h->date, &hz) == MD_OK && memchr(v + i, ':', n - i)) {
            h->has_date = 1;
            h->date_no_zone = !hz;
            copy_trim(h->date_text, sizeof h->date_text, v + i, n - i);
            return i;
        }
    }
    return n;
}

void md_received_parse_one(md_hop *h, const char *value)
{
    memset(h, 0, sizeof *h);
    size_t n = strlen(value);
    copy_trim(h->raw, sizeof h->raw, value, n);
    size_t dend = find_date(value, n, h);
    char clause[KW_COUNT][512];
    memset(clause, 0, sizeof clause);
    int cur = KW_NONE, depth = 0;
    size_t cst = 0;
    for (size_t i = 0; i < dend; i++) {
        char c = value[i];
        if (c == '(') {
            depth++;
            continue;
        }
        if (c == ')') {
            if (depth > 0)
                depth--;
            continue;
        }
        if (depth || !isalpha((unsigned char)c))
            continue;
        int k = kw_at(value, dend, i);
        if (k == KW_NONE)
            continue;
        if (cur != KW_NONE)
            append_clause(clause[cur], sizeof clause[cur], value + cst, i - cst);
        cur = k;
        cst = i + strlen(kw_names[k]);
        i = cst - 1;
        h->parsed = 1;
    }
    if (cur != KW_NONE)
        append_clause(clause[cur], sizeof clause[cur], value + cst, dend - cst);
    if (!h->parsed)
        return;
    copy_trim(h->from_text, sizeof h->from_text, clause[KW_FROM], strlen(clause[KW_FROM]));
    copy_trim(h->by_text, sizeof h->by_text, clause[KW_BY], strlen(clause[KW_BY]));
    if (*clause[KW_FROM])
        parse_from(h, clause[KW_FROM]);
    if (*clause[KW_BY])
        parse_by(h, clause[KW_BY]);
    copy_trim(h->with, sizeof h->with, clause[KW_WITH], strlen(clause[KW_WITH]));
    copy_trim(h->via, sizeof h->via, clause[KW_VIA], strlen(clause[KW_VIA]));
    first_word(h->id, sizeof h->id, clause[KW_ID]);
    if (*clause[KW_FOR]) {
        char w[512];
        first_word(w, sizeof w, clause[KW_FOR]);
        if (md_text_addr_norm(h->for_addr, sizeof h->for_addr, w, strlen(w)) != 0)
            h->for_addr[0] = '\0';
    }
}

int md_received_chain(md_received *out, const md_message *m, md_err *err)
{
    memset(out, 0, sizeof *out);
    size_t pos = 0, total = 0;
    while (md_message_header_next(m, "Received", &pos))
        total++;
    out->total_headers = total;
    size_t keep = total > MD_LIMIT_RECEIVED ? MD_LIMIT_RECEIVED : total;
    out->truncated = total > keep;
    if (!keep)
        return MD_OK;
    out->hop = malloc(keep * sizeof *out->hop); /* each set by md_received_parse_one */
    if (!out->hop)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    pos = 0;
    for (size_t i = 0; i < keep; i++) {
        const md_msg_header *f = md_message_header_next(m, "Received", &pos);
        if (!f)
            break;
        /* headers are newest first: the first kept goes last */
        md_received_parse_one(&out->hop[keep - 1 - i], f->value);
        out->n++;
    }
    const md_hop *prev = NULL, *first = NULL;
    for (size_t i = 0; i < out->n; i++) {
        md_hop *h = &out->hop[i];
        h->index = (int)i + 1;
        if (!h->has_date)
            continue;
        if (prev) {
            h->delay = h->date - prev->date;
            h->has_delay = 1;
        }
        if (!first)
            first = h;
        prev = h;
    }
    if (first && prev && prev != first) {
        out->total_delay = prev->date - first->date;
        out->has_total = 1;
    }
    return MD_OK;
}

void md_received_free(md_received *r)
{
    if (!r)
        return;
    free(r->hop);
    memset(r, 0, sizeof *r);
}

int md_received_is_microsoft_name(const char *name)
{
    static const char *const sfx[] = {
        "outlook.com", "hotmail.com", "office365.com", "microsoft.com", "msn.com",
        "live.com", "outlook.office.com", "protection.outlook.com", "messaging.microsoft.com",
        "exchangelabs.com", "hotmail.de", "outlook.de",
    };
    if (!name || !*name)
        return 0;
    size_t n = strlen(name);
    while (n && name[n - 1] == '.')
        n--;
    for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
        size_t l = strlen(sfx[i]);
        if (n == l && md_text_ncasecmp(name, sfx[i], l) == 0)
            return 1;
        if (n > l && name[n - l - 1] == '.' && md_text_ncasecmp(name + n - l, sfx[i], l) == 0)
            return 1;
    }
    return 0;
}

/* Microsoft's mail networks (Exchange Online Protection and Outlook.com, from
 * Microsoft's published endpoint lists; a hint, not a proof). */
static int microsoft_ip(const md_ip *ip)
{
    static const char *const nets[] = {
        "40.92.0.0/15", "40.107.0.0/16", "52.100.0.0/14", "104.47.0.0/17", "65.54.0.0/16",
        "65.55.0.0/16", "134.170.0.0/16", "157.55.0.0/16", "157.56.0.0/16", "207.46.0.0/16",
        "213.199.128.0/18", "2a01:111:f400::/48", "2a01:111:f403::/48", "2a01:111::/32",
        "2603:1000::/24",
    };
    static md_cidr_table t = MD_CIDR_TABLE(nets);
    return md_cidr_table_contains(&t, ip);
}

md_ipclass md_received_classify(const md_config *cfg, const md_ip *ip, const char *name,
                                const md_host **host)
{
    if (host)
        *host = NULL;
    if (!ip)
        return MD_IPCLASS_NONE;
    int msname = md_received_is_microsoft_name(name);
    if (msname && (md_ip_is_private(ip) || microsoft_ip(ip)))
        return MD_IPCLASS_MICROSOFT;
    if (cfg && md_config_is_ours(cfg, ip)) {
        if (host)
            *host = md_config_host(cfg, ip);
        return MD_IPCLASS_OURS;
    }
    if (microsoft_ip(ip))
        return MD_IPCLASS_MICROSOFT;
    if (md_ip_is_private(ip))
        return MD_IPCLASS_PRIVATE;
    return MD_IPCLASS_OTHER;
}

const char *md_received_class_name(md_ipclass c)
{
    switch (c) {
    case MD_IPCLASS_OURS: return "ours";
    case MD_IPCLASS_MICROSOFT: return "microsoft";
    case MD_IPCLASS_PRIVATE: return "private";
    case MD_IPCLASS_OTHER: return "other";
    default: return "";
    }
}

char *md_received_delay_text(int64_t secs, char *dst, size_t n)
{
    int64_t a = secs < 0 ? -secs : secs;
    const char *sign = secs < 0 ? "-" : "";
    if (a < 60)
        snprintf(dst, n, "%s%lld s", sign, (long long)a);
    else if (a < 3600)
        snprintf(dst, n, "%s%lld min %lld s", sign, (long long)(a / 60), (long long)(a % 60));
    else if (a < 86400)
        snprintf(dst, n, "%s%lld h %lld min", sign, (long long)(a / 3600),
                 (long long)(a % 3600 / 60));
    else
        snprintf(dst, n, "%s%lld d %lld h", sign, (long long)(a / 86400),
                 (long long)(a % 86400 / 3600));
    if (secs < 0) {
        size_t l = strlen(dst);
        snprintf(dst + l, n - l, " (clock skew)");
    }
    return dst;
}
