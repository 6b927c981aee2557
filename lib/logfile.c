/* logfile.c: the reader for mail log files (see logfile.h).
 * Placeholder until the log area lands: counts lines only. */
#include "logfile.h"

int md_logfile_ingest(md_ingest *ig, md_input *in, const char *path, md_err *err)
{
    const char *line;
    size_t n;
    int flags, rc;
    (void)path;
    while ((rc = md_input_getline(in, &line, &n, &flags, err)) == 1) {
        ig->stats.lines++;
        md_ingest_tick(ig, in);
    }
    return rc;
}
