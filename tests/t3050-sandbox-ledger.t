#!/bin/sh
# ddp-sandbox's ledger in the store: a second sandbox on one state directory
# refuses to start (#12 item 4); a damaged ledger stops the start with exit 2
# naming the line, never a crash (#12 item 5); an order in it that no longer
# verifies is damage too (#19 item 2); a torn last line is set aside.
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 2
office_home "$SCRATCH/home"
head -3 "$TESTDATA/applications.jsonl" | wgo-issue --date 2025-12-10 >orders.jsonl

start() { # DIR: ddp-sandbox on DIR in the foreground, stopping at once if it starts
	run ddp-sandbox --state "$1" --port 0 --keyring "$TESTDATA/keys" --today 2025-12-10 --exit-after 1
}

sandbox_start --today 2025-12-10
expect 0 "three orders pushed" wgo-push orders.jsonl
sb /sandbox/verify '{"order_no":"KHL-2025-26-000001","date":"2026-01-05"}' >/dev/null
sb /sandbox/run-month '{"month":"2026-01"}' >/dev/null

# ---- #12 item 4: on main, the second sandbox started too.
start "$SB"
is "$status" 2 "a second sandbox on the same state refuses to start"
like "$err" "$SB/lock: locked by process $SB_PID: it is in use by another ddp-sandbox on this state directory" \
	"saying which process holds it"
ok "the first goes on" kill -0 "$SB_PID"
sandbox_stop
cp "$SB/ledger.jsonl" ledger.good
n=$(grep -c . ledger.good)
ok "the ledger has acceptances, messages, feeds and a month" \
	sh -c "grep -q '\"t\":\"acc\"' ledger.good && grep -q '\"t\":\"msg\"' ledger.good && grep -q '\"t\":\"feed\"' ledger.good && grep -q '\"t\":\"month\"' ledger.good"

# ---- #12 item 5: on main, {"t":"acc"} and its kind gave a segfault at start-up.
damaged() { # DESC LINE PATTERN: the ledger with LINE after its 2nd line
	{ sed -n 1,2p ledger.good; printf '%s\n' "$2"; sed -n '3,$p' ledger.good; } >"$SB/ledger.jsonl"
	start "$SB"
	if [ "$crashed" = 0 ] && [ "$status" = 2 ] && printf '%s\n' "$err" | grep -Eq -- "$3"; then
		pass "a damaged ledger: $1: exit 2, naming line 3"
	else
		fail "a damaged ledger: $1" "status $status (crashed: $crashed)" "$err"
	fi
}
damaged 'a line without its check' '{"t":"acc"}' 'ledger.jsonl:3: damaged: the line does not end with its check'
for l in '{"t":"acc"}' '{"t":"msg"}' '{"t":"feed"}' '{"t":"month"}' '{"t":"feed","feed":"payments","rec":{"kind":"payment","v":1}}' \
	'{"t":"acc","ref":"x","hash":"0123456789abcdef0123456789abcdef","bank_ref":"DDP1","date":"2025-12-10","order":{}}' '{"x":1}'; do
	damaged "$l, its check made good" "$(printf '%s\n' "$l" | seal)" 'ledger.jsonl:3: damaged: [a-z._]+: '
done
# An accepted order edited in the ledger, its line's check made good: its
# signature no longer holds.
sed -n 1,2p ledger.good >"$SB/ledger.jsonl"
sed -n 3p ledger.good | unseal >line3
grep -q '"t":"acc"' line3 || sed -n '/"t":"acc"/{p;q}' ledger.good | unseal >line3
sed 's/"number":"[0-9]*"/"number":"1111111111111"/' line3 | seal >>"$SB/ledger.jsonl"
start "$SB"
is "$status" 2 "an accepted order edited in the ledger stops the start"
like "$err" 'ledger.jsonl:3: damaged: order.signature: does not verify' "naming the line and the field"
sed -n 3p ledger.good | sed 's/"bank_ref":"DDP/"bank_ref":"DDQ/' >"$SB/ledger.jsonl"
start "$SB"
like "$err" 'ledger.jsonl:1: damaged: its check does not match' "an edit that left the check is found by it"

# ---- a torn last line: set aside, said, and the rest kept
cp ledger.good "$SB/ledger.jsonl"
printf '{"t":"msg","id":"00' >>"$SB/ledger.jsonl"
SB=$SB sandbox_start --today 2025-12-10
ok "a torn last line does not stop the start" kill -0 "$SB_PID"
like "$(cat "$SCRATCH/sb.err")" 'ledger.jsonl: an incomplete last line of 19 bytes .*was moved to .*ledger.jsonl.torn' \
	"it is moved aside, and said so"
is "$(sb /sandbox/state | grep -o '"accepted":[0-9]*')" '"accepted":3' "the orders accepted are all there"
is "$(grep -c . "$SB/ledger.jsonl")" "$n" "the ledger is its whole lines"
expect 0 "the same orders again are known" wgo-push orders.jsonl
is "$(grep -c '"t":"acc"' "$SB/ledger.jsonl")" 3 "and not taken twice"
sandbox_stop
done_testing
