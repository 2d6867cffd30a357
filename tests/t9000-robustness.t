#!/bin/sh
# Robustness across the toolkit: the fuzz targets' seeds and regressions replayed;
# the JSON conformance corpus fed to every program's reader, as lines and inside
# records; kill -9 at 50 points or more in wgo-issue, wgo-push and complaint-log;
# a full disk and a full standard output; secrets kept out of argv, children,
# logs and messages; the sandbox refusing tampered orders and replays.
# With ROBUSTNESS_OUT=FILE, what was tried is also written there, for
# tests/ROBUSTNESS.md.
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 2
office_home "$SCRATCH/home"
R=${ROBUSTNESS_OUT:-/dev/null}
# Kill rounds per program; under valgrind (where the point is memory, and every
# run is 20 times slower) a few.
if [ -n "${VALGRIND:-}" ]; then ROUNDS=6; MIN_KILLS=4; else ROUNDS=55; MIN_KILLS=50; fi
note() { printf '%s\n' "$*" >>"$R"; }
FUZZ=$HELPERS/../fuzz
crashed_in() { grep -Eq 'AddressSanitizer|runtime error:|LeakSanitizer|Segmentation|core dumped' "$@"; }

# ---- the fuzz targets, without libFuzzer: every seed and every regression
(cd "$TOP" && sh tests/fuzz/seeds.sh "$SCRATCH/seeds") >/dev/null 2>seeds.err
for t in record money date ident config journal sandbox complaint; do
	dirs="$SCRATCH/seeds/$t"
	[ -d "$TOP/tests/fuzz/regress/$t" ] && dirs="$dirs $TOP/tests/fuzz/regress/$t"
	# shellcheck disable=SC2086
	WGO_FUZZ_TMP=$SCRATCH expect 0 "fuzz target $t: its seeds and regressions replay clean" \
		"$FUZZ/replay-$t" $dirs
	note "replay	$t	$(printf '%s' "$err" | sed -n 's/^replay: //p')"
done

