#!/bin/sh
# wgo-date: golden cases, and properties over many dates.
. "$(dirname "$0")/lib.sh"

golden wgo-date

# Every day of 2024 and 2025 survives to-bangla | from-bangla, read from stdin.
seq 0 730 | while read -r n; do date -u -d "2024-01-01 + $n days" +%F; done >"$SCRATCH/days"
wgo-date to-bangla <"$SCRATCH/days" | wgo-date from-bangla >"$SCRATCH/back"
if cmp -s "$SCRATCH/days" "$SCRATCH/back"; then pass "731 days round-trip through the Bangla calendar on stdin"
else fail "731 days round-trip" "$(diff "$SCRATCH/days" "$SCRATCH/back" | head)"; fi

# Output lines stay aligned with input lines when some are bad.
printf '2025-12-10\nbad\n2025-12-11\n' | wgo-date fiscal-year >"$SCRATCH/fy" 2>/dev/null
is "$(wc -l <"$SCRATCH/fy")" 3 "one output line per input line"

expect 0 "--help exits 0" wgo-date --help
like "$out" "^Usage: wgo-date" "--help prints usage on stdout"
expect 0 "--version exits 0" wgo-date --version
like "$out" "^wgo-date \(wgo\) [0-9]" "--version names the program"
expect 2 "an unknown option is a usage error" wgo-date --frobnicate to-bangla 2025-12-10
like "$err" "^wgo-date: unknown option '--frobnicate'" "and says which"
done_testing
