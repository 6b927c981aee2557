/* message.c: one RFC 5322 / MIME message, parsed with bounds (see message.h).
 *
 * The message is first copied with its line ends made LF only.  Header
 * blocks are split into fields here (so that nothing libetpan would drop is
 * lost, and so that the caps of limits.h apply before libetpan sees a
 * byte); libetpan then parses the values (addresses, Message-ID, MIME
 * Content-Type / Content-Disposition, RFC 2047 words, transfer encodings)
 * and the whole block once more to detect what it would silently drop
 * (skipped where the block is plain enough to show that it drops nothing).
 * Multiparts are split on their boundaries here, depth-limited, so hostile
 * nesting never reaches a recursive parser.  Owns the md_message tree it
 * returns; never prints.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <libetpan/libetpan.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include "base/buf.h"
#include "parse/hdrfield.h"
#include "base/md_limits.h"
#include "parse/message.h"
#include "base/text.h"

typedef struct walk {
    md_message *m;
    int *budget;        /* parts left over the whole tree (shared with inner messages) */
    int depth0;         /* depth of this message inside the outermost one */
    size_t partcap;     /* room in m->part */
} walk;

static int msg_parse(md_message **out, const char *data, size_t len, int depth, int *budget,
                     md_err *err);

/* ---- small helpers -------------------------------------------------------- */

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* dup_utf8: a valid UTF-8 copy of s[0..n); sets MD_MSG_BAD_UTF8 on repair. */
static char *dup_utf8(const char *s, size_t n, int *flags)
{
    if (md_text_utf8_valid(s, n) && !memchr(s, '\0', n))
        return dup_n(s, n);
    md_buf b = MD_BUF_INIT;
    long r = md_text_utf8_repair(&b, s, n);
    if (r < 0) {
        md_buf_free(&b);
        return NULL;
    }
    if (r > 0 && flags)
        *flags |= MD_MSG_BAD_UTF8;
    char *d = md_buf_detach(&b);
    return d ? d : dup_n("", 0);
}

/* comment_depth: deepest nesting of ( ) in s[0..n) (quoted strings ignored). */
static int comment_depth(const char *s, size_t n)
{
    int d = 0, max = 0, q = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\\') {
            i++;
            continue;
        }
        if (c == '"' && d == 0)
            q = !q;
        else if (!q && c == '(') {
            if (++d > max)
                max = d;
        } else if (!q && c == ')' && d > 0)
            d--;
    }
    return max;
}

static void lower_copy(char *dst, size_t dstsize, const char *s)
{
    size_t i = 0;
    if (!dstsize)
        return;
    for (; s && s[i] && i + 1 < dstsize; i++)
        dst[i] = (char)tolower((unsigned char)s[i]);
    dst[i] = '\0';
}

/* ---- dates ---------------------------------------------------------------- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int month_of(const char *s)
{
    static const char *const mon[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                      "jul", "aug", "sep", "oct", "nov", "dec"};
    for (int i = 0; i < 12; i++)
        if (md_text_ncasecmp(s, mon[i], 3) == 0)
            return i + 1;
    return 0;
}

static int num(const char *s, size_t n, size_t *i, int maxdigits, int *out)
{
    int v = 0, k = 0;
    while (*i < n && k < maxdigits && isdigit((unsigned char)s[*i])) {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        k++;
    }
    if (!k)
        return -1;
    *out = v;
    return k;
}

static void skip_cfws(const char *s, size_t n, size_t *i)
{
    for (;;) {
        while (*i < n && (isspace((unsigned char)s[*i]) || s[*i] == ','))
            (*i)++;
        if (*i < n && s[*i] == '(') {
            int d = 0;
            while (*i < n) {
                if (s[*i] == '(')
                    d++;
                else if (s[*i] == ')' && --d == 0) {
                    (*i)++;
                    break;
                }
                (*i)++;
            }
            continue;
        }
        return;
    }
}

static int zone_name(const char *s, size_t n, int *minutes)
{
    static const struct { const char *name; int off; } z[] = {
        {"UT", 0}, {"UTC", 0}, {"GMT", 0}, {"Z", 0}, {"EST", -300}, {"EDT", -240},
        {"CST", -360}, {"CDT", -300}, {"MST", -420}, {"MDT", -360}, {"PST", -480},
        {"PDT", -420}, {"CET", 60}, {"CEST", 120}, {"MET", 60}, {"MEST", 120},
        {"BST", 60}, {"JST", 540},
    };
    for (size_t k = 0; k < sizeof z / sizeof z[0]; k++)
        if (strlen(z[k].name) == n && md_text_ncasecmp(s, z[k].name, n) == 0) {
            *minutes = z[k].off;
            return 0;
        }
    return -1;
}

/* Time of day, AM/PM and zone, from s[*i]: HH:MM[:SS][.frac] [AM|PM] [zone]. */
static int parse_time_zone(const char *s, size_t n, size_t *i, int *hh, int *mi, int *ss,
                           int *zmin, int *has_zone)
{
    *ss = 0;
    if (num(s, n, i, 2, hh) < 0 || *i >= n || s[*i] != ':')
        return -1;
    (*i)++;
    if (num(s, n, i, 2, mi) < 0)
        return -1;
    if (*i < n && s[*i] == ':') {
        (*i)++;
        if (num(s, n, i, 2, ss) < 0)
            return -1;
    }
    if (*i < n && (s[*i] == '.' || s[*i] == ','))
        for ((*i)++; *i < n && isdigit((unsigned char)s[*i]); (*i)++)
            ;
    *zmin = 0;
    *has_zone = 0;
    while (*i < n && s[*i] == ' ')
        (*i)++;
    if (n - *i >= 2 && (s[*i] == 'A' || s[*i] == 'a' || s[*i] == 'P' || s[*i] == 'p') &&
        (s[*i + 1] == 'M' || s[*i + 1] == 'm') &&
        (n - *i == 2 || !isalpha((unsigned char)s[*i + 2]))) {
        int pm = s[*i] == 'P' || s[*i] == 'p';
        if (*hh == 12)
            *hh = 0;
        if (pm)
            *hh += 12;
        *i += 2;
        while (*i < n && s[*i] == ' ')
            (*i)++;
    }
    if (*i < n && (s[*i] == '+' || s[*i] == '-')) {
        int sign = s[*i] == '-' ? -1 : 1, zh = 0, zm = 0;
        (*i)++;
        int k = num(s, n, i, 2, &zh);
        if (k < 0)
            return 0;
        if (*i < n && s[*i] == ':')
            (*i)++;
        num(s, n, i, 2, &zm);
        *zmin = sign * (zh * 60 + zm);
        *has_zone = 1;
    } else {
        size_t st = *i;
        while (*i < n && isalpha((unsigned char)s[*i]))
            (*i)++;
        if (*i > st && zone_name(s + st, *i - st, zmin) == 0)
            *has_zone = 1;
    }
    return 0;
}

static void skip_blank(const char *s, size_t n, size_t *i, const char *also)
{
    while (*i < n && (s[*i] == ' ' || s[*i] == '\t' || (also && strchr(also, s[*i]) && s[*i])))
        (*i)++;
}

