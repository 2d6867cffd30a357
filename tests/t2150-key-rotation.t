#!/bin/sh
# Key rotation and revocation (issue #13): wgo-keygen rotate and revoke write the
# keys' validity into the keyring; wgo-verify, wgo-push and the sandbox bank refuse
# an order signed by a key outside its validity on the order's issued date, and
# everything a revoked key signed once the revocation day has come.
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 2
cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
echo "test-token-KHL" >"$WGO_HOME/token"; chmod 600 "$WGO_HOME/token"
echo "bank.token_file = token" >>"$WGO_HOME/wgo.conf"
KR=$WGO_HOME/keyring
app() { sed -n "${1}p" "$TESTDATA/applications.jsonl"; }
keyid() { head -1 "$1" | awk '{ print $NF }'; }

expect 0 "wgo-keygen makes KHL's key A" wgo-keygen --office KHL --no-passphrase
A=$(keyid "$WGO_HOME/keys/KHL.pub")
cp "$WGO_HOME/keys/KHL.sec" A.sec; chmod 600 A.sec
cp -r "$KR" keyring-before
app 1 | wgo-issue --date 2026-01-10 >o1.jsonl # A, before the rotation
app 5 | wgo-issue --date 2026-01-15 --key A.sec >o5.jsonl

expect 0 "wgo-keygen rotate: KHL's key B from 2026-02-01" wgo-keygen rotate --office KHL --no-passphrase --date 2026-02-01
B=$(keyid "$WGO_HOME/keys/KHL.pub")
like "$B" '^[0-9a-f]{16}$' "the office's public key file is B's now"
ok "B is not A" test "$A" != "$B"
is "$err" "wgo-keygen: KHL: key $A retired from 2026-02-01; key $B valid from 2026-02-01" "it says what it did"
is "$out" "$(cat "$WGO_HOME/keys/KHL.pub")" "it prints B's public key"
is "$(cat "$KR/KHL-$A.pub" | sed 1,2d)" "retired: 2026-02-01" "A's keyring file says: retired from 2026-02-01"
is "$(cat "$KR/KHL-$B.pub" | sed 1,2d)" "valid-from: 2026-02-01" "B's says: valid from 2026-02-01"
is "$(sed -n 1,2p "$KR/KHL-$A.pub")" "$(cat keyring-before/KHL-$A.pub)" "A's key lines are as they were"
ok "the new secret key signs" sh -c "app() { sed -n \"\${1}p\" '$TESTDATA/applications.jsonl'; }; app 2 | wgo-issue --date 2026-02-05 >o2.jsonl"
app 3 | wgo-issue --date 2026-01-20 >o3.jsonl           # B, issued before B was valid
app 4 | wgo-issue --date 2026-02-10 --key A.sec >o4.jsonl # A, issued after A was retired
is "$(cat o1.jsonl o2.jsonl o3.jsonl o4.jsonl | grep -o '"key_id":"[0-9a-f]*"' | cut -d'"' -f4 | tr '\n' ' ')" \
	"$A $B $B $A " "the orders are signed A, B, B, A"

expect 0 "wgo-keygen list" wgo-keygen list --now 2026-02-15T06:00:00Z
# Keys by office, then by the day each became valid (A from the start, B later).
is "$out" "office	key_id	valid_from	retired	revoked	now
$(printf 'KHL\t%s\t-\t2026-02-01\t-\tretired\nKHL\t%s\t2026-02-01\t-\t-\tvalid\n' "$A" "$B")" \
	"shows both keys, their dates and what each may sign on 2026-02-15"

# wgo-verify: judged by the order's issued date.
expect 1 "wgo-verify: two of four orders pass" wgo-verify --now 2026-02-15T06:00:00Z o1.jsonl o2.jsonl o3.jsonl o4.jsonl
is "$(printf '%s\n' "$out" | grep -o '"order_no":"[^"]*"' | tr '\n' ' ')" \
	"$(cat o1.jsonl o2.jsonl | grep -o '"order_no":"[^"]*"' | tr '\n' ' ')" "o1 (A, before) and o2 (B, after)"
