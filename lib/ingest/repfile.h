/* repfile.h: the ingest reader for reputation data: DMARC aggregate reports
 * (.xml, .xml.gz, .zip, and report attachments of mails), TLS reports
 * (RFC 8460 JSON: .json, .json.gz, attachments), the SNDS data export CSV
 * and the SNDS IP status export CSV.
 *
 * Parsing lives in dmarc.c, tlsrpt.c and snds.c; this module reads an md_input into
 * memory (bounded by lib/base/md_limits.h), dispatches on kind, unpacks zip archives
 * and stores the results through store_rep.h.  Bad input is reported through
 * md_ingest_warn (file and line) and the rest of the input is still taken. */
#ifndef MD_REPFILE_H
#define MD_REPFILE_H

#include <stddef.h>
#include "ingest/ingest.h"

/* md_repfile_ingest: an md_ingest_fn (see ingest.h) for MD_KIND_DMARC,
 * MD_KIND_ZIP, MD_KIND_TLSRPT, MD_KIND_SNDS and MD_KIND_SNDS_STATUS. */
int md_repfile_ingest(md_ingest *ig, md_input *in, const char *path, md_err *err);

/* md_repfile_take_attachment: the hook the mail reader calls for each
 * attachment of a message that may be a DMARC aggregate or TLS report.
 *   path  the message's file (for warnings and the stored source),
 *   name  the attachment's file name (may be NULL or ""),
 *   data  the decoded (base64 undone) bytes, n their length; not kept.
 * The content decides (.xml, .json, gzip-compressed or .zip; the name only
 * helps).  Returns 1 when it was stored as a report (or had already been
 * stored), 0 when it is not a report (nothing stored, nothing warned), or a
 * negative MD_ERR_* when the store failed (err says why).  A report that is
 * recognised but broken is warned through md_ingest_warn and returns 0. */
int md_repfile_take_attachment(md_ingest *ig, const char *path, const char *name,
                               const unsigned char *data, size_t n, md_err *err);

#endif
