/* bounce_family.c: the MTA/provider family of a bounce from its markers (see
 * bounce_family.h).  Owns the marker table; pure, never prints.
 */
#include "parse/bounce_family.h"

#include <string.h>
#include "base/text.h"

typedef enum where { W_FROM, W_SUBJECT, W_TEXT, W_HEADER } where;

typedef struct marker {
    const char *family;
    where w;
    const char *header;  /* W_HEADER: the header's name */
    const char *needle;  /* ASCII case-insensitive */
    const char *reason;  /* what the family's notice always means, or NULL */
} marker;

/* first match wins: the more specific markers first */
static const marker markers[] = {
    {"googlegroups", W_HEADER, "X-Failed-Recipients", "@googlegroups.com", "rejected"},
    {"googlegroups", W_TEXT, NULL, "groups.google.com/support", "rejected"},
    {"gmail", W_FROM, NULL, "@googlemail.com", NULL},
    {"gmail", W_TEXT, NULL, "support.google.com/mail", NULL},
    {"amazonses", W_FROM, NULL, "amazonses.com", NULL},
    {"amazonworkmail", W_HEADER, "X-Mailer", "Amazon WorkMail", NULL},
    {"yahoo", W_FROM, NULL, "yahoo", NULL},
    {"aol", W_FROM, NULL, "@aol.com", NULL},
    {"apple", W_FROM, NULL, "icloud.com", NULL},
    {"zoho", W_FROM, NULL, "zoho", NULL},
    {"gmx", W_FROM, NULL, "@gmx.", NULL},
    {"einsundeins", W_FROM, NULL, "1and1", NULL},
    {"mailru", W_FROM, NULL, "@mail.ru", NULL},
    {"facebook", W_FROM, NULL, "facebook.com", NULL},
    {"verizon", W_TEXT, NULL, "vzwpix.com", NULL},
    {"ezweb", W_FROM, NULL, "ezweb.ne.jp", NULL},
    {"kddi", W_FROM, NULL, "kddi", NULL},
    {"docomo", W_FROM, NULL, "docomo.ne.jp", NULL},
    {"james", W_TEXT, NULL, "Apache James", NULL},
    {"domino", W_SUBJECT, NULL, "DELIVERY FAILURE:", NULL},
    {"domino", W_TEXT, NULL, "Domino", NULL},
    {"notes", W_TEXT, NULL, "Lotus SMTP MTA", NULL},
    {"courier", W_TEXT, NULL, "Courier mail server", NULL},
    {"messagingserver", W_TEXT, NULL, "Sun Java(tm) System Messaging Server", NULL},
    {"messagingserver", W_TEXT, NULL, "Oracle Communications Messaging", NULL},
    {"imail", W_HEADER, "X-Mailer", "IMail", NULL},
    {"mfilter", W_TEXT, NULL, "-------server message", NULL},
    {"mcafee", W_HEADER, "X-NAI-Header", "", NULL},
    {"trendmicro", W_TEXT, NULL, "InterScan Messaging Security", NULL},
    {"surfcontrol", W_HEADER, "X-SEF-Processed", "", NULL},
    {"mimecast", W_TEXT, NULL, "mimecast", NULL},
    {"barracuda", W_TEXT, NULL, "Barracuda", NULL},
    {"powermta", W_TEXT, NULL, "PowerMTA", NULL},
    {"opensmtpd", W_TEXT, NULL, "OpenSMTPD", NULL},
    {"exchange2003", W_TEXT, NULL, "MSEXCH:", NULL},
    {"exchange2007", W_TEXT, NULL, "Diagnostic information for administrators", NULL},
    {"mxlogic", W_HEADER, "X-MXL-Hash", "", NULL},
    {"activehunter", W_FROM, NULL, "activehunter", NULL},
    {"biglobe", W_FROM, NULL, "biglobe", NULL},
};

static int hit(const char *hay, const char *needle)
{
    return hay && (!*needle || md_text_casestr(hay, strlen(hay), needle) != NULL);
}

const char *md_bounce_family(const md_message *m, const char *t, size_t n, const char **reason)
{
    *reason = NULL;
    if (!m)
        return NULL;
    for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++) {
        const marker *k = &markers[i];
        int ok = 0;
        switch (k->w) {
        case W_FROM: ok = hit(m->from, k->needle); break;
        case W_SUBJECT: ok = hit(m->subject, k->needle); break;
        case W_HEADER: ok = hit(md_message_header(m, k->header), k->needle); break;
        case W_TEXT: ok = t && md_text_casestr(t, n, k->needle) != NULL; break;
        }
        if (ok) {
            *reason = k->reason;
            return k->family;
        }
    }
    return NULL;
}
