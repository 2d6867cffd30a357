#!/bin/sh
# Secrets, the second round (issue #13): long options only in full, so that no
# prefix turns a secret into a file name, and no message echoes one; no core file
# from a program holding a secret, and the secret's own pages left out of any dump;
# the bank token from a descriptor, and WGO_BANK_TOKEN gone from /proc/PID/environ;
# a secret behind a symbolic link refused, saying why.
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 2
office_home "$SCRATCH/home"
head -3 "$TESTDATA/applications.jsonl" | wgo-issue --date 2025-12-10 >orders.jsonl
lines() { wc -l <"$1" | tr -d ' '; }

# ---- options are matched in full: a prefix of --token-file or --passphrase-file
# is not taken for it, the secret is not read as a file name, and nothing echoes it
S=s3cr3t-PREFIX-0042
abbrev() { # PROGRAM OPTION ARGS...: PROGRAM OPTION $S ARGS... is refused, the secret unsaid
	_p=$1; _o=$2; shift 2
	for _form in split joined; do
		if [ $_form = split ]; then run "$_p" "$_o" "$S" "$@"; else run "$_p" "$_o=$S" "$@"; fi
		if [ $crashed = 0 ] && [ "$status" = 2 ] &&
		   printf '%s\n' "$err" | grep -q "^$_p: unknown option '$_o'" &&
		   ! printf '%s\n%s\n' "$out" "$err" | grep -q "$S"; then
			pass "$_p $_o SECRET ($_form): unknown option, the secret not echoed"
		else
			fail "$_p $_o SECRET ($_form): unknown option, the secret not echoed" "status $status" "$err"
		fi
	done
}
abbrev wgo-push --token orders.jsonl
abbrev wgo-push --token-fi orders.jsonl
abbrev wgo-push --passphrase orders.jsonl
abbrev wgo-pull --token returns
abbrev wgo-pull --passphrase returns
abbrev wgo-issue --passphrase --date 2025-12-10 orders.jsonl
abbrev wgo-keygen --passphrase --office KHL
abbrev ddp-sandbox --token --state "$SCRATCH/sb0" --exit-after 1
# Any abbreviation, not only of the options that take secrets.
expect 2 "wgo-verify --key (for --keyring) is refused" wgo-verify --key "$TESTDATA/keys" orders.jsonl
is "$err" "wgo-verify: unknown option '--key'
Try 'wgo-verify --help' for more information." "saying so, and no more"
expect 0 "spelled in full, it is taken" wgo-verify --keyring "$TESTDATA/keys" orders.jsonl
is "$(printf '%s\n' "$out" | grep -c '"kind":"order"')" 3 "and the three orders pass"
# A secret typed where its file's name goes is not repeated either.
for p in "wgo-push --token-file" "wgo-pull --token-file" "wgo-issue --passphrase-file" "wgo-keygen --passphrase-file" \
	"ddp-sandbox --token-file"; do
	set -- $p
	case $1 in
	wgo-push) args="--endpoint http://127.0.0.1:9 orders.jsonl" ;; wgo-pull) args="--endpoint http://127.0.0.1:9 returns" ;;
	wgo-issue) cp "$TESTDATA/keys/KHL-sealed.sec" sealed.sec; chmod 600 sealed.sec
		args="--key sealed.sec --date 2025-12-10 $TESTDATA/applications.jsonl" ;;
	wgo-keygen) args="--office KHL --secret k.sec --public k.pub --no-keyring" ;; ddp-sandbox) args="--state sb1 --exit-after 1" ;;
	esac
	# shellcheck disable=SC2086
	run "$1" "$2" "$S" $args
	if [ "$status" = 2 ] && ! printf '%s\n%s\n' "$out" "$err" | grep -q "$S" &&
	   printf '%s\n' "$err" | grep -q -- "$2: no such file (the name given is not repeated, in case it is the secret itself)"; then
		pass "$1 $2 SECRET (no such file): refused, the name not repeated"
	else
		fail "$1 $2 SECRET (no such file): refused, the name not repeated" "status $status" "$err"
	fi
done
expect 2 "a value given to an option that takes none is refused" wgo-verify "--quiet=$S" orders.jsonl
is "$err" "wgo-verify: option '--quiet' takes no value
Try 'wgo-verify --help' for more information." "naming the option, not the value"