n3=$(grep -o '"order_no":"[^"]*"' o3.jsonl | cut -d'"' -f4)
n4=$(grep -o '"order_no":"[^"]*"' o4.jsonl | cut -d'"' -f4)
is "$err" "wgo-verify: o3.jsonl:1: signature.key_id: key $B of KHL is valid from 2026-02-01; the order was issued on 2026-01-20, before it (order $n3 revision 0)
wgo-verify: o4.jsonl:1: signature.key_id: key $A of KHL was retired on 2026-02-01; the order was issued on 2026-02-10, after it: the wrong key (order $n4 revision 0)" \
	"o3: B was not valid yet; o4: A was retired"

# The bank, on 2026-02-15, with the same keyring.
SB=$SCRATCH/sb sandbox_start --today 2026-02-15 --keyring "$KR"
SB=$SCRATCH/sb
expect 0 "wgo-push: o1, o2 and o5 are accepted" wgo-push o1.jsonl o2.jsonl o5.jsonl
is "$(printf '%s\n' "$out" | grep -c '"status":"accepted"')" 3 "all three"
expect 1 "wgo-push refuses o3 and o4 itself: they are never sent" wgo-push o3.jsonl o4.jsonl
is "$(printf '%s\n' "$out" | grep -c '"status":"rejected","code":"local.order.signature"')" 2 "both, local.order.signature"
# What a client that was never told of the keys' dates would send: the bank
# refuses it.
mkdir undated
for f in "$KR"/*.pub; do sed -n 1,2p "$f" >"undated/${f##*/}"; done
wgo-push --dry-run --keyring undated o3.jsonl o4.jsonl >dry.json
is "$(wc -l <dry.json | tr -d ' ')" 1 "(one request carrying both)"
resp=$(curl -s -H "Authorization: Bearer test-token-KHL" --data-binary @dry.json "$SB_URL/disburse/sync/disburse")
is "$(printf '%s' "$resp" | jq -r '.message.disbursements_status[] | [.status, .status_reason_code] | join(" ")')" \
	"rjct rjct.order.signature
rjct rjct.order.signature" "the bank refuses both orders"
like "$(printf '%s' "$resp" | jq -r '.message.disbursements_status[1].status_reason_message')" \
	"key $A of KHL was retired on 2026-02-01; the order was issued on 2026-02-10" "saying why"
sandbox_stop

# Revocation: A is revoked from 2026-03-01 (a laptop was lost).
expect 0 "wgo-keygen revoke A from 2026-03-01" wgo-keygen revoke "$A" --date 2026-03-01
is "$err" "wgo-keygen: KHL: key $A revoked from 2026-03-01: nothing it signed is trusted from then on" "it says so"
is "$(sed 1,2d "$KR/KHL-$A.pub")" "retired: 2026-02-01
revoked: 2026-03-01" "A's keyring file has both dates"
expect 0 "before the revocation day, o1 (A, issued before the retirement) still verifies" \
	wgo-verify --now 2026-02-28T06:00:00Z o1.jsonl
expect 1 "from that day on, it does not: refused outright, whatever its issued date" \
	wgo-verify --now 2026-03-01T06:00:00Z o1.jsonl o2.jsonl
like "$err" "o1.jsonl:1: signature.key_id: key $A of KHL was revoked on 2026-03-01: nothing it signed is trusted" "saying so"
is "$(printf '%s\n' "$out" | grep -c '"kind":"order"')" 1 "o2 (B) still passes"
expect 2 "revoking it again is refused" wgo-keygen revoke "$A" --date 2026-03-01
expect 2 "an unknown key id is refused" wgo-keygen revoke 0123456789abcdef
like "$err" "no key 0123456789abcdef in the keyring" "saying so"
expect 2 "a key id is 16 hex digits" wgo-keygen revoke xyz
# The bank after the revocation: an order A signed, not yet at the bank, is
# refused; so is a request signed with A.
app 6 | wgo-issue --date 2026-01-16 --key A.sec >o6.jsonl
SB=$SCRATCH/sb sandbox_start --today 2026-03-05 --keyring "$KR"
SB=$SCRATCH/sb
# Its ledger holds orders A signed before the revocation: what it accepted then
# stands (it was checked as of the day it was taken), and it starts.
kill -0 "$SB_PID" 2>/dev/null && pass "the bank starts again after the revocation, its ledger holding what A signed" ||
	fail "the bank starts again after the revocation, its ledger holding what A signed" "$(tail -2 "$SCRATCH/sb.err")"
