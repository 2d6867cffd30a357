#!/bin/sh
# wgo-push and wgo-pull against the sandbox: every fault alone and together,
# kill -9 at many points, permissions, TLS, and the correction loop end to end.
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 2
office_home "$SCRATCH/home"
refs_once() { # every accepted reference exactly once in the bank's ledger
	grep -o '"t":"acc","ref":"[^"]*"' "$1/ledger.jsonl" | sort | uniq -d | wc -l
}
wgo-issue --date 2025-12-10 "$TESTDATA/applications.jsonl" >orders.jsonl
gen_apps 300 7000000 | wgo-issue --date 2025-12-10 >many.jsonl

sandbox_start --today 2025-12-10
expect 0 "36 orders are pushed" wgo-push orders.jsonl
printf '%s\n' "$out" >pushed.jsonl
is "$(grep -c '"status":"accepted"' pushed.jsonl)" 36 "all accepted"
is "$(grep -o '"order_no":"[^"]*"' pushed.jsonl | tr '\n' ' ')" "$(grep -o '"order_no":"[^"]*"' orders.jsonl | tr '\n' ' ')" \
	"push records come in input order"
like "$(head -1 pushed.jsonl)" '^\{"kind":"push","v":1,"order_no":"KHL-2025-26-000001","revision":0,"reference_id":"KHL-2025-26-000001-r0","status":"accepted","bank_ref":"DDP[0-9]+","attempts":1,"at":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"\}$' \
	"a push record"
# Every push record says when the bank answered, with no clock fixed (on main only
# --now or SOURCE_DATE_EPOCH gave "at", so wgo-track never told an order sent).
is "$(grep -c '"at":"' pushed.jsonl)" 36 "every push record says when (at)"
expect 0 "pushed again" wgo-push orders.jsonl
is "$(printf '%s\n' "$out" | grep -c '"status":"skipped"')" 36 "everything is skipped: the journal knows"
expect 0 "--force sends again" wgo-push --force orders.jsonl
is "$(printf '%s\n' "$out" | grep -o '"bank_ref":"[^"]*"' | tr '\n' ' ')" "$(grep -o '"bank_ref":"[^"]*"' pushed.jsonl | tr '\n' ' ')" \
	"and the bank answers as before"
is "$(bank_accepted "$SB")" 36 "the bank holds each order once"

# A dry run prints the requests, signed, and sends nothing.
expect 0 "--dry-run" wgo-push --dry-run --batch 10 many.jsonl
is "$(printf '%s\n' "$out" | wc -l)" 30 "300 orders in batches of 10: 30 requests"
like "$(printf '%s\n' "$out" | head -1)" '^\{"signature":"[A-Za-z0-9+/=]+","header":\{"version":"1.0.0","message_id":"[0-9a-f]{32}"' "each a signed envelope"
is "$(bank_accepted "$SB")" 36 "nothing was sent"

# A rejection is final: never retried.
head -1 "$TESTDATA/applications.jsonl" | sed 's/"nid":"[0-9]*"/"nid":"1111111111111"/' | wgo-issue --date 2025-12-10 >r0.jsonl
no=$(grep -o '"order_no":"[^"]*"' r0.jsonl | cut -d'"' -f4)
echo "{\"kind\":\"correction\",\"v\":1,\"order_no\":\"$no\",\"reason\":\"test\",\"changes\":{\"account\":{\"name\":\"R. KHATUN\"}}}" |
	wgo-issue --amend --date 2025-12-11 >r1.jsonl
wgo-push r1.jsonl >/dev/null
expect 1 "revision 0 after revision 1: rejected, exit 1" wgo-push r0.jsonl
like "$out" '"status":"rejected","code":"rjct.revision.superseded","message":"revision 1 of this order is in force","attempts":1' \
	"with the bank's code, after one attempt"

# An order whose signature does not verify is never sent.
sed 's/"designation":"[^"]*"/"designation":"Tampered"/' r0.jsonl >bad.jsonl
ok "(the order was changed)" sh -c '! cmp -s r0.jsonl bad.jsonl'

before=$(bank_accepted "$SB")
expect 1 "a tampered order is refused locally" wgo-push bad.jsonl
like "$out" '"status":"rejected","code":"local.order.signature"' "as local.order.signature"
is "$(bank_accepted "$SB")" "$before" "and not sent"
sandbox_stop

