/* logline.c: zero-copy parser of one syslog / Exim mainlog line into an
 * md_logrec (see logline.h).  It owns the envelope grammar and the field
 * grammars of sendmail, Postfix and Exim.  It never allocates, never copies
 * a field, never uses regex or sscanf (the ingest hot path runs it for every
 * line), and never reads past line[n) whatever the bytes are.
 */
#include "parse/logline.h"

#include <string.h>
#include <time.h>

#include "base/md_limits.h"
#include "parse/logtime.h"

/* ---- small helpers ---------------------------------------------------- */

static inline md_span sp(const char *a, const char *b)
{
    md_span s;
    s.p = a;
    s.n = (size_t)(b - a);
    return s;
}

static inline int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static inline int is_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static inline int is_alnum(unsigned char c) { return is_digit(c) || is_alpha(c); }

static inline int starts(const char *p, const char *end, const char *lit, size_t n)
{
    return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}
#define STARTS(p, end, lit) starts((p), (end), (lit), sizeof(lit) - 1)

static inline int lower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

/* find lit (length ln) in [p, end); NULL if absent. */
static const char *find(const char *p, const char *end, const char *lit, size_t ln)
{
    while (p && (size_t)(end - p) >= ln) {
        p = memchr(p, lit[0], (size_t)(end - p) - ln + 1);
        if (!p) return NULL;
        if (memcmp(p, lit, ln) == 0) return p;
        p++;
    }
    return NULL;
}
#define FIND(p, end, lit) find((p), (end), (lit), sizeof(lit) - 1)

/* the same ignoring ASCII case (lit given in lower case). */
static const char *casefind(const char *p, const char *end, const char *lit, size_t ln)
{
    size_t i;
    for (; (size_t)(end - p) >= ln; p++) {
        if (lower((unsigned char)*p) != (unsigned char)lit[0]) continue;
        for (i = 1; i < ln && lower((unsigned char)p[i]) == (unsigned char)lit[i]; i++)
            ;
        if (i == ln) return p;
    }
    return NULL;
}

/* last occurrence of lit in [p, end). */
static const char *rfind(const char *p, const char *end, const char *lit, size_t ln)
{
    const char *q;
    if ((size_t)(end - p) < ln) return NULL;
    for (q = end - ln; q >= p; q--)
        if (*q == lit[0] && memcmp(q, lit, ln) == 0) return q;
    return NULL;
}

static inline int span_is(const char *a, const char *b, const char *lit, size_t ln)
{
    return (size_t)(b - a) == ln && memcmp(a, lit, ln) == 0;
}
#define SPAN_IS(a, b, lit) span_is((a), (b), (lit), sizeof(lit) - 1)

int md_span_caseeq(md_span s, const char *z)
{
    size_t i;
    if (!s.p) return z[0] == '\0';
    for (i = 0; i < s.n; i++)
        if (z[i] == '\0' || lower((unsigned char)z[i]) != lower((unsigned char)s.p[i])) return 0;
    return z[i] == '\0';
}

/* "host[ip]:port" (postfix) -> host, ip, port.  ip and port may stay absent. */
static void split_pf_hostip(const char *v, const char *e, md_span *host, md_span *ip,
                            md_span *port)
{
    const char *b = memchr(v, '[', (size_t)(e - v)), *c;
    if (!b) {
        *host = sp(v, e);
        return;
    }
    *host = sp(v, b);
    c = memchr(b, ']', (size_t)(e - b));
    if (!c) {
        *ip = sp(b + 1, e);
        return;
    }
    *ip = sp(b + 1, c);
    if (port && c + 1 < e && c[1] == ':') *port = sp(c + 2, e);
}

/* "host. [ip] (may be forged)", "[ip]", "user@host" (sendmail relay=). */
static void split_sm_relay(const char *v, const char *e, md_span *host, md_span *ip)
{
    const char *b = memchr(v, '[', (size_t)(e - v)), *c, *h;
    if (!b) {
        *host = sp(v, e);
        return;
    }
    for (h = b; h > v && h[-1] == ' '; h--)
        ;
    if (h > v) *host = sp(v, h);
    c = memchr(b, ']', (size_t)(e - b));
    if (!c) c = e;
    b++;
    if (starts(b, c, "IPv6:", 5)) b += 5;
    *ip = sp(b, c);
}

/* Strip "(...)" around a text when it is wrapped whole: "sent (x)" -> x. */
static void word_and_paren(const char *v, const char *e, md_span *word, md_span *inner)
{
    const char *q = v;
    while (q < e && *q != ' ' && *q != '(') q++;
    *word = sp(v, q);
    while (q < e && *q == ' ') q++;
    if (q < e && *q == '(') {
        const char *z = e;
        if (z > q + 1 && z[-1] == ')') z--;
        *inner = sp(q + 1, z);
    } else if (q < e) {
        *inner = sp(q, e);
    }
}

/* A token that is a postfix/sendmail queue id: alnum, 5..MD_LIMIT_QID long,
 * with a digit or only upper-case hex (short postfix ids), and not a
 * lower-case word like "warning". */
static int looks_qid(const char *a, const char *b)
{
    size_t n = (size_t)(b - a), i;
    int digit = 0, hexup = 1;
    if (n < 5 || n > MD_LIMIT_QID) return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)a[i];
        if (!is_alnum(c)) return 0;
        if (is_digit(c))
            digit = 1;
        else if (!(c >= 'A' && c <= 'F'))
            hexup = 0;
    }
    return digit || hexup;
}

/* Read "TOKEN: " at p; on success set *qe to the token end and return 1. */
static int qid_colon(const char *p, const char *end, const char **qe)
{
    const char *q = p;
    while (q < end && is_alnum((unsigned char)*q)) q++;
    if (q + 1 < end && q[0] == ':' && q[1] == ' ') {
        *qe = q;
        return 1;
    }
    if (q + 1 == end && q[0] == ':') {
        *qe = q;
        return 1;
    }
    return 0;
}

