/* ipaddr.h: IPv4/IPv6 addresses and CIDR networks.
 *
 * Addresses are held as 16 bytes (IPv4 as ::ffff:a.b.c.d) so one comparison
 * serves both families.  Parsing is strict (inet_pton) apart from optional
 * surrounding brackets and an "IPv6:" prefix as in Received headers.  No
 * allocation; no DNS, ever.
 */
#ifndef MD_IPADDR_H
#define MD_IPADDR_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "base/md_limits.h"

typedef struct md_ip {
    uint8_t b[16];
    int v4;          /* 1 if an IPv4 address */
} md_ip;

typedef struct md_cidr {
    md_ip net;
    int prefix;      /* 0..128 over the 16-byte form (IPv4 /24 is stored as 120) */
} md_cidr;

#define MD_IP_STRLEN 46

/* md_ip_parse: parse s[0..n) ("1.2.3.4", "[1.2.3.4]", "IPv6:2001:db8::1",
 * "[IPv6:::1]").  0 on success, MD_ERR_PARSE otherwise. */
int md_ip_parse(md_ip *out, const char *s, size_t n);
/* md_ip_format: canonical text into dst (at least MD_IP_STRLEN bytes). */
char *md_ip_format(const md_ip *ip, char *dst, size_t dstsize);
int md_ip_equal(const md_ip *a, const md_ip *b);
/* md_ip_canon_str: s (NUL-terminated, may be NULL) in canonical text into
 * out, or "" when it is no IP. */
void md_ip_canon_str(const char *s, char out[MD_IP_STRLEN]);

/* md_cidr_parse: "141.89.0.0/16", "2001:db8::/32" or a single address. */
int md_cidr_parse(md_cidr *out, const char *s, size_t n);
int md_cidr_contains(const md_cidr *net, const md_ip *ip);

/* A constant list of networks, written as text, parsed on first use: a
 * static md_cidr_table, set up with MD_CIDR_TABLE(list) where list is a
 * static array of at most MD_CIDR_TABLE_MAX strings.  Texts that do not
 * parse match nothing.  Lookups are safe from any thread (the parse runs
 * once, under the table's mutex); nothing is allocated. */
typedef struct md_cidr_table {
    const char *const *text;
    size_t n;
    pthread_mutex_t mu;
    atomic_int ready;
    md_cidr net[MD_CIDR_TABLE_MAX];
} md_cidr_table;
#define MD_CIDR_TABLE(list) {(list), sizeof(list) / sizeof((list)[0]), PTHREAD_MUTEX_INITIALIZER, 0, {{{{0}, 0}, 0}}}

/* md_cidr_table_contains: whether ip is in one of t's networks. */
int md_cidr_table_contains(md_cidr_table *t, const md_ip *ip);

/* md_ip_is_private: RFC 1918, loopback, link-local, CGNAT, ULA (fc00::/7),
 * IPv6 loopback/link-local, unspecified.  For "not a public IP" decisions. */
int md_ip_is_private(const md_ip *ip);

/* md_ip_find: find the first IPv4 or IPv6 literal in s[0..n) (bracketed or
 * bare, word-bounded, skipping version numbers like "15.1.225.42" only when
 * the caller checks context).  Returns 1 and sets
 * *out, *pos and *len, or 0. */
int md_ip_find(const char *s, size_t n, md_ip *out, size_t *pos, size_t *len);

#endif
