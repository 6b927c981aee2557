/* reply515.h: what Outlook.com's 550 5.7.515 refusal says ("Access denied,
 * sending domain [X] does not meet the required authentication level"):
 * the domain it names and the SPF, DKIM and DMARC results where the text
 * names them ("SPF: fail", "spf=fail", "DKIM result: pass").  A parser of
 * outside text (log replies, bounce diagnostics): never reads past n,
 * never allocates, never prints.
 */
#ifndef MD_REPLY515_H
#define MD_REPLY515_H

#include <stddef.h>

typedef struct md_reply515 {
    int is515;                  /* the text holds 5.7.515 */
    char domain[256];           /* "sending domain [X]" lower case, "" not named */
    char spf[16], dkim[16], dmarc[16]; /* result words as named, lower case; "" not named */
} md_reply515;

/* md_reply515_parse: read text[0..n) into *out (always filled). */
void md_reply515_parse(const char *text, size_t n, md_reply515 *out);

#endif
