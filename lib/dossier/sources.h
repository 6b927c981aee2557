/* sources.h: the provenance of a document's claims.  Every factual
 * sentence of the dossier and the request names where it comes from: a
 * log line (file:line, host), a stored message (file, Message-ID), a report
 * (reporter, period), one of Microsoft's answers, a forwarding rule
 * (file:line), a key of the site configuration, the ticket, or what the
 * store holds at all (an area with nothing ingested).  A table (md_srcs)
 * collects the distinct sources of one document and numbers them s1, s2,
 * ...; a claim element carries src="s1 s4" (xs:IDREFS; the schemas require
 * it on every claim) and the document ends with a <sources> list.
 *
 * The table builds keys only; md_srcs_write() lays out the list, with every
 * file shown relative to the configured [logs] root / [rules] root, else
 * to the deepest directory its document's sources of that kind share, and
 * replaces those paths wherever the document printed them: no absolute
 * path of the machine reaches a document.
 *
 * A cite (the value of src) is an md_buf of space separated ids; md_cite_add
 * adds one id once.  Adding a source returns its number (1, 2, ...) or 0
 * when out of memory (the claim then lacks that id, and the schema says so).
 *
 * Ownership: md_srcs_free frees a table (safe on a zeroed one).  Never
 * prints; SQL stays in lib/store (md_store_source_path). */
#ifndef MD_SOURCES_H
#define MD_SOURCES_H

#include <stddef.h>
#include <stdint.h>
#include <libxml/tree.h>
#include "base/buf.h"
#include "base/config.h"
#include "store/store.h"

typedef struct md_srcs {
    md_store *st;
    const md_config *cfg;
    char **key;                /* "kind\x1fvalue\x1f..." per source, in order */
    size_t n, cap;
    size_t *slot;              /* hash: index + 1, 0 free */
    size_t nslot;
    int redact_paths;          /* 1: rule and message files show only their first
                                  and last component ("home/ *snip* /.forward"):
                                  a home directory names its user */
    int64_t *pid;              /* cache: store source id -> path */
    char **ppath;
    size_t np, capp;
} md_srcs;

void md_srcs_init(md_srcs *s, md_store *st, const md_config *cfg);
void md_srcs_free(md_srcs *s);

/* the sources, each returning its number (0: out of memory).  Paths as the
 * store keeps them; source_id (may be 0) finds the path when path is NULL. */
size_t md_srcs_log(md_srcs *s, int64_t source_id, const char *path, uint64_t line,
                   const char *host);
size_t md_srcs_message(md_srcs *s, int64_t source_id, const char *path, const char *msgid);
size_t md_srcs_report(md_srcs *s, const char *what, const char *reporter, int64_t begin,
                      int64_t end, int64_t source_id, uint64_t line);
/* md_srcs_reply: msg_row (0 unknown) is the store row of the reply's mail,
 * whose file is shown */
size_t md_srcs_reply(md_srcs *s, const char *ref, int64_t date, const char *msgid,
                     int64_t msg_row);
size_t md_srcs_rule(md_srcs *s, const char *path, uint64_t line);
size_t md_srcs_config(md_srcs *s, const char *key);
size_t md_srcs_ticket(md_srcs *s, const char *number);
size_t md_srcs_store(md_srcs *s, const char *area);

/* md_cite_add: add source number no to the cite (once; 0 is ignored). */
void md_cite_add(md_buf *cite, size_t no);
/* md_cite_merge: add every id of the cite text from ("s1 s4") to cite. */
void md_cite_merge(md_buf *cite, const char *from);
/* md_cite_set: el's src attribute := cite (empty: src="" fails the schema). */
void md_cite_set(xmlNode *el, const char *cite);

/* md_srcs_write: append <sources> to root and make every path of the
 * document relative (see above).  0 or MD_ERR_NOMEM. */
int md_srcs_write(md_srcs *s, xmlNode *root);

#endif
