/* dnsexport.c: SPF and DMARC TXT records from `dig` output or a zone
 * fragment (dnsexport.h).  Never allocates, never prints. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "parse/dnsexport.h"

typedef struct lex {
    const char *p, *e;          /* the rest of the line */
} lex;

static void skip_blank(lex *x)
{
    while (x->p < x->e && (*x->p == ' ' || *x->p == '\t'))
        x->p++;
}

/* token: the next unquoted word (not ';'), "" at the end */
static size_t token(lex *x, const char **t)
{
    skip_blank(x);
    *t = x->p;
    while (x->p < x->e && *x->p != ' ' && *x->p != '\t' && *x->p != ';' && *x->p != '"')
        x->p++;
    return (size_t)(x->p - *t);
}

static int is_num(const char *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)t[i]))
            return 0;
    return n > 0;
}

static int word_is(const char *t, size_t n, const char *w)
{
    return n == strlen(w) && strncasecmp(t, w, n) == 0;
}

/* strings: the TXT strings (quoted, or one bare word) joined into r->text;
 * -1 unterminated */
static int strings(lex *x, md_dns_record *r)
{
    size_t k = 0;
    for (;;) {
        skip_blank(x);
        if (x->p >= x->e || *x->p == ';')
            break;
        if (*x->p != '"') {
            const char *t;
            size_t n = token(x, &t);
            if (!n)
                break;
            for (size_t i = 0; i < n; i++)
                k + 1 < sizeof r->text ? (void)(r->text[k++] = t[i]) : (void)(r->cut = 1);
            continue;
        }
        x->p++;
        while (x->p < x->e && *x->p != '"') {
            char c = *x->p++;
            if (c == '\\' && x->p < x->e)
                c = *x->p++;
            k + 1 < sizeof r->text ? (void)(r->text[k++] = c) : (void)(r->cut = 1);
        }
        if (x->p >= x->e)
            return -1;
        x->p++;
    }
    r->text[k] = '\0';
    return 0;
}

/* owner: name as written, made absolute against origin, into dst */
static void owner(const char *t, size_t n, const char *origin, char *dst, size_t dn)
{
    char tmp[512];
    if (n == 1 && t[0] == '@')
        snprintf(tmp, sizeof tmp, "%s", origin);
    else if (n && t[n - 1] == '.')
        snprintf(tmp, sizeof tmp, "%.*s", (int)(n - 1), t);
    else if (origin[0])
        snprintf(tmp, sizeof tmp, "%.*s.%s", (int)(n > 255 ? 255 : n), t, origin);
    else
        snprintf(tmp, sizeof tmp, "%.*s", (int)(n > 255 ? 255 : n), t);
    size_t i = 0;
    for (; tmp[i] && i + 1 < dn; i++)
        dst[i] = (char)tolower((unsigned char)tmp[i]);
    dst[i] = '\0';
}

/* one_line: a line; 1 a record in *r, 0 none, -1 bad (why in err) */
static int one_line(const char *l, size_t n, char *origin, size_t on, char *prev, size_t pn,
                    md_dns_record *r, md_err *err)
{
    lex x = {l, l + n};
    int blank_start = n && (l[0] == ' ' || l[0] == '\t');
    const char *t;
    size_t k = token(&x, &t);
    if (!k)
        return 0;
    if (word_is(t, k, "$ORIGIN")) {
        k = token(&x, &t);
        owner(t, k, "", origin, on);
        return 0;
    }
    const char *name = blank_start ? NULL : t;
    size_t name_n = blank_start ? 0 : k;
    if (!blank_start)
        k = token(&x, &t);
    for (int i = 0; i < 3 && (is_num(t, k) || word_is(t, k, "IN") || word_is(t, k, "CH")); i++)
        k = token(&x, &t);
    if (!word_is(t, k, "TXT"))
        return 0;
    if (memchr(x.p, '(', (size_t)(x.e - x.p)))
    {
        md_err_set(err, MD_ERR_PARSE, "multi-line record '( ... )' not read: put it on one line");
        return -1;
    }
    memset(r, 0, sizeof *r);
    if (name)
        owner(name, name_n, origin, prev, pn);
    snprintf(r->name, sizeof r->name, "%s", prev);
    if (strings(&x, r) != 0)
    {
        md_err_set(err, MD_ERR_PARSE, "unterminated quoted string");
        return -1;
    }
    if (strncasecmp(r->text, "v=spf1", 6) == 0 && (!r->text[6] || r->text[6] == ' '))
        r->kind = MD_DNS_SPF;
    else if (strncasecmp(r->text, "v=DMARC1", 8) == 0)
        r->kind = MD_DNS_DMARC;
    return r->kind ? 1 : 0;
}

int md_dns_export_parse(const char *buf, size_t n, md_dns_export *out, md_err *err)
{
    memset(out, 0, sizeof *out);
    char origin[256] = "", prev[256] = "";
    unsigned line = 0;
    const char *p = buf, *e = buf + n;
    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        size_t len = (size_t)((nl ? nl : e) - p);
        line++;
        if (len && p[len - 1] == '\r')
            len--;
        md_dns_record r;
        md_err why = {0, ""};
        int rc = one_line(p, len, origin, sizeof origin, prev, sizeof prev, &r, &why);
        if (rc < 0)
            return md_err_set(err, MD_ERR_PARSE, "line %u: %s", line, why.msg);
        if (rc > 0) {
            r.line = line;
            if (out->n < MD_LIMIT_DNS_RECORDS)
                out->rec[out->n++] = r;
            else
                out->dropped++;
        }
        p = nl ? nl + 1 : e;
    }
    return MD_OK;
}