/* "queued as X" / "forwarded as X" / "... id=X" / "X Message accepted for
 * delivery" in a reply: the next hop's queue id. */
static void find_next_qid(md_logrec *r)
{
    const char *p = r->reply.p, *e, *q, *s;
    if (!p) return;
    e = p + r->reply.n;
    if ((q = FIND(p, e, "forwarded as ")) != NULL) {
        q += 13;
        for (s = q; s < e && is_alnum((unsigned char)*s); s++)
            ;
        if (s > q) {
            r->new_qid = sp(q, s);
            r->flags |= MD_LF_FORWARDED;
        }
        return;
    }
    if ((q = casefind(p, e, "queued as ", 10)) != NULL) {
        q += 10;
        for (s = q; s < e && (is_alnum((unsigned char)*s) || *s == '-'); s++)
            ;
        if (s > q) {
            r->new_qid = sp(q, s);
            r->flags |= MD_LF_QUEUED_AS;
        }
        return;
    }
    if ((q = FIND(p, e, "Message accepted for delivery")) != NULL) {
        /* sendmail to sendmail: "250 2.0.0 u3NE6SaT025990 Message accepted..." */
        for (s = q; s > p && s[-1] == ' '; s--)
            ;
        for (q = s; q > p && is_alnum((unsigned char)q[-1]); q--)
            ;
        if (looks_qid(q, s) && !(s - q == 5 && is_digit((unsigned char)*q))) {
            r->new_qid = sp(q, s);
            r->flags |= MD_LF_QUEUED_AS;
        }
        return;
    }
    if ((q = casefind(p, e, "ok id=", 6)) != NULL) { /* exim: "250 OK id=1tG..." */
        q += 6;
        for (s = q; s < e && (is_alnum((unsigned char)*s) || *s == '-'); s++)
            ;
        if (s > q) {
            r->new_qid = sp(q, s);
            r->flags |= MD_LF_QUEUED_AS;
        }
    }
}

static int dsn_class(const md_logrec *r)
{
    if (r->dsn.n >= 1 && r->dsn.p[0] >= '2' && r->dsn.p[0] <= '5') return r->dsn.p[0] - '0';
    return 0;
}

/* ---- sendmail ---------------------------------------------------------- */

/* Split "key=value, key=value" at ", " outside <> and (); calls back per
 * pair.  Values of `stat` and `reject` run to the end of the line. */
typedef void (*kv_fn)(md_logrec *r, const char *k, size_t kn, const char *v, const char *ve);

static void kv_walk(md_logrec *r, const char *p, const char *end, kv_fn fn, int space_sep)
{
    int fields = 0;
    while (p < end && fields++ < MD_LIMIT_LOG_FIELDS) {
        const char *k = p, *v;
        int ang = 0, par = 0;
        size_t kn;
        while (p < end && (is_alnum((unsigned char)*p) || *p == '_' || *p == '-')) p++;
        if (p >= end || *p != '=' || p == k) return;
        kn = (size_t)(p - k);
        v = ++p;
        if ((kn == 4 && (memcmp(k, "stat", 4) == 0)) || (kn == 6 && memcmp(k, "status", 6) == 0) ||
            (kn == 6 && memcmp(k, "reject", 6) == 0)) {
            /* postfix "status=expired, returned to sender": stop at ", " only
             * for that one word value */
            if (kn == 6 && k[0] == 's') {
                const char *c = FIND(v, end, ", ");
                const char *sp1 = memchr(v, ' ', (size_t)(end - v));
                if (c && (!sp1 || c < sp1)) {
                    fn(r, k, kn, v, c);
                    p = c + 2;
                    continue;
                }
            }
            fn(r, k, kn, v, end);
            return;
        }
        while (p < end) {
            char ch = *p;
            if (ch == '<') {
                if (p == v || ang || p[-1] == ',' || p[-1] == ' ') ang++;
            } else if (ch == '>') {
                if (ang) ang--;
            } else if (ch == '(') {
                par++;
            } else if (ch == ')') {
                if (par) par--;
            } else if (ang == 0 && par == 0) {
                if (ch == ',' && (p + 1 >= end || p[1] == ' ')) break;
                if (space_sep && ch == ' ') break;
            }
            p++;
        }
        fn(r, k, kn, v, p);
        if (p < end) p++;
        while (p < end && *p == ' ') p++;
    }
}

#define KEY(lit) (kn == sizeof(lit) - 1 && memcmp(k, lit, kn) == 0)

/* first address of a list "<a>,<b>" or "a,b" */
static md_span first_addr(const char *v, const char *ve)
{
    const char *q = v;
    if (q < ve && *q == '<') {
        const char *c = memchr(q, '>', (size_t)(ve - q));
        return sp(v, c ? c + 1 : ve);
    }
    while (q < ve && *q != ',') q++;
    return sp(v, q);
}

static void sm_stat(md_logrec *r, const char *v, const char *ve)
{
    if (starts(v, ve, "Sent", 4)) {
        r->status = sp(v, v + 4);
        r->outcome = MD_OUT_SENT;
        if (ve - v > 5 && v[4] == ' ' && v[5] == '(') {
            const char *z = ve;
            if (z > v + 6 && z[-1] == ')') z--;
            r->reply = sp(v + 6, z);
        } else if (ve - v > 4) {
            r->reply = sp(v + 4 + (v[4] == ' ' || v[4] == ':'), ve);
        }
        return;
    }
    if (starts(v, ve, "Deferred", 8)) {
        const char *q = v + 8;
        r->status = sp(v, q);
        r->outcome = MD_OUT_DEFERRED;
        if (q < ve && *q == ':') q++;
        while (q < ve && *q == ' ') q++;
        if (q < ve) r->reply = sp(q, ve);
        return;
    }
    if (starts(v, ve, "queued", 6)) {
        r->status = sp(v, v + 6);
        r->outcome = MD_OUT_NONE;
        return;
    }
    /* "User unknown", "Service unavailable", "Host unknown (...)", ... */
    r->status = sp(v, ve);
    r->reply = sp(v, ve);
}

