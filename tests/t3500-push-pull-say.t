#!/bin/sh
# wgo-push and wgo-pull say what happened, and read nothing loosely (#12 items 8,
# 9 and 10): strict cursors on both sides; the endpoint's host as libcurl parses
# it; a refusal of the office is exit 2 in the bank's words; a run that leaves
# orders unsent says how many and why; a summary; --dry-run's exit status; a
# repeated order sent once. And from #14: wgo-pull -o appends only what is new;
# ddp-sandbox's back office as commands, and --port-file. Each failed on main
# (the commit that added this script says how).
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 2
office_home "$SCRATCH/home"
env_of() { _a=$1; shift; "$HELPERS/envelope" "$_a" KHL "$WGO_HOME/keys/KHL.sec" "$@"; }
post() { # post PATH FILE: HTTP status in $code, body in $body
	code=$(curl -s -o "$SCRATCH/.body" -w '%{http_code}' -H "Authorization: Bearer test-token-KHL" \
		--data-binary @"$2" "$SB_URL$1")
	body=$(cat "$SCRATCH/.body")
}
hdr() { printf '%s' "$body" | jq -r ".header.$1 // \"-\""; }
gen_apps 12 3500000 | wgo-issue --date 2025-12-10 >orders.jsonl

sandbox_start --today 2025-12-10 --return-rate 0.5 --seed 3
expect 0 "12 orders pushed" wgo-push orders.jsonl
expect 0 "the returns pulled" wgo-pull returns
nret=$(printf '%s\n' "$out" | grep -c '"kind":"return"')
like "$nret" '^[1-9]' "(some came back: $nret)"

# ---- item 8: cursors, read strictly on both sides. On main the cursor file
# "3junk" read as 3 and "1e5" as 1, and the bank took any cursor up to 2^40, "১"
# and " 1": a hand-edited cursor skipped records, unsaid.
cur=$WGO_HOME/pull/returns.cursor
is "$(cat "$cur")" "$nret" "the cursor file holds the bank's cursor and a newline"
for bad in 3junk 1e5 ' 1' '' '-1' '০'; do
	printf '%s\n' "$bad" >"$cur"
	expect 2 "a cursor file holding '$bad' is an error" wgo-pull returns
	like "$err" "returns.cursor: not a cursor" "naming the file"
	is "$out" "" "and nothing is fetched"
done
printf '%s' 1 >"$cur"
expect 2 "a cursor without its newline is an error too" wgo-pull returns
printf '%s\n' $((nret + 5)) >"$cur"
expect 2 "a hand-edited cursor past the end of the feed" wgo-pull returns
like "$err" 'the bank refused: HTTP 400 err.cursor.invalid: cursor [0-9]+ is past the end of the returns feed' \
	"is refused by the bank, not a silent skip"
is "$out" "" "and nothing is printed"
printf '%s\n' "$nret" >"$cur"
for bad in '১' ' 1' 01 -1 1099511627776 1e2 ''; do
	printf '{"cursor":"%s","limit":5}' "$bad" | env_of returns --total 0 >c.json
	post /bank/sync/returns c.json
	is "$code $(hdr status_reason_code)" "400 err.cursor.invalid" "the bank refuses cursor \"$bad\""
done
echo '{"cursor":3,"limit":5}' | env_of returns --total 0 >c.json
post /bank/sync/returns c.json
is "$code $(hdr status_reason_code)" "400 err.cursor.invalid" "and a cursor that is a number, not a string"
expect 2 "--since takes a cursor's form only" wgo-pull returns --since 1e5

# ---- wgo-pull -o FILE (#14 item 5): appends what is new, never truncates. On
# main -o was --office, and "> file" emptied the file on a second pull.
expect 0 "-o: the returns appended to a file" wgo-pull returns --since 0 -o returns.jsonl
is "$(wc -l <returns.jsonl | tr -d ' ')" "$nret" "all $nret of them"
cp returns.jsonl returns.before
expect 0 "pulled again" wgo-pull returns -o returns.jsonl
ok "nothing new: the file is as it was" cmp returns.jsonl returns.before
expect 0 "from the start again, --since 0" wgo-pull returns --since 0 -o returns.jsonl --summary
ok "what the file holds is not added twice" cmp returns.jsonl returns.before
like "$err" "wgo-pull: $nret fetched, 0 new appended to returns.jsonl, $nret held there already, 0 rejected" "and the summary says so"
printf '{"kind":"return"' >>returns.jsonl
cp returns.jsonl returns.torn
expect 2 "a file whose last line is cut short is not appended to" wgo-pull returns --since 0 -o returns.jsonl
like "$err" "returns.jsonl:$((nret + 1)): the last line is incomplete" "naming its line"
ok "and it is left as it was" cmp returns.jsonl returns.torn
expect 2 "-o KHL, the old --office, is caught" wgo-pull returns -o KHL
like "$err" "-o is the output file; the office asking is --office KHL" "saying so"
ok "no file KHL was made" test ! -e KHL

