/* store_rep.h: the reputation area of the store: DMARC aggregate reports
 * and their records, SNDS data rows (per IP and activity day) and SNDS IP
 * status ranges, and the questions asked of them (all SQL in store_rep.c).
 *
 * Writing (used by lib/ingest/repfile.c):
 *  - a DMARC report is stored once per (org_name, report_id): storing it
 *    again changes nothing (*added = 0);
 *  - an SNDS data row is keyed by (IP, activity start): a later export of the
 *    same day replaces the figures;
 *  - an SNDS status row is keyed by (first IP, last IP, blocked, reason):
 *    seeing it again moves its last_seen forward.
 * Each write runs in its own transaction unless the caller has one open
 * (then it joins it), and takes the id of the source (store.h) it came from.
 *
 * Reading (used by the dossier, 'maildossier ip' and the request, lib/
 * analysis.c): per IP over a window, the days with SNDS figures and DMARC
 * results merged (md_store_rep_ip_days), DMARC results per reporter
 * (md_store_rep_ip_dmarc), the SNDS status ranges that hold the IP
 * (md_store_rep_ip_status); across IPs, those with RED/YELLOW days, trap
 * hits, blocks or DMARC failures (md_store_rep_problems); the reports
 * received in a window (md_store_rep_dmarc_reports); totals
 * (md_store_rep_counts).
 *
 * Conventions: times are unix seconds (UTC); a day is "YYYY-MM-DD" (UTC):
 * for SNDS the day of the activity start, for DMARC the day of the middle
 * of the report's date range.  Windows are [since, until] on those times,
 * 0 meaning open.  IPs are canonical text (md_ip_format); an IP that does
 * not parse is MD_ERR_ARG.  DMARC "pass" means policy_evaluated dkim or
 * spf passed (md_dmarc_record_pass); "at Microsoft" means a report whose
 * org_name or email names Outlook.com / Microsoft / Hotmail.  Arrays
 * handed out are malloc'ed plain structs the caller free()s (NULL and 0
 * when there are none).  Every function returns 0 or a negative MD_ERR_*
 * code with the reason in err.  Nothing here prints.
 */
#ifndef MD_STORE_REP_H
#define MD_STORE_REP_H

#include <stddef.h>
#include <stdint.h>
#include "base/config.h"
#include "parse/dmarc.h"
#include "base/err.h"
#include "base/ipaddr.h"
#include "parse/snds.h"
#include "store/store.h"

/* ---- writing ------------------------------------------------------------- */

/* md_store_rep_dmarc_add: store report r (name: the file or attachment name
 * it came in, may be NULL) with all its records and auth results, unless a
 * report with the same org_name and report_id is stored already.
 * *added (may be NULL) is 1 when stored, 0 when it was there.  When
 * source_id > 0 that source is marked complete in the same transaction. */
int md_store_rep_dmarc_add(md_store *st, const md_dmarc_report *r, const char *name,
                           int64_t source_id, int *added, md_err *err);

/* md_store_rep_snds_put: store or replace the SNDS data row for (IP,
 * activity start); line: its line in the source.  *added (may be NULL): 1
 * when new, 0 when it replaced a row. */
int md_store_rep_snds_put(md_store *st, const md_snds_row *row, int64_t source_id,
                          uint64_t line, int *added, md_err *err);

/* md_store_rep_status_put: record an SNDS status row seen at time `seen`
 * (the export's date; first_seen/last_seen widen). */
int md_store_rep_status_put(md_store *st, const md_snds_status *s, int64_t seen,
                            int64_t source_id, uint64_t line, md_err *err);

/* ---- reading ------------------------------------------------------------- */

/* One day of one IP: SNDS figures (has_snds) and DMARC results. */
typedef struct md_rep_day {
    char day[11];               /* "YYYY-MM-DD" */
    int has_snds;
    int64_t act_start, act_end;
    int64_t rcpt, data, recipients; /* -1 unknown */
    char filter[8];             /* GREEN / YELLOW / RED / "" */
    char complaint[32];         /* as SNDS wrote it ("< 0.1%") */
    double complaint_pct;       /* -1 unknown */
    int complaint_lt;
    int64_t trap_hits;
    char helo[256];
    char comments[512];
    int64_t snds_source;        /* source id of the SNDS row (0 none) */
    uint64_t snds_line;
    /* DMARC, every reporter */
    uint64_t dmarc_pass, dmarc_fail;
    /* DMARC at Microsoft (Outlook.com reports) */
    uint64_t ms_pass, ms_fail;
    uint64_t ms_quarantine, ms_reject; /* messages with that disposition */
} md_rep_day;

