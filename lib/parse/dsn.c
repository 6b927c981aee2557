/* dsn.c: bounces, standard and not (see dsn.h).
 *
 * Two readers feed one list of failed recipients: the RFC 3464 fields of
 * a message/delivery-status part, and a line-oriented reader of the
 * human-readable text that knows the shapes of Exchange/Office 365
 * ("Remote Server returned '...'"), Postfix ("<a>: host h[ip] said: ..."),
 * Exim (indented address, then the SMTP error), qmail ("<a>:" then "Remote
 * host said:") and sendmail transcripts.  The text completes what the
 * report part lacks (Microsoft's NDRs put the real reason only in the
 * text).  Fixed-size copies only; never prints.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parse/dsn.h"
#include "parse/bounce_family.h"
#include "parse/bounce_reason.h"
#include "parse/bounce_rhost.h"
#include "parse/hdrfield.h"
#include "parse/reply.h"
#include "base/text.h"

/* ---- small helpers -------------------------------------------------------- */

/* after_type: "rfc822; a@b" -> "a@b" (the part after the first ';'). */
static const char *after_type(const char *v)
{
    const char *semi = strchr(v, ';');
    if (semi && (size_t)(semi - v) < 20)
        v = semi + 1;
    while (*v == ' ')
        v++;
    return v;
}

static void addr_copy(char *dst, size_t n, const char *v)
{
    v = after_type(v);
    if (md_text_addr_norm(dst, n, v, strlen(v)) != 0)
        dst[0] = '\0';
    /* drop a trailing comment or "..." */
    char *sp = strpbrk(dst, " (\t");
    if (sp)
        *sp = '\0';
}

int md_dsn_find_status(const char *s, size_t n, char *dst, size_t dstsize)
{
    for (size_t i = 0; i + 5 <= n; i++) {
        if ((s[i] != '2' && s[i] != '4' && s[i] != '5') || s[i + 1] != '.')
            continue;
        if (i > 0 && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '.'))
            continue;
        size_t j = i + 2, a = 0, b = 0;
        while (j < n && isdigit((unsigned char)s[j]) && a < 3) {
            j++;
            a++;
        }
        if (!a || j >= n || s[j] != '.')
            continue;
        j++;
        while (j < n && isdigit((unsigned char)s[j]) && b < 3) {
            j++;
            b++;
        }
        if (!b || (j < n && (isalnum((unsigned char)s[j]) || (s[j] == '.' && j + 1 < n &&
                                                               isdigit((unsigned char)s[j + 1])))))
            continue;
        md_text_copy_trim(dst, dstsize, s + i, j - i);
        return 1;
    }
    return 0;
}

int md_dsn_find_reply_code(const char *s, size_t n)
{
    for (size_t i = 0; i + 3 <= n; i++) {
        if (s[i] < '2' || s[i] > '5' || !isdigit((unsigned char)s[i + 1]) ||
            !isdigit((unsigned char)s[i + 2]))
            continue;
        if (i > 0 && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '.' || s[i - 1] == '-' ||
                      s[i - 1] == ':' || s[i - 1] == '/' || s[i - 1] == '#'))
            continue;
        if (i + 3 < n && s[i + 3] != ' ' && s[i + 3] != '-' && s[i + 3] != '\'' &&
            s[i + 3] != '"')
            continue;
        if (s[i + 1] > '5')
            continue;
        return (s[i] - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
    }
    return 0;
}

static int contains(const char *s, const char *needle)
{
    return md_text_casestr(s, strlen(s), needle) != NULL;
}

/* ---- classification ------------------------------------------------------- */

static int is_ms_text(const md_dsn_rcpt *r)
{
    static const char *const marks[] = {
        "outlook.com", "hotmail.com", "protection.outlook", "office365", "(S3150)", "(S3140)",
        "(S775)", "(S3115)", "sender.office.com", "banned sending IP", "part of their network is on our block list",
        "prod.outlook", "exchangelabs", "RP-001", "RP-002", "RP-003", "SC-001", "SC-002",
        "SC-003", "SC-004", "DY-001", "DY-002", "OU-001", "OU-002", "live.com", "msn.com",
    };
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (contains(r->diag, marks[i]) || contains(r->remote_mta, marks[i]))
            return 1;
    return 0;
}

/* named_ip: the IP in brackets (or parentheses) inside the diagnostic. */
static void named_ip(md_dsn_rcpt *r)
{
    const char *d = r->diag;
    size_t n = strlen(d);
    for (size_t i = 0; i < n; i++) {
        if (d[i] != '[' && d[i] != '(')
            continue;
        char close = d[i] == '[' ? ']' : ')';
        const char *e = memchr(d + i + 1, close, n - i - 1);
        if (!e || e - (d + i) > 60)
            continue;
        md_ip ip;
        if (md_ip_parse(&ip, d + i + 1, (size_t)(e - d - i - 1)) == 0) {
            md_ip_format(&ip, r->named_ip, sizeof r->named_ip);
            return;
        }
    }
    md_ip ip;
    size_t pos, len;
    if (md_ip_find(d, n, &ip, &pos, &len))
        md_ip_format(&ip, r->named_ip, sizeof r->named_ip);
}

static void ms_bracket(md_dsn_rcpt *r)
{
    const char *d = r->diag;
    const char *p = d;
    while ((p = strchr(p, '[')) != NULL) {
        const char *e = strchr(p, ']');
        if (!e)
            return;
        size_t l = (size_t)(e - p) + 1;
        if (md_text_casestr(p, l, ".outlook.com") || md_text_casestr(p, l, ".hotmail.com") ||
            md_text_casestr(p, l, ".prod.")) {
            md_text_copy_trim(r->ms_bracket, sizeof r->ms_bracket, p, l);
            return;
        }
        p = e;
    }
}

/* from_reply: what lib/parse/reply.c (shared with the log readers) finds in the
 * diagnostic: code, Microsoft or not, named IP, server bracket; *rp for the reason. */