# Each fault alone, then all together: everything arrives, each order once.
n=0
for fault in "--fail-rate 0.4" "--throttle-rate 0.4" "--drop-rate 0.3" "--truncate-rate 0.3" \
	"--slow-rate 0.5" "--latency 30" \
	"--fail-rate 0.1 --throttle-rate 0.1 --drop-rate 0.1 --truncate-rate 0.1 --slow-rate 0.1 --latency 10"; do
	n=$((n + 1))
	SB=$SCRATCH/f$n sandbox_start --today 2025-12-10 --retry-after 1 --seed $n $fault
	SB=$SCRATCH/f$n
	rm -rf "$WGO_HOME/push"
	expect 0 "with $fault: pushed" wgo-push --batch 20 --concurrency 6 --max-delay 2 --attempts 30 many.jsonl
	is "$(printf '%s\n' "$out" | grep -c '"status":"accepted"')" 300 "with $fault: all 300 accepted"
	is "$(bank_accepted "$SB")" 300 "with $fault: the bank holds 300"
	is "$(refs_once "$SB")" 0 "with $fault: none twice"
	sandbox_stop
done
like "$(cat "$SCRATCH/f1/requests.log" | grep -c '"status":503')" '^[1-9]' "the 503s happened"
like "$(cat "$SCRATCH/f3/requests.log" | grep -c '"fault":"drop"')" '^[1-9]' "the drops happened"

# A failure that outlasts the attempts: failed, exit 75; later, the rest goes.
SB=$SCRATCH/down sandbox_start --today 2025-12-10 --fail-rate 1
SB=$SCRATCH/down
rm -rf "$WGO_HOME/push"
expect 75 "the bank down: exit 75" wgo-push --attempts 2 --max-delay 1 orders.jsonl
like "$(printf '%s\n' "$out" | head -1)" '"status":"failed","code":"err.transient","message":"HTTP 503 err.server.unavailable: the bank is busy; try again","attempts":2' \
	"failed, with attempts and the last error"
sandbox_stop
SB=$SCRATCH/down sandbox_start --today 2025-12-10
expect 0 "run again once the bank is back" wgo-push orders.jsonl
is "$(printf '%s\n' "$out" | grep -c '"status":"accepted"')" 36 "all accepted"
sandbox_stop

# kill -9 at 24 points, each in a run with work still to do; each rerun finishes
# the rest; the bank holds every order revision exactly once.
SB=$SCRATCH/kill sandbox_start --today 2025-12-10 --latency 80
SB=$SCRATCH/kill
rm -rf "$WGO_HOME/push"
kills=0; reruns=0
for i in $(seq 1 24); do
	gen_apps 80 $((8000000 + i * 1000)) | wgo-issue --date 2025-12-10 >"round$i.jsonl"
	cat "round$i.jsonl" >>big.jsonl
	push_killed "round$i.jsonl" "rerun$i.jsonl" $i
done
diag "killed $kills of 24 runs mid-way"
ok "at least 20 runs were killed mid-way" test "$kills" -ge 20
is "$reruns" 24 "every rerun finished with exit 0"
is "$(cat rerun*.jsonl | grep -c '"status":"accepted"\|"status":"skipped"')" 1920 "every order accepted, now or before"
like "$(cat rerun*.jsonl | grep -c '"status":"skipped"')" '^[1-9]' "reruns skipped what was accepted before the kill"
is "$(bank_accepted "$SB")" 1920 "the bank holds each of the 1920 revisions"
is "$(refs_once "$SB")" 0 "exactly once"
sandbox_stop

# The journal: a damaged line stops the run; a torn last line is set aside.
j=$WGO_HOME/push/journal.jsonl
cp "$j" journal.good
sed -i '3s/"bank_ref":"DDP/"bank_ref":"XDP/' "$j"
expect 2 "a damaged journal is not trusted" wgo-push orders.jsonl
like "$err" 'journal.jsonl:3: damaged: its check does not match its content' "and says where"
cp journal.good "$j"
printf '{"ref":"KHL-2025-26-0000' >>"$j"
SB=$SCRATCH/kill sandbox_start --today 2025-12-10
expect 0 "a torn last line is set aside" wgo-push big.jsonl
like "$err" 'journal.jsonl: an incomplete last line of 24 bytes .* was moved to .*journal.jsonl.torn' "with a warning"
is "$(cat "$j.torn")" '{"ref":"KHL-2025-26-0000' "the torn bytes are kept in journal.jsonl.torn"
sandbox_stop

