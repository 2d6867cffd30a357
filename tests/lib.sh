# TAP helpers for the shell tests; each tests/tNNNN-*.t sources this first.
# Every script gets its own scratch directory and state directory, so prove -j works.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
WGO_BIN=$(cd "${WGO_BIN:-$TOP/bin}" && pwd)
TESTDATA=$TOP/tests/data
export TOP TESTDATA
export LC_ALL=C.UTF-8 TZ=UTC
unset SOURCE_DATE_EPOCH WGO_CONFIG
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/wgo-$(basename "$0" .t).XXXXXX")
cleanup() {
	[ -n "${SB_PID:-}" ] && kill "$SB_PID" 2>/dev/null
	[ -n "${WGO_KEEP:-}" ] || rm -rf "$SCRATCH"
}
trap cleanup EXIT
export WGO_HOME=$SCRATCH/home
mkdir -p "$WGO_HOME"
# A sanitizer report must never pass for an expected failure (our 1 or 2).
CRASH=86
export ASAN_OPTIONS="exitcode=$CRASH${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:exitcode=$CRASH${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
if [ -n "${VALGRIND:-}" ]; then
	# Every program runs under valgrind: errors and definite leaks are crashes.
	mkdir -p "$SCRATCH/vg"
	for p in "$WGO_BIN"/*; do
		[ -x "$p" ] || continue
		cat >"$SCRATCH/vg/${p##*/}" <<VG
#!/bin/sh
exec valgrind -q --error-exitcode=$CRASH --leak-check=full --errors-for-leak-kinds=definite \
	--show-leak-kinds=definite "$p" "\$@"
VG
		chmod +x "$SCRATCH/vg/${p##*/}"
	done
	PATH=$SCRATCH/vg:$WGO_BIN:$PATH
	SLOW=25
else
	PATH=$WGO_BIN:$PATH
	SLOW=1
fi
export PATH
# nap SECONDS: sleep that long, longer when the programs run under valgrind (for
# tests that must catch a program in the middle of its work).
nap() { sleep "$(awk -v s="$1" -v k="$SLOW" 'BEGIN { printf "%.3f", s * k }')"; }

HELPERS=${WGO_HELPERS:-$TOP/build/default/helpers}

# bank_accepted SBDIR: how many orders the sandbox's ledger has accepted so far.
bank_accepted() { _n=$(grep -c '"t":"acc"' "$1/ledger.jsonl" 2>/dev/null); echo "${_n:-0}"; }

# push_killed FILE OUT I: wgo-push FILE to the sandbox in $SB, kill -9 it part-way
# (once the bank has accepted some of this run, then after a pause that varies
# with I), then push FILE again to the end, its output in OUT. Counts the kills
# that landed on a running push in $kills and the reruns that exit 0 in $reruns.
push_killed() {
	_before=$(bank_accepted "$SB")
	wgo-push --batch 4 --concurrency 2 "$1" >/dev/null 2>&1 &
	_pid=$!
	for _w in $(seq 1 3000); do
		[ "$(bank_accepted "$SB")" -gt "$_before" ] && break
		kill -0 $_pid 2>/dev/null || break
		sleep 0.02
	done
	sleep "0.$(( ($3 * 7919) % 2 ))$(( $3 % 9 ))"
	kill -9 $_pid 2>/dev/null && kills=$((kills + 1))
	wait $_pid 2>/dev/null
	wgo-push --batch 20 "$1" >"$2" 2>/dev/null && reruns=$((reruns + 1))
}

# office_home DIR: a state directory for the KHL office with the test key, the
# example configuration, a keyring and a bank token.
office_home() {
	export WGO_HOME=$1
	mkdir -p "$WGO_HOME/keys" "$WGO_HOME/keyring"
	cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
	cp "$TESTDATA/keys/KHL.sec" "$TESTDATA/keys/KHL.pub" "$WGO_HOME/keys/"
	chmod 600 "$WGO_HOME/keys/KHL.sec"
	cp "$TESTDATA/keys/KHL.pub" "$TESTDATA/keys/DHK.pub" "$WGO_HOME/keyring/"
	echo "test-token-KHL" >"$WGO_HOME/token"
	chmod 600 "$WGO_HOME/token"
	echo "bank.token_file = token" >>"$WGO_HOME/wgo.conf"
}

