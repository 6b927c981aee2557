/* gen_postfix.c: a seeded generator of a realistic Postfix mail log for the
 * benchmark (bench/run.sh).  Not part of the product.
 *
 * usage: gen_postfix [-n LINES] [-s SEED] [-u ADDRESS] [-y YEAR] > mail.log
 *
 * Models the scenario's outbound relay "smtpout" over about a week:
 * inbound mail from the Internet to local users (LMTP to the mail store),
 * outbound mail from webmail and the cluster to the big providers
 * (Google, GMX/web.de, Microsoft), local .forward to Hotmail ("forwarded
 * as"), deferrals and bounces with Microsoft's real texts, NOQUEUE rejects,
 * anvil statistics and lost connections.  Up to 64 messages are in flight at
 * once, so their lines interleave as in a real log.  The address given with
 * -u (default jdoe@uni-potsdam.de) receives about one message in 5,000 and
 * forwards to jdoe.private@hotmail.de: `trace` and the grep pipeline look
 * for it.  Output is the same for the same seed.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/text.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static unsigned rn(unsigned n)
{
    return n ? (unsigned)(rnd() % n) : 0;
}

#define MAXL 12
#define LINE 1024
#define POOL 64

typedef struct {
    int nl, next;
    long at[MAXL];          /* seconds offset of each line from the start */
    char l[MAXL][LINE];     /* text after "host " */
    int spawn;              /* when line `spawn` is due, the child starts first (-1: none) */
    int child;              /* pool slot of the child, -1: none */
} msg;

static const char *const first[] = {"anna", "ben", "clara", "david", "eva", "felix", "greta",
                                    "hannes", "ida", "jonas", "karla", "lukas", "mia", "noah",
                                    "olga", "paul", "rosa", "simon", "tina", "uwe"};
static const char *const last[] = {"mueller", "schmidt", "schneider", "fischer", "weber",
                                   "meyer", "wagner", "becker", "schulz", "hoffmann", "koch",
                                   "richter", "klein", "wolf", "neumann", "braun"};
static const char *const extdom[] = {"gmail.com", "web.de", "gmx.de", "t-online.de",
                                     "posteo.de", "uni-hamburg.de", "tu-berlin.de",
                                     "amazon.de", "eu-west-1.amazonses.com", "github.com"};
static const char *const msdom[] = {"hotmail.de", "outlook.com", "outlook.de", "hotmail.com",
                                    "live.de", "msn.com"};

static const char *target = "jdoe@uni-potsdam.de";
static unsigned qcounter;
static unsigned pidc = 20000;

static void qid(char *out)
{
    /* classic Postfix queue id: hex, 10-11 characters */
    qcounter++;
    snprintf(out, 16, "%01X%05X%04X", (unsigned)(rnd() % 15 + 1), (qcounter * 2654435761u) & 0xFFFFF,
             (unsigned)rn(0x10000));
}

static void person(char *out, size_t n, const char *dom)
{
    snprintf(out, n, "%s.%s%u@%s", first[rn(20)], last[rn(16)], rn(300), dom);
}

static void add(msg *m, long t, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(msg *m, long t, const char *fmt, ...)
{
    if (m->nl >= MAXL)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->l[m->nl], LINE, fmt, ap);
    va_end(ap);
    m->at[m->nl++] = t;
}

typedef struct {
    const char *name;
    const char *ip;
} peer;

static const peer ours[] = {{"webmail.uni-potsdam.de", "141.89.68.3"},
                            {"webmail2.uni-potsdam.de", "141.89.68.4"},
                            {"cl-mail.uni-potsdam.de", "141.89.68.1"},
                            {"ironout.rz.uni-potsdam.de", "141.89.68.7"}};

static int ms_reply(char *out, size_t n, const char *msgid, long size, int kind)
{
    static const char *const fe[] = {"AM6PR04MB5432", "DB8PR09MB3012", "VI1PR07MB6789",
                                     "HE1PR0101MB2345"};
    if (kind == 0)
        return snprintf(out, n,
                        "250 2.6.0 %s [InternalId=%llu, Hostname=%s.eurprd04.prod.outlook.com] "
                        "%ld bytes in 0.%03u, %u.%03u KB/sec Queued mail for delivery",
                        msgid, (unsigned long long)(rnd() % 100000000000000ULL), fe[rn(4)],
                        size + 812, rn(1000), 20 + rn(200), rn(1000));
    if (kind == 1)
        return snprintf(out, n,
                        "host hotmail-com.olc.protection.outlook.com[104.47.%u.%u] said: 451 "
                        "4.7.650 The mail server [141.89.68.8] has been temporarily rate limited "
                        "due to IP reputation. For e-mail delivery information, see "
                        "https://aka.ms/postmaster (S775) [%s.eurprd04.prod.outlook.com "
                        "2026-11-2%uT1%u:0%u:42.927Z 08DBB9A4C6F5] (in reply to MAIL FROM command)",
                        rn(250), rn(250), fe[rn(4)], rn(8), rn(10), rn(10));
    return snprintf(out, n,
                    "host hotmail-com.olc.protection.outlook.com[104.47.%u.%u] said: 550 5.7.1 "
                    "Unfortunately, messages from [141.89.68.8] weren't sent. Please contact your "
                    "Internet service provider since part of their network is on our block list "
                    "(S3150). You can also refer your provider to http://mail.live.com/mail/"
                    "troubleshooting.aspx#errors. [%s.eurprd04.prod.outlook.com "
                    "2026-11-2%uT1%u:1%u:02.112Z 08DBB9A4C6F5] (in reply to MAIL FROM command)",
                    rn(250), rn(250), fe[rn(4)], rn(8), rn(10), rn(10));
}

