/* render.c: text renderings (XSLT), schema validation, template lookup.
 *
 * The text dossier and the Microsoft request are made by XSLT stylesheets
 * in templates/ so that a postmaster can change them without recompiling;
 * this file finds them, runs them with libxslt under security preferences
 * that forbid writing files, creating directories and any network access,
 * and validates evidence documents against their XML schema.  Messages of
 * libxml2/libxslt are collected into the md_err, never printed.  The PDF
 * rendering lives in render_pdf.c.
 */
#include "render/render.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xpathInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <libxslt/extensions.h>
#include <libxslt/security.h>
#include <libxslt/transform.h>
#include <libxslt/xslt.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>

#include "base/text.h"
#include "version.h"

/* ---- collecting libxml2 / libxslt messages ------------------------------- */

#define COLLECT_MAX 3   /* messages kept; the rest are counted */

typedef struct collector {
    md_buf text;
    int count;
} collector;

static void collect_add(collector *c, const char *msg, size_t n)
{
    char shown[512];
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    if (n == 0)
        return;
    c->count++;
    if (c->count > COLLECT_MAX)
        return;
    md_text_printable(shown, sizeof shown, msg, n);
    if (c->text.len)
        md_buf_puts(&c->text, "; ");
    md_buf_puts(&c->text, shown);
}

/* libxslt's generic handler gets a message in pieces: join them and cut at
 * newlines. */
