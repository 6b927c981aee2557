/* bounce_reason.c: a bounce recipient's reason in sisimai's taxonomy (see
 * bounce_reason.h).  Owns the phrase table of each reason (lower case; "a*b"
 * means a, later b), the enhanced status table and the order in which they
 * are asked.  Pure: no allocation, no state; never prints.
 */
#include "parse/bounce_reason.h"

#include <string.h>

/* ---- phrases ------------------------------------------------------------ */

typedef struct phrases {
    const char *reason;
    const char *const *p;
} phrases;

static const char *const ph_mailboxfull[] = {
    "mailbox exceeds allowed size",
    "mailbox full", "mailbox is full", "mailbox size limit exceeded", "mailfolder is full",
    "over quota", "overquota", "quota exceeded", "exceeded storage", "insufficient storage",
    "exceeds quota", "user is over", "over the allowed quota", "disk quota exceeded",
    "mailbox has exceeded", "account is full", "recipient's mailbox exceeded",
    "mailbox exceeded the local limit", "messages in recipient's mailbox exceeded",
    "out of storage space", "inbox is full", "quota full", "not enough storage space",
    "user has exceeded", "exceeded his/her quota", "mailbox would exceed", "mailbox quota",
    "is full and cannot accept", "too many messages in this mailbox", "boite du destinataire pleine",
    "recipient reached disk quota", "mailbox is over", "storage quota", NULL};
static const char *const ph_mesgtoobig[] = {
    "message too large", "message is too large", "message too big", "message size exceeds",
    "size exceeds fixed", "exceeds the maximum size", "mail size limit exceeded",
    "message length exceeds", "message exceeds maximum", "message size too large",
    "taille limite du message atteinte", "size limit", "exceeded maximum message size",
    "message is larger than", NULL};
static const char *const ph_exceedlimit[] = {
    "message too large for this recipient", "message size exceeds the limit set by recipient",
    "message length exceeds limit set by recipient", "exceeds size limit",
    "message length exceeds administrative limit", NULL};
static const char *const ph_suspend[] = {
    " is currently suspended", " temporary locked", "account is locked", "mailbox is frozen",
    "account has been disabled", "account disabled", "user account disabled",
    "mailbox currently suspended", "mailbox is disabled", "mailbox disabled",
    "recipient suspend the service", "invalid/inactive user", "user suspended",
    "is a deactivated mailbox", "temporarily inactive", "disabled recipient address",
    "account that you tried to reach is disabled", "le compte du destinataire est bloque",
    "the recipient account is blocked", "boite du destinataire archivee",
    "account is inactive", "this account is not active", "has been suspended", "discontinued",
    "inactive and", NULL};
static const char *const ph_hasmoved[] = {
    "has moved", "address has changed", "no longer in use", "user has moved", NULL};
static const char *const ph_norelaying[] = {
    "relay access denied", "relaying denied", "relaying not allowed", "relay not permitted",
    "not permitted to relay", "unable to relay", "relay denied", "insecure mail relay",
    "no relaying", "we do not relay", "relay not allowed", "not allowed to relay",
    "that domain isn't in my list of allowed rcpthosts",
    "email address is not verified", NULL};
static const char *const ph_authfailure[] = {
    "dkim signature", "dkim check", "dkim fail", "dkim validation", "dmarc policy", "dmarc check", "dmarc fail", "fails dmarc", "does not pass dmarc", "dmarc validation", "failed dmarc",
    "spf check failed", "spf validation", "spf fail", "sender policy framework",
    "authentication checks failed", "unauthenticated email", "sender is unauthenticated",
    "required authentication level", "must pass either spf or dkim", "does not pass spf",
    NULL};
static const char *const ph_requireptr[] = {
    "service permits", "unverifyable sending ip",
    "mismatches client ip",
    "reverse dns", "ptr record", "no ptr", "reverse lookup", "ip name lookup failed",
    "cannot find your hostname", "invalid rdn", "hostname lookup", "forward and reverse",
    "rdns", "cannot resolve your address", "client host rejected: cannot find your",
    "not resolve to your ip", NULL};
