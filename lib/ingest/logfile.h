/* logfile.h: the reader for mail log files (kind MD_KIND_LOG).
 *
 * Reads an md_input line by line, parses each line (logline.h), correlates
 * lines into messages and delivery attempts (correlate.h), keeps the raw
 * lines, and stores everything through store_log.  Resumes where the last
 * run stopped (sources are matched by content).  Bad lines are counted,
 * reported through md_ingest_warn and kept as raw text.
 */
#ifndef MD_LOGFILE_H
#define MD_LOGFILE_H

#include "ingest/ingest.h"

/* md_logfile_ingest: an md_ingest_fn (see ingest.h). */
int md_logfile_ingest(md_ingest *ig, md_input *in, const char *path, md_err *err);

#endif
