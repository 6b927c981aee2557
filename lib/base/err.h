/* err.h: result codes and the error context every library call fills.
 *
 * Library functions never print and never exit: they return 0 (MD_OK) or a
 * negative MD_ERR_* code and leave a readable message in an md_err that the
 * caller owns (libgit2/SQLite style).  Messages name the file and line when
 * the error is about outside input.  Outside bytes quoted in a message are
 * made printable first (md_text_printable).
 */
#ifndef MD_ERR_H
#define MD_ERR_H

#include <stddef.h>
#include "base/md_limits.h"

enum {
    MD_OK = 0,
    MD_ERR_IO = -1,        /* open/read/write failed (errno text in msg) */
    MD_ERR_NOMEM = -2,
    MD_ERR_PARSE = -3,     /* input is not what it claims to be */
    MD_ERR_LIMIT = -4,     /* a limit of md_limits.h was hit */
    MD_ERR_DB = -5,        /* the store failed */
    MD_ERR_ARG = -6,       /* caller passed something invalid */
    MD_ERR_NOTFOUND = -7,
    MD_ERR_TRUNC = -8      /* input ended early (truncated gzip, cut message) */
};

typedef struct md_err {
    int code;
    char msg[MD_LIMIT_ERRMSG];
} md_err;

/* md_err_set: record code and a printf-style message; returns code, so that
 * "return md_err_set(e, MD_ERR_IO, ...)" reads naturally.  e may be NULL. */
int md_err_set(md_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* md_err_clear: reset to MD_OK and an empty message.  e may be NULL. */
void md_err_clear(md_err *e);

/* md_err_str: a short constant name for a code ("I/O error", ...). */
const char *md_err_str(int code);

#endif
