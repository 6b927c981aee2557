/* msreply.c: recognise Microsoft sender-support replies and read, per IP,
 * the outcome Microsoft gave (see msreply.h).  Owns the HTML-to-lines
 * conversion it needs (libxml2's HTML parser, no network, no error output)
 * and the line scanner; returns what it reads (the mail reader stores it).
 * Never prints. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include "base/buf.h"
#include "parse/msreply.h"
#include "base/text.h"

#define CELL_SEP '\x1f'   /* between table cells of one row (HTML) */

static const char *const outcome_names[MD_MSR_COUNT] = {
    "", "not-qualified", "more-information", "conditionally-mitigated", "mitigated",
    "throttling-raised", "other"};
static const char *const outcome_texts[MD_MSR_COUNT] = {
    "", "not qualified for mitigation", "more information needed", "conditionally mitigated",
    "mitigated", "throttling limits raised", "other answer"};

const char *md_msreply_outcome_name(int o)
{
    return o > 0 && o < MD_MSR_COUNT ? outcome_names[o] : "";
}

const char *md_msreply_outcome_text(int o)
{
    return o > 0 && o < MD_MSR_COUNT ? outcome_texts[o] : "";
}

int md_msreply_outcome_parse(const char *name)
{
    for (int o = 1; o < MD_MSR_COUNT; o++)
        if (name && strcmp(name, outcome_names[o]) == 0)
            return o;
    return MD_MSR_NONE;
}

/* ---- HTML to lines ------------------------------------------------------ */

static int is_block(const char *n)
{
    static const char *const blocks[] = {"p", "div", "br", "tr", "li", "ul", "ol", "table",
                                         "h1", "h2", "h3", "h4", "h5", "h6", "hr", "pre",
                                         "blockquote", "body", "section", "center", NULL};
    for (const char *const *b = blocks; *b; b++)
        if (md_text_casecmp(n, *b) == 0)
            return 1;
    return 0;
}

static void html_walk(xmlNode *node, md_buf *out, int depth)
{
    for (xmlNode *c = node; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            const char *t = (const char *)c->content;
            if (!t)
                continue;
            /* whitespace runs (including newlines in the source) become one space */
            for (; *t; t++) {
                if (*t == '\n' || *t == '\r' || *t == '\t')
                    md_buf_putc(out, ' ');
                else
                    md_buf_putc(out, *t);
            }
            continue;
        }
        if (c->type != XML_ELEMENT_NODE)
            continue;
        const char *name = (const char *)c->name;
        if (md_text_casecmp(name, "script") == 0 || md_text_casecmp(name, "style") == 0 ||
            md_text_casecmp(name, "head") == 0 || md_text_casecmp(name, "title") == 0)
            continue;
        int block = is_block(name);
        int cell = md_text_casecmp(name, "td") == 0 || md_text_casecmp(name, "th") == 0;
        if (block)
            md_buf_putc(out, '\n');
        if (md_text_casecmp(name, "blockquote") == 0)
            md_buf_puts(out, "> ");   /* quoted: ignored by the scanner */
        if (depth < MD_LIMIT_XML_DEPTH && md_text_casecmp(name, "blockquote") != 0)
            html_walk(c->children, out, depth + 1);
        if (cell)
            md_buf_putc(out, CELL_SEP);
        if (block)
            md_buf_putc(out, '\n');
    }
}

/* html_lines: the text of an HTML document, one line per block, cells of a
 * table row separated by CELL_SEP.  0, or -1 when libxml2 gave up. */
static int html_lines(const char *html, size_t len, md_buf *out)
{
    if (len > (size_t)0x7fffffff)
        return -1;
    htmlDocPtr doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
                                    HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                                        HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER);
    if (!doc)
        return -1;
    html_walk(xmlDocGetRootElement(doc), out, 0);
    xmlFreeDoc(doc);
    return out->oom ? -1 : 0;
}

/* ---- line scanner ------------------------------------------------------- */

typedef struct {
    const char *phrase;
    int outcome;
} heading;

