#!/usr/bin/env bash
# store_digest.sh DB: the logical content of a store, one sorted line per
# row, with row ids replaced by natural keys (a log message is host, queue
# id and first time; a source its fingerprint), so that two stores filled
# in different runs or orders compare equal exactly when they hold the
# same evidence.  Log blocks (how raw lines were packed) are left out;
# the lines each message refers to are kept.  For tests only: the product
# reads the store through lib/store*.c alone.
set -euo pipefail
db=$1
q() { sqlite3 -batch -noheader -separator '|' "file:$db?mode=ro" "$1" | LC_ALL=C sort; }
M="(SELECT h.name || '/' || m.qid || '/' || m.t_first FROM log_msg m JOIN log_host h ON h.id = m.host_id WHERE m.id ="
S="(SELECT fingerprint FROM source WHERE id ="
echo "== source"
q "SELECT fingerprint, kind, lines_done, bytes_done, complete FROM source"
echo "== log_span"
q "SELECT $S s.source_id), h.name, fmt, lines, t_first, t_last FROM log_span s JOIN log_host h ON h.id = s.host_id"
echo "== log_hour"
q "SELECT $S s.source_id), h.name, hour, lines, t_first, t_last FROM log_hour s JOIN log_host h ON h.id = s.host_id"
echo "== log_msg"
q "SELECT $M m.id), fmt, flags, open, sender, msgid, client_host, client_ip, size, nrcpt, $S m.source_id), hex(lines) FROM log_msg m"
echo "== log_dlv"
q "SELECT $M d.msg_id), t, rcpt, orig_to, relay_host, relay_ip, dsn, status, outcome, reply, reason, named_ip, internal_id, quoted_msgid, new_qid, ms, $S d.source_id), lineno FROM log_dlv d"
echo "== log_link"
q "SELECT $M l.from_msg), $M l.to_msg), kind, t, to_host, to_qid, why FROM log_link l"
echo "== log_key"
q "SELECT k.h, $M k.msg_id) FROM log_key k"
echo "== log_cand"
q "SELECT $M c.msg_id) FROM log_cand c"
G="(SELECT hash FROM msg WHERE id ="
echo "== msg"
q "SELECT hash, $S source_id), kind, message_id, from_addr, from_text, to_text, subject, date, flags, size, antispam, headers, length(raw) FROM msg"
echo "== msg_ev"
q "SELECT $G msg_id), hex(hops), hex(auth) FROM msg_ev"
echo "== msg_addr"
q "SELECT addr, role, $G msg_id) FROM msg_addr"
echo "== msg_dsn"
q "SELECT $G msg_id), idx, vendor, reporting_mta, arrival, orig_message_id, final_rcpt, orig_rcpt, action, status, status_from_text, reply_code, remote_mta, diag, last_attempt, reason, hard, microsoft, named_ip, ms_bracket FROM msg_dsn"
echo "== msg_arf"
q "SELECT $G msg_id), form, feedback_type, source_ip, orig_message_id, orig_rcpt_to, arrival FROM msg_arf"
echo "== msg_antispam"
q "SELECT $G msg_id), cip, scl, sfv, fields FROM msg_antispam"
echo "== rule"
q "SELECT f.origin, f.kind, f.owner, f.nrules, f.nerrors, r.kind, r.address, r.target, r.ttype, r.keeps_copy, r.condition, r.note, r.file, r.line FROM rule_file f LEFT JOIN rule r ON r.origin = f.origin"
echo "== rep_dmarc"
q "SELECT p.org_key, p.report_id, p.date_begin, p.date_end, p.records, p.messages, $S p.source_id), r.source_ip, r.count, r.disposition, r.dkim, r.spf, (SELECT count(*) FROM rep_dmarc_auth a WHERE a.record = r.id) FROM rep_dmarc_report p LEFT JOIN rep_dmarc_record r ON r.report = p.id"
echo "== rep_snds"
q "SELECT ip, act_start, act_end, rcpt, data, filter, complaint, trap_hits, $S source_id), line FROM rep_snds"
q "SELECT first_ip, last_ip, blocked, reason, $S source_id), line FROM rep_snds_status"
echo "== case_answer"
q "SELECT ip, outcome, date, $G msg_row), message_id, ref FROM case_answer"
