/* cmd_ip_tls.c: the TLS-report listings (RFC 8460) of `maildossier ip IP`
 * and `maildossier domain DOMAIN`: for ip, the failures naming the IP as
 * the sending or the receiving one, per day with reporter, result type, MX
 * and sessions, and the DMARC failure reports (RFC 9991) whose Source-IP
 * is the IP; for domain, the sessions others reported per day for mail to
 * DOMAIN as policy domain, and their failures.  Store queries:
 * store_tls.h, store_authfail.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "base/text.h"
#include "store/store_authfail.h"
#include "store/store_tls.h"

typedef struct tls_ctx {
    const char *ip;
    size_t n;
} tls_ctx;

static int on_tls_fail(void *arg, const md_tls_fail *f)
{
    tls_ctx *c = arg;
    if (!c->n++)
        printf("\nTLS failures (TLS reports, RFC 8460):\n");
    const char *role = !strcmp(f->receiving_ip, c->ip) ? "receiving" : "sending";
    printf("  %s  %-24s %6" PRIu64 " session(s)  %s: %s (%s IP), MX %s%s%s\n", f->day,
           f->result_type[0] ? f->result_type : "(no result-type)", f->count, f->org_name[0]
           ? f->org_name : "(reporter unnamed)", f->domain, role,
           f->receiving_mx[0] ? f->receiving_mx : "(not named)",
           f->reason_code[0] ? ", " : "", f->reason_code);
    return 0;
}

static int on_authfail(void *arg, const md_authfail_row *r)
{
    size_t *n = arg;
    char t[32];
    if (!(*n)++)
        printf("\nDMARC failure reports (RFC 9991) about mail from this IP:\n");
    md_text_time_utc(t, sizeof t, r->arrival_date, "%Y-%m-%d %H:%M UTC", "(no date)");
    printf("  %s  %s: Auth-Failure %s", t, r->reported_domain[0] ? r->reported_domain : "?",
           r->auth_failure[0] ? r->auth_failure : "(not given)");
    if (r->dkim_domain[0])
        printf(", DKIM %s s=%s", r->dkim_domain, r->dkim_selector[0] ? r->dkim_selector : "?");
    if (r->delivery_result[0])
        printf(", delivery %s", r->delivery_result);
    if (r->orig_message_id[0])
        printf(", message <%s>", r->orig_message_id);
    printf("\n");
    return 0;
}

/* md_cmd_ip_tls: print them; the number of lines printed (0: none known),
 * or -1 when the store failed (said on stderr). */
long md_cmd_ip_tls(md_store *st, const char *ip)
{
    md_ip a;
    char canon[MD_IP_STRLEN];
    if (md_ip_parse(&a, ip, strlen(ip)) != MD_OK)
        return 0;
    md_ip_format(&a, canon, sizeof canon);
    tls_ctx c = {canon, 0};
    size_t nf = 0;
    md_err e = {0, ""};
    if (md_store_tls_failures(st, NULL, canon, 0, INT64_MAX, on_tls_fail, &c, &e) != MD_OK ||
        md_store_authfail_list(st, canon, on_authfail, &nf, &e) != MD_OK) {
        md_cli_error("ip: %s", e.msg);
        return -1;
    }
    return (long)(c.n + nf);
}

typedef struct dom_ctx {
    size_t ndays, nfail;
} dom_ctx;

static int on_dom_day(void *arg, const md_tls_day *d)
{
    dom_ctx *c = arg;
    if (!c->ndays++)
        printf("\nTLS reports (RFC 8460) about mail to it, per day (UTC) and reporter:\n"
               "  %-10s %-24s %-28s %10s %10s\n", "day", "reporter", "policy domain",
               "sessions", "failed");
    printf("  %-10s %-24s %-28s %10" PRIu64 " %10" PRIu64 "\n", d->day,
           d->org_name[0] ? d->org_name : "(unnamed)", d->domain, d->success + d->failure,
           d->failure);
    return 0;
}

static int on_dom_fail(void *arg, const md_tls_fail *f)
{
    dom_ctx *c = arg;
    if (!c->nfail++)
        printf("  failures:\n");
    printf("    %s  %-24s %6" PRIu64 " session(s)  %s, MX %s%s%s%s%s%s\n", f->day,
           f->result_type[0] ? f->result_type : "(no result-type)", f->count,
           f->org_name[0] ? f->org_name : "(reporter unnamed)",
           f->receiving_mx[0] ? f->receiving_mx : "(not named)",
           f->receiving_ip[0] ? " [" : "", f->receiving_ip, f->receiving_ip[0] ? "]" : "",
           f->reason_code[0] ? ", " : "", f->reason_code);
    return 0;
}

/* md_cmd_domain_tls: print them; the number of days listed (0: none), or
 * -1 when the store failed (said on stderr). */
long md_cmd_domain_tls(md_store *st, const char *domain, int64_t since, int64_t until)
{
    dom_ctx c = {0, 0};
    md_err e = {0, ""};
    if (md_store_tls_days(st, domain, since, until ? until : INT64_MAX, on_dom_day, &c, &e) !=
            MD_OK ||
        (c.ndays && md_store_tls_failures(st, domain, NULL, since, until ? until : INT64_MAX,
                                          on_dom_fail, &c, &e) != MD_OK)) {
        md_cli_error("domain: %s", e.msg);
        return -1;
    }
    return (long)c.ndays;
}
