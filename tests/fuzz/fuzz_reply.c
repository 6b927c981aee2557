/* fuzz_reply.c: the reply classifier (lib/parse/reply.c).  The first line of
 * the input is the peer host, the rest the reply text; also the whole input
 * as text and as host/domain.  Spans must lie in the text, the named IP
 * must parse, the reason must exist. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "parse/reply.h"

static void in_text(md_span s, const char *lo, const char *hi)
{
    if (!s.p) {
        if (s.n) abort();
        return;
    }
    if (s.p < lo || s.p + s.n > hi) abort();
}

static void one(const char *t, size_t n, const char *h, size_t hn)
{
    md_reply rp;
    md_ip ip;
    md_reply_classify(&rp, t, n, h, hn);
    in_text(rp.ms_code, t, t + n);
    in_text(rp.named_ip_text, t, t + n);
    in_text(rp.internal_id, t, t + n);
    in_text(rp.ms_hostname, t, t + n);
    in_text(rp.quoted_msgid, t, t + n);
    in_text(rp.queued_as, t, t + n);
    in_text(rp.server, t, t + n);
    if (rp.named_ip[0] && md_ip_parse(&ip, rp.named_ip, strlen(rp.named_ip)) != 0) abort();
    if (rp.reason < 0 || rp.reason >= MD_RSN_COUNT || !rp.detail) abort();
    if (rp.status[sizeof rp.status - 1] != '\0') abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    const char *nl = memchr(p, '\n', size);
    if (nl)
        one(nl + 1, size - (size_t)(nl + 1 - p), p, (size_t)(nl - p));
    one(p, size, NULL, 0);
    (void)md_reply_is_ms_host(p, size);
    (void)md_reply_is_ms_consumer_domain(p, size);
    (void)md_reply_is_ms_addr(p, size);
    return 0;
}
