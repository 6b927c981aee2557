/* rulefile.c: the ingest reader for forwarding rule files (see rulefile.h).
 * Reads one input at a time, hands it to the parser of its kind and stores
 * the rules; never prints (warnings go through md_ingest_warn). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "parse/aliases.h"
#include "base/buf.h"
#include "parse/dotforward.h"
#include "base/input.h"
#include "parse/rulecsv.h"
#include "ingest/rulefile.h"
#include "parse/sieve.h"
#include "store/store_rules.h"
#include "base/text.h"

static void on_warn(void *arg, const char *file, uint64_t line, const char *msg)
{
    md_ingest_warn(arg, file, line, "%s", msg);
}

/* component i (0-based) of a relative path rel into dst */
static int component(char *dst, size_t n, const char *rel, int i)
{
    while (i-- > 0) {
        rel = strchr(rel, '/');
        if (!rel)
            return -1;
        rel++;
    }
    size_t l = strcspn(rel, "/");
    if (!l || l >= n)
        return -1;
    memcpy(dst, rel, l);
    dst[l] = '\0';
    return 0;
}

static int base_is(const char *path, const char *name)
{
    const char *b = strrchr(path, '/');
    return strcmp(b ? b + 1 : path, name) == 0;
}

int md_rulefile_owner(char *dst, size_t n, const char *path, const char *rules_home,
                      const md_config *cfg)
{
    char user[MD_LIMIT_ADDR] = "";
    char real[MD_LIMIT_PATH], home[MD_LIMIT_PATH];
    /* under --rules-home: the first component below it (the path as given
     * first: .dovecot.sieve may point into the user's sieve/ folder) */
    if (rules_home && *rules_home) {
        size_t hl = strlen(rules_home);
        while (hl > 1 && rules_home[hl - 1] == '/')
            hl--;
        if (strncmp(path, rules_home, hl) == 0 && path[hl] == '/')
            component(user, sizeof user, path + hl + 1, 0);
        else if (md_input_real_path(rules_home, home, sizeof home) == 0 &&
                 md_input_real_path(path, real, sizeof real) == 0) {
            hl = strlen(home);
            if (strncmp(real, home, hl) == 0 && real[hl] == '/')
                component(user, sizeof user, real + hl + 1, 0);
        }
    }
    if (!user[0]) {
        char dir[MD_LIMIT_PATH];
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        const char *base = slash ? slash + 1 : dir;
        size_t bl = strlen(base);
        if (slash)
            *slash = '\0';
        char *pslash = slash ? strrchr(dir, '/') : NULL;
        const char *parent = slash ? (pslash ? pslash + 1 : dir) : "";
        if (base_is(path, ".forward") || base_is(path, ".dovecot.sieve") ||
            base_is(path, "dovecot.sieve")) {
            snprintf(user, sizeof user, "%.500s", parent);
        } else if (strcmp(parent, "sieve") == 0 && pslash) {
            *pslash = '\0';
            char *p2 = strrchr(dir, '/');
            snprintf(user, sizeof user, "%.500s", p2 ? p2 + 1 : dir);
        } else if (bl > 6 && strcmp(base + bl - 6, ".sieve") == 0) {
            snprintf(user, sizeof user, "%.*s", (int)(bl - 6), base);
        } else if (strstr(base, ".forward") == base && bl > 9 && base[8] == '.') {
            snprintf(user, sizeof user, "%s", base + 9); /* .forward.anna (a copy) */
        } else if (strstr(base, ".forward")) {
            snprintf(user, sizeof user, "%.*s", (int)(strstr(base, ".forward") - base), base);
            size_t ul = strlen(user);
            if (ul && (user[ul - 1] == '.' || user[ul - 1] == '-' || user[ul - 1] == '_'))
                user[ul - 1] = '\0';
        }
    }
    if (!user[0] || strcmp(user, ".") == 0 || strcmp(user, "..") == 0 || strcmp(user, "-") == 0)
        return MD_ERR_NOTFOUND;
    if (strchr(user, '@'))
        return md_text_addr_norm(dst, n, user, strlen(user));
    return md_rules_owner_key(dst, n, user, cfg);
}

/* USER/sieve/x.sieve while USER/.dovecot.sieve points to another script */
static int inactive_dovecot_script(const char *path, char *active, size_t an)
{
    char dir[MD_LIMIT_PATH], link[MD_LIMIT_PATH + 32], a[MD_LIMIT_PATH], me[MD_LIMIT_PATH];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    char *ps = strrchr(dir, '/');
    if (strcmp(ps ? ps + 1 : dir, "sieve") != 0)
        return 0;
    if (ps)
        *ps = '\0';
    snprintf(link, sizeof link, "%s/.dovecot.sieve", ps ? dir : ".");
    if (md_input_real_path(link, a, sizeof a) != 0 || md_input_real_path(path, me, sizeof me) != 0)
        return 0;
    if (strcmp(a, me) == 0)
        return 0;
    snprintf(active, an, "%s", a);
    return 1;
}

static const char *store_kind(md_kind k)
{
    return md_ingest_kind_name(k);
}