# Secrets: a token or key file others can read is refused.
SB=$SCRATCH/perm sandbox_start --today 2025-12-10
chmod 644 "$WGO_HOME/token"
expect 2 "a token file readable by others is refused" wgo-push orders.jsonl
like "$err" 'token: readable by group or others \(mode 0644\)' "naming it"
chmod 600 "$WGO_HOME/token"
chmod 640 "$WGO_HOME/keys/KHL.sec"
expect 2 "a key file readable by the group is refused" wgo-push orders.jsonl
is "$err" "wgo-push: $WGO_HOME/keys/KHL.sec: readable by group or others (mode 0640): chmod 600 it" "naming it and the mode"
is "$out" "" "and nothing is pushed"
chmod 600 "$WGO_HOME/keys/KHL.sec"
if grep -q test-token-KHL "$SB/requests.log" "$WGO_HOME/push/journal.jsonl" 2>/dev/null; then
	fail "the token appears in no log"
else
	pass "the token appears in no log"
fi
sandbox_stop

# TLS with a CA made here: an untrusted certificate is refused; a client
# certificate is needed when the bank asks for one.
mkdir tls
(cd tls && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
	-days 2 -subj /CN=test-ca 2>/dev/null &&
 openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 2>/dev/null &&
 printf 'subjectAltName=IP:127.0.0.1\n' >ext &&
 openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile ext 2>/dev/null &&
 openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout cli.key -out cli.csr -subj /CN=KHL 2>/dev/null &&
 openssl x509 -req -in cli.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out cli.pem -days 2 2>/dev/null)
