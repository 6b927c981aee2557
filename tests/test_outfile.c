/* test_outfile.c: output files (lib/outfile.c): a file written whole with
 * its mode, over an old one and over a planted link (the link replaced, its
 * target untouched), no temporary file left after success or failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "outfile.h"
#include "testutil.h"

static char dir[512];

static int setup(void **state)
{
    (void)state;
    md_test_dir(dir, sizeof dir, "test_outfile");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    md_test_rmtree(dir);
    return 0;
}

/* the whole content of path into buf[n] (NUL-terminated): its length, or -1 */
static long slurp(const char *path, char *buf, size_t n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    size_t got = fread(buf, 1, n - 1, fp);
    fclose(fp);
    buf[got] = '\0';
    return (long)got;
}

/* the number of entries in d whose name contains s */
static int count_names(const char *d, const char *s)
{
    DIR *dp = opendir(d);
    int k = 0;
    assert_non_null(dp);
    for (struct dirent *e; (e = readdir(dp));)
        k += strstr(e->d_name, s) != NULL;
    closedir(dp);
    return k;
}

static void test_write_whole(void **state)
{
    (void)state;
    char p[600], buf[64];
    md_err err = {0, ""};
    snprintf(p, sizeof p, "%s/w.txt", dir);
    assert_int_equal(md_outfile_write(p, "first\n", 6, &err), MD_OK);
    assert_int_equal(slurp(p, buf, sizeof buf), 6);
    assert_string_equal(buf, "first\n");
    /* over an old file; mode 0644 less the umask */
    assert_int_equal(md_outfile_write(p, "second", 6, &err), MD_OK);
    assert_int_equal(slurp(p, buf, sizeof buf), 6);
    assert_string_equal(buf, "second");
    mode_t um = umask(022);
    umask(um);
    struct stat sb;
    assert_int_equal(lstat(p, &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    assert_int_equal(sb.st_mode & 0777, 0644 & ~um);
    /* empty content, NULL data */
    assert_int_equal(md_outfile_write(p, NULL, 0, &err), MD_OK);
    assert_int_equal(slurp(p, buf, sizeof buf), 0);
    assert_int_equal(count_names(dir, ".tmp"), 0);
}

static void test_link_at_the_name_is_replaced(void **state)
{
    (void)state;
    char p[600], victim[600], old_tmp[620], buf[64];
    md_err err = {0, ""};
    snprintf(p, sizeof p, "%s/dossier-1.txt", dir);
    snprintf(victim, sizeof victim, "%s/victim", dir);
    snprintf(old_tmp, sizeof old_tmp, "%s.tmp", p);
    FILE *fp = fopen(victim, "w");
    assert_non_null(fp);
    fputs("secret", fp);
    fclose(fp);
    /* links at the final name and at the temporary name of earlier versions */
    assert_int_equal(symlink(victim, p), 0);
    assert_int_equal(symlink(victim, old_tmp), 0);
    assert_int_equal(md_outfile_write(p, "dossier", 7, &err), MD_OK);
    struct stat sb;
    assert_int_equal(lstat(p, &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    assert_int_equal(slurp(p, buf, sizeof buf), 7);
    assert_string_equal(buf, "dossier");
    assert_int_equal(slurp(victim, buf, sizeof buf), 6);
    assert_string_equal(buf, "secret");
    /* only the planted link is a .tmp */
    assert_int_equal(count_names(dir, ".tmp"), 1);
    unlink(old_tmp);
    unlink(victim);
}

static void test_failure_leaves_nothing(void **state)
{
    (void)state;
    char p[600];
    md_err err = {0, ""};
    /* a directory of that name: the rename fails, the temporary file goes */
    snprintf(p, sizeof p, "%s/isdir", dir);
    assert_int_equal(mkdir(p, 0755), 0);
    assert_int_equal(md_outfile_write(p, "x", 1, &err), MD_ERR_IO);
    assert_non_null(strstr(err.msg, "isdir"));
    assert_int_equal(count_names(dir, ".tmp"), 0);
    rmdir(p);
    /* no such directory: nothing created */
    snprintf(p, sizeof p, "%s/none/f.txt", dir);
    assert_int_equal(md_outfile_write(p, "x", 1, &err), MD_ERR_IO);
    assert_non_null(strstr(err.msg, "none/f.txt"));
    assert_non_null(strstr(err.msg, "No such file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_whole),
        cmocka_unit_test(test_link_at_the_name_is_replaced),
        cmocka_unit_test(test_failure_leaves_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