int md_message_parse_date(const char *s, size_t n, int64_t *out, int *has_zone)
{
    size_t i = 0;
    int d = 0, mo = 0, y = 0, hh = 0, mi = 0, ss = 0, zmin = 0, hz = 0, k;
    skip_cfws(s, n, &i);
    /* a day name ("Sat," "Saturday,") unless it is a month name */
    if (i < n && isalpha((unsigned char)s[i])) {
        size_t st = i;
        while (i < n && isalpha((unsigned char)s[i]))
            i++;
        if (i - st >= 3 && month_of(s + st) && !(i < n && s[i] == ','))
            i = st; /* "Apr 21 2018": a month */
        else
            skip_cfws(s, n, &i);
    }
    if (i < n && isdigit((unsigned char)s[i])) {
        int a;
        k = num(s, n, &i, 4, &a);
        if (i + 1 < n && (s[i] == '/' || s[i] == '-') && isdigit((unsigned char)s[i + 1])) {
            char sep = s[i++];
            int b, c, kc;
            if (num(s, n, &i, 2, &b) < 0 || i >= n || s[i] != sep)
                return MD_ERR_PARSE;
            i++;
            if ((kc = num(s, n, &i, 4, &c)) < 0)
                return MD_ERR_PARSE;
            if (k == 4) {
                y = a;
                mo = b;
                d = c;
            } else {
                mo = a;
                d = b;
                y = c;
                k = kc;
                if (kc <= 2)
                    y += y < 50 ? 2000 : 1900;
            }
        } else {
            d = a;
            skip_blank(s, n, &i, "-");
            if (n - i < 3 || !(mo = month_of(s + i)))
                return MD_ERR_PARSE;
            while (i < n && isalpha((unsigned char)s[i]))
                i++;
            skip_blank(s, n, &i, "-");
            if ((k = num(s, n, &i, 4, &y)) < 0)
                return MD_ERR_PARSE;
            if (k <= 2)
                y += y < 50 ? 2000 : 1900;
            else if (k == 3)
                y += 1900;
        }
    } else if (n - i >= 3 && (mo = month_of(s + i))) {
        while (i < n && isalpha((unsigned char)s[i]))
            i++;
        skip_blank(s, n, &i, NULL);
        if (num(s, n, &i, 2, &d) < 0)
            return MD_ERR_PARSE;
        skip_blank(s, n, &i, ",");
        if (num(s, n, &i, 4, &y) != 4)
            return MD_ERR_PARSE;
    } else {
        return MD_ERR_PARSE;
    }
    skip_blank(s, n, &i, NULL);
    if (i < n && (s[i] == 'T' || s[i] == 't'))
        i++;
    if (i < n && isdigit((unsigned char)s[i]) &&
        parse_time_zone(s, n, &i, &hh, &mi, &ss, &zmin, &hz) < 0)
        return MD_ERR_PARSE;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 24 || mi > 59 || ss > 60 || y < 1970 ||
        y > 9999)
        return MD_ERR_PARSE;
    int64_t t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + hh * 3600 + mi * 60 + ss;
    *out = t - (int64_t)zmin * 60;
    if (has_zone)
        *has_zone = hz;
    return MD_OK;
}

/* ---- header fields -------------------------------------------------------- */

/* internal flag while splitting: the header block is valid UTF-8 without
 * NUL bytes, so fields need no repair (never left set on a message) */
#define HDR_CLEAN 0x40000000

typedef struct hlist {
    md_msg_header *h;
    size_t n, cap;
} hlist;

static void hlist_free(hlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->h[i].name);
        free(l->h[i].raw);
        if (l->h[i].decoded != l->h[i].value) /* shared when nothing was encoded */
            free(l->h[i].decoded);
        free(l->h[i].value);
    }
    free(l->h);
    memset(l, 0, sizeof *l);
}

/* decode_2047: RFC 2047 words of value decoded with libetpan, UTF-8. */
static char *decode_2047(const char *v, int *flags)
{
    size_t n = strlen(v);
    if (!strstr(v, "=?") || comment_depth(v, n) > MD_LIMIT_COMMENT_DEPTH)
        return dup_n(v, n);
    size_t idx = 0;
    char *res = NULL;
    if (mailmime_encoded_phrase_parse("utf-8", v, n, &idx, "utf-8", &res) != MAILIMF_NO_ERROR ||
        !res)
        return dup_n(v, n);
    char *d = dup_utf8(res, strlen(res), flags);
    free(res);
    return d;
}

/* add_field: the field f (of a block whose flags are *flags) into l. */
static int add_field(hlist *l, const md_hdrfield *f, int *flags)
{
    if (l->n >= MD_LIMIT_HEADERS) {
        *flags |= MD_MSG_HDR_TOO_MANY;
        return MD_OK;
    }
    int cut = f->flags & MD_HDRFIELD_CUT;
    if (cut)
        *flags |= MD_MSG_HDR_LINE_CUT;
    md_msg_header *nh = md_grow(l->h, &l->cap, l->n + 1, sizeof *nh, 32);
    if (!nh)
        return MD_ERR_NOMEM;
    l->h = nh;
    md_msg_header *h = &l->h[l->n];
    memset(h, 0, sizeof *h);
    h->line = f->line;
    h->name = (*flags & HDR_CLEAN) ? dup_n(f->name, f->name_len)
                                   : dup_utf8(f->name, f->name_len, flags);
    const char *val = f->value;
    size_t vn = f->value_len;
    while (vn && (*val == ' ' || *val == '\t')) {
        val++;
        vn--;
    }
    /* the whole block is valid UTF-8 (and the value was not cut inside a character) */
    int clean = (*flags & HDR_CLEAN) && !cut;
    h->raw = clean ? dup_n(val, vn) : dup_utf8(val, vn, flags);
    char *u = malloc(vn + 1);
    size_t un = u ? md_hdrfield_unfold(u, vn + 1, val, vn, MD_HDRFIELD_TABS, NULL) : 0;
    if (clean || !u) { /* the unfolded copy becomes the value */
        h->value = u;
    } else {
        h->value = dup_utf8(u, un, flags);
        free(u);
    }
    if (h->value) {
        if (comment_depth(h->value, strlen(h->value)) > MD_LIMIT_COMMENT_DEPTH)
            *flags |= MD_MSG_DEEP_COMMENT;
        /* most values have no encoded word: the value serves (no copy) */
        h->decoded = strstr(h->value, "=?") ? decode_2047(h->value, flags) : h->value;
    }
    l->n++;
    if (!h->name || !h->raw || !h->value || !h->decoded)
        return MD_ERR_NOMEM;
    return MD_OK;
}

/* split_headers: fields of the LF-only block p[0..n) into l; *body_off is
 * where the body starts (n when there is no empty line). */
