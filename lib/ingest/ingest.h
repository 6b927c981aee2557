/* ingest.h: taking outside inputs into the store.
 *
 * md_ingest_path walks files, directories (recursively; Maildir folders are
 * recognised) and "-" (standard input), opens each with md_input (so
 * compression is undone), detects what it is from its content (and name
 * where content cannot tell, e.g. ".forward"), and hands it to the reader
 * of that kind.  Readers live in their own modules and have the signature
 * md_ingest_fn; they store what they find, count it in md_ingest.stats and
 * report bad input through md_ingest_warn (which names file and line).
 *
 * Bad input never stops the walk: a file that cannot be read is counted and
 * reported, and the next one is taken.  The library prints nothing: warnings
 * and progress go to the callbacks the caller sets.
 */
#ifndef MD_INGEST_H
#define MD_INGEST_H

#include <stdint.h>
#include "base/config.h"
#include "base/err.h"
#include "base/input.h"
#include "base/md_limits.h"
#include "parse/logline.h"   /* md_logfmt */
#include "store/store.h"

typedef enum md_kind {
    MD_KIND_UNKNOWN = 0,
    MD_KIND_LOG,          /* syslog / Exim mainlog text */
    MD_KIND_MESSAGE,      /* one RFC 5322 message (.eml, Maildir file) */
    MD_KIND_MBOX,         /* mbox: "From " separated messages */
    MD_KIND_ALIASES,      /* aliases(5) */
    MD_KIND_FORWARD,      /* .forward */
    MD_KIND_SIEVE,        /* Sieve script */
    MD_KIND_RULES_CSV,    /* address,target,keeps_copy[,source] */
    MD_KIND_DMARC,        /* DMARC aggregate report XML */
    MD_KIND_ZIP,          /* zip archive (DMARC reports) */
    MD_KIND_SNDS,         /* SNDS data export CSV */
    MD_KIND_SNDS_STATUS,  /* SNDS IP status export CSV */
    MD_KIND_TLSRPT,       /* RFC 8460 TLS report JSON */
    MD_KIND_COUNT
} md_kind;

typedef struct md_ingest_stats {
    uint64_t files;           /* inputs opened */
    uint64_t files_unchanged; /* inputs already stored completely */
    uint64_t files_failed;    /* inputs that could not be read (or not entirely) */
    uint64_t bytes;           /* decompressed bytes read */
    uint64_t lines;           /* lines read (log files) */
    uint64_t lines_new;       /* lines stored that were not stored before */
    uint64_t skipped;         /* lines/records reported as bad input */
    uint64_t messages;        /* log: correlated messages (queue ids) */
    uint64_t deliveries;      /* log: delivery attempts */
    uint64_t by_format[MD_LOGFMT_COUNT];
    uint64_t by_kind[MD_KIND_COUNT]; /* inputs per kind */
    uint64_t docs;            /* messages, reports, rule files stored */
} md_ingest_stats;

typedef struct md_ingest md_ingest;
typedef struct md_ingest_readers md_ingest_readers;

typedef void (*md_ingest_warn_fn)(void *arg, const char *file, uint64_t line, const char *msg);
typedef void (*md_ingest_progress_fn)(void *arg, const md_ingest *ig, const char *file,
                                      uint64_t raw_done, uint64_t raw_total);
typedef int (*md_ingest_fn)(md_ingest *ig, md_input *in, const char *path, md_err *err);

