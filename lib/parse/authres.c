/* authres.c: Authentication-Results, Received-SPF, DKIM-Signature (see
 * authres.h).  Plain values, no allocation, bounded copies. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "parse/authres.h"
#include "base/text.h"

/* copy_n: the trimmed value without its surrounding double quotes */
static void copy_n(char *dst, size_t n, const char *s, size_t len)
{
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
        s++;
        len -= 2;
    }
    md_text_copy_utf8(dst, n, s, len);
}

/* strip_comments: value without (comments) into dst; the first comment's
 * text into first (may be NULL).  Quoted strings are kept. */
static void strip_comments(char *dst, size_t n, const char *v, char *first, size_t fn)
{
    size_t o = 0, cst = 0;
    int d = 0, q = 0, got = 0;
    for (size_t i = 0; v[i] && o + 1 < n; i++) {
        char c = v[i];
        if (!d && c == '"')
            q = !q;
        if (!q && c == '(') {
            if (d++ == 0)
                cst = i + 1;
            continue;
        }
        if (!q && c == ')' && d > 0) {
            if (--d == 0) {
                if (!got && first) {
                    copy_n(first, fn, v + cst, i - cst);
                    got = 1;
                }
                dst[o++] = ' ';
            }
            continue;
        }
        if (!d)
            dst[o++] = c;
    }
    dst[o] = '\0';
}

/* next_token: the next blank-separated token of s from *i (quotes kept whole). */
static int next_token(const char *s, size_t *i, const char **tok, size_t *len)
{
    while (s[*i] && isspace((unsigned char)s[*i]))
        (*i)++;
    if (!s[*i])
        return 0;
    size_t st = *i;
    int q = 0;
    while (s[*i] && (q || !isspace((unsigned char)s[*i]))) {
        if (s[*i] == '"')
            q = !q;
        (*i)++;
    }
    *tok = s + st;
    *len = *i - st;
    return 1;
}

static void domain_of(char *dst, size_t n, const char *v, size_t len)
{
    const char *at = memchr(v, '@', len);
    if (at) {
        len -= (size_t)(at + 1 - v);
        v = at + 1;
    }
    copy_n(dst, n, v, len);
    md_text_lower(dst);
}

static void parse_item(md_authres_item *it, const char *seg, const char *comment)
{
    size_t i = 0, len;
    const char *tok;
    memset(it, 0, sizeof *it);
    md_text_copy(it->comment, sizeof it->comment, comment);
    int first = 1;
    while (next_token(seg, &i, &tok, &len)) {
        const char *eq = memchr(tok, '=', len);
        if (!eq)
            continue;
        size_t kl = (size_t)(eq - tok);
        const char *val = eq + 1;
        size_t vl = len - kl - 1;
        if (first) {
            const char *sl = memchr(tok, '/', kl); /* method/version */
            copy_n(it->method, sizeof it->method, tok, sl ? (size_t)(sl - tok) : kl);
            md_text_lower(it->method);
            copy_n(it->result, sizeof it->result, val, vl);
            md_text_lower(it->result);
            first = 0;
            continue;
        }
        if (kl == 6 && md_text_ncasecmp(tok, "reason", 6) == 0) {
            copy_n(it->reason, sizeof it->reason, val, vl);
            continue;
        }
        size_t pl = strlen(it->props);
        if (pl + len + 2 < sizeof it->props)
            snprintf(it->props + pl, sizeof it->props - pl, "%s%.*s", pl ? " " : "", (int)len, tok);
        if ((kl == 8 && md_text_ncasecmp(tok, "header.d", 8) == 0) ||
            (kl == 11 && md_text_ncasecmp(tok, "header.from", 11) == 0) ||
            (kl == 8 && md_text_ncasecmp(tok, "header.i", 8) == 0 && !*it->domain))
            domain_of(it->domain, sizeof it->domain, val, vl);
        else if (kl == 13 && md_text_ncasecmp(tok, "smtp.mailfrom", 13) == 0 && !*it->domain)
            domain_of(it->domain, sizeof it->domain, val, vl);
        else if (kl == 9 && md_text_ncasecmp(tok, "smtp.helo", 9) == 0 && !*it->domain)
            domain_of(it->domain, sizeof it->domain, val, vl);
    }
}

