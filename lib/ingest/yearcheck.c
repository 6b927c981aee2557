/* yearcheck.c: a log's dates against other evidence (see yearcheck.h).
 * Keeps its list of sources in md_ingest (year_src, year_mtime, nyear,
 * msg_top); reads the store through store_forget.h.  Never prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ingest/yearcheck.h"
#include "store/store_forget.h"
#include "store/store_msg.h"

int md_yearcheck_local_year(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    return localtime_r(&tt, &tm) ? tm.tm_year + 1900 : 0;
}

static void local_stamp(int64_t t, char *dst, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm) || !strftime(dst, n, "%Y-%m-%d %H:%M", &tm))
        snprintf(dst, n, "@%lld", (long long)t);
}

/* the evidence against one source: the first copy that disagrees and how
 * many do */
typedef struct {
    md_ingest *ig;
    int since;             /* from the copies' side: skip the sources noted */
    int64_t src;
    char msgid[200];
    int64_t t_log, t_copy;
    int received;          /* t_copy is a Received date (else the Date) */
    uint64_t n;
    int rc;
    md_err *err;
} evidence;

/* the copy's Received dates: whether one is near t_log, and the latest */
typedef struct {
    int64_t t_log, latest;
    int near;
} hops;

static int hop_date(void *arg, const md_msg_hoprow *h)
{
    hops *x = arg;
    if (!h->date)
        return 0;
    if (llabs(h->date - x->t_log) <= MD_LIMIT_YEAR_SLACK_SECS)
        x->near = 1;
    if (h->date > x->latest)
        x->latest = h->date;
    return 0;
}

static int warn_copies(md_ingest *ig, const evidence *e, md_err *err);
static int noted(const md_ingest *ig, int64_t src);

/* take: a log message and a copy whose Date is far or missing: evidence
 * unless one of its Received dates is near; one warning per source */
static void take(void *arg, int64_t src, int64_t copy, const char *msgid, int64_t t_log,
                 int64_t t_date)
{
    evidence *e = arg;
    if (e->rc != MD_OK || (e->since && noted(e->ig, src)))
        return;
    if (src != e->src) {
        if (e->n)
            e->rc = warn_copies(e->ig, e, e->err);
        e->src = src;
        e->n = 0;
    }
    hops x = {t_log, 0, 0};
    md_err ignore = {0, ""};
    if (md_store_msg_hops(e->ig->store, copy, hop_date, &x, &ignore) != MD_OK || x.near)
        return; /* (no hops readable: the Date alone) */
    int64_t t = x.latest ? x.latest : t_date;
    if (!t || llabs(t - t_log) <= MD_LIMIT_YEAR_SLACK_SECS)
        return;
    if (!e->n++) {
        snprintf(e->msgid, sizeof e->msgid, "%s", msgid);
        e->t_log = t_log;
        e->t_copy = t;
        e->received = x.latest != 0;
    }
}

/* warn_copies: the warning for e (e->n > 0) */
static int warn_copies(md_ingest *ig, const evidence *e, md_err *err)
{
    int64_t tf = 0, tl = 0;
    int year = 0, known = 0;
    char path[MD_LIMIT_PATH], a[32], b[32];
    if (md_store_source_t_range(ig->store, e->src, &tf, &tl, err) != MD_OK ||
        md_store_source_read_get(ig->store, e->src, &year, NULL, 0, &known, err) != MD_OK ||
        md_store_source_path(ig->store, e->src, path, sizeof path, err) != MD_OK)
        return MD_ERR_DB;
    int y = md_yearcheck_local_year(tf ? tf : e->t_log);
    local_stamp(e->t_log, a, sizeof a);
    local_stamp(e->t_copy, b, sizeof b);
    md_ingest_note(ig, path, "warning: its dates (year %d, %s) disagree with %llu stored "
                   "message(s): %s is logged %s, its stored copy %s %s; if the year is "
                   "wrong, read it again with --year %d", y,
                   year ? "given by --year" : "inferred", (unsigned long long)e->n, e->msgid,
                   a, e->received ? "was received" : "is dated", b,
                   y + md_yearcheck_local_year(e->t_copy) - md_yearcheck_local_year(e->t_log));
    return MD_OK;
}

