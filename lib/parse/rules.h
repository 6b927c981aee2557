/* rules.h: the forwarding rule model and its resolution.
 *
 * NAME
 *   md_rule, md_rule_list, md_rules_resolve, md_resolution
 *
 * DESCRIPTION
 *   Every forwarding rule reader (aliases.c, dotforward.c, sieve.c,
 *   rulecsv.c) turns its input into md_rule values: "mail for `address`
 *   goes to `target`", with whether a local copy is kept alongside, the
 *   condition under which it applies ("" = always) and where it was found
 *   (file:line).  Aliases are keyed by their bare local part ("postmaster"),
 *   .forward and Sieve rules by the owner's address, CSV rows by the address
 *   they name.
 *
 *   md_rules_resolve follows the rules of an address recursively (aliases
 *   of aliases, a .forward of the alias target, ...), loop-safe and at most
 *   MD_LIMIT_RESOLVE_DEPTH deep, and reports every rule that applied, the
 *   final targets, whether a local copy is kept (always / only sometimes /
 *   never) and whether a target is a Microsoft consumer domain (reply.h's
 *   md_reply_is_ms_consumer_domain).  Rules are looked up through a
 *   callback, so the same resolution serves the store (store_rules.h) and
 *   tests (an md_rule_list in memory: md_rules_list_lookup).
 *
 * OWNERSHIP
 *   md_rule is a plain value (fixed arrays).  md_rule_list and
 *   md_resolution own their arrays: md_rules_list_free / md_resolution_free
 *   (safe on zeroed values, twice too).
 *
 * DIAGNOSTICS
 *   Functions return 0 or MD_ERR_NOMEM / the lookup's error (err set).  A
 *   loop or a chain deeper than the limit is not an error: it is flagged on
 *   the resolution (loop, depth_hit) and the walk stops there.
 */
#ifndef MD_RULES_H
#define MD_RULES_H

#include <stddef.h>
#include <stdint.h>
#include "base/config.h"
#include "base/err.h"
#include "base/md_limits.h"

/* What a target is. */
typedef enum md_tgt {
    MD_TGT_ADDR = 0,    /* an address (qualified or a bare local name) */
    MD_TGT_LOCAL,       /* a local mailbox, not expanded further ("\user", Sieve keep) */
    MD_TGT_PROGRAM,     /* "|command" */
    MD_TGT_FILE,        /* "/path/mbox" */
    MD_TGT_FOLDER,      /* Sieve fileinto: a folder of the owner's mailbox */
    MD_TGT_DISCARD,     /* /dev/null, :blackhole:, Sieve discard */
    MD_TGT_ERROR,       /* :fail:, :defer:, error:, Sieve reject */
    MD_TGT_INCLUDE,     /* :include: that was not expanded (error or disabled) */
    MD_TGT_COUNT
} md_tgt;

typedef enum md_rkind {
    MD_RK_ALIAS = 0, MD_RK_FORWARD, MD_RK_SIEVE, MD_RK_CSV, MD_RK_COUNT
} md_rkind;

typedef struct md_rule {
    md_rkind kind;
    md_tgt ttype;
    char address[MD_LIMIT_ADDR];   /* whose mail: normalised, lower case */
    char target[MD_LIMIT_ADDR];    /* address lower-cased; program/file text as written */
    int keeps_copy;                /* 1: a local copy of the address is kept too */
    char condition[512];           /* "" = always; else the Sieve test as text */
    char note[256];                /* CSV "source" column, Sieve ":copy", ... */
    char file[MD_LIMIT_PATH];      /* where the rule was found */
    uint64_t line;
} md_rule;

typedef struct md_rule_list {
    md_rule *v;
    size_t n, cap;
} md_rule_list;

/* md_rules_list_add: append a copy of r.  0 or MD_ERR_NOMEM. */
int md_rules_list_add(md_rule_list *l, const md_rule *r);
void md_rules_list_free(md_rule_list *l);

