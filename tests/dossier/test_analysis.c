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

/* The direction and ticket semantics (issue 14), in a store of their own
 * (it has forwarding rules, which the scenario store above has not). */
static const char log_d[] =
    /* k.lange forwards to Outlook.com and keeps a copy (rules_d): delivered
     * to the store, the copy re-injected and accepted by Microsoft */
    "Apr 20 09:00:01 n-mail-2 sendmail[3001]: [ID 801593 mail.info] u3K70130003001: from=<info@example.org>, size=2000, class=0, nrcpts=1, msgid=<keep1@example.org>, proto=ESMTP, daemon=MTA, relay=ironout.rz.uni-potsdam.de [141.89.68.7]\n"
    "Apr 20 09:00:02 n-mail-2 sendmail[3002]: [ID 801593 mail.info] u3K70130003001: to=<k.lange@uni-potsdam.de>, delay=00:00:01, xdelay=00:00:00, mailer=cgprov6, pri=122000, relay=mailup.uni-potsdam.de. [141.89.68.244], dsn=2.0.0, stat=Sent\n"
    "Apr 20 09:00:03 n-mail-2 sendmail[3003]: [ID 801593 mail.info] u3K70130003003: from=<k.lange@uni-potsdam.de>, size=2400, class=0, nrcpts=1, msgid=<201604200700.u3K70130003003@cl-mail.uni-potsdam.de>, proto=ESMTP, daemon=MTA, relay=n-compro-3.rz.uni-potsdam.de [141.89.68.4]\n"
    "Apr 20 09:00:05 n-mail-2 sendmail[3004]: [ID 801593 mail.info] u3K70130003003: to=<k.lange@outlook.de>, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=122400, relay=mx3.hotmail.com. [134.170.2.199], dsn=2.0.0, stat=Sent (<keep1@example.org> Queued mail for delivery)\n"
    /* one message to six people; the ticket's address l.mueller comes last */
    "Apr 20 10:00:01 n-mail-2 sendmail[4001]: [ID 801593 mail.info] u3K80140004001: from=<dekanat@uni-potsdam.de>, size=5000, class=0, nrcpts=6, msgid=<six1@uni-potsdam.de>, proto=ESMTP, daemon=MTA, relay=webmail-1.rz.uni-potsdam.de [141.89.68.3]\n"
    "Apr 20 10:00:02 n-mail-2 sendmail[4002]: [ID 801593 mail.info] u3K80140004001: to=<a.one@uni-potsdam.de>, delay=00:00:01, xdelay=00:00:00, mailer=cgprov6, pri=125000, relay=mailup.uni-potsdam.de. [141.89.68.244], dsn=2.0.0, stat=Sent\n"
    "Apr 20 10:00:03 n-mail-2 sendmail[4003]: [ID 801593 mail.info] u3K80140004001: to=<b.two@gmx.de>, delay=00:00:02, xdelay=00:00:01, mailer=esmtp, pri=125000, relay=mx00.gmx.net. [212.227.15.9], dsn=2.0.0, stat=Sent (OK id=1aBcDe-000001)\n"
    "Apr 20 10:00:04 n-mail-2 sendmail[4004]: [ID 801593 mail.info] u3K80140004001: to=<c.three@hotmail.com>, delay=00:00:03, xdelay=00:00:01, mailer=esmtp, pri=125000, relay=mx3.hotmail.com. [134.170.2.199], dsn=2.0.0, stat=Sent (<six1@uni-potsdam.de> Queued mail for delivery)\n"
    "Apr 20 10:00:05 n-mail-2 sendmail[4005]: [ID 801593 mail.info] u3K80140004001: to=<d.four@web.de>, delay=00:00:04, xdelay=00:00:01, mailer=esmtp, pri=125000, relay=mx-ha03.web.de. [212.227.15.17], dsn=4.0.0, stat=Deferred: 421 Service unavailable\n"
    "Apr 20 10:00:06 n-mail-2 sendmail[4006]: [ID 801593 mail.info] u3K80140004001: to=<e.five@outlook.com>, delay=00:00:05, xdelay=00:00:01, mailer=esmtp, pri=125000, relay=mx3.hotmail.com. [134.170.2.199], dsn=5.1.1, stat=User unknown\n"
    "Apr 20 10:00:07 n-mail-2 sendmail[4007]: [ID 801593 mail.info] u3K80140004001: to=<l.mueller@uni-potsdam.de>, delay=00:00:06, xdelay=00:00:00, mailer=cgprov6, pri=125000, relay=mailup.uni-potsdam.de. [141.89.68.244], dsn=2.0.0, stat=Sent\n"
    /* a deferral of the whole transaction: s.neu@hotmail.de (a ticket's
     * address) and two others get the same answer */
    "Apr 20 11:00:01 n-mail-2 sendmail[6001]: [ID 801593 mail.info] u3K90160006001: from=<dekanat@uni-potsdam.de>, size=5000, class=0, nrcpts=3, msgid=<three1@uni-potsdam.de>, proto=ESMTP, daemon=MTA, relay=webmail-1.rz.uni-potsdam.de [141.89.68.3]\n"
    "Apr 20 11:00:04 n-mail-2 sendmail[6002]: [ID 801593 mail.info] u3K90160006001: to=<s.neu@hotmail.de>, delay=00:00:03, xdelay=00:00:03, mailer=esmtp, pri=125000, relay=mx4.hotmail.com. [65.55.37.104], dsn=4.7.650, stat=Deferred: 451 4.7.650 The mail server [141.89.68.7] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775)\n"
    "Apr 20 11:00:04 n-mail-2 sendmail[6003]: [ID 801593 mail.info] u3K90160006001: to=<x.one@outlook.com>, delay=00:00:03, xdelay=00:00:03, mailer=esmtp, pri=125000, relay=mx4.hotmail.com. [65.55.37.104], dsn=4.7.650, stat=Deferred: 451 4.7.650 The mail server [141.89.68.7] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775)\n"
    "Apr 20 11:00:04 n-mail-2 sendmail[6004]: [ID 801593 mail.info] u3K90160006001: to=<x.two@live.de>, delay=00:00:03, xdelay=00:00:03, mailer=esmtp, pri=125000, relay=mx4.hotmail.com. [65.55.37.104], dsn=4.7.650, stat=Deferred: 451 4.7.650 The mail server [141.89.68.7] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775)\n";

