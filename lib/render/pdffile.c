/* pdffile.c: the file side of the PDF rendering (render_pdf.c lays out):
 * the libharu document with its three embedded fonts (the fixed cost,
 * prepared before the layout: md_pdf_prepare), saving the laid-out document
 * with its streams deflated by pdfz.h and written whole (md_pdf_save), and
 * the same on a thread while the analysis runs (md_pdf_job).  libharu is
 * used through its public API (hpdf.h) only. */
#include "render/render.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hpdf.h>
#include <libxml/parser.h>

#include "base/outfile.h"
#include "render/pdfz.h"
#include "render/render_pdf_int.h"

/* ---- libharu error handler ----------------------------------------------- */

static void on_error(HPDF_STATUS code, HPDF_STATUS detail, void *ud)
{
    pdf *p = ud;
    if (!p->failed) {
        p->failed = 1;
        p->code = code;
        p->detail = detail;
    }
}

static int load_font(pdf *p, pdf_font *f, const char *dir, const char *file, md_err *err)
{
    char path[MD_LIMIT_PATH];
    const char *name;
    int w = snprintf(path, sizeof path, "%s/%s", dir, file);
    if (w < 0 || (size_t)w >= sizeof path)
        return md_err_set(err, MD_ERR_LIMIT, "font path too long");
    if (access(path, R_OK) != 0)
        return md_err_set(err, MD_ERR_IO, "%s: %s (set [dossier] fonts)", path,
                          strerror(errno));
    name = HPDF_LoadTTFontFromFile(p->doc, path, HPDF_TRUE);
    if (!name)
        return md_err_set(err, MD_ERR_PARSE, "%s: libharu cannot load it (error 0x%04lX)", path,
                          p->code);
    f->f = HPDF_GetFont(p->doc, name, "UTF-8");
    if (!f->f)
        return md_err_set(err, MD_ERR_PARSE, "%s: no UTF-8 font (error 0x%04lX)", path, p->code);
    f->w = calloc(0x10000, sizeof *f->w);
    if (!f->w)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    return MD_OK;
}

void md_pdf_free(pdf *p)
{
    size_t i;
    if (p->doc)
        HPDF_Free(p->doc);
    free(p->pages);
    free(p->sans.w);
    free(p->bold.w);
    free(p->mono.w);
    for (i = 0; i < p->npool; i++)
        free(p->pool[i]);
    free(p->pool);
}

/* The fixed costs: the libharu document and the three fonts with their
 * CID maps (libharu looks up the glyph of each of the 65,536 BMP code
 * points of each font, walking the font's cmap segments one by one: the
 * largest single cost of the PDF); independent of the document, so a job
 * does them while the analysis runs. */
int md_pdf_prepare(pdf *p, const char *font_dir, int compress, md_err *err)
{
    int rc;
    memset(p, 0, sizeof *p);
    p->doc = HPDF_New(on_error, p);
    if (!p->doc)
        return md_err_set(err, MD_ERR_NOMEM, "render: libharu: out of memory");
    p->compress = compress; /* by pdf_save: libharu writes the streams as they are */
    HPDF_UseUTFEncodings(p->doc);
    if ((rc = load_font(p, &p->sans, font_dir, "DejaVuSans.ttf", err)) != MD_OK ||
        (rc = load_font(p, &p->bold, font_dir, "DejaVuSans-Bold.ttf", err)) != MD_OK ||
        (rc = load_font(p, &p->mono, font_dir, "DejaVuSansMono.ttf", err)) != MD_OK)
        return rc;
    return MD_OK;
}

/* write the PDF libharu saved (uncompressed) to out_path whole, its
 * streams deflated first when p->compress (pdfz.h: zlib's fastest level,
 * on this thread and one more; libharu's own is its default level,
 * hard-wired, about three times the work).  Should the deflating refuse
 * the file, it is written uncompressed: larger, but the same document. */
static int pdf_write(pdf *p, const char *out_path, const unsigned char *pdf_bytes, size_t n,
                     md_err *err)
{
    md_buf z = MD_BUF_INIT;
    md_err zerr;
    int rc;
    if (!p->compress)
        return md_outfile_write(out_path, pdf_bytes, n, err);
    rc = md_pdfz_deflate(pdf_bytes, n, 1 /* Z_BEST_SPEED */, 2, &z, &zerr);
    if (rc == MD_ERR_NOMEM)
        rc = md_err_set(err, MD_ERR_NOMEM, "render: out of memory");
    else if (rc != MD_OK)
        rc = md_outfile_write(out_path, pdf_bytes, n, err);
    else
        rc = md_outfile_write(out_path, z.data, z.len, err);
    md_buf_free(&z);
    return rc;
}

