/* repfile.c: the ingest reader for reputation data (DMARC aggregate XML/zip, SNDS CSV) (placeholder). */
#include "repfile.h"

int md_repfile_ingest(md_ingest *ig, md_input *in, const char *path, md_err *err)
{
    (void)ig;
    (void)in;
    (void)path;
    return md_err_set(err, MD_ERR_PARSE, "no reader for this kind of input yet");
}
