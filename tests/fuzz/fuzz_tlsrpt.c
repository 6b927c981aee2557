/* fuzz_tlsrpt.c: libFuzzer harness for lib/parse/tlsrpt.c: md_tlsrpt_parse
 * over arbitrary bytes (JSON, broken JSON, deep nesting, wrong types),
 * then every field of the result is read; also md_tlsrpt_sniff and
 * md_tlsrpt_time.  Must never crash, leak, print or touch the network. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "parse/tlsrpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    (void)md_tlsrpt_sniff(p, size);
    md_tlsrpt_report *r = NULL;
    md_err err = {0, ""};
    if (md_tlsrpt_parse(&r, "fuzz.json", p, size, &err) == MD_OK) {
        size_t sum = strlen(r->org_name) + strlen(r->report_id) + (size_t)r->begin;
        for (size_t i = 0; i < r->npolicies; i++) {
            const md_tlsrpt_policy *q = &r->policies[i];
            sum += strlen(q->domain) + strlen(q->mx_hosts) + (size_t)q->success;
            for (size_t k = 0; k < q->nfail; k++) {
                const md_tlsrpt_failure *f = &r->failures[q->fail_first + k];
                sum += strlen(f->result_type) + strlen(f->sending_ip) + (size_t)f->count;
            }
        }
        if (sum == (size_t)-1)
            abort();
        md_tlsrpt_free(r);
    } else if (r) {
        abort();
    }
    char t[64];
    size_t n = size < sizeof t - 1 ? size : sizeof t - 1;
    memcpy(t, p, n);
    t[n] = '\0';
    int64_t v;
    (void)md_tlsrpt_time(t, &v);
    return 0;
}
