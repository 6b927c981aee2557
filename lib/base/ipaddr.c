/* ipaddr.c: IPv4/IPv6 parsing, formatting and CIDR matching (see ipaddr.h).
 * Pure functions; no allocation, no name resolution. */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
#include "base/err.h"
#include "base/ipaddr.h"
#include "base/text.h"

int md_ip_parse(md_ip *out, const char *s, size_t n)
{
    char tmp[64];
    while (n && isspace((unsigned char)*s)) { s++; n--; }
    while (n && isspace((unsigned char)s[n - 1])) n--;
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') { s++; n -= 2; }
    if (n >= 5 && md_text_ncasecmp(s, "IPv6:", 5) == 0) { s += 5; n -= 5; }
    if (n == 0 || n >= sizeof tmp)
        return MD_ERR_PARSE;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    memset(out, 0, sizeof *out);
    struct in_addr a4;
    if (inet_pton(AF_INET, tmp, &a4) == 1) {
        out->b[10] = out->b[11] = 0xff;
        memcpy(out->b + 12, &a4, 4);
        out->v4 = 1;
        return MD_OK;
    }
    if (inet_pton(AF_INET6, tmp, out->b) == 1) {
        static const uint8_t mapped[12] = {0,0,0,0,0,0,0,0,0,0,0xff,0xff};
        out->v4 = memcmp(out->b, mapped, 12) == 0;
        return MD_OK;
    }
    return MD_ERR_PARSE;
}

char *md_ip_format(const md_ip *ip, char *dst, size_t dstsize)
{
    if (ip->v4) {
        if (!inet_ntop(AF_INET, ip->b + 12, dst, (socklen_t)dstsize) && dstsize)
            dst[0] = '\0';
    } else if (!inet_ntop(AF_INET6, ip->b, dst, (socklen_t)dstsize) && dstsize) {
        dst[0] = '\0';
    }
    return dst;
}

int md_ip_equal(const md_ip *a, const md_ip *b)
{
    return memcmp(a->b, b->b, 16) == 0;
}

int md_cidr_parse(md_cidr *out, const char *s, size_t n)
{
    const char *slash = memchr(s, '/', n);
    size_t an = slash ? (size_t)(slash - s) : n;
    if (md_ip_parse(&out->net, s, an) != MD_OK)
        return MD_ERR_PARSE;
    int max = out->net.v4 ? 32 : 128;
    int prefix = max;
    if (slash) {
        const char *p = slash + 1, *e = s + n;
        if (p == e)
            return MD_ERR_PARSE;
        prefix = 0;
        for (; p < e; p++) {
            if (!isdigit((unsigned char)*p) || prefix > 128)
                return MD_ERR_PARSE;
            prefix = prefix * 10 + (*p - '0');
        }
        if (prefix > max)
            return MD_ERR_PARSE;
    }
    out->prefix = out->net.v4 ? prefix + 96 : prefix;
    for (int i = out->prefix; i < 128; i++)
        out->net.b[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
    return MD_OK;
}

int md_cidr_contains(const md_cidr *net, const md_ip *ip)
{
    int full = net->prefix / 8, rest = net->prefix % 8;
    if (memcmp(net->net.b, ip->b, (size_t)full) != 0)
        return 0;
    if (rest) {
        uint8_t mask = (uint8_t)(0xFFu << (8 - rest));
        if ((net->net.b[full] & mask) != (ip->b[full] & mask))
            return 0;
    }
    return 1;
}

int md_cidr_table_contains(md_cidr_table *t, const md_ip *ip)
{
    if (!atomic_load_explicit(&t->ready, memory_order_acquire)) {
        pthread_mutex_lock(&t->mu);
        if (!atomic_load_explicit(&t->ready, memory_order_relaxed)) {
            for (size_t i = 0; i < t->n && i < MD_CIDR_TABLE_MAX; i++)
                if (md_cidr_parse(&t->net[i], t->text[i], strlen(t->text[i])) != MD_OK)
                    t->net[i].prefix = -1;
            atomic_store_explicit(&t->ready, 1, memory_order_release);
        }
        pthread_mutex_unlock(&t->mu);
    }
    for (size_t i = 0; i < t->n && i < MD_CIDR_TABLE_MAX; i++)
        if (t->net[i].prefix >= 0 && md_cidr_contains(&t->net[i], ip))
            return 1;
    return 0;
}

int md_ip_is_private(const md_ip *ip)
{
    static const char *const nets[] = {
        "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8",
        "169.254.0.0/16", "100.64.0.0/10", "0.0.0.0/8",
        "fc00::/7", "fe80::/10", "::1/128", "::/128",
    };
    static md_cidr_table t = MD_CIDR_TABLE(nets);
    return md_cidr_table_contains(&t, ip);
}

static int ipchar(int c)
{
    return isxdigit(c) || c == '.' || c == ':';
}

int md_ip_find(const char *s, size_t n, md_ip *out, size_t *pos, size_t *len)
{
    size_t i = 0;
    while (i < n) {
        if (!ipchar((unsigned char)s[i]) || (i > 0 && (isalnum((unsigned char)s[i - 1]) ||
                                                      s[i - 1] == '.' || s[i - 1] == ':' ||
                                                      s[i - 1] == '-'))) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && ipchar((unsigned char)s[j]))
            j++;
        size_t e = j;
        while (e > i && (s[e - 1] == '.' || (s[e - 1] == ':' && !(e - i >= 2 && s[e - 2] == ':'))))
            e--;
        int dots = 0, colons = 0;
        for (size_t k = i; k < e; k++) {
            dots += s[k] == '.';
            colons += s[k] == ':';
        }
        if ((dots == 3 || colons >= 2) && md_ip_parse(out, s + i, e - i) == MD_OK &&
            !(j < n && (isalnum((unsigned char)s[j]) || s[j] == '-'))) {
            *pos = i;
            *len = e - i;
            return 1;
        }
        i = j;
    }
    return 0;
}

void md_ip_canon_str(const char *s, char out[MD_IP_STRLEN])
{
    md_ip ip;
    out[0] = '\0';
    if (s && *s && md_ip_parse(&ip, s, strlen(s)) == MD_OK)
        md_ip_format(&ip, out, MD_IP_STRLEN);
}
