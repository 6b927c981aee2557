/* config.c: INI site configuration via libinih (see config.h).  Fills a
 * caller-owned md_config; never prints, never exits. */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "base/config.h"
#include "base/text.h"

typedef struct {
    md_config *cfg;
    md_err *err;
    int failed;
    char cur_host[128];
    FILE *fp;
    int lineno;            /* counted by our reader: Debian's libinih passes none */
} load_ctx;

/* A line longer than inih's buffer (num - 2 characters) would be split and
 * its rest parsed as a line of its own: report it instead, naming the line. */
static char *reader(char *str, int num, void *stream)
{
    load_ctx *lc = stream;
    char *r = fgets(str, num, lc->fp);
    if (!r)
        return NULL;
    lc->lineno++;
    size_t n = strlen(str);
    if (num > 1 && n == (size_t)num - 1 && str[n - 1] != '\n') {
        int c = getc(lc->fp);
        if (c == EOF || c == '\n')
            return r;
        while (c != EOF && c != '\n')
            c = getc(lc->fp);
        if (!lc->failed) {
            md_err_set(lc->err, MD_ERR_PARSE, "%s:%d: line longer than %d characters",
                       lc->cfg->path, lc->lineno, num - 1);
            lc->failed = lc->lineno;
        }
        str[0] = '\0';
    }
    return r;
}

void md_config_defaults(md_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->window_before_days = 14;
    cfg->gap_hours = MD_COVER_GAP_HOURS;
    cfg->window_after_days = 1;
    /* ip_usage stays "" and the enrolments -1: not declared (no default is a
     * fact about the site) */
    cfg->snds_enrolled = cfg->jmrp_enrolled = -1;
}

static int copy(char *dst, size_t size, const char *v)
{
    return (size_t)snprintf(dst, size, "%s", v) < size ? 0 : -1;
}

/* boolean: yes/true/on/1 or no/false/off/0 (any case) into *out; -1 for
 * anything else ("ja" is not silently "no") */
static int boolean(const char *v, int *out)
{
    static const char *const t[] = {"yes", "true", "on", "1"}, *const f[] = {"no", "false",
                                                                              "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (md_text_casecmp(v, t[i]) == 0)
            return *out = 1, 0;
        if (md_text_casecmp(v, f[i]) == 0)
            return *out = 0, 0;
    }
    return -1;
}

/* Call fn for each comma- or blank-separated item of v. */
static int each_item(const char *v, int (*fn)(load_ctx *, const char *, size_t), load_ctx *lc)
{
    const char *p = v;
    while (*p) {
        while (*p && (*p == ',' || isspace((unsigned char)*p)))
            p++;
        const char *s = p;
        while (*p && *p != ',' && !isspace((unsigned char)*p))
            p++;
        if (p > s && fn(lc, s, (size_t)(p - s)) != 0)
            return -1;
    }
    return 0;
}

static int add_domain(load_ctx *lc, const char *s, size_t n)
{
    md_config *c = lc->cfg;
    if (c->ndomains == MD_CONFIG_MAX_DOMAINS || n >= sizeof c->domains[0])
        return -1;
    md_text_addr_norm(c->domains[c->ndomains++], sizeof c->domains[0], s, n);
    return 0;
}

static int add_network(load_ctx *lc, const char *s, size_t n)
{
    md_config *c = lc->cfg;
    if (c->nnetworks == MD_CONFIG_MAX_NETWORKS || n >= sizeof c->network_text[0])
        return -1;
    if (md_cidr_parse(&c->networks[c->nnetworks], s, n) != MD_OK)
        return -1;
    memcpy(c->network_text[c->nnetworks], s, n);
    c->network_text[c->nnetworks][n] = '\0';
    c->nnetworks++;
    return 0;
}

