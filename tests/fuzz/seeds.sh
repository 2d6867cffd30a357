#!/bin/sh
# seeds.sh OUTDIR: a seed corpus for each fuzz target, from the golden tests and
# the test data (run from the top of the tree, with bin/ built).
set -eu
out=$1
top=$(pwd)
PATH=$top/bin:$PATH
export LC_ALL=C.UTF-8
rm -rf "$out"
for t in record money date ident config journal sandbox complaint; do mkdir -p "$out/$t"; done
n=0
put() { n=$((n + 1)); printf '%s' "$2" >"$out/$1/seed-$n"; }

# Records: the sample applications, every record line the golden cases expect,
# the JSON conformance corpus, and a few streams of several lines.
recs=$(mktemp)
{ cat tests/data/applications.jsonl; cat tests/golden/*/*/stdout tests/golden/*/*/stdin 2>/dev/null; } |
	grep '^{' | sort -u | head -400 >"$recs"
while IFS= read -r l; do put record "$l"; done <"$recs"
for f in tests/data/json-conformance/test_parsing/*.json; do cp "$f" "$out/record/conf-${f##*/}"; done
head -5 tests/data/applications.jsonl >"$out/record/stream-apps"
grep '"kind":"reject"' "$recs" | head -3 >"$out/record/stream-rejects" || true

# Money, dates, identifiers: the values that appear in the golden records.
grep -oh '"[a-z_]*poisha":[0-9-]*' "$recs" | cut -d: -f2 | sort -u | head -50 |
	while read -r v; do put money "$(printf '%s' "$v" | awk '{ printf "%.2f", $1 / 100 }')"; done
for v in "3,000.00" "1,23,45,678.90" "৩,০০০" "-12.5" "0" "0.01" "99999999999999.99" "1e5" "১২,৩৪৫.৬৭"; do put money "$v"; done
grep -oh '"20[0-9][0-9]-[0-9-]*\(T[0-9:]*Z\)\{0,1\}"' "$recs" | tr -d '"' | sort -u | head -80 |
	while read -r v; do put date "$v"; done
grep -oh '"issued_bn":"[^"]*"' "$recs" | cut -d'"' -f4 | sort -u | head -20 | while IFS= read -r v; do put date "$v"; done
for v in "2025-26" "১৪৩২-০৮-২৫" "25 Ogrohayon 1432" "২৫ অগ্রহায়ন ১৪৩২" "2024-02-29" "2025-12-31T23:59:60Z"; do put date "$v"; done
grep -oh '"\(nid\|mobile\|routing\|number\)":"[^"]*"' "$recs" | cut -d'"' -f4 | sort -u | head -80 |
	while IFS= read -r v; do put ident "$v"; done
head -100 tests/data/bd-routing/routing-numbers.tsv | grep -o '[0-9]\{9\}' | head -60 | while read -r v; do put ident "$v"; done
for v in "০১৭১১-২২৩৩৪৪" "+8801711223344" "19714384063381352" "1234567890123"; do put ident "$v"; done

# Configuration and holiday files.
cp src/etc/wgo.conf.example "$out/config/wgo.conf.example"
for f in src/etc/holidays*; do cp "$f" "$out/config/${f##*/}"; done
grep -h '>> *home/wgo.conf\|>>"\$WGO_HOME/wgo.conf"' tests/golden/*/*/cmd tests/*.t 2>/dev/null |
	sed -n 's/.*echo "\([^"]*\)".*/\1/p' | while IFS= read -r v; do put config "$v"; done

# The push journal: lines the journal writes, without their checksum (the
# target adds it when the first byte is odd).
put journal '{"ref":"KHL-2025-26-000001-r0","hash":"0123456789abcdef0123456789abcdef","bank_ref":"DDP-1"}
{"ref":"KHL-2025-26-000002-r1","hash":"fedcba9876543210fedcba9876543210","bank_ref":"DDP-2"}'
put journal '{"ref":"X","hash":"0123456789abcdef0123456789abcdef"}'

# The sandbox: for each endpoint, a raw body and a message to seal (a disbursement
# of a golden order; a feed request; an admin request).
order=$(grep '"kind":"order"' "$recs" | head -1)
for e in 0 1 2 3 4 5 6 7 8 9 10; do
	b=$(printf "\\$(printf %o $e)")
	put sandbox "$b$(printf '\001'){\"transaction_id\":\"T1\",\"disbursements\":[{\"reference_id\":\"KHL-2025-26-000001-r0\",\"payee_fa\":\"account:6444357787857@200472441\",\"amount\":\"2000.00\",\"currency\":\"BDT\",\"order\":$order}]}"
	put sandbox "$b$(printf '\001'){\"cursor\":\"0\",\"limit\":10,\"month\":\"2025-12\"}"
	put sandbox "$b$(printf '\002'){\"order_no\":\"KHL-2025-26-000001\",\"date\":\"2025-12-11\",\"branch\":\"200472441\",\"month\":\"2025-12\",\"through\":\"2026-01-31\"}"
	put sandbox "$b$(printf '\000')not json"
done

# The complaint log: the golden cases' logs with their heads.
for c in "$top"/tests/golden/complaint-log/*/; do
	[ -f "$c/cmd" ] || continue
	w=$(mktemp -d)
	(cd "$w" && TOP=$top CASE=${c%/} sh -c "$(cat "$c/cmd")" >/dev/null 2>&1) || true
	if [ -f "$w/home/complaints.jsonl" ]; then
		{ cat "$w/home/complaints.jsonl"; printf '\000'; cat "$w/home/complaints.jsonl.head"; } \
			>"$out/complaint/$(basename "$c").log"
	fi
	rm -rf "$w"
done
rm -f "$recs"
for t in "$out"/*/; do printf '%s: %s seeds\n' "$(basename "$t")" "$(ls "$t" | wc -l)"; done
