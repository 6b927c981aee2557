/* logstore.h: for the analysis tests: a store in a fresh test directory
 * filled by ingesting log lines (written to DIR/mail.log, default
 * configuration, syslog year `year`).  Include after testutil.h. */
#ifndef MD_TEST_LOGSTORE_H
#define MD_TEST_LOGSTORE_H

#include "base/config.h"
#include "ingest/ingest.h"
#include "ingest/readers.h"

/* md_test_logstore: dir (size n) becomes the test directory of name; the
 * store there is opened into *st and lines[0..nlines) ingested.  0 or -1
 * (cmocka group setups return it). */
static inline int md_test_logstore(char *dir, size_t n, const char *name,
                                   const char *const *lines, size_t nlines, int year,
                                   md_store **st)
{
    char logpath[4200], db[4200];
    md_test_dir(dir, n, name);
    snprintf(logpath, sizeof logpath, "%s/mail.log", dir);
    FILE *fp = fopen(logpath, "w");
    if (!fp)
        return -1;
    for (size_t i = 0; i < nlines; i++)
        fprintf(fp, "%s\n", lines[i]);
    fclose(fp);
    snprintf(db, sizeof db, "%s/t.db", dir);
    md_err err = {0, ""};
    if (md_store_open(st, db, 0, &err) != MD_OK)
        return -1;
    md_config cfg;
    md_config_defaults(&cfg);
    md_ingest ig;
    md_readers_init(&ig, *st, &cfg);
    ig.year = year;
    return md_ingest_path(&ig, logpath, &err) == MD_OK ? 0 : -1;
}

#endif
