/* rulecsv.c: the rules CSV (RFC 4180) in both directions (see rulecsv.h).
 * Reads only the text it is given; never prints. */
#include <stdio.h>
#include <string.h>
#include "parse/aliases.h"
#include "parse/rulecsv.h"
#include "base/text.h"

typedef struct field {
    size_t off, len;  /* decoded text in the record buffer */
} field;

/* One record from text at *i: decoded fields into rec (NUL after each).
 * Returns the number of fields (>= 1), 0 at the end, -1 on an unterminated
 * quote (the rest of the text is used up), -2 on too many fields. */
static int record(const char *t, size_t n, size_t *i, uint64_t *line, md_buf *rec,
                  field *f, int maxf)
{
    if (*i >= n)
        return 0;
    md_buf_reset(rec);
    int nf = 0, too_many = 0;
    for (;;) {
        size_t off = rec->len;
        if (*i < n && t[*i] == '"') {
            (*i)++;
            for (;;) {
                if (*i >= n) {
                    md_buf_putc(rec, '\0');
                    return -1;
                }
                char c = t[*i];
                if (c == '"') {
                    if (*i + 1 < n && t[*i + 1] == '"') {
                        md_buf_putc(rec, '"');
                        *i += 2;
                        continue;
                    }
                    (*i)++;
                    break;
                }
                if (c == '\n')
                    (*line)++;
                md_buf_putc(rec, c);
                (*i)++;
            }
            /* junk between the closing quote and the separator is kept */
            while (*i < n && t[*i] != ',' && t[*i] != '\n') {
                if (t[*i] != '\r')
                    md_buf_putc(rec, t[*i]);
                (*i)++;
            }
        } else {
            while (*i < n && t[*i] != ',' && t[*i] != '\n') {
                md_buf_putc(rec, t[*i]);
                (*i)++;
            }
            if (rec->len > off && rec->data[rec->len - 1] == '\r')
                rec->len--;
        }
        size_t len = rec->len - off;
        md_buf_putc(rec, '\0');
        if (nf < maxf) {
            f[nf].off = off;
            f[nf].len = len;
            nf++;
        } else
            too_many = 1;
        if (*i >= n)
            break;
        if (t[(*i)++] == '\n') {
            (*line)++;
            break;
        }
    }
    return too_many ? -2 : nf;
}

static int col_named(const char *s, const char *name)
{
    return md_text_casecmp(s, name) == 0;
}

static int parse_bool(const char *s, int *v)
{
    static const char *const yes[] = {"1", "yes", "true", "y", "on"};
    static const char *const no[] = {"0", "no", "false", "n", "off", ""};
    for (size_t i = 0; i < 5; i++)
        if (md_text_casecmp(s, yes[i]) == 0)
            return *v = 1, 0;
    for (size_t i = 0; i < 6; i++)
        if (md_text_casecmp(s, no[i]) == 0)
            return *v = 0, 0;
    return -1;
}