int md_rulefile_ingest(md_ingest *ig, md_input *in, const char *path, md_err *err)
{
    md_buf b = MD_BUF_INIT;
    md_rule_list rules = {0};
    size_t nerrors = 0;
    char owner[MD_LIMIT_ADDR] = "";
    md_kind kind = ig->kind;
    int rc = md_input_slurp(in, &b, MD_LIMIT_RULE_FILE, err);
    if (rc == MD_ERR_LIMIT) {
        md_buf_free(&b);
        return md_err_set(err, MD_ERR_LIMIT, "%s: rule file larger than %d bytes; not read", path,
                          MD_LIMIT_RULE_FILE);
    }
    if (rc != MD_OK) {
        md_buf_free(&b);
        return rc;
    }
    const char *text = md_buf_cstr(&b);
    uint64_t before = ig->stats.skipped;
    if (kind == MD_KIND_FORWARD || kind == MD_KIND_SIEVE) {
        char active[MD_LIMIT_PATH];
        if (kind == MD_KIND_SIEVE && inactive_dovecot_script(path, active, sizeof active)) {
            md_ingest_warn(ig, path, 0, "not the active Sieve script (.dovecot.sieve is %s); "
                           "not stored", active);
            md_buf_free(&b);
            return MD_OK;
        }
        if (md_rulefile_owner(owner, sizeof owner, path, ig->rules_home, ig->cfg) != MD_OK) {
            md_ingest_warn(ig, path, 0, "cannot tell whose %s this is from its path (use "
                           "--rules-home DIR with DIR/USER/...); not stored",
                           kind == MD_KIND_FORWARD ? ".forward" : "Sieve script");
            md_buf_free(&b);
            return MD_OK;
        }
    }
    switch (kind) {
    case MD_KIND_ALIASES: {
        md_aliases_opts o = {NULL, 0, on_warn, ig};
        rc = md_aliases_parse(text, b.len, path, &o, &rules, err);
        break;
    }
    case MD_KIND_FORWARD:
        rc = md_dotforward_parse(text, b.len, path, owner, on_warn, ig, &rules, err);
        break;
    case MD_KIND_SIEVE: {
        md_sieve_result sr = {0};
        md_err e = {0, ""};
        rc = md_sieve_parse(text, b.len, &sr, &e);
        if (rc == MD_ERR_NOMEM) {
            md_err_set(err, rc, "%s", e.msg);
            break;
        }
        for (size_t i = 0; i < sr.nerrors && i < MD_SIEVE_MAX_ERRORS; i++)
            md_ingest_warn(ig, path, sr.errors[i].line, "Sieve: %s", sr.errors[i].msg);
        if (sr.nerrors > MD_SIEVE_MAX_ERRORS)
            md_ingest_warn(ig, path, 0, "Sieve: %zu more errors", sr.nerrors - MD_SIEVE_MAX_ERRORS);
        nerrors = sr.nerrors;
        rc = md_sieve_to_rules(&sr, owner, path, &rules);
        if (rc != MD_OK)
            md_err_set(err, rc, "out of memory");
        md_sieve_result_free(&sr);
        break;
    }
    case MD_KIND_RULES_CSV:
        rc = md_rulecsv_parse(text, b.len, path, on_warn, ig, &rules, err);
        break;
    default:
        rc = md_err_set(err, MD_ERR_ARG, "%s: not a rule file", path);
        break;
    }
    if (rc == MD_OK) {
        char real[MD_LIMIT_PATH];
        const char *origin =
            strcmp(path, "-") != 0 && md_input_real_path(path, real, sizeof real) == 0 ? real : path;
        if (!nerrors)
            nerrors = (size_t)(ig->stats.skipped - before);
        rc = md_store_rules_replace(ig->store, origin, store_kind(kind), owner, rules.v, rules.n,
                                    nerrors, err);
        if (rc == MD_OK)
            ig->stats.docs++;
    }
    md_rules_list_free(&rules);
    md_buf_free(&b);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int md_rulefile_ingest_home(md_ingest *ig, const char *dir, md_err *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        md_ingest_warn(ig, dir, 0, "cannot open the home directories");
        return MD_ERR_PARSE;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char **v = md_grow(names, &cap, n + 1, sizeof *v, 64);
        if (!v)
            break;
        names = v;
        if ((names[n] = strdup(de->d_name)) != NULL)
            n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    const char *saved = ig->rules_home;
    ig->rules_home = dir;
    int result = MD_OK;
    static const char *const files[] = {".forward", ".dovecot.sieve"};
    for (size_t i = 0; i < n; i++) {
        for (size_t f = 0; f < 2 && (result == MD_OK || result == MD_ERR_PARSE); f++) {
            char p[MD_LIMIT_PATH];
            struct stat st;
            if ((size_t)snprintf(p, sizeof p, "%s/%s/%s", dir, names[i], files[f]) >= sizeof p ||
                stat(p, &st) != 0 || !S_ISREG(st.st_mode))
                continue;
            int rc = md_ingest_path(ig, p, err);
            if (rc == MD_ERR_PARSE)
                result = MD_ERR_PARSE;
            else if (rc != MD_OK)
                result = rc;
        }
        free(names[i]);
    }
    free(names);
    ig->rules_home = saved;
    return result;
}
