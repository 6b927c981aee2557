/* sieve.c: Sieve (RFC 5228, RFC 3894 :copy) lexer, parser, checks and the
 * actions a script takes (see sieve.h).  Builds a small syntax tree in an
 * arena that lives for one parse; never prints; reads only its text. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "parse/sieve.h"
#include "base/text.h"

#define SV_MAX_NODES 200000

/* ---- arena --------------------------------------------------------------- */

typedef struct chunk {
    struct chunk *next;
    size_t used, size;
    max_align_t data[];
} chunk;

typedef struct arena {
    chunk *head;
    int oom;
} arena;

static void *arena_alloc(arena *a, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (!a->head || a->head->size - a->head->used < n) {
        size_t size = n > 32768 ? n : 32768;
        chunk *c = malloc(sizeof *c + size);
        if (!c) {
            a->oom = 1;
            return NULL;
        }
        c->next = a->head;
        c->used = 0;
        c->size = size;
        a->head = c;
    }
    void *p = (char *)a->head->data + a->head->used;
    a->head->used += n;
    return p;
}

static void arena_free(arena *a)
{
    while (a->head) {
        chunk *c = a->head;
        a->head = c->next;
        free(c);
    }
}

/* ---- lexer --------------------------------------------------------------- */

enum tok {
    T_EOF = 0, T_ID, T_TAG, T_NUM, T_STR, T_LBRACKET, T_RBRACKET, T_LPAREN, T_RPAREN,
    T_LBRACE, T_RBRACE, T_COMMA, T_SEMI, T_BAD
};

typedef struct token {
    enum tok t;
    const char *s;  /* identifier/tag (tag without ':') in the text; string: decoded (arena) */
    size_t n;
    uint64_t num;
    uint64_t line;
} token;

typedef struct parser {
    const char *p, *end;
    uint64_t line;
    token tok;        /* current token */
    arena ar;
    md_sieve_result *out;
    size_t nodes;
    int fatal;        /* stop parsing (depth, nodes, memory) */
    const struct node *root; /* the script, for the require check */
} parser;

static void error_at(parser *ps, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void error_at(parser *ps, uint64_t line, const char *fmt, ...)
{
    md_sieve_result *o = ps->out;
    if (o->nerrors < MD_SIEVE_MAX_ERRORS) {
        md_sieve_error *e = &o->errors[o->nerrors];
        e->line = line;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    o->nerrors++;
}

static int is_idstart(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_idchar(char c)
{
    return is_idstart(c) || (c >= '0' && c <= '9');
}

/* Skip blanks and comments.  0, or -1 on an unterminated bracket comment. */
static int skip_space(parser *ps)
{
    for (;;) {
        while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r' ||
                                   *ps->p == '\n')) {
            if (*ps->p == '\n')
                ps->line++;
            ps->p++;
        }
        if (ps->p < ps->end && *ps->p == '#') {
            while (ps->p < ps->end && *ps->p != '\n')
                ps->p++;
            continue;
        }
        if (ps->end - ps->p >= 2 && ps->p[0] == '/' && ps->p[1] == '*') {
            uint64_t start = ps->line;
            ps->p += 2;
            for (;;) {
                if (ps->end - ps->p < 2) {
                    ps->p = ps->end;
                    error_at(ps, start, "unterminated comment");
                    return -1;
                }
                if (ps->p[0] == '*' && ps->p[1] == '/') {
                    ps->p += 2;
                    break;
                }
                if (*ps->p == '\n')
                    ps->line++;
                ps->p++;
            }
            continue;
        }
        return 0;
    }
}

static int lex_quoted(parser *ps, token *tk)
{
    md_buf b = MD_BUF_INIT;
    ps->p++; /* the quote */
    for (;;) {
        if (ps->p >= ps->end) {
            error_at(ps, tk->line, "unterminated string");
            md_buf_free(&b);
            return -1;
        }
        char c = *ps->p++;
        if (c == '"')
            break;
        if (c == '\\' && ps->p < ps->end)
            c = *ps->p++; /* \" \\ and, per RFC 5228 2.4.2, any other: the backslash goes */
        if (c == '\n')
            ps->line++;
        md_buf_putc(&b, c);
    }
    tk->n = b.len;
    char *s = arena_alloc(&ps->ar, b.len + 1);
    if (!s || b.oom) {
        md_buf_free(&b);
        ps->fatal = 1;
        return -1;
    }
    memcpy(s, md_buf_cstr(&b), b.len + 1);
    tk->s = s;
    md_buf_free(&b);
    return 0;
}

/* text: [blanks] [#comment] CRLF, lines, "." CRLF */
static int lex_text(parser *ps, token *tk)
{
    ps->p += 5;
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
        ps->p++;
    if (ps->p < ps->end && *ps->p == '#')
        while (ps->p < ps->end && *ps->p != '\n')
            ps->p++;
    if (ps->p < ps->end && *ps->p == '\r')
        ps->p++;
    if (ps->p >= ps->end || *ps->p != '\n') {
        error_at(ps, tk->line, "text: must be followed by a line end");
        return -1;
    }
    ps->p++;
    ps->line++;
    md_buf b = MD_BUF_INIT;
    for (;;) {
        if (ps->p >= ps->end) {
            error_at(ps, tk->line, "multi-line string not ended by a line with a single \".\"");
            md_buf_free(&b);
            return -1;
        }
        const char *nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));
        const char *e = nl ? nl : ps->end;
        size_t len = (size_t)(e - ps->p);
        if (len && ps->p[len - 1] == '\r')
            len--;
        const char *l = ps->p;
        ps->p = nl ? nl + 1 : ps->end;
        ps->line++;
        if (len == 1 && l[0] == '.')
            break;
        if (len >= 2 && l[0] == '.' && l[1] == '.') { /* dot-stuffing */
            l++;
            len--;
        }
        md_buf_append(&b, l, len);
        md_buf_putc(&b, '\n');
    }
    tk->n = b.len;
    char *s = arena_alloc(&ps->ar, b.len + 1);
    if (!s || b.oom) {
        md_buf_free(&b);
        ps->fatal = 1;
        return -1;
    }
    memcpy(s, md_buf_cstr(&b), b.len + 1);
    tk->s = s;
    md_buf_free(&b);
    return 0;
}

