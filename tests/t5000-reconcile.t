#!/bin/sh
# reconcile: a golden case for every class, sums that cannot wrap, and the usage.
# The property test against an independent model is t4500-order-history.t.
. "$(dirname "$0")/lib.sh"

golden reconcile

cd "$SCRATCH" || exit 2
export WGO_HOME=$SCRATCH/home
mkdir -p "$WGO_HOME"
cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"

# Sums never wrap (issue 19, item 6): 9,300 payments of Tk 10 lakh crore (the
# largest amount a record holds, 10^15 poisha) once gave a negative
# payments_poisha with "balanced": true. Two of them already sum past what a
# summary can hold: an error at the second one's line, and no summary at all.
awk 'BEGIN { for (i = 1; i <= 9300; i++)
	printf "{\"kind\":\"payment\",\"v\":1,\"payment_id\":\"P%d\",\"reference_id\":\"KHL-2025-26-999999-r0\",\"order_no\":\"KHL-2025-26-999999\",\"revision\":0,\"office\":\"KHL\",\"month\":\"2025-11\",\"amount_poisha\":1000000000000000,\"paid\":\"2025-12-03\",\"account\":{\"routing\":\"200472441\",\"number\":\"6444357787857\"}}\n", i }' >huge.jsonl
expect 2 "payments that add up past the largest amount: an operational error" \
	reconcile -q --month 2025-12 --as-of 2026-01-10 huge.jsonl
like "$err" '^reconcile: huge.jsonl:2: amount_poisha: the payments of 2025-12 add up past the largest amount a record holds$' \
	"it names the file, the line and the field where the sum overflowed"
is "$(grep -c '"kind":"summary"' "$SCRATCH/.out")" 0 "and writes no summary, balanced or not"
is "$(grep -c 'payments_poisha":-' "$SCRATCH/.out")" 0 "nor any negative figure"

expect 0 "--help" reconcile --help
like "$out" '^Usage: reconcile' "usage on stdout"
done_testing