static void sm_kv(md_logrec *r, const char *k, size_t kn, const char *v, const char *ve)
{
    switch (k[0]) {
    case 'a':
        if (KEY("arg1")) r->to = sp(v, ve); /* ruleset: fixed up by caller */
        break;
    case 'c':
        if (KEY("ctladdr")) {
            const char *q = v;
            r->ctladdr = sp(v, ve);
            r->flags |= MD_LF_CTLADDR;
            if (q < ve && *q == '<') {
                const char *c = memchr(q, '>', (size_t)(ve - q));
                r->orig_to = sp(v, c ? c + 1 : ve);
            } else {
                while (q < ve && *q != ' ') q++;
                r->orig_to = sp(v, q);
            }
        }
        break;
    case 'd':
        if (KEY("delay"))
            r->delay = sp(v, ve);
        else if (KEY("dsn"))
            r->dsn = sp(v, ve);
        break;
    case 'f':
        if (KEY("from")) r->from = sp(v, ve);
        break;
    case 'm':
        if (KEY("msgid"))
            r->msgid = sp(v, ve);
        else if (KEY("mailer"))
            r->mailer = sp(v, ve);
        break;
    case 'n':
        if (KEY("nrcpts")) r->nrcpts = sp(v, ve);
        break;
    case 'p':
        if (KEY("proto")) r->proto = sp(v, ve);
        break;
    case 'r':
        if (KEY("relay")) {
            /* from= lines: the client; to= lines: the next hop (set later) */
            split_sm_relay(v, ve, &r->relay_host, &r->relay_ip);
        } else if (KEY("reject")) {
            r->reply = sp(v, ve);
            r->status = sp(k, k + kn);
            r->outcome = MD_OUT_REJECTED;
        }
        break;
    case 's':
        if (KEY("size"))
            r->size = sp(v, ve);
        else if (KEY("stat"))
            sm_stat(r, v, ve);
        break;
    case 't':
        if (KEY("to")) {
            r->to_all = sp(v, ve);
            r->to = first_addr(v, ve);
        }
        break;
    case 'x':
        if (KEY("xdelay")) r->xdelay = sp(v, ve);
        break;
    }
}

static int is_local_mailer(md_span m)
{
    return md_span_eq(m, "local") || md_span_eq(m, "prog") || md_span_eq(m, "*file*") ||
           md_span_eq(m, "*include*") || md_span_eq(m, "cyrus") || md_span_eq(m, "cyrusv2") ||
           md_span_eq(m, "procmail") || md_span_eq(m, "mail11");
}

static void parse_sendmail(md_logrec *r, const char *p, const char *end)
{
    const char *qe;
    if (qid_colon(p, end, &qe)) {
        if (SPAN_IS(p, qe, "NOQUEUE")) {
            p = qe + 1;
        } else if (looks_qid(p, qe)) {
            r->qid = sp(p, qe);
            p = qe + 1;
        }
        while (p < end && *p == ' ') p++;
    }
    r->text = sp(p, end);
    if (p >= end) {
        r->ev = MD_EV_OTHER;
        return;
    }
    if (STARTS(p, end, "from=")) {
        kv_walk(r, p, end, sm_kv, 0);
        r->ev = MD_EV_FROM;
        r->client_host = r->relay_host;
        r->client_ip = r->relay_ip;
        r->relay_host.p = r->relay_ip.p = NULL;
        r->relay_host.n = r->relay_ip.n = 0;
        r->outcome = MD_OUT_NONE;
        return;
    }
    if (STARTS(p, end, "to=")) {
        kv_walk(r, p, end, sm_kv, 0);
        r->ev = MD_EV_TO;
        if (r->status.p && r->outcome == MD_OUT_NONE && !md_span_eq(r->status, "queued")) {
            int c = dsn_class(r);
            r->outcome = c == 2 ? MD_OUT_SENT : c == 4 ? MD_OUT_DEFERRED : MD_OUT_BOUNCED;
        }
        if (is_local_mailer(r->mailer)) r->flags |= MD_LF_LOCAL;
        if (r->outcome == MD_OUT_SENT) find_next_qid(r);
        return;
    }
    if (STARTS(p, end, "ruleset=")) {
        md_span arg;
        kv_walk(r, p, end, sm_kv, 0);
        arg = r->to;
        r->to.p = NULL;
        r->to.n = 0;
        if (FIND(p, end, "ruleset=check_mail")) r->from = arg;
        else if (FIND(p, end, "ruleset=check_rcpt")) r->to = arg;
        r->client_host = r->relay_host;
        r->client_ip = r->relay_ip;
        r->relay_host.p = r->relay_ip.p = NULL;
        r->relay_host.n = r->relay_ip.n = 0;
        r->ev = r->outcome == MD_OUT_REJECTED ? MD_EV_REJECT : MD_EV_OTHER;
        return;
    }
    if (STARTS(p, end, "Milter") || STARTS(p, end, "milter")) {
        const char *rj = FIND(p, end, "reject=");
        r->ev = MD_EV_MILTER;
        if (rj) {
            r->reply = sp(rj + 7, end);
            r->status = sp(rj, rj + 6);
            r->outcome = MD_OUT_REJECTED;
        }
        return;
    }
    if (STARTS(p, end, "DSN: ")) {
        r->ev = MD_EV_BOUNCE_NOTICE;
        r->status = sp(p, p + 3);
        r->reply = sp(p + 5, end);
        return;
    }
    /* "NEWQID: DSN: text", "NEWQID: return to sender: ...", "NEWQID: sender
     * notify: ...", "NEWQID: postmaster notify: ..." */
    if (r->qid.p && qid_colon(p, end, &qe) && looks_qid(p, qe)) {
        const char *t = qe + 1;
        while (t < end && *t == ' ') t++;
        if (STARTS(t, end, "DSN:") || STARTS(t, end, "return to sender:") ||
            STARTS(t, end, "sender notify:") || STARTS(t, end, "postmaster notify:")) {
            const char *c = memchr(t, ':', (size_t)(end - t));
            r->ev = MD_EV_BOUNCE_NOTICE;
            r->new_qid = sp(p, qe);
            r->status = sp(t, c);
            c++;
            while (c < end && *c == ' ') c++;
            r->reply = sp(c, end);
            return;
        }
    }
    r->ev = MD_EV_OTHER;
}

