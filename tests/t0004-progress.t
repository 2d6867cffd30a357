#!/bin/sh
# Progress and the summary of long runs (progress.c, through the record loop):
# off by default off a terminal, forced by --progress, the summary by --summary,
# and on a terminal both by default. wgo-verify is the model program.
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
done_testing
