/* dmarc.c: parsing DMARC aggregate report XML with libxml2 (see dmarc.h).
 * Owns the parse tree for the length of one call and the report it hands
 * out; never prints (libxml2's errors go to a structured handler), never
 * loads anything from the network or the file system. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include "base/buf.h"
#include "parse/dmarc.h"
#include "base/md_limits.h"
#include "base/text.h"

#define NS_V2 "urn:ietf:params:xml:ns:dmarc-2.0"

/* ---- parsing with libxml2 ------------------------------------------------ */

typedef struct pstate {
    int depth;
    int too_deep;
    int doctype;
    uint64_t doctype_line;
    int have_err;
    uint64_t errline;
    char errmsg[512];
    startElementNsSAX2Func start;
    endElementNsSAX2Func end;
} pstate;

static void on_error(void *ctx, xmlErrorPtr e)
{
    xmlParserCtxtPtr ctxt = ctx;
    pstate *ps = ctxt ? ctxt->_private : NULL;
    if (!ps || !e || e->level < XML_ERR_ERROR || ps->have_err)
        return;
    ps->have_err = 1;
    ps->errline = e->line > 0 ? (uint64_t)e->line : 0;
    const char *m = e->message ? e->message : "XML error";
    size_t n = strlen(m);
    while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
        n--;
    md_text_printable(ps->errmsg, sizeof ps->errmsg, m, n);
}

static void silent_generic(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static void silent_structured(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    (void)e;
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                     const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                     int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
    xmlParserCtxtPtr ctxt = ctx;
    pstate *ps = ctxt->_private;
    if (++ps->depth > MD_LIMIT_XML_DEPTH) {
        ps->too_deep = 1;
        xmlStopParser(ctxt);
        return;
    }
    ps->start(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
              nb_defaulted, attributes);
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                   const xmlChar *uri)
{
    xmlParserCtxtPtr ctxt = ctx;
    pstate *ps = ctxt->_private;
    ps->depth--;
    ps->end(ctx, localname, prefix, uri);
}

/* A report never has a DOCTYPE: refusing it closes entity expansion
 * ("billion laughs") and external entities in one step. */
static void on_subset(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
    (void)name;
    (void)ext;
    (void)sys;
    xmlParserCtxtPtr ctxt = ctx;
    pstate *ps = ctxt->_private;
    ps->doctype = 1;
    ps->doctype_line = ctxt->input ? (uint64_t)ctxt->input->line : 0;
    xmlStopParser(ctxt);
}

/* The declared encoding is UTF-8 (or none is declared): then invalid bytes
 * may be repaired as UTF-8. */
static int declared_utf8(const char *p, size_t n)
{
    if (n < 5 || memcmp(p, "<?xml", 5) != 0)
        return 1;
    const char *end = memchr(p, '>', n < 256 ? n : 256);
    if (!end)
        return 1;
    const char *enc = md_text_casestr(p, (size_t)(end - p), "encoding");
    if (!enc)
        return 1;
    const char *q = enc + 8;
    while (q < end && (*q == ' ' || *q == '=' || *q == '"' || *q == '\''))
        q++;
    return (size_t)(end - q) >= 5 && (md_text_ncasecmp(q, "utf-8", 5) == 0 ||
                                      md_text_ncasecmp(q, "utf8", 4) == 0);
}

static uint64_t first_bad_line(const char *p, size_t n)
{
    uint64_t line = 1;
    while (n) {
        const char *nl = memchr(p, '\n', n);
        size_t len = nl ? (size_t)(nl - p) : n;
        if (!md_text_utf8_valid(p, len))
            return line;
        if (!nl)
            break;
        n -= len + 1;
        p = nl + 1;
        line++;
    }
    return 0;
}

static int parse_xml(xmlDocPtr *out, const char *name, const char *data, size_t n,
                     uint64_t *errline, md_err *err)
{
    *out = NULL;
    xmlInitParser();
    xmlGenericErrorFunc old_gen = xmlGenericError;
    void *old_genctx = xmlGenericErrorContext;
    xmlStructuredErrorFunc old_s = xmlStructuredError;
    void *old_sctx = xmlStructuredErrorContext;
    xmlSetGenericErrorFunc(NULL, silent_generic);
    xmlSetStructuredErrorFunc(NULL, silent_structured);

    int rc = MD_OK;
    pstate ps;
    memset(&ps, 0, sizeof ps);
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        rc = md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", name);
        goto done;
    }
    ctxt->_private = &ps;
    ps.start = ctxt->sax->startElementNs;
    ps.end = ctxt->sax->endElementNs;
    ctxt->sax->startElementNs = on_start;
    ctxt->sax->endElementNs = on_end;
    ctxt->sax->internalSubset = on_subset;
    ctxt->sax->externalSubset = NULL;
    ctxt->sax->resolveEntity = NULL;
    ctxt->sax->serror = on_error;
    ctxt->vctxt.error = NULL;
    ctxt->vctxt.warning = NULL;
    int opts = XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR |
               XML_PARSE_BIG_LINES;
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, data, (int)n, name, NULL, opts);
    if (ps.doctype) {
        *errline = ps.doctype_line;
        rc = md_err_set(err, MD_ERR_PARSE,
                        "%s:%llu: a DOCTYPE in a DMARC report is refused (entity expansion "
                        "and external entities are not allowed)",
                        name, (unsigned long long)ps.doctype_line);
    } else if (ps.too_deep) {
        *errline = ctxt->input ? (uint64_t)ctxt->input->line : 0;
        rc = md_err_set(err, MD_ERR_LIMIT, "%s:%llu: elements nested deeper than %d", name,
                        (unsigned long long)*errline, MD_LIMIT_XML_DEPTH);
    } else if (!doc || !ctxt->wellFormed) {
        *errline = ps.errline;
        rc = md_err_set(err, MD_ERR_PARSE, "%s:%llu: not well-formed XML: %s", name,
                        (unsigned long long)ps.errline,
                        ps.have_err ? ps.errmsg : "parse failed");
    }
    if (rc != MD_OK) {
        xmlFreeDoc(doc);
        doc = NULL;
    }
    *out = doc;
    ctxt->_private = NULL;
    xmlFreeParserCtxt(ctxt);
