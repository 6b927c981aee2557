/* sieve.h: a Sieve (RFC 5228) parser that finds what a script does with mail.
 *
 * NAME
 *   md_sieve_parse, md_sieve_result_free, md_sieve_to_rules,
 *   md_sieve_address_valid
 *
 * DESCRIPTION
 *   A real lexer and recursive descent parser of RFC 5228's grammar:
 *   identifiers, :tags, numbers with K/M/G, quoted strings (\" and \\),
 *   multi-line "text:" strings (dot-stuffing undone), string lists, '#'
 *   and bracketed comments, tests with arguments and test lists (allof,
 *   anyof, not, header, address, envelope, exists, size, true, false and
 *   the common extensions), blocks, if/elsif/else and require.  Then it
 *   checks the commands it knows (arguments, blocks, elsif/else placement,
 *   the addresses of redirect and vacation :from: an RFC 5322 mailbox, as
 *   Pigeonhole checks them; extensions used without their require: fileinto,
 *   envelope, :copy, :regex, variables, ...) and collects the actions:
 *   redirect (":copy",
 *   RFC 3894), keep, fileinto, discard, stop, reject, each with the
 *   condition under which it happens as text (if/elsif/else chains and
 *   nesting joined with "and"; "not (...)" for branches passed over).
 *
 *   For each redirect it decides whether a copy stays: with :copy, or when
 *   a keep or fileinto runs on the same path (in its block, or around the
 *   enclosing if-chains, and not after a stop).  A redirect without :copy
 *   cancels the implicit keep (RFC 5228 2.10.2).  implicit_keep says
 *   whether the implicit keep survives when no condition holds.
 *
 * OWNERSHIP
 *   md_sieve_result owns its action array: md_sieve_result_free (safe on a
 *   zeroed result, twice too).  Nothing of the text is kept.
 *
 * DIAGNOSTICS
 *   Syntax and semantic errors are collected with their line (the first
 *   MD_SIEVE_MAX_ERRORS kept, all counted in nerrors); the parser recovers
 *   at the next ';' or '}' so that later errors are found too.  Nesting
 *   deeper than MD_LIMIT_SIEVE_DEPTH ends the parse with an error.  Actions
 *   of a script with errors are still reported (what could be parsed).
 */
#ifndef MD_SIEVE_H
#define MD_SIEVE_H

#include <stddef.h>
#include <stdint.h>
#include "base/err.h"
#include "parse/rules.h"
#include "base/md_limits.h"


typedef enum md_sieve_act {
    MD_SV_REDIRECT = 0, MD_SV_KEEP, MD_SV_FILEINTO, MD_SV_DISCARD, MD_SV_STOP, MD_SV_REJECT
} md_sieve_act;

typedef struct md_sieve_action {
    md_sieve_act type;
    char arg[MD_LIMIT_ADDR];   /* redirect: the address (addr-spec, lower case);
                                  fileinto: the folder; reject: the text (cut) */
    int copy;                  /* ":copy" given */
    int keeps_copy;            /* redirect: a copy stays (see above) */
    int conditional;           /* 1: only under `condition` */
    char condition[512];
    uint64_t line;
} md_sieve_action;

typedef struct md_sieve_error {
    uint64_t line;
    char msg[256];
} md_sieve_error;

typedef struct md_sieve_result {
    md_sieve_action *actions;
    size_t nactions, cap;
    md_sieve_error errors[MD_SIEVE_MAX_ERRORS];
    size_t nerrors;            /* all errors (more than kept possible) */
    int implicit_keep;         /* 1: kept when no condition holds */
    size_t ncommands;          /* commands parsed */
} md_sieve_result;

/* md_sieve_parse: parse text[0..n).  Returns 0 without errors,
 * MD_ERR_PARSE with errors (out->errors; err names the first as
 * "line N: ..."), MD_ERR_NOMEM.  out is reset first. */
int md_sieve_parse(const char *text, size_t n, md_sieve_result *out, md_err *err);
void md_sieve_result_free(md_sieve_result *r);

/* md_sieve_to_rules: one md_rule per redirect (kind MD_RK_SIEVE, address
 * = owner, keeps_copy, condition, file:line), plus a MD_TGT_DISCARD rule
 * for an unconditional discard/reject.  0 or MD_ERR_NOMEM. */
int md_sieve_to_rules(const md_sieve_result *r, const char *owner, const char *file,
                      md_rule_list *out);

/* md_sieve_address_valid: s[0..n) is one RFC 5322 mailbox ("a@b",
 * "Name <a@b>", blanks between tokens allowed, obsolete dots in the local
 * part allowed, 8-bit refused).  With norm (size nn) the addr-spec is
 * written there without blanks.  1 or 0. */
int md_sieve_address_valid(const char *s, size_t n, char *norm, size_t nn);

#endif
