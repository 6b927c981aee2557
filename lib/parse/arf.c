/* arf.c: ARF (RFC 5965) and Microsoft JMRP complaint reports (see arf.h).
 * Reads the report part with hdrfield.h (DMARC failure reports' fields
 * too: auth_field); fixed-size copies only, a value
 * cut to fit is flagged (md_arf.cut); never prints. */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "parse/arf.h"
#include "parse/hdrfield.h"
#include "parse/received.h"
#include "base/text.h"

static void addr(char *dst, size_t n, const char *v)
{
    if (!v || md_text_addr_norm(dst, n, v, strlen(v)) != 0)
        dst[0] = '\0';
    char *sp = strpbrk(dst, " (\t");
    if (sp)
        *sp = '\0';
}

static void set_ip(md_arf *a, const char *s, size_t n, int from_orig)
{
    md_ip ip;
    size_t pos, len;
    if (md_ip_parse(&ip, s, n) == 0 || md_ip_find(s, n, &ip, &pos, &len)) {
        md_ip_format(&ip, a->source_ip, sizeof a->source_ip);
        a->source_ip_from_original = from_orig;
    }
}

/* take: the value v into dst (size n), trimmed; a value that does not fit
 * is cut and the report flagged. */
static void take(md_arf *a, char *dst, size_t n, const char *v)
{
    size_t l = strlen(v);
    md_text_copy_trim(dst, n, v, l);
    while (l && isspace((unsigned char)v[l - 1]))
        l--;
    while (l && isspace((unsigned char)*v)) {
        v++;
        l--;
    }
    if (l >= n)
        a->cut = 1;
}

/* auth_field: a field of a DMARC failure report (RFC 9991 / 6591) into a;
 * 1 when f was one */
static int auth_field(md_arf *a, const md_hdrfield *f, const char *val)
{
    static const struct {
        const char *name;
        size_t off, size;
        int lower;
    } fields[] = {
        {"Auth-Failure", offsetof(md_arf, auth_failure), sizeof ((md_arf *)0)->auth_failure, 1},
        {"DKIM-Domain", offsetof(md_arf, dkim_domain), sizeof ((md_arf *)0)->dkim_domain, 1},
        {"DKIM-Identity", offsetof(md_arf, dkim_identity), sizeof ((md_arf *)0)->dkim_identity, 0},
        {"DKIM-Selector", offsetof(md_arf, dkim_selector), sizeof ((md_arf *)0)->dkim_selector, 0},
        {"SPF-DNS", offsetof(md_arf, spf_dns), sizeof ((md_arf *)0)->spf_dns, 0},
        {"Delivery-Result", offsetof(md_arf, delivery_result),
         sizeof ((md_arf *)0)->delivery_result, 1},
        {"Identity-Alignment", offsetof(md_arf, identity_alignment),
         sizeof ((md_arf *)0)->identity_alignment, 1},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (!md_hdrfield_is(f, fields[i].name))
            continue;
        char *dst = (char *)a + fields[i].off;
        if (*dst)
            return 1; /* the first one counts */
        take(a, dst, fields[i].size, val);
        if (fields[i].lower)
            md_text_lower(dst);
        return 1;
    }
    return 0;
}

/* report_field: one field of a message/feedback-report part, its value
 * unfolded in val. */
static void report_field(md_arf *a, const md_hdrfield *f, const char *val)
{
    if (auth_field(a, f, val))
        return;
    if (md_hdrfield_is(f, "Feedback-Type")) {
        take(a, a->feedback_type, sizeof a->feedback_type, val);
        md_text_lower(a->feedback_type);
    } else if (md_hdrfield_is(f, "User-Agent"))
        take(a, a->user_agent, sizeof a->user_agent, val);
    else if (md_hdrfield_is(f, "Version"))
        take(a, a->version, sizeof a->version, val);
    else if (md_hdrfield_is(f, "Source-IP"))
        set_ip(a, val, strlen(val), 0);
    else if (md_hdrfield_is(f, "Original-Mail-From"))
        addr(a->orig_mail_from, sizeof a->orig_mail_from, val);
    else if (md_hdrfield_is(f, "Original-Rcpt-To") && !*a->orig_rcpt_to)
        addr(a->orig_rcpt_to, sizeof a->orig_rcpt_to, val);
    else if (md_hdrfield_is(f, "Reported-Domain"))
        take(a, a->reported_domain, sizeof a->reported_domain, val);
    else if (md_hdrfield_is(f, "Reporting-MTA")) {
        const char *v = strchr(val, ';') ? strchr(val, ';') + 1 : val;
        take(a, a->reporting_mta, sizeof a->reporting_mta, v);
    } else if (md_hdrfield_is(f, "Arrival-Date") || md_hdrfield_is(f, "Received-Date")) {
        take(a, a->arrival_text, sizeof a->arrival_text, val);
        md_message_parse_date(val, strlen(val), &a->arrival_date, NULL);
    }
}

/* report_fields: the "Name: value" fields of a message/feedback-report
 * part (folded ones unfolded; one over MD_LIMIT_REPORT_FIELD bytes is cut, flagged). */
