/* test_render.c: the renderings of evidence documents (lib/render*.c).
 *
 * Validates the sample documents of fixtures/dossier/ against their
 * schemas (and a broken one against them), renders the sample dossier to
 * PDF and compares `pdftotext -layout` with the golden file (set
 * MD_UPDATE_GOLDEN=1 to rewrite it after looking at the pages), checks the
 * footers, the embedded fonts, a long dossier (header row on every page of
 * the table, no text outside the page, odd bytes survived), the text
 * renderings (column limit, form fields) and the XSLT sandbox.  Tests that
 * need poppler-utils are skipped when it is missing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hpdf.h>
#include "render/render.h"
#include "base/text.h"

#define SAMPLE  MD_FIXTURES "/dossier/sample-dossier.xml"
#define REQUEST MD_FIXTURES "/dossier/sample-request.xml"
#define GOLDEN  MD_FIXTURES "/dossier/sample-dossier.pdf.txt"
#define TICKET  "2016042010001094"

static char tmpdir[1024];

static const char *tmp_path(char *dst, size_t n, const char *name)
{
    snprintf(dst, n, "%s/%s", tmpdir, name);
    return dst;
}

/* write_tmp: the printf-style text into the temporary file `name`, whose
 * path goes to dst */
static void write_tmp(char *dst, size_t n, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void write_tmp(char *dst, size_t n, const char *name, const char *fmt, ...)
{
    va_list ap;
    FILE *f = fopen(tmp_path(dst, n, name), "w");
    assert_non_null(f);
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    assert_int_equal(fclose(f), 0);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *s;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    if (len)
        *len = (size_t)n;
    fclose(f);
    return s;
}

/* run: a shell command's standard output (stderr discarded), or NULL. */
static char *run(const char *fmt, ...)
{
    char cmd[4096];
    md_buf out = MD_BUF_INIT;
    char chunk[4096];
    size_t n;
    FILE *p;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    p = popen(cmd, "r");
    if (!p)
        return NULL;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        md_buf_append(&out, chunk, n);
    if (pclose(p) != 0) {
        md_buf_free(&out);
        return NULL;
    }
    md_buf_putc(&out, '\0');
    return md_buf_detach(&out);
}

static int have_poppler(void)
{
    return system("pdftotext -v >/dev/null 2>&1") == 0 &&
           system("pdffonts -v >/dev/null 2>&1") == 0;
}

static int utf8_chars(const char *s, size_t n)
{
    int c = 0;
    size_t i;
    for (i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

static xmlDoc *load(const char *path)
{
    xmlDoc *doc = NULL;
    md_err err;
    int rc = md_render_read(&doc, path, &err);
    if (rc != MD_OK)
        fail_msg("%s", err.msg);
    return doc;
}

static void template_path(const char *name, char *out, size_t n)
{
    md_err err;
    int rc = md_render_find_template(NULL, name, out, n, &err);
    if (rc != MD_OK)
        fail_msg("%s", err.msg);
}

/* ---- schema ---------------------------------------------------------------- */

static void test_validate_samples(void **state)
{
    char xsd[1024];
    md_err err;
    xmlDoc *d = load(SAMPLE), *r = load(REQUEST);
    (void)state;
    template_path("dossier.xsd", xsd, sizeof xsd);
    assert_int_equal(md_render_validate(d, xsd, &err), MD_OK);
    /* the request is not a dossier */
    assert_int_equal(md_render_validate(r, xsd, &err), MD_ERR_PARSE);
    template_path("request.xsd", xsd, sizeof xsd);
    assert_int_equal(md_render_validate(r, xsd, &err), MD_OK);
    xmlFreeDoc(d);
    xmlFreeDoc(r);
}

static void test_validate_broken(void **state)
{
    char xsd[1024];
    md_err err;
    xmlDoc *d = load(SAMPLE);
    xmlNode *root = xmlDocGetRootElement(d), *hd, *c;
    (void)state;
    template_path("dossier.xsd", xsd, sizeof xsd);
    /* an outcome outside the vocabulary */
    for (c = root->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((char *)c->name, "timeline") == 0)
            break;
    assert_non_null(c);
    for (c = c->children; c && c->type != XML_ELEMENT_NODE; c = c->next)
        ;
    for (c = c->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((char *)c->name, "outcome") == 0)
            xmlNodeSetContent(c, (const xmlChar *)"vanished");
    assert_int_equal(md_render_validate(d, xsd, &err), MD_ERR_PARSE);
    assert_non_null(strstr(err.msg, "vanished"));
    xmlFreeDoc(d);

    /* the header without its ticket */
    d = load(SAMPLE);
    root = xmlDocGetRootElement(d);
    for (hd = root->children; hd && hd->type != XML_ELEMENT_NODE; hd = hd->next)
        ;
    for (c = hd->children; c && c->type != XML_ELEMENT_NODE; c = c->next)
        ;
    assert_string_equal((char *)c->name, "ticket");
    xmlUnlinkNode(c);
    xmlFreeNode(c);
    assert_int_equal(md_render_validate(d, xsd, &err), MD_ERR_PARSE);
    assert_non_null(strstr(err.msg, "line "));
    xmlFreeDoc(d);
}

/* ---- PDF -------------------------------------------------------------------- */

static char *pdf_text(const char *pdf)
{
    return run("pdftotext -layout '%s' - 2>/dev/null", pdf);
}

static int pdf_pages(const char *pdf)
{
    char *info = run("pdfinfo '%s' 2>/dev/null", pdf), *p;
    int n = -1;
    if (info && (p = strstr(info, "\nPages:")))
        n = atoi(p + 7);
    free(info);
    return n;
}

/* render_pdf: d rendered to the temporary file `name` (its path written to
 * pdf[n]), then freed. */
static void render_pdf(xmlDoc *d, char *pdf, size_t n, const char *name)
{
    md_err err;
    tmp_path(pdf, n, name);
    if (md_render_pdf(d, pdf, NULL, &err) != MD_OK)
        fail_msg("%s", err.msg);
    xmlFreeDoc(d);
}

static void test_pdf_golden(void **state)
{
    char pdf[1200], *text, *golden;
    xmlDoc *d;
    (void)state;
    if (!have_poppler())
        skip();
    d = load(SAMPLE);
    render_pdf(d, pdf, sizeof pdf, "render-sample.pdf");
    text = pdf_text(pdf);
    assert_non_null(text);
    if (getenv("MD_UPDATE_GOLDEN")) {
        FILE *f = fopen(GOLDEN, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
    }
    golden = slurp(GOLDEN, NULL);
    assert_non_null(golden);
    if (strcmp(text, golden) != 0) {
        char out[1200];
        FILE *f = fopen(tmp_path(out, sizeof out, "render-sample.pdf.txt"), "w");
        if (f) {
            fputs(text, f);
            fclose(f);
        }
        fail_msg("pdftotext output differs from %s (see %s)", GOLDEN, out);
    }
    /* umlauts and dashes came through the embedded fonts */
    assert_non_null(strstr(text, "Universität Potsdam"));
    assert_non_null(strstr(text, "Immatrikulation – Rückfrage"));
    free(text);
    free(golden);
}

static void test_pdf_footers_fonts_meta(void **state)
{
    char pdf[1200], want[200], *text, *fonts, *info, *line;
    int n, i, embedded = 0;
    xmlDoc *d;
    (void)state;
    if (!have_poppler())
        skip();
    d = load(SAMPLE);
    render_pdf(d, pdf, sizeof pdf, "render-footers.pdf");
    n = pdf_pages(pdf);
    assert_true(n >= 2);
    text = pdf_text(pdf);
    assert_non_null(text);
    for (i = 1; i <= n; i++) {
        snprintf(want, sizeof want, "Ticket " TICKET " \xE2\x80\x94 page %d of %d", i, n);
        if (!strstr(text, want))
            fail_msg("footer \"%s\" missing", want);
    }
    snprintf(want, sizeof want, "page %d of %d", n + 1, n);
    assert_null(strstr(text, want));
    free(text);

    fonts = run("pdffonts '%s' 2>/dev/null", pdf);
    assert_non_null(fonts);
    for (line = strtok(fonts, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strstr(line, "DejaVu"))
            continue;
        /* columns: name type encoding emb sub uni object ID */
        if (strstr(line, "Identity-H") && strstr(strstr(line, "Identity-H"), "yes"))
            embedded++;
        else
            fail_msg("font not embedded: %s", line);
    }
    assert_int_equal(embedded, 3);
    free(fonts);

    info = run("pdfinfo '%s' 2>/dev/null", pdf);
    assert_non_null(info);
    assert_non_null(strstr(info, "Dossier for ticket " TICKET));
    assert_non_null(strstr(info, "Creator:         maildossier "));
    assert_non_null(strstr(info, "Mail delivery evidence for ticket " TICKET));
    assert_non_null(strstr(info, "A4"));
    free(info);
}

static xmlNode *child(xmlNode *n, const char *name)
{
    for (n = n->children; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && strcmp((char *)n->name, name) == 0)
            return n;
    return NULL;
}

/* a dossier with 400 timeline rows, a 3000-character log line of numbered
 * tokens, a broken UTF-8 byte and a character outside the BMP */
static xmlDoc *long_doc(void)
{
    xmlDoc *d = load(SAMPLE);
    xmlNode *root = xmlDocGetRootElement(d);
    xmlNode *tl = child(root, "timeline"), *first = child(tl, "entry");
    xmlNode *msg = child(child(root, "messages"), "message");
    xmlNode *ll = child(msg, "log-lines"), *line0 = child(ll, "log-line");
    md_buf s = MD_BUF_INIT;
    int i;
    for (i = 0; i < 400; i++) {
        xmlNode *e = xmlCopyNode(first, 1);
        char id[32], from[64];
        snprintf(id, sizeof id, "row%d", i);
        snprintf(from, sizeof from, "sender%d@example.org", i);
        xmlSetProp(e, (const xmlChar *)"message", (const xmlChar *)id);
        xmlNodeSetContent(child(e, "from"), (const xmlChar *)from);
        if (i % 7 == 0)
            xmlNodeSetContent(child(e, "text"),
                              (const xmlChar *)"a longer outcome text that wraps over "
                              "several lines of the cell, so that rows differ in height "
                              "and some of them meet the end of a page");
        xmlAddChild(tl, e);
    }
    for (i = 0; i < 300; i++)
        md_buf_printf(&s, "tok%04d,", i);
    md_buf_puts(&s, "END-OF-LONG-LINE bad\xC3 byte astral \xF0\x9F\x98\x80 end");
    xmlNode *nl = xmlCopyNode(line0, 1);
    xmlNodeSetContent(child(nl, "text"), (const xmlChar *)"x");
    /* set raw bytes without libxml2's checks, as a careless writer might */
    xmlNode *t = child(nl, "text");
    xmlFreeNodeList(t->children);
    t->children = t->last = NULL;
    xmlNodeAddContentLen(t, (const xmlChar *)md_buf_cstr(&s), (int)s.len);
    xmlAddChild(ll, nl);
    /* a reply longer than a page: the table row must split */
    md_buf_reset(&s);
    for (i = 0; i < 1500; i++)
        md_buf_printf(&s, "reply%04d ", i);
    xmlNodeSetContent(child(child(child(msg, "attempts"), "attempt"), "reply"),
                      (const xmlChar *)md_buf_cstr(&s));
    /* scripts DejaVu lacks, control characters */
    xmlNodeSetContent(child(msg, "subject"),
                      (const xmlChar *)"\xE4\xB8\xAD\xE6\x96\x87 \xD7\xA2\xD7\x91 tab\there bell\a end");
    md_buf_free(&s);
    return d;
}

static void test_pdf_long(void **state)
{
    char pdf[1200], *text, *bbox, *p, *page, *save = NULL;
    int pages_with_rows = 0, pages_without_header = 0;
    xmlDoc *d;
    (void)state;
    if (!have_poppler())
        skip();
    d = long_doc();
    render_pdf(d, pdf, sizeof pdf, "render-long.pdf");
    assert_true(pdf_pages(pdf) > 8);
    text = pdf_text(pdf);
    assert_non_null(text);
    /* the long log line is wrapped, not cut */
    assert_non_null(strstr(text, "tok0299"));
    assert_non_null(strstr(text, "END-OF-LONG-LINE"));
    assert_non_null(strstr(text, "\xEF\xBF\xBD"));
    assert_non_null(strstr(text, "reply0000"));
    assert_non_null(strstr(text, "reply1499"));
    assert_non_null(strstr(text, "tab here bell end"));
    /* every page that holds timeline rows repeats the header row */
    for (page = strtok_r(text, "\f", &save); page; page = strtok_r(NULL, "\f", &save)) {
        int header = 0;
        char *l, *lsave = NULL;
        if (!strstr(page, "@example.org"))
            continue;
        pages_with_rows++;
        for (l = strtok_r(page, "\n", &lsave); l; l = strtok_r(NULL, "\n", &lsave))
            if ((p = strstr(l, "Time")) && (p = strstr(p, "From")) && (p = strstr(p, "To")) &&
                strstr(p, "Outcome"))
                header = 1;
        if (!header)
            pages_without_header++;
    }
    assert_true(pages_with_rows >= 5);
    assert_int_equal(pages_without_header, 0);
    free(text);

    /* nothing is drawn outside the right margin */
    bbox = run("pdftotext -bbox '%s' - 2>/dev/null", pdf);
    assert_non_null(bbox);
    for (p = strstr(bbox, "xMax=\""); p; p = strstr(p + 1, "xMax=\"")) {
        double x = atof(p + 6);
        if (x > 595.276 - 40.0)
            fail_msg("text reaches x=%.1f (page width 595)", x);
    }
    free(bbox);
}

static void test_pdf_errors(void **state)
{
    md_render_opts o;
    md_err err;
    char pdf[1200];
    xmlDoc *d = load(SAMPLE), *r = load(REQUEST);
    struct stat st;
    (void)state;
    tmp_path(pdf, sizeof pdf, "render-nofont.pdf");
    unlink(pdf);
    md_render_opts_init(&o);
    o.font_dir = "/nonexistent/fonts";
    assert_int_equal(md_render_pdf(d, pdf, &o, &err), MD_ERR_IO);
    assert_non_null(strstr(err.msg, "/nonexistent/fonts/DejaVuSans.ttf"));
    assert_int_not_equal(stat(pdf, &st), 0);
    assert_int_equal(md_render_pdf(r, pdf, NULL, &err), MD_ERR_ARG);
    assert_int_equal(md_render_pdf(d, "/nonexistent/dir/x.pdf", NULL, &err), MD_ERR_IO);
    xmlFreeDoc(d);
    xmlFreeDoc(r);
}

/* The threaded rendering (md_pdf_job) writes the same document as
 * md_render_pdf; a job never submitted is cancelled; errors come back from
 * wait; the document may be read by the main thread meanwhile. */
static void test_pdf_job(void **state)
{
    char a[1200], b[1200], bad[1200];
    md_err err;
    md_pdf_job *j = NULL;
    md_render_opts o;
    struct stat st;
    xmlDoc *d = load(SAMPLE);
    (void)state;
    tmp_path(a, sizeof a, "render-job-direct.pdf");
    tmp_path(b, sizeof b, "render-job-thread.pdf");
    unlink(b);
    assert_int_equal(md_render_pdf(d, a, NULL, &err), MD_OK);
    assert_int_equal(md_render_pdf_start(NULL, &j, &err), MD_OK);
    assert_non_null(j);
    assert_int_equal(md_render_pdf_submit(j, d, b, &err), MD_OK);
    /* the main thread reads (and serialises) the same document meanwhile */
    xmlChar *mem = NULL;
    int len = 0;
    xmlDocDumpFormatMemory(d, &mem, &len, 1);
    assert_true(len > 1000);
    xmlFree(mem);
    assert_int_equal(md_render_pdf_wait(j, &err), MD_OK);
    assert_int_equal(stat(b, &st), 0);
    if (have_poppler()) {
        char *ta = pdf_text(a), *tb = pdf_text(b);
        assert_non_null(ta);
        assert_non_null(tb);
        assert_string_equal(ta, tb);
        free(ta);
        free(tb);
    }

    /* cancelled: started, never submitted: nothing written, no error */
    tmp_path(bad, sizeof bad, "render-job-cancelled.pdf");
    unlink(bad);
    assert_int_equal(md_render_pdf_start(NULL, &j, &err), MD_OK);
    assert_int_equal(md_render_pdf_wait(j, &err), MD_OK);
    assert_int_not_equal(stat(bad, &st), 0);
    assert_int_equal(md_render_pdf_wait(NULL, &err), MD_OK);

    /* the fonts fail on the thread: the error comes back from wait */
    md_render_opts_init(&o);
    o.font_dir = "/nonexistent/fonts";
    assert_int_equal(md_render_pdf_start(&o, &j, &err), MD_OK);
    assert_int_equal(md_render_pdf_submit(j, d, bad, &err), MD_OK);
    assert_int_equal(md_render_pdf_wait(j, &err), MD_ERR_IO);
    assert_non_null(strstr(err.msg, "/nonexistent/fonts/DejaVuSans.ttf"));
    assert_int_not_equal(stat(bad, &st), 0);
    xmlFreeDoc(d);
}

/* the streams deflated by our own code (pdfz.c, libharu writing them
 * plain): every stream of the long dossier filtered, the file under a
 * third of the plain one, the same pages and text, the fonts embedded */
static void test_pdf_compressed(void **state)
{
    char a[1200], b[1200];
    md_render_opts o;
    md_err err;
    size_t na, nb;
    xmlDoc *d = long_doc();
    (void)state;
    md_render_opts_init(&o);
    tmp_path(a, sizeof a, "render-long-deflated.pdf");
    assert_int_equal(md_render_pdf(d, a, &o, &err), MD_OK);
    o.compress = 0;
    tmp_path(b, sizeof b, "render-long-plain.pdf");
    assert_int_equal(md_render_pdf(d, b, &o, &err), MD_OK);
    xmlFreeDoc(d);
    char *pa = slurp(a, &na), *pb = slurp(b, &nb);
    assert_true(na * 3 < nb);
    size_t streams = 0, filtered = 0;
    for (char *s = pa; (s = memmem(s, na - (size_t)(s - pa), ">>\nstream\r\n", 11)); s++) {
        streams++;
        char *dict = s;
        while (dict > pa && memcmp(dict, " obj\n", 5) != 0)
            dict--;
        filtered += memmem(dict, (size_t)(s - dict), "/Filter", 7) != NULL;
    }
    assert_true(streams > 10);
    assert_int_equal(filtered, streams);
    assert_null(memmem(pb, nb, "/Filter", 7));
    free(pa);
    free(pb);
    if (have_poppler()) {
        char *ta = pdf_text(a), *tb = pdf_text(b);
        assert_non_null(ta);
        assert_non_null(tb);
        assert_string_equal(ta, tb);
        assert_int_equal(pdf_pages(a), pdf_pages(b));
        free(ta);
        free(tb);
        char *fonts = run("pdffonts '%s' 2>/dev/null", a);
        assert_non_null(fonts);
        assert_non_null(strstr(fonts, "DejaVuSansMono"));
        assert_null(strstr(fonts, " no  ")); /* every font embedded */
        free(fonts);
    }
}

/* the "<hex> Tj" operator libharu's own HPDF_Page_TextOut writes for
 * text in DejaVu Sans (uncompressed page), into op */
static void libharu_text_op(const char *text, char *op, size_t n)
{
    char pdf[1200], path[512];
    size_t len;
    HPDF_Doc doc = HPDF_New(NULL, NULL);
    assert_non_null(doc);
    HPDF_UseUTFEncodings(doc);
    snprintf(path, sizeof path, "%s/DejaVuSans.ttf", MD_RENDER_FONT_DIR);
    const char *name = HPDF_LoadTTFontFromFile(doc, path, HPDF_TRUE);
    assert_non_null(name);
    HPDF_Page page = HPDF_AddPage(doc);
    HPDF_Page_BeginText(page);
    HPDF_Page_SetFontAndSize(page, HPDF_GetFont(doc, name, "UTF-8"), 9.0f);
    HPDF_Page_TextOut(page, 50, 700, text);
    HPDF_Page_EndText(page);
    tmp_path(pdf, sizeof pdf, "render-libharu-op.pdf");
    assert_int_equal(HPDF_SaveToFile(doc, pdf), HPDF_OK);
    HPDF_Free(doc);
    char *all = slurp(pdf, &len), *b = memmem(all, len, "Td\n<", 4), *e;
    assert_non_null(b);
    e = memmem(b, len - (size_t)(b - all), "> Tj", 4);
    assert_non_null(e);
    assert_true((size_t)(e + 4 - (b + 3)) < n);
    snprintf(op, n, "%.*s", (int)(e + 4 - (b + 3)), b + 3);
    free(all);
}

/* the text operators of a rendered page are those of libharu's own
 * HPDF_Page_TextOut (render_pdf.c draws through libharu's public API)
 * for ASCII, Latin-1, punctuation of the BMP and a character DejaVu
 * lacks; the glyphs embedded so that the text comes back out of the PDF. */
static void test_pdf_text_operators(void **state)
{
    /* the second is "Grüße – naïve € 5" (\145 is the e: a letter would
     * continue the \x escape) */
    static const char *const texts[] = {
        "Mail delivery dossier",
        "Gr\xC3\xBC\xC3\x9F\145 \xE2\x80\x93 na\xC3\xAFve \xE2\x82\xAC 5",
        "\xE4\xB8\xAD\xE6\x96\x87 x", "a_b@c.d;e/f?g|h"};
    char xml[2048], pdf[1200], op[1024];
    md_render_opts o;
    md_err err;
    size_t len;
    (void)state;
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        snprintf(xml, sizeof xml,
                 "<dossier version='1'><header><ticket>2016042010000826</ticket>"
                 "<addresses><address>x@uni-potsdam.de</address></addresses>"
                 "<window><since>2016-04-06T00:00:00Z</since><until>2016-04-21T00:00:00Z</until>"
                 "</window><generated-at>2016-05-03T09:12:44Z</generated-at><author/>"
                 "<organisation/><tool-version>0.1.0</tool-version><redaction>off</redaction>"
                 "<evidence-span/></header><summary><verdict>%s</verdict></summary><timeline/>"
                 "<messages/><forwarding/><ips/></dossier>", texts[k]);
        xmlDoc *d = xmlReadMemory(xml, (int)strlen(xml), "ops.xml", NULL, XML_PARSE_NONET);
        assert_non_null(d);
        md_render_opts_init(&o);
        o.compress = 0;
        tmp_path(pdf, sizeof pdf, "render-ops.pdf");
        assert_int_equal(md_render_pdf(d, pdf, &o, &err), MD_OK);
        xmlFreeDoc(d);
        libharu_text_op(texts[k], op, sizeof op);
        char *all = slurp(pdf, &len); /* binary: fonts */
        int found = memmem(all, len, op, strlen(op)) != NULL;
        free(all);
        if (!found)
            fail_msg("%s: libharu's %s not in the PDF", texts[k], op);
        if (have_poppler() && k != 2) { /* no CJK glyphs in DejaVu */
            char *text = pdf_text(pdf);
            assert_non_null(text);
            assert_non_null(strstr(text, texts[k]));
            free(text);
        }
    }
}

/* a valid dossier with empty sections and empty author/organisation */
static void test_minimal(void **state)
{
    static const char xml[] =
        "<dossier version='1'><header><ticket>2016042010000826</ticket>"
        "<addresses><address>x@uni-potsdam.de</address></addresses>"
        "<window><since>2016-04-06T00:00:00Z</since><until>2016-04-21T00:00:00Z</until></window>"
        "<generated-at>2016-05-03T09:12:44+02:00</generated-at><author/><organisation/>"
        "<tool-version>0.1.0</tool-version><redaction>off</redaction><evidence-span/></header>"
        "<summary><verdict src='s1'>No log line in the window: ask the sender for the bounce."
        "</verdict></summary><timeline/><messages/><forwarding/><ips/>"
        "<sources><source id='s1' kind='store' area='logs'/></sources></dossier>";
    char xsd[1024], xsl[1024], pdf[1200], *text;
    md_buf out = MD_BUF_INIT;
    md_err err;
    xmlDoc *d = xmlReadMemory(xml, (int)sizeof xml - 1, "minimal.xml", NULL, XML_PARSE_NONET);
    (void)state;
    assert_non_null(d);
    template_path("dossier.xsd", xsd, sizeof xsd);
    assert_int_equal(md_render_validate(d, xsd, &err), MD_OK);
    template_path("dossier-text.xsl", xsl, sizeof xsl);
    assert_int_equal(md_render_xslt(d, xsl, &out, &err), MD_OK);
    assert_non_null(strstr(md_buf_cstr(&out), "times in UTC"));
    assert_non_null(strstr(md_buf_cstr(&out), "Redaction:      off"));
    assert_null(strstr(md_buf_cstr(&out), "Organisation:"));
    md_buf_free(&out);
    render_pdf(d, pdf, sizeof pdf, "render-minimal.pdf");
    if (!have_poppler())
        return;
    text = pdf_text(pdf);
    assert_non_null(text);
    assert_non_null(strstr(text, "page 1 of 1"));
    assert_non_null(strstr(text, "ask the sender for the bounce"));
    free(text);
}

/* ---- text -------------------------------------------------------------------- */

/* every line of text is at most 80 characters, except "    " + a log line
 * of the document */
static void check_width(const char *text, xmlDoc *d)
{
    const char *s = text;
    int checked = 0, logs = 0;
    while (*s) {
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (utf8_chars(s, n) > 80) {
            int is_log = 0;
            xmlChar *path;
            xmlNode *m = child(child(xmlDocGetRootElement(d), "messages"), "message");
            for (; m && !is_log; m = m->next) {
                xmlNode *l;
                if (m->type != XML_ELEMENT_NODE)
                    continue;
                for (l = child(m, "log-lines")->children; l; l = l->next) {
                    if (l->type != XML_ELEMENT_NODE)
                        continue;
                    path = xmlNodeGetContent(child(l, "text"));
                    if (n == strlen((char *)path) + 4 && strncmp(s, "    ", 4) == 0 &&
                        memcmp(s + 4, path, n - 4) == 0)
                        is_log = 1;
                    xmlFree(path);
                    if (is_log)
                        break;
                }
            }
            if (!is_log)
                fail_msg("line over 80 columns: %.*s", (int)n, s);
            logs++;
        }
        checked++;
        s += n + (e ? 1 : 0);
    }
    assert_true(checked > 50);
    assert_true(logs > 0);
}

static void test_text_dossier(void **state)
{
    char xsl[1024];
    md_buf out = MD_BUF_INIT;
    md_err err;
    xmlDoc *d = load(SAMPLE);
    const char *t;
    (void)state;
    template_path("dossier-text.xsl", xsl, sizeof xsl);
    if (md_render_xslt(d, xsl, &out, &err) != MD_OK)
        fail_msg("%s", err.msg);
    t = md_buf_cstr(&out);
    assert_non_null(strstr(t, "TICKET " TICKET));
    assert_non_null(strstr(t, "1. SUMMARY"));
    assert_non_null(strstr(t, "2. TIMELINE"));
    assert_non_null(strstr(t, "3. MESSAGES"));
    assert_non_null(strstr(t, "4. FORWARDING RULES"));
    assert_non_null(strstr(t, "5. AFFECTED IPS"));
    assert_non_null(strstr(t, "Redaction:      on"));
    assert_non_null(strstr(t, "logs/n-mail-2/syslog.20160424:698240"));
    assert_non_null(strstr(t, "Universität Potsdam"));
    check_width(t, d);
    md_buf_free(&out);

    /* the same on the long document (wrapping of long fields) */
    xmlFreeDoc(d);
    d = long_doc();
    /* a log line with a tab, a carriage return and a newline: copied on
     * one line, each a blank; a plain one copied as it is */
    xmlNode *ll = xmlDocGetRootElement(d);
    for (const char *const *path = (const char *const[]){"messages", "message", "log-lines",
                                                         "log-line", NULL};
         *path && ll; path++)
        for (ll = ll->children; ll && !(ll->type == XML_ELEMENT_NODE &&
                                        strcmp((const char *)ll->name, *path) == 0);
             ll = ll->next)
            ;
    assert_non_null(ll);
    xmlNode *tabbed = xmlCopyNode(ll, 1), *plain = xmlCopyNode(ll, 1);
    for (xmlNode *c = tabbed->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "text") == 0)
            xmlNodeSetContent(c, (const xmlChar *)"col1\tcol2\r\ncol3 &lt;end&gt;");
    for (xmlNode *c = plain->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "text") == 0)
            xmlNodeSetContent(c, (const xmlChar *)"plain  line, two blanks kept");
    xmlAddNextSibling(ll, tabbed);
    xmlAddNextSibling(tabbed, plain);
    assert_int_equal(md_render_xslt(d, xsl, &out, &err), MD_OK);
    assert_non_null(strstr(md_buf_cstr(&out), "sender399@example.org"));
    assert_non_null(strstr(md_buf_cstr(&out), "\n    col1 col2  col3 <end>\n"));
    assert_non_null(strstr(md_buf_cstr(&out), "\n    plain  line, two blanks kept\n"));
    md_buf_free(&out);
    xmlFreeDoc(d);
}

static void test_text_request(void **state)
{
    char xsl[1024];
    md_buf out = MD_BUF_INIT;
    md_err err;
    xmlDoc *r = load(REQUEST);
    const char *t, *p;
    xmlNode *ip;
    md_buf list = MD_BUF_INIT, lines = MD_BUF_INIT;
    (void)state;
    template_path("request-text.xsl", xsl, sizeof xsl);
    if (md_render_xslt(r, xsl, &out, &err) != MD_OK)
        fail_msg("%s", err.msg);
    t = md_buf_cstr(&out);
    /* the IPs of the document: one semicolon-separated line, then one per line */
    for (ip = child(xmlDocGetRootElement(r), "ips")->children; ip; ip = ip->next) {
        xmlChar *a;
        if (ip->type != XML_ELEMENT_NODE)
            continue;
        a = xmlNodeGetContent(child(ip, "address"));
        md_buf_printf(&list, "%s%s", list.len ? "; " : "\n", (char *)a);
        md_buf_printf(&lines, "\n%s", (char *)a);
        xmlFree(a);
    }
    md_buf_putc(&list, '\n');
    md_buf_putc(&lines, '\n');
    assert_non_null(strstr(t, md_buf_cstr(&list)));
    assert_non_null(strstr(t, md_buf_cstr(&lines)));
    assert_non_null(strstr(t, "Contact e-mail:       postmaster@uni-potsdam.de"));
    assert_non_null(strstr(t, "Seen 2 times, 2016-04-21 14:02:58 to 2016-04-21 15:04:10"));
    assert_non_null(strstr(t, "SNDS:                 enrolled"));
    /* the 421 text in full (wrapped, so compare without line breaks) */
    {
        md_buf flat = MD_BUF_INIT;
        for (p = t; *p; p++) {
            if (*p == '\n') {
                while (p[1] == ' ')
                    p++;
                md_buf_putc(&flat, ' ');
            } else
                md_buf_putc(&flat, *p);
        }
        assert_non_null(strstr(md_buf_cstr(&flat),
                               "We have limits for how many messages can be sent per hour and "
                               "per day. You can also refer to "
                               "http://mail.live.com/mail/troubleshooting.aspx#errors."));
        md_buf_free(&flat);
    }
    md_buf_free(&list);
    md_buf_free(&lines);
    md_buf_free(&out);
    xmlFreeDoc(r);
}

/* ---- sandbox and templates ----------------------------------------------------- */

/* md:wrap (render.c) gives what common-text.xsl's wrap-lines template
 * gives, for random texts (blanks of every kind, words longer than a line,
 * multi-byte characters) and for prefixes wider than the line. */
static void test_xslt_wrap(void **state)
{
    static const char *const alpha[] = {"a", "b", "c", " ", "  ", "\t", "\n", ".", "\xC3\xA4",
                                        "\xE2\x82\xAC", "\xE4\xB8\xAD", "-"};
    static const char *const pre[] = {"", "  - ", "    ", "Label:          ",
                                      "a prefix wider than the narrowest lines: "};
    char common[1200], xsl[1200];
    md_buf in = MD_BUF_INIT, out = MD_BUF_INIT;
    md_err err;
    unsigned seed = 12345;
    (void)state;
    template_path("common-text.xsl", common, sizeof common);
    write_tmp(xsl, sizeof xsl, "render-wrap.xsl", "<xsl:stylesheet version='1.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform'"
               " xmlns:md='urn:x-maildossier:xslt'><xsl:include href='%s'/>"
               "<xsl:output method='text'/><xsl:template match='/'>"
               "<xsl:for-each select='cases/c'>"
               "<xsl:value-of select='md:wrap(string(.), string(@first), string(@hang), number(@w))'/>"
               "</xsl:for-each>=====<xsl:for-each select='cases/c'>"
               "<xsl:call-template name='wrap-lines'>"
               "<xsl:with-param name='t' select='normalize-space(.)'/>"
               "<xsl:with-param name='prefix' select='string(@first)'/>"
               "<xsl:with-param name='hang' select='string(@hang)'/>"
               "<xsl:with-param name='w' select='number(@w)'/>"
               "</xsl:call-template></xsl:for-each></xsl:template></xsl:stylesheet>", common);
    md_buf_puts(&in, "<cases>");
    for (int k = 0; k < 400; k++) {
        int len = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 300;
        static const int widths[] = {78, 40, 12, 5};
        md_buf_printf(&in, "<c first='%s' hang='%s' w='%d'>", pre[k % 5], pre[(k / 5) % 5],
                      widths[(k / 25) % 4]);
        for (int i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = (seed >> 16) % 40; /* mostly letters: words of a few characters */
            md_buf_puts(&in, alpha[r < 12 ? r : r % 3]);
            if (k % 7 == 0 && i % 50 == 0) /* some words far longer than a line */
                md_buf_puts(&in, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        }
        md_buf_puts(&in, "</c>");
    }
    md_buf_puts(&in, "<c first='x' hang='' w='78'></c><c first='' hang='' w='78'>   </c></cases>");
    xmlDoc *d = xmlReadMemory(in.data, (int)in.len, "wrap.xml", NULL, XML_PARSE_NONET);
    assert_non_null(d);
    assert_int_equal(md_render_xslt(d, xsl, &out, &err), MD_OK);
    const char *all = md_buf_cstr(&out), *mid = strstr(all, "=====");
    assert_non_null(mid);
    size_t n = (size_t)(mid - all);
    assert_true(n > 10000);
    assert_int_equal(strlen(mid + 5), n);
    assert_memory_equal(all, mid + 5, n);
    md_buf_free(&in);
    md_buf_free(&out);
    xmlFreeDoc(d);
}

static void test_xslt_sandbox(void **state)
{
    char xsl[1200], victim[1200], dir[1200];
    md_buf out = MD_BUF_INIT;
    md_err err;
    xmlDoc *d = load(SAMPLE);
    struct stat st;
    (void)state;
    tmp_path(victim, sizeof victim, "render-sandbox-victim.txt");
    tmp_path(dir, sizeof dir, "render-sandbox-dir");
    unlink(victim);
    write_tmp(xsl, sizeof xsl, "render-sandbox.xsl", "<xsl:stylesheet version='1.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform'"
               " xmlns:saxon='http://icl.com/saxon' extension-element-prefixes='saxon'>"
               "<xsl:output method='text'/>"
               "<xsl:template match='/'>before"
               "<saxon:output href='%s' method='text'>owned</saxon:output>"
               "<saxon:output href='%s/x.txt' method='text'>owned</saxon:output>"
               "</xsl:template></xsl:stylesheet>", victim, dir);
    assert_int_equal(md_render_xslt(d, xsl, &out, &err), MD_ERR_PARSE);
    assert_int_not_equal(stat(victim, &st), 0);
    assert_int_not_equal(stat(dir, &st), 0);

    /* a stylesheet that is not XML */
    write_tmp(xsl, sizeof xsl, "render-sandbox.xsl", "<xsl:stylesheet");
    assert_int_equal(md_render_xslt(d, xsl, &out, &err), MD_ERR_PARSE);
    assert_non_null(strstr(err.msg, "render-sandbox.xsl"));
    assert_int_equal(md_render_xslt(d, "/nonexistent.xsl", &out, &err), MD_ERR_IO);
    md_buf_free(&out);
    xmlFreeDoc(d);
}

static void test_find_template(void **state)
{
    md_config cfg;
    char path[1200], own[1200];
    md_err err;
    FILE *f;
    (void)state;
    md_config_defaults(&cfg);
    assert_int_equal(md_render_find_template(&cfg, "../etc/passwd", path, sizeof path, &err),
                     MD_ERR_ARG);
    assert_int_equal(md_render_find_template(&cfg, "a/b.xsl", path, sizeof path, &err),
                     MD_ERR_ARG);
    assert_int_equal(md_render_find_template(&cfg, "no-such.xsl", path, sizeof path, &err),
                     MD_ERR_NOTFOUND);
    assert_int_equal(md_render_find_template(&cfg, "dossier-text.xsl", path, sizeof path, &err),
                     MD_OK);
    assert_non_null(strstr(path, "/templates/dossier-text.xsl"));
    /* the config's directory comes first */
    snprintf(cfg.templates_dir, sizeof cfg.templates_dir, "%s", tmpdir);
    tmp_path(own, sizeof own, "dossier-text.xsl");
    f = fopen(own, "w");
    assert_non_null(f);
    fputs("<x/>", f);
    fclose(f);
    assert_int_equal(md_render_find_template(&cfg, "dossier-text.xsl", path, sizeof path, &err),
                     MD_OK);
    assert_string_equal(path, own);
    unlink(own);
    assert_int_equal(md_render_find_template(&cfg, "dossier-text.xsl", path, 8, &err),
                     MD_ERR_LIMIT);
}

int main(void)
{
    const char *t = getenv("MD_TMP");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate_samples),
        cmocka_unit_test(test_validate_broken),
        cmocka_unit_test(test_pdf_golden),
        cmocka_unit_test(test_pdf_footers_fonts_meta),
        cmocka_unit_test(test_pdf_long),
        cmocka_unit_test(test_pdf_errors),
        cmocka_unit_test(test_pdf_job),
        cmocka_unit_test(test_pdf_compressed),
        cmocka_unit_test(test_pdf_text_operators),
        cmocka_unit_test(test_minimal),
        cmocka_unit_test(test_text_dossier),
        cmocka_unit_test(test_text_request),
        cmocka_unit_test(test_xslt_sandbox),
        cmocka_unit_test(test_xslt_wrap),
        cmocka_unit_test(test_find_template),
    };
    snprintf(tmpdir, sizeof tmpdir, "%s", t && *t ? t : "/tmp");
    mkdir(tmpdir, 0700);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
