/* snds.c: the SNDS data and IP status exports, one CSV line at a time (see
 * snds.h).  Owns no memory; never prints. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/md_limits.h"
#include "parse/snds.h"
#include "base/text.h"

/* ---- CSV ----------------------------------------------------------------- */

typedef struct csvf {
    char text[512];
    size_t len;
    int cut;
} csvf;

/* split line into at most MD_LIMIT_CSV_FIELDS fields (quotes undone, blanks
 * around unquoted fields trimmed).  Returns the number of fields, or -1
 * (too many fields / unterminated quote; *why set). */
static int csv_split(const char *s, size_t n, csvf *f, const char **why)
{
    int nf = 0;
    size_t i = 0;
    for (;;) {
        if (nf == MD_LIMIT_CSV_FIELDS) {
            *why = "more fields than allowed";
            return -1;
        }
        csvf *c = &f[nf++];
        c->len = 0;
        c->cut = 0;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        int quoted = i < n && s[i] == '"';
        if (quoted) {
            i++;
            for (;;) {
                if (i >= n) {
                    *why = "unterminated quoted field";
                    return -1;
                }
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"') {
                        i++;
                    } else {
                        i++;
                        break;
                    }
                }
                if (c->len + 1 < sizeof c->text)
                    c->text[c->len++] = s[i];
                else
                    c->cut = 1;
                i++;
            }
            while (i < n && s[i] != ',')
                i++; /* junk after the closing quote is dropped */
        } else {
            while (i < n && s[i] != ',') {
                if (c->len + 1 < sizeof c->text)
                    c->text[c->len++] = s[i];
                else
                    c->cut = 1;
                i++;
            }
            while (c->len && (c->text[c->len - 1] == ' ' || c->text[c->len - 1] == '\t'))
                c->len--;
        }
        c->text[c->len] = '\0';
        if (i >= n)
            return nf;
        i++; /* the comma */
    }
}

/* copy a field as valid, printable UTF-8 into dst */
static void put_str(char *dst, size_t size, const csvf *c)
{
    size_t j = 0;
    if (md_text_utf8_valid(c->text, c->len)) {
        for (size_t i = 0; i < c->len && j + 1 < size; i++)
            dst[j++] = (unsigned char)c->text[i] < 0x20 ? ' ' : c->text[i];
        while (j && j < c->len && ((unsigned char)c->text[j] & 0xC0) == 0x80)
            j--; /* never cut a character in two */
    } else {
        md_text_printable(dst, size, c->text, c->len);
        return;
    }
    dst[j] = '\0';
}

/* ---- values -------------------------------------------------------------- */

static int parse_int(const csvf *c, int64_t *out)
{
    int64_t v = 0;
    int digits = 0;
    for (size_t i = 0; i < c->len; i++) {
        char ch = c->text[i];
        if (ch == ',' || ch == ' ' || ch == '.' || ch == '\'')
            continue; /* thousands separators */
        if (!isdigit((unsigned char)ch))
            return MD_ERR_PARSE;
        if (v > (INT64_MAX - 9) / 10)
            return MD_ERR_PARSE;
        v = v * 10 + (ch - '0');
        digits++;
    }
    if (!digits)
        return MD_ERR_PARSE;
    *out = v;
    return MD_OK;
}

static int num(const char **p, const char *end, int maxdig, int *out)
{
    int v = 0, d = 0;
    while (*p < end && isdigit((unsigned char)**p) && d < maxdig) {
        v = v * 10 + (**p - '0');
        (*p)++;
        d++;
    }
    if (!d)
        return -1;
    *out = v;
    return 0;
}