static const char *const ph_userunknown[] = {
    "check if address is correct",
    "\xe3\x83\x87\xe3\x82\xa3\xe3\x83\xac\xe3\x82\xaf\xe3\x83\x88\xe3\x83\xaa\xe3\x81\xae\xe3\x83\xaa\xe3\x82\xb9\xe3\x83\x88\xe3\x81\xab\xe3\x81\x82\xe3\x82\x8a\xe3\x81\xbe\xe3\x81\x9b\xe3\x82\x93",
    "recipient address rejected.",
    "user unknown", "unknown user", "no such user", "no such mailbox", "no such recipient",
    "user not found", "user not exist", "user does not exist", "unknown recipient",
    "recipient unknown", "recipient not found", "recipient does not exist", "invalid recipient",
    "not a valid recipient", "address does not exist", "mailbox does not exist",
    "mailbox not found", "mailbox unavailable", "mailbox is unavailable", "no mailbox",
    "unknown mailbox", "invalid mailbox", "mailbox invalid", "address unknown", "unknown address",
    "invalid address", "address invalid", "not a known user", "is not a valid mailbox",
    "no account by that name", "does not exist.", "account does not exist",
    "email account that you tried to reach does not exist", "resolver.adr.recipnotfound",
    "recipientnotfound", "recipient address rejected: user", "recipient address rejected: unknown",
    "recipient address rejected: invalid", "recipient address rejected: access denied",
    "this user doesn't have a*account", "not listed in domino directory",
    "not listed in public name", "user not known", "user missing home directory",
    "utilisateur inconnu", "no such person", "there is no one at this address",
    "destination addresses were unknown", "recipient is not local", "not a local address",
    "is not an active address", "badrcptto", "validrcptto", "user reject", "unknown local part",
    "unknown local-part", "address not present", "no valid recipients", "couldn't find any host named",
    "recipient not exist", "no existe", "mailbox not present", "is not a registered user",
    "nonexistent user", "non-existent user", "this spectator does not exist", "user doesn't exist",
    "recipient address rejected. (in reply to rcpt to", "sorry, no mailbox here",
    "the following recipients was undeliverable", "unknown e-mail address",
    "address not found", "address couldn't be found", "recipient name is not recognized",
    NULL};
static const char *const ph_filtered[] = {
    "recipients was rejected by a remote",
    "because the recipient is only accepting mail from specific", "bounced address",
    "due to extended inactivity new mail is not currently being accepted", "has restricted sms",
    "is not accepting any mail", "refused due to recipient preferences",
    "resolver.rst.notauthorized", "this account is protected by", "user reject",
    "refuse to receive mail", "you have been blocked by the recipient", "message filtered",
    "rejected by the recipient's", NULL};
static const char *const ph_rejected[] = {
    "permission to post", "group you tried to contact",
    "recipient addresses rejected : access denied",
    "sender address rejected", "sender rejected", "domain of sender address", "sender domain",
    "sender verify failed", "unroutable sender address", "invalid sender", "bogus mail from",
    "empty envelope senders", "null sender is not allowed", "sender is spammer",
    "mail from not owned by user", "from: domain is invalid", "is not a registered gateway user",
    "message rejected: email address is not verified", "administrative prohibition",
    "access denied (in reply to mail from", "returned mail not accepted here",
    "sender not pre-approved", "batv", "fully qualified email address required",
    "sender email address rejected", "no third-party dsns", "mx records for",
    "invalid domain, see", "address rejected", "delivery not authorized, message refused",
    "envelope blocked", "emetteur invalide", NULL};
static const char *const ph_hostunknown_not[] = {"not found, try again", NULL};
static const char *const ph_rejected_not[] = {
    "recipient address rejected", "sender ip address rejected", "5.1.0 address rejected", NULL};
