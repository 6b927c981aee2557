/* logline.h: one mail log line -> a record of spans (zero copy).
 *
 * NAME
 *   md_logctx_init, md_logctx_set_ref, md_logctx_set_tz, md_logline_parse,
 *   md_logline_event_name, md_logline_outcome_name, md_logline_env_name,
 *   md_span_eq, md_span_caseeq
 *
 * DESCRIPTION
 *   md_logline_parse reads the envelope of one log line (no newline) and the
 *   mail fields of sendmail, Postfix and Exim into an md_logrec whose md_span
 *   members point into the line itself: nothing is copied, nothing is
 *   allocated, no regex, no sscanf.  Envelopes:
 *     - BSD syslog      "Apr 23 16:06:27 host prog[pid]: text"
 *     - Solaris syslog  the same with "[ID 801593 mail.info] " before text
 *     - RFC 3339        "2026-11-28T09:18:51.123456+01:00 host prog[pid]: text"
 *                       (rsyslog high precision; also "Z", "+0100", no zone)
 *     - journalctl -o short-iso "2026-11-28T09:18:51+0100 host prog[pid]: text"
 *     - Exim mainlog    "2026-11-28 09:18:51[.123] [pid] [+0100] ID <= ..."
 *                       (pid, zone and fraction optional; host stays empty)
 *   and Exim lines inside syslog ("exim[pid]: ID <= ...", "exim4[..]").
 *
 *   Times are UTC unix seconds.  Stamps that carry no zone (BSD, Exim
 *   without [+hhmm], ISO without offset) are read in the zone set by
 *   md_logctx_set_tz (default: UTC, offset 0); rec->has_zone says whether the
 *   line carried its own.  BSD stamps have no year: with a year given to
 *   md_logctx_init it is the year of the first line, and a step back of six
 *   months or more (December -> January) starts the next year; with year 0
 *   each line is put in the latest year that does not place it more than
 *   one day after the reference time (md_logctx_set_ref: the file's mtime;
 *   default: now), which also handles a file spanning New Year.
 *
 *   Values are as they appear in the line: addresses keep their angle
 *   brackets ("<>" is the null sender), host names their trailing dot.
 *   A sendmail value may contain commas inside <...> and (...).  The
 *   remote reply is kept whole (rec->reply); classify it with reply.h
 *   (md_reply_classify) when needed: the parser does not, to stay fast.
 *
 * OWNERSHIP
 *   md_logrec spans point into the caller's line and are valid as long as
 *   the line is.  Spans are never NUL-terminated; an absent field has
 *   p == NULL and n == 0.  md_logctx is a plain value (nothing to free).
 *
 * DIAGNOSTICS
 *   md_logline_parse returns 1 when the line has a known envelope (syslog or
 *   Exim mainlog), 0 when not (the caller counts, reports and keeps it raw;
 *   rec->ev is MD_EV_NONE then).  Lines longer than MD_LIMIT_LINE are read
 *   up to that length only (rec->flags MD_LF_TRUNC).  Any bytes (NUL,
 *   invalid UTF-8) are safe input.
 */
#ifndef MD_LOGLINE_H
#define MD_LOGLINE_H

#include <stddef.h>
#include <stdint.h>

/* Log formats: what wrote a line (md_ingest counts lines per format). */
typedef enum md_logfmt {
    MD_LOGFMT_SENDMAIL = 0,
    MD_LOGFMT_POSTFIX,
    MD_LOGFMT_EXIM,
    MD_LOGFMT_OTHER,      /* a syslog line of another program */
    MD_LOGFMT_COUNT
} md_logfmt;

typedef struct md_span {
    const char *p;    /* into the line; NULL when absent */
    size_t n;
} md_span;

/* Envelopes (rec->env). */
typedef enum md_logenv {
    MD_ENV_NONE = 0,
    MD_ENV_BSD,       /* "Mon dd hh:mm:ss host prog[pid]:" */
    MD_ENV_SOLARIS,   /* BSD with "[ID n facility.level]" */
    MD_ENV_ISO,       /* RFC 3339 / short-iso syslog */
    MD_ENV_EXIM       /* Exim mainlog (no syslog envelope) */
} md_logenv;

