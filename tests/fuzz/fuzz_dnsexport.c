/* fuzz_dnsexport.c: libFuzzer harness for lib/parse/dnsexport.c (the --dns
 * export of `maildossier domain`): the whole input as a dig answer section or
 * zone fragment.  Must never crash or read out of bounds; every record kept
 * has a kind, NUL-terminated name and text, a line within the input, and the
 * count stays within MD_LIMIT_DNS_RECORDS. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "parse/dnsexport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    md_dns_export x;
    md_err err = {0, ""};
    (void)md_dns_export_parse((const char *)data, size, &x, &err);
    if (x.n > MD_LIMIT_DNS_RECORDS)
        abort();
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    for (size_t i = 0; i < x.n; i++) {
        const md_dns_record *r = &x.rec[i];
        if ((r->kind != MD_DNS_SPF && r->kind != MD_DNS_DMARC) || !r->line || r->line > lines ||
            memchr(r->name, 0, sizeof r->name) == NULL || memchr(r->text, 0, sizeof r->text) == NULL)
            abort();
    }
    return 0;
}