# sandbox_start [ARGS]: ddp-sandbox on a free loopback port, state in $SB (default
# $SCRATCH/sb); sets SB_PORT, SB_URL, SB_PID. It stops by itself after $SB_LIFE s.
sandbox_start() {
	SB=${SB:-$SCRATCH/sb}
	mkdir -p "$SB"
	printf 'KHL test-token-KHL\nDHK test-token-DHK\nADMIN test-token-admin\n' >"$SB/tokens"
	chmod 600 "$SB/tokens"
	: >"$SCRATCH/sb.port"
	ddp-sandbox --state "$SB" --port 0 --keyring "$TESTDATA/keys" --exit-after "${SB_LIFE:-$((300 * SLOW))}" \
		"$@" >"$SCRATCH/sb.port" 2>>"$SCRATCH/sb.err" &
	SB_PID=$!
	for _i in $(seq 1 100); do
		[ -s "$SCRATCH/sb.port" ] && break
		kill -0 "$SB_PID" 2>/dev/null || break
		sleep 0.1
	done
	SB_PORT=$(head -1 "$SCRATCH/sb.port")
	SB_URL=http://127.0.0.1:$SB_PORT
	if [ -n "${WGO_HOME:-}" ] && [ -f "$WGO_HOME/wgo.conf" ]; then
		grep -v '^bank.endpoint' "$WGO_HOME/wgo.conf" >"$WGO_HOME/wgo.conf.new"
		echo "bank.endpoint = $SB_URL" >>"$WGO_HOME/wgo.conf.new"
		mv "$WGO_HOME/wgo.conf.new" "$WGO_HOME/wgo.conf"
	fi
}
sandbox_stop() {
	[ -n "${SB_PID:-}" ] || return 0
	kill "$SB_PID" 2>/dev/null
	wait "$SB_PID" 2>/dev/null
	SB_PID=
}
# sb PATH [JSON]: call a sandbox endpoint with the admin token.
sb() {
	if [ $# -gt 1 ]; then
		curl -s -H "Authorization: Bearer test-token-admin" -d "$2" "$SB_URL$1"
	else
		curl -s -H "Authorization: Bearer test-token-admin" "$SB_URL$1"
	fi
}

tap_n=0
tap_fail=0

pass() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
fail() {
	tap_n=$((tap_n + 1)); tap_fail=$((tap_fail + 1))
	echo "not ok $tap_n - $1"
	shift
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done
}
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # skip $1"; }
diag() { printf '%s\n' "$*" | sed 's/^/# /'; }

# ok DESC CMD...: the command must succeed.
ok() {
	_t_d=$1; shift
	if "$@" >"$SCRATCH/.out" 2>"$SCRATCH/.err"; then pass "$_t_d"
	else fail "$_t_d" "exit status $?" "$(head -c 2000 "$SCRATCH/.err")"; fi
}

# is GOT WANT DESC
is() {
	if [ "$1" = "$2" ]; then pass "$3"
	else fail "$3" "got:" "$1" "expected:" "$2"; fi
}

# like GOT PATTERN DESC (grep -E)
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then pass "$3"
	else fail "$3" "got:" "$1" "expected to match: $2"; fi
}

# run CMD...: sets $out, $err and $status; a crash is always a failure.
run() {
	"$@" >"$SCRATCH/.out" 2>"$SCRATCH/.err"
	status=$?
	out=$(cat "$SCRATCH/.out")
	err=$(cat "$SCRATCH/.err")
	crashed=0
	if [ "$status" -ge 128 ] || [ "$status" -eq $CRASH ] ||
	   grep -Eq 'AddressSanitizer|runtime error:|LeakSanitizer' "$SCRATCH/.err"; then
		crashed=1
	fi
}

# expect STATUS DESC CMD...: the command exits with STATUS and did not crash.
expect() {
	_t_want=$1; _t_d=$2; shift 2
	run "$@"
	if [ $crashed = 1 ]; then fail "$_t_d" "crashed (status $status)" "$(printf '%s' "$err" | head -c 3000)"
	elif [ "$status" -ne "$_t_want" ]; then
		fail "$_t_d" "exit status $status, expected $_t_want" "$(printf '%s' "$err" | head -c 2000)"
	else pass "$_t_d"; fi
}

done_testing() {
	echo "1..$tap_n"
	[ $tap_fail -eq 0 ]
}

