/* msantispam.c: Microsoft's antispam verdict headers in words (see
 * msantispam.h).  Plain values, bounded copies, no allocation. */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "parse/msantispam.h"
#include "base/text.h"

void md_msantispam_init(md_msantispam *as)
{
    /* not the fields f (15 KB, set as they are read) */
    as->present = 0;
    memset(&as->n, 0, sizeof *as - offsetof(md_msantispam, n));
    as->scl = as->org_scl = as->pcl = as->bcl = -2;
}

static int level(const char *v)
{
    char *e;
    long l = strtol(v, &e, 10);
    if (e == v || l < -1 || l > 9)
        return -2;
    return (int)l;
}

static void set_known(md_msantispam *as, const char *k, const char *v)
{
    if (!md_text_casecmp(k, "CIP"))
        md_text_copy(as->cip, sizeof as->cip, v);
    else if (!md_text_casecmp(k, "CTRY"))
        md_text_copy(as->ctry, sizeof as->ctry, v);
    else if (!md_text_casecmp(k, "LANG"))
        md_text_copy(as->lang, sizeof as->lang, v);
    else if (!md_text_casecmp(k, "SFV"))
        md_text_copy(as->sfv, sizeof as->sfv, v);
    else if (!md_text_casecmp(k, "IPV"))
        md_text_copy(as->ipv, sizeof as->ipv, v);
    else if (!md_text_casecmp(k, "CAT"))
        md_text_copy(as->cat, sizeof as->cat, v);
    else if (!md_text_casecmp(k, "SRV"))
        md_text_copy(as->srv, sizeof as->srv, v);
    else if (!md_text_casecmp(k, "SFTY"))
        md_text_copy(as->sfty, sizeof as->sfty, v);
    else if (!md_text_casecmp(k, "DIR"))
        md_text_copy(as->dir, sizeof as->dir, v);
    else if (!md_text_casecmp(k, "PTR"))
        md_text_copy(as->ptr, sizeof as->ptr, v);
    else if (!md_text_casecmp(k, "H"))
        md_text_copy(as->helo, sizeof as->helo, v);
    else if (!md_text_casecmp(k, "SCL"))
        as->scl = level(v);
    else if (!md_text_casecmp(k, "PCL"))
        as->pcl = level(v);
    else if (!md_text_casecmp(k, "BCL"))
        as->bcl = level(v);
}

/* next_field: the next KEY:value; field at *p (a field ends at ';' outside
 * parentheses, SFS:(1)(2)...); 1 with key and value set (value NULL when
 * the field has no ':'), 0 at the end */
static int next_field(const char **pp, const char **key, size_t *klen, const char **val,
                      size_t *vlen)
{
    const char *p = *pp;
    while (*p == ';' || isspace((unsigned char)*p))
        p++;
    if (!*p)
        return 0;
    size_t k = 0;
    int d = 0;
    while (p[k] && (d || p[k] != ';')) {
        if (p[k] == '(')
            d++;
        else if (p[k] == ')' && d > 0)
            d--;
        k++;
    }
    const char *colon = memchr(p, ':', k);
    *key = p;
    *klen = colon ? (size_t)(colon - p) : k;
    *val = colon ? colon + 1 : NULL;
    *vlen = colon ? k - (size_t)(colon - p) - 1 : 0;
    *pp = p + k;
    return 1;
}

void md_msantispam_parse_fields(md_msantispam *as, const char *source, const char *value)
{
    if (!value)
        return;
    as->present = 1;
    const char *p = value, *key, *val;
    size_t kl, vl;
    while (next_field(&p, &key, &kl, &val, &vl)) {
        if (val && as->n < MD_MSAS_MAX_FIELDS) {
            md_msas_field *f = &as->f[as->n++];
            md_text_copy_trim(f->key, sizeof f->key, key, kl);
            md_text_copy_trim(f->value, sizeof f->value, val, vl);
            md_text_copy(f->source, sizeof f->source, source ? source : "");
            set_known(as, f->key, f->value);
        }
    }
}

void md_msantispam_from_message(md_msantispam *as, const md_message *m)
{
    static const char *const hdrs[] = {"X-Forefront-Antispam-Report",
                                       "X-Forefront-Antispam-Report-Untrusted",
                                       "X-Microsoft-Antispam"};
    md_msantispam_init(as);
    for (size_t i = 0; i < sizeof hdrs / sizeof hdrs[0]; i++) {
        const char *v = md_message_header(m, hdrs[i]);
        if (v && (i != 1 || !as->present))
            md_msantispam_parse_fields(as, hdrs[i], v);
    }
    const char *v = md_message_header(m, "X-MS-Exchange-Organization-SCL");
    if (v) {
        as->present = 1;
        as->org_scl = level(v);
        if (as->scl == -2)
            as->scl = as->org_scl;
    }
    v = md_message_header(m, "X-MS-Exchange-Organization-PCL");
    if (v && as->pcl == -2) {
        as->present = 1;
        as->pcl = level(v);
    }
}

