/* config.h: the site configuration (INI, parsed with libinih).
 *
 * What maildossier knows about the organisation it works for: name, mail
 * domains, networks, outbound hosts (IP, name, role), the contact for
 * Microsoft requests, enrolment in SNDS/JMRP, dossier defaults.  The file
 * format is documented in maildossier.conf.example.  md_config is a plain
 * value (fixed arrays, no pointers to free); unknown keys are errors that
 * name the file and line.
 */
#ifndef MD_CONFIG_H
#define MD_CONFIG_H

#include <stddef.h>
#include "base/err.h"
#include "base/ipaddr.h"
#include "base/md_limits.h"


typedef struct md_host {
    char name[128];
    char role[128];
    char ipstr[MD_IP_STRLEN];
    md_ip ip;
    char loghosts[256];   /* syslog host names of this system, comma separated:
                             deliveries logged by them left from this IP */
} md_host;

typedef struct md_config {
    char path[MD_LIMIT_PATH];       /* "" when built-in defaults are used */
    char org_name[256];
    char org_description[512];
    char domains[MD_CONFIG_MAX_DOMAINS][256];
    size_t ndomains;
    md_cidr networks[MD_CONFIG_MAX_NETWORKS];
    char network_text[MD_CONFIG_MAX_NETWORKS][64];
    size_t nnetworks;
    md_host hosts[MD_CONFIG_MAX_HOSTS];
    size_t nhosts;
    char contact_name[128];
    char contact_email[256];
    char contact_phone[64];
    int snds_enrolled;              /* [microsoft] snds: 1 yes, 0 no, -1 not declared */
    int jmrp_enrolled;              /* [microsoft] jmrp: 1 yes, 0 no, -1 not declared */
    char ip_usage[32];              /* "dedicated" or "shared" */
    char sender_kind[64];           /* [microsoft] sender_kind: the form's kind of sender
                                       ("university"); "" not declared */
    char volume_note[256];          /* free text for the request */
    char optin_note[512];
    char author[128];               /* [dossier] author: who generates dossiers */
    int window_before_days;         /* default 14 */
    int window_after_days;          /* default 1 */
    char templates_dir[MD_LIMIT_PATH]; /* "" = built-in search order */
    char font_dir[MD_LIMIT_PATH];
    char logs_root[MD_LIMIT_PATH];  /* [logs] root: documents show log paths below it
                                       relative to it ("" none; relative to the
                                       config file's directory) */
    char rules_root[MD_LIMIT_PATH]; /* [rules] root: the same for rule files */
    char timezone[64];              /* [logs] timezone: zone of syslog stamps
                                       ("Europe/Berlin"); "" = the machine's */
    int gap_hours;                  /* [logs] gap_hours: this many hours without a
                                       line of a host are missing logs (default
                                       MD_COVER_GAP_HOURS) */
} md_config;

/* md_config_defaults: empty organisation, default windows; SNDS/JMRP
 * enrolment not declared (-1). */
void md_config_defaults(md_config *cfg);

/* md_config_load: read path into cfg (defaults first).  0, MD_ERR_IO (cannot
 * open) or MD_ERR_PARSE (err names file:line and the problem). */
int md_config_load(md_config *cfg, const char *path, md_err *err);

/* md_config_find: load `explicit` if not NULL (must exist), else the first of
 * ./maildossier.conf and /etc/maildossier.conf that exists, else defaults.
 * 0 or the error of md_config_load. */
int md_config_find(md_config *cfg, const char *explicit_path, md_err *err);

/* md_config_zone_valid: whether name is a zone of the tz database
 * ("UTC", or a file below $TZDIR, else /usr/share/zoneinfo, with a name of
 * letters, digits, '/', '_', '-', '+' and no "..").  The config loader
 * rejects other values with the file and line. */
int md_config_zone_valid(const char *name);
/* md_config_set_zoneinfo: the directory of the zone files (default
 * /usr/share/zoneinfo; the programs pass TZDIR, as the C library reads
 * it).  For the whole process; not thread-safe; dir copied. */
void md_config_set_zoneinfo(const char *dir);

/* md_config_host: the configured host with that IP, or NULL. */
const md_host *md_config_host(const md_config *cfg, const md_ip *ip);
/* md_config_host_str: same, for an IP in text form. */
const md_host *md_config_host_str(const md_config *cfg, const char *ip);
/* md_config_host_by_loghost: the host whose `loghosts` (or name) equals the
 * syslog host name given (case-insensitive; the first label of a dotted name
 * is tried too), or NULL. */
const md_host *md_config_host_by_loghost(const md_config *cfg, const char *loghost);
/* md_config_is_ours: 1 if ip is a configured host or inside a configured network. */
int md_config_is_ours(const md_config *cfg, const md_ip *ip);
/* md_config_is_our_domain: 1 if domain equals or is below a configured domain. */
int md_config_is_our_domain(const md_config *cfg, const char *domain);

#endif
