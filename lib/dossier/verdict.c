/* verdict.c: what became of each thread of a ticket, in plain words, and
 * the IPs it names, with their evidence (the words for replies and
 * reasons, the outcome of each attempt).  Part of the ticket analysis
 * (analysis_int.h).  Never prints. */
#include "dossier/analysis_int.h"

/* ======================================================================
 * reading replies: codes and reasons in words
 * ====================================================================== */

/* reply_status: the enhanced status code in a reply ("4.7.650"), else dsn. */
static void reply_status(const md_trace_dlv *d, char *out, size_t n)
{
    const char *r = d->reply;
    out[0] = '\0';
    for (size_t i = 0; r[i]; i++) {
        if ((r[i] == '4' || r[i] == '5' || r[i] == '2') && r[i + 1] == '.' &&
            (i == 0 || !isalnum((unsigned char)r[i - 1]))) {
            size_t j = i + 2, a = 0, b = 0;
            while (isdigit((unsigned char)r[j]) && a < 3)
                j++, a++;
            if (!a || r[j] != '.')
                continue;
            j++;
            while (isdigit((unsigned char)r[j]) && b < 3)
                j++, b++;
            if (!b || isdigit((unsigned char)r[j]))
                continue;
            snprintf(out, n, "%.*s", (int)(j - i), r + i);
            if (strcmp(out + 1, ".0.0") != 0)
                return;
        }
    }
    if (!out[0] || strcmp(out + 1, ".0.0") == 0)
        snprintf(out, n, "%s", d->dsn[0] ? d->dsn : out);
}

/* ms_code: Microsoft's own code in a reply: (S3150), S775, RP-001, ... */
static void ms_code(const char *r, char *out, size_t n)
{
    out[0] = '\0';
    for (size_t i = 0; r[i]; i++) {
        if (i && isalnum((unsigned char)r[i - 1]))
            continue;
        if (r[i] == 'S' && isdigit((unsigned char)r[i + 1])) {
            size_t j = i + 1;
            while (isdigit((unsigned char)r[j]))
                j++;
            if (j - i >= 4 && j - i <= 6 && !isalnum((unsigned char)r[j])) {
                snprintf(out, n, "%.*s", (int)(j - i), r + i);
                return;
            }
        }
        if (isupper((unsigned char)r[i]) && isupper((unsigned char)r[i + 1]) && r[i + 2] == '-' &&
            isdigit((unsigned char)r[i + 3]) && isdigit((unsigned char)r[i + 4]) &&
            isdigit((unsigned char)r[i + 5]) && !isalnum((unsigned char)r[i + 6])) {
            snprintf(out, n, "%.6s", r + i);
            return;
        }
    }
}

static const char *reason_words(const char *reason, const char *reply)
{
    static const struct {
        const char *r, *w;
    } t[] = {{"blocked", "the sending IP is on Microsoft's block list"},
             {"badreputation", "IP reputation"},
             {"speeding", "rate limits"},
             {"toomanyconn", "too many connections"},
             {"authfailure", "failed authentication (SPF/DKIM/DMARC)"},
             {"spamdetected", "content judged as spam"},
             {"filtered", "filtering"},
             {"userunknown", "unknown recipient"},
             {"mailboxfull", "mailbox full"},
             {"expired", "delivery time expired"},
             {"hostunknown", "unknown domain"},
             {"policyviolation", "policy"},
             {"rejected", "sender rejected"},
             {"networkerror", "network error"},
             {"systemerror", "error at the remote server"},
             {NULL, NULL}};
    if (md_text_casestr(reply, strlen(reply), "rate limited due to IP reputation"))
        return "IP reputation";
    /* "blocked" covers block lists, banned IPs, missing PTR: say which only
     * when Microsoft's text does */
    if (reason && !strcmp(reason, "blocked") &&
        !md_text_casestr(reply, strlen(reply), "block list"))
        return md_text_casestr(reply, strlen(reply), "banned") ? "banned sending IP"
                                                               : "the sending IP refused";
    for (size_t i = 0; t[i].r; i++)
        if (reason && strcmp(reason, t[i].r) == 0)
            return t[i].w;
    return "";
}

