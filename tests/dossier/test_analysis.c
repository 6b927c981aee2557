/* test_analysis.c: the analysis (lib/dossier/analysis.c) on a small store built by
 * ingesting log lines of the scenario (a forward to Hotmail accepted by
 * Microsoft, a deferral for IP reputation 4.7.650, a block list rejection
 * S3150, a local delivery) and Microsoft's replies: verdicts in words,
 * the affected IPs exactly, redaction (third parties snipped, the ticket's
 * addresses, forward targets and Message-IDs kept), the documents valid
 * against templates/ schemas, the ticket number rules and windows, the IP
 * history with a recurrence after a later failure, and status ordering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include "dossier/analysis.h"
#include "analysis/iphistory.h"
#include "ingest/ingest.h"
#include "ingest/readers.h"
#include "render/render.h"
#include "testutil.h"

static const char log_a[] =
    /* m: the scenario's forward to Hotmail (sendmail, Solaris syslog) */
    "Apr 21 16:06:27 n-mail-2 sendmail[25978]: [ID 801593 mail.info] u3NE6PWI025978: from=<shipment@eu-west-1.amazonses.com>, size=20144, class=0, nrcpts=1, msgid=<01020154437159cf-906c0795-8cee-4c30-a993-4764335f2c9e-000000@eu-west-1.amazonses.com>, proto=ESMTP, daemon=MTA, relay=ironout.rz.uni-potsdam.de [141.89.68.7]\n"
    "Apr 21 16:06:28 n-mail-2 sendmail[25989]: [ID 801593 mail.info] u3NE6PWI025978: to=<anna.schmidt@uni-potsdam.de>, delay=00:00:01, xdelay=00:00:00, mailer=cgprov6, pri=201624, relay=mailup.uni-potsdam.de. [141.89.68.244], dsn=2.0.0, stat=Sent\n"
    "Apr 21 16:06:29 n-mail-2 sendmail[25990]: [ID 801593 mail.info] u3NE6SaT025990: from=<anna.schmidt@uni-potsdam.de>, size=20583, class=0, nrcpts=1, msgid=<201604231406.u3NE6SaT025990@cl-mail.uni-potsdam.de>, proto=ESMTP, daemon=MTA, relay=n-compro-3.rz.uni-potsdam.de [141.89.68.4]\n"
    "Apr 21 16:06:32 n-mail-2 sendmail[25992]: [ID 801593 mail.info] u3NE6SaT025990: to=<anna.schmidt@hotmail.de>, delay=00:00:04, xdelay=00:00:03, mailer=esmtp, pri=201909, relay=mx3.hotmail.com. [134.170.2.199], dsn=2.0.0, stat=Sent (<01020154437159cf-906c0795-8cee-4c30-a993-4764335f2c9e-000000@eu-west-1.amazonses.com> Queued mail for delivery)\n"
    /* a local delivery only */
    "Apr 20 08:00:01 n-mail-2 sendmail[1101]: [ID 801593 mail.info] u3K60111001101: from=<colleague@uni-potsdam.de>, size=1500, class=0, nrcpts=1, msgid=<local1@uni-potsdam.de>, proto=ESMTP, daemon=MTA, relay=webmail-1.rz.uni-potsdam.de [141.89.68.3]\n"
    "Apr 20 08:00:02 n-mail-2 sendmail[1102]: [ID 801593 mail.info] u3K60111001101: to=<k.weber@uni-potsdam.de>, delay=00:00:01, xdelay=00:00:00, mailer=cgprov6, pri=121500, relay=mailup.uni-potsdam.de. [141.89.68.244], dsn=2.0.0, stat=Sent\n"
    /* a deferral for IP reputation, twice, still queued */
    "Apr 20 10:00:01 n-mail-2 sendmail[1001]: [ID 801593 mail.info] u3K80150001001: from=<k.weber@uni-potsdam.de>, size=1500, class=0, nrcpts=1, msgid=<def1@uni-potsdam.de>, proto=ESMTP, daemon=MTA, relay=webmail-1.rz.uni-potsdam.de [141.89.68.3]\n"
    "Apr 20 10:00:03 n-mail-2 sendmail[1002]: [ID 801593 mail.info] u3K80150001001: to=<friend@outlook.com>, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=121500, relay=mx3.hotmail.com. [134.170.2.199], dsn=4.7.650, stat=Deferred: 451 4.7.650 The mail server [141.89.68.1] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775)\n"
    "Apr 20 11:00:03 n-mail-2 sendmail[1003]: [ID 801593 mail.info] u3K80150001001: to=<friend@outlook.com>, delay=01:00:02, xdelay=00:00:02, mailer=esmtp, pri=211500, relay=mx3.hotmail.com. [134.170.2.199], dsn=4.7.650, stat=Deferred: 451 4.7.650 The mail server [141.89.68.1] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775)\n";