int md_snds_parse_time(const char *s, size_t n, int64_t *out)
{
    const char *p = s, *end = s + n;
    while (p < end && isspace((unsigned char)*p))
        p++;
    while (end > p && isspace((unsigned char)end[-1]))
        end--;
    int y, mo, d, h = 0, mi = 0, sec = 0;
    int a, b;
    if (num(&p, end, 4, &a) != 0 || p >= end)
        return MD_ERR_PARSE;
    if (*p == '-') { /* ISO: YYYY-MM-DD */
        y = a;
        p++;
        if (num(&p, end, 2, &mo) != 0 || p >= end || *p != '-')
            return MD_ERR_PARSE;
        p++;
        if (num(&p, end, 2, &d) != 0)
            return MD_ERR_PARSE;
    } else if (*p == '/') { /* M/D/YYYY */
        p++;
        if (num(&p, end, 2, &b) != 0 || p >= end || *p != '/')
            return MD_ERR_PARSE;
        p++;
        if (num(&p, end, 4, &y) != 0)
            return MD_ERR_PARSE;
        mo = a;
        d = b;
    } else {
        return MD_ERR_PARSE;
    }
    if (p < end && (*p == 'T' || *p == ' ')) {
        while (p < end && (*p == 'T' || *p == ' '))
            p++;
        if (num(&p, end, 2, &h) != 0 || p >= end || *p != ':')
            return MD_ERR_PARSE;
        p++;
        if (num(&p, end, 2, &mi) != 0)
            return MD_ERR_PARSE;
        if (p < end && *p == ':') {
            p++;
            if (num(&p, end, 2, &sec) != 0)
                return MD_ERR_PARSE;
            if (p < end && *p == '.') /* fractions */
                for (p++; p < end && isdigit((unsigned char)*p); p++)
                    ;
        }
        while (p < end && *p == ' ')
            p++;
        if (end - p >= 2 && md_text_ncasecmp(p, "AM", 2) == 0) {
            if (h < 1 || h > 12)
                return MD_ERR_PARSE;
            h = h == 12 ? 0 : h;
            p += 2;
        } else if (end - p >= 2 && md_text_ncasecmp(p, "PM", 2) == 0) {
            if (h < 1 || h > 12)
                return MD_ERR_PARSE;
            h = h == 12 ? 12 : h + 12;
            p += 2;
        }
        if (p < end && (*p == 'Z' || *p == 'z'))
            p++;
        else if (end - p == 6 && (*p == '+' || *p == '-') && memcmp(p + 1, "00:00", 5) == 0)
            p = end;
    }
    if (p != end)
        return MD_ERR_PARSE;
    if (y < 1990 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        sec > 60)
        return MD_ERR_PARSE;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    *out = (int64_t)timegm(&tm);
    return MD_OK;
}

int md_snds_parse_rate(const char *s, size_t n, double *pct, int *lt)
{
    const char *p = s, *end = s + n;
    *lt = 0;
    while (p < end && isspace((unsigned char)*p))
        p++;
    if (p < end && *p == '<') {
        *lt = 1;
        p++;
        while (p < end && isspace((unsigned char)*p))
            p++;
    }
    double v = 0, scale = 0;
    int digits = 0;
    for (; p < end; p++) {
        if (isdigit((unsigned char)*p)) {
            digits++;
            if (scale == 0) {
                v = v * 10 + (*p - '0');
            } else {
                v += (*p - '0') * scale;
                scale /= 10;
            }
        } else if (*p == '.' && scale == 0) {
            scale = 0.1;
        } else {
            break;
        }
    }
    while (p < end && isspace((unsigned char)*p))
        p++;
    if (p < end && *p == '%')
        p++;
    while (p < end && isspace((unsigned char)*p))
        p++;
    if (!digits || p != end || v > 100)
        return MD_ERR_PARSE;
    *pct = v;
    return MD_OK;
}

/* ---- header rows ----------------------------------------------------------- */

/* lower-case letters and digits only: "Activity start" -> "activitystart" */
static void squash(char *dst, size_t size, const csvf *c)
{
    size_t j = 0;
    for (size_t i = 0; i < c->len && j + 1 < size; i++)
        if (isalnum((unsigned char)c->text[i]))
            dst[j++] = (char)tolower((unsigned char)c->text[i]);
    dst[j] = '\0';
}