void md_authres_parse(md_authres *out, const char *value)
{
    char buf[4096];
    /* not the items: 21 KB, set when used (one value, most mail: one or two) */
    out->authserv[0] = '\0';
    out->arc_instance = 0;
    out->n = 0;
    if (!value)
        return;
    /* split the raw value on ';' outside quotes and comments, remembering
     * each segment's first comment */
    size_t n = strlen(value), st = 0;
    int d = 0, q = 0, seg = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = i < n ? value[i] : ';';
        if (!d && c == '"')
            q = !q;
        else if (!q && c == '(')
            d++;
        else if (!q && c == ')' && d > 0)
            d--;
        if (c != ';' || (i < n && (q || d)))
            continue;
        size_t sl = i - st < sizeof buf - 1 ? i - st : sizeof buf - 1;
        char raw[4096], comment[256] = "";
        memcpy(raw, value + st, sl);
        raw[sl] = '\0';
        strip_comments(buf, sizeof buf, raw, comment, sizeof comment);
        st = i + 1;
        const char *b = buf;
        while (isspace((unsigned char)*b))
            b++;
        size_t fw = strcspn(b, " \t");
        const char *eq = memchr(b, '=', fw);
        if (seg == 0 && eq && !(md_text_ncasecmp(b, "i=", 2) == 0 && isdigit((unsigned char)b[2]))) {
            /* Microsoft writes no authserv-id first ("spf=pass ...; outlook.de; dkim=...") */
            seg = 1;
        } else if (seg == 1 && !eq && *b && !*out->authserv) {
            copy_n(out->authserv, sizeof out->authserv, b, fw);
            continue;
        }
        if (seg == 0) {
            if (md_text_ncasecmp(b, "i=", 2) == 0 && isdigit((unsigned char)b[2])) {
                out->arc_instance = b[2] - '0';
                continue; /* ARC: the authserv-id comes next */
            }
            copy_n(out->authserv, sizeof out->authserv, b, strcspn(b, " \t"));
            seg = 1;
            /* some writers omit the ';' after the authserv-id */
            const char *rest = b + strcspn(b, " \t");
            if (strchr(rest, '=') && out->n < MD_AUTHRES_MAX) {
                md_authres_item it;
                parse_item(&it, rest, comment);
                if (*it.method)
                    out->item[out->n++] = it;
            }
            continue;
        }
        if (!*b || md_text_casecmp(b, "none") == 0 || out->n >= MD_AUTHRES_MAX)
            continue;
        md_authres_item it;
        parse_item(&it, b, comment);
        if (*it.method)
            out->item[out->n++] = it;
    }
}

void md_authres_parse_spf(md_authres_item *out, const char *value)
{
    char buf[4096], comment[256] = "";
    memset(out, 0, sizeof *out);
    snprintf(out->method, sizeof out->method, "spf");
    if (!value)
        return;
    strip_comments(buf, sizeof buf, value, comment, sizeof comment);
    md_text_copy(out->comment, sizeof out->comment, comment);
    size_t i = 0, len;
    const char *tok;
    if (next_token(buf, &i, &tok, &len)) {
        copy_n(out->result, sizeof out->result, tok, len);
        md_text_lower(out->result);
        size_t l = strlen(out->result);
        while (l && out->result[l - 1] == ';')
            out->result[--l] = '\0';
    }
    /* key=value; pairs */
    for (char *p = buf + i; *p;) {
        while (*p == ' ' || *p == ';' || *p == '\t')
            p++;
        size_t k = strcspn(p, ";");
        if (!k)
            break;
        const char *eq = memchr(p, '=', k);
        if (eq) {
            size_t pl = strlen(out->props);
            if (pl + k + 2 < sizeof out->props)
                snprintf(out->props + pl, sizeof out->props - pl, "%s%.*s", pl ? " " : "",
                         (int)k, p);
            if ((size_t)(eq - p) == 13 && md_text_ncasecmp(p, "envelope-from", 13) == 0)
                domain_of(out->domain, sizeof out->domain, eq + 1, k - 14);
        }
        p += k;
    }
    size_t dl = strlen(out->domain);
    while (dl && strchr(">\" ", out->domain[dl - 1]))
        out->domain[--dl] = '\0';
}

void md_authres_dkim_sig(const char *value, char *d, size_t dn, char *s, size_t sn)
{
    if (dn)
        d[0] = '\0';
    if (sn)
        s[0] = '\0';
    if (!value)
        return;
    for (const char *p = value; *p;) {
        while (*p == ' ' || *p == ';' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        size_t k = strcspn(p, ";");
        if (!k)
            break;
        if (k > 2 && p[1] == '=' && (p[0] == 'd' || p[0] == 's'))
            copy_n(p[0] == 'd' ? d : s, p[0] == 'd' ? dn : sn, p + 2, k - 2);
        p += k;
    }
    if (dn)
        md_text_lower(d);
}

const md_authres_item *md_authres_find(const md_authres *ar, const char *method)
{
    for (size_t i = 0; ar && i < ar->n; i++)
        if (md_text_casecmp(ar->item[i].method, method) == 0)
            return &ar->item[i];
    return NULL;
}

const char *md_authres_compauth_text(const char *r)
{
    /* Microsoft's documentation of compauth reason codes */
    static const struct { const char *code; const char *text; } t[] = {
        {"000", "the message failed explicit authentication (DMARC reject/quarantine)"},
        {"001", "the message failed implicit authentication"},
        {"002", "the organisation blocks this sender/domain pair"},
        {"010", "DMARC reject/quarantine, accepted domain"},
        {"1xx", "the message passed authentication"},
        {"100", "passed (explicit: SPF/DKIM aligned with DMARC)"},
        {"101", "passed (implicit authentication)"},
        {"102", "passed (a trusted ARC sealer / auth override)"},
        {"109", "passed (DMARC with policy none)"},
        {"130", "passed via ARC"},
        {"2xx", "soft-passed implicit authentication"},
        {"3xx", "not checked for composite authentication"},
        {"4xx", "bypassed (sender is in the organisation's allow list or similar)"},
        {"6xx", "failed implicit authentication (intra-org spoof)"},
        {"9xx", "the organisation overrode the result"},
    };
    if (!r || strlen(r) < 3)
        return "";
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strncmp(t[i].code, r, 3) == 0)
            return t[i].text;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (t[i].code[1] == 'x' && t[i].code[0] == r[0])
            return t[i].text;
    return "";
}
