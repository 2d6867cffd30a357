#!/bin/sh
# complaint-log's log in the store: verify blames the line that was changed (#13
# item 7); a log cut short is never appended to (#19 item 8); a bulk add that
# failed part-way (kill -9, a full disk) logs nothing twice when run again (#19
# item 8); a damaged log is read by no command.
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 2
export USER=clerk
home() {
	export WGO_HOME=$SCRATCH/$1
	mkdir -p "$WGO_HOME"
	cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
	LOG=$WGO_HOME/complaints.jsonl
}
add() { complaint-log add -s welfare -c delay -n "$1" -t "complaint of $1" --now "2026-11-0${2:-1}T04:00:00Z" >/dev/null; }
# names FILE: the complainants named in FILE's add events, sorted
names() { grep '"event":"add"' "$1" | grep -o '"name":"[^"]*"' | sort; }

# ---- #13 item 7: a length-changing edit of line 2. On main verify also blamed
# line 9, which is as it was written, its hash the head's.
home blame
for i in 1 2 3 4 5 6 7 8 9; do add "N$i" $i; done
cp "$LOG" orig; cp "$LOG.head" orig.head
sed -i '2s/"complaint of N2"/"complaint of N2, and more"/' "$LOG"
expect 1 "verify finds a length-changing edit of line 2" complaint-log verify
like "$err" 'complaints.jsonl:2: the line was changed' "and blames line 2"
ok "and no other line" sh -c "! printf '%s' \"\$1\" | grep -E 'complaints.jsonl:([13-9]):'" - "$err"
like "$err" 'the log is [0-9]+ bytes long, the head says [0-9]+: a line before the last changed its length' \
	"the head's size says a line before the last changed, naming none"
cp orig "$LOG"; cp orig.head "$LOG.head"

# ---- a damaged log is read by no command, named by file and line. On main, list
# showed the edited complaint.
sed -i '3s/"complaint of N3"/"complaint of N8"/' "$LOG"
cp "$LOG" edited
for c in list stats "show KHL-C-2026-000001"; do
	expect 2 "a damaged log: $c stops" complaint-log $c -f records
	like "$err" 'complaints.jsonl:3: damaged: line 4 does not follow it' "$c names the line"
done
# add checks what follows the head and the head's own line, not every line before
# (which list, show, stats, ack, resolve, escalate, reopen and verify do): a
# complaint is never held up by an old edit.
expect 0 "an edit before the head's line does not hold up an add" complaint-log add -s welfare -c delay -n Y -t more
expect 2 "and list still refuses the log" complaint-log list -f records
like "$err" 'complaints.jsonl:3: damaged' "naming line 3"
cp orig "$LOG"; cp orig.head "$LOG.head"
sed -i '9s/"complaint of N9"/"complaint of N7"/' "$LOG"
cp "$LOG" edited
expect 2 "an edit of the head's own line stops an add" complaint-log add -s welfare -c delay -t more
like "$err" 'complaints.jsonl:9: damaged: not the line the head recorded as the last written' "naming it"
is "$out" "" "and acknowledges nothing"
ok "nothing was appended to the log" cmp "$LOG" edited
cp orig "$LOG"; cp orig.head "$LOG.head"

# ---- #19 item 8: a log cut short of its head. On main, add warned, appended onto
# the torn line, and the new complaint could no longer be read.
truncate -s -5 "$LOG"
cp "$LOG" cut
expect 2 "a log shorter than its head: add refuses" complaint-log add -s welfare -c delay -n X -t "after the cut"
like "$err" "complaints.jsonl:9: damaged: cut short: the head records [0-9]+ bytes, the log has [0-9]+" \
	"saying its end was lost, and where"
is "$out" "" "nothing is acknowledged"
ok "nothing is appended onto the torn line" cmp "$LOG" cut
expect 1 "verify says the same" complaint-log verify
rm "$LOG.head"
expect 0 "once its head is removed (the repair complaint-log(1) gives)" \
	complaint-log add -s welfare -c delay -n X -t "after the repair" --now 2026-11-20T04:00:00Z
like "$err" 'no head file: rebuilt from the log' "it says it rebuilt the head"
like "$err" 'an incomplete last line of [0-9]+ bytes .*moved to .*complaints.jsonl.torn' "the torn line is set aside"
expect 0 "and the chain verifies" complaint-log verify
like "$(tail -1 "$LOG")" '"text":"after the repair"' "the new complaint is a line of its own"

# ---- #19 item 8: bulk adds that fail part-way log nothing twice. On main each
# rerun logged again what the failed run had logged.
home bulk
awk 'BEGIN { for (i = 1; i <= 6000; i++) {
	at = (i % 2) ? sprintf(",\"at\":\"2026-10-%02dT%02d:%02d:00Z\"", 1 + i % 28, i % 24, i % 60) : ""
	printf "{\"kind\":\"complaint\",\"v\":1,\"service\":\"welfare\",\"category\":\"delay\",\"name\":\"B%d\",\"text\":\"bulk %d\"%s}\n", i, i, at } }' >bulk.jsonl
