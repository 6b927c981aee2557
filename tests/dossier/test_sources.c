/* test_sources.c: the provenance table (lib/dossier/sources.c): one number
 * per distinct source, cites without repeats, the <sources> list renumbered
 * in order of first citation (sources never cited left out), paths shown
 * relative to [logs] root / [rules] root (a relative root taken from the
 * config file's directory), else to the directory the document's files of
 * a kind share, and replaced wherever the document printed them; the
 * request's rule and message files without their middle components. */
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
#include <libxml/tree.h>
#include "dossier/sources.h"
#include "base/text.h"
#include "testutil.h"

/* mkdirs: mkdir -p (0 or -1) */
static int mkdirs(const char *path)
{
    char b[700];
    snprintf(b, sizeof b, "%s", path);
    for (char *q = b + 1; *q; q++)
        if (*q == '/') {
            *q = '\0';
            mkdir(b, 0700);
            *q = '/';
        }
    return mkdir(b, 0700) == 0 || access(b, F_OK) == 0 ? 0 : -1;
}

/* prop: attribute name of the source with id (NULL when absent) */
static char *prop(xmlNode *root, const char *id, const char *name)
{
    for (xmlNode *l = root->children; l; l = l->next) {
        if (l->type != XML_ELEMENT_NODE || strcmp((const char *)l->name, "sources") != 0)
            continue;
        for (xmlNode *s = l->children; s; s = s->next) {
            xmlChar *v = xmlGetProp(s, (const xmlChar *)"id");
            int hit = v && strcmp((const char *)v, id) == 0;
            xmlFree(v);
            if (hit) {
                xmlChar *r = xmlGetProp(s, (const xmlChar *)name);
                char *out = r ? strdup((const char *)r) : NULL;
                xmlFree(r);
                return out;
            }
        }
    }
    return NULL;
}

static void assert_prop(xmlNode *root, const char *id, const char *name, const char *want)
{
    char *v = prop(root, id, name);
    if (!want) {
        if (v)
            fail_msg("%s/@%s: '%s', none expected", id, name, v);
        return;
    }
    if (!v || strcmp(v, want) != 0)
        fail_msg("%s/@%s: '%s', expected '%s'", id, name, v ? v : "(none)", want);
    free(v);
}

static int count_sources(xmlNode *root)
{
    int n = 0;
    for (xmlNode *l = root->children; l; l = l->next)
        if (l->type == XML_ELEMENT_NODE && strcmp((const char *)l->name, "sources") == 0)
            for (xmlNode *s = l->children; s; s = s->next)
                n += s->type == XML_ELEMENT_NODE;
    return n;
}

static void test_cites(void **state)
{
    (void)state;
    md_srcs s;
    md_config cfg;
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.path, sizeof cfg.path, "/etc/maildossier.conf");
    md_srcs_init(&s, NULL, &cfg);
    size_t a = md_srcs_log(&s, 0, "/var/log/n-mail-2/mail.log", 29, "n-mail-2");
    size_t b = md_srcs_config(&s, "[microsoft] optin");
    assert_int_equal(a, 1);
    assert_int_equal(b, 2);
    /* the same source again: the same number */
    assert_int_equal(md_srcs_log(&s, 0, "/var/log/n-mail-2/mail.log", 29, "n-mail-2"), 1);
    assert_int_equal(md_srcs_log(&s, 0, "/var/log/n-mail-2/mail.log", 30, "n-mail-2"), 3);
    assert_int_equal(md_srcs_ticket(&s, "2016042010001094"), 4);
    assert_int_equal(md_srcs_ticket(&s, "2016042010001094"), 4);
    md_buf c = MD_BUF_INIT;
    md_cite_add(&c, 3);
    md_cite_add(&c, 1);
    md_cite_add(&c, 3);
    md_cite_add(&c, 0);
    assert_string_equal(md_buf_cstr(&c), "s3 s1");
    md_cite_merge(&c, "s1 s13  s4");
    assert_string_equal(md_buf_cstr(&c), "s3 s1 s13 s4");
    md_buf_free(&c);
    /* many sources: the hash table grows and keeps every number */
    char path[64];
    for (int i = 0; i < 2000; i++) {
        snprintf(path, sizeof path, "/var/log/h%d/mail.log", i % 7);
        assert_int_equal(md_srcs_log(&s, 0, path, (uint64_t)i + 1, "h"), (size_t)i + 5);
    }
    snprintf(path, sizeof path, "/var/log/h%d/mail.log", 1234 % 7);
    assert_int_equal(md_srcs_log(&s, 0, path, 1235, "h"), 1239);
    md_srcs_free(&s);
    md_srcs_free(&s);   /* safe twice (zeroed) */
}