/* ---- Postfix ----------------------------------------------------------- */

static void pf_kv(md_logrec *r, const char *k, size_t kn, const char *v, const char *ve)
{
    switch (k[0]) {
    case 'c':
        if (KEY("client")) split_pf_hostip(v, ve, &r->client_host, &r->client_ip, NULL);
        break;
    case 'd':
        if (KEY("delay"))
            r->delay = sp(v, ve);
        else if (KEY("delays"))
            r->delays = sp(v, ve);
        else if (KEY("dsn"))
            r->dsn = sp(v, ve);
        break;
    case 'f':
        if (KEY("from")) r->from = sp(v, ve);
        break;
    case 'h':
        if (KEY("helo")) r->helo = sp(v, ve);
        break;
    case 'm':
        if (KEY("message-id")) r->msgid = sp(v, ve);
        break;
    case 'n':
        if (KEY("nrcpt")) {
            const char *q = v;
            while (q < ve && is_digit((unsigned char)*q)) q++;
            r->nrcpts = sp(v, q);
        }
        break;
    case 'o':
        if (KEY("orig_to")) r->orig_to = sp(v, ve);
        break;
    case 'p':
        if (KEY("proto")) r->proto = sp(v, ve);
        break;
    case 'r':
        if (KEY("relay")) split_pf_hostip(v, ve, &r->relay_host, &r->relay_ip, &r->relay_port);
        break;
    case 's':
        if (KEY("size")) {
            r->size = sp(v, ve);
        } else if (KEY("status")) {
            word_and_paren(v, ve, &r->status, &r->reply);
        }
        break;
    case 't':
        if (KEY("to")) r->to = sp(v, ve);
        break;
    case 'u':
        if (KEY("uid")) r->uid = sp(v, ve);
        break;
    }
}

static int pf_outcome(md_span st)
{
    if (md_span_eq(st, "sent")) return MD_OUT_SENT;
    if (md_span_eq(st, "deferred") || md_span_eq(st, "SOFTBOUNCE")) return MD_OUT_DEFERRED;
    if (md_span_eq(st, "bounced")) return MD_OUT_BOUNCED;
    if (md_span_eq(st, "expired")) return MD_OUT_EXPIRED;
    return MD_OUT_NONE;
}

/* "reject: RCPT from host[ip]: 554 5.7.1 text; from=<s> to=<r> proto=ESMTP helo=<h>" */
static void pf_reject(md_logrec *r, const char *p, const char *end, const char *colon)
{
    const char *q = colon + 1, *f, *c, *tail;
    r->status = sp(p, colon);
    while (q < end && *q == ' ') q++;
    /* stage word(s) up to " from " */
    f = FIND(q, end, " from ");
    if (!f) {
        r->reply = sp(q, end);
        return;
    }
    q = f + 6;
    c = FIND(q, end, ": ");
    if (!c) {
        split_pf_hostip(q, end, &r->client_host, &r->client_ip, NULL);
        return;
    }
    split_pf_hostip(q, c, &r->client_host, &r->client_ip, NULL);
    q = c + 2;
    tail = rfind(q, end, "; from=", 7);
    if (!tail) tail = rfind(q, end, "; proto=", 8);
    if (!tail) {
        r->reply = sp(q, end);
        return;
    }
    r->reply = sp(q, tail);
    kv_walk(r, tail + 2, end, pf_kv, 1);
}

static void parse_postfix(md_logrec *r, const char *p, const char *end)
{
    const char *qe, *c;
    int noqueue = 0;
    if (qid_colon(p, end, &qe)) {
        if (SPAN_IS(p, qe, "NOQUEUE")) {
            noqueue = 1;
            p = qe + 1;
        } else if (looks_qid(p, qe)) {
            r->qid = sp(p, qe);
            p = qe + 1;
        }
        while (p < end && *p == ' ') p++;
    }
    r->text = sp(p, end);
    r->ev = MD_EV_OTHER;
    if (p >= end) return;
    if (!r->qid.p && !noqueue) return; /* connect from, warning:, statistics: ... */
    switch (*p) {
    case 't':
        if (STARTS(p, end, "to=")) {
            kv_walk(r, p, end, pf_kv, 0);
            r->ev = MD_EV_TO;
            r->outcome = pf_outcome(r->status);
            if (md_span_eq(r->daemon, "local") || md_span_eq(r->daemon, "virtual") ||
                md_span_eq(r->daemon, "pipe") || md_span_eq(r->daemon, "lmtp") ||
                md_span_eq(r->relay_host, "local") || md_span_eq(r->relay_host, "virtual"))
                r->flags |= MD_LF_LOCAL;
            if (r->outcome == MD_OUT_SENT) find_next_qid(r);
            return;
        }
        break;
    case 'f':
        if (STARTS(p, end, "from=")) {
            kv_walk(r, p, end, pf_kv, 0);
            if (md_span_eq(r->status, "expired")) {
                r->ev = MD_EV_EXPIRED;
                r->outcome = MD_OUT_EXPIRED;
            } else {
                r->ev = MD_EV_FROM;
            }
            return;
        }
        break;
    case 'c':
        if (STARTS(p, end, "client=")) {
            kv_walk(r, p, end, pf_kv, 0);
            r->ev = MD_EV_CLIENT;
            return;
        }
        break;
    case 'm':
        if (STARTS(p, end, "message-id=")) {
            kv_walk(r, p, end, pf_kv, 0);
            r->ev = MD_EV_MSGID;
            return;
        }
        if (STARTS(p, end, "milter-reject: ")) {
            pf_reject(r, p, end, p + 13);
            r->ev = MD_EV_REJECT;
            r->outcome = MD_OUT_REJECTED;
            return;
        }
        break;
    case 'u':
        if (STARTS(p, end, "uid=")) { /* pickup: "uid=1000 from=<x>" */
            kv_walk(r, p, end, pf_kv, 1);
            r->ev = MD_EV_CLIENT;
            r->flags |= MD_LF_PICKUP;
            return;
        }
        break;
    case 'r':
        if (STARTS(p, end, "removed")) {
            r->ev = MD_EV_REMOVED;
            return;
        }
        if (STARTS(p, end, "reject: ")) {
            pf_reject(r, p, end, p + 6);
            r->ev = MD_EV_REJECT;
            r->outcome = MD_OUT_REJECTED;
            return;
        }
        break;
    case 's':
    case 'p':
        /* "sender non-delivery notification: X", "sender delay notification: X",
         * "postmaster non-delivery notification: X" */
        if ((c = FIND(p, end, "notification: ")) != NULL &&
            (STARTS(p, end, "sender ") || STARTS(p, end, "postmaster "))) {
            const char *q = c + 14, *s = q;
            while (s < end && is_alnum((unsigned char)*s)) s++;
            r->status = sp(p, c + 12);
            if (s > q) r->new_qid = sp(q, s);
            r->ev = MD_EV_BOUNCE_NOTICE;
            return;
        }
        break;
    case 'd':
    case 'h':
        if (STARTS(p, end, "discard: ") || STARTS(p, end, "hold: ")) {
            c = memchr(p, ':', (size_t)(end - p));
            pf_reject(r, p, end, c);
            return;
        }
        break;
    }
}