static int data_col(const char *h)
{
    /* the first word found in h names the column (after the trap columns) */
    static const struct {
        const char *word;
        int col;
    } words[] = {{"start", MD_SNDS_COL_START},        {"begin", MD_SNDS_COL_START},
                 {"end", MD_SNDS_COL_END},            {"rcpt", MD_SNDS_COL_RCPT},
                 {"data", MD_SNDS_COL_DATA},          {"recipient", MD_SNDS_COL_RECIPIENTS},
                 {"filter", MD_SNDS_COL_FILTER},      {"complaint", MD_SNDS_COL_COMPLAINT},
                 {"helo", MD_SNDS_COL_HELO},          {"jmr", MD_SNDS_COL_JMR},
                 {"mailfrom", MD_SNDS_COL_JMR},       {"sender", MD_SNDS_COL_JMR},
                 {"comment", MD_SNDS_COL_COMMENTS}};
    int trap = strstr(h, "trap") != NULL;
    if (strcmp(h, "ip") == 0 || strcmp(h, "ipaddress") == 0 || strcmp(h, "address") == 0)
        return MD_SNDS_COL_IP;
    if (trap && strstr(h, "hit"))
        return MD_SNDS_COL_TRAP_HITS;
    if (trap && (strstr(h, "start") || strstr(h, "begin")))
        return MD_SNDS_COL_TRAP_START;
    if (trap && (strstr(h, "end") || strstr(h, "stop")))
        return MD_SNDS_COL_TRAP_END;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strstr(h, words[i].word))
            return words[i].col;
    return -1;
}

enum { ST_FIRST = 0, ST_LAST, ST_BLOCKED, ST_REASON, ST_NCOLS };

static int status_col(const char *h)
{
    if (strstr(h, "first") || strstr(h, "start") || strcmp(h, "ip") == 0)
        return ST_FIRST;
    if (strstr(h, "last") || strstr(h, "end"))
        return ST_LAST;
    if (strstr(h, "block") || strstr(h, "status"))
        return ST_BLOCKED;
    if (strstr(h, "reason") || strstr(h, "detail") || strstr(h, "comment"))
        return ST_REASON;
    return -1;
}

void md_snds_init(md_snds_parser *p, int kind)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    for (int i = 0; i < MD_LIMIT_CSV_FIELDS; i++)
        p->map[i] = i < (kind == MD_SNDS_STATUS ? ST_NCOLS : MD_SNDS_NCOLS) ? i : -1;
}

static int is_ip_field(const csvf *c)
{
    md_ip ip;
    return md_ip_parse(&ip, c->text, c->len) == 0;
}

/* A header row: the first field is no IP address, and at least two fields
 * name columns we know.  The map changes only when it is one. */
static int try_header(md_snds_parser *p, csvf *f, int nf)
{
    if (p->rows > 0 || p->have_header || nf < 2 || is_ip_field(&f[0]))
        return 0;
    int map[MD_LIMIT_CSV_FIELDS];
    int seen = 0;
    for (int i = 0; i < MD_LIMIT_CSV_FIELDS; i++) {
        map[i] = -1;
        if (i >= nf)
            continue;
        char h[64];
        squash(h, sizeof h, &f[i]);
        map[i] = p->kind == MD_SNDS_STATUS ? status_col(h) : data_col(h);
        for (int j = 0; j < i; j++)
            if (map[j] == map[i])
                map[i] = -1; /* a name seen twice: the first wins */
        if (map[i] >= 0)
            seen++;
    }
    if (seen < 2)
        return 0;
    memcpy(p->map, map, sizeof map);
    p->have_header = 1;
    p->ncols = nf;
    return 1;
}

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isspace((unsigned char)s[i]) && s[i] != ',')
            return 0;
    return 1;
}

static int set_ip(char *dst, const csvf *c, const char *what, md_err *err)
{
    md_ip ip;
    if (md_ip_parse(&ip, c->text, c->len) != 0) {
        char shown[MD_LIMIT_SHOW_BYTES];
        return md_err_set(err, MD_ERR_PARSE, "%s is no IP address: \"%s\"", what,
                          md_text_printable(shown, sizeof shown, c->text, c->len));
    }
    md_ip_format(&ip, dst, MD_IP_STRLEN);
    return MD_OK;
}