static int split_headers(const char *p, size_t n, hlist *l, size_t *body_off, int *flags)
{
    size_t end = n;
    int blank = 0;
    /* find the header block's end (an empty line) */
    if (n && p[0] == '\n') {
        end = 0;
        blank = 1;
    } else {
        for (const char *q = p; (q = memchr(q, '\n', (size_t)(p + n - q))) != NULL; q++)
            if (q + 1 < p + n && q[1] == '\n') {
                end = (size_t)(q - p) + 1;
                blank = 1;
                break;
            }
    }
    *body_off = blank ? end + 1 : n;
    if (!blank)
        *flags |= MD_MSG_NO_BODY;
    size_t lim = end;
    if (lim > MD_LIMIT_HEADER_BYTES) {
        lim = MD_LIMIT_HEADER_BYTES;
        *flags |= MD_MSG_HDR_TRUNC;
    }
    if (!memchr(p, '\0', lim) && md_text_utf8_valid(p, lim))
        *flags |= HDR_CLEAN;
    md_hdrfield_it it;
    md_hdrfield f;
    int rc = MD_OK;
    md_hdrfield_init(&it, p, lim, MD_LIMIT_HEADER_LINE, MD_HDRFIELD_MBOX);
    while (rc == MD_OK && md_hdrfield_next(&it, &f))
        rc = add_field(l, &f, flags);
    if (it.flags & (MD_HDRFIELD_ORPHAN | MD_HDRFIELD_BAD_LINE))
        *flags |= MD_MSG_HDR_LOST;
    *flags &= ~HDR_CLEAN;
    return rc;
}

/* path_clean: whether a Return-Path value is one libetpan 1.9 can take
 * safely: no "<" at all, or "<" addr-spec-ish ">" with nothing but space or a
 * comment after it.  Its mailimf_path_parse leaks the address it parsed when
 * the next token is not ">" (an unclosed or garbled path). */
static int path_clean(const char *v, size_t n)
{
    if (!memchr(v, '<', n))
        return 1;
    size_t k = 0;
    while (k < n && (v[k] == ' ' || v[k] == '\t' || v[k] == '\r' || v[k] == '\n'))
        k++;
    if (k >= n || v[k++] != '<')
        return 0;
    for (; k < n && v[k] != '>'; k++)
        if ((unsigned char)v[k] <= ' ' || (unsigned char)v[k] >= 0x7f || strchr("<()\",;:\\", v[k]))
            return 0;
    if (k >= n)
        return 0;
    for (k++; k < n && v[k] != '('; k++)
        if (v[k] != ' ' && v[k] != '\t' && v[k] != '\r' && v[k] != '\n')
            return 0;
    return 1;
}

/* ---- the libetpan check: fields it would drop ------------------------------
 *
 * libetpan's mailimf_fields_parse (1.9) takes fields one by one and stops at
 * the first it cannot take; what follows is lost to it.  Most header blocks
 * are plain enough to show without it that it takes every field, which
 * plain_block does.  Why that holds (mailimf.c, mailmime_decode.c):
 *
 * - mailimf_field_parse guesses a type from the name's first letters and
 *   tries that type's parser ("Date:" date, "To:" address list, ...); when
 *   it fails with a parse error the field is read as an optional field
 *   (name, ":", unstructured text to the end of the field, line end), from
 *   the same place.  An optional field never fails on a line "name: value"
 *   whose name is printable ASCII, nor on its folded lines, as long as the
 *   field ends with a line end; so what can lose fields is a typed parser
 *   that succeeds but ends elsewhere than the field's end, or that fails
 *   with another error than a parse error (which ends the whole list).
 * - Every parser ends with an optional comment and a line end.  It ends
 *   before the field's end only when that line end is followed by a folded
 *   line: right after a comment ("(x)" then a fold), or after a line of
 *   blanks only (folding white space eats one fold and stops at the next
 *   line end; the unstructured reader also ends its text before blank
 *   lines at the field's end, so two of them there cut it).
 *   It ends after the field's end only by eating the field's line end: a
 *   quoted pair ("\" then the line end) or an RFC 2047 word whose closing
 *   "?=" is further on (mailmime_encoded_word_parse looks for it to the
 *   end of the block).
 * - Its other errors: an RFC 2047 word "=?charset?X?" with X not Q or B
 *   (MAILIMF_ERROR_INVAL).  Resent-Bcc's parser returns TRUE, which reads as
 *   a parse error after it moved on: that field and the next are one.
 *
 * So a field is plain when: its first line is a name of printable ASCII,
 * blanks and ":" (no leading blank); its bytes are printable, blank or 8-bit
 * (no control character); no line is all blanks or ends with "\"; and,
 * when a typed parser may read it, no folded line follows a ")", every "=?"
 * is a whole RFC 2047 word ("=?" charset "?" Q/B "?" ... "?=") on its line,
 * and it is not Resent-Bcc.  The block must end with a line end; only its
 * last line may be empty.  Anything else goes to libetpan, as does every
 * block when md_message_set_hdr_fast_path(0) was called.  This reasoning
 * is about libetpan's code as of 1.9.4, and is used with that version only
 * (MD_ETPAN_MODEL below); tests/test_message.c compares both ways over
 * every sample it finds. */

enum { FIELD_PLAIN, FIELD_TYPED, FIELD_UNSAFE };

/* field_kind: whether libetpan's guess_header_type gives a field called
 * name[0..n) a typed parser: a superset of its choices (Subject and
 * Comments are read as unstructured text: plain). */
static int field_kind(const char *name, size_t n)
{
    int a = toupper((unsigned char)name[0]);
    int b = n > 1 ? toupper((unsigned char)name[1]) : 0;
    int c = n > 2 ? toupper((unsigned char)name[2]) : 0;
    switch (a) {
    case 'B': case 'D': case 'F': case 'I': case 'K': case 'M': case 'T':
        return FIELD_TYPED;
    case 'C':
        return b == 'C' ? FIELD_TYPED : FIELD_PLAIN;
    case 'S':
        return b == 'E' ? FIELD_TYPED : FIELD_PLAIN;
    case 'R':
        if (b != 'E')
            return FIELD_PLAIN;
        if (c == 'S' && n >= 8 && md_text_ncasecmp(name, "resent-b", 8) == 0)
            return FIELD_UNSAFE;
        return c == 'F' || c == 'P' || c == 'T' || c == 'S' ? FIELD_TYPED : FIELD_PLAIN;
    default:
        return FIELD_PLAIN;
    }
}

/* etoken: libetpan's is_etoken_char (an RFC 2047 charset character). */
static int etoken(unsigned char c)
{
    return c >= 31 && !strchr(" ()<>@,;:\"/[]?=", c);
}

/* whole_word: the line s[0..n) starts with "=?": whether libetpan reads an
 * RFC 2047 word from there that ends on this line. */
static int whole_word(const char *s, size_t n)
{
    size_t k = 2;
    while (k < n && etoken((unsigned char)s[k]))
        k++;
    if (k == 2 || k + 2 >= n || s[k] != '?' || s[k + 2] != '?')
        return 0;
    char e = s[k + 1];
    if (e != 'Q' && e != 'q' && e != 'B' && e != 'b')
        return 0;
    for (k += 3; k + 1 < n; k++)
        if (s[k] == '?' && s[k + 1] == '=')
            return 1;
    return 0;
}

/* no_control: whether s[0..n) has no control character but tabs (no early
 * exit: the compiler vectorises the loop) */
static int no_control(const char *s, size_t n)
{
    unsigned bad = 0;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)s[k];
        bad |= (unsigned)(c < 32) & (unsigned)(c != '\t');
        bad |= (unsigned)(c == 127);
    }
    return !bad;
}

/* plain_block: whether libetpan takes every field of the LF-only block
 * p[0..n) (see above); 0 means "maybe not", never "no". */
