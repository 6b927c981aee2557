/* reply.c: classify a remote SMTP reply or DSN diagnostic (see reply.h).
 * Owns the table of Microsoft's texts and codes (formats.md) and a set of
 * common texts of other receivers, mapped to sisimai's reason names.  Pure:
 * no allocation, no state, never reads past text[n).
 */
#include "parse/reply.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/md_limits.h"

static int lower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_alnum(unsigned char c)
{
    return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'z');
}

/* case-insensitive search of lit (lower case, NUL-terminated) in [p, e) */
static const char *cfind(const char *p, const char *e, const char *lit)
{
    size_t ln = strlen(lit), i;
    if (!p) return NULL;
    for (; (size_t)(e - p) >= ln; p++) {
        if (lower((unsigned char)*p) != (unsigned char)lit[0]) continue;
        for (i = 1; i < ln && lower((unsigned char)p[i]) == (unsigned char)lit[i]; i++)
            ;
        if (i == ln) return p;
    }
    return NULL;
}

static md_span sp(const char *a, const char *b)
{
    md_span s;
    s.p = a;
    s.n = (size_t)(b - a);
    return s;
}

static const char *const reason_names[MD_RSN_COUNT] = {
    "undefined",     "delivered",       "blocked",      "badreputation", "speeding",
    "toomanyconn",   "authfailure",     "requireptr",   "spamdetected",  "filtered",
    "policyviolation", "userunknown",   "mailboxfull",  "suspend",       "hostunknown",
    "norelaying",    "mesgtoobig",      "exceedlimit",  "virusdetected", "networkerror",
    "expired",       "systemerror",     "rejected",     "securityerror", "syntaxerror"};

const char *md_reply_reason_name(int reason)
{
    return reason > 0 && reason < MD_RSN_COUNT ? reason_names[reason] : reason_names[0];
}

int md_reply_reason_recipient(int reason)
{
    return reason == MD_RSN_USERUNKNOWN || reason == MD_RSN_MAILBOXFULL ||
           reason == MD_RSN_SUSPEND || reason == MD_RSN_HOSTUNKNOWN;
}

int md_reply_status_banned(const char *status)
{
    int a = 0, b = 0, c = 0;
    return status && sscanf(status, "%d.%d.%d", &a, &b, &c) == 3 && a == 5 && b == 7 &&
           c >= 606 && c <= 649;
}

int md_reply_reason_parse(const char *name)
{
    int i;
    if (!name) return MD_RSN_UNDEFINED;
    for (i = 0; i < MD_RSN_COUNT; i++)
        if (strcmp(name, reason_names[i]) == 0) return i;
    return MD_RSN_UNDEFINED;
}

/* ---- host and domain tests --------------------------------------------- */

/* host ends with suffix (lower case, starting with '.') or equals it without the dot */
static int ends_with(const char *h, size_t n, const char *suffix)
{
    size_t sn = strlen(suffix), i;
    if (n == sn - 1) {
        for (i = 0; i < n; i++)
            if (lower((unsigned char)h[i]) != (unsigned char)suffix[i + 1]) return 0;
        return 1;
    }
    if (n < sn) return 0;
    for (i = 0; i < sn; i++)
        if (lower((unsigned char)h[n - sn + i]) != (unsigned char)suffix[i]) return 0;
    return 1;
}

int md_reply_is_ms_host(const char *host, size_t n)
{
    if (!host) return 0;
    while (n && (host[n - 1] == '.' || host[n - 1] == ' ')) n--;
    if (n == 0) return 0;
    /* *.olc.protection.outlook.com, *.mail.protection.outlook.com,
     * *.prod.outlook.com are all under .outlook.com */
    return (n > 12 && ends_with(host, n, ".outlook.com")) ||
           (n > 12 && ends_with(host, n, ".hotmail.com")) ||
           ends_with(host, n, ".outlook.office365.com");
}

