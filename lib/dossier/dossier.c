/* dossier.c: the evidence document of a ticket (dossier.xsd: header,
 * summary, timeline, messages, IPs) and its files (XML, text, PDF through
 * lib/render/render.h).  Part of the ticket analysis (analysis_int.h).  Never
 * prints. */
#include "dossier/analysis_int.h"

/* ======================================================================
 * the document
 * ====================================================================== */

void md_an_build_header(ctx *c, xmlNode *root, int64_t now)
{
    xmlNode *h = md_an_el(root, "header");
    md_an_txt(h, "ticket", c->o->ticket);
    xmlNode *a = md_an_el(h, "addresses");
    for (size_t i = 0; i < c->o->naddrs; i++)
        md_an_txt(a, "address", c->o->addrs[i]);
    xmlNode *w = md_an_el(h, "window");
    md_an_time_el(w, "since", c->o->since);
    md_an_time_el(w, "until", c->o->until);
    md_an_time_el(h, "generated-at", now);
    md_an_txt(h, "author", c->cfg->author[0] ? c->cfg->author : "maildossier");
    md_an_txt(h, "organisation", c->cfg->org_name);
    md_an_txt(h, "tool-version", MD_VERSION);
    md_an_txt(h, "redaction", c->redact ? "on" : "off");
    md_an_build_coverage(c, h);
}

/* summary_none: the verdict when no message was found: negative only when
 * the logs of every expected host cover the window (coverage.c), else what
 * is missing; returns the outcome */
static int summary_none(ctx *c, md_buf *v1, const char *who)
{
    if (c->cov.read && !c->cov.complete) {
        md_buf_printf(v1, "The evidence is incomplete, so this dossier cannot say whether a "
                          "message to or from %s reached our servers in the window: ", who);
        md_an_cover_missing(c, v1);
        md_buf_putc(v1, '.');
        c->withheld = 1;
        return OC_UNKNOWN;
    }
    md_buf_printf(v1, "No message to or from %s reached our servers between the start and "
                      "end of the window (no log line; the logs of every expected host cover "
                      "the window): ask the sender for the bounce message or the exact time "
                      "of sending.", who);
    return OC_MISSING;
}

/* cite_threads: the sources of the threads with outcome oc (-1: all) */
static void cite_threads(ctx *c, md_buf *cite, int oc)
{
    for (size_t i = 0; i < c->nth; i++)
        if (oc < 0 || c->th[i].oc == oc)
            md_cite_merge(cite, md_buf_cstr(&c->th[i].cite));
}

/* cite_ips: the sources of the affected IPs: the configuration that names
 * them ours and the first evidence of each */
static void cite_ips(ctx *c, md_buf *cite)
{
    char key[200];
    for (size_t i = 0; i < c->nips; i++) {
        if (c->ips[i].host) {
            snprintf(key, sizeof key, "[host %s] ip", c->ips[i].host->name);
            md_cite_add(cite, md_srcs_config(c->src, key));
        } else {
            md_cite_add(cite, md_srcs_config(c->src, "[organisation] networks"));
        }
        md_cite_merge(cite, c->ips[i].first_cite);
    }
}

/* summary_forwarding: the forwarding rules that leave no local copy of
 * mail to Microsoft, each with its rule file:line */
static void summary_forwarding(ctx *c, xmlNode *s)
{
    for (size_t i = 0; i < c->nres; i++) {
        const md_resolution *r = &c->res[i];
        if (!r->ms_without_copy)
            continue;
        md_buf fw = MD_BUF_INIT, tg = MD_BUF_INIT;
        for (size_t k = 0; k < r->ntargets; k++)
            if (r->targets[k].ms_consumer) {
                if (tg.len)
                    md_buf_puts(&tg, ", ");
                md_an_redaddr(c, &tg, r->targets[k].target);
            }
        md_buf_printf(&fw, "The mailbox %s forwards its mail to %s%s (rule in %s",
                      r->address, md_buf_cstr(&tg),
                      r->keeps_copy == MD_COPY_NEVER ? " without keeping a local copy"
                                                     : ", keeping a local copy only sometimes",
                      r->applied.n ? r->applied.v[0].file : "?");
        if (r->applied.n && r->applied.v[0].line)
            md_buf_printf(&fw, ":%llu", (unsigned long long)r->applied.v[0].line);
        md_buf_puts(&fw, "): mail that does not arrive there has no copy on our servers.");
        md_buf fc = MD_BUF_INIT;
        for (size_t k = 0; k < r->applied.n; k++)
            md_cite_add(&fc, md_srcs_rule(c->src, r->applied.v[k].file, r->applied.v[k].line));
        md_an_claim(s, "verdict", md_buf_cstr(&fw), md_buf_cstr(&fc));
        md_buf_free(&fc);
        md_buf_free(&fw);
        md_buf_free(&tg);
    }
}

