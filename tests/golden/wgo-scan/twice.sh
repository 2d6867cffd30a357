# Sourced after setup.sh and four.sh: orders 1, 2 and 3 each have January 2026 paid
# twice; fp N is the fingerprint of order N's finding in first.jsonl.
{
	for o in 1 2 3; do
		pay P$o-a $o 2026-01 300000 2026-02-04
		pay P$o-b $o 2026-01 300000 2026-03-04
	done
} >payments.jsonl
scan -q --rules paid-twice orders.jsonl verifications.jsonl payments.jsonl >first.jsonl
fp() { grep "\"orders\":\[\"$(no $1)\"\]" first.jsonl | grep -o '"fingerprint":"[^"]*"' | cut -d'"' -f4; }