static const char log_e[] =
    /* p.meyer's own mail: one message to two Microsoft recipients, accepted
     * for one and refused for the other with S3140 naming the relay */
    "Apr 20 12:00:01 smtpout postfix/smtpd[5000]: 6A1B2C3D4E: client=webmail-1.rz.uni-potsdam.de[141.89.68.3]\n"
    "Apr 20 12:00:01 smtpout postfix/cleanup[5002]: 6A1B2C3D4E: message-id=<pm1@uni-potsdam.de>\n"
    "Apr 20 12:00:01 smtpout postfix/qmgr[1021]: 6A1B2C3D4E: from=<p.meyer@uni-potsdam.de>, size=2100, nrcpt=2 (queue active)\n"
    "Apr 20 12:00:03 smtpout postfix/smtp[5001]: 6A1B2C3D4E: to=<friend@hotmail.com>, relay=hotmail-com.olc.protection.outlook.com[104.47.18.97]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.6.0, status=sent (250 2.6.0 <pm1@uni-potsdam.de> [InternalId=11111111111111, Hostname=AM6PR04MB1111.eurprd04.prod.outlook.com] Queued mail for delivery (in reply to end of DATA command))\n"
    "Apr 20 12:00:04 smtpout postfix/smtp[5003]: 6A1B2C3D4E: to=<colleague@outlook.com>, relay=outlook-com.olc.protection.outlook.com[104.47.56.33]:25, delay=2.2, delays=0.1/0/0.5/1.6, dsn=5.7.1, status=bounced (host outlook-com.olc.protection.outlook.com[104.47.56.33] said: 550 5.7.1 Unfortunately, messages from [141.89.68.8] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3140). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [DB5EUR03FT011.eop-EUR03.prod.protection.outlook.com] (in reply to MAIL FROM command))\n"
    "Apr 20 12:00:04 smtpout postfix/qmgr[1021]: 6A1B2C3D4E: removed\n"
    /* p.meyer's mail accepted by Microsoft, nobody reported it missing */
    "Apr 20 13:00:01 smtpout postfix/qmgr[1021]: 7A1B2C3D4E: from=<p.meyer@uni-potsdam.de>, size=2100, nrcpt=1 (queue active)\n"
    "Apr 20 13:00:03 smtpout postfix/smtp[5004]: 7A1B2C3D4E: to=<other@hotmail.com>, relay=hotmail-com.olc.protection.outlook.com[104.47.18.97]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.6.0, status=sent (250 2.6.0 <pm2@uni-potsdam.de> [InternalId=22222222222222, Hostname=AM6PR04MB2222.eurprd04.prod.outlook.com] Queued mail for delivery (in reply to end of DATA command))\n"
    "Apr 20 13:00:03 smtpout postfix/qmgr[1021]: 7A1B2C3D4E: removed\n"
    /* r.hoffmann writes to an address Microsoft does not know */
    "Apr 20 14:00:01 smtpout postfix/qmgr[1021]: 8A1B2C3D4E: from=<r.hoffmann@uni-potsdam.de>, size=2100, nrcpt=1 (queue active)\n"
    "Apr 20 14:00:03 smtpout postfix/smtp[5005]: 8A1B2C3D4E: to=<gone@outlook.com>, relay=outlook-com.olc.protection.outlook.com[104.47.56.33]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.5.0, status=bounced (host outlook-com.olc.protection.outlook.com[104.47.56.33] said: 550 5.5.0 Requested action not taken: mailbox unavailable. [BN3NAM01FT050.eop-nam01.prod.protection.outlook.com] (in reply to RCPT TO command))\n"
    "Apr 20 14:00:03 smtpout postfix/qmgr[1021]: 8A1B2C3D4E: removed\n";

