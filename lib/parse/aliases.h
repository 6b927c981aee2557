/* aliases.h: reading aliases(5) files (sendmail, Postfix, Exim) into rules.
 *
 * NAME
 *   md_aliases_parse, md_aliases_parse_file, md_aliases_target,
 *   md_aliases_split, md_aliases_sniff
 *
 * DESCRIPTION
 *   An entry is "name: target, target, ..."; lines that start with blanks
 *   continue the entry before them; '#' lines and blank lines are comments.
 *   The name may be quoted ("foo bar": ...) and is lower-cased.  Targets are
 *   separated by commas outside quotes, <> and (comments); each becomes one
 *   md_rule (kind MD_RK_ALIAS, address = the name, file:line of the target):
 *   an address, "\user" (a local mailbox, not expanded further: MD_TGT_LOCAL),
 *   "|program" or "\"|program args\"" (MD_TGT_PROGRAM), "/file"
 *   (MD_TGT_FILE; /dev/null is MD_TGT_DISCARD), ":blackhole:" (discard),
 *   ":fail:", ":defer:", "error:code text" (MD_TGT_ERROR), and
 *   ":include:path", whose file is read and its targets attributed to the
 *   name (file:line of the included file).  An include path is taken
 *   relative to the including file, must lie under one of the roots (after
 *   resolving symbolic links and "..") and nests at most
 *   MD_LIMIT_INCLUDE_DEPTH deep.  A duplicate name is reported and its
 *   second entry ignored (Postfix postalias semantics).  keeps_copy is set
 *   on every rule of an entry that also delivers to a "\user" mailbox.
 *
 * OWNERSHIP
 *   Rules are appended to the caller's list.  Nothing else is kept.
 *
 * DIAGNOSTICS
 *   Bad lines, bad includes and duplicates go to opts->warn (file, line,
 *   text) and parsing goes on.  Returns 0, MD_ERR_NOMEM, or (parse_file)
 *   MD_ERR_IO / MD_ERR_LIMIT when the file cannot be read.
 */
#ifndef MD_ALIASES_H
#define MD_ALIASES_H

#include <stddef.h>
#include "parse/rules.h"

typedef struct md_aliases_opts {
    const char *const *roots;  /* NULL-terminated directories includes must lie in;
                                  NULL = the directory of the top file */
    int no_include;            /* 1: :include: is recorded (MD_TGT_INCLUDE), not read */
    md_rules_warn_fn warn;     /* may be NULL */
    void *warn_arg;
} md_aliases_opts;

/* md_aliases_parse: text[0..n) of an aliases file named `file`. */
int md_aliases_parse(const char *text, size_t n, const char *file, const md_aliases_opts *o,
                     md_rule_list *out, md_err *err);
/* md_aliases_parse_file: read path (compressed too, md_input) and parse it. */
int md_aliases_parse_file(const char *path, const md_aliases_opts *o, md_rule_list *out,
                          md_err *err);

/* md_aliases_target: classify one target as written (trimmed) and set
 * *type and the span of its value (*v, *vn: without quotes, brackets, the
 * '|' of a program stays).  Returns 0, or -1 when it is not a usable target
 * (empty, blanks in an unquoted address, unbalanced quotes). */
int md_aliases_target(const char *s, size_t n, md_tgt *type, const char **v, size_t *vn);

/* md_aliases_split: call fn for every target of a target list text[0..n)
 * (commas outside quotes/<>/() separate; with newline_sep, line ends do
 * too; '#' starts a comment at the start of a line).  line0 is the line of
 * text[0]; fn gets each target's own line.  Stops and returns fn's value
 * when it is not 0. */
typedef int (*md_aliases_target_fn)(void *arg, const char *t, size_t n, uint64_t line);
int md_aliases_split(const char *text, size_t n, uint64_t line0, int newline_sep,
                     md_aliases_target_fn fn, void *arg);

/* md_aliases_sniff: whether text[0..n), the first bytes of an input, reads
 * as an aliases file (for md_ingest_detect).  MD_ALIASES_LIKE: there is an
 * entry, and at least three in four lines that say something are entries
 * "name: target, ..." (the name a word or quoted) or their continuation
 * lines whose targets all look like aliases targets: an address or local
 * name of letters, digits and "._+=-" (not a YAML word such as "true"),
 * "\user", "|program", "/file", ":include:path", ":fail: text" and the
 * other specials.  MD_ALIASES_YAML: a line marks YAML, which a file of
 * "key: value" lines otherwise resembles: "---", "...", "%YAML", a "- item",
 * an indented "key:" (in aliases an indented line holds targets), a value
 * that opens a block scalar ("|", ">-"), a flow collection, an anchor,
 * alias or tag, or a single-quoted string.  Else MD_ALIASES_UNLIKE.  A last
 * line without its newline is not looked at (the probe may have cut it)
 * unless it is the only line. */
enum { MD_ALIASES_UNLIKE = 0, MD_ALIASES_LIKE = 1, MD_ALIASES_YAML = 2 };
int md_aliases_sniff(const char *text, size_t n);

#endif
