/* render_files.c: a dossier's files (see render_files.h): the XML as built,
 * the text through its template, the PDF on the thread the caller started;
 * each written under a fresh temporary name and renamed into place
 * (outfile.h).  Never prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include "dossier/analysis.h"
#include "base/buf.h"
#include "base/outfile.h"
#include "render/render.h"
#include "render/render_files.h"
#include "base/md_limits.h"
#include "base/text.h"

/* ======================================================================
 * writing the files
 * ====================================================================== */

/* the output path dir/dossier-NUMBER.ext into *path (0 or MD_ERR_LIMIT) */
static int out_path(md_buf *path, const char *dir, const char *number, const char *ext,
                    md_err *err)
{
    md_buf_printf(path, "%s/dossier-%s.%s", dir && *dir ? dir : ".", number, ext);
    if (path->oom || path->len >= MD_LIMIT_PATH)
        return md_err_set(err, MD_ERR_LIMIT, "output path too long");
    return MD_OK;
}

/* the text rendering: the template over a copy of doc (xsl:strip-space
 * changes the document it reads, and the PDF thread reads doc meanwhile) */
static int write_text(const xmlDoc *doc, const md_config *cfg, const char *path, md_err *err)
{
    char xsl[MD_LIMIT_PATH];
    md_buf out = MD_BUF_INIT;
    int rc = md_render_find_template(cfg, "dossier-text.xsl", xsl, sizeof xsl, err);
    if (rc != MD_OK)
        return rc;
    xmlDoc *copy = xmlCopyDoc((xmlDoc *)doc, 1);
    if (!copy)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    rc = md_render_xslt(copy, xsl, &out, err);
    xmlFreeDoc(copy);
    if (rc == MD_OK)
        rc = md_outfile_write(path, out.data, out.len, err);
    md_buf_free(&out);
    return rc;
}

/* the evidence document itself, serialised in memory and written whole */
static int write_xml(const xmlDoc *doc, const char *path, md_err *err)
{
    xmlChar *mem = NULL;
    int len = 0;
    xmlDocDumpFormatMemoryEnc((xmlDoc *)doc, &mem, &len, "UTF-8", 1);
    if (!mem)
        return md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", path);
    int rc = md_outfile_write(path, mem, (size_t)len, err);
    xmlFree(mem);
    return rc;
}

int md_render_dossier_files(xmlDoc *doc, const md_config *cfg, const char *dir, const char *number,
                      int formats, md_pdf_job *pdf, char *paths[3], const char *fmtnames[3],
                      size_t *nwritten, md_err *err)
{
    static const struct {
        int flag;
        const char *ext;
    } f[3] = {{MD_FMT_PDF, "pdf"}, {MD_FMT_TXT, "txt"}, {MD_FMT_XML, "xml"}};
    md_buf path[3] = {MD_BUF_INIT, MD_BUF_INIT, MD_BUF_INIT};
    int ok[3] = {0, 0, 0}, first = MD_OK;
    md_err e1;
    *nwritten = 0;
    if (!md_analysis_ticket_valid(number)) {
        md_render_pdf_wait(pdf, NULL);
        return md_err_set(err, MD_ERR_ARG, "not a valid ticket number");
    }
    for (size_t i = 0; i < 3; i++)
        if ((formats & f[i].flag) && out_path(&path[i], dir, number, f[i].ext, err) != MD_OK) {
            md_render_pdf_wait(pdf, NULL);
            for (size_t k = 0; k < 3; k++)
                md_buf_free(&path[k]);
            return MD_ERR_LIMIT;
        }
    int pdf_on = 0;
    if (formats & MD_FMT_PDF) {
        int rc = MD_OK;
        if (!pdf) {
            md_render_opts ro;
            md_render_opts_from_config(&ro, cfg);
            rc = md_render_pdf_start(&ro, &pdf, &e1);
        }
        if (rc == MD_OK)
            rc = md_render_pdf_submit(pdf, doc, md_buf_cstr(&path[0]), &e1);
        pdf_on = rc == MD_OK;
        if (rc != MD_OK)
            first = rc, *err = e1;
    }
    /* meanwhile, on this thread */
    if (formats & MD_FMT_XML) {
        int rc = write_xml(doc, md_buf_cstr(&path[2]), &e1);
        ok[2] = rc == MD_OK;
        if (rc != MD_OK && first == MD_OK)
            first = rc, *err = e1;
    }
    if (formats & MD_FMT_TXT) {
        int rc = write_text(doc, cfg, md_buf_cstr(&path[1]), &e1);
        ok[1] = rc == MD_OK;
        if (rc != MD_OK && first == MD_OK)
            first = rc, *err = e1;
    }
    /* the PDF (or a job the caller started needlessly: cancelled) */
    int rc = md_render_pdf_wait(pdf, &e1);
    ok[0] = pdf_on && rc == MD_OK;
    if (rc != MD_OK && first == MD_OK)
        first = rc, *err = e1;
    for (size_t i = 0; i < 3; i++) {
        if (ok[i]) {
            paths[*nwritten] = md_buf_detach(&path[i]);
            fmtnames[*nwritten] = f[i].ext;
            (*nwritten)++;
        }
        md_buf_free(&path[i]);
    }
    return first;
}

