/* tracelink.h: how far a link made by inference (same Message-ID, the
 * Message-ID quoted by Microsoft, a re-injected forward) may be trusted,
 * for trace (trace.c) to decide which links it follows.
 *
 * NAME
 *   md_tracelink_open, md_tracelink_close, md_tracelink_judge,
 *   md_tracelink_via_matches
 *
 * DESCRIPTION
 *   A message with one original and several forwarded copies (one per
 *   local recipient who forwards) is linked to each copy by the Message-ID
 *   Microsoft quotes for all of them; without care each copy is then tied
 *   to its siblings through the original.  md_tracelink_judge classifies an
 *   inferred link from an original to a copy:
 *     MD_TL_DROP      the copy is tied to a parent already by forwarded-as,
 *                     queued-as or bounce: no further parent by inference;
 *     MD_TL_PRECISE   the copy's recipient is a forward target of one of the
 *                     original's recipients (the forwarding rules in the
 *                     store), or is one of them (the same message on the
 *                     next host), or the copy's envelope sender is one (the
 *                     store re-injected it as that user), or the copy is the
 *                     only candidate both ways; `via` then names the
 *                     original's recipient the copy belongs to ("" when the
 *                     only candidate has several recipients);
 *     MD_TL_POSSIBLE  anything else: shown as a possible link, never
 *                     followed from one address into another's copies.
 *
 * OWNERSHIP
 *   The judge keeps what it read of each message (a small cache) until
 *   md_tracelink_close; the store and reader are borrowed, not owned, and
 *   must stay open; cfg may be NULL (rules are then matched by full
 *   address only).
 *
 * DIAGNOSTICS
 *   md_tracelink_judge returns the class (>= 0) or a negative MD_ERR_*.
 */
#ifndef MD_TRACELINK_H
#define MD_TRACELINK_H

#include <stddef.h>
#include <stdint.h>
#include "base/config.h"
#include "base/err.h"
#include "store/store.h"
#include "store/store_log.h"

enum { MD_TL_DROP = 0, MD_TL_PRECISE = 1, MD_TL_POSSIBLE = 2 };

typedef struct md_tracelink md_tracelink;

int md_tracelink_open(md_tracelink **out, md_store *st, md_log_reader *rd,
                      const md_config *cfg);
void md_tracelink_close(md_tracelink *t);

/* md_tracelink_is_inferred: 1 for the link kinds judged here. */
int md_tracelink_is_inferred(int kind);

/* md_tracelink_judge: the class of the inferred link from -> to; via
 * (viasz bytes) gets the original's recipient for MD_TL_PRECISE. */
int md_tracelink_judge(md_tracelink *t, int64_t from, int64_t to, char *via, size_t viasz,
                       md_err *err);

/* md_tracelink_via_matches: 1 when via, or the address it was delivered
 * for in message from (orig_to), is one of addrs (normalised). */
int md_tracelink_via_matches(md_tracelink *t, int64_t from, const char *via,
                             const char *const *addrs, size_t naddrs);

#endif
