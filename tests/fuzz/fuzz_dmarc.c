/* fuzz_dmarc.c: libFuzzer harness for lib/parse/dmarc.c: md_dmarc_parse over
 * arbitrary bytes (XML, broken XML, DOCTYPEs, deep nesting), then every
 * field of the result is read; also md_dmarc_sniff and md_dmarc_name_parse.
 * Must never crash, leak, print or touch the network. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "parse/dmarc.h"

static void noop_warn(void *arg, const char *name, uint64_t line, const char *msg)
{
    (void)name;
    (void)line;
    *(size_t *)arg += strlen(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    (void)md_dmarc_sniff(p, size);
    size_t warned = 0;
    md_dmarc_report *r = NULL;
    md_err err = {0, ""};
    uint64_t line = 0;
    if (md_dmarc_parse(&r, "fuzz.xml", p, size, noop_warn, &warned, &line, &err) == MD_OK) {
        size_t sum = strlen(r->org_name) + strlen(r->report_id) + strlen(r->domain);
        for (size_t i = 0; i < r->nrecords; i++) {
            const md_dmarc_record *c = &r->records[i];
            sum += strlen(c->source_ip) + strlen(c->header_from) + (size_t)c->count;
            sum += (size_t)md_dmarc_record_pass(c);
            for (size_t k = 0; k < c->nauth; k++)
                sum += strlen(r->auths[c->auth_first + k].result);
        }
        if (sum == (size_t)-1)
            abort();
        md_dmarc_free(r);
    }
    /* the first line as a report file name */
    char name[512];
    size_t n = 0;
    while (n < size && n < sizeof name - 1 && p[n] != '\n' && p[n] != '\0') {
        name[n] = p[n];
        n++;
    }
    name[n] = '\0';
    char rep[64], dom[64];
    int64_t b, e;
    (void)md_dmarc_name_parse(name, rep, sizeof rep, dom, sizeof dom, &b, &e);
    return 0;
}
