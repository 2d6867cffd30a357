#!/bin/sh
# wgo-init: a working office in one command (configuration, holidays, branches,
# keys, a sandbox bank beside it), run again it keeps what is there; and a missing
# or incomplete configuration is one error, not one per record.
. "$(dirname "$0")/lib.sh"

golden wgo-init

cd "$SCRATCH" || exit 2
apps=$TESTDATA/applications.jsonl
printf 'a passphrase for the test\n' >khl.pass
chmod 600 khl.pass

# ---- a configuration that is missing or incomplete: one error (issue #14, item 3;
# before wgo-init, wgo-issue rejected each of the 36 applications and exited 1) ----
export WGO_HOME=$SCRATCH/none
expect 2 "wgo-issue with no configuration exits 2" wgo-issue --no-sign --date 2025-12-10 "$apps"
is "$(printf '%s\n' "$err" | wc -l)" 1 "with one message"
is "$err" "wgo-issue: $SCRATCH/none/wgo.conf: no configuration, so this is not an office yet: make one with 'wgo-init --office CODE' (wgo-init(1)), or point --home or WGO_HOME at the office's directory" \
	"naming the file and what to do"
is "$out" "" "and no order"
mkdir -p none
grep -v '^term\.death_in_service\|^rate\.funeral\.family' "$TOP/src/etc/wgo.conf.example" >none/wgo.conf
expect 2 "wgo-issue with rates and terms missing exits 2" wgo-issue --no-sign --date 2025-12-10 "$apps"
is "$err" "wgo-issue: $SCRATCH/none/wgo.conf: rate.funeral.family, term.death_in_service are not set: add them (wgo.conf.example has each; wgo(7) says what each means), or make the office again with wgo-init" \
	"one message naming every setting missing"
rm -r none
expect 2 "wgo-verify outside an office exits 2" wgo-verify "$apps"
like "$err" "^wgo-verify: .*/none/wgo.conf: no configuration, so this is not an office yet: make one with 'wgo-init" \
	"and says to make one with wgo-init"
# wgo-scan runs without an office (its rules that need names, terms or rates are
# applied without them), and says so once rather than once a rule (four on main).
expect 0 "wgo-scan outside an office" wgo-scan </dev/null
is "$err" "wgo-scan: $SCRATCH/none/wgo.conf: no configuration: shared-nid, same-person, age-terms, amount-no-rate are applied without the names, terms and rates it would give; make the office with wgo-init (wgo-init(1))" \
	"says so once, naming the rules"

# ---- usage ----
expect 2 "--office is needed" wgo-init --home h1
like "$err" "--office is needed" "says so"
expect 2 "an unknown office" wgo-init --office XYZ --home h1
expect 2 "--no-passphrase and --passphrase-file" wgo-init --office KHL --no-passphrase -P khl.pass --home h1
expect 2 "a port out of range" wgo-init --office KHL --sandbox --port 70000 --home h1
[ -e h1 ] && fail "no state directory is made on a usage error" || pass "no state directory is made on a usage error"

# ---- checked before anything is made ----
cp khl.pass open.pass
chmod 644 open.pass
expect 2 "a passphrase file others can read is refused" wgo-init --office KHL -P open.pass --home h2
like "$err" "open.pass" "naming it"
printf '2026-02-30 Not a day\n' >bad-holidays
expect 2 "a bad holiday file is refused" wgo-init --office KHL --no-passphrase -H bad-holidays --home h2
like "$err" "bad-holidays:1:" "at its line"
printf '200471600\tKHULNA CORPORATE\n200471601\tWRONG\n' >bad-branches
expect 2 "a bad branch file is refused" wgo-init --office KHL --no-passphrase --branches bad-branches --home h2
like "$err" "bad-branches:2: routing number 200471601: check digit is 1, expected 0" "at its line, with the reason"
[ -e h2 ] && fail "nothing is made when a file is refused" || pass "nothing is made when a file is refused"
expect 2 "with no terminal and no passphrase file, it says what to give" \
	setsid -w wgo-init --office KHL --home h2
like "$err" "no terminal to ask on.*--passphrase-file FILE, or --no-passphrase" "says what to give"

# ---- the office ----
export WGO_HOME=$SCRATCH/khl
expect 0 "wgo-init --office KHL --sandbox --passphrase-file" \
	wgo-init --office KHL --sandbox --passphrase-file khl.pass --now 2026-11-30T06:00:00Z