static int plain_block(const char *p, size_t n)
{
    if (!n || p[n - 1] != '\n' || p[0] == ' ' || p[0] == '\t')
        return 0;
    int kind = FIELD_PLAIN;
    for (size_t i = 0; i < n;) {
        size_t e = (size_t)((const char *)memchr(p + i, '\n', n - i) - p);
        if (e == i) /* the empty line ending the block */
            return i + 1 == n;
        if (!no_control(p + i, e - i) || p[e - 1] == '\\')
            return 0;
        if (p[i] == ' ' || p[i] == '\t') { /* folded: i >= 2, p[i - 2] ends the line before */
            if (strspn(p + i, " \t") >= e - i || (kind == FIELD_TYPED && p[i - 2] == ')'))
                return 0;
        } else {
            size_t k = i;
            while (k < e && (unsigned char)p[k] > ' ' && (unsigned char)p[k] < 127 && p[k] != ':')
                k++;
            size_t ne = k;
            while (k < e && (p[k] == ' ' || p[k] == '\t'))
                k++;
            if (ne == i || k >= e || p[k] != ':')
                return 0;
            kind = field_kind(p + i, ne - i);
            if (kind == FIELD_UNSAFE)
                return 0;
        }
        if (kind == FIELD_TYPED)
            for (const char *w = p + i; (w = memmem(w, (size_t)(p + e - w), "=?", 2)) != NULL; w++)
                if (!whole_word(w, (size_t)(p + e - w)))
                    return 0;
        i = e + 1;
    }
    return 1; /* no empty line: all of it is header (MD_MSG_NO_BODY) */
}

/* The model above is of libetpan 1.9.4, whose headers say 1.9, API 25.0.
 * Built against another libetpan the shortcut is compiled out (a build may
 * also force that with -DMD_ETPAN_MODEL=0); running with another library
 * than the headers said (a shared libetpan replaced), it is skipped: every
 * block goes to libetpan's full parse, which is right for any version. */
#ifndef MD_ETPAN_MODEL
#if LIBETPAN_VERSION_MAJOR == 1 && LIBETPAN_VERSION_MINOR == 9 && \
    LIBETPAN_API_CURRENT == 25 && LIBETPAN_API_REVISION == 0
#define MD_ETPAN_MODEL 1
#else
#define MD_ETPAN_MODEL 0
#endif
#endif

int md_message_hdr_model(void)
{
    return MD_ETPAN_MODEL && libetpan_get_version_major() == LIBETPAN_VERSION_MAJOR &&
           libetpan_get_version_minor() == LIBETPAN_VERSION_MINOR;
}

/* tests compare the flags with and without the plain_block shortcut */
static int hdr_fast_path = 1;

int md_message_set_hdr_fast_path(int on)
{
    int was = hdr_fast_path;
    hdr_fast_path = on;
    return was;
}

/* guarded: whether the block p[0..n) has a field libetpan must not see.
 * A Return-Path that is not path_clean: 1.9.4 leaks the address it read.
 * A Resent-Bcc field: 1.9.4's parser of it leaks what it read (104 bytes
 * for one address) and returns TRUE, which reads as a parse error after it
 * moved on: the field and the next one become one, or the list ends there.
 * It keeps the field only when the value does not read as an address list
 * (then its optional field parser takes it); such a block is flagged all
 * the same, which is better than the leak.  These guards stay with any
 * libetpan: they never hide a lost field, they may only claim one. */
static int guarded(const char *p, size_t n)
{
    md_hdrfield_it it;
    md_hdrfield f;
    md_hdrfield_init(&it, p, n, 0, 0);
    while (md_hdrfield_next(&it, &f))
        if ((md_hdrfield_is(&f, "return-path") && !path_clean(f.value, f.value_len)) ||
            md_hdrfield_is(&f, "resent-bcc"))
            return 1;
    return 0;
}

/* libetpan_check: flag (MD_MSG_HDR_LOST) the fields mailimf_fields_parse
 * would drop from the block p[0..n) that split_headers found nfields in:
 * shown without it when plain_block says so (libetpan 1.9.4 only: see
 * md_message_hdr_model), else by running it (never with deep comments: its
 * recursion overflows, nor with a garbled Return-Path or a Resent-Bcc
 * field: see guarded). */
static void libetpan_check(const char *p, size_t n, size_t nfields, int *flags)
{
    if (*flags & (MD_MSG_DEEP_COMMENT | MD_MSG_HDR_TRUNC) || n == 0)
        return;
    int shortcut = hdr_fast_path && md_message_hdr_model();
    if (shortcut && (*flags & MD_MSG_HDR_LOST)) /* split_headers saw a loss already */
        return;
    if (guarded(p, n)) {
        *flags |= MD_MSG_HDR_LOST;
        return;
    }
    if (shortcut && plain_block(p, n))
        return;
    size_t idx = 0;
    struct mailimf_fields *f = NULL;
    int rc = mailimf_fields_parse(p, n, &idx, &f);
    size_t got = 0;
    if (rc == MAILIMF_NO_ERROR && f) {
        got = clist_count(f->fld_list);
        mailimf_fields_free(f);
    }
    /* libetpan stops at the first line it cannot take; it is lost to it */
    if (rc != MAILIMF_NO_ERROR || (idx < n && got < nfields))
        *flags |= MD_MSG_HDR_LOST;
}

static const md_msg_header *find_field(const hlist *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (md_text_casecmp(l->h[i].name, name) == 0)
            return &l->h[i];
    return NULL;
}

/* ---- addresses ------------------------------------------------------------ */

static void addr_append(char *dst, size_t n, size_t *used, const char *spec, int *count)
{
    char a[MD_LIMIT_ADDR];
    if (!spec || md_text_addr_norm(a, sizeof a, spec, strlen(spec)) != 0 || !*a)
        return;
    size_t al = strlen(a), need = al + (*used ? 1 : 0);
    if (*used + need + 1 > n)
        return;
    if (*used)
        dst[(*used)++] = ',';
    memcpy(dst + *used, a, al + 1);
    *used += al;
    (*count)++;
}

int md_message_addr_list(const char *value, char *dst, size_t n)
{
    size_t used = 0, len = value ? strlen(value) : 0, idx = 0;
    int count = 0;
    if (n)
        dst[0] = '\0';
    if (!len || !n || comment_depth(value, len) > MD_LIMIT_COMMENT_DEPTH)
        return 0;
    for (int guard = 0; idx < len && guard < 1000; guard++) {
        struct mailimf_address *a = NULL;
        size_t before = idx;
        if (mailimf_address_parse(value, len, &idx, &a) == MAILIMF_NO_ERROR && a) {
            if (a->ad_type == MAILIMF_ADDRESS_MAILBOX && a->ad_data.ad_mailbox)
                addr_append(dst, n, &used, a->ad_data.ad_mailbox->mb_addr_spec, &count);
            else if (a->ad_type == MAILIMF_ADDRESS_GROUP && a->ad_data.ad_group &&
                     a->ad_data.ad_group->grp_mb_list) {
                clistiter *it;
                for (it = clist_begin(a->ad_data.ad_group->grp_mb_list->mb_list); it;
                     it = clist_next(it)) {
                    struct mailimf_mailbox *mb = clist_content(it);
                    addr_append(dst, n, &used, mb->mb_addr_spec, &count);
                }
            }
            mailimf_address_free(a);
        }
        /* skip to after the next comma */
        if (idx <= before)
            idx = before;
        while (idx < len && value[idx] != ',')
            idx++;
        if (idx < len)
            idx++;
    }
    if (!count) { /* a bare address libetpan refused: take what looks like one */
        const char *at = strchr(value, '@');
        if (at) {
            const char *s = at, *e = at;
            while (s > value && !strchr(" <>,;:\"()", s[-1]))
                s--;
            while (*e && !strchr(" <>,;:\"()", *e))
                e++;
            char tmp[MD_LIMIT_ADDR];
            size_t k = (size_t)(e - s) < sizeof tmp - 1 ? (size_t)(e - s) : sizeof tmp - 1;
            memcpy(tmp, s, k);
            tmp[k] = '\0';
            addr_append(dst, n, &used, tmp, &count);
        }
    }
    return count;
}