static const char log_b[] =
    /* a block list rejection at the relay (Postfix) */
    "Apr 20 12:00:01 smtpout postfix/smtpd[2000]: 4A1B2C3D4E: client=n-mail-2.rz.uni-potsdam.de[141.89.68.1]\n"
    "Apr 20 12:00:01 smtpout postfix/cleanup[2002]: 4A1B2C3D4E: message-id=<blk1@uni-potsdam.de>\n"
    "Apr 20 12:00:01 smtpout postfix/qmgr[1021]: 4A1B2C3D4E: from=<k.weber@uni-potsdam.de>, size=2100, nrcpt=1 (queue active)\n"
    "Apr 20 12:00:03 smtpout postfix/smtp[2001]: 4A1B2C3D4E: to=<x.y@hotmail.com>, relay=mx4.hotmail.com[65.55.92.136]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.7.1, status=bounced (host mx4.hotmail.com[65.55.92.136] said: 550 5.7.1 Unfortunately, messages from [141.89.68.8] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [VI1EUR04FT012.eop-eur04.prod.protection.outlook.com] (in reply to MAIL FROM command))\n"
    "Apr 20 12:00:03 smtpout postfix/qmgr[1021]: 4A1B2C3D4E: removed\n";

/* a failure months later, after Microsoft's mitigation of 141.89.68.7 */
static const char log_c[] =
    "Oct 10 09:00:01 ironout sendmail[7001]: u9A70170007001: from=<registrar@uni-potsdam.de>, size=3100, class=0, nrcpts=1, msgid=<late1@uni-potsdam.de>, proto=ESMTP, daemon=MTA, relay=exchange.rz.uni-potsdam.de [141.89.70.12]\n"
    "Oct 10 09:00:04 ironout sendmail[7002]: u9A70170007001: to=<student@hotmail.de>, delay=00:00:03, xdelay=00:00:03, mailer=esmtp, pri=123100, relay=mx3.hotmail.com. [134.170.2.199], dsn=4.7.650, stat=Deferred: 451 4.7.650 The mail server [141.89.68.7] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775)\n";

typedef struct fixture {
    char dir[512];
    char db[600];
    md_store *st;
    md_config cfg;
} fixture;

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void ingest(fixture *f, const char *path)
{
    md_ingest ig;
    md_readers_init(&ig, f->st, &f->cfg);
    ig.year = 2016;
    md_err err = {0, ""};
    int rc = md_ingest_path(&ig, path, &err);
    if (rc != MD_OK)
        fprintf(stderr, "ingest %s: %d %s\n", path, rc, err.msg);
    assert_int_equal(rc, MD_OK);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    md_test_dir(f->dir, sizeof f->dir, "test_analysis");
    assert_int_equal(md_test_rmtree(f->dir), 0); /* start empty */
    assert_int_equal(mkdir(f->dir, 0700), 0);
    snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
    md_err err = {0, ""};
    assert_int_equal(md_config_load(&f->cfg, MD_FIXTURES "/maildossier.conf", &err), MD_OK);
    assert_int_equal(md_store_open(&f->st, f->db, 0, &err), MD_OK);
    char p[700];
    snprintf(p, sizeof p, "%s/n-mail-2.log", f->dir);
    write_file(p, log_a);
    ingest(f, p);
    snprintf(p, sizeof p, "%s/smtpout.log", f->dir);
    write_file(p, log_b);
    ingest(f, p);
    ingest(f, MD_FIXTURES "/replies");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    md_store_close(f->st);
    if (md_test_rmtree(f->dir) != 0)
        fprintf(stderr, "cannot remove %s\n", f->dir);
    free(f);
    return 0;
}

static char *xpath_str(xmlDoc *doc, const char *expr)
{
    xmlXPathContext *xc = xmlXPathNewContext(doc);
    xmlXPathObject *o = xmlXPathEvalExpression((const xmlChar *)expr, xc);
    char *s = (char *)xmlXPathCastToString(o);
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(xc);
    return s;
}