/* a document citing sources out of order: the list follows the citations */
static void test_write_order_and_paths(void **state)
{
    (void)state;
    md_srcs s;
    md_config cfg;
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.path, sizeof cfg.path, "/etc/maildossier/maildossier.conf");
    md_srcs_init(&s, NULL, &cfg);
    size_t never = md_srcs_store(&s, "reports");
    size_t rule = md_srcs_rule(&s, "/srv/rules/mailup/rules.csv", 2);
    size_t l1 = md_srcs_log(&s, 0, "/var/log/hosts/n-mail-2/mail.log.1.gz", 29, "n-mail-2");
    size_t l2 = md_srcs_log(&s, 0, "/var/log/hosts/smtpout/mail.log", 7, "smtpout");
    size_t cf = md_srcs_config(&s, "[microsoft] optin");
    /* a quoted log line's file: registered, never cited */
    size_t quoted = md_srcs_log(&s, 0, "/var/log/hosts/n-mail-3/mail.log", 5, "n-mail-3");
    assert_true(never && rule && l1 && l2 && cf && quoted);

    xmlChar *a0;
    xmlDoc *d = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *root = xmlNewNode(NULL, (const xmlChar *)"dossier");
    xmlDocSetRootElement(d, root);
    md_buf c = MD_BUF_INIT;
    md_cite_add(&c, l2);
    md_cite_add(&c, l1);
    xmlNode *v = xmlNewTextChild(root, NULL, (const xmlChar *)"verdict",
                                 (const xmlChar *)"rule in /srv/rules/mailup/rules.csv:2");
    md_cite_set(v, md_buf_cstr(&c));
    md_buf_reset(&c);
    md_cite_add(&c, cf);
    md_cite_add(&c, rule);
    xmlNode *f = xmlNewTextChild(root, NULL, (const xmlChar *)"file",
                                 (const xmlChar *)"/var/log/hosts/smtpout/mail.log");
    md_cite_set(f, md_buf_cstr(&c));
    md_buf_reset(&c);
    md_cite_add(&c, rule);
    md_cite_add(&c, l2);
    xmlNode *n = xmlNewTextChild(root, NULL, (const xmlChar *)"note", (const xmlChar *)"n");
    xmlNode *q = xmlNewTextChild(root, NULL, (const xmlChar *)"file",
                                 (const xmlChar *)"/var/log/hosts/n-mail-3/mail.log");
    md_cite_set(n, md_buf_cstr(&c));
    md_buf_free(&c);
    assert_int_equal(md_srcs_write(&s, root), MD_OK);
    a0 = xmlGetProp(n, (const xmlChar *)"src");
    assert_string_equal((const char *)a0, "s1 s4");   /* sorted */
    xmlFree(a0);

    /* renumbered in order of first citation, ids sorted in each cite; the
     * store area cited by nothing is not listed */
    xmlChar *a = xmlGetProp(v, (const xmlChar *)"src");
    assert_string_equal((const char *)a, "s1 s2");
    xmlFree(a);
    a = xmlGetProp(f, (const xmlChar *)"src");
    assert_string_equal((const char *)a, "s3 s4");
    xmlFree(a);
    /* the marker as shown, made once (mark): "1,2" and "1,4" */
    a = xmlGetProp(v, (const xmlChar *)"mark");
    assert_string_equal((const char *)a, "1,2");
    xmlFree(a);
    a = xmlGetProp(n, (const xmlChar *)"mark");
    assert_string_equal((const char *)a, "1,4");
    xmlFree(a);
    assert_int_equal(count_sources(root), 4);
    /* no root configured: relative to the directory the logs share */
    assert_prop(root, "s1", "kind", "log");
    assert_prop(root, "s1", "file", "smtpout/mail.log");
    assert_prop(root, "s1", "line", "7");
    assert_prop(root, "s1", "host", "smtpout");
    assert_prop(root, "s2", "file", "n-mail-2/mail.log.1.gz");
    assert_prop(root, "s3", "kind", "config");
    assert_prop(root, "s3", "key", "[microsoft] optin");
    assert_prop(root, "s3", "file", "maildossier.conf");
    /* one rule file: its name */
    assert_prop(root, "s4", "file", "rules.csv");
    assert_prop(root, "s4", "line", "2");
    /* the paths the document printed are replaced */
    xmlChar *t = xmlNodeGetContent(v);
    assert_string_equal((const char *)t, "rule in rules.csv:2");
    xmlFree(t);
    t = xmlNodeGetContent(f);
    assert_string_equal((const char *)t, "smtpout/mail.log");
    xmlFree(t);
    t = xmlNodeGetContent(q);   /* not listed, but not absolute either */
    assert_string_equal((const char *)t, "n-mail-3/mail.log");
    xmlFree(t);
    xmlFreeDoc(d);
    md_srcs_free(&s);
}