/* Headings as Microsoft writes them (lower case, compared after folding). */
static const heading headings[] = {
    {"not qualified for mitigation", MD_MSR_NOT_QUALIFIED},
    {"not eligible for mitigation", MD_MSR_NOT_QUALIFIED},
    {"not qualified", MD_MSR_NOT_QUALIFIED},
    {"more information needed", MD_MSR_MORE_INFO},
    {"more information required", MD_MSR_MORE_INFO},
    {"conditionally mitigated", MD_MSR_COND_MITIGATED},
    {"conditional mitigation", MD_MSR_COND_MITIGATED},
    {"mitigated", MD_MSR_MITIGATED},
    {"mitigation implemented", MD_MSR_MITIGATED},
    {NULL, 0}};

static int sepchar(int c)
{
    return c == ' ' || c == '\t' || c == ';' || c == ',' || c == '|' || c == '(' ||
           c == ')' || c == '[' || c == ']' || c == ':' || c == '.' || c == '-' ||
           c == '*' || c == '\xa0' || c == '"' || c == '\'';
}

/* ips_only: 1 if s[0..n) holds at least one IP and nothing else but
 * separators (and CIDR suffixes); the IPs go to ips[] (up to max). */
static int ips_only(const char *s, size_t n, md_ip *ips, size_t max, size_t *nips)
{
    size_t i = 0, found = 0;
    *nips = 0;
    while (i < n) {
        md_ip ip;
        size_t pos, len;
        if (!md_ip_find(s + i, n - i, &ip, &pos, &len)) {
            for (; i < n; i++)
                if (!sepchar((unsigned char)s[i]) && (unsigned char)s[i] != 0xc2)
                    return 0;
            break;
        }
        for (size_t k = i; k < i + pos; k++)
            if (!sepchar((unsigned char)s[k]) && (unsigned char)s[k] != 0xc2)
                return 0;
        i += pos + len;
        if (i < n && s[i] == '/') {          /* CIDR suffix */
            size_t j = i + 1;
            while (j < n && isdigit((unsigned char)s[j]))
                j++;
            if (j > i + 1)
                i = j;
        }
        if (*nips < max)
            ips[(*nips)++] = ip;
        found++;
    }
    return found > 0;
}

/* fold: lower case, whitespace runs -> one space, leading bullets dropped,
 * trailing ':' / '.' dropped.  dst has room for n+1. */
static size_t fold(char *dst, const char *s, size_t n)
{
    size_t o = 0, i = 0;
    while (i < n && (sepchar((unsigned char)s[i]) || s[i] == '\xe2' || s[i] == '\x80' ||
                     s[i] == '\xa2'))
        i++;                                 /* bullets, "• " (e2 80 a2) */
    int sp = 0;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t') {
            sp = 1;
            continue;
        }
        if (sp && o)
            dst[o++] = ' ';
        sp = 0;
        dst[o++] = (char)tolower(c);
    }
    while (o && (dst[o - 1] == ':' || dst[o - 1] == '.'))
        o--;
    dst[o] = '\0';
    return o;
}

/* heading_of: the outcome a cell names as a heading, 0 if it is none.  A
 * heading may be followed by IPs in the same cell ("Mitigated: 1.2.3.4"). */
static int heading_of(const char *cell, size_t n, size_t *rest)
{
    char low[160];
    size_t m = n < sizeof low - 1 ? n : sizeof low - 1;
    size_t skip = 0;
    while (skip < m && (sepchar((unsigned char)cell[skip]) || (unsigned char)cell[skip] >= 0x80))
        skip++;
    fold(low, cell + skip, m - skip);
    for (const heading *h = headings; h->phrase; h++) {
        size_t pl = strlen(h->phrase);
        if (strncmp(low, h->phrase, pl) != 0)
            continue;
        char next = low[pl];
        if (next == '\0') {
            *rest = n;
            return h->outcome;
        }
        if (next != ':' && next != ' ' && next != ';' && next != ',' && next != '-')
            continue;
        /* find where the phrase ends in the original cell: count letters */
        size_t letters = 0, i = skip;
        for (size_t k = 0; k < pl; k++)
            letters += h->phrase[k] != ' ';
        while (i < n && letters) {
            if (!isspace((unsigned char)cell[i]))
                letters--;
            i++;
        }
        md_ip tmp[1];
        size_t ni;
        if (ips_only(cell + i, n - i, tmp, 1, &ni)) {
            *rest = i;
            return h->outcome;
        }
    }
    return 0;
}