static const char *const ph_hostunknown[] = {
    "domain is not reachable",
    "host unknown", "host not found", "domain not found", "unknown host", "no such domain",
    "domain does not exist", "domain must exist", "name or service not known",
    "unrouteable address", "unroutable address", "host or domain name not found",
    "recipient domain must exist", "the domain name does not exist", "illegal host/domain",
    "mail exchanger not found", "no mail servers for", "unknown domain", "bad destination system",
    "not our customer", NULL};
static const char *const ph_spamdetected[] = {
    "- spam", "scored as spam",
    "spam content", "classified as spam", "rejected as spam", "spam message", "message is spam", "spam detected", "detected as spam", "likely spam", "looks like spam", "rejected, ube", "spam classification", "considered spam", "spam-like", "spam score", "identified as spam", "spam filter", "is spam",
    "unsolicited", "junk mail", "bulk mail",
    "content filter", "classified as", NULL};
static const char *const ph_speeding[] = {
    "please try again slower", "receiving mail at a rate", "rate that prevents",
    "sending too fast", "too many recipients this hour", "has sent to too many recipients",
    "you are sending too fast", NULL};
static const char *const ph_toomanyconn[] = {
    "too many connections", "too many concurrent", "connection frequency limited",
    "ip frequency limited", "too many simultaneous", "connection rate limit",
    "too many recipients", "max connections", "sent too many messages", "too many sessions",
    "maximum number of connections", NULL};
static const char *const ph_blocked[] = {
    "blacklisted", "blacklist", "blocklist", "block list", "blocked using", "listed at",
    "listed in", "dnsbl", "rbl", "spamhaus", "spamcop", "banned sending ip", "client host rejected",
    "not currently accepting mail from your ip", "please use the smtp server of your isp",
    "no access from mail server", "open relay", "open proxy", "dynamic ip", "hosts with dynamic",
    "is not allowed to send mail from", "connection refused by", "access from ip address",
    "ip address rejected", "blocked ip", "ip blocked", "invalid ip for sending", "(bl)",
    "go away", "your network is temporary blacklisted", "confirm this mail server",
    "refused to talk to me",
    "access denied...", "your server requires confirmation", "client host blocked",
    "adresse ip source bloquee", "relay quota", "you're not allowed", "not authorized to send",
    "your e-mail is redundant", NULL};
static const char *const ph_policyviolation[] = {
    "policy violation detected",
    "an illegal attachment", "denied by policy", "not accepted for policy reasons",
    "rejected for policy reasons", "local policy violation", "organizational settings",
    "header error", "header are not accepted", "protocol violation",
    "rejected by organization policy", "this message was blocked because its content",
    "mass mailer", "closed mailing list", "members-only list", "security policies",
    "host network not allowed", "low priority", "not subscribed to this group", NULL};
static const char *const ph_notcompliantrfc[] = {
    "messages with multiple*addresses in from",
    "messages with multiple addresses in from", "multiple addresses in from:",
    "not rfc 5322 compliant", "rfc 5322", "rfc5322", "missing a message-id",
    "multiple from", NULL};
static const char *const ph_virusdetected[] = {
    "virus", "malware", "infected", "trojan", NULL};
static const char *const ph_badreputation[] = {
    "reputation", "unexpected volume or user complaints", "user complaints", NULL};
static const char *const ph_securityerror[] = {
    "authentication required", "smtp authentication", "unauthenticated senders not allowed",
    "authentication failed", "must be authenticated", "starttls", "tls required",
    "encryption required", "you are not authorized", "delivery not authorized", NULL};
static const char *const ph_systemerror[] = {
    "could not load drd", "transaction failed", "upstream error",
    "system error", "internal error", "system config error",
    "server configuration problem", "local error in processing", "unable to contact ldap",
    "service currently unavailable", "queue file write error",
    "mail system problem", "internal system error", "server error", NULL};
