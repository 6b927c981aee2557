/* test_outfile.c: output files (lib/base/outfile.c): a file written whole with
 * its mode, over an old one and over a planted link (the link replaced, its
 * target untouched), no temporary file left after success or failure;
 * mkdir -p semantics: missing parents made, existing ones fine, a component
 * that is a file named in the error, an over-long path refused. */
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
#include "base/outfile.h"
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

/* dir/sub is a directory (through links) */
static void assert_is_dir(const char *sub)
{
    char p[600];
    struct stat sb;
    snprintf(p, sizeof p, "%s/%s", dir, sub);
    assert_int_equal(stat(p, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
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

static void test_mkdirs(void **state)
{
    (void)state;
    char p[600], q[600];
    md_err err = {0, ""};
    snprintf(p, sizeof p, "%s/a/b//c/", dir);
    assert_int_equal(md_outfile_mkdirs(p, &err), MD_OK);
    assert_is_dir("a/b/c");
    /* again: all there */
    assert_int_equal(md_outfile_mkdirs(p, &err), MD_OK);
    assert_int_equal(md_outfile_mkdirs(".", &err), MD_OK);
    assert_int_equal(md_outfile_mkdirs("/", &err), MD_OK);
    /* through a link to a directory */
    snprintf(p, sizeof p, "%s/link", dir);
    snprintf(q, sizeof q, "%s/a", dir);
    assert_int_equal(symlink(q, p), 0);
    snprintf(p, sizeof p, "%s/link/d", dir);
    assert_int_equal(md_outfile_mkdirs(p, &err), MD_OK);
    assert_is_dir("a/d");
    /* a component that is a file: named, MD_ERR_ARG */
    snprintf(p, sizeof p, "%s/a/file", dir);
    assert_int_equal(md_outfile_write(p, "x", 1, &err), MD_OK);
    snprintf(q, sizeof q, "%s/a/file/e/f", dir);
    assert_int_equal(md_outfile_mkdirs(q, &err), MD_ERR_ARG);
    assert_non_null(strstr(err.msg, "a/file: not a directory"));
    /* a component that cannot be made (procfs refuses, also to root): named */
    assert_int_equal(md_outfile_mkdirs("/proc/md_test_outfile/a", &err), MD_ERR_IO);
    assert_non_null(strstr(err.msg, "cannot make directory /proc/md_test_outfile: "));
    /* over MD_LIMIT_PATH */
    static char huge[MD_LIMIT_PATH + 10];
    memset(huge, 'x', sizeof huge - 1);
    assert_int_equal(md_outfile_mkdirs(huge, &err), MD_ERR_LIMIT);
}

static void test_mkparents(void **state)
{
    (void)state;
    char p[600];
    md_err err = {0, ""};
    struct stat sb;
    snprintf(p, sizeof p, "%s/r/s/request.txt", dir);
    assert_int_equal(md_outfile_mkparents(p, &err), MD_OK);
    assert_is_dir("r/s");
    assert_int_equal(stat(p, &sb), -1); /* the file itself is not made */
    assert_int_equal(md_outfile_mkparents("request.txt", &err), MD_OK);
    assert_int_equal(md_outfile_mkparents("/request.txt", &err), MD_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_whole),
        cmocka_unit_test(test_link_at_the_name_is_replaced),
        cmocka_unit_test(test_failure_leaves_nothing),
        cmocka_unit_test(test_mkdirs),
        cmocka_unit_test(test_mkparents),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
