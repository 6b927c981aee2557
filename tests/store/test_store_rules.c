/* test_store_rules.c: lib/store/store_rules.c and lib/ingest/rulefile.c: the scenario's
 * rule fixtures ingested (aliases with :include:, a rules CSV, a home tree
 * with .forward files and Dovecot .dovecot.sieve links, owners derived from
 * the paths, an inactive script refused); rules per address with file:line;
 * resolution through the store; the list of addresses forwarding to
 * Microsoft without a copy; a changed .forward replacing the old rules on
 * re-ingest (and no duplicates when ingested twice); broken rule files
 * reported with file:line while the rest is stored. */
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
#include "ingest/ingest.h"
#include "ingest/readers.h"
#include "ingest/rulefile.h"
#include "store/store.h"
#include "store/store_rules.h"
#include "testutil.h"

static md_config cfg;
static char dbpath[512];
static int nwarn;
static char lastwarn[512];

static void on_warn(void *arg, const char *file, uint64_t line, const char *msg)
{
    (void)arg;
    nwarn++;
    snprintf(lastwarn, sizeof lastwarn, "%s:%llu: %s", file, (unsigned long long)line, msg);
}

static md_store *open_store(void)
{
    return md_test_store_open(dbpath, sizeof dbpath, "test_store_rules");
}

static void close_store(md_store *st)
{
    md_test_store_close(st, dbpath);
}

static int ingest(md_store *st, const char *path, const char *home)
{
    md_ingest ig;
    md_readers_init(&ig, st, &cfg);
    ig.warn = on_warn;
    ig.rules_home = home;
    md_err e = {0, ""};
    int rc = home && !path ? md_rulefile_ingest_home(&ig, home, &e) : md_ingest_path(&ig, path, &e);
    if (rc != 0 && rc != MD_ERR_PARSE)
        fail_msg("%s", e.msg);
    return rc;
}

static int setup(void **state)
{
    (void)state;
    md_err e = {0, ""};
    if (md_config_load(&cfg, MD_FIXTURES "/maildossier.conf", &e) != 0)
        fail_msg("%s", e.msg);
    return 0;
}

static const md_rule *find(const md_rule_list *l, const char *target)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].target, target) == 0)
            return &l->v[i];
    return NULL;
}

static void t_fixtures(void **state)
{
    (void)state;
    md_store *st = open_store();
    nwarn = 0;
    assert_int_equal(ingest(st, MD_FIXTURES "/rules/aliases", NULL), 0);
    assert_int_equal(ingest(st, MD_FIXTURES "/rules/mailup-rules.csv", NULL), 0);
    assert_int_equal(ingest(st, NULL, MD_FIXTURES "/rules/home"), 0);
    assert_int_equal(nwarn, 0);
    md_err e = {0, ""};
    md_rule_list l = {0};
    /* lena.schulz: the .forward in home/lena.schulz, owner from the path */
    assert_int_equal(md_store_rules_for(st, &cfg, "Lena.Schulz@uni-potsdam.de", &l, &e), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].target, "lena.schulz@hotmail.de");
    assert_int_equal(l.v[0].kind, MD_RK_FORWARD);
    assert_non_null(strstr(l.v[0].file, "home/lena.schulz/.forward"));
    assert_int_equal(l.v[0].line, 2);
    md_rules_list_free(&l);
    /* abuse: from the included file, with its own file:line */
    assert_int_equal(md_store_rules_for(st, &cfg, "abuse@uni-potsdam.de", &l, &e), 0);
    const md_rule *r = find(&l, "cert@dfn-cert.de");
    assert_non_null(r);
    assert_non_null(strstr(r->file, "lists/abuse-team"));
    md_rules_list_free(&l);
    /* m.becker: the active script only (old.sieve is not linked) */
    assert_int_equal(md_store_rules_for(st, &cfg, "m.becker@uni-potsdam.de", &l, &e), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].target, "m.becker@hotmail.com");
    assert_int_equal(l.v[0].kind, MD_RK_SIEVE);
    assert_true(l.v[0].condition[0] != '\0');
    md_rules_list_free(&l);

    /* resolution: the scenario's user, via the old alias too */
    md_resolution res = {0};
    assert_int_equal(md_store_rules_resolve(st, &cfg, "a.schmidt@uni-potsdam.de", &res, &e), 0);
    assert_int_equal(res.applied.n, 2);
    assert_int_equal(res.keeps_copy, MD_COPY_NEVER);
    assert_int_equal(res.ms_without_copy, 1);
    assert_int_equal(md_store_rules_resolve(st, &cfg, "t.wolf@uni-potsdam.de", &res, &e), 0);
    assert_int_equal(res.keeps_copy, MD_COPY_ALWAYS); /* redirect :copy */
    assert_int_equal(res.ms_consumer, 1);
    assert_int_equal(res.ms_without_copy, 0);
    assert_int_equal(md_store_rules_resolve(st, &cfg, "tutoren-ws@uni-potsdam.de", &res, &e), 0);
    assert_int_equal(res.loop, 1);
    md_resolution_free(&res);

    /* everyone forwarding to Microsoft without a copy */
    size_t n = 0;
    assert_int_equal(md_store_rules_ms_forwards(st, &cfg, NULL, NULL, &n, &e), 0);
    /* anna (csv + alias a.schmidt), lena, f.neumann (+ alias), m.becker (sometimes),
     * mia.roth and ole.berg (the sibling copies of fixtures/logs/links) */
    assert_int_equal(n, 8);
    uint64_t rules = 0, files = 0;
    assert_int_equal(md_store_rules_count(st, &rules, &files, &e), 0);
    assert_int_equal(files, 2 + 6);
    /* ingesting again adds nothing */
    assert_int_equal(ingest(st, MD_FIXTURES "/rules/aliases", NULL), 0);
    assert_int_equal(ingest(st, NULL, MD_FIXTURES "/rules/home"), 0);
    uint64_t rules2 = 0, files2 = 0;
    assert_int_equal(md_store_rules_count(st, &rules2, &files2, &e), 0);
    assert_int_equal(rules2, rules);
    assert_int_equal(files2, files);
    close_store(st);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void t_replace(void **state)
{
    (void)state;
    md_store *st = open_store();
    char home[512], dir[600], fwd[700];
    const char *tmp = getenv("MD_TMP");
    snprintf(home, sizeof home, "%s/test_store_rules_home.%d", tmp ? tmp : "/tmp", (int)getpid());
    snprintf(dir, sizeof dir, "%s/r.hoffmann", home);
    snprintf(fwd, sizeof fwd, "%s/.forward", dir);
    mkdir(home, 0700);
    mkdir(dir, 0700);
    write_file(fwd, "r.hoffmann@outlook.com\n");
    assert_int_equal(ingest(st, fwd, home), 0);
    md_err e = {0, ""};
    md_resolution res = {0};
    assert_int_equal(md_store_rules_resolve(st, &cfg, "r.hoffmann@uni-potsdam.de", &res, &e), 0);
    assert_int_equal(res.ms_without_copy, 1);
    /* the user changes the .forward: a copy now, another first line */
    write_file(fwd, "# changed 2016-04-25\n\\r.hoffmann\nr.hoffmann@outlook.com\n");
    assert_int_equal(ingest(st, fwd, home), 0);
    assert_int_equal(md_store_rules_resolve(st, &cfg, "r.hoffmann@uni-potsdam.de", &res, &e), 0);
    assert_int_equal(res.applied.n, 2);
    assert_int_equal(res.keeps_copy, MD_COPY_ALWAYS);
    assert_int_equal(res.ms_without_copy, 0);
    /* emptied: no rule any more */
    write_file(fwd, "# no forwarding\n");
    assert_int_equal(ingest(st, fwd, home), 0);
    assert_int_equal(md_store_rules_resolve(st, &cfg, "r.hoffmann@uni-potsdam.de", &res, &e), 0);
    assert_int_equal(res.applied.n, 0);
    md_resolution_free(&res);
    unlink(fwd);
    rmdir(dir);
    rmdir(home);
    close_store(st);
}