static md_host *cur_host(load_ctx *lc, const char *section)
{
    md_config *c = lc->cfg;
    const char *name = section + 4;
    while (*name == ' ' || *name == '"')
        name++;
    char clean[128];
    size_t n = strlen(name);
    while (n && (name[n - 1] == '"' || name[n - 1] == ' '))
        n--;
    if (n == 0 || n >= sizeof clean)
        return NULL;
    memcpy(clean, name, n);
    clean[n] = '\0';
    /* the most recent host of that name (a host may have several ips) */
    if (strcmp(lc->cur_host, clean) == 0 && c->nhosts > 0)
        return &c->hosts[c->nhosts - 1];
    if (c->nhosts == MD_CONFIG_MAX_HOSTS)
        return NULL;
    md_host *h = &c->hosts[c->nhosts++];
    memset(h, 0, sizeof *h);
    copy(h->name, sizeof h->name, clean);
    copy(lc->cur_host, sizeof lc->cur_host, clean);
    return h;
}

static int add_host_ip(load_ctx *lc, const char *s, size_t n)
{
    md_config *c = lc->cfg;
    md_host *h = &c->hosts[c->nhosts - 1];
    if (h->ipstr[0]) { /* second address of the same host: a new entry */
        if (c->nhosts == MD_CONFIG_MAX_HOSTS)
            return -1;
        md_host *h2 = &c->hosts[c->nhosts++];
        *h2 = *h;
        h = h2;
    }
    if (md_ip_parse(&h->ip, s, n) != MD_OK)
        return -1;
    md_ip_format(&h->ip, h->ipstr, sizeof h->ipstr);
    return 0;
}

/* where zone names are looked up (md_config_set_zoneinfo) */
static char zoneinfo[MD_LIMIT_PATH] = "/usr/share/zoneinfo";

void md_config_set_zoneinfo(const char *dir)
{
    if (dir && *dir && strlen(dir) < sizeof zoneinfo)
        snprintf(zoneinfo, sizeof zoneinfo, "%s", dir);
}