/* first label of a domain equals w (lower case) and a TLD follows */
static int label_is(const char *d, size_t n, const char *w)
{
    size_t wn = strlen(w), i;
    if (n <= wn + 1 || d[wn] != '.') return 0;
    for (i = 0; i < wn; i++)
        if (lower((unsigned char)d[i]) != (unsigned char)w[i]) return 0;
    /* "hotmail.de", "hotmail.co.uk", not "hotmail.example.org"? accept any TLD
     * part of at most two short labels */
    return n - wn - 1 <= 6;
}

int md_reply_is_ms_consumer_domain(const char *d, size_t n)
{
    if (!d) return 0;
    while (n && (d[n - 1] == '.' || d[n - 1] == '>' || d[n - 1] == ' ')) n--;
    if (n == 0) return 0;
    return label_is(d, n, "hotmail") || label_is(d, n, "outlook") || label_is(d, n, "live") ||
           ends_with(d, n, ".msn.com") || ends_with(d, n, ".windowslive.com") ||
           ends_with(d, n, ".passport.com");
}

int md_reply_is_ms_addr(const char *a, size_t n)
{
    const char *at = NULL;
    size_t i;
    if (!a) return 0;
    for (i = 0; i < n; i++)
        if (a[i] == '@') at = a + i;
    if (!at) return 0;
    return md_reply_is_ms_consumer_domain(at + 1, (size_t)(a + n - at - 1));
}

/* ---- codes ------------------------------------------------------------- */

/* the first reply code: 3 digits [2-5]xx at a word start, followed by ' ',
 * '-' or the end */
static int find_code(const char *p, const char *e, const char **at)
{
    const char *q;
    for (q = p; q + 3 <= e; q++) {
        if (*q < '2' || *q > '5' || !is_digit((unsigned char)q[1]) ||
            !is_digit((unsigned char)q[2]))
            continue;
        if (q > p && (is_alnum((unsigned char)q[-1]) || q[-1] == '.' || q[-1] == '[' ||
                      q[-1] == '-' || q[-1] == '=' || q[-1] == '/' || q[-1] == ':'))
            continue;
        if (q + 3 < e && q[3] != ' ' && q[3] != '-') continue;
        *at = q;
        return (q[0] - '0') * 100 + (q[1] - '0') * 10 + (q[2] - '0');
    }
    return 0;
}

/* the first enhanced status class.subject.detail, not part of an IP or a
 * version number */
static int find_status(const char *p, const char *e, char *out, size_t outsize)
{
    const char *q;
    for (q = p; q + 5 <= e; q++) {
        const char *s = q;
        int parts = 0, digits;
        if (*q != '2' && *q != '4' && *q != '5') continue;
        if (q > p && (is_alnum((unsigned char)q[-1]) || q[-1] == '.')) continue;
        if (q > p && q[-1] == '-' &&   /* "451-4.7.650": continuation line */
            !(q - p >= 4 && is_digit((unsigned char)q[-2]) && is_digit((unsigned char)q[-3]) &&
              is_digit((unsigned char)q[-4])))
            continue;
        while (parts < 3) {
            digits = 0;
            while (s < e && is_digit((unsigned char)*s) && digits < 4) {
                s++;
                digits++;
            }
            if (!digits || digits > 3) break;
            parts++;
            if (parts == 1 && digits != 1) break;
            if (parts < 3) {
                if (s >= e || *s != '.') break;
                s++;
            }
        }
        if (parts != 3) continue;
        if (s < e && (is_alnum((unsigned char)*s) || (*s == '.' && s + 1 < e &&
                                                     is_digit((unsigned char)s[1]))))
            continue;
        if ((size_t)(s - q) >= outsize) continue;
        memcpy(out, q, (size_t)(s - q));
        out[s - q] = '\0';
        return 1;
    }
    return 0;
}

/* status "a.b.c" as numbers */
static void status_nums(const char *st, int *a, int *b, int *c)
{
    *a = *b = *c = -1;
    if (!st[0]) return;
    *a = st[0] - '0';
    st += 2;
    *b = 0;
    while (is_digit((unsigned char)*st)) *b = *b * 10 + (*st++ - '0');
    if (*st == '.') st++;
    *c = 0;
    while (is_digit((unsigned char)*st)) *c = *c * 10 + (*st++ - '0');
}