done:
    xmlSetGenericErrorFunc(old_genctx, old_gen);
    xmlSetStructuredErrorFunc(old_sctx, old_s);
    return rc;
}

/* ---- the tree ------------------------------------------------------------ */

static int is_el(const xmlNode *c, const char *name)
{
    return c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0;
}

static xmlNode *child(xmlNode *p, const char *name)
{
    if (!p)
        return NULL;
    for (xmlNode *c = p->children; c; c = c->next)
        if (is_el(c, name))
            return c;
    return NULL;
}

/* copy the trimmed text content of c into dst (cut on a UTF-8 boundary) */
static void copy_text(xmlNode *c, char *dst, size_t size)
{
    dst[0] = '\0';
    if (!c)
        return;
    xmlChar *t = xmlNodeGetContent(c);
    if (!t)
        return;
    const char *s = (const char *)t;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n >= size) {
        n = size - 1;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    for (size_t i = 0; i < n; i++) /* control characters (tabs, newlines) become blanks */
        dst[i] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
    dst[n] = '\0';
    xmlFree(t);
}

static void field(xmlNode *p, const char *name, char *dst, size_t size)
{
    copy_text(child(p, name), dst, size);
}

static void field_lower(xmlNode *p, const char *name, char *dst, size_t size)
{
    field(p, name, dst, size);
    md_text_lower(dst);
}

/* unsigned decimal, optionally followed by a fraction (some reporters write
 * "1461369600.0"); 0 on success */
static int parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!isdigit((unsigned char)*s))
        return -1;
    for (; isdigit((unsigned char)*s); s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (*s == '.')
        for (s++; isdigit((unsigned char)*s); s++)
            ;
    if (*s)
        return -1;
    *out = v;
    return 0;
}

typedef struct walker {
    md_dmarc_report *r;
    const char *name;
    md_dmarc_warn_fn warn;
    void *arg;
    size_t cap_rec, cap_auth;
} walker;

