/* rulefile.h: the ingest reader for forwarding rule files (aliases, .forward, Sieve, rules CSV).
 * (placeholder: being built) */
#ifndef MD_RULEFILE_H
#define MD_RULEFILE_H

#include "ingest.h"

/* md_rulefile_ingest: an md_ingest_fn (see ingest.h). */
int md_rulefile_ingest(md_ingest *ig, md_input *in, const char *path, md_err *err);

#endif
