/* reqroute.c: which of Microsoft's channels a request about an IP goes to,
 * from the text of Microsoft's error (reqroute.h). */
#include "dossier/reqroute.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include "base/text.h"
#include "parse/reply.h"

/* status_in: the enhanced status is a.b.c with c in [lo, hi] */
static int status_in(const char *st, int a, int b, int lo, int hi)
{
    int x, y, z;
    if (sscanf(st, "%d.%d.%d", &x, &y, &z) != 3)
        return 0;
    return x == a && y == b && z >= lo && z <= hi;
}

static int code_is(const md_req_route *r, const char *c)
{
    return md_text_casecmp(r->code, c) == 0;
}

static int route_kind(const md_req_route *r, const char *text)
{
    size_t n = strlen(text);
    if (md_reply_status_banned(r->status) || md_text_casestr(text, n, "banned sending ip"))
        return MD_REQ_BANNED;
    if (code_is(r, "S3150") || code_is(r, "S3140"))
        return MD_REQ_BLOCKLIST;
    if (status_in(r->status, 4, 7, 650, 651) || code_is(r, "S3114") || code_is(r, "S775") ||
        strncmp(r->code, "RP-", 3) == 0 || strncmp(r->code, "rp-", 3) == 0)
        return MD_REQ_RATELIMIT;
    return MD_REQ_OTHER;
}

static void copy_span(char *dst, size_t n, const char *p, size_t len)
{
    if (!p)
        len = 0;
    if (len >= n)
        len = n - 1;
    if (len)
        memcpy(dst, p, len);
    dst[len] = '\0';
}

void md_req_route_classify(const char *text, md_req_route *out)
{
    memset(out, 0, sizeof *out);
    if (!text || !*text)
        return;
    md_reply rp;
    md_reply_classify(&rp, text, strlen(text), NULL, 0);
    snprintf(out->status, sizeof out->status, "%s", rp.status);
    copy_span(out->code, sizeof out->code, rp.ms_code.p, rp.ms_code.n);
    snprintf(out->named_ip, sizeof out->named_ip, "%s", rp.named_ip);
    /* the server bracket's first word is the host name */
    size_t hn = 0;
    while (rp.server.p && hn < rp.server.n && rp.server.p[hn] != ' ')
        hn++;
    copy_span(out->server, sizeof out->server, rp.server.p, hn);
    out->kind = route_kind(out, text);
}

int md_req_route_delist(int kind)
{
    return kind == MD_REQ_BANNED;
}

const char *md_req_route_words(int kind)
{
    switch (kind) {
    case MD_REQ_BANNED: return "banned sending IP";
    case MD_REQ_BLOCKLIST: return "on Microsoft's block list";
    case MD_REQ_RATELIMIT: return "rate limited";
    case MD_REQ_OTHER: return "refused or deferred";
    default: return "";
    }
}

const char *md_req_utc(int64_t t, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!n)
        return buf;
    buf[0] = '\0';
    if (gmtime_r(&tt, &tm))
        strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}