static void from_reply(md_dsn_rcpt *r, md_reply *rp)
{
    size_t dl = strlen(r->diag);
    md_reply_classify(rp, r->diag, dl, *r->remote_mta ? r->remote_mta : NULL, strlen(r->remote_mta));
    if (!r->reply_code)
        r->reply_code = rp->code;
    if (rp->ms)
        r->microsoft = 1;
    if (*rp->named_ip && !*r->named_ip)
        snprintf(r->named_ip, sizeof r->named_ip, "%s", rp->named_ip);
    if (rp->server.n && !*r->ms_bracket && rp->server.n + 3 < sizeof r->ms_bracket)
        snprintf(r->ms_bracket, sizeof r->ms_bracket, "[%.*s]", (int)rp->server.n, rp->server.p);
}

/* reply_status: the enhanced status that follows an SMTP reply code in s
 * ("550-'5.7.1 ...", "550 5.7.1"): the remote's own, where a relay's report
 * puts its own status first ("5.1.0 - Unknown address error 550-'5.7.1"). */
static int reply_status(const char *s, size_t n, char *dst, size_t dn)
{
    for (size_t i = 0; i + 6 < n; i++) {
        if (!isdigit((unsigned char)s[i]) || (i && isalnum((unsigned char)s[i - 1])))
            continue;
        int code = md_dsn_find_reply_code(s + i, 3);
        if (code < 400 || code > 599 || (s[i + 3] != ' ' && s[i + 3] != '-'))
            continue;
        size_t j = i + 4;
        if (j < n && (s[j] == '\'' || s[j] == '"'))
            j++;
        if (j < n && s[j] == s[i] && md_dsn_find_status(s + j, n - j, dst, dn) &&
            !strncmp(s + j, dst, strlen(dst)))
            return 1;
    }
    return 0;
}

/* relay_reply: where a relay's report quotes the remote's reply after its
 * own label ("5.1.0 - Unknown address error 550-'5.7.1 ... Access denied'",
 * Amazon SES), the remote's reply; else d.  The label is the relay's
 * category, not what the remote said. */
static const char *relay_reply(const char *d)
{
    char st[16];
    size_t n = strlen(d);
    if (!md_dsn_find_status(d, n < 12 ? n : 12, st, sizeof st) || strncmp(d, st, strlen(st)) ||
        strncmp(d + strlen(st), " - ", 3))
        return d;
    for (const char *p = d + strlen(st) + 3; *p; p++)
        if (isdigit((unsigned char)*p) && (p[-1] == ' ') && md_dsn_find_reply_code(p, 3) >= 400 &&
            (p[3] == '-' || p[3] == ' '))
            return p;
    return d;
}

/* auth_result: the result the text gives for method ("spf", "dkim",
 * "dmarc"): "SPF: fail", "spf=softfail", "DKIM result: none", lower case */
static void auth_result(const char *d, const char *method, char *dst, size_t dn)
{
    static const char *const results[] = {"pass", "fail", "softfail", "neutral", "none",
                                          "temperror", "permerror", "bestguesspass"};
    size_t ml = strlen(method), n = strlen(d);
    for (const char *p = d; (p = md_text_casestr(p, n - (size_t)(p - d), method)) != NULL; p += ml) {
        if (p > d && isalnum((unsigned char)p[-1]))
            continue;
        const char *v = p + ml;
        while (*v == ' ' || *v == ':' || *v == '=' || *v == '-')
            v++;
        if (!md_text_ncasecmp(v, "result", 6))
            for (v += 6; *v == ' ' || *v == ':' || *v == '='; v++)
                ;
        size_t k = 0;
        while (isalpha((unsigned char)v[k]))
            k++;
        for (size_t i = 0; i < sizeof results / sizeof results[0]; i++)
            if (k == strlen(results[i]) && !md_text_ncasecmp(v, results[i], k)) {
                snprintf(dst, dn, "%s", results[i]);
                return;
            }
    }
}

/* ms_specifics: what Microsoft's newer texts carry besides the reason */
static void ms_specifics(md_dsn_rcpt *r)
{
    if (md_reply_status_banned(r->status))
        r->banned_ip = 1;
    if (contains(r->diag, "banned sending IP"))
        r->banned_ip = 1;
    auth_result(r->diag, "spf", r->auth_spf, sizeof r->auth_spf);
    auth_result(r->diag, "dkim", r->auth_dkim, sizeof r->auth_dkim);
    auth_result(r->diag, "dmarc", r->auth_dmarc, sizeof r->auth_dmarc);
}

void md_dsn_classify(md_dsn_rcpt *r)
{
    size_t dl = strlen(r->diag);
    if (!r->reply_code)
        r->reply_code = md_dsn_find_reply_code(r->diag, dl);
    char st[16];
    if (reply_status(r->diag, dl, st, sizeof st) || md_dsn_find_status(r->diag, dl, st, sizeof st)) {
        /* a generic Status field (X.0.0) yields to the specific one in the text */
        if (!*r->status || (st[0] == r->status[0] && !strcmp(r->status + 1, ".0.0"))) {
            if (!*r->status)
                r->status_from_text = 1;
            snprintf(r->status, sizeof r->status, "%s", st);
        }
    }
    if (!*r->status && r->reply_code >= 400) {
        /* no status anywhere: class from the reply code */
        snprintf(r->status, sizeof r->status, "%d.0.0", r->reply_code / 100);
        r->status_from_text = 1;
        r->status_derived = 1;
    }
    r->microsoft = is_ms_text(r);
    if (!*r->command)
        snprintf(r->command, sizeof r->command, "%s", md_bounce_command(r->diag, dl));
    /* the reason: Microsoft's own texts and codes (lib/parse/reply.c, shared
     * with the log readers) for Microsoft's answers, else the taxonomy of
     * lib/parse/bounce_reason.c; never empty */
    md_reply rp;
    from_reply(r, &rp);
    if (!*r->reason && (r->microsoft || rp.ms) && rp.ms_table)
        snprintf(r->reason, sizeof r->reason, "%s", md_reply_reason_name(rp.reason));
    if (!*r->named_ip)
        named_ip(r);
    ms_bracket(r);
    if (!*r->reason) {
        const char *rh = md_bounce_rhost_reason(r->diag);
        if (rh)
            snprintf(r->reason, sizeof r->reason, "%s", rh);
    }
    if (!*r->reason) {
        md_bounce_in in = {relay_reply(r->diag), r->status, r->reply_code, r->action,
                           r->command, r->diag_type};
        snprintf(r->reason, sizeof r->reason, "%s", md_bounce_reason(&in));
    }
    ms_specifics(r);
    snprintf(r->side, sizeof r->side, "%s", md_bounce_side(r->reason, r->command));
    r->hard = r->status[0] == '5' || (!*r->status && r->reply_code >= 500);
    if (!md_text_casecmp(r->action, "delayed"))
        r->hard = 0;
}

