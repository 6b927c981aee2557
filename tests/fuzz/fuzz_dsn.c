/* fuzz_dsn.c: bounces (lib/parse/dsn.c with bounce_reason.c, bounce_family.c,
 * bounce_rhost.c) and complaints (lib/parse/arf.c) over arbitrary messages,
 * and the classifiers over arbitrary diagnostic text.  Checks: recipient
 * count within MD_DSN_MAX_RCPT, every named IP parses, statuses look like
 * D.D.D, every recipient has a reason (never ""). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "parse/arf.h"
#include "parse/bounce_reason.h"
#include "parse/bounce_rhost.h"
#include "parse/dsn.h"

static md_dsn d;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    md_message *m = NULL;
    md_err e = {0, ""};
    if (md_message_parse(&m, (const char *)data, size, &e) == MD_OK) {
        if (md_dsn_parse(&d, m)) {
            if (d.n > MD_DSN_MAX_RCPT)
                abort();
            for (size_t i = 0; i < d.n; i++) {
                md_ip ip;
                if (*d.rcpt[i].named_ip &&
                    md_ip_parse(&ip, d.rcpt[i].named_ip, strlen(d.rcpt[i].named_ip)) != MD_OK)
                    abort();
                if (*d.rcpt[i].status && (d.rcpt[i].status[1] != '.'))
                    abort();
                if (!*d.rcpt[i].reason)
                    abort();
            }
        }
        md_arf a;
        if (md_arf_parse(&a, m) && *a.source_ip) {
            md_ip ip;
            if (md_ip_parse(&ip, a.source_ip, strlen(a.source_ip)) != MD_OK)
                abort();
        }
        /* a DMARC failure report's fields: terminated within their room */
        if (strlen(a.auth_failure) >= sizeof a.auth_failure ||
            strlen(a.spf_dns) >= sizeof a.spf_dns ||
            strlen(a.identity_alignment) >= sizeof a.identity_alignment ||
            md_arf_is_auth_failure(&a) > 1)
            abort();
        md_message_free(m);
    }
    md_dsn_rcpt r;
    memset(&r, 0, sizeof r);
    size_t n = size < sizeof r.diag - 1 ? size : sizeof r.diag - 1;
    memcpy(r.diag, data, n);
    r.diag[n] = '\0';
    md_dsn_classify(&r);
    if (!*r.reason)
        abort();
    md_bounce_in in = {r.diag, "", 0, "", md_bounce_command(r.diag, n), "smtp"};
    if (!*md_bounce_reason(&in))
        abort();
    (void)md_bounce_rhost_reason(r.diag);
    return 0;
}
