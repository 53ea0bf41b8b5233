#!/usr/bin/env bash
# bench/match_bench.sh — matching at scale (issue 5, M2; docs/マッチング.md).
#
# 1. A fresh database with MATCH_MEMBERS members (default 50,000: 80 %
#    individuals, 10 % groups, 10 % companies; 1–4 areas of the 19 市町,
#    1–3 weekdays, 0–4 of the 20 fields, some paused / withdrawn /
#    unverified / mail-stopped) and MATCH_RECRUITMENTS recruitments (default
#    20,000; a third 随時, a third open until a future date, a third
#    closed), generated with sqlite3; e-mail addresses encrypted with the
#    data directory's key as pii.c does (python3-cryptography).
# 2. Two recruitments are published through the M2 hook, each in its own
#    transaction, with `civicnet bench-match` (a bench tool): a typical one
#    (2 areas, 土日, 1 field) and the widest possible one (all 19 areas,
#    every weekday, no field). Reported: the time to select the matches,
#    render and sign every mail and enqueue it, and the number of mails.
# 3. `civicnet serve` delivers the outbox to a local SMTP sink (aiosmtpd's
#    Sink handler, Debian's python3-aiosmtpd) with mail_rate_per_minute
#    raised to its maximum so the worker itself is measured: messages/s
#    until the typical recruitment's mails are all sent, and for
#    MATCH_DRAIN_SECONDS (default 30) of the wide one's.
#
# Not part of `make test`; `bench/run.sh --match` runs it. Environment:
# CIVICNET (binary, default build/civicnet), MATCH_MEMBERS,
# MATCH_RECRUITMENTS, MATCH_DRAIN_SECONDS.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${CIVICNET:-build/civicnet}
MEMBERS=${MATCH_MEMBERS:-50000}
RECS=${MATCH_RECRUITMENTS:-20000}
DRAIN=${MATCH_DRAIN_SECONDS:-30}
PY=/usr/bin/python3

die() { echo "match-bench: $*" >&2; exit 1; }
[ -x "$BIN" ] || die "$BIN not found: build it first (make)"
command -v sqlite3 >/dev/null || die "sqlite3 is needed (apt-get install sqlite3)"
"$PY" -c 'import aiosmtpd, cryptography' 2>/dev/null ||
  die "python3-aiosmtpd and python3-cryptography are needed (apt-get install python3-aiosmtpd python3-cryptography)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/civicnet-match-bench.XXXXXX")
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
D=$TMP/data
DB=$D/civicnet.db
q() { sqlite3 -cmd '.timeout 10000' "$DB" "$1"; }

# ---------- data ----------
"$BIN" migrate --data "$D" >/dev/null
t0=$(now)
sqlite3 "$DB" <<SQL
PRAGMA journal_mode=WAL;
BEGIN;
CREATE TEMP TABLE mun AS SELECT row_number() OVER (ORDER BY sort) - 1 AS i, value AS v FROM master_items WHERE list = 'municipality';
CREATE TEMP TABLE wd AS SELECT row_number() OVER (ORDER BY sort) - 1 AS i, value AS v FROM master_items WHERE list = 'weekday';
CREATE TEMP TABLE fl AS SELECT row_number() OVER (ORDER BY sort) - 1 AS i, value AS v FROM master_items WHERE list = 'aika_field';
-- bit masks: AND of random numbers keeps few bits, OR one bit so none is empty
CREATE TEMP TABLE gm AS
WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < $MEMBERS)
SELECT k,
  ((abs(random()) & abs(random()) & abs(random())) % 524288) | (1 << (abs(random()) % 19)) AS am,
  ((abs(random()) & abs(random())) % 128) | (1 << (abs(random()) % 7)) AS wm,
  CASE WHEN abs(random()) % 4 = 0 THEN 0
       ELSE ((abs(random()) & abs(random()) & abs(random())) % 1048576) | (1 << (abs(random()) % 20)) END AS fm
FROM n;
INSERT INTO members(id, kind, display_name, org_name, status, verified_at, wants_join, wants_recruit, mail_stopped,
                    activity_areas, weekdays, fields, municipality, occupation, published_at)
