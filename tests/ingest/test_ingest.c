/* test_ingest.c: lib/ingest/ingest.c: detection of every md_kind from the first
 * bytes of realistic inputs (and of the third-party corpus: the corpus
 * group, test_ingest_corpus; aliases files by their syntax, YAML never as
 * aliases), the directory walk
 * (sorted order, Maildir, dotfiles but .forward skipped, unreadable entries
 * counted while the walk goes on; symbolic link loops and files reached
 * twice read once, with a note; devices, sockets, named pipes inside a
 * directory, empty inputs and standard input from a device named and
 * skipped), reader failures, warnings and fingerprints.  Readers are
 * replaced by a recording one (md_ingest.reader), so only the walk is under
 * test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <zlib.h>
#include "ingest/ingest.h"
#include "ingest/readers.h"
#include "testutil.h"

/* ---- detection ---------------------------------------------------------- */

typedef struct {
    md_kind kind;
    const char *name;
    const char *text;
} detect_case;

static const detect_case cases[] = {
    /* logs: every envelope */
    {MD_KIND_LOG, "mail.log",
     "Apr 23 16:06:27 n-mail-2 sendmail[25978]: [ID 801593 mail.info] u3NE6PWI025978: "
     "from=<*snip*@eu-west-1.amazonses.com>, size=20144, class=0, nrcpts=1\n"},
    {MD_KIND_LOG, "maillog",
     "Nov 28 09:18:51 n-mail-1 sm-mta[4242]: 2ASA1bXk004242: to=<jdoe@outlook.de>, "
     "stat=Sent\n"},
    {MD_KIND_LOG, "x", "Dec  1 00:00:02 mx postfix/qmgr[812]: 4QFz3B2Lm1z9vG8: removed\n"},
    {MD_KIND_LOG, "x", "Dec 1 20:36:56 mail sieve[23713]: badlogin: example.com[1.2.3.4]\n"},
    {MD_KIND_LOG, "x",
     "2026-11-28T09:18:51.123456+01:00 mailup postfix/smtp[3313]: 4QFz3C0abcz9vGB: "
     "to=<jane@hotmail.com>, relay=hotmail-com.olc.protection.outlook.com[52.101.68.13]:25\n"},
    {MD_KIND_LOG, "mainlog",
     "2026-11-28 09:18:51 [+0100] 1tGxyz-000abc-12 <= jdoe@uni-potsdam.de H=(ws) "
     "[141.89.68.3] P=esmtpsa S=2345 id=abc@uni-potsdam.de\n"},
    {MD_KIND_LOG, "x", "<22>1 2026-11-28T09:18:51Z mx postfix 3313 - - 4QFz: removed\n"},
    {MD_KIND_LOG, "x", "<22>Nov 28 09:18:51 mx postfix/smtpd[1]: connect from x[1.2.3.4]\n"},
    {MD_KIND_LOG, "current",
     "@400000004c91b044077a9e94 imap-login: Info: Aborted login (auth failed)\n"},
    /* fail2ban's notes before the lines; blank lines; a BOM */
    {MD_KIND_LOG, "postfix",
     "# filterOptions: [{}, {\"mode\": \"normal\"}]\n\n# per https://github.com/x/y/issues/125\n"
     "# failJSON: { \"time\": \"2005-02-21T09:21:54\", \"match\": true }\n"
     "Feb 21 09:21:54 xxx postfix/smtpd[14398]: NOQUEUE: reject: RCPT from "
     "example.com[192.0.43.10]: 450 4.7.1 : Helo command rejected\n"},
    {MD_KIND_LOG, "x", "\xEF\xBB\xBF\n\n  \nNov 28 09:18:51 n-mail-1 sm-mta[1]: x\n"},
    /* a short header before the log lines */
    {MD_KIND_LOG, "x",
     "Header1: abc\nHeader2: def\nNov  3 09:23:38 veridian automount[7998]: lookup failed\n"
     "Nov  3 09:23:38 veridian automount[16442]: attempting to mount entry /auto/opt\n"
     "Nov  3 09:23:38 veridian lookup for opt failed\n"},
    /* messages */
    {MD_KIND_MESSAGE, "bounce.eml",
     "Return-Path: <>\nReceived: from mail.protection.outlook.com\nFrom: "
     "postmaster@outlook.com\nSubject: Undeliverable\n\nbody\n"},
    {MD_KIND_MESSAGE, "1732785531.M1P2.mailup:2,S",
     "Received: from n-mail-2.rz.uni-potsdam.de ([141.89.68.1])\n\tby mailup\n"},
    {MD_KIND_MESSAGE, "x",
     "Envelope-to: jdoe@uni-potsdam.de\nDelivery-date: Sat, 28 Nov 2026 09:18:51 +0100\n"
     "Date: Sat, 28 Nov 2026 09:18:40 +0100\nSubject: hi\n\nbody\n"},
    {MD_KIND_MBOX, "mbox",
     "From MAILER-DAEMON Sat Nov 28 09:18:51 2026\nReturn-Path: <>\nFrom: postmaster\n"},
    /* forwarding rules */
    {MD_KIND_ALIASES, "aliases",
     "#\n# Aliases in this file will NOT be expanded in the header from Mail, but WILL be\n"
     "#\nMAILER-DAEMON: postmaster\npostmaster: root\n"},
    {MD_KIND_ALIASES, "virtual-users",
     "# staff who forward to a private mailbox\njdoe: jdoe@outlook.de\n"
     "jane.doe: \\jane.doe, jane@hotmail.com\n"},
    /* by their syntax alone: Exim's specials (text after :fail: may hold
     * commas), programs, files, includes, continuation lines, quoted and
     * qualified names */
    {MD_KIND_ALIASES, "x",
     "defer:      :defer: forced to defer\nfail:       :fail: moved, write to hostmaster\n"
     "blackhole:  :blackhole: black holed\ninclude:    :include:/etc/mail/staff\n"
     "pipe:       |/bin/date\nfile:       /dev/null\n"},
    {MD_KIND_ALIASES, "x", "bar@domain1.ex:  userx@test.ex\n"},
    {MD_KIND_ALIASES, "x",
     "\"web team\":\twebmaster\nwebmaster:\tp.meyer,\n\t\tt.wolf\nlist:\n  a.b, c+d@[141.89.68.7]\n"
     "helpdesk:\t\"|/opt/otrs/bin/otrs.Console.pl Maint::PostMaster::Read\",\n\t\t\\helpdesk\n"},
    /* a broken aliases file is still one when its name says so (its bad
     * lines are reported by the reader) */
    {MD_KIND_ALIASES, "/etc/aliases",
     "   orphan continuation line\ngood: k.weber\nthis line has no colon\n\"open: x\n"},
    /* YAML is not aliases, however many "key: value" lines it has, also
     * when named so: postfix-grok-patterns' test files, an Ansible vars
     * file, GitHub Actions, flat values no alias has, a YAML name */
    {MD_KIND_UNKNOWN, "smtpd_0033.yaml",
     "pattern: ^%{POSTFIX_SMTPD}$\ndata: \"lost connection after BDAT from example.net\"\n"
     "results:\n    postfix_smtp_stage: BDAT\n"},
    {MD_KIND_UNKNOWN, "aliases",
     "pattern: ^%{POSTFIX_SMTPD}$\ndata: \"lost connection after BDAT from example.net\"\n"
     "results:\n    postfix_smtp_stage: BDAT\n"},
    {MD_KIND_UNKNOWN, "aliases", "---\npostmaster: root\nabuse: jdoe\n"},
    {MD_KIND_UNKNOWN, "x", "postfix_mydomain: uni-potsdam.de\npostfix_mynetworks:\n  - 127.0.0.0/8\n"},
    {MD_KIND_UNKNOWN, "x", "name: CI\non:\n  push:\n    branches: [main]\n"},
    {MD_KIND_UNKNOWN, "x", "motd: |\n  Welcome\nowner: jdoe\n"},
    {MD_KIND_UNKNOWN, "x", "admin: &admin jdoe\nroot: *admin\n"},
    {MD_KIND_UNKNOWN, "x", "postfix_enable_dkim: true\nsmtp_port: 587\nrelay: mx\n"},
    {MD_KIND_UNKNOWN, "x", "Title: Meeting notes\nAttendees: jdoe, k.weber\nPlace: room 0.12\n"},
    {MD_KIND_UNKNOWN, "mail-aliases.yml", "postmaster: root\nabuse: jdoe\n"},
    {MD_KIND_FORWARD, "/home/jdoe/.forward", "jdoe@outlook.de\n"},
    {MD_KIND_FORWARD, "filter", "# Exim filter\nif error_message then finish endif\n"
                                "deliver jdoe@outlook.de\n"},
    {MD_KIND_SIEVE, "jdoe.sieve", "redirect \"jdoe@outlook.de\";\n"},
    {MD_KIND_SIEVE, "x",
     "# forward everything, keep a copy\nrequire [\"copy\"];\nredirect :copy "
     "\"jdoe@outlook.de\";\n"},
    {MD_KIND_SIEVE, "x", "# Sieve filter\nredirect \"jdoe@outlook.de\";\n"},
    {MD_KIND_RULES_CSV, "rules.csv",
     "address,target,keeps_copy,source\njdoe@uni-potsdam.de,jdoe@outlook.de,1,webmail\n"},
    {MD_KIND_RULES_CSV, "communigate-export",
     "# exported from mailup\njdoe@uni-potsdam.de,jdoe@outlook.de,0,mailup\n"},
    /* reports */
    {MD_KIND_DMARC, "report.xml",
     "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<feedback>\n  <report_metadata>\n"
     "    <org_name>Outlook.com</org_name>\n"},
    {MD_KIND_DMARC, "x", "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">\n"},
    {MD_KIND_SNDS, "snds.csv",
     "141.89.68.1,11/27/2026 3:00 PM,11/28/2026 3:00 PM,2010,2003,2012,GREEN,< 0.1%,"
     "11/27/2026 3:00 PM,11/28/2026 3:00 PM,0,n-mail-1.rz.uni-potsdam.de,,\n"},
    {MD_KIND_SNDS, "export.csv",
     "IP Address,Activity period start,Activity period end,RCPT commands,DATA commands,"
     "Message recipients,Filter result,Complaint rate\n"
     "141.89.68.8,11/27/2026 3:00 PM,11/28/2026 3:00 PM,10,10,10,RED,2.1%\n"},
    {MD_KIND_SNDS_STATUS, "ipstatus.csv",
     "141.89.68.1,141.89.68.1,Yes,Blocked due to user complaints or other evidence of "
     "spamming\n"},
    /* nothing we read */
    {MD_KIND_UNKNOWN, "notes.txt",
     "This ticket was ignored and then ordered to be redone; nobody required a redirect.\n"},
    {MD_KIND_UNKNOWN, "x", "<?xml version=\"1.0\"?>\n<html><body>no report</body></html>\n"},
    {MD_KIND_UNKNOWN, "x", "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0"},
    {MD_KIND_UNKNOWN, "x", "# only a comment\n\n"},
    {MD_KIND_UNKNOWN, "x", ""},
};

static void test_detect_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const detect_case *c = &cases[i];
        md_kind k = md_ingest_detect(c->text, strlen(c->text), c->name);
        if (k != c->kind)
            fail_msg("case %zu (%s): detected %s, expected %s", i, c->name,
                     md_ingest_kind_name(k), md_ingest_kind_name(c->kind));
    }
    /* the zip magic (with NULs: not a C string) */
    static const char zip[] = "PK\x03\x04\x14\0\0\0\x08\0";
    assert_int_equal(md_ingest_detect(zip, sizeof zip - 1, "report.zip"), MD_KIND_ZIP);
    /* a cut probe does not read past n */
    const char *t = cases[0].text;
    assert_int_equal(md_ingest_detect(t, 10, "mail.log"), MD_KIND_UNKNOWN);
}