static void trimmed(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

int md_rulecsv_parse(const char *text, size_t n, const char *file, md_rules_warn_fn warn,
                     void *warn_arg, md_rule_list *out, md_err *err)
{
    md_buf rec = MD_BUF_INIT;
    field f[MD_LIMIT_CSV_FIELDS];
    int ca = 0, ct = 1, ck = 2, cs = 3, first = 1, rc = MD_OK;
    size_t i = 0;
    uint64_t line = 1;
    char msg[MD_LIMIT_ERRMSG], show[MD_LIMIT_SHOW_BYTES + 8];
    if (n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    for (;;) {
        uint64_t rline = line;
        int nf = record(text, n, &i, &line, &rec, f, MD_LIMIT_CSV_FIELDS);
        if (nf == 0)
            break;
        if (rec.oom) {
            rc = MD_ERR_NOMEM;
            break;
        }
        if (nf < 0) {
            if (warn)
                warn(warn_arg, file, rline, nf == -1 ? "unterminated quoted field"
                                                    : "more fields than allowed; row skipped");
            if (nf == -1)
                break;
            continue;
        }
        const char *d = rec.data;
        if (nf == 1 && f[0].len == 0)
            continue; /* blank line */
        if (first) {
            first = 0;
            int a = -1, t = -1, k = -1, s = -1;
            for (int j = 0; j < nf; j++) {
                const char *v = d + f[j].off;
                if (col_named(v, "address")) a = j;
                else if (col_named(v, "target")) t = j;
                else if (col_named(v, "keeps_copy")) k = j;
                else if (col_named(v, "source")) s = j;
            }
            if (a >= 0 && t >= 0) {
                ca = a, ct = t, ck = k, cs = s;
                continue;
            }
        }
        if (nf <= ca || nf <= ct) {
            if (warn)
                warn(warn_arg, file, rline, "row without address and target; skipped");
            continue;
        }
        const char *addr = d + f[ca].off, *tg = d + f[ct].off;
        size_t an = f[ca].len, tn = f[ct].len;
        trimmed(&addr, &an);
        trimmed(&tg, &tn);
        md_tgt type;
        const char *v;
        size_t vn;
        int keep = 0;
        if (!an || md_aliases_target(tg, tn, &type, &v, &vn) != 0 || type == MD_TGT_INCLUDE) {
            if (!an)
                snprintf(msg, sizeof msg, "row without an address; skipped");
            else
                snprintf(msg, sizeof msg, "not a usable target: \"%s\"; row skipped",
                         md_text_printable(show, sizeof show, tg, tn));
            if (warn)
                warn(warn_arg, file, rline, msg);
            continue;
        }
        if (ck >= 0 && ck < nf) {
            const char *kv = d + f[ck].off;
            size_t kn = f[ck].len;
            trimmed(&kv, &kn);
            char kb[16];
            snprintf(kb, sizeof kb, "%.*s", (int)(kn < 15 ? kn : 15), kv);
            if (kn >= 15 || parse_bool(kb, &keep) != 0) {
                snprintf(msg, sizeof msg, "keeps_copy \"%s\" is not yes/no; row skipped",
                         md_text_printable(show, sizeof show, kv, kn));
                if (warn)
                    warn(warn_arg, file, rline, msg);
                continue;
            }
        }
        char abuf[MD_LIMIT_ADDR];
        snprintf(abuf, sizeof abuf, "%.*s", (int)an, addr);
        md_rule r;
        md_rules_set(&r, MD_RK_CSV, type, abuf, v, vn, keep, file, rline);
        if (cs >= 0 && cs < nf)
            md_text_printable(r.note, sizeof r.note, d + f[cs].off, f[cs].len);
        if (md_rules_list_add(out, &r) != MD_OK) {
            rc = MD_ERR_NOMEM;
            break;
        }
    }
    md_buf_free(&rec);
    if (rc != MD_OK)
        return md_err_set(err, rc, "%s: out of memory", file);
    return MD_OK;
}

int md_rulecsv_field(md_buf *out, const char *s)
{
    size_t n = strlen(s);
    int q = n && (s[0] == ' ' || s[n - 1] == ' ');
    for (size_t i = 0; i < n && !q; i++)
        q = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!q)
        return md_buf_append(out, s, n);
    md_buf_putc(out, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            md_buf_putc(out, '"');
        md_buf_putc(out, s[i]);
    }
    return md_buf_putc(out, '"');
}

int md_rulecsv_write(md_buf *out, const md_rule *rules, size_t n)
{
    md_buf_puts(out, "address,target,keeps_copy,source\r\n");
    for (size_t i = 0; i < n; i++) {
        const md_rule *r = &rules[i];
        char src[MD_LIMIT_PATH + 32];
        if (r->note[0])
            snprintf(src, sizeof src, "%s", r->note);
        else
            snprintf(src, sizeof src, "%.4000s:%llu", r->file, (unsigned long long)r->line);
        char tgt[MD_LIMIT_ADDR + 2];
        snprintf(tgt, sizeof tgt, "%s%s", r->ttype == MD_TGT_LOCAL ? "\\" : "", r->target);
        md_rulecsv_field(out, r->address);
        md_buf_putc(out, ',');
        md_rulecsv_field(out, tgt);
        md_buf_puts(out, r->keeps_copy ? ",1," : ",0,");
        md_rulecsv_field(out, src);
        md_buf_puts(out, "\r\n");
    }
    return out->oom ? MD_ERR_NOMEM : MD_OK;
}
