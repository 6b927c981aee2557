/* bounce_rhost.c: provider error codes to reasons (see bounce_rhost.h).
 * Owns the code tables of Orange/La Poste, GoDaddy, Cox, Spectrum and
 * Facebook, as those providers publish them.  Pure; never prints.
 */
#include "parse/bounce_rhost.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include "base/text.h"

typedef struct code_reason {
    const char *code, *reason;
} code_reason;

/* Orange (OFR, OUK) and La Poste (LPN): the last three digits of the code */
static const code_reason orange[] = {
    {"101", "blocked"},       {"102", "blocked"},       {"103", "blocked"},
    {"104", "toomanyconn"},   {"105", "undefined"},     {"107", "undefined"},
    {"108", "undefined"},     {"109", "undefined"},     {"201", "undefined"},
    {"305", "securityerror"}, {"401", "authfailure"},   {"402", "securityerror"},
    {"403", "rejected"},      {"405", "rejected"},      {"415", "rejected"},
    {"416", "userunknown"},   {"417", "mailboxfull"},   {"420", "suspend"},
    {"421", "rejected"},      {"423", "undefined"},     {"424", "undefined"},
    {"426", "suspend"},       {"505", "systemerror"},   {"506", "spamdetected"},
    {"510", "blocked"},       {"513", "undefined"},     {"514", "mesgtoobig"},
    {"517", "authfailure"},   {"630", "policyviolation"}, {"999", "blocked"},
};

/* GoDaddy's inbound codes, as its help page "what does my email bounceback
 * mean" lists them ("IB607": too many recipients this hour) */
static const code_reason godaddy[] = {
    {"IB401", "securityerror"}, {"IB501", "notcompliantrfc"}, {"IB502", "notcompliantrfc"},
    {"IB506", "rejected"},      {"IB508", "authfailure"},     {"IB108", "requireptr"},
    {"IB212", "spamdetected"},  {"IB705", "virusdetected"},   {"IB605", "toomanyconn"},
    {"IB007", "toomanyconn"},   {"IB101", "speeding"},        {"IB110", "blocked"},
    {"IB111", "blocked"},       {"IB112", "blocked"},         {"IB113", "blocked"},
    {"IB504", "speeding"},      {"IB510", "speeding"},        {"IB607", "speeding"},
    {"IB103", "badreputation"}, {"IB104", "blocked"},         {"IB105", "blocked"},
    {"IB106", "blocked"},
};

/* Cox's AUP codes ("AUP#CXBL") */
static const code_reason cox[] = {
    {"CXBL", "blocked"},        {"CXDNS", "requireptr"},  {"CXSNDR", "authfailure"},
    {"CXSMTP", "rejected"},     {"CXCNCT", "toomanyconn"}, {"CXMXRT", "toomanyconn"},
    {"CDRBL", "blocked"},       {"CXTHRT", "securityerror"}, {"CXMJ", "securityerror"},
};

/* Spectrum (Charter): "AUP#In-1310", "AUP#O-1000": ranges of four digits,
 * as its page "understanding email error codes" lists them */
static const struct { int lo, hi; const char *reason; } spectrum[] = {
    {1000, 1000, "blocked"},       {1010, 1010, "rejected"},    {1020, 1080, "rejected"},
    {1090, 1090, "systemerror"},   {1100, 1150, "requireptr"},  {1160, 1190, "policyviolation"},
    {1200, 1250, "blocked"},       {1260, 1260, "networkerror"}, {1300, 1340, "toomanyconn"},
    {1350, 1490, "speeding"},      {1500, 1520, "rejected"},    {1530, 1530, "mesgtoobig"},
    {1540, 1550, "speeding"},      {1560, 1560, "policyviolation"}, {1580, 1580, "speeding"},
};

static const char *spectrum_code(const char *d)
{
    const char *p = md_text_casestr(d, strlen(d), "AUP#");
    if (!p)
        return NULL;
    p += 4;
    while (isalpha((unsigned char)*p) || *p == '-')
        p++;
    if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) ||
        !isdigit((unsigned char)p[2]) || !isdigit((unsigned char)p[3]) ||
        isdigit((unsigned char)p[4]))
        return NULL;
    int c = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
    for (size_t i = 0; i < sizeof spectrum / sizeof spectrum[0]; i++)
        if (c >= spectrum[i].lo && c <= spectrum[i].hi)
            return spectrum[i].reason;
    return NULL;
}

static const char *lookup(const code_reason *t, size_t n, const char *code, size_t k)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(t[i].code) == k && !md_text_ncasecmp(t[i].code, code, k))
            return t[i].reason;
    return NULL;
}