static void test_kind_names(void **state)
{
    (void)state;
    for (int k = 1; k < MD_KIND_COUNT; k++) {
        const char *n = md_ingest_kind_name((md_kind)k);
        assert_string_not_equal(n, "unknown");
        assert_int_equal(md_ingest_kind_parse(n), k);
    }
    assert_int_equal(md_ingest_kind_parse("unknown"), MD_KIND_UNKNOWN);
    assert_int_equal(md_ingest_kind_parse("syslog"), MD_KIND_UNKNOWN);
    assert_string_equal(md_ingest_kind_name(MD_KIND_COUNT), "unknown");
}

typedef struct {
    const char *dir, *suffix; /* the files of dir whose names end so */
    md_kind kind;             /* must be detected as this */
    const char *contains;     /* and contain this (NULL: any name) */
    const char *as;           /* the name detection is told (NULL: the file's) */
} corpus_set;

/* Every non-empty regular file in the set's directory (but SOURCE.txt)
 * whose name passes its filters must be detected as its kind.  Returns the
 * number checked; -1 when the corpus is absent. */
static int detect_dir(const corpus_set *set, int *wrong)
{
    DIR *d = opendir(set->dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *de;
    static char buf[65536];
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strcmp(de->d_name, "SOURCE.txt") == 0)
            continue;
        size_t nl = strlen(de->d_name), sl = strlen(set->suffix);
        if (nl < sl || strcmp(de->d_name + nl - sl, set->suffix) != 0 ||
            (set->contains && !strstr(de->d_name, set->contains)))
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", set->dir, de->d_name);
        struct stat st;
        if (stat(p, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        FILE *fp = fopen(p, "rb");
        if (!fp)
            continue;
        size_t len = fread(buf, 1, sizeof buf, fp);
        fclose(fp);
        if (len == 0)
            continue;
        md_kind k = md_ingest_detect(buf, len, set->as ? set->as : p);
        if (k != set->kind) {
            print_message("  %s: %s, expected %s\n", p, md_ingest_kind_name(k),
                          md_ingest_kind_name(set->kind));
            (*wrong)++;
        }
        n++;
    }
    closedir(d);
    return n;
}

static void test_detect_corpus(void **state)
{
    (void)state;
    static const corpus_set sets[] = {
        {MD_SHARED "/corpus/fail2ban", "postfix", MD_KIND_LOG, NULL, NULL},
        {MD_SHARED "/corpus/fail2ban", "exim", MD_KIND_LOG, NULL, NULL},
        {MD_SHARED "/corpus/fail2ban", "exim-spam", MD_KIND_LOG, NULL, NULL},
        {MD_SHARED "/corpus/fail2ban", "sendmail-auth", MD_KIND_LOG, NULL, NULL},
        {MD_SHARED "/corpus/fail2ban", "sendmail-reject", MD_KIND_LOG, NULL, NULL},
        {MD_SHARED "/corpus/fail2ban", "sieve", MD_KIND_LOG, NULL, NULL},
        {MD_SHARED "/corpus/fail2ban", "dovecot", MD_KIND_LOG, NULL, NULL},
        {MD_SHARED "/corpus/exim-testsuite/test/log", "", MD_KIND_LOG, NULL, NULL},
        {MD_SHARED "/corpus/parse-syslog-mail/t/logs", ".log", MD_KIND_LOG, NULL, NULL},
        {MD_SHARED "/corpus/lnav", ".0", MD_KIND_LOG, NULL, NULL},
        {MD_SHARED "/corpus/pigeonhole/examples", ".sieve", MD_KIND_SIEVE, NULL, NULL},
        {MD_SHARED "/corpus/bsd-aliases/freebsd", "aliases", MD_KIND_ALIASES, NULL, NULL},
        {MD_SHARED "/corpus/bsd-aliases/openbsd", "aliases", MD_KIND_ALIASES, NULL, NULL},
    };
    int total = 0, wrong = 0;
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        int n = detect_dir(&sets[i], &wrong);
        if (n < 0)
            fail_msg("%s: cannot be read", sets[i].dir);
        total += n;
    }
    print_message("corpus: %d files, %d detected wrongly\n", total, wrong);
    assert_true(total > 100);
    /* lnav's French month names are not a syslog we read: one allowed miss */
    assert_true(wrong <= 1);
}

