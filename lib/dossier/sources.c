/* sources.c: the provenance table of one document (sources.h): distinct
 * sources numbered s1, s2, ..., cites on claim elements, the <sources> list
 * at the end of the document with paths shown relative to the configured
 * roots (or to what the document's sources of a kind share).  Owns the
 * table's keys and its path cache; never prints, never opens a file (it
 * resolves the configured roots and paths with realpath(3) only). */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <limits.h>
#include <stdarg.h>
#include "dossier/sources.h"
#include "base/text.h"
#include "store/store_msg.h"

#define BX (const xmlChar *)
#define SEP '\x1f'

void md_srcs_init(md_srcs *s, md_store *st, const md_config *cfg)
{
    memset(s, 0, sizeof *s);
    s->st = st;
    s->cfg = cfg;
}

void md_srcs_free(md_srcs *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->key[i]);
    free(s->key);
    free(s->slot);
    for (size_t i = 0; i < s->np; i++)
        free(s->ppath[i]);
    free(s->pid);
    free(s->ppath);
    memset(s, 0, sizeof *s);
}

/* copy: s into out[n], cut to fit (paths longer than MD_LIMIT_PATH are
 * not shown whole) */
static void copy(char *out, size_t n, const char *s)
{
    size_t l = strlen(s);
    if (l >= n)
        l = n - 1;
    memcpy(out, s, l);
    out[l] = '\0';
}

static size_t hash_key(const char *k)
{
    uint64_t h = 1469598103934665603ull;
    for (; *k; k++)
        h = (h ^ (unsigned char)*k) * 1099511628211ull;
    return (size_t)h;
}

/* rehash: the hash table at twice the size (0 or MD_ERR_NOMEM) */
static int rehash(md_srcs *s)
{
    size_t nn = s->nslot ? s->nslot * 2 : 256;
    size_t *ns = calloc(nn, sizeof *ns);
    if (!ns)
        return MD_ERR_NOMEM;
    for (size_t i = 0; i < s->n; i++) {
        size_t j = hash_key(s->key[i]) % nn;
        while (ns[j])
            j = (j + 1) % nn;
        ns[j] = i + 1;
    }
    free(s->slot);
    s->slot = ns;
    s->nslot = nn;
    return MD_OK;
}

/* add: the number of the source with key k, added when new */
static size_t add(md_srcs *s, const char *k)
{
    if ((s->n + 1) * 2 > s->nslot && rehash(s) != MD_OK)
        return 0;
    size_t j = hash_key(k) % s->nslot;
    while (s->slot[j]) {
        if (strcmp(s->key[s->slot[j] - 1], k) == 0)
            return s->slot[j];
        j = (j + 1) % s->nslot;
    }
    char **p = md_grow(s->key, &s->cap, s->n + 1, sizeof *p, 64);
    if (!p)
        return 0;
    s->key = p;
    if (!(s->key[s->n] = strdup(k)))
        return 0;
    s->slot[j] = ++s->n;
    return s->n;
}

/* addv: the key of the fields given (NULL ends them), each cleaned of
 * separators */
static size_t addv(md_srcs *s, const char *kind, ...)
{
    md_buf k = MD_BUF_INIT;
    md_buf_puts(&k, kind);
    va_list ap;
    va_start(ap, kind);
    for (const char *f; (f = va_arg(ap, const char *)) != NULL;) {
        md_buf_putc(&k, SEP);
        for (; *f; f++)
            md_buf_putc(&k, (unsigned char)*f < 0x20 ? ' ' : *f);
    }
    va_end(ap);
    size_t no = md_buf_cstr(&k)[0] ? add(s, md_buf_cstr(&k)) : 0;
    md_buf_free(&k);
    return no;
}