/* ---- pieces of Microsoft's texts -------------------------------------- */

/* value after "Key=" up to ',' ']' ' ' */
static md_span key_value(const char *p, const char *e, const char *key)
{
    md_span none = {NULL, 0};
    const char *k = cfind(p, e, key), *v, *s;
    if (!k) return none;
    v = k + strlen(key);
    for (s = v; s < e && *s != ',' && *s != ']' && *s != ' ' && *s != ';'; s++)
        ;
    return s > v ? sp(v, s) : none;
}

/* Microsoft's code: "(S3150)" -> S3150; "RP-001", "SC-004", "DY-001", "OU-002" */
static md_span find_ms_code(const char *p, const char *e)
{
    md_span none = {NULL, 0};
    const char *q;
    static const char *const pre[] = {"rp-0", "sc-0", "dy-0", "ou-0"};
    size_t i;
    for (q = p; q + 4 <= e; q++) {
        if (*q == '(' && (q[1] == 'S' || q[1] == 's') && is_digit((unsigned char)q[2])) {
            const char *s = q + 2;
            while (s < e && is_digit((unsigned char)*s)) s++;
            if (s < e && *s == ')' && s - q - 2 >= 3) return sp(q + 1, s);
        }
    }
    for (i = 0; i < sizeof pre / sizeof pre[0]; i++) {
        q = cfind(p, e, pre[i]);
        if (q && q + 6 <= e && is_digit((unsigned char)q[4]) && is_digit((unsigned char)q[5]) &&
            (q == p || !is_alnum((unsigned char)q[-1])) &&
            (q + 6 == e || !is_alnum((unsigned char)q[6])))
            return sp(q, q + 6);
    }
    return none;
}

/* peer_address: is the IP at a written "host[ip]", a host name (with a
 * dot, or Postfix's "localhost"/"unknown") right before the bracket?  That
 * is the peer's address (Postfix's "connect to mx.example[192.0.2.1]:25:
 * Connection timed out"), not one the text holds against the sender;
 * Microsoft's "banned sender[192.0.2.1]" is. */
static int peer_address(const char *p, const char *a)
{
    const char *b = *a == '[' ? a : (a > p && a[-1] == '[' ? a - 1 : NULL);
    if (!b)
        return 0;
    const char *t = b;
    int dot = 0;
    while (t > p && (is_alnum((unsigned char)t[-1]) || t[-1] == '.' || t[-1] == '-')) {
        dot |= t[-1] == '.';
        t--;
    }
    size_t n = (size_t)(b - t);
    return n && (dot || (n == 9 && strncasecmp(t, "localhost", 9) == 0) ||
                 (n == 7 && strncasecmp(t, "unknown", 7) == 0));
}

/* The IP the text holds against the sender: bracketed, parenthesised, or
 * after "from "/"IP " (bare).  The "host X[ip] said:" prefix of Postfix and
 * Exim's "H=host [ip]" are skipped by the caller. */