SB=$SCRATCH/tls-sb sandbox_start --today 2025-12-10 --tls --cert tls/srv.pem --key tls/srv.key --client-ca tls/ca.pem
SB=$SCRATCH/tls-sb
TURL=https://127.0.0.1:$SB_PORT
rm -rf "$WGO_HOME/push"
expect 2 "a certificate the client does not trust stops it" wgo-push --endpoint "$TURL" orders.jsonl
like "$err" 'SSL certificate problem' "with curl's reason"
echo "bank.ca_file = $SCRATCH/tls/ca.pem" >>"$WGO_HOME/wgo.conf"
expect 2 "trusted, but with no client certificate: refused, an operational error" wgo-push --endpoint "$TURL" orders.jsonl
like "$out" '"code":"err.tls.client_certificate"' "err.tls.client_certificate"
printf 'bank.cert = %s/tls/cli.pem\nbank.cert_key = %s/tls/cli.key\n' "$SCRATCH" "$SCRATCH" >>"$WGO_HOME/wgo.conf"
expect 0 "with a client certificate: accepted" wgo-push --endpoint "$TURL" orders.jsonl
is "$(printf '%s\n' "$out" | grep -c '"status":"accepted"')" 36 "all 36 orders"
sb_tls() { curl -s --cacert tls/ca.pem --cert tls/cli.pem --key tls/cli.key -H "Authorization: Bearer test-token-admin" -d "$2" "$TURL$1"; }
sb_tls /sandbox/verify "{\"order_no\":\"$(grep -o '"order_no":"[^"]*"' orders.jsonl | head -1 | cut -d'"' -f4)\",\"date\":\"2025-12-11\"}" >/dev/null
expect 0 "wgo-pull over TLS too" wgo-pull verifications --endpoint "$TURL"
is "$(printf '%s\n' "$out" | grep -c '"kind":"verification"')" 1 "it brings the one verification made there"
sandbox_stop
grep -v '^bank.ca_file\|^bank.cert' "$WGO_HOME/wgo.conf" >c && mv c "$WGO_HOME/wgo.conf"

# The correction loop: AC01 back, an amended revision, accepted; the statement
# pays the corrected account, never both revisions.
SB=$SCRATCH/loop sandbox_start --today 2025-12-10 --return-rate 0.3 --seed 7
SB=$SCRATCH/loop
rm -rf "$WGO_HOME/push" "$WGO_HOME/pull"
wgo-push orders.jsonl >/dev/null
expect 0 "wgo-pull returns" wgo-pull returns
printf '%s\n' "$out" >returns.jsonl
# Which orders come back, worked out by python from ddp-sandbox(1)'s rule: those
# whose BLAKE2b-64 of the seed (8 bytes, little-endian), "return" and the
# reference id, its top 53 bits over 2^53, is below the rate.
returned_refs() { # SEED RATE REF...
	python3 - "$@" <<'PY'
import hashlib, struct, sys
seed, rate = int(sys.argv[1]), float(sys.argv[2])
for ref in sys.argv[3:]:
    h = hashlib.blake2b(struct.pack('<Q', seed) + b'return' + ref.encode(), digest_size=8).digest()
    if (int.from_bytes(h, 'big') >> 11) / 2.0**53 < rate:
        print(ref)
PY
}
# shellcheck disable=SC2046
returned_refs 7 0.3 $(grep -o '"order_no":"[^"]*"' orders.jsonl | cut -d'"' -f4 | sed 's/$/-r0/') >want.refs
like "$(wc -l <want.refs)" '^[1-9]' "(python says some of the 36 come back: $(wc -l <want.refs | tr -d ' '))"
is "$(grep -o '"reference_id":"[^"]*"' returns.jsonl | cut -d'"' -f4)" "$(cat want.refs)" "exactly those orders came back"
expect 0 "a second pull gives nothing new" wgo-pull returns
is "$out" "" "(the cursor moved)"
expect 0 "--since 0 gives them again" wgo-pull returns --since 0
is "$(printf '%s\n' "$out" | wc -l)" "$(wc -l <returns.jsonl)" "all of them"
grep -o '"order_no":"[^"]*"' returns.jsonl | cut -d'"' -f4 | while read -r no; do
	echo "{\"kind\":\"correction\",\"v\":1,\"order_no\":\"$no\",\"reason\":\"returned by the bank\",\"code\":\"AC01\",\"changes\":{\"account\":{\"number\":\"5550001112223\"}}}"
done >fix.jsonl
expect 0 "corrections issue revision 1" wgo-issue --amend --date 2025-12-14 fix.jsonl
printf '%s\n' "$out" >rev1.jsonl
expect 0 "and push" wgo-push rev1.jsonl
is "$(printf '%s\n' "$out" | grep -c '"revision":1,"reference_id":"[^"]*-r1","status":"accepted"')" "$(wc -l <fix.jsonl)" \
	"the bank accepts revision 1 of each returned order"
for no in $(grep -o '"order_no":"[^"]*"' fix.jsonl | cut -d'"' -f4); do
	sb /sandbox/verify "{\"order_no\":\"$no\",\"date\":\"2025-12-15\"}" >/dev/null
done
sb /sandbox/run-month '{"month":"2025-12"}' >/dev/null
wgo-pull payments --month 2025-12 >pay.jsonl
r1returned=$(wgo-pull returns | grep -c . || true)
bad=0; paid1=0
for no in $(grep -o '"order_no":"[^"]*"' fix.jsonl | cut -d'"' -f4); do
	grep -q "\"reference_id\":\"$no-r0\"" pay.jsonl && bad=$((bad + 1))
	grep "\"reference_id\":\"$no-r1\"" pay.jsonl | grep -q '"number":"5550001112223"' && paid1=$((paid1 + 1))
done
is "$bad" 0 "no returned revision 0 is paid"
# shellcheck disable=SC2046
again=$(returned_refs 7 0.3 $(grep -o '"order_no":"[^"]*"' fix.jsonl | cut -d'"' -f4 | sed 's/$/-r1/') | wc -l | tr -d ' ')
is "$r1returned" "$again" "the revisions 1 that came back again are those python says ($again)"
is "$paid1" "$(( $(wc -l <fix.jsonl) - again ))" "every other revision 1 is paid into the corrected account"
expect 2 "payments needs --month" wgo-pull payments
sandbox_stop
expect 75 "the bank unreachable: exit 75" wgo-pull returns --attempts 1 --endpoint http://127.0.0.1:9
like "$err" '^wgo-pull: .*127\.0\.0\.1.*(Connection refused|Couldn.t connect)' "saying it could not connect"
is "$out" "" "and printing nothing"
expect 0 "--help" wgo-push --help
expect 0 "--help" wgo-pull --help
done_testing
