#!/bin/sh
# Every record a program prints in a golden case is a valid record of
# wgo-record(5): each line of a golden stdout that is a whole JSON object with a
# "kind" goes through wgo-check records. (A reject carries the bad record it
# rejected, on purpose, so rejects are left out; so are lines a case cut short.)
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 2
cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
# A record: a line that parses as one JSON object with a kind.
mkdir -p recs
python3 - "$TOP"/tests/golden/*/*/stdout <<'PY'
import json, sys
for f in sys.argv[1:]:
    name = f.rsplit("/golden/", 1)[1].rsplit("/stdout", 1)[0].replace("/", "--")
    out = []
    for line in open(f, encoding="utf-8"):
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if isinstance(r, dict) and "kind" in r and r["kind"] != "reject":
            out.append(line)
    if out:
        open("recs/" + name + ".jsonl", "w", encoding="utf-8").writelines(out)
PY
n=0 cases=0
for f in recs/*.jsonl; do
	c=${f#recs/}; c=${c%.jsonl}
	cases=$((cases + 1))
	n=$((n + $(wc -l <"$f")))
	expect 0 "golden $(echo "$c" | sed 's|--|/|'): every record is valid" wgo-check records "$f"
done
ok "the golden cases print records ($n in $cases cases)" test "$n" -gt 100
# The check can fail: a status with a card due past the format's range is refused.
echo '{"kind":"status","v":1,"order_no":"X","revision":0,"office":"KHL","grant":"welfare","as_of":"2025-12-20","state":"active","payable_months":0,"payable_poisha":0,"arrears_months":0,"arrears_poisha":0,"withheld_months":0,"forfeited_months":0,"forfeited_poisha":0,"last_month":"2199-12","card_due":"2200-01-15"}' >bad.jsonl
expect 1 "a status record with card_due 2200-01-15 is not valid" wgo-check records bad.jsonl
done_testing
