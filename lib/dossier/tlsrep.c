/* tlsrep.c: the dossier's TLS reports (issue 16): what Microsoft reported
 * (RFC 8460 TLS-RPT) about the TLS sessions its servers made to our
 * domains' MX hosts in the ticket's window - the sessions and failed ones
 * per day, then each failure kind with the MX and its IP - so that a
 * ticket about mail from Outlook.com users that never arrived can show
 * whether Outlook.com's servers could reach us.  Other reporters are left
 * to `maildossier domain`.  Each entry cites the reports area. */
#include "dossier/analysis_int.h"
#include <inttypes.h>
#include "store/store_tls.h"

typedef struct tlsarg {
    ctx *c;
    xmlNode *sec;              /* tls-reports, made at the first entry */
    xmlNode *parent;
    char cite[24];
} tlsarg;

static void entry(tlsarg *a, const char *text)
{
    if (!a->sec)
        a->sec = md_an_el(a->parent, "tls-reports");
    md_an_claim(a->sec, "entry", text, a->cite);
}

static int on_day(void *arg, const md_tls_day *d)
{
    tlsarg *a = arg;
    if (!d->microsoft)
        return 0;
    char buf[768];
    snprintf(buf, sizeof buf, "%s (UTC): %s reported %" PRIu64 " TLS session%s to %s, %" PRIu64
             " of them failed", d->day, d->org_name[0] ? d->org_name : "Microsoft",
             d->success + d->failure, d->success + d->failure == 1 ? "" : "s", d->domain,
             d->failure);
    entry(a, buf);
    return 0;
}

static int on_fail(void *arg, const md_tls_fail *f)
{
    tlsarg *a = arg;
    if (!f->microsoft)
        return 0;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s (UTC): %" PRIu64 " session%s to %s failed with %s at MX %s%s%s%s%s%s",
             f->day, f->count, f->count == 1 ? "" : "s", f->domain,
             f->result_type[0] ? f->result_type : "(no result type)",
             f->receiving_mx[0] ? f->receiving_mx : "(not named)", f->receiving_ip[0] ? " [" : "",
             f->receiving_ip, f->receiving_ip[0] ? "]" : "", f->reason_code[0] ? ", " : "",
             f->reason_code);
    entry(a, buf);
    return 0;
}

void md_an_build_tls(ctx *c, xmlNode *root)
{
    tlsarg a = {c, NULL, root, ""};
    md_an_cite1(md_srcs_store(c->src, "reports"), a.cite, sizeof a.cite);
    md_err e = {0, ""};
    for (size_t i = 0; i < c->cfg->ndomains; i++) {
        if (md_store_tls_days(c->st, c->cfg->domains[i], c->o->since, c->o->until, on_day, &a,
                              &e) != MD_OK ||
            md_store_tls_failures(c->st, c->cfg->domains[i], NULL, c->o->since, c->o->until,
                                  on_fail, &a, &e) != MD_OK)
            break;   /* the store failed: the section says what it read */
    }
}