static void find_named_ip(md_reply *out, const char *p, const char *e)
{
    const char *q = p;
    while (q < e) {
        md_ip ip;
        size_t pos, len;
        const char *a, *z;
        if (!md_ip_find(q, (size_t)(e - q), &ip, &pos, &len)) return;
        a = q + pos;
        z = a + len;
        if (peer_address(p, a)) {
            q = z > q ? z : q + 1;
            continue;
        }
        /* md_ip_find may include brackets; look at the neighbours */
        if (a > p && (a[-1] == '[' || a[-1] == '(' || a[-1] == ' ' || a[-1] == ':') ) {
            int ok = a[-1] == '[' || a[-1] == '(' || *a == '[';
            if (!ok && a[-1] == ' ') {
                /* "from 1.2.3.4", "IP 1.2.3.4", "address 1.2.3.4" */
                static const char *const words[] = {"from ", "ip ", "address ", "ip: "};
                size_t i;
                for (i = 0; i < sizeof words / sizeof words[0] && !ok; i++) {
                    size_t wl = strlen(words[i]);
                    if ((size_t)(a - p) >= wl && cfind(a - wl, a, words[i]) == a - wl) ok = 1;
                }
            }
            if (!ok && a[-1] == ':') ok = 0;
            if (ok || *a == '[') {
                const char *s = a, *t = z;
                if (*s == '[' || *s == '(') s++;
                if (t > s && (t[-1] == ']' || t[-1] == ')')) t--;
                out->named_ip_text = sp(s, t);
                md_ip_format(&ip, out->named_ip, sizeof out->named_ip);
                return;
            }
        } else if (*a == '[' || *a == '(') {
            const char *s = a + 1, *t = z;
            if (t > s && (t[-1] == ']' || t[-1] == ')')) t--;
            out->named_ip_text = sp(s, t);
            md_ip_format(&ip, out->named_ip, sizeof out->named_ip);
            return;
        }
        q = z > q ? z : q + 1;
    }
}

/* the trailing "[HOST time ID]" / "[HOST]" server bracket */
static md_span find_server(const char *p, const char *e)
{
    md_span none = {NULL, 0};
    const char *c, *o, *q;
    for (c = e; c > p;) {
        c--;
        if (*c != ']') continue;
        for (o = c; o > p && *o != '['; o--)
            ;
        if (*o != '[') return none;
        /* a host name with dots, no '=' (that is [InternalId=...]) */
        if (o + 1 < c && is_alnum((unsigned char)o[1])) {
            int dots = 0, eq = 0;
            for (q = o + 1; q < c && *q != ' '; q++) {
                if (*q == '.') dots++;
                if (*q == '=') eq = 1;
            }
            if (dots >= 2 && !eq && cfind(o + 1, q, ".com")) return sp(o + 1, c);
        }
        c = o;
    }
    return none;
}

/* the quoted Message-ID: the first "<...@...>" */
static md_span find_msgid(const char *p, const char *e)
{
    md_span none = {NULL, 0};
    const char *o = p, *c;
    while ((o = memchr(o, '<', (size_t)(e - o))) != NULL) {
        c = memchr(o, '>', (size_t)(e - o));
        if (!c) return none;
        if (memchr(o, '@', (size_t)(c - o)) && !memchr(o, ' ', (size_t)(c - o))) return sp(o, c + 1);
        o = c;
    }
    return none;
}

/* ---- reasons ----------------------------------------------------------- */

#define R(code, text) do { out->reason = (code); out->detail = (text); return; } while (0)