/* summary_next_steps: what to do next, each from the outcomes that call
 * for it (cv: the sources of all threads, cip: of the affected IPs) */
static void summary_next_steps(ctx *c, xmlNode *s, const size_t *n, const md_buf *cv,
                               const md_buf *cip)
{
    md_buf cn = MD_BUF_INIT;
    if (c->withheld) {
        char cb[24];
        md_an_claim(s, "next-step", "Ingest the missing logs (maildossier ingest FILE...) and write "
                            "the dossier again: until then this dossier does not say that the "
                            "message never arrived.",
                    md_an_cite1(md_srcs_store(c->src, "logs"), cb, sizeof cb));
    }
    if (c->nth == 0)
        md_an_claim(s, "next-step", "Ask the sender for the bounce message (or the time and the "
                            "sender address) and check that the address in the ticket is right.", md_buf_cstr(cv));
    if (n[OC_FILTERED] || n[OC_NOTRECEIVED]) {
        md_buf_reset(&cn);
        cite_threads(c, &cn, OC_FILTERED);
        cite_threads(c, &cn, OC_NOTRECEIVED);
        md_an_claim(s, "next-step", "Ask the user to look in the Junk E-mail folder at Outlook.com and "
                            "to keep a local copy of forwarded mail (or to read mail on the "
                            "university server) until this is solved.", md_buf_cstr(&cn));
    }
    if (c->nips) {
        md_buf b = MD_BUF_INIT;
        md_buf_printf(&b, "List all %zu IP%s in the next request to Microsoft's sender support "
                          "(maildossier request --ticket %s).", c->nips, c->nips == 1 ? "" : "s",
                      c->o->ticket);
        md_an_claim(s, "next-step", md_buf_cstr(&b), md_buf_cstr(cip));
        md_buf_free(&b);
    }
    int ipfail = 0;   /* a failure about our IPs (not a recipient error) */
    md_buf_reset(&cn);
    for (size_t i = 0; i < c->nth; i++) {
        int o = c->th[i].oc;
        if ((o == OC_DEFERRED || o == OC_REJECTED || o == OC_BOUNCED || o == OC_EXPIRED) &&
            (c->th[i].ipprob || !c->th[i].nm)) {
            ipfail = 1;
            md_cite_merge(&cn, md_buf_cstr(&c->th[i].cite));
        }
    }
    if (ipfail)
        md_an_claim(s, "next-step", "Check the IPs' reputation (maildossier ip IP) and SNDS; a block "
                            "list entry needs a delisting request.", md_buf_cstr(&cn));
    md_buf_free(&cn);
}

