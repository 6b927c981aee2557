/* repfile.h: the ingest reader for reputation data (DMARC aggregate XML/zip, SNDS CSV).
 * (placeholder: being built) */
#ifndef MD_REPFILE_H
#define MD_REPFILE_H

#include "ingest.h"

/* md_repfile_ingest: an md_ingest_fn (see ingest.h). */
int md_repfile_ingest(md_ingest *ig, md_input *in, const char *path, md_err *err);

#endif
