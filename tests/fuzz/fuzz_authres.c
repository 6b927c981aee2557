/* fuzz_authres.c: Authentication-Results, Received-SPF, DKIM-Signature
 * (lib/parse/authres.c) and Microsoft's antispam fields and
 * X-Microsoft-Antispam-Mailbox-Delivery (lib/parse/msantispam.c) over
 * arbitrary values.  Checks: counts within their limits, strings within
 * their arrays. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "parse/authres.h"
#include "parse/msantispam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *v = malloc(size + 1);
    if (!v)
        return 0;
    memcpy(v, data, size);
    v[size] = '\0';
    md_authres ar;
    md_authres_parse(&ar, v);
    if (ar.n > MD_AUTHRES_MAX)
        abort();
    for (size_t i = 0; i < ar.n; i++) {
        if (strlen(ar.item[i].props) >= sizeof ar.item[i].props)
            abort();
        md_authres_compauth_text(ar.item[i].reason);
    }
    md_authres_item it;
    md_authres_parse_spf(&it, v);
    char d[256], s[128];
    md_authres_dkim_sig(v, d, sizeof d, s, sizeof s);
    static md_msantispam as;
    md_msantispam_init(&as);
    md_msantispam_parse_fields(&as, "X-Forefront-Antispam-Report", v);
    if (as.n > MD_MSAS_MAX_FIELDS || as.scl < -2 || as.scl > 9)
        abort();
    char buf[128], sum[512];
    for (size_t i = 0; i < as.n; i++)
        md_msantispam_meaning(as.f[i].key, as.f[i].value, buf, sizeof buf);
    md_msantispam_summary(&as, sum, sizeof sum);
    md_msmbx mb;
    md_msmbx_parse(&mb, v);
    if (strlen(mb.dest) >= sizeof mb.dest || strlen(mb.eng) >= sizeof mb.eng)
        abort();
    md_msmbx_sentence(&mb, sum, sizeof sum);
    free(v);
    return 0;
}
