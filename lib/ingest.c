/* ingest.c: walking inputs, detecting their kind and dispatching them to
 * the reader of that kind (see ingest.h).  Owns nothing beyond one input at
 * a time; never prints (warnings and progress go to callbacks). */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "ingest.h"
#include "logfile.h"
#include "msgfile.h"
#include "repfile.h"
#include "rulefile.h"
#include "text.h"

/* The readers, one per kind (NULL: not readable yet). */
static md_ingest_fn reader_for(md_kind k)
{
    switch (k) {
    case MD_KIND_LOG: return md_logfile_ingest;
    case MD_KIND_MESSAGE:
    case MD_KIND_MBOX: return md_msgfile_ingest;
    case MD_KIND_ALIASES:
    case MD_KIND_FORWARD:
    case MD_KIND_SIEVE:
    case MD_KIND_RULES_CSV: return md_rulefile_ingest;
    case MD_KIND_DMARC:
    case MD_KIND_ZIP:
    case MD_KIND_SNDS:
    case MD_KIND_SNDS_STATUS: return md_repfile_ingest;
    default: return NULL;
    }
}

static const char *const kind_names[MD_KIND_COUNT] = {
    "unknown", "log", "message", "mbox", "aliases", "forward", "sieve", "rules-csv",
    "dmarc", "zip", "snds", "snds-status",
};

const char *md_ingest_kind_name(md_kind k)
{
    return (k >= 0 && k < MD_KIND_COUNT) ? kind_names[k] : "unknown";
}

md_kind md_ingest_kind_parse(const char *name)
{
    for (int k = 1; k < MD_KIND_COUNT; k++)
        if (strcmp(name, kind_names[k]) == 0)
            return (md_kind)k;
    return MD_KIND_UNKNOWN;
}

void md_ingest_init(md_ingest *ig, md_store *store, const md_config *cfg)
{
    memset(ig, 0, sizeof *ig);
    ig->store = store;
    ig->cfg = cfg;
}

