/* render_pdf_int.h: private to the PDF rendering (render_pdf.c lays out,
 * pdffile.c prepares and saves): the page geometry, type sizes and the
 * layout state of one PDF (fonts, pages, the string pool, the open table).
 * Nothing else includes it. */
#ifndef MD_RENDER_PDF_INT_H
#define MD_RENDER_PDF_INT_H

#include <stddef.h>
#include <hpdf.h>
#include <libxml/tree.h>
#include "base/err.h"
#include "render/render.h"

/* ---- page geometry (points) ---------------------------------------------- */
#define PAGE_W   595.276f
#define PAGE_H   841.89f
#define M_LEFT   50.0f
#define M_RIGHT  50.0f
#define M_TOP    52.0f
#define M_BOTTOM 58.0f
#define CONTENT_W (PAGE_W - M_LEFT - M_RIGHT)

#define SZ_BODY  9.0f
#define SZ_TABLE 7.5f
#define SZ_MONO  6.8f
#define SZ_SMALL 6.5f
#define SZ_H1    13.0f
#define SZ_H2    10.0f
#define LEAD(sz) ((sz) * 1.28f)
#define CELL_PAD 2.5f

#define MAX_COLS 8

typedef struct pdf_font {
    HPDF_Font f;
    float *w;            /* width per BMP code point in 1/1000 em; 0 = unknown */
} pdf_font;

typedef struct lines {
    char **v;
    size_t n, cap;
} lines;

typedef struct col {
    const char *title;
    float frac;          /* share of the content width */
    int mono;
} col;

typedef struct table {
    const col *cols;
    int ncols;
    float x[MAX_COLS], w[MAX_COLS];
    int row;             /* rows drawn, for shading */
} table;

typedef struct pdf {
    HPDF_Doc doc;
    HPDF_Page page;
    HPDF_Page *pages;
    size_t npages, cap;
    pdf_font sans, bold, mono;
    float y;             /* top of the free space on the current page */
    int compress;        /* deflate the streams (pdfz.h) */
    int failed;          /* libharu reported an error */
    unsigned long code, detail;
    int oom;
    const char *ticket;
    const char *generated;
    const char *version; /* tool-version of the document */
    const char *zone;    /* zone of the window: times in it are shown without */
    char **pool;         /* strings owned until the end */
    size_t npool, cappool;
    table *open_table;   /* header to repeat after a page break */
} pdf;

/* pdffile.c: the libharu document with the fonts of font_dir (*p is
 * initialised; md_pdf_free it whatever the result), the laid-out document
 * saved to out_path, everything freed. */
int md_pdf_prepare(pdf *p, const char *font_dir, int compress, md_err *err);
int md_pdf_save(pdf *p, const char *out_path, md_err *err);
void md_pdf_free(pdf *p);

/* render_pdf.c: lay out doc on the prepared p and md_pdf_save it; the
 * font directory of the options (or the built-in one). */
int md_pdf_draw(pdf *p, const xmlDoc *doc, const char *out_path, md_err *err);
const char *md_pdf_font_dir(const md_render_opts *o);

#endif