# ---- the JSON conformance corpus, to every reader
# Each text as a line: none is a record, so every line must be rejected, written
# out, and counted; nothing crashes or hangs.
C=$TESTDATA/json-conformance/test_parsing
for f in "$C"/*.json; do tr '\n\r' '  ' <"$f"; echo; done >corpus.lines
# Counted with wc and sed: grep may take a NUL byte for the end of a line.
ntexts=$(wc -l <corpus.lines | tr -d ' ')
nlines=$((ntexts - $(sed -n '/^[ \t]*$/p' corpus.lines | wc -l)))  # blank lines are skipped
lines() { wc -l <"$1" 2>/dev/null | tr -d ' '; }
head -1 "$TESTDATA/applications.jsonl" >app.jsonl
wgo-issue --no-sign --date 2025-12-10 app.jsonl >order.jsonl
feed() { # DESC PROGRAM ARGS...: the corpus as lines to PROGRAM with -r rejects
	_d=$1; shift
	rm -f rej.jsonl
	run timeout 120 "$@" -r rej.jsonl corpus.lines
	if [ $crashed = 1 ] || [ "$status" -ge 124 ]; then
		fail "conformance lines: $_d" "status $status" "$(printf '%s' "$err" | head -c 1500)"
	elif [ "$status" -ne 1 ] || [ "$(lines rej.jsonl)" != "$nlines" ]; then
		fail "conformance lines: $_d" "status $status, $(lines rej.jsonl) rejects of $nlines lines"
	else
		pass "conformance lines: $_d rejects all $nlines, written out, no crash"
	fi
}
feed wgo-check wgo-check records
feed wgo-issue wgo-issue --no-sign --date 2025-12-10
feed wgo-verify wgo-verify
feed "wgo-push --dry-run" wgo-push --dry-run
feed lifeverify lifeverify --as-of 2026-01-01
feed reconcile reconcile --month 2025-12 --as-of 2026-01-10
feed "complaint-log add" complaint-log add --log "$SCRATCH/conf-complaints.jsonl"
note "conformance	lines	$ntexts texts x 7 readers"

# Each text as the value of a field of an otherwise valid record: accepted or
# rejected, every line accounted for, nothing crashes.
embed() { # FILE FIELD-REGEX: each corpus text (up to 8 kB) put in place of a field's value
	while IFS= read -r t; do
		[ ${#t} -le 8000 ] || continue
		T=$t awk -v re="$2" '{ if (match($0, re)) { k = index(substr($0, RSTART), ":");
			print substr($0, 1, RSTART + k - 1) ENVIRON["T"] substr($0, RSTART + RLENGTH) } else print }' "$1"
	done <corpus.lines
}
embed app.jsonl '"name_bn":"[^"]*"' >emb-app.jsonl
embed order.jsonl '"number":"[^"]*"' >emb-order.jsonl
printf '{"kind":"complaint","v":1,"service":"welfare","category":"delay","name":"X","text":"T"}\n' >c.jsonl
embed c.jsonl '"name":"[^"]*"' >emb-c.jsonl
embedded() { # DESC INPUT PROGRAM ARGS...
	_d=$1; _in=$2; shift 2
	rm -f rej.jsonl
	run timeout 120 "$@" -r rej.jsonl "$_in"
	_n=$(lines "$_in")
	_r=$(lines rej.jsonl)
	if [ $crashed = 1 ] || [ "$status" -ge 2 ]; then
		fail "conformance in a field: $_d" "status $status" "$(printf '%s' "$err" | head -c 1500)"
	elif [ "$_r" -lt 1 ] || [ "$_r" -gt "$_n" ]; then
		fail "conformance in a field: $_d" "$_r rejects of $_n"
	else
		pass "conformance in a field: $_d ($_r of $_n rejected, no crash)"
	fi
}
embedded "wgo-check, applications" emb-app.jsonl wgo-check records
wgo-check records -r rej.jsonl emb-app.jsonl >acc.jsonl 2>/dev/null
is "$(( $(lines acc.jsonl) + $(lines rej.jsonl) ))" "$(lines emb-app.jsonl)" \
	"wgo-check: accepted plus rejected is every line"
embedded "wgo-issue" emb-app.jsonl wgo-issue --no-sign --date 2025-12-10
embedded "wgo-check, orders" emb-order.jsonl wgo-check records
embedded "lifeverify" emb-order.jsonl lifeverify --as-of 2026-01-01
embedded "reconcile" emb-order.jsonl reconcile --fail-on none --month 2025-12 --as-of 2026-01-10
embedded "wgo-push --dry-run" emb-order.jsonl wgo-push --dry-run
embedded "complaint-log add" emb-c.jsonl complaint-log add --log "$SCRATCH/emb-complaints.jsonl"
note "conformance	fields	$(lines emb-app.jsonl) texts x 7 readers"

# And to the bank: each text as the body of each endpoint.
sandbox_start --today 2025-12-10
bad=0; sent=0
for ep in /disburse/sync/disburse /disburse/sync/txn/status /bank/sync/returns /bank/sync/payments \
	/sandbox/verify /sandbox/run-month; do
	for f in "$C"/n_*.json "$C"/i_*.json "$C"/y_*.json; do
		sent=$((sent + 1))
		c=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer test-token-KHL" \
			--data-binary @"$f" "$SB_URL$ep")
		case $c in 4??) ;; *) bad=$((bad + 1)); diag "$ep ${f##*/}: HTTP $c" ;; esac
	done
done
is "$bad" 0 "the sandbox answers each of $sent conformance bodies with a 4xx"
ok "and is still running" kill -0 "$SB_PID"
sandbox_stop
note "conformance	sandbox	$sent bodies"

# ---- kill -9: wgo-issue, 50 times; nothing printed is unregistered, no number
# is registered twice or skipped, and the run after the kills prints each order of
# the input once (those issued before again, byte for byte)
H=$WGO_HOME
export WGO_HOME=$SCRATCH/kill-issue
mkdir -p "$WGO_HOME" && cp "$H/wgo.conf" "$WGO_HOME/"
gen_apps 20000 9100000 >apps400.jsonl
kills=0
: >printed.jsonl
for i in $(seq 1 $ROUNDS); do
	wgo-issue --no-sign --date 2025-12-10 apps400.jsonl >"issue$i.out" 2>/dev/null &
	pid=$!
	nap "0.$(( (i * 37) % 3 ))$(( (i * 7) % 9 + 1 ))"
	kill -9 $pid 2>/dev/null && kills=$((kills + 1))
	wait $pid 2>/dev/null
	whole "issue$i.out" >>printed.jsonl
