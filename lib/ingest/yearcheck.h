/* yearcheck.h: whether the dates read from a log agree with other evidence.
 *
 * BSD syslog stamps carry no year: ingest infers it from the file's time or
 * takes --year, and a wrong year is otherwise silent.  After a walk
 * (md_ingest_path: the readers' walk_end), each log source read in it is
 * compared with the stored messages that carry the Message-ID of one of its
 * messages (copies, bounces: none of their Received dates within
 * MD_LIMIT_YEAR_SLACK_SECS of the log's time, and the latest of them, or
 * without any their Date, farther) and with its file's modification time (lines dated
 * more than that after it, or after now); so is every log source that a
 * message stored in the walk names.  One warning per source at most
 * (md_ingest_note: the exit status stays), naming the file, the year and
 * how it came about, the evidence, and the --year to try.  Never prints.
 */
#ifndef MD_YEARCHECK_H
#define MD_YEARCHECK_H

#include <stdint.h>
#include "base/err.h"
#include "ingest/ingest.h"

/* md_yearcheck_note: log source_id was read in this walk (mtime: its
 * file's modification time, 0 unknown); checked by md_yearcheck_run, or at
 * once when MD_LIMIT_YEAR_SRCS are noted already. */
int md_yearcheck_note(md_ingest *ig, int64_t source_id, int64_t mtime, md_err *err);
/* md_yearcheck_run: the checks above; then forgets the noted sources and
 * takes the messages stored so far as seen (ig->msg_top). */
int md_yearcheck_run(md_ingest *ig, md_err *err);
/* md_yearcheck_local_year: the year of unix time t in the local zone. */
int md_yearcheck_local_year(int64_t t);

#endif