/* One delivery line of message q to rcpt (external). */
static void deliver_ext(msg *m, long *t, const char *q, const char *rcpt, const char *orig,
                        const char *msgid, long size)
{
    const char *dom = strchr(rcpt, '@') + 1;
    char reply[700], relay[160], origbuf[600] = "";
    int ms = 0;
    for (size_t i = 0; i < sizeof msdom / sizeof msdom[0]; i++)
        if (strcmp(dom, msdom[i]) == 0)
            ms = 1;
    if (orig)
        snprintf(origbuf, sizeof origbuf, " orig_to=<%s>,", orig);
    unsigned p = rn(1000);
    unsigned pid = pidc + rn(3000);
    if (ms) {
        snprintf(relay, sizeof relay, "hotmail-com.olc.protection.outlook.com[104.47.%u.%u]:25",
                 rn(250), rn(250));
        if (p < 60) {
            ms_reply(reply, sizeof reply, msgid, size, 1);
            add(m, *t, "postfix/smtp[%u]: %s: to=<%s>,%s relay=%s, delay=1.2, delays=0.1/0/0.6/0.5, "
                "dsn=4.7.650, status=deferred (%s)", pid, q, rcpt, origbuf, relay, reply);
            *t += 600 + rn(1800);
            p = 500;
        } else if (p < 70) {
            ms_reply(reply, sizeof reply, msgid, size, 2);
            add(m, *t, "postfix/smtp[%u]: %s: to=<%s>,%s relay=%s, delay=0.9, delays=0.1/0/0.4/0.4, "
                "dsn=5.7.1, status=bounced (%s)", pid, q, rcpt, origbuf, relay, reply);
            return;
        }
        ms_reply(reply, sizeof reply, msgid, size, 0);
        add(m, *t, "postfix/smtp[%u]: %s: to=<%s>,%s relay=%s, delay=%u.%u, delays=0.1/0/0.3/%u.%u, "
            "dsn=2.6.0, status=sent (%s)", pid, q, rcpt, origbuf, relay, 1 + rn(3), rn(10), rn(2),
            rn(10), reply);
        return;
    }
    if (strcmp(dom, "gmail.com") == 0)
        snprintf(relay, sizeof relay, "gmail-smtp-in.l.google.com[142.250.%u.%u]:25", rn(250),
                 rn(250));
    else
        snprintf(relay, sizeof relay, "mx%u.%s[%u.%u.%u.%u]:25", 1 + rn(3), dom, 80 + rn(100),
                 rn(250), rn(250), 1 + rn(250));
    if (p < 15) {
        add(m, *t, "postfix/smtp[%u]: %s: to=<%s>,%s relay=%s, delay=0.4, delays=0.1/0/0.2/0.1, "
            "dsn=4.2.0, status=deferred (host %.*s said: 451 4.2.0 Greylisted, please try again "
            "later (in reply to RCPT TO command))", pid, q, rcpt, origbuf, relay,
            (int)(strchr(relay, '[') - relay), relay);
        *t += 300 + rn(900);
    } else if (p < 25) {
        add(m, *t, "postfix/smtp[%u]: %s: to=<%s>,%s relay=%s, delay=0.5, delays=0.1/0/0.2/0.2, "
            "dsn=5.1.1, status=bounced (host %.*s said: 550 5.1.1 <%s>: Recipient address "
            "rejected: User unknown in virtual mailbox table (in reply to RCPT TO command))",
            pid, q, rcpt, origbuf, relay, (int)(strchr(relay, '[') - relay), relay, rcpt);
        return;
    }
    char nq[16];
    qid(nq);
    add(m, *t, "postfix/smtp[%u]: %s: to=<%s>,%s relay=%s, delay=0.%u, delays=0.1/0/0.1/0.%u, "
        "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as %s)", pid, q, rcpt, origbuf, relay,
        rn(10), rn(10), nq);
}