SELECT k,
  CASE k % 10 WHEN 0 THEN 'group' WHEN 1 THEN 'company' ELSE 'individual' END,
  CASE WHEN k % 10 IN (0, 1) THEN 'ベンチ団体' || k ELSE '' END,
  CASE WHEN k % 10 IN (0, 1) THEN 'ベンチ団体' || k ELSE '' END,
  CASE WHEN k % 20 = 3 THEN 'paused' WHEN k % 50 = 7 THEN 'withdrawn' WHEN k % 97 = 5 THEN 'review' ELSE 'published' END,
  CASE WHEN k % 40 = 9 THEN NULL ELSE '2026-01-01T00:00:00Z' END,
  CASE WHEN k % 10 = 0 THEN k % 3 = 0 ELSE 0 END,
  CASE WHEN k % 10 = 0 THEN 1 ELSE 0 END,
  CASE WHEN k % 100 = 11 THEN 1 ELSE 0 END,
  (SELECT group_concat(v, char(10)) FROM mun WHERE (am >> i) & 1),
  (SELECT group_concat(v, char(10)) FROM wd WHERE (wm >> i) & 1),
  coalesce((SELECT group_concat(v, char(10)) FROM fl WHERE (fm >> i) & 1), ''),
  (SELECT v FROM mun WHERE i = k % 19), '会社員', '2026-01-01T00:00:00Z'
FROM gm;
INSERT INTO recruitments(member_id, title, organiser, status, published_at, areas, weekdays, fields, summary,
                         anytime, apply_until, starts_on)
SELECT (abs(random()) % ($MEMBERS / 10) + 1) * 10, 'ベンチ募集' || k, 'ベンチ団体', 'published', '2026-01-01T00:00:00Z',
  (SELECT group_concat(v, char(10)) FROM mun WHERE (am >> i) & 1),
  (SELECT group_concat(v, char(10)) FROM wd WHERE (wm >> i) & 1),
  coalesce((SELECT group_concat(v, char(10)) FROM fl WHERE (fm >> i) & 1), ''),
  '活動内容', k % 3 = 0,
  CASE k % 3 WHEN 1 THEN '2099-12-31' WHEN 2 THEN '2001-01-31' ELSE '' END, '2026-01-01'
FROM gm WHERE k <= $RECS;
DELETE FROM search_queue; -- the bench is not about the search index
COMMIT;
SQL
gen_s=$(secs "$t0" "$(now)")

# ---------- the server (creates the keys), the SMTP sink ----------
SMTP_PORT=$(free_port)
"$PY" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Sink >"$TMP/smtp.log" 2>&1 &
PIDS+=($!)
cat >"$TMP/civicnet.conf" <<CONF
public_url = https://aika.example.jp
centre_address = centre@example.jp
mail_rate_per_minute = 1000000
smtp_url = smtp://127.0.0.1:$SMTP_PORT
CONF
PORT=$(free_port)
CIVICNET_SMTP="smtp://127.0.0.1:$SMTP_PORT" "$BIN" serve --data "$D" --listen "127.0.0.1:$PORT" \
  --config "$TMP/civicnet.conf" >"$TMP/serve.log" 2>&1 &
SERVE_PID=$!
PIDS+=("$SERVE_PID")
for _ in $(seq 200); do
  kill -0 "$SERVE_PID" 2>/dev/null || { cat "$TMP/serve.log" >&2; die "civicnet serve exited"; }
  curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break
  sleep 0.1
done
[ -s "$D/keys/pii.key" ] || die "no personal-data key"

# ---------- e-mail addresses, encrypted like pii.c (AES-256-GCM, column as AAD) ----------
t0=$(now)
"$PY" - "$D" <<'PY'
import base64, os, sqlite3, sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
d = sys.argv[1]
g = AESGCM(open(os.path.join(d, "keys", "pii.key"), "rb").read())
def enc(col, s):
    n = os.urandom(12)
    return "v1:" + base64.urlsafe_b64encode(n + g.encrypt(n, s.encode(), col.encode())).rstrip(b"=").decode()
db = sqlite3.connect(os.path.join(d, "civicnet.db"), timeout=30)
ids = [r[0] for r in db.execute("SELECT id FROM members")]
with db:
    db.executemany("UPDATE members SET email_enc=?, person_name_enc=? WHERE id=?",
                   [(enc("email", f"m{i}@bench.example.jp"), enc("person_name", f"会員 {i}"), i) for i in ids])
PY
enc_s=$(secs "$t0" "$(now)")

