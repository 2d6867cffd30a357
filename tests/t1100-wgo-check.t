#!/bin/sh
# wgo-check: golden cases for each kind and for record streams.
. "$(dirname "$0")/lib.sh"

golden wgo-check

# The real routing numbers, on stdin: all ok, one line each.
cut -f1 "$TESTDATA/bd-routing/routing-numbers.tsv" >"$SCRATCH/rn"
expect 0 "10,026 published routing numbers are valid" sh -c "wgo-check routing <'$SCRATCH/rn' >'$SCRATCH/rn.out'"
is "$(grep -c '	ok	' "$SCRATCH/rn.out")" 10026 "each gets an ok line"

# The conformance corpus, every text as a record line: no crash, n_ texts refused.
# A text of blanks only is a blank line, which the record format skips.
n=0; bad=0; blank=0
for f in "$TESTDATA"/json-conformance/test_parsing/n_*; do
	n=$((n + 1))
	{ tr '\n' ' ' <"$f"; echo; } >"$SCRATCH/line"
	want=1
	if [ "$(tr -d ' \t\r\n' <"$f" | wc -c)" -eq 0 ]; then want=0; blank=$((blank + 1)); fi
	run wgo-check records "$SCRATCH/line"
	if [ $crashed = 1 ] || [ "$status" -ne $want ] || [ -n "$out" ]; then
		bad=$((bad + 1)); diag "$f: status $status"
	fi
done
is "$bad" 0 "each of $n n_ corpus texts is refused by wgo-check records with exit 1 ($blank blank ones skipped)"

expect 0 "--help exits 0" wgo-check --help
like "$out" "^Usage: wgo-check KIND" "--help prints usage on stdout"
expect 0 "--version" wgo-check --version
expect 2 "no kind is a usage error" wgo-check
done_testing
