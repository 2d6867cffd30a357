#!/bin/sh
# wgo-issue and its register: issuing is idempotent (a lost output is printed again,
# never refused, across /dev/full, kill -9 and a full disk); numbers have no gaps
# and run out with a clear error; what is read back is verified before anything is
# signed from it; an order that would break a bound is refused before it takes a
# number; stops; --reprint.
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 2

if [ -n "${VALGRIND:-}" ]; then N=300; ROUNDS=3; else N=4000; ROUNDS=8; fi

home() {
	export WGO_HOME=$SCRATCH/$1
	mkdir -p "$WGO_HOME/keys" "$WGO_HOME/keyring"
	cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
	cp "$TESTDATA/keys/KHL.sec" "$TESTDATA/keys/KHL.pub" "$WGO_HOME/keys/"
	cp "$TESTDATA/keys/KHL.pub" "$WGO_HOME/keyring/"
	chmod 600 "$WGO_HOME/keys/KHL.sec"
	REG=$WGO_HOME/register/orders.jsonl
}
crashed_in() { grep -Eq 'AddressSanitizer|runtime error:|LeakSanitizer|Segmentation|core dumped' "$@"; }
nums() { grep -o '"order_no":"[^"]*"' "$@" | sed 's/.*-0*\([0-9][0-9]*\)"$/\1/' | sort -n; }
# runs FILE N: whether FILE holds the numbers 1 to N, each once
runs() { nums "$1" >runs.got; seq 1 "$2" >runs.want; cmp -s runs.got runs.want; }
D=--date=2025-12-10

# ---- #19 item 1: an output lost to a full standard output. On main, the register
# took all 50 and the rerun refused every one as a duplicate.
home devfull
gen_apps 50 100 >a50.jsonl
wgo-issue $D a50.jsonl >/dev/full 2>full.err
is "$?" 2 "wgo-issue > /dev/full exits 2"
like "$(cat full.err)" 'write error' "saying so"
like "$(cat full.err)" '50 records registered from KHL-2025-26-000001 on did not reach standard output' \
	"and which orders are registered and not printed"
is "$(grep -c '"kind":"order"' "$REG")" 50 "the register holds the 50"
expect 0 "the rerun exits 0" wgo-issue $D a50.jsonl
is "$(printf '%s\n' "$out" | grep -c '"kind":"order"')" 50 "and prints all 50"
printf '%s\n' "$out" >rerun.out
ok "numbered 1 to 50, as registered" runs rerun.out 50
like "$err" 'a50.jsonl:1: issued before as KHL-2025-26-000001: printed again from the register' \
	"saying on stderr which were issued before"
like "$err" '50 records issued before: printed again from the register' "and how many"
is "$(grep -c '"kind":"order"' "$REG")" 50 "the register still holds 50"
printf '%s\n' "$out" >again1
unseal "$REG" >reg.records
ok "what is printed again is the register's records, byte for byte" cmp again1 reg.records
expect 0 "a third run" wgo-issue $D a50.jsonl
printf '%s\n' "$out" >again2
ok "prints the same bytes again" cmp again1 again2
ok "and they verify" wgo-verify -k "$TESTDATA/keys/KHL.pub" again1
# Different content for a live order is still a duplicate.
sed -n 1p a50.jsonl | sed 's/"number":"[0-9]*"/"number":"0123456789012"/' >changed.jsonl
expect 1 "an application for a live order with other content is refused" wgo-issue $D changed.jsonl
like "$err" 'changed.jsonl:1: duplicate: order KHL-2025-26-000001 is live' "as a duplicate, naming the order"
is "$out" "" "and nothing is printed"
# #13 item 13: no number is left unused (on main the /dev/full run skipped 1,019).
gen_apps 1 900 >one.jsonl
expect 0 "the next application" wgo-issue $D one.jsonl
like "$out" '"order_no":"KHL-2025-26-000051"' "takes the number after the last registered: no gap"

