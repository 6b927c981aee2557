/* msgshow.c: one message's header evidence as text (see msgshow.h).
 * Reads only the parsed message and the configuration; never prints. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "parse/arc.h"
#include "parse/arf.h"
#include "parse/authres.h"
#include "parse/dsn.h"
#include "parse/msantispam.h"
#include "render/msgshow.h"
#include "parse/received.h"
#include "base/text.h"

typedef struct ctx {
    md_buf *out;        /* final text (terminal-safe) */
    const md_config *cfg;
    int flags;
} ctx;

/* put: append s, with third-party local parts redacted and made safe. */
static void put(ctx *c, const char *s)
{
    md_buf red = MD_BUF_INIT;
    if (!(c->flags & MD_SHOW_NO_REDACT) && strchr(s, '@')) {
        /* keep the addresses of our own domains */
        char keepbuf[8][MD_LIMIT_ADDR];
        const char *keep[9];
        size_t nk = 0;
        for (const char *at = strchr(s, '@'); at && nk < 8; at = strchr(at + 1, '@')) {
            const char *b = at, *e = at + 1;
            while (b > s && !strchr(" \t<>\"'(),;:[]", b[-1]))
                b--;
            while (*e && !strchr(" \t<>\"'(),;:[]", *e))
                e++;
            if (md_text_addr_norm(keepbuf[nk], sizeof keepbuf[nk], b, (size_t)(e - b)) == 0 &&
                c->cfg && md_config_is_our_domain(c->cfg, md_text_addr_domain(keepbuf[nk])))
                nk++;
        }
        for (size_t i = 0; i < nk; i++)
            keep[i] = keepbuf[i];
        keep[nk] = NULL;
        md_text_redact_line(&red, s, strlen(s), keep);
        s = md_buf_cstr(&red);
    }
    /* terminal-safe line by line: the line breaks are ours */
    while (*s) {
        size_t k = strcspn(s, "\n");
        md_text_terminal(c->out, s, k);
        s += k;
        if (*s == '\n') {
            md_buf_putc(c->out, '\n');
            s++;
        }
    }
    md_buf_free(&red);
}