/* Read the next token into ps->tok. */
static void next(parser *ps)
{
    token *tk = &ps->tok;
    memset(tk, 0, sizeof *tk);
    if (skip_space(ps) != 0) {
        tk->t = T_EOF;
        tk->line = ps->line;
        return;
    }
    tk->line = ps->line;
    if (ps->p >= ps->end) {
        tk->t = T_EOF;
        return;
    }
    char c = *ps->p;
    static const char punct[] = "[]{}(),;";
    static const enum tok ptok[] = {T_LBRACKET, T_RBRACKET, T_LBRACE, T_RBRACE,
                                    T_LPAREN,   T_RPAREN,   T_COMMA,  T_SEMI};
    const char *pp = c ? strchr(punct, c) : NULL;
    if (pp) {
        tk->t = ptok[pp - punct];
        tk->s = ps->p++;
        tk->n = 1;
        return;
    }
    if (c == '"') {
        tk->t = lex_quoted(ps, tk) == 0 ? T_STR : T_BAD;
        return;
    }
    if (ps->end - ps->p >= 5 && md_text_ncasecmp(ps->p, "text:", 5) == 0) {
        tk->t = lex_text(ps, tk) == 0 ? T_STR : T_BAD;
        return;
    }
    if (c == ':' && ps->p + 1 < ps->end && is_idstart(ps->p[1])) {
        const char *b = ++ps->p;
        while (ps->p < ps->end && is_idchar(*ps->p))
            ps->p++;
        tk->t = T_TAG;
        tk->s = b;
        tk->n = (size_t)(ps->p - b);
        return;
    }
    if (is_idstart(c)) {
        const char *b = ps->p;
        while (ps->p < ps->end && is_idchar(*ps->p))
            ps->p++;
        tk->t = T_ID;
        tk->s = b;
        tk->n = (size_t)(ps->p - b);
        return;
    }
    if (c >= '0' && c <= '9') {
        uint64_t v = 0;
        int over = 0;
        const char *b = ps->p;
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
            if (v > (UINT64_MAX - 9) / 10)
                over = 1;
            else
                v = v * 10 + (uint64_t)(*ps->p - '0');
            ps->p++;
        }
        if (ps->p < ps->end) {
            int sh = 0;
            switch (*ps->p) {
            case 'K': case 'k': sh = 10; break;
            case 'M': case 'm': sh = 20; break;
            case 'G': case 'g': sh = 30; break;
            }
            if (sh) {
                if (v > (UINT64_MAX >> sh))
                    over = 1;
                else
                    v <<= sh;
                ps->p++;
            }
        }
        if (over)
            error_at(ps, tk->line, "number too large");
        tk->t = T_NUM;
        tk->num = v;
        tk->s = b;
        tk->n = (size_t)(ps->p - b);
        return;
    }
    error_at(ps, tk->line, "unexpected character '%s'",
             (unsigned char)c >= ' ' && (unsigned char)c < 127 ? (char[]){c, 0} : "?");
    ps->p++;
    tk->t = T_BAD;
}

/* ---- syntax tree --------------------------------------------------------- */

enum ntype { N_CMD, N_TEST, N_STR, N_LIST, N_NUM, N_TAG };

typedef struct node node;
struct node {
    enum ntype type;
    const char *s;       /* name (cmd/test/tag) or string value */
    size_t n;
    uint64_t num;
    uint64_t line;
    node *args;          /* arguments (strings, lists, numbers, tags) */
    node *tests;         /* test or test list */
    int ntests;
    int paren;           /* tests given as "( ... )" */
    node *block;         /* commands of a block */
    int has_block;
    node *next;
    node *up;            /* the command whose block holds this one */
};