# ---- kill -9: whatever was printed is registered, nothing is registered twice,
# and the run after the kills prints every order of the input, once each.
home kill
gen_apps $N 20000 >big.jsonl
: >seen
kills=0
# Each round has more of the input than the one before, so that each is killed
# while it issues as well as while it prints again.
for i in $(seq 1 $ROUNDS); do
	head -$((i * N / ROUNDS)) big.jsonl >bigi.jsonl
	wgo-issue $D -q bigi.jsonl >"part$i" 2>/dev/null &
	pid=$!
	nap "0.$(( (i * 37) % 3 ))$(( (i * 7) % 9 + 1 ))"
	kill -9 $pid 2>/dev/null && kills=$((kills + 1))
	wait $pid 2>/dev/null
	whole "part$i" >>seen
done
expect 0 "after $kills kill -9s the run finishes" wgo-issue $D -q big.jsonl
printf '%s\n' "$out" >final
ok "kill -9 landed in most runs ($kills of $ROUNDS)" test "$kills" -ge $((ROUNDS / 2))
is "$(grep -c . final)" "$N" "the last run prints all $N orders of the input"
is "$(nums final | uniq -d | wc -l | tr -d ' ')" 0 "each once"
is "$(nums "$REG" | uniq -d | wc -l | tr -d ' ')" 0 "no number is registered twice"
ok "the register holds 1 to $N, no number skipped" runs "$REG" $N
sort -u seen >seen.sorted; sort final >final.sorted
is "$(comm -23 seen.sorted final.sorted | wc -l | tr -d ' ')" 0 \
	"everything a killed run printed is in the last output, byte for byte"
unseal "$REG" | sort >reg.sorted
ok "the last output is what the register holds" cmp reg.sorted final.sorted
ok "and verifies" wgo-verify -k "$TESTDATA/keys/KHL.pub" final

# ---- a full disk under the register (at 0 bytes and mid-way), a full standard
# output, and an output cut short mid-line
SHIM=$HELPERS/enospc.so
if [ -n "${VALGRIND:-}" ]; then
	skip "the full-disk shim is not used under valgrind"
else
	export ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0"
	home full
	gen_apps 600 40000 >f.jsonl
	mkdir -p out
	bad=0; k=0
	: >fseen
	# Each round has 120 applications more than the one before, the register
	# fills under them, then their output is cut short, then it is full.
	for b in 0 700 5000 60000 100000; do
		k=$((k + 1))
		head -$((k * 120)) f.jsonl >fk.jsonl
		mkdir -p "$WGO_HOME/register"
		env LD_PRELOAD="$SHIM" WGO_ENOSPC_DIR="$WGO_HOME/register" WGO_ENOSPC_AFTER=$b \
			wgo-issue $D --no-sign -q fk.jsonl >out/o$k 2>out/e$k
		st=$?
		if [ $st != 2 ] || ! grep -q 'No space left on device' out/e$k || crashed_in out/e$k; then
			bad=$((bad + 1)); diag "register full at $b bytes: status $st: $(head -3 out/e$k)"
		fi
		cat out/o$k >>fseen
		wgo-issue $D --no-sign -q fk.jsonl 2>/dev/null | head -c $((b * 3 + 100)) >out/p$k
		whole out/p$k >>fseen
		wgo-issue $D --no-sign -q fk.jsonl >/dev/full 2>out/f$k
		st=$?
		if [ $st != 2 ] || ! grep -q 'write error' out/f$k || crashed_in out/f$k; then
			bad=$((bad + 1)); diag "/dev/full: status $st: $(head -3 out/f$k)"
		fi
	done
	is "$bad" 0 "every run on a full disk or a full output exits 2 saying so"
	expect 0 "with room again, the run finishes" wgo-issue $D --no-sign -q f.jsonl
	printf '%s\n' "$out" >ffinal
	is "$(grep -c . ffinal)" 600 "and prints all 600"
	ok "the register holds 1 to 600, each once" runs "$REG" 600
	sort -u fseen | grep . >fseen.sorted; sort ffinal >ffinal.sorted
	is "$(comm -23 fseen.sorted ffinal.sorted | wc -l | tr -d ' ')" 0 \
		"everything printed along the way is in the last output, byte for byte"
	unseal "$REG" | sort >freg.sorted
	ok "the last output is what the register holds" cmp freg.sorted ffinal.sorted