static void putf(ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(ctx *c, const char *fmt, ...)
{
    md_buf b = MD_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    md_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    put(c, md_buf_cstr(&b));
    md_buf_free(&b);
}

/* put_id: a Message-ID (looks like an address, is none: never redacted). */
static void put_id(ctx *c, const char *label, const char *id)
{
    int f = c->flags;
    c->flags |= MD_SHOW_NO_REDACT;
    putf(c, "%s%s\n", label, *id ? id : "(none)");
    c->flags = f;
}

static const char *when(int64_t t, char *dst, size_t n)
{
    return md_text_time(dst, n, t, "%Y-%m-%d %H:%M:%S %z", "-");
}

static void summary(ctx *c, const md_message *m, const char *kind)
{
    char d[64], fl[512];
    put_id(c, "Message-ID: ", m->message_id);
    putf(c, "From:       %s\n", m->from);
    putf(c, "To:         %s\n", m->to);
    putf(c, "Subject:    %s\n", m->subject);
    putf(c, "Date:       %s (%s)\n", m->date_text, when(m->date, d, sizeof d));
    putf(c, "Kind:       %s\n", kind);
    if (m->flags)
        putf(c, "Problems:   %s\n", md_message_flags_text(m->flags, fl, sizeof fl));
}

static void hop_from(const md_hop *h, char *dst, size_t n)
{
    if (!h->parsed) {
        snprintf(dst, n, "(unparsed)");
        return;
    }
    const char *name = *h->helo ? h->helo : "?";
    if (*h->rdns && strcmp(h->rdns, h->helo))
        snprintf(dst, n, "%.100s (%.100s%s%s)", name, h->rdns, *h->ipstr ? " " : "", h->ipstr);
    else if (*h->ipstr && strcmp(name, h->ipstr) && strstr(name, h->ipstr) == NULL)
        snprintf(dst, n, "%.100s [%s]", name, h->ipstr);
    else
        snprintf(dst, n, "%.200s", name);
}

static void chain(ctx *c, const md_message *m)
{
    md_received rc;
    md_err e;
    if (md_received_chain(&rc, m, &e) != MD_OK || !rc.n) {
        put(c, "\nReceived chain: none\n");
        return;
    }
    char tot[64] = "";
    if (rc.has_total)
        md_received_delay_text(rc.total_delay, tot, sizeof tot);
    putf(c, "\nReceived chain (oldest first, %zu hop%s%s%s):\n", rc.n, rc.n == 1 ? "" : "s",
         rc.has_total ? ", total " : "", tot);
    if (rc.truncated)
        putf(c, "  (%zu Received headers: only the newest %d are shown)\n", rc.total_headers,
             MD_LIMIT_RECEIVED);
    putf(c, "  %-3s %-48s %-36s %-14s %-23s %s\n", "hop", "from", "by", "with", "time", "delay");
    for (size_t i = 0; i < rc.n; i++) {
        const md_hop *h = &rc.hop[i];
        char from[256], d[64], dl[64] = "", with[15];
        hop_from(h, from, sizeof from);
        snprintf(with, sizeof with, "%.14s", h->with);
        if (h->has_delay)
            md_received_delay_text(h->delay, dl, sizeof dl);
        putf(c, "  %-3d %-48s %-36s %-14s %-23s %s\n", h->index, from, h->by, with,
             h->has_date ? when(h->date, d, sizeof d) : "-", dl);
        if (h->has_date && h->date_no_zone)
            put(c, "      (date without time zone: read as UTC)\n");
        if (*h->id || *h->for_addr)
            putf(c, "      %s%s%s%s\n", *h->id ? "id " : "", h->id, *h->for_addr ? " for " : "",
                 h->for_addr);
        if (!h->parsed || (c->flags & MD_SHOW_RAW_HOPS))
            putf(c, "      raw: %s\n", h->raw);
    }
    /* IPs and their class */
    put(c, "\nIPs in the chain:\n");
    char ours[1024] = "";
    size_t ol = 0;
    for (size_t i = 0; i < rc.n; i++) {
        const md_hop *h = &rc.hop[i];
        if (!h->has_ip)
            continue;
        int seen = 0;
        for (size_t j = 0; j < i; j++)
            seen |= rc.hop[j].has_ip && md_ip_equal(&rc.hop[j].ip, &h->ip);
        if (seen)
            continue;
        const md_host *host = NULL;
        md_ipclass cls = md_received_classify(c->cfg, &h->ip, *h->rdns ? h->rdns : h->helo, &host);
        if (cls == MD_IPCLASS_OURS) {
            putf(c, "  %-40s ours%s%s%s%s%s (hop %d)\n", h->ipstr, host ? " " : "",
                 host ? host->name : "", host && *host->role ? ", " : "",
                 host ? host->role : "", "", h->index);
            int k = snprintf(ours + ol, sizeof ours - ol, "%s%s%s%s%s", ol ? ", " : "", h->ipstr,
                             host ? " (" : "", host ? host->name : "", host ? ")" : "");
            if (k > 0 && (size_t)k < sizeof ours - ol)
                ol += (size_t)k;
        } else {
            putf(c, "  %-40s %s (hop %d)\n", h->ipstr, md_received_class_name(cls), h->index);
        }
    }
    if (*ours)
        putf(c, "Our IPs in this chain (Microsoft evaluates all of them): %s\n", ours);
    else
        put(c, "Our IPs in this chain: none\n");
    md_received_free(&rc);
}

static void auth(ctx *c, const md_message *m)
{
    static const char *const hdrs[] = {"Authentication-Results", "ARC-Authentication-Results"};
    int any = 0;
    for (size_t k = 0; k < 2; k++) {
        size_t pos = 0;
        const md_msg_header *f;
        while ((f = md_message_header_next(m, hdrs[k], &pos)) != NULL) {
            md_authres ar;
            md_authres_parse(&ar, f->value);
            if (!any++)
                put(c, "\nAuthentication:\n");
            putf(c, "  %s%s by %s:\n", hdrs[k], ar.arc_instance ? " (ARC)" : "",
                 *ar.authserv ? ar.authserv : "?");
            for (size_t i = 0; i < ar.n; i++) {
                const md_authres_item *it = &ar.item[i];
                putf(c, "    %-9s %-10s%s%s%s%s\n", it->method, it->result,
                     *it->domain ? " " : "", it->domain, *it->reason ? " reason=" : "",
                     it->reason);
                if (!strcmp(it->method, "compauth") && *md_authres_compauth_text(it->reason))
                    putf(c, "              (%s)\n", md_authres_compauth_text(it->reason));
            }
        }
    }
    size_t pos = 0;
    const md_msg_header *f;
    while ((f = md_message_header_next(m, "Received-SPF", &pos)) != NULL) {
        md_authres_item it;
        md_authres_parse_spf(&it, f->value);
        if (!any++)
            put(c, "\nAuthentication:\n");
        putf(c, "  Received-SPF: %s%s%s\n", it.result, *it.domain ? " " : "", it.domain);
    }
    pos = 0;
    while ((f = md_message_header_next(m, "DKIM-Signature", &pos)) != NULL) {
        char d[256], s[128];
        md_authres_dkim_sig(f->value, d, sizeof d, s, sizeof s);
        if (!any++)
            put(c, "\nAuthentication:\n");
        putf(c, "  DKIM-Signature: d=%s s=%s\n", d, s);
    }
}

static void antispam(ctx *c, const md_message *m)
{
    md_msantispam as;
    md_msantispam_from_message(&as, m);
    if (!as.present)
        return;
    char sum[512], buf[128];
    putf(c, "\nMicrosoft antispam: %s\n", md_msantispam_summary(&as, sum, sizeof sum));
    for (size_t i = 0; i < as.n; i++) {
        const md_msas_field *f = &as.f[i];
        const char *label = md_msantispam_label(f->key);
        const char *mean = md_msantispam_meaning(f->key, f->value, buf, sizeof buf);
        if (!*f->value && !*mean)
            continue;
        putf(c, "  %-5s %-28s %s%s%s\n", f->key, f->value, *label ? label : "(unknown field)",
             *mean ? ": " : "", mean);
    }
    if (as.org_scl > -2)
        putf(c, "  X-MS-Exchange-Organization-SCL %d: %s\n", as.org_scl,
             md_msantispam_scl_text(as.org_scl));
}

/* mailbox: where Outlook.com filed the message (X-Microsoft-Antispam-
 * Mailbox-Delivery) */
static void mailbox(ctx *c, const md_message *m)
{
    md_msmbx d;
    md_msmbx_from_message(&d, m);
    if (!d.present)
        return;
    char w[512];
    md_msmbx_sentence(&d, w, sizeof w);
    putf(c, "\nOutlook.com mailbox delivery: %s\n", *w ? w : "no folder (dest) given");
    const char *k[][2] = {{"ucf", d.ucf}, {"jmr", d.jmr}, {"auth", d.auth}, {"ENG", d.eng}};
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
        if (k[i][1][0])
            putf(c, "  %-5s %s%s\n", k[i][0], k[i][1], i == 3 ? "  (filter rules that hit)" : "");
}

/* forwarding: the ARC sets and whether the Return-Path is SRS */
static void forwarding(ctx *c, const md_message *m)
{
    md_arc *a = malloc(sizeof *a);
    if (!a)
        return;
    md_arc_from_message(a, m);
    const char *rp = md_message_header(m, "Return-Path");
    const char *srs = md_srs_kind(rp);
    size_t others = 0;      /* sets not sealed by Microsoft itself */
    for (size_t i = 0; i < a->n; i++)
        others += !md_arc_microsoft_sealer(a->set[i].seal_d);
    if (a->n || srs)
        put(c, "\nForwarding authentication:\n");
    if (srs)
        putf(c, "  Return-Path in %s form: the envelope sender was rewritten (SRS)\n", srs);
    else if (others && rp)
        put(c, "  Return-Path not in SRS form: the envelope sender was not rewritten\n");
    for (size_t i = 0; i < a->n; i++) {
        const md_arc_set *s = &a->set[i];
        putf(c, "  ARC set i=%d: %s%s%s%s%s%s%s\n", s->instance,
             s->has_seal ? "sealed by d=" : "no ARC-Seal", s->seal_d,
             s->has_seal ? " s=" : "", s->seal_s, s->has_seal ? " cv=" : "",
             s->has_seal ? (s->cv[0] ? s->cv : "(none given)") : "",
             md_arc_microsoft_sealer(s->seal_d) ? " (Microsoft's own seal: no forward)" : "");
        if (s->has_aar)
            putf(c, "    ARC-Authentication-Results by %s: %s\n",
                 s->aar_authserv[0] ? s->aar_authserv : "(unnamed)", s->aar[0] ? s->aar : "(none)");
        if (!s->has_ams)
            put(c, "    no ARC-Message-Signature\n");
    }
    if (a->bad)
        put(c, "  (an ARC header without a usable i= was left out)\n");
    free(a);
}

/* bounce_extras: the refused SMTP command, Microsoft's banned-IP remedy and
 * the authentication results a refusal names */
static void bounce_extras(ctx *c, const md_dsn_rcpt *r)
{
    if (*r->command)
        putf(c, "    refused at the SMTP command %s\n", r->command);
    if (*r->side)
        putf(c, "    about the %s%s\n", r->side,
             !strcmp(r->side, "sender") ? " (the envelope sender, its domain or the sending host)"
             : !strcmp(r->side, "message") ? " (its content or form)" : "");
    if (r->banned_ip)
        putf(c, "    banned sending IP: the remedy is Microsoft's delist portal "
                "(sender.office.com), not the sender-support form\n");
    if (*r->auth_spf || *r->auth_dkim || *r->auth_dmarc)
        putf(c, "    authentication results named: SPF %s, DKIM %s, DMARC %s\n",
             *r->auth_spf ? r->auth_spf : "-", *r->auth_dkim ? r->auth_dkim : "-",
             *r->auth_dmarc ? r->auth_dmarc : "-");
}

static void bounce(ctx *c, const md_dsn *d)
{
    char t[64];
    putf(c, "\nBounce (%s, %s):\n", d->kind == MD_DSN_RFC3464 ? "RFC 3464 report" : "text only",
         d->vendor);
    if (*d->reporting_mta)
        putf(c, "  Reporting-MTA: %s\n", d->reporting_mta);
    if (*d->arrival_text)
        putf(c, "  Arrival-Date:  %s (%s)\n", d->arrival_text, when(d->arrival_date, t, sizeof t));
    if (*d->orig_message_id)
        put_id(c, "  Original Message-ID: ", d->orig_message_id);
    for (size_t i = 0; i < d->n; i++) {
        const md_dsn_rcpt *r = &d->rcpt[i];
        char code[16] = "-";
        if (r->reply_code)
            snprintf(code, sizeof code, "%d", r->reply_code);
        int show_orig = *r->orig_rcpt && strcmp(r->orig_rcpt, r->final_rcpt);
        putf(c, "  Recipient %s%s%s%s\n", r->final_rcpt, show_orig ? " (original " : "",
             show_orig ? r->orig_rcpt : "", show_orig ? ")" : "");
        putf(c, "    action %s, status %s%s, reply %s, reason %s, %s\n",
             *r->action ? r->action : "failed", *r->status ? r->status : "-",
             r->status_derived ? " (derived from the reply code)"
             : r->status_from_text ? " (from the text)" : "", code,
             *r->reason ? r->reason : "-", r->hard ? "hard" : "soft");
        if (*r->remote_mta)
            putf(c, "    remote MTA %s\n", r->remote_mta);
        if (r->microsoft)
            putf(c, "    answered by Microsoft%s%s\n", *r->named_ip ? "; the IP it names: " : "",
                 r->named_ip);
        else if (*r->named_ip)
            putf(c, "    IP named in the text: %s\n", r->named_ip);
        if (*r->ms_bracket)
            putf(c, "    Microsoft's server/time/id: %s\n", r->ms_bracket);
        bounce_extras(c, r);
        if (*r->diag)
            putf(c, "    diagnostic: %s\n", r->diag);
    }
    if (d->truncated)
        putf(c, "  (more than %d recipients: the rest not shown)\n", MD_DSN_MAX_RCPT);
}

/* the fields of a DMARC failure report (RFC 9991): which check failed */
static void auth_failure(ctx *c, const md_arf *a)
{
    putf(c, "  Auth-Failure:       %s\n", *a->auth_failure ? a->auth_failure : "(not given)");
    if (*a->reported_domain)
        putf(c, "  Reported-Domain:    %s\n", a->reported_domain);
    if (*a->dkim_domain)
        putf(c, "  DKIM-Domain:        %s%s%s\n", a->dkim_domain, *a->dkim_selector ? ", selector " : "",
             a->dkim_selector);
    if (*a->dkim_identity)
        putf(c, "  DKIM-Identity:      %s\n", a->dkim_identity);
    if (*a->spf_dns)
        putf(c, "  SPF-DNS:            %s\n", a->spf_dns);
    if (*a->identity_alignment)
        putf(c, "  Identity-Alignment: %s\n", a->identity_alignment);
    if (*a->delivery_result)
        putf(c, "  Delivery-Result:    %s\n", a->delivery_result);
}

static void complaint(ctx *c, const md_arf *a)
{
    char t[64];
    putf(c, "\n%s (%s%s):\n", md_arf_is_auth_failure(a) ? "DMARC failure report" : "Complaint",
         md_arf_form_name(a->form), a->microsoft ? ", Microsoft" : "");
    putf(c, "  Feedback-Type: %s\n", a->feedback_type);
    if (*a->user_agent)
        putf(c, "  User-Agent:    %s %s\n", a->user_agent, a->version);
    putf(c, "  Source IP:     %s%s\n", *a->source_ip ? a->source_ip : "(unknown)",
         a->source_ip_from_original ? " (from the attached original's headers)" : "");
    if (*a->arrival_text || a->arrival_date)
        putf(c, "  Arrival:       %s\n", when(a->arrival_date, t, sizeof t));
    if (*a->orig_mail_from)
        putf(c, "  Original sender:    %s\n", a->orig_mail_from);
    if (*a->orig_rcpt_to)
        putf(c, "  Original recipient: %s\n", a->orig_rcpt_to);
    if (*a->orig_message_id)
        put_id(c, "  Original Message-ID: ", a->orig_message_id);
    if (*a->orig_subject)
        putf(c, "  Original Subject:    %s\n", a->orig_subject);
    if (md_arf_is_auth_failure(a))
        auth_failure(c, a);
    if (a->cut)
        putf(c, "  (a report field too long: kept cut)\n");
}

static void render(ctx *c, const md_message *m, int depth)
{
    md_arf a;
    md_dsn *d = calloc(1, sizeof *d);
    int is_arf = md_arf_parse(&a, m);
    int is_dsn = !is_arf && d && md_dsn_parse(d, m);
    const char *kind = is_arf ? (md_arf_is_auth_failure(&a) ? "DMARC failure report (feedback report)"
                                                            : "complaint (feedback report)")
                       : is_dsn ? "bounce" : "message";
    summary(c, m, kind);
    chain(c, m);
    auth(c, m);
    antispam(c, m);
    mailbox(c, m);
    forwarding(c, m);
    if (is_dsn)
        bounce(c, d);
    if (is_arf)
        complaint(c, &a);
    free(d);
    if (depth > 0)
        return;
    for (size_t i = 0; i < m->npart; i++) {
        const md_msg_part *p = &m->part[i];
        if (!p->inner)
            continue;
        putf(c, "\n---- attached %s (part %d) ----\n", p->type, p->index);
        render(c, p->inner, depth + 1);
    }
}

int md_msgshow_render(md_buf *out, const md_message *m, const md_config *cfg, int flags)
{
    ctx c = {out, cfg, flags};
    render(&c, m, 0);
    return out->oom ? MD_ERR_NOMEM : MD_OK;
}