void md_an_build_summary(ctx *c, xmlNode *root, md_analysis_summary *sum)
{
    xmlNode *s = md_an_el(root, "summary");
    size_t n[OC_COUNT] = {0};
    for (size_t i = 0; i < c->nth; i++)
        n[c->th[i].oc]++;
    md_buf v1 = MD_BUF_INIT, v2 = MD_BUF_INIT, v3 = MD_BUF_INIT;
    md_buf who = MD_BUF_INIT;
    for (size_t i = 0; i < c->o->naddrs; i++)
        md_buf_printf(&who, "%s%s", i ? ", " : "", c->o->addrs[i]);

    int worst = OC_UNKNOWN;
    for (size_t i = 0; i < c->nth; i++)
        if (c->th[i].oc > worst)
            worst = c->th[i].oc;
    if (c->nth == 0) {
        worst = summary_none(c, &v1, md_buf_cstr(&who));
    } else {
        md_buf_printf(&v1, "%zu message%s to or from %s in the window: ", c->nth,
                      c->nth == 1 ? "" : "s", md_buf_cstr(&who));
        int first = 1;
        for (int o = OC_COUNT - 1; o >= 0; o--) {
            if (!n[o])
                continue;
            static const char *const words[OC_COUNT] = {
                "with no delivery logged", "delivered locally", "accepted by the next server",
                "forwarded", "missing", "deferred", "given up (expired)", "bounced", "rejected",
                "filtered by Microsoft (by its own report)",
                "accepted by Microsoft and, per this ticket, not received"};
            md_buf_printf(&v1, "%s%zu %s", first ? "" : ", ", n[o], words[o]);
            first = 0;
        }
        md_buf_putc(&v1, '.');
        /* the most telling message's verdict */
        for (size_t i = 0; i < c->nth; i++)
            if (c->th[i].oc == worst) {
                md_buf_printf(&v2, "For example %s: %s", c->th[i].ref,
                              md_buf_cstr(&c->th[i].verdict));
                break;
            }
    }
    if (c->nips) {
        md_buf_puts(&v3, "IPs of ours that Microsoft saw for these messages: ");
        for (size_t i = 0; i < c->nips; i++)
            md_buf_printf(&v3, "%s%s%s%s%s", i ? ", " : "", c->ips[i].ip,
                          c->ips[i].host ? " (" : "", c->ips[i].host ? c->ips[i].host->name : "",
                          c->ips[i].host ? ")" : "");
        md_buf_putc(&v3, '.');
    }
    md_buf cv = MD_BUF_INIT, cip = MD_BUF_INIT;
    cite_threads(c, &cv, -1);
    cite_ips(c, &cip);
    if (!c->nth) {
        md_cite_add(&cv, md_srcs_store(c->src, "logs"));
        md_cite_add(&cv, md_srcs_ticket(c->src, c->o->ticket));
    }
    md_an_claim(s, "verdict", md_buf_cstr(&v1), md_buf_cstr(&cv));
    summary_forwarding(c, s);
    for (size_t i = 0; i < c->nth && v2.len; i++)
        if (c->th[i].oc == worst) {
            md_an_claim(s, "verdict", md_buf_cstr(&v2), md_buf_cstr(&c->th[i].cite));
            break;
        }
    if (c->nth && c->cov.read && !c->cov.complete) {
        size_t nshort = md_an_cover_short(c);
        md_buf_reset(&v2);
        md_buf_printf(&v2, "The logs do not cover the whole window (%zu host%s with missing "
                           "hours, see Evidence coverage): a message in those hours would not "
                           "show here.", nshort, nshort == 1 ? "" : "s");
        char cb[24];
        md_an_claim(s, "verdict", md_buf_cstr(&v2),
                    md_an_cite1(md_srcs_store(c->src, "logs"), cb, sizeof cb));
    }
    if (v3.len)
        md_an_claim(s, "verdict", md_buf_cstr(&v3), md_buf_cstr(&cip));

    summary_next_steps(c, s, n, &cv, &cip);
    if (sum) {
        snprintf(sum->outcome, sizeof sum->outcome, "%s", md_an_oc_names[worst]);
        snprintf(sum->verdict, sizeof sum->verdict, "%s", md_buf_cstr(&v1));
        sum->messages = c->nth;
    }
    md_buf_free(&v1);
    md_buf_free(&v2);
    md_buf_free(&v3);
    md_buf_free(&who);
    md_buf_free(&cv);
    md_buf_free(&cip);
}