/* source_path: the store's latest path of a source (cached; "" unknown) */
static const char *source_path(md_srcs *s, int64_t id)
{
    for (size_t i = 0; i < s->np; i++)
        if (s->pid[i] == id)
            return s->ppath[i];
    char buf[MD_LIMIT_PATH] = "";
    md_err e = {0, ""};
    if (!s->st || md_store_source_path(s->st, id, buf, sizeof buf, &e) != MD_OK)
        buf[0] = '\0';
    size_t cap = s->capp;
    int64_t *pi = md_grow(s->pid, &cap, s->np + 1, sizeof *pi, 16);
    if (!pi)
        return "";
    s->pid = pi;
    cap = s->capp;
    char **pp = md_grow(s->ppath, &cap, s->np + 1, sizeof *pp, 16);
    if (!pp)
        return "";
    s->ppath = pp;
    s->capp = cap;
    if (!(s->ppath[s->np] = strdup(buf)))
        return "";
    s->pid[s->np] = id;
    return s->ppath[s->np++];
}

static void fmt_u(char *b, size_t n, uint64_t v)
{
    if (v)
        snprintf(b, n, "%llu", (unsigned long long)v);
    else
        b[0] = '\0';
}

size_t md_srcs_log(md_srcs *s, int64_t source_id, const char *path, uint64_t line,
                   const char *host)
{
    char l[24];
    fmt_u(l, sizeof l, line);
    if (!path || !*path)
        path = source_path(s, source_id);
    return addv(s, "log", path, l, host ? host : "", NULL);
}

size_t md_srcs_message(md_srcs *s, int64_t source_id, const char *path, const char *msgid)
{
    if (!path || !*path)
        path = source_path(s, source_id);
    return addv(s, "message", path, msgid ? msgid : "", NULL);
}

size_t md_srcs_report(md_srcs *s, const char *what, const char *reporter, int64_t begin,
                      int64_t end, int64_t source_id, uint64_t line)
{
    char b1[16], b2[16], l[24];
    md_text_time(b1, sizeof b1, begin, "%Y-%m-%d", "");
    md_text_time(b2, sizeof b2, end ? end : begin, "%Y-%m-%d", "");
    fmt_u(l, sizeof l, line);
    const char *path = source_id ? source_path(s, source_id) : "";
    return addv(s, "report", what, reporter ? reporter : "", b1, b2, path, l, NULL);
}

static int on_row_path(void *arg, const md_msg_row *m)
{
    md_buf *path = arg;
    md_buf_puts(path, m->path ? m->path : "");
    return 1;
}

size_t md_srcs_reply(md_srcs *s, const char *ref, int64_t date, const char *msgid,
                     int64_t msg_row)
{
    char b[16];
    md_buf path = MD_BUF_INIT;
    md_err e = {0, ""};
    md_text_time(b, sizeof b, date, "%Y-%m-%d", "");
    if (s->st && msg_row)
        md_store_msg_get(s->st, msg_row, on_row_path, &path, &e);
    size_t no = addv(s, "reply", ref ? ref : "", b, msgid ? msgid : "", md_buf_cstr(&path), NULL);
    md_buf_free(&path);
    return no;
}

size_t md_srcs_rule(md_srcs *s, const char *path, uint64_t line)
{
    char l[24];
    fmt_u(l, sizeof l, line);
    return addv(s, "rule", path ? path : "", l, NULL);
}

size_t md_srcs_config(md_srcs *s, const char *key)
{
    return addv(s, "config", key, s->cfg && s->cfg->path[0] ? s->cfg->path : "(built-in defaults)",
                NULL);
}

size_t md_srcs_ticket(md_srcs *s, const char *number)
{
    return addv(s, "ticket", number ? number : "", NULL);
}

size_t md_srcs_store(md_srcs *s, const char *area)
{
    return addv(s, "store", area, NULL);
}

/* ---- cites ----------------------------------------------------------- */