void md_ingest_warn(md_ingest *ig, const char *file, uint64_t line, const char *fmt, ...)
{
    char msg[MD_LIMIT_ERRMSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ig->stats.skipped++;
    ig->warnings_shown++;
    if (ig->warn)
        ig->warn(ig->cb_arg, file, line, msg);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void md_ingest_tick(md_ingest *ig, md_input *in)
{
    if (!ig->progress)
        return;
    int64_t t = now_ms();
    if (t - ig->last_progress_ms < 250)
        return;
    ig->last_progress_ms = t;
    ig->progress(ig->cb_arg, ig, md_input_name(in), md_input_raw_pos(in), md_input_raw_size(in));
}

/* 128-bit FNV-1a pair over the bytes: a fingerprint, not a security hash. */
static void hash128(const void *p, size_t n, uint64_t seed, char *out, size_t outsize)
{
    const unsigned char *s = p;
    uint64_t a = 0xcbf29ce484222325ULL ^ seed, b = 0x84222325cbf29ce4ULL ^ (seed * 31 + n);
    for (size_t i = 0; i < n; i++) {
        a = (a ^ s[i]) * 0x100000001b3ULL;
        b = (b ^ s[n - 1 - i]) * 0x100000001b3ULL;
    }
    snprintf(out, outsize, "%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
}

int md_ingest_fingerprint(md_input *in, md_kind kind, char *out, size_t outsize, md_err *err)
{
    const char *p;
    size_t n;
    int rc = md_input_peek(in, 4096, &p, &n, err);
    if (rc != MD_OK)
        return rc;
    const char *nl = memchr(p, '\n', n);
    if (!nl && n < 4096)
        return md_err_set(err, MD_ERR_NOTFOUND, "%s: no complete first line", md_input_name(in));
    size_t len = nl ? (size_t)(nl - p) : n;
    hash128(p, len, (uint64_t)kind, out, outsize);
    return MD_OK;
}

static int looks_like_syslog(const char *p, size_t n)
{
    static const char *const mon[] = {"Jan ", "Feb ", "Mar ", "Apr ", "May ", "Jun ",
                                      "Jul ", "Aug ", "Sep ", "Oct ", "Nov ", "Dec "};
    if (n < 16)
        return 0;
    for (int i = 0; i < 12; i++)
        if (memcmp(p, mon[i], 4) == 0 && p[6] == ' ' && p[9] == ':')
            return 1;
    /* RFC 3339 / short-iso / Exim: 2026-11-28T09:18:51 or 2026-11-28 09:18:51 */
    if (n >= 19 && p[4] == '-' && p[7] == '-' && (p[10] == 'T' || p[10] == ' ') &&
        p[13] == ':' && p[16] == ':')
        return 1;
    return 0;
}

static int has_header_start(const char *p, size_t n)
{
    static const char *const hdrs[] = {"Return-Path:", "Received:", "From:", "Date:",
                                       "Message-ID:", "Delivered-To:", "X-", "MIME-Version:",
                                       "Subject:", "To:", "DKIM-Signature:", "ARC-",
                                       "Authentication-Results:"};
    for (size_t i = 0; i < sizeof hdrs / sizeof hdrs[0]; i++) {
        size_t l = strlen(hdrs[i]);
        if (n >= l && md_text_ncasecmp(p, hdrs[i], l) == 0)
            return 1;
    }
    return 0;
}

md_kind md_ingest_detect(const char *p, size_t n, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (n >= 4 && memcmp(p, "PK\x03\x04", 4) == 0)
        return MD_KIND_ZIP;
    /* skip a UTF-8 BOM and leading blank lines */
    while (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) { p += 3; n -= 3; }
    while (n && (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')) { p++; n--; }
    if (strcmp(base, ".forward") == 0 || strstr(base, ".forward"))
        return MD_KIND_FORWARD;
    if (n >= 5 && memcmp(p, "<?xml", 5) == 0)
        return md_text_casestr(p, n < 4096 ? n : 4096, "<feedback") ? MD_KIND_DMARC
                                                                     : MD_KIND_UNKNOWN;
    if (n >= 9 && memcmp(p, "<feedback", 9) == 0)
        return MD_KIND_DMARC;
    if (n >= 5 && memcmp(p, "From ", 5) == 0)
        return MD_KIND_MBOX;
    if (looks_like_syslog(p, n))
        return MD_KIND_LOG;
    if (has_header_start(p, n))
        return MD_KIND_MESSAGE;
    size_t probe = n < 8192 ? n : 8192;
    if (md_text_casestr(p, probe, "require") || md_text_casestr(p, probe, "redirect") ||
        (strlen(base) > 6 && strcmp(base + strlen(base) - 6, ".sieve") == 0))
        return MD_KIND_SIEVE;
    if (strstr(base, "aliases") || strstr(base, "alias"))
        return MD_KIND_ALIASES;
    if (md_text_casestr(p, probe, "address,target"))
        return MD_KIND_RULES_CSV;
    if (md_text_casestr(p, probe, "GREEN") || md_text_casestr(p, probe, "YELLOW") ||
        md_text_casestr(p, probe, "RED"))
        return MD_KIND_SNDS;
    return MD_KIND_UNKNOWN;
}

static int is_maildir(const char *dir)
{
    static const char *const subs[] = {"cur", "new", "tmp"};
    for (int i = 0; i < 3; i++) {
        char p[MD_LIMIT_PATH];
        struct stat st;
        if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, subs[i]) >= sizeof p ||
            stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
            return 0;
    }
    return 1;
}

static int ingest_file(md_ingest *ig, const char *path, md_kind hint, md_err *err)
{
    md_input *in = NULL;
    md_err e = {0, ""};
    if (md_input_open(&in, path, &e) != MD_OK) {
        ig->stats.files_failed++;
        md_ingest_warn(ig, path, 0, "%s", e.msg);
        return MD_ERR_PARSE;
    }
    ig->stats.files++;
    md_kind k = ig->force_kind != MD_KIND_UNKNOWN ? ig->force_kind : hint;
    if (k == MD_KIND_UNKNOWN) {
        const char *p;
        size_t n;
        md_input_peek(in, 65536, &p, &n, &e);
        k = md_ingest_detect(p, n, path);
    }
    md_ingest_fn fn = reader_for(k);
    int rc = MD_OK;
    if (!fn) {
        ig->stats.files_failed++;
        md_ingest_warn(ig, path, 0, "%s", k == MD_KIND_UNKNOWN
                           ? "not a recognised input (log, message, rules or report); skipped"
                           : "no reader for this kind of input; skipped");
        rc = MD_ERR_PARSE;
    } else {
        ig->stats.by_kind[k]++;
        uint64_t skipped = ig->stats.skipped;
        rc = fn(ig, in, path, err);
        if (rc == MD_OK && ig->stats.skipped > skipped)
            rc = MD_ERR_PARSE;
        if (rc != MD_OK && rc != MD_ERR_PARSE && rc != MD_ERR_DB && rc != MD_ERR_NOMEM) {
            /* bad input (truncated, over a limit): reported, the walk goes on */
            ig->stats.files_failed++;
            md_ingest_warn(ig, path, md_input_lineno(in), "%s", err->msg);
            md_err_clear(err);
            rc = MD_ERR_PARSE;
        }
    }
    ig->stats.bytes += md_input_pos(in);
    md_input_close(in);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(md_ingest *ig, const char *path, int depth, md_kind hint, md_err *err)
{
    struct stat st;
    if (strcmp(path, "-") == 0)
        return ingest_file(ig, path, hint, err);
    if (stat(path, &st) != 0) {
        ig->stats.files_failed++;
        md_ingest_warn(ig, path, 0, "cannot stat: %s", strerror(errno));
        return MD_ERR_PARSE;
    }
    if (!S_ISDIR(st.st_mode))
        return S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode) ? ingest_file(ig, path, hint, err)
                                                          : MD_OK;
    if (depth >= MD_LIMIT_DIR_DEPTH) {
        md_ingest_warn(ig, path, 0, "directory nesting deeper than %d; skipped",
                       MD_LIMIT_DIR_DEPTH);
        return MD_ERR_PARSE;
    }
    if (hint == MD_KIND_UNKNOWN && is_maildir(path))
        hint = MD_KIND_MESSAGE;
    DIR *d = opendir(path);
    if (!d) {
        md_ingest_warn(ig, path, 0, "cannot open directory: %s", strerror(errno));
        return MD_ERR_PARSE;
    }
    /* sorted, so that runs are reproducible (mail.log.2.gz before mail.log.1
     * does not matter: sources are matched by content) */
    char **names = NULL;
    size_t nn = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (de->d_name[0] == '.' && strcmp(de->d_name, ".forward") != 0)
            continue;
        if (nn == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn2 = realloc(names, cap * sizeof *names);
            if (!nn2)
                break;
            names = nn2;
        }
        names[nn] = strdup(de->d_name);
        if (names[nn])
            nn++;
    }
    closedir(d);
    if (nn)
        qsort(names, nn, sizeof *names, cmp_str);
    int result = MD_OK;
    for (size_t i = 0; i < nn; i++) {
        char sub[MD_LIMIT_PATH];
        if ((size_t)snprintf(sub, sizeof sub, "%s/%s", path, names[i]) < sizeof sub) {
            int rc = walk(ig, sub, depth + 1, hint, err);
            if (rc == MD_ERR_PARSE)
                result = MD_ERR_PARSE;
            else if (rc != MD_OK) {
                result = rc;
                for (; i < nn; i++)
                    free(names[i]);
                break;
            }
        }
        free(names[i]);
    }
    free(names);
    return result;
}

int md_ingest_path(md_ingest *ig, const char *path, md_err *err)
{
    return walk(ig, path, 0, MD_KIND_UNKNOWN, err);
}