/* from / to of a thread for the timeline: its first message */
static void thread_from_to(ctx *c, thread *t, md_buf *from, md_buf *to)
{
    if (!t->nm) {
        md_an_redaddr(c, from, t->mfrom);
        md_an_red(c, to, t->mto);
        return;
    }
    const md_trace_msg *m = &c->tr->msgs[t->m[0]];
    if (m->sender_known)
        md_an_redaddr(c, from, m->sender);
    else
        md_buf_puts(from, MD_TRACE_SENDER_UNKNOWN);
    /* prefer a ticket address among the recipients */
    const char *pick = NULL;
    for (size_t k = 0; k < t->nm && !pick; k++) {
        if (md_an_is_bounce_msg(c, t->m[k]))
            continue;   /* a bounce goes back to the sender, not to the recipient */
        const md_trace_msg *mm = &c->tr->msgs[t->m[k]];
        for (size_t r = 0; r < mm->nrcpts && !pick; r++) {
            if (md_an_is_ticket_addr(c, mm->rcpts[r].rcpt))
                pick = mm->rcpts[r].rcpt;
            else if (md_an_is_ticket_addr(c, mm->rcpts[r].orig_to))
                pick = mm->rcpts[r].orig_to;
        }
    }
    if (!pick && m->nrcpts)
        pick = m->rcpts[0].rcpt;
    md_an_redaddr(c, to, pick ? pick : "");
}

void md_an_build_timeline(ctx *c, xmlNode *root)
{
    xmlNode *tl = md_an_el(root, "timeline");
    for (size_t i = 0; i < c->nth; i++) {
        thread *t = &c->th[i];
        xmlNode *e = md_an_el(tl, "entry");
        xmlNewProp(e, BX "message", BX t->ref);
        md_an_time_el(e, "time", t->t);
        md_buf f = MD_BUF_INIT, to = MD_BUF_INIT;
        thread_from_to(c, t, &f, &to);
        md_an_txt(e, "from", md_buf_cstr(&f));
        md_an_txt(e, "to", md_buf_cstr(&to));
        md_an_txt(e, "outcome", md_an_oc_names[t->oc]);
        md_an_claim(e, "text", md_buf_cstr(&t->shorttext), md_buf_cstr(&t->cite));
        md_buf_free(&f);
        md_buf_free(&to);
    }
}


void md_an_build_hops(ctx *c, xmlNode *x, thread *t);
void md_an_build_auth(ctx *c, xmlNode *x, thread *t);
void md_an_build_bounces(ctx *c, xmlNode *x, thread *t);

static void build_standalone(ctx *c, xmlNode *x, thread *t)
{
    md_an_time_el(x, "time", t->t);
    if (t->mmsgid[0])
        md_an_txtf(x, "message-id", "<%s>", t->mmsgid);
    md_an_txt_addr(c, x, "from", t->mfrom);
    md_an_txt_red(c, x, "to", t->mto);
    if (t->msubject[0])
        md_an_txt_red(c, x, "subject", t->msubject);
    md_an_txt(x, "outcome", md_an_oc_names[t->oc]);
    md_an_claim(x, "verdict", md_buf_cstr(&t->verdict), md_buf_cstr(&t->cite));
    md_an_el(x, "log-lines");
    md_an_el(x, "attempts");
    md_an_el(x, "links");
    md_an_build_hops(c, x, t);
    md_an_build_auth(c, x, t);
    md_an_build_bounces(c, x, t);
}

/* link_cite: a link's sources: the line of the first message that names
 * the second's queue id or Message-ID (else its last line) and the second's
 * first line */
static const char *link_cite(ctx *c, const md_trace_link *l, md_buf *cite)
{
    const md_trace_msg *a = &c->tr->msgs[l->from], *b = &c->tr->msgs[l->to];
    md_buf_reset(cite);
    size_t pick = a->nlines;
    for (size_t i = 0; i < a->nlines && pick == a->nlines; i++)
        if ((b->qid[0] && strstr(a->lines[i].text, b->qid)) ||
            (b->msgid[0] && strstr(a->lines[i].text, b->msgid)))
            pick = i;
    if (pick == a->nlines && a->nlines)
        pick = a->nlines - 1;
    if (pick < a->nlines)
        md_cite_add(cite, md_an_src_line(c, a, pick));
    if (b->nlines)
        md_cite_add(cite, md_an_src_line(c, b, 0));
    if (!cite->len)
        md_cite_add(cite, md_srcs_store(c->src, "logs"));
    return md_buf_cstr(cite);
}

