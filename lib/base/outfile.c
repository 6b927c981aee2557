/* outfile.c: writing output files whole and safely, and making their
 * directories (see outfile.h).  Owns the temporary files it creates until
 * they are renamed or removed; never prints, never follows a link at a name
 * it creates. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "base/outfile.h"
#include "base/text.h"

/* path made printable and cut for a message (MD_LIMIT_SHOW_ARG) */
static const char *shown(char dst[MD_LIMIT_SHOW_ARG], const char *path)
{
    return md_text_printable(dst, MD_LIMIT_SHOW_ARG, path, strlen(path));
}

/* fill s[0..n) with random letters and digits (getrandom; the clock, the
 * pid and a counter when it fails) */
static void random_name(char *s, size_t n)
{
    static const char abc[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    static unsigned long count;
    unsigned char r[16];
    if (n > sizeof r)
        n = sizeof r;
    if (getrandom(r, n, GRND_NONBLOCK) != (ssize_t)n) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        unsigned long x = (unsigned long)t.tv_nsec ^ ((unsigned long)getpid() << 16) ^ ++count;
        for (size_t i = 0; i < n; i++, x = x * 6364136223846793005UL + 1442695040888963407UL)
            r[i] = (unsigned char)(x >> 33);
    }
    for (size_t i = 0; i < n; i++)
        s[i] = abc[r[i] % (sizeof abc - 1)];
}

/* create a new temporary file "path.XXXXXXXX.tmp" exclusively, its name
 * into tmp[n]: the descriptor, or a (negative) MD_ERR_* code with err set */
static int tmp_create(const char *path, char *tmp, size_t n, md_err *err)
{
    char show[MD_LIMIT_SHOW_ARG];
    int e = 0;
    for (int i = 0; i < MD_LIMIT_TMPNAME_TRIES; i++) {
        char r[8];
        random_name(r, sizeof r);
        if ((size_t)snprintf(tmp, n, "%s.%.8s.tmp", path, r) >= n) {
            return md_err_set(err, MD_ERR_LIMIT, "%s: path too long", shown(show, path));
        }
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd >= 0)
            return fd;
        if ((e = errno) != EEXIST)
            break;
    }
    return md_err_set(err, MD_ERR_IO, "%s: cannot create a temporary file beside it: %s",
                      shown(show, path), strerror(e));
}

/* write data[0..n) to fd whole: 0, or -1 with errno */
static int write_all(int fd, const char *data, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        data += w;
        n -= (size_t)w;
    }
    return 0;
}

int md_outfile_write(const char *path, const void *data, size_t n, md_err *err)
{
    char tmp[MD_LIMIT_PATH + 16], show[MD_LIMIT_SHOW_ARG];
    int fd = tmp_create(path, tmp, sizeof tmp, err);
    if (fd < 0)
        return fd;
    int ok = write_all(fd, data ? data : "", n) == 0 && fsync(fd) == 0;
    int e = errno;
    if (close(fd) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = 0;
        e = errno;
    }
    if (ok)
        return MD_OK;
    unlink(tmp);
    return md_err_set(err, MD_ERR_IO, "%s: %s", shown(show, path), strerror(e));
}

/* make the one directory p (its parent exists): 0 or an error naming p */
static int mkdir_one(const char *p, md_err *err)
{
    char show[MD_LIMIT_SHOW_ARG];
    struct stat sb;
    if (mkdir(p, 0755) == 0)
        return MD_OK;
    int e = errno;
    if (stat(p, &sb) == 0) {
        if (S_ISDIR(sb.st_mode))
            return MD_OK;
        return md_err_set(err, MD_ERR_ARG, "%s: not a directory", shown(show, p));
    }
    return md_err_set(err, MD_ERR_IO, "cannot make directory %s: %s", shown(show, p),
                      strerror(e));
}

int md_outfile_mkdirs(const char *dir, md_err *err)
{
    char p[MD_LIMIT_PATH];
    struct stat sb;
    size_t n = strlen(dir);
    if (n >= sizeof p)
        return md_err_set(err, MD_ERR_LIMIT, "path longer than %d bytes", MD_LIMIT_PATH - 1);
    if (n == 0 || (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode)))
        return MD_OK;
    memcpy(p, dir, n + 1);
    /* each prefix that ends before a '/' (not the root, not "a//"), then dir */
    for (size_t i = 1; i <= n; i++) {
        if ((p[i] != '/' && p[i] != '\0') || p[i - 1] == '/')
            continue;
        char c = p[i];
        p[i] = '\0';
        int rc = mkdir_one(p, err);
        p[i] = c;
        if (rc != MD_OK)
            return rc;
    }
    return MD_OK;
}

int md_outfile_mkparents(const char *path, md_err *err)
{
    char p[MD_LIMIT_PATH];
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return MD_OK;
    size_t n = (size_t)(slash - path);
    if (n >= sizeof p)
        return md_err_set(err, MD_ERR_LIMIT, "path longer than %d bytes", MD_LIMIT_PATH - 1);
    memcpy(p, path, n);
    p[n] = '\0';
    return md_outfile_mkdirs(p, err);
}