static void ms_reason(md_reply *out, const char *p, const char *e, int a, int b, int c)
{
    const md_span mc = out->ms_code;
    if (mc.p && (mc.p[0] == 'S' || mc.p[0] == 's')) {
        if (mc.n == 5 && (memcmp(mc.p + 1, "3150", 4) == 0 || memcmp(mc.p + 1, "3140", 4) == 0))
            R(MD_RSN_BLOCKED, "IP on Microsoft's block list");
        if (mc.n == 4 && memcmp(mc.p + 1, "775", 3) == 0)
            R(MD_RSN_BADREPUTATION, "temporarily rate limited due to IP reputation");
        if (mc.n == 5 && memcmp(mc.p + 1, "3115", 4) == 0)
            R(MD_RSN_TOOMANYCONN, "exceeded the maximum number of connections");
        if (mc.n == 5 && memcmp(mc.p + 1, "3114", 4) == 0)
            R(MD_RSN_BADREPUTATION, "temporarily rate limited due to IP reputation");
    }
    if (a == 4 && b == 7 && (c == 650 || c == 651))
        R(MD_RSN_BADREPUTATION, "temporarily rate limited due to IP reputation");
    if (cfind(p, e, "block list") || cfind(p, e, "blocklist"))
        R(MD_RSN_BLOCKED, "IP on Microsoft's block list");
    if (cfind(p, e, "banned sending ip"))
        R(MD_RSN_BLOCKED, "banned sending IP (delist at sender.office.com)");
    if (cfind(p, e, "banned sender")) R(MD_RSN_BLOCKED, "banned sender");
    if (a == 5 && b == 7 && c >= 606 && c <= 649)
        R(MD_RSN_BLOCKED, "banned sending IP (delist at sender.office.com)");
    if (a == 5 && b == 7 && c == 511) R(MD_RSN_BLOCKED, "banned sender");
    if ((a == 5 && b == 7 && c == 25) || cfind(p, e, "reverse dns"))
        R(MD_RSN_BLOCKED, "no reverse DNS (PTR) record");
    if ((a == 4 && b == 7 && c == 650) || cfind(p, e, "rate limited due to ip reputation"))
        R(MD_RSN_BADREPUTATION, "temporarily rate limited due to IP reputation");
    if ((a == 4 && b == 7 && c == 652) || cfind(p, e, "maximum number of connections"))
        R(MD_RSN_TOOMANYCONN, "exceeded the maximum number of connections");
    if (cfind(p, e, "server busy")) R(MD_RSN_SPEEDING, "server busy, throttled");
    if ((a == 5 && b == 7 && (c == 509 || c == 23 || c == 515)) || (a == 4 && b == 7 && c == 26) ||
        cfind(p, e, "must pass either spf or dkim") || cfind(p, e, "required authentication level"))
        R(MD_RSN_AUTHFAILURE, "SPF/DKIM/DMARC authentication failed");
    if ((a == 4 && b == 7 && c >= 500 && c <= 699) || cfind(p, e, "access denied, please try again later"))
        R(MD_RSN_BLOCKED, "access denied, temporarily");
    if (mc.p && mc.n == 6) {
        char k0 = (char)lower((unsigned char)mc.p[0]);
        char k1 = (char)lower((unsigned char)mc.p[1]);
        int num = (mc.p[3] - '0') * 100 + (mc.p[4] - '0') * 10 + (mc.p[5] - '0');
        if (k0 == 'r' && k1 == 'p') {
            if (num == 3) R(MD_RSN_TOOMANYCONN, "connection limit for IP/domain reputation (RP-003)");
            R(MD_RSN_BADREPUTATION, "rate limit for IP/domain reputation (RP-00x)");
        }
        if (k0 == 's' && k1 == 'c') {
            if (num == 4) R(MD_RSN_SPAMDETECTED, "rejected for spam-like content (SC-004)");
            R(MD_RSN_BLOCKED, "rejected for policy reasons (SC-00x)");
        }
        if (k0 == 'd' && k1 == 'y') R(MD_RSN_BLOCKED, "dynamic or compromised IP (DY-00x)");
        if (k0 == 'o' && k1 == 'u') {
            if (num == 2) R(MD_RSN_SPAMDETECTED, "rejected for content or reputation (OU-002)");
            R(MD_RSN_BLOCKED, "rejected for policy reasons (OU-001)");
        }
    }
}