static int cite_has(const md_buf *cite, const char *id)
{
    const char *p = md_buf_cstr(cite);
    size_t n = strlen(id);
    for (const char *q = p; (q = strstr(q, id)) != NULL; q += n)
        if ((q == p || q[-1] == ' ') && (q[n] == ' ' || q[n] == '\0'))
            return 1;
    return 0;
}

void md_cite_add(md_buf *cite, size_t no)
{
    if (!no)
        return;
    char id[24];
    snprintf(id, sizeof id, "s%zu", no);
    if (cite_has(cite, id))
        return;
    if (cite->len)
        md_buf_putc(cite, ' ');
    md_buf_puts(cite, id);
}

void md_cite_merge(md_buf *cite, const char *from)
{
    while (from && *from) {
        while (*from == ' ')
            from++;
        if (*from == 's') {
            char *end;
            unsigned long long v = strtoull(from + 1, &end, 10);
            if (end > from + 1)
                md_cite_add(cite, (size_t)v);
            from = end;
        }
        while (*from && *from != ' ')
            from++;
    }
}

void md_cite_set(xmlNode *el, const char *cite)
{
    if (el)
        xmlSetProp(el, BX "src", BX(cite ? cite : ""));
}

/* ---- the list and relative paths --------------------------------------- */

/* the attribute names of each kind's fields (after the kind) */
static const struct {
    const char *kind;
    const char *attr[6];
    int file;                  /* index of the file field, -1 none */
    int root;                  /* 1 [logs] root, 2 [rules] root, 0 none */
} kinds[] = {
    {"log", {"file", "line", "host"}, 0, 1},
    {"message", {"file", "message-id"}, 0, 0},
    {"report", {"what", "reporter", "begin", "end", "file", "line"}, 4, 0},
    {"reply", {"case", "date", "message-id", "file"}, 3, 0},
    {"rule", {"file", "line"}, 0, 2},
    {"config", {"key", "file"}, 1, 0},
    {"ticket", {"number"}, -1, 0},
    {"store", {"area"}, -1, 0},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static int kind_of(const char *key)
{
    size_t n = strcspn(key, "\x1f");
    for (size_t i = 0; i < NKINDS; i++)
        if (strlen(kinds[i].kind) == n && strncmp(key, kinds[i].kind, n) == 0)
            return (int)i;
    return -1;
}

/* field: the i-th field (0 = kind) of key into out */
static void field(const char *key, int i, char *out, size_t n)
{
    for (; i > 0 && key; i--) {
        key = strchr(key, SEP);
        if (key)
            key++;
    }
    if (!key) {
        out[0] = '\0';
        return;
    }
    size_t l = strcspn(key, "\x1f");
    if (l >= n)
        l = n - 1;
    memcpy(out, key, l);
    out[l] = '\0';
}

/* root_abs: the configured root of kind k as an absolute, resolved
 * directory (relative roots are taken from the config file's directory);
 * "" when none */
static void root_abs(const md_srcs *s, int root, char *out, size_t n)
{
    out[0] = '\0';
    const char *r = !s->cfg ? "" : root == 1 ? s->cfg->logs_root : root == 2 ? s->cfg->rules_root : "";
    if (!r[0])
        return;
    char tmp[2 * MD_LIMIT_PATH];
    tmp[0] = '\0';
    if (r[0] != '/' && strchr(s->cfg->path, '/')) {
        size_t dl = (size_t)(strrchr(s->cfg->path, '/') - s->cfg->path) + 1;
        copy(tmp, dl + 1 < sizeof tmp ? dl + 1 : sizeof tmp, s->cfg->path);
    }
    copy(tmp + strlen(tmp), sizeof tmp - strlen(tmp), r);
    char rp[PATH_MAX];
    copy(out, n, realpath(tmp, rp) ? rp : tmp);
    size_t l = strlen(out);
    while (l > 1 && out[l - 1] == '/')
        out[--l] = '\0';
}

/* under: the part of p below directory dir (NULL when p is not below it) */
static const char *under(const char *p, const char *dir)
{
    size_t l = strlen(dir);
    if (!l || strncmp(p, dir, l) != 0 || p[l] != '/')
        return NULL;
    return p + l + 1;
}

typedef struct shown {
    char *raw, *show;
} shown;

/* show_path: how a document shows path p of kind k; common: the directory
 * shared by that kind's paths under no root ("" none) */
static void show_path(int k, const char *p, const char *common, const char roots[][MD_LIMIT_PATH],
                      char *out, size_t n)
{
    const char *root = roots[kinds[k].root];
    char rp[PATH_MAX];
    if (p[0] != '/') {   /* relative as given: below the root, else as it is */
        const char *rel = root[0] && realpath(p, rp) ? under(rp, root) : NULL;
        copy(out, n, rel ? rel : strncmp(p, "./", 2) == 0 ? p + 2 : p);
        return;
    }
    const char *rel = root[0] ? under(p, root) : NULL;
    if (!rel && root[0] && realpath(p, rp))
        rel = under(rp, root);
    if (!rel && common[0])
        rel = under(p, common);
    if (!rel) {
        const char *b = strrchr(p, '/');
        rel = b ? b + 1 : p;
    }
    copy(out, n, rel);
}

/* common_dir: the deepest directory shared by the absolute paths of kind
 * k that lie under no configured root (every source registered, cited or
 * not: the document may print them all) */
static void common_dir(const md_srcs *s, int k, const char *root, char *out, size_t n)
{
    char f[MD_LIMIT_PATH], rp[PATH_MAX];
    int any = 0;
    out[0] = '\0';
    for (size_t i = 0; i < s->n; i++) {
        if (kind_of(s->key[i]) != k)
            continue;
        field(s->key[i], kinds[k].file + 1, f, sizeof f);
        if (f[0] != '/' || (root[0] && (under(f, root) || (realpath(f, rp) && under(rp, root)))))
            continue;
        char *slash = strrchr(f, '/');
        *slash = '\0';
        if (!any) {
            copy(out, n, f);
            any = 1;
            continue;
        }
        size_t j = 0;
        while (out[j] && out[j] == f[j])
            j++;
        if (out[j] || (f[j] && f[j] != '/')) {   /* cut back to a whole directory */
            while (j > 0 && out[j] != '/')
                j--;
            out[j] = '\0';
        }
    }
}

/* replace_paths: every text of the tree with each raw path replaced by
 * its shown form (longest raw paths first: they are sorted so) */
static void replace_paths(xmlNode *n, const shown *sh, size_t nsh)
{
    for (; n; n = n->next) {
        if (n->type == XML_TEXT_NODE && n->content && xmlStrchr(n->content, '/')) {
            md_buf b = MD_BUF_INIT;
            md_buf_puts(&b, (const char *)n->content);
            int changed = 0;
            for (size_t i = 0; i < nsh; i++) {
                const char *hit;
                while ((hit = strstr(md_buf_cstr(&b), sh[i].raw)) != NULL) {
                    md_buf nb = MD_BUF_INIT;
                    md_buf_append(&nb, b.data, (size_t)(hit - b.data));
                    md_buf_puts(&nb, sh[i].show);
                    md_buf_puts(&nb, hit + strlen(sh[i].raw));
                    md_buf_free(&b);
                    b = nb;
                    changed = 1;
                }
            }
            if (changed)
                xmlNodeSetContent(n, BX md_buf_cstr(&b));
            md_buf_free(&b);
        }
        if (n->children)
            replace_paths(n->children, sh, nsh);
    }
}

static int cmp_shown(const void *a, const void *b)
{
    size_t x = strlen(((const shown *)a)->raw), y = strlen(((const shown *)b)->raw);
    return x < y ? 1 : x > y ? -1 : 0;
}

/* snip_middle: "a/b/c/d" -> "a/ *snip* /d" without the blanks, in place
 * (p holds MD_LIMIT_PATH bytes); paths of one or two components stay */
static void snip_middle(char *p)
{
    const char *first = strchr(p, '/'), *last = strrchr(p, '/');
    if (!first || first == last)
        return;
    char tmp[MD_LIMIT_PATH];
    size_t head = (size_t)(first - p) + 1;
    if (head + 7 + strlen(last) >= sizeof tmp) {
        copy(p, MD_LIMIT_PATH, "*snip*");
        return;
    }
    copy(tmp, head + 1, p);                      /* "a/" */
    copy(tmp + head, sizeof tmp - head, "*snip*");
    copy(tmp + head + 6, sizeof tmp - head - 6, last);
    copy(p, MD_LIMIT_PATH, tmp);
}

/* file_shown: how the document shows file f of a source of kind k */
static void file_shown(const md_srcs *s, int k, const char *f, const char common[][MD_LIMIT_PATH],
                       const char roots[][MD_LIMIT_PATH], char *out, size_t n)
{
    show_path(k, f, common[k], roots, out, n);
    if (s->redact_paths && (strcmp(kinds[k].kind, "rule") == 0 ||
                            strcmp(kinds[k].kind, "message") == 0))
        snip_middle(out);
}

/* source_el: one <source> of the list */
static void source_el(const md_srcs *s, xmlNode *list, size_t i, size_t no,
                      const char common[][MD_LIMIT_PATH], const char roots[][MD_LIMIT_PATH])
{
    int k = kind_of(s->key[i]);
    if (k < 0)
        return;
    xmlNode *e = xmlNewChild(list, NULL, BX "source", NULL);
    char id[24], f[MD_LIMIT_PATH], shownp[MD_LIMIT_PATH];
    snprintf(id, sizeof id, "s%zu", no);
    xmlNewProp(e, BX "id", BX id);
    xmlNewProp(e, BX "kind", BX kinds[k].kind);
    for (int a = 0; a < 6 && kinds[k].attr[a]; a++) {
        field(s->key[i], a + 1, f, sizeof f);
        if (!f[0])
            continue;
        md_buf v = MD_BUF_INIT;
        if (a == kinds[k].file && strcmp(f, "(built-in defaults)") != 0) {
            file_shown(s, k, f, common, roots, shownp, sizeof shownp);
            md_buf_puts(&v, shownp);
        } else {
            md_buf_puts(&v, f);
        }
        if (!md_text_utf8_valid(md_buf_cstr(&v), v.len)) {
            md_buf r = MD_BUF_INIT;
            md_text_utf8_repair(&r, v.data, v.len);
            md_buf_free(&v);
            v = r;
        }
        xmlNewProp(e, BX kinds[k].attr[a], BX md_buf_cstr(&v));
        md_buf_free(&v);
    }
}

/* shown_table: every file of every source (cited or not: the document may
 * print it, e.g. a quoted log line's file) with its shown form, when they
 * differ, longest first, each once */
static size_t shown_table(const md_srcs *s, const char common[][MD_LIMIT_PATH],
                          const char roots[][MD_LIMIT_PATH], shown *sh)
{
    size_t nsh = 0;
    char f[MD_LIMIT_PATH], shownp[MD_LIMIT_PATH];
    for (size_t i = 0; i < s->n; i++) {
        int k = kind_of(s->key[i]);
        if (k < 0 || kinds[k].file < 0)
            continue;
        field(s->key[i], kinds[k].file + 1, f, sizeof f);
        if (!f[0] || strcmp(f, "(built-in defaults)") == 0)
            continue;
        file_shown(s, k, f, common, roots, shownp, sizeof shownp);
        int dup = strcmp(f, shownp) == 0;
        for (size_t j = 0; j < nsh && !dup; j++)
            dup = strcmp(sh[j].raw, f) == 0;
        if (dup)
            continue;
        sh[nsh].raw = strdup(f);
        sh[nsh].show = strdup(shownp);
        if (sh[nsh].raw && sh[nsh].show)
            nsh++;
        else {
            free(sh[nsh].raw);
            free(sh[nsh].show);
        }
    }
    qsort(sh, nsh, sizeof *sh, cmp_shown);
    return nsh;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* renumber: the sources in the order the document first cites them:
 * newno[old] = new number (0: never cited), order[new - 1] = old; every
 * src attribute rewritten */
static void renumber(xmlNode *n, size_t nsrc, size_t *newno, size_t *order, size_t *nused)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        xmlChar *v = xmlGetProp(n, BX "src");
        if (v) {
            md_buf nv = MD_BUF_INIT;
            size_t *nos = calloc(strlen((const char *)v) / 2 + 1, sizeof *nos), nn = 0;
            for (const char *p = (const char *)v; *p && nos;) {
                char *end;
                unsigned long long o = p[0] == 's' ? strtoull(p + 1, &end, 10) : 0;
                if (o >= 1 && o <= nsrc) {
                    if (!newno[o]) {
                        order[*nused] = (size_t)o;
                        newno[o] = ++*nused;
                    }
                    nos[nn++] = newno[o];
                }
                p += strcspn(p, " ");
                p += strspn(p, " ");
            }
            if (nn > 1)
                qsort(nos, nn, sizeof *nos, cmp_size);
            for (size_t i = 0; i < nn; i++)
                md_cite_add(&nv, nos[i]);
            free(nos);
            xmlSetProp(n, BX "src", BX md_buf_cstr(&nv));
            /* the marker as text and PDF show it ("3,7-9"), made once here:
             * a stylesheet recursing over thousands of ids hits libxslt's
             * template depth */
            md_buf mk = MD_BUF_INIT;
            md_text_runs(&mk, md_buf_cstr(&nv));
            if (mk.len)
                xmlSetProp(n, BX "mark", BX md_buf_cstr(&mk));
            md_buf_free(&mk);
            md_buf_free(&nv);
            xmlFree(v);
        }
        renumber(n->children, nsrc, newno, order, nused);
    }
}