typedef struct {
    md_msreply *out;
    int cur;                 /* outcome of the current group */
    size_t group_start;      /* first entry of the current group */
    md_buf text;             /* explanation of the current group */
    int text_lines;
    int text_done;
} scan;

static void add_entry(scan *sc, const md_ip *ip, int outcome, const char *text)
{
    md_msreply *r = sc->out;
    char s[MD_IP_STRLEN];
    md_ip_format(ip, s, sizeof s);
    for (size_t i = 0; i < r->n; i++)
        if (r->e[i].outcome == outcome && strcmp(r->e[i].ip, s) == 0)
            return;
    if (r->n >= MD_MSREPLY_MAX_ENTRIES) {
        r->flags |= MD_MSREPLY_TRUNC;
        return;
    }
    md_msreply_entry *e = &r->e[r->n++];
    memset(e, 0, sizeof *e);
    snprintf(e->ip, sizeof e->ip, "%s", s);
    e->outcome = outcome;
    if (text)
        snprintf(e->text, sizeof e->text, "%s", text);
}

/* copy_text: s[0..n) into dst (size MD_MSREPLY_TEXT), cut at a character
 * boundary. */
static void copy_text(char *dst, const char *s, size_t n)
{
    if (n > MD_MSREPLY_TEXT - 1) {
        n = MD_MSREPLY_TEXT - 1;
        while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static void group_close(scan *sc)
{
    for (size_t i = sc->group_start; i < sc->out->n; i++)
        if (!sc->out->e[i].text[0])
            copy_text(sc->out->e[i].text, md_buf_cstr(&sc->text), sc->text.len);
    md_buf_reset(&sc->text);
    sc->text_lines = 0;
    sc->text_done = 0;
    sc->group_start = sc->out->n;
}

static int is_separator_line(const char *s, size_t n)
{
    if (md_text_casestr(s, n, "original message") && (memchr(s, '-', n) || memchr(s, '=', n)))
        return 1;
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        u += s[i] == '_';
    return n >= 20 && u == n;
}

/* throttling: "The connection and throttling limitation against your IP:
 * (a.b.c.d) has been set to a more appropriate level ..." */
static int is_throttling(const char *s, size_t n)
{
    return md_text_casestr(s, n, "throttling") &&
           (md_text_casestr(s, n, "more appropriate level") ||
            md_text_casestr(s, n, "has been raised") || md_text_casestr(s, n, "been increased") ||
            md_text_casestr(s, n, "has been set"));
}

static void scan_line(scan *sc, const char *line, size_t n)
{
    while (n && isspace((unsigned char)line[0]))
        line++, n--;
    while (n && (isspace((unsigned char)line[n - 1]) || line[n - 1] == CELL_SEP))
        n--;
    if (n == 0) {
        if (sc->text_lines)
            sc->text_done = 1;
        return;
    }

    if (is_throttling(line, n)) {
        size_t i = 0, pos, len, before = sc->out->n;
        md_ip ip;
        while (i < n && md_ip_find(line + i, n - i, &ip, &pos, &len)) {
            add_entry(sc, &ip, MD_MSR_THROTTLING_RAISED, NULL);
            i += pos + len;
        }
        for (size_t k = before; k < sc->out->n; k++)
            copy_text(sc->out->e[k].text, line, n);
        sc->group_start = sc->out->n;
        return;
    }

    /* cells: CELL_SEP from HTML rows, '|' from text tables */
    md_ip ips[64];
    size_t nips = 0;
    int row = 0;
    const char *prose = NULL;
    size_t prose_len = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && line[i] != CELL_SEP && line[i] != '|')
            continue;
        const char *cell = line + start;
        size_t cl = i - start;
        start = i + 1;
        while (cl && isspace((unsigned char)*cell))
            cell++, cl--;
        while (cl && isspace((unsigned char)cell[cl - 1]))
            cl--;
        if (!cl)
            continue;
        size_t rest = 0, k;
        int h = heading_of(cell, cl, &rest);
        if (h) {
            row = h;
            cell += rest;
            cl -= rest;
        }
        if (cl && ips_only(cell, cl, ips + nips, 64 - nips, &k))
            nips += k;
        else if (cl && !h && !prose) {
            prose = cell;
            prose_len = cl;
        }
    }
    if (row) {
        group_close(sc);
        sc->cur = row;
    }
    int outcome = row ? row : sc->cur;
    for (size_t i = 0; i < nips && outcome; i++)
        add_entry(sc, &ips[i], outcome, NULL);
    if (prose && sc->cur && !sc->text_done && sc->text_lines < 3 &&
        sc->text.len + prose_len + 1 < MD_MSREPLY_TEXT) {
        if (sc->text.len)
            md_buf_putc(&sc->text, ' ');
        md_buf_append(&sc->text, prose, prose_len);
        sc->text_lines++;
    }
}

