/* render_trace.h: the text of `maildossier trace`.
 *
 * md_render_trace appends to text: a header line (messages matched and
 * linked), the forwarding rules that apply to the addresses asked for, then
 * each message of r: host, MTA, queue id and times; envelope; one line per
 * recipient with what became of it; the evidence of stored messages with
 * its Message-ID (when st holds messages); its links; its raw lines
 * (file:line) when opt->lines.  Every outside string is made safe for a
 * terminal (md_text_terminal) and, with opt->redact, redacted but the
 * addresses in opt->keep.  Needs no XML library (the front program links
 * it).  MD_OK, or MD_ERR_NOMEM (text then holds a part).
 */
#ifndef MD_RENDER_TRACE_H
#define MD_RENDER_TRACE_H

#include "base/buf.h"
#include "base/config.h"
#include "base/err.h"
#include "store/store.h"
#include "analysis/trace.h"

typedef struct md_render_trace_opts {
    int redact;                 /* redact local parts but keep's */
    const char *const *keep;    /* NULL-terminated, lower case; may be NULL */
    int lines;                  /* show the raw lines */
    const char *const *addrs;   /* the addresses asked for: their rules are shown */
    size_t naddrs;
} md_render_trace_opts;

int md_render_trace(md_buf *text, md_store *st, const md_config *cfg, const md_trace_result *r,
                    const md_render_trace_opts *opt);

#endif