/* md_store_rep_ip_days: the days of ip in [since, until] with SNDS rows or
 * DMARC records, oldest first. */
int md_store_rep_ip_days(md_store *st, const char *ip, int64_t since, int64_t until,
                         md_rep_day **out, size_t *n, md_err *err);

/* DMARC results for one IP from one reporter over a window. */
typedef struct md_rep_dmarc_sum {
    char org_name[256];         /* the reporter ("" when the report named none) */
    char email[256];
    int microsoft;              /* 1: Outlook.com / Microsoft */
    uint64_t reports;           /* reports that had rows for the IP */
    uint64_t messages, pass, fail; /* DMARC's result (dkim or spf aligned pass) */
    uint64_t dkim_pass, spf_pass;  /* messages whose policy_evaluated dkim / spf passed */
    uint64_t quarantine, reject; /* by disposition */
    int64_t first_begin, last_end; /* span of those reports */
    char header_from[256];      /* one header_from seen (the most frequent) */
} md_rep_dmarc_sum;

/* md_store_rep_ip_dmarc: per reporter, most messages first; reports whose
 * date range overlaps [since, until]. */
int md_store_rep_ip_dmarc(md_store *st, const char *ip, int64_t since, int64_t until,
                          md_rep_dmarc_sum **out, size_t *n, md_err *err);

/* An SNDS status range. */
typedef struct md_rep_status {
    char first[MD_IP_STRLEN], last[MD_IP_STRLEN];
    int blocked;
    char reason[512];
    int64_t first_seen, last_seen;
    int64_t source_id;
    uint64_t line;
} md_rep_status;

/* md_store_rep_ip_status: the status ranges that contain ip (blocked ones
 * first, newest first). */
int md_store_rep_ip_status(md_store *st, const char *ip, md_rep_status **out, size_t *n,
                           md_err *err);

/* An IP with reputation trouble in a window. */
typedef struct md_rep_problem {
    char ip[MD_IP_STRLEN];
    uint64_t red_days, yellow_days, green_days;
    int64_t trap_hits;
    double max_complaint_pct;   /* -1 unknown */
    uint64_t dmarc_pass, dmarc_fail; /* every reporter */
    uint64_t ms_fail;           /* DMARC failures reported by Microsoft */
    int blocked;                /* an SNDS status range holding it says blocked */
    char first_day[11], last_day[11]; /* of the trouble (RED/YELLOW/trap/DMARC fail) */
} md_rep_problem;

/* md_store_rep_problems: IPs with RED or YELLOW days, trap hits, DMARC
 * failures or a block in [since, until], worst first (blocked, RED days,
 * YELLOW days, DMARC failures).  When cfg is not NULL only our IPs
 * (md_config_is_ours) are listed; blocked status ranges are expanded only
 * for the IPs that appear in SNDS or DMARC data. */
int md_store_rep_problems(md_store *st, const md_config *cfg, int64_t since, int64_t until,
                          md_rep_problem **out, size_t *n, md_err *err);

/* A stored DMARC report (without its records). */
typedef struct md_rep_report {
    int64_t id;
    char org_name[256], email[256], report_id[256];
    int64_t begin, end;
    char day[11];
    int microsoft;
    char domain[256], p[16];
    uint64_t records, messages, skipped;
    char name[256];             /* file or attachment name it came in */
    int64_t source_id;
} md_rep_report;

/* md_store_rep_dmarc_reports: reports whose date range overlaps [since,
 * until], oldest first. */
int md_store_rep_dmarc_reports(md_store *st, int64_t since, int64_t until,
                               md_rep_report **out, size_t *n, md_err *err);

typedef struct md_rep_counts {
    uint64_t dmarc_reports, dmarc_records, dmarc_messages;
    uint64_t snds_rows, snds_ips, status_rows, status_blocked;
} md_rep_counts;

/* md_store_rep_counts: totals of the area. */
int md_store_rep_counts(md_store *st, md_rep_counts *out, md_err *err);

/* md_store_rep_is_microsoft: 1 when a reporter's org_name / email is
 * Microsoft's (Outlook.com, Hotmail, Microsoft, protection.outlook.com). */
int md_store_rep_is_microsoft(const char *org_name, const char *email);

#endif
