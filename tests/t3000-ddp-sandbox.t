#!/bin/sh
# ddp-sandbox: every endpoint and error over real HTTP, restarts, the bank's month
# checked line by line, and each injected fault.
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 2
office_home "$SCRATCH/home"
env_of() { _a=$1; _o=$2; shift 2; "$HELPERS/envelope" "$_a" "$_o" "$WGO_HOME/keys/KHL.sec" "$@"; }
post() { # post PATH FILE [TOKEN]: HTTP status in $code, body in $body
	code=$(curl -s -o "$SCRATCH/.body" -w '%{http_code}' -H "Authorization: Bearer ${3:-test-token-KHL}" \
		--data-binary @"$2" "$SB_URL$1")
	body=$(cat "$SCRATCH/.body")
}
head -6 "$TESTDATA/applications.jsonl" | wgo-issue --date 2025-12-10 >orders.jsonl
wgo-push --dry-run orders.jsonl | head -1 >req.json   # a real, signed request

sandbox_start --today 2025-12-10
like "$SB_PORT" '^[0-9]+$' "--port 0 picks a free port and prints it"

# Authentication and envelope errors.
code=$(curl -s -o /dev/null -w '%{http_code}' -d @req.json "$SB_URL/disburse/sync/disburse")
is "$code" 401 "no bearer token: 401"
post /disburse/sync/disburse req.json test-token-wrong
like "$body" '"err.auth.invalid"' "a wrong token: err.auth.invalid"
post /disburse/sync/disburse req.json test-token-DHK
like "$body" '"err.auth.invalid"' "another office's token: refused"
printf '{"header": {' >bad.json
post /disburse/sync/disburse bad.json
is "$code" 400 "malformed JSON: 400"
like "$body" '"status_reason_code":"err.request.bad"' "malformed JSON: err.request.bad"
sed 's/"total_count":6/"total_count":7/' req.json >tampered.json
post /disburse/sync/disburse tampered.json
like "$body" '"err.signature.invalid"' "a changed envelope: err.signature.invalid"
echo '{"transaction_id":"t1","disbursements":[]}' | env_of disburse KHL --ts 2020-01-01T00:00:00Z >stale.json
post /disburse/sync/disburse stale.json
like "$body" '"err.msg_ts.stale"' "an old message_ts: err.msg_ts.stale"
echo '{"transaction_id":"t1","disbursements":[]}' | env_of disburse DHK >dhk.json
post /disburse/sync/disburse dhk.json test-token-DHK
like "$body" '"err.sender.unknown"' "KHL's key signing for DHK: err.sender.unknown"
echo '{"transaction_id":"t1","disbursements":[]}' | env_of returns KHL >wrongaction.json
post /disburse/sync/disburse wrongaction.json
like "$body" 'header.action is not disburse' "the action must match the endpoint"
head -c 17000000 /dev/zero | tr '\0' ' ' >huge.json
post /disburse/sync/disburse huge.json
is "$code" 413 "a body over the limit: 413"
post /disburse/sync/nothing req.json
is "$code" 404 "an unknown endpoint: 404"

