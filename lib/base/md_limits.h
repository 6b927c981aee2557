/* md_limits.h: every limit maildossier applies to outside input, in one place.
 *
 * Limits exist to survive hostile input (SQLite's sqliteLimit.h is the model).
 * Going over one is never a crash: the reader records the condition on its
 * result (a flag or counter) and the caller reports it, naming file and line.
 * Nothing here may be switched off.
 */
#ifndef MD_LIMITS_H
#define MD_LIMITS_H

/* Log files. */
#define MD_LIMIT_LINE           (64 * 1024)   /* bytes of one log line kept; longer: truncated+flagged */
#define MD_LIMIT_LOG_FIELDS     64            /* key=value fields parsed per line */
#define MD_LIMIT_QID            64            /* bytes of a queue id */
#define MD_LIMIT_ADDR           512           /* bytes of one address */
#define MD_LIMIT_CORRELATE_SECS (7 * 86400)   /* a queue id is one message for at most this span */
#define MD_LIMIT_REINJECT_SECS  600           /* store re-injection of a forwarded copy: within 10 min */

/* Messages (RFC 5322 / MIME). */
#define MD_LIMIT_HEADER_BYTES   102400        /* header block handed to libetpan (Postfix's header_size_limit) */
#define MD_LIMIT_HEADER_LINE    (64 * 1024)   /* one (unfolded) header field */
#define MD_LIMIT_HEADERS        1000          /* header fields per message */
#define MD_LIMIT_RECEIVED       100           /* Received hops parsed per message */
#define MD_LIMIT_MIME_DEPTH     16            /* nesting of multipart / message/rfc822 */
#define MD_LIMIT_MIME_PARTS     256           /* parts per message */
#define MD_LIMIT_MESSAGE_BYTES  (32 * 1024 * 1024) /* a message read into memory */
#define MD_LIMIT_COMMENT_DEPTH  32            /* nested ( ) in a header before it is refused */
#define MD_LIMIT_REPORT_FIELD   512           /* one field of a complaint report part, unfolded;
                                                 longer: cut+flagged (md_arf.cut) */

/* Rules (aliases, .forward, Sieve, CSV). */
#define MD_LIMIT_INCLUDE_DEPTH  8             /* :include: nesting */
#define MD_LIMIT_RULE_TARGETS   1024          /* targets of one alias */
#define MD_LIMIT_RESOLVE_DEPTH  32            /* forwarding chain followed */
#define MD_LIMIT_SIEVE_DEPTH    32            /* nested blocks / tests in Sieve */
#define MD_LIMIT_RULE_FILE      (8 * 1024 * 1024)

/* Reports (DMARC XML, SNDS CSV, zip). */
#define MD_LIMIT_XML_BYTES      (64 * 1024 * 1024)  /* one XML document, decompressed */
#define MD_LIMIT_XML_DEPTH      64
#define MD_LIMIT_ZIP_ENTRIES    64
#define MD_LIMIT_CSV_FIELDS     64
/* TLS reports (RFC 8460 JSON, json-c): the document decompressed, its
 * nesting (a report is 5 levels deep), policies and failure rows kept. */
#define MD_LIMIT_JSON_BYTES     (16 * 1024 * 1024)
#define MD_LIMIT_JSON_DEPTH     16
#define MD_LIMIT_TLSRPT_POLICIES 4096
#define MD_LIMIT_TLSRPT_FAILURES 65536

/* Memory an xz stream may ask for to be decoded (xz -9 needs 65 MiB). */
#define MD_LIMIT_XZ_MEMORY      (256u * 1024 * 1024)

/* Whole files read into memory by parsers that need the whole text. */
#define MD_LIMIT_SLURP          (64 * 1024 * 1024)

/* Directory walking. */
#define MD_LIMIT_DIR_DEPTH      32
#define MD_LIMIT_PATH           4096

/* Parsed documents: entries kept per document (more: flagged or reported). */
#define MD_DSN_MAX_RCPT         32            /* recipients of one delivery report (dsn.h) */
#define MD_AUTHRES_MAX          16            /* results of one Authentication-Results (authres.h) */
#define MD_ARC_MAX_SETS         8             /* ARC sets kept of one message (arc.h) */
#define MD_ARC_MAX_INSTANCE     50            /* highest ARC instance i= (RFC 8617) */
#define MD_MSAS_MAX_FIELDS      48            /* fields of one Microsoft antispam header (msantispam.h) */
#define MD_MSREPLY_MAX_ENTRIES  256           /* IPs of one Microsoft support reply (msreply.h) */
#define MD_DMARC_AUTH_MAX       8             /* auth_results entries kept per DMARC record */
#define MD_DMARC_RECORDS_MAX    100000        /* records kept per DMARC report; more: reported, ignored */
#define MD_SIEVE_MAX_ERRORS     32            /* errors kept per Sieve script (sieve.h) */
#define MD_LIMIT_ARCHIVE_NESTING 3            /* gzip in zip in gzip ... of a report (repfile.c) */
#define MD_LIMIT_INNER_STORED   4             /* attached originals stored per message (msgfile.c) */