static void collect_generic(void *ctx, const char *fmt, ...)
{
    collector *c = ctx;
    char piece[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(piece, sizeof piece, fmt, ap);
    va_end(ap);
    collect_add(c, piece, strlen(piece));
}

static void collect_structured(void *ctx, xmlErrorPtr e)
{
    collector *c = ctx;
    char line[1024];
    if (!e || !e->message)
        return;
    if (e->level == XML_ERR_WARNING)
        return;
    if (e->line > 0)
        snprintf(line, sizeof line, "%s%sline %d: %s", e->file ? e->file : "",
                 e->file ? ":" : "", e->line, e->message);
    else
        snprintf(line, sizeof line, "%s", e->message);
    collect_add(c, line, strlen(line));
}

static int collect_fail(collector *c, md_err *err, int code, const char *what)
{
    if (c->count > COLLECT_MAX)
        return md_err_set(err, code, "%s: %s (and %d more)", what, md_buf_cstr(&c->text),
                          c->count - COLLECT_MAX);
    if (c->count > 0)
        return md_err_set(err, code, "%s: %s", what, md_buf_cstr(&c->text));
    return md_err_set(err, code, "%s", what);
}

/* ---- reading ------------------------------------------------------------- */

int md_render_read(xmlDoc **out, const char *path, md_err *err)
{
    collector c = {MD_BUF_INIT, 0};
    xmlDoc *doc;
    *out = NULL;
    if (access(path, R_OK) != 0)
        return md_err_set(err, MD_ERR_IO, "%s: cannot read", path);
    xmlSetStructuredErrorFunc(&c, collect_structured);
    doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlSetStructuredErrorFunc(NULL, NULL);
    if (!doc) {
        char what[MD_LIMIT_PATH + 32];
        int rc;
        snprintf(what, sizeof what, "%s: not well-formed XML", path);
        rc = collect_fail(&c, err, MD_ERR_PARSE, what);
        md_buf_free(&c.text);
        return rc;
    }
    md_buf_free(&c.text);
    *out = doc;
    return MD_OK;
}

/* ---- validation ---------------------------------------------------------- */

int md_render_validate(const xmlDoc *doc, const char *xsd_path, md_err *err)
{
    collector c = {MD_BUF_INIT, 0};
    xmlSchemaParserCtxtPtr pctx = NULL;
    xmlSchemaPtr schema = NULL;
    xmlSchemaValidCtxtPtr vctx = NULL;
    int rc = MD_OK, v;
    char what[MD_LIMIT_PATH + 64];

    if (!doc || !xsd_path)
        return md_err_set(err, MD_ERR_ARG, "validate: no document or schema");
    if (access(xsd_path, R_OK) != 0)
        return md_err_set(err, MD_ERR_IO, "%s: cannot read schema", xsd_path);
    pctx = xmlSchemaNewParserCtxt(xsd_path);
    if (!pctx) {
        rc = md_err_set(err, MD_ERR_NOMEM, "schema parser: out of memory");
        goto done;
    }
    xmlSchemaSetParserStructuredErrors(pctx, collect_structured, &c);
    schema = xmlSchemaParse(pctx);
    if (!schema) {
        snprintf(what, sizeof what, "%s: bad schema", xsd_path);
        rc = collect_fail(&c, err, MD_ERR_IO, what);
        goto done;
    }
    vctx = xmlSchemaNewValidCtxt(schema);
    if (!vctx) {
        rc = md_err_set(err, MD_ERR_NOMEM, "schema validation: out of memory");
        goto done;
    }
    xmlSchemaSetValidStructuredErrors(vctx, collect_structured, &c);
    v = xmlSchemaValidateDoc(vctx, (xmlDocPtr)doc);
    if (v != 0) {
        snprintf(what, sizeof what, "document does not match %s", xsd_path);
        rc = collect_fail(&c, err, MD_ERR_PARSE, what);
    }
done:
    if (vctx)
        xmlSchemaFreeValidCtxt(vctx);
    if (schema)
        xmlSchemaFree(schema);
    if (pctx)
        xmlSchemaFreeParserCtxt(pctx);
    md_buf_free(&c.text);
    return rc;
}

/* ---- XSLT ---------------------------------------------------------------- */

static int secure(xsltTransformContextPtr ctxt, xsltSecurityPrefsPtr *out)
{
    xsltSecurityPrefsPtr sec = xsltNewSecurityPrefs();
    if (!sec)
        return -1;
    if (xsltSetSecurityPrefs(sec, XSLT_SECPREF_WRITE_FILE, xsltSecurityForbid) ||
        xsltSetSecurityPrefs(sec, XSLT_SECPREF_CREATE_DIRECTORY, xsltSecurityForbid) ||
        xsltSetSecurityPrefs(sec, XSLT_SECPREF_READ_NETWORK, xsltSecurityForbid) ||
        xsltSetSecurityPrefs(sec, XSLT_SECPREF_WRITE_NETWORK, xsltSecurityForbid) ||
        xsltSetCtxtSecurityPrefs(sec, ctxt)) {
        xsltFreeSecurityPrefs(sec);
        return -1;
    }
    *out = sec;
    return 0;
}

/* ---- md:wrap, the text templates' line filler ------------------------------
 *
 * templates/common-text.xsl fills words into lines with a recursion per
 * line and one per word (two thirds of the text dossier's time); when the
 * stylesheet runs here it calls this function instead (function-available
 * picks it; other XSLT processors use the template).  It does what the
 * template "wrap-lines" does, character for character: the text with
 * blanks collapsed (normalize-space), then lines of at most
 * avail = max(10, w - length of the line's prefix) characters, each cut at
 * the last blank within the first avail + 1 characters (the blank dropped)
 * or, when there is none, after avail characters (the rest's blanks
 * collapsed again); the first line starts with `first`, the others with
 * `hang`; every line ends with a newline; an empty text gives one line
 * (the prefix).  Lengths count characters, not bytes. */

#define MD_XSLT_NS ((const xmlChar *)"urn:x-maildossier:xslt")

static int is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* normalize-space of s[0..n) appended to out */
static void norm_space(md_buf *out, const char *s, size_t n)
{
    size_t i = 0;
    int gap = 0;
    while (i < n && is_blank((unsigned char)s[i]))
        i++;
    for (; i < n; i++) {
        if (is_blank((unsigned char)s[i])) {
            gap = 1;
            continue;
        }
        if (gap)
            md_buf_putc(out, ' ');
        gap = 0;
        md_buf_putc(out, s[i]);
    }
}

/* the byte offset of character k (0-based) of UTF-8 s[0..n), n if past the end */
static size_t char_off(const char *s, size_t n, size_t k)
{
    size_t i = 0;
    while (i < n && k > 0) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        k--;
    }
    return i;
}