int md_config_zone_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= 64 || name[0] == '/' || strstr(name, ".."))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && !strchr("/_-+", name[i]))
            return 0;
    if (strcmp(name, "UTC") == 0)
        return 1;
    char path[MD_LIMIT_PATH + 80];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", zoneinfo, name) >= sizeof path)
        return 0;
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    load_ctx *lc = user;
    int lineno = lc->lineno;
    md_config *c = lc->cfg;
    int bad = 0;
    if (lc->failed)
        return 0;
    if (strcmp(section, "organisation") == 0 || strcmp(section, "organization") == 0) {
        if (strcmp(name, "name") == 0) bad = copy(c->org_name, sizeof c->org_name, value);
        else if (strcmp(name, "description") == 0)
            bad = copy(c->org_description, sizeof c->org_description, value);
        else if (strcmp(name, "domains") == 0) bad = each_item(value, add_domain, lc);
        else if (strcmp(name, "networks") == 0) bad = each_item(value, add_network, lc);
        else goto unknown;
    } else if (strcmp(section, "contact") == 0) {
        if (strcmp(name, "name") == 0) bad = copy(c->contact_name, sizeof c->contact_name, value);
        else if (strcmp(name, "email") == 0)
            bad = copy(c->contact_email, sizeof c->contact_email, value);
        else if (strcmp(name, "phone") == 0)
            bad = copy(c->contact_phone, sizeof c->contact_phone, value);
        else goto unknown;
    } else if (strcmp(section, "microsoft") == 0) {
        if (strcmp(name, "snds") == 0) bad = boolean(value, &c->snds_enrolled);
        else if (strcmp(name, "jmrp") == 0) bad = boolean(value, &c->jmrp_enrolled);
        else if (strcmp(name, "ip_usage") == 0) {
            bad = copy(c->ip_usage, sizeof c->ip_usage, value);
            if (strcmp(value, "dedicated") != 0 && strcmp(value, "shared") != 0)
                bad = 1;
        } else if (strcmp(name, "sender_kind") == 0)
            bad = copy(c->sender_kind, sizeof c->sender_kind, value);
        else if (strcmp(name, "volume") == 0)
            bad = copy(c->volume_note, sizeof c->volume_note, value);
        else if (strcmp(name, "optin") == 0)
            bad = copy(c->optin_note, sizeof c->optin_note, value);
        else goto unknown;
    } else if (strcmp(section, "dossier") == 0) {
        if (strcmp(name, "author") == 0) bad = copy(c->author, sizeof c->author, value);
        else if (strcmp(name, "window_before_days") == 0 || strcmp(name, "window_after_days") == 0) {
            char *end;
            errno = 0;
            long d = strtol(value, &end, 10);
            if (errno || *end || d < 0 || d > 3650)
                bad = 1;
            else if (name[7] == 'b')
                c->window_before_days = (int)d;
            else
                c->window_after_days = (int)d;
        } else if (strcmp(name, "templates") == 0)
            bad = copy(c->templates_dir, sizeof c->templates_dir, value);
        else if (strcmp(name, "fonts") == 0)
            bad = copy(c->font_dir, sizeof c->font_dir, value);
        else goto unknown;
    } else if (strcmp(section, "logs") == 0) {
        if (strcmp(name, "timezone") == 0)
            bad = copy(c->timezone, sizeof c->timezone, value) || !md_config_zone_valid(value);
        else if (strcmp(name, "gap_hours") == 0) {
            char *end;
            errno = 0;
            long h = strtol(value, &end, 10);
            bad = errno || *end || end == value || h < 1 || h > MD_COVER_GAP_HOURS_MAX;
            if (!bad)
                c->gap_hours = (int)h;
        } else if (strcmp(name, "root") == 0)
            bad = copy(c->logs_root, sizeof c->logs_root, value) || !value[0];
        else goto unknown;
    } else if (strcmp(section, "rules") == 0) {
        if (strcmp(name, "root") == 0)
            bad = copy(c->rules_root, sizeof c->rules_root, value) || !value[0];
        else goto unknown;
    } else if (strncmp(section, "host ", 5) == 0) {
        md_host *h = cur_host(lc, section);
        if (!h) bad = 1;
        else if (strcmp(name, "ip") == 0) bad = each_item(value, add_host_ip, lc);
        else if (strcmp(name, "role") == 0) {
            bad = copy(h->role, sizeof h->role, value);
            for (size_t i = 0; i < c->nhosts; i++) /* every address of this host */
                if (strcmp(c->hosts[i].name, h->name) == 0)
                    copy(c->hosts[i].role, sizeof c->hosts[i].role, value);
        } else if (strcmp(name, "loghosts") == 0) {
            bad = copy(h->loghosts, sizeof h->loghosts, value);
            for (size_t i = 0; i < c->nhosts; i++)
                if (strcmp(c->hosts[i].name, h->name) == 0)
                    copy(c->hosts[i].loghosts, sizeof c->hosts[i].loghosts, value);
        } else goto unknown;
    } else {
        if (!section[0])
            md_err_set(lc->err, MD_ERR_PARSE, "%s:%d: %s outside a [section]", c->path, lineno,
                       name);
        else
            md_err_set(lc->err, MD_ERR_PARSE, "%s:%d: unknown section [%s]", c->path, lineno,
                       section);
        lc->failed = lineno;
        return 0;
    }
    if (bad) {
        md_err_set(lc->err, MD_ERR_PARSE, "%s:%d: bad value for %s in [%s]: %s", c->path, lineno,
                   name, section, value);
        lc->failed = lineno;
    }
    return 1;
unknown:
    md_err_set(lc->err, MD_ERR_PARSE, "%s:%d: unknown key %s in [%s]", c->path, lineno, name,
               section);
    lc->failed = lineno;
    return 1;
}