# Disbursements: accepted, idempotent, duplicates and item-level rejections.
post /disburse/sync/disburse req.json
is "$code" 200 "a good request: 200"
is "$(printf '%s' "$body" | grep -o '"status":"succ"' | wc -l)" 7 "header and all 6 disbursements succ"
ref1=$(printf '%s' "$body" | grep -o '"bank_ref":"[^"]*"' | head -1)
post /disburse/sync/disburse req.json
like "$body" '"err.message_id.duplicate"' "the same message_id again: err.message_id.duplicate"
wgo-push --dry-run orders.jsonl | head -1 >req2.json
post /disburse/sync/disburse req2.json
is "$(printf '%s' "$body" | grep -o '"bank_ref":"[^"]*"' | head -1)" "$ref1" "the same content under a new message: the same result, no second payment"
is "$(grep -c '"t":"acc"' "$SB/ledger.jsonl")" 6 "the bank holds 6 accepted orders, not 12"
# Other content under a used reference_id.
line1=$(head -1 orders.jsonl)
printf '{"transaction_id":"t2","disbursements":[{"reference_id":"KHL-2025-26-000001-r0","payer_fa":"bkkb:KHL","payee_fa":"%s","amount":"%s","currency_code":"BDT","payee_name":"x","note":"y","locale":"ben","order":%s}]}' \
	"$(printf '%s' "$line1" | sed 's/.*"routing":"\([0-9]*\)","number":"\([0-9]*\)".*/account:\2@\1/')" \
	"$(printf '%s' "$line1" | sed 's/.*"total_poisha":\([0-9]*\)\([0-9][0-9]\),.*/\1.\2/')" "$line1" >one.json
sed 's/"payee_name":"x"/"payee_name":"someone else"/' one.json | env_of disburse KHL >dup.json
post /disburse/sync/disburse dup.json
like "$body" '"rjct.reference_id.duplicate"' "other content under a used reference_id: rjct.reference_id.duplicate"
sed 's/"amount":"[0-9.]*"/"amount":"1.00"/' one.json | sed 's/000001-r0/000001-r5/' | env_of disburse KHL >amt.json
post /disburse/sync/disburse amt.json
like "$body" '"rjct.reference_id.invalid"' "a reference_id that is not the order's: rjct.reference_id.invalid"
sed 's/"total_poisha":[0-9]*/"total_poisha":1/' one.json | env_of disburse KHL >sig.json
post /disburse/sync/disburse sig.json
like "$body" '"rjct.order.signature"' "an order changed after signing: rjct.order.signature"
sed 's/"currency_code":"BDT"/"currency_code":"USD"/; s/"payee_name":"x"/"payee_name":"z"/' one.json | env_of disburse KHL >usd.json
post /disburse/sync/disburse usd.json
like "$body" '"rjct.currency_code.invalid"' "another currency: rjct.currency_code.invalid"
sed 's/account:[0-9]*@[0-9]*/account:12@200270523/; s/"payee_name":"x"/"payee_name":"w"/' one.json | env_of disburse KHL >fa.json
post /disburse/sync/disburse fa.json
like "$body" '"rjct.payee_fa.invalid"' "a bad payee account: rjct.payee_fa.invalid"
like "$body" 'check digit' "naming the routing check digit"

# txn status.
echo '{"reference_ids":["KHL-2025-26-000001-r0","KHL-2025-26-000099-r0"]}' | env_of txn-status KHL --total 2 >st.json
post /disburse/sync/txn/status st.json
like "$body" '"reference_id":"KHL-2025-26-000001-r0"[^}]*"status":"succ"' "txn status: a known reference is succ"
like "$body" '"reference_id":"KHL-2025-26-000099-r0"[^}]*"rjct.reference_id.invalid"' "and an unknown one rjct"

# Life verification at a branch, and the feeds by cursor.
v=$(sb /sandbox/verify '{"order_no":"KHL-2025-26-000001","date":"2025-12-11","branch":"200270522"}')
like "$v" '"kind":"verification"' "a branch records an appearance"
v=$(sb /sandbox/verify '{"order_no":"KHL-2025-26-000999","date":"2025-12-11"}')
like "$v" 'err.order.unknown' "an appearance for no order is refused"
echo '{"cursor":"0","limit":10}' | env_of verifications KHL --total 0 >f.json
post /bank/sync/verifications f.json
like "$body" '"next_cursor":"1","more":false' "the verifications feed pages by cursor"
echo '{"cursor":"1","limit":10}' | env_of verifications KHL --total 0 >f2.json
post /bank/sync/verifications f2.json
like "$body" '"records":\[\]' "from the last cursor: nothing new"
echo '{"cursor":"0"}' | env_of payments KHL --total 0 >p.json
post /bank/sync/payments p.json
like "$body" 'needs month' "the payments feed needs a month"

# Restart: nothing accepted is lost.
sandbox_stop
sandbox_start --today 2025-12-10
is "$(sb /sandbox/state | grep -o '"accepted":[0-9]*')" '"accepted":6' "after a restart the 6 accepted orders are there"
wgo-push --dry-run orders.jsonl | head -1 >req3.json
post /disburse/sync/disburse req3.json
is "$(printf '%s' "$body" | grep -o '"bank_ref":"[^"]*"' | head -1)" "$ref1" "and a resend gets the same result as before"
post /disburse/sync/disburse stale.json
like "$body" 'err.msg_ts.stale' "stale messages are still refused after a restart"

# The bank's month over a scripted population, checked line by line. Holidays:
# none but Fri/Sat. Order 1 (welfare from 2025-04, Tk 2,000 to Aug, 3,000 after)
# verified Thu 2025-12-11: arrears Apr-Nov due 3 working days on, Sun 2025-12-14... 
sandbox_stop
SB=$SCRATCH/sb2 sandbox_start --today 2025-12-10
SB=$SCRATCH/sb2
wgo-push orders.jsonl >/dev/null
sb /sandbox/verify '{"order_no":"KHL-2025-26-000001","date":"2025-12-11"}' >/dev/null
sb /sandbox/verify '{"order_no":"KHL-2025-26-000002","date":"2025-12-21"}' >/dev/null
r=$(sb /sandbox/run-month '{"month":"2025-12"}')
like "$r" '"errors":\{"wrong_amount":0' "the month runs with no errors asked for"
r2=$(sb /sandbox/run-month '{"month":"2025-12"}')
like "$r2" 'err.month.done' "a month runs once"
wgo-pull payments --month 2025-12 | sed 's/"payment_id":"[^"]*",//; s/,"account":{[^}]*}//' >statement
sed -n 1p orders.jsonl | grep -o '"first_month":"[^"]*","last_month":"[^"]*"' >o1.terms
is "$(cat o1.terms)" '"first_month":"2025-04","last_month":"2040-03"' "order 1 runs from April 2025"
expected=$(for m in 04 05 06 07 08 09 10 11; do
	amt=200000; case $m in 09|10|11) amt=300000 ;; esac
	echo "{\"kind\":\"payment\",\"v\":1,\"reference_id\":\"KHL-2025-26-000001-r0\",\"order_no\":\"KHL-2025-26-000001\",\"revision\":0,\"office\":\"KHL\",\"month\":\"2025-$m\",\"amount_poisha\":$amt,\"paid\":\"2025-12-16\"}"
done)
is "$(grep 000001 statement)" "$expected" "order 1: the 8 months of arrears, each at its rate, paid Tue 2025-12-16 (3 working days after Thu 11th)"
o2=$(sed -n 2p orders.jsonl)
case $o2 in
*'"lump_poisha"'*) want_n=1 ;;
*) want_n=$(printf '%s' "$o2" | grep -o '"arrears_months":[0-9]*' | cut -d: -f2) ;;
esac
is "$(grep -c 000002 statement)" "$want_n" "order 2: paid what was due by 3 working days after 2025-12-21"
is "$(grep -c '"paid":"2025-12-24"' statement)" "$want_n" "on Wed 2025-12-24"
is "$(grep -c -v '00000[12]' statement)" 0 "nobody unverified is paid"

