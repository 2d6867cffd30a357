#!/bin/sh
# lifeverify: golden timelines, notices within their length, and the rule shared
# with the sandbox bank.
. "$(dirname "$0")/lib.sh"

golden lifeverify

cd "$SCRATCH" || exit 2
export WGO_HOME=$SCRATCH/home
mkdir -p "$WGO_HOME"
cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
wgo-issue --no-sign --date 2025-12-10 "$TESTDATA/applications.jsonl" >o.jsonl
grep -o '"order_no":"[^"]*"' o.jsonl | cut -d'"' -f4 | awk '{ printf "{\"kind\":\"verification\",\"v\":1,\"verification_id\":\"V%d\",\"order_no\":\"%s\",\"date\":\"2025-12-1%d\",\"branch\":\"200270522\"}\n", NR, $1, NR % 8 + 1 }' >v.jsonl
lifeverify due --within 400 --notice --as-of 2026-01-01 o.jsonl v.jsonl >notices
is "$(wc -l <notices)" 24 "a notice for each of the 24 monthly grants"
long=$(cut -f2 notices | while IFS= read -r t; do printf '%s' "$t" | iconv -f UTF-8 -t UTF-16LE | wc -c; done | awk '$1 / 2 > 134' | wc -l)
is "$long" 0 "no notice is over 134 characters (two SMS of 67 UCS-2 characters)"
first=$(head -1 notices)
like "$first" '^\+8801[3-9][0-9]{8}	' "a notice is the mobile number, a tab, then the text"
case $first in
*"রহিমা খাতুন, আদেশ KHL-2025-26-000001: "[০-৯]*" কার্তিক ১৪৩৩-এর মধ্যে সোনালী ব্যাংক "*" শাখায় লাইফ ভেরিফিকেশন করুন")
	pass "with the name, the order, the last day as a Bangla date in Bengali digits, and the branch" ;;
*) fail "with the name, the order, the last day as a Bangla date in Bengali digits, and the branch" "$first" ;;
esac
# A name too long for the message is shortened, never the order number or date.
long=$(printf 'অনেক-লম্বা-নাম-%.0s' 1 2 3 4)
head -1 "$TESTDATA/applications.jsonl" | sed "s/\"name_bn\":\"[^\"]*\"/\"name_bn\":\"$long\"/; s/\"nid\":\"[0-9]*\"/\"nid\":\"1111111111\"/" |
	wgo-issue --no-sign --date 2025-12-10 >long.jsonl
no=$(grep -o '"order_no":"[^"]*"' long.jsonl | cut -d'"' -f4)
echo "{\"kind\":\"verification\",\"v\":1,\"verification_id\":\"VL\",\"order_no\":\"$no\",\"date\":\"2025-12-11\",\"branch\":\"200270522\"}" >lv.jsonl
expect 0 "a notice for a long name" lifeverify due --within 400 --notice --as-of 2026-01-01 long.jsonl lv.jsonl
chars=$(printf '%s' "$out" | cut -f2 | tr -d '\n' | iconv -f UTF-8 -t UTF-16LE | wc -c)
ok "is cut to 134 characters ($((chars / 2)))" test $((chars / 2)) -le 134
like "$out" "…, আদেশ $no: " "by shortening the name"
# Sums never pass what a record holds (issue 19, item 6): an order whose rates say
# Tk 10 lakh crore a month would make more payable than a status record can say.
# The order's own total cannot hold that (at most Tk 10 lakh crore), so the schema
# refuses the order first (#13: total_poisha must be what its rates and months
# come to): an error at the order's line, and no status is written for it.
# (hist.c's own check on the sums stays, behind it; t-hist tests it.)
head -1 o.jsonl | sed 's/"monthly_poisha":[0-9]*/"monthly_poisha":1000000000000000/g' >big.jsonl
head -1 v.jsonl >v1.jsonl
expect 0 "the order as issued has a status" lifeverify --now 2026-02-01T00:00:00Z --as-of 2026-01-20 o.jsonl v1.jsonl
expect 1 "an order whose payable sum passes the largest amount" lifeverify --now 2026-02-01T00:00:00Z --as-of 2026-01-20 big.jsonl v1.jsonl
like "$(printf '%s\n' "$err" | head -1)" '^lifeverify: big.jsonl:1: total_poisha: 53500000, but the rates come to 180000000000000000 over the months from first_month to last_month$' \
	"is an error at its file and line"
is "$(grep -c "$(head -1 o.jsonl | grep -o '"order_no":"[^"]*"')" "$SCRATCH/.out")" 0 "and no status is written for it"

# ---- Reminders that miss no one (issue #14, item 6): on main, "due" left out
# every beneficiary never verified, and a notice named the branch by its routing
# number. Orders 1-30 are verified; 31-36 never are, and are expected at a branch
# by 2026-01-09, 30 days after their issue on 2025-12-10 (lifeverify.first_days).
head -30 v.jsonl >v30.jsonl
grep -o '"order_no":"[^"]*"' o.jsonl | cut -d'"' -f4 | sort >all.no
grep -o '"order_no":"[^"]*"' v30.jsonl | cut -d'"' -f4 | sort >verified.no
never=$(comm -23 all.no verified.no)
is "$(printf '%s\n' "$never" | wc -l)" 6 "six orders are never verified"
expect 0 "due --within 14 on 2026-01-01" lifeverify due --within 14 --as-of 2026-01-01 o.jsonl v30.jsonl
# The verified ones' windows open in October 2026: none is due by 2026-01-15.
is "$(printf '%s\n' "$out" | jq -r .order_no | sort)" "$never" "lists the six never verified"
is "$(printf '%s\n' "$out" | jq -r '[.state, .first_verification_due] | join(" ")' | sort -u)" \
	"awaiting_first 2026-01-09" "awaiting their first verification, expected by 2026-01-09"
