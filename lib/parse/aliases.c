/* aliases.c: aliases(5) files into forwarding rules (see aliases.h).
 * Reads :include: files itself (through md_input) within the roots it is
 * given; never prints; warnings go to the caller's callback. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parse/aliases.h"
#include "base/buf.h"
#include "base/input.h"
#include "base/text.h"

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static void trim(const char **s, size_t *n)
{
    while (*n && (is_blank(**s) || **s == '\n')) {
        (*s)++;
        (*n)--;
    }
    while (*n && (is_blank((*s)[*n - 1]) || (*s)[*n - 1] == '\n'))
        (*n)--;
}

int md_aliases_split(const char *text, size_t n, uint64_t line0, int newline_sep,
                     md_aliases_target_fn fn, void *arg)
{
    uint64_t line = line0, tline = line0;
    size_t start = 0;
    int quote = 0, angle = 0, paren = 0, bol = 1, started = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = i < n ? text[i] : '\n';
        int end_here = i == n;
        if (bol && !quote && c == '#') { /* comment line */
            while (i < n && text[i] != '\n')
                i++;
            start = i; /* the '\n' (or the end) */
            if (i == n)
                end_here = 1;
            c = '\n';
        }
        bol = 0;
        if (quote) {
            if (c == '\\' && i + 1 < n)
                i++;
            else if (c == '"')
                quote = 0;
        } else if (c == '"')
            quote = 1;
        else if (c == '<')
            angle++;
        else if (c == '>' && angle)
            angle--;
        else if (c == '(')
            paren++;
        else if (c == ')' && paren)
            paren--;
        int sep = end_here || (!quote && !angle && !paren &&
                               (c == ',' || (newline_sep && c == '\n')));
        if (quote && c == '\n' && newline_sep) /* a quote does not span lines */
            sep = 1, quote = 0;
        if (!started && !is_blank(c) && c != '\n' && c != ',') {
            started = 1;
            tline = line;
        }
        if (sep) {
            const char *t = text + start;
            size_t tn = (i > start ? i - start : 0);
            trim(&t, &tn);
            if (tn && *t == ',')
                t++, tn--;
            trim(&t, &tn);
            if (tn) {
                int rc = fn(arg, t, tn, tline);
                if (rc)
                    return rc;
            }
            start = i + 1;
            started = 0;
            quote = angle = paren = 0;
        }
        if (c == '\n') {
            line++;
            bol = 1;
        }
    }
    return 0;
}

static int prefix(const char *s, size_t n, const char *p)
{
    size_t l = strlen(p);
    return n >= l && md_text_ncasecmp(s, p, l) == 0;
}

/* An address: no unquoted blanks or control bytes, no comma, something there. */
static int addr_ok(const char *s, size_t n)
{
    int q = 0;
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (q) {
            if (c == '\\' && i + 1 < n)
                i++;
            else if (c == '"')
                q = 0;
        } else if (c == '"')
            q = 1;
        else if (c <= ' ' || c == ',' || c == '<' || c == '>' || c == 127)
            return 0;
    }
    return !q;
}

int md_aliases_target(const char *s, size_t n, md_tgt *type, const char **v, size_t *vn)
{
    trim(&s, &n);
    if (!n)
        return -1;
    /* "|program", "/file", "\"quoted local\"@host" */
    if (s[0] == '"') {
        size_t e = 1;
        while (e < n && s[e] != '"') {
            if (s[e] == '\\' && e + 1 < n)
                e++;
            e++;
        }
        if (e >= n)
            return -1;
        if (e == n - 1 && n > 2 && (s[1] == '|' || s[1] == '/' || s[1] == ':')) {
            int rc = md_aliases_target(s + 1, n - 2, type, v, vn);
            return rc;
        }
    }
    if (s[0] == '|') {
        *type = MD_TGT_PROGRAM;
        *v = s;
        *vn = n;
        /* |"/usr/bin/vacation anna": drop the quotes, keep the bar */
        return n > 1 ? 0 : -1;
    }
    if (s[0] == '/') {
        *type = (n == 9 && memcmp(s, "/dev/null", 9) == 0) ? MD_TGT_DISCARD : MD_TGT_FILE;
        *v = s;
        *vn = n;
        return 0;
    }
    if (prefix(s, n, ":include:")) {
        *type = MD_TGT_INCLUDE;
        *v = s + 9;
        *vn = n - 9;
        trim(v, vn);
        return *vn ? 0 : -1;
    }
    if (prefix(s, n, ":blackhole:")) {
        *type = MD_TGT_DISCARD;
        *v = s;
        *vn = n;
        return 0;
    }
    if (prefix(s, n, ":fail:") || prefix(s, n, ":defer:") || prefix(s, n, ":unknown:") ||
        prefix(s, n, "error:")) {
        *type = MD_TGT_ERROR;
        *v = s;
        *vn = n;
        return 0;
    }
    if (s[0] == '\\') {
        *type = MD_TGT_LOCAL;
        *v = s + 1;
        *vn = n - 1;
        return addr_ok(*v, *vn) ? 0 : -1;
    }
    /* Name <addr> */
    const char *lt = NULL;
    int q = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            q = !q;
        else if (!q && s[i] == '<') {
            lt = s + i;
            break;
        }
    }
    if (lt) {
        const char *gt = memchr(lt, '>', n - (size_t)(lt - s));
        if (!gt)
            return -1;
        *v = lt + 1;
        *vn = (size_t)(gt - lt - 1);
        trim(v, vn);
        *type = MD_TGT_ADDR;
        return addr_ok(*v, *vn) ? 0 : -1;
    }
    /* strip a trailing (comment) */
    size_t m = n;
    if (s[m - 1] == ')') {
        const char *op = memchr(s, '(', n);
        if (op)
            m = (size_t)(op - s);
    }
    const char *a = s;
    trim(&a, &m);
    *type = MD_TGT_ADDR;
    *v = a;
    *vn = m;
    return addr_ok(a, m) ? 0 : -1;
}