# Monthly payments go on while verification is current, and stop when the window
# lapses: order 1, verified 2025-12-11 and never again, is paid for December 2025
# to October 2026 (due 2026-11-03, inside the window that ends 2026-11-10), not
# for November 2026 (due 2026-12-03). An order whose term ends in December 2025
# comes back as a card return in January, by the 15th.
sed -n 10p "$TESTDATA/applications.jsonl" | sed 's/"date":"\(2025-11-[0-9]*\)"}}$/"date":"\1","last_month":"2025-12"}}/' |
	wgo-issue --date 2025-12-10 >short.jsonl
wgo-push short.jsonl >/dev/null
short=$(grep -o '"order_no":"[^"]*"' short.jsonl | cut -d'"' -f4)
sb /sandbox/verify "{\"order_no\":\"$short\",\"date\":\"2025-12-11\"}" >/dev/null
for m in 2026-01 2026-02 2026-03 2026-04 2026-05 2026-06 2026-07 2026-08 2026-09 2026-10 2026-11 2026-12; do
	sb /sandbox/run-month "{\"month\":\"$m\"}" >>runs
	wgo-pull payments --month "$m" >>year
done
is "$(grep "\"order_no\":\"KHL-2025-26-000001\"" year | grep -o '"month":"[^"]*","amount_poisha":[0-9]*,"paid":"[^"]*"' | tr '\n' ' ')" \
'"month":"2025-12","amount_poisha":300000,"paid":"2026-01-05" "month":"2026-01","amount_poisha":300000,"paid":"2026-02-03" "month":"2026-02","amount_poisha":300000,"paid":"2026-03-03" "month":"2026-03","amount_poisha":300000,"paid":"2026-04-05" "month":"2026-04","amount_poisha":300000,"paid":"2026-05-05" "month":"2026-05","amount_poisha":300000,"paid":"2026-06-03" "month":"2026-06","amount_poisha":300000,"paid":"2026-07-05" "month":"2026-07","amount_poisha":300000,"paid":"2026-08-04" "month":"2026-08","amount_poisha":300000,"paid":"2026-09-03" "month":"2026-09","amount_poisha":300000,"paid":"2026-10-05" "month":"2026-10","amount_poisha":300000,"paid":"2026-11-03" ' \
	"order 1: one payment a month on the 3rd working day, October 2026 the last; payment stops when the window lapses"
wgo-pull card-returns >cards
is "$(grep -c . cards)" 1 "one card came back"
like "$(cat cards)" "\"order_no\":\"$short\",\"office\":\"KHL\",\"last_month\":\"2025-12\",\"returned\":\"2026-01-11\"" \
	"the order that ended in December, returned Sun 11 January, by the 15th"