static void generic_reason(md_reply *out, const char *p, const char *e, int a, int b, int c)
{
    if (out->accepted || out->cls == 2) R(MD_RSN_DELIVERED, "accepted");
    if ((b == 1 && c == 1 && a == 5) || cfind(p, e, "user unknown") || cfind(p, e, "unknown user") ||
        cfind(p, e, "no such user") || cfind(p, e, "does not exist") ||
        cfind(p, e, "recipient not found") || cfind(p, e, "unknown recipient") ||
        cfind(p, e, "invalid recipient") || cfind(p, e, "mailbox unavailable") ||
        cfind(p, e, "no mailbox") || cfind(p, e, "user not found"))
        R(MD_RSN_USERUNKNOWN, "no such recipient");
    if ((b == 2 && c == 2) || cfind(p, e, "mailbox full") || cfind(p, e, "mailbox is full") ||
        cfind(p, e, "over quota") || cfind(p, e, "quota exceeded") || cfind(p, e, "exceeded storage"))
        R(MD_RSN_MAILBOXFULL, "mailbox full");
    if ((a == 5 && b == 2 && c == 1) || cfind(p, e, "disabled") || cfind(p, e, "suspended") ||
        cfind(p, e, "inactive"))
        R(MD_RSN_SUSPEND, "mailbox disabled");
    if ((b == 1 && c == 2) || cfind(p, e, "host not found") || cfind(p, e, "domain not found") ||
        cfind(p, e, "host unknown") || cfind(p, e, "name service error") || cfind(p, e, "no mx") ||
        cfind(p, e, "unrouteable address") || cfind(p, e, "unroutable address"))
        R(MD_RSN_HOSTUNKNOWN, "host or domain unknown");
    if (cfind(p, e, "relay access denied") || cfind(p, e, "relaying denied") ||
        cfind(p, e, "not permitted to relay") || cfind(p, e, "unable to relay") ||
        cfind(p, e, "relay not permitted"))
        R(MD_RSN_NORELAYING, "relaying denied");
    if ((b == 3 && c == 4) || (a == 5 && b == 2 && c == 3) || cfind(p, e, "size exceeds") ||
        cfind(p, e, "too big") || cfind(p, e, "too large"))
        R(MD_RSN_MESGTOOBIG, "message too big");
    if (cfind(p, e, "virus") || cfind(p, e, "malware")) R(MD_RSN_VIRUSDETECTED, "virus found");
    if (cfind(p, e, "blocked using") || cfind(p, e, "listed at") || cfind(p, e, "listed in") ||
        cfind(p, e, "blacklist") || cfind(p, e, "blocklist") || cfind(p, e, "block list") ||
        cfind(p, e, "dnsbl") || cfind(p, e, "rbl") || cfind(p, e, "spamhaus") ||
        cfind(p, e, "banned") || cfind(p, e, "blocked"))
        R(MD_RSN_BLOCKED, "sending IP blocked");
    if (cfind(p, e, "reverse dns") || cfind(p, e, "ptr record") || cfind(p, e, "reverse lookup") ||
        cfind(p, e, "hostname lookup"))
        R(MD_RSN_REQUIREPTR, "no reverse DNS (PTR)");
    if (cfind(p, e, "reputation") || cfind(p, e, "complaints"))
        R(MD_RSN_BADREPUTATION, "bad reputation");
    if (cfind(p, e, "too many connections") || cfind(p, e, "too many concurrent"))
        R(MD_RSN_TOOMANYCONN, "too many connections");
    if (cfind(p, e, "rate limit") || cfind(p, e, "too many messages") || cfind(p, e, "throttl") ||
        cfind(p, e, "try again later") || cfind(p, e, "exceeded the rate") || (b == 7 && c == 28))
        R(MD_RSN_SPEEDING, "rate limited");
    if (cfind(p, e, "spf") || cfind(p, e, "dkim") || cfind(p, e, "dmarc") ||
        (b == 7 && (c == 26 || c == 27 || c == 7)))
        R(MD_RSN_AUTHFAILURE, "authentication failed");
    if (cfind(p, e, "spam")) R(MD_RSN_SPAMDETECTED, "rejected as spam");
    if ((b == 4 && c == 7) || cfind(p, e, "expired") || cfind(p, e, "retry timeout exceeded") ||
        cfind(p, e, "too long in queue") || cfind(p, e, "could not be delivered for"))
        R(MD_RSN_EXPIRED, "given up after the queue lifetime");
    if ((b == 4 && (c == 1 || c == 2)) || cfind(p, e, "timed out") ||
        cfind(p, e, "connection refused") || cfind(p, e, "network is unreachable") ||
        cfind(p, e, "no route to host") || cfind(p, e, "lost connection") ||
        cfind(p, e, "connection reset"))
        R(MD_RSN_NETWORKERROR, "network error");
    if ((b == 1 && (c == 7 || c == 8)) || cfind(p, e, "sender address rejected") ||
        cfind(p, e, "domain of sender"))
        R(MD_RSN_REJECTED, "sender address rejected");
    if ((b == 7 && c == 1) || cfind(p, e, "policy") || cfind(p, e, "content"))
        R(MD_RSN_POLICYVIOLATION, "refused by policy");
    if (b == 5 && (c == 2 || c == 4)) R(MD_RSN_SYNTAXERROR, "syntax error");
    if (b == 3 || cfind(p, e, "system error") || cfind(p, e, "internal error"))
        R(MD_RSN_SYSTEMERROR, "remote system error");
    if (b == 7) R(MD_RSN_SECURITYERROR, "refused for security reasons");
}