static const char *const ph_networkerror[] = {
    "dns query failed",
    "establish an smtp connection",
    "network error", "no route to host", "host is unreachable", "network is unreachable",
    "too many hops", "hop count exceeded", "routing loop", "mail forwarding loop", "looping",
    "malformed name server reply", "name server reply", "host not found, try again",
    "unable to resolve route", "dns records for the destination", "could not connect and send",
    "unrouteable mail domain", "dns error", "name service error", "dns lookup failed", NULL};
static const char *const ph_expired[] = {
    "host not reachable", "could not find a gateway", "was aborted after",
    "have been failing for a long time",
    "delivery failed*attempts", "message will be retried",
    "connection timed out", "delivery time expired", "giving up", "message expired",
    "queue.expired", "message timed out", "retry time not reached", "in the queue too long",
    "could not be delivered for", "could not be delivered within", "not reachable within",
    "server did not respond", "envelope expired", "has not been collected after",
    "unable to deliver message after multiple retries", "too long in queue", "retry timeout exceeded",
    "did not accept our requests to connect", "timed out", "still undelivered after",
    "delivery attempts will continue", NULL};
static const char *const ph_contenterror[] = {
    "improper use of 8-bit data", "8-bit data", "media error", "content rejected",
    "message header", "duplicate header", "illegal character", "invalid mime",
    "message rejected due to content", NULL};
static const char *const ph_systemfull[] = {
    "mail system full", "insufficient disk space", "disk full", "no space left",
    "insufficient system storage", NULL};
static const char *const ph_notaccept[] = {
    "null mx", "does not accept mail", "doesn't receive email", "domain does not receive",
    "not accepting mail", "no mx record found", "couldn't find a mail exchanger",
    "recipient address has null mx", "mx lookup failed", "has no mx", "not accept any email",
    NULL};
static const char *const ph_mailererror[] = {
    "procmail", "exit code", "command output", "mailer error", "x-unix", "pipe to |",
    "child status", "|/", "service unavailable (in reply to", "unknown mailer error",
    "local delivery failed", NULL};
static const char *const ph_syntaxerror[] = {
    "malformed address", "incorrectly constructed",
    "address has been ignored",
    "syntax error", "command unrecognized", "command not implemented",
    "bad sequence of commands", "improper sequence of commands", "parameter not implemented",
    NULL};
static const char *const ph_onhold[] = {"onhold", NULL};
static const char *const ph_vacation[] = {
    "out of office", "out of the office", "on vacation", "away from my", "auto-reply",
    "autoreply", "automatic reply", "i am away", "i will be out", "abwesend", "abwesenheit",
    NULL};

static const phrases table[] = {
    {"mailboxfull", ph_mailboxfull},         {"mesgtoobig", ph_mesgtoobig},
    {"exceedlimit", ph_exceedlimit},         {"suspend", ph_suspend},
    {"hasmoved", ph_hasmoved},               {"norelaying", ph_norelaying},
    {"authfailure", ph_authfailure},         {"requireptr", ph_requireptr},
    {"userunknown", ph_userunknown},         {"filtered", ph_filtered},
    {"rejected", ph_rejected},               {"hostunknown", ph_hostunknown},
    {"spamdetected", ph_spamdetected},       {"speeding", ph_speeding},
    {"toomanyconn", ph_toomanyconn},         {"blocked", ph_blocked},
    {"policyviolation", ph_policyviolation}, {"notcompliantrfc", ph_notcompliantrfc},
    {"virusdetected", ph_virusdetected},     {"badreputation", ph_badreputation},
    {"securityerror", ph_securityerror},     {"systemerror", ph_systemerror},
    {"networkerror", ph_networkerror},       {"expired", ph_expired},
    {"contenterror", ph_contenterror},       {"systemfull", ph_systemfull},
    {"notaccept", ph_notaccept},             {"mailererror", ph_mailererror},
    {"syntaxerror", ph_syntaxerror},         {"onhold", ph_onhold},
    {"vacation", ph_vacation},
};

