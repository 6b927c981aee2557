/* dmarc.h: DMARC aggregate reports (RFC 7489 appendix C, and the newer
 * "urn:ietf:params:xml:ns:dmarc-2.0" form) parsed with libxml2.
 *
 * Elements are matched by local name, whatever their namespace.  Parsing is
 * defensive: no network (XML_PARSE_NONET), no DTD loading, no entity
 * substitution, and a document that carries a DOCTYPE at all is refused (a
 * report never has one; this closes entity expansion and external
 * entities).  Size (MD_LIMIT_XML_BYTES) and nesting (MD_LIMIT_XML_DEPTH) are
 * bounded.  libxml2's errors are collected through a structured error
 * handler (nothing is printed) and returned as "NAME:LINE: message".
 * Invalid UTF-8 in a document declared (or defaulting to) UTF-8 is replaced
 * by U+FFFD and reported, as a lenient reader should.
 *
 * Every string of a report is copied into fixed fields (cut at their size),
 * trimmed of surrounding blanks; results (dkim, spf, disposition) are lower
 * case.  A record whose source_ip or count is unusable is skipped and
 * reported through the warn callback; the rest of the report is kept.
 *
 * Ownership: md_dmarc_parse allocates the report; the caller frees it with
 * md_dmarc_free (NULL is fine).  Nothing here prints or touches the store.
 */
#ifndef MD_DMARC_H
#define MD_DMARC_H

#include <stddef.h>
#include <string.h>
#include <stdint.h>
#include "base/err.h"
#include "base/ipaddr.h"
#include "base/md_limits.h"


typedef struct md_dmarc_auth {
    char method[8];          /* "dkim" or "spf" */
    char domain[256];
    char selector[128];      /* dkim only */
    char scope[16];          /* spf only: "mfrom", "helo" */
    char result[32];         /* lower case: pass, fail, none, softfail, ... */
} md_dmarc_auth;

typedef struct md_dmarc_record {
    char source_ip[MD_IP_STRLEN]; /* canonical (md_ip_format) */
    uint64_t count;
    char disposition[16];    /* none, quarantine, reject (lower case) */
    char dkim[16];           /* policy_evaluated dkim: pass / fail */
    char spf[16];            /* policy_evaluated spf: pass / fail */
    char reason[128];        /* "type: comment; ..." of policy_evaluated/reason */
    char header_from[256];
    char envelope_from[256];
    char envelope_to[256];
    size_t auth_first;       /* its auth_results: report->auths[auth_first ..] */
    size_t nauth;            /* ... nauth of them (at most MD_DMARC_AUTH_MAX) */
    uint64_t line;           /* line of the <record> element */
} md_dmarc_record;

typedef struct md_dmarc_report {
    /* report_metadata */
    char org_name[256];      /* as written; "" when empty */
    char email[256];
    char extra_contact[256];
    char report_id[256];
    char generator[256];     /* dmarc-2.0: the software that wrote it; "" when absent */
    int64_t begin, end;      /* date_range, unix seconds */
    /* version and namespace */
    char version[16];        /* <version>, "" when absent */
    int ns_v2;               /* 1: urn:ietf:params:xml:ns:dmarc-2.0 */
    /* policy_published */
    char domain[256];
    char adkim[8], aspf[8];  /* "r" / "s" or "" */
    char p[16], sp[16], np[16];
    int pct;                 /* -1 when absent (dmarc-2.0 has none) */
    char testing[8];         /* dmarc-2.0: "y" / "n" */
    char discovery_method[16]; /* dmarc-2.0: "psl" / "treewalk" (lower case), "" absent */
    /* rows */
    md_dmarc_record *records;
    size_t nrecords;
    md_dmarc_auth *auths;    /* every record's auth_results, in order */
    size_t nauths;
    uint64_t messages;       /* sum of the records' counts */
    size_t skipped;          /* records refused (reported through warn) */
    int utf8_repaired;       /* invalid UTF-8 was replaced */
} md_dmarc_report;

/* Called for each problem that does not stop the parse (a skipped record,
 * repaired UTF-8): name as given to md_dmarc_parse, line (0 = whole
 * document), a printable message. */
typedef void (*md_dmarc_warn_fn)(void *arg, const char *name, uint64_t line, const char *msg);

/* md_dmarc_parse: parse data[0..n) (plain XML: undo gzip/zip before) named
 * `name` (for messages).  On success returns 0 and *out (free with
 * md_dmarc_free).  On failure *out is NULL, *errline (may be NULL) gets the
 * line of the error (0 if none) and the code is MD_ERR_PARSE (not XML, not a
 * DMARC aggregate report, DOCTYPE refused, no report_id), MD_ERR_LIMIT
 * (larger than MD_LIMIT_XML_BYTES, deeper than MD_LIMIT_XML_DEPTH) or
 * MD_ERR_NOMEM, with "name:line: what" in err.  warn may be NULL. */
int md_dmarc_parse(md_dmarc_report **out, const char *name, const char *data, size_t n,
                   md_dmarc_warn_fn warn, void *warn_arg, uint64_t *errline, md_err *err);

void md_dmarc_free(md_dmarc_report *r);

/* md_dmarc_sniff: 1 if data[0..n) looks like a DMARC aggregate report (an
 * XML document whose root element is <feedback>, possibly with a
 * namespace prefix), judged from its first 4 KiB; else 0. */
int md_dmarc_sniff(const char *data, size_t n);

/* md_dmarc_record_pass: 1 when the record passed DMARC (policy_evaluated
 * dkim or spf is "pass"), else 0. */
static inline int md_dmarc_record_pass(const md_dmarc_record *rec)
{
    /* inline: the store uses it without linking the XML reader */
    return strcmp(rec->dkim, "pass") == 0 || strcmp(rec->spf, "pass") == 0;
}

/* md_dmarc_name_parse: split a report file name as reporters write it,
 * "reporter!domain!begin!end[!id].xml[.gz|.zip]" (Outlook.com:
 * "protection.outlook.com!uni-potsdam.de!1461369600!1461456000!id.xml.gz").
 * Any output may be NULL.  Returns 0, or MD_ERR_PARSE when the name has
 * not that form. */
int md_dmarc_name_parse(const char *name, char *reporter, size_t rsize, char *domain,
                        size_t dsize, int64_t *begin, int64_t *end);

#endif