/* ---- RFC 3464 fields ------------------------------------------------------ */

static md_dsn_rcpt *new_rcpt(md_dsn *d)
{
    if (d->n >= MD_DSN_MAX_RCPT) {
        d->truncated = 1;
        return NULL;
    }
    md_dsn_rcpt *r = &d->rcpt[d->n++];
    memset(r, 0, sizeof *r);
    return r;
}

/* diag_type: the type of a Diagnostic-Code ("smtp", "x-unix", "x-postfix"), lower case */
static void diag_type(md_dsn_rcpt *r, const char *v)
{
    const char *semi = strchr(v, ';');
    r->diag_type[0] = '\0';
    if (!semi || (size_t)(semi - v) >= sizeof r->diag_type)
        return;
    md_text_copy_trim(r->diag_type, sizeof r->diag_type, v, (size_t)(semi - v));
    md_text_lower(r->diag_type);
}

/* rcpt_field: f is one of the per-recipient fields of RFC 3464 */
static int rcpt_field(const md_hdrfield *f)
{
    return md_hdrfield_is(f, "Action") || md_hdrfield_is(f, "Status") ||
           md_hdrfield_is(f, "Diagnostic-Code") || md_hdrfield_is(f, "Remote-MTA");
}

static void parse_ds(md_dsn *d, const char *text)
{
    md_hdrfield_it it;
    md_hdrfield f;
    md_buf scratch = MD_BUF_INIT;
    char val[MD_DSN_DIAG];
    md_dsn_rcpt *cur = NULL;
    int in_rcpt = 0, blocks = 0;
    md_hdrfield_init(&it, text, strlen(text), 0, 0);
    while (md_hdrfield_next(&it, &f)) {
        /* continuations joined with one blank, as the report was written */
        md_hdrfield_copy(&f, val, sizeof val, MD_HDRFIELD_SQUEEZE, &scratch);
        if (it.blank && cur)
            in_rcpt = 0; /* a new block starts */
        blocks += it.blank != 0;
        int is_final = md_hdrfield_is(&f, "Final-Recipient");
        int is_orig = md_hdrfield_is(&f, "Original-Recipient");
        if (is_final || is_orig) {
            if (!in_rcpt || !cur || (is_final && *cur->final_rcpt) || (is_orig && *cur->orig_rcpt)) {
                cur = new_rcpt(d);
                if (!cur) {
                    md_buf_free(&scratch);
                    return;
                }
                in_rcpt = 1;
            }
            addr_copy(is_final ? cur->final_rcpt : cur->orig_rcpt,
                      sizeof cur->final_rcpt, val);
            continue;
        }
        if ((!cur || !in_rcpt) && blocks && rcpt_field(&f)) {
            /* a recipient block that names its recipient after other fields */
            cur = new_rcpt(d);
            if (!cur)
                break;
            in_rcpt = 1;
        }
        if (!cur || !in_rcpt) {
            if (md_hdrfield_is(&f, "Reporting-MTA"))
                md_text_copy_trim(d->reporting_mta, sizeof d->reporting_mta, after_type(val),
                    strlen(after_type(val)));
            else if (md_hdrfield_is(&f, "Arrival-Date")) {
                md_text_copy_trim(d->arrival_text, sizeof d->arrival_text, val, strlen(val));
                md_message_parse_date(val, strlen(val), &d->arrival_date, NULL);
            }
            if (!cur)
                continue;
        }
        if (md_hdrfield_is(&f, "Action"))
            md_text_copy_trim(cur->action, sizeof cur->action, val, strcspn(val, " ("));
        else if (md_hdrfield_is(&f, "Status")) {
            char st[16];
            if (md_dsn_find_status(val, strlen(val), st, sizeof st))
                snprintf(cur->status, sizeof cur->status, "%s", st);
        } else if (md_hdrfield_is(&f, "Remote-MTA"))
            md_text_copy_trim(cur->remote_mta, sizeof cur->remote_mta, after_type(val),
                strlen(after_type(val)));
        else if (md_hdrfield_is(&f, "Diagnostic-Code")) {
            md_text_copy_trim(cur->diag, sizeof cur->diag, after_type(val), strlen(after_type(val)));
            diag_type(cur, val);
        }
        else if (md_hdrfield_is(&f, "Last-Attempt-Date")) {
            md_text_copy_trim(cur->last_attempt, sizeof cur->last_attempt, val, strlen(val));
            md_message_parse_date(val, strlen(val), &cur->last_attempt_date, NULL);
        }
    }
    md_buf_free(&scratch);
    for (size_t i = 0; i < d->n; i++)
        for (char *c = d->rcpt[i].action; *c; c++)
            *c = (char)tolower((unsigned char)*c);
}

/* ---- the human-readable text ------------------------------------------------ */

static const char *const cut_marks[] = {
    "original message headers:", "------ this is a copy of the message",
    "----- original message -----", "--- below this line is a copy of the message",
    "------ original message", "----- transcript of session follows", "--- the header of the original message",
    "------- returned message", "--- original message follows",
    "content-type: message/rfc822", "---- the header of the original message",
    "----- unsent message follows", "------ this is a copy of your message",
    "message headers follow", "--- below is a copy of the message", "original message follows",
    "----- original message header", "the original message headers",
};

/* text_cut: how much of the text is the bounce itself (before a copy of the original). */
static size_t text_cut(const char *t, int keep_transcript)
{
    size_t n = strlen(t), cut = n;
    for (size_t i = 0; i < sizeof cut_marks / sizeof cut_marks[0]; i++) {
        if (keep_transcript && strstr(cut_marks[i], "transcript"))
            continue;
        const char *p = md_text_casestr(t, n, cut_marks[i]);
        if (p && (size_t)(p - t) < cut)
            cut = (size_t)(p - t);
    }
    return cut;
}