/* a claim citing thousands of sources (the summary of a big mailbox): its
 * mark is the runs, made in C, so that the text stylesheet does not recurse
 * once per id (libxslt stops at 3,000 levels) */
static void test_mark_of_thousands(void **state)
{
    (void)state;
    md_srcs s;
    md_config cfg;
    memset(&cfg, 0, sizeof cfg);
    md_srcs_init(&s, NULL, &cfg);
    xmlDoc *d = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *root = xmlNewNode(NULL, (const xmlChar *)"dossier");
    xmlDocSetRootElement(d, root);
    md_buf c = MD_BUF_INIT;
    for (unsigned i = 1; i <= 5000; i++)
        if (i != 4000)   /* one gap */
            md_cite_add(&c, md_srcs_log(&s, 0, "/var/log/mail.log", i, "mx"));
    xmlNode *v = xmlNewTextChild(root, NULL, (const xmlChar *)"verdict", (const xmlChar *)"v");
    md_cite_set(v, md_buf_cstr(&c));
    md_buf_free(&c);
    assert_int_equal(md_srcs_write(&s, root), MD_OK);
    xmlChar *a = xmlGetProp(v, (const xmlChar *)"mark");
    assert_string_equal((const char *)a, "1-4999");
    xmlFree(a);
    xmlFreeDoc(d);
    md_srcs_free(&s);
    /* the formatter alone: pairs, single numbers, unsorted-safe prefixes */
    md_buf b = MD_BUF_INIT;
    md_text_runs(&b, "s3 s7 s8 s10 s11 s12");
    assert_string_equal(md_buf_cstr(&b), "3,7,8,10-12");
    md_buf_reset(&b);
    md_text_runs(&b, "");
    assert_string_equal(md_buf_cstr(&b), "");
    md_buf_free(&b);
}

/* configured roots (relative to the config file), and the request's snip */
static void test_roots_and_snip(void **state)
{
    (void)state;
    char dir[512], p[700];
    snprintf(dir, sizeof dir, "%s/test_sources_%ld", md_test_tmpdir(), (long)getpid());
    snprintf(p, sizeof p, "%s/logs/n-mail-2", dir);
    assert_int_equal(mkdirs(p), 0);
    snprintf(p, sizeof p, "%s/rules/home/lena.schulz", dir);
    assert_int_equal(mkdirs(p), 0);
    md_config cfg;
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.path, sizeof cfg.path, "%s/maildossier.conf", dir);
    snprintf(cfg.logs_root, sizeof cfg.logs_root, "logs");
    snprintf(cfg.rules_root, sizeof cfg.rules_root, "%s/rules/", dir);
    for (int redact = 0; redact <= 1; redact++) {
        md_srcs s;
        md_srcs_init(&s, NULL, &cfg);
        s.redact_paths = redact;
        char f1[700], f2[700], f3[700];
        snprintf(f1, sizeof f1, "%s/logs/n-mail-2/mail.log.1.gz", dir);
        snprintf(f2, sizeof f2, "%s/rules/home/lena.schulz/.forward", dir);
        snprintf(f3, sizeof f3, "%s/messages/Maildir/cur/1.eml", dir);
        md_buf c = MD_BUF_INIT;
        md_cite_add(&c, md_srcs_log(&s, 0, f1, 29, "n-mail-2"));
        md_cite_add(&c, md_srcs_rule(&s, f2, 1));
        md_cite_add(&c, md_srcs_message(&s, 0, f3, "x@y"));
        xmlDoc *d = xmlNewDoc((const xmlChar *)"1.0");
        xmlNode *root = xmlNewNode(NULL, (const xmlChar *)"request");
        xmlDocSetRootElement(d, root);
        md_cite_set(xmlNewTextChild(root, NULL, (const xmlChar *)"title", (const xmlChar *)"t"),
                    md_buf_cstr(&c));
        md_buf_free(&c);
        assert_int_equal(md_srcs_write(&s, root), MD_OK);
        assert_prop(root, "s1", "file", "n-mail-2/mail.log.1.gz");
        assert_prop(root, "s2", "file", redact ? "home/*snip*/.forward" : "home/lena.schulz/.forward");
        assert_prop(root, "s3", "file", "1.eml");   /* the only message: its name */
        assert_prop(root, "s3", "message-id", "x@y");
        xmlFreeDoc(d);
        md_srcs_free(&s);
    }
    static const char *const made[] = {"logs/n-mail-2", "logs", "rules/home/lena.schulz",
                                       "rules/home", "rules", ""};
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, made[i]);
        rmdir(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cites),
        cmocka_unit_test(test_write_order_and_paths),
        cmocka_unit_test(test_mark_of_thousands),
        cmocka_unit_test(test_roots_and_snip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