void md_an_build_message(ctx *c, xmlNode *msgs, thread *t)
{
    xmlNode *x = md_an_el(msgs, "message");
    xmlNewProp(x, BX "id", BX t->ref);
    if (!t->nm) {
        build_standalone(c, x, t);
        return;
    }
    const md_trace_msg *m0 = &c->tr->msgs[t->m[0]];
    md_an_time_el(x, "time", t->t);
    if (m0->msgid[0])
        md_an_txt(x, "message-id", m0->msgid);
    if (m0->sender_known)
        md_an_txt_addr(c, x, "from", m0->sender);
    else
        md_an_txt(x, "from", MD_TRACE_SENDER_UNKNOWN);
    /* recipients of the first message (and orig_to) */
    int any = 0;
    for (size_t r = 0; r < m0->nrcpts; r++) {
        if (!md_an_rcpt_in_scope(c, t->m[0], m0->rcpts[r].rcpt))
            continue;   /* the ticket's recipients only */
        md_an_txt_addr(c, x, "to", m0->rcpts[r].rcpt);
        any = 1;
    }
    if (!any)
        md_an_txt(x, "to", "");
    md_buf q = MD_BUF_INIT;
    for (size_t k = 0; k < t->nm; k++)
        md_buf_printf(&q, "%s%s", k ? " " : "", c->tr->msgs[t->m[k]].qid);
    if (q.len)
        md_an_txt(x, "queue-ids", md_buf_cstr(&q));
    md_buf_free(&q);
    md_an_txt(x, "outcome", md_an_oc_names[t->oc]);
    md_an_claim(x, "verdict", md_buf_cstr(&t->verdict), md_buf_cstr(&t->cite));

    xmlNode *ll = md_an_el(x, "log-lines");
    char cb[24];
    for (size_t k = 0; k < t->nm; k++) {
        const md_trace_msg *m = &c->tr->msgs[t->m[k]];
        for (size_t i = 0; i < m->nlines; i++) {
            xmlNode *l = md_an_el(ll, "log-line");   /* the evidence itself: no src */
            md_an_src_line(c, m, i);   /* but its file is shown like the sources' */
            md_an_txt(l, "file", m->lines[i].path);
            md_an_txtf(l, "line", "%llu", (unsigned long long)(m->lines[i].lineno ? m->lines[i].lineno : 1));
            md_an_txt_red(c, l, "text", m->lines[i].text);
        }
        if (m->lines_truncated)
            md_an_note(c, md_an_cite1(md_srcs_store(c->src, "logs"), cb, sizeof cb),
                       "Message %s (%s): more log lines than the dossier shows.", t->ref, m->qid);
    }

    xmlNode *at = md_an_el(x, "attempts");
    for (size_t k = 0; k < t->nm; k++) {
        const md_trace_msg *m = &c->tr->msgs[t->m[k]];
        const md_host *h = md_config_host_by_loghost(c->cfg, m->host);
        for (size_t i = 0; i < m->ndlvs; i++) {
            const md_trace_dlv *d = &m->dlvs[i];
            if (!md_an_rcpt_in_scope(c, t->m[k], d->rcpt))
                continue;   /* other recipients' attempts */
            xmlNode *a = md_an_el(at, "attempt");
            md_cite_set(a, md_an_cite1(md_an_src_dlv(c, m, d), cb, sizeof cb));
            md_an_time_el(a, "time", d->t);
            md_an_txt(a, "host", m->host);
            md_an_txt(a, "queue-id", m->qid[0] ? m->qid : "-");
            if (h && md_an_ip_valid(h->ipstr))
                md_an_txt(a, "source-ip", h->ipstr);
            md_an_txt_addr(c, a, "to", d->rcpt);
            if (d->relay_host[0])
                md_an_txt(a, "relay", d->relay_host);
            if (md_an_ip_valid(d->relay_ip))
                md_an_txt(a, "relay-ip", d->relay_ip);
            if (d->dsn[0])
                md_an_txt(a, "dsn", d->dsn);
            md_an_txt(a, "outcome", md_an_oc_names[md_an_dlv_oc(d)]); /* what the log says */
            if (d->reason[0])
                md_an_txt(a, "reason", d->reason);
            if (d->reply[0])
                md_an_txt_red(c, a, "reply", d->reply);
            md_an_txt(a, "microsoft", d->ms ? "true" : "false");
        }
    }

    xmlNode *lk = md_an_el(x, "links");
    md_buf lc = MD_BUF_INIT;
    for (size_t i = 0; i < c->tr->nlinks; i++) {
        const md_trace_link *l = &c->tr->links[i];
        int in = 0, in2 = 0;
        for (size_t k = 0; k < t->nm; k++) {
            if (t->m[k] == l->from)
                in = 1;
            if (t->m[k] == l->to)
                in2 = 1;
        }
        if (!in || !in2)
            continue;
        xmlNode *e = md_an_el(lk, "link");
        md_cite_set(e, link_cite(c, l, &lc));
        const char *fq = c->tr->msgs[l->from].qid, *tq = c->tr->msgs[l->to].qid;
        md_an_txt(e, "from", fq[0] ? fq : "-");
        md_an_txt(e, "to", tq[0] ? tq : "-");
        xmlNode *kd = md_an_txt(e, "kind", md_trace_link_words(l->kind));
        xmlNewProp(kd, BX "token", BX md_trace_link_name(l->kind));
        md_an_txt_red(c, e, "why", l->why);
    }
    md_buf_free(&lc);
    md_an_build_hops(c, x, t);
    md_an_build_auth(c, x, t);
    md_an_build_bounces(c, x, t);
}