static node *mknode(parser *ps, enum ntype t, const token *tk)
{
    if (++ps->nodes > SV_MAX_NODES) {
        if (!ps->fatal)
            error_at(ps, tk->line, "script too large (more than %d elements)", SV_MAX_NODES);
        ps->fatal = 1;
        return NULL;
    }
    node *x = arena_alloc(&ps->ar, sizeof *x);
    if (!x) {
        ps->fatal = 1;
        return NULL;
    }
    memset(x, 0, sizeof *x);
    x->type = t;
    x->s = tk->s;
    x->n = tk->n;
    x->num = tk->num;
    x->line = tk->line;
    return x;
}

static const char *tokname(enum tok t)
{
    static const char *const names[] = {"end of script", "identifier", "tag", "number",
                                        "string", "'['", "']'", "'('", "')'", "'{'", "'}'",
                                        "','", "';'", "bad input"};
    return names[t];
}

static int parse_test(parser *ps, node **out, int depth);

/* arguments: (string | string-list | number | tag)* [test | test-list] */
static int parse_args(parser *ps, node *owner, int depth)
{
    node **tail = &owner->args;
    for (;;) {
        token *tk = &ps->tok;
        node *a = NULL;
        if (tk->t == T_STR)
            a = mknode(ps, N_STR, tk);
        else if (tk->t == T_NUM)
            a = mknode(ps, N_NUM, tk);
        else if (tk->t == T_TAG)
            a = mknode(ps, N_TAG, tk);
        else if (tk->t == T_LBRACKET) {
            a = mknode(ps, N_LIST, tk);
            if (!a)
                return -1;
            next(ps);
            node **lt = &a->args;
            for (;;) {
                if (ps->tok.t != T_STR) {
                    error_at(ps, ps->tok.line, "string list: expected a string, found %s",
                             tokname(ps->tok.t));
                    return -1;
                }
                node *s = mknode(ps, N_STR, &ps->tok);
                if (!s)
                    return -1;
                *lt = s;
                lt = &s->next;
                next(ps);
                if (ps->tok.t == T_COMMA) {
                    next(ps);
                    continue;
                }
                if (ps->tok.t == T_RBRACKET)
                    break;
                error_at(ps, ps->tok.line, "string list: expected ',' or ']', found %s",
                         tokname(ps->tok.t));
                return -1;
            }
        } else
            break;
        if (!a)
            return -1;
        *tail = a;
        tail = &a->next;
        next(ps);
    }
    if (ps->tok.t == T_ID) {
        node *t;
        if (parse_test(ps, &t, depth + 1) != 0)
            return -1;
        owner->tests = t;
        owner->ntests = 1;
    } else if (ps->tok.t == T_LPAREN) {
        owner->paren = 1;
        next(ps);
        node **tt = &owner->tests;
        for (;;) {
            node *t;
            if (ps->tok.t != T_ID) {
                error_at(ps, ps->tok.line, "test list: expected a test, found %s",
                         tokname(ps->tok.t));
                return -1;
            }
            if (parse_test(ps, &t, depth + 1) != 0)
                return -1;
            *tt = t;
            tt = &t->next;
            owner->ntests++;
            if (ps->tok.t == T_COMMA) {
                next(ps);
                continue;
            }
            if (ps->tok.t == T_RPAREN) {
                next(ps);
                break;
            }
            error_at(ps, ps->tok.line, "test list: expected ',' or ')', found %s",
                     tokname(ps->tok.t));
            return -1;
        }
    }
    return 0;
}

static int parse_test(parser *ps, node **out, int depth)
{
    if (depth > MD_LIMIT_SIEVE_DEPTH) {
        error_at(ps, ps->tok.line, "tests nested deeper than %d", MD_LIMIT_SIEVE_DEPTH);
        ps->fatal = 1;
        return -1;
    }
    node *t = mknode(ps, N_TEST, &ps->tok);
    if (!t)
        return -1;
    next(ps);
    *out = t;
    return parse_args(ps, t, depth);
}

/* After an error: skip to the end of the command (';', consumed) or the end
 * of the block ('}', not consumed); a '{' block on the way is skipped whole. */
static void recover(parser *ps)
{
    int depth = 0;
    while (ps->tok.t != T_EOF && !ps->fatal) {
        if (ps->tok.t == T_LBRACE)
            depth++;
        else if (ps->tok.t == T_RBRACE) {
            if (depth == 0)
                return;
            if (--depth == 0) {
                next(ps);
                return;
            }
        } else if (ps->tok.t == T_SEMI && depth == 0) {
            next(ps);
            return;
        }
        next(ps);
    }
}

static node *parse_commands(parser *ps, node *up, int depth);