/* ---- Exim -------------------------------------------------------------- */

/* Exim message id: 6-6-2 (before 4.97) or 6-11-4 base-62. */
static size_t exim_id(const char *p, const char *end)
{
    size_t n = (size_t)(end - p), i;
    static const unsigned char old_shape[] = {6, 6, 2}, new_shape[] = {6, 11, 4};
    const unsigned char *shape;
    int s;
    for (s = 0; s < 2; s++) {
        size_t pos = 0;
        int k, ok = 1;
        shape = s == 0 ? old_shape : new_shape;
        for (k = 0; k < 3 && ok; k++) {
            for (i = 0; i < shape[k]; i++, pos++)
                if (pos >= n || !is_alnum((unsigned char)p[pos])) {
                    ok = 0;
                    break;
                }
            if (!ok) break;
            if (k < 2) {
                if (pos >= n || p[pos] != '-') ok = 0;
                pos++;
            }
        }
        if (ok && (pos == n || p[pos] == ' ')) return pos;
    }
    return 0;
}

/* H=host (helo) [ip]:port  /  H=(helo) [ip]  /  H=[ip]; returns the end. */
static const char *exim_hostfield(const char *v, const char *end, md_span *host, md_span *helo,
                                  md_span *ip, md_span *port)
{
    const char *q = v, *s;
    if (q < end && *q != '(' && *q != '[') {
        s = q;
        while (s < end && *s != ' ') s++;
        *host = sp(q, s);
        if (s > q && s[-1] == ':') /* "H=host: text" */
            return s - 1;
        q = s;
        if (q + 1 < end && q[1] != '(' && q[1] != '[') return q;
        if (q < end) q++;
    }
    if (q < end && *q == '(') {
        s = memchr(q, ')', (size_t)(end - q));
        if (!s) return end;
        *helo = sp(q + 1, s);
        q = s + 1;
        if (q + 1 < end && *q == ' ' && q[1] == '[') q++;
    }
    if (q < end && *q == '[') {
        s = memchr(q, ']', (size_t)(end - q));
        if (!s) return end;
        *ip = sp(q + 1, s);
        q = s + 1;
        if (q + 1 < end && *q == ':' && is_digit((unsigned char)q[1])) {
            s = q + 1;
            while (s < end && is_digit((unsigned char)*s)) s++;
            if (port) *port = sp(q + 1, s);
            q = s;
        }
    }
    return q;
}

/* Read fields of an Exim line from p: "K=V" tokens (V quoted for T= C=),
 * H= special; a token ending in ':' starts the reply text. */
static void exim_fields(md_logrec *r, const char *p, const char *end, int arrival)
{
    int fields = 0;
    while (p < end && fields++ < MD_LIMIT_LOG_FIELDS) {
        const char *k = p, *v, *ve;
        size_t kn;
        while (p < end && *p == ' ') p++;
        k = p;
        if (p >= end) return;
        while (p < end && (is_alnum((unsigned char)*p) || *p == '_')) p++;
        if (p < end && *p == '=' && p > k) {
            kn = (size_t)(p - k);
            v = ++p;
            if (KEY("H")) {
                md_span helo = {NULL, 0};
                if (arrival)
                    p = exim_hostfield(v, end, &r->client_host, &helo, &r->client_ip, NULL);
                else
                    p = exim_hostfield(v, end, &r->relay_host, &helo, &r->relay_ip,
                                       &r->relay_port);
                if (arrival && helo.p) r->helo = helo;
                if (p < end && *p == ':' && (p + 1 == end || p[1] == ' ')) {
                    p++;
                    while (p < end && *p == ' ') p++;
                    if (p < end && !r->reply.p) r->reply = sp(p, end);
                    return;
                }
                continue;
            }
            if (p < end && *p == '"') {
                v = ++p;
                while (p < end && *p != '"') {
                    if (*p == '\\' && p + 1 < end) p++;
                    p++;
                }
                ve = p;
                if (p < end) p++;
            } else {
                while (p < end && *p != ' ') p++;
                ve = p;
            }
            if (ve > v && ve[-1] == ':' && (ve == end || *ve == ' ')) {
                /* "T=remote_smtp: reply" */
                ve--;
                p = ve + 1;
                while (p < end && *p == ' ') p++;
                if (p < end && !r->reply.p) r->reply = sp(p, end);
                p = end;
            }
            switch (k[0]) {
            case 'C':
                if (KEY("C")) r->reply = sp(v, ve);
                break;
            case 'P':
                if (KEY("P")) r->proto = sp(v, ve);
                break;
            case 'R':
                if (KEY("R")) {
                    if (arrival)
                        r->bounce_of = sp(v, ve);
                    else
                        r->router = sp(v, ve);
                }
                break;
            case 'S':
                if (KEY("S")) r->size = sp(v, ve);
                break;
            case 'T':
                if (KEY("T") && !arrival) r->mailer = sp(v, ve);
                break;
            case 'U':
                if (KEY("U")) r->uid = sp(v, ve);
                break;
            case 'i':
                if (KEY("id")) r->msgid = sp(v, ve);
                break;
            }
            continue;
        }
        /* a plain token ("defer", "(-44):", "routing") */
        while (p < end && *p != ' ') p++;
        if (p > k && p[-1] == ':') {
            while (p < end && *p == ' ') p++;
            if (p < end && !r->reply.p) r->reply = sp(p, end);
            return;
        }
    }
}