/* code_words: "4.7.650, S775" for a reply. */
static void code_words(const md_trace_dlv *d, char *out, size_t n)
{
    char st[32], mc[16];
    reply_status(d, st, sizeof st);
    ms_code(d->reply, mc, sizeof mc);
    if (st[0] && mc[0])
        snprintf(out, n, "%s, %s", st, mc);
    else
        snprintf(out, n, "%s", st[0] ? st : mc);
}

/* ======================================================================
 * affected IPs
 * ====================================================================== */

int md_an_same_ip(const void *element, const void *ip)
{
    return strcmp((const char *)element, ip) == 0; /* the IP comes first */
}

ipinfo *md_an_ip_get(ctx *c, const char *ipstr)
{
    char canon[MD_IP_STRLEN];
    md_ip_canon_str(ipstr, canon);
    if (!canon[0])
        return NULL;
    int added;
    ipinfo *x = md_find_or_add(&c->ips, &c->nips, &c->capips, sizeof *x, canon, md_an_same_ip,
                               &added);
    if (x && added) {
        snprintf(x->ip, sizeof x->ip, "%s", canon);
        x->host = md_config_host_str(c->cfg, canon);
    }
    return x;
}

void md_an_ip_seen(ipinfo *x, int64_t t)
{
    if (!t)
        return;
    if (!x->first || t < x->first)
        x->first = t;
    if (t > x->last)
        x->last = t;
}

void md_an_ip_evidence(ctx *c, ipinfo *x, const char *kind, const char *ref, const char *text,
                       const char *cite)
{
    /* the same text once (whatever its sources) */
    md_buf item = MD_BUF_INIT;
    md_buf_printf(&item, "\x1e%s\x1f%s\x1f", kind, ref ? ref : "");
    md_an_red(c, &item, text);
    md_buf_putc(&item, '\x1f');
    md_buf hay = MD_BUF_INIT;
    md_buf_putc(&hay, '\x1e');
    md_buf_append(&hay, x->ev.data, x->ev.len);
    if (!strstr(md_buf_cstr(&hay), md_buf_cstr(&item))) {
        if (x->nev < 50) {
            md_buf_append(&x->ev, item.data + 1, item.len - 1);
            md_buf_puts(&x->ev, cite ? cite : "");
            md_buf_putc(&x->ev, '\x1e');
        }
        x->nev++;
        if (!x->first_line[0]) {
            md_buf one = MD_BUF_INIT;
            md_an_red(c, &one, text);
            snprintf(x->first_line, sizeof x->first_line, "%s", md_buf_cstr(&one));
            snprintf(x->first_cite, sizeof x->first_cite, "%s", cite ? cite : "");
            md_buf_free(&one);
        }
    }
    md_buf_free(&hay);
    md_buf_free(&item);
}

void md_an_ip_lead(ctx *c, ipinfo *x, int rank, const char *text, const char *cite)
{
    if (rank <= x->lead_rank)
        return;
    md_buf one = MD_BUF_INIT;
    md_an_red(c, &one, text);
    snprintf(x->first_line, sizeof x->first_line, "%s", md_buf_cstr(&one));
    snprintf(x->first_cite, sizeof x->first_cite, "%s", cite ? cite : "");
    md_buf_free(&one);
    x->lead_rank = rank;
}

/* ======================================================================
 * verdicts
 * ====================================================================== */

int md_an_rcpt_error(const md_trace_dlv *d)
{
    if (d->outcome != MD_OUTCOME_BOUNCED && d->outcome != MD_OUTCOME_REJECTED &&
        d->outcome != MD_OUTCOME_DEFERRED && d->outcome != MD_OUTCOME_EXPIRED)
        return 0;
    return md_reply_reason_recipient(md_reply_reason_parse(d->reason));
}

/* forward_target: a ticket address forwards to a (by the rules) */
static int forward_target(const ctx *c, const char *a)
{
    for (size_t i = 0; i < c->nres; i++)
        for (size_t k = 0; k < c->res[i].ntargets; k++)
            if (md_text_casecmp(c->res[i].targets[k].target, a) == 0)
                return 1;
    return 0;
}

static int ticket_rcpt(const ctx *c, const md_trace_rcpt *r)
{
    return md_an_is_ticket_addr(c, r->rcpt) || md_an_is_ticket_addr(c, r->orig_to) ||
           forward_target(c, r->rcpt);
}

