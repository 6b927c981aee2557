/* render_pdf.c: the PDF rendering of a dossier document (libharu 2.3.0).
 *
 * Lays out the evidence document of templates/dossier.xsd on A4 pages:
 * a title block, numbered sections, tables whose cells wrap and whose rows
 * break across pages with the header row repeated, monospace log excerpts
 * and "Ticket N - page x of y" footers (written after the layout, when the
 * page count is known).  DejaVu Sans / Sans Bold / Sans Mono are embedded
 * as TrueType with UTF-8 encoding.  Every text taken from the document is
 * repaired to valid UTF-8 and limited to the Basic Multilingual Plane
 * (libharu drops anything else silently) before it is measured or drawn.
 * It only lays out what the document says: no analysis, no SQL.  libharu
 * is used through its public API (hpdf.h) only; its streams are deflated
 * by our own code after it wrote them plain (pdfz.h).  The document's file
 * side (libharu document and fonts, saving, the job thread) is pdffile.c.
 */
#include "render/render.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>

#include "render/render_pdf_int.h"
#include "render/render_src.h"
#include "base/text.h"
#include "version.h"

/* ---- strings ------------------------------------------------------------- */

static const char *keep(pdf *p, char *s)
{
    if (!s) {
        p->oom = 1;
        return "";
    }
    if (p->npool == p->cappool) {
        size_t nc = p->cappool ? p->cappool * 2 : 64;
        char **nv = realloc(p->pool, nc * sizeof *nv);
        if (!nv) {
            free(s);
            p->oom = 1;
            return "";
        }
        p->pool = nv;
        p->cappool = nc;
    }
    p->pool[p->npool++] = s;
    return s;
}

/* sanitise: valid UTF-8, BMP only, no control characters except '\n'. */
static int sanitise(md_buf *out, const char *s, size_t n)
{
    md_buf tmp = MD_BUF_INIT;
    const unsigned char *u;
    size_t i;
    if (md_text_utf8_repair(&tmp, s, n) < 0) {
        md_buf_free(&tmp);
        return MD_ERR_NOMEM;
    }
    u = (const unsigned char *)md_buf_cstr(&tmp);
    for (i = 0; i < tmp.len;) {
        unsigned c = u[i];
        if (c < 0x80) {
            if (c == '\r')
                ;
            else if (c == '\n')
                md_buf_putc(out, '\n');
            else if (c < 0x20 || c == 0x7f)
                md_buf_putc(out, ' ');
            else
                md_buf_putc(out, (int)c);
            i++;
        } else if (c < 0xE0) {
            unsigned cp = ((c & 0x1Fu) << 6) | (u[i + 1] & 0x3Fu);
            if (cp < 0xA0)
                md_buf_putc(out, ' ');   /* C1 control */
            else
                md_buf_append(out, u + i, 2);
            i += 2;
        } else if (c < 0xF0) {
            md_buf_append(out, u + i, 3);
            i += 3;
        } else {
            md_buf_append(out, "\xEF\xBF\xBD", 3);   /* outside the BMP */
            i += 4;
        }
    }
    md_buf_free(&tmp);
    if (md_buf_append(out, "", 0) != MD_OK || out->oom)   /* NUL-terminated even when empty */
        return MD_ERR_NOMEM;
    return MD_OK;
}

static unsigned decode(const unsigned char *s, size_t *len)
{
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    if (s[0] < 0xE0) {
        *len = 2;
        return ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
    }
    *len = 3;
    return ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
}

/* ---- XML access ---------------------------------------------------------- */

