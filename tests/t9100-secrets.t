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
expect 2 "a value given to an option that takes none is refused" wgo-verify "--quiet=$S" orders.jsonl
is "$err" "wgo-verify: option '--quiet' takes no value
Try 'wgo-verify --help' for more information." "naming the option, not the value"

done_testing
