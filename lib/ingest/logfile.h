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
#include "store/store_forget.h"

/* md_logfile_ingest: an md_ingest_fn (see ingest.h). */
int md_logfile_ingest(md_ingest *ig, md_input *in, const char *path, md_err *err);

/* md_logfile_forget_marked: forget the sources marked in the store
 * (store_forget.h: md_store_forget_log, md_store_forget_marked), then make
 * the log messages that had lines in them and in other sources again from
 * those other lines, read from the store and parsed as md_logfile_ingest
 * parses them (in the years their source's lines were stored in; the
 * correlator as configured by ig), and run the link pass
 * (md_store_log_resolve).  Inside the caller's transaction (begun with
 * md_store_begin_nofk), with the log claim held (md_store_claim_logs). */
int md_logfile_forget_marked(md_ingest *ig, md_forget_counts *c, md_err *err);

#endif