wgo-push --dry-run --keyring undated o6.jsonl >dry6.json
resp=$(curl -s -H "Authorization: Bearer test-token-KHL" --data-binary @dry6.json "$SB_URL/disburse/sync/disburse")
is "$(printf '%s' "$resp" | jq -r '.message.disbursements_status[0].status_reason_code')" "rjct.order.signature" \
	"the bank refuses an order signed by A, issued before A's retirement, now that A is revoked"
# The bank refusing the office's own key is an operational error (#12 item 10):
# exit 2, the bank's words on standard error, the order failed, not rejected.
expect 2 "a request signed with A is refused: 401, exit 2" wgo-push --force --key A.sec --keyring undated o2.jsonl
like "$out" '"status":"failed","code":"err.sender.key_invalid","message":"HTTP 401 err.sender.key_invalid: key '"$A"' of KHL was revoked on 2026-03-01' \
	"err.sender.key_invalid, saying why"
like "$err" 'the bank refused the request: HTTP 401 err.sender.key_invalid: key '"$A"' of KHL was revoked on 2026-03-01' \
	"and on standard error"
sandbox_stop

# B is stolen: revoked first, then replaced by C.
expect 0 "revoke the office's current key" wgo-keygen revoke "$B" --date 2026-03-10
like "$err" "it is KHL's current key: make a new one with wgo-keygen rotate --office KHL" "saying the office has no key to sign with"
expect 0 "rotate after it" wgo-keygen rotate --office KHL --no-passphrase --date 2026-03-10
C=$(keyid "$WGO_HOME/keys/KHL.pub")
is "$err" "wgo-keygen: KHL: key $B was revoked; key $C valid from 2026-03-10" "B needs no retiring"
is "$(sed 1,2d "$KR/KHL-$B.pub")" "valid-from: 2026-02-01
revoked: 2026-03-10" "B's keyring file: valid from, revoked, no retired"

# The keyring's form is checked: a date line out of place, or twice.
printf 'retired: 2026-01-01\n' >bad1.pub
expect 2 "a date line before any key is refused" wgo-verify --keyring bad1.pub o2.jsonl
is "$err" "wgo-verify: bad1.pub:1: retired: a date line belongs after a key" "file, line and why"
{ cat undated/KHL-$B.pub; echo "valid-from: 2026-02-01"; echo "valid-from: 2026-03-01"; } >bad2.pub
expect 2 "the same date twice is refused" wgo-verify --keyring bad2.pub o2.jsonl
is "$err" "wgo-verify: bad2.pub:4: valid-from: given twice for this key" "file, line and why"
{ cat undated/KHL-$B.pub; echo "revoked: 2026-02-30"; } >bad3.pub
expect 2 "a bad date is refused" wgo-verify --keyring bad3.pub o2.jsonl
like "$err" '^wgo-verify: bad3.pub:3: revoked: ' "file, line and field"
# A keyring file of several keys: rotate adds to it and marks the old one there.
H2=$SCRATCH/home2
mkdir -p "$H2" && cp "$WGO_HOME/wgo.conf" "$H2/"
: >"$H2/ring" # a keyring file, empty
WGO_HOME=$H2 wgo-keygen --office DHK --no-passphrase --keyring "$H2/ring" >/dev/null
WGO_HOME=$H2 wgo-keygen --office RAJ --no-passphrase --keyring "$H2/ring" >/dev/null
D1=$(keyid "$H2/keys/DHK.pub")
expect 0 "rotate with a keyring file" env WGO_HOME="$H2" wgo-keygen rotate --office DHK --no-passphrase --keyring "$H2/ring" --date 2026-04-01
D2=$(keyid "$H2/keys/DHK.pub")
is "$(grep -c '^untrusted comment' "$H2/ring")" 3 "the file holds three keys"
is "$(WGO_HOME=$H2 wgo-keygen list --keyring "$H2/ring" --now 2026-04-02T06:00:00Z | cut -f1,2,3,4 | sed 1d | sort)" \
	"$(printf 'DHK\t%s\t-\t2026-04-01\nDHK\t%s\t2026-04-01\t-\n' "$D1" "$D2" | sort)
$(printf 'RAJ\t%s\t-\t-' "$(grep 'RAJ' "$H2/ring" | awk '{ print $NF }')")" "DHK's old key retired, its new one valid from the day; RAJ's untouched"
expect 0 "--help" wgo-keygen --help
done_testing