const char *md_msantispam_label(const char *k)
{
    static const struct { const char *k, *t; } l[] = {
        {"CIP", "connecting IP address"}, {"CTRY", "country/region of the connecting IP"},
        {"LANG", "language of the message"}, {"SCL", "spam confidence level"},
        {"PCL", "phishing confidence level"}, {"BCL", "bulk complaint level"},
        {"SRV", "bulk mail status"}, {"IPV", "IP filter verdict"},
        {"SFV", "spam filtering verdict"}, {"PTR", "reverse DNS (PTR) of the connecting IP"},
        {"CAT", "protection policy category"}, {"SFTY", "safety tip / phishing flag"},
        {"SFS", "spam rules matched"}, {"DIR", "direction"}, {"H", "HELO/EHLO name"},
        {"SFP", "spam filtering policy"}, {"EFV", "edge filtering verdict"},
        {"SRVR", "server that filtered"}, {"ARA", "anti-spam rule IDs"},
        {"SPF", "SPF result"}, {"X-CustomSpam", "advanced spam filtering"},
    };
    for (size_t i = 0; i < sizeof l / sizeof l[0]; i++)
        if (!md_text_casecmp(k, l[i].k))
            return l[i].t;
    return "";
}

const char *md_msantispam_scl_text(int scl)
{
    switch (scl) {
    case -2: return "";
    case -1: return "filtering skipped (trusted sender or internal)";
    case 0:
    case 1: return "not spam (inbox)";
    case 2:
    case 3:
    case 4: return "not spam (low)";
    case 5:
    case 6: return "spam (junk folder)";
    case 7:
    case 8:
    case 9: return "high confidence spam";
    default: return "";
    }
}

static const char *table(const char *v, const char *const (*t)[2], size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!md_text_casecmp(v, t[i][0]))
            return t[i][1];
    return "";
}

const char *md_msantispam_meaning(const char *k, const char *v, char *dst, size_t n)
{
    static const char *const sfv[][2] = {
        {"SPM", "spam"}, {"NSPM", "not spam"}, {"SKS", "marked as spam before filtering (mail flow rule)"},
        {"SKA", "allowed: filtering skipped (allow list)"}, {"SKN", "not spam before filtering (mail flow rule)"},
        {"SKB", "blocked by policy (blocked sender/domain)"}, {"BLK", "blocked: sender on the recipient's blocked senders list"},
        {"SFE", "allowed: sender on the recipient's safe senders list"}, {"SKQ", "released from quarantine"},
        {"SKI", "intra-organisation: filtering skipped"},
    };
    static const char *const ipv[][2] = {
        {"CAL", "IP on an allow list (filtering skipped)"}, {"NLI", "IP on no list"},
    };
    static const char *const cat[][2] = {
        {"BULK", "bulk"}, {"SPM", "spam"}, {"HSPM", "high confidence spam"}, {"PHSH", "phishing"},
        {"HPHSH", "high confidence phishing"}, {"HPHISH", "high confidence phishing"},
        {"SPOOF", "spoofing"}, {"MALW", "malware"}, {"DIMP", "domain impersonation"},
        {"UIMP", "user impersonation"}, {"GIMP", "mailbox intelligence impersonation"},
        {"AMP", "anti-malware"}, {"SAP", "safe attachments"}, {"OSPM", "outbound spam"},
        {"INTOS", "intra-organisation phishing"}, {"NONE", "none"},
    };
    static const char *const dir[][2] = {
        {"INB", "inbound"}, {"OUT", "outbound"}, {"INT", "internal"},
    };
    if (!k || !v)
        return "";
    if (!md_text_casecmp(k, "SFV"))
        return table(v, sfv, sizeof sfv / sizeof sfv[0]);
    if (!md_text_casecmp(k, "IPV"))
        return table(v, ipv, sizeof ipv / sizeof ipv[0]);
    if (!md_text_casecmp(k, "CAT"))
        return table(v, cat, sizeof cat / sizeof cat[0]);
    if (!md_text_casecmp(k, "DIR"))
        return table(v, dir, sizeof dir / sizeof dir[0]);
    if (!md_text_casecmp(k, "SRV"))
        return !md_text_casecmp(v, "BULK") ? "bulk mail (by the BCL threshold)" : "";
    if (!md_text_casecmp(k, "SFTY")) {
        if (!strncmp(v, "9.19", 4))
            return "domain impersonation";
        if (!strncmp(v, "9.20", 4))
            return "user impersonation";
        if (!strncmp(v, "9.25", 4))
            return "first contact safety tip";
        if (!strncmp(v, "9.1", 3))
            return "phishing";
        return *v ? "safety tip shown" : "";
    }
    if (!md_text_casecmp(k, "SCL"))
        return md_msantispam_scl_text(level(v));
    if (!md_text_casecmp(k, "BCL") || !md_text_casecmp(k, "PCL")) {
        int l = level(v);
        if (l < 0)
            return "";
        if (!md_text_casecmp(k, "BCL"))
            snprintf(dst, n, "%s", l == 0 ? "not from a bulk sender" : l <= 3 ? "bulk sender, few complaints" : l <= 7 ? "bulk sender, mixed complaints" : "bulk sender, many complaints (bad)");
        else
            snprintf(dst, n, "%s", l <= 3 ? "not likely phishing" : "likely phishing");
        return dst;
    }
    return "";
}

