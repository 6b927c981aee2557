/* test_config.c: lib/base/config.c on the scenario's configuration
 * (fixtures/maildossier.conf) and on broken files: every error names the
 * file and line; host lookup by IP and by syslog host name; is_ours and
 * is_our_domain; the search order of md_config_find; [logs] root and
 * [rules] root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/config.h"
#include "testutil.h"

#define tmpdir md_test_tmpdir

static void write_file(char *path, size_t n, const char *name, const char *text)
{
    snprintf(path, n, "%s/test_config_%ld_%s", tmpdir(), (long)getpid(), name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static md_config cfg;

static void test_example(void **state)
{
    (void)state;
    md_err e = {0, ""};
    assert_int_equal(md_config_load(&cfg, MD_FIXTURES "/maildossier.conf", &e), MD_OK);
    assert_string_equal(e.msg, "");
    assert_non_null(strstr(cfg.org_name, "Universit\xC3\xA4t Potsdam"));
    assert_int_equal(cfg.ndomains, 1);
    assert_string_equal(cfg.domains[0], "uni-potsdam.de");
    assert_int_equal(cfg.nnetworks, 1);
    assert_string_equal(cfg.network_text[0], "141.89.0.0/16");
    assert_string_equal(cfg.contact_email, "postmaster@uni-potsdam.de");
    assert_true(cfg.snds_enrolled);
    assert_true(cfg.jmrp_enrolled);
    assert_string_equal(cfg.ip_usage, "dedicated");
    assert_int_equal(cfg.window_before_days, 14);
    assert_int_equal(cfg.window_after_days, 1);
    assert_string_equal(cfg.timezone, "Europe/Berlin");
    /* the roots documents show paths relative to (sources.h) */
    assert_string_equal(cfg.logs_root, "logs");
    assert_string_equal(cfg.rules_root, "rules");
    assert_int_equal(cfg.gap_hours, 24);      /* the fixture's samples: a few lines a day */
    assert_true(cfg.nhosts >= 7);
    assert_string_equal(cfg.path, MD_FIXTURES "/maildossier.conf");
}

static void test_host_lookup(void **state)
{
    (void)state;
    const md_host *h = md_config_host_str(&cfg, "141.89.68.244");
    assert_non_null(h);
    assert_string_equal(h->name, "mailup");
    assert_non_null(strstr(h->role, "CommuniGate"));
    h = md_config_host_str(&cfg, "[141.89.68.1]");
    assert_non_null(h);
    assert_string_equal(h->name, "cl-mail");
    assert_string_equal(h->ipstr, "141.89.68.1");
    assert_null(md_config_host_str(&cfg, "141.89.68.2"));
    assert_null(md_config_host_str(&cfg, "not an ip"));
    /* by syslog host name: listed loghosts, case, FQDN, the host's own name */
    h = md_config_host_by_loghost(&cfg, "n-mail-2");
    assert_non_null(h);
    assert_string_equal(h->name, "cl-mail");
    h = md_config_host_by_loghost(&cfg, "N-MAIL-3.rz.uni-potsdam.de");
    assert_non_null(h);
    assert_string_equal(h->name, "cl-mail");
    h = md_config_host_by_loghost(&cfg, "ironout");
    assert_non_null(h);
    assert_string_equal(h->ipstr, "141.89.68.7");
    assert_null(md_config_host_by_loghost(&cfg, "n-mail"));
    assert_null(md_config_host_by_loghost(&cfg, "n-mail-4"));
    assert_null(md_config_host_by_loghost(&cfg, ""));
}

static void test_is_ours(void **state)
{
    (void)state;
    md_ip a;
    assert_int_equal(md_ip_parse(&a, "141.89.62.54", 12), MD_OK);
    assert_true(md_config_is_ours(&cfg, &a));
    assert_int_equal(md_ip_parse(&a, "134.170.2.199", 13), MD_OK);
    assert_false(md_config_is_ours(&cfg, &a));
    assert_true(md_config_is_our_domain(&cfg, "uni-potsdam.de"));
    assert_true(md_config_is_our_domain(&cfg, "RZ.Uni-Potsdam.DE"));
    assert_false(md_config_is_our_domain(&cfg, "xuni-potsdam.de"));
    assert_false(md_config_is_our_domain(&cfg, "hotmail.de"));
    assert_false(md_config_is_our_domain(&cfg, "de"));
}