/* ---- MIME ----------------------------------------------------------------- */

typedef struct ctype {
    char type[128];
    char charset[64];
    char boundary[256];
    char report_type[64];
    char name[256];
} ctype;

static void param_copy(char *dst, size_t n, const char *v, int *flags)
{
    char *d = decode_2047(v, flags);
    const char *s = d ? d : v;
    /* RFC 2231: charset'lang'percent-encoded */
    const char *q1 = strchr(s, '\''), *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
    size_t o = 0;
    if (q2 && strchr(s, '%')) {
        for (const char *p = q2 + 1; *p && o + 1 < n; p++) {
            if (*p == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
                char hx[3] = {p[1], p[2], 0};
                dst[o++] = (char)strtol(hx, NULL, 16);
                p += 2;
            } else
                dst[o++] = *p;
        }
        dst[o] = '\0';
    } else {
        snprintf(dst, n, "%s", s);
    }
    free(d);
    /* the copy may have cut a UTF-8 sequence or decoded junk: repair */
    char *r = dup_utf8(dst, strlen(dst), flags);
    if (r) {
        snprintf(dst, n, "%s", r);
        /* never leave a cut sequence at the end */
        size_t l = strlen(dst);
        while (l && ((unsigned char)dst[l - 1] & 0xC0) == 0x80 && !md_text_utf8_valid(dst, l))
            dst[--l] = '\0';
        if (l && !md_text_utf8_valid(dst, l) && (unsigned char)dst[l - 1] >= 0xC0)
            dst[l - 1] = '\0';
        free(r);
    }
}

static void parse_ctype(const md_msg_header *h, ctype *ct, const char *deftype, int *flags)
{
    memset(ct, 0, sizeof *ct);
    snprintf(ct->type, sizeof ct->type, "%s", deftype);
    if (!h || !*h->value)
        return;
    size_t n = strlen(h->value), idx = 0;
    if (comment_depth(h->value, n) > MD_LIMIT_COMMENT_DEPTH)
        return;
    struct mailmime_content *c = NULL;
    if (mailmime_content_parse(h->value, n, &idx, &c) != MAILIMF_NO_ERROR || !c) {
        /* take the bare type/subtype when libetpan refuses the parameters */
        size_t k = strcspn(h->value, "; \t");
        if (k && k < sizeof ct->type && memchr(h->value, '/', k)) {
            memcpy(ct->type, h->value, k);
            ct->type[k] = '\0';
            md_text_lower(ct->type);
        }
        return;
    }
    const char *major = "application";
    if (c->ct_type->tp_type == MAILMIME_TYPE_DISCRETE_TYPE) {
        struct mailmime_discrete_type *d = c->ct_type->tp_data.tp_discrete_type;
        switch (d->dt_type) {
        case MAILMIME_DISCRETE_TYPE_TEXT: major = "text"; break;
        case MAILMIME_DISCRETE_TYPE_IMAGE: major = "image"; break;
        case MAILMIME_DISCRETE_TYPE_AUDIO: major = "audio"; break;
        case MAILMIME_DISCRETE_TYPE_VIDEO: major = "video"; break;
        case MAILMIME_DISCRETE_TYPE_APPLICATION: major = "application"; break;
        default: major = d->dt_extension ? d->dt_extension : "application"; break;
        }
    } else {
        struct mailmime_composite_type *t = c->ct_type->tp_data.tp_composite_type;
        if (t->ct_type == MAILMIME_COMPOSITE_TYPE_MESSAGE)
            major = "message";
        else if (t->ct_type == MAILMIME_COMPOSITE_TYPE_MULTIPART)
            major = "multipart";
        else
            major = t->ct_token ? t->ct_token : "application";
    }
    snprintf(ct->type, sizeof ct->type, "%s/%s", major, c->ct_subtype ? c->ct_subtype : "");
    md_text_lower(ct->type);
    if (c->ct_parameters) {
        for (clistiter *it = clist_begin(c->ct_parameters); it; it = clist_next(it)) {
            struct mailmime_parameter *p = clist_content(it);
            if (!p->pa_name || !p->pa_value)
                continue;
            if (md_text_casecmp(p->pa_name, "charset") == 0)
                lower_copy(ct->charset, sizeof ct->charset, p->pa_value);
            else if (md_text_casecmp(p->pa_name, "boundary") == 0)
                snprintf(ct->boundary, sizeof ct->boundary, "%s", p->pa_value);
            else if (md_text_casecmp(p->pa_name, "report-type") == 0)
                lower_copy(ct->report_type, sizeof ct->report_type, p->pa_value);
            else if (md_text_casecmp(p->pa_name, "name") == 0 ||
                     md_text_casecmp(p->pa_name, "name*") == 0)
                param_copy(ct->name, sizeof ct->name, p->pa_value, flags);
        }
    }
    mailmime_content_free(c);
}

/* parse_disp: 1 if attachment; filename into fn. */
static int parse_disp(const md_msg_header *h, char *fn, size_t fnsize, int *flags)
{
    if (!h || !*h->value)
        return 0;
    size_t n = strlen(h->value), idx = 0;
    if (comment_depth(h->value, n) > MD_LIMIT_COMMENT_DEPTH)
        return 0;
    struct mailmime_disposition *d = NULL;
    if (mailmime_disposition_parse(h->value, n, &idx, &d) != MAILIMF_NO_ERROR || !d)
        return md_text_ncasecmp(h->value, "attachment", 10) == 0;
    int att = d->dsp_type && d->dsp_type->dsp_type == MAILMIME_DISPOSITION_TYPE_ATTACHMENT;
    if (d->dsp_parms) {
        for (clistiter *it = clist_begin(d->dsp_parms); it; it = clist_next(it)) {
            struct mailmime_disposition_parm *p = clist_content(it);
            if (p->pa_type == MAILMIME_DISPOSITION_PARM_FILENAME && p->pa_data.pa_filename)
                param_copy(fn, fnsize, p->pa_data.pa_filename, flags);
            else if (p->pa_type == MAILMIME_DISPOSITION_PARM_PARAMETER &&
                     p->pa_data.pa_parameter && p->pa_data.pa_parameter->pa_name &&
                     md_text_casecmp(p->pa_data.pa_parameter->pa_name, "filename*") == 0 &&
                     p->pa_data.pa_parameter->pa_value)
                param_copy(fn, fnsize, p->pa_data.pa_parameter->pa_value, flags);
        }
    }
    mailmime_disposition_free(d);
    return att;
}

