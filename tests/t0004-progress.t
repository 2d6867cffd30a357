#!/bin/sh
# Progress and the summary of long runs (progress.c, through the record loop):
# off by default off a terminal, forced by --progress, the summary by --summary,
# and on a terminal both by default. wgo-verify is the model program; wgo-issue,
# lifeverify, reconcile, wgo-check, wgo-export and wgo-scan do the same (#14,
# item 4: before, only wgo-push showed progress, and no program said at the end
# what it had read, written and rejected).
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 2
mkdir -p "$WGO_HOME/keys"
cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
cp "$TESTDATA/keys/KHL.sec" "$WGO_HOME/keys/"
chmod 600 "$WGO_HOME/keys/KHL.sec"
# 36 applications make 36 orders; the 37th line is a broken copy of the first.
wgo-issue --date 2025-12-10 "$TESTDATA/applications.jsonl" >orders.jsonl 2>/dev/null
is "$(wc -l <orders.jsonl)" 36 "36 orders to verify"
{ cat orders.jsonl; head -1 orders.jsonl | sed 's/"revision":0/"revision":1/'; } >mixed.jsonl

expect 1 "off a terminal, no progress and no summary by default" \
	wgo-verify -k "$TESTDATA/keys/KHL.pub" -q mixed.jsonl
is "$err" "" "stderr is empty"
expect 1 "--summary alone" wgo-verify -k "$TESTDATA/keys/KHL.pub" -q --summary --rejects fix.jsonl mixed.jsonl
# 37 lines read, 36 good, 1 rejected (its signature no longer holds).
is "$err" "wgo-verify: 37 read, 36 verified, 1 rejected (in fix.jsonl)" "says what was read, done and rejected, and where the rejects went"
expect 0 "--summary with nothing rejected" wgo-verify -k "$TESTDATA/keys/KHL.pub" --summary orders.jsonl
is "$err" "wgo-verify: 36 read, 36 verified, 0 rejected" "no rejects file is named when nothing went to one"
expect 0 "--progress off a terminal" wgo-verify -k "$TESTDATA/keys/KHL.pub" --progress orders.jsonl
# The last progress line is the whole input: 36 orders, 100 per cent; then the summary.
like "$(printf '%s\n' "$err" | tail -2 | head -1)" "^wgo-verify: 36 orders, [0-9,]+/s, 100%$" "the last progress line is the whole input"
is "$(printf '%s\n' "$err" | tail -1)" "wgo-verify: 36 read, 36 verified, 0 rejected" "then the summary"
expect 0 "from a pipe the share is unknown" sh -c "cat orders.jsonl | wgo-verify -k '$TESTDATA/keys/KHL.pub' --progress >/dev/null"
like "$(printf '%s\n' "$err" | head -1)" "^wgo-verify: 36 orders, [0-9,]+/s$" "so no per cent is shown"
expect 0 "--summary with --no-progress" \
	wgo-verify -k "$TESTDATA/keys/KHL.pub" --summary --no-progress orders.jsonl
is "$err" "wgo-verify: 36 read, 36 verified, 0 rejected" "--summary holds with --no-progress"
if command -v script >/dev/null; then
	script -qec "wgo-verify -k '$TESTDATA/keys/KHL.pub' orders.jsonl >/dev/null" /dev/null >tty.out 2>&1
	like "$(tr -d '\r' <tty.out)" "wgo-verify: 36 read, 36 verified, 0 rejected" "on a terminal the summary is shown by default"
	script -qec "wgo-verify --no-progress -k '$TESTDATA/keys/KHL.pub' orders.jsonl >/dev/null" /dev/null >tty2.out 2>&1
	is "$(cat tty2.out)" "" "on a terminal --no-progress shows nothing"
else
	skip "script(1) is not installed"
	skip "script(1) is not installed"
fi

# ---- every long run: wgo-issue, lifeverify, reconcile, wgo-check, wgo-export,
# wgo-scan. The input: the 36 applications and 2 broken lines (a bad routing
# number, and not JSON).
{ cat "$TESTDATA/applications.jsonl"; head -1 "$TESTDATA/applications.jsonl" |
	sed 's/"routing":"200472441"/"routing":"200472442"/'; echo 'not json'; } >apps.jsonl
