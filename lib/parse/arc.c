/* arc.c: ARC sets and SRS senders (see arc.h).  Plain values, bounded
 * copies, no allocation. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parse/arc.h"
#include "parse/authres.h"
#include "base/text.h"

static int wsp(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

int md_arc_tag(const char *value, const char *tag, char *dst, size_t n)
{
    size_t tl = strlen(tag);
    if (n)
        dst[0] = '\0';
    for (const char *p = value; p && *p;) {
        while (*p == ';' || wsp(*p))
            p++;
        size_t k = strcspn(p, ";");
        size_t nl = 0;
        while (nl < k && p[nl] != '=' && !wsp(p[nl]))
            nl++;
        const char *eq = memchr(p, '=', k);
        if (eq && nl == tl && !md_text_ncasecmp(p, tag, tl)) {
            const char *v = eq + 1;
            size_t vl = k - (size_t)(v - p);
            md_text_copy_trim(dst, n, v, vl);
            return 1;
        }
        p += k;
    }
    return 0;
}

void md_arc_init(md_arc *a)
{
    memset(a, 0, sizeof *a);
}

/* set_of: the set of instance i, made (in instance order) when new; NULL
 * when full */
static md_arc_set *set_of(md_arc *a, int i)
{
    size_t k = 0;
    while (k < a->n && a->set[k].instance < i)
        k++;
    if (k < a->n && a->set[k].instance == i)
        return &a->set[k];
    if (a->n >= MD_ARC_MAX_SETS)
        return NULL;
    memmove(&a->set[k + 1], &a->set[k], (a->n - k) * sizeof a->set[0]);
    memset(&a->set[k], 0, sizeof a->set[k]);
    a->set[k].instance = i;
    a->n++;
    return &a->set[k];
}

static int instance(const char *v)
{
    char b[16];
    char *e;
    if (!md_arc_tag(v, "i", b, sizeof b) || !b[0])
        return -1;
    long l = strtol(b, &e, 10);
    return *e || l < 1 || l > MD_ARC_MAX_INSTANCE ? -1 : (int)l;
}

/* aar: an ARC-Authentication-Results into set fields */
static int add_aar(md_arc *a, const char *value)
{
    md_authres *ar = malloc(sizeof *ar);
    if (!ar)
        return -1;
    md_authres_parse(ar, value);
    md_arc_set *s = ar->arc_instance >= 1 && ar->arc_instance <= MD_ARC_MAX_INSTANCE
                        ? set_of(a, ar->arc_instance) : NULL;
    if (s && !s->has_aar) {
        s->has_aar = 1;
        md_text_copy(s->aar_authserv, sizeof s->aar_authserv, ar->authserv);
        size_t used = 0;
        for (size_t i = 0; i < ar->n && used < sizeof s->aar; i++) {
            int w = snprintf(s->aar + used, sizeof s->aar - used, "%s%s=%s", used ? " " : "",
                             ar->item[i].method, ar->item[i].result);
            if (w < 0 || (size_t)w >= sizeof s->aar - used) {
                s->aar[used] = '\0';
                break;
            }
            used += (size_t)w;
        }
    }
    free(ar);
    if (!s)
        a->bad = 1;
    return s ? 0 : -1;
}

int md_arc_add(md_arc *a, const char *name, const char *value)
{
    if (!name || !value)
        return -1;
    if (!md_text_casecmp(name, "ARC-Authentication-Results"))
        return add_aar(a, value);
    int seal = !md_text_casecmp(name, "ARC-Seal");
    if (!seal && md_text_casecmp(name, "ARC-Message-Signature"))
        return -1;
    int i = instance(value);
    md_arc_set *s = i > 0 ? set_of(a, i) : NULL;
    if (!s) {
        a->bad = 1;
        return -1;
    }
    if (seal && !s->has_seal) {
        s->has_seal = 1;
        md_arc_tag(value, "cv", s->cv, sizeof s->cv);
        md_text_lower(s->cv);
        md_arc_tag(value, "d", s->seal_d, sizeof s->seal_d);
        md_text_lower(s->seal_d);
        md_arc_tag(value, "s", s->seal_s, sizeof s->seal_s);
    } else if (!seal && !s->has_ams) {
        s->has_ams = 1;
        md_arc_tag(value, "d", s->ams_d, sizeof s->ams_d);
        md_text_lower(s->ams_d);
        md_arc_tag(value, "s", s->ams_s, sizeof s->ams_s);
    }
    return 0;
}

void md_arc_from_message(md_arc *a, const md_message *m)
{
    static const char *const names[] = {"ARC-Seal", "ARC-Message-Signature",
                                        "ARC-Authentication-Results"};
    md_arc_init(a);
    for (size_t h = 0; h < sizeof names / sizeof names[0]; h++) {
        size_t pos = 0;
        const md_msg_header *f;
        while ((f = md_message_header_next(m, names[h], &pos)) != NULL)
            md_arc_add(a, names[h], f->value);
    }
}

const md_arc_set *md_arc_latest(const md_arc *a)
{
    return a->n ? &a->set[a->n - 1] : NULL;
}

int md_arc_microsoft_sealer(const char *d)
{
    static const char *const ms[] = {"microsoft.com", "outlook.com", "hotmail.com"};
    size_t dl = d ? strlen(d) : 0;
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        size_t l = strlen(ms[i]);
        if (dl >= l && !md_text_casecmp(d + dl - l, ms[i]) && (dl == l || d[dl - l - 1] == '.'))
            return 1;
    }
    return 0;
}

const char *md_srs_kind(const char *addr)
{
    if (!addr)
        return NULL;
    while (*addr == '<' || wsp(*addr))
        addr++;
    if (!md_text_ncasecmp(addr, "SRS0=", 5) || !md_text_ncasecmp(addr, "SRS0+", 5) ||
        !md_text_ncasecmp(addr, "SRS0-", 5))
        return "SRS0";
    if (!md_text_ncasecmp(addr, "SRS1=", 5) || !md_text_ncasecmp(addr, "SRS1+", 5) ||
        !md_text_ncasecmp(addr, "SRS1-", 5))
        return "SRS1";
    return NULL;
}