# ---- item 9: the endpoint's host is the one libcurl connects to. On main
# http://127.0.0.1@10.255.255.1:1 was taken as loopback by its prefix, and the
# token went there unwarned.
expect 2 "a user name in the endpoint is refused" wgo-pull returns --endpoint 'http://127.0.0.1@10.255.255.1:1' --attempts 1
like "$err" 'the host is 10\.255\.255\.1' "naming the host it would have reached"
expect 75 "a host that only begins like loopback" wgo-pull returns --endpoint 'http://127.0.0.1.invalid:1' --attempts 1
like "$err" 'WARNING: bank.endpoint http://127.0.0.1.invalid:1 is plain http to 127.0.0.1.invalid, another machine' \
	"is warned of"
for lo in 'http://localhost:9' 'http://[::1]:9' 'http://127.0.0.2:9' 'http://[::ffff:127.0.0.1]:9'; do
	run wgo-pull returns --endpoint "$lo" --attempts 1
	case $err in *WARNING*) fail "$lo is this machine: no warning" "$err" ;; *) pass "$lo is this machine: no warning" ;; esac
done
expect 2 "a query in the endpoint is refused" wgo-pull returns --endpoint "$SB_URL/?x=1"
expect 2 "so is a URL that is none" wgo-pull returns --endpoint 'http//127.0.0.1'

# ---- item 10: wgo-push says what happened.
rm -rf "$WGO_HOME/push"
gen_apps 10 3510000 | wgo-issue --date 2025-12-10 >ten.jsonl
echo test-token-wrong >wrong.token
chmod 600 wrong.token
before=$(grep -c '"status":401' "$SB/requests.log")
expect 2 "a wrong token: exit 2 (on main: exit 1, every order rejected, nothing said)" \
	wgo-push --token-file wrong.token --batch 2 --concurrency 1 ten.jsonl
like "$err" 'wgo-push: the bank refused the request: HTTP 401 err.auth.invalid: no valid bearer token' \
	"in the bank's words"
like "$err" 'wgo-push: 10 orders not sent: the bank refused the office' "and how many were not sent"
is "$(printf '%s\n' "$out" | grep -c '"status":"failed"')" 10 "each order has its push record: failed"
is "$(printf '%s\n' "$out" | grep -c '"status":"rejected"')" 0 "none of them rejected: the bank never judged them"
is "$(( $(grep -c '"status":401' "$SB/requests.log") - before ))" 1 "one request, then nothing more was sent"
expect 75 "an unreachable bank: exit 75" wgo-push --endpoint http://127.0.0.1:9 --attempts 2 --max-delay 1 ten.jsonl
like "$err" "wgo-push: 10 orders not accepted for now \(http://127.0.0.1:9/disburse/sync/disburse: .*(refused|connect).*\); run again later" \
	"saying how many, and why (on main: silent)"
run wgo-push --endpoint http://127.0.0.1:9 --attempts 1 --progress ten.jsonl
like "$(printf '%s\n' "$err" | tail -1)" '^wgo-push: 10 read, 0 accepted, 0 skipped \(accepted before\), 0 rejected by the bank, 0 not signed by the office \(never sent\), 10 failed for now, 0 repeated \(sent once\), 0 rejected$' \
	"with --progress the last line is the summary, saying what failed"
expect 0 "--summary" wgo-push --summary ten.jsonl
like "$err" '^wgo-push: 10 read, 10 accepted, 0 skipped \(accepted before\), 0 rejected by the bank' "a one-line summary"
run script -qec "wgo-push ten.jsonl >/dev/null" /dev/null
like "$out" 'wgo-push: 10 read, 0 accepted, 10 skipped \(accepted before\)' "on a terminal, the summary unasked"
# --dry-run exits as the page says: 1 when an order would not be sent.
head -1 ten.jsonl | sed 's/"designation":"[^"]*"/"designation":"Tampered"/' >tampered.jsonl
cat tampered.jsonl ten.jsonl >mixed.jsonl
expect 1 "--dry-run with an order whose signature fails: exit 1 (on main: 0)" wgo-push --dry-run mixed.jsonl
like "$err" '^wgo-push: mixed.jsonl:1: signature' "naming it"
is "$(printf '%s\n' "$out" | jq -s 'map(.message.disbursements | length) | add')" 10 "the other 10 are in the requests"
# The same order twice in one input: sent once, one push record.
rm -rf "$WGO_HOME/push"
gen_apps 3 3520000 | wgo-issue --date 2025-12-10 >three.jsonl
{ cat three.jsonl; head -1 three.jsonl; } >twice.jsonl
items_before=$(jq -s 'map(.items // 0) | add' "$SB/requests.log")
expect 0 "an order twice in the input (on main: sent twice, two records)" wgo-push twice.jsonl
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 3 "three push records"
is "$(( $(jq -s 'map(.items // 0) | add' "$SB/requests.log") - items_before ))" 3 "three disbursements sent"
like "$err" "twice.jsonl:4: KHL-[0-9-]+-r0: the same order revision as at line 1: sent once" "reported once"
{ cat three.jsonl; head -1 three.jsonl | sed 's/"designation":"[^"]*"/"designation":"Other"/' |
	"$HELPERS/sign-record" "$WGO_HOME/keys/KHL.sec"; } >other.jsonl