fi

# ---- #19 item 2: a hand-edited register line is never signed from. On main the
# edited account went into a freshly signed revision listing only the mobile.
home edit
sed -n 1p "$TESTDATA/applications.jsonl" >app1.jsonl
wgo-issue $D app1.jsonl >o1.jsonl
cp "$REG" reg.orig
amend='{"kind":"correction","v":1,"order_no":"KHL-2025-26-000001","reason":"new mobile","changes":{"beneficiary":{"mobile":"01712345678"}}}'
sed -i 's/"number":"6444357787857"/"number":"6444357787999"/' "$REG"
printf '%s\n' "$amend" >amend.jsonl
expect 2 "an edited line: --amend stops" wgo-issue --amend --date 2025-12-20 amend.jsonl
like "$err" 'orders.jsonl:1: damaged: its check does not match its content' "naming the line"
is "$out" "" "and signs nothing"
unseal reg.orig | sed 's/"number":"6444357787857"/"number":"6444357787999"/' | seal >"$REG"
expect 1 "the same edit with its check made good: the amendment is refused" \
	wgo-issue --amend --date 2025-12-20 amend.jsonl
like "$err" 'amend.jsonl:1: .*orders.jsonl:1: signature: does not verify.*refused' \
	"the line fails its signature, named by file and line"
is "$out" "" "nothing is signed from it"
is "$(grep -c . "$REG")" 1 "nothing is registered"
cp reg.orig "$REG"
expect 0 "the register as it was: the amendment goes" wgo-issue --amend --date 2025-12-20 amend.jsonl
like "$out" '"account":\{"routing":"200472441","number":"6444357787857".*"changed":\["beneficiary.mobile"\]' \
	"with the account as issued"
# An unsigned order is not signed from.
home unsigned
wgo-issue $D --no-sign app1.jsonl >/dev/null
expect 1 "amending an unsigned order with signing is refused" wgo-issue --amend --date 2025-12-20 amend.jsonl
like "$err" 'KHL-2025-26-000001 was issued unsigned' "saying why"
expect 0 "with --no-sign it goes" wgo-issue --amend --no-sign --date 2025-12-20 amend.jsonl

# ---- #19 item 3: bounds before numbers. On main the order was issued (total
# 1.8e15) and every later run exited 2.
home bounds
sed -n 1p "$TESTDATA/applications.jsonl" | sed 's/"date":"2025-11-26"}/"date":"2025-11-26","amount_poisha":10000000000000}/' >huge.jsonl
gen_apps 2 300 >two.jsonl
{ sed -n 1p two.jsonl; cat huge.jsonl; sed -n 2p two.jsonl; } >mixed.jsonl
expect 1 "an order that would break a bound is refused" wgo-issue $D --no-sign mixed.jsonl
like "$err" "mixed.jsonl:2: sanction.amount_poisha: the order's total would be over 1000000000000000 poisha" \
	"naming the file, line and field"
printf '%s\n' "$out" >mixed.out
ok "before it took a number: the others are 1 and 2" runs mixed.out 2
expect 0 "the next run is not troubled" wgo-issue $D --no-sign --dry-run two.jsonl
gen_apps 1 400 >next.jsonl
expect 0 "and issues" wgo-issue $D --no-sign next.jsonl
like "$out" 'KHL-2025-26-000003' "the next number"
sed 's/"event_date":"2025-03-25"/"event_date":"2199-12-20"/; s/"date":"2025-11-26"/"date":"2199-12-25"/' huge.jsonl |
	sed 's/,"amount_poisha":10000000000000//' >late.jsonl
