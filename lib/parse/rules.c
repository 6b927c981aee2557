/* rules.c: the forwarding rule model and its resolution (see rules.h).
 * Owns rule lists and resolutions; reads nothing from files and never
 * prints.  Microsoft's consumer domains come from reply.h (one list). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "parse/reply.h"
#include "parse/rules.h"
#include "base/text.h"

int md_rules_list_add(md_rule_list *l, const md_rule *r)
{
    md_rule *v = md_grow(l->v, &l->cap, l->n + 1, sizeof *v, 16);
    if (!v)
        return MD_ERR_NOMEM;
    l->v = v;
    l->v[l->n++] = *r;
    return MD_OK;
}

void md_rules_list_free(md_rule_list *l)
{
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static const char *const tgt_names[MD_TGT_COUNT] = {
    "address", "local", "program", "file", "folder", "discard", "error", "include"};
static const char *const kind_names[MD_RK_COUNT] = {"alias", "forward", "sieve", "csv"};

const char *md_rules_tgt_name(md_tgt t)
{
    return (t >= 0 && t < MD_TGT_COUNT) ? tgt_names[t] : "address";
}

const char *md_rules_kind_name(md_rkind k)
{
    return (k >= 0 && k < MD_RK_COUNT) ? kind_names[k] : "alias";
}

int md_rules_tgt_parse(const char *name)
{
    for (int i = 0; i < MD_TGT_COUNT; i++)
        if (strcmp(name, tgt_names[i]) == 0)
            return i;
    return -1;
}

int md_rules_kind_parse(const char *name)
{
    for (int i = 0; i < MD_RK_COUNT; i++)
        if (strcmp(name, kind_names[i]) == 0)
            return i;
    return -1;
}

const char *md_rules_copy_name(md_copy c)
{
    return c == MD_COPY_ALWAYS ? "always" : c == MD_COPY_SOMETIMES ? "sometimes" : "never";
}

static void copy_cut(char *dst, size_t n, const char *s, size_t len)
{
    if (len >= n)
        len = n - 1;
    memcpy(dst, s, len);
    dst[len] = '\0';
}

void md_rules_set(md_rule *r, md_rkind kind, md_tgt ttype, const char *address,
                  const char *target, size_t tlen, int keeps_copy, const char *file,
                  uint64_t line)
{
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->ttype = ttype;
    if (address)
        md_text_addr_norm(r->address, sizeof r->address, address, strlen(address));
    if (target) {
        if (ttype == MD_TGT_ADDR || ttype == MD_TGT_LOCAL)
            md_text_addr_norm(r->target, sizeof r->target, target, tlen);
        else
            copy_cut(r->target, sizeof r->target, target, tlen);
    }
    r->keeps_copy = keeps_copy;
    if (file)
        copy_cut(r->file, sizeof r->file, file, strlen(file));
    r->line = line;
}

int md_rules_owner_key(char *dst, size_t n, const char *address, const md_config *cfg)
{
    int rc = md_text_addr_norm(dst, n, address, strlen(address));
    if (rc != MD_OK)
        return rc;
    if (!strchr(dst, '@') && dst[0] && cfg && cfg->ndomains) {
        size_t l = strlen(dst);
        if ((size_t)snprintf(dst + l, n - l, "@%s", cfg->domains[0]) >= n - l)
            return MD_ERR_LIMIT;
        md_text_lower(dst);
    }
    return MD_OK;
}

int md_rules_list_lookup(void *arg, const char *key, md_rule_list *out, md_err *err)
{
    const md_rule_list *l = arg;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].address, key) == 0 && md_rules_list_add(out, &l->v[i]) != MD_OK)
            return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    return MD_OK;
}

void md_resolution_free(md_resolution *r)
{
    md_rules_list_free(&r->applied);
    free(r->targets);
    r->targets = NULL;
    r->ntargets = r->cap = 0;
}

/* ---- the walk ------------------------------------------------------------ */

typedef struct walk {
    md_rules_lookup_fn lookup;
    void *arg;
    const md_config *cfg;
    md_resolution *out;
    md_err *err;
    char stack[MD_LIMIT_RESOLVE_DEPTH + 1][MD_LIMIT_ADDR]; /* canonical names on the path */
    int sp;
} walk;