/* ---- sniffing: does a text read as aliases? ------------------------------ */

/* an indented "key:" followed by a blank or the end: a nested YAML mapping */
static int yaml_key(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-' || s[i] == '.'))
        i++;
    return i > 0 && i < n && s[i] == ':' && (i + 1 == n || is_blank(s[i + 1]));
}

/* "- item" */
static int yaml_item(const char *s, size_t n)
{
    return n && s[0] == '-' && (n == 1 || is_blank(s[1]));
}

/* "---", "...", "%YAML 1.2" */
static int yaml_marker(const char *s, size_t n)
{
    return (n == 3 && (memcmp(s, "---", 3) == 0 || memcmp(s, "...", 3) == 0)) ||
           (n > 3 && memcmp(s, "---", 3) == 0 && is_blank(s[3])) || prefix(s, n, "%YAML");
}

/* a value that opens a block scalar ("|", ">-", "|2 # text"), a flow
 * collection, an anchor, an alias, a tag or a single-quoted string */
static int yaml_value(const char *v, size_t n)
{
    if (!n)
        return 0;
    if (memchr("[{&*!'", v[0], 6))
        return 1;
    if (v[0] != '|' && v[0] != '>')
        return 0;
    size_t i = 1;
    while (i < n && (v[i] == '-' || v[i] == '+' || (v[i] >= '1' && v[i] <= '9')))
        i++;
    while (i < n && is_blank(v[i]))
        i++;
    return i == n || v[i] == '#';
}

/* YAML's plain words that no one names a mailbox */
static int yaml_word(const char *s, size_t n)
{
    static const char *const words[] = {"true", "false", "yes", "no", "on", "off", "null"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (n == strlen(words[i]) && md_text_ncasecmp(s, words[i], n) == 0)
            return 1;
    return 0;
}

/* an address or local name as aliases files write them: letters, digits
 * and "._+=-" with a letter among them, then maybe "@domain" */
static int plain_addr(const char *s, size_t n)
{
    size_t i = 0;
    int letter = 0;
    for (; i < n && s[i] != '@'; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalpha(c))
            letter = 1;
        else if (!isdigit(c) && !memchr("._+=-", c, 5))
            return 0;
    }
    if (!letter || yaml_word(s, i))
        return 0;
    if (i == n)
        return 1;
    const char *d = s + i + 1;
    size_t dn = n - i - 1;
    if (dn >= 3 && d[0] == '[') /* a domain literal */
        return d[dn - 1] == ']';
    for (size_t k = 0; k < dn; k++)
        if (!isalnum((unsigned char)d[k]) && d[k] != '.' && d[k] != '-')
            return 0;
    return dn > 0;
}

/* md_aliases_split's callback: 1 (stop) at a target that does not look
 * like one; *arg is set after ":fail:" and the like, whose text runs to the
 * end of the line, commas and all */
static int sniff_target(void *arg, const char *t, size_t n, uint64_t line)
{
    int *text = arg;
    md_tgt type;
    const char *v;
    size_t vn;
    (void)line;
    if (*text)
        return 0;
    if (md_aliases_target(t, n, &type, &v, &vn) != 0)
        return 1;
    if (type == MD_TGT_ERROR)
        *text = 1;
    return (type == MD_TGT_ADDR || type == MD_TGT_LOCAL) && !plain_addr(v, vn);
}