static int is_el(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNode *kid(const xmlNode *n, const char *name)
{
    xmlNode *c;
    if (!n)
        return NULL;
    for (c = n->children; c; c = c->next)
        if (is_el(c, name))
            return c;
    return NULL;
}

static xmlNode *next_el(const xmlNode *n, const char *name)
{
    xmlNode *c;
    for (c = n->next; c; c = c->next)
        if (is_el(c, name))
            return c;
    return NULL;
}

#define EACH(var, parent, name) \
    for (xmlNode *var = kid((parent), (name)); var; var = next_el(var, (name)))

static const char *txt(pdf *p, const xmlNode *n)
{
    xmlChar *c;
    char *s;
    if (!n)
        return "";
    if (!n->children)
        return "";
    if (n->children->type == XML_TEXT_NODE && !n->children->next)
        return (const char *)n->children->content;
    c = xmlNodeGetContent(n);
    if (!c)
        return "";
    s = strdup((const char *)c);
    xmlFree(c);
    return keep(p, s);
}

/* attr: an attribute's value, "" when absent. */
static const char *attr(pdf *p, const xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
    char *s;
    if (!v)
        return "";
    s = strdup((const char *)v);
    xmlFree(v);
    return keep(p, s);
}

static const char *kt(pdf *p, const xmlNode *n, const char *name)
{
    return txt(p, kid(n, name));
}

/* zone_of: the zone suffix of an xs:dateTime ("+02:00", "Z"), or "". */
static const char *zone_of(const char *s)
{
    size_t n = strlen(s);
    if (n > 19 && s[n - 1] == 'Z')
        return s + n - 1;
    if (n >= 25 && (s[n - 6] == '+' || s[n - 6] == '-') && s[n - 3] == ':')
        return s + n - 6;
    return "";
}

/* when: "2016-04-20T09:41:12+02:00" -> "2016-04-20 09:41:12", the zone kept
 * (" +02:00") only when it differs from the document's zone (the window's). */
static const char *when(pdf *p, const char *s)
{
    char *o;
    const char *z = zone_of(s);
    size_t n = strlen(s), body = n - strlen(z);
    if (!*s)
        return "";
    o = malloc(n + 2);
    if (!o)
        return keep(p, NULL);
    memcpy(o, s, body);
    o[body] = '\0';
    if (body > 10 && o[10] == 'T')
        o[10] = ' ';
    if (*z && strcmp(z, p->zone) != 0) {
        o[body] = ' ';
        memcpy(o + body + 1, z, strlen(z) + 1);
    }
    return keep(p, o);
}

/* words: an outcome token as words ("not-received" -> "not received") */
static const char *words(pdf *p, const char *token)
{
    char *o = strdup(token);
    for (char *q = o; q && *q; q++)
        if (*q == '-')
            *q = ' ';
    return keep(p, o);
}

static const char *join(pdf *p, const char *a, const char *sep, const char *b)
{
    size_t la = strlen(a), ls = strlen(sep), lb = strlen(b);
    char *o;
    if (!*a)
        return b;
    if (!*b)
        return a;
    o = malloc(la + ls + lb + 1);
    if (!o)
        return keep(p, NULL);
    memcpy(o, a, la);
    memcpy(o + la, sep, ls);
    memcpy(o + la + ls, b, lb + 1);
    return keep(p, o);
}

/* list: the texts of every child `name` of n, joined by sep. */
static const char *list(pdf *p, const xmlNode *n, const char *name, const char *sep)
{
    const char *r = "";
    EACH(c, n, name)
        r = join(p, r, sep, txt(p, c));
    return r;
}

/* cited: text with the footnote marker of claim element n ("[3,7-9]",
 * render_src.h) after it; the text alone when n cites nothing. */
static const char *cited(pdf *p, const xmlNode *n, const char *text)
{
    md_buf m = MD_BUF_INIT;
    md_render_cite(n, &m);
    if (!m.len)
        return text;
    return join(p, text, " ", keep(p, md_buf_detach(&m)));
}

/* ---- measuring and wrapping ---------------------------------------------- */

static float char_w(pdf_font *f, const unsigned char *s, size_t len, unsigned cp)
{
    if (cp < 0x10000 && f->w && f->w[cp] > 0)
        return f->w[cp];
    HPDF_TextWidth tw = HPDF_Font_TextWidth(f->f, s, (HPDF_UINT)len);
    float w = (float)tw.width;
    if (w <= 0)
        w = 0.0001f;
    if (cp < 0x10000 && f->w)
        f->w[cp] = w;
    return w;
}

/* span_w: the width of n bytes of UTF-8 text in f at scale (size/1000) */
static float span_w(pdf_font *f, const unsigned char *s, size_t n, float scale)
{
    float w = 0;
    for (size_t i = 0, l; i < n; i += l) {
        unsigned cp = decode(s + i, &l);
        w += char_w(f, s + i, l, cp) * scale;
    }
    return w;
}

static float text_w(pdf_font *f, float size, const char *s)
{
    return span_w(f, (const unsigned char *)s, strlen(s), size / 1000.0f);
}

static void lines_free(lines *l)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static int lines_add(lines *l, const char *s, size_t n)
{
    char *c;
    while (n > 0 && s[n - 1] == ' ')
        n--;
    char **nv = md_grow(l->v, &l->cap, l->n + 1, sizeof *nv, 8);
    if (!nv)
        return MD_ERR_NOMEM;
    l->v = nv;
    c = malloc(n + 1);
    if (!c)
        return MD_ERR_NOMEM;
    memcpy(c, s, n);
    c[n] = '\0';
    l->v[l->n++] = c;
    return MD_OK;
}

static int breakable(unsigned cp)
{
    return cp == ' ' || cp == ',' || cp == ';' || cp == '/' || cp == '&' ||
           cp == '?' || cp == '|';
}

/* soft: where a word may be cut when it does not fit a line at all:
 * after '@' best, else after '.', '_', ':', '=', '-' (a cut after its own
 * hyphen needs no added one, and adds none to an identifier). */
static int soft_rank(unsigned cp)
{
    return cp == '@' ? 2
           : (cp == '.' || cp == '_' || cp == ':' || cp == '=' || cp == '-') ? 1 : 0;
}

/* hyphen_cut: a word longer than the line (s[start..end) does not fit
 * avail) is cut where its first part and a hyphen fit, and the hyphen
 * marks the cut, so that no word reads as two ("badreputati" / "on").
 * Adds that line; returns where the rest starts (at least one character
 * on the line). */
static size_t hyphen_cut(lines *out, const unsigned char *s, size_t start, size_t end,
                         pdf_font *f, float scale, float avail, int *rc)
{
    float hw = char_w(f, (const unsigned char *)"-", 1, '-') * scale, w = 0;
    size_t j = start, l;
    while (j < end) {
        unsigned cp = decode(s + j, &l);
        float cw = char_w(f, s + j, l, cp) * scale;
        if (j > start && w + cw + hw > avail)
            break;
        w += cw;
        j += l;
    }
    md_buf b = MD_BUF_INIT;
    if (md_buf_append(&b, s + start, j - start) != MD_OK || md_buf_append(&b, "-", 1) != MD_OK)
        *rc = MD_ERR_NOMEM;
    else
        *rc = lines_add(out, md_buf_cstr(&b), b.len);
    md_buf_free(&b);
    return j;
}

/* wrap: split text into lines of at most width points; lines after the
 * first are `indent` points narrower (the caller draws them indented).
 * Breaks after blanks and punctuation; a word longer than a line is cut
 * after '@' or '.' when it has one, else where the line is full, with a
 * hyphen (hyphen_cut).  Empty text gives no lines. */
static int wrap(pdf *p, lines *out, const char *text, pdf_font *f, float size, float width,
                float indent)
{
    md_buf clean = MD_BUF_INIT;
    const unsigned char *s;
    size_t n, i = 0, start = 0, brk = SIZE_MAX, soft = SIZE_MAX;
    float w = 0, wbrk = 0, wsoft = 0, avail = width, scale = size / 1000.0f;
    int rc = MD_OK, srank = 0;

    if (sanitise(&clean, text, strlen(text)) != MD_OK) {
        md_buf_free(&clean);
        p->oom = 1;
        return MD_ERR_NOMEM;
    }
    s = (const unsigned char *)md_buf_cstr(&clean);
    n = clean.len;
    while (i < n && rc == MD_OK) {
        size_t l;
        unsigned cp;
        float cw;
        if (s[i] == '\n') {
            rc = lines_add(out, (const char *)s + start, i - start);
            start = ++i;
            brk = soft = SIZE_MAX;
            w = wbrk = wsoft = 0;
            srank = 0;
            continue;
        }
        cp = decode(s + i, &l);
        cw = char_w(f, s + i, l, cp) * scale;
        if (w + cw > avail && i > start && cp != ' ') {
            if (brk != SIZE_MAX && brk > start) {
                rc = lines_add(out, (const char *)s + start, brk - start);
                start = brk;
                w = wbrk;
            } else if (soft != SIZE_MAX && soft > start) {
                rc = lines_add(out, (const char *)s + start, soft - start);
                start = soft;
                w = wsoft;
            } else {
                size_t j = hyphen_cut(out, s, start, i, f, scale, avail, &rc);
                w = span_w(f, s + j, i - j, scale);
                start = j;
            }
            brk = soft = SIZE_MAX;
            wbrk = wsoft = 0;
            srank = 0;
            avail = width - indent;
            continue;
        }
        if (i == start && cp == ' ' && out->n > 0) {   /* no leading blank after a break */
            start = i + l;
            i += l;
            continue;
        }
        w += cw;
        wbrk += cw;
        wsoft += cw;
        i += l;
        /* "[3,7-9]": a footnote marker is one word */
        if (breakable(cp) && !(cp == ',' && isdigit((unsigned char)text[i]))) {
            brk = i;
            wbrk = 0;
            soft = SIZE_MAX;
            srank = 0;
        } else if (soft_rank(cp) >= srank && soft_rank(cp) > 0) {
            soft = i;
            wsoft = 0;
            srank = soft_rank(cp);
        }
    }
    if (rc == MD_OK && i > start)
        rc = lines_add(out, (const char *)s + start, i - start);
    md_buf_free(&clean);
    if (rc != MD_OK)
        p->oom = 1;
    return rc;
}

/* ---- drawing primitives -------------------------------------------------- */

static void put(pdf *p, pdf_font *f, float size, float x, float y, const char *s)
{
    if (!*s)
        return;
    HPDF_Page_BeginText(p->page);
    HPDF_Page_SetFontAndSize(p->page, f->f, size);
    /* in a fresh text object HPDF_Page_TextOut moves by exactly (x, y) */
    HPDF_Page_MoveTextPos(p->page, x, y);
    HPDF_Page_ShowText(p->page, s);
    HPDF_Page_EndText(p->page);
}

static void gray(pdf *p, float g)
{
    HPDF_Page_SetRGBFill(p->page, g, g, g);
}

static void ink(pdf *p)
{
    HPDF_Page_SetRGBFill(p->page, 0.1f, 0.1f, 0.12f);
}

static void accent(pdf *p)
{
    HPDF_Page_SetRGBFill(p->page, 0.12f, 0.25f, 0.45f);
}

static void rule(pdf *p, float x0, float x1, float y, float width, float g)
{
    HPDF_Page_SetLineWidth(p->page, width);
    HPDF_Page_SetRGBStroke(p->page, g, g, g);
    HPDF_Page_MoveTo(p->page, x0, y);
    HPDF_Page_LineTo(p->page, x1, y);
    HPDF_Page_Stroke(p->page);
}

static void box(pdf *p, float x, float y, float w, float h, float r, float g, float b)
{
    HPDF_Page_SetRGBFill(p->page, r, g, b);
    HPDF_Page_Rectangle(p->page, x, y, w, h);
    HPDF_Page_Fill(p->page);
}

static void table_header(pdf *p, table *t);

static int new_page(pdf *p)
{
    HPDF_Page pg;
    if (p->npages == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 16;
        HPDF_Page *nv = realloc(p->pages, nc * sizeof *nv);
        if (!nv) {
            p->oom = 1;
            return MD_ERR_NOMEM;
        }
        p->pages = nv;
        p->cap = nc;
    }
    pg = HPDF_AddPage(p->doc);
    if (!pg)
        return MD_ERR_PARSE;
    HPDF_Page_SetSize(pg, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    p->pages[p->npages++] = pg;
    p->page = pg;
    p->y = PAGE_H - M_TOP;
    if (p->npages > 1) {
        char head[160];
        snprintf(head, sizeof head, "Ticket %s \xE2\x80\x94 mail delivery dossier", p->ticket);
        gray(p, 0.45f);
        put(p, &p->sans, SZ_SMALL, M_LEFT, PAGE_H - 34.0f, head);
        rule(p, M_LEFT, PAGE_W - M_RIGHT, PAGE_H - 38.0f, 0.4f, 0.7f);
        ink(p);
    }
    if (p->open_table)
        table_header(p, p->open_table);
    return MD_OK;
}

/* room: make sure h points are free on the current page. */
static int room(pdf *p, float h)
{
    if (p->y - h < M_BOTTOM)
        return new_page(p);
    return MD_OK;
}

static int bad(pdf *p)
{
    return p->failed || p->oom;
}

/* para: wrapped text at x_off from the left margin, hanging indent hang. */
static void para(pdf *p, const char *text, pdf_font *f, float size, float x_off, float hang)
{
    lines l = {0};
    size_t i;
    float lead = LEAD(size);
    if (wrap(p, &l, text, f, size, CONTENT_W - x_off, hang) != MD_OK)
        return;
    for (i = 0; i < l.n && !bad(p); i++) {
        room(p, lead);
        put(p, f, size, M_LEFT + x_off + (i ? hang : 0), p->y - size, l.v[i]);
        p->y -= lead;
    }
    lines_free(&l);
}

static void bullet(pdf *p, const char *text, float size)
{
    room(p, LEAD(size));
    put(p, &p->sans, size, M_LEFT + 4.0f, p->y - size, "\xE2\x80\xA2");
    para(p, text, &p->sans, size, 14.0f, 0);
}

static void h1(pdf *p, const char *title)
{
    room(p, 120.0f);   /* keep the heading with what follows */
    p->y -= 10.0f;
    accent(p);
    put(p, &p->bold, SZ_H1, M_LEFT, p->y - SZ_H1, title);
    ink(p);
    p->y -= LEAD(SZ_H1) + 1.0f;
    rule(p, M_LEFT, PAGE_W - M_RIGHT, p->y, 0.6f, 0.55f);
    p->y -= 5.0f;
}

static void h2(pdf *p, const char *title)
{
    room(p, 55.0f);
    p->y -= 6.0f;
    accent(p);
    para(p, title, &p->bold, SZ_H2, 0, 0);
    ink(p);
    p->y -= 2.0f;
}

static void h3(pdf *p, const char *title)
{
    room(p, 40.0f);
    p->y -= 3.0f;
    put(p, &p->bold, 8.0f, M_LEFT, p->y - 8.0f, title);
    p->y -= LEAD(8.0f) + 1.0f;
}

/* kv: a label and a wrapped value beside it. */
static void kv(pdf *p, const char *key, const char *value, float keyw)
{
    lines l = {0};
    size_t i;
    float lead = LEAD(SZ_BODY);
    if (!value || !*value)
        return;
    if (wrap(p, &l, value, &p->sans, SZ_BODY, CONTENT_W - keyw, 0) != MD_OK)
        return;
    for (i = 0; i < l.n && !bad(p); i++) {
        room(p, lead);
        if (i == 0) {
            gray(p, 0.35f);
            put(p, &p->bold, SZ_BODY - 0.5f, M_LEFT, p->y - SZ_BODY, key);
            ink(p);
        }
        put(p, &p->sans, SZ_BODY, M_LEFT + keyw, p->y - SZ_BODY, l.v[i]);
        p->y -= lead;
    }
    lines_free(&l);
}

/* ---- tables --------------------------------------------------------------- */

static void table_header(pdf *p, table *t)
{
    lines l[MAX_COLS];
    size_t maxn = 1, i;
    int c;
    float lead = LEAD(SZ_TABLE), h;
    memset(l, 0, sizeof l);
    for (c = 0; c < t->ncols; c++) {
        wrap(p, &l[c], t->cols[c].title, &p->bold, SZ_TABLE, t->w[c] - 2 * CELL_PAD, 0);
        if (l[c].n > maxn)
            maxn = l[c].n;
    }
    h = (float)maxn * lead + 2 * CELL_PAD;
    box(p, M_LEFT, p->y - h, CONTENT_W, h, 0.85f, 0.88f, 0.93f);
    ink(p);
    for (c = 0; c < t->ncols; c++) {
        for (i = 0; i < l[c].n; i++)
            put(p, &p->bold, SZ_TABLE, t->x[c] + CELL_PAD,
                p->y - CELL_PAD - SZ_TABLE - (float)i * lead, l[c].v[i]);
        lines_free(&l[c]);
    }
    p->y -= h;
    rule(p, M_LEFT, PAGE_W - M_RIGHT, p->y, 0.5f, 0.5f);
    t->row = 0;
}

static void table_begin(pdf *p, table *t, const col *cols, int ncols)
{
    float x = M_LEFT, total = 0;
    int c;
    t->cols = cols;
    t->ncols = ncols > MAX_COLS ? MAX_COLS : ncols;
    for (c = 0; c < t->ncols; c++)
        total += cols[c].frac;
    for (c = 0; c < t->ncols; c++) {
        t->x[c] = x;
        t->w[c] = CONTENT_W * cols[c].frac / total;
        x += t->w[c];
    }
    t->row = 0;
    room(p, 3 * LEAD(SZ_TABLE) + 6 * CELL_PAD);
    table_header(p, t);
    p->open_table = t;
}

static void table_end(pdf *p)
{
    p->open_table = NULL;
    p->y -= 6.0f;
}

static void table_row(pdf *p, table *t, const char *const *cells)
{
    lines l[MAX_COLS];
    size_t maxn = 0, off = 0;
    int c;
    float lead = LEAD(SZ_TABLE);
    memset(l, 0, sizeof l);
    for (c = 0; c < t->ncols; c++) {
        pdf_font *f = t->cols[c].mono ? &p->mono : &p->sans;
        float ind = t->cols[c].mono ? 6.0f : 0;
        wrap(p, &l[c], cells[c] ? cells[c] : "", f, SZ_TABLE, t->w[c] - 2 * CELL_PAD, ind);
        if (l[c].n > maxn)
            maxn = l[c].n;
    }
    if (maxn == 0)
        maxn = 1;
    /* a row that fits on a fresh page is not split */
    if (p->y - ((float)maxn * lead + 2 * CELL_PAD) < M_BOTTOM &&
        (float)maxn * lead + 2 * CELL_PAD < PAGE_H - M_TOP - M_BOTTOM - 40.0f)
        new_page(p);
    while (off < maxn && !bad(p)) {
        float avail = p->y - M_BOTTOM - 2 * CELL_PAD;
        size_t k = avail > 0 ? (size_t)(avail / lead) : 0, j;
        float h;
        if (k == 0) {
            new_page(p);
            continue;
        }
        if (k > maxn - off)
            k = maxn - off;
        h = (float)k * lead + 2 * CELL_PAD;
        if (t->row % 2 == 1)
            box(p, M_LEFT, p->y - h, CONTENT_W, h, 0.955f, 0.955f, 0.955f);
        ink(p);
        for (c = 0; c < t->ncols; c++) {
            pdf_font *f = t->cols[c].mono ? &p->mono : &p->sans;
            for (j = 0; j < k && off + j < l[c].n; j++) {
                float ind = (t->cols[c].mono && off + j > 0) ? 6.0f : 0;
                put(p, f, SZ_TABLE, t->x[c] + CELL_PAD + ind,
                    p->y - CELL_PAD - SZ_TABLE - (float)j * lead, l[c].v[off + j]);
            }
        }
        p->y -= h;
        off += k;
        rule(p, M_LEFT, PAGE_W - M_RIGHT, p->y, 0.25f, 0.78f);
        if (off < maxn)
            new_page(p);
    }
    t->row++;
    for (c = 0; c < t->ncols; c++)
        lines_free(&l[c]);
}

/* ---- log excerpts ---------------------------------------------------------- */

static void log_line(pdf *p, const char *where, const char *text)
{
    lines l = {0};
    size_t i;
    float lead = LEAD(SZ_MONO), ind = 12.0f;
    if (wrap(p, &l, text, &p->mono, SZ_MONO, CONTENT_W - 8.0f, ind) != MD_OK)
        return;
    room(p, LEAD(SZ_SMALL) + lead);
    gray(p, 0.4f);
    put(p, &p->sans, SZ_SMALL, M_LEFT, p->y - SZ_SMALL, where);
    ink(p);
    p->y -= LEAD(SZ_SMALL);
    for (i = 0; i < l.n && !bad(p); i++) {
        room(p, lead);
        box(p, M_LEFT, p->y - lead, CONTENT_W, lead, 0.95f, 0.95f, 0.93f);
        ink(p);
        put(p, &p->mono, SZ_MONO, M_LEFT + 4.0f + (i ? ind : 0), p->y - SZ_MONO, l.v[i]);
        p->y -= lead;
    }
    p->y -= 2.0f;
    lines_free(&l);
}

/* ---- the sections ---------------------------------------------------------- */

static void sec_title(pdf *p) /* the title and the ticket; the summary follows */
{
    accent(p);
    put(p, &p->bold, 20.0f, M_LEFT, p->y - 20.0f, "Mail delivery dossier");
    p->y -= 28.0f;
    ink(p);
    put(p, &p->sans, 13.0f, M_LEFT, p->y - 13.0f, join(p, "Ticket ", "", p->ticket));
    p->y -= 22.0f;
    rule(p, M_LEFT, PAGE_W - M_RIGHT, p->y, 1.2f, 0.25f);
    p->y -= 6.0f;
}

/* the header's facts and notes, after the summary */
static void sec_about(pdf *p, const xmlNode *hd)
{
    const char *red = kt(p, hd, "redaction"), *since = when(p, kt(p, kid(hd, "window"), "since"));
    const char *until = when(p, kt(p, kid(hd, "window"), "until"));
    const xmlNode *notes = kid(hd, "notes");
    rule(p, M_LEFT, PAGE_W - M_RIGHT, p->y - 6.0f, 1.2f, 0.25f);
    p->y -= 12.0f;
    kv(p, "Addresses", list(p, kid(hd, "addresses"), "address", ", "), 88.0f);
    kv(p, "Window", join(p, join(p, since, " \xE2\x80\x93 ", until), "  ",
                         *p->zone ? join(p, "(times in ", "", join(p, strcmp(p->zone, "Z")
                                         ? p->zone : "UTC", "", " unless marked)")) : ""), 88.0f);
    kv(p, "Generated", p->generated, 88.0f);
    kv(p, "By", kt(p, hd, "author"), 88.0f);
    kv(p, "Organisation", kt(p, hd, "organisation"), 88.0f);
    kv(p, "Tool", join(p, "maildossier", " ", kt(p, hd, "tool-version")), 88.0f);
    kv(p, "Redaction", strcmp(red, "off") == 0
           ? "off: addresses are shown in full (--no-redact)"
           : "on: local parts of third-party addresses are shown as *snip*@domain", 88.0f);
    p->y -= 3.0f;
    rule(p, M_LEFT, PAGE_W - M_RIGHT, p->y, 1.2f, 0.25f);
    p->y -= 8.0f;
    if (kid(notes, "note")) {
        h3(p, "Notes");
        EACH(n, notes, "note")
            bullet(p, cited(p, n, txt(p, n)), SZ_BODY - 0.5f);
    }
}

/* the logs' coverage of the window: a row per host, the notes once */
static void sec_coverage(pdf *p, const xmlNode *span)
{
    static const col cols[] = {{"Log host", 22, 0}, {"First line in the window", 30, 0},
                               {"Last line in the window", 30, 0}, {"Lines", 18, 0}};
    table t;
    h1(p, "6  Evidence coverage");
    table_begin(p, &t, cols, 4);
    EACH(h, span, "host") { /* a host without lines: its note in the first column */
        const char *cells[4] = {kt(p, h, "name"), kid(h, "first") ? when(p, kt(p, h, "first"))
                                : kt(p, h, "note"), kid(h, "last") ? when(p, kt(p, h, "last"))
                                : "", kt(p, h, "lines")};
        table_row(p, &t, cells);
        if (bad(p))
            break;
    }
    table_end(p);
    EACH(n, span, "note")
        para(p, txt(p, n), &p->sans, SZ_BODY, 0, 0);
}

static void sec_summary(pdf *p, const xmlNode *sm)
{
    h1(p, "1  Summary");
    EACH(v, sm, "verdict") {
        para(p, cited(p, v, txt(p, v)), &p->sans, SZ_BODY + 0.5f, 0, 0);
        p->y -= 3.0f;
    }
    if (kid(sm, "next-step")) {
        h3(p, "What to do next");
        EACH(n, sm, "next-step")
            bullet(p, cited(p, n, txt(p, n)), SZ_BODY);
    }
}

static void sec_timeline(pdf *p, const xmlNode *tl)
{
    static const col cols[] = {{"#", 5, 0}, {"Time", 17.5f, 0}, {"From", 22, 0},
                               {"To", 26, 0}, {"Outcome", 29.5f, 0}};
    table t;
    h1(p, "2  Timeline");
    if (!kid(tl, "entry")) {
        para(p, "No message to or from the addresses in the window.", &p->sans, SZ_BODY, 0, 0);
        return;
    }
    table_begin(p, &t, cols, 5);
    EACH(e, tl, "entry") {
        const char *cells[5];
        cells[0] = attr(p, e, "message");
        cells[1] = when(p, kt(p, e, "time"));
        cells[2] = kt(p, e, "from");
        cells[3] = kt(p, e, "to");
        cells[4] = join(p, words(p, kt(p, e, "outcome")), ": ", cited(p, kid(e, "text"), kt(p, e, "text")));
        table_row(p, &t, cells);
        if (bad(p))
            break;
    }
    table_end(p);
}

static void msg_attempts(pdf *p, const xmlNode *at)
{
    static const col cols[] = {{"Time", 13, 0}, {"Host / queue id", 16, 0},
                               {"To / relay", 25, 0}, {"Outcome", 10, 0}, {"Reply", 36, 0}};
    table t;
    if (!kid(at, "attempt"))
        return;
    h3(p, "Delivery attempts");
    table_begin(p, &t, cols, 5);
    EACH(a, at, "attempt") {
        const char *cells[5], *relay;
        relay = join(p, kt(p, a, "relay"), " ", kid(a, "relay-ip")
                     ? join(p, "[", "", join(p, kt(p, a, "relay-ip"), "", "]")) : "");
        cells[0] = when(p, kt(p, a, "time"));
        cells[1] = join(p, kt(p, a, "host"), "\n", kt(p, a, "queue-id"));
        if (kid(a, "source-ip"))
            cells[1] = join(p, cells[1], "\nfrom ", kt(p, a, "source-ip"));
        cells[2] = join(p, kt(p, a, "to"), "\nvia ", relay);
        cells[3] = join(p, words(p, kt(p, a, "outcome")), "\n", join(p, kt(p, a, "dsn"), " ",
                                                           kt(p, a, "reason")));
        cells[4] = cited(p, a, kt(p, a, "reply"));
        table_row(p, &t, cells);
        if (bad(p))
            break;
    }
    table_end(p);
}

static void msg_links(pdf *p, const xmlNode *ln)
{
    static const col cols[] = {{"From", 16, 1}, {"To", 16, 1}, {"Kind", 13, 0}, {"Why", 55, 0}};
    table t;
    if (!kid(ln, "link"))
        return;
    h3(p, "Links between queue ids and messages");
    table_begin(p, &t, cols, 4);
    EACH(l, ln, "link") {
        const char *cells[4];
        cells[0] = kt(p, l, "from");
        cells[1] = kt(p, l, "to");
        cells[2] = kt(p, l, "kind");
        cells[3] = cited(p, l, kt(p, l, "why"));
        table_row(p, &t, cells);
        if (bad(p))
            break;
    }
    table_end(p);
}

static void msg_hops(pdf *p, const xmlNode *hp)
{
    static const col cols[] = {{"#", 4, 0}, {"From", 24, 0}, {"IP", 13, 0}, {"By", 22, 0},
                               {"With", 9, 0}, {"Time", 19, 0}, {"Ours", 7, 0}};
    table t;
    if (!kid(hp, "hop"))
        return;
    h3(p, "Received hops (newest first)");
    table_begin(p, &t, cols, 7);
    EACH(h, hp, "hop") {
        const char *cells[7];
        const char *ours = kt(p, h, "ours");
        cells[0] = kt(p, h, "n");
        cells[1] = kt(p, h, "from");
        cells[2] = kt(p, h, "ip");
        cells[3] = kt(p, h, "by");
        cells[4] = kt(p, h, "with");
        cells[5] = when(p, kt(p, h, "time"));
        cells[6] = cited(p, h, (strcmp(ours, "true") == 0 || strcmp(ours, "1") == 0) ? "yes" : "no");
        table_row(p, &t, cells);
        if (bad(p))
            break;
    }
    table_end(p);
}

static void msg_auth(pdf *p, const xmlNode *au)
{
    static const col cols[] = {{"Check", 15, 0}, {"Result", 15, 0}, {"Detail", 70, 0}};
    table t;
    if (!kid(au, "result"))
        return;
    h3(p, "Authentication and filter results");
    table_begin(p, &t, cols, 3);
    EACH(r, au, "result") {
        const char *cells[3];
        cells[0] = kt(p, r, "method");
        cells[1] = kt(p, r, "result");
        cells[2] = cited(p, r, kt(p, r, "detail"));
        table_row(p, &t, cells);
        if (bad(p))
            break;
    }
    table_end(p);
}

static void msg_bounces(pdf *p, const xmlNode *bo)
{
    static const col cols[] = {{"Time", 15, 0}, {"Recipient / status", 20, 0},
                               {"Remote MTA / IP", 18, 0}, {"Diagnostic", 47, 0}};
    table t;
    if (!kid(bo, "bounce"))
        return;
    h3(p, "Bounces");
    table_begin(p, &t, cols, 4);
    EACH(b, bo, "bounce") {
        const char *cells[4];
        cells[0] = when(p, kt(p, b, "time"));
        cells[1] = join(p, kt(p, b, "recipient"), "\n",
                        join(p, kt(p, b, "status"), " ", kt(p, b, "reason")));
        cells[2] = join(p, kt(p, b, "remote-mta"), "\n", kt(p, b, "ip"));
        cells[3] = cited(p, b, join(p, kt(p, b, "diagnostic"), "\n", kt(p, b, "source")));
        table_row(p, &t, cells);
        if (bad(p))
            break;
    }
    table_end(p);
}

static void sec_messages(pdf *p, const xmlNode *ms)
{
    float kw = 70.0f;
    h1(p, "3  Messages");
    if (!kid(ms, "message")) {
        para(p, "No message in the window.", &p->sans, SZ_BODY, 0, 0);
        return;
    }
    EACH(m, ms, "message") {
        const xmlNode *ll = kid(m, "log-lines");
        const char *title = join(p, attr(p, m, "id"), "  ", when(p, kt(p, m, "time")));
        if (kid(m, "subject"))
            title = join(p, title, " \xE2\x80\x94 ", kt(p, m, "subject"));
        h2(p, title);
        kv(p, "Message-ID", kt(p, m, "message-id"), kw);
        kv(p, "From", kt(p, m, "from"), kw);
        kv(p, "To", list(p, m, "to", ", "), kw);
        kv(p, "Queue ids", kt(p, m, "queue-ids"), kw);
        kv(p, "Outcome", words(p, kt(p, m, "outcome")), kw);
        kv(p, "Verdict", cited(p, kid(m, "verdict"), kt(p, m, "verdict")), kw);
        p->y -= 3.0f;
        h3(p, "Log lines");
        if (!kid(ll, "log-line"))
            para(p, "(no log line)", &p->sans, SZ_TABLE, 0, 0);
        EACH(l, ll, "log-line") {
            log_line(p, join(p, kt(p, l, "file"), ":", kt(p, l, "line")), kt(p, l, "text"));
            if (bad(p))
                return;
        }
        msg_attempts(p, kid(m, "attempts"));
        msg_links(p, kid(m, "links"));
        msg_hops(p, kid(m, "hops"));
        msg_auth(p, kid(m, "authentication"));
        msg_bounces(p, kid(m, "bounces"));
        if (bad(p))
            return;
    }
}

static void sec_forwarding(pdf *p, const xmlNode *fw)
{
    static const col cols[] = {{"Address", 27, 0}, {"Forwards to", 25, 0},
                               {"Keeps a copy", 9, 0}, {"Kind", 7, 0}, {"Where found", 32, 0}};
    table t;
    h1(p, "4  Forwarding rules");
    if (!kid(fw, "rule")) {
        para(p, "No forwarding rule for these addresses in the store.", &p->sans, SZ_BODY, 0, 0);
        return;
    }
    table_begin(p, &t, cols, 5);
    EACH(r, fw, "rule") {
        const char *cells[5], *kc = kt(p, r, "keep-copy"), *where;
        where = join(p, kt(p, r, "file"), ":", kt(p, r, "line"));
        if (kid(r, "seen"))
            where = join(p, where, "\nread ", when(p, kt(p, r, "seen")));
        cells[0] = kt(p, r, "address");
        cells[1] = list(p, r, "target", "\n");
        cells[2] = (strcmp(kc, "true") == 0 || strcmp(kc, "1") == 0) ? "yes" : "no";
        cells[3] = kt(p, r, "kind");
        cells[4] = cited(p, r, where);
        table_row(p, &t, cells);
        if (bad(p))
            break;
    }
    table_end(p);
}

/* check_cell: a DMARC check's result, "mixed" with how many of the row's
 * messages passed */
static const char *check_cell(pdf *p, const xmlNode *row, const char *name)
{
    const char *v = kt(p, row, name);
    const xmlNode *e = kid(row, name);
    if (strcmp(v, "mixed") != 0 || !e)
        return v;
    char buf[96];
    snprintf(buf, sizeof buf, "mixed (%s of %s pass)", attr(p, e, "pass"), kt(p, row, "count"));
    return keep(p, strdup(buf));
}

/* period: a report row's period: its UTC days when the dossier marks it
 * as whole days (days-from, days-to), else its two times */
static const char *period(pdf *p, const xmlNode *row, const char *from, const char *to)
{
    const char *a = attr(p, row, "days-from"), *b = attr(p, row, "days-to");
    if (*a && *b)
        return strcmp(a, b) == 0 ? join(p, a, " ", "(UTC)")
                                 : join(p, join(p, a, " \xE2\x80\x93 ", b), " ", "(UTC)");
    return join(p, when(p, kt(p, row, from)), " \xE2\x80\x93 ", when(p, kt(p, row, to)));
}

static const char *counts(pdf *p, const xmlNode *cn)
{
    const char *r = "";
    EACH(c, cn, "count") {
        r = join(p, r, "\n", join(p, words(p, attr(p, c, "outcome")), " ", txt(p, c)));
    }
    return r;
}

static void ip_reputation(pdf *p, const xmlNode *rep)
{
    table t;
    if (kid(rep, "snds")) {
        static const col cols[] = {{"SNDS period", 30, 0}, {"RCPT", 9, 0}, {"DATA", 9, 0},
                                   {"Recipients", 11, 0}, {"Filter", 10, 0},
                                   {"Complaints", 11, 0}, {"Trap hits", 9, 0}, {"Blocked", 11, 0}};
        table_begin(p, &t, cols, 8);
        EACH(s, rep, "snds") {
            const char *cells[8];
            cells[0] = period(p, s, "start", "end");
            cells[1] = kt(p, s, "rcpt");
            cells[2] = kt(p, s, "data");
            cells[3] = kt(p, s, "recipients");
            cells[4] = kt(p, s, "filter");
            cells[5] = kt(p, s, "complaint-rate");
            cells[6] = kt(p, s, "trap-hits");
            cells[7] = cited(p, s, kt(p, s, "blocked"));
            table_row(p, &t, cells);
            if (bad(p))
                break;
        }
        table_end(p);
    }
    if (kid(rep, "dmarc")) {
        static const col cols[] = {{"DMARC report by", 16, 0}, {"Period", 30, 0},
                                   {"Header from", 16, 0}, {"Count", 8, 0},
                                   {"Disposition", 11, 0}, {"DKIM", 9, 0}, {"SPF", 9, 0}};
        table_begin(p, &t, cols, 7);
        EACH(d, rep, "dmarc") {
            const char *cells[7];
            cells[0] = kt(p, d, "org");
            cells[1] = period(p, d, "begin", "end");
            cells[2] = kt(p, d, "header-from");
            cells[3] = kt(p, d, "count");
            cells[4] = kt(p, d, "disposition");
            cells[5] = check_cell(p, d, "dkim");
            cells[6] = cited(p, d, check_cell(p, d, "spf"));
            table_row(p, &t, cells);
            if (bad(p))
                break;
        }
        table_end(p);
    }
    if (kid(rep, "microsoft")) {
        static const col cols[] = {{"Microsoft answered", 20, 0}, {"Outcome", 20, 0},
                                   {"Text", 60, 0}};
        table_begin(p, &t, cols, 3);
        EACH(m, rep, "microsoft") {
            const char *cells[3];
            cells[0] = when(p, kt(p, m, "date"));
            cells[1] = kt(p, m, "outcome");
            cells[2] = cited(p, m, kt(p, m, "text"));
            table_row(p, &t, cells);
            if (bad(p))
                break;
        }
        table_end(p);
    }
}

/* sec_tls: Microsoft's TLS reports about our domains, one bullet each */
static void sec_tls(pdf *p, const xmlNode *tls)
{
    if (!tls || !kid(tls, "entry"))
        return;
    h3(p, "TLS reports of Microsoft about mail to our domains (RFC 8460)");
    EACH(e, tls, "entry") {
        bullet(p, cited(p, e, txt(p, e)), SZ_BODY);
        if (bad(p))
            break;
    }
}

static void sec_ips(pdf *p, const xmlNode *ips)
{
    static const col cols[] = {{"IP", 14, 0}, {"Host", 12, 0}, {"Role", 19, 0},
                               {"First seen", 19, 0}, {"Last seen", 19, 0}, {"Outcomes", 17, 0}};
    table t;
    h1(p, "5  Affected IPs");
    if (!kid(ips, "ip")) {
        para(p, "No IP of ours in the evidence.", &p->sans, SZ_BODY, 0, 0);
        return;
    }
    table_begin(p, &t, cols, 6);
    EACH(ip, ips, "ip") {
        const char *cells[6];
        cells[0] = kt(p, ip, "address");
        cells[1] = kt(p, ip, "host");
        cells[2] = cited(p, ip, kt(p, ip, "role"));
        cells[3] = when(p, kt(p, ip, "first-seen"));
        cells[4] = when(p, kt(p, ip, "last-seen"));
        cells[5] = counts(p, kid(ip, "counts"));
        table_row(p, &t, cells);
        if (bad(p))
            break;
    }
    table_end(p);
    EACH(ip, ips, "ip") {
        const char *host = kt(p, ip, "host");
        const char *title = kt(p, ip, "address");
        if (*host)
            title = join(p, title, " ", join(p, "(", "", join(p, host, "", ")")));
        h2(p, title);
        EACH(it, kid(ip, "evidence"), "item") {
            const char *tag = kt(p, it, "kind");
            if (kid(it, "message"))
                tag = join(p, tag, ", ", kt(p, it, "message"));
            bullet(p, cited(p, kid(it, "text"), join(p, join(p, "[", "", join(p, tag, "", "]")), " ",
                                                      kt(p, it, "text"))), SZ_TABLE + 0.5f);
            if (bad(p))
                return;
        }
        p->y -= 3.0f;
        ip_reputation(p, kid(ip, "reputation"));
    }
}

/* sec_sources: the appendix: every source the claims cite, numbered */
static void sec_sources(pdf *p, const xmlNode *srcs)
{
    if (!kid(srcs, "source"))
        return;
    h1(p, "7  Sources");
    EACH(s, srcs, "source") {
        md_buf w = MD_BUF_INIT;
        md_buf_printf(&w, "[%s] ", attr(p, s, "id") + 1);
        md_render_source_words(s, &w);
        para(p, keep(p, md_buf_detach(&w)), &p->sans, SZ_TABLE, 0, 14.0f);
        if (bad(p))
            return;
    }
}

/* ---- footers, metadata, fonts ---------------------------------------------- */

static void footers(pdf *p)
{
    size_t i;
    char text[200], ver[96];
    /* the version that wrote the evidence (the document's), not ours */
    snprintf(ver, sizeof ver, "maildossier %.60s", p->version);
    for (i = 0; i < p->npages && !bad(p); i++) {
        float w;
        p->page = p->pages[i];
        snprintf(text, sizeof text, "Ticket %s \xE2\x80\x94 page %zu of %zu", p->ticket, i + 1,
                 p->npages);
        rule(p, M_LEFT, PAGE_W - M_RIGHT, 40.0f, 0.4f, 0.7f);
        gray(p, 0.35f);
        w = text_w(&p->sans, 7.5f, text);
        put(p, &p->sans, 7.5f, (PAGE_W - w) / 2, 28.0f, text);
        put(p, &p->sans, SZ_SMALL, M_LEFT, 28.0f, ver);
        w = text_w(&p->sans, SZ_SMALL, p->generated);
        put(p, &p->sans, SZ_SMALL, PAGE_W - M_RIGHT - w, 28.0f, p->generated);
    }
}

/* info: PDF info strings are PDFDocEncoding: keep Latin-1, '?' for the rest. */
static void info(pdf *p, HPDF_InfoType type, const char *utf8)
{
    char o[512];
    const unsigned char *u = (const unsigned char *)utf8;
    size_t i = 0, j = 0, l;
    md_buf clean = MD_BUF_INIT;
    if (sanitise(&clean, utf8, strlen(utf8)) != MD_OK) {
        md_buf_free(&clean);
        return;
    }
    u = (const unsigned char *)md_buf_cstr(&clean);
    while (u[i] && j + 1 < sizeof o) {
        unsigned cp = decode(u + i, &l);
        o[j++] = (char)(cp == '\n' ? ' ' : cp < 0x100 ? cp : '?');
        i += l;
    }
    o[j] = '\0';
    HPDF_SetInfoAttr(p->doc, type, o);
    md_buf_free(&clean);
}

static void info_date(pdf *p, const char *iso)
{
    HPDF_Date d; /* HPDF_INT fields: int */
    int n = 0;
    memset(&d, 0, sizeof d);
    if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%n", &d.year, &d.month, &d.day, &d.hour, &d.minutes,
               &d.seconds, &n) != 6)
        return;
    d.ind = 'Z';
    iso += n;
    while (*iso == '.' || (*iso >= '0' && *iso <= '9'))
        iso++;
    if ((iso[0] == '+' || iso[0] == '-') && strlen(iso) >= 6) {
        d.ind = iso[0];
        d.off_hour = atoi(iso + 1);
        d.off_minutes = atoi(iso + 4);
    }
    HPDF_SetInfoDateAttr(p->doc, HPDF_INFO_CREATION_DATE, d);
}

