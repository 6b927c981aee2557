/* dotforward.c: .forward files (plain lists and Exim filters) into
 * forwarding rules (see dotforward.h).  Reads only the text it is given;
 * never prints. */
#include <stdio.h>
#include <string.h>
#include "parse/aliases.h"
#include "parse/dotforward.h"
#include "base/text.h"

typedef struct fctx {
    const char *file;
    const char *owner;
    char owner_local[MD_LIMIT_ADDR];
    md_rules_warn_fn warn;
    void *warn_arg;
    md_rule_list *out;
    size_t first;
    int keep;
} fctx;

static void warn_at(fctx *c, uint64_t line, const char *what, const char *s, size_t n)
{
    if (!c->warn)
        return;
    char show[MD_LIMIT_SHOW_BYTES + 8], msg[MD_LIMIT_ERRMSG];
    snprintf(msg, sizeof msg, "%s: \"%s\"", what, md_text_printable(show, sizeof show, s, n));
    c->warn(c->warn_arg, c->file, line, msg);
}

static int is_owner(const fctx *c, const char *addr)
{
    if (!c->owner[0])
        return 0;
    if (strcmp(addr, c->owner) == 0)
        return 1;
    return !strchr(addr, '@') && strcmp(addr, c->owner_local) == 0;
}

static int add(fctx *c, md_tgt type, const char *v, size_t vn, uint64_t line,
               const char *cond, int copy)
{
    if (c->out->n - c->first >= MD_LIMIT_RULE_TARGETS)
        return 0;
    md_rule r;
    md_rules_set(&r, MD_RK_FORWARD, type, c->owner, v, vn, copy, c->file, line);
    if (cond)
        snprintf(r.condition, sizeof r.condition, "%s", cond);
    if ((type == MD_TGT_ADDR || type == MD_TGT_LOCAL) && is_owner(c, r.target)) {
        r.ttype = MD_TGT_LOCAL; /* the owner's own mailbox */
        if (!cond)
            c->keep = 1;
    }
    return md_rules_list_add(c->out, &r) == MD_OK ? 0 : -1;
}

static int on_target(void *arg, const char *t, size_t n, uint64_t line)
{
    fctx *c = arg;
    md_tgt type;
    const char *v;
    size_t vn;
    if (md_aliases_target(t, n, &type, &v, &vn) != 0 || type == MD_TGT_INCLUDE) {
        warn_at(c, line, type == MD_TGT_INCLUDE ? ":include: is not allowed in a .forward"
                                                : "not a usable forwarding target", t, n);
        return 0;
    }
    return add(c, type, v, vn, line, NULL, 0);
}

/* ---- Exim filter (the forwarding part) ------------------------------------ */

typedef struct word {
    const char *s;
    size_t n;
    uint64_t line;
} word;

/* next word: quoted strings are one word (without quotes); '#' to line end
 * is a comment. */
static int next_word(const char *t, size_t n, size_t *i, uint64_t *line, word *w)
{
    for (;;) {
        while (*i < n && (t[*i] == ' ' || t[*i] == '\t' || t[*i] == '\r' || t[*i] == '\n')) {
            if (t[*i] == '\n')
                (*line)++;
            (*i)++;
        }
        if (*i < n && t[*i] == '#') {
            while (*i < n && t[*i] != '\n')
                (*i)++;
            continue;
        }
        break;
    }
    if (*i >= n)
        return 0;
    w->line = *line;
    if (t[*i] == '"') {
        size_t b = ++(*i);
        while (*i < n && t[*i] != '"' && t[*i] != '\n') {
            if (t[*i] == '\\' && *i + 1 < n && t[*i + 1] != '\n')
                (*i)++;
            (*i)++;
        }
        w->s = t + b;
        w->n = *i - b;
        if (*i < n && t[*i] == '"')
            (*i)++;
        return 1;
    }
    size_t b = *i;
    while (*i < n && t[*i] != ' ' && t[*i] != '\t' && t[*i] != '\r' && t[*i] != '\n')
        (*i)++;
    w->s = t + b;
    w->n = *i - b;
    return 1;
}

static int weq(const word *w, const char *s)
{
    return w->n == strlen(s) && md_text_ncasecmp(w->s, s, w->n) == 0;
}

