#!/bin/sh
# complaint-log against hostile input and careless terminals (issue #13): the
# interactive form keeps no private answer in its history; text that would forge
# a line of show or watch is printed escaped, and what the record format refuses
# (controls, bidi overrides) is refused at add; escalate only after the deadline.
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 2
export WGO_HOME=$SCRATCH/home USER=clerk
mkdir -p "$WGO_HOME"
cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
LOG=$WGO_HOME/complaints.jsonl

# ---- the interactive form's history holds no name, mobile, NID or complaint
if command -v tmux >/dev/null; then
	# A history from before, with a mobile number and an NID in it.
	printf 'welfare\n01799887766\n1987654321\ndelay\n' >"$WGO_HOME/complaint-history"
	S=wgo-t6200-$$
	tmux -L "$S" new-session -d -x 160 -y 50 "env WGO_HOME=$WGO_HOME PATH=$PATH LANG=C.UTF-8 complaint-log add --now 2026-11-22T04:00:00Z >tty.out; echo exit:\$? >tty.status; sleep 30"
	k() { tmux -L "$S" send-keys "$@"; nap 0.2; }
	nap 0.5
	k Enter                      # the configured office
	k 'welfare' Enter
	k '3' Enter                  # desk
	k 'delay' Enter
	k 'Rahima Khatun' Enter
	k '01712345678' Enter
	k '1234567890' Enter         # NID
	k 'no grant for three months' Enter
	k Enter                      # recorded by the login name
	k Enter                      # yes, record it
	nap 0.5
	tmux -L "$S" kill-server 2>/dev/null
	is "$(cat tty.status 2>/dev/null)" "exit:0" "the interactive add exits 0"
	like "$(cat "$LOG")" '"name":"Rahima Khatun","mobile":"\+8801712345678","nid":"1234567890","text":"no grant for three months"' "the complaint is logged as answered"
	h=$(cat "$WGO_HOME/complaint-history")
	for private in 'Rahima Khatun' 01712345678 1234567890 'no grant for three months'; do
		is "$(printf '%s\n' "$h" | grep -c "$private")" 0 "the history does not hold the private answer '$private'"
	done
	is "$(printf '%s\n' "$h" | grep -c -e 01799887766 -e 1987654321)" 0 "the mobile number and NID of an older history are gone"
	is "$(printf '%s\n' "$h" | grep -cx welfare)" 2 "what is not private is kept (welfare, from before and now)"
	is "$(printf '%s\n' "$h" | grep -cx 3)" 1 "(the desk too)"
else
	skip "tmux is not installed"
fi

# ---- text that would forge a line of show: shown escaped, on its own line
rm -f "$LOG" "$LOG.head"
FORGE='grant not paid
history:
  2026-11-30 11:15  resolve by Nasrin Akhter: rejected'
complaint-log add -s welfare -c delay -n Rina -t "$FORGE" --now 2026-11-22T04:00:00Z >/dev/null
id=$(grep -o '"id":"[^"]*"' "$LOG" | cut -d'"' -f4)
expect 0 "a complaint with newlines in its text is logged (text may hold them)" complaint-log show "$id" -f table --now 2026-11-23T04:00:00Z
is "$(printf '%s\n' "$out" | grep -c '^history:$')" 1 "show prints one history: line, its own"
is "$(printf '%s\n' "$out" | grep -c '^  2026-11-30 11:15  resolve')" 0 "the text's forged resolution is not a line of show's"
is "$(printf '%s\n' "$out" | grep -cF '  complaint   grant not paid\nhistory:\n  2026-11-30 11:15  resolve by Nasrin Akhter: rejected')" 1 \
	"the text is on the complaint's line, its newlines shown escaped"
is "$(printf '%s\n' "$out" | sed -n '/^history:$/,$p' | grep -c .)" 2 "the history holds the one real event"
complaint-log resolve "$id" -d upheld --note "$(printf 'paid\n  2026-12-01 10:00  reopen by x')" --now 2026-11-24T04:00:00Z >/dev/null
expect 0 "show after a resolution whose note holds a newline" complaint-log show "$id" -f table --now 2026-11-25T04:00:00Z
is "$(printf '%s\n' "$out" | sed -n '/^history:$/,$p' | grep -c .)" 3 "history: two events, one line each"
like "$(printf '%s\n' "$out" | tail -1)" ': upheld \(paid\\n  2026-12-01 10:00  reopen by x\)$' "the note escaped"

