/* msgfile.h: the ingest reader for messages and mbox files (kinds MD_KIND_MESSAGE, MD_KIND_MBOX).
 * (placeholder: being built) */
#ifndef MD_MSGFILE_H
#define MD_MSGFILE_H

#include "ingest.h"

/* md_msgfile_ingest: an md_ingest_fn (see ingest.h). */
int md_msgfile_ingest(md_ingest *ig, md_input *in, const char *path, md_err *err);

#endif