static void wwarn(walker *w, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void wwarn(walker *w, uint64_t line, const char *fmt, ...)
{
    if (!w->warn)
        return;
    char msg[MD_LIMIT_ERRMSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    w->warn(w->arg, w->name, line, msg);
}

static int take_auth(walker *w, md_dmarc_record *rec, xmlNode *a, const char *method)
{
    if (rec->nauth >= MD_DMARC_AUTH_MAX)
        return 0;
    md_dmarc_report *r = w->r;
    md_dmarc_auth *na = md_grow(r->auths, &w->cap_auth, r->nauths + 1, sizeof *na, 16);
    if (!na)
        return MD_ERR_NOMEM;
    r->auths = na;
    md_dmarc_auth *au = &r->auths[r->nauths];
    memset(au, 0, sizeof *au);
    snprintf(au->method, sizeof au->method, "%s", method);
    field_lower(a, "domain", au->domain, sizeof au->domain);
    field(a, "selector", au->selector, sizeof au->selector);
    field_lower(a, "scope", au->scope, sizeof au->scope);
    field_lower(a, "result", au->result, sizeof au->result);
    if (rec->nauth == 0)
        rec->auth_first = r->nauths;
    rec->nauth++;
    r->nauths++;
    return 0;
}

static void take_reasons(xmlNode *pe, md_dmarc_record *rec)
{
    md_buf b = MD_BUF_INIT;
    for (xmlNode *c = pe->children; c; c = c->next) {
        if (!is_el(c, "reason"))
            continue;
        char type[64], comment[128];
        field_lower(c, "type", type, sizeof type);
        field(c, "comment", comment, sizeof comment);
        if (!type[0] && !comment[0])
            continue;
        md_buf_printf(&b, "%s%s%s%s", b.len ? "; " : "", type, comment[0] ? ": " : "", comment);
    }
    snprintf(rec->reason, sizeof rec->reason, "%s", md_buf_cstr(&b));
    md_buf_free(&b);
}

static int take_record(walker *w, xmlNode *recnode)
{
    md_dmarc_report *r = w->r;
    uint64_t line = (uint64_t)xmlGetLineNo(recnode);
    xmlNode *row = child(recnode, "row");
    if (!row) {
        r->skipped++;
        wwarn(w, line, "record without <row>; skipped");
        return 0;
    }
    if (r->nrecords >= MD_DMARC_RECORDS_MAX) {
        if (r->skipped++ == 0 || r->nrecords == MD_DMARC_RECORDS_MAX)
            wwarn(w, line, "more than %d records; the rest is ignored", MD_DMARC_RECORDS_MAX);
        return 0;
    }
    md_dmarc_record rec;
    memset(&rec, 0, sizeof rec);
    rec.line = line;
    char ipbuf[128], cbuf[32];
    field(row, "source_ip", ipbuf, sizeof ipbuf);
    md_ip ip;
    if (md_ip_parse(&ip, ipbuf, strlen(ipbuf)) != 0) {
        char shown[MD_LIMIT_SHOW_BYTES];
        r->skipped++;
        wwarn(w, line, "record with an unusable source_ip \"%s\"; skipped",
              md_text_printable(shown, sizeof shown, ipbuf, strlen(ipbuf)));
        return 0;
    }
    md_ip_format(&ip, rec.source_ip, sizeof rec.source_ip);
    field(row, "count", cbuf, sizeof cbuf);
    if (parse_u64(cbuf, &rec.count) != 0) {
        char shown[MD_LIMIT_SHOW_BYTES];
        r->skipped++;
        wwarn(w, line, "record with an unusable count \"%s\"; skipped",
              md_text_printable(shown, sizeof shown, cbuf, strlen(cbuf)));
        return 0;
    }
    xmlNode *pe = child(row, "policy_evaluated");
    field_lower(pe, "disposition", rec.disposition, sizeof rec.disposition);
    field_lower(pe, "dkim", rec.dkim, sizeof rec.dkim);
    field_lower(pe, "spf", rec.spf, sizeof rec.spf);
    if (pe)
        take_reasons(pe, &rec);
    xmlNode *id = child(recnode, "identifiers");
    field_lower(id, "header_from", rec.header_from, sizeof rec.header_from);
    field_lower(id, "envelope_from", rec.envelope_from, sizeof rec.envelope_from);
    field_lower(id, "envelope_to", rec.envelope_to, sizeof rec.envelope_to);
    xmlNode *ar = child(recnode, "auth_results");
    if (ar)
        for (xmlNode *c = ar->children; c; c = c->next) {
            int rc = 0;
            if (is_el(c, "dkim"))
                rc = take_auth(w, &rec, c, "dkim");
            else if (is_el(c, "spf"))
                rc = take_auth(w, &rec, c, "spf");
            if (rc != 0)
                return rc;
        }
    md_dmarc_record *nr = md_grow(r->records, &w->cap_rec, r->nrecords + 1, sizeof *nr, 16);
    if (!nr)
        return MD_ERR_NOMEM;
    r->records = nr;
    r->records[r->nrecords++] = rec;
    r->messages += rec.count;
    return 0;
}

static int take_time(xmlNode *dr, const char *name, int64_t *out)
{
    char b[64];
    uint64_t v;
    field(dr, name, b, sizeof b);
    if (parse_u64(b, &v) != 0 || v > (uint64_t)INT64_MAX)
        return -1;
    *out = (int64_t)v;
    return 0;
}

static int walk_doc(walker *w, xmlDocPtr doc, uint64_t *errline, md_err *err)
{
    md_dmarc_report *r = w->r;
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!root || !is_el(root, "feedback")) {
        *errline = root ? (uint64_t)xmlGetLineNo(root) : 0;
        return md_err_set(err, MD_ERR_PARSE, "%s:%llu: not a DMARC aggregate report (root "
                          "element is not <feedback>)", w->name, (unsigned long long)*errline);
    }
    r->ns_v2 = root->ns && root->ns->href && strcmp((const char *)root->ns->href, NS_V2) == 0;
    field(root, "version", r->version, sizeof r->version);
    xmlNode *md = child(root, "report_metadata");
    if (!md) {
        *errline = (uint64_t)xmlGetLineNo(root);
        return md_err_set(err, MD_ERR_PARSE, "%s:%llu: no <report_metadata>", w->name,
                          (unsigned long long)*errline);
    }
    field(md, "org_name", r->org_name, sizeof r->org_name);
    field(md, "email", r->email, sizeof r->email);
    field(md, "extra_contact_info", r->extra_contact, sizeof r->extra_contact);
    field(md, "report_id", r->report_id, sizeof r->report_id);
    field(md, "generator", r->generator, sizeof r->generator);
    if (!r->report_id[0]) {
        *errline = (uint64_t)xmlGetLineNo(md);
        return md_err_set(err, MD_ERR_PARSE, "%s:%llu: no <report_id> in <report_metadata>",
                          w->name, (unsigned long long)*errline);
    }
    xmlNode *dr = child(md, "date_range");
    if (!dr || take_time(dr, "begin", &r->begin) != 0 || take_time(dr, "end", &r->end) != 0) {
        *errline = (uint64_t)xmlGetLineNo(dr ? dr : md);
        return md_err_set(err, MD_ERR_PARSE, "%s:%llu: no usable <date_range> begin/end",
                          w->name, (unsigned long long)*errline);
    }
    xmlNode *pp = child(root, "policy_published");
    field_lower(pp, "domain", r->domain, sizeof r->domain);
    field_lower(pp, "adkim", r->adkim, sizeof r->adkim);
    field_lower(pp, "aspf", r->aspf, sizeof r->aspf);
    field_lower(pp, "p", r->p, sizeof r->p);
    field_lower(pp, "sp", r->sp, sizeof r->sp);
    field_lower(pp, "np", r->np, sizeof r->np);
    field_lower(pp, "testing", r->testing, sizeof r->testing);
    field_lower(pp, "discovery_method", r->discovery_method, sizeof r->discovery_method);
    char pct[16];
    uint64_t v;
    field(pp, "pct", pct, sizeof pct);
    r->pct = parse_u64(pct, &v) == 0 && v <= 100 ? (int)v : -1;
    for (xmlNode *c = root->children; c; c = c->next)
        if (is_el(c, "record")) {
            int rc = take_record(w, c);
            if (rc != 0)
                return md_err_set(err, rc, "%s: out of memory", w->name);
        }
    return MD_OK;
}

int md_dmarc_parse(md_dmarc_report **out, const char *name, const char *data, size_t n,
                   md_dmarc_warn_fn warn, void *warn_arg, uint64_t *errline, md_err *err)
{
    uint64_t dummy;
    if (!errline)
        errline = &dummy;
    *errline = 0;
    *out = NULL;
    if (n > MD_LIMIT_XML_BYTES)
        return md_err_set(err, MD_ERR_LIMIT, "%s: XML document larger than %d bytes", name,
                          MD_LIMIT_XML_BYTES);
    if (n == 0)
        return md_err_set(err, MD_ERR_PARSE, "%s: empty document", name);
    md_dmarc_report *r = calloc(1, sizeof *r);
    if (!r)
        return md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", name);
    r->pct = -1;
    walker w = {r, name, warn, warn_arg, 0, 0};
    md_buf fixed = MD_BUF_INIT;
    if (md_dmarc_sniff(data, n) && !md_text_utf8_valid(data, n) && declared_utf8(data, n)) {
        uint64_t bad = first_bad_line(data, n);
        if (md_text_utf8_repair(&fixed, data, n) < 0) {
            md_dmarc_free(r);
            return md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", name);
        }
        data = fixed.data;
        n = fixed.len;
        r->utf8_repaired = 1;
        wwarn(&w, bad, "invalid UTF-8 replaced by U+FFFD");
    }
    xmlDocPtr doc = NULL;
    int rc = parse_xml(&doc, name, data, n, errline, err);
    if (rc == MD_OK) {
        rc = walk_doc(&w, doc, errline, err);
        xmlFreeDoc(doc);
    }
    md_buf_free(&fixed);
    if (rc != MD_OK) {
        md_dmarc_free(r);
        return rc;
    }
    *out = r;
    return MD_OK;
}

void md_dmarc_free(md_dmarc_report *r)
{
    if (!r)
        return;
    free(r->records);
    free(r->auths);
    free(r);
}

int md_dmarc_sniff(const char *p, size_t n)
{
    if (n > 4096)
        n = 4096;
    while (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
        p += 3;
        n -= 3;
    }
    /* skip the prolog: declaration, comments, blanks; find the first element */
    size_t i = 0;
    while (i < n) {
        if (isspace((unsigned char)p[i])) {
            i++;
            continue;
        }
        if (p[i] != '<')
            return 0;
        if (i + 1 < n && (p[i + 1] == '?' || p[i + 1] == '!')) {
            const char *end = memchr(p + i, '>', n - i);
            if (!end)
                return 0;
            const char *lb = memchr(p + i, '[', (size_t)(end - p) - i);
            if (lb && i + 9 <= n && memcmp(p + i, "<!DOCTYPE", 9) == 0) {
                /* an internal subset: up to "]" and the closing ">" */
                const char *rb = memchr(lb, ']', n - (size_t)(lb - p));
                end = rb ? memchr(rb, '>', n - (size_t)(rb - p)) : NULL;
                if (!end)
                    return 0;
            }
            if (i + 4 <= n && memcmp(p + i, "<!--", 4) == 0) {
                const char *ce = NULL;
                for (size_t j = i + 4; j + 3 <= n; j++)
                    if (memcmp(p + j, "-->", 3) == 0) {
                        ce = p + j + 2;
                        break;
                    }
                if (!ce)
                    return 0;
                end = ce;
            }
            i = (size_t)(end - p) + 1;
            continue;
        }
        /* the root element: <feedback or <prefix:feedback */
        size_t j = i + 1;
        while (j < n && (isalnum((unsigned char)p[j]) || p[j] == '_' || p[j] == '-' ||
                         p[j] == '.' || p[j] == ':'))
            j++;
        const char *nm = p + i + 1;
        size_t len = j - i - 1;
        const char *colon = memchr(nm, ':', len);
        if (colon) {
            len -= (size_t)(colon + 1 - nm);
            nm = colon + 1;
        }
        return len == 8 && memcmp(nm, "feedback", 8) == 0;
    }
    return 0;
}

int md_dmarc_name_parse(const char *name, char *reporter, size_t rsize, char *domain,
                        size_t dsize, int64_t *begin, int64_t *end)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    const char *parts[5];
    size_t lens[5];
    size_t np = 0;
    const char *s = base;
    for (;;) {
        const char *bang = strchr(s, '!');
        const char *stop = bang ? bang : s + strcspn(s, ".");
        if (!bang) {
            /* last part: up to ".xml", ".zip", ".gz" */
            const char *dot = strstr(s, ".xml");
            if (!dot)
                dot = strstr(s, ".zip");
            if (!dot)
                dot = strstr(s, ".gz");
            stop = dot ? dot : s + strlen(s);
        }
        if (np == 5)
            return MD_ERR_PARSE;
        parts[np] = s;
        lens[np] = (size_t)(stop - s);
        np++;
        if (!bang)
            break;
        s = bang + 1;
    }
    if (np < 4 || lens[1] == 0)
        return MD_ERR_PARSE;
    int64_t t[2];
    for (int k = 0; k < 2; k++) {
        char b[32];
        uint64_t v;
        if (lens[2 + k] == 0 || lens[2 + k] >= sizeof b)
            return MD_ERR_PARSE;
        memcpy(b, parts[2 + k], lens[2 + k]);
        b[lens[2 + k]] = '\0';
        if (parse_u64(b, &v) != 0 || v > (uint64_t)INT64_MAX)
            return MD_ERR_PARSE;
        t[k] = (int64_t)v;
    }
    if (reporter)
        snprintf(reporter, rsize, "%.*s", (int)lens[0], parts[0]);
    if (domain)
        snprintf(domain, dsize, "%.*s", (int)lens[1], parts[1]);
    if (begin)
        *begin = t[0];
    if (end)
        *end = t[1];
    return MD_OK;
}