run wgo-push --force other.jsonl
like "$err" 'other.jsonl:4: .*other content under a reference the input holds already \(other.jsonl:1\)' \
	"other content under the same reference: refused here, naming both lines"
sandbox_stop

# ---- ddp-sandbox's back office as commands (#14), and --port-file.
rm -rf "$WGO_HOME/push" "$WGO_HOME/pull"
SB=$SCRATCH/office sandbox_start --today 2025-12-10 --seed 9 --port-file "$SCRATCH/pf"
SB=$SCRATCH/office
like "$(cat pf 2>/dev/null) $SB_PORT" '^([0-9]+) \1$' "--port-file holds the port the sandbox printed"
wgo-push orders.jsonl >/dev/null
no=$(head -1 orders.jsonl | jq -r .order_no)
expect 0 "ddp-sandbox verify, against the running sandbox" ddp-sandbox verify --state "$SB" "$no" 2025-12-11
like "$out" "^\{\"kind\":\"verification\",\"v\":1,\"verification_id\":\"LV[0-9]{16}\",\"order_no\":\"$no\",\"office\":\"KHL\",\"date\":\"2025-12-11\",\"branch\":\"[0-9]{9}\"\}$" \
	"prints the verification record"
expect 1 "the same day again: exit 1" ddp-sandbox verify --state "$SB" "$no" 2025-12-11
like "$err" 'err.verification.duplicate: a duplicate' "in the bank's words"
expect 1 "an order the bank never took" ddp-sandbox verify --state "$SB" KHL-2025-26-999999 2025-12-11
# A branch whose check digit is wrong is refused as a date before the order is:
# both exit 1 (on main the first, err.request.bad, exited 2).
expect 1 "a branch with a wrong check digit: exit 1" ddp-sandbox verify --state "$SB" "$no" 2025-12-12 --branch 200270523
like "$err" 'err.request.bad' "in the bank's words"
expect 1 "a day before the order was issued: exit 1" ddp-sandbox verify --state "$SB" "$no" 2025-12-01
like "$err" 'err.verification.date' "in the bank's words"
# A method holding a terminal escape (the attacker's review): on main the
# sandbox took it, wrote it to its ledger, and then refused that ledger at every
# start. Now it is refused, and nothing of it is written.
expect 1 "a method with a control character: refused" ddp-sandbox verify --state "$SB" "$no" 2025-12-13 --method "$(printf 'x\033[2J')"
like "$err" 'err.request.bad.*method: control character' "naming the field"
is "$(grep -c "$(printf '\033')" "$SB/ledger.jsonl")" 0 "the ledger holds none of it"
expect 0 "simulate" ddp-sandbox simulate --state "$SB" --through 2026-03-31 --late 0.2 --never 0.1
is "$(printf '%s' "$out" | jq -r '[.on_time, .late, .never] | add')" 11 "every order not yet verified is on time, late or never"
# A month the bank cannot run (the attacker's review: 2199-12 and 1900-01 were
# run and recorded as done): refused, exit 1. The bank's date is 2025-12-10.
expect 1 "run-month 2199-12: refused" ddp-sandbox run-month --state "$SB" 2199-12
like "$err" 'err.request.bad.*not within a year ahead' "saying why"
expect 1 "run-month 1900-01: refused" ddp-sandbox run-month --state "$SB" 1900-01
expect 0 "run-month" ddp-sandbox run-month --state "$SB" 2025-12
like "$out" '^\{"month":"2025-12","payments":[0-9]+,' "prints what was paid"
expect 1 "a month runs once" ddp-sandbox run-month --state "$SB" 2025-12
like "$err" 'err.month.done' "saying so"
expect 0 "state" ddp-sandbox state --state "$SB"
is "$(printf '%s' "$out" | jq -c '[.accepted, .months]')" "[12,1]" "counts of what it holds"
wgo-pull verifications >v1.jsonl
sandbox_stop
ok "the port file is gone once the sandbox stops" test ! -e pf
expect 0 "run-month on the state itself, no sandbox serving it" ddp-sandbox run-month --state "$SB" 2026-01
like "$out" '^\{"month":"2026-01","payments":[1-9]' "it pays the month"
SB=$SCRATCH/office sandbox_start --today 2025-12-10 --seed 9
expect 0 "the sandbox, started again, holds it" ddp-sandbox state --state "$SB"
is "$(printf '%s' "$out" | jq -c '[.months, .today]')" '[2,"2025-12-10"]' "two months run"
expect 0 "and pays from it" wgo-pull payments --month 2026-01
like "$(printf '%s\n' "$out" | grep -c '"kind":"payment"')" '^[1-9]' "the January statement"
sandbox_stop
expect 2 "an unknown command" ddp-sandbox pay --state "$SB"
expect 2 "--tls is for serving" ddp-sandbox state --tls --state "$SB"
done_testing