/* aliases files by their syntax (the name hidden): the scenario's; YAML
 * never, also under the name "aliases": the YAML fixtures (an Ansible vars
 * file, a GitLab CI file) */
static void test_detect_aliases_or_yaml(void **state)
{
    (void)state;
    static const corpus_set fixtures[] = {
        {MD_FIXTURES "/rules", "aliases", MD_KIND_ALIASES, NULL, "x"},
        {MD_FIXTURES "/rules/not-rules", ".yml", MD_KIND_UNKNOWN, NULL, NULL},
        {MD_FIXTURES "/rules/not-rules", ".yml", MD_KIND_UNKNOWN, NULL, "x"},
        {MD_FIXTURES "/rules/not-rules", ".yml", MD_KIND_UNKNOWN, NULL, "/etc/aliases"},
    };
    int wrong = 0, n = 0;
    for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
        int k = detect_dir(&fixtures[i], &wrong);
        assert_true(k >= 1);
        n += k;
    }
    assert_int_equal(n, 7);
    assert_int_equal(wrong, 0);
}

/* the same in the corpus: Exim's test suite's and the BSDs' aliases files;
 * postfix-grok-patterns' test files (which became 422 rules) */
static void test_detect_aliases_or_yaml_corpus(void **state)
{
    (void)state;
    static const corpus_set corpus[] = {
        {MD_SHARED "/corpus/exim-testsuite/test/aux-fixed", "", MD_KIND_ALIASES, "alias", "x"},
        {MD_SHARED "/corpus/bsd-aliases/freebsd", "aliases", MD_KIND_ALIASES, NULL, "x"},
        {MD_SHARED "/corpus/bsd-aliases/openbsd", "aliases", MD_KIND_ALIASES, NULL, "x"},
        {MD_SHARED "/corpus/postfix-grok-patterns/test", ".yaml", MD_KIND_UNKNOWN, NULL, NULL},
        {MD_SHARED "/corpus/postfix-grok-patterns/test", ".yaml", MD_KIND_UNKNOWN, NULL, "aliases"},
    };
    int wrong = 0, n = 0;
    for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
        int k = detect_dir(&corpus[i], &wrong);
        if (k < 0)
            fail_msg("%s: cannot be read", corpus[i].dir);
        n += k;
    }
    print_message("corpus: %d files, %d detected wrongly\n", n, wrong);
    assert_int_equal(wrong, 0);
    assert_true(n > 2 * 191 + 30);
}

