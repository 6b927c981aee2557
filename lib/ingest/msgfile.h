/* msgfile.h: the ingest reader for messages and mbox files (kinds
 * MD_KIND_MESSAGE and MD_KIND_MBOX; a Maildir arrives as one file per
 * message).
 *
 * For each message: parse (message.h), classify (complaint: arf.h; bounce:
 * dsn.h; Microsoft sender-support reply: msreply.h; mail carrying a DMARC
 * report: repfile.h; else a plain message) and store the header evidence
 * (store_msg.h).  Messages attached to bounces and complaints are stored
 * too.  Idempotent by content hash.  Bad input is reported through
 * md_ingest_warn (file and line) and the rest is taken.
 *
 * Batching (optional, for Maildirs of many small files): between
 * md_msgfile_batch_begin and md_msgfile_finish, messages of successive
 * inputs share one transaction (committed every MD_MSGFILE_BATCH messages)
 * and one set of prepared statements, and message files are parsed on
 * parse threads (started with the first file: one per processor but one,
 * at least one; MAILDOSSIER_PARSE_THREADS sets the number) while this
 * thread reads the next files and stores the parsed ones, in input order:
 * ids, warnings and counts are those of reading one file after the other.
 * A file is stored by md_msgfile_ingest of a later file or by
 * md_msgfile_flush / md_msgfile_finish; the stats count it then.  The
 * caller must call md_msgfile_flush before any other reader runs, and
 * md_msgfile_finish before the store is closed (an open batch would
 * otherwise be rolled back).  Without md_msgfile_batch_begin each input
 * commits on its own.
 */
#ifndef MD_MSGFILE_H
#define MD_MSGFILE_H

#include "ingest/ingest.h"

/* messages per transaction while batching: each commit writes again (and
 * journals) the index pages the batch touched, at random places of the
 * hash, source and address indexes; 100,000 messages wrote 360,000 pages
 * in batches of 2,000, 143,000 in batches of 10,000 (a crash loses at most
 * one batch: stored again by the next run) */
#define MD_MSGFILE_BATCH 10000

/* md_msgfile_ingest: an md_ingest_fn (see ingest.h). */
int md_msgfile_ingest(md_ingest *ig, md_input *in, const char *path, md_err *err);

/* md_msgfile_store_reply: when msg is a Microsoft sender-support reply
 * (md_msreply_from_message), store each (IP, outcome) with the mail's Date
 * (0 if none), message_id (the store row of the message, 0 if none) and its
 * Message-ID, and return 1; 0 when it is no such reply (nothing stored); a
 * negative code when the store failed (err).  Runs inside the caller's
 * transaction when one is open.  Storing the same mail again adds nothing. */
struct md_message;
int md_msgfile_store_reply(md_ingest *ig, const struct md_message *msg, int64_t message_id,
                           md_err *err);

/* md_msgfile_batch_begin: start batching (ig->msg_batch).  0 or MD_ERR_NOMEM.
 * Calling it twice is harmless. */
int md_msgfile_batch_begin(md_ingest *ig, md_err *err);

/* md_msgfile_flush: commit what the batch holds, batching goes on (call it
 * before another reader runs: it opens its own transaction).  Safe without
 * a batch.  0 or the store's error (the batch is then rolled back). */
int md_msgfile_flush(md_ingest *ig, md_err *err);

/* md_msgfile_finish: commit what the batch holds and end batching; safe to
 * call when no batch is open.  0 or the store's error (the batch is then
 * rolled back). */
int md_msgfile_finish(md_ingest *ig, md_err *err);

#endif