static int is_ours(const walk *w, const char *addr)
{
    const char *d = md_text_addr_domain(addr);
    if (!*d)
        return 1; /* a bare local name */
    return w->cfg && md_config_is_our_domain(w->cfg, d);
}

/* Rules of one canonical address: exact key, and the bare local part for
 * addresses of our domains (aliases are keyed that way). */
static int rules_of(walk *w, const char *canon, md_rule_list *out)
{
    int rc = w->lookup(w->arg, canon, out, w->err);
    if (rc != MD_OK)
        return rc;
    const char *at = strrchr(canon, '@');
    if (at && is_ours(w, canon)) {
        char local[MD_LIMIT_ADDR];
        copy_cut(local, sizeof local, canon, (size_t)(at - canon));
        if (local[0])
            rc = w->lookup(w->arg, local, out, w->err);
    }
    return rc;
}

static int add_target(walk *w, const md_target *t)
{
    md_resolution *o = w->out;
    for (size_t i = 0; i < o->ntargets; i++) {
        md_target *x = &o->targets[i];
        if (x->ttype == t->ttype && strcmp(x->target, t->target) == 0) {
            if (!t->conditional && x->conditional) { /* an unconditional path wins */
                x->conditional = 0;
                x->condition[0] = '\0';
            }
            return MD_OK;
        }
    }
    md_target *v = md_grow(o->targets, &o->cap, o->ntargets + 1, sizeof *v, 8);
    if (!v)
        return md_err_set(w->err, MD_ERR_NOMEM, "out of memory");
    o->targets = v;
    o->targets[o->ntargets++] = *t;
    return MD_OK;
}

static void via_of(const walk *w, char *dst, size_t n, const char *last)
{
    size_t l = 0;
    dst[0] = '\0';
    for (int i = 0; i < w->sp && l < n; i++)
        l += (size_t)snprintf(dst + l, n - l, "%s%s", i ? " -> " : "", w->stack[i]);
    if (l < n && !(w->sp && strcmp(w->stack[w->sp - 1], last) == 0)) /* the copy kept at the top */
        snprintf(dst + l, n - l, "%s%s", w->sp ? " -> " : "", last);
}

static void set_cond(md_target *t, const char *cond)
{
    if (cond && *cond) {
        t->conditional = 1;
        copy_cut(t->condition, sizeof t->condition, cond, strlen(cond));
    }
}

static int final_target(walk *w, md_tgt tt, const char *target, const char *cond, int local)
{
    md_target t;
    memset(&t, 0, sizeof t);
    t.ttype = tt;
    copy_cut(t.target, sizeof t.target, target, strlen(target));
    t.local = local;
    t.depth = w->sp;
    if (tt == MD_TGT_ADDR) {
        const char *d = md_text_addr_domain(target);
        t.ms_consumer = *d && md_reply_is_ms_consumer_domain(d, strlen(d));
    }
    set_cond(&t, cond);
    via_of(w, t.via, sizeof t.via, target);
    return add_target(w, &t);
}

static int follow(walk *w, const char *addr, const char *cond);

/* The rules of canon (already on the stack) applied: their targets. */

/* join_cond: "a and b" (or b alone) into dst; a condition too long for dst
 * ends in "..." rather than being cut silently. */
static const char *join_cond(char *dst, size_t n, const char *a, const char *b)
{
    int w = snprintf(dst, n, "%s%s%s", a && *a ? a : "", a && *a ? " and " : "", b);
    if (w < 0 || (size_t)w >= n)
        memcpy(dst + n - 4, "...", 4);
    return dst;
}