/* save the laid-out p into memory and write it to out_path (pdf_write,
 * md_outfile_write: a fresh temporary file beside it, then a rename) */
int md_pdf_save(pdf *p, const char *out_path, md_err *err)
{
    HPDF_STATUS saved = HPDF_SaveToStream(p->doc);
    HPDF_UINT32 size = saved == HPDF_OK && !p->failed ? HPDF_GetStreamSize(p->doc) : 0;
    if (size == 0)
        return md_err_set(err, MD_ERR_IO, "%s: cannot write (libharu error 0x%04lX)", out_path,
                          p->code);
    unsigned char *mem = malloc(size);
    if (!mem)
        return md_err_set(err, MD_ERR_NOMEM, "render: out of memory");
    HPDF_UINT32 got = size;
    int rc;
    if (HPDF_ReadFromStream(p->doc, mem, &got) != HPDF_OK || got != size)
        rc = md_err_set(err, MD_ERR_IO, "%s: cannot write (libharu error 0x%04lX)", out_path,
                        p->code);
    else
        rc = pdf_write(p, out_path, mem, size, err);
    free(mem);
    return rc;
}

/* ---- the same on a thread (md_pdf_job) ----------------------------------- */

struct md_pdf_job {
    pthread_t thread;
    int threaded;              /* 0: pthread_create failed, work in wait */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int submitted, cancelled;  /* under mu */
    const xmlDoc *doc;         /* set by submit, under mu */
    char path[MD_LIMIT_PATH];
    char font_dir[MD_LIMIT_PATH];
    int compress;
    pdf p;
    int rc;
    md_err err;
    int finished;              /* under mu: job_main is done */
};

static void *job_main(void *arg)
{
    md_pdf_job *j = arg;
    j->rc = md_pdf_prepare(&j->p, j->font_dir, j->compress, &j->err);
    pthread_mutex_lock(&j->mu);
    while (!j->submitted && !j->cancelled)
        pthread_cond_wait(&j->cv, &j->mu);
    int draw = j->submitted;
    pthread_mutex_unlock(&j->mu);
    if (j->rc == MD_OK && draw)
        j->rc = md_pdf_draw(&j->p, j->doc, j->path, &j->err);
    md_pdf_free(&j->p);
    pthread_mutex_lock(&j->mu);
    j->finished = 1;
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

int md_render_pdf_start(const md_render_opts *o, md_pdf_job **out, md_err *err)
{
    md_pdf_job *j = calloc(1, sizeof *j);
    *out = NULL;
    if (!j)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    const char *dir = md_pdf_font_dir(o);
    if (strlen(dir) >= sizeof j->font_dir) {
        free(j);
        return md_err_set(err, MD_ERR_LIMIT, "font directory path too long");
    }
    memcpy(j->font_dir, dir, strlen(dir) + 1);
    j->compress = !o || o->compress;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    xmlInitParser(); /* libxml2's globals, before a second thread reads documents */
    j->threaded = pthread_create(&j->thread, NULL, job_main, j) == 0;
    *out = j;
    return MD_OK;
}

int md_render_pdf_submit(md_pdf_job *j, const xmlDoc *doc, const char *out_path, md_err *err)
{
    if (!j || !doc || !out_path)
        return md_err_set(err, MD_ERR_ARG, "render: no job, document or output path");
    if (strlen(out_path) >= sizeof j->path)
        return md_err_set(err, MD_ERR_LIMIT, "render: output path too long");
    pthread_mutex_lock(&j->mu);
    if (!j->submitted && !j->cancelled) {
        memcpy(j->path, out_path, strlen(out_path) + 1);
        j->doc = doc;
        j->submitted = 1;
        pthread_cond_broadcast(&j->cv);
    }
    pthread_mutex_unlock(&j->mu);
    return MD_OK;
}

int md_render_pdf_wait(md_pdf_job *j, md_err *err)
{
    if (!j)
        return MD_OK;
    pthread_mutex_lock(&j->mu);
    if (!j->submitted)
        j->cancelled = 1;
    pthread_cond_broadcast(&j->cv);
    while (j->threaded && !j->finished)
        pthread_cond_wait(&j->cv, &j->mu);
    pthread_mutex_unlock(&j->mu);
    if (j->threaded)
        pthread_join(j->thread, NULL);
    else
        job_main(j); /* no thread: the same work, here and now */
    int rc = j->submitted ? j->rc : MD_OK;
    if (rc != MD_OK && err)
        *err = j->err;
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    free(j);
    return rc;
}