static int bad_field(md_err *err, const char *what, const csvf *c)
{
    char shown[MD_LIMIT_SHOW_BYTES];
    return md_err_set(err, MD_ERR_PARSE, "%s unreadable: \"%s\"", what,
                      md_text_printable(shown, sizeof shown, c->text, c->len));
}

static int time_field(int64_t *dst, const char *name, const csvf *c, md_err *err)
{
    return md_snds_parse_time(c->text, c->len, dst) == 0 ? MD_OK : bad_field(err, name, c);
}

static int int_field(int64_t *dst, const char *name, const csvf *c, md_err *err)
{
    return parse_int(c, dst) == 0 ? MD_OK : bad_field(err, name, c);
}

static const char *const col_names[MD_SNDS_NCOLS] = {
    "IP", "activity start", "activity end", "RCPT commands", "DATA commands",
    "message recipients", "filter result", "complaint rate", "trap period start",
    "trap period end", "trap hits", "sample HELO", "JMR P1 sender", "comments"};

static int data_field(md_snds_row *r, int col, const csvf *c, md_err *err)
{
    const char *name = col_names[col];
    if (c->len == 0 && col != MD_SNDS_COL_IP && col != MD_SNDS_COL_START)
        return MD_OK;
    switch (col) {
    case MD_SNDS_COL_IP:
        return set_ip(r->ip, c, "IP", err);
    case MD_SNDS_COL_START:
        return time_field(&r->act_start, name, c, err);
    case MD_SNDS_COL_END:
        return time_field(&r->act_end, name, c, err);
    case MD_SNDS_COL_TRAP_START:
        return time_field(&r->trap_start, name, c, err);
    case MD_SNDS_COL_TRAP_END:
        return time_field(&r->trap_end, name, c, err);
    case MD_SNDS_COL_RCPT:
        return int_field(&r->rcpt, name, c, err);
    case MD_SNDS_COL_DATA:
        return int_field(&r->data, name, c, err);
    case MD_SNDS_COL_RECIPIENTS:
        return int_field(&r->recipients, name, c, err);
    case MD_SNDS_COL_TRAP_HITS:
        return int_field(&r->trap_hits, name, c, err);
    case MD_SNDS_COL_FILTER: {
        static const char *const colours[] = {"GREEN", "YELLOW", "RED"};
        for (int i = 0; i < 3; i++)
            if (c->len == strlen(colours[i]) && md_text_ncasecmp(c->text, colours[i], c->len) == 0) {
                snprintf(r->filter, sizeof r->filter, "%s", colours[i]);
                return MD_OK;
            }
        return bad_field(err, name, c);
    }
    case MD_SNDS_COL_COMPLAINT:
        if (md_snds_parse_rate(c->text, c->len, &r->complaint_pct, &r->complaint_lt) != 0)
            return bad_field(err, name, c);
        put_str(r->complaint, sizeof r->complaint, c);
        return MD_OK;
    case MD_SNDS_COL_HELO:
        put_str(r->helo, sizeof r->helo, c);
        return MD_OK;
    case MD_SNDS_COL_JMR:
        put_str(r->jmr_sender, sizeof r->jmr_sender, c);
        return MD_OK;
    case MD_SNDS_COL_COMMENTS:
        put_str(r->comments, sizeof r->comments, c);
        return MD_OK;
    default:
        return MD_OK;
    }
}

/* split_row: the fields of a line of an SNDS `what` into f: their number,
 * 0 for a blank line or a header row (taken into p), or MD_ERR_PARSE. */
static int split_row(md_snds_parser *p, const char *line, size_t n, csvf *f, const char *what,
                     md_err *err)
{
    const char *why = "";
    if (blank(line, n))
        return 0;
    int nf = csv_split(line, n, f, &why);
    if (nf < 0)
        return md_err_set(err, MD_ERR_PARSE, "not a CSV line of an SNDS %s: %s", what, why);
    return try_header(p, f, nf) ? 0 : nf;
}