int md_an_rcpt_in_scope(const ctx *c, size_t mi, const char *rcpt)
{
    const md_trace_msg *m = &c->tr->msgs[mi];
    int any = 0;
    for (size_t r = 0; r < m->nrcpts; r++)
        if (ticket_rcpt(c, &m->rcpts[r])) {
            any = 1;
            if (strcmp(m->rcpts[r].rcpt, rcpt) == 0)
                return 1;
        }
    return !any;
}

/* inbound: mail for a ticket address: to it, to one of its forward
 * targets, or a forwarded copy of a thread that began with mail to it */
static int inbound(const ctx *c, const thread *t, size_t mi, const char *rcpt, int fwd)
{
    if (md_an_is_ticket_addr(c, rcpt) || forward_target(c, rcpt))
        return 1;
    if (!fwd || !t->nm)
        return 0;
    const md_trace_msg *m0 = &c->tr->msgs[t->m[0]];
    for (size_t r = 0; r < m0->nrcpts; r++)
        if (t->m[0] != mi && ticket_rcpt(c, &m0->rcpts[r]))
            return 1;
    return 0;
}

int md_an_dlv_oc(const md_trace_dlv *d)
{
    switch (d->outcome) {
    case MD_OUTCOME_DELIVERED: return OC_DELIVERED;
    case MD_OUTCOME_FORWARDED: return OC_FORWARDED;
    case MD_OUTCOME_RELAYED: return OC_ACCEPTED;
    case MD_OUTCOME_MS_ACCEPTED: return OC_ACCEPTED;
    case MD_OUTCOME_DEFERRED: return OC_DEFERRED;
    case MD_OUTCOME_BOUNCED: return OC_BOUNCED;
    case MD_OUTCOME_EXPIRED: return OC_EXPIRED;
    case MD_OUTCOME_REJECTED: return OC_REJECTED;
    default: return OC_UNKNOWN;
    }
}

void md_an_sentence_sep(md_buf *b)
{
    if (b->len)
        md_buf_puts(b, "; ");
}

/* copy_words: what the forwarding rules say about a local copy when mail
 * of a ticket address is forwarded to rcpt ("" when no rule says) */
static const char *copy_words(const ctx *c, const char *rcpt)
{
    for (size_t i = 0; i < c->nres; i++)
        for (size_t k = 0; k < c->res[i].ntargets; k++)
            if (md_text_casecmp(c->res[i].targets[k].target, rcpt) == 0) {
                switch (c->res[i].keeps_copy) {
                case MD_COPY_NEVER: return " without a local copy";
                case MD_COPY_SOMETIMES: return " (a local copy is kept only sometimes)";
                default: return ", keeping a local copy";
                }
            }
    return "";
}

/* forwards_without_copy: the ticket address addr forwards all its mail away */
static int forwards_without_copy(const ctx *c, const char *addr)
{
    for (size_t i = 0; i < c->nres; i++)
        if (md_text_casecmp(c->res[i].address, addr) == 0 && c->res[i].ntargets &&
            c->res[i].keeps_copy == MD_COPY_NEVER)
            return 1;
    return 0;
}