char *md_msantispam_summary(const md_msantispam *as, char *dst, size_t n)
{
    const char *verdict = "no verdict";
    if (!as->present) {
        snprintf(dst, n, "no Microsoft antispam headers");
        return dst;
    }
    if (*as->sfv)
        verdict = md_msantispam_meaning("SFV", as->sfv, NULL, 0);
    else if (as->scl >= 5)
        verdict = "spam";
    else if (as->scl >= -1)
        verdict = "not spam";
    if (!*verdict)
        verdict = as->sfv;
    md_buf b = MD_BUF_INIT;
    md_buf_printf(&b, "%s (", verdict);
    const char *sep = "";
    if (*as->sfv) {
        md_buf_printf(&b, "SFV:%s", as->sfv);
        sep = ", ";
    }
    if (as->scl >= -1) {
        md_buf_printf(&b, "%sSCL %d %s", sep, as->scl, md_msantispam_scl_text(as->scl));
        sep = ", ";
    }
    if (as->bcl >= 0) {
        md_buf_printf(&b, "%sBCL %d", sep, as->bcl);
        sep = ", ";
    }
    if (*as->cat && md_text_casecmp(as->cat, "NONE")) {
        md_buf_printf(&b, "%sCAT:%s %s", sep, as->cat, md_msantispam_meaning("CAT", as->cat, NULL, 0));
        sep = ", ";
    }
    md_buf_puts(&b, ")");
    snprintf(dst, n, "%s", md_buf_cstr(&b));
    md_buf_free(&b);
    return dst;
}

void md_msmbx_parse(md_msmbx *d, const char *value)
{
    memset(d, 0, sizeof *d);
    if (!value)
        return;
    d->present = 1;
    const char *p = value, *key, *val;
    size_t kl, vl;
    while (next_field(&p, &key, &kl, &val, &vl)) {
        char k[16];
        if (!val)
            continue;
        md_text_copy_trim(k, sizeof k, key, kl);
        struct { const char *k; char *dst; size_t n; } t[] = {
            {"dest", d->dest, sizeof d->dest}, {"OFR", d->ofr, sizeof d->ofr},
            {"RF", d->rf, sizeof d->rf}, {"ucf", d->ucf, sizeof d->ucf},
            {"jmr", d->jmr, sizeof d->jmr}, {"auth", d->auth, sizeof d->auth},
            {"ENG", d->eng, sizeof d->eng},
        };
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
            if (!md_text_casecmp(k, t[i].k) && !t[i].dst[0])
                md_text_copy_trim(t[i].dst, t[i].n, val, vl);
    }
}

void md_msmbx_from_message(md_msmbx *d, const md_message *m)
{
    const char *v = md_message_header(m, "X-Microsoft-Antispam-Mailbox-Delivery");
    md_msmbx_parse(d, v);
}

const char *md_msmbx_dest_text(const char *dest)
{
    static const char *const t[][2] = {
        {"I", "the inbox"}, {"J", "the Junk Email folder"}, {"D", "Deleted Items"},
    };
    return dest ? table(dest, t, sizeof t / sizeof t[0]) : "";
}

const char *md_msmbx_ofr_text(const char *ofr)
{
    static const char *const t[][2] = {
        {"SpamFilterPass", "the verdict of Microsoft's spam filter"},
        {"TrustedListed", "the sender on the user's safe senders list"},
        {"CustomRules", "a rule of the user's mailbox"},
        {"ExclusiveSettings", "the user's setting to accept only trusted senders"},
    };
    return ofr ? table(ofr, t, sizeof t / sizeof t[0]) : "";
}

char *md_msmbx_sentence(const md_msmbx *d, char *dst, size_t n)
{
    const char *where = md_msmbx_dest_text(d->dest);
    if (!n)
        return dst;
    dst[0] = '\0';
    if (!d->present || !d->dest[0])
        return dst;
    md_buf b = MD_BUF_INIT;
    if (*where)
        md_buf_printf(&b, "filed in %s (dest:%s)", where, d->dest);
    else
        md_buf_printf(&b, "filed in a folder Microsoft writes as dest:%s", d->dest);
    if (d->ofr[0]) {
        const char *why = md_msmbx_ofr_text(d->ofr);
        md_buf_printf(&b, ", on the grounds OFR:%s%s%s%s", d->ofr, *why ? " (" : "", why,
                      *why ? ")" : "");
    }
    if (d->rf[0])
        md_buf_printf(&b, ", routed to the folder %s (RF)", d->rf);
    snprintf(dst, n, "%s", md_buf_cstr(&b));
    md_buf_free(&b);
    return dst;
}
