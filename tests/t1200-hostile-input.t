#!/bin/sh
# Hostile input to the readers (issue #13): an order whose total is not what its own
# rates and months come to; duplicate keys named right; a byte order mark said
# plainly; values and field names from the input never reach a terminal raw.
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 2
cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"

# ---- an order's total_poisha is its rates times their months (or its lump sum)
sed -n 1p "$TESTDATA/applications.jsonl" | wgo-issue --no-sign --dry-run --date 2025-12-10 >good.jsonl
grant=$(jq -r .grant good.jsonl)
is "$grant" welfare "(a monthly order)"
# What the rates come to, worked out by jq: months from .from to .to, inclusive.
sum=$(jq '[.rates[] | (((.to[0:4]|tonumber)*12 + (.to[5:7]|tonumber)) - ((.from[0:4]|tonumber)*12 + (.from[5:7]|tonumber)) + 1) * .monthly_poisha] | add' good.jsonl)
is "$(jq .total_poisha good.jsonl)" "$sum" "wgo-issue's total is what jq makes of its rates"
expect 0 "wgo-check takes the order as issued" wgo-check records good.jsonl
jq -c ".total_poisha = $sum + 100" good.jsonl >more.jsonl
expect 1 "wgo-check refuses it with Tk 1 more in total_poisha" wgo-check records more.jsonl
is "$err" "wgo-check: more.jsonl:1: total_poisha: $((sum + 100)), but the rates come to $sum over the months from first_month to last_month" \
	"saying what the rates come to"
jq -c '.rates[0].monthly_poisha += 1' good.jsonl >rate.jsonl
expect 1 "and with a rate changed under the same total" wgo-check records rate.jsonl
like "$err" "^wgo-check: rate.jsonl:1: total_poisha: $sum, but the rates come to " "(the same field)"
jq -c '.last_month as $l | .rates[-1].to = $l' good.jsonl >same.jsonl
expect 0 "(an order rewritten by jq, still consistent, passes)" wgo-check records same.jsonl
sed -n 16p "$TESTDATA/applications.jsonl" >lumpapp.jsonl
wgo-issue --no-sign --dry-run --date 2025-12-10 lumpapp.jsonl >lump.jsonl
if [ "$(jq -r .grant lump.jsonl)" != welfare ] && [ -s lump.jsonl ]; then
	jq -c '.total_poisha = .lump_poisha + 1' lump.jsonl >lump2.jsonl
	expect 1 "a lump-sum order whose total is not its lump_poisha is refused" wgo-check records lump2.jsonl
	like "$err" "total_poisha: $(($(jq .lump_poisha lump.jsonl) + 1)), but a lump-sum order's total is its lump_poisha, $(jq .lump_poisha lump.jsonl)" "saying so"
else
	fail "application 16 makes a lump-sum order" "$(cat lump.jsonl)"
fi
expect 1 "wgo-push --dry-run refuses it too (the check is the schema's)" wgo-push --dry-run --keyring "$TESTDATA/keys" more.jsonl
is "$err" "wgo-push: more.jsonl:1: total_poisha: $((sum + 100)), but the rates come to $sum over the months from first_month to last_month" "with the same message"

# ---- duplicate keys name the key that is repeated, where it starts
printf '%s\n' '{"kind":"application","v":1,"kind":"order"}' '{"name":"a:b","name":"c"}' \
	'{"kind":"order","x":{"q\"t":1,"q\"t":2}}' >dup.jsonl
expect 1 "duplicate keys" wgo-check records dup.jsonl
# Columns by hand: the second "kind" starts at byte 29; the second "name" at 15;
# the second "q\"t" (six bytes with its quotes) at 31.
is "$err" 'wgo-check: dup.jsonl:1: kind: duplicate key at column 29
wgo-check: dup.jsonl:2: name: duplicate key at column 15
wgo-check: dup.jsonl:3: q"t: duplicate key at column 31' "each names the repeated key and where it starts"

# ---- a byte order mark is said plainly, at the start of the line
printf '\357\273\277{"kind":"order","v":1}\n' >bom.jsonl
expect 1 "a line starting with a UTF-8 BOM" wgo-check records bom.jsonl
is "$err" "wgo-check: bom.jsonl:1: the line starts with a UTF-8 byte order mark (BOM): save the file as UTF-8 without one" \
	"said plainly, no invisible quote"

# ---- what the input holds reaches the terminal escaped
expect 1 "wgo-check nid with an escape sequence in the value" wgo-check nid "$(printf '123\033[2J4567890')"
is "$out" '123\e[2J4567890	invalid	an NID has digits only' "the value is shown escaped"
expect 1 "a right-to-left override in a value" wgo-check mobile "$(printf '\342\200\2560171')"
like "$out" '^\\u202E0171	invalid	' "shown as \\u202E"
printf '{"kind":"verification","v":1,"verification_id":"V1","order_no":"X","date":"2025-12-10","branch":"010010048","\\u001b]0;owned\\u0007":1}\n' >key.jsonl
expect 1 "a field name with an escape sequence" wgo-check records key.jsonl
is "$err" 'wgo-check: key.jsonl:1: \e]0;owned\x07: unknown field' "the message shows it escaped"
sed -n 1p "$TESTDATA/applications.jsonl" | jq -c '.grant = "\u009b2J\u202e"' >enum.jsonl
expect 1 "a C1 control and a bidi override in an enumerated value" wgo-check records enum.jsonl
like "$err" 'unknown value "\\u009B2J\\u202E"' "quoted escaped"
is "$(printf '%s' "$err" | tr -d '\n' | LC_ALL=C grep -c "$(printf '[\001-\037\177]')")" 0 "no control byte in any message"

# A FIFO where a file is read (the attacker's review: wgo-init -P, wgo.conf and
# --branches hung, waiting for a writer): refused at once, exit 2.
mkdir fifo && mkfifo fifo/wgo.conf fifo/pass fifo/branches && chmod 600 fifo/pass
expect 2 "a FIFO as wgo.conf" timeout 10 env WGO_HOME=fifo wgo-issue --dry-run /dev/null
like "$err" 'fifo/wgo.conf: cannot open: not a regular file' "is not read, and said"
expect 2 "a FIFO as the passphrase file" timeout 10 wgo-init --home fifo/h --office KHL -P fifo/pass
like "$err" 'fifo/pass: not a regular file' "is not read, and said"
expect 2 "a FIFO as the branch file" timeout 10 wgo-track --branches fifo/branches 01712345678
like "$err" 'fifo/branches: cannot open: not a regular file' "is not read, and said"
done_testing