/* fallback: a reply in prose only ("... have implemented mitigation for
 * your IP 1.2.3.4"). */
static void scan_prose(scan *sc, const char *text, size_t n)
{
    int o = 0;
    if (md_text_casestr(text, n, "not qualify for mitigation") ||
        md_text_casestr(text, n, "not qualified for mitigation"))
        o = MD_MSR_NOT_QUALIFIED;
    else if (md_text_casestr(text, n, "eligible for conditional mitigation"))
        o = MD_MSR_COND_MITIGATED;
    else if (md_text_casestr(text, n, "implemented mitigation") ||
             md_text_casestr(text, n, "has been mitigated") ||
             md_text_casestr(text, n, "have been mitigated"))
        o = MD_MSR_MITIGATED;
    if (!o)
        return;
    size_t i = 0, pos, len;
    md_ip ip;
    while (i < n && md_ip_find(text + i, n - i, &ip, &pos, &len)) {
        add_entry(sc, &ip, o, NULL);
        i += pos + len;
    }
}

static int has_marker(const char *s, size_t n)
{
    if (!s)
        return 0;
    static const char *const markers[] = {"outlook.com", "hotmail", "microsoft",
                                          "sender support", "deliverability support", NULL};
    for (const char *const *m = markers; *m; m++)
        if (md_text_casestr(s, n, *m))
            return 1;
    for (const char *p = s; (p = md_text_casestr(p, n - (size_t)(p - s), "srx")); p += 3)
        if ((size_t)(p - s) + 3 < n && isdigit((unsigned char)p[3]))
            return 1;
    return 0;
}

/* find_ref: "SRX1234567890ID" -> out. */
static void find_ref(char *out, size_t outsize, const char *s, size_t n)
{
    if (!s || out[0])
        return;
    for (const char *p = s; (p = md_text_casestr(p, n - (size_t)(p - s), "srx")); p += 3) {
        size_t i = (size_t)(p - s) + 3, j = i;
        while (j < n && isdigit((unsigned char)s[j]))
            j++;
        if (j - i < 6)
            continue;
        if (j + 1 < n && (s[j] == 'I' || s[j] == 'i') && (s[j + 1] == 'D' || s[j + 1] == 'd'))
            j += 2;
        size_t len = j - (size_t)(p - s);
        if (len >= outsize)
            len = outsize - 1;
        memcpy(out, p, len);
        out[len] = '\0';
        for (size_t k = 0; k < len; k++)
            out[k] = (char)toupper((unsigned char)out[k]);
        return;
    }
}

