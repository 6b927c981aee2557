/* store_rules.h: the rules area of the store: forwarding rules with where
 * they were found, and their resolution per address.
 *
 * NAME
 *   md_store_rules_replace, md_store_rules_lookup, md_store_rules_resolve,
 *   md_store_rules_for, md_store_rules_each_address, md_store_rules_ms_forwards,
 *   md_store_rules_count
 *
 * DESCRIPTION
 *   Rules are stored per rule file ("origin": the file given to ingest,
 *   with symbolic links resolved, so that .dovecot.sieve and the script it
 *   points to are one file).  Ingesting a file again replaces every rule it
 *   gave before: a changed .forward supersedes the old one, an emptied one
 *   removes them.  Each rule keeps its own file:line (an :include:d file
 *   names itself, not the aliases file).
 *
 *   For the dossier (analysis) and `maildossier rules`:
 *     md_store_rules_resolve(st, cfg, "anna.schmidt@uni-potsdam.de", &res, &err)
 *   gives every rule that applies (res.applied, with file:line), the final
 *   targets (res.targets), res.keeps_copy (always/sometimes/never),
 *   res.ms_consumer and res.ms_without_copy (the scenario's cause: mail
 *   forwarded to a Microsoft consumer domain without a local copy), and
 *   res.loop.  res.applied.n == 0 means no rule applies.
 *
 * OWNERSHIP
 *   Lists and resolutions are the caller's (md_rules_list_free,
 *   md_resolution_free).  Strings passed in are copied.
 *
 * DIAGNOSTICS
 *   0 or MD_ERR_DB / MD_ERR_NOMEM with err set; on failure the store is
 *   unchanged (a transaction is opened unless the caller has one).
 */
#ifndef MD_STORE_RULES_H
#define MD_STORE_RULES_H

#include <stddef.h>
#include "base/config.h"
#include "parse/rules.h"
#include "store/store.h"

/* md_store_rules_replace: the rules of one rule file: delete what origin
 * gave before, insert rules[0..n).  kind: "aliases", "forward", "sieve",
 * "rules-csv"; owner: the address a .forward/Sieve file belongs to ("" for
 * aliases/CSV); nerrors: errors found while parsing it. */
int md_store_rules_replace(md_store *st, const char *origin, const char *kind,
                           const char *owner, const md_rule *rules, size_t n,
                           size_t nerrors, md_err *err);

/* md_store_rules_lookup: an md_rules_lookup_fn (arg is the md_store *):
 * the rules stored under exactly that key, in file/line order. */
int md_store_rules_lookup(void *st, const char *key, md_rule_list *out, md_err *err);

/* md_store_rules_for: the rules stored under address itself, and (for an
 * address of our domains) under its bare local part: what applies
 * directly, without following chains. */
int md_store_rules_for(md_store *st, const md_config *cfg, const char *address,
                       md_rule_list *out, md_err *err);

/* md_store_rules_resolve: md_rules_resolve over the store (see rules.h). */
int md_store_rules_resolve(md_store *st, const md_config *cfg, const char *address,
                           md_resolution *out, md_err *err);

/* md_store_rules_each_address: fn for every distinct address that has
 * rules (sorted); a non-zero return of fn stops the walk and is returned. */
typedef int (*md_store_rules_addr_fn)(void *arg, const char *address);
int md_store_rules_each_address(md_store *st, md_store_rules_addr_fn fn, void *arg,
                                md_err *err);

/* md_store_rules_ms_forwards: resolve every address that has rules (bare
 * alias names as name@first domain) and call fn for each that forwards to
 * a Microsoft consumer domain without always keeping a local copy
 * (res->ms_without_copy).  *count (may be NULL) gets how many. */
typedef int (*md_store_rules_res_fn)(void *arg, const md_resolution *res);
int md_store_rules_ms_forwards(md_store *st, const md_config *cfg, md_store_rules_res_fn fn,
                               void *arg, size_t *count, md_err *err);

/* md_store_rules_count: rules and rule files stored. */
int md_store_rules_count(md_store *st, uint64_t *rules, uint64_t *files, md_err *err);

#endif