static node *parse_command(parser *ps, node *up, int depth)
{
    if (ps->tok.t != T_ID) {
        error_at(ps, ps->tok.line, "expected a command, found %s", tokname(ps->tok.t));
        next(ps); /* make progress */
        recover(ps);
        return NULL;
    }
    node *c = mknode(ps, N_CMD, &ps->tok);
    if (!c)
        return NULL;
    c->up = up;
    next(ps);
    if (parse_args(ps, c, depth) != 0) {
        recover(ps);
        return c;
    }
    if (ps->tok.t == T_SEMI) {
        next(ps);
        return c;
    }
    if (ps->tok.t == T_LBRACE) {
        if (depth >= MD_LIMIT_SIEVE_DEPTH) {
            error_at(ps, ps->tok.line, "blocks nested deeper than %d", MD_LIMIT_SIEVE_DEPTH);
            ps->fatal = 1;
            return c;
        }
        uint64_t open = ps->tok.line;
        next(ps);
        c->has_block = 1;
        c->block = parse_commands(ps, c, depth + 1);
        if (ps->tok.t == T_RBRACE)
            next(ps);
        else if (!ps->fatal)
            error_at(ps, open, "block opened here is not closed");
        return c;
    }
    error_at(ps, ps->tok.line, "%.*s: expected ';' or a block, found %s",
             (int)(c->n < 40 ? c->n : 40), c->s, tokname(ps->tok.t));
    recover(ps);
    return c;
}

static node *parse_commands(parser *ps, node *up, int depth)
{
    node *head = NULL, **tail = &head;
    while (!ps->fatal && ps->tok.t != T_EOF && ps->tok.t != T_RBRACE) {
        node *c = parse_command(ps, up, depth);
        if (c) {
            *tail = c;
            tail = &c->next;
            ps->out->ncommands++;
        }
    }
    return head;
}

/* ---- checks -------------------------------------------------------------- */

static int is(const node *x, const char *name)
{
    return x && x->n == strlen(name) && md_text_ncasecmp(x->s, name, x->n) == 0;
}

static int in_list(const node *x, const char *const *names)
{
    for (size_t i = 0; names[i]; i++)
        if (is(x, names[i]))
            return 1;
    return 0;
}

static const char *const known_tests[] = {
    "allof", "anyof", "not", "header", "address", "envelope", "exists", "size", "true",
    "false", "body", "date", "currentdate", "string", "hasflag", "mailboxexists",
    "metadata", "metadataexists", "servermetadata", "servermetadataexists", "environment",
    "duplicate", "valid_notify_method", "notify_method_capability", "spamtest",
    "spamtestplus", "virustest", "ihave", "specialuse_exists", "valid_ext_list",
    "notify_method_capability", "mailboxidexists", NULL};

static const char *const known_cmds[] = {
    "require", "if", "elsif", "else", "stop", "keep", "discard", "redirect", "fileinto",
    "reject", "ereject", "vacation", "setflag", "addflag", "removeflag", "set", "notify",
    "denotify", "include", "return", "global", "break", "foreverypart", "extracttext",
    "replace", "enclose", "addheader", "deleteheader", "convert", "error", "debug_log",
    "filter", "execute", "pipe", "snooze", NULL};

static void show_name(char *dst, size_t n, const node *x)
{
    md_text_printable(dst, n, x->s, x->n);
}

static void check_require(parser *ps, const node *x);

static void check_tests(parser *ps, const node *t)
{
    for (; t; t = t->next) {
        char nm[64];
        show_name(nm, sizeof nm, t);
        if (in_list(t, known_tests))
            check_require(ps, t);
        if (!in_list(t, known_tests))
            error_at(ps, t->line, "unknown test '%s'", nm);
        else if ((is(t, "allof") || is(t, "anyof")) && (!t->paren || t->args))
            error_at(ps, t->line, "%s needs a test list in ( )", nm);
        else if (is(t, "not") && (t->ntests != 1 || t->paren || t->args))
            error_at(ps, t->line, "not needs exactly one test");
        else if ((is(t, "true") || is(t, "false")) && (t->args || t->ntests))
            error_at(ps, t->line, "%s takes no arguments", nm);
        else if (is(t, "size")) {
            const node *a = t->args;
            if (!a || a->type != N_TAG || !(is(a, "over") || is(a, "under")) || !a->next ||
                a->next->type != N_NUM || a->next->next)
                error_at(ps, t->line, "size needs :over or :under and a number");
        } else if (!is(t, "allof") && !is(t, "anyof") && !is(t, "not") && t->ntests)
            error_at(ps, t->line, "test '%s' takes no nested tests", nm);
        check_tests(ps, t->tests);
    }
}

/* the positional (non-tag) arguments, skipping arguments that belong to
 * tags taking one (":flags", ":comparator", ":from", ...) */
static const char *const tags_with_arg[] = {
    "comparator", "flags", "from", "subject", "days", "seconds", "addresses", "handle",
    "mime", "specialuse", "mailboxid", "importance", "options", "message", "zone",
    "index", "by", "bytimerelative", "bytimeabsolute", "bymode", "headers", "notify",
    "ret", "envid", "count", "value", NULL};