/* describe the Microsoft attempts of one recipient of one message */
static int verdict_ms(ctx *c, thread *t, size_t mi, const char *rcpt, int fwd)
{
    const md_trace_msg *m = &c->tr->msgs[mi];
    size_t tries = 0, deferrals = 0;
    const md_trace_dlv *first_def = NULL, *last = NULL;
    for (size_t i = 0; i < m->ndlvs; i++) {
        const md_trace_dlv *d = &m->dlvs[i];
        if (!d->ms || strcmp(d->rcpt, rcpt) != 0)
            continue;
        tries++;
        if (d->outcome != MD_OUTCOME_MS_ACCEPTED && d->outcome != MD_OUTCOME_RELAYED &&
            !md_an_rcpt_error(d))
            t->ipprob = 1;
        if (d->outcome == MD_OUTCOME_DEFERRED) {
            deferrals++;
            if (!first_def)
                first_def = d;
        }
        last = d;
    }
    if (!last)
        return OC_UNKNOWN;
    md_buf *v = &t->verdict, *s = &t->shorttext;
    char when[32], code[64];
    md_an_sentence_sep(v);
    md_an_sentence_sep(s);
    md_buf to = MD_BUF_INIT;
    md_an_redaddr(c, &to, rcpt);
    md_buf_printf(v, "%s %s", fwd ? "forwarded to" : "sent to", md_buf_cstr(&to));
    md_buf_printf(s, "%s %s", fwd ? "forwarded to" : "sent to", md_buf_cstr(&to));
    md_buf_free(&to);
    if (fwd)
        md_buf_puts(v, copy_words(c, rcpt));
    int oc;
    if (deferrals && last->outcome != MD_OUTCOME_DEFERRED) {
        code_words(first_def, code, sizeof code);
        md_buf_printf(v, ", deferred by Microsoft %zu time%s (%s%s%s) since %s", deferrals,
                      deferrals == 1 ? "" : "s", reason_words(first_def->reason, first_def->reply),
                      code[0] ? ", " : "", code, md_an_fmt_short(first_def->t, when, sizeof when));
        md_buf_printf(s, ", deferred %zu time%s", deferrals, deferrals == 1 ? "" : "s");
    }
    switch (last->outcome) {
    case MD_OUTCOME_MS_ACCEPTED:
    case MD_OUTCOME_RELAYED: {
        md_buf_puts(v, deferrals ? ", then accepted by Microsoft (" : " and accepted by Microsoft (");
        md_buf_puts(v, "250 Queued mail for delivery");
        if (last->internal_id[0])
            md_buf_printf(v, ", InternalId=%s", last->internal_id);
        if (last->relay_host[0])
            md_buf_printf(v, ", %s", last->relay_host);
        md_buf_printf(v, ", %s)", md_an_fmt_short(last->t, when, sizeof when));
        md_buf junk = MD_BUF_INIT;
        if (md_an_copy_junked(c, t, &junk)) {
            /* Microsoft's own header says what it did after the 250 */
            md_buf_printf(v, " and %s", md_buf_cstr(&junk));
            md_buf_puts(s, ", accepted by Microsoft, put in the Junk E-mail folder");
            oc = OC_FILTERED;
            t->ipprob = 1;
        } else if (inbound(c, t, mi, rcpt, fwd)) {
            /* the ticket reports it missing; what Microsoft did after the
             * 250 is not in the logs */
            md_buf_puts(v, " and, per this ticket, not received");
            md_buf_puts(s, ", accepted by Microsoft, not received per this ticket");
            oc = OC_NOTRECEIVED;
            t->ipprob = 1;
        } else {
            md_buf_puts(s, ", accepted by Microsoft");
            oc = OC_ACCEPTED;
        }
        md_buf_free(&junk);
        break;
    }
    case MD_OUTCOME_DEFERRED:
        code_words(last, code, sizeof code);
        md_buf_printf(v, ", deferred by Microsoft for %s (%s) since %s, %zu tr%s, still queued",
                      reason_words(first_def->reason, first_def->reply)[0]
                          ? reason_words(first_def->reason, first_def->reply) : "a temporary failure",
                      code, md_an_fmt_short(first_def->t, when, sizeof when), tries,
                      tries == 1 ? "y" : "ies");
        md_buf_printf(s, ", deferred by Microsoft (%s), %zu tr%s", code, tries,
                      tries == 1 ? "y" : "ies");
        oc = OC_DEFERRED;
        break;
    default: {
        code_words(last, code, sizeof code);
        const char *w = reason_words(last->reason, last->reply);
        if (md_an_rcpt_error(last)) {
            md_buf_printf(v, ", refused by Microsoft for the recipient (%s%s%s): a recipient "
                             "error, not a problem of our IPs", code, w[0] ? ": " : "", w);
            md_buf_printf(s, ", recipient error at Microsoft (%s)", code);
            return last->outcome == MD_OUTCOME_REJECTED ? OC_REJECTED : OC_BOUNCED;
        }
        if (last->named_ip[0] && md_reply_status_banned(code))
            md_buf_printf(v, ", rejected because Microsoft banned the sending IP %s (%s): the "
                             "remedy is Microsoft's delist portal, not the sender-support form",
                          last->named_ip, code);
        else if (last->named_ip[0] && strcmp(last->reason, "blocked") == 0 &&
                 md_text_casestr(last->reply, strlen(last->reply), "block list"))
            md_buf_printf(v, ", rejected because IP %s is on Microsoft's block list (%s)",
                          last->named_ip, code);
        else if (last->named_ip[0] && strcmp(last->reason, "blocked") == 0)
            md_buf_printf(v, ", rejected by Microsoft naming IP %s (%s%s%s)", last->named_ip,
                          code, w[0] ? ": " : "", w);
        else if (last->outcome == MD_OUTCOME_EXPIRED)
            md_buf_printf(v, ", given up after %zu tries (last answer %s%s%s)", tries, code,
                          w[0] ? ": " : "", w);
        else
            md_buf_printf(v, ", rejected by Microsoft (%s%s%s)", code, w[0] ? ": " : "", w);
        md_buf_printf(s, ", %s by Microsoft (%s)",
                      last->outcome == MD_OUTCOME_EXPIRED ? "expired" : "rejected", code);
        oc = last->outcome == MD_OUTCOME_EXPIRED ? OC_EXPIRED
             : last->outcome == MD_OUTCOME_BOUNCED ? OC_BOUNCED : OC_REJECTED;
        break;
    }
    }
    return oc;
}