static size_t char_len(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* the lines of wrap-lines for normalised t into out */
static void wrap_lines(md_buf *out, md_buf *t, const char *first, const char *hang, long w)
{
    const char *prefix = first;
    size_t pos = 0;   /* t's rest starts here */
    for (;;) {
        const char *r = t->data ? t->data + pos : "";
        size_t rn = t->len - pos;
        long avail = w - (long)char_len(prefix, strlen(prefix));
        if (avail < 10)
            avail = 10;
        md_buf_puts(out, prefix);
        if (char_len(r, rn) <= (size_t)avail) {
            md_buf_append(out, r, rn);
            md_buf_putc(out, '\n');
            return;
        }
        size_t lim = char_off(r, rn, (size_t)avail + 1), sp = SIZE_MAX;
        for (size_t i = lim; i > 0; i--)
            if (r[i - 1] == ' ') {
                sp = i - 1;
                break;
            }
        if (sp != SIZE_MAX && sp > 0) {   /* the blank is not the first character */
            md_buf_append(out, r, sp);
            md_buf_putc(out, '\n');
            pos += sp + 1;
        } else {
            size_t cut = char_off(r, rn, (size_t)avail);
            md_buf_append(out, r, cut);
            md_buf_putc(out, '\n');
            md_buf rest = MD_BUF_INIT;
            norm_space(&rest, r + cut, rn - cut);
            t->len = 0;
            md_buf_append(t, rest.data ? rest.data : "", rest.len);
            md_buf_free(&rest);
            pos = 0;
        }
        prefix = hang;
    }
}

/* md:wrap(text, first, hang, w) */
static void xpath_wrap(xmlXPathParserContextPtr ctxt, int nargs)
{
    if (nargs != 4) {
        xmlXPathSetArityError(ctxt);
        return;
    }
    double w = xmlXPathPopNumber(ctxt);
    xmlChar *hang = xmlXPathPopString(ctxt), *first = xmlXPathPopString(ctxt);
    xmlChar *text = xmlXPathPopString(ctxt);
    md_buf t = MD_BUF_INIT, out = MD_BUF_INIT;
    if (!hang || !first || !text || !(w > -1e6 && w < 1e6)) {
        xmlFree(hang);
        xmlFree(first);
        xmlFree(text);
        xmlXPathSetTypeError(ctxt);
        return;
    }
    norm_space(&t, (const char *)text, strlen((const char *)text));
    wrap_lines(&out, &t, (const char *)first, (const char *)hang,
               (long)(w < 0 ? w - 0.5 : w + 0.5));
    md_buf_free(&t);
    xmlFree(hang);
    xmlFree(first);
    xmlFree(text);
    if (out.oom) {
        md_buf_free(&out);
        xmlXPathSetError(ctxt, XPATH_MEMORY_ERROR);
        return;
    }
    valuePush(ctxt, xmlXPathNewString((const xmlChar *)md_buf_cstr(&out)));
    md_buf_free(&out);
}

int md_render_xslt(const xmlDoc *doc, const char *xsl_path, md_buf *out, md_err *err)
{
    collector c = {MD_BUF_INIT, 0};
    xmlDocPtr sdoc = NULL, res = NULL;
    xsltStylesheetPtr style = NULL;
    xsltTransformContextPtr ctxt = NULL;
    xsltSecurityPrefsPtr sec = NULL;
    xmlChar *s = NULL;
    int len = 0, rc = MD_OK;
    char what[MD_LIMIT_PATH + 64];

    if (!doc || !xsl_path || !out)
        return md_err_set(err, MD_ERR_ARG, "xslt: missing argument");
    if (access(xsl_path, R_OK) != 0)
        return md_err_set(err, MD_ERR_IO, "%s: cannot read stylesheet", xsl_path);
    xmlSetStructuredErrorFunc(&c, collect_structured);
    xmlSetGenericErrorFunc(&c, collect_generic);
    xsltSetGenericErrorFunc(&c, collect_generic);
    sdoc = xmlReadFile(xsl_path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                       XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
    if (!sdoc) {
        snprintf(what, sizeof what, "%s: not well-formed XML", xsl_path);
        rc = collect_fail(&c, err, MD_ERR_PARSE, what);
        goto done;
    }
    style = xsltParseStylesheetDoc(sdoc);
    if (!style || style->errors) {
        if (!style)
            xmlFreeDoc(sdoc);
        snprintf(what, sizeof what, "%s: bad stylesheet", xsl_path);
        rc = collect_fail(&c, err, MD_ERR_PARSE, what);
        goto done;
    }
    ctxt = xsltNewTransformContext(style, (xmlDocPtr)doc);
    if (!ctxt || secure(ctxt, &sec) != 0) {
        rc = md_err_set(err, MD_ERR_NOMEM, "xslt: out of memory");
        goto done;
    }
    xsltSetTransformErrorFunc(ctxt, &c, collect_generic);
    if (xsltRegisterExtFunction(ctxt, (const xmlChar *)"wrap", MD_XSLT_NS, xpath_wrap) != 0) {
        rc = md_err_set(err, MD_ERR_NOMEM, "xslt: out of memory");
        goto done;
    }
    res = xsltApplyStylesheetUser(style, (xmlDocPtr)doc, NULL, NULL, NULL, ctxt);
    if (!res || ctxt->state != XSLT_STATE_OK) {
        snprintf(what, sizeof what, "%s: transformation failed", xsl_path);
        rc = collect_fail(&c, err, MD_ERR_PARSE, what);
        goto done;
    }
    if (xsltSaveResultToString(&s, &len, res, style) != 0) {
        rc = md_err_set(err, MD_ERR_NOMEM, "xslt: cannot serialise the result");
        goto done;
    }
    /* guard: the document should hold valid UTF-8 only; repair anyway (a
     * check is cheaper than the repairing copy) */
    if (s && len > 0 && md_text_utf8_valid((const char *)s, (size_t)len) &&
        !memchr(s, '\0', (size_t)len)) {
        if (md_buf_append(out, s, (size_t)len) != MD_OK)
            rc = md_err_set(err, MD_ERR_NOMEM, "xslt: out of memory");
    } else if (s && len > 0 && md_text_utf8_repair(out, (const char *)s, (size_t)len) < 0)
        rc = md_err_set(err, MD_ERR_NOMEM, "xslt: out of memory");
    else if (md_buf_append(out, "", 0) != MD_OK)   /* NUL-terminated even when empty */
        rc = md_err_set(err, MD_ERR_NOMEM, "xslt: out of memory");
done:
    xsltSetGenericErrorFunc(NULL, NULL);
    xmlSetGenericErrorFunc(NULL, NULL);
    xmlSetStructuredErrorFunc(NULL, NULL);
    if (s)
        xmlFree(s);
    if (res)
        xmlFreeDoc(res);
    if (ctxt)
        xsltFreeTransformContext(ctxt);
    if (sec)
        xsltFreeSecurityPrefs(sec);
    if (style)
        xsltFreeStylesheet(style);   /* frees sdoc too */
    md_buf_free(&c.text);
    return rc;
}

/* ---- templates ----------------------------------------------------------- */

static int try_dir(const char *dir, const char *sub, const char *name, char *path_out,
                   size_t n, md_buf *tried)
{
    int w;
    if (!dir || !*dir)
        return 0;
    w = snprintf(path_out, n, "%s%s/%s", dir, sub, name);
    if (w < 0 || (size_t)w >= n)
        return MD_ERR_LIMIT;
    if (access(path_out, R_OK) == 0)
        return 1;
    if (tried->len)
        md_buf_puts(tried, ", ");
    md_buf_puts(tried, path_out);
    return 0;
}

/* installed_datadir: the data directory of the installation the running
 * program belongs to, wherever it was installed or moved: the directory of
 * /proc/self/exe (maildossier-full, in libexec/maildossier/) joined with
 * MD_DATADIR_FROM_LIBEXEC, written to dir[n].  "" when that cannot be read
 * or does not fit. */
static const char *installed_datadir(char *dir, size_t n)
{
    ssize_t len = readlink("/proc/self/exe", dir, n - 1);
    if (len <= 0 || (size_t)len >= n - 1)
        return "";
    dir[len] = '\0';
    char *slash = strrchr(dir, '/');
    if (!slash)
        return "";
    size_t used = (size_t)(slash + 1 - dir);
    int w = snprintf(dir + used, n - used, "%s", MD_DATADIR_FROM_LIBEXEC);
    if (w < 0 || (size_t)w >= n - used)
        return "";
    return dir;
}

int md_render_find_template(const md_config *cfg, const char *name, char *path_out,
                            size_t n, md_err *err)
{
    md_buf tried = MD_BUF_INIT;
    char installed[MD_LIMIT_PATH];
    int r;
    if (!name || !*name || name[0] == '.' || strchr(name, '/') || strchr(name, '\\') ||
        strlen(name) > 255)
        return md_err_set(err, MD_ERR_ARG, "bad template name");
    if (!path_out || n == 0)
        return md_err_set(err, MD_ERR_ARG, "no room for the template path");
    r = try_dir(cfg ? cfg->templates_dir : NULL, "", name, path_out, n, &tried);
    if (r == 0)
        r = try_dir(installed_datadir(installed, sizeof installed), "/templates", name, path_out,
                    n, &tried);
    if (r == 0)
        r = try_dir(MD_DATADIR, "/templates", name, path_out, n, &tried);
#ifdef MD_SOURCE_DIR
    if (r == 0)
        r = try_dir(MD_SOURCE_DIR, "/templates", name, path_out, n, &tried);
#endif
    if (r == 1) {
        md_buf_free(&tried);
        return MD_OK;
    }
    path_out[0] = '\0';
    if (r == MD_ERR_LIMIT)
        r = md_err_set(err, MD_ERR_LIMIT, "template %s: path too long", name);
    else
        r = md_err_set(err, MD_ERR_NOTFOUND, "template %s not found (tried %s)", name,
                       md_buf_cstr(&tried));
    md_buf_free(&tried);
    return r;
}

/* ---- options ------------------------------------------------------------- */

void md_render_opts_init(md_render_opts *o)
{
    o->font_dir = NULL;
    o->compress = 1;
}

void md_render_opts_from_config(md_render_opts *o, const md_config *cfg)
{
    md_render_opts_init(o);
    if (cfg && cfg->font_dir[0])
        o->font_dir = cfg->font_dir;
}
