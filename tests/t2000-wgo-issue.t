#!/bin/sh
# wgo-issue: golden cases; numbering under concurrency and crashes; determinism.
. "$(dirname "$0")/lib.sh"

golden wgo-issue

setup_home() {
	export WGO_HOME=$1
	mkdir -p "$WGO_HOME/keys"
	cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
	cp "$TESTDATA/keys/KHL.sec" "$WGO_HOME/keys/"
	chmod 600 "$WGO_HOME/keys/KHL.sec"
}

# The same input, key and date give byte-identical output.
setup_home "$SCRATCH/d1"; wgo-issue --date 2025-12-10 "$TESTDATA/applications.jsonl" >"$SCRATCH/o1"
setup_home "$SCRATCH/d2"; wgo-issue --date 2025-12-10 "$TESTDATA/applications.jsonl" >"$SCRATCH/o2"
ok "36 sample applications issue" test "$(wc -l <"$SCRATCH/o1")" -eq 36
ok "output is byte-identical from run to run" cmp "$SCRATCH/o1" "$SCRATCH/o2"
ok "every sample order verifies" wgo-verify -k "$TESTDATA/keys/KHL.pub" "$SCRATCH/o1"

# Two runs at once for one office never give the same number.
setup_home "$SCRATCH/conc"
gen_apps 300 1000000 >"$SCRATCH/a1"
gen_apps 300 2000000 >"$SCRATCH/a2"
wgo-issue --no-sign --date 2025-12-10 "$SCRATCH/a1" >"$SCRATCH/c1" &
wgo-issue --no-sign --date 2025-12-10 "$SCRATCH/a2" >"$SCRATCH/c2" &
wait
cat "$SCRATCH/c1" "$SCRATCH/c2" | grep -o '"order_no":"[^"]*"' | sort >"$SCRATCH/nums"
is "$(wc -l <"$SCRATCH/nums")" 600 "two concurrent runs issue 600 orders"
is "$(uniq -d "$SCRATCH/nums" | wc -l)" 0 "and no number twice"
is "$(sed -n '$p' "$SCRATCH/nums")" '"order_no":"KHL-2025-26-000600"' "numbers run 1 to 600 with no gap"

# --dry-run uses no number.
gen_apps 5 3000000 | wgo-issue --dry-run --date 2025-12-10 >/dev/null
gen_apps 1 4000000 | wgo-issue --no-sign --date 2025-12-10 | grep -o 'KHL-2025-26-[0-9]*' >"$SCRATCH/next"
is "$(cat "$SCRATCH/next")" "KHL-2025-26-000601" "after a --dry-run, the next real order takes the next number"

# kill -9 at random points: nothing printed is missing from the register, no number
# is registered twice, and the run after the kills prints every order of the input
# once: those issued by the killed runs again, byte for byte, and the rest.
setup_home "$SCRATCH/crash"
gen_apps 20000 5000000 >"$SCRATCH/big"
: >"$SCRATCH/seen"
kills=0
for i in $(seq 1 8); do
	wgo-issue --no-sign --date 2025-12-10 --quiet "$SCRATCH/big" >"$SCRATCH/part" 2>/dev/null &
	pid=$!
	nap "0.$(( (i * 37) % 9 + 1 ))"
	kill -9 $pid 2>/dev/null && kills=$((kills + 1))
	wait $pid 2>/dev/null
	whole "$SCRATCH/part" >>"$SCRATCH/seen"
done
wgo-issue --no-sign --date 2025-12-10 --quiet "$SCRATCH/big" >"$SCRATCH/final" 2>/dev/null
diag "$kills runs killed"
grep -o '"order_no":"[^"]*"' "$WGO_HOME/register/orders.jsonl" | sort >"$SCRATCH/reg.nums"
is "$(uniq -d "$SCRATCH/reg.nums" | wc -l)" 0 "the register holds no number twice"
is "$(wc -l <"$SCRATCH/reg.nums")" 20000 "it holds the 20000 orders of the input"
sort -u "$SCRATCH/seen" >"$SCRATCH/seen.sorted"
sort "$SCRATCH/final" >"$SCRATCH/final.sorted"
is "$(comm -23 "$SCRATCH/seen.sorted" "$SCRATCH/final.sorted" | wc -l)" 0 \
	"every order a killed run printed, the last run printed again, byte for byte"
is "$(wc -l <"$SCRATCH/final")" 20000 "the last run printed all 20000"
is "$(uniq -d "$SCRATCH/final.sorted" | wc -l)" 0 "each once"
unseal "$WGO_HOME/register/orders.jsonl" | sort >"$SCRATCH/reg.sorted"
ok "what it printed is what the register holds" cmp "$SCRATCH/reg.sorted" "$SCRATCH/final.sorted"

expect 0 "--help" wgo-issue --help
like "$out" "^Usage: wgo-issue" "--help prints usage"
done_testing
