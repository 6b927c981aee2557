/* rulefile.h: the ingest reader for forwarding rule files (aliases,
 * .forward, Sieve, rules CSV).
 *
 * NAME
 *   md_rulefile_ingest, md_rulefile_ingest_home, md_rulefile_owner
 *
 * DESCRIPTION
 *   md_rulefile_ingest reads one input of kind ig->kind (MD_KIND_ALIASES,
 *   MD_KIND_FORWARD, MD_KIND_SIEVE, MD_KIND_RULES_CSV) whole (at most
 *   MD_LIMIT_RULE_FILE bytes), parses it with aliases.h, dotforward.h,
 *   sieve.h or rulecsv.h and replaces the rules the same file gave before
 *   (store_rules.h; the file is identified by its real path).
 *
 *   The owner of a .forward or Sieve script comes from its path
 *   (md_rulefile_owner): with ig->rules_home, DIR/USER/... belongs to USER;
 *   else a .forward or .dovecot.sieve belongs to the directory it is in,
 *   USER/sieve/NAME.sieve to USER, and another NAME.sieve to NAME.  The
 *   owner's address is USER@first organisation domain.  A Dovecot script
 *   in USER/sieve/ that is not the active one (USER/.dovecot.sieve points
 *   elsewhere) is reported and not stored.
 *
 *   md_rulefile_ingest_home takes a directory of home directories
 *   (--rules-home): every DIR/USER/.forward and DIR/USER/.dovecot.sieve.
 *
 * DIAGNOSTICS
 *   Bad lines, Sieve errors and bad includes go to md_ingest_warn with
 *   file:line; what parsed is stored.  Returns 0, MD_ERR_PARSE (something
 *   reported), MD_ERR_LIMIT (file too large), MD_ERR_DB, MD_ERR_NOMEM.
 */
#ifndef MD_RULEFILE_H
#define MD_RULEFILE_H

#include "ingest/ingest.h"

/* md_rulefile_ingest: an md_ingest_fn (see ingest.h). */
int md_rulefile_ingest(md_ingest *ig, md_input *in, const char *path, md_err *err);

/* md_rulefile_ingest_home: ingest the rule files of every home directory
 * under dir (see above); sets ig->rules_home to dir while it runs. */
int md_rulefile_ingest_home(md_ingest *ig, const char *dir, md_err *err);

/* md_rulefile_owner: the owner address of a .forward/Sieve file at path
 * (rules_home may be NULL; cfg gives the domain).  0, or MD_ERR_NOTFOUND
 * when the path does not tell. */
int md_rulefile_owner(char *dst, size_t n, const char *path, const char *rules_home,
                      const md_config *cfg);

#endif