/* ---- the walk ------------------------------------------------------------ */

typedef struct {
    char seen[64][256];
    md_kind kinds[64];
    int n;
    int fail_on;          /* index of the input whose reader fails, -1 none */
    int fail_code;
    char warned[16][512];
    int nwarn;
} recorder;

static recorder rec;
static char root[512];

static int record(md_ingest *ig, md_input *in, const char *path, md_err *err)
{
    (void)in;
    assert_true(rec.n < 64);
    const char *rel = strncmp(path, root, strlen(root)) == 0 ? path + strlen(root) : path;
    snprintf(rec.seen[rec.n], sizeof rec.seen[0], "%s", rel);
    rec.kinds[rec.n] = ig->kind;
    if (rec.n++ == rec.fail_on)
        return md_err_set(err, rec.fail_code, "%s: after line 7: truncated gzip stream", path);
    return MD_OK;
}

static void on_warn(void *arg, const char *file, uint64_t line, const char *msg)
{
    recorder *r = arg;
    if (r->nwarn < 16)
        snprintf(r->warned[r->nwarn++], sizeof r->warned[0], "%s:%llu: %s", file,
                 (unsigned long long)line, msg);
}

static void put(const char *rel, const char *text)
{
    char p[1024];
    snprintf(p, sizeof p, "%s%s", root, rel);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void mk(const char *rel)
{
    char p[1024];
    snprintf(p, sizeof p, "%s%s", root, rel);
    assert_int_equal(mkdir(p, 0755), 0);
}

static int walk_setup(void **state)
{
    (void)state;
    const char *t = getenv("MD_TMP");
    snprintf(root, sizeof root, "%s/test_ingest_%ld", t && *t ? t : "/tmp", (long)getpid());
    assert_int_equal(mkdir(root, 0755), 0);
    static const char log[] = "Nov 28 09:18:51 n-mail-1 sm-mta[4242]: 2ASA1bXk004242: "
                              "to=<jdoe@outlook.de>, stat=Sent\n";
    put("/b.log", log);
    put("/a.log", log);
    put("/z.log", log);
    put("/.hidden.log", log);
    put("/.forward", "jdoe@outlook.de\n");
    mk("/sub");
    put("/sub/c.log", log);
    mk("/Maildir");
    mk("/Maildir/cur");
    mk("/Maildir/new");
    mk("/Maildir/tmp");
    mk("/Maildir/.Sent");
    /* in a Maildir every file is a message, whatever it starts with */
    put("/Maildir/cur/1732785531.M1P2.mailup:2,S", "Envelope-to: jdoe@uni-potsdam.de\n\nhi\n");
    put("/Maildir/new/1732785599.M3P4.mailup", "Return-Path: <>\n\nbounce\n");
    put("/Maildir/.Sent/x", "Return-Path: <>\n\nhidden folder\n");
    char p[1024], target[1024];
    snprintf(p, sizeof p, "%s/dangling.log", root);
    snprintf(target, sizeof target, "%s/does-not-exist", root);
    assert_int_equal(symlink(target, p), 0);
    snprintf(p, sizeof p, "%s/fifo", root);
    assert_int_equal(mkfifo(p, 0600), 0);
    return 0;
}

static int walk_teardown(void **state)
{
    (void)state;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static md_ingest walk_ingest(void)
{
    md_ingest ig;
    md_readers_init(&ig, NULL, NULL);
    ig.reader = record;
    ig.warn = on_warn;
    ig.cb_arg = &rec;
    memset(&rec, 0, sizeof rec);
    rec.fail_on = -1;
    return ig;
}

static void test_walk(void **state)
{
    (void)state;
    md_ingest ig = walk_ingest();
    md_err e = {0, ""};
    int rc = md_ingest_path(&ig, root, &e);
    /* the dangling link and the named pipe were reported: some input skipped */
    assert_int_equal(rc, MD_ERR_PARSE);
    static const char *const want[] = {
        "/.forward", "/Maildir/cur/1732785531.M1P2.mailup:2,S",
        "/Maildir/new/1732785599.M3P4.mailup", "/a.log", "/b.log", "/sub/c.log", "/z.log"};
    static const md_kind wkind[] = {MD_KIND_FORWARD, MD_KIND_MESSAGE, MD_KIND_MESSAGE,
                                    MD_KIND_LOG, MD_KIND_LOG, MD_KIND_LOG, MD_KIND_LOG};
    size_t nw = sizeof want / sizeof want[0];
    for (int i = 0; i < rec.n; i++)
        print_message("  walked %s (%s)\n", rec.seen[i], md_ingest_kind_name(rec.kinds[i]));
    assert_int_equal(rec.n, nw);
    for (size_t i = 0; i < nw; i++) {
        assert_string_equal(rec.seen[i], want[i]);
        assert_int_equal(rec.kinds[i], wkind[i]);
    }
    assert_int_equal(ig.stats.files, nw);
    assert_int_equal(ig.stats.files_failed, 2);
    assert_int_equal(ig.stats.skipped, 2);
    assert_int_equal(rec.nwarn, 2);
    assert_non_null(strstr(rec.warned[0], "dangling.log:0: cannot stat"));
    assert_non_null(strstr(rec.warned[1], "/fifo:0: not a regular file or directory (named pipe, "
                                          "read only when named itself); skipped"));
    assert_int_equal(ig.stats.by_kind[MD_KIND_LOG], 4);
    assert_int_equal(ig.stats.by_kind[MD_KIND_MESSAGE], 2);
    assert_true(ig.stats.bytes == 0); /* the recorder consumed nothing */
}

/* progress: after each message file of a Maildir (the first at once, the
 * next not within 250 ms), with the kind set and the file counted; never
 * after a log file (its reader ticks) */
static int nprogress;
static char progress_file[1024];
static uint64_t progress_files;
static void on_progress(void *arg, const md_ingest *ig, const char *file, uint64_t done,
                        uint64_t total)
{
    (void)arg;
    (void)done;
    (void)total;
    assert_int_equal(ig->kind, MD_KIND_MESSAGE);
    snprintf(progress_file, sizeof progress_file, "%s", file);
    progress_files = ig->stats.files;
    nprogress++;
}

static void test_walk_progress(void **state)
{
    (void)state;
    md_ingest ig = walk_ingest();
    ig.progress = on_progress;
    nprogress = 0;
    md_err e = {0, ""};
    assert_int_equal(md_ingest_path(&ig, root, &e), MD_ERR_PARSE);
    assert_int_equal(nprogress, 1);
    assert_non_null(strstr(progress_file, "/Maildir/cur/1732785531.M1P2.mailup:2,S"));
    assert_int_equal(progress_files, 2); /* .forward, then the message */
    ig.last_progress_ms = 0; /* a quarter second later */
    nprogress = 0;
    char md[1100];
    snprintf(md, sizeof md, "%s/Maildir", root);
    assert_int_equal(md_ingest_path(&ig, md, &e), MD_OK);
    assert_int_equal(nprogress, 1);
}

static void test_walk_rotation_order(void **state)
{
    (void)state;
    /* logrotate's generations are read oldest first, the current file last,
     * so that a message spanning a rotation is read in logging order */
    char dir[600], p[700];
    snprintf(dir, sizeof dir, "%.500s-rot", root);
    assert_int_equal(mkdir(dir, 0755), 0);
    static const char *const names[] = {"mail.log", "mail.log.1", "mail.log.2.gz",
                                        "mail.log.10.gz", "maillog-20160424.gz",
                                        "maillog-20160417", "maillog", "a.log"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        FILE *fp = fopen(p, "w");
        assert_non_null(fp);
        fputs("Apr 23 16:06:27 n-mail-2 sendmail[1]: x: stat=Sent\n", fp);
        fclose(fp);
    }
    md_ingest ig = walk_ingest();
    md_err e = {0, ""};
    char saved[512];
    snprintf(saved, sizeof saved, "%s", root);
    snprintf(root, sizeof root, "%.500s/", dir);
    int rc = md_ingest_path(&ig, dir, &e);
    snprintf(root, sizeof root, "%s", saved);
    assert_int_equal(rc, MD_OK);
    static const char *const want[] = {"a.log", "mail.log.10.gz", "mail.log.2.gz",
                                       "mail.log.1", "mail.log", "maillog-20160417",
                                       "maillog-20160424.gz", "maillog"};
    assert_int_equal(rec.n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_string_equal(rec.seen[i], want[i]);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

static void test_walk_reader_failures(void **state)
{
    (void)state;
    /* bad input in one file (truncated): reported with the file, the walk goes on */
    md_ingest ig = walk_ingest();
    rec.fail_on = 3;
    rec.fail_code = MD_ERR_TRUNC;
    md_err e = {0, ""};
    assert_int_equal(md_ingest_path(&ig, root, &e), MD_ERR_PARSE);
    assert_int_equal(rec.n, 7);
    assert_int_equal(ig.stats.files_failed, 3); /* the dangling link, the pipe, a.log */
    int found = 0;
    for (int i = 0; i < rec.nwarn; i++)
        if (strstr(rec.warned[i], "/a.log:0: ") && strstr(rec.warned[i], "truncated gzip"))
            found = 1;
    assert_true(found);
    assert_string_equal(e.msg, "");

    /* the store failing stops the walk with its error */
    ig = walk_ingest();
    rec.fail_on = 3;
    rec.fail_code = MD_ERR_DB;
    assert_int_equal(md_ingest_path(&ig, root, &e), MD_ERR_DB);
    assert_int_equal(rec.n, 4);
    assert_non_null(strstr(e.msg, "truncated"));
}

static void test_walk_single_and_forced(void **state)
{
    (void)state;
    md_ingest ig = walk_ingest();
    ig.force_kind = MD_KIND_ALIASES;
    md_err e = {0, ""};
    char p[1024];
    snprintf(p, sizeof p, "%s/sub/c.log", root);
    assert_int_equal(md_ingest_path(&ig, p, &e), MD_OK);
    assert_int_equal(rec.n, 1);
    assert_int_equal(rec.kinds[0], MD_KIND_ALIASES);
    /* a hidden file named explicitly is read */
    ig = walk_ingest();
    snprintf(p, sizeof p, "%s/.hidden.log", root);
    assert_int_equal(md_ingest_path(&ig, p, &e), MD_OK);
    assert_int_equal(rec.n, 1);
    assert_int_equal(rec.kinds[0], MD_KIND_LOG);
    /* a directory named with a trailing slash: no "//" in the paths */
    ig = walk_ingest();
    snprintf(p, sizeof p, "%s/sub/", root);
    assert_int_equal(md_ingest_path(&ig, p, &e), MD_OK);
    assert_int_equal(rec.n, 1);
    assert_string_equal(rec.seen[0], "/sub/c.log");
    /* a file that cannot be opened (not testable as root: root reads it) */
    if (geteuid() != 0) {
        ig = walk_ingest();
        snprintf(p, sizeof p, "%s/locked.log", root);
        put("/locked.log", "Nov 28 09:18:51 n-mail-1 sm-mta[1]: x\n");
        assert_int_equal(chmod(p, 0), 0);
        assert_int_equal(md_ingest_path(&ig, p, &e), MD_ERR_PARSE);
        assert_int_equal(rec.n, 0);
        assert_int_equal(ig.stats.files_failed, 1);
        assert_non_null(strstr(rec.warned[0], "locked.log"));
        unlink(p);
    }
    /* a missing path */
    ig = walk_ingest();
    assert_int_equal(md_ingest_path(&ig, "/nonexistent/mail.log", &e), MD_ERR_PARSE);
    assert_int_equal(ig.stats.files_failed, 1);
    assert_int_equal(rec.nwarn, 1);
}

static void link_at(const char *target, const char *rel)
{
    char p[1024];
    snprintf(p, sizeof p, "%s%s", root, rel);
    assert_int_equal(symlink(target, p), 0);
}

/* a warning that contains both pieces, in this order */
static int warned(const char *a, const char *b)
{
    for (int i = 0; i < rec.nwarn; i++) {
        const char *x = strstr(rec.warned[i], a);
        if (x && strstr(x + strlen(a), b))
            return 1;
    }
    return 0;
}

static void test_walk_link_loops(void **state)
{
    (void)state;
    static const char log[] = "Nov 28 09:18:51 n-mail-1 sm-mta[1]: x: stat=Sent\n";
    /* d/a -> .. and d/b -> . grew the walk exponentially (to the depth
     * limit); x and y link to each other */
    mk("/loops");
    mk("/loops/d");
    mk("/loops/x");
    mk("/loops/y");
    link_at("..", "/loops/d/a");
    link_at(".", "/loops/d/b");
    link_at("../y", "/loops/x/tey");
    link_at("../x", "/loops/y/tox");
    put("/loops/d/f.log", log);
    put("/loops/x/g.log", log);
    put("/loops/y/h.log", log);
    md_ingest ig = walk_ingest();
    md_err e = {0, ""};
    char p[1024];
    snprintf(p, sizeof p, "%s/loops", root);
    int rc = md_ingest_path(&ig, p, &e);
    for (int i = 0; i < rec.n; i++)
        print_message("  walked %s\n", rec.seen[i]);
    for (int i = 0; i < rec.nwarn; i++)
        print_message("  warned %s\n", rec.warned[i]);
    /* every file once, every directory once; nothing was left unread */
    assert_int_equal(rec.n, 3);
    assert_string_equal(rec.seen[0], "/loops/d/f.log");
    assert_string_equal(rec.seen[1], "/loops/x/g.log");
    assert_string_equal(rec.seen[2], "/loops/x/tey/h.log");
    assert_int_equal(rc, MD_OK);
    assert_int_equal(ig.stats.skipped, 0);
    assert_int_equal(ig.stats.files_failed, 0);
    /* each link that leads back is named once, with where it leads */
    assert_int_equal(rec.nwarn, 4);
    assert_true(warned("/loops/d/a:0: symbolic link loop: this is ", "/loops again"));
    assert_true(warned("/loops/d/b:0: symbolic link loop: this is ", "/loops/d again"));
    assert_true(warned("/loops/x/tey/tox:0: symbolic link loop: this is ", "/loops/x again"));
    assert_true(warned("/loops/y:0: the same directory as ", "/loops/x/tey, read already"));
}

static void test_walk_file_links(void **state)
{
    (void)state;
    /* a file reached again through a symbolic link or a hard link is not
     * read twice */
    mk("/links");
    put("/links/a.log", "Nov 28 09:18:51 n-mail-1 sm-mta[1]: x: stat=Sent\n");
    link_at("a.log", "/links/b.log");
    char a[1024], c[1024];
    snprintf(a, sizeof a, "%s/links/a.log", root);
    snprintf(c, sizeof c, "%s/links/c.log", root);
    assert_int_equal(link(a, c), 0);
    md_ingest ig = walk_ingest();
    md_err e = {0, ""};
    char p[1024];
    snprintf(p, sizeof p, "%s/links", root);
    assert_int_equal(md_ingest_path(&ig, p, &e), MD_OK);
    assert_int_equal(rec.n, 1);
    assert_string_equal(rec.seen[0], "/links/a.log");
    assert_int_equal(ig.stats.files, 1);
    assert_int_equal(rec.nwarn, 2);
    assert_true(warned("/links/b.log:0: the same file as ", "/links/a.log (a link"));
    assert_true(warned("/links/c.log:0: the same file as ", "/links/a.log (a link"));
}

static void put_gz(const char *rel, const char *text)
{
    char p[1024];
    snprintf(p, sizeof p, "%s%s", root, rel);
    gzFile z = gzopen(p, "wb");
    assert_non_null(z);
    if (*text)
        assert_int_equal(gzputs(z, text), (int)strlen(text));
    assert_int_equal(gzclose(z), Z_OK);
}

static void test_walk_special_files(void **state)
{
    (void)state;
    mk("/special");
    put_gz("/special/good.log.gz", "Nov 28 09:18:51 n-mail-1 sm-mta[1]: x: stat=Sent\n");
    put_gz("/special/empty.gz", "");
    put("/special/empty.log", "");
    link_at("/dev/zero", "/special/zero");
    char p[1024];
    snprintf(p, sizeof p, "%s/special/fifo", root);
    assert_int_equal(mkfifo(p, 0600), 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    assert_true((size_t)snprintf(sa.sun_path, sizeof sa.sun_path, "%s/special/sock", root) <
                sizeof sa.sun_path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    md_ingest ig = walk_ingest();
    md_err e = {0, ""};
    snprintf(p, sizeof p, "%s/special", root);
    assert_int_equal(md_ingest_path(&ig, p, &e), MD_ERR_PARSE);
    for (int i = 0; i < rec.nwarn; i++)
        print_message("  warned %s\n", rec.warned[i]);
    /* the compressed log is read; everything else is named with its reason */
    assert_int_equal(rec.n, 1);
    assert_string_equal(rec.seen[0], "/special/good.log.gz");
    assert_int_equal(rec.kinds[0], MD_KIND_LOG);
    assert_int_equal(rec.nwarn, 5);
    assert_int_equal(ig.stats.files_failed, 4); /* an empty file is named, not a failure */
    assert_true(warned("/special/empty.gz:0: ", "no data once decompressed (empty or damaged); skipped"));
    assert_true(warned("/special/empty.log:0: ", "empty; nothing to read"));
    assert_true(warned("/special/fifo:0: ", "(named pipe, read only when named itself); skipped"));
    assert_true(warned("/special/sock:0: ", "not a regular file or directory (socket); skipped"));
    assert_true(warned("/special/zero:0: ", "not a regular file or directory (character device)"));
    /* named: a device is never read, not even as a forced kind; a socket */
    const char *const named[] = {"/dev/zero", "/dev/urandom", "/dev/null", sa.sun_path};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        ig = walk_ingest();
        ig.force_kind = MD_KIND_LOG;
        assert_int_equal(md_ingest_path(&ig, named[i], &e), MD_ERR_PARSE);
        assert_int_equal(rec.n, 0);
        assert_int_equal(rec.nwarn, 1);
        assert_int_equal(ig.stats.files_failed, 1);
        assert_true(warned(named[i], i < 3 ? "(character device); skipped" : "(socket); skipped"));
    }
    close(fd);
}

/* put `fd` on standard input, run md_ingest_path("-") with the kind forced
 * to `force`, put the old standard input back */
static int ingest_stdin_from(md_ingest *ig, int fd, md_kind force)
{
    int saved = dup(0);
    assert_true(saved >= 0);
    assert_int_equal(dup2(fd, 0), 0);
    close(fd);
    md_err e = {0, ""};
    ig->force_kind = force;
    int rc = md_ingest_path(ig, "-", &e);
    assert_int_equal(dup2(saved, 0), 0);
    close(saved);
    return rc;
}

static void test_walk_stdin(void **state)
{
    (void)state;
    /* from a device: not read (with --format log it would never end) */
    md_ingest ig = walk_ingest();
    int fd = open("/dev/zero", O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(ingest_stdin_from(&ig, fd, MD_KIND_LOG), MD_ERR_PARSE);
    assert_int_equal(rec.n, 0);
    assert_true(warned("-:0: ", "standard input is a character device, not a file, pipe or "
                                "terminal; skipped"));
    /* from a pipe, and from a file: read */
    int pp[2];
    static const char log[] = "Nov 28 09:18:51 n-mail-1 sm-mta[1]: x: stat=Sent\n";
    assert_int_equal(pipe(pp), 0);
    assert_int_equal(write(pp[1], log, sizeof log - 1), (ssize_t)(sizeof log - 1));
    close(pp[1]);
    ig = walk_ingest();
    assert_int_equal(ingest_stdin_from(&ig, pp[0], MD_KIND_UNKNOWN), MD_OK);
    assert_int_equal(rec.n, 1);
    assert_int_equal(rec.kinds[0], MD_KIND_LOG);
    char p[1024];
    snprintf(p, sizeof p, "%s/sub/c.log", root);
    ig = walk_ingest();
    assert_int_equal(ingest_stdin_from(&ig, open(p, O_RDONLY), MD_KIND_UNKNOWN), MD_OK);
    assert_int_equal(rec.n, 1);
}

static void test_warn_counts(void **state)
{
    (void)state;
    md_ingest ig = walk_ingest();
    md_ingest_warn(&ig, "mail.log", 42, "unparsable line: %s", "\\x00\\x01junk");
    assert_int_equal(ig.stats.skipped, 1);
    assert_int_equal(ig.warnings_shown, 1);
    assert_string_equal(rec.warned[0], "mail.log:42: unparsable line: \\x00\\x01junk");
    ig.warn = NULL;
    md_ingest_warn(&ig, "mail.log", 43, "again");
    assert_int_equal(ig.stats.skipped, 2);
}

static void test_fingerprint(void **state)
{
    (void)state;
    static const char log[] = "Nov 28 09:18:51 n-mail-1 sm-mta[4242]: first line\n"
                              "Nov 28 09:18:52 n-mail-1 sm-mta[4242]: second line\n";
    /* the same content gzipped has the same fingerprint (rotation) */
    unsigned char gz[512];
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)log;
    z.avail_in = sizeof log - 1;
    z.next_out = gz;
    z.avail_out = sizeof gz;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t gzlen = sizeof gz - z.avail_out;
    deflateEnd(&z);
    md_input *a, *b, *c;
    md_err e = {0, ""};
    char fa[40], fb[40], fc[40], fk[40];
    assert_int_equal(md_input_open_mem(&a, "mail.log", log, sizeof log - 1, &e), MD_OK);
    assert_int_equal(md_input_open_mem(&b, "mail.log.2.gz", gz, gzlen, &e), MD_OK);
    assert_int_equal(md_ingest_fingerprint(a, MD_KIND_LOG, fa, sizeof fa, &e), MD_OK);
    assert_int_equal(md_ingest_fingerprint(b, MD_KIND_LOG, fb, sizeof fb, &e), MD_OK);
    assert_int_equal(strlen(fa), 32);
    assert_string_equal(fa, fb);
    assert_int_equal(md_ingest_fingerprint(a, MD_KIND_MESSAGE, fk, sizeof fk, &e), MD_OK);
    assert_string_not_equal(fa, fk);
    /* nothing consumed */
    assert_int_equal(md_input_lineno(a), 0);
    assert_int_equal(md_input_pos(a), 0);
    /* a different first line, and no complete first line */
    assert_int_equal(md_input_open_mem(&c, "other", log + 51, sizeof log - 52, &e), MD_OK);
    assert_int_equal(md_ingest_fingerprint(c, MD_KIND_LOG, fc, sizeof fc, &e), MD_OK);
    assert_string_not_equal(fa, fc);
    md_input_close(c);
    /* the same comment first, then different logs: not the same source */
    static const char c1[] = "# failJSON: { \"match\": true }\nFeb 21 09:21:54 xxx postfix/smtpd[1]: a\n";
    static const char c2[] = "# failJSON: { \"match\": true }\nFeb 21 09:21:55 yyy postfix/smtpd[2]: b\n";
    static const char c3[] = "# failJSON: { \"match\": true }\nFeb 21 09:21:54 xxx postfix/smtpd[1]: a\n"
                             "Feb 21 09:21:56 xxx postfix/smtpd[1]: appended\n";
    char f1[40], f2[40], f3[40];
    md_input *i1, *i2, *i3;
    assert_int_equal(md_input_open_mem(&i1, "c1", c1, sizeof c1 - 1, &e), MD_OK);
    assert_int_equal(md_input_open_mem(&i2, "c2", c2, sizeof c2 - 1, &e), MD_OK);
    assert_int_equal(md_input_open_mem(&i3, "c3", c3, sizeof c3 - 1, &e), MD_OK);
    assert_int_equal(md_ingest_fingerprint(i1, MD_KIND_LOG, f1, sizeof f1, &e), MD_OK);
    assert_int_equal(md_ingest_fingerprint(i2, MD_KIND_LOG, f2, sizeof f2, &e), MD_OK);
    assert_int_equal(md_ingest_fingerprint(i3, MD_KIND_LOG, f3, sizeof f3, &e), MD_OK);
    assert_string_not_equal(f1, f2);
    assert_string_equal(f1, f3); /* grown at its end: the same source */
    md_input_close(i1);
    md_input_close(i2);
    md_input_close(i3);
    /* only comments: still a fingerprint of what is there */
    assert_int_equal(md_input_open_mem(&i1, "c", "#\n#\n", 4, &e), MD_OK);
    assert_int_equal(md_ingest_fingerprint(i1, MD_KIND_ALIASES, f1, sizeof f1, &e), MD_OK);
    md_input_close(i1);
    assert_int_equal(md_input_open_mem(&c, "cut", log, 20, &e), MD_OK);
    assert_int_equal(md_ingest_fingerprint(c, MD_KIND_LOG, fc, sizeof fc, &e), MD_ERR_NOTFOUND);
    md_input_close(c);
    md_input_close(a);
    md_input_close(b);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect_table),
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_detect_aliases_or_yaml),
        cmocka_unit_test(test_walk),
        cmocka_unit_test(test_walk_progress),
        cmocka_unit_test(test_walk_rotation_order),
        cmocka_unit_test(test_walk_reader_failures),
        cmocka_unit_test(test_walk_single_and_forced),
        cmocka_unit_test(test_walk_link_loops),
        cmocka_unit_test(test_walk_file_links),
        cmocka_unit_test(test_walk_special_files),
        cmocka_unit_test(test_walk_stdin),
        cmocka_unit_test(test_warn_counts),
        cmocka_unit_test(test_fingerprint),
    };
    const struct CMUnitTest corpus[] = {
        cmocka_unit_test(test_detect_corpus),
        cmocka_unit_test(test_detect_aliases_or_yaml_corpus),
    };
    static const char *const need[] = {
        "fail2ban", "exim-testsuite/test/log", "exim-testsuite/test/aux-fixed",
        "parse-syslog-mail/t/logs", "lnav", "pigeonhole/examples", "bsd-aliases/freebsd",
        "bsd-aliases/openbsd", "postfix-grok-patterns/test", NULL};
    return MD_TEST_MAIN(tests, corpus, need, walk_setup, walk_teardown);
}
