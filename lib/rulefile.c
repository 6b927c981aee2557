/* rulefile.c: the ingest reader for forwarding rule files (aliases, .forward, Sieve, rules CSV) (placeholder). */
#include "rulefile.h"

int md_rulefile_ingest(md_ingest *ig, md_input *in, const char *path, md_err *err)
{
    (void)ig;
    (void)in;
    (void)path;
    return md_err_set(err, MD_ERR_PARSE, "no reader for this kind of input yet");
}