static void gen_message(msg *all, int *nall, long t0)
{
    msg *m = &all[0];
    memset(m, 0, sizeof *m);
    m->spawn = -1;
    char q[16], msgid[200], sender[300], rcpt[300], cl[64], clip[32];
    unsigned pid = pidc + rn(3000);
    long t = t0;
    long size = 1500 + rn(90000);
    qid(q);
    unsigned kind = rn(100);
    int inbound = kind < 55;
    int to_target = rn(5000) == 0;
    if (inbound) {
        snprintf(cl, sizeof cl, "mail-%c%c%u.example.net", 'a' + rn(26), 'a' + rn(26), rn(99));
        snprintf(clip, sizeof clip, "198.51.%u.%u", rn(250), 1 + rn(250));
        person(sender, sizeof sender, extdom[rn(10)]);
    } else {
        const peer *p = &ours[rn(4)];
        snprintf(cl, sizeof cl, "%s", p->name);
        snprintf(clip, sizeof clip, "%s", p->ip);
        person(sender, sizeof sender, "uni-potsdam.de");
    }
    snprintf(msgid, sizeof msgid, "<%08X.%04X%u@%s>", (unsigned)rnd(), rn(0x10000), rn(1000),
             strchr(sender, '@') + 1);
    add(m, t, "postfix/smtpd[%u]: connect from %s[%s]", pid, cl, clip);
    add(m, t, "postfix/smtpd[%u]: %s: client=%s[%s]%s", pid, q, cl, clip,
        inbound ? "" : ", sasl_method=PLAIN, sasl_username=user");
    add(m, t, "postfix/cleanup[%u]: %s: message-id=%s", pidc + rn(3000), q, msgid);
    unsigned nr = 1 + (rn(10) == 0);
    add(m, t + 1, "postfix/qmgr[1021]: %s: from=<%s>, size=%ld, nrcpt=%u (queue active)", q, sender,
        size, nr);
    add(m, t + 1, "postfix/smtpd[%u]: disconnect from %s[%s] ehlo=1 mail=1 rcpt=%u data=1 quit=1 "
        "commands=%u", pid, cl, clip, nr, 4 + nr);
    t += 1 + rn(3);
    int child = 0;
    for (unsigned i = 0; i < nr; i++) {
        if (to_target && i == 0) {
            /* the traced user: local .forward to Hotmail, no copy kept */
            char nq[16];
            qid(nq);
            /* the copy is queued (cleanup) just before local logs "forwarded as" */
            m->spawn = m->nl;
            add(m, t, "postfix/local[%u]: %s: to=<%s>, relay=local, delay=0.2, "
                "delays=0.1/0/0/0.1, dsn=2.0.0, status=sent (forwarded as %s)", pidc + rn(3000),
                q, target, nq);
            msg *c = &all[1];
            memset(c, 0, sizeof *c);
            c->spawn = -1;
            long tc = t;
            add(c, tc, "postfix/cleanup[%u]: %s: message-id=%s", pidc + rn(3000), nq, msgid);
            add(c, tc, "postfix/qmgr[1021]: %s: from=<%s>, size=%ld, nrcpt=1 (queue active)", nq,
                sender, size + 300);
            tc += 1;
            deliver_ext(c, &tc, nq, "jdoe.private@hotmail.de", target, msgid, size + 300);
            add(c, tc, "postfix/qmgr[1021]: %s: removed", nq);
            child = 1;
            continue;
        }
        if (inbound) {
            if (rn(40) == 0) {
                person(rcpt, sizeof rcpt, "uni-potsdam.de");
                add(m, t, "postfix/lmtp[%u]: %s: to=<%s>, relay=mailup.uni-potsdam.de"
                    "[141.89.68.244]:24, delay=0.3, delays=0.1/0/0.1/0.1, dsn=5.1.1, "
                    "status=bounced (host mailup.uni-potsdam.de[141.89.68.244] said: 550 5.1.1 "
                    "<%s> unknown user account (in reply to RCPT TO command))", pidc + rn(3000),
                    q, rcpt, rcpt);
            } else {
                person(rcpt, sizeof rcpt, "uni-potsdam.de");
                add(m, t, "postfix/lmtp[%u]: %s: to=<%s>, relay=mailup.uni-potsdam.de"
                    "[141.89.68.244]:24, delay=0.%u, delays=0.1/0/0.1/0.%u, dsn=2.0.0, "
                    "status=sent (250 2.0.0 <%s> delivered)", pidc + rn(3000), q, rcpt, rn(10),
                    rn(10), rcpt);
            }
        } else {
            const char *dom = rn(100) < 12 ? msdom[rn(6)] : extdom[rn(10)];
            person(rcpt, sizeof rcpt, dom);
            deliver_ext(m, &t, q, rcpt, NULL, msgid, size);
        }
        t += rn(2);
    }
    add(m, t, "postfix/qmgr[1021]: %s: removed", q);
    *nall = 1 + child;
}

