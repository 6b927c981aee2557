/* render.h: the renderings of an evidence document (dossier, request).
 *
 * The analysis writes one XML evidence document (templates/dossier.xsd or
 * templates/request.xsd); this module only lays out what that document
 * says: a PDF drawn with libharu (A4, DejaVu fonts embedded, UTF-8), text
 * made by an XSLT stylesheet from templates/ (libxslt, secured: no file
 * writes, no directory creation, no network), and schema validation.  It
 * holds no SQL and no analysis logic; it never prints (libxml2/libxslt
 * messages are collected into the md_err).
 *
 * Ownership: documents are the caller's and are not changed; md_buf outputs
 * are appended to and stay the caller's.
 */
#ifndef MD_RENDER_H
#define MD_RENDER_H

#include <stddef.h>
#include <libxml/tree.h>
#include "base/buf.h"
#include "base/config.h"
#include "base/err.h"

#define MD_RENDER_FONT_DIR "/usr/share/fonts/truetype/dejavu"

typedef struct md_render_opts {
    /* directory holding DejaVuSans.ttf, DejaVuSans-Bold.ttf and
     * DejaVuSansMono.ttf; NULL or "" = MD_RENDER_FONT_DIR */
    const char *font_dir;
    /* 1 = compress streams (default; zlib's fastest level, see render_pdf.c); 0 for
     * debugging */
    int compress;
} md_render_opts;

/* md_render_opts_init: defaults (font_dir NULL, compress 1). */
void md_render_opts_init(md_render_opts *o);
/* md_render_opts_from_config: defaults, then [dossier] fonts of cfg (cfg may
 * be NULL).  o->font_dir then points into cfg. */
void md_render_opts_from_config(md_render_opts *o, const md_config *cfg);

/* md_render_pdf: draw the dossier document doc (root <dossier>) as a PDF at
 * out_path (written whole, replaced if present).  o may be NULL (defaults).
 * 0; MD_ERR_ARG (not a dossier document), MD_ERR_IO (fonts missing, file
 * not writable), MD_ERR_NOMEM, MD_ERR_PARSE (libharu refused something; err
 * has its code).  On failure no partial file is left at out_path. */
int md_render_pdf(const xmlDoc *doc, const char *out_path, const md_render_opts *o,
                  md_err *err);

/* The same rendering on a thread of its own, so that its fixed costs (the
 * libharu document and three fonts) overlap the analysis that produces doc,
 * and its layout and compression overlap the other renderings.
 * md_render_pdf_start: begin now (fonts load on the thread; *out owned by
 * the caller until md_render_pdf_wait).  md_render_pdf_submit: hand over
 * the finished document (a copy of out_path is kept; doc is only read, and
 * the caller must neither change nor free it until md_render_pdf_wait
 * returns).  md_render_pdf_wait: join; returns what md_render_pdf would
 * have returned (err filled), 0 for a job never submitted (cancelled), and
 * frees the job.  Without threads the work happens inside wait. */
typedef struct md_pdf_job md_pdf_job;
int md_render_pdf_start(const md_render_opts *o, md_pdf_job **out, md_err *err);
int md_render_pdf_submit(md_pdf_job *j, const xmlDoc *doc, const char *out_path, md_err *err);
int md_render_pdf_wait(md_pdf_job *j, md_err *err);

/* md_render_xslt: apply the stylesheet at xsl_path to doc and append the
 * result (the stylesheet's output method, normally text, UTF-8) to out.
 * The transform may not write files, create directories or use the network.
 * It may call md:wrap(text, first, hang, width) (namespace
 * urn:x-maildossier:xslt), templates/common-text.xsl's line filler in C.
 * 0; MD_ERR_IO (no stylesheet), MD_ERR_PARSE (bad stylesheet or transform
 * error; err has the first message with file and line), MD_ERR_NOMEM. */
int md_render_xslt(const xmlDoc *doc, const char *xsl_path, md_buf *out, md_err *err);

/* md_render_validate: validate doc against the XML schema at xsd_path.
 * 0 if valid; MD_ERR_PARSE with the first errors ("line N: ...", the number
 * of errors) in err; MD_ERR_IO when the schema cannot be read. */
int md_render_validate(const xmlDoc *doc, const char *xsd_path, md_err *err);

/* md_render_find_template: the path of template `name` (a plain file name
 * such as "dossier-text.xsl"; no '/', no leading '.') into path_out (size
 * n): the first that exists of [dossier] templates of cfg (cfg may be NULL),
 * the templates/ of the installation the running program belongs to (found
 * from /proc/self/exe, so that a moved installation keeps working),
 * MD_DATADIR/templates (the configured prefix), and the source tree's
 * templates/ (for runs from the build directory).  0, MD_ERR_ARG (bad name), MD_ERR_NOTFOUND (err
 * lists the places tried), MD_ERR_LIMIT (path too long). */
int md_render_find_template(const md_config *cfg, const char *name, char *path_out,
                            size_t n, md_err *err);

/* md_render_read: parse the XML file at path into *out (the caller frees it
 * with xmlFreeDoc).  No network, no external entities; errors collected.
 * 0, MD_ERR_IO, MD_ERR_PARSE. */
int md_render_read(xmlDoc **out, const char *path, md_err *err);

#endif
