/* reqdomain.c: the request's part on our sending domains and Outlook.com's
 * authentication rule of May 2025 (issue 16): for each domain of
 * [organisation] domains whose evidence in the request's window matters to
 * that rule - a day over MD_MS_BULK_THRESHOLD messages to Microsoft's
 * consumer domains, or a 550 5.7.515 refusal - one paragraph saying so,
 * with Outlook.com's DMARC pass rates for it (md_analysis_domain).  A
 * domain where neither is seen is left out: the request says only what
 * matters and what the evidence shows. */
#include "dossier/analysis_int.h"
#include "analysis/domain.h"
#include "base/md_limits.h"

/* pct: "893 (94.8%)" */
static void pct(md_buf *b, uint64_t n, uint64_t of)
{
    md_buf_printf(b, "%llu (%.1f%%)", (unsigned long long)n, of ? 100.0 * (double)n / (double)of : 0.0);
}

/* one domain's paragraph into b (empty when nothing matters); its sources
 * into cite */
static void domain_paragraph(md_buf *b, md_buf *cite, const md_domain_report *d, md_srcs *src)
{
    uint64_t dm = 0, pass = 0, dkim = 0, spf = 0;
    for (size_t i = 0; i < d->ndays; i++)
        if (d->days[i].has_dmarc) {
            dm += d->days[i].dm_messages;
            pass += d->days[i].dm_pass;
            dkim += d->days[i].dm_dkim;
            spf += d->days[i].dm_spf;
        }
    if (!d->days_over && !d->refusals_total)
        return;
    md_buf_printf(b, "%s: ", d->domain);
    if (d->days_over) {
        md_buf_printf(b, "on %llu day%s our logs show more than %d,%03d messages from it to "
                         "Outlook.com's consumer domains (busiest day: %llu)",
                      (unsigned long long)d->days_over, d->days_over == 1 ? "" : "s",
                      MD_MS_BULK_THRESHOLD / 1000, MD_MS_BULK_THRESHOLD % 1000,
                      (unsigned long long)d->max_messages);
        md_cite_add(cite, md_srcs_store(src, "logs"));
    } else {
        md_buf_printf(b, "no day over %d,%03d messages to Outlook.com's consumer domains in "
                         "our logs (busiest day: %llu)", MD_MS_BULK_THRESHOLD / 1000,
                      MD_MS_BULK_THRESHOLD % 1000, (unsigned long long)d->max_messages);
        md_cite_add(cite, md_srcs_store(src, "logs"));
    }
    if (d->refusals_total) {
        md_buf_printf(b, "; %llu refusal%s 550 5.7.515 (sending domain below the required "
                         "authentication level)", (unsigned long long)d->refusals_total,
                      d->refusals_total == 1 ? "" : "s");
        md_cite_add(cite, md_srcs_store(src, "logs"));
        md_cite_add(cite, md_srcs_store(src, "messages"));
    }
    if (dm) {
        md_buf_printf(b, "; Outlook.com's DMARC aggregate reports for it: %llu messages, "
                         "DMARC pass ", (unsigned long long)dm);
        pct(b, pass, dm);
        md_buf_puts(b, ", aligned DKIM pass ");
        pct(b, dkim, dm);
        md_buf_puts(b, ", aligned SPF pass ");
        pct(b, spf, dm);
        md_cite_add(cite, md_srcs_store(src, "reports"));
    } else {
        md_buf_puts(b, "; no DMARC aggregate report of Outlook.com for it in the store");
        md_cite_add(cite, md_srcs_store(src, "reports"));
    }
    md_buf_puts(b, " (maildossier domain shows it day by day).");
}

void md_an_req_domains(xmlNode *root, md_store *st, const md_config *cfg, int64_t since,
                       int64_t until, md_srcs *src)
{
    xmlNode *sec = NULL;
    for (size_t i = 0; i < cfg->ndomains; i++) {
        md_domain_report d;
        md_err e = {0, ""};
        if (md_analysis_domain(st, cfg->domains[i], since, until, &d, &e) != MD_OK)
            continue;
        md_buf b = MD_BUF_INIT, cite = MD_BUF_INIT;
        domain_paragraph(&b, &cite, &d, src);
        if (b.len) {
            if (!sec)
                sec = md_an_el(root, "domain-authentication");
            md_an_claim(sec, "paragraph", md_buf_cstr(&b), md_buf_cstr(&cite));
        }
        md_buf_free(&b);
        md_buf_free(&cite);
        md_analysis_domain_free(&d);
    }
}
