#!/bin/sh
# The bank's contract checked from outside the library: the code table of
# wgo-api(7) is the library's, and a client written from that page alone
# (tests/client/wgoapi.py, Python with PyNaCl) walks it: every code is produced by
# some request, with its HTTP status, every answer an envelope with that code; it
# signs its own stops and orders, reads keys sealed and not, pages the feeds.
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 2
office_home "$SCRATCH/home"
PY=
for p in python3 /usr/bin/python3; do
	"$p" -c 'import nacl.signing' 2>/dev/null && { PY=$p; break; }
done
[ -n "$PY" ] || { fail "PyNaCl is installed (Debian: python3-nacl; make deps installs it)"; done_testing; exit 1; }
CLIENT=$TOP/tests/client/wgoapi.py
LOG=$SCRATCH/answers.jsonl
: >not-walked
# client SCENARIO ARGS...: the client's checks, each a test here.
client() {
	"$PY" "$CLIENT" "$@" --log "$LOG" >client.out 2>client.err
	_st=$?
	while IFS= read -r l; do
		case $l in
		PASS\ *) pass "client: ${l#PASS }" ;;
		FAIL\ *) fail "client: ${l#FAIL }" ;;
		esac
	done <client.out
	[ $_st -le 1 ] || fail "the client ran to its end" "$(tail -5 client.err)"
}

# ---- the page's tables are the library's (ddp-sandbox codes prints it).
awk '/^\.It Li (err|rjct)\./ { sub(/^\.It Li /, ""); n = split($0, f, / Ta /)
	if (n == 4) printf "%s\t%s\t%s\t%s\n", f[1], f[2], f[3], f[4]; else printf "%s\t%s\n", f[1], f[2] }' \
	"$TOP/man/man7/wgo-api.7" | sort >page.codes
ddp-sandbox codes | awk -F'\t' '$4 == "item" { printf "%s\t%s\n", $1, $5; next }
	{ printf "%s\t%s\t%s\t%s\n", $1, $2, $3, $5 }' | sort >lib.codes
ok "wgo-api(7)'s code tables are the library's, code, HTTP status, kind and meaning" diff -u lib.codes page.codes
like "$(wc -l <page.codes)" '^ *(3[0-9]|[4-9][0-9])$' "(the page names $(wc -l <page.codes | tr -d ' ') codes)"

# ---- the orders: 14 of the samples, one of them corrected (revision 1).
head -14 "$TESTDATA/applications.jsonl" | wgo-issue --date 2025-12-10 >orders.jsonl
no11=$(sed -n 11p orders.jsonl | jq -r .order_no)
echo "{\"kind\":\"correction\",\"v\":1,\"order_no\":\"$no11\",\"reason\":\"test\",\"changes\":{\"account\":{\"name\":\"R. KHATUN\"}}}" |
	wgo-issue --amend --date 2025-12-11 >rev1.jsonl

# ---- the contract, on a bank that returns a third of what it takes.
sandbox_start --today 2025-12-10 --return-rate 0.35 --seed 11
client contract --url "$SB_URL" --token test-token-KHL --key "$TESTDATA/keys/KHL-sealed.sec" \
	--passphrase-file "$TESTDATA/keys/passphrase" --other-key "$TESTDATA/keys/DHK.sec" \
	--orders orders.jsonl --rev1 rev1.jsonl
sandbox_stop

# ---- the codes that need a bank set up for them.
expect_code() { # HTTP CODE WHAT URL [ARGS]: one request, answered so
	_h=$1 _c=$2 _w=$3 _u=$4; shift 4
	client expect --url "$_u" --token test-token-KHL --key "$TESTDATA/keys/KHL.sec" \
		--what "$_w" --http "$_h" --code "$_c" "$@"
}
SB=$SCRATCH/throttle sandbox_start --throttle-rate 1 --retry-after 2
expect_code 429 err.rate.limited returns "$SB_URL"
sandbox_stop
SB=$SCRATCH/busy sandbox_start --fail-rate 1
expect_code 503 err.server.unavailable returns "$SB_URL"
sandbox_stop
mkdir retired
cp "$TESTDATA/keys/KHL.pub" "$TESTDATA/keys/DHK.pub" retired/
printf 'retired: 2025-12-01\n' >>retired/KHL.pub
SB=$SCRATCH/retired sandbox_start --today 2025-12-10 --keyring "$SCRATCH/retired"
expect_code 401 err.sender.key_invalid returns "$SB_URL"
sandbox_stop
# A full disk: the ledger may grow by 2,000 bytes; five orders are more.
if [ -n "${VALGRIND:-}" ]; then
	skip "the full-disk shim is not used under valgrind: err.server.storage is not walked"
	echo err.server.storage >>not-walked