static int has_code(const char *s, size_t n)
{
    char st[16];
    return md_dsn_find_reply_code(s, n) || md_dsn_find_status(s, n, st, sizeof st);
}

/* quoted_returned: Exchange's "Remote Server returned '...'" text. */
static int quoted_returned(const char *t, size_t n, char *dst, size_t dn)
{
    const char *p = md_text_casestr(t, n, "server returned '");
    if (!p)
        p = md_text_casestr(t, n, "server returned \"");
    if (!p)
        return 0;
    const char *s = strchr(p, '\'');
    const char *dq = strchr(p, '"');
    if (!s || (dq && dq < s))
        s = dq;
    char q = *s;
    s++;
    const char *e = s;
    /* the closing quote is the last one on the line (the text may hold quotes) */
    const char *eol = memchr(s, '\n', (size_t)(t + n - s));
    if (!eol)
        eol = t + n;
    for (const char *x = s; x < eol; x++)
        if (*x == q)
            e = x;
    if (e == s)
        e = eol;
    md_text_copy_trim(dst, dn, s, (size_t)(e - s));
    /* Exchange 2007: '<host #5.1.1 smtp;550 5.1.1 text>' */
    if (dst[0] == '<') {
        size_t l = strlen(dst);
        if (l && dst[l - 1] == '>')
            dst[l - 1] = '\0';
        char *smtp = strstr(dst, "smtp;");
        if (smtp)
            memmove(dst, smtp + 5, strlen(smtp + 5) + 1);
        else
            memmove(dst, dst + 1, strlen(dst));
    }
    return 1;
}

/* addr_in_line: the first address in the line (normalised) into dst. */
static int addr_in_line(const char *l, size_t n, char *dst, size_t dn)
{
    const char *at = memchr(l, '@', n);
    if (!at)
        return 0;
    const char *s = at, *e = at;
    while (s > l && !strchr(" \t<>\"'(),;:[]", s[-1]))
        s--;
    while (e < l + n && !strchr(" \t<>\"'(),;:[]", *e))
        e++;
    if (s == at || e == at + 1)
        return 0;
    while (e > at + 1 && e[-1] == '.')
        e--;
    return md_text_addr_norm(dst, dn, s, (size_t)(e - s)) == 0;
}

/* rest_says: the rest of an address line is words of a reason (at least
 * three words), not a date or a bracketed name */
static int rest_says(const char *s, size_t n)
{
    int words = 0;
    for (size_t i = 0; i < n; i++)
        if (isalpha((unsigned char)s[i]) && (i == 0 || s[i - 1] == ' '))
            words++;
    return words >= 3 && !md_text_casestr(s, n, " on ") && !memchr(s, '(', n < 3 ? n : 3);
}

/* sendmail_rcpt_line: "NNN <a@b>... text": a reply code, the address, "..." */
static int sendmail_rcpt_line(const char *l, size_t n)
{
    if (l[0] < '4' || l[0] > '5' || !isdigit((unsigned char)l[1]) ||
        !isdigit((unsigned char)l[2]) || l[3] != ' ' || l[4] != '<')
        return 0;
    const char *gt = memchr(l, '>', n);
    return gt && (size_t)(gt - l) + 4 <= n && !memcmp(gt + 1, "...", 3) &&
           memchr(l, '@', (size_t)(gt - l));
}

static md_dsn_rcpt *find_rcpt(md_dsn *d, const char *addr)
{
    for (size_t i = 0; i < d->n; i++)
        if (!strcmp(d->rcpt[i].final_rcpt, addr) || !strcmp(d->rcpt[i].orig_rcpt, addr))
            return &d->rcpt[i];
    return NULL;
}

static void append_diag(md_dsn_rcpt *r, const char *s, size_t n)
{
    size_t l = strlen(r->diag);
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    if (!n || l + 2 >= sizeof r->diag)
        return;
    if (l)
        r->diag[l++] = ' ';
    size_t k = n < sizeof r->diag - l - 1 ? n : sizeof r->diag - l - 1;
    memcpy(r->diag + l, s, k);
    r->diag[l + k] = '\0';
    while (l + k && !md_text_utf8_valid(r->diag, l + k))
        r->diag[--k + l] = '\0';
}

/* read_text: recipients and their diagnostics from the bounce text.  A
 * diagnostic from a Diagnostic-Code field is kept; Exchange's "Remote
 * Server returned '...'" replaces what the free text gave. */