int md_config_load(md_config *cfg, const char *path, md_err *err)
{
    md_config_defaults(cfg);
    copy(cfg->path, sizeof cfg->path, path);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return md_err_set(err, MD_ERR_IO, "%s: %s", path, strerror(errno));
    struct stat sb;
    int st = fstat(fileno(fp), &sb);
    if (st != 0 || !S_ISREG(sb.st_mode)) { /* a directory read as an empty file */
        fclose(fp);
        return md_err_set(err, MD_ERR_IO, "%s: not a configuration file (%s)", path,
                          st != 0 ? strerror(errno)
                          : S_ISDIR(sb.st_mode) ? "a directory" : "not a regular file");
    }
    load_ctx lc = {cfg, err, 0, "", fp, 0};
    int rc = ini_parse_stream(reader, &lc, handler, &lc);
    fclose(fp);
    /* the first error wins: inih's syntax error (rc = its line) or ours */
    if (rc > 0 && (!lc.failed || rc < lc.failed))
        return md_err_set(err, MD_ERR_PARSE, "%s:%d: syntax error", path, rc);
    if (lc.failed)
        return MD_ERR_PARSE;
    if (rc < 0)
        return md_err_set(err, MD_ERR_IO, "%s: cannot read", path);
    for (size_t i = 0; i < cfg->nhosts; i++)
        if (!cfg->hosts[i].ipstr[0])
            return md_err_set(err, MD_ERR_PARSE, "%s: [host %s] has no ip", path,
                              cfg->hosts[i].name);
    return MD_OK;
}

int md_config_find(md_config *cfg, const char *explicit_path, md_err *err)
{
    if (explicit_path)
        return md_config_load(cfg, explicit_path, err);
    static const char *const paths[] = {"./maildossier.conf", "/etc/maildossier.conf"};
    for (size_t i = 0; i < 2; i++)
        if (access(paths[i], R_OK) == 0)
            return md_config_load(cfg, paths[i], err);
    md_config_defaults(cfg);
    return MD_OK;
}

const md_host *md_config_host(const md_config *cfg, const md_ip *ip)
{
    for (size_t i = 0; i < cfg->nhosts; i++)
        if (md_ip_equal(&cfg->hosts[i].ip, ip))
            return &cfg->hosts[i];
    return NULL;
}

const md_host *md_config_host_str(const md_config *cfg, const char *ip)
{
    md_ip a;
    if (md_ip_parse(&a, ip, strlen(ip)) != MD_OK)
        return NULL;
    return md_config_host(cfg, &a);
}

static int list_has(const char *list, const char *name, size_t n)
{
    const char *p = list;
    while (*p) {
        while (*p == ',' || isspace((unsigned char)*p))
            p++;
        const char *s = p;
        while (*p && *p != ',' && !isspace((unsigned char)*p))
            p++;
        if (p > s && (size_t)(p - s) == n && md_text_ncasecmp(s, name, n) == 0)
            return 1;
    }
    return 0;
}

const md_host *md_config_host_by_loghost(const md_config *cfg, const char *loghost)
{
    size_t n = strlen(loghost);
    const char *dot = strchr(loghost, '.');
    size_t first = dot ? (size_t)(dot - loghost) : n;
    for (int pass = 0; pass < 2; pass++) {
        size_t len = pass == 0 ? n : first;
        if (pass == 1 && first == n)
            break;
        for (size_t i = 0; i < cfg->nhosts; i++) {
            const md_host *h = &cfg->hosts[i];
            if (list_has(h->loghosts, loghost, len) ||
                (strlen(h->name) == len && md_text_ncasecmp(h->name, loghost, len) == 0))
                return h;
        }
    }
    return NULL;
}

int md_config_is_ours(const md_config *cfg, const md_ip *ip)
{
    if (md_config_host(cfg, ip))
        return 1;
    for (size_t i = 0; i < cfg->nnetworks; i++)
        if (md_cidr_contains(&cfg->networks[i], ip))
            return 1;
    return 0;
}

int md_config_is_our_domain(const md_config *cfg, const char *domain)
{
    size_t dl = strlen(domain);
    for (size_t i = 0; i < cfg->ndomains; i++) {
        size_t cl = strlen(cfg->domains[i]);
        if (dl == cl && md_text_casecmp(domain, cfg->domains[i]) == 0)
            return 1;
        if (dl > cl && domain[dl - cl - 1] == '.' &&
            md_text_casecmp(domain + dl - cl, cfg->domains[i]) == 0)
            return 1;
    }
    return 0;
}
