/* test_logline_corpus.c: real third-party log lines (MD_SHARED/corpus)
 * through the log line parser: no crash, recognition per directory printed,
 * and a floor on recognition for the mail-log samples.  Postfix messages of
 * postfix-grok-patterns are wrapped in a syslog envelope and their queue id
 * compared with the expected one.  Skipped (exit 77) when the corpus is absent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "base/input.h"
#include "parse/logline.h"
#include "testutil.h"

typedef struct counts { unsigned long lines, recognised, mail; } counts;

static void scan_file(const char *path, counts *c)
{
    md_input *in = NULL;
    md_err err;
    const char *l;
    size_t n;
    int flags;
    md_logctx ctx;
    md_logctx_init(&ctx, 2016, -1);
    if (md_input_open(&in, path, &err) != 0) return;
    while (md_input_getline(in, &l, &n, &flags, &err) == 1) {
        md_logrec r;
        if (n == 0 || (n >= 1 && l[0] == '#')) continue; /* fail2ban notes */
        c->lines++;
        if (md_logline_parse(&ctx, l, n, &r)) {
            c->recognised++;
            if (r.ev != MD_EV_OTHER) c->mail++;
        }
    }
    md_input_close(in); /* a broken .gz just ends early */
}

static void scan_tree(const char *path, counts *c, int depth)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    if (depth > 6 || stat(path, &st) != 0) return;
    if (!S_ISDIR(st.st_mode)) {
        const char *b = strrchr(path, '/');
        b = b ? b + 1 : path;
        if (strcmp(b, "SOURCE.txt") && !strstr(b, ".yaml") && !strstr(b, ".tsv") &&
            !strstr(b, ".md"))
            scan_file(path, c);
        return;
    }
    if (!(d = opendir(path))) return;
    while ((e = readdir(d)) != NULL) {
        char sub[4096];
        if (e->d_name[0] == '.') continue;
        if (snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) >= (int)sizeof sub)
            fail_msg("path longer than %zu bytes: %s/%s", sizeof sub - 1, path, e->d_name);
        scan_tree(sub, c, depth + 1);
    }
    closedir(d);
}

static counts run(const char *dir)
{
    char path[4096];
    counts c = {0, 0, 0};
    snprintf(path, sizeof path, "%s/corpus/%s", MD_SHARED, dir);
    scan_tree(path, &c, 0);
    printf("corpus %-40s lines %6lu recognised %6lu (%5.1f%%) mail events %6lu\n", dir, c.lines,
           c.recognised, c.lines ? 100.0 * c.recognised / c.lines : 0.0, c.mail);
    return c;
}

static void test_corpus_dirs(void **state)
{
    counts c;
    (void)state;
    c = run("parse-syslog-mail");
    if (c.lines) assert_true(c.recognised * 100 >= c.lines * 99);
    c = run("fail2ban/postfix");
    if (c.lines) assert_true(c.recognised * 100 >= c.lines * 95);
    c = run("fail2ban/sendmail-reject");
    if (c.lines) assert_true(c.recognised * 100 >= c.lines * 95);
    c = run("fail2ban/exim");
    if (c.lines) assert_true(c.recognised * 100 >= c.lines * 90);
    c = run("fail2ban");
    c = run("lnav");
    c = run("exim-testsuite/test/log");
    if (c.lines) {
        assert_true(c.recognised * 100 >= c.lines * 85); /* rest: test-server dialogue */
        assert_true(c.mail * 100 >= c.lines * 50);
    }
    c = run("lightmeter-controlcenter");
}

/* postfix-grok-patterns: "data:" is a postfix message, postfix_queueid the
 * expected queue id. */
static void test_grok(void **state)
{
    char dir[4096];
    DIR *d;
    struct dirent *e;
    unsigned long files = 0, recognised = 0, qid_expected = 0, qid_ok = 0;
    (void)state;
    snprintf(dir, sizeof dir, "%s/corpus/postfix-grok-patterns/test", MD_SHARED);
    d = opendir(dir);
    md_assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char path[8192], buf[16384], line[20000], daemon[64] = "smtpd", qid[128] = "";
        char *data = NULL, *q;
        size_t dn = 0, k;
        FILE *fp;
        md_logctx ctx;
        md_logrec r;
        if (!strstr(e->d_name, ".yaml")) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (!(fp = fopen(path, "r"))) continue;
        k = strcspn(e->d_name, "_.");
        if (k < sizeof daemon) { memcpy(daemon, e->d_name, k); daemon[k] = 0; }
        while (fgets(buf, sizeof buf, fp)) {
            buf[strcspn(buf, "\n")] = 0;
            if (!strncmp(buf, "data: \"", 7)) {
                free(data);
                data = malloc(strlen(buf));
                if (!data) break;
                for (q = buf + 7, dn = 0; *q && !(*q == '"' && q[1] == 0); q++) {
                    if (*q == '\\' && q[1]) q++;
                    data[dn++] = *q;
                }
                data[dn] = 0;
            } else if ((q = strstr(buf, "postfix_queueid: ")) != NULL) {
                q += 17;
                if (*q == '"') q++;
                snprintf(qid, sizeof qid, "%s", q);
                qid[strcspn(qid, "\"")] = 0;
                if (!strcmp(qid, "NOQUEUE")) strcpy(qid, "-"); /* ours: no queue id */
            }
        }
        fclose(fp);
        if (!data) continue;
        files++;
        snprintf(line, sizeof line, "Jan  1 00:00:00 host postfix/%s[1]: %s", daemon, data);
        md_logctx_init(&ctx, 2016, -1);
        if (md_logline_parse(&ctx, line, strlen(line), &r)) recognised++;
        if (qid[0]) {
            qid_expected++;
            if (md_span_eq(r.qid, qid) || (!strcmp(qid, "-") && !r.qid.p)) qid_ok++;
            else printf("grok %s: qid [%.*s] want [%s]\n", e->d_name, (int)r.qid.n, r.qid.p ? r.qid.p : "", qid);
        }
        free(data);
    }
    closedir(d);
    printf("corpus postfix-grok-patterns: %lu messages, %lu recognised, queue id %lu/%lu\n", files,
           recognised, qid_ok, qid_expected);
    assert_int_equal(recognised, files);
    assert_true(qid_ok * 100 >= qid_expected * 90);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest corpus[] = {
        cmocka_unit_test(test_corpus_dirs),
        cmocka_unit_test(test_grok),
    };
    static const char *const need[] = {"parse-syslog-mail", "fail2ban/postfix",
                                       "fail2ban/sendmail-reject", "fail2ban/exim", "lnav",
                                       "exim-testsuite/test/log", "postfix-grok-patterns/test",
                                       NULL};
    return md_test_main(argc, argv, NULL, 0, corpus, sizeof corpus / sizeof corpus[0], need,
                        NULL, NULL);
}
