/* pdfz.h: the streams of an uncompressed PDF deflated, by our own code.
 *
 * libharu deflates what it writes at zlib's default level, hard-wired,
 * which costs a dossier more than its layout.  render_pdf.c has libharu
 * write the PDF uncompressed and hands it here: every stream without a
 * /Filter is deflated at the level asked for (on `threads` threads), its
 * dictionary gets /Filter /FlateDecode and the new /Length (direct, or in
 * the object it refers to), and the cross-reference table is written anew.
 * Everything else is copied byte for byte.  It reads the shape libharu
 * writes (one xref section from object 0, ">>\nstream\r\n" after a stream's
 * dictionary, /Length on a line of its own); anything else is refused
 * whole, never half rewritten.  It neither parses nor changes the content
 * of a stream, and it never prints.
 */
#ifndef MD_PDFZ_H
#define MD_PDFZ_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

/* md_pdfz_deflate: append to out the PDF in[0..n) with its unfiltered
 * streams deflated at `level` (zlib's 0-9) using up to `threads` threads
 * (1: the caller's only).  MD_OK; MD_ERR_PARSE when in is not of the shape
 * above (out then holds what it held before), MD_ERR_NOMEM.  in is not
 * changed; the caller owns out. */
int md_pdfz_deflate(const unsigned char *in, size_t n, int level, int threads, md_buf *out,
                    md_err *err);

#endif
