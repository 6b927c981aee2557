/* hdrfield.h: the one reader of RFC 5322 "Name: value" header fields.
 *
 * NAME
 *   md_hdrfield_init, md_hdrfield_next, md_hdrfield_is, md_hdrfield_unfold,
 *   md_hdrfield_copy
 *
 * DESCRIPTION
 *   md_hdrfield_next hands out the fields of the bytes p[0..n) one by one,
 *   in order: a message's header block, or the fields of a report part
 *   (message/delivery-status, message/feedback-report).  Lines end with LF
 *   or CRLF (the CR is not part of the line); the last line may lack its
 *   line end.  NUL bytes are bytes like any other.
 *
 *   A field is a line "Name: value" whose name is one or more printable
 *   ASCII characters (no blank, no ':'), optionally followed by blanks
 *   before the colon (RFC 5322's obsolete syntax, section 4.5.3), together
 *   with the lines after it that start with a blank (SP or TAB: folded
 *   lines).  Every other line is passed over and noted on the iterator:
 *     - an empty line sets `blank` (the next field starts a new block);
 *     - a line that starts with a blank but follows no field sets
 *       MD_HDRFIELD_ORPHAN (and `blank` too when it holds blanks only);
 *     - a line without a colon, or with something before the colon that
 *       is not a name, sets MD_HDRFIELD_BAD_LINE; with MD_HDRFIELD_MBOX,
 *       not for a first line "From ..." (an mbox envelope line).
 *   A value longer than the iterator's limit is cut to it and the field is
 *   flagged MD_HDRFIELD_CUT (so is the iterator).
 *
 *   md_hdrfield_unfold writes a value unfolded (RFC 5322 section 2.2.3:
 *   each line break before a blank removed) and without white space at
 *   its ends; md_hdrfield_copy does the same into a fixed-size field, as
 *   valid UTF-8.
 *
 * OWNERSHIP
 *   The iterator and the fields point into the caller's bytes, which must
 *   outlive them; nothing is allocated but by md_hdrfield_copy, into the
 *   caller's scratch buffer (md_buf_free it).
 *
 * DIAGNOSTICS
 *   Never fails and never prints: what is not a field is noted (`flags`,
 *   `blank`), a cut is flagged.  md_hdrfield_copy returns MD_ERR_NOMEM when
 *   its scratch buffer cannot grow (dst is then "").
 */
#ifndef MD_HDRFIELD_H
#define MD_HDRFIELD_H

#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"

/* conditions, on a field (CUT) and on the iterator (all, sticky) */
#define MD_HDRFIELD_CUT      0x1  /* a value was longer than the limit: cut */
#define MD_HDRFIELD_ORPHAN   0x2  /* a folded line that follows no field */
#define MD_HDRFIELD_BAD_LINE 0x4  /* a line that is no field (no colon, no name) */

/* options of md_hdrfield_init */
#define MD_HDRFIELD_MBOX     0x1  /* a first line "From ..." is an envelope, not bad */

/* options of md_hdrfield_unfold and md_hdrfield_copy */
#define MD_HDRFIELD_TABS     0x1  /* every tab becomes a blank */
#define MD_HDRFIELD_SQUEEZE  0x2  /* a line break and the blanks around it become one blank */

typedef struct md_hdrfield {
    const char *name;     /* into the caller's bytes, name_len bytes, no blanks */
    size_t name_len;
    const char *value;    /* into the caller's bytes: what follows the colon up to
                             the end of the field's last line (its line break
                             excluded), folding kept, not trimmed */
    size_t value_len;     /* at most the iterator's limit */
    uint32_t line;        /* 1-based line of the field's first line */
    int flags;            /* MD_HDRFIELD_CUT */
} md_hdrfield;

typedef struct md_hdrfield_it {
    const char *p, *end;  /* what is left to read */
    size_t max;           /* value bytes kept */
    uint32_t line;        /* lines read so far */
    int opts;
    int flags;            /* MD_HDRFIELD_* conditions seen so far (sticky) */
    int blank;            /* an empty line came before the field returned last */
} md_hdrfield_it;

/* md_hdrfield_init: iterate over p[0..n) (not copied); values longer than
 * max bytes are cut (0: no limit); opts MD_HDRFIELD_MBOX or 0. */
void md_hdrfield_init(md_hdrfield_it *it, const char *p, size_t n, size_t max, int opts);

/* md_hdrfield_next: the next field into *f: 1, or 0 at the end. */
int md_hdrfield_next(md_hdrfield_it *it, md_hdrfield *f);

/* md_hdrfield_is: whether f is called name (ASCII case ignored). */
int md_hdrfield_is(const md_hdrfield *f, const char *name);

/* md_hdrfield_unfold: v[0..n) unfolded into dst (size > 0, NUL-terminated):
 * white space (isspace) at both ends dropped, every line break (LF, CRLF)
 * inside removed; opts MD_HDRFIELD_TABS, MD_HDRFIELD_SQUEEZE.  Returns the
 * length written; *cut (may be NULL) is set to 1 when dst was too small
 * (what fits is kept), else 0.  A dst of n + 1 bytes is always enough. */
size_t md_hdrfield_unfold(char *dst, size_t size, const char *v, size_t n, int opts, int *cut);

/* md_hdrfield_copy: f's value unfolded (opts as md_hdrfield_unfold) into
 * dst (size > 0) as md_text_copy_trim copies: cut to fit and back to valid
 * UTF-8.  scratch holds the unfolded text meanwhile (the caller's, reused
 * from call to call).  1 when the value was cut (by the iterator's limit or
 * to fit dst), 0 when it is whole, MD_ERR_NOMEM (dst ""). */
int md_hdrfield_copy(const md_hdrfield *f, char *dst, size_t size, int opts, md_buf *scratch);

#endif
