/* test_store_msg.c: lib/store/store_msg.c: writing a message with hops, auth,
 * antispam, bounce and complaint rows; idempotency by hash; the queries the
 * dossier uses: by address and window, by Message-ID (also bounces and
 * complaints about it), our IPs in a chain, hops by our queue id, bounces
 * naming an IP, bounces for a recipient, complaints by IP, counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ingest/ingest.h"
#include "base/buf.h"
#include "store/store_msg.h"
#include "testutil.h"

static char dbpath[1024];
static md_store *st;

static int setup(void **state)
{
    (void)state;
    st = md_test_store_open(dbpath, sizeof dbpath, "test_store_msg");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    md_test_store_close(st, dbpath);
    return 0;
}

typedef struct col {
    int n;
    char ips[8][MD_IP_STRLEN];
    char hosts[8][64];
    char kinds[8][32];
    int64_t ids[8];
} col;

static int on_msg(void *arg, const md_msg_row *m)
{
    col *c = arg;
    if (c->n < 8) {
        snprintf(c->kinds[c->n], sizeof c->kinds[0], "%s", m->kind);
        c->ids[c->n] = m->id;
    }
    c->n++;
    return 0;
}

static int on_hop(void *arg, const md_msg_hoprow *h)
{
    col *c = arg;
    if (c->n < 8) {
        snprintf(c->ips[c->n], sizeof c->ips[0], "%s", h->ip);
        snprintf(c->hosts[c->n], sizeof c->hosts[0], "%s", h->ours_host);
    }
    c->n++;
    return 0;
}

static int on_dsn(void *arg, const md_msg_dsnrow *d)
{
    col *c = arg;
    if (c->n < 8) {
        snprintf(c->ips[c->n], sizeof c->ips[0], "%s", d->r->named_ip);
        snprintf(c->kinds[c->n], sizeof c->kinds[0], "%s", d->r->reason);
        snprintf(c->hosts[c->n], sizeof c->hosts[0], "%s", d->orig_message_id);
    }
    c->n++;
    return 0;
}

static int on_arf(void *arg, const md_msg_arfrow *r)
{
    col *c = arg;
    if (c->n < 8)
        snprintf(c->ips[c->n], sizeof c->ips[0], "%s", r->a->source_ip);
    c->n++;
    return 0;
}

static void test_write_read(void **state)
{
    (void)state;
    md_err e = {0, ""};
    md_msg_writer *w;
    assert_int_equal(md_store_msg_writer_open(st, &w, &e), MD_OK);
    assert_int_equal(md_store_begin(st, &e), MD_OK);
    md_msg_row r;
    memset(&r, 0, sizeof r);
    r.hash = "h1";
    r.kind = MD_MSGKIND_MESSAGE;
    r.message_id = "m1@uni-potsdam.de";
    r.from_addr = "jdoe@uni-potsdam.de";
    r.subject = "Test";
    r.date = 1461420000;
    r.raw = "From: jdoe@uni-potsdam.de\n\nx\n";
    r.rawlen = strlen(r.raw);
    assert_int_equal(md_store_msg_put(w, &r, &e), 1);
    int64_t id1 = r.id;
    assert_true(id1 > 0);
    /* the same hash again: nothing new, the existing id */
    r.id = 0;
    assert_int_equal(md_store_msg_put(w, &r, &e), 0);
    assert_int_equal(r.id, id1);
    /* ... packed (as the parse thread puts it: inserted at once, nothing
     * done for a stored hash) and without raw bytes, the same */
    md_msg_pack *pk;
    md_buf z = MD_BUF_INIT;
    assert_int_equal(md_store_msg_pack_open(&pk, &e), MD_OK);
    md_msg_row pr = r;
    assert_int_equal(md_store_msg_pack(pk, &pr, &z), MD_OK);
    pr.raw_codec = 1; /* packed or not (too short to shrink), taken as packed */
    pr.id = 0;
    assert_int_equal(md_store_msg_put(w, &pr, &e), 0);
    assert_int_equal(pr.id, id1);
    pr.raw = NULL;
    pr.rawlen = 0;
    pr.id = 0;
    assert_int_equal(md_store_msg_put(w, &pr, &e), 0);
    assert_int_equal(pr.id, id1);
    md_store_msg_pack_close(pk);
    md_buf_free(&z);
    assert_int_equal(md_store_msg_addr_put(w, id1, "jdoe@uni-potsdam.de", MD_MSGADDR_FROM, &e), MD_OK);
    assert_int_equal(md_store_msg_addr_put(w, id1, "jdoe@outlook.de", MD_MSGADDR_TO, &e), MD_OK);
    assert_int_equal(md_store_msg_addr_put(w, id1, "jdoe@outlook.de", MD_MSGADDR_TO, &e), MD_OK);
    md_hop h;
    md_received_parse_one(&h, "from n-mail-2 (cl-mail [141.89.68.1]) by ironout with ESMTP id 2A1B; Sat, 23 Apr 2016 16:10:02 +0200");
    h.index = 1;
    assert_int_equal(md_store_msg_hop_put(w, id1, &h, MD_IPCLASS_OURS, "cl-mail", &e), MD_OK);
    md_received_parse_one(&h, "from ironout (ironout [141.89.68.7]) by x.outlook.com with SMTP id 15.1.465.11; Sat, 23 Apr 2016 14:10:04 +0000");
    h.index = 2;
    assert_int_equal(md_store_msg_hop_put(w, id1, &h, MD_IPCLASS_OURS, "ironout", &e), MD_OK);
    md_received_parse_one(&h, "from x.outlook.com (10.1.1.1) by y.outlook.com; Sat, 23 Apr 2016 14:10:05 +0000");
    h.index = 3;
    assert_int_equal(md_store_msg_hop_put(w, id1, &h, MD_IPCLASS_MICROSOFT, NULL, &e), MD_OK);
    md_received_parse_one(&h, "from n-mail-2 (cl-mail [141.89.68.1]) by ironout2; Sat, 23 Apr 2016 14:10:06 +0000");
    h.index = 4; /* the same IP twice: reported once */
    assert_int_equal(md_store_msg_hop_put(w, id1, &h, MD_IPCLASS_OURS, "cl-mail", &e), MD_OK);
    md_authres ar;
    md_authres_parse(&ar, "x.example; spf=pass smtp.mailfrom=uni-potsdam.de; compauth=pass reason=100");
    for (size_t i = 0; i < ar.n; i++)
        assert_int_equal(md_store_msg_auth_put(w, id1, "Authentication-Results", ar.authserv, &ar.item[i], &e), MD_OK);
    md_msantispam as;
    md_msantispam_init(&as);
    md_msantispam_parse_fields(&as, "X-Forefront-Antispam-Report", "CIP:141.89.68.7;SFV:SPM;SCL:5;");
    as.org_scl = 5;
    assert_int_equal(md_store_msg_antispam_put(w, id1, &as, &e), MD_OK);

    /* a bounce about m1 naming 141.89.68.7 */
    memset(&r, 0, sizeof r);
    r.hash = "h2";
    r.kind = MD_MSGKIND_DSN;
    r.message_id = "b1@n-mail-2";
    r.date = 1461420500;
    assert_int_equal(md_store_msg_put(w, &r, &e), 1);
    int64_t id2 = r.id;
    md_dsn *d = calloc(1, sizeof *d);
    d->kind = MD_DSN_RFC3464;
    snprintf(d->orig_message_id, sizeof d->orig_message_id, "m1@uni-potsdam.de");
    d->n = 1;
    snprintf(d->rcpt[0].final_rcpt, sizeof d->rcpt[0].final_rcpt, "jdoe@outlook.de");
    snprintf(d->rcpt[0].diag, sizeof d->rcpt[0].diag, "550 5.7.1 messages from [141.89.68.7] weren't sent (S3150)");
    md_dsn_classify(&d->rcpt[0]);
    assert_int_equal(md_store_msg_dsn_put(w, id2, d, &e), MD_OK);
    assert_int_equal(md_store_msg_addr_put(w, id2, "jdoe@outlook.de", MD_MSGADDR_FINAL_RCPT, &e), MD_OK);
    free(d);
    /* a complaint */
    memset(&r, 0, sizeof r);
    r.hash = "h3";
    r.kind = MD_MSGKIND_ARF;
    r.date = 1461571000;
    assert_int_equal(md_store_msg_put(w, &r, &e), 1);
    md_arf a;
    memset(&a, 0, sizeof a);
    a.form = MD_ARF_JMRP_LEGACY;
    snprintf(a.source_ip, sizeof a.source_ip, "141.89.68.7");
    snprintf(a.orig_message_id, sizeof a.orig_message_id, "m1@uni-potsdam.de");
    a.arrival_date = 1461420600;
    assert_int_equal(md_store_msg_arf_put(w, r.id, &a, &e), MD_OK);
    assert_int_equal(md_store_msg_set_kind(w, r.id, MD_MSGKIND_ARF, &e), MD_OK);
    assert_int_equal(md_store_commit(st, &e), MD_OK);
    md_store_msg_writer_close(w);

    col c;
    memset(&c, 0, sizeof c);
    assert_int_equal(md_store_msg_by_addr(st, "jdoe@outlook.de", 0, 0, on_msg, &c, &e), MD_OK);
    assert_int_equal(c.n, 2); /* the message (To) and the bounce (Final-Recipient) */
    assert_string_equal(c.kinds[0], "message");
    assert_string_equal(c.kinds[1], "dsn");
    memset(&c, 0, sizeof c);
    assert_int_equal(md_store_msg_by_addr(st, "jdoe@outlook.de", 1461420100, 0, on_msg, &c, &e), MD_OK);
    assert_int_equal(c.n, 1);
    memset(&c, 0, sizeof c);
    assert_int_equal(md_store_msg_by_addr(st, "nobody@x", 0, 0, on_msg, &c, &e), MD_OK);
    assert_int_equal(c.n, 0);
    memset(&c, 0, sizeof c);
    assert_int_equal(md_store_msg_by_msgid(st, "m1@uni-potsdam.de", on_msg, &c, &e), MD_OK);
    assert_int_equal(c.n, 3); /* the message, its bounce, the complaint about it */
    memset(&c, 0, sizeof c);
    assert_int_equal(md_store_msg_our_ips(st, id1, on_hop, &c, &e), MD_OK);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.ips[0], "141.89.68.1");
    assert_string_equal(c.hosts[0], "cl-mail");
    assert_string_equal(c.ips[1], "141.89.68.7");
    memset(&c, 0, sizeof c);
    assert_int_equal(md_store_msg_hops(st, id1, on_hop, &c, &e), MD_OK);
    assert_int_equal(c.n, 4);
    memset(&c, 0, sizeof c);
    assert_int_equal(md_store_msg_hops_by_qid(st, "2A1B", on_hop, &c, &e), MD_OK);
    assert_int_equal(c.n, 1);
    memset(&c, 0, sizeof c);
    assert_int_equal(md_store_msg_bounces_naming_ip(st, "141.89.68.7", on_dsn, &c, &e), MD_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.kinds[0], "blocked");
    assert_string_equal(c.hosts[0], "m1@uni-potsdam.de");
    memset(&c, 0, sizeof c);
    assert_int_equal(md_store_msg_bounces_naming_ip(st, "141.89.68.8", on_dsn, &c, &e), MD_OK);
    assert_int_equal(c.n, 0);
    memset(&c, 0, sizeof c);
    assert_int_equal(md_store_msg_bounces_for(st, "jdoe@outlook.de", 0, 0, on_dsn, &c, &e), MD_OK);
    assert_int_equal(c.n, 1);
    memset(&c, 0, sizeof c);
    assert_int_equal(md_store_msg_dsns(st, id2, on_dsn, &c, &e), MD_OK);
    assert_int_equal(c.n, 1);
    memset(&c, 0, sizeof c);
    assert_int_equal(md_store_msg_complaints(st, "141.89.68.7", 0, 0, on_arf, &c, &e), MD_OK);
    assert_int_equal(c.n, 1);
    memset(&c, 0, sizeof c);
    assert_int_equal(md_store_msg_complaints(st, NULL, 1461420700, 0, on_arf, &c, &e), MD_OK);
    assert_int_equal(c.n, 0);
    memset(&c, 0, sizeof c);
    assert_int_equal(md_store_msg_get(st, id1, on_msg, &c, &e), MD_OK);
    assert_int_equal(c.n, 1);
    int64_t nm, nb, nc;
    assert_int_equal(md_store_msg_count(st, &nm, &nb, &nc, &e), MD_OK);
    assert_int_equal(nm, 3);
    assert_int_equal(nb, 1);
    assert_int_equal(nc, 1);
}

