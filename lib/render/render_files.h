/* render_files.h: writing a ticket's dossier to files. */
#ifndef MD_RENDER_FILES_H
#define MD_RENDER_FILES_H

#include <stddef.h>
#include <libxml/tree.h>
#include "base/config.h"
#include "base/err.h"
#include "render/render.h"

/* md_render_dossier_files: render doc into dir as dossier-NUMBER.{pdf,txt,xml}
 * for each format flag set (MD_FMT_*).  paths/formats receive the files
 * written, in the order pdf, txt, xml (pointers to static format names;
 * paths malloc'ed: free each).  The PDF is drawn on a thread while the
 * text and XML are written: pdf is a job the caller started before the
 * analysis (md_render_pdf_start, so the fonts load meanwhile); it is taken
 * over (waited for and freed) in every case; NULL = start one here when
 * MD_FMT_PDF is set.  0 or the first negative code; every format that
 * could be written is, whatever failed. */
#define MD_FMT_PDF 0x1
#define MD_FMT_TXT 0x2
#define MD_FMT_XML 0x4
int md_render_dossier_files(xmlDoc *doc, const md_config *cfg, const char *dir,
                            const char *number, int formats, md_pdf_job *pdf, char *paths[3],
                            const char *fmtnames[3], size_t *nwritten, md_err *err);

#endif