# ---- and one that would forge a second complaint in watch: one line, one bell
rm -f "$LOG" "$LOG.head"
complaint-log watch --count 1 -o KHL >watch.out 2>watch.err &
wpid=$!
nap 0.5
complaint-log add -o KHL -s welfare -c delay -n Rina -t "late
2026-11-30 11:15  KHL-C-2026-000099  Monthly welfare grant / Delay: Forged — forged" >/dev/null
for i in $(seq 1 100); do [ -s watch.out ] && break; sleep 0.05; done
kill $wpid 2>/dev/null; wait $wpid 2>/dev/null
is "$(wc -l <watch.out | tr -d ' ')" 1 "watch prints the complaint on one line"
is "$(tr -cd '\a' <watch.out | wc -c | tr -d ' ')" 1 "with one bell: watch's own"
like "$(cat watch.out)" 'Rina — late\\n2026-11-30 11:15  KHL-C-2026-000099' "the text's newline shown escaped"
expect 2 "a bell in a text is refused at add" complaint-log add -s welfare -c delay -t "$(printf 'ring \a')"
like "$err" '^complaint-log: --text: control character U\+0007 at byte 6: not allowed in text' "saying so"

# ---- what the record format does not let into a text: refused at add, saying so
rm -f "$LOG" "$LOG.head"
expect 2 "--text with a right-to-left override is refused" complaint-log add -s welfare -c delay -t "$(printf 'paid \342\200\256diap')"
is "$err" "complaint-log: --text: bidirectional control U+202E at byte 6: not allowed in text
Try 'complaint-log --help' for more information." "saying what and where"
expect 2 "--name with a C1 CSI (U+009B) is refused" complaint-log add -s welfare -c delay -t x -n "$(printf 'a\302\2332J')"
is "$err" "complaint-log: --name: control character U+009B at byte 2: not allowed in a string
Try 'complaint-log --help' for more information." "saying what and where"
printf '%s\n' '{"kind":"complaint","v":1,"service":"welfare","category":"delay","name":"A","text":"esc \u001b[2J"}' \
	'{"kind":"complaint","v":1,"service":"welfare","category":"delay","name":"B","text":"del \u007f"}' \
	'{"kind":"complaint","v":1,"service":"welfare","category":"delay","name":"C","text":"fine\ttab"}' >bulk.jsonl
expect 1 "in bulk, the two are rejected and the good one logged" complaint-log add -r rej.jsonl bulk.jsonl
is "$err" "complaint-log: bulk.jsonl:1: text: control character U+001B at byte 5: not allowed in text
complaint-log: bulk.jsonl:2: text: control character U+007F at byte 5: not allowed in text" "file, line, field, what"
is "$(wc -l <"$LOG" | tr -d ' ')" 1 "one logged"
is "$(wc -l <rej.jsonl | tr -d ' ')" 2 "two written out"

# ---- escalate: an unresolved complaint only once its deadline has passed
rm -f "$LOG" "$LOG.head"
complaint-log add -s welfare -c delay -n E1 -t one --now 2026-11-01T04:00:00Z >/dev/null
complaint-log add -s welfare -c delay -n E2 -t two --now 2026-11-01T04:00:00Z >/dev/null
# The deadline, worked out by python: 30 working days after Sunday 2026-11-01, with
# Friday and Saturday off and no holiday file.
deadline=$(python3 -c '
import datetime
d = datetime.date(2026, 11, 1); n = 0
while n < 30:
    d += datetime.timedelta(days=1)
    if d.weekday() not in (4, 5): n += 1
print(d)')
after=$(python3 -c "import datetime; print(datetime.date.fromisoformat('$deadline') + datetime.timedelta(days=1))")
expect 1 "escalate an open complaint one day old: refused" complaint-log escalate KHL-C-2026-000001 --now 2026-11-02T04:00:00Z
is "$err" "complaint-log: KHL-C-2026-000001: open at level 0 until its deadline, $deadline: escalate it after that day, or now with --early and a --note saying why" \
	"saying until when, and how to do it on purpose"
is "$(wc -l <"$LOG" | tr -d ' ')" 2 "the log is as it was"
expect 1 "on the deadline day itself: refused" complaint-log escalate KHL-C-2026-000001 --now "${deadline}T04:00:00Z"
expect 0 "the day after: accepted" complaint-log escalate KHL-C-2026-000001 --now "${after}T04:00:00Z"
like "$out" '"event":"escalate","id":"KHL-C-2026-000001".*"level":1' "to level 1"
expect 2 "--early without a --note: refused" complaint-log escalate KHL-C-2026-000002 --early --now 2026-11-02T04:00:00Z
is "$err" "complaint-log: escalate --early needs --note: why it cannot wait for the deadline
Try 'complaint-log --help' for more information." "saying why"
expect 0 "--early with a note: accepted before the deadline" complaint-log escalate KHL-C-2026-000002 --early --note "the officer is on leave" --now 2026-11-02T04:00:00Z
like "$out" '"level":1,.*"note":"the officer is on leave"' "the note says why, in the log"
expect 2 "--early goes with escalate only" complaint-log ack KHL-C-2026-000001 --early --note x
complaint-log resolve KHL-C-2026-000001 -d rejected --note "not due" --now "${after}T05:00:00Z" >/dev/null
expect 0 "a resolved complaint is escalated when the complainant appeals, deadline or not" \
	complaint-log escalate KHL-C-2026-000001 --now "${after}T06:00:00Z"
expect 0 "the chain verifies" complaint-log verify

done_testing
