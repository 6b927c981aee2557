/* dotforward.h: reading a user's .forward file into forwarding rules.
 *
 * NAME
 *   md_dotforward_parse
 *
 * DESCRIPTION
 *   A .forward lists targets separated by commas or line ends; '#' lines are
 *   comments.  Targets are classified as in aliases(5) (md_aliases_target):
 *   addresses, "\user" (deliver to the local mailbox: "also keep a copy"
 *   when it is the owner's own), "|program", "|\"program args\"" and
 *   "\"|program\"", "/file".  The owner's own address without a backslash
 *   counts as a local copy too (sendmail and Postfix deliver it locally).
 *   Each target becomes one md_rule (kind MD_RK_FORWARD, address = owner);
 *   when a local copy is kept, keeps_copy is set on every rule of the file.
 *
 *   A file whose first line is "# Exim filter" is read as an Exim filter,
 *   as far as forwarding goes: "deliver ADDRESS" (with "unseen": a copy is
 *   kept; inside "if ... endif": conditional, the condition text recorded),
 *   "save" (a local copy) and "pipe" (a program).
 *
 * OWNERSHIP
 *   Rules are appended to the caller's list.
 *
 * DIAGNOSTICS
 *   Unusable targets go to warn (file, line) and parsing goes on.  Returns
 *   0 or MD_ERR_NOMEM.
 */
#ifndef MD_DOTFORWARD_H
#define MD_DOTFORWARD_H

#include <stddef.h>
#include "parse/rules.h"

/* md_dotforward_parse: text[0..n) of the .forward named file, of the user
 * whose address is owner (normalised; a bare name is fine). */
int md_dotforward_parse(const char *text, size_t n, const char *file, const char *owner,
                        md_rules_warn_fn warn, void *warn_arg, md_rule_list *out,
                        md_err *err);

#endif
