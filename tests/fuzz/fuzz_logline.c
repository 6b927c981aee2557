/* fuzz_logline.c: the log line parser (lib/parse/logline.c) with the reply
 * classifier (lib/parse/reply.c) on its replies.  The input is parsed line by line
 * (with a year and with year inference, as sendmail/postfix/exim forced and
 * detected) and as one line.  Every span must lie inside its line, an
 * unrecognised line must leave the record empty, and names must exist. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "parse/logline.h"
#include "parse/reply.h"

static const char *lo, *hi;

static void in_line(md_span s)
{
    if (!s.p) {
        if (s.n) abort();
        return;
    }
    if (s.p < lo || s.p + s.n > hi || s.p + s.n < s.p) abort();
}

static void check(const md_logrec *r, int ok)
{
    const md_span *all[] = {&r->stamp, &r->host, &r->prog, &r->daemon, &r->pid, &r->body,
        &r->qid, &r->text, &r->from, &r->msgid, &r->size, &r->nrcpts, &r->proto,
        &r->client_host, &r->client_ip, &r->helo, &r->uid, &r->to, &r->to_all, &r->orig_to,
        &r->ctladdr, &r->relay_host, &r->relay_ip, &r->relay_port, &r->mailer, &r->router,
        &r->delay, &r->xdelay, &r->delays, &r->dsn, &r->status, &r->reply, &r->new_qid,
        &r->bounce_of};
    size_t i;
    for (i = 0; i < sizeof all / sizeof all[0]; i++) in_line(*all[i]);
    if (!ok && (r->ev != MD_EV_NONE || r->host.p || r->qid.p)) abort();
    if (ok && r->ev == MD_EV_NONE) abort();
    if (!md_logline_event_name(r->ev)[0] || r->outcome < 0 || r->outcome >= MD_OUT_COUNT) abort();
    if (r->exim_op[2] != '\0') abort();
    if (r->reply.p) {
        md_reply rp;
        md_ip ip;
        md_reply_classify(&rp, r->reply.p, r->reply.n, r->relay_host.p, r->relay_host.n);
        lo = r->reply.p;
        hi = r->reply.p + r->reply.n;
        in_line(rp.ms_code);
        in_line(rp.internal_id);
        in_line(rp.quoted_msgid);
        in_line(rp.server);
        if (rp.named_ip[0] && md_ip_parse(&ip, rp.named_ip, strlen(rp.named_ip)) != 0) abort();
        if (rp.reason < 0 || rp.reason >= MD_RSN_COUNT) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int modes[][2] = {{2016, -1}, {0, -1}, {2016, MD_LOGFMT_EXIM},
                                   {2016, MD_LOGFMT_SENDMAIL}, {2016, MD_LOGFMT_POSTFIX}};
    const char *p = (const char *)data, *end = p + size;
    size_t m;
    md_logrec r;
    for (m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        md_logctx c;
        const char *q = p;
        md_logctx_init(&c, modes[m][0], modes[m][1]);
        md_logctx_set_ref(&c, 1461420387);
        while (q < end) {
            const char *nl = memchr(q, '\n', (size_t)(end - q));
            const char *e = nl ? nl : end;
            int ok = md_logline_parse(&c, q, (size_t)(e - q), &r);
            lo = q;
            hi = e;
            check(&r, ok);
            q = nl ? nl + 1 : end;
        }
        if (m == 0) {
            int ok = md_logline_parse(&c, p, size, &r);
            lo = p;
            hi = end;
            check(&r, ok);
        }
    }
    return 0;
}
