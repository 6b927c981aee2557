/* ingest.c: walking inputs, detecting their kind and dispatching them to
 * the reader of that kind (see ingest.h).  Owns nothing beyond one input at
 * a time; never prints (warnings and progress go to callbacks). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "parse/tlsrpt.h"
#include "parse/aliases.h"
#include "base/buf.h"
#include "ingest/fileset.h"
#include "ingest/ingest.h"
#include "store/store_forget.h"
#include "parse/snds.h"
#include "base/ipaddr.h"
#include "base/text.h"

/* The reader of kind k (NULL: none) */
static md_ingest_fn reader_for(const md_ingest *ig, md_kind k)
{
    return ig->readers && k < MD_KIND_COUNT ? ig->readers->read[k] : NULL;
}

static const char *const kind_names[MD_KIND_COUNT] = {
    "unknown", "log", "message", "mbox", "aliases", "forward", "sieve", "rules-csv",
    "dmarc", "zip", "snds", "snds-status", "tlsrpt",
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
    ig->msg_top = store ? md_store_msg_top(store) : 0;
}

static void report(md_ingest *ig, const char *file, uint64_t line, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
static void report(md_ingest *ig, const char *file, uint64_t line, const char *fmt, va_list ap)
{
    char msg[MD_LIMIT_ERRMSG];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (ig->warn)
        ig->warn(ig->cb_arg, file, line, msg);
}

void md_ingest_warn(md_ingest *ig, const char *file, uint64_t line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ig->stats.skipped++;
    ig->warnings_shown++;
    report(ig, file, line, fmt, ap);
    va_end(ap);
}

/* note: a warning about something that leaves nothing unread (a directory
 * reached again through a link): not counted as skipped input */
void md_ingest_note(md_ingest *ig, const char *file, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(ig, file, 0, fmt, ap);
    va_end(ap);
}


void md_ingest_tick(md_ingest *ig, md_input *in)
{
    if (!ig->progress)
        return;
    int64_t t = md_text_clock_ms();
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
    if (n > 4096)
        n = 4096;
    /* Blank and '#' lines before the first line that says something are
     * taken too: files that start with the same comment (fail2ban's notes,
     * "#" in aliases files) are not one source.  The hash stays the same
     * while a log grows at its end. */
    size_t len = 0;
    for (;;) {
        const char *nl = memchr(p + len, '\n', n - len);
        if (!nl) {
            if (len == 0 && n < 4096)
                return md_err_set(err, MD_ERR_NOTFOUND, "%s: no complete first line",
                                  md_input_name(in));
            if (len == 0 || n == 4096)
                len = n;
            break;
        }
        size_t b = len, e = (size_t)(nl - p);
        while (b < e && (p[b] == ' ' || p[b] == '\t' || p[b] == '\r'))
            b++;
        int says = b < e && p[b] != '#';
        len = e + (says ? 0 : 1);
        if (says)
            break;
    }
    hash128(p, len, (uint64_t)kind, out, outsize);
    return MD_OK;
}

/* One line of a log: BSD syslog ("Apr 23 16:06:27", also "Dec  1" and
 * "Dec 1"), optionally after an RFC 5424 "<PRI>" (and version "1 "); ISO
 * dates (RFC 3339, journalctl short-iso, Exim's "2026-11-28 09:18:51"); a
 * TAI64N stamp (qmail, multilog). */
static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_hhmmss(const char *p, size_t n)
{
    return n >= 8 && is_digit(p[0]) && is_digit(p[1]) && p[2] == ':' && is_digit(p[3]) &&
           is_digit(p[4]) && p[5] == ':' && is_digit(p[6]) && is_digit(p[7]);
}

static int looks_like_syslog(const char *p, size_t n)
{
    static const char *const mon[] = {"Jan ", "Feb ", "Mar ", "Apr ", "May ", "Jun ",
                                      "Jul ", "Aug ", "Sep ", "Oct ", "Nov ", "Dec "};
    if (n > 0 && p[0] == '<') { /* <PRI> of a raw syslog message */
        size_t i = 1;
        while (i < n && i < 5 && is_digit(p[i]))
            i++;
        if (i == 1 || i >= n || p[i] != '>')
            return 0;
        p += i + 1;
        n -= i + 1;
        if (n >= 2 && p[0] == '1' && p[1] == ' ') { /* RFC 5424 version */
            p += 2;
            n -= 2;
        }
    }
    if (n >= 14) {
        for (int i = 0; i < 12; i++) {
            if (memcmp(p, mon[i], 4) != 0)
                continue;
            size_t j = 4;
            if (p[j] == ' ')
                j++;
            if (!is_digit(p[j]))
                return 0;
            j++;
            if (is_digit(p[j]))
                j++;
            return p[j] == ' ' && is_hhmmss(p + j + 1, n - j - 1);
        }
    }
    /* 2026-11-28T09:18:51 or 2026-11-28 09:18:51 */
    if (n >= 19 && is_digit(p[0]) && is_digit(p[3]) && p[4] == '-' && p[7] == '-' &&
        (p[10] == 'T' || p[10] == ' ') && is_hhmmss(p + 11, n - 11))
        return 1;
    /* @4000000063a1b2c30a1b2c3d (TAI64N) followed by a blank */
    if (n >= 26 && p[0] == '@' && memcmp(p + 1, "400000", 6) == 0 && p[25] == ' ') {
        for (int i = 1; i < 25; i++)
            if (!isxdigit((unsigned char)p[i]))
                return 0;
        return 1;
    }
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

/* Lines of the probe that say something: blank lines and '#' comments
 * (fail2ban's notes, aliases and Sieve comments) are skipped.  Returns the
 * number found (at most max), their starts and lengths. */
#define DETECT_LINES 8
static int content_lines(const char *p, size_t n, const char **ls, size_t *ll, int max)
{
    int k = 0;
    size_t i = 0;
    while (i < n && k < max) {
        const char *nl = memchr(p + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - p) : n;
        size_t b = i;
        while (b < e && (p[b] == ' ' || p[b] == '\t' || p[b] == '\r'))
            b++;
        if (b < e && p[b] != '#') {
            size_t len = e - i;
            if (len && p[i + len - 1] == '\r')
                len--;
            ls[k] = p + i;
            ll[k] = len;
            k++;
        }
        if (!nl)
            break;
        i = e + 1;
    }
    return k;
}

/* A log when the first line that says something is a log line, or at least
 * half of the first few are (a file with a short header before its lines). */
static int looks_like_log(const char *const *ls, const size_t *ll, int k)
{
    if (k == 0)
        return 0;
    if (looks_like_syslog(ls[0], ll[0]))
        return 1;
    int hits = 0;
    for (int i = 0; i < k; i++)
        hits += looks_like_syslog(ls[i], ll[i]);
    return k >= 2 && hits * 2 >= k;
}

/* Field `idx` of a comma separated line, trimmed; 0 if there is none. */
static int csv_field(const char *s, size_t n, int idx, const char **f, size_t *fl)
{
    size_t i = 0;
    for (int c = 0; c < idx; c++) {
        const char *comma = memchr(s + i, ',', n - i);
        if (!comma)
            return 0;
        i = (size_t)(comma - s) + 1;
    }
    const char *comma = memchr(s + i, ',', n - i);
    size_t e = comma ? (size_t)(comma - s) : n;
    while (i < e && (s[i] == ' ' || s[i] == '"'))
        i++;
    while (e > i && (s[e - 1] == ' ' || s[e - 1] == '"'))
        e--;
    *f = s + i;
    *fl = e - i;
    return 1;
}

static int field_is(const char *f, size_t fl, const char *word)
{
    return fl == strlen(word) && md_text_ncasecmp(f, word, fl) == 0;
}

/* SNDS exports: data rows "IP,start,end,rcpt,data,recipients,GREEN|YELLOW|RED,..."
 * and IP status rows "first IP,last IP,Yes,reason"; a header row may come first. */
static md_kind snds_kind(const char *const *ls, const size_t *ll, int k)
{
    for (int i = 0; i < k && i < 2; i++) {
        const char *f;
        size_t fl;
        md_ip ip;
        if (!csv_field(ls[i], ll[i], 0, &f, &fl) || md_ip_parse(&ip, f, fl) != MD_OK)
            continue;
        if (csv_field(ls[i], ll[i], 6, &f, &fl) &&
            (field_is(f, fl, "GREEN") || field_is(f, fl, "YELLOW") || field_is(f, fl, "RED")))
            return MD_KIND_SNDS;
        if (csv_field(ls[i], ll[i], 1, &f, &fl) && md_ip_parse(&ip, f, fl) == MD_OK &&
            csv_field(ls[i], ll[i], 2, &f, &fl) && (field_is(f, fl, "Yes") || field_is(f, fl, "No")))
            return MD_KIND_SNDS_STATUS;
        return MD_KIND_UNKNOWN;
    }
    return MD_KIND_UNKNOWN;
}

/* Sieve: the first statement is a Sieve command. */
static int looks_like_sieve(const char *s, size_t n)
{
    static const char *const cmds[] = {"require", "redirect", "if", "keep", "fileinto",
                                       "discard", "stop", "vacation", "/*"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        size_t l = strlen(cmds[i]);
        if (n >= l && memcmp(s, cmds[i], l) == 0 &&
            (n == l || l == 2 || s[l] == ' ' || s[l] == '\t' || s[l] == ';' || s[l] == '['))
            return 1;
    }
    return 0;
}

/* "Name: value", as a header field starts (or a line of aliases or YAML) */
static int name_colon_value(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (isalnum((unsigned char)s[i]) || strchr("._+-", s[i])))
        i++;
    if (i == 0 || i >= n || s[i] != ':')
        return 0;
    i++;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i < n;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
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
    if (n && *p == '{' && md_tlsrpt_sniff(p, n))
        return MD_KIND_TLSRPT;
    if (n >= 5 && memcmp(p, "From ", 5) == 0)
        return MD_KIND_MBOX;
    size_t probe = n < 65536 ? n : 65536;
    const char *ls[DETECT_LINES];
    size_t ll[DETECT_LINES];
    int k = content_lines(p, probe, ls, ll, DETECT_LINES);
    if (looks_like_log(ls, ll, k))
        return MD_KIND_LOG;
    if (has_header_start(p, n))
        return MD_KIND_MESSAGE;
    /* a .forward may be an Exim or Sieve filter, marked on its first line */
    if (n >= 13 && md_text_ncasecmp(p, "# Exim filter", 13) == 0)
        return MD_KIND_FORWARD;
    if (n >= 14 && md_text_ncasecmp(p, "# Sieve filter", 14) == 0)
        return MD_KIND_SIEVE;
    if (ends_with(base, ".sieve") || ends_with(base, ".siv") || (k && looks_like_sieve(ls[0], ll[0])))
        return MD_KIND_SIEVE;
    const char *f;
    size_t fl;
    if (k && csv_field(ls[0], ll[0], 0, &f, &fl) && field_is(f, fl, "address") &&
        csv_field(ls[0], ll[0], 1, &f, &fl) && field_is(f, fl, "target"))
        return MD_KIND_RULES_CSV;
    /* a rules CSV with its columns in another order (rulecsv.h) */
    if (k && md_text_casestr(ls[0], ll[0], "keeps_copy") && md_text_casestr(ls[0], ll[0], "target") &&
        md_text_casestr(ls[0], ll[0], "address"))
        return MD_KIND_RULES_CSV;
    /* without its header row: address,target,keeps_copy */
    if (k && csv_field(ls[0], ll[0], 0, &f, &fl) && fl && memchr(f, '@', fl) &&
        !memchr(f, ' ', fl) && csv_field(ls[0], ll[0], 2, &f, &fl) &&
        (field_is(f, fl, "0") || field_is(f, fl, "1") || field_is(f, fl, "yes") ||
         field_is(f, fl, "no") || field_is(f, fl, "true") || field_is(f, fl, "false")))
        return MD_KIND_RULES_CSV;
    md_kind sk = snds_kind(ls, ll, k);
    if (sk == MD_KIND_UNKNOWN && k) { /* a header row names the columns (snds.h) */
        int sn = md_snds_sniff(ls[0], ll[0]);
        sk = sn == MD_SNDS_DATA ? MD_KIND_SNDS : sn == MD_SNDS_STATUS ? MD_KIND_SNDS_STATUS
                                                                      : MD_KIND_UNKNOWN;
    }
    if (sk != MD_KIND_UNKNOWN)
        return sk;
    /* "Name: value" first: a message with an unusual first header, or aliases */
    if (k && name_colon_value(ls[0], ll[0]) &&
        (md_text_casestr(p, probe, "\nDate:") || md_text_casestr(p, probe, "\nReceived:") ||
         md_text_casestr(p, probe, "\nMessage-ID:")))
        return MD_KIND_MESSAGE;
    /* aliases by their syntax, or by name unless the text or name says YAML
     * (a YAML file of "key: value" lines is no aliases file) */
    int al = md_aliases_sniff(p, probe);
    if (ends_with(base, ".yml") || ends_with(base, ".yaml") || al == MD_ALIASES_YAML)
        return MD_KIND_UNKNOWN;
    if (al == MD_ALIASES_LIKE || strstr(base, "alias"))
        return MD_KIND_ALIASES;
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

/* first_read: 1 when the input is new to this walk (or has no identity: a
 * Maildir's message file, opened without fstat), 0 when it is a file read
 * already under another name (a link; reported), or MD_ERR_NOMEM */
static int first_read(md_ingest *ig, md_input *in, const char *path, md_err *err)
{
    uint64_t dev = md_input_dev(in), ino = md_input_ino(in);
    const char *first;
    if (!ig->seen || (dev == 0 && ino == 0))
        return 1;
    int rc = md_fileset_add(ig->seen, dev, ino, path, &first);
    if (rc < 0)
        return md_err_set(err, rc, "%s: out of memory", path);
    if (rc == 0)
        md_ingest_note(ig, path, "the same file as %s (a link or another name of it), read already; "
             "skipped", first);
    return rc;
}

/* kind_of: the kind the input is read as: --format, else the walk's hint
 * (a Maildir), else what its first bytes say; *empty: there were none to
 * look at (a forced or hinted kind's reader gets even an empty input) */
static md_kind kind_of(md_ingest *ig, md_input *in, const char *path, md_kind hint, int *empty)
{
    md_kind k = ig->force_kind != MD_KIND_UNKNOWN ? ig->force_kind : hint;
    *empty = 0;
    if (k == MD_KIND_UNKNOWN) {
        const char *p;
        size_t n;
        md_err e = {0, ""};
        md_input_peek(in, 65536, &p, &n, &e);
        k = md_ingest_detect(p, n, path);
        *empty = n == 0;
    }
    return k;
}

/* skip_unread: report an input no reader takes.  An empty plain file is
 * nothing wrong (mail.log just after logrotate, read from cron): named,
 * not counted as failed. */
static int skip_unread(md_ingest *ig, const md_input *in, const char *path, md_kind k, int empty)
{
    if (empty && md_input_comp(in) == MD_COMP_NONE) {
        md_ingest_note(ig, path, "empty; nothing to read");
        return MD_OK;
    }
    ig->stats.files_failed++;
    md_ingest_warn(ig, path, 0, "%s",
                   empty && md_input_comp(in) != MD_COMP_NONE
                       ? "no data once decompressed (empty or damaged); skipped"
                   : k == MD_KIND_UNKNOWN
                       ? "not a recognised input (log, message, rules or report); skipped"
                       : "no reader for this kind of input; skipped");
    return MD_ERR_PARSE;
}

/* ingest_file: the input path; dfd >= 0: it is the regular file `entry` of
 * that directory (opened relative to it; a Maildir's message files need no
 * fstat either) */
static int ingest_file(md_ingest *ig, const char *path, md_kind hint, int dfd,
                       const char *entry, md_err *err)
{
    md_input *in = NULL;
    md_err e = {0, ""};
    int maildir = dfd >= 0 && hint == MD_KIND_MESSAGE &&
                  (ig->force_kind == MD_KIND_UNKNOWN || ig->force_kind == MD_KIND_MESSAGE);
    int orc = dfd >= 0 ? md_input_open_at(&in, dfd, entry, path, maildir ? MD_INPUT_REGULAR : 0, &e)
                       : md_input_open(&in, path, &e);
    if (orc != MD_OK) {
        ig->stats.files_failed++;
        md_ingest_warn(ig, path, 0, "%s", e.msg);
        return MD_ERR_PARSE;
    }
    int first = first_read(ig, in, path, err);
    if (first <= 0) {
        md_input_close(in);
        return first;
    }
    ig->stats.files++;
    int empty;
    md_kind k = kind_of(ig, in, path, hint, &empty);
    md_ingest_fn fn = ig->reader ? ig->reader : reader_for(ig, k);
    ig->kind = k;
    int rc = MD_OK;
    if (!fn || empty) {
        rc = skip_unread(ig, in, path, k, empty);
    } else {
        ig->stats.by_kind[k]++;
        uint64_t skipped = ig->stats.skipped;
        /* another reader opens its own transactions: commit the messages first */
        const md_ingest_readers *rd = ig->readers;
        if (rd && rd->batch_flush && fn != rd->batched && rd->batch_flush(ig, err) != MD_OK) {
            md_input_close(in);
            return err->code;
        }
        rc = fn(ig, in, path, err);
        if (rc == MD_OK && ig->stats.skipped > skipped)
            rc = MD_ERR_PARSE;
        if (rc != MD_OK && rc != MD_ERR_PARSE && rc != MD_ERR_DB && rc != MD_ERR_NOMEM) {
            /* bad input (truncated, over a limit): reported, the walk goes on */
            ig->stats.files_failed++;
            /* the message names the input already: do not repeat it */
            const char *m = err->msg, *name = md_input_name(in);
            size_t nl = strlen(name);
            if (strncmp(m, name, nl) == 0 && m[nl] == ':' && m[nl + 1] == ' ')
                m += nl + 2;
            md_ingest_warn(ig, path, md_input_lineno(in), "%s", m);
            md_err_clear(err);
            rc = MD_ERR_PARSE;
        }
    }
    ig->stats.bytes += md_input_pos(in);
    if (k == MD_KIND_MESSAGE) /* a Maildir: one small file after the other */
        md_ingest_tick(ig, in);
    md_input_close(in);
    return rc;
}

/* rot_key: a file name as logrotate leaves it, split into its base and a
 * rank that orders the generations oldest first: "mail.log.3.gz" (rank -3)
 * before "mail.log.1" (-1) before "mail.log" (0); dateext names
 * ("mail.log-20160424.gz") by date, before the current file. */
static void rot_key(const char *name, size_t *baselen, long long *rank)
{
    static const char *const zs[] = {".gz", ".bz2", ".xz", ".zst"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof zs / sizeof zs[0]; i++) {
        size_t zl = strlen(zs[i]);
        if (n > zl && strcmp(name + n - zl, zs[i]) == 0) {
            n -= zl;
            break;
        }
    }
    size_t d = n;
    while (d > 0 && name[d - 1] >= '0' && name[d - 1] <= '9')
        d--;
    size_t digits = n - d;
    *baselen = n;
    *rank = 0;
    if (d == 0 || digits == 0)
        return;
    long long v = 0;
    for (size_t i = d; i < n && i < d + 9; i++)
        v = v * 10 + (name[i] - '0');
    if (name[d - 1] == '.' && digits <= 4) {
        *baselen = d - 1;
        *rank = -v;
    } else if (name[d - 1] == '-' && digits == 8) {
        *baselen = d - 1;
        *rank = v - 100000000LL;
    }
}

/* a directory entry: its name after a byte saying whether it is a regular
 * file ('f', else '?'), and its rot_key (computed once, not per comparison:
 * a Maildir of 100,000 files takes 1.7 million comparisons) */
typedef struct dentry {
    char *name;
    size_t baselen;
    long long rank;
} dentry;

/* cmp_name: directory entries in reading order: by name, except that the
 * generations of a rotated log come oldest first, so that a message that
 * spans a rotation is read in the order it was logged. */
static int cmp_name(const void *a, const void *b)
{
    const dentry *x = a, *y = b;
    const char *xn = x->name + 1, *yn = y->name + 1; /* past the type byte */
    size_t m = x->baselen < y->baselen ? x->baselen : y->baselen;
    int c = memcmp(xn, yn, m);
    if (c == 0 && x->baselen != y->baselen)
        c = x->baselen < y->baselen ? -1 : 1;
    if (c == 0 && x->rank != y->rank)
        c = x->rank < y->rank ? -1 : 1;
    return c ? c : strcmp(xn, yn);
}

static const char *type_name(mode_t m)
{
    return S_ISCHR(m) ? "character device" : S_ISBLK(m) ? "block device"
         : S_ISFIFO(m) ? "named pipe" : S_ISSOCK(m) ? "socket" : "special file";
}

/* skip_special: report an input that is never read: a device (/dev/zero
 * would never end, /dev/urandom is no text), a socket, a named pipe inside
 * a directory (opening it would wait for a writer) */
static int skip_special(md_ingest *ig, const char *path, mode_t m)
{
    ig->stats.files_failed++;
    md_ingest_warn(ig, path, 0, "not a regular file or directory (%s%s); skipped", type_name(m),
                   S_ISFIFO(m) ? ", read only when named itself" : "");
    return MD_ERR_PARSE;
}

/* ingest_stdin: "-" is read when it is a file, a pipe, a socket or a
 * terminal, not when it is a device (< /dev/zero) */
static int ingest_stdin(md_ingest *ig, md_kind hint, md_err *err)
{
    struct stat st;
    if (fstat(STDIN_FILENO, &st) == 0 &&
        (S_ISBLK(st.st_mode) || (S_ISCHR(st.st_mode) && !isatty(STDIN_FILENO)))) {
        ig->stats.files_failed++;
        md_ingest_warn(ig, "-", 0, "standard input is a %s, not a file, pipe or terminal; skipped",
                       type_name(st.st_mode));
        return MD_ERR_PARSE;
    }
    return ingest_file(ig, "-", hint, -1, NULL, err);
}

/* first_visit: 1 when the directory is new to this walk; 0 when it was
 * read already (reported: a symbolic link loop such as dir/a -> .., or a
 * second path to it); MD_ERR_NOMEM */
static int first_visit(md_ingest *ig, const char *path, const struct stat *st, md_err *err)
{
    const char *first;
    int rc = md_fileset_add(ig->seen, (uint64_t)st->st_dev, (uint64_t)st->st_ino, path, &first);
    if (rc < 0)
        return md_err_set(err, rc, "%s: out of memory", path);
    if (rc == 0) {
        size_t fl = strlen(first);
        int inside = fl && strncmp(path, first, fl) == 0 && path[fl] &&
                     (path[fl] == '/' || first[fl - 1] == '/');
        if (inside)
            md_ingest_note(ig, path, "symbolic link loop: this is %s again, which is being read; skipped",
                 first);
        else
            md_ingest_note(ig, path, "the same directory as %s, read already; skipped", first);
    }
    return rc;
}

/* walk: path (in_dir >= 0: a listing of that directory said path is its
 * regular file `entry`, so it needs no stat) */
static int walk(md_ingest *ig, const char *path, int depth, md_kind hint, int in_dir,
                const char *entry, md_err *err)
{
    struct stat st;
    if (in_dir >= 0)
        return ingest_file(ig, path, hint, in_dir, entry, err);
    if (strcmp(path, "-") == 0)
        return ingest_stdin(ig, hint, err);
    if (stat(path, &st) != 0) {
        ig->stats.files_failed++;
        md_ingest_warn(ig, path, 0, "cannot stat: %s", strerror(errno));
        return MD_ERR_PARSE;
    }
    /* a named pipe only when named (<(zcat ...)): inside a directory it would block */
    if (!S_ISDIR(st.st_mode))
        return S_ISREG(st.st_mode) || (S_ISFIFO(st.st_mode) && depth == 0)
                   ? ingest_file(ig, path, hint, -1, NULL, err)
                   : skip_special(ig, path, st.st_mode);
    if (depth >= MD_LIMIT_DIR_DEPTH) {
        md_ingest_warn(ig, path, 0, "directory nesting deeper than %d; skipped",
                       MD_LIMIT_DIR_DEPTH);
        return MD_ERR_PARSE;
    }
    int fv = first_visit(ig, path, &st, err);
    if (fv <= 0)
        return fv;
    if (hint == MD_KIND_UNKNOWN && is_maildir(path))
        hint = MD_KIND_MESSAGE;
    DIR *d = opendir(path);
    if (!d) {
        ig->stats.files_failed++;
        md_ingest_warn(ig, path, 0, "cannot open directory: %s", strerror(errno));
        return MD_ERR_PARSE;
    }
    /* sorted, so that runs are reproducible (mail.log.2.gz before mail.log.1
     * does not matter: sources are matched by content) */
    dentry *names = NULL;
    size_t nn = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (de->d_name[0] == '.' && strcmp(de->d_name, ".forward") != 0 &&
            strcmp(de->d_name, ".dovecot.sieve") != 0) /* a user's active Sieve script */
            continue;
        dentry *nn2 = md_grow(names, &cap, nn + 1, sizeof *names, 64);
        if (!nn2)
            break;
        names = nn2;
        /* the name after a byte saying whether it is a regular file */
        size_t l = strlen(de->d_name);
        char *name = malloc(l + 2);
        if (name) {
            name[0] = de->d_type == DT_REG ? 'f' : '?';
            memcpy(name + 1, de->d_name, l + 1);
            names[nn].name = name;
            rot_key(name + 1, &names[nn].baselen, &names[nn].rank);
            nn++;
        }
    }
    if (nn)
        qsort(names, nn, sizeof *names, cmp_name);
    int dfd = dirfd(d); /* the regular files are opened relative to it */
    int result = MD_OK;
    for (size_t i = 0; i < nn; i++) {
        char sub[MD_LIMIT_PATH];
        size_t pl = strlen(path);
        const char *sep = pl && path[pl - 1] == '/' ? "" : "/"; /* "logs/" + "mail.log" */
        const char *name = names[i].name;
        if ((size_t)snprintf(sub, sizeof sub, "%s%s%s", path, sep, name + 1) < sizeof sub) {
            int rc = walk(ig, sub, depth + 1, hint, name[0] == 'f' ? dfd : -1, name + 1, err);
            if (rc == MD_ERR_PARSE)
                result = MD_ERR_PARSE;
            else if (rc != MD_OK) {
                result = rc;
                for (; i < nn; i++)
                    free(names[i].name);
                break;
            }
        }
        free(names[i].name);
    }
    free(names);
    closedir(d);
    return result;
}

static int ingest_path(md_ingest *ig, const char *path, md_err *err);

/* committed: the store committed: what was counted is stored for good */
static void committed(void *arg)
{
    md_ingest *ig = arg;
    ig->stored = ig->stats;
}

int md_ingest_path(md_ingest *ig, const char *path, md_err *err)
{
    md_store_on_commit(ig->store, committed, ig);
    int rc = ingest_path(ig, path, err);
    md_store_on_commit(ig->store, NULL, NULL);
    /* nothing failed: every count is stored (also those of inputs that
     * stored nothing, and of what committed outside md_store_commit) */
    if (rc == MD_OK || rc == MD_ERR_PARSE)
        ig->stored = ig->stats;
    return rc;
}

static int ingest_path(md_ingest *ig, const char *path, md_err *err)
{
    /* Messages of successive inputs (a Maildir) share transactions (the
     * readers' batch); the outermost call opens and closes the batch. */
    const md_ingest_readers *rd = ig->readers;
    int own = 0;
    if (!ig->msg_batch && rd && rd->batch_begin) {
        if (rd->batch_begin(ig, err) != MD_OK)
            return err->code;
        own = 1;
    }
    /* each directory and file once, also when links lead to it again */
    md_fileset seen = MD_FILESET_INIT;
    int own_seen = !ig->seen;
    if (own_seen)
        ig->seen = &seen;
    uint64_t skipped = ig->stats.skipped;
    int rc = walk(ig, path, 0, MD_KIND_UNKNOWN, -1, NULL, err);
    if (own_seen) {
        md_fileset_free(&seen);
        ig->seen = NULL;
    }
    /* the messages still queued are stored (and their warnings given) */
    md_err e = {0, ""};
    int (*end)(md_ingest *, md_err *) = !rd ? NULL : own ? rd->batch_finish : rd->batch_flush;
    if (end && end(ig, &e) != MD_OK) {
        *err = e;
        return e.code;
    }
    /* the dates of the logs read against the messages stored */
    if ((rc == MD_OK || rc == MD_ERR_PARSE) && own_seen && rd && rd->walk_end &&
        rd->walk_end(ig, &e) != MD_OK) {
        *err = e;
        return e.code;
    }
    if (rc == MD_OK && ig->stats.skipped > skipped)
        rc = MD_ERR_PARSE;
    return rc;
}