static void test_several_ips(void **state)
{
    (void)state;
    char path[512];
    write_file(path, sizeof path, "multi.conf",
               "[organisation]\nname = Test\nnetworks = 141.89.0.0/16, 2001:638:807::/48\n"
               "[host smtpout]\nip = 141.89.68.8, 2001:638:807:204::8\nrole = relay\n"
               "loghosts = smtpout-1 smtpout-2, \n");
    md_err e = {0, ""};
    md_config c;
    assert_int_equal(md_config_load(&c, path, &e), MD_OK);
    assert_int_equal(c.nhosts, 2);
    const md_host *h = md_config_host_str(&c, "2001:638:807:204::8");
    assert_non_null(h);
    assert_string_equal(h->name, "smtpout");
    assert_string_equal(h->role, "relay");
    assert_string_equal(h->loghosts, "smtpout-1 smtpout-2,");
    md_ip a;
    assert_int_equal(md_ip_parse(&a, "2001:638:807:1::1", 17), MD_OK);
    assert_true(md_config_is_ours(&c, &a));
    h = md_config_host_by_loghost(&c, "smtpout-2");
    assert_non_null(h);
    assert_null(md_config_host_by_loghost(&c, ""));
    unlink(path);
}

/* The file must fail with MD_ERR_PARSE and a message "PATH:LINE: ...". */
static void bad(const char *text, int line, const char *what)
{
    char path[512];
    write_file(path, sizeof path, "bad.conf", text);
    md_err e = {0, ""};
    md_config c;
    assert_int_equal(md_config_load(&c, path, &e), MD_ERR_PARSE);
    assert_int_equal(e.code, MD_ERR_PARSE);
    char want[600];
    if (line > 0)
        snprintf(want, sizeof want, "%s:%d: ", path, line);
    else
        snprintf(want, sizeof want, "%s: ", path);
    if (strncmp(e.msg, want, strlen(want)) != 0)
        fail_msg("message '%s' does not start with '%s'", e.msg, want);
    if (!strstr(e.msg, what))
        fail_msg("message '%s' does not say '%s'", e.msg, what);
    unlink(path);
}

static void test_errors(void **state)
{
    (void)state;
    bad("[organisation]\nname = X\n\n; comment\ndomian = uni-potsdam.de\n", 5, "domian");
    bad("; x\n[organisation]\nname = X\n[smtp]\nport = 25\n", 5, "[smtp]");
    bad("[organisation]\nnetworks = 141.89.0.0/16, 141.89.0.0/33\n", 2, "networks");
    bad("[host cl-mail]\nip = 141.89.68.300\n", 2, "ip");
    bad("[microsoft]\nsnds = yes\nip_usage = sometimes\n", 3, "ip_usage");
    /* booleans: yes/no/true/false/on/off/1/0 only ("ja" was silently "no") */
    bad("[microsoft]\nsnds = ja\n", 2, "snds");
    bad("[microsoft]\njmrp = maybe\n", 2, "jmrp");
    bad("[dossier]\nwindow_before_days = two weeks\n", 2, "window_before_days");
    bad("[dossier]\nwindow_after_days = -1\n", 2, "window_after_days");
    bad("[logs]\n\ntimezone = Mars/Olympus_Mons\n", 3, "timezone");
    bad("[logs]\ntimezone = ../../etc/passwd\n", 2, "timezone");
    bad("[logs]\ntimezone = /etc/localtime\n", 2, "timezone");
    bad("[logs]\nroot =\n", 2, "root");
    bad("[rules]\nroot = rules\nhome = /home\n", 3, "home");
    bad("[logs]\ngap_hours = 0\n", 2, "gap_hours");
    bad("[logs]\n\ngap_hours = 721\n", 3, "gap_hours");
    bad("[logs]\ngap_hours = six\n", 2, "gap_hours");
    bad("[logs]\ngap_hours =\n", 2, "gap_hours");
    bad("[organisation]\nname = X\nthis line is not ini\n", 3, "syntax");
    bad("[organisation\nname = X\n", 1, "syntax");
    bad("[host mailup]\nrole = mail store\n", 0, "no ip");
    /* a line longer than libinih's buffer is an error on that line, not a split */
    char longline[1200];
    char *p = longline;
    p += sprintf(p, "[microsoft]\nsnds = yes\noptin = ");
    memset(p, 'x', 600);
    strcpy(p + 600, "\njmrp = yes\n");
    bad(longline, 3, "longer");
}