/* Stored and held in memory. */
#define MD_STORE_MSG_RAW_MAX    (1024 * 1024) /* raw bytes kept per message (store_msg.h) */
#define MD_CORR_MAX_OPEN        50000         /* open log messages held in memory (correlate.h) */

/* The site configuration (config.h). */
#define MD_CONFIG_MAX_DOMAINS   32
#define MD_CONFIG_MAX_NETWORKS  64
#define MD_CONFIG_MAX_HOSTS     128
#define MD_CIDR_TABLE_MAX       32            /* networks of one constant table (ipaddr.h) */

/* Queries and documents. */
#define MD_TRACE_MAX_MESSAGES   500           /* messages one trace returns (trace.h) */
#define MD_TRACE_MAX_LINES      2000          /* raw lines per message of a trace */
#define MD_TRACE_LINK_RCPTS     32            /* recipients of a message weighed for an inferred link (tracelink.h) */
#define MD_TRACE_LINK_CACHE     1024          /* messages tracelink.c keeps what it read of */
#define MD_ANALYSIS_MAX_ADDRS   32            /* addresses of one ticket (analysis.h) */

/* Sharing the store between commands (store.c). */
#define MD_LIMIT_SLICE_MS       1000          /* a bulk writer commits at least this often */
#define MD_LIMIT_YEAR_SRCS       64         /* log files an ingest walk checks at its end (more:
                                                each checked when read) */
#define MD_LIMIT_YEAR_SLACK_SECS (2 * 86400) /* a log date this far from other evidence (a stored
                                                copy's Date, the file's mtime): ingest warns */
#define MD_LIMIT_WAIT_MS        60000         /* a command waits this long for the store (--wait) */
#define MD_LIMIT_WAIT_TELL_MS   1000          /* ... and says what it waits for after this */
#define MD_LIMIT_YIELD_MS       2000          /* a bulk writer lets waiting writers go first, so long */

/* Output files: fresh temporary names tried beside one (each taken name is
 * a collision or a planted file: exclusive creates never reuse it). */
#define MD_LIMIT_TMPNAME_TRIES  64

/* Sending domains (lib/analysis/domain.c; the consumer domains are
 * md_reply_is_ms_consumer_domain's list: outlook.*, hotmail.*, live.*,
 * msn.com, windowslive.com, passport.com). */
#define MD_MS_BULK_THRESHOLD    5000          /* messages a day to Microsoft's consumer domains
                                                 above which Outlook.com requires SPF, DKIM and
                                                 DMARC (its rule of May 2025; 550 5.7.515) */
#define MD_DOMAIN_515_KEPT      200           /* 5.7.515 bounces listed per domain; the rest counted */
#define MD_LIMIT_DNS_EXPORT     (1024 * 1024) /* bytes of a --dns export read */
#define MD_LIMIT_DNS_RECORDS    16            /* SPF / DMARC records kept from one export */

/* Errors and reports. */
#define MD_LIMIT_ERRMSG         1024
/* evidence coverage (dossier): a host that relays mail logs every few
 * minutes; this many hours of a window without one line of it are missing
 * logs (config [logs] gap_hours overrides it, up to the maximum) */
#define MD_COVER_GAP_HOURS      6
#define MD_COVER_GAP_HOURS_MAX  720
#define MD_COVER_GAPS_SHOWN     6             /* gaps named per host; the rest counted */
#define MD_LIMIT_SHOW_BYTES     80            /* bytes of bad input quoted in an error */
#define MD_LIMIT_SHOW_ARG       256           /* an argument or path quoted in a message, escapes,
                                                 the mark of a cut and the NUL included */

/* a JMRP complaint matches our delivery of its Message-ID to Microsoft
 * when the delivery lies this close to the complaint's Arrival-Date */
#define MD_LIMIT_JMRP_MATCH_SECS (2 * 86400)

#endif