static void read_text(md_dsn *d, const char *t, const char *skip1, const char *skip2)
{
    size_t n = text_cut(t, 1);
    char global[MD_DSN_DIAG] = "";
    int from_field[MD_DSN_MAX_RCPT] = {0}, locked[MD_DSN_MAX_RCPT] = {0};
    for (size_t i = 0; i < d->n; i++)
        from_field[i] = locked[i] = d->rcpt[i].diag[0] != '\0';
    quoted_returned(t, n, global, sizeof global);
    char last_reply[MD_DSN_DIAG / 2] = "";
    int after_sent_by = 0;
    md_dsn_rcpt *cur = NULL;
    int lines_in = 0;
    const char *p = t, *end = t + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        size_t ll = (size_t)(e - p);
        const char *l = p;
        p = nl ? nl + 1 : end;
        while (ll && (l[ll - 1] == '\r' || l[ll - 1] == ' '))
            ll--;
        if (!ll) {
            if (cur && lines_in > 0 && has_code(cur->diag, strlen(cur->diag)))
                cur = NULL;
            continue;
        }
        char a[512];
        size_t lead = 0;
        while (lead < ll && (l[lead] == ' ' || l[lead] == '\t' || l[lead] == '<' || l[lead] == '"'))
            lead++;
        /* sendmail's per-recipient line: "554 <a@b>... 550 Host unknown" */
        int sm_line = lead == 0 && ll > 6 && sendmail_rcpt_line(l, ll);
        if (sm_line)
            lead = 5;
        if (ll > 4 && !memcmp(l, "<<< ", 4)) /* the remote's last reply in a transcript */
            md_text_copy_trim(last_reply, sizeof last_reply, l, ll);
        int addr_line = 0;
        const char *at = memchr(l, '@', ll);
        if (addr_in_line(l, ll, a, sizeof a) && strcmp(a, skip1) && strcmp(a, skip2)) {
            /* the address opens the line (Postfix "<a>:", Exim "  a", qmail "<a>:",
             * Exchange "a on date", O365 "a (a)<mailto:a>") */
            size_t before = 0;
            for (const char *x = l + lead; x < at && !strchr(" \t", *x); x++)
                before++;
            addr_line = (size_t)(at - l) == lead + before;
        }
        if (addr_line && after_sent_by) {
            addr_line = 0; /* Exim's "A message sent by\n\n  <sender>" */
            after_sent_by = 0;
            continue;
        }
        after_sent_by = md_text_casestr(l, ll, "message sent by") != NULL;
        if (addr_line) {
            md_dsn_rcpt *r = find_rcpt(d, a);
            if (!r && (r = new_rcpt(d)) != NULL)
                snprintf(r->final_rcpt, sizeof r->final_rcpt, "%s", a);
            cur = r;
            lines_in = 0;
            if (!cur)
                continue;
            size_t ci = (size_t)(cur - d->rcpt);
            if (sm_line && !locked[ci]) {
                /* the reply that led to it, then sendmail's own line */
                if (*last_reply)
                    append_diag(cur, last_reply, strlen(last_reply));
                append_diag(cur, l, ll);
                last_reply[0] = '\0';
                locked[ci] = 1;
                continue;
            }
            /* the rest of the line right after the address ("<a>: host x said: 550 ...") */
            const char *ae = at;
            while (ae < l + ll && !strchr(" \t<>\"'(),;:", *ae))
                ae++;
            while (ae < l + ll && (*ae == '>' || *ae == '"'))
                ae++;
            if (!locked[ci] && ae < l + ll && *ae == ':' && ae + 1 < l + ll)
                append_diag(cur, ae + 1, ll - (size_t)(ae + 1 - l));
            else if (!locked[ci] && md_text_casestr(l, ll, "...") && has_code(l, ll))
                append_diag(cur, l + lead, ll - lead);
            else if (!locked[ci] && !*cur->diag && rest_says(ae, (size_t)(l + ll - ae))) {
                /* "a@b Invalid Address, ERROR_CODE :550, ..." (Zoho): the line is all */
                append_diag(cur, ae, (size_t)(l + ll - ae));
                locked[ci] = 1;
            }
            continue;
        }
        if (!cur)
            continue;
        size_t ci = (size_t)(cur - d->rcpt);
        if (!from_field[ci] && (md_text_casestr(l, ll, "server returned '") ||
                                md_text_casestr(l, ll, "server returned \""))) {
            char q[MD_DSN_DIAG];
            /* the quote may continue on the next lines */
            size_t rest = (size_t)(end - l);
            if (quoted_returned(l, rest, q, sizeof q)) {
                snprintf(cur->diag, sizeof cur->diag, "%s", q);
                locked[ci] = 1;
            }
            continue;
        }
        if (!locked[ci] && lines_in < 8 && strlen(cur->diag) < 600) {
            lines_in++;
            append_diag(cur, l, ll);
        }
    }
    for (size_t i = 0; i < d->n; i++) {
        md_dsn_rcpt *r = &d->rcpt[i];
        if (*global && !locked[i] && !from_field[i])
            snprintf(r->diag, sizeof r->diag, "%s", global);
    }
}

/* best_line: the first line of the bounce text that carries an SMTP reply
 * code or an enhanced status, with the indented/continued lines after it. */