/* append s[0..n) to the NUL-terminated dst (size dsize), cut when full */
static void cat(char *dst, size_t dsize, const char *s, size_t n)
{
    size_t l = strlen(dst);
    if (l + 1 >= dsize)
        return;
    if (n > dsize - 1 - l)
        n = dsize - 1 - l;
    memcpy(dst + l, s, n);
    dst[l + n] = '\0';
}

static int exim_filter(fctx *c, const char *t, size_t n)
{
    size_t i = 0;
    uint64_t line = 1;
    word w;
    int depth = 0, unseen = 0;
    char cond[512] = "";
    size_t condlen[32] = {0};
    while (next_word(t, n, &i, &line, &w)) {
        if (weq(&w, "if") || weq(&w, "elif")) {
            if (weq(&w, "if")) {
                if (depth < 32)
                    condlen[depth] = strlen(cond);
                depth++;
            } else if (depth > 0 && depth <= 32)
                cond[condlen[depth - 1]] = '\0';
            /* the condition: the words up to "then" */
            if (cond[0])
                cat(cond, sizeof cond, " and ", 5);
            int k = 0;
            while (next_word(t, n, &i, &line, &w) && !weq(&w, "then") && k++ < 64) {
                if (k > 1)
                    cat(cond, sizeof cond, " ", 1);
                cat(cond, sizeof cond, w.s, w.n);
            }
            continue;
        }
        if (weq(&w, "else")) {
            if (depth > 0 && depth <= 32) {
                size_t l = condlen[depth - 1];
                cond[l] = '\0';
                snprintf(cond + l, sizeof cond - l, "%s(else branch)", l ? " and " : "");
            }
            continue;
        }
        if (weq(&w, "endif")) {
            if (depth > 0) {
                depth--;
                if (depth < 32)
                    cond[condlen[depth]] = '\0';
            }
            continue;
        }
        if (weq(&w, "unseen")) {
            unseen = 1;
            continue;
        }
        if (weq(&w, "deliver") || weq(&w, "save") || weq(&w, "pipe")) {
            md_tgt type = weq(&w, "deliver") ? MD_TGT_ADDR
                          : weq(&w, "save") ? MD_TGT_FILE : MD_TGT_PROGRAM;
            word a;
            if (!next_word(t, n, &i, &line, &a)) {
                warn_at(c, w.line, "Exim filter: command without its argument", w.s, w.n);
                break;
            }
            const char *v = a.s;
            size_t vn = a.n;
            md_tgt t2;
            if (type == MD_TGT_ADDR && (md_aliases_target(a.s, a.n, &t2, &v, &vn) != 0 ||
                                        t2 != MD_TGT_ADDR)) {
                warn_at(c, w.line, "Exim filter: deliver needs an address", a.s, a.n);
                unseen = 0;
                continue;
            }
            int rc = add(c, type, v, vn, w.line, depth ? cond : NULL,
                         unseen || type == MD_TGT_FILE);
            if (rc)
                return rc;
            if (type == MD_TGT_FILE && !depth)
                c->keep = 1;
            if (unseen && !depth && type == MD_TGT_ADDR)
                c->keep = 1;
            unseen = 0;
            continue;
        }
        unseen = 0;
    }
    return 0;
}

int md_dotforward_parse(const char *text, size_t n, const char *file, const char *owner,
                        md_rules_warn_fn warn, void *warn_arg, md_rule_list *out,
                        md_err *err)
{
    fctx c;
    memset(&c, 0, sizeof c);
    c.file = file;
    char own[MD_LIMIT_ADDR];
    md_text_addr_norm(own, sizeof own, owner ? owner : "", owner ? strlen(owner) : 0);
    c.owner = own;
    snprintf(c.owner_local, sizeof c.owner_local, "%s", own);
    char *at = strchr(c.owner_local, '@');
    if (at)
        *at = '\0';
    c.warn = warn;
    c.warn_arg = warn_arg;
    c.out = out;
    c.first = out->n;
    int rc;
    if (n >= 13 && md_text_ncasecmp(text, "# Exim filter", 13) == 0)
        rc = exim_filter(&c, text, n);
    else
        rc = md_aliases_split(text, n, 1, 1, on_target, &c);
    if (rc < 0)
        return md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", file);
    if (c.keep)
        for (size_t i = c.first; i < out->n; i++)
            if (!out->v[i].condition[0])
                out->v[i].keeps_copy = 1;
    return MD_OK;
}