/* SNDS days and DMARC results of one IP: the window, widened by a week
 * before (reputation builds up before the failures show) */

/* pass_el: a DMARC check's result over a reporter's messages: "pass"
 * when every message passed, "fail" when none did, else "mixed"; the
 * count that passed beside it (attribute pass) */
static void pass_el(xmlNode *r, const char *name, uint64_t pass, uint64_t all)
{
    xmlNode *e = md_an_txt(r, name, pass >= all ? "pass" : pass == 0 ? "fail" : "mixed");
    char n[24];
    snprintf(n, sizeof n, "%llu", (unsigned long long)pass);
    xmlNewProp(e, BX "pass", BX n);
}

/* utc_days: a report period made of whole UTC days (SNDS: 00:00 to 23:59,
 * DMARC: 00:00 to 00:00 or 23:59:59) is stated as those days, attributes
 * days-from/days-to (UTC dates), so that renderers show "2016-04-19 (UTC)"
 * instead of "02:00:00 - 01:59:00" in the local zone; other periods get
 * none and are shown as their times. */
static void utc_days(xmlNode *r, int64_t start, int64_t end)
{
    if (start <= 0 || end <= start || start % 86400 != 0)
        return;
    int64_t last;
    if (end % 86400 == 0)
        last = end / 86400 - 1;
    else if ((end + 1) % 86400 == 0 || (end + 60) % 86400 == 0)
        last = end / 86400;
    else
        return;
    char a[16], b[16];
    md_text_time_utc(a, sizeof a, start, "%Y-%m-%d", "");
    md_text_time_utc(b, sizeof b, last * 86400, "%Y-%m-%d", "");
    xmlNewProp(r, BX "days-from", BX a);
    xmlNewProp(r, BX "days-to", BX b);
}
static void build_reputation(ctx *c, xmlNode *rep, const char *ip)
{
    md_err e = {0, ""};
    int64_t since = c->o->since - 7 * 86400, until = c->o->until;
    md_rep_day *days = NULL;
    size_t nd = 0;
    if (md_store_rep_ip_days(c->st, ip, since, until, &days, &nd, &e) == MD_OK) {
        for (size_t i = 0; i < nd; i++) {
            const md_rep_day *d = &days[i];
            if (!d->has_snds || !d->filter[0])
                continue;
            xmlNode *r = md_an_el(rep, "snds");
            char cb[24];
            md_cite_set(r, md_an_cite1(md_srcs_report(c->src, "SNDS", "Microsoft SNDS", d->act_start,
                                                      d->act_end, d->snds_source, d->snds_line),
                                       cb, sizeof cb));
            md_an_time_el(r, "start", d->act_start);
            md_an_time_el(r, "end", d->act_end ? d->act_end : d->act_start);
            utc_days(r, d->act_start, d->act_end);
            if (d->rcpt >= 0)
                md_an_txtf(r, "rcpt", "%lld", (long long)d->rcpt);
            if (d->data >= 0)
                md_an_txtf(r, "data", "%lld", (long long)d->data);
            if (d->recipients >= 0)
                md_an_txtf(r, "recipients", "%lld", (long long)d->recipients);
            md_an_txt(r, "filter", d->filter);
            if (d->complaint[0]) {
                char tok[40];
                size_t o = 0;
                for (const char *p = d->complaint; *p && o < sizeof tok - 1; p++)
                    if (*p != ' ')
                        tok[o++] = *p;
                tok[o] = '\0';
                md_an_txt(r, "complaint-rate", tok);
            }
            if (d->trap_hits > 0)
                md_an_txtf(r, "trap-hits", "%lld", (long long)d->trap_hits);
        }
        free(days);
    }
    md_rep_dmarc_sum *dm = NULL;
    size_t ndm = 0;
    if (md_store_rep_ip_dmarc(c->st, ip, since, until, &dm, &ndm, &e) == MD_OK) {
        for (size_t i = 0; i < ndm; i++) {
            xmlNode *r = md_an_el(rep, "dmarc");
            char cb[24];
            md_cite_set(r, md_an_cite1(md_srcs_report(c->src, "DMARC aggregate",
                                                      dm[i].org_name[0] ? dm[i].org_name : dm[i].email,
                                                      dm[i].first_begin, dm[i].last_end, 0, 0),
                                       cb, sizeof cb));
            md_an_txt(r, "org", dm[i].org_name[0] ? dm[i].org_name : dm[i].email);
            md_an_time_el(r, "begin", dm[i].first_begin);
            md_an_time_el(r, "end", dm[i].last_end);
            utc_days(r, dm[i].first_begin, dm[i].last_end);
            if (dm[i].header_from[0])
                md_an_txt(r, "header-from", dm[i].header_from);
            md_an_txtf(r, "count", "%llu", (unsigned long long)dm[i].messages);
            md_an_txt(r, "disposition", dm[i].reject ? "reject" : dm[i].quarantine ? "quarantine" : "none");
            /* each of the reporter's policy_evaluated results, as counted */
            pass_el(r, "dkim", dm[i].dkim_pass, dm[i].messages);
            pass_el(r, "spf", dm[i].spf_pass, dm[i].messages);
        }
        free(dm);
    }
}