void md_reply_classify(md_reply *out, const char *text, size_t n, const char *peer_host, size_t hn)
{
    const char *p = text, *e, *q, *body;
    int a, b, c;
    memset(out, 0, sizeof *out);
    out->detail = "";
    if (!text || !n) return;
    if (n > MD_LIMIT_LINE) n = MD_LIMIT_LINE;
    e = p + n;
    /* skip the "host X[ip] said: " prefix (postfix), exim's "SMTP error from
     * remote mail server after RCPT TO:<x>: " */
    body = p;
    if ((q = cfind(p, e, " said: ")) != NULL && q - p < 300) body = q + 7;
    else if ((q = cfind(p, e, "smtp error from remote mail server after ")) != NULL) {
        const char *c2 = cfind(q, e, ": ");
        if (c2) {
            /* "after RCPT TO:<x@y>: 550" : the colon after the address */
            const char *gt = memchr(q, '>', (size_t)(e - q));
            if (gt && gt + 2 <= e && gt[1] == ':') c2 = gt + 1;
            body = c2 + 2 <= e ? c2 + 2 : e;
        }
    }
    if (body > e) body = e;

    {
        const char *at = NULL;
        out->code = find_code(body, e, &at);
    }
    find_status(body, e, out->status, sizeof out->status);
    if (out->status[0]) out->cls = out->status[0] - '0';
    else if (out->code) out->cls = out->code / 100;
    out->ms_code = find_ms_code(body, e);
    out->internal_id = key_value(body, e, "internalid=");
    out->ms_hostname = key_value(body, e, "hostname=");
    out->server = find_server(body, e);
    if ((q = cfind(body, e, "queued as ")) != NULL) {
        const char *s = q + 10, *t = s;
        while (t < e && (is_alnum((unsigned char)*t) || *t == '-')) t++;
        if (t > s) out->queued_as = sp(s, t);
    }
    out->accepted = out->cls == 2 || cfind(body, e, "queued mail for delivery") != NULL ||
                    (out->cls == 0 && (out->queued_as.p || cfind(body, e, "message accepted") ||
                                       cfind(body, e, "ok id=")));
    if (out->accepted && out->cls == 0) out->cls = 2;
    if (out->accepted) out->quoted_msgid = find_msgid(body, e);
    find_named_ip(out, body, e);

    if (peer_host && hn) out->ms = md_reply_is_ms_host(peer_host, hn);
    if (!out->ms)
        out->ms = cfind(body, e, "outlook.com") || cfind(body, e, "hotmail.com") ||
                  cfind(body, e, "aka.ms/") || cfind(body, e, "mail.live.com") ||
                  cfind(body, e, "postmaster.live.com") ||
                  cfind(body, e, "queued mail for delivery") || out->internal_id.p ||
                  (out->ms_code.p != NULL);

    status_nums(out->status, &a, &b, &c);
    if (out->accepted) {
        out->reason = MD_RSN_DELIVERED;
        out->detail = out->ms ? "accepted by Microsoft (Queued mail for delivery)" : "accepted";
        return;
    }
    if (out->ms || out->ms_code.p) {
        ms_reason(out, body, e, a, b, c);
        if (out->reason) {
            out->ms_table = 1;
            return;
        }
    }
    generic_reason(out, body, e, a, b, c);
}