expect 0 "due --within 14 on 2025-12-10" lifeverify due --within 14 --as-of 2025-12-10 o.jsonl v30.jsonl
is "$out" "" "not yet: 2026-01-09 is more than 14 days after 2025-12-10"
expect 0 "due --within 0 on 2026-02-01" lifeverify due --within 0 --as-of 2026-02-01 o.jsonl v30.jsonl
is "$(printf '%s\n' "$out" | jq -r .order_no | sort)" "$never" "overdue, they are listed still"
expect 0 "--first-days 60" lifeverify due --within 0 --first-days 60 --as-of 2026-02-01 o.jsonl v30.jsonl
is "$out" "" "with 60 days they are expected by 2026-02-08: not overdue, not within 0 days"
printf 'lifeverify.first_days = 60\n' >>"$WGO_HOME/wgo.conf"
expect 0 "lifeverify.first_days = 60 in the configuration" lifeverify due --within 7 --as-of 2026-02-01 o.jsonl v30.jsonl
is "$(printf '%s\n' "$out" | jq -r .first_verification_due | sort -u)" "2026-02-08" "the same"
sed -i '/^lifeverify.first_days/d' "$WGO_HOME/wgo.conf"
# The notices: order 31's beneficiary is to come for the first time, by
# 2026-01-09: ২৫ পৌষ ১৪৩২ (1 Poush is 16 December). Order 1's window closes on
# 2026-11-11 (verified 2025-12-12): ২৬ কার্তিক ১৪৩৩ (1 Kartik is 17 October). Order
# 31's account is at Burimari (200520193), order 1's at Shahpur (200472441).
n31=$(sed -n 31p o.jsonl | jq -r .order_no)
name31=$(sed -n 31p o.jsonl | jq -r '.beneficiary.name_bn // .beneficiary.name_en')
r31=$(sed -n 31p o.jsonl | jq -r .account.routing)
m31=$(sed -n 31p o.jsonl | jq -r .beneficiary.mobile)
printf '# test branches\n%s\tBURIMARI\tবুড়িমারী\n200472441\tSHAHPUR\n' "$r31" >branches
expect 0 "notices with a branch file" lifeverify due --within 400 --notice --branches branches --as-of 2026-01-01 o.jsonl v30.jsonl
is "$(printf '%s\n' "$out" | grep -c "প্রথম লাইফ ভেরিফিকেশন")" 6 "six notices ask for a first verification"
is "$(printf '%s\n' "$out" | grep "^$m31	")" "$m31	$name31, আদেশ $n31: ২৫ পৌষ ১৪৩২-এর মধ্যে সোনালী ব্যাংক বুড়িমারী শাখায় প্রথম লাইফ ভেরিফিকেশন করুন" \
	"a first one names the day it is expected and the branch in Bengali"
like "$(printf '%s\n' "$out" | head -1)" "রহিমা খাতুন, আদেশ KHL-2025-26-000001: ২৬ কার্তিক ১৪৩৩-এর মধ্যে সোনালী ব্যাংক SHAHPUR শাখায় লাইফ ভেরিফিকেশন করুন$" \
	"a branch the file names in English only is named in English"
printf '%s\tBURIMARI\n' "$r31" >"$WGO_HOME/branches"
expect 0 "notices with the office's branch file" lifeverify due --within 400 --notice --as-of 2026-02-01 o.jsonl v30.jsonl
is "$(printf '%s\n' "$out" | grep "^$m31	")" "$m31	$name31, আদেশ $n31: প্রথম লাইফ ভেরিফিকেশন এখনো হয়নি; দ্রুত সোনালী ব্যাংক BURIMARI শাখায় আসুন" \
	"an overdue first verification is said to be overdue; \$WGO_HOME/branches is read"
like "$(printf '%s\n' "$out" | head -1)" "সোনালী ব্যাংক ২০০৪৭২৪৪১ শাখায়" "a branch the file lacks is named by its routing number"
printf '200472441\tSHAHPUR\n200472442\tBAD\n' >bad-branches
expect 2 "a bad branch file is an error" lifeverify due --within 400 --notice --branches bad-branches o.jsonl v30.jsonl
is "$err" "lifeverify: bad-branches:2: routing number 200472442: check digit is 2, expected 1" "at its line"
rm "$WGO_HOME/branches"
# A long branch name is given by its number when even a one-letter name leaves the
# notice too long.
printf '%s\t%s\n' "$r31" "$(printf 'VERY LONG BRANCH NAME %.0s' 1 2 3 4 5)" >long-branches
expect 0 "a branch name too long for the notice" lifeverify due --within 400 --notice --branches long-branches --as-of 2026-01-01 o.jsonl v30.jsonl
n=$(printf '%s\n' "$out" | grep "^$m31	" | cut -f2 | tr -d '\n' | iconv -f UTF-8 -t UTF-16LE | wc -c)
ok "is cut to 134 characters ($((n / 2)))" test $((n / 2)) -le 134
bn31=$(printf '%s' "$r31" | sed 'y/0123456789/০১২৩৪৫৬৭৮৯/')
like "$(printf '%s\n' "$out" | grep "^$m31	")" "সোনালী ব্যাংক $bn31 শাখায়" "by naming the branch by its number"

expect 0 "--help" lifeverify --help
like "$out" '^Usage: lifeverify' "usage on stdout"
done_testing