/* low: text lower-cased into buf (at most MD_BOUNCE_TEXT_MAX - 1 bytes) */
static const char *low(char *buf, const char *t)
{
    size_t i = 0;
    for (; t && t[i] && i + 1 < MD_BOUNCE_TEXT_MAX; i++)
        buf[i] = (t[i] >= 'A' && t[i] <= 'Z') ? (char)(t[i] + 32) : t[i];
    buf[i] = '\0';
    return buf;
}

/* one phrase in lower-case text: "a*b" is a, later b */
static int has(const char *lt, const char *ph)
{
    const char *star = strchr(ph, '*');
    if (!star)
        return strstr(lt, ph) != NULL;
    char first[96];
    size_t k = (size_t)(star - ph);
    if (k >= sizeof first)
        return 0;
    memcpy(first, ph, k);
    first[k] = '\0';
    const char *a = strstr(lt, first);
    return a && strstr(a + k, star + 1) != NULL;
}

static const char *const *phrases_of(const char *reason)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(table[i].reason, reason))
            return table[i].p;
    return NULL;
}

static int is(const char *lt, const char *reason)
{
    const char *const *p = phrases_of(reason);
    if (!p)
        return 0;
    const char *const *not = !strcmp(reason, "rejected")      ? ph_rejected_not
                             : !strcmp(reason, "hostunknown") ? ph_hostunknown_not
                                                              : NULL;
    for (; not && *not; not++)
        if (has(lt, *not))
            return 0;
    for (; *p; p++)
        if (has(lt, *p))
            return 1;
    return 0;
}

int md_bounce_text_is(const char *text, const char *reason)
{
    char buf[MD_BOUNCE_TEXT_MAX];
    return is(low(buf, text), reason);
}

/* ---- the status table (RFC 3463 codes) ------------------------------------ */

static const struct { const char *code, *reason; } status_table[] = {
    {"4.1.6", "hasmoved"},      {"4.1.7", "rejected"},      {"4.1.8", "rejected"},
    {"4.1.9", "systemerror"},   {"4.2.1", "suspend"},       {"4.2.2", "mailboxfull"},
    {"4.2.3", "exceedlimit"},   {"4.2.4", "filtered"},      {"4.3.1", "systemfull"},
    {"4.3.2", "notaccept"},     {"4.3.3", "systemerror"},   {"4.3.5", "systemerror"},
    {"4.4.1", "expired"},       {"4.4.2", "networkerror"},  {"4.4.4", "networkerror"},
    {"4.4.5", "systemfull"},    {"4.4.6", "networkerror"},  {"4.4.7", "expired"},
    {"4.5.3", "systemerror"},   {"4.5.5", "systemerror"},   {"4.6.0", "contenterror"},
    {"4.6.2", "contenterror"},  {"4.6.5", "contenterror"},  {"4.7.1", "blocked"},
    {"4.7.2", "blocked"},       {"4.7.5", "securityerror"}, {"4.7.6", "securityerror"},
    {"4.7.7", "securityerror"}, {"4.7.12", "securityerror"}, {"4.7.15", "securityerror"},
    {"4.7.16", "mesgtoobig"},   {"4.7.24", "securityerror"}, {"4.7.25", "requireptr"},
    {"4.7.26", "authfailure"},
    {"5.1.0", "userunknown"},   {"5.1.1", "userunknown"},   {"5.1.2", "hostunknown"},
    {"5.1.3", "userunknown"},   {"5.1.4", "filtered"},      {"5.1.6", "hasmoved"},
    {"5.1.7", "rejected"},      {"5.1.8", "rejected"},      {"5.1.9", "systemerror"},
    {"5.1.10", "notaccept"},    {"5.2.0", "filtered"},      {"5.2.1", "filtered"},
    {"5.2.2", "mailboxfull"},   {"5.2.3", "exceedlimit"},   {"5.2.4", "filtered"},
    {"5.3.0", "systemerror"},   {"5.3.1", "systemfull"},    {"5.3.2", "notaccept"},
    {"5.3.3", "systemerror"},   {"5.3.4", "mesgtoobig"},    {"5.3.5", "systemerror"},
    {"5.4.0", "networkerror"},  {"5.4.3", "systemerror"},   {"5.4.4", "hostunknown"},
    {"5.4.6", "networkerror"},  {"5.4.7", "expired"},
    {"5.5.3", "toomanyconn"},   {"5.5.4", "systemerror"},   {"5.5.5", "systemerror"},
    {"5.5.6", "securityerror"}, {"5.6.0", "contenterror"},  {"5.6.1", "contenterror"},
    {"5.6.2", "contenterror"},  {"5.6.3", "contenterror"},  {"5.6.5", "contenterror"},
    {"5.6.6", "contenterror"},  {"5.6.7", "contenterror"},  {"5.6.8", "contenterror"},
    {"5.6.9", "contenterror"},  {"5.7.0", "securityerror"}, {"5.7.1", "securityerror"},
    {"5.7.2", "securityerror"}, {"5.7.3", "securityerror"}, {"5.7.4", "securityerror"},
    {"5.7.5", "securityerror"}, {"5.7.6", "securityerror"}, {"5.7.7", "securityerror"},
    {"5.7.8", "securityerror"}, {"5.7.9", "securityerror"}, {"5.7.10", "securityerror"},
    {"5.7.11", "securityerror"}, {"5.7.13", "suspend"},     {"5.7.14", "securityerror"},
    {"5.7.15", "securityerror"}, {"5.7.16", "mesgtoobig"},  {"5.7.17", "hasmoved"},
    {"5.7.18", "hasmoved"},     {"5.7.19", "securityerror"}, {"5.7.20", "authfailure"},
    {"5.7.21", "authfailure"},  {"5.7.22", "authfailure"},  {"5.7.23", "authfailure"},
    {"5.7.24", "authfailure"},  {"5.7.25", "requireptr"},   {"5.7.26", "authfailure"},
    {"5.7.27", "rejected"},
};