/* Facebook's response codes (postmaster.facebook.com/response_codes) */
static const code_reason facebook[] = {
    {"POL-P7", "authfailure"},   {"POL-P1", "blocked"},      {"POL-P2", "blocked"},
    {"POL-P3", "blocked"},       {"POL-P4", "blocked"},      {"POL-T1", "blocked"},
    {"POL-T2", "blocked"},       {"POL-T3", "blocked"},      {"MSG-P2", "contenterror"},
    {"RCP-P2", "filtered"},      {"RCP-P3", "filtered"},     {"INT-P7", "mailboxfull"},
    {"MSG-P1", "mesgtoobig"},    {"INT-P2", "mesgtoobig"},   {"MSG-P3", "notcompliantrfc"},
    {"POL-P8", "policyviolation"}, {"DNS-P1", "rejected"},   {"DNS-P2", "rejected"},
    {"DNS-T1", "rejected"},      {"DNS-P3", "requireptr"},   {"DNS-T2", "requireptr"},
    {"POL-P6", "spamdetected"},  {"RCP-T4", "suspend"},      {"RCP-T1", "systemerror"},
    {"CON-T1", "toomanyconn"},   {"CON-T2", "toomanyconn"},  {"CON-T3", "toomanyconn"},
    {"CON-T4", "toomanyconn"},   {"MSG-T1", "toomanyconn"},  {"RCP-P1", "userunknown"},
    {"INT-P1", "userunknown"},   {"INT-P3", "userunknown"},  {"INT-P4", "userunknown"},
    {"POL-P5", "virusdetected"},
};

/* facebook_code: " RCP-P1 " with Facebook's postmaster page named */
static const char *facebook_code(const char *d)
{
    if (!md_text_casestr(d, strlen(d), "postmaster.facebook.com"))
        return NULL;
    for (const char *p = d; (p = strchr(p, '-')) != NULL; p++)
        if (p - d >= 3 && (p - d == 3 || p[-4] == ' ') && p[1] && p[2] &&
            (!p[3] || p[3] == ' ')) {
            const char *r = lookup(facebook, sizeof facebook / sizeof facebook[0], p - 3, 6);
            if (r)
                return r;
        }
    return NULL;
}


/* orange_code: "OFR006_102", "LPN007_426", "ofr_506", "LPNAAA_101", "LPN105-104" */
static const char *orange_code(const char *d)
{
    static const char *const pre[] = {"lpnaaa", "lpn", "ofr", "ouk"};
    size_t n = strlen(d);
    for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++) {
        size_t pl = strlen(pre[i]);
        for (const char *p = d; (p = md_text_casestr(p, n - (size_t)(p - d), pre[i])) != NULL; p += pl) {
            if (p > d && isalnum((unsigned char)p[-1]))
                continue;
            const char *q = p + pl;
            if (isdigit((unsigned char)q[0]) && isdigit((unsigned char)q[1]) &&
                isdigit((unsigned char)q[2]))
                q += 3;
            if (*q != '_' && *q != '-')
                continue;
            q++;
            if (!isdigit((unsigned char)q[0]) || !isdigit((unsigned char)q[1]) ||
                !isdigit((unsigned char)q[2]) || isalnum((unsigned char)q[3]))
                continue;
            const char *r = lookup(orange, sizeof orange / sizeof orange[0], q, 3);
            return r ? r : "undefined";
        }
    }
    return NULL;
}

static const char *word_code(const char *d, const char *prefix, const code_reason *t, size_t n)
{
    const char *p = md_text_casestr(d, strlen(d), prefix);
    if (!p)
        return NULL;
    p += strlen(prefix);
    size_t k = 0;
    while (isalnum((unsigned char)p[k]))
        k++;
    return lookup(t, n, p, k);
}

const char *md_bounce_rhost_reason(const char *diag)
{
    if (!diag || !*diag)
        return NULL;
    const char *r = orange_code(diag);
    if (!r)
        r = word_code(diag, "AUP#", cox, sizeof cox / sizeof cox[0]);
    if (!r)
        r = spectrum_code(diag);
    if (!r)
        r = facebook_code(diag);
    if (!r) {
        /* GoDaddy: "IB607" as a word */
        const char *p = md_text_casestr(diag, strlen(diag), " IB");
        while (p && !r) {
            r = word_code(p, " ", godaddy, sizeof godaddy / sizeof godaddy[0]);
            p = md_text_casestr(p + 3, strlen(p + 3), " IB");
        }
    }
    return r;
}
