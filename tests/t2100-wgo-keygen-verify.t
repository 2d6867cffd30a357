#!/bin/sh
# wgo-keygen: files, modes, passphrases; wgo-verify: golden cases and a byte-flip sweep.
. "$(dirname "$0")/lib.sh"

golden wgo-verify

cd "$SCRATCH" || exit 2
cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
expect 0 "wgo-keygen makes a keypair without a passphrase" wgo-keygen --office KHL --no-passphrase
printf '%s\n' "$out" >printed
ok "it prints the public key file" cmp printed "$WGO_HOME/keys/KHL.pub"
like "$(head -1 printed)" "^untrusted comment: wgo public key KHL [0-9a-f]{16}$" "the comment names office and key id"
id=$(head -1 printed | awk '{print $NF}')
is "$(stat -c %a "$WGO_HOME/keys/KHL.sec")" 600 "the secret key is mode 0600"
ok "the public key is in the keyring as KHL-$id.pub" cmp printed "$WGO_HOME/keyring/KHL-$id.pub"
expect 2 "a second keygen never overwrites the key" wgo-keygen --office KHL --no-passphrase
like "$err" "KHL.sec: File exists" "and says why"
ok "the secret key is unchanged... and still signs" sh -c "head -1 '$TESTDATA/applications.jsonl' | wgo-issue --date 2025-12-10 | wgo-verify >/dev/null"

printf 'a passphrase\n' >pp
chmod 644 pp
expect 2 "a passphrase file readable by others is refused" wgo-keygen --office DHK --passphrase-file pp
like "$err" "pp: readable by group or others" "naming the file"
[ -e "$WGO_HOME/keys/DHK.sec" ] && fail "no key is left behind" || pass "no key is left behind"
chmod 600 pp
expect 0 "with a private passphrase file the key is sealed" wgo-keygen --office DHK --passphrase-file pp
like "$(head -1 "$WGO_HOME/keys/DHK.sec")" "secret key DHK [0-9a-f]{16}$" "the secret key's comment says it is sealed (no '(no passphrase)')"
expect 2 "without a terminal or passphrase file, keygen says what to do" setsid -w wgo-keygen --office CTG
like "$err" "no terminal to ask on: give --passphrase-file" "naming --passphrase-file"
if command -v script >/dev/null; then
	# Typed after each prompt, as a person would: echo is off by then.
	{ sleep 1; printf 'secret one\n'; sleep 1; printf 'secret one\n'; } | timeout 20 script -qec 'wgo-keygen --office RAJ' /dev/null >tty.out 2>&1
	[ -f "$WGO_HOME/keys/RAJ.sec" ] && pass "on a terminal the passphrase is asked for twice" ||
		fail "on a terminal the passphrase is asked for twice" "$(cat tty.out)"
	grep -q 'secret one' tty.out && fail "the passphrase is not echoed" "$(cat tty.out)" || pass "the passphrase is not echoed"
	{ sleep 1; printf 'one\n'; sleep 1; printf 'two\n'; } | timeout 20 script -qec 'wgo-keygen --office SYL' /dev/null >tty2.out 2>&1
	[ -e "$WGO_HOME/keys/SYL.sec" ] && fail "two different passphrases make no key" || pass "two different passphrases make no key"
	grep -q 'the two passphrases differ' tty2.out && pass "and keygen says they differ" || fail "and keygen says they differ" "$(cat tty2.out)"
else
	skip "script(1) is not installed"
fi
expect 2 "--office is needed" wgo-keygen --no-passphrase
expect 2 "an unknown office is refused" wgo-keygen --office XYZ --no-passphrase
like "$err" "unknown office 'XYZ'" "naming it"

# A byte-flip sweep through the program: each position of one order, flipped, on
# its own line; not one verifies.
sed -n 2p "$TESTDATA/applications.jsonl" | wgo-issue --date 2025-12-11 --key "$WGO_HOME/keys/KHL.sec" >one.jsonl
n=$(($(wc -c <one.jsonl) - 1))
awk -v n="$n" 'BEGIN { for (i = 0; i < 256; i++) ord[sprintf("%c", i)] = i }
	{ for (i = 1; i <= n; i++) { c = substr($0, i, 1); d = (c == "A") ? "B" : "A";
	  if (c ~ /[0-9]/) d = (c == "1") ? "2" : "1"; print substr($0, 1, i - 1) d substr($0, i + 1) } }' one.jsonl >flipped.jsonl
expect 1 "each of $n one-byte changes fails wgo-verify" wgo-verify -q flipped.jsonl
is "$out" "" "and not one order comes out"
expect 0 "the unchanged order still verifies" wgo-verify one.jsonl
expect 0 "--help" wgo-keygen --help
expect 0 "--help" wgo-verify --help
done_testing