static double xpath_num(xmlDoc *doc, const char *expr)
{
    xmlXPathContext *xc = xmlXPathNewContext(doc);
    xmlXPathObject *o = xmlXPathEvalExpression((const xmlChar *)expr, xc);
    double d = xmlXPathCastToNumber(o);
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(xc);
    return d;
}

static int contains(xmlDoc *doc, const char *expr, const char *needle)
{
    char *s = xpath_str(doc, expr);
    int r = s && strstr(s, needle) != NULL;
    if (!r)
        fprintf(stderr, "%s = \"%s\" lacks \"%s\"\n", expr, s ? s : "", needle);
    xmlFree(s);
    return r;
}

static xmlDoc *dossier_cfg(fixture *f, const md_config *cfg, const char *const *addrs, size_t n,
                           int redact, md_analysis_summary *sum)
{
    md_analysis_opts o;
    memset(&o, 0, sizeof o);
    o.ticket = "2016042010001094";
    o.addrs = addrs;
    o.naddrs = n;
    md_err err = {0, ""};
    assert_int_equal(md_analysis_ticket_window(o.ticket, 14, 1, &o.since, &o.until, &err), MD_OK);
    o.redact = redact;
    o.now = 1462000000;
    xmlDoc *doc = NULL;
    int rc = md_analysis_ticket(f->st, cfg, &o, &doc, sum, &err);
    if (rc != MD_OK)
        fprintf(stderr, "analysis: %s\n", err.msg);
    assert_int_equal(rc, MD_OK);
    assert_int_equal(md_render_validate(doc, MD_FIXTURES "/../templates/dossier.xsd", &err), MD_OK);
    return doc;
}

static xmlDoc *dossier(fixture *f, const char *const *addrs, size_t n, int redact,
                       md_analysis_summary *sum)
{
    return dossier_cfg(f, &f->cfg, addrs, n, redact, sum);
}

static void test_forward_filtered(void **state)
{
    fixture *f = *state;
    const char *addrs[] = {"anna.schmidt@uni-potsdam.de"};
    md_analysis_summary sum;
    xmlDoc *doc = dossier(f, addrs, 1, 1, &sum);
    assert_int_equal(xpath_num(doc, "count(/dossier/messages/message)"), 1);
    assert_true(contains(doc, "/dossier/messages/message[1]/outcome", "filtered"));
    const char *v = "/dossier/messages/message[1]/verdict";
    assert_true(contains(doc, v, "forwarded to anna.schmidt@hotmail.de"));
    assert_true(contains(doc, v, "accepted by Microsoft (250 Queued mail for delivery"));
    assert_true(contains(doc, v, "silently filtered by the recipient's provider"));
    assert_true(contains(doc, v, "elivered to the local mailbox"));
    /* affected IPs: the sending host (n-mail-2 = cl-mail) and our hops of the chain */
    assert_int_equal(xpath_num(doc, "count(/dossier/ips/ip)"), 3);
    assert_true(contains(doc, "/dossier/ips/ip[1]/address", "141.89.68.1"));
    assert_true(contains(doc, "/dossier/ips/ip[2]/address", "141.89.68.4"));
    assert_true(contains(doc, "/dossier/ips/ip[3]/address", "141.89.68.7"));
    assert_true(contains(doc, "/dossier/ips/ip[3]/host", "ironout"));
    /* not the mail store the message was delivered to */
    assert_int_equal(xpath_num(doc, "count(//ip/address[.='141.89.68.244'])"), 0);
    /* Microsoft's answers are there */
    assert_true(contains(doc, "/dossier/ips/ip[3]/reputation", "mitigated"));
    /* redaction: the sender is a third party; Message-IDs and the forward target stay */
    assert_true(contains(doc, "/dossier/timeline/entry[1]/from", "*snip*@eu-west-1.amazonses.com"));
    char *all = xpath_str(doc, "/dossier/messages");
    assert_null(strstr(all, "shipment@"));
    assert_non_null(strstr(all, "01020154437159cf-906c0795"));
    xmlFree(all);
    assert_int_equal(sum.nips, 3);
    assert_string_equal(sum.outcome, "filtered");
    md_analysis_summary_free(&sum);
    xmlFreeDoc(doc);

    /* --no-redact keeps the sender and says so */
    doc = dossier(f, addrs, 1, 0, NULL);
    assert_true(contains(doc, "/dossier/header/redaction", "off"));
    assert_true(contains(doc, "/dossier/timeline/entry[1]/from", "shipment@eu-west-1.amazonses.com"));
    xmlFreeDoc(doc);
}