static int cte_of(const md_msg_header *h)
{
    if (!h)
        return MAILMIME_MECHANISM_8BIT;
    const char *v = h->value;
    if (md_text_ncasecmp(v, "base64", 6) == 0)
        return MAILMIME_MECHANISM_BASE64;
    if (md_text_ncasecmp(v, "quoted-printable", 16) == 0)
        return MAILMIME_MECHANISM_QUOTED_PRINTABLE;
    return MAILMIME_MECHANISM_8BIT;
}

/* decode_body: transfer decoding with libetpan into a malloc'ed copy. */
static unsigned char *decode_body(const char *p, size_t n, int mech, size_t *outlen)
{
    if (mech == MAILMIME_MECHANISM_BASE64 || mech == MAILMIME_MECHANISM_QUOTED_PRINTABLE) {
        size_t idx = 0, rl = 0;
        char *r = NULL;
        if (n && mailmime_part_parse(p, n, &idx, mech, &r, &rl) == MAILIMF_NO_ERROR && r) {
            unsigned char *d = (unsigned char *)dup_n(r, rl);
            mailmime_decoded_part_free(r);
            *outlen = rl;
            return d;
        }
    }
    *outlen = n;
    return (unsigned char *)dup_n(p, n);
}

/* html_text: the text of an HTML document (libxml2 HTML parser, iterative walk). */
static char *html_text(const unsigned char *data, size_t len, const char *charset, int *flags)
{
    if (len > (size_t)MD_LIMIT_SLURP)
        len = MD_LIMIT_SLURP;
    htmlDocPtr doc = htmlReadMemory((const char *)data, (int)len, NULL,
                                    *charset ? charset : "utf-8",
                                    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                                        HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    md_buf b = MD_BUF_INIT;
    if (doc) {
        xmlNodePtr n = xmlDocGetRootElement(doc);
        while (n) {
            int skip = 0;
            if (n->type == XML_TEXT_NODE && n->content) {
                const char *c = (const char *)n->content;
                int sp = b.len && md_buf_cstr(&b)[b.len - 1] == ' ';
                for (; *c; c++) {
                    if (isspace((unsigned char)*c)) {
                        if (!sp && b.len && md_buf_cstr(&b)[b.len - 1] != '\n')
                            md_buf_putc(&b, ' ');
                        sp = 1;
                    } else {
                        md_buf_putc(&b, *c);
                        sp = 0;
                    }
                }
            } else if (n->type == XML_ELEMENT_NODE) {
                const char *nm = (const char *)n->name;
                if (!strcmp(nm, "script") || !strcmp(nm, "style") || !strcmp(nm, "head"))
                    skip = 1;
                else if (!strcmp(nm, "br") || !strcmp(nm, "p") || !strcmp(nm, "div") ||
                         !strcmp(nm, "tr") || !strcmp(nm, "li") || !strcmp(nm, "table") ||
                         (nm[0] == 'h' && nm[1] >= '1' && nm[1] <= '6' && !nm[2]))
                    if (b.len && md_buf_cstr(&b)[b.len - 1] != '\n')
                        md_buf_putc(&b, '\n');
                if (!strcmp(nm, "td") && b.len && md_buf_cstr(&b)[b.len - 1] != '\n')
                    md_buf_putc(&b, ' ');
            }
            if (n->children && !skip && n->type == XML_ELEMENT_NODE) {
                n = n->children;
                continue;
            }
            while (n && !n->next) {
                n = n->parent;
                if (n && n->type == XML_ELEMENT_NODE && b.len &&
                    (!strcmp((const char *)n->name, "p") || !strcmp((const char *)n->name, "div")) &&
                    md_buf_cstr(&b)[b.len - 1] != '\n')
                    md_buf_putc(&b, '\n');
                if (n && (xmlNodePtr)n == xmlDocGetRootElement(doc)) {
                    n = NULL;
                }
            }
            if (n)
                n = n->next;
        }
        xmlFreeDoc(doc);
    }
    char *r = dup_utf8(md_buf_cstr(&b), b.len, flags);
    md_buf_free(&b);
    return r;
}

/* to_utf8: text bytes in charset -> valid UTF-8. */
static char *to_utf8(const unsigned char *data, size_t len, const char *charset, int *flags)
{
    if (*charset && strcmp(charset, "utf-8") && strcmp(charset, "us-ascii") &&
        strcmp(charset, "utf8") &&
        (!md_text_utf8_valid((const char *)data, len) || !strncmp(charset, "iso-2022", 8) ||
         strstr(charset, "utf-7"))) {
        char *r = NULL;
        size_t rl = 0;
        if (charconv_buffer("utf-8", charset, (const char *)data, len, &r, &rl) ==
                MAIL_CHARCONV_NO_ERROR && r) {
            char *d = dup_utf8(r, rl, flags);
            charconv_buffer_free(r);
            return d;
        }
        if (r)
            charconv_buffer_free(r);
    }
    return dup_utf8((const char *)data, len, flags);
}

static int is_text_type(const char *t)
{
    return strncmp(t, "text/", 5) == 0 || !strcmp(t, "message/delivery-status") ||
           !strcmp(t, "message/global-delivery-status") ||
           !strcmp(t, "message/feedback-report") ||
           !strcmp(t, "message/disposition-notification");
}

static int is_inner_type(const char *t)
{
    return !strcmp(t, "message/rfc822") || !strcmp(t, "message/global") ||
           !strcmp(t, "text/rfc822-headers") || !strcmp(t, "message/rfc822-headers") ||
           !strcmp(t, "message/global-headers");
}

static md_msg_part *new_part(walk *w, int depth, int parent)
{
    md_message *m = w->m;
    if (*w->budget <= 0) {
        m->flags |= MD_MSG_MIME_PARTS;
        return NULL;
    }
    md_msg_part *np = md_grow(m->part, &w->partcap, m->npart + 1, sizeof *np, 8);
    if (!np)
        return NULL;
    m->part = np;
    (*w->budget)--;
    md_msg_part *p = &m->part[m->npart];
    memset(p, 0, sizeof *p);
    p->index = (int)m->npart;
    p->depth = depth;
    p->parent = parent;
    m->npart++;
    return p;
}

/* boundary_line: 1 if the line p[0..n) is --b, 2 if --b--. */
static int boundary_line(const char *p, size_t n, const char *b, size_t bl)
{
    if (n < bl + 2 || p[0] != '-' || p[1] != '-' || memcmp(p + 2, b, bl) != 0)
        return 0;
    size_t i = bl + 2;
    int r = 1;
    if (n >= i + 2 && p[i] == '-' && p[i + 1] == '-') {
        r = 2;
        i += 2;
    }
    for (; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t')
            return 0;
    return r;
}

static int parse_entity(walk *w, const char *p, size_t n, int depth, int parent, hlist *keep,
                        const char *deftype, md_err *err);

static int walk_multipart(walk *w, const char *body, size_t n, const char *bnd, int depth,
                          int self, md_err *err)
{
    size_t bl = strlen(bnd), i = 0, seg = 0;
    int open = 0, closed = 0, nchild = 0;
    const char *deftype = "text/plain";
    if (strcmp(w->m->part[self].type, "multipart/digest") == 0)
        deftype = "message/rfc822";
    while (i <= n && !closed) {
        const char *nl = i < n ? memchr(body + i, '\n', n - i) : NULL;
        size_t e = nl ? (size_t)(nl - body) : n;
        int b = i < n ? boundary_line(body + i, e - i, bnd, bl) : 0;
        if (b) {
            if (open) {
                size_t se = i > seg ? i - 1 : seg; /* the line break before belongs to the delimiter */
                int rc = parse_entity(w, body + seg, se - seg, depth + 1, self, NULL, deftype, err);
                if (rc == MD_ERR_NOMEM)
                    return rc;
                nchild++;
                if (w->m->flags & MD_MSG_MIME_PARTS)
                    return MD_OK;
            }
            open = 1;
            seg = e + 1 < n ? e + 1 : n;
            if (b == 2)
                closed = 1;
        }
        if (!nl)
            break;
        i = e + 1;
    }
    if (open && !closed) {
        w->m->flags |= MD_MSG_MIME_BROKEN;
        if (seg < n) {
            int rc = parse_entity(w, body + seg, n - seg, depth + 1, self, NULL, deftype, err);
            if (rc == MD_ERR_NOMEM)
                return rc;
            nchild++;
        }
    }
    if (!nchild)
        w->m->flags |= MD_MSG_MIME_BROKEN;
    return nchild ? MD_OK : 1; /* 1: no part found, the caller reads the body as text */
}

/* guess_boundary: a multipart whose boundary parameter matches no line:
 * take the first "--token" line that also closes as "--token--". */
static int guess_boundary(const char *body, size_t n, char *dst, size_t dn)
{
    for (size_t i = 0; i + 3 < n;) {
        const char *nl = memchr(body + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - body) : n;
        if (body[i] == '-' && body[i + 1] == '-' && e - i > 3 && e - i - 2 < dn) {
            size_t bl = e - i - 2;
            char close[300];
            if (bl + 4 < sizeof close) {
                snprintf(close, sizeof close, "\n--%.*s--", (int)bl, body + i + 2);
                if (memmem(body + e, n - e, close, bl + 5)) {
                    memcpy(dst, body + i + 2, bl);
                    dst[bl] = '\0';
                    return 1;
                }
            }
        }
        if (!nl)
            break;
        i = e + 1;
    }
    return 0;
}

static int parse_entity(walk *w, const char *p, size_t n, int depth, int parent, hlist *keep,
                        const char *deftype, md_err *err)
{
    hlist local = {0};
    hlist *hl = keep ? keep : &local;
    size_t body = 0;
    int rc = MD_OK;
    if (!keep) {
        /* a part that starts with the empty line has no header fields */
        if (n && p[0] == '\n')
            body = 1;
        else if ((rc = split_headers(p, n, hl, &body, &w->m->flags)) != MD_OK)
            goto out;
    } else {
        body = w->m->header_bytes;
    }
    if (body > n)
        body = n;
    md_msg_part *pt = new_part(w, depth, parent);
    if (!pt) {
        rc = (w->m->flags & MD_MSG_MIME_PARTS) ? MD_OK : MD_ERR_NOMEM;
        goto out;
    }
    int self = pt->index;
    ctype ct;
    parse_ctype(find_field(hl, "Content-Type"), &ct, deftype, &w->m->flags);
    md_text_copy(pt->type, sizeof pt->type, ct.type);
    md_text_copy(pt->charset, sizeof pt->charset, ct.charset);
    md_text_copy(pt->report_type, sizeof pt->report_type, ct.report_type);
    pt->is_attachment = parse_disp(find_field(hl, "Content-Disposition"), pt->filename,
                                   sizeof pt->filename, &w->m->flags);
    if (!*pt->filename && *ct.name)
        md_text_copy(pt->filename, sizeof pt->filename, ct.name);
    if (*pt->filename)
        pt->is_attachment = 1;
    if (strncmp(ct.type, "multipart/", 10) == 0) {
        pt->is_multipart = 1;
        if (!*ct.boundary) {
            w->m->flags |= MD_MSG_MIME_BROKEN;
            goto out;
        }
        if (w->depth0 + depth + 1 > MD_LIMIT_MIME_DEPTH) {
            w->m->flags |= MD_MSG_MIME_DEPTH;
            goto out;
        }
        rc = walk_multipart(w, p + body, n - body, ct.boundary, depth, self, err);
        if (rc == 1) {
            char guess[256];
            rc = MD_OK;
            if (guess_boundary(p + body, n - body, guess, sizeof guess) &&
                walk_multipart(w, p + body, n - body, guess, depth, self, err) == MD_OK)
                goto out;
            /* no parts at all: keep the body as text so nothing is lost */
            md_msg_part *tp = new_part(w, depth + 1, self);
            if (tp) {
                snprintf(tp->type, sizeof tp->type, "text/plain");
                tp->data = (unsigned char *)dup_n(p + body, n - body);
                tp->len = n - body;
                tp->text = dup_utf8(p + body, n - body, &w->m->flags);
                if (!tp->data || !tp->text)
                    rc = MD_ERR_NOMEM;
            }
        }
        goto out;
    }
    /* a leaf (pt may move when parts are added: index it from here on) */
    size_t dl = 0;
    unsigned char *data = decode_body(p + body, n - body,
                                      cte_of(find_field(hl, "Content-Transfer-Encoding")), &dl);
    if (!data) {
        rc = MD_ERR_NOMEM;
        goto out;
    }
    w->m->part[self].data = data;
    w->m->part[self].len = dl;
    if (is_inner_type(ct.type)) {
        if (w->depth0 + depth + 1 > MD_LIMIT_MIME_DEPTH) {
            w->m->flags |= MD_MSG_MIME_DEPTH;
        } else {
            md_message *in = NULL;
            md_err e2;
            int r2 = msg_parse(&in, (const char *)data, dl, w->depth0 + depth + 1, w->budget, &e2);
            if (r2 == MD_ERR_NOMEM) {
                rc = r2;
                goto out;
            }
            if (in) {
                if (strstr(ct.type, "headers"))
                    in->flags &= ~MD_MSG_NO_BODY; /* headers only, by definition */
                w->m->flags |= in->flags & (MD_MSG_MIME_DEPTH | MD_MSG_MIME_PARTS);
                w->m->part[self].inner = in;
            }
        }
    } else if (!strcmp(ct.type, "text/html")) {
        w->m->part[self].text = html_text(data, dl, ct.charset, &w->m->flags);
    } else if (is_text_type(ct.type)) {
        w->m->part[self].text = to_utf8(data, dl, ct.charset, &w->m->flags);
    }
out:
    if (!keep)
        hlist_free(&local);
    return rc;
}

/* ---- the message ---------------------------------------------------------- */

static char *field_or_empty(const hlist *l, const char *name)
{
    const md_msg_header *h = find_field(l, name);
    return dup_n(h ? h->decoded : "", h ? strlen(h->decoded) : 0);
}

static char *msgid_of(const hlist *l)
{
    const md_msg_header *h = find_field(l, "Message-ID");
    if (!h)
        return dup_n("", 0);
    const char *v = h->value;
    size_t n = strlen(v), idx = 0;
    char *r = NULL;
    if (comment_depth(v, n) <= MD_LIMIT_COMMENT_DEPTH &&
        mailimf_msg_id_parse(v, n, &idx, &r) == MAILIMF_NO_ERROR && r) {
        char *d = dup_n(r, strlen(r) < MD_LIMIT_ADDR ? strlen(r) : MD_LIMIT_ADDR);
        free(r);
        return d;
    }
    free(r);
    /* lenient: strip <> and blanks */
    const char *s = v;
    while (*s == '<' || *s == ' ')
        s++;
    size_t k = strcspn(s, "> \t");
    return dup_n(s, k < MD_LIMIT_ADDR ? k : MD_LIMIT_ADDR);
}

static int fill_summary(md_message *m, const hlist *l)
{
    m->hdr = l->h;
    m->nhdr = l->n;
    m->message_id = msgid_of(l);
    m->from = field_or_empty(l, "From");
    m->to = field_or_empty(l, "To");
    m->subject = field_or_empty(l, "Subject");
    const md_msg_header *d = find_field(l, "Date");
    m->date_text = dup_n(d ? d->value : "", d ? strlen(d->value) : 0);
    if (d)
        md_message_parse_date(d->value, strlen(d->value), &m->date, NULL);
    const md_msg_header *f = find_field(l, "From");
    char a[MD_LIMIT_ADDR];
    a[0] = '\0';
    if (f) {
        md_message_addr_list(f->value, a, sizeof a);
        char *c = strchr(a, ',');
        if (c)
            *c = '\0';
    }
    m->from_addr = dup_n(a, strlen(a));
    if (!m->message_id || !m->from || !m->to || !m->subject || !m->date_text || !m->from_addr)
        return MD_ERR_NOMEM;
    return MD_OK;
}

/* normalise: LF-only copy (CRLF and lone CR become LF), flags NULs. */
static char *normalise(const char *data, size_t len, size_t *outlen, int *flags)
{
    char *d = malloc(len + 1);
    if (!d)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (c == '\r') {
            d[o++] = '\n';
            if (i + 1 < len && data[i + 1] == '\n')
                i++;
        } else {
            if (c == '\0')
                *flags |= MD_MSG_NUL;
            d[o++] = c;
        }
    }
    d[o] = '\0';
    *outlen = o;
    return d;
}

static int msg_parse(md_message **out, const char *data, size_t len, int depth, int *budget,
                     md_err *err)
{
    *out = NULL;
    md_message *m = calloc(1, sizeof *m);
    if (!m)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    if (len > MD_LIMIT_MESSAGE_BYTES) {
        len = MD_LIMIT_MESSAGE_BYTES;
        m->flags |= MD_MSG_TOO_BIG;
    }
    size_t n = 0;
    char *buf = normalise(data, len, &n, &m->flags);
    if (!buf) {
        free(m);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    m->size = n;
    const char *p = buf;
    /* an mbox envelope line before the header */
    if (n >= 5 && memcmp(p, "From ", 5) == 0) {
        const char *nl = memchr(p, '\n', n);
        size_t k = nl ? (size_t)(nl - p) + 1 : n;
        p += k;
        n -= k;
    }
    hlist l = {0};
    size_t body = 0;
    int rc = split_headers(p, n, &l, &body, &m->flags);
    if (rc == MD_OK && l.n == 0) {
        hlist_free(&l);
        free(buf);
        md_message_free(m);
        return md_err_set(err, MD_ERR_PARSE, "no header field");
    }
    if (rc == MD_OK) {
        m->header_bytes = body;
        libetpan_check(p, body > 0 && body <= n ? body : n, l.n, &m->flags);
        rc = fill_summary(m, &l); /* m now owns l's fields */
    } else {
        hlist_free(&l);
    }
    if (rc == MD_OK) {
        walk w = {m, budget, depth, 0};
        hlist keep = {m->hdr, m->nhdr, m->nhdr};
        rc = parse_entity(&w, p, n, 0, -1, &keep, "text/plain", err);
    }
    free(buf);
    if (rc != MD_OK) {
        md_message_free(m);
        return rc == MD_ERR_NOMEM ? md_err_set(err, rc, "out of memory") : rc;
    }
    for (size_t i = 0; i < m->npart; i++) {
        md_msg_part *pt = &m->part[i];
        if (!pt->text || pt->is_attachment)
            continue;
        if (!m->text_plain && !strcmp(pt->type, "text/plain"))
            m->text_plain = pt->text;
        if (!m->text_html && !strcmp(pt->type, "text/html"))
            m->text_html = pt->text;
    }
    *out = m;
    return MD_OK;
}

int md_message_parse(md_message **out, const char *data, size_t len, md_err *err)
{
    int budget = MD_LIMIT_MIME_PARTS;
    if (!out || (!data && len))
        return md_err_set(err, MD_ERR_ARG, "md_message_parse: bad arguments");
    return msg_parse(out, data ? data : "", len, 0, &budget, err);
}

void md_message_free(md_message *m)
{
    if (!m)
        return;
    hlist l = {m->hdr, m->nhdr, m->nhdr};
    hlist_free(&l);
    for (size_t i = 0; i < m->npart; i++) {
        free(m->part[i].data);
        free(m->part[i].text);
        md_message_free(m->part[i].inner);
    }
    free(m->part);
    free(m->message_id);
    free(m->from);
    free(m->from_addr);
    free(m->to);
    free(m->subject);
    free(m->date_text);
    free(m);
}

const md_msg_header *md_message_header_next(const md_message *m, const char *name, size_t *pos)
{
    for (; m && *pos < m->nhdr; (*pos)++)
        if (md_text_casecmp(m->hdr[*pos].name, name) == 0)
            return &m->hdr[(*pos)++];
    return NULL;
}

const char *md_message_header(const md_message *m, const char *name)
{
    size_t pos = 0;
    const md_msg_header *h = md_message_header_next(m, name, &pos);
    return h ? h->decoded : NULL;
}

const char *md_message_body_text(const md_message *m)
{
    if (m && m->text_plain)
        return m->text_plain;
    if (m && m->text_html)
        return m->text_html;
    return "";
}

char *md_message_flags_text(int flags, char *dst, size_t n)
{
    static const struct { int f; const char *t; } names[] = {
        {MD_MSG_HDR_TRUNC, "header block over the size limit (cut)"},
        {MD_MSG_HDR_LOST, "malformed header lines (a parser would drop fields)"},
        {MD_MSG_HDR_LINE_CUT, "header field over the length limit (cut)"},
        {MD_MSG_HDR_TOO_MANY, "too many header fields"},
        {MD_MSG_BAD_UTF8, "invalid UTF-8 replaced"},
        {MD_MSG_NUL, "NUL bytes"},
        {MD_MSG_DEEP_COMMENT, "too deeply nested comments"},
        {MD_MSG_MIME_DEPTH, "MIME nesting over the limit"},
        {MD_MSG_MIME_PARTS, "too many MIME parts"},
        {MD_MSG_MIME_BROKEN, "broken MIME structure"},
        {MD_MSG_TOO_BIG, "message over the size limit (cut)"},
        {MD_MSG_NO_BODY, "no empty line after the header"},
    };
    size_t o = 0;
    if (!n)
        return dst;
    dst[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(flags & names[i].f))
            continue;
        int k = snprintf(dst + o, n - o, "%s%s", o ? ", " : "", names[i].t);
        if (k < 0 || (size_t)k >= n - o)
            break;
        o += (size_t)k;
    }
    return dst;
}
