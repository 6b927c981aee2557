/* forget.c: taking inputs back out of the store (see forget.h).  Matches
 * paths to stored sources and marks them; the log reader forgets them
 * (logfile.c: md_logfile_forget_marked, which also reads the other lines
 * of the log messages that spanned a forgotten file again).  Never prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/input.h"
#include "ingest/forget.h"
#include "ingest/logfile.h"

/* lexical: path made absolute against the working directory, with "." and
 * ".." steps and repeated slashes removed (for paths that are gone) */
static int lexical(const char *path, char *out, size_t n)
{
    char tmp[MD_LIMIT_PATH * 2];
    if (path[0] == '/')
        snprintf(tmp, sizeof tmp, "%s", path);
    else {
        char cwd[MD_LIMIT_PATH];
        if (!getcwd(cwd, sizeof cwd))
            return -1;
        snprintf(tmp, sizeof tmp, "%s/%s", cwd, path);
    }
    size_t o = 0;
    char *save = NULL;
    for (char *p = strtok_r(tmp, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
        if (strcmp(p, ".") == 0)
            continue;
        if (strcmp(p, "..") == 0) {
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0)
                o--;
            continue;
        }
        size_t l = strlen(p);
        if (o + l + 2 > n)
            return -1;
        out[o++] = '/';
        memcpy(out + o, p, l);
        o += l;
    }
    if (o == 0)
        out[o++] = '/';
    out[o] = '\0';
    return 0;
}

int md_forget_canon(const char *path, char *out, size_t n, md_err *err)
{
    if (md_input_real_path(path, out, n) == 0 || lexical(path, out, n) == 0)
        return MD_OK;
    return md_err_set(err, MD_ERR_ARG, "%s: path too long", path);
}

/* under: stored (canonical) is want or inside the directory want */
static int under(const char *stored, const char *want)
{
    size_t l = strlen(want);
    if (strncmp(stored, want, l) != 0)
        return 0;
    return stored[l] == '\0' || stored[l] == '/' || (l && want[l - 1] == '/');
}

/* at: a stored path (as ingest was given it) names want */
static int at(const char *stored, const char *want)
{
    char c[MD_LIMIT_PATH];
    md_err e = {0, ""};
    if (!stored[0] || strcmp(stored, "-") == 0)
        return 0;
    if (md_forget_canon(stored, c, sizeof c, &e) == MD_OK && under(c, want))
        return 1;
    /* an archive member ("reports.zip:member.xml"): the archive's path */
    const char *colon = strrchr(stored, ':');
    if (colon && (size_t)(colon - stored) < sizeof c) {
        char arch[MD_LIMIT_PATH];
        memcpy(arch, stored, (size_t)(colon - stored));
        arch[colon - stored] = '\0';
        return md_forget_canon(arch, c, sizeof c, &e) == MD_OK && under(c, want);
    }
    return 0;
}

typedef struct {
    md_store *st;
    const char *want;
    uint64_t found;
    int rc;
    md_err *err;
    int by_first;          /* matching the first names (no latest name matched) */
    char (*origins)[MD_LIMIT_PATH];
    size_t norigins, cap;
} mark_ctx;

static int mark_src(void *arg, const md_forget_src *s)
{
    mark_ctx *m = arg;
    if (!at(m->by_first ? s->first_path : s->last_path, m->want))
        return 0;
    m->found++;
    m->rc = md_store_forget_mark(m->st, s->id, m->err);
    return m->rc != MD_OK;
}

static int note_origin(void *arg, const char *origin)
{
    mark_ctx *m = arg;
    if (!at(origin, m->want))
        return 0;
    if (m->norigins == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 8;
        void *p = realloc(m->origins, cap * sizeof *m->origins);
        if (!p) {
            m->rc = md_err_set(m->err, MD_ERR_NOMEM, "out of memory");
            return 1;
        }
        m->origins = p;
        m->cap = cap;
    }
    snprintf(m->origins[m->norigins++], MD_LIMIT_PATH, "%s", origin);
    return 0;
}

int md_forget_mark_path(md_store *st, const char *path, uint64_t *found, md_forget_counts *c,
                        md_err *err)
{
    char want[MD_LIMIT_PATH];
    *found = 0;
    if (md_forget_canon(path, want, sizeof want, err) != MD_OK)
        return MD_ERR_ARG;
    mark_ctx m = {st, want, 0, MD_OK, err, 0, NULL, 0, 0};
    /* the names inputs were last read under; the first names only when
     * none is this (mail.log rotated to mail.log.1 is not mail.log) */
    int rc = md_store_forget_sources(st, mark_src, &m, err);
    if (rc == MD_OK)
        rc = m.rc;
    if (rc == MD_OK && !m.found) {
        m.by_first = 1;
        rc = md_store_forget_sources(st, mark_src, &m, err);
        if (rc == MD_OK)
            rc = m.rc;
    }
    if (rc == MD_OK)
        rc = md_store_forget_rule_origins(st, note_origin, &m, err);
    if (rc == MD_OK)
        rc = m.rc;
    for (size_t i = 0; rc == MD_OK && i < m.norigins; i++) {
        m.found++;
        rc = md_store_forget_rules(st, m.origins[i], c, err);
    }
    free(m.origins);
    *found = m.found;
    return rc;
}

int md_forget_marked(md_ingest *ig, md_forget_counts *c, md_err *err)
{
    return md_logfile_forget_marked(ig, c, err);
}