/* Events (rec->ev): what the line says about its message. */
typedef enum md_logev {
    MD_EV_NONE = 0,        /* no envelope recognised */
    MD_EV_OTHER,           /* a line without fields we use (connect, warnings, ...) */
    MD_EV_CLIENT,          /* postfix smtpd "QID: client=host[ip]"; postfix pickup
                              "uid= from=" (flags MD_LF_PICKUP, from set) */
    MD_EV_MSGID,           /* postfix cleanup "message-id=<id>" */
    MD_EV_FROM,            /* envelope sender: sendmail from= (client_* from relay=),
                              postfix qmgr from=, exim "<=" (client_* from H=) */
    MD_EV_TO,              /* a delivery attempt: sendmail to=, postfix to=,
                              exim => -> ** == (rec->exim_op says which) */
    MD_EV_BOUNCE_NOTICE,   /* postfix bounce "sender non-delivery notification: NEW",
                              sendmail "DSN: text" (new_qid: the DSN's queue id when
                              logged as "NEWQID: DSN: ..." it is qid itself) */
    MD_EV_REMOVED,         /* postfix "removed", exim "Completed" */
    MD_EV_REJECT,          /* postfix "NOQUEUE: reject: ...", sendmail "ruleset=...
                              reject=", exim "rejected RCPT" (qid may be absent) */
    MD_EV_MILTER,          /* sendmail "Milter ...", postfix "milter-reject" etc. */
    MD_EV_EXPIRED,         /* postfix qmgr "from=<...>, status=expired, returned to sender" */
    MD_EV_COUNT
} md_logev;

/* Outcome of a delivery attempt (rec->outcome), from status/stat/exim op. */
typedef enum md_logout {
    MD_OUT_NONE = 0,
    MD_OUT_SENT,           /* postfix sent, sendmail Sent, exim => -> */
    MD_OUT_DEFERRED,       /* postfix deferred, sendmail Deferred/queued, exim == */
    MD_OUT_BOUNCED,        /* postfix bounced, sendmail other stat with 5.x.x dsn, exim ** */
    MD_OUT_EXPIRED,        /* postfix expired */
    MD_OUT_REJECTED,       /* NOQUEUE reject / milter-reject / exim rejected */
    MD_OUT_COUNT
} md_logout;

/* rec->flags */
#define MD_LF_TRUNC      0x0001  /* line longer than MD_LIMIT_LINE: read in part */
#define MD_LF_PICKUP     0x0002  /* postfix pickup: locally submitted */
#define MD_LF_FORWARDED  0x0004  /* new_qid from "(forwarded as X)" */
#define MD_LF_QUEUED_AS  0x0008  /* new_qid from "queued as X" in a remote reply */
#define MD_LF_HAS_ZONE   0x0010  /* the stamp carried its own UTC offset */
#define MD_LF_ROLLOVER   0x0020  /* this line started a new year (BSD stamp) */
#define MD_LF_BADTIME    0x0040  /* envelope found but the time is impossible (ts 0) */
#define MD_LF_CTLADDR    0x0080  /* sendmail ctladdr= present (delivery for a local user) */
#define MD_LF_LOCAL      0x0100  /* delivered by a local agent: postfix local/virtual/
                                    pipe, sendmail mailer local, prog, file; exim
                                    appendfile/local_delivery/pipe transports */

typedef struct md_logrec {
    /* envelope */
    int env;               /* md_logenv */
    int64_t ts;            /* UTC unix seconds (0 when MD_LF_BADTIME) */
    int32_t usec;          /* fraction of the second, microseconds */
    int16_t tzoff_min;     /* offset the stamp was read in (minutes east of UTC) */
    md_span stamp;         /* the time stamp text as written */
    md_span host;          /* syslog host (empty for an Exim mainlog) */
    md_span prog;          /* "sendmail", "postfix/smtp", "exim4", ... */
    md_span daemon;        /* postfix: "smtp", "local", "qmgr" ... (after the '/') */
    md_span pid;
    md_span body;          /* the text after the envelope (and Solaris [ID ...]) */
    int mta;               /* md_logfmt */
    int ev;                /* md_logev */
    int outcome;           /* md_logout (MD_EV_TO, MD_EV_REJECT) */
    unsigned flags;        /* MD_LF_* */
    md_span qid;           /* queue id ("NOQUEUE" gives an empty qid) */
    md_span text;          /* body after "QID: " (or the body when no qid) */

    /* sender / message */
    md_span from;          /* sendmail/postfix from=, exim <= sender */
    md_span msgid;         /* sendmail msgid=, postfix message-id=, exim id= */
    md_span size;          /* sendmail size=, postfix size=, exim S= */
    md_span nrcpts;        /* sendmail nrcpts=, postfix nrcpt= */
    md_span proto;         /* sendmail/postfix proto=, exim P= */
    md_span client_host;   /* postfix client=, sendmail from relay=, exim <= H= name */
    md_span client_ip;
    md_span helo;          /* postfix NOQUEUE helo=, exim H=(helo) */
    md_span uid;           /* postfix pickup uid=, exim U= */

    /* recipient / delivery */
    md_span to;            /* sendmail/postfix to= (first address), exim => address */
    md_span to_all;        /* sendmail to= whole ("<a>,<b>" for several recipients) */
    md_span orig_to;       /* postfix orig_to=, sendmail ctladdr address (<..>),
                              exim "=> target <original>" */
    md_span ctladdr;       /* sendmail ctladdr= whole ("<u> (uid/gid)") */
    md_span relay_host;    /* postfix relay=host[ip]:port host ("local", "none"),
                              sendmail to relay=, exim H= on => ** == */
    md_span relay_ip;
    md_span relay_port;
    md_span mailer;        /* sendmail mailer=, exim T= transport */
    md_span router;        /* exim R= */
    md_span delay;         /* sendmail/postfix delay= */
    md_span xdelay;        /* sendmail xdelay= */
    md_span delays;        /* postfix delays=a/b/c/d */
    md_span dsn;           /* sendmail/postfix dsn= */
    md_span status;        /* "sent", "deferred", "Sent", "Deferred", "User unknown",
                              exim "=>", "**", "==" ... */
    md_span reply;         /* the remote reply / reason text, whole: postfix "(...)"
                              contents, sendmail text after "Sent (" / "Deferred: ",
                              exim C="..." contents or the text after ": " */
    md_span new_qid;       /* forwarded as / queued as / bounce notification NEWQID /
                              sendmail "DSN: ..." new qid */
    md_span bounce_of;     /* exim "<= <> R=ID": the message this bounce is about */
    char exim_op[3];       /* "<=", "=>", "->", "**", "==", "" (NUL-terminated) */
} md_logrec;