else
	SB=$SCRATCH/full
	mkdir -p "$SB"
	printf 'KHL test-token-KHL\n' >"$SB/tokens"
	chmod 600 "$SB/tokens"
	head -5 orders.jsonl >five.jsonl
	env ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0" LD_PRELOAD="$HELPERS/enospc.so" WGO_ENOSPC_DIR="$SB" WGO_ENOSPC_AFTER=2000 \
		ddp-sandbox --state "$SB" --port 0 --keyring "$TESTDATA/keys" --today 2025-12-10 \
		--log "$SCRATCH/full.log" --exit-after 60 >full.port 2>full.err &
	SB_PID=$!
	for _i in $(seq 1 50); do [ -s full.port ] && break; sleep 0.1; done
	expect_code 500 err.server.storage disburse "http://127.0.0.1:$(cat full.port)" --orders five.jsonl
	expect_code 500 err.server.storage returns "http://127.0.0.1:$(cat full.port)"
	sandbox_stop
fi
# A client certificate the bank requires.
mkdir tls
(cd tls && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
	-days 2 -subj /CN=test-ca 2>/dev/null &&
 openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 2>/dev/null &&
 printf 'subjectAltName=IP:127.0.0.1\n' >ext &&
 openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile ext 2>/dev/null)
SB=$SCRATCH/tls-sb sandbox_start --today 2025-12-10 --tls --cert tls/srv.pem --key tls/srv.key --client-ca tls/ca.pem
expect_code 401 err.tls.client_certificate returns "https://127.0.0.1:$SB_PORT" --ca tls/ca.pem
sandbox_stop
# A month whose payments pass the largest sum a record holds: two group insurance
# lump sums of Tk 6,00,00,00,00,00,000 each (6 x 10^14 poisha; a record holds
# 10^15), both due in December.
mkdir -p big
cp -r "$WGO_HOME/wgo.conf" "$WGO_HOME/keys" "$WGO_HOME/keyring" big/
sed -i 's/^rate\.group_insurance = .*//' big/wgo.conf
echo 'rate.group_insurance = 2019-07-01 6000000000000.00' >>big/wgo.conf
grep '"grant":"group_insurance"' "$TESTDATA/applications.jsonl" | head -2 |
	WGO_HOME=$SCRATCH/big wgo-issue --date 2025-12-10 >big.jsonl
is "$(jq -s 'map(.total_poisha) | join(" ")' big.jsonl)" '"600000000000000 600000000000000"' \
	"(two orders of 6 x 10^14 poisha)"
SB=$SCRATCH/big-sb sandbox_start --today 2025-12-10
expect_code 200 - disburse "$SB_URL" --orders big.jsonl
for no in $(jq -r .order_no big.jsonl); do
	sb /sandbox/verify "{\"order_no\":\"$no\",\"date\":\"2025-12-11\"}" >/dev/null
done
expect_code 422 err.month.overflow run-month "$SB_URL" --month 2025-12
sandbox_stop

# ---- the walk: every code of the page was answered, each with its HTTP status.
"$PY" - "$LOG" page.codes not-walked >walk.out <<'PY'
import json, sys
skip = set(open(sys.argv[3]).read().split())
seen = {}
for l in open(sys.argv[1]):
    a = json.loads(l)
    if a["code"]:
        seen.setdefault(a["code"], set()).add(a["http"])
missing, wrong = [], []
for l in open(sys.argv[2]):
    f = l.rstrip("\n").split("\t")
    code, http = f[0], int(f[1]) if len(f) == 4 else 200
    if code in skip:
        continue
    if code not in seen:
        missing.append(code)
    elif seen[code] != {http}:
        wrong.append("%s %s" % (code, sorted(seen[code])))
print("missing:", " ".join(missing))
print("wrong:", " ".join(wrong))
PY
is "$(sed -n 1p walk.out)" "missing: " "every code of wgo-api(7) was produced by some request"
is "$(sed -n 2p walk.out)" "wrong: " "each with the HTTP status the page gives it"
is "$(jq -r 'select(.status == null) | .label' "$LOG")" "" "and every answer was an envelope"
done_testing
