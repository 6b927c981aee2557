/* fuzz_repzip.c: libFuzzer harness for lib/ingest/repfile.c's report unpacking:
 * arbitrary bytes handed to md_repfile_take_attachment as a mail reader
 * would (zip archives via minizip from memory, gzip, XML), stored into an
 * in-memory store.  Entry sizes and nesting are bounded, so zip and gzip
 * bombs must end in a warning, never in memory exhaustion or a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/config.h"
#include "ingest/ingest.h"
#include "ingest/readers.h"
#include "ingest/repfile.h"
#include "store/store.h"

static md_store *store;
static md_config cfg;

static void quiet(void *arg, const char *file, uint64_t line, const char *msg)
{
    (void)arg;
    (void)file;
    (void)line;
    (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    md_err err = {0, ""};
    if (!store) {
        md_config_defaults(&cfg);
        if (md_store_open(&store, ":memory:", 0, &err) != MD_OK)
            abort();
    }
    md_ingest ig;
    md_readers_init(&ig, store, &cfg);
    ig.warn = quiet;
    int rc = md_repfile_take_attachment(&ig, "fuzz.eml", "report.zip", data, size, &err);
    if (rc < 0 && rc != MD_ERR_DB)
        abort(); /* only the store may fail */
    return 0;
}