expect 1 "an order whose term would run past 2199-12 is refused" wgo-issue --date 2199-12-28 --no-sign late.jsonl
like "$err" 'late.jsonl:1: employee.event_date: the term would run past 2199-12' "saying so"

# ---- #13 item 9: numbers near their end. On main a counter near its limit gave
# a signed overflow and a negative counter.
home limit
printf '9223372036854775807\n' >c
mkdir -p "$WGO_HOME/register"; cp c "$WGO_HOME/register/KHL-2025-26"
expect 0 "a counter file of an earlier version is not read" wgo-issue $D --no-sign one.jsonl
like "$out" '"order_no":"KHL-2025-26-000001"' "numbers come from the register"
unseal "$REG" | sed 's/KHL-2025-26-000001/KHL-2025-26-999999998/' | seal >r.new && mv r.new "$REG"
gen_apps 2 500 >k2.jsonl
sed -n 9p "$TESTDATA/applications.jsonl" | sed 's/"office":"KHL"/"office":"DHK"/' >dhk.jsonl
cat k2.jsonl dhk.jsonl >k3.jsonl
expect 1 "when an office's numbers run out, its applications are refused" wgo-issue $D --no-sign k3.jsonl
like "$out" '"order_no":"KHL-2025-26-999999999"' "after the last number is given"
like "$err" 'k3.jsonl:2: office: the numbers of KHL-2025-26 have run out: 999999999 are issued' "with a clear error"
like "$out" '"order_no":"DHK-2025-26-000001"' "and another office goes on"
ok "no number is negative" sh -c "! grep -q -- '-2025-26--' '$REG'"

# ---- stops
home stop
head -12 "$TESTDATA/applications.jsonl" >twelve.jsonl
wgo-issue $D twelve.jsonl >orders.jsonl
stop() { printf '{"kind":"stop","v":1,"order_no":"KHL-2025-26-%06d",%s}\n' "$1" "$2"; }
stop 1 '"reason":"death","date":"2026-01-20","death_date":"2026-01-05","officer":"Deputy Director, Khulna"' >s1.jsonl
expect 0 "a stop for death" wgo-issue --stop --date 2026-01-25 s1.jsonl
printf '%s\n' "$out" >s1.out
# By hand: revision 0 of order 1, KHL's; the month of death is the last payable.
like "$out" '^\{"kind":"stop","v":1,"order_no":"KHL-2025-26-000001","revision":0,"office":"KHL","reason":"death","date":"2026-01-20","death_date":"2026-01-05","last_month":"2026-01","officer":"Deputy Director, Khulna","signature":\{"alg":"ed25519","key_id":"[0-9a-f]{16}","value":"[^"]*"\}\}$' \
	"is filled in, its last month the month of death, and signed"