# A bank that never answers in time, for programs caught while they wait for it.
SB=$SCRATCH/sb-hang sandbox_start --today 2025-12-10 --latency 60000
SB=$SCRATCH/sb-hang
HANG=$SB_URL

# ---- core dumps. Where this machine writes cores to the working directory
# (core_pattern "core"), a program killed by SIGSEGV under ulimit -c unlimited
# must leave none; elsewhere only what each program set up is checked.
# crash_in DIR CMD...: CMD in DIR under ulimit -c unlimited; its death unreported.
crash_in() { _d=$1; shift; mkdir -p "$_d"; (cd "$_d" && ulimit -c unlimited && sh -c '"$@"; exit 0' sh "$@" 2>/dev/null); }
crash_in ctl sh -c 'kill -SEGV $$'
if ls ctl | grep -q '^core'; then
	cores=1
else
	cores=0
	diag "no core file from a plain shell here (core_pattern $(cat /proc/sys/kernel/core_pattern 2>/dev/null)): the files are not checked, the limits are"
fi
if [ -n "${VALGRIND:-}" ]; then
	skip "core dumps are not tried under valgrind (it writes its own vgcore files)"
else
	# What the secret's pages hold never reaches a dump: a helper crashes with a
	# secret in secret_alloc() memory and a control in malloc() memory.
	# (Under ASan, which handles SIGSEGV itself and turns dumps off, asked not to.)
	ASAN_OPTIONS="$ASAN_OPTIONS:handle_segv=0:disable_coredump=0" crash_in dd "$HELPERS/secret-core" HAL
	if [ $cores = 1 ]; then
		core=$(ls dd | grep '^core' | head -1)
		ok "the helper, dumpable, left a core" test -n "$core"
		ok "which holds the malloc()ed control text" grep -q PLAIN-IBM "dd/$core"
		ok "and not the secret_alloc()ed one" sh -c "! grep -q SECRET-IBM 'dd/$core'"
	fi
	crash_in dp "$HELPERS/secret-core" HAL protect
	is "$(ls dp)" "" "after secrets_protect(), the helper leaves no core at all"

	# Each program that holds a secret, caught while it holds it (or waits for it).
	TOK=TOKEN-CORE-4711
	echo "$TOK" >"$WGO_HOME/token"; chmod 600 "$WGO_HOME/token"
	mkfifo issue.fifo
	exec 7<>issue.fifo # a writer that never writes: wgo-issue waits for input
	segv() { # NAME CMD...: CMD run in core-NAME/ under ulimit -c unlimited, then kill -SEGV
		_n=$1; shift
		mkdir -p "core-$_n"
		(cd "core-$_n" && ulimit -c unlimited && exec "$@") >"core-$_n.out" 2>"core-$_n.err" <"${SEGV_IN:-/dev/null}" &
		_bg=$!
		nap 1.5
		# SEGV_FIND: the program is a child of what was started (a terminal's).
		_pid=$_bg
		[ -z "${SEGV_FIND:-}" ] || _pid=$(pgrep -n -f "$SEGV_FIND")
		limit=$(sed -n 's/^Max core file size *\([^ ]*\) *\([^ ]*\).*/\1 \2/p' /proc/$_pid/limits 2>/dev/null)
		filter=$(cat /proc/$_pid/coredump_filter 2>/dev/null)
		kill -SEGV $_pid 2>/dev/null
		wait $_bg 2>/dev/null
		is "$limit" "0 0" "$_n: core file size limit 0, whatever ulimit -c said"
		is "$filter" "00000000" "$_n: coredump_filter 0"
		if [ $cores = 1 ]; then
			is "$(ls "core-$_n" | grep '^core')" "" "$_n: killed by SIGSEGV, it leaves no core file"
		fi
	}
	segv wgo-push wgo-push --attempts 1 "$SCRATCH/orders.jsonl"
	ok "wgo-push: no file it left holds the token" sh -c "! grep -rq '$TOK' core-wgo-push core-wgo-push.out core-wgo-push.err"
	segv wgo-pull wgo-pull --attempts 1 returns
	SEGV_IN=issue.fifo segv wgo-issue wgo-issue --date 2025-12-10
	# wgo-keygen waits for its passphrase on a terminal, which script(1) gives it
	# (a FIFO as its passphrase file is refused at once, not waited on).
	SEGV_IN=issue.fifo SEGV_FIND='^wgo-keygen --office KHL --secret k.sec' segv wgo-keygen \
		script -qec 'wgo-keygen --office KHL --secret k.sec --public k.pub --no-keyring' /dev/null
	segv ddp-sandbox ddp-sandbox --state "$SCRATCH/sb-core" --port 0 --keyring "$TESTDATA/keys" \
		--token-file "$SB/tokens" --exit-after 60
	exec 7>&-
