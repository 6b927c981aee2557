/* hdrev.c: a thread's header evidence in plain words, added to its
 * verdict: where Outlook.com filed a stored copy (X-Microsoft-Antispam-
 * Mailbox-Delivery), and how a forwarded copy was authenticated (the
 * envelope sender rewritten with SRS or not, DKIM intact or broken, an ARC
 * set added), with what that explains of a refusal.  Every sentence cites
 * the stored message it comes from (the thread's cite: md_an_cite_thread
 * already cites every stored message of the thread) or the log line it
 * reads (added here): a forwarded copy in the logs says whether its
 * envelope sender (from=) is in SRS form.  Part of the ticket analysis (analysis_int.h). */
#include "dossier/analysis_int.h"
#include "parse/arc.h"

/* what one stored message's rows say */
typedef struct hdrfacts {
    char dest[8], ofr[64], rf[64];
    char srs[8], rp_domain[256];     /* srs0 / srs1 / none, "" unread */
    char dkim[32], dkim_props[256];  /* Authentication-Results' dkim=, the first */
    char arc_cv[24], arc_props[256], arc_aar[256];  /* the highest ARC set */
    int arc_i;
} hdrfacts;

static void cp(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s ? s : "");
}

/* arc_sealer: the d= of an arc-set row's props */
static void arc_sealer(const char *props, char *d, size_t n)
{
    const char *p = strstr(props, " d=");
    size_t k = p ? strcspn(p + 3, " ") : 0;
    snprintf(d, n, "%.*s", (int)k, p ? p + 3 : "");
}

static int on_hdr_row(void *arg, const md_msg_authrow *a)
{
    hdrfacts *f = arg;
    if (!strcmp(a->source, "X-Microsoft-Antispam-Mailbox-Delivery")) {
        if (!strcmp(a->method, "dest") && !f->dest[0])
            cp(f->dest, sizeof f->dest, a->result);
        else if (!strcmp(a->method, "ofr") && !f->ofr[0])
            cp(f->ofr, sizeof f->ofr, a->result);
        else if (!strcmp(a->method, "rf") && !f->rf[0])
            cp(f->rf, sizeof f->rf, a->result);
    } else if (!strcmp(a->source, "Return-Path") && !strcmp(a->method, "srs")) {
        cp(f->srs, sizeof f->srs, a->result);
        cp(f->rp_domain, sizeof f->rp_domain, a->props);
    } else if (!strcmp(a->source, "Authentication-Results") &&
               !md_text_casecmp(a->method, "dkim") && !f->dkim[0]) {
        cp(f->dkim, sizeof f->dkim, a->result);
        cp(f->dkim_props, sizeof f->dkim_props, a->props);
    } else if (!strcmp(a->source, "ARC-Seal") && !strcmp(a->method, "arc-set")) {
        int i = atoi(a->props + (strncmp(a->props, "i=", 2) ? 0 : 2));
        char d[128];
        arc_sealer(a->props, d, sizeof d);
        if (i >= f->arc_i && !md_arc_microsoft_sealer(d)) {
            f->arc_i = i;
            cp(f->arc_cv, sizeof f->arc_cv, a->result);
            cp(f->arc_props, sizeof f->arc_props, a->props);
            cp(f->arc_aar, sizeof f->arc_aar, a->reason);
        }
    }
    return 0;
}

/* sentence: start a new sentence of the verdict */
static void sentence(thread *t)
{
    if (t->verdict.len)
        md_buf_puts(&t->verdict, md_buf_cstr(&t->verdict)[t->verdict.len - 1] == '.' ? " " : ". ");
}

/* say_mailbox: where Outlook.com filed the copy */
static void say_mailbox(thread *t, const hdrfacts *f)
{
    md_msmbx d;
    memset(&d, 0, sizeof d);
    d.present = 1;
    cp(d.dest, sizeof d.dest, f->dest);
    cp(d.ofr, sizeof d.ofr, f->ofr);
    cp(d.rf, sizeof d.rf, f->rf);
    char w[512];
    md_msmbx_sentence(&d, w, sizeof w);
    sentence(t);
    md_buf_printf(&t->verdict, "Outlook.com %s the stored copy %s, according to its "
                  "X-Microsoft-Antispam-Mailbox-Delivery header.", "filed",
                  w + strlen("filed "));
}

/* dkim_text: the sentence part on DKIM: the result at the last hop, and,
 * when it failed there and passed at the ARC sealer, that the forward
 * broke it */
static void dkim_text(thread *t, const hdrfacts *f, int broken)
{
    if (!f->dkim[0])
        return;
    md_buf_printf(&t->verdict, "; its Authentication-Results give dkim=%s%s%s%s", f->dkim,
                  f->dkim_props[0] ? " (" : "", f->dkim_props, f->dkim_props[0] ? ")" : "");
    if (broken && strstr(f->arc_aar, "dkim=pass"))
        md_buf_printf(&t->verdict, ", after dkim=pass at the sealer of ARC set i=%d: the "
                      "forward broke the DKIM signature", f->arc_i);
}

/* say_forward: SRS, DKIM and ARC of a copy that shows a forward (an ARC
 * set not Microsoft's own, or an SRS Return-Path); what no SRS and a
 * failed DKIM can explain */
