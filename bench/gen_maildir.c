/* gen_maildir.c: benchmark helper for the message path.
 *
 *   gen_maildir -n COUNT [-s SEED] DIR   write a Maildir (DIR/cur, new, tmp) of
 *       COUNT seeded, realistic messages of the scenario: mail relayed through
 *       our hosts to Outlook.com with 3-7 Received hops and Microsoft's
 *       antispam headers (90%), sendmail/Postfix bounces with Microsoft texts
 *       (8%), JMRP complaints (2%).
 *   gen_maildir -P DIR                   parse (md_message_parse + Received
 *       chain + bounce/complaint readers) every file below DIR/cur and DIR/new
 *       in memory, without storing, and print messages/s.
 *
 * Not a test; called by bench/run_msg.sh.  Prints to stdout/stderr (it is a
 * program, not the library).
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "parse/arf.h"
#include "parse/dsn.h"
#include "parse/message.h"
#include "parse/msantispam.h"
#include "parse/received.h"
#include "base/text.h"

static uint64_t rng;
static uint32_t rnd(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng >> 33);
}

static const char *const ours[][2] = {
    {"webmail-1.rz.uni-potsdam.de", "141.89.68.3"}, {"n-compro-3.rz.uni-potsdam.de", "141.89.68.4"},
    {"n-mail-2.rz.uni-potsdam.de", "141.89.68.1"},  {"smtpout.rz.uni-potsdam.de", "141.89.68.8"},
};
static const char *const users[] = {"anna.schmidt", "lena.schulz", "jdoe", "k.weber", "j.fischer",
                                    "p.meyer", "newsletter", "studsek"};
static const char *const ms_dom[] = {"hotmail.de", "outlook.de", "outlook.com", "live.de", "hotmail.com"};

static void date(char *dst, size_t n, time_t t)
{
    md_text_time_utc(dst, n, (int64_t)t, "%a, %d %b %Y %H:%M:%S +0000", "");
}

static void plain(FILE *fp, unsigned i, time_t t)
{
    char d[64];
    const char *u = users[rnd() % 8], *to = users[rnd() % 8], *dom = ms_dom[rnd() % 5];
    int hops = 1 + (int)(rnd() % 3);
    date(d, sizeof d, t + 3 + hops);
    fprintf(fp, "Received: from DB5EUR01HT0%02u.eop-EUR01.prod.protection.outlook.com (10.152.5.%u) by "
                "AM4PR0101MB2%03u.eurprd01.prod.exchangelabs.com with HTTPS via AM4PR0701CA00%02u; %s\n",
            rnd() % 99, rnd() % 250, rnd() % 999, rnd() % 99, d);
    date(d, sizeof d, t + 2 + hops);
    fprintf(fp, "Received: from ironout.rz.uni-potsdam.de (141.89.68.7) by VE1EUR01FT0%02u.mail.protection."
                "outlook.com (10.152.2.%u) with Microsoft SMTP Server id 15.1.465.11 via Frontend Transport; %s\n",
            rnd() % 99, rnd() % 250, d);
    for (int h = hops; h > 0; h--) {
        int k = (int)(rnd() % 4);
        date(d, sizeof d, t + h);
        fprintf(fp, "Received: from %s (%s [%s])\n\tby %s with ESMTP id u3NE%04uX%06u\n\tfor <%s@%s>; %s\n",
                ours[k][0], ours[k][0], ours[k][1], h == 1 ? "n-mail-2.rz.uni-potsdam.de" : "ironout.rz.uni-potsdam.de",
                rnd() % 10000, i, to, dom, d);
    }
    date(d, sizeof d, t);
    fprintf(fp, "Authentication-Results: spf=pass (sender IP is 141.89.68.7) smtp.mailfrom=uni-potsdam.de; "
                "%s; dkim=none (message not signed) header.d=none;%s; dmarc=none action=none "
                "header.from=uni-potsdam.de;compauth=pass reason=100\n", dom, dom);
    fprintf(fp, "X-Forefront-Antispam-Report: CIP:141.89.68.7;CTRY:DE;LANG:de;SCL:%u;SRV:;IPV:NLI;SFV:%s;"
                "H:ironout.rz.uni-potsdam.de;PTR:ironout.rz.uni-potsdam.de;CAT:NONE;SFTY:;SFS:(98901004);DIR:INB;SFP:;\n",
            rnd() % 2 ? 1 : 5, rnd() % 2 ? "NSPM" : "SPM");
    fprintf(fp, "X-Microsoft-Antispam: BCL:0;\nFrom: %s <%s@uni-potsdam.de>\nTo: <%s@%s>\n"
                "Subject: =?utf-8?q?Nachricht_Nr=2E_%u_f=C3=BCr_Sie?=\nDate: %s\n"
                "Message-ID: <%u.%u@uni-potsdam.de>\nMIME-Version: 1.0\n"
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n",
            u, u, to, dom, i, d, i, rnd());
    for (int l = 0; l < 8 + (int)(rnd() % 20); l++)
        fprintf(fp, "Zeile %d der Nachricht %u mit etwas Text, wie ihn Menschen schreiben.\n", l, i);
}

static void bounce(FILE *fp, unsigned i, time_t t)
{
    char d[64];
    const char *to = users[rnd() % 8], *dom = ms_dom[rnd() % 5];
    static const char *const diag[] = {
        "550 5.7.1 Unfortunately, messages from [141.89.68.7] weren't sent. Please contact your Internet "
        "service provider since part of their network is on our block list (S3150).",
        "550 5.7.606 Access denied, banned sending IP [141.89.68.8]. To request removal from this list please "
        "visit https://sender.office.com/ [AM5EUR02FT047.eop-EUR02.prod.protection.outlook.com 2016-04-23T14:12:01.123Z 08D36B6A1F2C3D4E]",
        "451 4.7.650 The mail server [141.89.68.7] has been temporarily rate limited due to IP reputation. (S775)",
        "550 5.5.0 Requested action not taken: mailbox unavailable.",
    };
    int k = (int)(rnd() % 4);
    date(d, sizeof d, t);
    fprintf(fp, "Return-Path: <>\nReceived: from localhost (localhost)\n\tby n-mail-2.rz.uni-potsdam.de "
                "(8.14.4/8.14.4) id u3NB%06u; %s\nDate: %s\nFrom: Mail Delivery Subsystem "
                "<MAILER-DAEMON@n-mail-2.rz.uni-potsdam.de>\nMessage-Id: <b%u@n-mail-2.rz.uni-potsdam.de>\n"
                "To: <%s@uni-potsdam.de>\nMIME-Version: 1.0\nContent-Type: multipart/report; "
                "report-type=delivery-status;\n\tboundary=\"B%u\"\nSubject: Returned mail: see transcript for details\n\n"
                "--B%u\n\n   ----- The following addresses had permanent fatal errors -----\n<%s@%s>\n"
                "    (reason: %s)\n\n--B%u\nContent-Type: message/delivery-status\n\n"
                "Reporting-MTA: dns; n-mail-2.rz.uni-potsdam.de\nArrival-Date: %s\n\n"
                "Final-Recipient: RFC822; %s@%s\nAction: %s\nStatus: %s\nRemote-MTA: DNS; mx3.hotmail.com\n"
                "Diagnostic-Code: SMTP; %s\n\n--B%u\nContent-Type: text/rfc822-headers\n\n"
                "Received: from webmail-1.rz.uni-potsdam.de (webmail-1.rz.uni-potsdam.de [141.89.68.3])\n"
                "\tby n-mail-2.rz.uni-potsdam.de with ESMTP id u3NO%06u; %s\nFrom: %s@uni-potsdam.de\n"
                "To: %s@%s\nMessage-ID: <o%u@uni-potsdam.de>\nSubject: x\n\n--B%u--\n",
            i, d, d, i, to, i, i, to, dom, diag[k], i, d, to, dom, k == 2 ? "delayed" : "failed",
            k == 0 ? "5.7.1" : k == 1 ? "5.7.606" : k == 2 ? "4.7.650" : "5.5.0", diag[k], i, i, d, to,
            to, dom, i, i);
}

static void complaint(FILE *fp, unsigned i, time_t t)
{
    char d[64];
    date(d, sizeof d, t);
    fprintf(fp, "From: staff@hotmail.com\nTo: postmaster@uni-potsdam.de\nSubject: complaint about message "
                "from 141.89.68.%u\nDate: %s\nMessage-ID: <jmrp%u@hotmail.com>\nMIME-Version: 1.0\n"
                "Content-Type: multipart/mixed; boundary=\"J%u\"\n\n--J%u\nContent-Type: message/rfc822\n\n"
                "X-HmXmrOriginalRecipient: <u%u@hotmail.de>\nReceived: from ironout.rz.uni-potsdam.de "
                "([141.89.68.7]) by BAY004-MC1F5.hotmail.com with Microsoft SMTPSVC(7.5.7601.23143); %s\n"
                "From: newsletter@uni-potsdam.de\nTo: u%u@hotmail.de\nMessage-ID: <n%u@uni-potsdam.de>\n"
                "Subject: Newsletter\n\nText\n--J%u--\n",
            rnd() % 2 ? 7 : 8, d, i, i, i, i, d, i, i, i);
}

static int generate(const char *dir, unsigned n, unsigned seed)
{
    char p[4096];
    rng = seed;
    const char *subs[] = {"", "/cur", "/new", "/tmp"};
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", dir, subs[i]);
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            perror(p);
            return 1;
        }
    }
    time_t t0 = 1461160800; /* 2016-04-20 14:00 UTC */
    for (unsigned i = 0; i < n; i++) {
        time_t t = t0 + (time_t)i * 6;
        snprintf(p, sizeof p, "%s/%s/%ld.M%uP%u.mailup,S=0%s", dir, i % 5 ? "cur" : "new", (long)t, i,
                 rnd() % 100000, i % 5 ? ":2,S" : "");
        FILE *fp = fopen(p, "w");
        if (!fp) {
            perror(p);
            return 1;
        }
        unsigned k = rnd() % 100;
        if (k < 90)
            plain(fp, i, t);
        else if (k < 98)
            bounce(fp, i, t);
        else
            complaint(fp, i, t);
        fclose(fp);
    }
    return 0;
}