done
wgo-issue --no-sign --date 2025-12-10 -q apps400.jsonl >final.jsonl 2>/dev/null
REG=$WGO_HOME/register/orders.jsonl
grep -o '"order_no":"[^"]*"' "$REG" | sort >nums
ok "wgo-issue: killed $kills of $ROUNDS runs" test "$kills" -ge $MIN_KILLS
is "$(uniq -d nums | wc -l | tr -d ' ')" 0 "wgo-issue: after $kills kill -9s, no number is registered twice"
is "$(sed 's/.*-0*\([0-9][0-9]*\)"$/\1/' nums | sort -n | awk '$1 != NR' | wc -l | tr -d ' ')" 0 \
	"wgo-issue: and none is skipped"
sort -u printed.jsonl | grep . >printed.sorted; sort final.jsonl >final.sorted
is "$(comm -23 printed.sorted final.sorted | wc -l | tr -d ' ')" 0 \
	"wgo-issue: every order a killed run printed is registered, and printed again by the last run"
is "$(grep -c . final.jsonl)" 20000 "wgo-issue: the last run prints each of the 20000 orders, once"
note "kill	wgo-issue	$kills	no number reused or skipped, every order printed again"

# ---- kill -9: wgo-push, 50 times, each in a run with work to do; every order
# once at the bank
export WGO_HOME=$SCRATCH/kill-push
office_home "$WGO_HOME"
SB=$SCRATCH/sb-kill sandbox_start --today 2025-12-10 --latency 80
SB=$SCRATCH/sb-kill
gen_apps 2000 9200000 | wgo-issue --date 2025-12-10 >push2000.jsonl
split -l 40 push2000.jsonl chunk.
[ -n "${VALGRIND:-}" ] && cat $(ls chunk.* | sed -n '7,$p') >chunk.zz && rm $(ls chunk.* | sed -n '7,50p')
kills=0; reruns=0; i=0
for c in chunk.*; do
	i=$((i + 1))
	push_killed "$c" "rerun.$c" $i