/* same_answer: when Microsoft's failure for rcpt hit the whole transaction
 * (other recipients of message mi, not the ticket's, got the same reply),
 * say so without naming them: it explains the ticket address's outcome */
static void same_answer(ctx *c, thread *t, size_t mi, const char *rcpt)
{
    const md_trace_msg *m = &c->tr->msgs[mi];
    const md_trace_dlv *last = NULL;
    for (size_t i = 0; i < m->ndlvs; i++)
        if (m->dlvs[i].ms && strcmp(m->dlvs[i].rcpt, rcpt) == 0)
            last = &m->dlvs[i];
    if (!last || !last->reply[0] || last->outcome == MD_OUTCOME_MS_ACCEPTED ||
        last->outcome == MD_OUTCOME_RELAYED)
        return;
    size_t n = 0;
    for (size_t r = 0; r < m->nrcpts; r++) {
        const char *o = m->rcpts[r].rcpt;
        if (strcmp(o, rcpt) == 0 || md_an_rcpt_in_scope(c, mi, o))
            continue;
        for (size_t i = 0; i < m->ndlvs; i++) {
            const md_trace_dlv *d = &m->dlvs[i];
            if (strcmp(d->rcpt, o) == 0 && d->outcome == last->outcome &&
                strcmp(d->reply, last->reply) == 0) {
                n++;
                break;
            }
        }
    }
    if (n)
        md_buf_printf(&t->verdict, " (the same answer for %zu other recipient%s of the message)",
                      n, n == 1 ? "" : "s");
}

