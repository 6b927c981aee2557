/* message.h: one RFC 5322 / MIME message, parsed with bounds.
 *
 * md_message_parse takes the raw bytes of one message (CRLF, LF or CR-only
 * line ends) and returns a tree that owns copies of everything: the header
 * fields in order (raw, unfolded, RFC 2047-decoded UTF-8), the summary
 * fields (Message-ID, From, To, Subject, Date), and the MIME parts walked
 * depth first with their decoded bytes, the text of text/plain and text/html
 * parts (HTML turned into text with libxml2's HTML parser), attachments
 * (file name, type, decoded bytes) and message/rfc822 or
 * text/rfc822-headers parts parsed again as inner messages.
 *
 * libetpan does the RFC 5322 work (mailimf_*: fields, addresses, dates) and
 * the MIME work (mailmime_*: Content-Type, Content-Disposition, transfer
 * decoding, RFC 2047), behind the defences of build-notes.md: the header
 * block is capped (MD_LIMIT_HEADER_BYTES) before libetpan sees it, a field
 * with more than MD_LIMIT_COMMENT_DEPTH nested parentheses is never handed
 * to it, headers libetpan would silently drop are detected, values are
 * unfolded here and every text is valid UTF-8 (invalid bytes -> U+FFFD).
 *
 * Limits (lib/base/md_limits.h) are never a failure of the whole message: going
 * over one sets a flag in md_message.flags (MD_MSG_*) and parsing goes on
 * with what fits.  md_message_parse fails only on memory exhaustion or an
 * input that is no message at all (no header field).  It never prints.
 *
 * Ownership: the caller frees the tree with md_message_free (NULL is fine);
 * every pointer inside belongs to the tree and lives until then.  Strings
 * are never NULL (empty "" when absent) unless the comment says so.
 */
#ifndef MD_MESSAGE_H
#define MD_MESSAGE_H

#include <stddef.h>
#include <stdint.h>
#include "base/err.h"

/* Conditions met while parsing (md_message.flags). */
#define MD_MSG_HDR_TRUNC     0x0001 /* header block over MD_LIMIT_HEADER_BYTES: cut */
#define MD_MSG_HDR_LOST      0x0002 /* libetpan stopped early (line without colon ...);
                                       the fields were kept by our own splitter */
#define MD_MSG_HDR_LINE_CUT  0x0004 /* a field over MD_LIMIT_HEADER_LINE: cut */
#define MD_MSG_HDR_TOO_MANY  0x0008 /* more than MD_LIMIT_HEADERS fields: rest ignored */
#define MD_MSG_BAD_UTF8      0x0010 /* invalid UTF-8 / raw 8-bit bytes replaced */
#define MD_MSG_NUL           0x0020 /* NUL bytes in the message */
#define MD_MSG_DEEP_COMMENT  0x0040 /* a field nested ( ) over MD_LIMIT_COMMENT_DEPTH */
#define MD_MSG_MIME_DEPTH    0x0080 /* MIME nesting over MD_LIMIT_MIME_DEPTH: not walked */
#define MD_MSG_MIME_PARTS    0x0100 /* more than MD_LIMIT_MIME_PARTS parts: rest ignored */
#define MD_MSG_MIME_BROKEN   0x0200 /* multipart without its closing boundary / no parts */
#define MD_MSG_TOO_BIG       0x0400 /* over MD_LIMIT_MESSAGE_BYTES: cut */
#define MD_MSG_NO_BODY       0x0800 /* header block without an empty line after it */

/* One header field. */
typedef struct md_msg_header {
    char *name;        /* as written ("Received"); compare with md_text_casecmp */
    char *raw;         /* value as written, folding kept, UTF-8-repaired */
    char *value;       /* unfolded (CRLF+WSP -> WSP), trimmed, UTF-8-repaired */
    char *decoded;     /* value with RFC 2047 words decoded to UTF-8 (value
                          itself when it has none) */
    uint32_t line;     /* 1-based line of the field in the message */
} md_msg_header;

typedef struct md_message md_message;