mkdir -p h2
cp "$TOP/src/etc/wgo.conf.example" h2/wgo.conf
# progress_of PROGRAM ARGS...: it runs silent off a terminal, with --progress its
# last progress line is the whole input (100%), and --summary says SUMMARY ($want).
check_run() {
	_p=$1; shift
	expect "$want_status" "$_p off a terminal" "$@"
	is "$(printf '%s\n' "$err" | grep -c "read, ")" 0 "$_p: no summary by default"
	expect "$want_status" "$_p --summary" "$@" --summary
	is "$(printf '%s\n' "$err" | tail -1)" "$want" "$_p: the summary says what was read, done and rejected"
	expect "$want_status" "$_p --progress" "$@" --progress
	like "$(printf '%s\n' "$err" | grep "^$_p: [0-9,]* [a-z]*, [0-9,]*/s, 100%$" | tail -1)" . \
		"$_p: progress reaches the whole input"
	is "$(printf '%s\n' "$err" | tail -1)" "$want" "$_p: then the summary"
	expect "$want_status" "$_p --no-progress --summary" "$@" --no-progress --summary
	is "$(printf '%s\n' "$err" | tail -1)" "$want" "$_p: --summary holds with --no-progress"
}
# 38 lines: 36 applications issued (by hand: 36 good ones), 2 rejected.
want_status=1 want="wgo-issue: 38 read, 36 issued, 0 printed again from the register, 2 rejected (in fix.jsonl)"
check_run wgo-issue sh -c 'rm -rf h3 && mkdir h3 && cp h2/wgo.conf h3/ &&
	exec wgo-issue --home h3 --no-sign --date 2025-12-10 -q -r fix.jsonl apps.jsonl "$@"' sh
# Run again in the office of the last run: all 36 printed again from the register.
want_status=1 want="wgo-issue: 38 read, 0 issued, 36 printed again from the register, 2 rejected"
check_run wgo-issue wgo-issue --home h3 --no-sign --date 2025-12-10 -q apps.jsonl
wgo-issue --home h3 --reprint >o36.jsonl 2>/dev/null
is "$(wc -l <o36.jsonl)" 36 "36 orders issued in all"
# wgo-check records: 36 valid applications, the 2 broken lines rejected.
want_status=1 want="wgo-check: 38 read, 36 valid, 2 rejected (in fix.jsonl)"
check_run wgo-check wgo-check records -q -r fix.jsonl apps.jsonl
# lifeverify: 36 orders and their 36 verifications read, 36 statuses.
awk -F'"' '{ for (i = 1; i < NF; i++) if ($i == "order_no") { printf "{\"kind\":\"verification\",\"v\":1,\"verification_id\":\"V%d\",\"order_no\":\"%s\",\"date\":\"2025-12-11\",\"branch\":\"200270522\"}\n", NR, $(i + 2); break } }' o36.jsonl >v36.jsonl
want_status=0 want="lifeverify: 72 read, 36 orders, 0 rejected"
check_run lifeverify lifeverify --as-of 2026-01-10 o36.jsonl v36.jsonl
# Due within 14 days of 2026-10-01: every window opens on 2026-10-11.
want_status=0 want="lifeverify: 72 read, 36 orders, 24 due (notices), 0 rejected"
check_run lifeverify lifeverify due --within 14 --notice --as-of 2026-10-01 o36.jsonl v36.jsonl
is "$(wc -l <"$SCRATCH/.out")" 24 "24 notices: the 24 monthly grants (the others are lump sums)"
# reconcile: no payments in the month: 72 records read, nothing paid, and every
# month due in January 2026 (paid by 2026-01-05) missing: one per monthly grant.
want_status=1 want="reconcile: 72 read, 0 payments of 2026-01, 24 discrepancies, 0 rejected"
check_run reconcile reconcile -q --month 2026-01 --as-of 2026-01-31 o36.jsonl v36.jsonl
# wgo-export: 36 orders and 36 verifications, all added.
want_status=0 want="wgo-export: 72 read, 72 added to e.sqlite, 0 held already, 0 rejected"
rm -f e.sqlite
check_run wgo-export sh -c 'rm -f e.sqlite; exec wgo-export -o e.sqlite o36.jsonl v36.jsonl "$@"' sh
# wgo-scan: the same records, as of 2026-01-10.
want_status=0 want="wgo-scan: 72 read, 36 orders, 0 applications, 36 verifications, 0 payments; 0 findings, 0 rejected"
check_run wgo-scan wgo-scan --home h2 --as-of 2026-01-10 --rules paid-twice o36.jsonl v36.jsonl
if command -v script >/dev/null; then
	script -qec "lifeverify --as-of 2026-01-10 o36.jsonl v36.jsonl >/dev/null" /dev/null >tty3.out 2>&1
	like "$(tr -d '\r' <tty3.out)" "lifeverify: 72 read, 36 orders, 0 rejected" "on a terminal lifeverify ends with its summary"
else
	skip "script(1) is not installed"
fi
done_testing