static void parse_exim(md_logrec *r, const char *p, const char *end)
{
    size_t idn;
    const char *q;
    md_logtime t;
    /* syslog: optional "[1\2] " split marker and the Exim stamp itself */
    if (p < end && *p == '[' && end - p > 4 && is_digit((unsigned char)p[1]) &&
        (q = memchr(p, ']', (size_t)(end - p) < 12 ? (size_t)(end - p) : 12)) && q + 1 < end &&
        q[1] == ' ')
        p = q + 2;
    if (p < end && is_digit((unsigned char)*p) && (idn = md_logtime_parse_iso(p, (size_t)(end - p), &t)) &&
        p[10] == ' ') {
        p += idn;
        while (p < end && *p == ' ') p++;
        if (p < end && (*p == '+' || *p == '-')) {
            int z;
            size_t k = md_logtime_zone(p, (size_t)(end - p), &z);
            p += k;
            while (p < end && *p == ' ') p++;
        }
    }
    idn = exim_id(p, end);
    if (idn) {
        r->qid = sp(p, p + idn);
        p += idn;
        while (p < end && *p == ' ') p++;
    }
    r->text = sp(p, end);
    r->ev = MD_EV_OTHER;
    if (p >= end) return;
    if (r->qid.p && end - p >= 2 && (end - p == 2 || p[2] == ' ')) {
        char a = p[0], b = p[1];
        int op = 0;
        if (a == '<' && b == '=') op = 1;
        else if ((a == '=' && b == '>') || (a == '-' && b == '>') || (a == '>' && b == '>')) op = 2;
        else if (a == '*' && b == '*') op = 3;
        else if (a == '=' && b == '=') op = 4;
        else if (a == '*' && b == '>') op = 5;
        if (op) {
            r->exim_op[0] = a;
            r->exim_op[1] = b;
            r->exim_op[2] = '\0';
            r->status = sp(p, p + 2);
            p += 2;
            while (p < end && *p == ' ') p++;
            /* the address */
            q = p;
            if (q < end && *q == '<') {
                const char *c = memchr(q, '>', (size_t)(end - q));
                q = c ? c + 1 : end;
            } else {
                while (q < end && *q != ' ') q++;
            }
            if (op == 1) {
                r->from = sp(p, q);
                r->ev = MD_EV_FROM;
                exim_fields(r, q, end, 1);
                return;
            }
            {
                const char *ae = q;
                int colon_end = ae > p && ae[-1] == ':' && (ae == end || *ae == ' ');
                if (colon_end) ae--;
                r->to = sp(p, ae);
                if (colon_end) {
                    while (q < end && *q == ' ') q++;
                    if (q < end) r->reply = sp(q, end);
                    q = end;
                }
            }
            p = q;
            while (p < end && *p == ' ') p++;
            if (p < end && *p == '(') { /* "(parent)" of a pipe/file delivery */
                q = memchr(p, ')', (size_t)(end - p));
                p = q ? q + 1 : end;
                while (p < end && *p == ' ') p++;
            }
            if (p < end && *p == '<') {
                q = memchr(p, '>', (size_t)(end - p));
                q = q ? q + 1 : end;
                r->orig_to = sp(p, q);
                if (q < end && *q == ':') { /* "** a <b>: text" */
                    q++;
                    while (q < end && *q == ' ') q++;
                    if (q < end) r->reply = sp(q, end);
                    q = end;
                }
                p = q;
            }
            exim_fields(r, p, end, 0);
            r->ev = op == 5 ? MD_EV_OTHER : MD_EV_TO;
            r->outcome = op == 2 ? MD_OUT_SENT : op == 3 ? MD_OUT_BOUNCED
                       : op == 4 ? MD_OUT_DEFERRED : MD_OUT_NONE;
            if (op == 2 && !r->relay_host.p && !r->relay_ip.p) r->flags |= MD_LF_LOCAL;
            if (op == 2) find_next_qid(r);
            return;
        }
    }
    if (r->qid.p && STARTS(p, end, "Completed")) {
        r->ev = MD_EV_REMOVED;
        return;
    }
    /* "H=(helo) [ip] F=<s> rejected RCPT <r>: text" (with or without id) */
    if ((q = FIND(p, end, " rejected ")) != NULL && (STARTS(p, end, "H=") || r->qid.p)) {
        const char *h = FIND(p, q, "H="), *f = FIND(p, q, "F=<"), *c;
        md_span dummy = {NULL, 0};
        if (h) exim_hostfield(h + 2, q, &r->client_host, &r->helo, &r->client_ip, NULL);
        if (f) {
            const char *fe = memchr(f + 2, '>', (size_t)(q - f - 2));
            r->from = sp(f + 2, fe ? fe + 1 : q);
        }
        q += 10;
        c = FIND(q, end, ": ");
        if (STARTS(q, end, "RCPT ")) {
            const char *a = q + 5, *ae = c ? c : end;
            r->to = sp(a, ae);
        }
        r->status = sp(q - 9, q - 1);
        if (c) r->reply = sp(c + 2, end);
        else r->reply = sp(q, end);
        (void)dummy;
        r->ev = MD_EV_REJECT;
        r->outcome = MD_OUT_REJECTED;
        return;
    }
}

