/* snds.h: Microsoft SNDS exports (Smart Network Data Services), line by line.
 *
 * Two CSV files come out of SNDS:
 *  - the data export: one row per IP and activity period (about a day):
 *      IP, activity start, activity end, RCPT commands, DATA commands,
 *      message recipients, filter result (GREEN/YELLOW/RED), complaint rate
 *      ("< 0.1%", "1.2%"), trap message period start, trap period end, trap
 *      hits, sample HELO, JMR P1 sender, comments.
 *    The classic export has no header row (then this 14-column order is
 *    used); the newer portal writes one, and when a header row is present
 *    columns are taken by their names (in any order; unknown ones ignored).
 *  - the IP status export: first IP, last IP, blocked ("Yes"/"No"), reason
 *    (header row optional too).
 * Times are written by SNDS like "4/23/2016 3:00 PM" (also accepted:
 * "4/23/2016 15:00", "2016-04-23 15:00[:00]", "2016-04-23T15:00:00Z"); they
 * are taken as UTC.  Numbers may carry thousands separators.
 *
 * Fields are CSV: separated by commas, optionally double-quoted ("" inside
 * quotes is a quote); at most MD_LIMIT_CSV_FIELDS per line.  Every string is
 * copied into fixed fields (cut at their size).  Nothing here allocates,
 * prints or touches the store.
 */
#ifndef MD_SNDS_H
#define MD_SNDS_H

#include <stddef.h>
#include <stdint.h>
#include "base/err.h"
#include "base/ipaddr.h"

enum { MD_SNDS_NONE = 0, MD_SNDS_DATA = 1, MD_SNDS_STATUS = 2 };

/* Columns of the data export, in the classic order. */
enum {
    MD_SNDS_COL_IP = 0, MD_SNDS_COL_START, MD_SNDS_COL_END, MD_SNDS_COL_RCPT,
    MD_SNDS_COL_DATA, MD_SNDS_COL_RECIPIENTS, MD_SNDS_COL_FILTER, MD_SNDS_COL_COMPLAINT,
    MD_SNDS_COL_TRAP_START, MD_SNDS_COL_TRAP_END, MD_SNDS_COL_TRAP_HITS, MD_SNDS_COL_HELO,
    MD_SNDS_COL_JMR, MD_SNDS_COL_COMMENTS, MD_SNDS_NCOLS
};

typedef struct md_snds_row {
    char ip[MD_IP_STRLEN];      /* canonical */
    int64_t act_start, act_end; /* unix seconds; act_end 0 when absent */
    int64_t rcpt, data, recipients; /* -1 when empty */
    char filter[8];             /* "GREEN", "YELLOW", "RED" or "" */
    char complaint[32];         /* as written, e.g. "< 0.1%" */
    double complaint_pct;       /* 0.1 for "< 0.1%" and "0.1%"; -1 when empty */
    int complaint_lt;           /* 1 when written as "< x%" */
    int64_t trap_start, trap_end; /* 0 when empty */
    int64_t trap_hits;          /* 0 when empty */
    char helo[256];
    char jmr_sender[256];       /* JMR P1 sender (sample MAIL FROM) */
    char comments[512];
} md_snds_row;

typedef struct md_snds_status {
    char first[MD_IP_STRLEN], last[MD_IP_STRLEN]; /* canonical; first <= last */
    int blocked;                /* 1 "Yes", 0 otherwise */
    char reason[512];
} md_snds_status;

/* The parser's state across the lines of one file (a header row maps
 * columns).  Zero it with md_snds_init. */
typedef struct md_snds_parser {
    int kind;                    /* MD_SNDS_DATA or MD_SNDS_STATUS */
    int have_header;
    int map[MD_LIMIT_CSV_FIELDS]; /* column i of the file -> our column, -1 ignored */
    int ncols;
    uint64_t rows;               /* rows returned so far */
} md_snds_parser;

void md_snds_init(md_snds_parser *p, int kind);

/* md_snds_data_line: one line of a data export.  Returns 1 with *out
 * filled, 0 when the line was consumed without a row (blank line, header
 * row), or MD_ERR_PARSE with the reason in err (no file name: the caller
 * adds file and line). */
int md_snds_data_line(md_snds_parser *p, const char *line, size_t n, md_snds_row *out,
                      md_err *err);

/* md_snds_status_line: one line of an IP status export; as above. */
int md_snds_status_line(md_snds_parser *p, const char *line, size_t n, md_snds_status *out,
                        md_err *err);

/* md_snds_sniff: MD_SNDS_DATA, MD_SNDS_STATUS or MD_SNDS_NONE for the first
 * bytes of a file (its first non-blank line decides). */
int md_snds_sniff(const char *p, size_t n);

/* md_snds_parse_time: an SNDS time (see above) to unix seconds (UTC).
 * 0 on success, MD_ERR_PARSE otherwise. */
int md_snds_parse_time(const char *s, size_t n, int64_t *out);

/* md_snds_parse_rate: a complaint rate ("< 0.1%", "1.2%", "0%", "0.5") into
 * percent and the "<" flag.  0, or MD_ERR_PARSE. */
int md_snds_parse_rate(const char *s, size_t n, double *pct, int *lt);

#endif
