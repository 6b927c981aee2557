/* rulecsv.h: forwarding rules as CSV, for systems whose rules cannot be
 * read directly (CommuniGate Pro, Exchange inbox rules exported by a
 * script, a mail store's database).
 *
 * NAME
 *   md_rulecsv_parse, md_rulecsv_write, md_rulecsv_field
 *
 * DESCRIPTION
 *   RFC 4180: fields separated by commas, optionally in double quotes (""
 *   is a quote; a quoted field may span lines), records end at CRLF or LF.
 *   The header row names the columns "address", "target", "keeps_copy" and
 *   the optional "source" (any order, any case, other columns ignored);
 *   without a header row the order is address,target,keeps_copy[,source].
 *   keeps_copy is 1/0, yes/no, true/false, y/n (empty: 0).  Each row becomes
 *   one md_rule (kind MD_RK_CSV; the target classified like an aliases(5)
 *   target, so "|program" and "/file" work; source goes to note; file:line
 *   is the line the record starts on).
 *
 *   md_rulecsv_write is the other direction: the rules as such a CSV, with
 *   the header row.
 *
 * OWNERSHIP
 *   Rules are appended to the caller's list; md_rulecsv_write appends to the
 *   caller's buffer.
 *
 * DIAGNOSTICS
 *   Bad rows (no address or target, an unknown keeps_copy, more than
 *   MD_LIMIT_CSV_FIELDS fields, an unterminated quote) go to warn with
 *   file:line and are skipped.  Returns 0 or MD_ERR_NOMEM.
 */
#ifndef MD_RULECSV_H
#define MD_RULECSV_H

#include <stddef.h>
#include "base/buf.h"
#include "parse/rules.h"

int md_rulecsv_parse(const char *text, size_t n, const char *file, md_rules_warn_fn warn,
                     void *warn_arg, md_rule_list *out, md_err *err);

/* md_rulecsv_field: append s as one RFC 4180 field (quoted when it holds a
 * comma, quote, CR or LF, or starts/ends with a blank). */
int md_rulecsv_field(md_buf *out, const char *s);

/* md_rulecsv_write: header row and one row per rule (source = file:line
 * when the rule has no note). */
int md_rulecsv_write(md_buf *out, const md_rule *rules, size_t n);

#endif
