/* render_src.c: footnote markers and the words for one source (see
 * render_src.h), for the PDF rendering; the same words as
 * templates/common-text.xsl's source-words.  Reads the document only. */
#include <stdlib.h>
#include <string.h>
#include "render/render_src.h"
#include "base/text.h"

/* prop: an attribute of n into out ("" when absent); 1 when present */
static int prop(const xmlNode *n, const char *name, md_buf *out)
{
    md_buf_reset(out);
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
    if (!v)
        return 0;
    md_buf_puts(out, (const char *)v);
    xmlFree(v);
    return out->len > 0;
}

void md_render_cite(const xmlNode *el, md_buf *out)
{
    md_buf v = MD_BUF_INIT;
    /* the marker the dossier wrote (mark), else made from src */
    if (el && (prop(el, "mark", &v) || prop(el, "src", &v))) {
        md_buf_putc(out, '[');
        if (xmlHasProp(el, (const xmlChar *)"mark"))
            md_buf_puts(out, md_buf_cstr(&v));
        else
            md_text_runs(out, md_buf_cstr(&v));
        md_buf_putc(out, ']');
    }
    md_buf_free(&v);
}

/* put: append prefix, the attribute's value and suffix, when present */
static void put(const xmlNode *n, const char *name, const char *prefix, const char *suffix,
                md_buf *out)
{
    md_buf v = MD_BUF_INIT;
    if (prop(n, name, &v)) {
        md_buf_puts(out, prefix);
        md_buf_puts(out, md_buf_cstr(&v));
        md_buf_puts(out, suffix);
    }
    md_buf_free(&v);
}

void md_render_source_words(const xmlNode *s, md_buf *out)
{
    md_buf k = MD_BUF_INIT;
    prop(s, "kind", &k);
    const char *kind = md_buf_cstr(&k);
    if (strcmp(kind, "log") == 0) {
        put(s, "file", "log ", "", out);
        put(s, "line", ":", "", out);
        put(s, "host", " (", ")", out);
    } else if (strcmp(kind, "message") == 0) {
        put(s, "file", "message ", "", out);
        put(s, "message-id", ", Message-ID <", ">", out);
    } else if (strcmp(kind, "report") == 0) {
        put(s, "what", "", " report of ", out);
        put(s, "reporter", "", ", ", out);
        put(s, "begin", "", " to ", out);
        put(s, "end", "", "", out);
        put(s, "file", " (", "", out);
        put(s, "line", ":", "", out);
        if (xmlHasProp(s, (const xmlChar *)"file"))
            md_buf_putc(out, ')');
    } else if (strcmp(kind, "reply") == 0) {
        md_buf_puts(out, "answer of Microsoft's sender support");
        put(s, "date", " of ", "", out);
        put(s, "case", ", case ", "", out);
        put(s, "message-id", ", Message-ID <", ">", out);
        put(s, "file", " (", ")", out);
    } else if (strcmp(kind, "rule") == 0) {
        put(s, "file", "forwarding rule ", "", out);
        put(s, "line", ":", "", out);
    } else if (strcmp(kind, "config") == 0) {
        put(s, "key", "configuration ", "", out);
        put(s, "file", " in ", "", out);
    } else if (strcmp(kind, "ticket") == 0) {
        put(s, "number", "helpdesk ticket ", " (what the user reported)", out);
    } else if (strcmp(kind, "store") == 0) {
        put(s, "area", "the store's ", " as a whole (what was ingested)", out);
    } else {
        md_buf_puts(out, kind);
    }
    md_buf_free(&k);
}