int md_snds_data_line(md_snds_parser *p, const char *line, size_t n, md_snds_row *out,
                      md_err *err)
{
    csvf f[MD_LIMIT_CSV_FIELDS];
    int nf = split_row(p, line, n, f, "export", err);
    if (nf <= 0)
        return nf;
    memset(out, 0, sizeof *out);
    out->rcpt = out->data = out->recipients = -1;
    out->complaint_pct = -1;
    int have_ip = 0, have_start = 0;
    for (int i = 0; i < nf; i++) {
        int col = p->map[i];
        if (col < 0)
            continue;
        int rc = data_field(out, col, &f[i], err);
        if (rc != MD_OK)
            return rc;
        have_ip |= col == MD_SNDS_COL_IP;
        have_start |= col == MD_SNDS_COL_START;
    }
    if (!have_ip || !have_start)
        return md_err_set(err, MD_ERR_PARSE, "SNDS data row with %d field%s: no %s", nf,
                          nf == 1 ? "" : "s", have_ip ? "activity start" : "IP address");
    p->rows++;
    return 1;
}

int md_snds_status_line(md_snds_parser *p, const char *line, size_t n, md_snds_status *out,
                        md_err *err)
{
    csvf f[MD_LIMIT_CSV_FIELDS];
    int nf = split_row(p, line, n, f, "status export", err);
    if (nf <= 0)
        return nf;
    memset(out, 0, sizeof *out);
    int have = 0;
    for (int i = 0; i < nf; i++) {
        int rc = MD_OK;
        switch (p->map[i]) {
        case ST_FIRST:
            rc = set_ip(out->first, &f[i], "first IP", err);
            have |= 1;
            break;
        case ST_LAST:
            rc = set_ip(out->last, &f[i], "last IP", err);
            have |= 2;
            break;
        case ST_BLOCKED:
            out->blocked = f[i].len >= 1 && (f[i].text[0] == 'Y' || f[i].text[0] == 'y');
            have |= 4;
            break;
        case ST_REASON:
            put_str(out->reason, sizeof out->reason, &f[i]);
            break;
        default:
            break;
        }
        if (rc != MD_OK)
            return rc;
    }
    if ((have & 3) != 3 || !(have & 4))
        return md_err_set(err, MD_ERR_PARSE,
                          "SNDS status row needs first IP, last IP and blocked (%d field%s)",
                          nf, nf == 1 ? "" : "s");
    md_ip a, b;
    md_ip_parse(&a, out->first, strlen(out->first));
    md_ip_parse(&b, out->last, strlen(out->last));
    if (a.v4 != b.v4 || memcmp(a.b, b.b, 16) > 0)
        return md_err_set(err, MD_ERR_PARSE, "SNDS status range %s - %s is not a range",
                          out->first, out->last);
    p->rows++;
    return 1;
}

int md_snds_sniff(const char *p, size_t n)
{
    while (n && (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
        p += 3;
        n -= 3;
    }
    const char *nl = memchr(p, '\n', n);
    size_t len = nl ? (size_t)(nl - p) : n;
    if (len && p[len - 1] == '\r')
        len--;
    csvf f[MD_LIMIT_CSV_FIELDS];
    const char *why;
    int nf = csv_split(p, len, f, &why);
    if (nf < 3)
        return MD_SNDS_NONE;
    if (is_ip_field(&f[0])) {
        int64_t t;
        if (is_ip_field(&f[1]))
            return MD_SNDS_STATUS;
        if (md_snds_parse_time(f[1].text, f[1].len, &t) == 0)
            return MD_SNDS_DATA;
        return MD_SNDS_NONE;
    }
    char h0[64], h1[64], h2[64];
    squash(h0, sizeof h0, &f[0]);
    squash(h1, sizeof h1, &f[1]);
    squash(h2, sizeof h2, &f[2]);
    if (!strstr(h0, "ip") && !strstr(h0, "address"))
        return MD_SNDS_NONE;
    if (strstr(h1, "activity") || strstr(h1, "start") || strstr(h2, "activity"))
        return MD_SNDS_DATA;
    if (strstr(h0, "first") && strstr(h1, "last"))
        return MD_SNDS_STATUS;
    return MD_SNDS_NONE;
}
