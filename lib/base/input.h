/* input.h: reading outside files, plain or compressed, line by line or whole.
 *
 * md_input opens a path ("-" is standard input) and undoes gzip (also
 * concatenated members), bzip2, xz and zstd, detected from the magic bytes,
 * not the name.  Lines are handed out without copying (pointer into an
 * internal buffer, valid until the next call) with their 1-based number.
 * A line longer than MD_LIMIT_LINE is cut there and flagged; the rest of it
 * is skipped.  A compressed stream that ends early (truncated gzip) or is
 * corrupt ends the input with MD_ERR_TRUNC / MD_ERR_PARSE after every line
 * that could be read was handed out: the error names the file and line.
 * The caller owns the md_input and closes it with md_input_close.
 */
#ifndef MD_INPUT_H
#define MD_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "base/buf.h"
#include "base/err.h"

typedef enum {
    MD_COMP_NONE = 0,
    MD_COMP_GZIP,
    MD_COMP_BZIP2,
    MD_COMP_XZ,
    MD_COMP_ZSTD
} md_comp;

#define MD_LINE_CUT 0x1   /* line was longer than MD_LIMIT_LINE and was cut */
#define MD_LINE_NUL 0x2   /* line contained NUL bytes */

typedef struct md_input md_input;

/* md_input_open: open path for reading.  0 or MD_ERR_IO / MD_ERR_NOMEM. */
int md_input_open(md_input **out, const char *path, md_err *err);
/* md_input_open_at: open name in the directory dirfd (AT_FDCWD: the working
 * directory), shown as path in messages.  With MD_INPUT_REGULAR the caller
 * knows name is a regular file (a directory listing said so) and needs
 * none of what fstat tells: md_input_raw_size, _mtime, _dev and _ino are 0
 * (a Maildir's message files: one system call less each). */
#define MD_INPUT_REGULAR 0x1
int md_input_open_at(md_input **out, int dirfd, const char *name, const char *path, int flags,
                     md_err *err);
/* md_input_open_mem: read from caller memory (not copied: must outlive the
 * input); compression is detected and undone as for files. */
int md_input_open_mem(md_input **out, const char *name, const void *data, size_t len,
                      md_err *err);
void md_input_close(md_input *in);

/* md_input_getline: next line without its "\n" (and "\r\n").
 * Returns 1 with *line, *len and *flags set, 0 at the end, or a negative code
 * (err says what, naming file and line) on a read or decompression error. */
int md_input_getline(md_input *in, const char **line, size_t *len, int *flags, md_err *err);
/* md_input_would_block: 1 when the next md_input_getline would wait for a
 * pipe, socket or terminal (no whole line buffered, nothing to read within
 * wait_ms); 0 for files and memory, or when a line is there.  For a reader
 * that holds something others wait for (a transaction) and should let go
 * of it before it waits. */
int md_input_would_block(md_input *in, int wait_ms);

/* md_input_peek: at least min(want, what the input holds) decompressed bytes
 * from the current position, without consuming them (for format detection).
 * Returns 0 and sets *p and *n, or a negative code. */
int md_input_peek(md_input *in, size_t want, const char **p, size_t *n, md_err *err);

/* md_input_slurp: append everything that is left to out, at most max bytes
 * (MD_ERR_LIMIT beyond, out then holds the first max bytes). */
int md_input_slurp(md_input *in, md_buf *out, size_t max, md_err *err);

/* md_input_skip_lines: consume lines until `lineno` lines were read (used to
 * resume a file where the last ingest stopped).  0, or a negative code. */
int md_input_skip_lines(md_input *in, uint64_t lineno, md_err *err);

const char *md_input_name(const md_input *in);
md_comp md_input_comp(const md_input *in);
uint64_t md_input_lineno(const md_input *in);     /* lines handed out so far */
uint64_t md_input_raw_pos(const md_input *in);    /* compressed bytes consumed (progress) */
uint64_t md_input_raw_size(const md_input *in);   /* file size, 0 if unknown (pipe) */
uint64_t md_input_pos(const md_input *in);        /* decompressed bytes handed out */
int64_t md_input_mtime(const md_input *in);       /* file mtime (unix seconds), 0 if unknown */
uint64_t md_input_dev(const md_input *in);
uint64_t md_input_ino(const md_input *in);

/* md_input_real_path: the absolute path of path with symbolic links, "."
 * and ".." resolved (realpath(3)) into dst (size n): 0, or -1 when it
 * cannot be resolved (errno says why) or does not fit. */
int md_input_real_path(const char *path, char *dst, size_t n);

#endif
