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
	S=wgo-t6100-$$
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

done_testing
