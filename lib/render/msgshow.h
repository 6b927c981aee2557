/* msgshow.h: one message's header evidence as text (what `maildossier
 * show` prints, and what `trace` may reuse), like Microsoft's Message
 * Header Analyzer in a terminal.
 *
 * Sections: summary (From, To, Subject, Date, Message-ID, kind, parse
 * problems), the Received hops oldest first (from, by, with, time, delay;
 * negative delays marked as clock skew; unparsed hops with their raw text),
 * the IPs of the chain with their class (ours with host name and role,
 * Microsoft, private, other) and the list of our IPs Microsoft saw,
 * authentication results, Microsoft's antispam fields in words, the bounce
 * (per recipient: action, status, reply code, reason, hard/soft, the IP
 * Microsoft names) or complaint, and attached originals (once).
 *
 * The text is UTF-8 and already safe for a terminal (control characters
 * shown as \xNN).  Third parties' local parts are replaced by "*snip*"
 * (addresses outside the configured domains) unless MD_SHOW_NO_REDACT.
 * Appends to the caller's md_buf; never prints.
 */
#ifndef MD_MSGSHOW_H
#define MD_MSGSHOW_H

#include "base/buf.h"
#include "base/config.h"
#include "parse/message.h"

#define MD_SHOW_NO_REDACT 0x1
#define MD_SHOW_RAW_HOPS  0x2   /* also the raw text of every hop */

/* md_msgshow_render: append the evidence of m to out.  cfg may be NULL (no
 * organisation: nothing is "ours").  0 or MD_ERR_NOMEM. */
int md_msgshow_render(md_buf *out, const md_message *m, const md_config *cfg, int flags);

#endif