static const node *positional(const node *c, int idx, int *count)
{
    const node *found = NULL;
    int k = 0;
    for (const node *a = c->args; a; a = a->next) {
        if (a->type == N_TAG) {
            if (in_list(a, tags_with_arg) && a->next && a->next->type != N_TAG)
                a = a->next;
            continue;
        }
        if (k == idx)
            found = a;
        k++;
    }
    if (count)
        *count = k;
    return found;
}

static const node *tag_arg(const node *c, const char *tag)
{
    for (const node *a = c->args; a; a = a->next)
        if (a->type == N_TAG && is(a, tag))
            return a->next;
    return NULL;
}

static int has_tag(const node *c, const char *tag)
{
    for (const node *a = c->args; a; a = a->next)
        if (a->type == N_TAG && is(a, tag))
            return 1;
    return 0;
}

/* ---- require ------------------------------------------------------------ */

/* Is extension ext named by a require command at the top of the script? */
static int required(const parser *ps, const char *ext)
{
    for (const node *c = ps->root; c; c = c->next) {
        if (!is(c, "require"))
            continue;
        for (const node *a = c->args; a; a = a->next) {
            const node *x = a->type == N_LIST ? a->args : a;
            for (; x; x = x->next) {
                if (x->type == N_STR && is(x, ext))
                    return 1;
                if (a->type != N_LIST)
                    break;
            }
        }
    }
    return 0;
}