ok "its signature verifies" wgo-verify -k "$TESTDATA/keys/KHL.pub" s1.out
expect 0 "the same stop again" wgo-issue --stop --date 2026-01-28 s1.jsonl
is "$out" "$(cat s1.out)" "prints the registered stop again, byte for byte"
like "$err" 's1.jsonl:1: KHL-2025-26-000001 was stopped before: printed again' "saying so"
stop 1 '"reason":"withdrawal","date":"2026-01-20","officer":"Deputy Director, Khulna"' >s1b.jsonl
expect 1 "a different stop of a stopped order is refused" wgo-issue --stop --date 2026-01-28 s1b.jsonl
like "$err" 'KHL-2025-26-000001 was stopped already \(death, decided 2026-01-20\)' "naming the stop"
is "$(grep -c '"kind":"stop"' "$REG")" 1 "the register holds one stop"
stop 2 '"reason":"withdrawal","date":"2026-01-20","officer":"Deputy Director, Khulna"' >s2.jsonl
expect 0 "a withdrawal" wgo-issue --stop --no-sign --date 2026-01-25 s2.jsonl
like "$out" '"reason":"withdrawal","date":"2026-01-20","last_month":"2026-01"' "ends with the month of the decision"
stop 3 '"reason":"board_decision","date":"2026-01-20","last_month":"2026-03","officer":"Board","note":"decided at the meeting of 20 January"' >s3.jsonl
expect 0 "a board decision with its last month" wgo-issue --stop --date 2026-01-25 s3.jsonl
like "$out" '"last_month":"2026-03","officer":"Board","note":"decided at the meeting of 20 January"' "keeps it"
stop 4 '"reason":"board_decision","date":"2026-01-20","last_month":"2041-01","officer":"Board"' >s4.jsonl
expect 1 "a stop does not lengthen an order" wgo-issue --stop --date 2026-01-25 s4.jsonl
like "$err" 's4.jsonl:1: last_month: after 20[0-9][0-9]-[0-9][0-9], the last month of KHL-2025-26-000004' "saying so"
stop 4 '"reason":"death","date":"2026-01-20","death_date":"2026-01-22","officer":"Board"' >s5.jsonl
expect 1 "a death after the decision is refused" wgo-issue --stop --date 2026-01-25 s5.jsonl
like "$err" 'death_date: after the decision' "saying so"
stop 4 '"reason":"duplicate","date":"2026-01-20","duplicate_of":"KHL-2025-26-000099","officer":"Board"' >s6.jsonl
expect 1 "a duplicate of an unknown order is refused" wgo-issue --stop --date 2026-01-25 s6.jsonl
like "$err" 'duplicate_of: no order KHL-2025-26-000099' "saying so"
stop 99 '"reason":"withdrawal","date":"2026-01-20","officer":"Board"' >s7.jsonl
expect 1 "a stop of an unknown order is refused" wgo-issue --stop --date 2026-01-25 s7.jsonl
like "$err" 'order_no: no order KHL-2025-26-000099 in the register' "saying so"
stop 7 '"reason":"withdrawal","date":"2026-01-20","officer":"Board"' >s8.jsonl
expect 0 "a lump sum's stop" wgo-issue --stop --date 2026-01-25 s8.jsonl
ok "has no last month" sh -c "! printf '%s' '$out' | grep -q last_month"
stop 8 '"reason":"withdrawal","date":"2026-01-20","last_month":"2026-01","officer":"Board"' >s9.jsonl
expect 1 "a lump sum's stop with a last month is refused" wgo-issue --stop --date 2026-01-25 s9.jsonl
stop 5 '"reason":"withdrawal","date":"2041-01-02","officer":"Board"' >s10.jsonl
expect 1 "an order that has ended is not stopped" wgo-issue --stop --date 2041-01-05 s10.jsonl
like "$err" 'KHL-2025-26-000005 has ended \(its last month was 20[0-9-]*\): there is nothing to stop' "saying so"
stop 5 '"reason":"withdrawal","date":"2026-01-20","officer":"Board","signature":{}' >s11.jsonl
expect 1 "a stop asked for with a signature is refused" wgo-issue --stop --date 2026-01-25 s11.jsonl
printf '%s\n' "$amend" >amend1.jsonl
expect 1 "a stopped order is not amended" wgo-issue --amend --date 2026-01-25 amend1.jsonl
like "$err" 'KHL-2025-26-000001 is stopped' "saying so"
# A stopped order is not live: the beneficiary's new application is issued.
sed -n 1p twelve.jsonl | sed 's|KHL/APP/2025/0001|KHL/APP/2026/0100|' >reapply.jsonl
expect 0 "an application after its order was stopped is no duplicate" wgo-issue --date 2026-01-25 reapply.jsonl
like "$out" '"order_no":"KHL-2025-26-000013"' "and takes a new number"

