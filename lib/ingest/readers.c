/* readers.c: the table of readers by kind of input (see readers.h).  Owns
 * nothing but the constant table. */
#include "ingest/readers.h"
#include "ingest/logfile.h"
#include "ingest/msgfile.h"
#include "ingest/repfile.h"
#include "ingest/rulefile.h"
#include "ingest/yearcheck.h"

static const md_ingest_readers table = {
    .read = {
        [MD_KIND_LOG] = md_logfile_ingest,
        [MD_KIND_MESSAGE] = md_msgfile_ingest,
        [MD_KIND_MBOX] = md_msgfile_ingest,
        [MD_KIND_ALIASES] = md_rulefile_ingest,
        [MD_KIND_FORWARD] = md_rulefile_ingest,
        [MD_KIND_SIEVE] = md_rulefile_ingest,
        [MD_KIND_RULES_CSV] = md_rulefile_ingest,
        [MD_KIND_DMARC] = md_repfile_ingest,
        [MD_KIND_ZIP] = md_repfile_ingest,
        [MD_KIND_SNDS] = md_repfile_ingest,
        [MD_KIND_SNDS_STATUS] = md_repfile_ingest,
        [MD_KIND_TLSRPT] = md_repfile_ingest,
    },
    .batched = md_msgfile_ingest,
    .batch_begin = md_msgfile_batch_begin,
    .batch_flush = md_msgfile_flush,
    .batch_finish = md_msgfile_finish,
    .walk_end = md_yearcheck_run,
};

const md_ingest_readers *md_readers(void)
{
    return &table;
}

void md_readers_init(md_ingest *ig, md_store *store, const md_config *cfg)
{
    md_ingest_init(ig, store, cfg);
    ig->readers = &table;
}