first=$out
for f in wgo.conf holidays branches keys/KHL.sec keys/KHL.pub token sandbox/tokens; do
	[ -f "khl/$f" ] && pass "made $f" || fail "made $f"
done
is "$(stat -c %a khl khl/keys khl/keyring khl/sandbox)" "700
700
700
700" "its directories are the user's only"
is "$(stat -c %a khl/wgo.conf khl/keys/KHL.sec khl/token khl/sandbox/tokens)" "600
600
600
600" "the configuration, the secret key and the tokens are mode 0600"
cmp -s khl/holidays "$TOP/src/etc/holidays-bd-2026.txt" && pass "the holiday file is the one shipped" ||
	fail "the holiday file is the one shipped"
cmp -s khl/branches "$TOP/src/etc/branches-sonali.tsv" && pass "the branch file is the one shipped" ||
	fail "the branch file is the one shipped"
id=$(sed -n '1s/.* //p' khl/keys/KHL.pub)
like "$id" "^[0-9a-f]{16}$" "the key id is in the public key's comment"
cmp -s khl/keys/KHL.pub "khl/keyring/KHL-$id.pub" && pass "the public key is in the keyring" ||
	fail "the public key is in the keyring"
cmp -s khl/keys/KHL.pub "khl/sandbox/keyring/KHL-$id.pub" && pass "and in the sandbox's keyring" ||
	fail "and in the sandbox's keyring"
# The settings the office needs, worked out by hand: the office, its files, the
# passphrase's file by its full path, the sandbox at the default port, the token.
settings=$(grep -v '^#' khl/wgo.conf | grep -E '^(office|holidays|branches|key\.passphrase_file|bank\.[a-z_]+|officer\.[A-Z]+\.0) =')
is "$settings" "office = KHL
holidays = holidays
branches = branches
key.passphrase_file = $SCRATCH/khl.pass
bank.endpoint = http://127.0.0.1:8470
bank.token_file = token
officer.KHL.0 = Nasrin Akhter, Deputy Director" "the configuration names the office, its files, the passphrase's file and the bank"
# Every other setting is the example's, in its order.
is "$(grep -v '^#' khl/wgo.conf | grep -vE '^(office|holidays|branches|key\.passphrase_file|bank\.[a-z_]+) =' | grep .)" \
	"$(grep -v '^#' "$TOP/src/etc/wgo.conf.example" | grep -v '^office =' | grep .)" \
	"every other setting is the example's"
is "$(head -1 khl/wgo.conf)" "# The configuration of the KHL office (Khulna), made by wgo-init on 2026-11-30 from" \
	"its heading names the office and the day (--now)"
tok=$(cat khl/token)
like "$tok" "^[0-9a-f]{64}$" "the office's token is 32 random bytes in hex"
is "$(sed -n 1p khl/sandbox/tokens)" "KHL $tok" "the sandbox knows the office by the same token"
like "$(sed -n 2p khl/sandbox/tokens)" "^ADMIN [0-9a-f]{64}$" "and has an ADMIN token"
is "$(wc -l <khl/sandbox/tokens)" 2 "and no other"
like "$(head -c 40 khl/keys/KHL.sec)" "." "the secret key is there"
printf 'another passphrase\n' >wrong.pass
chmod 600 wrong.pass
expect 2 "the key is sealed: it does not open with another passphrase" \
	wgo-issue --date 2025-12-10 --passphrase-file wrong.pass "$apps"
like "$err" "KHL.sec" "the key file is named"
like "$first" "made  keys/KHL.sec  the office's secret key, sealed \(its passphrase in key.passphrase_file\)" \
	"the report says the key is sealed"
like "$first" "ddp-sandbox --state $SCRATCH/khl/sandbox --keyring $SCRATCH/khl/sandbox/keyring --port 8470 &" \
	"and how to start the sandbox"