# _g_blessed NAME: BLESS=1 blesses every case; otherwise BLESS is a space-separated
# list of PROGRAM/CASE or PROGRAM names (shell patterns allowed) to bless.
_g_blessed() {
	[ "$BLESS" = 1 ] && return 0
	for _g_p in $BLESS; do
		case $1 in $_g_p | $_g_p/*) return 0 ;; esac
	done
	return 1
}

# golden PROGRAM: one test per case in tests/golden/PROGRAM/*/.  A case holds cmd
# (shell, run in a fresh directory with $CASE set to the case's own directory),
# optional stdin, and the expected stdout, stderr and status.  Paths under $CASE
# print as CASE/.  BLESS=1 writes what the program does as the expectation;
# BLESS='wgo-issue/amend reconcile' only for those cases (or programs).
golden() {
	for _g_c in "$TOP"/tests/golden/"$1"/*/; do
		_g_c=${_g_c%/}
		_g_name=$1/${_g_c##*/}
		[ -f "$_g_c/cmd" ] || { fail "$_g_name" "no cmd file"; continue; }
		_g_w=$SCRATCH/golden/${_g_c##*/}
		mkdir -p "$_g_w"
		_g_in=/dev/null
		[ -f "$_g_c/stdin" ] && _g_in=$_g_c/stdin
		(cd "$_g_w" && CASE=$_g_c sh -c "$(cat "$_g_c/cmd")" <"$_g_in" >"$_g_w/.stdout" 2>"$_g_w/.stderr")
		echo $? >"$_g_w/status"
		for _g_s in stdout stderr; do
			sed "s|$_g_c/|CASE/|g; s|$_g_w/||g" "$_g_w/.$_g_s" >"$_g_w/$_g_s"
		done
		if [ -n "${BLESS:-}" ] && _g_blessed "$_g_name"; then
			for _g_s in stdout stderr status; do cp "$_g_w/$_g_s" "$_g_c/$_g_s"; done
			pass "$_g_name (blessed)"
			continue
		fi
		_g_bad=
		for _g_s in stdout stderr status; do
			if [ ! -f "$_g_c/$_g_s" ]; then _g_bad="$_g_bad$_g_s: no expected file
"
			elif ! cmp -s "$_g_w/$_g_s" "$_g_c/$_g_s"; then
				_g_bad="$_g_bad$(diff -u "$_g_c/$_g_s" "$_g_w/$_g_s" | head -40)
"
			fi
		done
		_g_st=$(cat "$_g_w/status")
		if grep -Eq 'AddressSanitizer|runtime error:|LeakSanitizer' "$_g_w/stderr" ||
		   [ "$_g_st" -ge 128 ] || [ "$_g_st" -eq $CRASH ]; then
			_g_bad="${_g_bad}crashed"
		fi
		if [ -z "$_g_bad" ]; then pass "$_g_name"; else fail "$_g_name" "$_g_bad"; fi
	done
}

# gen_apps N BASE: N distinct applications, the first sample one with the NID and
# application number varied from BASE on.
gen_apps() {
	awk -v n="$1" -v base="$2" 'NR == 1 { line = $0 } END {
		for (i = 1; i <= n; i++) { l = line; sub(/"nid":"[0-9]+"/, sprintf("\"nid\":\"%013d\"", base + i), l);
		sub(/"application_no":"[^"]*"/, sprintf("\"application_no\":\"T-%d\"", base + i), l); print l } }' \
		"$TESTDATA/applications.jsonl"
}

# unseal [FILE]: the records of a log of the store (the register, the push journal,
# the sandbox's ledger), each line with the store's check taken off its end.
unseal() { sed 's/,"check":"[0-9a-f]\{16\}"}$/}/' "$@"; }

# seal: each record on standard input with the store's check put on, computed here
# as wgo(7) defines it (the first 16 hex digits of BLAKE2b-128 of the record): what
# a hand edit that knew the format would write.
seal() {
	while IFS= read -r _l; do
		_s=$(printf '%s' "$_l" | b2sum -l 128 | cut -c1-16)
		printf '%s,"check":"%s"}\n' "${_l%\}}" "$_s"
	done
}

# whole FILE: its complete lines (what a run killed, or cut short, mid-line printed
# whole).
whole() { if [ -n "$(tail -c1 "$1")" ]; then sed '$d' "$1"; else cat "$1"; fi; }