fi

# ---- WGO_BANK_TOKEN: read, then gone from /proc/PID/environ, not only unset
H2=$SCRATCH/home-env
cp -r "$WGO_HOME" "$H2"
sed -i '/^bank.token_file/d' "$H2/wgo.conf"
if [ -n "${VALGRIND:-}" ]; then
	skip "/proc/PID/environ is valgrind's own under valgrind"
else
	ENVTOK=TOKEN-ENV-0815
	for p in wgo-pull wgo-push; do
		if [ $p = wgo-pull ]; then set -- returns; else set -- "$SCRATCH/orders.jsonl"; fi
		WGO_HOME=$H2 WGO_BANK_TOKEN=$ENVTOK $p --attempts 1 --endpoint "$HANG" "$@" >/dev/null 2>env.err &
		pid=$!
		nap 1.5
		if tr '\0' '\n' </proc/$pid/environ >environ.txt 2>/dev/null; then
			is "$(grep -c "$ENVTOK" environ.txt)" 0 "$p: WGO_BANK_TOKEN read, its value is gone from /proc/PID/environ"
			like "$(grep -c . environ.txt)" '^[1-9]' "$p: (the rest of the environment is still there to read)"
		else
			pass "$p: /proc/PID/environ cannot be read by others at all (not dumpable)"
		fi
		ok "$p: it was still running, at the bank" kill -0 $pid
		kill $pid 2>/dev/null; wait $pid 2>/dev/null
	done
fi
kill -9 "$SB_PID"; wait "$SB_PID" 2>/dev/null; SB_PID= # it would wait out its latency

# ---- the token from a descriptor
SB=$SCRATCH/sb-fd sandbox_start --today 2025-12-10
SB=$SCRATCH/sb-fd
printf 'test-token-KHL\n' >tok.ok; chmod 600 tok.ok
expect 0 "wgo-pull --token-fd 3 (a file of mode 0600)" wgo-pull --token-fd 3 returns 3<tok.ok
expect 0 "wgo-push --token-fd 0 (a pipe)" sh -c "printf 'test-token-KHL\n' | wgo-push --token-fd 0 '$SCRATCH/orders.jsonl'"
is "$(printf '%s\n' "$out" | grep -c '"status":"accepted"')" 3 "the three orders are accepted with it"
expect 2 "a wrong token by descriptor is the bank's refusal" sh -c "printf 'wrong\n' | wgo-pull --token-fd 0 returns"
like "$err" 'HTTP 401' "(HTTP 401)"
chmod 644 tok.ok
expect 2 "a token file others can read is refused by descriptor too" wgo-pull --token-fd 3 returns 3<tok.ok
is "$err" "wgo-pull: descriptor 3: readable by group or others (mode 0644): chmod 600 it" "saying which descriptor and why"
expect 2 "--token-fd with --token-file is refused" wgo-pull --token-fd 3 --token-file tok.ok returns 3<tok.ok
like "$err" '^wgo-pull: --token-file and --token-fd: one token, from one place' "saying why"
expect 2 "--token-fd takes a number" wgo-pull --token-fd three returns
sandbox_stop

# ---- a secret behind a symbolic link is refused, saying why
ln -s "$WGO_HOME/keys/KHL.sec" link.sec
expect 2 "a secret key behind a symbolic link is refused" wgo-issue --key link.sec --date 2025-12-10 "$TESTDATA/applications.jsonl"
like "$err" 'link.sec: a symbolic link: secrets are read only from the file itself, never through a link' "saying why, not 'Too many levels of symbolic links'"
ok "(that is not in the message)" sh -c "! printf '%s' \"\$0\" | grep -q 'Too many levels'" "$err"
ln -s tok.ok link.tok
expect 2 "a token file behind a symbolic link is refused" wgo-pull --token-file link.tok --endpoint http://127.0.0.1:9 returns
like "$err" 'link.tok: a symbolic link: secrets are read only' "saying why"

done_testing
