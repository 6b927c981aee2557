/* err.c: the error context (see err.h).  Owns nothing but the fixed buffer
 * inside md_err; never allocates, never prints. */
#include <stdarg.h>
#include <stdio.h>
#include "base/err.h"

int md_err_set(md_err *e, int code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        e->code = code;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void md_err_clear(md_err *e)
{
    if (e) {
        e->code = MD_OK;
        e->msg[0] = '\0';
    }
}

const char *md_err_str(int code)
{
    switch (code) {
    case MD_OK: return "ok";
    case MD_ERR_IO: return "I/O error";
    case MD_ERR_NOMEM: return "out of memory";
    case MD_ERR_PARSE: return "parse error";
    case MD_ERR_LIMIT: return "limit exceeded";
    case MD_ERR_DB: return "store error";
    case MD_ERR_ARG: return "invalid argument";
    case MD_ERR_NOTFOUND: return "not found";
    case MD_ERR_TRUNC: return "truncated input";
    default: return "unknown error";
    }
}
