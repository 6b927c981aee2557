/* yearcheck.c: a log's dates against other evidence (see yearcheck.h).
 * Keeps its list of sources in md_ingest (year_src, year_mtime, nyear,
 * msg_top); reads the store through store_forget.h.  Never prints. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "ingest/yearcheck.h"
#include "store/store_forget.h"

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

/* the evidence against one source: the first pair and how many */
typedef struct {
    int64_t src;
    char msgid[200];
    int64_t t_log, t_copy;
    uint64_t n;
} evidence;

static void take_first(void *arg, const char *msgid, int64_t t_log, int64_t t_copy)
{
    evidence *e = arg;
    snprintf(e->msgid, sizeof e->msgid, "%s", msgid);
    e->t_log = t_log;
    e->t_copy = t_copy;
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
                   "message(s): %s is logged %s, its stored copy is dated %s; if the year is "
                   "wrong, read it again with --year %d", y,
                   year ? "given by --year" : "inferred", (unsigned long long)e->n, e->msgid,
                   a, b, y + md_yearcheck_local_year(e->t_copy) -
                   md_yearcheck_local_year(e->t_log));
    return MD_OK;
}

/* check_one: a source read in this walk: stored copies, then its file's time */
static int check_one(md_ingest *ig, int64_t src, int64_t mtime, md_err *err)
{
    evidence e = {src, "", 0, 0, 0};
    if (md_store_year_disagree(ig->store, src, MD_LIMIT_YEAR_SLACK_SECS, take_first, &e, &e.n,
                               err) != MD_OK)
        return MD_ERR_DB;
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

typedef struct {
    md_ingest *ig;
    evidence e;
    int rc;
    md_err *err;
} since;

static int noted(const md_ingest *ig, int64_t src)
{
    for (size_t i = 0; i < ig->nyear; i++)
        if (ig->year_src[i] == src)
            return 1;
    return 0;
}

static void take_pair(void *arg, int64_t src, const char *msgid, int64_t t_log, int64_t t_copy)
{
    since *s = arg;
    if (s->rc != MD_OK || noted(s->ig, src))
        return;
    if (src != s->e.src) {
        if (s->e.n)
            s->rc = warn_copies(s->ig, &s->e, s->err);
        s->e.src = src;
        s->e.n = 0;
    }
    if (!s->e.n++)
        take_first(&s->e, msgid, t_log, t_copy);
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
        since s = {ig, {-1, "", 0, 0, 0}, MD_OK, err};
        if (md_store_year_copies_since(ig->store, ig->msg_top, MD_LIMIT_YEAR_SLACK_SECS,
                                       take_pair, &s, err) != MD_OK)
            return MD_ERR_DB;
        if (s.rc == MD_OK && s.e.n)
            s.rc = warn_copies(ig, &s.e, err);
        if (s.rc != MD_OK)
            return s.rc;
    }
    ig->nyear = 0;
    ig->msg_top = top;
    return MD_OK;
}
