/* fuzz_received.c: one Received value (lib/parse/received.c) and a chain built
 * from the input's lines as Received headers.  Checks: strings stay
 * NUL-terminated within their arrays, an IP found formats back to itself,
 * hop counts stay within MD_LIMIT_RECEIVED. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "parse/received.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *v = malloc(size + 1);
    if (!v)
        return 0;
    memcpy(v, data, size);
    v[size] = '\0';
    md_hop h;
    md_received_parse_one(&h, v);
    if (strlen(h.raw) >= sizeof h.raw || strlen(h.by) >= sizeof h.by || strlen(h.id) >= sizeof h.id)
        abort();
    if (h.has_ip) {
        md_ip ip;
        if (md_ip_parse(&ip, h.ipstr, strlen(h.ipstr)) != MD_OK || !md_ip_equal(&ip, &h.ip))
            abort();
    }
    md_received_classify(NULL, h.has_ip ? &h.ip : NULL, h.rdns, NULL);
    /* the lines as a chain */
    md_buf b = MD_BUF_INIT;
    for (const char *p = v; *p;) {
        size_t k = strcspn(p, "\n");
        md_buf_puts(&b, "Received: ");
        md_buf_append(&b, p, k);
        md_buf_putc(&b, '\n');
        p += k + (p[k] == '\n');
    }
    md_buf_puts(&b, "From: a@b.example\n\nbody\n");
    md_message *m = NULL;
    md_err e;
    if (md_message_parse(&m, md_buf_cstr(&b), b.len, &e) == MD_OK) {
        md_received rc;
        if (md_received_chain(&rc, m, &e) == MD_OK) {
            if (rc.n > MD_LIMIT_RECEIVED)
                abort();
            md_received_free(&rc);
        }
        md_message_free(m);
    }
    md_buf_free(&b);
    free(v);
    return 0;
}