/* a copy q.test saved from her Outlook.com Junk folder: no log line; our
 * IPs are in its Received chain only */
static const char eml_d[] =
    "Received: from smtpout.rz.uni-potsdam.de (141.89.68.8) by\n"
    " VE1EUR01FT013.mail.protection.outlook.com (10.152.2.121) with Microsoft SMTP\n"
    " Server id 15.1.465.11 via Frontend Transport; Wed, 20 Apr 2016 13:00:04 +0000\n"
    "Received: from n-compro-3.rz.uni-potsdam.de (n-compro-3.rz.uni-potsdam.de [141.89.68.4])\n"
    "\tby smtpout.rz.uni-potsdam.de (Postfix) with ESMTP id 9A1B2C3D4E\n"
    "\tfor <q.test@outlook.de>; Wed, 20 Apr 2016 15:00:02 +0200 (CEST)\n"
    "From: Bibliothek <bibliothek@uni-potsdam.de>\n"
    "To: <q.test@outlook.de>\n"
    "Subject: Leihfrist\n"
    "Date: Wed, 20 Apr 2016 15:00:00 +0200\n"
    "Message-ID: <junk1@uni-potsdam.de>\n"
    "X-Forefront-Antispam-Report: CIP:141.89.68.8;CTRY:DE;LANG:de;SCL:6;SRV:;IPV:NLI;SFV:SPM;"
    "H:smtpout.rz.uni-potsdam.de;PTR:smtpout.rz.uni-potsdam.de;CAT:SPM;DIR:INB;SFP:;\n"
    "\n"
    "Ihre Leihfrist endet bald.\n";

static const char rules_d[] =
    "address,target,keeps_copy,source\n"
    "k.lange@uni-potsdam.de,k.lange@outlook.de,1,mailup: Mirror To (test)\n";

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

static int setup_d(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    md_test_dir(f->dir, sizeof f->dir, "test_analysis_d");
    assert_int_equal(md_test_rmtree(f->dir), 0);
    assert_int_equal(mkdir(f->dir, 0700), 0);
    snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
    md_err err = {0, ""};
    assert_int_equal(md_config_load(&f->cfg, MD_FIXTURES "/maildossier.conf", &err), MD_OK);
    assert_int_equal(md_store_open(&f->st, f->db, 0, &err), MD_OK);
    static const struct { const char *name, *text; } files[] = {
        {"n-mail-2.log", log_d}, {"smtpout.log", log_e}, {"rules.csv", rules_d},
        {"junk1.eml", eml_d}};
    char p[700];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", f->dir, files[i].name);
        write_file(p, files[i].text);
        ingest(f, p);
    }
    *state = f;
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