static int best_line(const char *t, size_t n, char *dst, size_t dn)
{
    const char *p = t, *end = t + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        size_t ll = (size_t)(e - p);
        char st[16];
        int code = md_dsn_find_reply_code(p, ll);
        if ((code >= 400 && code < 600) || md_dsn_find_status(p, ll, st, sizeof st)) {
            md_dsn_rcpt tmp;
            tmp.diag[0] = '\0';
            append_diag(&tmp, p, ll);
            /* continuation lines: until an empty line, at most 3 */
            const char *q = nl ? nl + 1 : end;
            for (int k = 0; k < 3 && q < end; k++) {
                const char *n2 = memchr(q, '\n', (size_t)(end - q));
                const char *e2 = n2 ? n2 : end;
                if (e2 == q || (e2 == q + 1 && *q == '\r'))
                    break;
                append_diag(&tmp, q, (size_t)(e2 - q));
                q = n2 ? n2 + 1 : end;
            }
            snprintf(dst, dn, "%s", tmp.diag);
            return 1;
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}

/* opening_lines: the first non-empty lines of the bounce text (at most 6
 * lines, 900 bytes) as r's diagnostic: a bounce with no code says its
 * reason in words ("Unknown user: a@b", "No valid recipients"). */
static int opening_lines(md_dsn_rcpt *r, const char *t, size_t n)
{
    const char *p = t, *end = t + n;
    for (int k = 0; k < 12 && p < end && strlen(r->diag) < 900;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        size_t ll = (size_t)(e - p);
        while (ll && (p[ll - 1] == '\r' || p[ll - 1] == ' '))
            ll--;
        if (ll) {
            append_diag(r, p, ll);
            k++;
        }
        p = nl ? nl + 1 : end;
    }
    return *r->diag != '\0';
}

/* any_addr: the first address in t[0..n) that is none of skip (NULL-ended)
 * nor a postmaster / MAILER-DAEMON address. */
static int any_addr(const char *t, size_t n, const char *const *skip, char *dst, size_t dn)
{
    static const char stop[] = " \t\r\n<>\"'(),;:[]";
    const char *p = t, *end = t + n;
    while (p < end) {
        const char *at = memchr(p, '@', (size_t)(end - p));
        if (!at)
            return 0;
        p = at + 1;
        const char *s = at, *e = at + 1;
        while (s > t && !strchr(stop, s[-1]))
            s--;
        while (e < end && !strchr(stop, *e))
            e++;
        while (e > at + 1 && e[-1] == '.')
            e--;
        char here[512];
        if (s == at || e <= at + 1 || md_text_addr_norm(here, sizeof here, s, (size_t)(e - s)) != 0 ||
            !strchr(strchr(here, '@'), '.'))
            continue;
        int skipped = !strncmp(here, "postmaster@", 11) || !strncmp(here, "mailer-daemon@", 14);
        for (size_t i = 0; skip[i] && !skipped; i++)
            skipped = !strcmp(here, skip[i]);
        if (!skipped) {
            snprintf(dst, dn, "%s", here);
            return 1;
        }
    }
    return 0;
}

/* unquote: the text with one level of "> " quoting removed from each line
 * (a bounce forwarded by a user). */
static void unquote(md_buf *out, const char *t)
{
    while (*t) {
        size_t ll = strcspn(t, "\n");
        const char *l = t;
        if (ll && l[0] == '>') {
            l++;
            ll--;
            if (ll && *l == ' ') {
                l++;
                ll--;
            }
        }
        md_buf_append(out, l, ll);
        md_buf_putc(out, '\n');
        t += strcspn(t, "\n");
        if (*t)
            t++;
    }
}

/* ---- detection -------------------------------------------------------------- */

int md_dsn_looks_like_bounce(const md_message *m)
{
    static const char *const subj[] = {
        "undeliverable", "undelivered", "delivery status notification", "failure notice",
        "returned mail", "mail delivery failed", "delivery has failed", "delivery failure",
        "non remis", "unzustellbar", "nicht zustellbar", "rejected", "mail delivery system",
        "delivery notification", "could not be delivered", "delivery failed", "warning: could not",
        "undeliverable mail", "mail system error", "nondeliverable", "returned to sender",
        "delayed mail", "delivery delayed", "message not delivered", "error sending message",
        "\xe3\x83\xa1\xe3\x83\xbc\xe3\x83\xab\xe3\x82\xa8\xe3\x83\xa9\xe3\x83\xbc", /* "mail error" (au/KDDI) */
    };
    const char *from = m->from_addr;
    if (!strncmp(from, "mailer-daemon", 13) || !strncmp(from, "postmaster", 10) ||
        contains(m->from, "mail delivery") || contains(m->from, "mailer-daemon"))
        return 1;
    const char *rp = md_message_header(m, "Return-Path");
    if (rp && (!strcmp(rp, "<>") || contains(rp, "mailer-daemon")))
        return 1;
    for (size_t i = 0; i < sizeof subj / sizeof subj[0]; i++)
        if (contains(m->subject, subj[i]))
            return 1;
    if (md_message_header(m, "X-Failed-Recipients"))
        return 1;
    return 0;
}

int md_dsn_autoreply(const md_message *m)
{
    static const char *const subj[] = {"automatic reply", "auto reply:", "autoreply",
                                       "auto-reply", "out of office", "out of the office",
                                       "on vacation", "abwesenheitsnotiz", "away until"};
    if (!m)
        return 0;
    const char *from = m->from_addr;
    if (!strncmp(from, "mailer-daemon", 13) || !strncmp(from, "postmaster", 10) ||
        md_message_header(m, "X-Failed-Recipients"))
        return 0;
    for (size_t i = 0; i < m->npart; i++)
        if (!strcmp(m->part[i].report_type, "delivery-status") ||
            !strcmp(m->part[i].type, "message/delivery-status"))
            return 0;
    const char *as = md_message_header(m, "Auto-Submitted");
    if ((as && contains(as, "auto-replied")) || md_message_header(m, "X-Autoreply") ||
        md_message_header(m, "X-Autorespond"))
        return 1;
    for (size_t i = 0; i < sizeof subj / sizeof subj[0]; i++)
        if (md_text_casestr(m->subject, strlen(m->subject), subj[i]) == m->subject)
            return 1;
    return 0;
}

static void take_original(md_dsn *d, const md_message *om)
{
    snprintf(d->orig_message_id, sizeof d->orig_message_id, "%s", om->message_id);
    snprintf(d->orig_from, sizeof d->orig_from, "%s", om->from_addr);
    md_message_addr_list(md_message_header(om, "To"), d->orig_to, sizeof d->orig_to);
    md_text_copy_trim(d->orig_subject, sizeof d->orig_subject, om->subject, strlen(om->subject));
    d->orig_date = om->date;
}

/* original_from_text: Message-ID of the original quoted in the text (O365). */
static void original_from_text(md_dsn *d, const char *t)
{
    const char *p = md_text_casestr(t, strlen(t), "\nMessage-ID:");
    if (!p)
        return;
    p += 12;
    while (*p == ' ')
        p++;
    if (*p == '<')
        p++;
    size_t k = strcspn(p, ">\n ");
    md_text_copy_trim(d->orig_message_id, sizeof d->orig_message_id, p, k);
}

/* json_str: the string value of "key": in j[0..n) into dst (escapes kept
 * as written but for \" and \\); the position after it, or NULL */
static const char *json_str(const char *j, const char *end, const char *key, char *dst, size_t dn)
{
    char k[64];
    snprintf(k, sizeof k, "\"%s\"", key);
    const char *p = md_text_casestr(j, (size_t)(end - j), k);
    if (!p)
        return NULL;
    p += strlen(k);
    while (p < end && (*p == ' ' || *p == ':'))
        p++;
    if (p >= end || *p != '"')
        return NULL;
    size_t o = 0;
    for (p++; p < end && *p != '"'; p++) {
        if (*p == '\\' && p + 1 < end)
            p++;
        if (o + 1 < dn)
            dst[o++] = *p;
    }
    dst[o] = '\0';
    return p < end ? p + 1 : NULL;
}

/* ses_json_plain: the notification t (unescaped) into d; 1 if it was a
 * bounce or a delivery notification. */
static int ses_json_plain(md_dsn *d, const char *t)
{
    const char *j = strchr(t, '{'), *end = t + strlen(t);
    char type[32];
    if (!j || !json_str(j, end, "notificationType", type, sizeof type))
        return 0;
    if (!strcmp(type, "Bounce")) {
        const char *p = md_text_casestr(j, (size_t)(end - j), "\"bouncedRecipients\"");
        const char *close = p ? memchr(p, ']', (size_t)(end - p)) : NULL;
        char a[512];
        while (p && close && (p = json_str(p, close, "emailAddress", a, sizeof a)) != NULL) {
            md_dsn_rcpt *r = new_rcpt(d);
            if (!r)
                break;
            addr_copy(r->final_rcpt, sizeof r->final_rcpt, a);
            const char *next = md_text_casestr(p, (size_t)(close - p), "\"emailAddress\"");
            const char *obj_end = next ? next : close;
            char v[MD_DSN_DIAG];
            if (json_str(p, obj_end, "action", v, sizeof v))
                md_text_copy_trim(r->action, sizeof r->action, v, strlen(v));
            if (json_str(p, obj_end, "status", v, sizeof v))
                md_dsn_find_status(v, strlen(v), r->status, sizeof r->status);
            if (json_str(p, obj_end, "diagnosticCode", v, sizeof v)) {
                md_text_copy_trim(r->diag, sizeof r->diag, after_type(v), strlen(after_type(v)));
                diag_type(r, v);
            }
        }
        return 1;
    }
    if (!strcmp(type, "Delivery")) {
        char a[512], resp[MD_DSN_DIAG];
        const char *p = md_text_casestr(j, (size_t)(end - j), "\"delivery\"");
        const char *rc = p ? md_text_casestr(p, (size_t)(end - p), "\"recipients\"") : NULL;
        if (!rc || !json_str(p, end, "smtpResponse", resp, sizeof resp))
            return 1;
        const char *q = memchr(rc, '[', (size_t)(end - rc));
        const char *close = q ? memchr(q, ']', (size_t)(end - q)) : NULL;
        while (q && close && q < close) {
            const char *o = memchr(q, '"', (size_t)(close - q));
            const char *c = o ? memchr(o + 1, '"', (size_t)(close - o - 1)) : NULL;
            md_dsn_rcpt *r = c ? new_rcpt(d) : NULL;
            if (!r)
                break;
            snprintf(a, sizeof a, "%.*s", (int)(c - o - 1), o + 1);
            addr_copy(r->final_rcpt, sizeof r->final_rcpt, a);
            snprintf(r->action, sizeof r->action, "delivered");
            snprintf(r->diag, sizeof r->diag, "%s", resp);
            q = c + 1;
        }
        return 1;
    }
    return 0;
}

/* ses_json: an Amazon SES notification in JSON ("notificationType":
 * "Bounce" with "bouncedRecipients", or "Delivery" with "recipients" and
 * "smtpResponse"): its recipients.  1 if it was one. */
static int ses_json(md_dsn *d, const char *t)
{
    /* SNS may wrap the notification as an escaped string ("Message" : "{\"...") */
    md_buf un = MD_BUF_INIT;
    if (strstr(t, "\\\"notificationType\\\"")) {
        for (const char *p = t; *p; p++) {
            if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                p++;
            md_buf_putc(&un, *p);
        }
        t = md_buf_cstr(&un);
    }
    int r = ses_json_plain(d, t);
    md_buf_free(&un);
    return r;
}

/* classify_all: the family by its markers (where the text shapes named
 * none), the SMTP command, and each recipient's classification; prose[i]:
 * the diagnostic of recipient i is the text's opening prose. */
static void classify_all(md_dsn *d, const md_message *m, const char *t, size_t cut,
                         const int *prose)
{
    /* the family by its markers, where the text shapes above named none */
    const char *fam_reason = NULL;
    const char *fam = md_bounce_family(m, t, strlen(t), &fam_reason);
    if (fam && (!strcmp(d->vendor, "rfc3464") || !strcmp(d->vendor, "other")))
        snprintf(d->vendor, sizeof d->vendor, "%s", fam);
    for (size_t i = 0; fam_reason && i < d->n; i++)
        if (!*d->rcpt[i].reason && !has_code(d->rcpt[i].diag, strlen(d->rcpt[i].diag)))
            snprintf(d->rcpt[i].reason, sizeof d->rcpt[i].reason, "%s", fam_reason);
    /* the SMTP command the refusal answered, when the diagnostic does not say */
    const char *cmd = md_bounce_command(t, cut);
    for (size_t i = 0; i < d->n; i++) {
        md_dsn_rcpt *r = &d->rcpt[i];
        if (!*md_bounce_command(r->diag, strlen(r->diag)))
            snprintf(r->command, sizeof r->command, "%s", cmd);
        md_dsn_classify(r);
        /* prose we took for a diagnostic that names no reason: nothing known */
        if (prose[i] && !strcmp(r->reason, "onhold"))
            snprintf(r->reason, sizeof r->reason, "undefined");
    }
}

/* candidate_of: 1 if m may be a bounce (sender, subject, report part);
 * *ses_only = 1 when only its Amazon SES notification says so (a bounce
 * only if the notification is one).  An RFC 3834 auto-reply is none. */
static int candidate_of(const md_message *m, int *ses_only)
{
    if (md_dsn_autoreply(m))
        return 0;
    int candidate = md_dsn_looks_like_bounce(m);
    for (size_t i = 0; !candidate && i < m->npart; i++)
        candidate = !strcmp(m->part[i].type, "message/delivery-status") ||
                    !strcmp(m->part[i].type, "message/global-delivery-status") ||
                    !strcmp(m->part[i].report_type, "delivery-status");
    if (!candidate && m->text_plain && contains(m->from, "amazonaws.com") &&
        contains(m->text_plain, "notificationType"))
        candidate = *ses_only = 1;
    return candidate;
}

int md_dsn_parse(md_dsn *d, const md_message *m)
{
    /* a plain message costs no 80 KB memset: only kind and n are set */
    d->kind = MD_DSN_NONE;
    d->n = 0;
    if (!m)
        return 0;
    int ses_only = 0;
    int candidate = candidate_of(m, &ses_only);
    if (!candidate)
        return 0;
    memset(d, 0, sizeof *d);
    const md_msg_part *ds = NULL, *orig = NULL;
    int report = 0;
    md_buf text = MD_BUF_INIT;
    for (size_t i = 0; i < m->npart; i++) {
        const md_msg_part *p = &m->part[i];
        if (!strcmp(p->type, "multipart/report") && !strcmp(p->report_type, "delivery-status"))
            report = 1;
        if ((!strcmp(p->type, "message/delivery-status") ||
             !strcmp(p->type, "message/global-delivery-status")) && !ds && p->text)
            ds = p;
        else if (p->inner && !orig)
            orig = p;
        else if (p->text && !p->inner && (!p->is_attachment || !strcmp(p->type, "text/plain")) &&
                 (!strcmp(p->type, "text/plain") || (!strcmp(p->type, "text/html") && !m->text_plain) ||
                  !strcmp(p->type, "text/rfc822-headers"))) {
            md_buf_puts(&text, p->text);
            md_buf_putc(&text, '\n');
        }
    }
    /* a DSN part inside an attached message also counts (forwarded bounces) */
    if (!ds && !md_dsn_looks_like_bounce(m) && !report && !candidate) {
        md_buf_free(&text);
        return 0;
    }
    if (ds) {
        d->kind = MD_DSN_RFC3464;
        snprintf(d->vendor, sizeof d->vendor, "rfc3464");
        parse_ds(d, ds->text);
    } else {
        d->kind = MD_DSN_TEXT;
        snprintf(d->vendor, sizeof d->vendor, "other");
    }
    if (orig && orig->inner)
        take_original(d, orig->inner);
    /* a bounce forwarded with "> " quoting */
    md_buf uq = MD_BUF_INIT;
    const char *t = md_buf_cstr(&text);
    if (strstr(t, "\n>")) {
        unquote(&uq, t);
        t = md_buf_cstr(&uq);
    }
    /* an Amazon SES notification in JSON (no report part, no text shapes) */
    int ses = !ds && md_text_casestr(t, strlen(t), "notificationType") && ses_json(d, t);
    if (ses)
        snprintf(d->vendor, sizeof d->vendor, "amazonses");
    if (ses_only && (!ses || !d->n)) {
        md_buf_free(&uq);
        md_buf_free(&text);
        d->kind = MD_DSN_NONE;
        d->n = 0;
        return 0;
    }
    /* report fields inside the text (a report pasted or forwarded as text) */
    if (!ds && md_text_casestr(t, strlen(t), "\nFinal-Recipient:")) {
        const char *f = md_text_casestr(t, strlen(t), "\nReporting-MTA:");
        if (!f)
            f = md_text_casestr(t, strlen(t), "\nFinal-Recipient:");
        parse_ds(d, f + 1);
    }
    if (!*d->orig_message_id)
        original_from_text(d, t);
    const char *own = m->to[0] ? m->from_addr : "";
    /* recipients the text adds, and diagnostics the report lacks */
    if (!ses)
        read_text(d, t, own, d->orig_from);
    /* X-Failed-Recipients (Exim) */
    const char *xf = md_message_header(m, "X-Failed-Recipients");
    if (xf) {
        char list[2048];
        md_message_addr_list(xf, list, sizeof list);
        for (char *s = list; *s;) {
            size_t k = strcspn(s, ",");
            char a[512];
            md_text_copy_trim(a, sizeof a, s, k);
            if (*a && !find_rcpt(d, a)) {
                md_dsn_rcpt *r = new_rcpt(d);
                if (r)
                    snprintf(r->final_rcpt, sizeof r->final_rcpt, "%s", a);
            }
            s += k + (s[k] == ',');
        }
    }
    size_t cut = text_cut(t, 1);
    /* no recipient at the start of a line: one named anywhere in the text,
     * else the original's To */
    if (!d->n) {
        char bto[512] = "";
        md_message_addr_list(m->to, bto, sizeof bto);
        bto[strcspn(bto, ",")] = '\0';
        const char *skip[] = {m->from_addr, bto, d->orig_from, NULL};
        char a[512];
        md_dsn_rcpt *r = NULL;
        if (any_addr(t, cut, skip, a, sizeof a) && (r = new_rcpt(d)) != NULL)
            snprintf(r->final_rcpt, sizeof r->final_rcpt, "%s", a);
        else if (*d->orig_to && (r = new_rcpt(d)) != NULL)
            md_text_copy_trim(r->final_rcpt, sizeof r->final_rcpt, d->orig_to, strcspn(d->orig_to, ","));
    }
    /* recipients whose text carries no code: the first line of the text that does */
    char best[MD_DSN_DIAG] = "";
    int have_best = best_line(t, cut, best, sizeof best);
    for (size_t i = 0; i < d->n; i++) {
        md_dsn_rcpt *r = &d->rcpt[i];
        if (have_best && !has_code(r->diag, strlen(r->diag)) && !*r->status)
            snprintf(r->diag, sizeof r->diag, "%s", best);
        else if (!*r->diag && have_best)
            snprintf(r->diag, sizeof r->diag, "%s", best);
    }
    /* recipients still without a diagnostic: the opening lines of the text */
    int prose[MD_DSN_MAX_RCPT] = {0};
    for (size_t i = 0; i < d->n; i++)
        if (!*d->rcpt[i].diag)
            prose[i] = opening_lines(&d->rcpt[i], t, cut);
    /* vendor from the text */
    const char *rm = d->reporting_mta;
    if (contains(t, "Diagnostic information for administrators") ||
        contains(t, "Remote Server returned"))
        snprintf(d->vendor, sizeof d->vendor, "%s",
                 contains(rm, "outlook.com") || contains(t, "outlook.com") || contains(m->from, "outlook.com")
                     ? "office365" : "exchange");
    else if (contains(rm, "hotmail") || contains(rm, "outlook.com") || contains(m->from, "hotmail"))
        snprintf(d->vendor, sizeof d->vendor, "outlook.com");
    else if (contains(t, "This is the mail system at host"))
        snprintf(d->vendor, sizeof d->vendor, "postfix");
    else if (contains(t, "This message was created automatically by mail delivery software"))
        snprintf(d->vendor, sizeof d->vendor, "exim");
    else if (contains(t, "This is the qmail-send program"))
        snprintf(d->vendor, sizeof d->vendor, "qmail");
    else if (contains(t, "Transcript of session follows"))
        snprintf(d->vendor, sizeof d->vendor, "sendmail");
    classify_all(d, m, t, cut, prose);
    md_buf_free(&uq);
    md_buf_free(&text);
    return 1;
}
