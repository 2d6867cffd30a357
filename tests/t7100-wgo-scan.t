#!/bin/sh
# wgo-scan: a golden case for every rule, the review loop, the review log, stats
# and risk; then the synthetic board year of tests/helpers/board-year over many
# seeds: every case planted is found, and nothing else (recall 1), and the same
# year without plants gives nothing (no false positive).
. "$(dirname "$0")/lib.sh"

golden wgo-scan

cd "$SCRATCH" || exit 2
export WGO_HOME=$SCRATCH/home
mkdir -p "$WGO_HOME/keys" "$WGO_HOME/keyring"
cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
cp "$TESTDATA/keys/KHL.sec" "$WGO_HOME/keys/"
chmod 600 "$WGO_HOME/keys/KHL.sec"
cp "$TESTDATA/keys/KHL.pub" "$WGO_HOME/keyring/"

# What a finding names, as board-year's answer key does: the shared value, the
# people (orders, then applications), the branch and day, the order and month, or
# the order. Computed with sed, independently of wgo-scan.
subjects() {
	sed -n 's/.*"rule":"\(shared-account\)".*"account":"\([^"]*\)".*/\1	\2/p;
		t; s/.*"rule":"\(shared-nid\)".*"nid":"\([^"]*\)".*/\1	\2/p;
		t; s/.*"rule":"\(shared-mobile\)".*"mobile":"\([^"]*\)".*/\1	\2/p;
		t; s/.*"rule":"\(same-person\)".*"orders":\[\([^]]*\)\],"applications":\[\([^]]*\)\].*/\1	\2,\3/p;
		t; s/.*"rule":"\(same-person\)".*"orders":\[\([^]]*\)\].*/\1	\2/p;
		t; s/.*"rule":"\(verification-bunch\)".*"branch":"\([^"]*\)","date":"\([^"]*\)".*/\1	\2\/\3/p;
		t; s/.*"rule":"\(paid-twice\)".*"orders":\["\([^"]*\)"\].*"month":"\([^"]*\)".*/\1	\2\/\3/p;
		t; s/.*"rule":"\([a-z-]*\)".*"orders":\["\([^"]*\)"\].*/\1	\2/p' "$1" | tr -d '"' | sort
}
year() { # DIR: scan a board year as of its last day
	wgo-scan -q --as-of 2026-06-30 --serving "$1/serving.txt" --pensioners "$1/pensioners.txt" \
		--deaths "$1/deaths.jsonl" "$1"/orders.jsonl "$1"/applications.jsonl "$1"/verifications.jsonl \
		"$1"/payments.jsonl "$1"/returns.jsonl "$1"/stops.jsonl "$1"/cards.jsonl
}
missed=0; extra=0; planted=0; noisy=0; clean_total=0; bad_cluster=0; seeds=0; rules_seen=
for seed in $(seq 1 25); do
	seeds=$((seeds + 1))
	rm -rf y c
	"$HELPERS/board-year" --seed "$seed" --orders 150 y
	year y >found.jsonl 2>found.err
	subjects found.jsonl >got.tsv
	sort y/key.tsv >want.tsv
	planted=$((planted + $(wc -l <want.tsv)))
	m=$(comm -23 want.tsv got.tsv | wc -l); x=$(comm -13 want.tsv got.tsv | wc -l)
	missed=$((missed + m)); extra=$((extra + x))
	if [ "$m" -ne 0 ] || [ "$x" -ne 0 ]; then
		diag "seed $seed: missed $m, extra $x"
		diff want.tsv got.tsv | head -8 | while IFS= read -r l; do diag "$l"; done
	fi
	rules_seen=$(cut -f1 want.tsv | sort -u | wc -l)
	# The chain planted first (A and B one account, B and C one mobile) is one
	# cluster: its shared-mobile finding's cluster names a shared-account one's.
	cl=$(grep '"rule":"shared-mobile"' found.jsonl | head -1 | sed 's/.*"cluster":"\([^"]*\)".*/\1/')
	grep '"rule":"shared-account"' found.jsonl | grep -q "\"cluster\":\"$cl\"" || bad_cluster=$((bad_cluster + 1))
	# The same year without the plants: nothing.
	"$HELPERS/board-year" --seed "$seed" --orders 150 --plants 0 c
	year c >clean.jsonl 2>clean.err
	n=$(wc -l <clean.jsonl); clean_total=$((clean_total + n))
	[ "$n" -eq 0 ] || { noisy=$((noisy + 1)); diag "seed $seed, no plants: $n findings"; head -3 clean.jsonl | cut -c1-300 | while IFS= read -r l; do diag "$l"; done; }
done
is "$missed" 0 "$seeds seeds: every one of the $planted planted cases is found (recall 1)"
is "$extra" 0 "$seeds seeds: nothing is found that was not planted"
is "$noisy" 0 "$seeds seeds without plants: no finding at all ($clean_total)"
is "$bad_cluster" 0 "$seeds seeds: the account and the mobile of the planted chain are one cluster"
ok "the plants cover every rule ($rules_seen of 17)" test "$rules_seen" -eq 17
is "$(wgo-scan rules | wc -l)" 17 "wgo-scan has 17 rules"

# The risk weights: a logistic regression with a Gaussian prior centred on the
# configured weights, fitted by wgo-scan; here fitted again in python3 by plain
# gradient descent on the same examples, and compared to a thousandth.
rm -rf f && mkdir f && cd f
cp -r "$TOP/tests/golden/wgo-scan/setup.sh" "$TOP/tests/golden/wgo-scan/four.sh" "$TOP/tests/golden/wgo-scan/twice.sh" .
(
	export WGO_HOME=$PWD/home
	. ./setup.sh; . ./four.sh; . ./twice.sh
	wgo-scan review "$(fp 1)" --verdict false-positive --note x >/dev/null
	wgo-scan review "$(fp 2)" --verdict confirmed --note x >/dev/null
	wgo-scan review "$(fp 3)" --verdict confirmed --note x >/dev/null
	wgo-scan review paid-after-death-0123456789abcdef0123 --verdict false-positive --note x >/dev/null
	wgo-scan review same-person-0123456789abcdef0123 --verdict needs-field-check --note x >/dev/null
	scan -q stats -f records orders.jsonl verifications.jsonl payments.jsonl >stats.jsonl
)
got=$(sed -n 's/.*"rule":"\(paid-twice\|paid-after-death\|shared-account\)".*"weight_milli":\(-*[0-9]*\).*/\1 \2/p' stats.jsonl | tr '\n' ' ')
want=$(python3 - <<'PY'
import math
# Examples: paid-twice confirmed twice, false positive once (each order hit only
# that rule); paid-after-death false positive once (its finding is not in the
# scan: the rule alone); needs-field-check is left out. Prior 1 around bias -2,
# paid-twice 2.5, paid-after-death 3, shared-account 2.5.
w0 = {"bias": -2.0, "paid-twice": 2.5, "paid-after-death": 3.0, "shared-account": 2.5}
ex = [({"paid-twice"}, 1), ({"paid-twice"}, 1), ({"paid-twice"}, 0), ({"paid-after-death"}, 0)]
w = dict(w0)
for _ in range(200000):
    g = {k: w[k] - w0[k] for k in w}
    for f, y in ex:
        z = w["bias"] + sum(w[r] for r in f)
        d = 1 / (1 + math.exp(-z)) - y
        g["bias"] += d
        for r in f:
            g[r] += d
    for k in w:
        w[k] -= 0.05 * g[k]
print(" ".join("%s %d" % (r, round(w[r] * 1000)) for r in ["shared-account", "paid-twice", "paid-after-death"]), end=" ")
PY
)
is "$got" "$want" "the fitted weights are the maximum a posteriori ones (python3 agrees)"
cd "$SCRATCH" || exit 2

expect 0 "--help" wgo-scan --help
like "$out" '^Usage: wgo-scan' "usage on stdout"
done_testing