/* What the base language lacks: the extension a command, test or tag needs. */
static const char *needs(const node *x)
{
    static const char *const map[][2] = {
        {"fileinto", "fileinto"}, {"reject", "reject"}, {"ereject", "ereject"},
        {"vacation", "vacation"}, {"envelope", "envelope"}, {"body", "body"},
        {"date", "date"}, {"currentdate", "date"}, {"set", "variables"},
        {"string", "variables"}, {"include", "include"}, {"return", "include"},
        {"global", "include"}, {"duplicate", "duplicate"}, {"mailboxexists", "mailbox"},
        {"spamtest", "spamtest"}, {"virustest", "virustest"}, {"ihave", "ihave"},
        {"notify", "enotify"}, {"addheader", "editheader"}, {"deleteheader", "editheader"},
        {"foreverypart", "foreverypart"}, {"break", "foreverypart"},
        {"extracttext", "extracttext"}, {"replace", "replace"}, {"enclose", "enclose"},
        {"environment", "environment"}, {"copy", "copy"}, {"regex", "regex"},
        {"count", "relational"}, {"value", "relational"}, {"user", "subaddress"},
        {"detail", "subaddress"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (is(x, map[i][0]))
            return map[i][1];
    return NULL;
}

static int flags_required(const parser *ps)
{
    return required(ps, "imap4flags") || required(ps, "imapflags");
}

static void check_require(parser *ps, const node *x)
{
    char nm[64];
    show_name(nm, sizeof nm, x);
    const char *ext = needs(x);
    if (ext && !required(ps, ext))
        error_at(ps, x->line, "%s%s used without require \"%s\"", x->type == N_TAG ? ":" : "",
                 nm, ext);
    if ((is(x, "setflag") || is(x, "addflag") || is(x, "removeflag") || is(x, "hasflag")) &&
        !flags_required(ps))
        error_at(ps, x->line, "%s used without require \"imap4flags\"", nm);
    for (const node *a = x->args; a; a = a->next)
        if (a->type == N_TAG && needs(a) && !required(ps, needs(a)))
            error_at(ps, a->line, ":%.*s used without require \"%s\"",
                     (int)(a->n < 40 ? a->n : 40), a->s, needs(a));
}

static void check_commands(parser *ps, const node *c)
{
    const node *prev = NULL;
    for (; c; prev = c, c = c->next) {
        char nm[64];
        show_name(nm, sizeof nm, c);
        int npos = 0;
        positional(c, 0, &npos);
        if (!in_list(c, known_cmds)) {
            error_at(ps, c->line, "unknown command '%s'", nm);
            goto block;
        }
        check_require(ps, c);
        if ((is(c, "elsif") || is(c, "else")) && !(is(prev, "if") || is(prev, "elsif")))
            error_at(ps, c->line, "%s without a preceding if", nm);
        if (is(c, "if") || is(c, "elsif")) {
            if (c->ntests != 1 || c->paren || c->args)
                error_at(ps, c->line, "%s needs exactly one test", nm);
            if (!c->has_block)
                error_at(ps, c->line, "%s needs a block", nm);
        } else if (is(c, "else")) {
            if (c->args || c->ntests || !c->has_block)
                error_at(ps, c->line, "else takes only a block");
        } else {
            if (c->has_block && !is(c, "foreverypart"))
                error_at(ps, c->line, "%s takes no block", nm);
            if (c->ntests && !is(c, "foreverypart")) {
                error_at(ps, c->line, "%s takes no test: ';' missing before it?", nm);
                check_commands(ps, c->block);
                continue; /* the "test" is the next command: one error is enough */
            }
        }
        if ((is(c, "stop") || is(c, "discard")) && c->args)
            error_at(ps, c->line, "%s takes no arguments", nm);
        if (is(c, "keep") && npos)
            error_at(ps, c->line, "keep takes no arguments");
        if (is(c, "require")) {
            const node *a = positional(c, 0, NULL);
            if (npos != 1 || (a->type != N_STR && a->type != N_LIST))
                error_at(ps, c->line, "require needs a string or a string list");
        }
        if (is(c, "redirect") || is(c, "fileinto") || is(c, "reject") || is(c, "ereject")) {
            const node *a = positional(c, 0, NULL);
            if (npos != 1 || a->type != N_STR)
                error_at(ps, c->line, "%s needs exactly one string", nm);
            else if (is(c, "redirect") && !md_sieve_address_valid(a->s, a->n, NULL, 0)) {
                char show[MD_LIMIT_SHOW_BYTES + 8];
                error_at(ps, a->line, "redirect: \"%s\" is not a valid address",
                         md_text_printable(show, sizeof show, a->s, a->n));
            }
        }
        if (is(c, "vacation")) {
            const node *f = tag_arg(c, "from");
            if (f && f->type == N_STR && !md_sieve_address_valid(f->s, f->n, NULL, 0)) {
                char show[MD_LIMIT_SHOW_BYTES + 8];
                error_at(ps, f->line, "vacation :from \"%s\" is not a valid address",
                         md_text_printable(show, sizeof show, f->s, f->n));
            }
        }
    block:
        check_tests(ps, c->tests);
        check_commands(ps, c->block);
    }
}

/* ---- RFC 5322 mailbox check ------------------------------------------------ */

static int atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

typedef struct scan {
    const char *p, *e;
} scan;

static void sp(scan *s)
{
    while (s->p < s->e && (*s->p == ' ' || *s->p == '\t' || *s->p == '\r' || *s->p == '\n'))
        s->p++;
}

/* a word: atom or quoted-string; appended to nb when given */
static int word(scan *s, md_buf *nb)
{
    sp(s);
    if (s->p < s->e && *s->p == '"') {
        const char *b = s->p++;
        while (s->p < s->e && *s->p != '"') {
            if ((unsigned char)*s->p >= 0x80)
                return 0;
            if (*s->p == '\\' && s->p + 1 < s->e)
                s->p++;
            s->p++;
        }
        if (s->p >= s->e)
            return 0;
        s->p++;
        if (nb)
            md_buf_append(nb, b, (size_t)(s->p - b));
        return 1;
    }
    const char *b = s->p;
    while (s->p < s->e && atext((unsigned char)*s->p))
        s->p++;
    if (nb)
        md_buf_append(nb, b, (size_t)(s->p - b));
    return s->p > b;
}

static int addr_spec(scan *s, md_buf *nb)
{
    /* local part: words and dots (obsolete leading/trailing/double dots allowed) */
    int words = 0, last_word = 0;
    for (;;) {
        sp(s);
        if (s->p < s->e && *s->p == '.') {
            md_buf_putc(nb, '.');
            s->p++;
            last_word = 0;
            continue;
        }
        if (s->p < s->e && *s->p == '@')
            break;
        if (last_word)
            return 0; /* two words without a dot */
        if (!word(s, nb))
            return 0;
        words++;
        last_word = 1;
    }
    if (!words)
        return 0;
    md_buf_putc(nb, '@');
    s->p++;
    sp(s);
    if (s->p < s->e && *s->p == '[') {
        const char *b = s->p;
        while (s->p < s->e && *s->p != ']') {
            if ((unsigned char)*s->p >= 0x80 || (*s->p == '[' && s->p != b))
                return 0;
            s->p++;
        }
        if (s->p >= s->e)
            return 0;
        s->p++;
        md_buf_append(nb, b, (size_t)(s->p - b));
        return 1;
    }
    for (;;) {
        sp(s);
        const char *b = s->p;
        while (s->p < s->e && atext((unsigned char)*s->p))
            s->p++;
        if (s->p == b)
            return 0;
        md_buf_append(nb, b, (size_t)(s->p - b));
        sp(s);
        if (s->p < s->e && *s->p == '.') {
            md_buf_putc(nb, '.');
            s->p++;
            continue;
        }
        return 1;
    }
}

int md_sieve_address_valid(const char *str, size_t n, char *norm, size_t nn)
{
    scan s = {str, str + n};
    md_buf nb = MD_BUF_INIT;
    int ok = 0;
    const char *lt = NULL;
    int q = 0;
    for (size_t i = 0; i < n; i++) {
        if (str[i] == '"' && (i == 0 || str[i - 1] != '\\'))
            q = !q;
        else if (!q && str[i] == '<') {
            lt = str + i;
            break;
        }
    }
    if (lt) {
        /* display name: words (possibly none), then <addr-spec> */
        scan ph = {str, lt};
        for (;;) {
            sp(&ph);
            if (ph.p >= ph.e)
                break;
            if (*ph.p == '.') { /* obsolete phrase dots */
                ph.p++;
                continue;
            }
            if (!word(&ph, NULL))
                goto done;
        }
        s.p = lt + 1;
        if (!addr_spec(&s, &nb))
            goto done;
        sp(&s);
        if (s.p >= s.e || *s.p != '>')
            goto done;
        s.p++;
    } else if (!addr_spec(&s, &nb))
        goto done;
    sp(&s);
    ok = s.p == s.e && !nb.oom;
done:
    if (ok && norm && nn) {
        snprintf(norm, nn, "%s", md_buf_cstr(&nb));
        md_text_lower(norm);
    }
    md_buf_free(&nb);
    return ok;
}

/* ---- actions --------------------------------------------------------------- */

static void test_text(md_buf *b, const node *t, int depth)
{
    if (b->len > 480 || depth > 8) {
        if (b->len <= 480)
            md_buf_puts(b, "...");
        return;
    }
    char tmp[200];
    md_buf_append(b, t->s, t->n);
    for (const node *a = t->args; a; a = a->next) {
        md_buf_putc(b, ' ');
        if (a->type == N_TAG) {
            md_buf_putc(b, ':');
            md_buf_append(b, a->s, a->n);
        } else if (a->type == N_NUM)
            md_buf_append(b, a->s, a->n);
        else if (a->type == N_STR)
            md_buf_printf(b, "\"%s\"", md_text_printable(tmp, sizeof tmp, a->s, a->n));
        else {
            md_buf_putc(b, '[');
            for (const node *x = a->args; x; x = x->next)
                md_buf_printf(b, "%s\"%s\"", x == a->args ? "" : ", ",
                              md_text_printable(tmp, sizeof tmp, x->s, x->n));
            md_buf_putc(b, ']');
        }
    }
    if (t->tests) {
        md_buf_puts(b, t->paren ? " (" : " ");
        for (const node *x = t->tests; x; x = x->next) {
            if (x != t->tests)
                md_buf_puts(b, ", ");
            test_text(b, x, depth + 1);
        }
        if (t->paren)
            md_buf_putc(b, ')');
    }
}

typedef struct actx {
    md_sieve_result *out;
    int oom;
} actx;

static int is_copy_action(const node *c)
{
    return is(c, "keep") || is(c, "fileinto");
}

/* Does a keep/fileinto run on the path of command x (see sieve.h)? */
static int copy_on_path(const node *x, const node *root)
{
    int stop_after = 0;
    const node *pos = x;
    for (;;) {
        const node *first = pos->up ? pos->up->block : root;
        int after = 0;
        for (const node *c = first; c; c = c->next) {
            if (c == pos) {
                after = 1;
                continue;
            }
            if (after && stop_after)
                break;
            if (is_copy_action(c))
                return 1;
            if (after && is(c, "stop"))
                stop_after = 1;
        }
        if (!pos->up)
            return 0;
        pos = pos->up;
    }
}

static int add_action(actx *a, md_sieve_act type, const node *c, const char *arg, size_t argn,
                      const char *cond)
{
    md_sieve_result *o = a->out;
    md_sieve_action *v = md_grow(o->actions, &o->cap, o->nactions + 1, sizeof *v, 16);
    if (!v)
        return a->oom = 1, -1;
    o->actions = v;
    md_sieve_action *x = &o->actions[o->nactions++];
    memset(x, 0, sizeof *x);
    x->type = type;
    x->line = c->line;
    if (arg)
        md_text_printable(x->arg, sizeof x->arg, arg, argn);
    if (cond && *cond) {
        x->conditional = 1;
        snprintf(x->condition, sizeof x->condition, "%s", cond);
    }
    return 0;
}

static void collect(actx *a, const node *c, const node *root, const char *cond)
{
    md_buf chain = MD_BUF_INIT; /* "not (c1) and not (c2)" of the passed-over branches */
    for (; c && !a->oom; c = c->next) {
        if (is(c, "if"))
            md_buf_reset(&chain);
        if (is(c, "if") || is(c, "elsif") || is(c, "else")) {
            md_buf here = MD_BUF_INIT, t = MD_BUF_INIT;
            if (cond && *cond)
                md_buf_printf(&here, "%s and ", cond);
            if (chain.len)
                md_buf_printf(&here, "%s", md_buf_cstr(&chain));
            if (c->tests) {
                test_text(&t, c->tests, 0);
                md_buf_printf(&here, "%s%s", chain.len ? " and " : "", md_buf_cstr(&t));
                md_buf_printf(&chain, "%snot (%s)", chain.len ? " and " : "", md_buf_cstr(&t));
            } else if (!chain.len && here.len >= 5)
                here.len -= 5, here.data[here.len] = '\0'; /* drop a dangling " and " */
            collect(a, c->block, root, md_buf_cstr(&here));
            if (here.oom || t.oom)
                a->oom = 1;
            md_buf_free(&here);
            md_buf_free(&t);
            continue;
        }
        const node *arg = positional(c, 0, NULL);
        int have = arg && arg->type == N_STR;
        if (is(c, "redirect") && have) {
            char norm[MD_LIMIT_ADDR];
            if (!md_sieve_address_valid(arg->s, arg->n, norm, sizeof norm))
                continue; /* reported by the checks */
            if (add_action(a, MD_SV_REDIRECT, c, norm, strlen(norm), cond) == 0) {
                md_sieve_action *x = &a->out->actions[a->out->nactions - 1];
                x->copy = has_tag(c, "copy");
                x->keeps_copy = x->copy || copy_on_path(c, root);
            }
        } else if (is(c, "keep"))
            add_action(a, MD_SV_KEEP, c, NULL, 0, cond);
        else if (is(c, "fileinto") && have)
            add_action(a, MD_SV_FILEINTO, c, arg->s, arg->n, cond);
        else if (is(c, "discard"))
            add_action(a, MD_SV_DISCARD, c, NULL, 0, cond);
        else if (is(c, "stop"))
            add_action(a, MD_SV_STOP, c, NULL, 0, cond);
        else if ((is(c, "reject") || is(c, "ereject")) && have)
            add_action(a, MD_SV_REJECT, c, arg->s, arg->n, cond);
    }
    if (chain.oom)
        a->oom = 1;
    md_buf_free(&chain);
}

void md_sieve_result_free(md_sieve_result *r)
{
    free(r->actions);
    r->actions = NULL;
    r->nactions = r->cap = 0;
}

int md_sieve_parse(const char *text, size_t n, md_sieve_result *out, md_err *err)
{
    md_sieve_result_free(out);
    memset(out, 0, sizeof *out);
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.p = text;
    ps.end = text + n;
    ps.line = 1;
    ps.out = out;
    if (n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        ps.p += 3;
    next(&ps);
    node *root = parse_commands(&ps, NULL, 0);
    while (!ps.fatal && ps.tok.t != T_EOF) { /* a stray '}' at the top */
        error_at(&ps, ps.tok.line, "unexpected %s", tokname(ps.tok.t));
        next(&ps);
        node *more = parse_commands(&ps, NULL, 0);
        node **tail = &root;
        while (*tail)
            tail = &(*tail)->next;
        *tail = more;
    }
    if (!ps.ar.oom) {
        ps.root = root;
        check_commands(&ps, root);
    }
    actx a = {out, 0};
    if (!ps.ar.oom)
        collect(&a, root, root, "");
    arena_free(&ps.ar);
    if (ps.ar.oom || a.oom) {
        md_sieve_result_free(out);
        return md_err_set(err, MD_ERR_NOMEM, "out of memory");
    }
    /* the implicit keep when no condition holds: cancelled by an
     * unconditional redirect (without :copy), fileinto, discard or reject */
    out->implicit_keep = 1;
    for (size_t i = 0; i < out->nactions; i++) {
        const md_sieve_action *x = &out->actions[i];
        if (x->conditional)
            continue;
        if (x->type == MD_SV_STOP)
            break;
        if ((x->type == MD_SV_REDIRECT && !x->copy) || x->type == MD_SV_FILEINTO ||
            x->type == MD_SV_DISCARD || x->type == MD_SV_REJECT)
            out->implicit_keep = 0;
    }
    for (size_t i = 0; i < out->nactions; i++)
        if (!out->actions[i].conditional && out->actions[i].type == MD_SV_KEEP)
            out->implicit_keep = 1; /* an explicit keep keeps anyway */
    if (out->nerrors)
        return md_err_set(err, MD_ERR_PARSE, "line %llu: %s%s",
                          (unsigned long long)out->errors[0].line, out->errors[0].msg,
                          out->nerrors > 1 ? " (and more errors)" : "");
    return MD_OK;
}

int md_sieve_to_rules(const md_sieve_result *r, const char *owner, const char *file,
                      md_rule_list *out)
{
    for (size_t i = 0; i < r->nactions; i++) {
        const md_sieve_action *x = &r->actions[i];
        md_rule rule;
        if (x->type == MD_SV_REDIRECT)
            md_rules_set(&rule, MD_RK_SIEVE, MD_TGT_ADDR, owner, x->arg, strlen(x->arg),
                         x->keeps_copy, file, x->line);
        else if ((x->type == MD_SV_DISCARD || x->type == MD_SV_REJECT) && !x->conditional)
            md_rules_set(&rule, MD_RK_SIEVE,
                         x->type == MD_SV_DISCARD ? MD_TGT_DISCARD : MD_TGT_ERROR, owner,
                         x->type == MD_SV_DISCARD ? "discard" : x->arg,
                         x->type == MD_SV_DISCARD ? 7 : strlen(x->arg), 0, file, x->line);
        else
            continue;
        snprintf(rule.condition, sizeof rule.condition, "%s", x->condition);
        if (x->type == MD_SV_REDIRECT)
            snprintf(rule.note, sizeof rule.note, "%s",
                     x->copy ? "redirect :copy" : x->keeps_copy ? "redirect + keep" : "redirect");
        if (md_rules_list_add(out, &rule) != MD_OK)
            return MD_ERR_NOMEM;
    }
    return MD_OK;
}
