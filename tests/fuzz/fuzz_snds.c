/* fuzz_snds.c: libFuzzer harness for lib/parse/snds.c: every line of the input
 * through a data-export parser and an IP-status parser (header rows
 * included), and through the time and rate readers; md_snds_sniff on the
 * whole.  Must never crash, read out of bounds or print. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "parse/snds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    (void)md_snds_sniff(p, size);
    md_snds_parser dp, sp;
    md_snds_init(&dp, MD_SNDS_DATA);
    md_snds_init(&sp, MD_SNDS_STATUS);
    size_t sum = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        md_snds_row row;
        md_snds_status st;
        md_err err = {0, ""};
        if (md_snds_data_line(&dp, p, len, &row, &err) == 1)
            sum += strlen(row.ip) + strlen(row.filter) + strlen(row.comments) +
                   (size_t)row.trap_hits;
        if (md_snds_status_line(&sp, p, len, &st, &err) == 1)
            sum += strlen(st.reason) + (size_t)st.blocked;
        int64_t t;
        double pct;
        int lt;
        (void)md_snds_parse_time(p, len, &t);
        (void)md_snds_parse_rate(p, len, &pct, &lt);
        p = nl ? nl + 1 : end;
    }
    if (sum == (size_t)-1)
        abort();
    return 0;
}