int md_srcs_write(md_srcs *s, xmlNode *root)
{
    /* common[k]: kind k's shared directory; common[NKINDS + r]: root r
     * (0 none, 1 [logs], 2 [rules]) as an absolute directory */
    char (*common)[MD_LIMIT_PATH] = calloc(NKINDS + 3, sizeof *common);
    size_t *newno = calloc(s->n + 1, sizeof *newno), *order = calloc(s->n + 1, sizeof *order);
    shown *sh = calloc(s->n + 1, sizeof *sh);
    if (!common || !newno || !order || !sh) {
        free(common);
        free(newno);
        free(order);
        free(sh);
        return MD_ERR_NOMEM;
    }
    size_t nused = 0, nsh = 0;
    renumber(root->children, s->n, newno, order, &nused);
    const char (*roots)[MD_LIMIT_PATH] = (const char (*)[MD_LIMIT_PATH])common + NKINDS;
    for (int r = 1; r <= 2; r++)
        root_abs(s, r, common[NKINDS + r], sizeof common[0]);
    for (size_t k = 0; k < NKINDS; k++)
        if (kinds[k].file >= 0)
            common_dir(s, (int)k, roots[kinds[k].root], common[k], sizeof common[k]);
    xmlNode *list = xmlNewChild(root, NULL, BX "sources", NULL);
    for (size_t i = 0; i < nused; i++)
        source_el(s, list, order[i] - 1, i + 1, (const char (*)[MD_LIMIT_PATH])common, roots);
    nsh = shown_table(s, (const char (*)[MD_LIMIT_PATH])common, roots, sh);
    replace_paths(root->children, sh, nsh);
    for (size_t i = 0; i < nsh; i++) {
        free(sh[i].raw);
        free(sh[i].show);
    }
    free(sh);
    free(common);
    free(newno);
    free(order);
    return MD_OK;
}
