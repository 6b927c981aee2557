/* reply515.c: the domain and per-check results of a 5.7.515 refusal
 * (reply515.h).  Never allocates, never prints. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "parse/reply515.h"
#include "base/text.h"

/* result words Microsoft's and RFC 8601's texts use */
static const char *const words[] = {"pass", "fail", "softfail", "none", "neutral",
                                    "temperror", "permerror", "policy", "missing"};

/* word_at: the result word that starts at p (not followed by a letter), or NULL */
static const char *word_at(const char *p, const char *e)
{
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t k = strlen(words[i]);
        if ((size_t)(e - p) < k)
            continue;
        size_t j = 0;
        while (j < k && tolower((unsigned char)p[j]) == words[i][j])
            j++;
        if (j == k && (p + k == e || !isalpha((unsigned char)p[k])))
            return words[i];
    }
    return NULL;
}

/* result: the first "NAME<sep>WORD" in t (NAME a whole word, sep at most 10
 * bytes of ' ', ':', '=', '"', "result"), its word copied to dst */
static void result(const char *t, size_t n, const char *name, char *dst, size_t dn)
{
    size_t k = strlen(name);
    const char *e = t + n;
    for (const char *p = t; p + k <= e; p++) {
        if (p > t && isalnum((unsigned char)p[-1]))
            continue;
        if (strncasecmp(p, name, k) != 0 || (p + k < e && isalnum((unsigned char)p[k])))
            continue;
        const char *q = p + k;
        if (e - q >= 7 && strncasecmp(q, " result", 7) == 0)
            q += 7;
        const char *lim = q + 4 < e ? q + 4 : e;
        while (q < lim && (*q == ' ' || *q == ':' || *q == '=' || *q == '"'))
            q++;
        const char *w = word_at(q, e);
        if (w) {
            snprintf(dst, dn, "%s", w);
            return;
        }
    }
}

void md_reply515_parse(const char *t, size_t n, md_reply515 *out)
{
    memset(out, 0, sizeof *out);
    if (!t)
        return;
    out->is515 = md_text_casestr(t, n, "5.7.515") != NULL;
    const char *d = md_text_casestr(t, n, "sending domain ");
    if (d) {
        const char *p = d + 15, *e = t + n;
        if (p < e && *p == '[')
            p++;
        size_t i = 0;
        while (p < e && i + 1 < sizeof out->domain &&
               (isalnum((unsigned char)*p) || *p == '.' || *p == '-' || *p == '_'))
            out->domain[i++] = (char)tolower((unsigned char)*p++);
        while (i && out->domain[i - 1] == '.')
            i--;
        out->domain[i] = '\0';
    }
    result(t, n, "spf", out->spf, sizeof out->spf);
    result(t, n, "dkim", out->dkim, sizeof out->dkim);
    result(t, n, "dmarc", out->dmarc, sizeof out->dmarc);
}