/* ---- envelope ---------------------------------------------------------- */

void md_logctx_init(md_logctx *c, int year, int force_fmt)
{
    memset(c, 0, sizeof *c);
    c->year = year > 0 ? year : 0;
    c->force_fmt = force_fmt;
    md_logctx_set_ref(c, (int64_t)time(NULL));
}

void md_logctx_set_ref(md_logctx *c, int64_t t)
{
    c->ref_time = t;
    c->ref_year = md_logtime_year_of(t);
}

void md_logctx_set_tz(md_logctx *c, int tzoff_min)
{
    if (tzoff_min < -18 * 60 || tzoff_min > 18 * 60) tzoff_min = 0;
    c->tzoff_min = tzoff_min;
}

void md_logctx_set_local(md_logctx *c)
{
    c->local = 1;
    c->lc_key = -1;
}

/* local_off: minutes east of UTC of the local zone at that civil hour. */
static int local_off(md_logctx *c, int64_t year, const md_logtime *t)
{
    int64_t key = ((year * 13 + t->mon) * 32 + t->day) * 24 + t->hour;
    if (key == c->lc_key)
        return c->lc_off;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = (int)(year - 1900);
    tm.tm_mon = t->mon - 1;
    tm.tm_mday = t->day;
    tm.tm_hour = t->hour;
    tm.tm_isdst = -1;
    time_t u = mktime(&tm);
    int off = 0;
    if (u != (time_t)-1) {
        int64_t d = md_logtime_make(year, t->mon, t->day, t->hour, 0, 0) - (int64_t)u;
        if (d >= -18 * 3600 && d <= 18 * 3600)
            off = (int)(d / 60);
    }
    c->lc_key = key;
    c->lc_off = off;
    return off;
}

static void set_time(md_logctx *c, md_logrec *r, const md_logtime *t, int64_t year)
{
    int off = t->has_zone ? t->tzoff_min : c->local ? local_off(c, year, t) : c->tzoff_min;
    r->usec = t->usec;
    r->tzoff_min = (int16_t)off;
    if (t->has_zone) r->flags |= MD_LF_HAS_ZONE;
    r->ts = md_logtime_make(year, t->mon, t->day, t->hour, t->min, t->sec) - (int64_t)off * 60;
}

static void bsd_time(md_logctx *c, md_logrec *r, const md_logtime *t)
{
    if (c->year > 0) {
        if (c->last_mon && t->mon + 6 <= c->last_mon) {
            c->year++;
            c->rollovers++;
            r->flags |= MD_LF_ROLLOVER;
        }
        c->last_mon = t->mon;
        set_time(c, r, t, c->year);
        return;
    }
    set_time(c, r, t, c->ref_year);
    if (r->ts > c->ref_time + 86400) set_time(c, r, t, c->ref_year - 1);
    if (c->last_mon && t->mon + 6 <= c->last_mon) {
        c->rollovers++;
        r->flags |= MD_LF_ROLLOVER;
    }
    c->last_mon = t->mon;
}

static int prog_mta(md_logctx *c, md_logrec *r)
{
    const char *p = r->prog.p, *e, *s;
    if (!p || !r->prog.n) return c->force_fmt >= 0 ? c->force_fmt : MD_LOGFMT_OTHER;
    e = p + r->prog.n;
    if (STARTS(p, e, "postfix")) {
        s = e;
        while (s > p && s[-1] != '/') s--;
        if (s > p) r->daemon = sp(s, e);
        return MD_LOGFMT_POSTFIX;
    }
    if (STARTS(p, e, "sendmail") || STARTS(p, e, "sm-mta") || STARTS(p, e, "sm-msp"))
        return MD_LOGFMT_SENDMAIL;
    if (STARTS(p, e, "exim")) return MD_LOGFMT_EXIM;
    return c->force_fmt >= 0 ? c->force_fmt : MD_LOGFMT_OTHER;
}

/* "host prog[pid]: " after a syslog stamp; returns the body start. */
static const char *syslog_tail(md_logrec *r, const char *p, const char *end)
{
    const char *q;
    while (p < end && *p == ' ') p++;
    q = p;
    while (q < end && *q != ' ') q++;
    if (q == p) return NULL;
    r->host = sp(p, q);
    p = q;
    while (p < end && *p == ' ') p++;
    /* tag */
    q = p;
    while (q < end && *q != ' ' && *q != '[' && *q != ':') q++;
    if (q < end && *q == '[') {
        const char *b = memchr(q, ']', (size_t)(end - q));
        if (b && b + 1 < end && b[1] == ':') {
            r->prog = sp(p, q);
            r->pid = sp(q + 1, b);
            p = b + 2;
        } else if (b && b + 1 == end) {
            r->prog = sp(p, q);
            r->pid = sp(q + 1, b);
            p = end;
        }
    } else if (q < end && *q == ':' && q > p) {
        r->prog = sp(p, q);
        p = q + 1;
    }
    if (p < end && *p == ' ') p++;
    /* Solaris "[ID 801593 mail.info] " */
    if (STARTS(p, end, "[ID ")) {
        size_t lim = (size_t)(end - p) < 64 ? (size_t)(end - p) : 64;
        const char *b = memchr(p, ']', lim);
        if (b) {
            r->env = MD_ENV_SOLARIS;
            p = b + 1;
            if (p < end && *p == ' ') p++;
        }
    }
    return p;
}