# Verifications by the toolkit's one rule (issue 12, item 12): the same day twice,
# a day before the order was issued (2025-12-10), a day more than a year after the
# bank's date are refused, and nothing is recorded for them.
sandbox_stop
SB=$SCRATCH/sb8 sandbox_start --today 2025-12-10
SB=$SCRATCH/sb8
rm -rf "$WGO_HOME/push" "$WGO_HOME/pull"
wgo-push orders.jsonl >/dev/null
sb /sandbox/verify '{"order_no":"KHL-2025-26-000003","date":"2025-12-11"}' >/dev/null
before=$(grep -c '"feed":"verifications"' "$SB/ledger.jsonl")
v=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer test-token-admin" \
	-d '{"order_no":"KHL-2025-26-000003","date":"2025-12-11"}' "$SB_URL/sandbox/verify")
is "$v" 409 "the same day again: 409"
like "$(sb /sandbox/verify '{"order_no":"KHL-2025-26-000003","date":"2025-12-11"}')" \
	'"err.verification.duplicate".*verified on 2025-12-11 already' "err.verification.duplicate, saying so"
like "$(sb /sandbox/verify '{"order_no":"KHL-2025-26-000003","date":"2025-12-09"}')" \
	'"err.verification.date".*before the order was issued \(2025-12-10\)' "a day before the order was issued: refused"
like "$(sb /sandbox/verify '{"order_no":"KHL-2025-26-000003","date":"2029-12-11"}')" \
	'"err.verification.date".*in the future' "a day years ahead of the bank's date: refused"
is "$(grep -c '"feed":"verifications"' "$SB/ledger.jsonl")" "$before" "none of them is recorded"

# Stops (POST /disburse/sync/stop): a death on 2026-01-20 stops order 3 with January
# 2026 its last month, decided on 2026-02-10. Signed by the office, sent by wgo-push,
# taken once: the same stop again is the same answer; other content for a stopped
# order, a stop signed by nobody the bank knows, a stop of an order it never took,
# are refused.
stop_rec() { # ORDER DATE LAST [REASON]
	printf '{"kind":"stop","v":1,"order_no":"%s","revision":0,"office":"KHL","reason":"%s","date":"%s",%s"last_month":"%s","officer":"DD"}\n' \
		"$1" "${4:-death}" "$2" "$( [ "${4:-death}" = death ] && echo '"death_date":"2026-01-20",')" "$3"
}
stop_rec KHL-2025-26-000003 2026-02-10 2026-01 | "$HELPERS/sign-record" "$WGO_HOME/keys/KHL.sec" >stop.jsonl
expect 0 "wgo-push sends a stop" wgo-push stop.jsonl
like "$out" '^\{"kind":"push","v":1,"order_no":"KHL-2025-26-000003","revision":0,"reference_id":"KHL-2025-26-000003-stop","status":"accepted","bank_ref":"DDP[0-9]{16}","attempts":1,"at":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"\}$' \
	"accepted, with a bank reference"
