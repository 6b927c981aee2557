/* forget.h: taking inputs back out of the store (`maildossier forget`,
 * and a log read again with another --year or zone: logfile.c).
 *
 * A SOURCE is named as ingest was given it, a file or a directory (then
 * every source under it); it is compared with each stored source's paths
 * (as given to ingest) and each rule file's origin,
 * all in canonical form (realpath(3); a path that no longer exists is made
 * absolute against the working directory and its "." and ".." steps
 * removed).  Forgetting removes the source and everything derived from it,
 * and nothing else (store_forget.h says what that is).  The name an input
 * was last read under counts; the first name only when no input was last
 * read under that path (a mail.log rotated to mail.log.1 and read again
 * there is mail.log.1, not mail.log).  A log message with
 * lines in a forgotten file and in others (one that spans a rotation) is
 * made again from its other lines alone: the message those lines make when
 * read without the forgotten file.
 *
 * The caller holds the store's log claim (md_store_claim_logs) and one
 * transaction for the whole (md_store_begin_nofk): a kill leaves the old or
 * the new state.  Nothing here prints.
 */
#ifndef MD_FORGET_H
#define MD_FORGET_H

#include <stdint.h>
#include "base/err.h"
#include "ingest/ingest.h"
#include "store/store_forget.h"

/* md_forget_canon: path in canonical form (see above) into out[n];
 * MD_ERR_ARG when it does not fit. */
int md_forget_canon(const char *path, char *out, size_t n, md_err *err);

/* md_forget_mark_path: mark every stored source at or under path for
 * md_forget_marked, and forget the rule files at or under it now; *found
 * is the number of sources and rule files it names (0: nothing; the caller
 * says so).  Call md_store_forget_begin first. */
int md_forget_mark_path(md_store *st, const char *path, uint64_t *found, md_forget_counts *c,
                        md_err *err);

/* md_forget_marked: forget the marked sources (md_store_forget_log and
 * md_store_forget_marked), then make the messages that had lines in them
 * and in other sources again from their other lines (ig: the store and
 * configuration; its log_format and host as ingest was given them), and
 * run the link pass (md_store_log_resolve): logfile.h's
 * md_logfile_forget_marked. */
int md_forget_marked(md_ingest *ig, md_forget_counts *c, md_err *err);

#endif