/* check_one: a source read in this walk: stored copies, then its file's time */
static int check_one(md_ingest *ig, int64_t src, int64_t mtime, md_err *err)
{
    evidence e = {ig, 0, src, "", 0, 0, 0, 0, MD_OK, err};
    if (md_store_year_pairs(ig->store, src, MD_LIMIT_YEAR_SLACK_SECS, take, &e, err) != MD_OK)
        return MD_ERR_DB;
    if (e.rc != MD_OK)
        return e.rc;
    if (e.n)
        return warn_copies(ig, &e, err);
    int64_t tf = 0, tl = 0, now = (int64_t)time(NULL);
    int year = 0, known = 0;
    char path[MD_LIMIT_PATH], a[32], b[32];
    if (md_store_source_t_range(ig->store, src, &tf, &tl, err) != MD_OK)
        return MD_ERR_DB;
    int64_t limit = mtime > 0 && mtime < now ? mtime : now;
    if (!tf || tl <= limit + MD_LIMIT_YEAR_SLACK_SECS)
        return MD_OK;
    if (md_store_source_read_get(ig->store, src, &year, NULL, 0, &known, err) != MD_OK ||
        md_store_source_path(ig->store, src, path, sizeof path, err) != MD_OK)
        return MD_ERR_DB;
    local_stamp(tl, a, sizeof a);
    local_stamp(limit, b, sizeof b);
    md_ingest_note(ig, path, "warning: its dates (year %d, %s) run to %s, after %s (%s); if the "
                   "year is wrong, read it again with --year %d", md_yearcheck_local_year(tf),
                   year ? "given by --year" : "inferred", a,
                   limit == now ? "now" : "the file's modification time", b,
                   md_yearcheck_local_year(tf) - 1);
    return MD_OK;
}

int md_yearcheck_note(md_ingest *ig, int64_t source_id, int64_t mtime, md_err *err)
{
    for (size_t i = 0; i < ig->nyear; i++)
        if (ig->year_src[i] == source_id) {
            ig->year_mtime[i] = mtime;
            return MD_OK;
        }
    if (ig->nyear == MD_LIMIT_YEAR_SRCS)
        return check_one(ig, source_id, mtime, err);
    ig->year_src[ig->nyear] = source_id;
    ig->year_mtime[ig->nyear++] = mtime;
    return MD_OK;
}

/* ---- the sources that messages stored in the walk name -------------------- */

static int noted(const md_ingest *ig, int64_t src)
{
    for (size_t i = 0; i < ig->nyear; i++)
        if (ig->year_src[i] == src)
            return 1;
    return 0;
}

int md_yearcheck_run(md_ingest *ig, md_err *err)
{
    if (!ig->store)
        return MD_OK;
    for (size_t i = 0; i < ig->nyear; i++)
        if (check_one(ig, ig->year_src[i], ig->year_mtime[i], err) != MD_OK)
            return MD_ERR_DB;
    int64_t top = md_store_msg_top(ig->store);
    if (top > ig->msg_top) {
        evidence e = {ig, 1, -1, "", 0, 0, 0, 0, MD_OK, err};
        if (md_store_year_copies_since(ig->store, ig->msg_top, MD_LIMIT_YEAR_SLACK_SECS, take,
                                       &e, err) != MD_OK)
            return MD_ERR_DB;
        if (e.rc == MD_OK && e.n)
            e.rc = warn_copies(ig, &e, err);
        if (e.rc != MD_OK)
            return e.rc;
    }
    ig->nyear = 0;
    ig->msg_top = top;
    return MD_OK;
}