static void test_missing_file(void **state)
{
    (void)state;
    md_err e = {0, ""};
    md_config c;
    assert_int_equal(md_config_load(&c, "/nonexistent/maildossier.conf", &e), MD_ERR_IO);
    assert_non_null(strstr(e.msg, "/nonexistent/maildossier.conf"));
    /* an explicit path must exist */
    assert_int_equal(md_config_find(&c, "/nonexistent/maildossier.conf", &e), MD_ERR_IO);
    /* and be a file: a directory read as an empty configuration */
    assert_int_equal(md_config_find(&c, "/tmp", &e), MD_ERR_IO);
    assert_non_null(strstr(e.msg, "/tmp: not a configuration file (a directory)"));
}

static void test_booleans(void **state)
{
    (void)state;
    static const struct { const char *v; int want; } t[] = {
        {"yes", 1}, {"YES", 1}, {"true", 1}, {"on", 1}, {"1", 1},
        {"no", 0},  {"No", 0},  {"false", 0}, {"off", 0}, {"0", 0}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char path[256], text[64];
        snprintf(path, sizeof path, "%s/bool-%zu.conf", getenv("MD_TMP") ? getenv("MD_TMP") : "/tmp", i);
        snprintf(text, sizeof text, "[microsoft]\nsnds = %s\njmrp = %s\n", t[i].v, t[i].v);
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        fputs(text, fp);
        fclose(fp);
        md_config c;
        md_err e = {0, ""};
        assert_int_equal(md_config_load(&c, path, &e), MD_OK);
        assert_int_equal(c.snds_enrolled, t[i].want);
        assert_int_equal(c.jmrp_enrolled, t[i].want);
        unlink(path);
    }
    /* not declared is neither yes nor no */
    md_config d;
    md_config_defaults(&d);
    assert_int_equal(d.snds_enrolled, -1);
    assert_int_equal(d.jmrp_enrolled, -1);
}

static void test_find_order(void **state)
{
    (void)state;
    char dir[512], cwd[4096];
    snprintf(dir, sizeof dir, "%s/test_config_%ld_dir", tmpdir(), (long)getpid());
    mkdir(dir, 0700);
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    md_err e = {0, ""};
    md_config c;
    if (access("/etc/maildossier.conf", F_OK) != 0) {
        /* nothing found: built-in defaults */
        assert_int_equal(md_config_find(&c, NULL, &e), MD_OK);
        assert_string_equal(c.path, "");
        assert_int_equal(c.window_before_days, 14);
        assert_int_equal(c.gap_hours, MD_COVER_GAP_HOURS);
        assert_int_equal(c.nhosts, 0);
    }
    FILE *fp = fopen("maildossier.conf", "w");
    assert_non_null(fp);
    fputs("[organisation]\nname = Here\n", fp);
    fclose(fp);
    assert_int_equal(md_config_find(&c, NULL, &e), MD_OK);
    assert_string_equal(c.org_name, "Here");
    assert_string_equal(c.path, "./maildossier.conf");
    unlink("maildossier.conf");
    assert_int_equal(chdir(cwd), 0);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example),     cmocka_unit_test(test_host_lookup),
        cmocka_unit_test(test_is_ours),     cmocka_unit_test(test_several_ips),
        cmocka_unit_test(test_errors),      cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_booleans),
        cmocka_unit_test(test_find_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