static void report_fields(md_arf *a, const char *t)
{
    md_hdrfield_it it;
    md_hdrfield f;
    md_buf scratch = MD_BUF_INIT;
    char val[MD_LIMIT_REPORT_FIELD];
    md_hdrfield_init(&it, t, strlen(t), 0, 0);
    while (md_hdrfield_next(&it, &f)) {
        if (md_hdrfield_copy(&f, val, sizeof val, 0, &scratch) == 1)
            a->cut = 1;
        report_field(a, &f, val);
    }
    md_buf_free(&scratch);
}

/* from_original: what the attached original tells. */
static void from_original(md_arf *a, const md_message *o)
{
    md_text_copy_trim(a->orig_message_id, sizeof a->orig_message_id, o->message_id, strlen(o->message_id));
    md_text_copy_trim(a->orig_from, sizeof a->orig_from, o->from_addr, strlen(o->from_addr));
    md_message_addr_list(md_message_header(o, "To"), a->orig_to, sizeof a->orig_to);
    md_text_copy_trim(a->orig_subject, sizeof a->orig_subject, o->subject, strlen(o->subject));
    a->orig_date = o->date;
    const char *hm = md_message_header(o, "X-HmXmrOriginalRecipient");
    if (hm && !*a->orig_rcpt_to)
        addr(a->orig_rcpt_to, sizeof a->orig_rcpt_to, hm);
    if (!*a->orig_rcpt_to && *a->orig_to)
        md_text_copy_trim(a->orig_rcpt_to, sizeof a->orig_rcpt_to, a->orig_to, strcspn(a->orig_to, ","));
    if (!*a->orig_mail_from) {
        const char *rp = md_message_header(o, "Return-Path");
        if (rp)
            addr(a->orig_mail_from, sizeof a->orig_mail_from, rp);
    }
    md_received rc;
    md_err e;
    int have_chain = md_received_chain(&rc, o, &e) == MD_OK;
    if (!*a->source_ip) {
        const char *xo = md_message_header(o, "X-Originating-IP");
        if (xo)
            set_ip(a, xo, strlen(xo), 1);
    }
    if (!*a->source_ip && have_chain) {
        /* newest first: the first sending IP that is neither Microsoft's nor private */
        for (size_t i = rc.n; i > 0; i--) {
            const md_hop *h = &rc.hop[i - 1];
            if (!h->has_ip)
                continue;
            const char *nm = *h->rdns ? h->rdns : h->helo;
            md_ipclass c = md_received_classify(NULL, &h->ip, nm, NULL);
            if (c == MD_IPCLASS_OTHER) {
                snprintf(a->source_ip, sizeof a->source_ip, "%s", h->ipstr);
                a->source_ip_from_original = 1;
                break;
            }
        }
    }
    if (!a->arrival_date && have_chain && rc.n && rc.hop[rc.n - 1].has_date) {
        a->arrival_date = rc.hop[rc.n - 1].date;
        md_text_copy_trim(a->arrival_text, sizeof a->arrival_text, rc.hop[rc.n - 1].date_text,
            strlen(rc.hop[rc.n - 1].date_text));
    }
    if (!a->arrival_date && o->date) {
        a->arrival_date = o->date;
        md_text_copy_trim(a->arrival_text, sizeof a->arrival_text, o->date_text, strlen(o->date_text));
    }
    if (have_chain)
        md_received_free(&rc);
}

int md_arf_parse(md_arf *a, const md_message *m)
{
    memset(a, 0, sizeof *a);
    if (!m)
        return 0;
    const md_msg_part *rep = NULL, *orig = NULL;
    int report = 0;
    for (size_t i = 0; i < m->npart; i++) {
        const md_msg_part *p = &m->part[i];
        if (!strcmp(p->type, "multipart/report") && !strcmp(p->report_type, "feedback-report"))
            report = 1;
        if (!strcmp(p->type, "message/feedback-report") && p->text && !rep)
            rep = p;
        else if (p->inner && !orig)
            orig = p;
    }
    int legacy = md_text_casestr(m->subject, strlen(m->subject), "complaint about message from") != NULL &&
                 (md_text_casestr(m->from_addr, strlen(m->from_addr), "hotmail.com") ||
                  md_text_casestr(m->from_addr, strlen(m->from_addr), "outlook.com") ||
                  md_text_casestr(m->from_addr, strlen(m->from_addr), "microsoft.com"));
    if (!rep && !report && !legacy)
        return 0;
    if (rep) {
        report_fields(a, rep->text);
        a->form = MD_ARF_RFC5965;
        if (md_text_casestr(a->user_agent, strlen(a->user_agent), "JMRP")) {
            a->form = MD_ARF_JMRP_MINIMAL;
            a->microsoft = 1;
        }
    } else if (legacy) {
        a->form = MD_ARF_JMRP_LEGACY;
        a->microsoft = 1;
        snprintf(a->feedback_type, sizeof a->feedback_type, "abuse");
        const char *s = md_text_casestr(m->subject, strlen(m->subject), "message from");
        if (s)
            set_ip(a, s + 12, strlen(s + 12), 0);
    } else {
        a->form = MD_ARF_RFC5965;
    }
    if (md_text_casestr(m->from_addr, strlen(m->from_addr), "hotmail.com") ||
        md_text_casestr(m->from_addr, strlen(m->from_addr), "outlook.com"))
        a->microsoft = 1;
    if (orig && orig->inner)
        from_original(a, orig->inner);
    if (!*a->feedback_type)
        snprintf(a->feedback_type, sizeof a->feedback_type, "abuse");
    return 1;
}

