/* hdrfield.c: RFC 5322 "Name: value" fields, read and unfolded (see
 * hdrfield.h).  The one place that knows where a field begins and ends:
 * message.c splits header blocks with it, dsn.c and arf.c read report parts
 * with it.  Owns nothing (pointers into the caller's bytes); never
 * allocates but into the caller's scratch buffer; never prints. */
#include <string.h>
#include "base/err.h"
#include "parse/hdrfield.h"
#include "base/text.h"

void md_hdrfield_init(md_hdrfield_it *it, const char *p, size_t n, size_t max, int opts)
{
    it->p = p;
    it->end = p + n;
    it->max = max ? max : (size_t)-1;
    it->line = 0;
    it->opts = opts;
    it->flags = 0;
    it->blank = 0;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* take_line: the line at it->p: its start, its length without the line
 * break (LF or CRLF); it->p moves past the break. */
static const char *take_line(md_hdrfield_it *it, size_t *len)
{
    const char *s = it->p;
    const char *nl = memchr(s, '\n', (size_t)(it->end - s));
    size_t l = nl ? (size_t)(nl - s) : (size_t)(it->end - s);
    if (nl && l && s[l - 1] == '\r')
        l--;
    it->p = nl ? nl + 1 : it->end;
    it->line++;
    *len = l;
    return s;
}

/* name_len: the name before the first colon of line s[0..n) (blanks before
 * the colon dropped); 0 when there is no colon or no valid name. */
static size_t name_len(const char *s, size_t n, const char **colon)
{
    const char *c = memchr(s, ':', n);
    if (!c)
        return 0;
    size_t k = (size_t)(c - s);
    while (k && is_blank(s[k - 1]))
        k--;
    for (size_t i = 0; i < k; i++)
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 127)
            return 0;
    *colon = c;
    return k;
}

/* passed_over: note a line that is no field: s[0..n) starts with a blank
 * when folded, else it has no name and colon. */
static void passed_over(md_hdrfield_it *it, const char *s, size_t n, int folded)
{
    if (folded) {
        it->flags |= MD_HDRFIELD_ORPHAN;
        size_t k = 0;
        while (k < n && (is_blank(s[k]) || s[k] == '\r'))
            k++;
        if (k == n)
            it->blank = 1;
    } else if (!((it->opts & MD_HDRFIELD_MBOX) && it->line == 1 && n >= 5 &&
                 memcmp(s, "From ", 5) == 0)) {
        it->flags |= MD_HDRFIELD_BAD_LINE;
    }
}

int md_hdrfield_next(md_hdrfield_it *it, md_hdrfield *f)
{
    it->blank = 0;
    while (it->p < it->end) {
        size_t ll;
        const char *s = take_line(it, &ll);
        const char *colon = NULL;
        size_t nl;
        if (ll == 0) {
            it->blank = 1;
            continue;
        }
        if (is_blank(s[0]) || (nl = name_len(s, ll, &colon)) == 0) {
            passed_over(it, s, ll, is_blank(s[0]));
            continue;
        }
        f->name = s;
        f->name_len = nl;
        f->line = it->line;
        f->flags = 0;
        const char *vend = s + ll;
        while (it->p < it->end && is_blank(*it->p)) { /* folded lines */
            size_t l2;
            const char *s2 = take_line(it, &l2);
            vend = s2 + l2;
        }
        f->value = colon + 1;
        f->value_len = (size_t)(vend - f->value);
        if (f->value_len > it->max) {
            f->value_len = it->max;
            f->flags |= MD_HDRFIELD_CUT;
            it->flags |= MD_HDRFIELD_CUT;
        }
        return 1;
    }
    return 0;
}

int md_hdrfield_is(const md_hdrfield *f, const char *name)
{
    size_t n = strlen(name);
    return f->name_len == n && md_text_ncasecmp(f->name, name, n) == 0;
}

static int is_space(char c) /* isspace in the C locale, without its cost */
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

size_t md_hdrfield_unfold(char *dst, size_t size, const char *v, size_t n, int opts, int *cut)
{
    size_t o = 0, room = size - 1;
    int over = 0;
    while (n && is_space(*v)) {
        v++;
        n--;
    }
    while (n && is_space(v[n - 1]))
        n--;
    while (n) {
        const char *nl = memchr(v, '\n', n);
        size_t seg = nl ? (size_t)(nl - v) : n, keep = seg;
        if (nl && keep && v[keep - 1] == '\r')
            keep--;
        if (keep > room - o) {
            keep = room - o;
            over = 1;
        }
        memcpy(dst + o, v, keep);
        o += keep;
        if (!nl || over)
            break;
        v += seg + 1;
        n -= seg + 1;
        if (opts & MD_HDRFIELD_SQUEEZE) {
            while (o && is_blank(dst[o - 1]))
                o--;
            while (n && is_blank(*v)) {
                v++;
                n--;
            }
            if (o == room) {
                over = 1;
                break;
            }
            dst[o++] = ' ';
        }
    }
    dst[o] = '\0';
    if (opts & MD_HDRFIELD_TABS)
        for (char *t = dst; (t = memchr(t, '\t', (size_t)(dst + o - t))) != NULL; t++)
            *t = ' ';
    if (cut)
        *cut = over;
    return o;
}

int md_hdrfield_copy(const md_hdrfield *f, char *dst, size_t size, int opts, md_buf *scratch)
{
    md_buf_reset(scratch);
    if (md_buf_reserve(scratch, f->value_len) != MD_OK) {
        dst[0] = '\0';
        return MD_ERR_NOMEM;
    }
    size_t n = md_hdrfield_unfold(scratch->data, f->value_len + 1, f->value, f->value_len, opts,
                                  NULL);
    md_text_copy_trim(dst, size, scratch->data, n);
    return (f->flags & MD_HDRFIELD_CUT) || n >= size;
}