/* raw messages: a short one stays as it is, a long one is compressed; both
 * come back byte for byte; a damaged frame is an error, not a crash.  The
 * authentication results come back in header order, then the antispam
 * fields. */
typedef struct rawcap {
    md_buf b;
    int n;
} rawcap;

static int on_raw(void *arg, const md_msg_row *r)
{
    rawcap *c = arg;
    md_buf_reset(&c->b);
    md_buf_append(&c->b, r->raw, r->rawlen);
    c->n++;
    return 0;
}

static int on_auth_row(void *arg, const md_msg_authrow *a)
{
    md_buf *b = arg;
    md_buf_printf(b, "%s=%s;", a->method, a->result);
    return 0;
}

static void test_raw_and_auth(void **state)
{
    (void)state;
    md_err e = {0, ""};
    md_msg_writer *w;
    assert_int_equal(md_store_msg_writer_open(st, &w, &e), MD_OK);
    assert_int_equal(md_store_begin(st, &e), MD_OK);
    md_buf big = MD_BUF_INIT;
    md_buf_puts(&big, "From: jdoe@uni-potsdam.de\r\nSubject: long\r\n\r\n");
    for (int i = 0; i < 2000; i++)
        md_buf_printf(&big, "line %d of a long and repetitive body\r\n", i);
    const char *small = "From: a@b.example\n\nx\n";
    md_msg_row r;
    int64_t ids[2];
    for (int k = 0; k < 2; k++) {
        memset(&r, 0, sizeof r);
        r.hash = k ? "raw-big" : "raw-small";
        r.kind = MD_MSGKIND_MESSAGE;
        r.raw = k ? md_buf_cstr(&big) : small;
        r.rawlen = k ? big.len : strlen(small);
        assert_int_equal(md_store_msg_put(w, &r, &e), 1);
        ids[k] = r.id;
    }
    md_authres ar;
    md_authres_parse(&ar, "x.example; spf=pass smtp.mailfrom=uni-potsdam.de; dkim=none");
    for (size_t i = 0; i < ar.n; i++)
        assert_int_equal(md_store_msg_auth_put(w, ids[1], "Authentication-Results", ar.authserv,
                                               &ar.item[i], &e), MD_OK);
    md_msantispam as;
    md_msantispam_init(&as);
    md_msantispam_parse_fields(&as, "X-Forefront-Antispam-Report", "SFV:SPM;SCL:5;BCL:0;");
    assert_int_equal(md_store_msg_antispam_put(w, ids[1], &as, &e), MD_OK);
    assert_int_equal(md_store_commit(st, &e), MD_OK);
    md_store_msg_writer_close(w);

    rawcap c = {MD_BUF_INIT, 0};
    assert_int_equal(md_store_msg_get(st, ids[0], on_raw, &c, &e), MD_OK);
    assert_int_equal(c.b.len, strlen(small));
    assert_memory_equal(c.b.data, small, c.b.len);
    assert_int_equal(md_store_msg_get(st, ids[1], on_raw, &c, &e), MD_OK);
    assert_int_equal(c.b.len, big.len);
    assert_memory_equal(c.b.data, big.data, big.len);
    /* compressed: the stored blob is much smaller than the message */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(md_store_path(st), &db), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT length(raw), raw_codec FROM msg WHERE hash = 'raw-big'",
                                        -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_true((size_t)sqlite3_column_int64(q, 0) * 4 < big.len);
    assert_int_equal(sqlite3_column_int(q, 1), 1);
    sqlite3_finalize(q);
    /* damage the frame: reading it fails with the store named */
    assert_int_equal(sqlite3_exec(db, "UPDATE msg SET raw = substr(raw, 1, 20) WHERE hash = 'raw-big'",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(md_store_msg_get(st, ids[1], on_raw, &c, &e), MD_ERR_DB);
    assert_non_null(strstr(e.msg, "damaged"));

    md_buf au = MD_BUF_INIT;
    assert_int_equal(md_store_msg_auths(st, ids[1], on_auth_row, &au, &e), MD_OK);
    assert_string_equal(md_buf_cstr(&au), "spf=pass;dkim=none;scl=5;sfv=SPM;bcl=0;");
    md_buf_free(&au);
    md_buf_free(&c.b);
    md_buf_free(&big);
}

/* the writer's source lookup: created once (complete, with its progress),
 * then found (path updated, progress kept) */
static void test_sources(void **state)
{
    (void)state;
    md_msg_writer *w;
    md_err e = {0, ""};
    md_source a, b;
    int created;
    assert_int_equal(md_store_msg_writer_open(st, &w, &e), MD_OK);
    assert_int_equal(md_store_begin(st, &e), MD_OK);
    assert_int_equal(md_store_msg_source_take(w, "fp1", "message", "a.eml", 3, 40, &a, &created,
                                              &e), MD_OK);
    assert_int_equal(created, 1);
    assert_int_equal(a.complete, 1);
    assert_int_equal(a.bytes_done, 40);
    assert_string_equal(a.kind, "message");
    assert_int_equal(md_store_msg_source_take(w, "fp1", "message", "b.eml", 5, 50, &b, &created,
                                              &e), MD_OK);
    assert_int_equal(created, 0);
    assert_int_equal(b.id, a.id);
    assert_int_equal(b.complete, 1);
    assert_int_equal(b.lines_done, 3);
    assert_int_equal(b.bytes_done, 40);
    assert_int_equal(md_store_msg_source_progress(w, a.id, 4, 44, 0, &e), MD_OK);
    assert_int_equal(md_store_msg_source_take(w, "fp1", "message", "b.eml", 5, 50, &b, &created,
                                              &e), MD_OK);
    assert_int_equal(b.complete, 0);
    assert_int_equal(b.bytes_done, 44);
    assert_int_equal(md_store_msg_source_take(w, "fp2", "message", "c.eml", 1, 2, &b, &created,
                                              &e), MD_OK);
    assert_int_equal(created, 1);
    assert_true(b.id != a.id);
    assert_int_equal(md_store_commit(st, &e), MD_OK);
    /* rolled back: the new source is gone with its messages */
    assert_int_equal(md_store_begin(st, &e), MD_OK);
    assert_int_equal(md_store_msg_source_take(w, "fp3", "message", "d.eml", 1, 2, &b, &created,
                                              &e), MD_OK);
    assert_int_equal(created, 1);
    md_store_rollback(st);
    assert_int_equal(md_store_begin(st, &e), MD_OK);
    assert_int_equal(md_store_msg_source_take(w, "fp3", "message", "d.eml", 1, 2, &b, &created,
                                              &e), MD_OK);
    assert_int_equal(created, 1);
    assert_int_equal(md_store_commit(st, &e), MD_OK);
    md_store_msg_writer_close(w);
    char path[64];
    assert_int_equal(md_store_source_path(st, a.id, path, sizeof path, &e), MD_OK);
    assert_string_equal(path, "b.eml");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_and_auth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sources, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