void md_an_verdict_thread(ctx *c, thread *t)
{
    int oc = OC_UNKNOWN, local = 0;
    char when[32];
    /* recipients already described */
    for (size_t k = 0; k < t->nm; k++) {
        const md_trace_msg *m = &c->tr->msgs[t->m[k]];
        int fwd = md_an_is_forwarded_copy(c, t->m[k]);
        int bounce = md_an_is_bounce_msg(c, t->m[k]);
        for (size_t r = 0; r < m->nrcpts; r++) {
            const md_trace_rcpt *rc = &m->rcpts[r];
            if (!md_an_rcpt_in_scope(c, t->m[k], rc->rcpt))
                continue;   /* other people's mail */
            int ms = 0;
            for (size_t i = 0; i < m->ndlvs; i++)
                if (m->dlvs[i].ms && strcmp(m->dlvs[i].rcpt, rc->rcpt) == 0)
                    ms = 1;
            if (ms) {
                t->ms = 1;
                int o = verdict_ms(c, t, t->m[k], rc->rcpt, fwd);
                same_answer(c, t, t->m[k], rc->rcpt);
                if (o > oc)
                    oc = o;
                continue;
            }
            /* last attempt of this recipient */
            const md_trace_dlv *last = NULL;
            for (size_t i = 0; i < m->ndlvs; i++)
                if (strcmp(m->dlvs[i].rcpt, rc->rcpt) == 0)
                    last = &m->dlvs[i];
            int o = last ? md_an_dlv_oc(last) : OC_UNKNOWN;
            md_buf to = MD_BUF_INIT;
            md_an_redaddr(c, &to, rc->rcpt);
            switch (o) {
            case OC_DELIVERED:
                if (bounce) {   /* our notice to the sender, not the message itself */
                    md_an_sentence_sep(&t->verdict);
                    md_an_sentence_sep(&t->shorttext);
                    md_buf_printf(&t->verdict, "a delivery status notice to %s was delivered to "
                                  "its local mailbox (%s)", md_buf_cstr(&to),
                                  md_an_fmt_short(last->t, when, sizeof when));
                    md_buf_puts(&t->shorttext, "notice to the sender delivered");
                } else if (!local) {
                    int away = forwards_without_copy(c, rc->rcpt);
                    md_an_sentence_sep(&t->verdict);
                    md_an_sentence_sep(&t->shorttext);
                    md_buf_printf(&t->verdict, "%s %s%s%s (%s)",
                                  away ? "handed to the mail store for" :
                                         "delivered to the local mailbox of",
                                  md_buf_cstr(&to), last->relay_host[0] ? " on " : "",
                                  last->relay_host, md_an_fmt_short(last->t, when, sizeof when));
                    md_buf_puts(&t->shorttext, away ? "handed to the mail store" :
                                                      "delivered to the local mailbox");
                    local = 1;
                }
                break;
            case OC_FORWARDED:
                md_an_sentence_sep(&t->verdict);
                md_buf_printf(&t->verdict, "forwarded for %s by local forwarding",
                              md_buf_cstr(&to));
                if (last->new_qid[0])
                    md_buf_printf(&t->verdict, " (new queue id %s)", last->new_qid);
                if (t->nm == 1) {   /* else the copy says where it went */
                    md_an_sentence_sep(&t->shorttext);
                    md_buf_puts(&t->shorttext, "forwarded");
                }
                break;
            case OC_ACCEPTED:
                md_an_sentence_sep(&t->verdict);
                md_an_sentence_sep(&t->shorttext);
                md_buf_printf(&t->verdict, "%s to %s, accepted by %s (%s)",
                              bounce ? "bounce sent" : "relayed", md_buf_cstr(&to),
                              last->relay_host[0] ? last->relay_host : "the next server",
                              md_an_fmt_short(last->t, when, sizeof when));
                md_buf_printf(&t->shorttext, "%s to %s", bounce ? "bounce sent" : "relayed",
                              md_buf_cstr(&to));
                break;
            case OC_DEFERRED:
            case OC_BOUNCED:
            case OC_EXPIRED:
            case OC_REJECTED: {
                md_buf rep = MD_BUF_INIT;
                md_an_red(c, &rep, last->reply);
                md_an_sentence_sep(&t->verdict);
                md_an_sentence_sep(&t->shorttext);
                md_buf_printf(&t->verdict, "%s for %s (%s): %s", md_an_oc_names[o], md_buf_cstr(&to),
                              md_an_fmt_short(last->t, when, sizeof when), md_buf_cstr(&rep));
                md_buf_printf(&t->shorttext, "%s for %s", md_an_oc_names[o], md_buf_cstr(&to));
                md_buf_free(&rep);
                break;
            }
            default:
                md_an_sentence_sep(&t->verdict);
                md_an_sentence_sep(&t->shorttext);
                md_buf_printf(&t->verdict, "no delivery attempt logged for %s%s",
                              md_buf_cstr(&to), m->open ? " (still in the queue)" : "");
                md_buf_puts(&t->shorttext, "no delivery logged");
                break;
            }
            md_buf_free(&to);
            /* a local delivery after which a forwarded copy failed must not
             * hide the failure: rank the worse outcome */
            if (o > oc && !(o == OC_ACCEPTED && oc == OC_DELIVERED))
                oc = o;
            if (o == OC_DELIVERED && oc == OC_UNKNOWN)
                oc = o;
        }
    }
    if (!t->verdict.len) {
        md_buf_puts(&t->verdict, "the log shows the message arriving but no delivery");
        md_buf_puts(&t->shorttext, "no delivery logged");
    }
    md_buf_putc(&t->verdict, '.');
    if (t->verdict.data)
        t->verdict.data[0] = (char)toupper((unsigned char)t->verdict.data[0]);
    t->oc = oc;
}

/* collect the IPs of a thread that Microsoft saw */
void md_an_msg_ips(ctx *c, thread *t);

/* counted_attempt: an attempt of thread message mi that tells about our
 * IPs: to Microsoft, for the ticket's recipients, no recipient error */
static int counted_attempt(const ctx *c, size_t mi, const md_trace_dlv *d)
{
    return d->ms && !md_an_rcpt_error(d) && md_an_rcpt_in_scope(c, mi, d->rcpt);
}

