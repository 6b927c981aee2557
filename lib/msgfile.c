/* msgfile.c: the ingest reader for messages and mbox files (kinds MD_KIND_MESSAGE, MD_KIND_MBOX) (placeholder). */
#include "msgfile.h"

int md_msgfile_ingest(md_ingest *ig, md_input *in, const char *path, md_err *err)
{
    (void)ig;
    (void)in;
    (void)path;
    return md_err_set(err, MD_ERR_PARSE, "no reader for this kind of input yet");
}