int md_bounce_status_entry(size_t i, const char **code, const char **reason)
{
    if (i >= sizeof status_table / sizeof status_table[0])
        return 0;
    *code = status_table[i].code;
    *reason = status_table[i].reason;
    return 1;
}

const char *md_bounce_status_reason(const char *st)
{
    if (!st || !*st)
        return "";
    for (size_t i = 0; i < sizeof status_table / sizeof status_table[0]; i++)
        if (!strcmp(st, status_table[i].code))
            return status_table[i].reason;
    return "";
}

/* ---- the SMTP command ----------------------------------------------------- */

const char *md_bounce_command(const char *text, size_t n)
{
    static const struct { const char *ph, *cmd; } t[] = {
        {"in reply to rcpt to", "RCPT"},  {"after rcpt to", "RCPT"},   {">>> rcpt to", "RCPT"},
        {"in reply to rcpt", "RCPT"},     {"in reply to mail from", "MAIL"},
        {"after mail from", "MAIL"},      {">>> mail from", "MAIL"},   {"sender was rejected", "MAIL"},
        {"in reply to end of data", "DATA"}, {"in reply to data", "DATA"},
        {"after end of data", "DATA"},    {"after data", "DATA"},      {">>> data", "DATA"},
        {"(data)", "DATA"},               {"for text command", "DATA"},
        {"in reply to helo", "HELO"},     {"in reply to ehlo", "HELO"}, {"after ehlo", "HELO"},
        {"after helo", "HELO"},           {"my name was rejected", "HELO"},
        {"after initial connection", "CONN"}, {"refused to talk to me", "CONN"},
        {"after rcpt", "RCPT"},           {"[rcpt_to]", "RCPT"},       {"smtp:rcpt", "RCPT"},
        {"does not like recipient", "RCPT"}, {"rcpt command", "RCPT"},
    };
    char buf[MD_BOUNCE_TEXT_MAX];
    size_t k = n < sizeof buf - 1 ? n : sizeof buf - 1;
    for (size_t i = 0; i < k; i++)
        buf[i] = (text[i] >= 'A' && text[i] <= 'Z') ? (char)(text[i] + 32) : text[i];
    buf[k] = '\0';
    const char *best = "", *at = NULL;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const char *p = strstr(buf, t[i].ph);
        if (p && (!at || p < at)) {
            at = p;
            best = t[i].cmd;
        }
    }
    /* a sendmail transcript: the last command sent before the text ends */
    for (const char *p = buf; (p = strstr(p, ">>> ")) != NULL; p += 4) {
        static const char *const c[][2] = {{">>> rcpt", "RCPT"}, {">>> mail", "MAIL"},
                                           {">>> data", "DATA"}, {">>> ehlo", "HELO"},
                                           {">>> helo", "HELO"}};
        for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
            if (!strncmp(p, c[i][0], strlen(c[i][0])))
                best = c[i][1];
    }
    return best;
}

