/* render_src.h: the provenance of a document's claims as the renderers
 * show it (see dossier/sources.h for the document side): the footnote
 * marker of a claim element (src="s3 s7 s8 s9" -> "[3,7-9]") and one <source> of
 * the <sources> list in words ("log n-mail-2/mail.log.1.gz:29 (n-mail-2)").
 * The text renderings do the same in templates/common-text.xsl.
 * Ownership: out is the caller's md_buf; the functions append to it.
 * Never prints. */
#ifndef MD_RENDER_SRC_H
#define MD_RENDER_SRC_H

#include <libxml/tree.h>
#include "base/buf.h"

/* md_render_cite: append "[3,7-9]" for el's src attribute (runs of three
 * or more ascending numbers joined; nothing when el is NULL or has none). */
void md_render_cite(const xmlNode *el, md_buf *out);

/* md_render_source_words: append one <source> element in words. */
void md_render_source_words(const xmlNode *src, md_buf *out);

#endif