struct md_ingest {
    md_store *store;              /* not owned */
    const md_config *cfg;         /* not owned */
    int year;                     /* --year for BSD timestamps; 0 = from file mtime */
    md_kind force_kind;           /* --format; MD_KIND_UNKNOWN = detect */
    const char *log_format;       /* --log-format sendmail|postfix|exim; NULL = detect */
    const char *host;             /* --host: host of lines that name none (Exim's
                                     mainlog); NULL = "-" */
    md_ingest_stats stats;        /* what was read (and stored, when nothing failed) */
    md_ingest_stats stored;       /* stats as of the last commit: what the store holds
                                     for good when md_ingest_path failed (kill, disk
                                     full); equal to stats after a success */
    md_ingest_warn_fn warn;       /* may be NULL */
    md_ingest_progress_fn progress; /* may be NULL; called about 4 times a second at most */
    void *cb_arg;
    int64_t last_progress_ms;
    uint64_t warnings_shown;      /* md_ingest_warn calls so far */
    md_kind kind;                 /* kind of the input being read (set before its reader
                                     runs: readers of several kinds look here) */
    const md_ingest_readers *readers; /* the reader of each kind (lib/ingest/readers.h); NULL:
                                     none, every input is reported unread */
    md_ingest_fn reader;          /* NULL: the reader of each kind; else called for every
                                     input instead (tests, dry runs) */
    const char *rules_home;       /* --rules-home: DIR/USER/.forward belongs to
                                     USER@first domain (rulefile.h); NULL = none */
    void *msg_batch;              /* lib/ingest/msgfile.c: messages kept in one transaction
                                     across inputs (md_msgfile_batch_begin); NULL = off */
    int parse_threads;            /* threads parsing message files (1-4); 0 = one per
                                     processor but one (lib/ingest/msgfile.c) */
    uint64_t commit_every;        /* log lines or messages per transaction at most;
                                     0 = the readers' own (tests and tuning: smaller
                                     slices; slices end after MD_LIMIT_SLICE_MS anyway) */
    int64_t year_src[MD_LIMIT_YEAR_SRCS]; /* lib/ingest/yearcheck.c: log sources read in */
    int64_t year_mtime[MD_LIMIT_YEAR_SRCS]; /* this walk, their files' times, */
    size_t nyear;                 /* their number, */
    int64_t msg_top;              /* and the last stored message before it */
    struct md_fileset *seen;      /* lib/ingest/ingest.c: the directories and files the current
                                     md_ingest_path reached; NULL outside it */
};

/* The readers the walk hands inputs to, by kind, and the batch that the
 * inputs of one reader share (messages: lib/ingest/msgfile.c): begun before the
 * first input of a walk, flushed before an input of another reader (which
 * opens its own transactions) and finished at its end.  Any hook may be
 * NULL.  The table is the readers' (lib/ingest/readers.c): the walk includes no
 * reader, the readers include the walk. */
struct md_ingest_readers {
    md_ingest_fn read[MD_KIND_COUNT];
    md_ingest_fn batched;                       /* the reader that batches */
    int (*batch_begin)(md_ingest *ig, md_err *err);
    int (*batch_flush)(md_ingest *ig, md_err *err);
    int (*batch_finish)(md_ingest *ig, md_err *err);
    int (*walk_end)(md_ingest *ig, md_err *err); /* after the outermost walk (and its
                                                    batch): the year check */
};

/* md_ingest_init: zero stats, set store and config (no readers: see
 * md_readers_init in lib/ingest/readers.h). */
void md_ingest_init(md_ingest *ig, md_store *store, const md_config *cfg);

/* md_ingest_path: ingest a file, a directory (recursively) or "-".
 * Symbolic links are followed, but each directory and file is read once: a
 * directory or file reached again (a link loop such as dir/a -> .., or a
 * second name) is reported through warn without counting as skipped input.
 * Devices, sockets and named pipes inside a directory are not read, and
 * neither is standard input when it is a device other than a terminal;
 * they, like empty inputs, are reported as skipped.
 * Returns 0 when every input was read; MD_ERR_PARSE when some input was
 * skipped (reported through warn); another negative code when the store
 * failed or memory ran out (err says why; what was committed before stays). */
int md_ingest_path(md_ingest *ig, const char *path, md_err *err);

/* md_ingest_detect: the kind of an input from its first bytes and name. */
md_kind md_ingest_detect(const char *buf, size_t n, const char *path);
const char *md_ingest_kind_name(md_kind k);
/* md_ingest_kind_parse: "log", "message", ... ; MD_KIND_UNKNOWN if none. */
md_kind md_ingest_kind_parse(const char *name);

/* md_ingest_warn: report bad input at file:line (line 0: the whole file),
 * printf-style.  Counts it in stats.skipped. */
void md_ingest_warn(md_ingest *ig, const char *file, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* md_ingest_note: tell something about file through warn that is no bad
 * input (not counted in stats.skipped), printf-style. */
void md_ingest_note(md_ingest *ig, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* md_ingest_tick: readers call this now and then (and md_ingest_path after
 * each message file: ig->kind is then MD_KIND_MESSAGE, and the stats count
 * files and documents); it calls the progress callback at most every
 * 250 ms. */
void md_ingest_tick(md_ingest *ig, md_input *in);

/* md_ingest_fingerprint: a content fingerprint of the input (hex of a hash
 * of its first line, at most 4 KiB; the kind is mixed in) into out (>= 33
 * bytes).  Does not consume input.  MD_ERR_NOTFOUND when the input has no
 * complete first line yet. */
int md_ingest_fingerprint(md_input *in, md_kind kind, char *out, size_t outsize, md_err *err);

#endif