static void noise(char *out, size_t n, unsigned pid)
{
    unsigned k = rn(4);
    if (k == 0)
        snprintf(out, n, "postfix/smtpd[%u]: NOQUEUE: reject: RCPT from unknown[203.0.113.%u]: "
                 "554 5.7.1 Service unavailable; Client host [203.0.113.%u] blocked using "
                 "zen.spamhaus.org; from=<%s.%s@spam%u.example> to=<%s.%s%u@uni-potsdam.de> "
                 "proto=ESMTP helo=<spam%u.example>", pid, rn(250), rn(250), first[rn(20)],
                 last[rn(16)], rn(99), first[rn(20)], last[rn(16)], rn(300), rn(99));
    else if (k == 1)
        snprintf(out, n, "postfix/anvil[1033]: statistics: max connection rate %u/60s for "
                 "(smtp:198.51.%u.%u) at Nov 23 10:%02u:%02u", 1 + rn(9), rn(250), rn(250),
                 rn(60), rn(60));
    else if (k == 2)
        snprintf(out, n, "postfix/smtpd[%u]: lost connection after AUTH from unknown[203.0.113.%u]",
                 pid, rn(250));
    else
        snprintf(out, n, "postfix/smtpd[%u]: warning: hostname %u-%u.dynamic.example does not "
                 "resolve to address 203.0.113.%u: Name or service not known", pid, rn(250),
                 rn(250), rn(250));
}

int main(int argc, char **argv)
{
    long want = 2000000;
    uint64_t seed = 42;
    int year = 2026;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "-n") == 0)
            want = atol(argv[i + 1]);
        else if (strcmp(argv[i], "-s") == 0)
            seed = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "-u") == 0)
            target = argv[i + 1];
        else if (strcmp(argv[i], "-y") == 0)
            year = atoi(argv[i + 1]);
        else {
            fprintf(stderr, "usage: gen_postfix [-n LINES] [-s SEED] [-u ADDRESS] [-y YEAR]\n");
            return 2;
        }
    }
    rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
    static msg pool[POOL + 2];
    int active[POOL + 2];
    static int reserved[POOL + 2]; /* slots of children not started yet */
    int nact = 0;
    long now = 0, lines = 0;
    /* 40,000 messages a day: one new message every ~2 s */
    struct tm base = {0};
    base.tm_year = year - 1900;
    base.tm_mon = 10;
    base.tm_mday = 16;
    time_t t0 = timegm(&base);
    static char buf[1 << 16];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    char line[LINE];
    while (lines < want) {
        if (nact < POOL - 2 && rn(3) == 0) {
            /* free slots */
            int free1 = -1, free2 = -1;
            for (int i = 0; i < POOL + 2 && free2 < 0; i++) {
                int used = 0;
                for (int k = 0; k < nact; k++)
                    if (active[k] == i)
                        used = 1;
                if (reserved[i])
                    used = 1;
                if (!used) {
                    if (free1 < 0)
                        free1 = i;
                    else
                        free2 = i;
                }
            }
            msg tmp[2];
            int n = 0;
            gen_message(tmp, &n, now);
            pool[free1] = tmp[0];
            active[nact++] = free1;
            pool[free1].child = -1;
            if (n == 2 && free2 >= 0) {
                pool[free2] = tmp[1];
                pool[free2].child = -1;
                pool[free1].child = free2;   /* started when the parent forwards */
                reserved[free2] = 1;
            }
        }
        if (rn(3) == 0)
            now++;
        if (rn(20) == 0) {
            noise(line, sizeof line, pidc + rn(3000));
        } else {
            if (nact == 0)
                continue;
            int k = (int)rn((unsigned)nact);
            msg *m = &pool[active[k]];
            if (m->at[m->next] > now)
                continue; /* still waiting in the deferred queue */
            if (m->next == m->spawn && m->child >= 0) {
                /* the copy's cleanup line comes before "forwarded as" */
                msg *c = &pool[m->child];
                snprintf(line, sizeof line, "%s", c->l[0]);
                c->next = 1;
                reserved[m->child] = 0;
                if (c->next < c->nl)
                    active[nact++] = m->child;
                m->child = -1;
                goto emit;
            }
            snprintf(line, sizeof line, "%s", m->l[m->next]);
            m->next++;
            if (m->next >= m->nl)
                active[k] = active[--nact];
        }
    emit:;
        char ts[32];
        md_text_time_utc(ts, sizeof ts, (int64_t)(t0 + now), "%b %e %H:%M:%S", "");
        printf("%s smtpout %s\n", ts, line);
        lines++;
    }
    return 0;
}
