/* fuzz_detect.c: libFuzzer harness for input kind detection
 * (md_ingest_detect) and fingerprints (md_ingest_fingerprint): arbitrary
 * first bytes under a few realistic names; the kind must be a valid one and
 * the fingerprint must not consume input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ingest/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"mail.log", "/home/jdoe/.forward", "x.sieve",
                                        "/etc/aliases", "report.xml", "-", "Maildir/cur/1:2,S",
                                        ""};
    const char *name = names[size ? data[0] % 8 : 0];
    md_kind k = md_ingest_detect((const char *)data, size, name);
    if (k < MD_KIND_UNKNOWN || k >= MD_KIND_COUNT || !md_ingest_kind_name(k))
        abort();
    md_input *in;
    md_err e = {0, ""};
    if (md_input_open_mem(&in, name, data, size, &e) != MD_OK)
        return 0;
    const char *p;
    size_t n;
    if (md_input_peek(in, 65536, &p, &n, &e) == MD_OK) {
        md_kind k2 = md_ingest_detect(p, n, name);
        if (k2 < MD_KIND_UNKNOWN || k2 >= MD_KIND_COUNT)
            abort();
        char fp[40];
        if (md_ingest_fingerprint(in, k2, fp, sizeof fp, &e) == MD_OK && strlen(fp) != 32)
            abort();
        if (md_input_pos(in) != 0 || md_input_lineno(in) != 0)
            abort();
    }
    md_input_close(in);
    return 0;
}