static int on_row_src(void *arg, const md_msg_row *m)
{
    void **a = arg;
    ctx *c = a[0];
    *(size_t *)a[1] = md_srcs_message(c->src, m->source_id, m->path, m->message_id);
    return 1;
}

/* msgrow_src: the source of a stored message by its row (else the store's
 * message area) */
static size_t msgrow_src(ctx *c, int64_t row)
{
    size_t no = 0;
    void *a[2] = {c, &no};
    md_err e = {0, ""};
    if (row)
        md_store_msg_get(c->st, row, on_row_src, a, &e);
    return no ? no : md_srcs_store(c->src, "messages");
}

/* complaints (JMRP / ARF) whose source is an affected IP, in the window */
static int on_complaint(void *arg, const md_msg_arfrow *r)
{
    void **a = arg;
    ctx *c = a[0];
    ipinfo *x = a[1];
    char buf[1200], when[32];
    int64_t t = r->a->arrival_date ? r->a->arrival_date : r->date;
    snprintf(buf, sizeof buf, "%s complaint (%s%s%s) about a message to %s",
             md_arf_form_name(r->a->form), r->a->feedback_type,
             t ? ", " : "", t ? md_an_fmt_short(t, when, sizeof when) : "",
             r->a->orig_rcpt_to[0] ? r->a->orig_rcpt_to : "?");
    char cb[24];
    md_an_ip_evidence(c, x, r->a->microsoft ? "jmrp" : "complaint", NULL, buf,
                      md_an_cite1(msgrow_src(c, r->msg_id), cb, sizeof cb));
    return 0;
}