static int targets_look_right(const char *s, size_t n)
{
    int text = 0;
    return md_aliases_split(s, n, 1, 0, sniff_target, &text) == 0;
}

/* the name of an entry, a word or a quoted string, then ':' at *colon */
static int sniff_name(const char *s, size_t n, size_t *colon)
{
    size_t i = 0;
    if (s[0] == '"') {
        for (i = 1; i < n && s[i] != '"'; i++)
            if (s[i] == '\\')
                i++;
        if (i >= n)
            return 0;
        i++;
    } else {
        while (i < n && s[i] != ':' && s[i] != '"' && !is_blank(s[i]))
            i++;
    }
    size_t end = i;
    while (i < n && is_blank(s[i]))
        i++;
    if (end == 0 || i >= n || s[i] != ':')
        return 0;
    *colon = i;
    return 1;
}

/* one line that says something (trimmed at its end): 1 an entry or a
 * continuation that reads as aliases, 0 one that does not, -1 a YAML mark;
 * entries are counted in *entries */
static int sniff_line(const char *s, size_t n, int *entries)
{
    size_t b = 0;
    while (b < n && is_blank(s[b]))
        b++;
    if (yaml_item(s + b, n - b) || (b > 0 && yaml_key(s + b, n - b)) || yaml_marker(s, n))
        return -1;
    if (b > 0)
        return targets_look_right(s + b, n - b);
    size_t colon;
    if (!sniff_name(s, n, &colon))
        return 0;
    const char *v = s + colon + 1;
    size_t vn = n - colon - 1;
    trim(&v, &vn);
    if (yaml_value(v, vn))
        return -1;
    (*entries)++;
    return targets_look_right(v, vn);
}

int md_aliases_sniff(const char *text, size_t n)
{
    int good = 0, bad = 0, entries = 0;
    size_t i = 0;
    while (i < n) {
        const char *nl = memchr(text + i, '\n', n - i);
        if (!nl && i > 0)
            break; /* perhaps cut by the probe */
        const char *l = text + i;
        size_t ln = (nl ? (size_t)(nl - text) : n) - i;
        i += ln + 1;
        while (ln && is_blank(l[ln - 1]))
            ln--;
        size_t b = 0;
        while (b < ln && is_blank(l[b]))
            b++;
        if (b == ln || l[b] == '#')
            continue;
        int r = sniff_line(l, ln, &entries);
        if (r < 0)
            return MD_ALIASES_YAML;
        good += r;
        bad += !r;
    }
    return entries && good * 4 >= (good + bad) * 3 ? MD_ALIASES_LIKE : MD_ALIASES_UNLIKE;
}

/* ---- the file ------------------------------------------------------------ */

typedef struct actx {
    const md_aliases_opts *o;
    md_rule_list *out;
    md_err *err;
    const char *file;        /* file being read */
    const char *name;        /* alias name (NUL-terminated) */
    int depth;
    char roots[8][MD_LIMIT_PATH];
    int nroots;
    size_t first;            /* out->n at the start of the entry */
} actx;