done
ok "wgo-push: killed $kills of $i runs mid-way" test "$kills" -ge $MIN_KILLS
is "$reruns" "$i" "wgo-push: every rerun finishes with exit 0"
is "$(cat rerun.chunk.* | grep -c '"status":"accepted"\|"status":"skipped"')" 2000 "wgo-push: every order accepted, now or before"
is "$(grep -c '"t":"acc"' "$SB/ledger.jsonl")" 2000 "wgo-push: the bank holds 2,000 orders"
is "$(grep -o '"t":"acc","ref":"[^"]*"' "$SB/ledger.jsonl" | sort | uniq -d | wc -l | tr -d ' ')" 0 \
	"wgo-push: none sent twice"
sandbox_stop
note "kill	wgo-push	$kills	no order sent twice, none lost"
head -1000 push2000.jsonl >push1000.jsonl

# ---- kill -9: complaint-log appends, 50 times; the chain holds, no event lost
export WGO_HOME=$SCRATCH/kill-complaint
mkdir -p "$WGO_HOME" && cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
awk 'BEGIN { for (i = 1; i <= 30000; i++) printf "{\"kind\":\"complaint\",\"v\":1,\"service\":\"welfare\",\"category\":\"delay\",\"name\":\"K%d\",\"text\":\"k %d\"}\n", i, i }' >bulk.jsonl
kills=0; broken=0; lost=0
: >acknowledged
for i in $(seq 1 $ROUNDS); do
	# In a process group of its own, so that the kill takes the writer too.
	if [ $((i % 2)) = 0 ]; then
		setsid complaint-log add bulk.jsonl >"cl$i.out" 2>/dev/null &
	else
		setsid sh -c "for j in \$(seq 1 200); do complaint-log add -s welfare -c delay -t \"one $i \$j\" || exit; done" \
			>"cl$i.out" 2>/dev/null &
	fi
	pid=$!
	nap "0.0$(( (i * 13) % 9 + 1 ))"
	/bin/kill -KILL -- -$pid 2>/dev/null && kills=$((kills + 1))
	wait $pid 2>/dev/null
	sleep 0.05
	# What was printed was acknowledged: it must be in the log.
	grep -o '"id":"[^"]*"' "cl$i.out" >>acknowledged
	complaint-log add -s welfare -c delay -t "after kill $i" >/dev/null 2>>recover.err || broken=$((broken + 1))
	complaint-log verify >/dev/null 2>verify.err || { broken=$((broken + 1)); diag "after kill $i: $(head -3 verify.err)"; }
done
sort -u acknowledged >ack.sorted
grep -o '"id":"[^"]*"' "$WGO_HOME/complaints.jsonl" | sort -u >log.sorted
lost=$(comm -23 ack.sorted log.sorted | wc -l | tr -d ' ')
ok "complaint-log: killed $kills of $ROUNDS writers" test "$kills" -ge $MIN_KILLS
is "$broken" 0 "complaint-log: after every kill, the next add works and the chain verifies"
is "$lost" 0 "complaint-log: every complaint that was printed is in the log ($(grep -c '' ack.sorted) of them)"
note "kill	complaint-log	$kills	chain valid, no acknowledged event lost"

# ---- a full disk
SHIM=$HELPERS/enospc.so
if [ -n "${VALGRIND:-}" ]; then
	skip "the full-disk shim is not used under valgrind"
else
	export ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0"
	full_run() { # DIR BUDGET CMD...
		_dir=$1; _b=$2; shift 2
		run env LD_PRELOAD="$SHIM" WGO_ENOSPC_DIR="$_dir" WGO_ENOSPC_AFTER="$_b" "$@"
	}
	# wgo-issue: the register cannot be written.
	export WGO_HOME=$SCRATCH/full-issue
	mkdir -p "$WGO_HOME" && cp "$H/wgo.conf" "$WGO_HOME/"
	wgo-issue --no-sign --date 2025-12-10 app.jsonl >/dev/null
	for b in 0 20; do
		full_run "$WGO_HOME" $b wgo-issue --no-sign --date 2025-12-10 apps400.jsonl
		if [ $crashed = 0 ] && [ "$status" = 2 ] && printf '%s' "$err" | grep -q 'No space left on device'; then
			pass "wgo-issue, disk full after $b bytes: says so, exits 2"
		else fail "wgo-issue, disk full after $b bytes" "status $status" "$err"; fi
		printf '%s\n' "$out" | grep -o '"order_no":"[^"]*"' >>full-nums
	done
	gen_apps 1 9300000 >fresh1.jsonl
	expect 0 "wgo-issue: with room again, it goes on" wgo-issue --no-sign --date 2025-12-10 fresh1.jsonl
	printf '%s\n' "$out" | grep -o '"order_no":"[^"]*"' >>full-nums
	is "$(sort full-nums | uniq -d | wc -l | tr -d ' ')" 0 "wgo-issue: no number given twice across the full disk"
	# complaint-log: the log cannot be appended.
	export WGO_HOME=$SCRATCH/full-complaint
	mkdir -p "$WGO_HOME" && cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
	complaint-log add -s welfare -c delay -t before >/dev/null
	for b in 0 100; do
		full_run "$WGO_HOME" $b complaint-log add -s welfare -c delay -t "disk full"
		if [ $crashed = 0 ] && [ "$status" = 2 ] && printf '%s' "$err" | grep -q 'No space left on device' && [ -z "$out" ]; then
			pass "complaint-log, disk full after $b bytes: says so, exits 2, acknowledges nothing"
		else fail "complaint-log, disk full after $b bytes" "status $status" "$out" "$err"; fi
	done
	complaint-log add -s welfare -c delay -t after >/dev/null 2>full-recover.err
	expect 0 "complaint-log: with room again, the chain verifies" complaint-log verify
	is "$(grep -o '"text":"[^"]*"' "$WGO_HOME/complaints.jsonl" | tr '\n' ' ')" '"text":"before" "text":"after" ' \
		"and holds what was acknowledged, before and after, and nothing of the full disk"
	# wgo-push: the journal cannot be written; nothing is sent twice later.
	export WGO_HOME=$SCRATCH/full-push
	office_home "$WGO_HOME"
	SB=$SCRATCH/sb-full sandbox_start --today 2025-12-10
	SB=$SCRATCH/sb-full
	head -30 push1000.jsonl >p30.jsonl
	full_run "$WGO_HOME/push" 0 wgo-push p30.jsonl
	if [ $crashed = 0 ] && [ "$status" = 2 ] && printf '%s' "$err" | grep -q 'No space left on device'; then
		pass "wgo-push, journal disk full: says so, exits 2"
	else fail "wgo-push, journal disk full" "status $status" "$err"; fi
	expect 0 "wgo-push: with room again, the rest goes" wgo-push p30.jsonl
	is "$(grep -o '"t":"acc","ref":"[^"]*"' "$SB/ledger.jsonl" | sort | uniq -d | wc -l | tr -d ' ')" 0 \
		"wgo-push: none twice at the bank"
	is "$(grep -c '"t":"acc"' "$SB/ledger.jsonl")" 30 "wgo-push: all 30 at the bank"
	sandbox_stop
	# ddp-sandbox: its ledger fills; it answers 500 and keeps running; a restart
	# finds what it acknowledged.
	SB=$SCRATCH/sb-fullbank
	mkdir -p "$SB"
	printf 'KHL test-token-KHL\nADMIN test-token-admin\n' >"$SB/tokens"; chmod 600 "$SB/tokens"
	env LD_PRELOAD="$SHIM" WGO_ENOSPC_DIR="$SB" WGO_ENOSPC_AFTER=20000 ddp-sandbox --state "$SB" --port 0 \
		--keyring "$TESTDATA/keys" --today 2025-12-10 --exit-after 120 >sbf.port 2>sbf.err &
	SB_PID=$!
	for _i in $(seq 1 50); do [ -s sbf.port ] && break; sleep 0.1; done
	SB_URL=http://127.0.0.1:$(cat sbf.port)
	grep -v '^bank.endpoint' "$WGO_HOME/wgo.conf" >c.new && echo "bank.endpoint = $SB_URL" >>c.new && mv c.new "$WGO_HOME/wgo.conf"
	rm -rf "$WGO_HOME/push"
	run wgo-push --attempts 2 --max-delay 1 --batch 10 push1000.jsonl
	ok "ddp-sandbox with a full disk: still running" kill -0 "$SB_PID"
	ok "ddp-sandbox: no crash" sh -c "! grep -Eq 'AddressSanitizer|runtime error' sbf.err"
	like "$(printf '%s\n' "$out" | grep -c '"status":"failed"')" '^[1-9]' "wgo-push: what the full bank could not keep failed, for later"
	acc=$(printf '%s\n' "$out" | grep -c '"status":"accepted"')
	sandbox_stop
	SB=$SCRATCH/sb-fullbank sandbox_start --today 2025-12-10
	SB=$SCRATCH/sb-fullbank
	is "$(grep -c '"t":"acc"' "$SB/ledger.jsonl")" "$acc" "ddp-sandbox: after a restart it holds exactly the $acc it acknowledged"
	expect 0 "wgo-push: with room again, the rest goes" wgo-push push1000.jsonl
	is "$(grep -c '"t":"acc"' "$SB/ledger.jsonl")" 1000 "ddp-sandbox: all 1,000, none twice"
	sandbox_stop
	note "disk	full	wgo-issue, complaint-log, wgo-push journal, ddp-sandbox ledger; at 0 bytes and mid-write"
fi
# A full standard output: every program says so and fails.
export WGO_HOME=$H
gen_apps 3 9400000 >app3.jsonl
wgo-issue --date 2025-12-10 app3.jsonl >order3.jsonl
devfull() { # DESC CMD...
	_d=$1; shift
	"$@" >/dev/full 2>full.err
	_s=$?
	if [ $_s = 2 ] && grep -q 'write error' full.err && ! crashed_in full.err; then pass "stdout full: $_d exits 2, saying so"
	else fail "stdout full: $_d" "status $_s" "$(cat full.err)"; fi
}
devfull wgo-date wgo-date to-bangla 2025-12-10
devfull wgo-check wgo-check records app3.jsonl
gen_apps 3 9600000 >app3b.jsonl
devfull wgo-issue wgo-issue --no-sign --dry-run --date 2025-12-10 app3b.jsonl
devfull wgo-verify wgo-verify order3.jsonl
devfull lifeverify lifeverify --as-of 2026-01-01 order3.jsonl
devfull reconcile reconcile --fail-on none --month 2025-12 order3.jsonl
devfull "wgo-push --dry-run" wgo-push --dry-run order3.jsonl
devfull "complaint-log list" complaint-log list -f records --log "$SCRATCH/kill-complaint/complaints.jsonl"
devfull "complaint-log stats" complaint-log stats -f records --log "$SCRATCH/kill-complaint/complaints.jsonl"
note "disk	stdout	/dev/full to 9 programs"

# ---- secrets
export WGO_HOME=$SCRATCH/secrets
office_home "$WGO_HOME"
SB=$SCRATCH/sb-secrets sandbox_start --today 2025-12-10
echo "supersecret-TOKEN-4711" >"$WGO_HOME/token"
# No option takes a secret itself: only files.
for p in wgo-issue wgo-push wgo-pull wgo-keygen ddp-sandbox; do
	$p --help >help.txt
	if grep -E -- '--(token|passphrase|password|secret|key-text)[ =]' help.txt | grep -qv 'FILE'; then
		fail "$p takes no secret on its command line" "$(grep -E -- '--(token|passphrase|password|secret)' help.txt)"
	else pass "$p takes no secret on its command line"; fi
done
head -3 "$TESTDATA/applications.jsonl" | wgo-issue --date 2025-12-10 >s.jsonl
# With orders that exist, so that only the option can be what is refused.
run wgo-push --token supersecret s.jsonl
is "$status: $err" "2: wgo-push: unknown option '--token'
Try 'wgo-push --help' for more information." "wgo-push --token is not an option (nor --token-file), and the value is not echoed"
# The token, wrong for the bank, never shows in messages, outputs or logs.
wgo-push s.jsonl >s.out 2>s.err
WGO_BANK_TOKEN=supersecret-ENV-0815 wgo-pull returns >s2.out 2>s2.err
sed -i '/^bank.token_file/d' "$WGO_HOME/wgo.conf"
WGO_BANK_TOKEN=supersecret-ENV-0815 wgo-pull verifications >s3.out 2>s3.err
if grep -rl 'supersecret' s.out s.err s2.out s2.err s3.out s3.err "$SCRATCH/sb-secrets" "$WGO_HOME" \
	--exclude=token 2>/dev/null | grep -q .; then
	fail "a token is in no output, message or log" "$(grep -rl supersecret s.* s2.* s3.* "$SCRATCH/sb-secrets" "$WGO_HOME" --exclude=token)"
else
	pass "a token is in no output, message or log (push, pull, the bank's logs and ledger)"
fi
# Children never see it.
WGO_BANK_TOKEN=supersecret-ENV-0815 complaint-log add -s welfare -c delay -t x --notify 'env >child.env' >/dev/null
ok "the alert command's environment has no token" sh -c "! grep -q supersecret child.env"
ok "and it did run" test -s child.env
# Files holding secrets are refused when others can read them.
echo "bank.token_file = token" >>"$WGO_HOME/wgo.conf"
for m in 644 640 604; do
	chmod $m "$WGO_HOME/token"
	run wgo-push s.jsonl
	if [ "$status" = 2 ] && printf '%s' "$err" | grep -q 'token'; then pass "a token file of mode $m is refused"
	else fail "a token file of mode $m is refused" "status $status" "$err"; fi
done
chmod 600 "$WGO_HOME/token"
gen_apps 1 9500000 >fresh2.jsonl
chmod 640 "$WGO_HOME/keys/KHL.sec"
expect 2 "a secret key of mode 640 is refused" wgo-issue --date 2025-12-10 fresh2.jsonl
is "$err" "wgo-issue: $WGO_HOME/keys/KHL.sec: readable by group or others (mode 0640): chmod 600 it" "saying which file and why"
is "$out" "" "and no order comes out"
chmod 600 "$WGO_HOME/keys/KHL.sec"
cp "$TESTDATA/keys/KHL-sealed.sec" "$WGO_HOME/keys/sealed.sec"; chmod 600 "$WGO_HOME/keys/sealed.sec"
cp "$TESTDATA/keys/passphrase" pass.txt; chmod 644 pass.txt
expect 2 "a passphrase file of mode 644 is refused" wgo-issue --key "$WGO_HOME/keys/sealed.sec" -P pass.txt --date 2025-12-10 fresh2.jsonl
like "$err" 'pass.txt' "and says which file"
chmod 600 pass.txt
expect 0 "at mode 600 it is read" wgo-issue --key "$WGO_HOME/keys/sealed.sec" -P pass.txt --dry-run --date 2025-12-10 fresh2.jsonl
chmod 644 "$SCRATCH/sb-secrets/tokens"
run ddp-sandbox --state "$SCRATCH/sb-secrets" --port 0 --keyring "$TESTDATA/keys" --exit-after 1
is "$status: $err" "2: ddp-sandbox: $SCRATCH/sb-secrets/tokens: readable by group or others (mode 0644): chmod 600 it" \
	"the sandbox refuses a tokens file of mode 644, saying so"
chmod 600 "$SCRATCH/sb-secrets/tokens"
# TLS cannot be turned off; plain http to another machine is shouted about.
for p in wgo-push wgo-pull; do
	ok "$p has no option to skip TLS verification" sh -c "! $p --help | grep -Eiq 'insecure|no-verify|skip-verify'"
done
grep -v '^bank.endpoint' "$WGO_HOME/wgo.conf" >c.new && echo "bank.endpoint = http://192.0.2.1:9" >>c.new && mv c.new "$WGO_HOME/wgo.conf"
run timeout 20 wgo-pull --attempts 1 returns
like "$err" 'WARNING: bank.endpoint http://192.0.2.1:9 is plain http to 192.0.2.1, another machine' "plain http to another machine: a warning on stderr"
note "secrets	argv, child environment, messages and logs, file modes (token, key, passphrase, sandbox tokens), TLS"

# ---- the bank refuses a tampered order (any byte), and a replay
env_of() { _a=$1; _o=$2; shift 2; "$HELPERS/envelope" "$_a" "$_o" "$WGO_HOME/keys/KHL.sec" "$@"; }
grep -v '^bank.endpoint' "$WGO_HOME/wgo.conf" >c.new && echo "bank.endpoint = $SB_URL" >>c.new && mv c.new "$WGO_HOME/wgo.conf"
order=$(head -1 s.jsonl)
len=${#order}
bad=0; tried=0; pos=1
while [ $pos -lt "$len" ]; do
	ch=$(printf '%s' "$order" | cut -c$pos)
	case $ch in
	[0-8]) rep=$((ch + 1)) ;; 9) rep=0 ;; [a-y]) rep=$(printf '%s' "$ch" | tr 'a-y' 'b-z') ;; *) pos=$((pos + 7)); continue ;;
	esac
	t=$(printf '%s' "$order" | cut -c1-$((pos - 1)))$rep$(printf '%s' "$order" | cut -c$((pos + 1))-)
	printf '{"transaction_id":"T%d","disbursements":[{"reference_id":"KHL-2025-26-000001-r0","order":%s}]}\n' "$pos" "$t" |
		env_of disburse KHL >tamp.json 2>/dev/null || { pos=$((pos + 7)); continue; }
	tried=$((tried + 1))
	body=$(curl -s -H "Authorization: Bearer test-token-KHL" --data-binary @tamp.json "$SB_URL/disburse/sync/disburse")
	case $body in *'"status":"succ"'*'"status":"succ"'*) bad=$((bad + 1)); diag "byte $pos accepted" ;; esac
	pos=$((pos + 7))
done
is "$bad" 0 "the bank refuses the order changed at each of $tried places, the envelope signed anew"
wgo-push --dry-run s.jsonl | head -1 >replay.json
c1=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer test-token-KHL" --data-binary @replay.json "$SB_URL/disburse/sync/disburse")
b2=$(curl -s -H "Authorization: Bearer test-token-KHL" --data-binary @replay.json "$SB_URL/disburse/sync/disburse")
is "$c1" 200 "a request is taken once"
like "$b2" 'err.message_id.duplicate' "and refused when replayed"
sandbox_stop
note "bank	tampered order at $tried places, replayed request"

done_testing