/* ---- the decision --------------------------------------------------------- */

static int eq(const char *a, const char *b) { return !strcmp(a, b); }

/* domain_does_not_exist: "553 mx.example.com does not exist": the word
 * before is a domain (dots, no '@'), not a user */
static int domain_does_not_exist(const char *lt)
{
    const char *p = strstr(lt, " does not exist");
    if (!p)
        return 0;
    const char *w = p;
    while (w > lt && w[-1] != ' ' && w[-1] != '<' && w[-1] != ':')
        w--;
    int dots = 0;
    for (const char *q = w; q < p; q++) {
        if (*q == '@' || *q == '>')
            return 0;
        dots += *q == '.';
    }
    return dots >= 1 && p - w > 3;
}

/* retried: sn is a generic reason that the texts may refine */
static int retried(const char *sn)
{
    static const char *const retry[] = {"", "onhold", "systemerror", "securityerror", "expired",
                                        "suspend", "networkerror", "hostunknown", "userunknown"};
    for (size_t i = 0; i < sizeof retry / sizeof retry[0]; i++)
        if (!strcmp(sn, retry[i]))
            return 1;
    return 0;
}

/* step 1: what a specific status or text settles; "" if nothing */
static const char *settled(const char *lt, const char *sn, const char *cmd)
{
    static const char *const first[] = {"mailboxfull", "mesgtoobig", "exceedlimit", "suspend",
                                        "hasmoved", "norelaying", "authfailure", "requireptr"};
    for (size_t i = 0; i < sizeof first / sizeof first[0]; i++)
        if (eq(sn, first[i]) ||
            (is(lt, first[i]) && !(eq(first[i], "mesgtoobig") && eq(sn, "exceedlimit"))))
            return first[i];
    /* refused before any envelope: at the greeting or HELO, the sending host */
    if (eq(cmd, "HELO") || eq(cmd, "CONN"))
        return "blocked";
    int rcpt = eq(cmd, "RCPT"), mail = eq(cmd, "MAIL");
    if (!eq(sn, "suspend")) {
        if (eq(sn, "userunknown")) {
            static const char *const other[] = {"norelaying", "blocked", "mailboxfull",
                                                "hasmoved", "notaccept"};
            int o = 0;
            for (size_t i = 0; i < sizeof other / sizeof other[0] && !o; i++)
                o = is(lt, other[i]);
            if (!o && !mail)
                return "userunknown";
        } else if ((rcpt || (!*cmd && !eq(sn, "filtered"))) && is(lt, "userunknown")) {
            return "userunknown";
        }
        if (eq(sn, "filtered") ? (is(lt, "userunknown") || is(lt, "filtered"))
                               : (!rcpt && !mail && (is(lt, "filtered") || is(lt, "userunknown"))))
            return "filtered";
    }
    if (eq(sn, "rejected") || (mail && (is(lt, "rejected") || has(lt, "access denied"))) ||
        (eq(cmd, "DATA") && !eq(sn, "userunknown") && is(lt, "rejected")))
        return "rejected";
    static const char *const last[] = {"hostunknown", "spamdetected", "speeding", "toomanyconn",
                                       "blocked"};
    /* "message content rejected": spam, unless the status says media (X.6.x) */
    if (has(lt, "message content rejected") && !eq(sn, "contenterror"))
        return "spamdetected";
    if (domain_does_not_exist(lt))
        return "hostunknown";
    for (size_t i = 0; i < sizeof last / sizeof last[0]; i++)
        if ((eq(sn, last[i]) && strcmp(last[i], "hostunknown")) || is(lt, last[i]))
            return last[i];
    return "";
}