# ---------- publish and measure ----------
TYPICAL=$(q "INSERT INTO recruitments(member_id, title, organiser, status, areas, weekdays, fields, summary, anytime)
  VALUES (10, '河川清掃（山口市・防府市／土日）', 'ベンチ団体10', 'published', '山口市' || char(10) || '防府市',
  '土' || char(10) || '日', '環境の保全', '活動内容', 1) RETURNING id")
WIDE=$(q "INSERT INTO recruitments(member_id, title, organiser, status, areas, weekdays, fields, summary, anytime)
  SELECT 20, '県内全域・全曜日の募集', 'ベンチ団体20', 'published',
  (SELECT group_concat(value, char(10)) FROM master_items WHERE list = 'municipality'),
  (SELECT group_concat(value, char(10)) FROM master_items WHERE list = 'weekday'), '', '活動内容', 1 RETURNING id")

sent_count() { q "SELECT count(*) FROM outbox WHERE state = 'sent'"; }
pending() { q "SELECT count(*) FROM outbox WHERE state IN ('queued','sending')"; }

base_sent=$(sent_count)
out1=$("$BIN" bench-match --data "$D" --config "$TMP/civicnet.conf" --recruitment "$TYPICAL")
n1=$(sed -nE 's/.*: ([0-9]+) mails enqueued in ([0-9.]+) ms.*/\1/p' <<<"$out1")
ms1=$(sed -nE 's/.*: ([0-9]+) mails enqueued in ([0-9.]+) ms.*/\2/p' <<<"$out1")
t0=$(now)
for _ in $(seq 6000); do
  [ "$(pending)" = 0 ] && break
  sleep 0.1
done
t1=$(now)
d1=$(secs "$t0" "$t1")
s1=$(( $(sent_count) - base_sent ))
rate1=$(awk -v n="$s1" -v s="$d1" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
failed=$(q "SELECT count(*) FROM outbox WHERE state = 'failed'")

out2=$("$BIN" bench-match --data "$D" --config "$TMP/civicnet.conf" --recruitment "$WIDE")
n2=$(sed -nE 's/.*: ([0-9]+) mails enqueued in ([0-9.]+) ms.*/\1/p' <<<"$out2")
ms2=$(sed -nE 's/.*: ([0-9]+) mails enqueued in ([0-9.]+) ms.*/\2/p' <<<"$out2")
b2=$(sent_count)
t0=$(now)
steps=()
prev=$b2
for _ in $(seq $(( (DRAIN + 4) / 5 ))); do # messages/s per 5-second step
  sleep 5
  cur=$(sent_count)
  steps+=("$(( (cur - prev) / 5 ))")
  prev=$cur
done
s2=$(( $(sent_count) - b2 ))
d2=$(secs "$t0" "$(now)")
rate2=$(awk -v n="$s2" -v s="$d2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
again=$("$BIN" bench-match --data "$D" --config "$TMP/civicnet.conf" --recruitment "$TYPICAL")

eligible=$(q "SELECT count(*) FROM members WHERE status='published' AND verified_at IS NOT NULL AND mail_stopped=0
  AND (kind IN ('individual','company') OR wants_join=1)")
open=$(q "SELECT count(*) FROM recruitments r LEFT JOIN members m ON m.id = r.member_id WHERE
  r.status = 'published' AND (r.member_id IS NULL OR m.status = 'published') AND (r.anytime = 1 OR
  ((r.apply_from = '' OR r.apply_from <= date('now', '+9 hours')) AND coalesce(nullif(r.apply_until, ''),
  nullif(r.ends_on, ''), nullif(r.starts_on, ''), '9999-12-31') >= date('now', '+9 hours')))")

echo
echo "### Matching at scale (M2): $(nproc) cores, $(sqlite3 --version | cut -d' ' -f1) SQLite CLI"
echo
echo "Data: $MEMBERS members ($eligible may receive matching mail: published, verified, not stopped, wanting to join),"
echo "$RECS recruitments ($open open now); generated in $gen_s s, addresses encrypted in $enc_s s;"
echo "database $(du -m "$DB" | cut -f1) MB."
echo
echo "| recruitment published | matching mails enqueued (+1 to the group) | time to match, render, sign and enqueue (one transaction) |"
echo "|---|---:|---:|"
echo "| typical: 山口市・防府市, 土・日, 環境の保全 | $n1 | $ms1 ms |"
echo "| widest: all 19 areas, every weekday, no field | $n2 | $ms2 ms |"
echo
echo "- Delivery to a local SMTP sink (aiosmtpd Sink; one SMTP connection per mail, as the worker does),"
echo "  mail_rate_per_minute lifted: typical recruitment $s1 mails in $d1 s = **$rate1 messages/s**"
echo "  (from enqueue until the outbox was empty, including the worker's ≤ 1 s poll); widest recruitment"
echo "  $s2 mails in the first $d2 s = **$rate2 messages/s** (per 5 s: ${steps[*]}; $(pending) still queued). Failed: $failed."
echo "- With the default mail_rate_per_minute = 120 the worker sends 2 messages/s: the typical"
echo "  recruitment's mails take about $(awk -v n="$n1" 'BEGIN { printf "%.0f", n / 2 / 60 }') minutes, the widest one's about $(awk -v n="$n2" 'BEGIN { printf "%.0f", n / 2 / 60 }') minutes."
echo "- Publishing the typical recruitment again: ${again#*: } (match_mail_log)."