/* One MIME part (a leaf, a multipart container or an attached message). */
typedef struct md_msg_part {
    int index;             /* 0 = the message itself, then depth-first order */
    int depth;             /* 0 = top level */
    int parent;            /* index of the enclosing multipart, -1 for the top */
    char type[128];        /* "text/plain", lower case ("text/plain" by default) */
    char charset[64];      /* lower case, "" when none */
    char report_type[64];  /* multipart/report: its report-type, lower case */
    char filename[256];    /* Content-Disposition filename= or Content-Type name=,
                              RFC 2047/2231-decoded, "" when none */
    int is_attachment;     /* Content-Disposition attachment, or a file name */
    int is_multipart;
    unsigned char *data;   /* decoded bytes (transfer encoding undone), NUL-
                              terminated for convenience; NULL for multiparts */
    size_t len;
    char *text;            /* text/plain, text/html (as text), message/
                              delivery-status, message/feedback-report and
                              other text types: UTF-8 text; NULL for others */
    md_message *inner;     /* message/rfc822, text/rfc822-headers,
                              message/rfc822-headers: the parsed inner message
                              (NULL when absent or too deep) */
} md_msg_part;

struct md_message {
    md_msg_header *hdr;    /* header fields in order */
    size_t nhdr;
    /* Summary (from the first field of each name; "" when absent). */
    char *message_id;      /* without <>, e.g. "571638CD.70804@uni-potsdam.de" */
    char *from;            /* decoded display form, "Name <a@b>" */
    char *from_addr;       /* normalised address (lower case), "" if none */
    char *to;              /* decoded display form of To */
    char *subject;         /* decoded */
    char *date_text;       /* Date as written */
    int64_t date;          /* Date as unix seconds, 0 when absent/unparsable */
    /* MIME parts, depth first: part[0] is the message itself. */
    md_msg_part *part;
    size_t npart;
    /* Convenience views into the parts (NULL when none; not separately owned). */
    const char *text_plain;  /* text of the first text/plain part (not an attachment) */
    const char *text_html;   /* text (from HTML) of the first text/html part */
    size_t header_bytes;     /* length of the header block as found */
    size_t size;             /* bytes of the message parsed */
    int flags;               /* MD_MSG_* */
};

/* md_message_parse: parse data[0..len) into *out (see the top comment).
 * Returns 0, MD_ERR_PARSE (no header field at all; err says so) or
 * MD_ERR_NOMEM.  *out is NULL on failure. */
int md_message_parse(md_message **out, const char *data, size_t len, md_err *err);

/* md_message_free: release the tree and everything in it; NULL is fine. */
void md_message_free(md_message *m);

/* md_message_header: the decoded value of the first field called name
 * (case-insensitive), or NULL. */
const char *md_message_header(const md_message *m, const char *name);

/* md_message_header_next: iterate over fields called name: start with
 * *pos = 0; returns the next such field or NULL at the end. */
const md_msg_header *md_message_header_next(const md_message *m, const char *name,
                                            size_t *pos);

/* md_message_body_text: the best plain text of the message: text_plain,
 * else text_html, else "" (never NULL). */
const char *md_message_body_text(const md_message *m);

/* md_message_flags_text: append a readable list of the flags set (", "
 * separated, "" when none) into dst (size n).  Returns dst. */
char *md_message_flags_text(int flags, char *dst, size_t n);

/* md_message_addr_list: the normalised addresses (lower case, no <>) of an
 * address header value such as To or Cc, parsed with libetpan, written into
 * dst as a comma-separated list (size n; cut at a whole address).  Returns
 * the number of addresses. */
int md_message_addr_list(const char *value, char *dst, size_t n);

/* md_message_parse_date: an RFC 5322 date (also zone-less, with fractions of
 * seconds, with "(UTC)" comments) into unix seconds.  Returns 0 and sets
 * *out, or MD_ERR_PARSE.  *has_zone (may be NULL) tells whether a zone was
 * given (zone-less dates are taken as UTC). */
int md_message_parse_date(const char *s, size_t n, int64_t *out, int *has_zone);

/* md_message_set_hdr_fast_path: for tests only.  on = 0 runs libetpan's full
 * header parse on every header block to decide MD_MSG_HDR_LOST, as before
 * the shortcut (message.c: plain_block) existed; 1 (the default) lets the
 * shortcut skip it where it cannot drop a field (when md_message_hdr_model
 * allows it).  The flags must be the
 * same either way (tests/test_message.c compares them).  Returns the
 * previous setting.  Not thread-safe: set it while no message is parsed. */
int md_message_set_hdr_fast_path(int on);

/* md_message_hdr_model: 1 when the shortcut may be used at all: built with
 * the headers of libetpan 1.9.4 (1.9, API 25.0: the version its model of
 * libetpan's parser was written for, message.c) and running with a libetpan
 * 1.9.  0 otherwise: every header block then goes to libetpan's full parse,
 * whatever md_message_set_hdr_fast_path says. */
int md_message_hdr_model(void);

#endif