static void test_deferred_and_blocked(void **state)
{
    fixture *f = *state;
    const char *addrs[] = {"k.weber@uni-potsdam.de"};
    xmlDoc *doc = dossier(f, addrs, 1, 1, NULL);
    /* local delivery, deferral, block: in time order */
    assert_int_equal(xpath_num(doc, "count(/dossier/messages/message)"), 3);
    assert_true(contains(doc, "/dossier/messages/message[1]/outcome", "delivered"));
    assert_true(contains(doc, "/dossier/messages/message[2]/outcome", "deferred"));
    const char *v2 = "/dossier/messages/message[2]/verdict";
    assert_true(contains(doc, v2, "deferred by Microsoft for IP reputation"));
    assert_true(contains(doc, v2, "4.7.650"));
    assert_true(contains(doc, v2, "2 tries"));
    assert_true(contains(doc, "/dossier/messages/message[3]/outcome", "bounced"));
    assert_true(contains(doc, "/dossier/messages/message[3]/verdict",
                         "rejected because IP 141.89.68.8 is on Microsoft's block list"));
    assert_true(contains(doc, "/dossier/messages/message[3]/verdict", "S3150"));
    /* the recipient at Outlook.com is a third party */
    assert_true(contains(doc, "/dossier/messages/message[2]/attempts/attempt[1]/to", "*snip*@outlook.com"));
    /* IPs: .1 (sender and named), .3 (webmail in the chain), .8 (named by Microsoft; smtpout) */
    assert_int_equal(xpath_num(doc, "count(//ips/ip[address='141.89.68.1'])"), 1);
    assert_int_equal(xpath_num(doc, "count(//ips/ip[address='141.89.68.3'])"), 1);
    assert_int_equal(xpath_num(doc, "count(//ips/ip[address='141.89.68.8'])"), 1);
    assert_int_equal(xpath_num(doc, "count(//ips/ip[address='141.89.68.244'])"), 0);
    xmlFreeDoc(doc);
}

/* Nothing found while the logs do not cover the window (the store holds
 * n-mail-2's and smtpout's lines of 2016-04-20 and 21 only; the cluster's
 * other loghosts none): no negative verdict, what is missing instead. */
static void test_nothing_found(void **state)
{
    fixture *f = *state;
    const char *addrs[] = {"nobody@uni-potsdam.de"};
    md_analysis_summary sum;
    xmlDoc *doc = dossier(f, addrs, 1, 1, &sum);
    assert_int_equal(xpath_num(doc, "count(/dossier/messages/message)"), 0);
    const char *v = "/dossier/summary/verdict[1]";
    assert_true(contains(doc, v, "The evidence is incomplete, so this dossier cannot say whether "
                                 "a message to or from nobody@uni-potsdam.de reached our servers"));
    assert_true(contains(doc, v, "n-mail-2: none before 2016-04-20 08:00"));
    assert_true(contains(doc, v, "n-mail-1: no logs stored"));
    assert_false(contains(doc, v, "ask the sender for the bounce"));
    assert_true(contains(doc, "string(/dossier/header/evidence-span/@complete)", "false"));
    assert_string_equal(sum.outcome, "unknown");
    assert_int_equal(sum.evidence_incomplete, 1);
    md_analysis_summary_free(&sum);
    xmlFreeDoc(doc);
}

/* Nothing found where every expected host's logs cover the window: the
 * negative verdict.  Expected are the stored hosts only (no loghosts
 * declared) and a gap needs more than 720 hours. */
static void test_nothing_found_covered(void **state)
{
    fixture *f = *state;
    md_config *cfg = malloc(sizeof *cfg);
    assert_non_null(cfg);
    *cfg = f->cfg;
    for (size_t i = 0; i < cfg->nhosts; i++)
        cfg->hosts[i].loghosts[0] = '\0';
    cfg->gap_hours = 720;
    const char *addrs[] = {"nobody@uni-potsdam.de"};
    md_analysis_summary sum;
    xmlDoc *doc = dossier_cfg(f, cfg, addrs, 1, 1, &sum);
    const char *v = "/dossier/summary/verdict[1]";
    assert_true(contains(doc, v, "No message to or from nobody@uni-potsdam.de reached our servers"));
    assert_true(contains(doc, v, "the logs of every expected host cover the window"));
    assert_true(contains(doc, v, "ask the sender for the bounce"));
    assert_true(contains(doc, "string(/dossier/header/evidence-span/@complete)", "true"));
    assert_string_equal(sum.outcome, "missing");
    assert_int_equal(sum.evidence_incomplete, 0);
    md_analysis_summary_free(&sum);
    xmlFreeDoc(doc);
    free(cfg);
}