static void say_forward(thread *t, const hdrfacts *f)
{
    if (!f->srs[0] && !f->arc_i)
        return;
    int srs = !strcmp(f->srs, "srs0") || !strcmp(f->srs, "srs1");
    if (!srs && !f->arc_i)
        return;     /* a plain Return-Path alone shows no forward */
    int broken = !md_text_casecmp(f->dkim, "fail") || !md_text_casecmp(f->dkim, "permerror");
    sentence(t);
    md_buf_puts(&t->verdict, "The stored copy was forwarded");
    if (srs)
        md_buf_printf(&t->verdict, " with its envelope sender rewritten by SRS (Return-Path "
                      "in %s form, domain %s)", !strcmp(f->srs, "srs0") ? "SRS0" : "SRS1",
                      f->rp_domain[0] ? f->rp_domain : "not given");
    else if (!strcmp(f->srs, "none"))
        md_buf_printf(&t->verdict, " without SRS (its Return-Path keeps the domain %s of the "
                      "original sender)", f->rp_domain[0] ? f->rp_domain : "(none)");
    dkim_text(t, f, broken);
    if (f->arc_i) {
        char d[128];
        arc_sealer(f->arc_props, d, sizeof d);
        md_buf_printf(&t->verdict, "; ARC set i=%d was added and sealed by %s with cv=%s%s%s",
                      f->arc_i, d[0] && strcmp(d, "-") ? d : "(no d=)", f->arc_cv,
                      f->arc_aar[0] ? ", recording on arrival " : "", f->arc_aar);
    }
    md_buf_putc(&t->verdict, '.');
    if (!strcmp(f->srs, "none") && broken) {
        md_buf_puts(&t->verdict, " Without SRS, SPF is checked for the domain of the original "
                    "sender against the IP of the forwarder, and DKIM failed on arrival: neither "
                    "can align for DMARC");
        if (t->oc == OC_REJECTED || t->oc == OC_BOUNCED)
            md_buf_puts(&t->verdict, ", which can explain a refusal for authentication "
                        "(such as 550 5.7.515)");
        else if (!md_text_casecmp(f->dest, "J"))
            md_buf_puts(&t->verdict, ", which can explain its filing in Junk");
        md_buf_putc(&t->verdict, '.');
    }
}

/* auth_refusal: the DSN of an attempt of m to Microsoft refused for
 * authentication (5.7.515 authentication level, 5.7.509 DMARC), or NULL */
static const md_trace_dlv *auth_refusal(const md_trace_msg *m)
{
    for (size_t i = 0; i < m->ndlvs; i++)
        if (m->dlvs[i].ms && m->dlvs[i].dsn &&
            (!strcmp(m->dlvs[i].dsn, "5.7.515") || !strcmp(m->dlvs[i].dsn, "5.7.509")))
            return &m->dlvs[i];
    return NULL;
}

/* say_logforward: a forwarded copy in the logs: its envelope sender in SRS
 * form, or the original sender's domain kept (said only for a domain not
 * ours: our own domains' SPF lists our IPs); a refusal for authentication
 * it explains */
static void say_logforward(ctx *c, thread *t, size_t mi)
{
    const md_trace_msg *m = &c->tr->msgs[mi];
    if (!m->sender_known || !m->sender || !m->sender[0])
        return;
    const char *srs = md_srs_kind(m->sender);
    const char *dom = md_text_addr_domain(m->sender);
    if (!srs && (!dom[0] || md_config_is_our_domain(c->cfg, dom)))
        return;
    size_t line = m->nlines;
    for (size_t i = 0; i < m->nlines && line == m->nlines; i++)
        if (m->lines[i].text &&
            md_text_casestr(m->lines[i].text, strlen(m->lines[i].text), m->sender))
            line = i;
    if (line == m->nlines)
        return;     /* no line to cite */
    md_cite_add(&t->cite, md_an_src_line(c, m, line));
    sentence(t);
    if (srs) {
        md_buf_printf(&t->verdict, "The forward (queue id %s) rewrote the envelope sender with "
                      "SRS (an %s address at %s, per its log line).", m->qid, srs, dom);
        return;
    }
    md_buf_printf(&t->verdict, "The forward (queue id %s) did not rewrite the envelope sender "
                  "with SRS: it kept the domain %s of the original sender (per its log line), "
                  "whose SPF is checked against our forwarding IP.", m->qid, dom);
    const md_trace_dlv *d = auth_refusal(m);
    if (d)
        md_buf_printf(&t->verdict, " Microsoft refused it with %s (authentication): without "
                      "SRS, DMARC for %s rested on its DKIM signature surviving the forward, so "
                      "the forward without SRS can explain this refusal.", d->dsn, dom);
}

void md_an_hdrev_thread(ctx *c, thread *t)
{
    for (size_t k = 0; k < t->nm; k++)
        if (md_an_is_forwarded_copy(c, t->m[k]))
            say_logforward(c, t, t->m[k]);
    md_err e = {0, ""};
    for (size_t i = 0; i < t->nmrow; i++) {
        if (strcmp(t->mkind[i], MD_MSGKIND_MESSAGE) != 0)
            continue;
        hdrfacts f;
        memset(&f, 0, sizeof f);
        if (md_store_msg_auths(c->st, t->mrow[i], on_hdr_row, &f, &e) != MD_OK)
            continue;
        if (f.dest[0])
            say_mailbox(t, &f);
        say_forward(t, &f);
    }
}