int md_msreply_parse(md_msreply *out, const char *subject, const char *body, size_t len,
                     int is_html, md_err *err)
{
    memset(out, 0, sizeof *out);
    if (len > MD_LIMIT_SLURP)
        return md_err_set(err, MD_ERR_LIMIT, "reply body over %d bytes", MD_LIMIT_SLURP);
    md_buf raw = MD_BUF_INIT, text = MD_BUF_INIT;
    int rc = 0;
    /* valid UTF-8 from here on */
    if (md_text_utf8_repair(&raw, body ? body : "", body ? len : 0) < 0) {
        rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (is_html) {
        if (html_lines(md_buf_cstr(&raw), raw.len, &text) != 0) {
            out->flags |= MD_MSREPLY_HTML_FAILED;
            md_buf_reset(&text);
            md_buf_append(&text, md_buf_cstr(&raw), raw.len);
        }
    } else {
        md_buf_append(&text, md_buf_cstr(&raw), raw.len);
    }
    if (text.oom) {
        rc = md_err_set(err, MD_ERR_NOMEM, "out of memory");
        goto done;
    }

    size_t slen = subject ? strlen(subject) : 0;
    const char *t = md_buf_cstr(&text);
    out->marker = has_marker(subject, slen);
    find_ref(out->ref, sizeof out->ref, subject, slen);

    scan sc;
    memset(&sc, 0, sizeof sc);
    sc.out = out;
    md_buf_init(&sc.text);
    /* lines until the quoted part; quoted lines ('>') are skipped */
    size_t i = 0, own_end = text.len;
    while (i < text.len) {
        const char *nl = memchr(t + i, '\n', text.len - i);
        size_t e = nl ? (size_t)(nl - t) : text.len;
        const char *line = t + i;
        size_t n = e - i;
        if (n && line[n - 1] == '\r')
            n--;
        size_t k = 0;
        while (k < n && (line[k] == ' ' || line[k] == '\t'))
            k++;
        if (is_separator_line(line, n)) {
            own_end = i;
            break;
        }
        if (!(k < n && line[k] == '>'))
            scan_line(&sc, line, n);
        i = e + 1;
    }
    group_close(&sc);
    if (!out->marker)
        out->marker = has_marker(t, own_end);
    find_ref(out->ref, sizeof out->ref, t, own_end);
    if (out->n == 0 && out->marker)
        scan_prose(&sc, t, own_end);
    md_buf_free(&sc.text);
    rc = (out->marker && out->n > 0) ? 1 : 0;
done:
    md_buf_free(&raw);
    md_buf_free(&text);
    return rc;
}

static int ms_sender(const char *addr)
{
    const char *d = md_text_addr_domain(addr ? addr : "");
    static const char *const doms[] = {"microsoft.com", "outlook.com", "hotmail.com", "live.com",
                                       "msn.com", NULL};
    size_t dl = strlen(d);
    for (const char *const *m = doms; *m; m++) {
        size_t ml = strlen(*m);
        if (dl == ml ? md_text_casecmp(d, *m) == 0
                     : dl > ml && d[dl - ml - 1] == '.' && md_text_casecmp(d + dl - ml, *m) == 0)
            return 1;
    }
    return 0;
}

/* reply_body: the text to read: the plain text, else the raw HTML of the
 * first text/html part that is not an attachment, else the HTML as text. */
static const char *reply_body(const md_message *msg, size_t *len, int *is_html)
{
    const char *body = msg->text_plain;
    *is_html = 0;
    *len = body ? strlen(body) : 0;
    if (!body || !*body) {
        for (size_t i = 0; i < msg->npart; i++) {
            const md_msg_part *p = &msg->part[i];
            if (!p->is_attachment && p->data && strcmp(p->type, "text/html") == 0) {
                *len = p->len;
                *is_html = 1;
                return (const char *)p->data;
            }
        }
    }
    if (!body) {
        body = msg->text_html ? msg->text_html : "";
        *len = strlen(body);
    }
    return body;
}

/* may_be_reply: whether the sender, the subject or anywhere in the body
 * says Microsoft (most mail is no reply: it is not parsed at all). */
static int may_be_reply(const md_message *msg, const char *body, size_t len)
{
    return ms_sender(msg->from_addr) ||
           has_marker(msg->subject, msg->subject ? strlen(msg->subject) : 0) ||
           has_marker(body, len);
}

/* from_body: md_msreply_parse of the body reply_body chose */
static int from_body(md_msreply *out, const md_message *msg, const char *body, size_t len,
                     int is_html, md_err *err)
{
    int rc = md_msreply_parse(out, msg->subject, body, len, is_html, err);
    if (rc == 0 && out->n > 0 && !out->marker && ms_sender(msg->from_addr)) {
        out->marker = 1;
        rc = 1;
    }
    return rc;
}

int md_msreply_from_message(md_msreply *out, const md_message *msg, md_err *err)
{
    size_t len;
    int is_html;
    const char *body = reply_body(msg, &len, &is_html);
    if (!may_be_reply(msg, body, len)) {
        out->marker = 0;
        out->ref[0] = '\0';
        out->n = 0;
        out->flags = 0;
        return 0;
    }
    return from_body(out, msg, body, len, is_html, err);
}

int md_msreply_may_be(const md_message *msg)
{
    size_t len;
    int is_html;
    const char *body = reply_body(msg, &len, &is_html);
    return may_be_reply(msg, body, len);
}
