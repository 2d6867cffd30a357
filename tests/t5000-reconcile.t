#!/bin/sh
# reconcile: a golden case for every class; a property test over many seeds, where
# generated months carry known errors and reconcile must find exactly those.
. "$(dirname "$0")/lib.sh"

golden reconcile

cd "$SCRATCH" || exit 2
export WGO_HOME=$SCRATCH/home
mkdir -p "$WGO_HOME"
cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
bad=0; seeds=0; found=0
for seed in $(seq 1 60); do
	seeds=$((seeds + 1))
	"$HELPERS/recon-gen" "$seed" 120 input.jsonl expected.tsv
	reconcile -q --month 2026-06 --as-of 2026-07-20 input.jsonl >got.jsonl 2>got.err
	st=$?
	sed -n 's/.*"class":"\([a-z_]*\)".*"order_no":"\([^"]*\)".*"payment_id":"\([^"]*\)".*/\1	\3/p;
	        t; s/.*"class":"\(missing\)".*"order_no":"\([^"]*\)".*"payable_month":"\([^"]*\)".*/\1	\2|\3/p;
	        t; s/.*"class":"\(card_not_returned\)".*"order_no":"\([^"]*\)".*/\1	\2/p;
	        t; s/.*"class":"\([a-z_]*\)".*"payment_id":"\([^"]*\)".*/\1	\2/p' got.jsonl | sort >got.tsv
	sort expected.tsv >want.tsv
	found=$((found + $(wc -l <want.tsv)))
	if ! cmp -s got.tsv want.tsv || ! grep -q '"balanced":true' got.jsonl || [ $st -ne 1 ]; then
		bad=$((bad + 1))
		diag "seed $seed: exit $st"
		diff want.tsv got.tsv | head -10 | while IFS= read -r l; do diag "$l"; done
	fi
done
is "$bad" 0 "$seeds seeds: reconcile finds exactly the $found injected errors, no more, no fewer"
classes=$(cut -f1 want.tsv | sort -u | wc -l)
ok "the generator injects errors of many classes ($classes in the last seed)" test "$classes" -ge 8

expect 0 "--help" reconcile --help
like "$out" '^Usage: reconcile' "usage on stdout"
done_testing