/* lay out doc on the prepared p and write it to out_path (md_pdf_save) */
int md_pdf_draw(pdf *p, const xmlDoc *doc, const char *out_path, md_err *err)
{
    const xmlNode *root, *hd;
    char meta[512];

    if (!doc || !out_path)
        return md_err_set(err, MD_ERR_ARG, "render: no document or output path");
    root = xmlDocGetRootElement((xmlDoc *)doc);
    if (!is_el(root, "dossier") || !(hd = kid(root, "header")))
        return md_err_set(err, MD_ERR_ARG, "render: not a dossier document");
    p->ticket = kt(p, hd, "ticket");
    p->version = kt(p, hd, "tool-version");
    p->zone = zone_of(kt(p, kid(hd, "window"), "since"));
    p->generated = when(p, kt(p, hd, "generated-at"));

    snprintf(meta, sizeof meta, "Dossier for ticket %s", p->ticket);
    info(p, HPDF_INFO_TITLE, meta);
    snprintf(meta, sizeof meta, "Mail delivery evidence for ticket %s: %s", p->ticket,
             list(p, kid(hd, "addresses"), "address", ", "));
    info(p, HPDF_INFO_SUBJECT, meta);
    snprintf(meta, sizeof meta, "maildossier %s", MD_VERSION);
    info(p, HPDF_INFO_CREATOR, meta);
    info(p, HPDF_INFO_AUTHOR, kt(p, hd, "author"));
    info_date(p, kt(p, hd, "generated-at"));

    if (new_page(p) == MD_OK) {
        ink(p);
        sec_title(p);
        sec_summary(p, kid(root, "summary"));
        sec_about(p, hd);
        sec_timeline(p, kid(root, "timeline"));
        sec_messages(p, kid(root, "messages"));
        sec_forwarding(p, kid(root, "forwarding"));
        sec_ips(p, kid(root, "ips"));
        sec_tls(p, kid(root, "tls-reports"));
        sec_coverage(p, kid(hd, "evidence-span"));
        sec_sources(p, kid(root, "sources"));
        footers(p);
    }
    if (p->oom)
        return md_err_set(err, MD_ERR_NOMEM, "render: out of memory");
    if (p->failed)
        return md_err_set(err, MD_ERR_PARSE, "render: libharu error 0x%04lX (detail %lu)",
                          p->code, p->detail);
    return md_pdf_save(p, out_path, err);
}

const char *md_pdf_font_dir(const md_render_opts *o)
{
    return (o && o->font_dir && *o->font_dir) ? o->font_dir : MD_RENDER_FONT_DIR;
}

int md_render_pdf(const xmlDoc *doc, const char *out_path, const md_render_opts *o,
                  md_err *err)
{
    pdf p;
    if (!doc || !out_path)
        return md_err_set(err, MD_ERR_ARG, "render: no document or output path");
    int rc = md_pdf_prepare(&p, md_pdf_font_dir(o), !o || o->compress, err);
    if (rc == MD_OK)
        rc = md_pdf_draw(&p, doc, out_path, err);
    md_pdf_free(&p);
    return rc;
}