void md_an_build_ips(ctx *c, xmlNode *root)
{
    xmlNode *ips = md_an_el(root, "ips");
    for (size_t i = 0; i < c->nips; i++) {
        md_err ce = {0, ""};
        void *carg[2] = {c, &c->ips[i]};
        md_store_msg_complaints(c->st, c->ips[i].ip, c->o->since - 7 * 86400, c->o->until,
                                on_complaint, carg, &ce);
    }
    for (size_t i = 0; i < c->nips; i++) {
        ipinfo *x = &c->ips[i];
        xmlNode *e = md_an_el(ips, "ip");
        md_buf ic = MD_BUF_INIT;
        char key[200];
        snprintf(key, sizeof key, x->host ? "[host %s] ip" : "[organisation] networks",
                 x->host ? x->host->name : "");
        md_cite_add(&ic, md_srcs_config(c->src, key));
        md_cite_set(e, md_buf_cstr(&ic));
        md_buf_free(&ic);
        md_an_txt(e, "address", x->ip);
        md_an_txt(e, "host", x->host ? x->host->name : "");
        md_an_txt(e, "role", x->host ? x->host->role : "");
        md_an_time_el(e, "first-seen", x->first);
        md_an_time_el(e, "last-seen", x->last ? x->last : x->first);
        xmlNode *cn = md_an_el(e, "counts");
        for (int o = 0; o < OC_COUNT; o++)
            if (x->count[o]) {
                xmlNode *k = md_an_txtf(cn, "count", "%llu", (unsigned long long)x->count[o]);
                xmlNewProp(k, BX "outcome", BX md_an_oc_names[o]);
            }
        xmlNode *ev = md_an_el(e, "evidence");
        const char *p = md_buf_cstr(&x->ev);
        while (*p) {
            const char *end = strchr(p, '\x1e');
            if (!end)
                break;
            const char *s1 = memchr(p, '\x1f', (size_t)(end - p));
            const char *s2 = s1 ? memchr(s1 + 1, '\x1f', (size_t)(end - s1 - 1)) : NULL;
            const char *s3 = s2 ? memchr(s2 + 1, '\x1f', (size_t)(end - s2 - 1)) : NULL;
            if (s1 && s2 && s3) {
                xmlNode *it = md_an_el(ev, "item");
                md_an_txtf(it, "kind", "%.*s", (int)(s1 - p), p);
                if (s2 > s1 + 1)
                    md_an_txtf(it, "message", "%.*s", (int)(s2 - s1 - 1), s1 + 1);
                xmlNode *tx = md_an_txtf(it, "text", "%.*s", (int)(s3 - s2 - 1), s2 + 1);
                char cite[256];
                snprintf(cite, sizeof cite, "%.*s", (int)(end - s3 - 1), s3 + 1);
                md_cite_set(tx, cite);
            }
            p = end + 1;
        }
        if (x->nev > 50) {
            xmlNode *it = md_an_el(ev, "item");
            md_an_txt(it, "kind", "more");
            char cb[24];
            md_cite_set(md_an_txtf(it, "text", "%zu more evidence items not shown", x->nev - 50),
                        md_an_cite1(md_srcs_store(c->src, "logs"), cb, sizeof cb));
        }
        xmlNode *rep = md_an_el(e, "reputation");
        build_reputation(c, rep, x->ip);
        md_case_answer *an = NULL;
        size_t na = 0;
        md_err er = {0, ""};
        if (md_store_case_answers(c->st, x->ip, &an, &na, &er) == MD_OK) {
            for (size_t k = 0; k < na; k++) {
                xmlNode *ms = md_an_el(rep, "microsoft");
                char cb[24];
                md_cite_set(ms, md_an_cite1(md_srcs_reply(c->src, an[k].ref, an[k].date,
                                                          an[k].message_id, an[k].msg_row),
                                            cb, sizeof cb));
                md_an_time_el(ms, "date", an[k].date);
                xmlNode *oc = md_an_txt(ms, "outcome", md_msreply_outcome_text(
                                                      md_msreply_outcome_parse(an[k].outcome)));
                xmlNewProp(oc, BX "token", BX an[k].outcome);
                if (an[k].text[0])
                    md_an_txt(ms, "text", an[k].text);
            }
            free(an);
        }
    }
}