/* Raw log text that XML cannot carry as it is: control characters become
 * spaces, invalid UTF-8 and U+FFFF become U+FFFD, the rest is kept; the
 * document still validates (dossier() checks the schema). */
static void test_unclean_log_text(void **state)
{
    fixture *f = *state;
    char p[700];
    snprintf(p, sizeof p, "%s/dirty.log", f->dir);
    write_file(p,
               "Apr 20 13:00:01 smtpout postfix/qmgr[1021]: 5A1B2C3D4E: from=<k.weber@uni-potsdam.de>, size=2100, nrcpt=1 (queue active)\n"
               "Apr 20 13:00:03 smtpout postfix/smtp[2001]: 5A1B2C3D4E: to=<dirty@hotmail.com>, relay=mx4.hotmail.com[65.55.92.136]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1, status=bounced (host mx4.hotmail.com[65.55.92.136] said: 550 5.1.1 bad\x01" "byte \xff" " and \xef\xbf\xbf here, Gr\xc3\xbc\xc3\x9f\x7f (in reply to RCPT TO command))\n");
    ingest(f, p);
    const char *addrs[] = {"dirty@hotmail.com"};
    xmlDoc *doc = dossier(f, addrs, 1, 0, NULL);
    assert_true(contains(doc, "string(//log-line[contains(text, '5.1.1 bad')]/text)",
                         "550 5.1.1 bad byte \xef\xbf\xbd and \xef\xbf\xbd here, "
                         "Gr\xc3\xbc\xc3\x9f\x7f (in reply"));
    xmlFreeDoc(doc);
}

static void test_ticket_numbers_and_window(void **state)
{
    (void)state;
    assert_true(md_analysis_ticket_valid("2016042010001094"));
    assert_true(md_analysis_ticket_valid("INC-42_a.b"));
    assert_false(md_analysis_ticket_valid(""));
    assert_false(md_analysis_ticket_valid("../etc/passwd"));
    assert_false(md_analysis_ticket_valid("a/b"));
    assert_false(md_analysis_ticket_valid(".hidden"));
    assert_false(md_analysis_ticket_valid("-rf"));
    assert_false(md_analysis_ticket_valid("a..b"));
    assert_false(md_analysis_ticket_valid("x\ny"));
    char longnum[100];
    memset(longnum, '1', 99);
    longnum[99] = '\0';
    assert_false(md_analysis_ticket_valid(longnum));
    int64_t s, u;
    md_err err = {0, ""};
    assert_int_equal(md_analysis_ticket_window("2016042010001094", 14, 1, &s, &u, &err), MD_OK);
    struct tm a, b;
    time_t ts = (time_t)s, tu = (time_t)u;
    gmtime_r(&ts, &a);
    gmtime_r(&tu, &b);
    assert_int_equal(a.tm_mday, 6);
    assert_int_equal(a.tm_mon, 3);
    assert_int_equal(a.tm_hour, 0);
    assert_int_equal(b.tm_mday, 21);
    assert_int_equal(b.tm_hour, 23);
    assert_int_equal(b.tm_min, 59);
    assert_int_equal(md_analysis_ticket_window("INC-42", 14, 1, &s, &u, &err), MD_ERR_ARG);
    assert_int_equal(md_analysis_ticket_window("20161399", 14, 1, &s, &u, &err), MD_ERR_ARG);
}