/* Exim mainlog after "YYYY-MM-DD hh:mm:ss[.fff]": " [+0100]" / " +0100",
 * " [pid]" in either order; returns the body start. */
static const char *exim_tail(md_logrec *r, md_logtime *t, const char *p, const char *end)
{
    int k;
    for (k = 0; k < 2; k++) {
        const char *q = p;
        int z;
        size_t zn;
        while (q < end && *q == ' ') q++;
        if (q < end && *q == '[' && q + 1 < end && (q[1] == '+' || q[1] == '-')) {
            zn = md_logtime_zone(q + 1, (size_t)(end - q - 1), &z);
            if (zn && q + 1 + zn < end && q[1 + zn] == ']') {
                t->has_zone = 1;
                t->tzoff_min = z;
                p = q + 2 + zn;
                continue;
            }
        }
        if (q < end && (*q == '+' || *q == '-')) {
            zn = md_logtime_zone(q, (size_t)(end - q), &z);
            if (zn >= 5 && (q + zn == end || q[zn] == ' ')) {
                t->has_zone = 1;
                t->tzoff_min = z;
                p = q + zn;
                continue;
            }
        }
        if (q < end && *q == '[' && q + 1 < end && is_digit((unsigned char)q[1])) {
            const char *s = q + 1;
            while (s < end && is_digit((unsigned char)*s)) s++;
            if (s < end && *s == ']') {
                r->pid = sp(q + 1, s);
                p = s + 1;
                continue;
            }
        }
        break;
    }
    while (p < end && *p == ' ') p++;
    return p;
}

/* After "YYYY-MM-DD hh:mm:ss": is this "host prog[pid]: " (a syslog file
 * with a space-separated ISO stamp) rather than an Exim mainlog? */
static int looks_syslog_tail(const char *p, const char *end)
{
    const char *q;
    while (p < end && *p == ' ') p++;
    if (exim_id(p, end)) return 0;
    q = p;
    while (q < end && *q != ' ') q++;
    if (q == p || q >= end) return 0;
    p = q + 1;
    q = p;
    while (q < end && *q != ' ') q++;
    return q > p && q[-1] == ':' && q - p > 1;
}

int md_logline_parse(md_logctx *c, const char *line, size_t n, md_logrec *r)
{
    const char *p = line, *end, *body;
    md_logtime t;
    size_t k;
    memset(r, 0, sizeof *r);
    if (!line) return 0;
    if (n > MD_LIMIT_LINE) {
        n = MD_LIMIT_LINE;
        r->flags |= MD_LF_TRUNC;
    }
    while (n && (line[n - 1] == '\r' || line[n - 1] == '\n')) n--;
    end = line + n;
    /* "<pri>" as some relays write it */
    if (p < end && *p == '<') {
        const char *q = p + 1;
        while (q < end && q - p <= 4 && is_digit((unsigned char)*q)) q++;
        if (q < end && *q == '>' && q > p + 1) p = q + 1;
    }
    if (p >= end) return 0;
    if (is_alpha((unsigned char)*p)) {
        k = md_logtime_parse_bsd(p, (size_t)(end - p), &t);
        if (!k || p + k >= end || p[k] != ' ') return 0;
        r->stamp = sp(p, p + k);
        r->env = MD_ENV_BSD;
        body = syslog_tail(r, p + k, end);
        if (!body) return 0;
        bsd_time(c, r, &t);
    } else if (is_digit((unsigned char)*p)) {
        k = md_logtime_parse_iso(p, (size_t)(end - p), &t);
        if (!k || (p + k < end && p[k] != ' ')) return 0;
        r->stamp = sp(p, p + k);
        if (p[10] == 'T' || (c->force_fmt != MD_LOGFMT_EXIM && looks_syslog_tail(p + k, end))) {
            r->env = MD_ENV_ISO;
            body = syslog_tail(r, p + k, end);
            if (!body) return 0;
        } else {
            r->env = MD_ENV_EXIM;
            body = exim_tail(r, &t, p + k, end);
            r->mta = MD_LOGFMT_EXIM;
        }
        set_time(c, r, &t, t.year);
    } else {
        return 0;
    }
    r->body = sp(body, end);
    if (r->env != MD_ENV_EXIM) r->mta = prog_mta(c, r);
    switch (r->mta) {
    case MD_LOGFMT_SENDMAIL: parse_sendmail(r, body, end); break;
    case MD_LOGFMT_POSTFIX: parse_postfix(r, body, end); break;
    case MD_LOGFMT_EXIM: parse_exim(r, body, end); break;
    default:
        r->text = r->body;
        r->ev = MD_EV_OTHER;
        break;
    }
    return 1;
}

int md_logline_fmt_parse(const char *name)
{
    if (!name) return -1;
    if (strcmp(name, "sendmail") == 0) return MD_LOGFMT_SENDMAIL;
    if (strcmp(name, "postfix") == 0) return MD_LOGFMT_POSTFIX;
    if (strcmp(name, "exim") == 0) return MD_LOGFMT_EXIM;
    return -1;
}

const char *md_logline_event_name(int ev)
{
    static const char *const names[MD_EV_COUNT] = {
        "none", "other", "client", "message-id", "from", "to", "bounce-notice",
        "removed", "reject", "milter", "expired"};
    return ev >= 0 && ev < MD_EV_COUNT ? names[ev] : "";
}

const char *md_logline_outcome_name(int out)
{
    static const char *const names[MD_OUT_COUNT] = {"", "sent", "deferred", "bounced",
                                                    "expired", "rejected"};
    return out >= 0 && out < MD_OUT_COUNT ? names[out] : "";
}

const char *md_logline_env_name(int env)
{
    switch (env) {
    case MD_ENV_BSD: return "bsd";
    case MD_ENV_SOLARIS: return "solaris";
    case MD_ENV_ISO: return "iso";
    case MD_ENV_EXIM: return "exim";
    default: return "";
    }
}