static void t_bad(void **state)
{
    (void)state;
    md_store *st = open_store();
    nwarn = 0;
    assert_int_equal(ingest(st, MD_FIXTURES "/rules/bad/broken.sieve", NULL), MD_ERR_PARSE);
    assert_true(nwarn >= 3);
    assert_non_null(strstr(lastwarn, "broken.sieve:"));
    md_err e = {0, ""};
    md_rule_list l = {0};
    /* the valid redirect of the broken script is still stored */
    assert_int_equal(md_store_rules_for(st, &cfg, "broken@uni-potsdam.de", &l, &e), 0);
    assert_non_null(find(&l, "ok@example.org"));
    md_rules_list_free(&l);
    nwarn = 0;
    assert_int_equal(ingest(st, MD_FIXTURES "/rules/bad/aliases", NULL), MD_ERR_PARSE);
    assert_true(nwarn >= 3);
    assert_int_equal(md_store_rules_for(st, &cfg, "good@uni-potsdam.de", &l, &e), 0);
    assert_int_equal(l.n, 1);
    md_rules_list_free(&l);
    nwarn = 0;
    assert_int_equal(ingest(st, MD_FIXTURES "/rules/bad/rules.csv", NULL), MD_ERR_PARSE);
    assert_true(nwarn >= 2);
    /* a .forward whose owner the path does not tell */
    char p[600];
    snprintf(p, sizeof p, "%s/x.forward-copy", getenv("MD_TMP") ? getenv("MD_TMP") : "/tmp");
    write_file(p, "someone@hotmail.com\n");
    md_ingest ig;
    md_readers_init(&ig, st, &cfg);
    ig.warn = on_warn;
    ig.force_kind = MD_KIND_FORWARD;
    nwarn = 0;
    md_ingest_path(&ig, "-", &e); /* stdin: empty in ctest, no owner: no crash */
    unlink(p);
    close_store(st);
}

static void t_owner(void **state)
{
    (void)state;
    char o[256];
    assert_int_equal(md_rulefile_owner(o, sizeof o, "/srv/homes/anna.schmidt/.forward", NULL, &cfg), 0);
    assert_string_equal(o, "anna.schmidt@uni-potsdam.de");
    assert_int_equal(md_rulefile_owner(o, sizeof o, "/var/vmail/lena/sieve/roundcube.sieve", NULL,
                                       &cfg), 0);
    assert_string_equal(o, "lena@uni-potsdam.de");
    assert_int_equal(md_rulefile_owner(o, sizeof o, "/home/x/.dovecot.sieve", NULL, &cfg), 0);
    assert_string_equal(o, "x@uni-potsdam.de");
    assert_int_equal(md_rulefile_owner(o, sizeof o, "/h/jdoe/deep/er/.forward", "/h", &cfg), 0);
    assert_string_equal(o, "jdoe@uni-potsdam.de");
    assert_int_equal(md_rulefile_owner(o, sizeof o, "scripts/t.wolf@example.org.sieve", NULL,
                                       &cfg), 0);
    assert_string_equal(o, "t.wolf@example.org");
    assert_int_equal(md_rulefile_owner(o, sizeof o, "-", NULL, &cfg), MD_ERR_NOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_fixtures), cmocka_unit_test(t_replace), cmocka_unit_test(t_bad),
        cmocka_unit_test(t_owner),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
