/* reqroute.h: where a request about one of our IPs goes, after what
 * Microsoft said about it.  Microsoft's banned IPs (550 5.7.606 to
 * 5.7.649, "banned sending IP") are delisted through its delist portal
 * (https://sender.office.com), not through the sender-support form; block
 * lists (S3150/S3140) and rate limits (4.7.650/4.7.651, S3114, S775,
 * RP-00x) go to sender support.  One error text is classified at a time;
 * the request (request.c) takes, per IP, the strongest kind of the errors
 * that name it (banned over block list over rate limit over other).
 *
 * Ownership: md_req_route is a plain value (copies, nothing to free).
 * Never prints; no SQL. */
#ifndef MD_REQROUTE_H
#define MD_REQROUTE_H

#include <stddef.h>
#include <stdint.h>
#include "base/ipaddr.h"

/* the kinds, weakest first (a larger one wins for an IP) */
enum {
    MD_REQ_NONE = 0,      /* no error of Microsoft names the IP */
    MD_REQ_OTHER,         /* another refusal or deferral: sender support */
    MD_REQ_RATELIMIT,     /* 4.7.650/4.7.651, S3114, S775, RP-00x: sender support */
    MD_REQ_BLOCKLIST,     /* S3150/S3140 block list: sender support */
    MD_REQ_BANNED         /* 5.7.606-5.7.649 banned sending IP: delist portal */
};

#define MD_REQ_DELIST_URL "https://sender.office.com"

typedef struct md_req_route {
    int kind;                      /* MD_REQ_* */
    char status[12];               /* enhanced status "5.7.606", "" if none */
    char code[16];                 /* Microsoft's code "S3150", "RP-001", "" if none */
    char server[128];              /* the Microsoft server the trailing bracket names
                                      ("AM5EUR02FT047.eop-EUR02.prod.protection.outlook.com"),
                                      "" if none */
    char named_ip[MD_IP_STRLEN];   /* the IP the text names, canonical; "" if none */
} md_req_route;

/* md_req_route_classify: classify the error text (as logged, with or
 * without the MTA's prefix) into *out (zeroed first). */
void md_req_route_classify(const char *text, md_req_route *out);

/* md_req_route_delist: 1 if the kind goes to the delist portal */
int md_req_route_delist(int kind);

/* md_req_route_words: what the kind is, in words for the request ("banned
 * sending IP", "on Microsoft's block list", "rate limited", "refused or
 * deferred"); "" for MD_REQ_NONE */
const char *md_req_route_words(int kind);

/* md_req_utc: t as "2016-04-23T14:12:01Z" into buf (size >= 24) */
const char *md_req_utc(int64_t t, char *buf, size_t n);

#endif
