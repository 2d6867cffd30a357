#!/bin/sh
# The order history, held against an independent model: tests/model/paymodel.py,
# written from domain.md and the rules lifeverify(1) and reconcile(1) state, never
# from the C code, decides what is right. Generated offices (tests/helpers/recon-gen:
# amended orders, lump sums, verifications kept up, lapsed or twice on a day, the
# bank's returns, stops, card returns, payments right and wrong) go through
# lifeverify and reconcile, in their order and shuffled: every status and every
# class must be the model's, whatever the order of the records.
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 2
if ! command -v python3 >/dev/null; then
	skip "python3 is needed for the model"
	done_testing
	exit 0
fi
MODEL=$TOP/tests/model/paymodel.py
CHECK=$TOP/tests/model/check.py
cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
printf '2025-12-16 Victory Day\n2026-02-21 Language Martyrs Day\n2026-03-26 Independence Day\n2026-05-01 May Day\n2026-06-01 A holiday\n' >hol
NOW=2026-09-01 # today: the as-of dates are before it, so later records are not known yet
SEEDS=${HIST_SEEDS:-12} # HIST_SEEDS=200 for a longer run
bad_r=0 bad_s=0 bad_o=0
: >classes; : >states; : >forfeited
for seed in $(seq 1 "$SEEDS"); do
	"$HELPERS/recon-gen" "$seed" 100 hol in.jsonl
	# The same records in another order: sorted by a hash of the line.
	awk -v s="$seed" 'BEGIN { srand(s) } { printf "%.8f\t%s\n", rand(), $0 }' in.jsonl | sort | cut -f2- >shuf.jsonl
	for f in in shuf; do
		reconcile -q --now ${NOW}T00:00:00Z --month 2026-06 --as-of 2026-07-20 -H hol $f.jsonl >r-$f.jsonl 2>r-$f.err
		st=$?
		python3 "$MODEL" reconcile --month 2026-06 --as-of 2026-07-20 --today $NOW --holidays hol $f.jsonl >want.tsv
		if ! python3 "$CHECK" reconcile r-$f.jsonl want.tsv >check.out || [ $st -ne 1 ]; then
			bad_r=$((bad_r + 1))
			diag "seed $seed ($f): reconcile exit $st"
			head -8 check.out | while IFS= read -r l; do diag "$l"; done
		fi
	done
	tail -1 check.out | tr ' ' '\n' >>classes
	# (an unreadable line is reported with its file and line: those differ)
	grep -v '"class":"invalid"' r-in.jsonl | sort >a; grep -v '"class":"invalid"' r-shuf.jsonl | sort >b
	cmp -s a b || { bad_o=$((bad_o + 1)); diag "seed $seed: reconcile differs with the records shuffled"; }
	for d in 2025-10-01 2026-03-10 2026-07-20; do
		lifeverify -q --now ${NOW}T00:00:00Z --as-of $d -H hol shuf.jsonl >s.jsonl 2>/dev/null
		python3 "$MODEL" status --as-of $d --today $NOW --holidays hol shuf.jsonl >want.jsonl
		if ! python3 "$CHECK" status s.jsonl want.jsonl >check.out; then
			bad_s=$((bad_s + 1))
			diag "seed $seed, as of $d: lifeverify"
			head -8 check.out | while IFS= read -r l; do diag "$l"; done
		fi
		tail -1 check.out | tr ' ' '\n' >>states
	done
	# With resume-arrears off, the months of a lapse are forfeited.
	[ "$seed" -le 4 ] || continue
	lifeverify -q --resume-arrears no --now ${NOW}T00:00:00Z --as-of 2026-07-20 -H hol shuf.jsonl >s.jsonl 2>/dev/null
	python3 "$MODEL" status --resume-arrears no --as-of 2026-07-20 --today $NOW --holidays hol shuf.jsonl >want.jsonl
	if ! python3 "$CHECK" status s.jsonl want.jsonl >check.out; then
		bad_s=$((bad_s + 1))
		diag "seed $seed, resume-arrears no: lifeverify"
		head -8 check.out | while IFS= read -r l; do diag "$l"; done
	fi
	grep -o '"forfeited_months":[1-9]' s.jsonl >>forfeited || true
done
ok "with resume-arrears off, some months are forfeited ($(wc -l <forfeited) orders)" test -s forfeited
is "$bad_r" 0 "$SEEDS generated months: reconcile's classes and totals are the model's"
is "$bad_o" 0 "and the same with the records shuffled"
is "$bad_s" 0 "$SEEDS offices on 3 days each: every lifeverify status is the model's"
sum() { awk -F= -v k="$1" '$1 == k { s += $2 } END { print s + 0 }' "$2"; }
for c in matched missing underpaid overpaid duplicate unexpected paid_after_end paid_after_stop \
	paid_while_held paid_before_verification paid_while_suspended wrong_account late card_not_returned invalid; do
	n=$(sum $c classes)
	ok "the cases reach class $c ($n times)" test "$n" -gt 0
done
for s in awaiting_first active due suspended ended held stopped; do
	n=$(sum $s states)
	ok "the cases reach state $s ($n times)" test "$n" -gt 0
done

# The check can fail: a discrepancy left out, or a class changed, is caught.
python3 "$MODEL" reconcile --month 2026-06 --as-of 2026-07-20 --today $NOW --holidays hol in.jsonl >want.tsv
sed 1d r-in.jsonl >tampered.jsonl
expect 1 "the check catches a discrepancy left out" python3 "$CHECK" reconcile tampered.jsonl want.tsv
like "$out" '^missing from reconcile: ' "and says which"
awk 'NR == 1 { sub(/"class":"[a-z_]*"/, "\"class\":\"wrong_account\"") } { print }' r-in.jsonl >tampered.jsonl
if head -1 r-in.jsonl | grep -q '"class":"wrong_account"'; then
	skip "the first discrepancy is a wrong_account already"
else
	expect 1 "the check catches a class changed" python3 "$CHECK" reconcile tampered.jsonl want.tsv
fi
head -2 s.jsonl | sed 's/"payable_months":[0-9]*/"payable_months":999/' >ts.jsonl
head -2 want.jsonl >tw.jsonl
expect 1 "the check catches a status figure changed" python3 "$CHECK" status ts.jsonl tw.jsonl
done_testing