void md_an_ips_thread(ctx *c, thread *t)
{
    if (t->nm && t->ms && !t->ipprob)
        return;   /* accepted and not reported missing, or recipient errors only */
    md_an_msg_ips(c, t);
    if (!t->ms)
        return;
    char when[32], buf[1024];
    /* outcomes of the thread's Microsoft attempts, for the counts */
    uint64_t cnt[OC_COUNT] = {0};
    int64_t tmin = 0, tmax = 0;
    for (size_t k = 0; k < t->nm; k++) {
        const md_trace_msg *m = &c->tr->msgs[t->m[k]];
        for (size_t i = 0; i < m->ndlvs; i++) {
            const md_trace_dlv *d = &m->dlvs[i];
            if (!counted_attempt(c, t->m[k], d))
                continue;
            int o = md_an_dlv_oc(d);
            if (o == OC_ACCEPTED && (t->oc == OC_NOTRECEIVED || t->oc == OC_FILTERED))
                o = t->oc;   /* what became of it after the 250 */
            cnt[o]++;
            if (!tmin || d->t < tmin)
                tmin = d->t;
            if (d->t > tmax)
                tmax = d->t;
        }
    }
    for (size_t k = 0; k < t->nm; k++) {
        size_t mi = t->m[k];
        const md_trace_msg *m = &c->tr->msgs[mi];
        if (md_an_is_bounce_msg(c, mi))
            continue;
        /* our host that handed the message on: in the Received chain */
        if (m->client_ip[0]) {
            const md_host *h = md_config_host_str(c->cfg, m->client_ip);
            if (h) {
                ipinfo *x = md_an_ip_get(c, m->client_ip);
                if (x) {
                    snprintf(buf, sizeof buf,
                             "%s %s: received from %s [%s] at %s; this hop is in the Received "
                             "chain Microsoft evaluates", m->host, m->qid,
                             m->client_host[0] ? m->client_host : h->name, m->client_ip,
                             md_an_fmt_short(m->t_first, when, sizeof when));
                    char cb[24];
                    /* its first line (not loaded by the request's window query:
                     * then the logs as a whole) */
                    const char *cite = md_an_cite1(m->nlines ? md_an_src_line(c, m, 0)
                                                             : md_srcs_store(c->src, "logs"),
                                                   cb, sizeof cb);
                    md_an_ip_evidence(c, x, "received", t->ref, buf, cite);
                    md_an_ip_lead(c, x, MD_AN_LEAD_HOP, buf, cite);
                    md_an_ip_seen(x, m->t_first);
                }
            }
        }
        for (size_t i = 0; i < m->ndlvs; i++) {
            const md_trace_dlv *d = &m->dlvs[i];
            if (!counted_attempt(c, mi, d))
                continue;
            const md_host *h = md_config_host_by_loghost(c->cfg, m->host);
            if (h && h->ipstr[0]) {
                ipinfo *x = md_an_ip_get(c, h->ipstr);
                if (x) {
                    char code[64];
                    code_words(d, code, sizeof code);
                    snprintf(buf, sizeof buf, "%s %s: to %s via %s [%s]: %s%s%s%s at %s", m->host,
                             m->qid, d->rcpt, d->relay_host, d->relay_ip,
                             md_trace_outcome_name(d->outcome), code[0] ? " (" : "", code,
                             code[0] ? ")" : "", md_an_fmt_short(d->t, when, sizeof when));
                    char cb[24], cc[24], cb2[64], key[200];
                    snprintf(key, sizeof key, "[host %s] loghosts", h->name);
                    snprintf(cb2, sizeof cb2, "%s %s",
                             md_an_cite1(md_an_src_dlv(c, m, d), cb, sizeof cb),
                             md_an_cite1(md_srcs_config(c->src, key), cc, sizeof cc));
                    md_an_ip_evidence(c, x, "attempt", t->ref, buf, cb2);
                    md_an_ip_lead(c, x, md_an_dlv_oc(d) == OC_ACCEPTED ? MD_AN_LEAD_ACCEPTED
                                                                      : MD_AN_LEAD_FAILED, buf, cb2);
                    md_an_ip_seen(x, d->t);
                }
            } else if (h == NULL) {
                char cb[24], cc[24], cb2[64];
                snprintf(cb2, sizeof cb2, "%s %s",
                         md_an_cite1(md_an_src_dlv(c, m, d), cb, sizeof cb),
                         md_an_cite1(md_srcs_config(c->src, "[host *] loghosts"), cc, sizeof cc));
                md_an_note(c, cb2, "Syslog host %s is not in the configuration: the IP its deliveries to "
                        "Microsoft left from is unknown (add it to a [host] section's loghosts).",
                     m->host);
            }
            if (d->named_ip[0]) {
                md_ip nip;
                if (md_ip_parse(&nip, d->named_ip, strlen(d->named_ip)) == MD_OK &&
                    md_config_is_ours(c->cfg, &nip)) {
                    ipinfo *x = md_an_ip_get(c, d->named_ip);
                    if (x) {
                        snprintf(buf, sizeof buf, "Microsoft named %s in its reply at %s: %s",
                                 d->named_ip, md_an_fmt_short(d->t, when, sizeof when), d->reply);
                        char cb[24];
                        const char *cite = md_an_cite1(md_an_src_dlv(c, m, d), cb, sizeof cb);
                        md_an_ip_evidence(c, x, "bounce", t->ref, buf, cite);
                        md_an_ip_lead(c, x, MD_AN_LEAD_NAMED, buf, cite);
                        md_an_ip_seen(x, d->t);
                    }
                }
            }
        }
    }
    /* counts: every IP this thread touched gets the thread's attempts */
    for (size_t i = 0; i < c->nips; i++) {
        ipinfo *x = &c->ips[i];
        if (!x->ev.len || !strstr(md_buf_cstr(&x->ev), t->ref))
            continue;
        /* the ref must be an exact field: "\x1fm1\x1f" */
        char key[24];
        snprintf(key, sizeof key, "\x1f%s\x1f", t->ref);
        if (!strstr(md_buf_cstr(&x->ev), key))
            continue;
        for (int o = 0; o < OC_COUNT; o++) {
            x->count[o] += cnt[o];
            x->total += cnt[o];
            if (o != OC_ACCEPTED && o != OC_DELIVERED)
                x->failures += cnt[o];
        }
        md_an_ip_seen(x, tmin);
        md_an_ip_seen(x, tmax);
    }
}