static void warnf(actx *c, const char *file, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void warnf(actx *c, const char *file, uint64_t line, const char *fmt, ...)
{
    if (!c->o || !c->o->warn)
        return;
    char msg[MD_LIMIT_ERRMSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->o->warn(c->o->warn_arg, file, line, msg);
}

static int read_include(actx *c, const char *path, size_t pn, uint64_t line);

static int on_target(void *arg, const char *t, size_t n, uint64_t line)
{
    actx *c = arg;
    md_tgt type;
    const char *v;
    size_t vn;
    char show[MD_LIMIT_SHOW_BYTES + 8];
    if (md_aliases_target(t, n, &type, &v, &vn) != 0) {
        warnf(c, c->file, line, "alias %s: not a usable target: \"%s\"", c->name,
              md_text_printable(show, sizeof show, t, n));
        return 0;
    }
    if (type == MD_TGT_INCLUDE && !(c->o && c->o->no_include))
        return read_include(c, v, vn, line);
    if (c->out->n - c->first >= MD_LIMIT_RULE_TARGETS) {
        warnf(c, c->file, line, "alias %s: more than %d targets; the rest is ignored", c->name,
              MD_LIMIT_RULE_TARGETS);
        return 1;
    }
    md_rule r;
    md_rules_set(&r, MD_RK_ALIAS, type, c->name, v, vn, 0, c->file, line);
    if (md_rules_list_add(c->out, &r) != MD_OK) {
        md_err_set(c->err, MD_ERR_NOMEM, "out of memory");
        return -1;
    }
    return 0;
}

static int under_roots(const actx *c, const char *real)
{
    for (int i = 0; i < c->nroots; i++) {
        size_t l = strlen(c->roots[i]);
        if (strncmp(real, c->roots[i], l) == 0 &&
            (real[l] == '/' || real[l] == '\0' || (l && c->roots[i][l - 1] == '/')))
            return 1;
    }
    return 0;
}

static int read_include(actx *c, const char *path, size_t pn, uint64_t line)
{
    char rel[MD_LIMIT_PATH], real[MD_LIMIT_PATH];
    if (pn >= sizeof rel) {
        warnf(c, c->file, line, "alias %s: :include: path too long", c->name);
        return 0;
    }
    if (path[0] == '/')
        snprintf(rel, sizeof rel, "%.*s", (int)pn, path);
    else {
        const char *slash = strrchr(c->file, '/');
        int dl = slash ? (int)(slash - c->file) : 1;
        const char *dir = slash ? c->file : ".";
        if ((size_t)snprintf(rel, sizeof rel, "%.*s/%.*s", dl, dir, (int)pn, path) >= sizeof rel) {
            warnf(c, c->file, line, "alias %s: :include: path too long", c->name);
            return 0;
        }
    }
    if (c->depth >= MD_LIMIT_INCLUDE_DEPTH) {
        warnf(c, c->file, line, "alias %s: :include: nested deeper than %d: %s not read",
              c->name, MD_LIMIT_INCLUDE_DEPTH, rel);
        return 0;
    }
    if (md_input_real_path(rel, real, sizeof real) != 0) {
        warnf(c, c->file, line, "alias %s: :include: %s: cannot be read", c->name, rel);
        return 0;
    }
    if (!under_roots(c, real)) {
        warnf(c, c->file, line, "alias %s: :include: %s lies outside the allowed directories; "
              "not read", c->name, rel);
        return 0;
    }
    md_input *in = NULL;
    md_buf b = MD_BUF_INIT;
    md_err e = {0, ""};
    int rc = md_input_open(&in, real, &e); /* the path checked, not one that may change */
    if (rc == MD_OK)
        rc = md_input_slurp(in, &b, MD_LIMIT_RULE_FILE, &e);
    md_input_close(in);
    if (rc == MD_ERR_NOMEM || b.oom) {
        md_buf_free(&b);
        md_err_set(c->err, MD_ERR_NOMEM, "out of memory");
        return -1;
    }
    if (rc != MD_OK) {
        warnf(c, c->file, line, "alias %s: :include: %s", c->name, e.msg);
        md_buf_free(&b);
        return 0;
    }
    const char *saved = c->file;
    c->file = rel;
    c->depth++;
    rc = md_aliases_split(md_buf_cstr(&b), b.len, 1, 1, on_target, c);
    c->depth--;
    c->file = saved;
    md_buf_free(&b);
    return rc < 0 ? -1 : 0;
}

/* The name of an entry: up to the first ':' outside quotes. */
static int entry_name(const char *s, size_t n, char *name, size_t nsize, size_t *colon)
{
    size_t i = 0;
    int q = 0;
    for (; i < n; i++) {
        if (q) {
            if (s[i] == '\\' && i + 1 < n)
                i++;
            else if (s[i] == '"')
                q = 0;
        } else if (s[i] == '"')
            q = 1;
        else if (s[i] == ':')
            break;
    }
    if (i >= n)
        return -1;
    const char *a = s;
    size_t l = i;
    trim(&a, &l);
    if (l >= 2 && a[0] == '"' && a[l - 1] == '"') {
        a++;
        l -= 2;
    }
    if (!l || l >= nsize)
        return -1;
    for (size_t k = 0; k < l; k++)
        if ((unsigned char)a[k] < ' ')
            return -1;
    memcpy(name, a, l);
    name[l] = '\0';
    md_text_lower(name);
    *colon = i;
    return 0;
}

static int seen_name(const md_rule_list *l, size_t from, const char *name)
{
    for (size_t i = from; i < l->n; i++)
        if (l->v[i].kind == MD_RK_ALIAS && strcmp(l->v[i].address, name) == 0)
            return 1;
    return 0;
}

static int do_entry(actx *c, const char *s, size_t n, uint64_t line, size_t list_start)
{
    char name[MD_LIMIT_ADDR], show[MD_LIMIT_SHOW_BYTES + 8];
    size_t colon;
    if (entry_name(s, n, name, sizeof name, &colon) != 0) {
        warnf(c, c->file, line, "not an alias entry (name: targets): \"%s\"",
              md_text_printable(show, sizeof show, s, n));
        return 0;
    }
    char norm[MD_LIMIT_ADDR];
    md_text_addr_norm(norm, sizeof norm, name, strlen(name));
    if (seen_name(c->out, list_start, norm)) {
        warnf(c, c->file, line, "duplicate alias %s; this entry is ignored", name);
        return 0;
    }
    c->name = name;
    c->first = c->out->n;
    size_t before = c->out->n;
    int rc = md_aliases_split(s + colon + 1, n - colon - 1, line, 0, on_target, c);
    if (rc < 0)
        return MD_ERR_NOMEM;
    if (c->out->n == before)
        warnf(c, c->file, line, "alias %s has no target", name);
    /* "name: \name, elsewhere": a local copy is kept */
    int keep = 0;
    for (size_t i = before; i < c->out->n; i++)
        if (c->out->v[i].ttype == MD_TGT_LOCAL)
            keep = 1;
    for (size_t i = before; i < c->out->n && keep; i++)
        c->out->v[i].keeps_copy = 1;
    return MD_OK;
}

static void add_root(actx *c, const char *dir)
{
    if (c->nroots < 8 && md_input_real_path(dir, c->roots[c->nroots], sizeof c->roots[0]) == 0)
        c->nroots++;
}

int md_aliases_parse(const char *text, size_t n, const char *file, const md_aliases_opts *o,
                     md_rule_list *out, md_err *err)
{
    actx c;
    memset(&c, 0, sizeof c);
    c.o = o;
    c.out = out;
    c.err = err;
    c.file = file;
    if (o && o->roots) {
        for (size_t i = 0; o->roots[i]; i++)
            add_root(&c, o->roots[i]);
    } else {
        char dir[MD_LIMIT_PATH];
        const char *slash = strrchr(file, '/');
        if (slash)
            snprintf(dir, sizeof dir, "%.*s", (int)(slash - file) + (slash == file), file);
        else
            snprintf(dir, sizeof dir, ".");
        add_root(&c, dir);
    }
    size_t list_start = out->n;
    md_buf entry = MD_BUF_INIT;
    uint64_t line = 0, eline = 0;
    size_t i = 0;
    int rc = MD_OK;
    while (i < n && rc == MD_OK) {
        const char *nl = memchr(text + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - text) : n;
        const char *l = text + i;
        size_t ln = e - i;
        line++;
        i = nl ? e + 1 : n;
        size_t b = 0;
        while (b < ln && is_blank(l[b]))
            b++;
        if (b == ln || l[b] == '#') { /* blank or comment: ends nothing */
            if (entry.len)
                md_buf_putc(&entry, '\n'); /* keeps the lines of later targets right */
            continue;
        }
        if (b > 0 && entry.len) { /* continuation */
            md_buf_putc(&entry, '\n');
            md_buf_append(&entry, l, ln);
            continue;
        }
        if (b > 0) {
            char show[MD_LIMIT_SHOW_BYTES + 8];
            warnf(&c, file, line, "continuation line without an entry: \"%s\"",
                  md_text_printable(show, sizeof show, l, ln));
            continue;
        }
        if (entry.len)
            rc = do_entry(&c, entry.data, entry.len, eline, list_start);
        md_buf_reset(&entry);
        md_buf_append(&entry, l, ln);
        eline = line;
    }
    if (rc == MD_OK && entry.len)
        rc = do_entry(&c, entry.data, entry.len, eline, list_start);
    if (entry.oom)
        rc = MD_ERR_NOMEM;
    md_buf_free(&entry);
    if (rc == MD_ERR_NOMEM)
        return md_err_set(err, MD_ERR_NOMEM, "%s: out of memory", file);
    return rc;
}

int md_aliases_parse_file(const char *path, const md_aliases_opts *o, md_rule_list *out,
                          md_err *err)
{
    md_input *in = NULL;
    md_buf b = MD_BUF_INIT;
    int rc = md_input_open(&in, path, err);
    if (rc == MD_OK)
        rc = md_input_slurp(in, &b, MD_LIMIT_RULE_FILE, err);
    md_input_close(in);
    if (rc == MD_OK)
        rc = md_aliases_parse(md_buf_cstr(&b), b.len, path, o, out, err);
    md_buf_free(&b);
    return rc;
}