static int contains_quiet(xmlDoc *doc, const char *expr, const char *needle)
{
    char *s = xpath_str(doc, expr);
    int r = s && strstr(s, needle) != NULL;
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
    assert_true(contains(doc, "/dossier/messages/message[1]/outcome", "not-received"));
    const char *v = "/dossier/messages/message[1]/verdict";
    assert_true(contains(doc, v, "forwarded to anna.schmidt@hotmail.de"));
    assert_true(contains(doc, v, "accepted by Microsoft (250 Queued mail for delivery"));
    assert_true(contains(doc, v, "mx3.hotmail.com, 2016-04-21 16:06) and, per this ticket, not received."));
    assert_false(contains_quiet(doc, "/dossier", "silently filtered"));
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
    assert_string_equal(sum.outcome, "not-received");
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

/* ---- direction and ticket semantics (store of setup_d) ---------------------- */

/* save_ticket: record a ticket's dossier as the command does */
static void save_ticket(fixture *f, const char *number, const char *addr)
{
    const char *a[] = {addr};
    md_analysis_summary sum;
    md_err err = {0, ""};
    xmlDoc *doc = dossier(f, a, 1, 1, &sum);
    md_case_ticket t;
    memset(&t, 0, sizeof t);
    snprintf(t.number, sizeof t.number, "%s", number);
    assert_int_equal(md_analysis_ticket_window(t.number, 14, 1, &t.since, &t.until, &err), MD_OK);
    snprintf(t.summary, sizeof t.summary, "%s", sum.verdict);
    assert_int_equal(md_store_case_ticket_save(f->st, &t, a, 1, sum.ips, sum.nips, NULL, NULL, 0,
                                               &err), MD_OK);
    md_analysis_summary_free(&sum);
    xmlFreeDoc(doc);
}

static xmlDoc *request_of(fixture *f, const char *number)
{
    const char *tk[] = {number};
    xmlDoc *req = NULL;
    md_err err = {0, ""};
    assert_int_equal(md_analysis_request(f->st, &f->cfg, tk, 1, 0, 0, 1462000000, &req, NULL,
                                         NULL, &err), MD_OK);
    assert_int_equal(md_render_validate(req, MD_FIXTURES "/../templates/request.xsd", &err), MD_OK);
    return req;
}

/* a forward that keeps a local copy: delivered here and forwarded; the
 * copy accepted by Microsoft is, per the ticket, not received */
static void test_forward_keeping_copy(void **state)
{
    fixture *f = *state;
    const char *addrs[] = {"k.lange@uni-potsdam.de"};
    xmlDoc *doc = dossier(f, addrs, 1, 1, NULL);
    assert_int_equal(xpath_num(doc, "count(/dossier/messages/message)"), 1);
    const char *v = "/dossier/messages/message[1]/verdict";
    assert_true(contains(doc, v, "Delivered to the local mailbox of k.lange@uni-potsdam.de on "
                                 "mailup.uni-potsdam.de"));
    assert_true(contains(doc, v, "; forwarded to k.lange@outlook.de, keeping a local copy and "
                                 "accepted by Microsoft (250 Queued mail for delivery, "
                                 "mx3.hotmail.com, 2016-04-20 09:00) and, per this ticket, "
                                 "not received."));
    assert_false(contains_quiet(doc, v, "without a local copy"));
    assert_true(contains(doc, "/dossier/messages/message[1]/outcome", "not-received"));
    xmlFreeDoc(doc);
}

/* a message to six people: the dossier of one of them narrates only hers */
static void test_multi_recipient(void **state)
{
    fixture *f = *state;
    const char *addrs[] = {"l.mueller@uni-potsdam.de"};
    xmlDoc *doc = dossier(f, addrs, 1, 1, NULL);
    assert_int_equal(xpath_num(doc, "count(/dossier/messages/message)"), 1);
    const char *v = "/dossier/messages/message[1]/verdict";
    assert_true(contains(doc, v, "Delivered to the local mailbox of l.mueller@uni-potsdam.de"));
    assert_false(contains_quiet(doc, v, "*snip*"));
    assert_false(contains_quiet(doc, v, "Microsoft"));
    assert_false(contains_quiet(doc, v, "deferred"));
    assert_true(contains(doc, "/dossier/messages/message[1]/outcome", "delivered"));
    assert_int_equal(xpath_num(doc, "count(/dossier/messages/message[1]/to)"), 1);
    assert_true(contains(doc, "/dossier/messages/message[1]/to", "l.mueller@uni-potsdam.de"));
    assert_int_equal(xpath_num(doc, "count(/dossier/messages/message[1]/attempts/attempt)"), 1);
    /* others' Microsoft attempts make no IP of ours affected in her dossier */
    assert_int_equal(xpath_num(doc, "count(/dossier/ips/ip)"), 0);
    xmlFreeDoc(doc);
}

/* a ticket address's own mail: accepted is accepted (never 'not
 * received'); an S3140 refusal titles the request as a rejection, with
 * the line naming the IP as its evidence */
static void test_outgoing_and_rejection(void **state)
{
    fixture *f = *state;
    const char *addrs[] = {"p.meyer@uni-potsdam.de"};
    xmlDoc *doc = dossier(f, addrs, 1, 1, NULL);
    assert_int_equal(xpath_num(doc, "count(/dossier/messages/message)"), 2);
    const char *v1 = "/dossier/messages/message[1]/verdict";
    assert_true(contains(doc, v1, "Sent to *snip*@hotmail.com and accepted by Microsoft (250 "
                                  "Queued mail for delivery, InternalId=11111111111111"));
    assert_true(contains(doc, v1, "sent to *snip*@outlook.com, rejected because IP 141.89.68.8 "
                                  "is on Microsoft's block list (5.7.1, S3140)"));
    assert_false(contains_quiet(doc, "/dossier/messages", "not received"));
    assert_true(contains(doc, "/dossier/messages/message[2]/outcome", "accepted"));
    assert_true(contains(doc, "/dossier/messages/message[2]/verdict",
                         "Sent to *snip*@hotmail.com and accepted by Microsoft"));
    assert_int_equal(xpath_num(doc, "count(/dossier/summary/next-step[contains(., 'Junk')])"), 0);
    /* the relay Microsoft named and the webmail in the chain; the accepted
     * message alone makes no IP affected */
    assert_int_equal(xpath_num(doc, "count(/dossier/ips/ip)"), 2);
    assert_int_equal(xpath_num(doc, "count(//ips/ip[address='141.89.68.8'])"), 1);
    assert_int_equal(xpath_num(doc, "count(//ips/ip[address='141.89.68.3'])"), 1);
    assert_int_equal(xpath_num(doc, "count(//ips/ip/evidence/item[message='m2'])"), 0);
    xmlFreeDoc(doc);

    save_ticket(f, "2016042010000501", "p.meyer@uni-potsdam.de");
    xmlDoc *req = request_of(f, "2016042010000501");
    assert_true(contains(req, "/request/title", " is rejected by Outlook.com"));
    assert_false(contains_quiet(req, "/request/title", "accepted"));
    assert_true(contains(req, "/request/ips/ip[address='141.89.68.8']/evidence",
                         "Microsoft named 141.89.68.8 in its reply"));
    assert_true(contains(req, "/request/ips/ip[address='141.89.68.8']/evidence", "(S3140)"));
    assert_false(contains_quiet(req, "/request/ips/ip[address='141.89.68.8']/evidence",
                                "Queued mail"));
    assert_true(contains(req, "/request/problem", "rejected 1 delivery attempt"));
    assert_true(contains(req, "/request/problem", "Per IP: 141.89.68.8: rejected 1 time."));
    assert_false(contains_quiet(req, "/request/problem", "helpdesk tickets"));
    assert_false(contains_quiet(req, "/request/problem", "not received"));
    xmlFreeDoc(req);
}

/* 550 5.5.0 mailbox unavailable is the recipient's problem, not our IPs' */
static void test_recipient_error(void **state)
{
    fixture *f = *state;
    const char *addrs[] = {"r.hoffmann@uni-potsdam.de"};
    xmlDoc *doc = dossier(f, addrs, 1, 1, NULL);
    assert_int_equal(xpath_num(doc, "count(/dossier/messages/message)"), 1);
    assert_true(contains(doc, "/dossier/messages/message[1]/verdict",
                         "Sent to *snip*@outlook.com, refused by Microsoft for the recipient "
                         "(5.5.0: unknown recipient): a recipient error, not a problem of our IPs"));
    assert_true(contains(doc, "/dossier/messages/message[1]/outcome", "bounced"));
    assert_int_equal(xpath_num(doc, "count(/dossier/ips/ip)"), 0);
    assert_int_equal(xpath_num(doc, "count(/dossier/summary/next-step[contains(., 'reputation')])"), 0);
    xmlFreeDoc(doc);

    save_ticket(f, "2016042010000502", "r.hoffmann@uni-potsdam.de");
    xmlDoc *req = request_of(f, "2016042010000502");
    assert_int_equal(xpath_num(req, "count(/request/ips/ip)"), 0);
    assert_int_equal(xpath_num(req, "count(/request/errors/error)"), 0);
    assert_false(contains_quiet(req, "/request/title", "rejected"));
    assert_true(contains(req, "/request/problem", "1 recipient error (unknown recipient, mailbox "
                                                  "full) is not listed"));
    xmlFreeDoc(req);

    /* smtpout's history: 4 attempts to Microsoft that day, 1 failure (S3140);
     * the 5.5.0 is no failure of the IP */
    md_ip_history h;
    md_err err = {0, ""};
    assert_int_equal(md_analysis_ip_history(f->st, &f->cfg, "141.89.68.8", &h, &err), MD_OK);
    uint64_t att = 0, bnc = 0, dfr = 0;
    for (size_t i = 0; i < h.ndays; i++) {
        att += h.days[i].attempts;
        bnc += h.days[i].bounced;
        dfr += h.days[i].deferred;
    }
    assert_int_equal(att, 4);
    assert_int_equal(bnc, 1);
    assert_int_equal(dfr, 0);
    md_analysis_ip_history_free(&h);
}

/* a stored copy with Microsoft's spam verdict: filtered by Microsoft's own
 * word; the IPs of its Received chain (there only) are the affected ones */
static void test_stored_copy_junked(void **state)
{
    fixture *f = *state;
    const char *addrs[] = {"q.test@outlook.de"};
    xmlDoc *doc = dossier(f, addrs, 1, 1, NULL);
    assert_int_equal(xpath_num(doc, "count(/dossier/messages/message)"), 1);
    assert_true(contains(doc, "/dossier/messages/message[1]/outcome", "filtered"));
    assert_true(contains(doc, "/dossier/messages/message[1]/verdict",
                         "A stored copy shows it left through our servers (our IPs in its "
                         "Received chain) and was put in the Junk E-mail folder by Microsoft "
                         "(the stored copy's X-Forefront-Antispam-Report: SFV:SPM, SCL 6); "
                         "no log line of it in the window."));
    assert_int_equal(xpath_num(doc, "count(/dossier/ips/ip)"), 2);
    assert_true(contains(doc, "/dossier/ips/ip[1]/address", "141.89.68.4"));
    assert_true(contains(doc, "/dossier/ips/ip[2]/address", "141.89.68.8"));
    assert_true(contains(doc, "/dossier/ips/ip[1]/evidence", "Received header hop"));
    xmlFreeDoc(doc);

    save_ticket(f, "2016042010000503", "q.test@outlook.de");
    xmlDoc *req = request_of(f, "2016042010000503");
    assert_true(contains(req, "/request/title", " is put in the Junk E-mail folder by Outlook.com"));
    assert_int_equal(xpath_num(req, "count(/request/ips/ip)"), 2);
    assert_true(contains(req, "/request/ips/ip[address='141.89.68.8']/evidence",
                         "from smtpout.rz.uni-potsdam.de [141.89.68.8]"));
    assert_true(contains(req, "/request/problem", "1 message from our servers was put in the "
                                                  "Junk E-mail folder"));
    xmlFreeDoc(req);
}

/* the same deferral for the whole transaction explains the ticket
 * address's outcome: said, without naming the others */
static void test_same_answer_for_all(void **state)
{
    fixture *f = *state;
    const char *addrs[] = {"s.neu@hotmail.de"};
    xmlDoc *doc = dossier(f, addrs, 1, 1, NULL);
    assert_int_equal(xpath_num(doc, "count(/dossier/messages/message)"), 1);
    const char *v = "/dossier/messages/message[1]/verdict";
    assert_true(contains(doc, v, "Sent to s.neu@hotmail.de, deferred by Microsoft for IP "
                                 "reputation (4.7.650, S775) since 2016-04-20 11:00, 1 try, still "
                                 "queued (the same answer for 2 other recipients of the message)."));
    assert_false(contains_quiet(doc, "/dossier/messages/message[1]/verdict", "*snip*"));
    assert_int_equal(xpath_num(doc, "count(/dossier/messages/message[1]/attempts/attempt)"), 1);
    assert_true(contains(doc, "/dossier/messages/message[1]/outcome", "deferred"));
    xmlFreeDoc(doc);
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
    const struct CMUnitTest direction[] = {
        cmocka_unit_test(test_forward_keeping_copy),
        cmocka_unit_test(test_multi_recipient),
        cmocka_unit_test(test_outgoing_and_rejection),
        cmocka_unit_test(test_recipient_error),
        cmocka_unit_test(test_stored_copy_junked),
        cmocka_unit_test(test_same_answer_for_all),
    };
    int failed = cmocka_run_group_tests(tests, setup, teardown);
    return failed + cmocka_run_group_tests(direction, setup_d, teardown);
}