/* Names for output and the store: "address", "local", "program", ... and
 * "alias", "forward", "sieve", "csv". */
const char *md_rules_tgt_name(md_tgt t);
const char *md_rules_kind_name(md_rkind k);
/* Back from a name; -1 when unknown. */
int md_rules_tgt_parse(const char *name);
int md_rules_kind_parse(const char *name);

/* md_rules_set: fill a rule (strings cut to their fields; NULL = "").
 * Address and (for MD_TGT_ADDR/MD_TGT_LOCAL) target are normalised
 * (md_text_addr_norm). */
void md_rules_set(md_rule *r, md_rkind kind, md_tgt ttype, const char *address,
                  const char *target, size_t tlen, int keeps_copy, const char *file,
                  uint64_t line);

/* Warnings of the readers: bad input at file:line, carry on. */
typedef void (*md_rules_warn_fn)(void *arg, const char *file, uint64_t line, const char *msg);

/* ---- resolution ---------------------------------------------------------- */

/* md_rules_lookup_fn: append to out every rule whose address equals key
 * exactly (key is normalised: lower case, no brackets).  0 or an error. */
typedef int (*md_rules_lookup_fn)(void *arg, const char *key, md_rule_list *out, md_err *err);

typedef enum md_copy {
    MD_COPY_NEVER = 0,     /* no local copy on any path */
    MD_COPY_SOMETIMES,     /* only when conditions (do not) hold */
    MD_COPY_ALWAYS
} md_copy;

typedef struct md_target {
    md_tgt ttype;
    char target[MD_LIMIT_ADDR];
    int local;              /* 1: stays here (local mailbox, folder, file, program) */
    int ms_consumer;        /* 1: an address in a Microsoft consumer domain */
    int conditional;        /* 1: reached only under a condition */
    char condition[512];    /* the (first) condition on the way, "" if none */
    char via[1024];         /* the chain: "a -> b -> c" */
    int depth;              /* rules followed to get here */
} md_target;

typedef struct md_resolution {
    char address[MD_LIMIT_ADDR];   /* as asked, normalised */
    md_rule_list applied;          /* every rule that applied, in order found */
    md_target *targets;            /* final targets (no duplicates) */
    size_t ntargets, cap;
    md_copy keeps_copy;            /* is a local copy kept? */
    int ms_consumer;               /* some final target is a Microsoft consumer address */
    int ms_without_copy;           /* ms_consumer and keeps_copy != MD_COPY_ALWAYS */
    int loop;                      /* a forwarding loop was found (and cut) */
    int depth_hit;                 /* a chain longer than MD_LIMIT_RESOLVE_DEPTH was cut */
    char loop_at[MD_LIMIT_ADDR];   /* where the loop closed */
} md_resolution;

/* md_rules_resolve: resolve address with the rules lookup() finds.  cfg
 * (may be NULL) gives the organisation's domains: an address in one of them
 * also matches alias rules keyed by its bare local part, and a bare local
 * name means name@first domain.  out is reset first; the caller frees it
 * with md_resolution_free.  Returns 0 (also when no rule applies: then
 * applied.n == 0), MD_ERR_NOMEM or lookup's error. */
int md_rules_resolve(const char *address, md_rules_lookup_fn lookup, void *arg,
                     const md_config *cfg, md_resolution *out, md_err *err);
void md_resolution_free(md_resolution *r);

/* md_rules_list_lookup: an md_rules_lookup_fn over an md_rule_list (arg). */
int md_rules_list_lookup(void *arg, const char *key, md_rule_list *out, md_err *err);

/* md_rules_copy_name: "always", "sometimes", "never". */
const char *md_rules_copy_name(md_copy c);

/* md_rules_owner_key: the key under which rules of `address` are stored
 * and looked up: normalised; a bare name gets "@first domain" when cfg has
 * domains.  dst of size n; 0 or MD_ERR_LIMIT. */
int md_rules_owner_key(char *dst, size_t n, const char *address, const md_config *cfg);

#endif