kills=0
: >printed
lines() { _n=$(grep -c . "$LOG" 2>/dev/null); echo "${_n:-0}"; }
for k in 1 2 3 4 5; do
	before=$(lines)
	complaint-log add --now 2026-11-22T04:00:00Z -q bulk.jsonl >"b$k.out" 2>/dev/null &
	pid=$!
	# Once this run has logged something, a while later.
	for w in $(seq 1 500); do
		[ "$(lines)" -gt "$before" ] && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.01
	done
	nap "0.00$((k * 2 - 1))"
	kill -9 $pid 2>/dev/null && kills=$((kills + 1))
	wait $pid 2>/dev/null
	whole "b$k.out" >>printed
done
diag "$kills bulk adds killed, $(lines) complaints logged by them"
expect 0 "the bulk add after the kills finishes" complaint-log add --now 2026-11-22T04:00:00Z -q bulk.jsonl
printf '%s\n' "$out" >final
like "$err" 'complaints? logged before: printed again, not logged twice' "saying what was logged before"
is "$(names "$LOG" | uniq -d | wc -l | tr -d ' ')" 0 "no complaint is logged twice"
is "$(names "$LOG" | wc -l | tr -d ' ')" 6000 "each of the 6000 is logged"
is "$(grep -c . final)" 6000 "the last run prints all 6000"
is "$(grep -o '"id":"[^"]*"' final | sort | uniq -d | wc -l | tr -d ' ')" 0 "each once"
sort -u printed | grep . >printed.sorted; sort final >final.sorted
is "$(comm -23 printed.sorted final.sorted | wc -l | tr -d ' ')" 0 \
	"what a killed run printed, the last run printed again, byte for byte"
expect 0 "the chain verifies" complaint-log verify
expect 0 "the same bulk add once more" complaint-log add --now 2026-11-22T04:00:00Z -q bulk.jsonl
is "$(grep -c . "$LOG")" 6000 "logs nothing"
printf '%s\n' "$out" | sort >again.sorted
ok "and prints the same again" cmp again.sorted final.sorted
# An alert goes once, with the complaint logged; not again with its reprint.
home alerts
head -3 bulk.jsonl >b3.jsonl
complaint-log add --now 2026-11-22T04:00:00Z --notify 'cat >>alerts.out' b3.jsonl >/dev/null
expect 0 "a bulk add run again" complaint-log add --now 2026-11-22T04:00:00Z --notify 'cat >>alerts.out' b3.jsonl
is "$(grep -c . alerts.out)" 3 "alerts each complaint once"
is "$(printf '%s\n' "$out" | grep -c '"event":"add"')" 3 "and prints the three again"
home bulk
# A complaint given without its time, added again on another day, is the same one;
# given its time, another time is another complaint.
printf '%s\n' '{"kind":"complaint","v":1,"service":"welfare","category":"delay","name":"B2","text":"bulk 2"}' >b2.jsonl
expect 0 "a bulk record without its time, logged before" complaint-log add --now 2026-11-25T04:00:00Z b2.jsonl
like "$err" 'b2.jsonl:1: logged before as KHL-C-2026-[0-9]+: printed again' "is printed again"
sed -n 1p bulk.jsonl | sed 's/"at":"[^"]*"/"at":"2026-11-24T10:00:00Z"/' >b1.jsonl
expect 0 "with another time" complaint-log add --now 2026-11-25T04:00:00Z b1.jsonl
is "$(names "$LOG" | grep -c '"B1"')" 2 "it is another complaint"

# ---- a full disk under a bulk add, at 0 bytes and mid-way
SHIM=$HELPERS/enospc.so
if [ -n "${VALGRIND:-}" ]; then
	skip "the full-disk shim is not used under valgrind"
else
	export ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0"
	home full
	head -3000 bulk.jsonl >b3000.jsonl
	bad=0
	for b in 0 4000 300000 700000; do
		env LD_PRELOAD="$SHIM" WGO_ENOSPC_DIR="$WGO_HOME" WGO_ENOSPC_AFTER=$b \
			complaint-log add --now 2026-11-22T04:00:00Z -q b3000.jsonl >"f$b.out" 2>"f$b.err"
		st=$?
		if [ $st != 2 ] || ! grep -q 'No space left on device' "f$b.err"; then
			bad=$((bad + 1)); diag "disk full at $b: status $st: $(head -3 "f$b.err")"
		fi
		expect 0 "after the disk filled at $b bytes, the chain verifies" complaint-log verify
	done
	is "$bad" 0 "every bulk add on a full disk exits 2 saying so"
	expect 0 "with room again, the bulk add finishes" complaint-log add --now 2026-11-22T04:00:00Z -q b3000.jsonl
	is "$(names "$LOG" | wc -l | tr -d ' ')" 3000 "each of the 3000 is logged"
	is "$(names "$LOG" | uniq -d | wc -l | tr -d ' ')" 0 "none twice"
fi
done_testing