static void test_request(void **state)
{
    fixture *f = *state;
    /* record two tickets as the command does */
    const char *a1[] = {"anna.schmidt@uni-potsdam.de"}, *a2[] = {"k.weber@uni-potsdam.de"};
    md_err err = {0, ""};
    for (int i = 0; i < 2; i++) {
        md_analysis_summary sum;
        xmlDoc *doc = dossier(f, i ? a2 : a1, 1, 1, &sum);
        md_case_ticket t;
        memset(&t, 0, sizeof t);
        snprintf(t.number, sizeof t.number, "%s", i ? "2016042010000826" : "2016042010001094");
        assert_int_equal(md_analysis_ticket_window(t.number, 14, 1, &t.since, &t.until, &err), MD_OK);
        snprintf(t.summary, sizeof t.summary, "%s", sum.verdict);
        assert_int_equal(md_store_case_ticket_save(f->st, &t, i ? a2 : a1, 1, sum.ips, sum.nips,
                                                   NULL, NULL, 0, &err), MD_OK);
        md_analysis_summary_free(&sum);
        xmlFreeDoc(doc);
    }
    const char *tk[] = {"2016042010001094", "2016042010000826"};
    xmlDoc *req = NULL;
    md_case_ipref *ips = NULL;
    size_t nips = 0;
    assert_int_equal(md_analysis_request(f->st, &f->cfg, tk, 2, 0, 0, 1462000000, &req, &ips,
                                         &nips, &err), MD_OK);
    assert_int_equal(md_render_validate(req, MD_FIXTURES "/../templates/request.xsd", &err), MD_OK);
    /* the union of both tickets' IPs: .1 .3 .4 .7 .8 */
    assert_int_equal(nips, 5);
    assert_int_equal(xpath_num(req, "count(/request/ips/ip)"), 5);
    /* each distinct error once: the 4.7.650 deferral (twice) and the S3150 bounce */
    assert_int_equal(xpath_num(req, "count(/request/errors/error)"), 2);
    assert_int_equal(xpath_num(req, "/request/errors/error[contains(text,'4.7.650')]/count"), 2);
    assert_true(contains(req, "/request/contact/email", "postmaster@uni-potsdam.de"));
    assert_true(contains(req, "/request/enrolment/snds", "true"));
    /* no personal data */
    char *all = xpath_str(req, "/request");
    assert_null(strstr(all, "anna.schmidt"));
    assert_null(strstr(all, "k.weber"));
    assert_null(strstr(all, "friend@"));
    xmlFree(all);
    free(ips);
    xmlFreeDoc(req);
}

static void test_ip_history_recurrence(void **state)
{
    fixture *f = *state;
    md_err err = {0, ""};
    md_ip_history h;
    /* 141.89.68.7: conditionally mitigated, then mitigated; no failure after */
    assert_int_equal(md_analysis_ip_history(f->st, &f->cfg, "141.89.68.7", &h, &err), MD_OK);
    assert_int_equal(h.nanswers, 2);
    assert_string_equal(h.last_answer, "mitigated");
    assert_true(h.state != MD_IPSTATE_RECURRENCE);
    md_analysis_ip_history_free(&h);
    /* 141.89.68.1: failures (4.7.650) and a throttling answer after them */
    assert_int_equal(md_analysis_ip_history(f->st, &f->cfg, "141.89.68.1", &h, &err), MD_OK);
    assert_true(h.failures >= 2);
    assert_int_equal(h.state, MD_IPSTATE_RESOLVED);
    md_analysis_ip_history_free(&h);
    /* 141.89.68.8: the S3150 block and nothing but a throttling mail before... */
    assert_int_equal(md_analysis_ip_history(f->st, &f->cfg, "not-an-ip", &h, &err), MD_ERR_ARG);

    /* five months later it comes back for .7 */
    char p[700];
    snprintf(p, sizeof p, "%s/late.log", f->dir);
    write_file(p, log_c);
    ingest(f, p);
    assert_int_equal(md_analysis_ip_history(f->st, &f->cfg, "141.89.68.7", &h, &err), MD_OK);
    assert_int_equal(h.state, MD_IPSTATE_RECURRENCE);
    assert_true(h.recurrence_at > h.last_mitigation);
    md_analysis_ip_history_free(&h);

    md_ip_history *st = NULL;
    size_t n = 0;
    assert_int_equal(md_analysis_status(f->st, &f->cfg, 0, &st, &n, &err), MD_OK);
    /* only .7 has an open problem: .1, .3, .4 and .8 were answered after their
     * failures, .18 never failed */
    assert_int_equal(n, 1);
    assert_string_equal(st[0].ip, "141.89.68.7");
    for (size_t i = 0; i < n; i++) {
        assert_true(st[i].state == MD_IPSTATE_OPEN || st[i].state == MD_IPSTATE_RECURRENCE);
        if (i)
            assert_true(st[i - 1].state >= st[i].state);
        md_analysis_ip_history_free(&st[i]);
    }
    free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ticket_numbers_and_window),
        cmocka_unit_test(test_forward_filtered),
        cmocka_unit_test(test_deferred_and_blocked),
        cmocka_unit_test(test_nothing_found),
        cmocka_unit_test(test_nothing_found_covered),
        cmocka_unit_test(test_request),
        cmocka_unit_test(test_ip_history_recurrence),
        cmocka_unit_test(test_unclean_log_text), /* last: adds to the shared store */
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