/* cite_rules: the rules behind the forwarding of a ticket address to rcpt
 * (or of every ticket address when rcpt is NULL) */
static void cite_rules(ctx *c, md_buf *cite, const char *rcpt)
{
    for (size_t i = 0; i < c->nres; i++) {
        int hit = rcpt == NULL;
        for (size_t k = 0; k < c->res[i].ntargets && !hit; k++)
            hit = md_text_casecmp(c->res[i].targets[k].target, rcpt) == 0 ||
                  md_text_casecmp(c->res[i].address, rcpt) == 0;
        for (size_t k = 0; hit && k < c->res[i].applied.n; k++)
            md_cite_add(cite, md_srcs_rule(c->src, c->res[i].applied.v[k].file,
                                           c->res[i].applied.v[k].line));
    }
}

void md_an_cite_thread(ctx *c, thread *t)
{
    md_buf_reset(&t->cite);
    for (size_t k = 0; k < t->nm; k++) {
        const md_trace_msg *m = &c->tr->msgs[t->m[k]];
        /* the attempts it narrates; a message without one: its lines */
        for (size_t i = 0; i < m->ndlvs; i++) {
            if (!md_an_rcpt_in_scope(c, t->m[k], m->dlvs[i].rcpt))
                continue;   /* other recipients' attempts are not narrated */
            md_cite_add(&t->cite, md_an_src_dlv(c, m, &m->dlvs[i]));
            if (c->nres)
                cite_rules(c, &t->cite, m->dlvs[i].rcpt);
        }
        for (size_t i = 0; !m->ndlvs && i < m->nlines; i++)
            md_cite_add(&t->cite, md_an_src_line(c, m, i));
    }
    for (size_t i = 0; i < t->nmrow; i++)
        md_cite_add(&t->cite, t->msrc[i]);
    if (t->oc == OC_NOTRECEIVED && t->nm)   /* "per this ticket, not received" */
        md_cite_add(&t->cite, md_srcs_ticket(c->src, c->o->ticket));
    if (!t->nm && t->oc == OC_MISSING)   /* "no log line": the log area says so */
        md_cite_add(&t->cite, md_srcs_store(c->src, "logs"));
}