sref=$(printf '%s' "$out" | grep -o '"bank_ref":"[^"]*"')
is "$(grep -c '"t":"stop"' "$SB/ledger.jsonl")" 1 "the bank's ledger holds it"
expect 0 "the same stop again, forced past the journal" wgo-push --force stop.jsonl
is "$(printf '%s' "$out" | grep -o '"bank_ref":"[^"]*"')" "$sref" "gets the same bank reference"
is "$(grep -c '"t":"stop"' "$SB/ledger.jsonl")" 1 "and the ledger still holds one"
stop_rec KHL-2025-26-000003 2026-02-11 2026-01 | "$HELPERS/sign-record" "$WGO_HOME/keys/KHL.sec" >stop2.jsonl
expect 1 "another stop of the same order" wgo-push stop2.jsonl
like "$out" '"status":"rejected","code":"rjct.reference_id.duplicate"' "is refused: rjct.reference_id.duplicate"
stop_rec KHL-2025-26-000099 2026-02-10 2026-01 | "$HELPERS/sign-record" "$WGO_HOME/keys/KHL.sec" >stop3.jsonl
expect 1 "a stop of an order the bank never took" wgo-push stop3.jsonl
like "$out" '"code":"rjct.order.unknown"' "is refused: rjct.order.unknown"
sed 's/"date":"2026-02-10"/"date":"2026-02-12"/' stop.jsonl >forged.jsonl
printf '{"transaction_id":"t9","stops":[{"reference_id":"KHL-2025-26-000003-stop","stop":%s}]}' "$(cat forged.jsonl)" |
	env_of stop KHL --total 1 >forged.json
post /disburse/sync/stop forged.json
like "$body" '"rjct.stop.signature"' "a stop changed after signing: rjct.stop.signature"
wgo-push --dry-run --keyring "$TESTDATA/keys" stop.jsonl >dry.json
like "$(cat dry.json)" '"action":"stop".*"stops":\[\{"reference_id":"KHL-2025-26-000003-stop","stop":\{"kind":"stop"' \
	"the request: action stop, stops[] of reference_id and the signed stop"

# The bank pays nothing after a stop. Order 3 (first sample after the two above;
# Tk 3,000 a month from September 2025) was verified on 2025-12-11: January 2026 is
# paid on its due date, Tue 2026-02-03, before the board decided; February (due
# Tue 03-03) and after are not. The card comes back in March, when it is due
# (the 15th of the month after the stop's month), naming January as the last month.
for m in 2025-12 2026-01 2026-02 2026-03 2026-04; do
	sb /sandbox/run-month "{\"month\":\"$m\"}" >>stopruns
done
for m in 2025-12 2026-01 2026-02 2026-03 2026-04; do wgo-pull payments --month "$m"; done >stoppay
is "$(grep '"order_no":"KHL-2025-26-000003"' stoppay | grep -o '"month":"2026-0[0-9]","amount_poisha":[0-9]*,"paid":"[^"]*"' | tr '\n' ' ')" \
	'"month":"2026-01","amount_poisha":300000,"paid":"2026-02-03" ' "order 3: January 2026 is its last payment"
like "$(wgo-pull card-returns)" '"order_no":"KHL-2025-26-000003","office":"KHL","last_month":"2026-01","returned":"2026-03-10"' \
	"its card comes back on Tue 2026-03-10, last month January"

# Faults, one at a time.
sandbox_stop
SB=$SCRATCH/sb3 sandbox_start --fail-rate 1 --retry-after 7
code=$(curl -s -o /dev/null -D hdr -w '%{http_code}' -H "Authorization: Bearer test-token-KHL" -d @req.json "$SB_URL/disburse/sync/disburse")
is "$code" 503 "--fail-rate: 503"
like "$(cat hdr)" 'Retry-After: 7' "with Retry-After"
sandbox_stop
SB=$SCRATCH/sb4 sandbox_start --throttle-rate 1 --retry-after 3
code=$(curl -s -o /dev/null -D hdr -w '%{http_code}' -H "Authorization: Bearer test-token-KHL" -d @req.json "$SB_URL/disburse/sync/disburse")
is "$code" 429 "--throttle-rate: 429"
like "$(cat hdr)" 'Retry-After: 3' "with Retry-After"
sandbox_stop
SB=$SCRATCH/sb5 sandbox_start --drop-rate 1
wgo-push --dry-run orders.jsonl | head -1 >req4.json
curl -s -o /dev/null -H "Authorization: Bearer test-token-KHL" -d @req4.json "$SB_URL/disburse/sync/disburse"
is "$?" 52 "--drop-rate: the connection closes with no answer (curl 52)"
is "$(grep -c '"t":"acc"' "$SCRATCH/sb5/ledger.jsonl")" 6 "but the bank handled the request"
sandbox_stop
SB=$SCRATCH/sb6 sandbox_start --truncate-rate 1
curl -s -o /dev/null -H "Authorization: Bearer test-token-KHL" -d @req4.json "$SB_URL/disburse/sync/disburse"
is "$?" 18 "--truncate-rate: the answer is cut short (curl 18)"
sandbox_stop
SB=$SCRATCH/sb7 sandbox_start --slow-rate 1 --latency 200
start=$(date +%s%N)
code=$(curl -s -o slow.out -w '%{http_code}' -H "Authorization: Bearer test-token-KHL" -d @req4.json "$SB_URL/disburse/sync/disburse")
ms=$(( ($(date +%s%N) - start) / 1000000 ))
is "$code" 200 "--slow-rate and --latency: the answer still comes"
ok "after the added latency ($ms ms)" test "$ms" -ge 200
like "$(cat slow.out)" '"completed_count":6' "whole"
like "$(tail -1 "$SCRATCH/sb7/requests.log")" '^\{"ts":"[^"]*","method":"POST","path":"/disburse/sync/disburse","status":200,"sender":"KHL","message_id":"[0-9a-f]{32}","items":6,"fault":"slow","us":[0-9]+\}$' \
	"one JSON line per request in the log"
sandbox_stop

expect 2 "--tls without --cert is a usage error" ddp-sandbox --tls --exit-after 1
expect 0 "--help" ddp-sandbox --help
done_testing