# The office works: the sandbox started as wgo-init says (on a free port), orders
# issued and pushed with no secret option (before wgo-init, a sealed key needed -P
# on every call, and the bank's endpoint and token were set by hand).
SB=$SCRATCH/khl/sandbox
: >sb.port
ddp-sandbox --state "$SB" --keyring "$SB/keyring" --port 0 --exit-after $((120 * SLOW)) >sb.port 2>sb.err &
SB_PID=$!
for i in $(seq 1 100); do [ -s sb.port ] && break; sleep 0.1; done
sed "s|^bank.endpoint = .*|bank.endpoint = http://127.0.0.1:$(cat sb.port)|" khl/wgo.conf >conf.new
cat conf.new >khl/wgo.conf
head -3 "$apps" >approved.jsonl
run sh -c 'wgo-issue --date 2025-12-10 approved.jsonl | wgo-push'
is "$status" 0 "wgo-issue | wgo-push with no secret option"
is "$(printf '%s\n' "$out" | grep -c '"kind":"push"')" 3 "the bank accepted the 3 orders"
sandbox_stop

# ---- run again: everything kept ----
sums=$(cd khl && find . -type f ! -name '.wgo-init.lock' | sort | xargs md5sum)
expect 0 "run again" wgo-init --office KHL --sandbox --passphrase-file khl.pass
is "$(cd khl && find . -type f ! -name '.wgo-init.lock' | sort | xargs md5sum)" "$sums" "changes no file"
is "$(printf '%s\n' "$out" | grep -c '^made')" 0 "makes nothing"
is "$(printf '%s\n' "$out" | grep -c '^kept')" 8 "keeps the 8 things"
expect 2 "another office in the same directory is refused" wgo-init --office DHK --no-passphrase
is "$err" "wgo-init: $SCRATCH/khl/wgo.conf: the configuration is KHL's office, not DHK's" "saying whose it is"

# An office made without a sandbox gets one later: the configuration keeps its
# settings and gains the bank's.
export WGO_HOME=$SCRATCH/dhk
expect 0 "an office without a sandbox, its key not sealed" wgo-init --office DHK --no-passphrase
is "$(grep -c '^bank\.' dhk/wgo.conf)" 0 "has no bank settings"
like "$out" "made  keys/DHK.sec  the office's secret key, not sealed" "its key is not sealed"
is "$(grep '^officer\.' dhk/wgo.conf | head -1)" "officer.DHK.0 = Nasrin Akhter, Deputy Director" "its own officer setting"
expect 0 "the same office, now with a sandbox on port 9000" wgo-init --office DHK --no-passphrase --sandbox --port 9000
is "$(tail -3 dhk/wgo.conf)" "# Added by wgo-init.
bank.endpoint = http://127.0.0.1:9000
bank.token_file = token" "the bank's settings are added at the end"
like "$out" "kept  keys/DHK.sec" "the key is kept"
like "$out" "made  sandbox/" "the sandbox is made"
expect 0 "the configuration still loads" wgo-issue --dry-run --date 2025-12-10 "$apps"

# Two runs at once make one office, with one key.
export WGO_HOME=$SCRATCH/twice
wgo-init --office KHL --no-passphrase >a.out 2>&1 &
p1=$!
wgo-init --office KHL --no-passphrase >b.out 2>&1
s2=$?
wait $p1
s1=$?
is "$s1 $s2" "0 0" "two runs at once both succeed"
is "$(ls twice/keyring | wc -l)" 1 "with one key in the keyring"
is "$(cat a.out b.out | grep -c '^made  keys/KHL.sec')" 1 "made by one of them"
# A configuration naming another passphrase file than -P (the attacker's review):
# on main the key was sealed with -P's and the configuration kept the other, so
# no program could open the key. Now it is refused before anything is made.
mkdir pp && printf 'one passphrase\n' >pp/a.pass && printf 'another\n' >pp/b.pass && chmod 600 pp/*.pass
printf 'office = KHL\nkey.passphrase_file = %s\n' "$PWD/pp/a.pass" >pp/wgo.conf
expect 2 "-P other than the configuration's passphrase file: refused" wgo-init --home pp --office KHL -P pp/b.pass
like "$err" "key.passphrase_file is $PWD/pp/a.pass, not $PWD/pp/b.pass: give -P $PWD/pp/a.pass" "naming both"
is "$(ls pp/keys 2>/dev/null | wc -l)" 0 "and no key is made"
# With --sandbox, a bank elsewhere in the configuration is kept, and said.
mkdir sbx && printf 'office = KHL\nbank.endpoint = https://bank.example:443\n' >sbx/wgo.conf
expect 0 "--sandbox with another bank configured" wgo-init --home sbx --office KHL --no-passphrase --sandbox
like "$err" 'bank.endpoint is https://bank.example:443, kept: the programs reach that bank, not the sandbox' "says the programs reach that bank"
done_testing
