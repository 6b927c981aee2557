/* repshow.h: `show FILE` of a report file: what was read from a TLS report
 * (RFC 8460 JSON) or a DMARC aggregate report (RFC 7489 or dmarc-2.0
 * XML), in plain text, from the parsed document only (nothing looked up).
 * Never prints: the text is appended to a caller-owned md_buf. */
#ifndef MD_REPSHOW_H
#define MD_REPSHOW_H

#include <stddef.h>
#include "base/buf.h"
#include "base/err.h"

/* md_repshow_render: if data[0..n) (decompressed) is a TLS report or a
 * DMARC aggregate report, parse it (name for errors) and append what was
 * read to out; returns 1.  0 when it is neither (nothing appended).  A
 * report that is recognised but broken returns MD_ERR_PARSE / MD_ERR_LIMIT
 * with "name:line: what" in err; MD_ERR_NOMEM. */
int md_repshow_render(md_buf *out, const char *name, const char *data, size_t n, md_err *err);

/* md_repshow_attachments: each attachment of m that is a TLS or DMARC
 * aggregate report (plain or gzip-compressed; a zip is named, not opened)
 * appended as md_repshow_render gives it, under a line naming the part;
 * label names the message in errors.  A broken report is said in the text
 * ("not read: why").  Returns the number of reports shown, or MD_ERR_NOMEM. */
struct md_message;
int md_repshow_attachments(md_buf *out, const struct md_message *m, const char *label);

#endif