# ---- --reprint
expect 0 "--reprint prints every line of an order" wgo-issue --reprint KHL-2025-26-000001
is "$(printf '%s\n' "$out" | grep -c .)" 2 "its revision and its stop"
like "$(printf '%s\n' "$out" | sed -n 2p)" '"kind":"stop"' "in the register's order"
expect 0 "--reprint --since" wgo-issue --reprint --since KHL-2025-26-000012
is "$(printf '%s\n' "$out" | grep -o '"order_no":"[^"]*","revision":[0-9]*' | tr '\n' ' ')" \
	'"order_no":"KHL-2025-26-000012","revision":0 "order_no":"KHL-2025-26-000001","revision":0 "order_no":"KHL-2025-26-000002","revision":0 "order_no":"KHL-2025-26-000003","revision":0 "order_no":"KHL-2025-26-000007","revision":0 "order_no":"KHL-2025-26-000013","revision":0 ' \
	"prints every line from that order's first on"
expect 0 "--reprint --date" wgo-issue --reprint --date 2026-01-25
is "$(printf '%s\n' "$out" | grep -c .)" 1 "prints the orders issued that day"
expect 0 "--reprint with nothing else" wgo-issue --reprint
is "$(printf '%s\n' "$out" | grep -c .)" "$(grep -c . "$REG")" "prints the whole register"
expect 1 "--reprint of a number not in the register" wgo-issue --reprint KHL-2025-26-000077
like "$err" 'KHL-2025-26-000077: no order by that number in the register' "says so"
cp "$REG" reg.keep
unseal reg.keep | sed '2s/"number":"[0-9]*"/"number":"1111111111111"/' | seal >"$REG"
expect 1 "a line that fails its signature is refused" wgo-issue --reprint
like "$err" 'orders.jsonl:2: signature: does not verify.*refused' "naming it"
is "$(printf '%s\n' "$out" | grep -c .)" "$(( $(grep -c . "$REG") - 1 ))" "and the rest are printed"
cp reg.keep "$REG"
expect 2 "--since goes with --reprint" wgo-issue --since KHL-2025-26-000001
expect 2 "--reprint takes no --key" wgo-issue --reprint --key x
expect 2 "--stop and --amend together" wgo-issue --stop --amend

# ---- a register of an earlier wgo (order records, no checks) is sealed by the
# next run that writes, the old file kept beside it
home old
head -3 "$TESTDATA/applications.jsonl" >three.jsonl
wgo-issue $D three.jsonl >three.out
unseal "$REG" >old.jsonl
cp old.jsonl "$REG"
expect 0 "a register without checks is read as it is by --reprint" wgo-issue --reprint
is "$out" "$(cat three.out)" "which prints its orders"
expect 0 "and by --dry-run" wgo-issue $D --dry-run three.jsonl
ok "neither writes it" cmp old.jsonl "$REG"
expect 0 "a register without checks" wgo-issue $D three.jsonl
like "$err" 'orders.jsonl: written before its lines had checks: its 3 lines are sealed now' "is sealed, and said so"
ok "the old file is kept" cmp old.jsonl "$REG.unsealed"
is "$(grep -c '"check":"[0-9a-f]\{16\}"}$' "$REG")" 3 "each line has its check"
is "$out" "$(cat three.out)" "and its orders are printed again, as they were issued"

# ---- a correction applied, then its output lost: printed again
home amendagain
wgo-issue $D app1.jsonl >/dev/null
wgo-issue --amend --date 2025-12-20 amend.jsonl >am1.out 2>/dev/null
expect 0 "the same correction again" wgo-issue --amend --date 2025-12-21 amend.jsonl
is "$out" "$(cat am1.out)" "prints the revision it made, byte for byte"
like "$err" 'applied before as revision 1 of KHL-2025-26-000001: printed again' "saying so"
done_testing
