#!/bin/sh
# The bank and a disbursement's amount (issue #13): the wire form is one spelling,
# ASCII "408000.00"; Bengali digits, grouping or a missing decimal are refused, and
# refusing them leaves the order free to be sent again as it should be.
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 2
office_home "$SCRATCH/home"
sandbox_start --today 2025-12-10
head -1 "$TESTDATA/applications.jsonl" | wgo-issue --date 2025-12-10 >o.jsonl
wgo-push --dry-run o.jsonl >dry.json
amount=$(jq -r '.message.disbursements[0].amount' dry.json)
# The total in taka with two decimals, worked out by jq from the order's poisha.
is "$amount" "$(jq -r '.total_poisha | "\(. / 100 | floor).\(. % 100 | tostring | if length < 2 then "0" + . else . end)"' o.jsonl)" \
	"wgo-push writes the order's total, ASCII, two decimals"
send() { # AMOUNT: the disbursement with this amount, in an envelope signed anew
	jq -c --arg a "$1" '.message | .transaction_id = ("T" + $a | @base64 | gsub("[^A-Za-z0-9]"; "")) |
		.disbursements[0].amount = $a' dry.json |
		"$HELPERS/envelope" disburse KHL "$WGO_HOME/keys/KHL.sec" >env.json
	curl -s -H "Authorization: Bearer test-token-KHL" --data-binary @env.json "$SB_URL/disburse/sync/disburse" |
		jq -r '.message.disbursements_status[0] | [.status, (.status_reason_code // "-"), (.status_reason_message // "-")] | join(" | ")'
}
bn=$(printf '%s' "$amount" | sed 's/0/০/g; s/1/১/g; s/2/২/g; s/3/৩/g; s/4/৪/g; s/5/৫/g; s/6/৬/g; s/7/৭/g; s/8/৮/g; s/9/৯/g')
is "$(send "$bn")" "rjct | rjct.amount.invalid | the amount is ASCII digits, a point and two decimals, as 408000.00" \
	"the amount in Bengali digits ($bn) is refused"
int=${amount%.*}
is "$(send "$int")" "rjct | rjct.amount.invalid | the amount is ASCII digits, a point and two decimals, as 408000.00" \
	"without its decimals ($int): refused"
is "$(send "0$amount")" "rjct | rjct.amount.invalid | the amount is ASCII digits, a point and two decimals, as 408000.00" \
	"with a leading zero: refused"
grouped=$(printf '%s' "$int" | sed ':a; s/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/; ta').${amount#*.}
is "$(send "$grouped")" "rjct | rjct.amount.invalid | the amount is ASCII digits, a point and two decimals, as 408000.00" \
	"grouped ($grouped): refused"
is "$(send "$int.01")" "rjct | rjct.amount.invalid | amount is not the order's total" "a poisha off: not the total"
is "$(bank_accepted "$SB")" 0 "the bank holds nothing"
is "$(send "$amount")" "succ | - | -" "the same order with the ASCII amount is accepted, not a duplicate"
is "$(bank_accepted "$SB")" 1 "the bank holds it once"
expect 0 "and wgo-push finds it accepted (the same content)" wgo-push o.jsonl
like "$out" '"status":"accepted"' "accepted"
done_testing