static int apply(walk *w, const char *canon, md_rule_list *rl, const char *cond)
{
    int all_conditional = 1, copy = 0;
    for (size_t i = 0; i < rl->n; i++) {
        const md_rule *r = &rl->v[i];
        if (md_rules_list_add(&w->out->applied, r) != MD_OK)
            return md_err_set(w->err, MD_ERR_NOMEM, "out of memory");
        if (!r->condition[0])
            all_conditional = 0;
        if (r->keeps_copy && !r->condition[0])
            copy = 1;
    }
    /* a local copy of canon itself: kept by a rule, or implicitly when
     * every rule applies only under a condition (Sieve's implicit keep) */
    if (copy || all_conditional) {
        const char *c = cond;
        char buf[512];
        if (!copy) {
            c = join_cond(buf, sizeof buf, cond, "none of the rules' conditions holds");
        }
        int rc = final_target(w, MD_TGT_LOCAL, canon, c, 1);
        if (rc != MD_OK)
            return rc;
    }
    for (size_t i = 0; i < rl->n; i++) {
        const md_rule *r = &rl->v[i];
        char c2[512];
        const char *c = cond;
        if (r->condition[0]) {
            c = join_cond(c2, sizeof c2, cond, r->condition);
        }
        int rc;
        switch (r->ttype) {
        case MD_TGT_ADDR:
            rc = follow(w, r->target, c);
            break;
        case MD_TGT_LOCAL: {
            char k[MD_LIMIT_ADDR];
            if (md_rules_owner_key(k, sizeof k, r->target, w->cfg) != MD_OK)
                copy_cut(k, sizeof k, r->target, strlen(r->target));
            rc = final_target(w, MD_TGT_LOCAL, k, c, 1);
            break;
        }
        case MD_TGT_FILE:
        case MD_TGT_FOLDER:
        case MD_TGT_PROGRAM: /* a program here (procmail, a ticket system) keeps it here */
            rc = final_target(w, r->ttype, r->target, c, 1);
            break;
        default:
            rc = final_target(w, r->ttype, r->target, c, 0);
            break;
        }
        if (rc != MD_OK)
            return rc;
    }
    return MD_OK;
}

static int follow(walk *w, const char *addr, const char *cond)
{
    char canon[MD_LIMIT_ADDR];
    if (md_rules_owner_key(canon, sizeof canon, addr, w->cfg) != MD_OK)
        copy_cut(canon, sizeof canon, addr, strlen(addr));
    for (int i = 0; i < w->sp; i++) {
        if (strcmp(w->stack[i], canon) == 0) {
            /* mail coming back to an address on the path: sendmail delivers
             * it locally when it is the one asked for; either way a loop */
            w->out->loop = 1;
            copy_cut(w->out->loop_at, sizeof w->out->loop_at, canon, strlen(canon));
            return MD_OK;
        }
    }
    if (w->sp >= MD_LIMIT_RESOLVE_DEPTH) {
        w->out->depth_hit = 1;
        return final_target(w, MD_TGT_ADDR, canon, cond, is_ours(w, canon));
    }
    md_rule_list rl = {0};
    int rc = rules_of(w, canon, &rl);
    if (rc != MD_OK) {
        md_rules_list_free(&rl);
        return rc;
    }
    if (rl.n == 0) /* a mailbox: ours (local copy) or elsewhere */
        rc = final_target(w, MD_TGT_ADDR, canon, cond, is_ours(w, canon));
    else {
        copy_cut(w->stack[w->sp], sizeof w->stack[0], canon, strlen(canon));
        w->sp++;
        rc = apply(w, canon, &rl, cond);
        w->sp--;
    }
    md_rules_list_free(&rl);
    return rc;
}

int md_rules_resolve(const char *address, md_rules_lookup_fn lookup, void *arg,
                     const md_config *cfg, md_resolution *out, md_err *err)
{
    md_resolution_free(out);
    memset(out, 0, sizeof *out);
    md_text_addr_norm(out->address, sizeof out->address, address, strlen(address));
    walk *w = calloc(1, sizeof *w);
    if (!w)
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    w->lookup = lookup;
    w->arg = arg;
    w->cfg = cfg;
    w->out = out;
    w->err = err;
    int rc = follow(w, out->address, "");
    free(w);
    if (rc != MD_OK)
        return rc;
    /* no rule: the address is its own final target; keep nothing else */
    if (out->applied.n == 0) {
        free(out->targets);
        out->targets = NULL;
        out->ntargets = out->cap = 0;
        out->keeps_copy = MD_COPY_ALWAYS;
        return MD_OK;
    }
    int always = 0, some = 0;
    for (size_t i = 0; i < out->ntargets; i++) {
        const md_target *t = &out->targets[i];
        if (t->local && t->ttype != MD_TGT_DISCARD) {
            if (t->conditional)
                some = 1;
            else
                always = 1;
        }
        if (t->ms_consumer)
            out->ms_consumer = 1;
    }
    out->keeps_copy = always ? MD_COPY_ALWAYS : some ? MD_COPY_SOMETIMES : MD_COPY_NEVER;
    out->ms_without_copy = out->ms_consumer && out->keeps_copy != MD_COPY_ALWAYS;
    return MD_OK;
}