static unsigned long parsed, failed;
static double bytes;

static void parse_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    static char buf[1 << 20];
    static md_dsn dsn;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        FILE *fp = fopen(p, "rb");
        if (!fp)
            continue;
        size_t n = fread(buf, 1, sizeof buf, fp);
        fclose(fp);
        bytes += (double)n;
        md_message *m = NULL;
        md_err e;
        if (md_message_parse(&m, buf, n, &e) != MD_OK) {
            failed++;
            continue;
        }
        md_received rc;
        if (md_received_chain(&rc, m, &e) == MD_OK)
            md_received_free(&rc);
        md_arf a;
        md_msantispam as;
        md_msantispam_from_message(&as, m);
        if (!md_arf_parse(&a, m))
            md_dsn_parse(&dsn, m);
        md_message_free(m);
        parsed++;
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    unsigned n = 0, seed = 42;
    int parse = 0, c;
    while ((c = getopt(argc, argv, "n:s:P")) != -1) {
        switch (c) {
        case 'n': n = (unsigned)strtoul(optarg, NULL, 10); break;
        case 's': seed = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'P': parse = 1; break;
        default: goto usage;
        }
    }
    if (optind != argc - 1 || (!parse && !n))
        goto usage;
    if (!parse)
        return generate(argv[optind], n, seed);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    char p[4096];
    snprintf(p, sizeof p, "%s/cur", argv[optind]);
    parse_dir(p);
    snprintf(p, sizeof p, "%s/new", argv[optind]);
    parse_dir(p);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    printf("parsed %lu messages (%.1f MB, %lu not messages) in %.2f s: %.0f messages/s\n", parsed,
           bytes / 1e6, failed, s, s > 0 ? (double)parsed / s : 0.0);
    return 0;
usage:
    fprintf(stderr, "usage: gen_maildir -n COUNT [-s SEED] DIR | gen_maildir -P DIR\n");
    return 2;
}
