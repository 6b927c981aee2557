/* readers.h: the readers of every kind of input, for the walk (ingest.h).
 *
 * md_readers is the table md_ingest_path hands inputs to: logs (logfile.h),
 * messages and mboxes (msgfile.h, which batches), rules (rulefile.h) and
 * reports (repfile.h).  md_readers_init is md_ingest_init with that table:
 * what a command that ingests calls.  The walk knows no reader; this module
 * knows them all.
 */
#ifndef MD_READERS_H
#define MD_READERS_H

#include "ingest/ingest.h"

/* md_readers: the table (static, never freed). */
const md_ingest_readers *md_readers(void);

/* md_readers_init: md_ingest_init, then ig->readers = md_readers(). */
void md_readers_init(md_ingest *ig, md_store *store, const md_config *cfg);

#endif