typedef struct md_logctx {
    int year;              /* year of the current line (BSD); 0 = use ref_time */
    int last_mon;          /* 1..12 of the previous BSD line, 0 = none yet */
    int64_t ref_time;      /* year 0: newest plausible time (file mtime) */
    int64_t ref_year;      /* UTC year of ref_time */
    int force_fmt;         /* md_logfmt to assume for unknown programs; -1 = detect */
    int tzoff_min;         /* offset for stamps without zone (minutes east) */
    int local;             /* 1: stamps without zone are in the local zone (TZ) */
    int64_t lc_key;        /* local: the civil hour whose offset is lc_off */
    int lc_off;
    uint64_t rollovers;    /* year steps taken */
} md_logctx;

/* md_logctx_init: year > 0: the year of the first BSD line (--year); 0:
 * infer per line against the reference time (now until set_ref).
 * force_fmt: an md_logfmt (from --log-format) used for lines whose program
 * does not say, -1 to detect. */
void md_logctx_init(md_logctx *c, int year, int force_fmt);
/* md_logctx_set_ref: the reference time for year inference (file mtime). */
void md_logctx_set_ref(md_logctx *c, int64_t unix_secs);
/* md_logctx_set_tz: the zone of stamps that carry none (minutes east of UTC). */
void md_logctx_set_tz(md_logctx *c, int tzoff_min);
/* md_logctx_set_local: stamps that carry no zone are civil times of the
 * process's local zone (TZ, else /etc/localtime), daylight saving included:
 * the offset is looked up with mktime once per civil hour.  In the hour
 * that repeats when clocks go back, mktime's choice is taken. */
void md_logctx_set_local(md_logctx *c);

/* md_logline_parse: parse line[0..n) (no trailing newline; a trailing '\r'
 * is ignored) into *out (fully overwritten).  Returns 1 when an envelope
 * was recognised, 0 otherwise.  Never fails otherwise, never allocates. */
int md_logline_parse(md_logctx *c, const char *line, size_t n, md_logrec *out);

/* md_logline_fmt_parse: "sendmail", "postfix", "exim" -> md_logfmt; -1 if none. */
int md_logline_fmt_parse(const char *name);

const char *md_logline_event_name(int ev);      /* "to", "from", ... ; "" if out of range */
const char *md_logline_outcome_name(int out);   /* "sent", "deferred", ... ; "" for NONE */
const char *md_logline_env_name(int env);       /* "bsd", "solaris", "iso", "exim" */

/* md_span_eq: span equals the NUL-terminated s exactly. */
static inline int md_span_eq(md_span s, const char *z)
{
    size_t i;
    if (!s.p) return z[0] == '\0';
    for (i = 0; i < s.n; i++)
        if (z[i] != s.p[i] || z[i] == '\0') return 0;
    return z[i] == '\0';
}
/* md_span_caseeq: the same ignoring ASCII case. */
int md_span_caseeq(md_span s, const char *z);

#endif