/* step 2: the broader reasons */
static const char *broader(const char *lt, const md_bounce_in *in, const char *sn)
{
    if (!retried(sn))
        return sn;
    static const char *const order[] = {
        "mailboxfull", "spamdetected", "notcompliantrfc", "policyviolation", "virusdetected",
        "norelaying", "authfailure", "badreputation", "securityerror", "notaccept",
        "networkerror", "contenterror", "systemerror", "speeding", "suspend", "expired",
        "systemfull", "mailererror", "rejected", "syntaxerror"};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (is(lt, order[i]))
            return order[i];
    if (*sn)
        return sn;
    const char *st = in->status ? in->status : "";
    if (st[0] && st[1] == '.' && st[2] == '6' && st[3] == '.')
        return "contenterror";
    if (st[0] && st[1] == '.' && st[2] == '7' && st[3] == '.')
        return "securityerror";
    if (in->reply_code >= 501 && in->reply_code <= 504)
        return "syntaxerror";
    if (in->action && !strncmp(in->action, "delayed", 7))
        return "expired";
    if (in->command && eq(in->command, "HELO"))
        return "blocked";
    return "";
}

/* a local mailer's diagnostic (Diagnostic-Code: X-Unix; ...) */
static int local_mailer(const md_bounce_in *in)
{
    return in->diag_type && !strcmp(in->diag_type, "x-unix");
}

const char *md_bounce_reason(const md_bounce_in *in)
{
    const char *st = in->status ? in->status : "";
    if (st[0] == '2' || (in->action && !strcmp(in->action, "delivered")))
        return "delivered";
    char buf[MD_BOUNCE_TEXT_MAX];
    const char *lt = low(buf, in->diag);
    const char *sn = md_bounce_status_reason(st);
    const char *cmd = in->command ? in->command : "";
    const char *r = local_mailer(in) ? "" : settled(lt, sn, cmd);
    if (!*r)
        r = broader(lt, in, sn);
    if (!*r && local_mailer(in))
        r = "mailererror";
    if (*r)
        return r;
    if (in->action && !strncmp(in->action, "delayed", 7))
        return "expired";
    if (is(lt, "vacation"))
        return "vacation";
    return *lt ? "onhold" : "undefined";
}

const char *md_bounce_side(const char *reason, const char *command)
{
    static const char *const sender[] = {"rejected", "blocked", "requireptr", "authfailure",
                                         "badreputation", "speeding", "toomanyconn",
                                         "norelaying", "securityerror"};
    static const char *const rcpt[] = {"userunknown", "mailboxfull", "suspend", "hasmoved",
                                       "hostunknown", "filtered", "notaccept", "exceedlimit"};
    static const char *const msg[] = {"spamdetected", "virusdetected", "contenterror",
                                      "mesgtoobig", "policyviolation", "notcompliantrfc"};
    const char *r = reason ? reason : "", *c = command ? command : "";
    if (eq(c, "MAIL") || eq(c, "HELO") || eq(c, "CONN"))
        return "sender";
    for (size_t i = 0; i < sizeof sender / sizeof sender[0]; i++)
        if (eq(r, sender[i]))
            return "sender";
    for (size_t i = 0; i < sizeof rcpt / sizeof rcpt[0]; i++)
        if (eq(r, rcpt[i]))
            return "recipient";
    for (size_t i = 0; i < sizeof msg / sizeof msg[0]; i++)
        if (eq(r, msg[i]))
            return "message";
    return "";
}
