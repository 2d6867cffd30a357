# The synthetic quarter: 2025-26Q2, 1 October to 31 December 2025, two offices
# (KHL and DHK), written into the current directory as q/*.jsonl with the example
# configuration and a holiday file (Victory Day, Christmas). Sourced by the
# golden cases' cmd and by tests/t8000-wgo-report.t, whose comments work out
# every figure by hand; jq only reshapes the sample order and application.
# The orders, each at Tk 3,000 a month unless said otherwise:
#   O1  KHL-2025-26-000101  sanctioned Wed 1 Oct, issued Wed 8 Oct, verified Mon 20 Oct,
#                           paid Sep (22 Oct), Oct (4 Nov), Nov (3 Dec)
#   O2  KHL-2025-26-000102  sanctioned Sun 5 Oct, issued Thu 16 Oct, verified Sun 2 Nov,
#                           paid Sep and Oct (10 Nov), Nov (3 Dec)
#   O3  KHL-2025-26-000103  sanctioned Thu 20 Nov, issued Mon 1 Dec, returned AC01 Thu
#                           4 Dec, corrected (revision 1, a new account) Thu 11 Dec
#   O4  DHK-2025-26-000201  sanctioned 20 Sep, issued Tue 30 Sep, verified Thu 2 Oct,
#                           paid Sep (7 Oct), Oct (4 Nov), Nov (3 Dec)
#   O5  DHK-2025-26-000202  sanctioned Sun 7 Dec, issued Sun 14 Dec, stopped (withdrawal)
#                           Mon 22 Dec
#   O6  KHL-2024-25-000006  issued 10 Jul 2024, verified 15 Jul 2024 and 20 Feb 2025:
#                           its window is 20 Dec 2025 to 19 Jan 2026
#   O7  KHL-2023-24-000007  issued 5 Jun 2024, verified 10 Jun 2024, missed the window
#                           (10 Apr to 9 May 2025), verified again Tue 14 Oct 2025; paid
#                           May 2025 (19 Oct) and Oct (5 Nov)
#   O8  KHL-2023-24-000008  issued 3 Mar 2024, verified 10 Mar 2024 and 20 Jan 2025: its
#                           window closed 19 Dec 2025, suspended from 20 Dec
#   O9  KHL-2023-24-000009  issued 4 Feb 2024, verified 6 Feb 2024, 10 Dec 2024 and Wed
#                           15 Oct 2025 (window 10 Oct to 9 Nov); paid Oct (4 Nov)
#   O10 KHL-2025-26-000110  group insurance, Tk 3,00,000: sanctioned 1 Sep, issued 10 Sep,
#                           verified Sat 20 Sep, paid Wed 1 Oct
#   O11 KHL-2023-24-000011  January 2024 to October 2025: its card due 15 Nov 2025, never
#                           returned
#   O12 KHL-2023-24-000012  January 2024 to September 2025: its card due 15 Oct, returned
#                           12 Oct
# Orders before the quarter were paid once before it too, after their first
# verification, so that the quarter holds none of their first payments.
mkdir -p q home
export WGO_HOME=$PWD/home
cp "$TOP/src/etc/wgo.conf.example" home/wgo.conf
printf '2025-12-16 Victory Day\n2025-12-25 Christmas Day\n' >home/holidays
T=$(head -1 "$TOP/tests/data/examples/order.jsonl")
# order NO OFFICE ISSUED SANCTIONED FIRST LAST [REVISION AMENDED ACCOUNT]
order() {
	printf '%s\n' "$T" | jq -c --arg no "$1" --arg off "$2" --arg iss "$3" --arg san "$4" \
		--arg f "$5" --arg l "$6" --argjson rev "${7:-0}" --arg am "${8:-}" --arg acct "${9:-}" '
		def m: split("-") | (.[0] | tonumber) * 12 + (.[1] | tonumber) - 1;
		.order_no = $no | .office = $off | .issued = $iss | .sanction.date = $san
		| .revision = $rev | .application_no = ("APP-" + $no)
		| .first_month = $f | .last_month = $l
		| .rates = [{from: $f, to: $l, monthly_poisha: 300000}]
		| .arrears_months = 0 | .arrears_poisha = 0
		| .total_poisha = (($l | m) - ($f | m) + 1) * 300000
		| if $rev > 0 then .amendment = {reason: "account corrected", code: "AC01",
		    changed: ["account"], date: $am} | .account.number = $acct else . end'
}
{
	order KHL-2025-26-000101 KHL 2025-10-08 2025-10-01 2025-09 2026-08
	order KHL-2025-26-000102 KHL 2025-10-16 2025-10-05 2025-09 2026-08
	order KHL-2025-26-000103 KHL 2025-12-01 2025-11-20 2025-09 2026-08
	order KHL-2025-26-000103 KHL 2025-12-01 2025-11-20 2025-09 2026-08 1 2025-12-11 6444357787858
	order DHK-2025-26-000201 DHK 2025-09-30 2025-09-20 2025-09 2026-08
	order DHK-2025-26-000202 DHK 2025-12-14 2025-12-07 2025-09 2026-08
	order KHL-2024-25-000006 KHL 2024-07-10 2024-07-01 2024-07 2026-06
	order KHL-2023-24-000007 KHL 2024-06-05 2024-06-01 2024-06 2026-05
	order KHL-2023-24-000008 KHL 2024-03-03 2024-03-01 2024-03 2026-02
	order KHL-2023-24-000009 KHL 2024-02-04 2024-02-01 2024-02 2026-01
	order KHL-2023-24-000011 KHL 2024-01-07 2024-01-02 2024-01 2025-10
	order KHL-2023-24-000012 KHL 2024-01-07 2024-01-02 2024-01 2025-09
	printf '%s\n' "$T" | jq -c '.order_no = "KHL-2025-26-000110" | .issued = "2025-09-10"
		| .sanction.date = "2025-09-01" | .application_no = "APP-110" | .grant = "group_insurance"
		| del(.first_month, .last_month, .rates) | .lump_poisha = 30000000
		| .arrears_months = 0 | .arrears_poisha = 0 | .total_poisha = 30000000'
} >q/orders.jsonl
# ver ORDER DATE...
ver() { _o=$1; shift; for _d; do
	printf '{"kind":"verification","v":1,"verification_id":"V-%s-%s","order_no":"%s","date":"%s","branch":"200472441"}\n' "$_o" "$_d" "$_o" "$_d"; done; }
{
	ver KHL-2025-26-000101 2025-10-20
	ver KHL-2025-26-000102 2025-11-02
	ver DHK-2025-26-000201 2025-10-02
	ver KHL-2024-25-000006 2024-07-15 2025-02-20
	ver KHL-2023-24-000007 2024-06-10 2025-10-14
	ver KHL-2023-24-000008 2024-03-10 2025-01-20
	ver KHL-2023-24-000009 2024-02-06 2024-12-10 2025-10-15
	ver KHL-2025-26-000110 2025-09-20
	ver KHL-2023-24-000011 2024-01-10 2024-11-10 2025-09-10
	ver KHL-2023-24-000012 2024-01-10 2024-11-12 2025-09-15
} >q/verifications.jsonl
# pay ORDER OFFICE MONTH PAID [AMOUNT]: MONTH - for a lump sum
n=0
pay() {
	n=$((n + 1))
	_m=; [ "$3" = - ] || _m="\"month\":\"$3\","
	printf '{"kind":"payment","v":1,"payment_id":"P%d","reference_id":"%s-r0","order_no":"%s","revision":0,"office":"%s",%s"amount_poisha":%s,"paid":"%s","account":{"routing":"200472441","number":"6444357787857"}}\n' \
		"$n" "$1" "$1" "$2" "$_m" "${5:-300000}" "$4"
}
{
	pay KHL-2024-25-000006 KHL 2024-07 2024-07-20
	pay KHL-2023-24-000007 KHL 2024-06 2024-06-15
	pay KHL-2023-24-000008 KHL 2024-03 2024-03-15
	pay KHL-2023-24-000009 KHL 2024-02 2024-02-10
	pay KHL-2025-26-000101 KHL 2025-09 2025-10-22
	pay KHL-2025-26-000101 KHL 2025-10 2025-11-04
	pay KHL-2025-26-000101 KHL 2025-11 2025-12-03
	pay KHL-2025-26-000102 KHL 2025-09 2025-11-10
	pay KHL-2025-26-000102 KHL 2025-10 2025-11-10
	pay KHL-2025-26-000102 KHL 2025-11 2025-12-03
	pay DHK-2025-26-000201 DHK 2025-09 2025-10-07
	pay DHK-2025-26-000201 DHK 2025-10 2025-11-04
	pay DHK-2025-26-000201 DHK 2025-11 2025-12-03
	pay KHL-2023-24-000007 KHL 2025-05 2025-10-19
	pay KHL-2023-24-000007 KHL 2025-10 2025-11-05
	pay KHL-2023-24-000009 KHL 2025-10 2025-11-04
	pay KHL-2025-26-000110 KHL - 2025-10-01 30000000
	pay KHL-2025-26-000101 KHL 2025-12 2026-01-05
} >q/payments.jsonl
cat >q/events.jsonl <<'R'
{"kind":"return","v":1,"return_id":"RT1","reference_id":"KHL-2025-26-000103-r0","order_no":"KHL-2025-26-000103","revision":0,"office":"KHL","code":"AC01","date":"2025-12-04"}
{"kind":"stop","v":1,"order_no":"DHK-2025-26-000202","revision":0,"office":"DHK","reason":"withdrawal","date":"2025-12-22","last_month":"2025-12","officer":"Deputy Director"}
{"kind":"card_return","v":1,"order_no":"KHL-2023-24-000012","office":"KHL","last_month":"2025-09","returned":"2025-10-12"}
{"kind":"push","v":1,"order_no":"DHK-2025-26-000201","revision":0,"reference_id":"DHK-2025-26-000201-r0","status":"accepted","at":"2025-09-30T06:00:00Z"}
{"kind":"push","v":1,"order_no":"KHL-2025-26-000101","revision":0,"reference_id":"KHL-2025-26-000101-r0","status":"failed","at":"2025-10-08T07:00:00Z"}
{"kind":"push","v":1,"order_no":"KHL-2025-26-000101","revision":0,"reference_id":"KHL-2025-26-000101-r0","status":"accepted","at":"2025-10-08T08:00:00Z"}
{"kind":"push","v":1,"order_no":"KHL-2025-26-000101","revision":0,"reference_id":"KHL-2025-26-000101-r0","status":"accepted","at":"2025-10-09T08:00:00Z"}
{"kind":"push","v":1,"order_no":"KHL-2025-26-000102","revision":0,"reference_id":"KHL-2025-26-000102-r0","status":"accepted","at":"2025-10-16T08:00:00Z"}
{"kind":"push","v":1,"order_no":"KHL-2025-26-000102","revision":0,"reference_id":"KHL-2025-26-000102-r0","status":"skipped","at":"2025-10-17T08:00:00Z"}
{"kind":"push","v":1,"order_no":"KHL-2025-26-000103","revision":0,"reference_id":"KHL-2025-26-000103-r0","status":"accepted","at":"2025-12-01T06:00:00Z"}
{"kind":"push","v":1,"order_no":"KHL-2025-26-000103","revision":1,"reference_id":"KHL-2025-26-000103-r1","status":"accepted","at":"2025-12-11T06:00:00Z"}
{"kind":"push","v":1,"order_no":"DHK-2025-26-000202","revision":0,"reference_id":"DHK-2025-26-000202-r0","status":"rejected","at":"2025-12-14T06:00:00Z"}
{"kind":"discrepancy","v":1,"class":"underpaid","office":"KHL","month":"2025-11","order_no":"KHL-2025-26-000101","expected_poisha":300000,"paid_poisha":250000,"detail":"short"}
{"kind":"discrepancy","v":1,"class":"late","office":"KHL","month":"2025-11","order_no":"KHL-2025-26-000102","expected_poisha":300000,"paid_poisha":300000,"detail":"late"}
{"kind":"discrepancy","v":1,"class":"missing","office":"DHK","month":"2025-10","order_no":"DHK-2025-26-000201","expected_poisha":300000,"detail":"not paid"}
{"kind":"discrepancy","v":1,"class":"missing","office":"DHK","month":"2025-09","order_no":"DHK-2025-26-000201","expected_poisha":300000,"detail":"before the quarter"}
{"kind":"discrepancy","v":1,"class":"missing","office":"KHL","month":"2026-01","order_no":"KHL-2025-26-000101","expected_poisha":300000,"detail":"after the quarter"}
R
head -1 "$TOP/tests/data/applications.jsonl" | jq -c '.application_no = "KHL/APP/2025/0900" | .sanction.date = "2025-12-28"' >q/applications.jsonl
head -1 "$TOP/tests/data/applications.jsonl" | jq -c '.application_no = "KHL/APP/2025/0901" | .sanction.date = "2025-09-01"' >>q/applications.jsonl
# The complaints, as the complaint log holds them (prev is the store's, not read here).
# cev SEQ EVENT ID OFFICE AT [KEY VALUE]...
cev() {
	_s=$1 _e=$2 _i=$3 _o=$4 _a=$5; shift 5
	_x=
	while [ $# -ge 2 ]; do
		case $1 in level) _x="$_x,\"$1\":$2" ;; *) _x="$_x,\"$1\":\"$2\"" ;; esac
		shift 2
	done
	printf '{"kind":"complaint","v":1,"seq":%d,"event":"%s","id":"%s","office":"%s","at":"%s"%s,"prev":"%064d"}\n' \
		"$_s" "$_e" "$_i" "$_o" "$_a" "$_x" 0
}
{
	cev 1 add KHL-C-2025-000002 KHL 2025-09-10T04:00:00Z service payment desk 2 category delay text late level 0
	cev 2 add KHL-C-2025-000001 KHL 2025-10-05T04:00:00Z service welfare desk 1 category delay text slow level 0
	cev 3 add DHK-C-2025-000001 DHK 2025-10-12T04:00:00Z service welfare category behaviour text rude level 0
	cev 4 resolve KHL-C-2025-000001 KHL 2025-10-20T04:00:00Z decision upheld note paid
	cev 5 resolve KHL-C-2025-000002 KHL 2025-10-30T04:00:00Z decision upheld note paid
	cev 6 add KHL-C-2025-000003 KHL 2025-11-03T04:00:00Z service payment desk 2 category wrong_amount text short level 0
	cev 7 escalate DHK-C-2025-000001 DHK 2025-11-25T04:00:00Z level 1
	cev 8 add KHL-C-2025-000004 KHL 2025-12-01T04:00:00Z service welfare desk 1 category documents text papers level 0
	cev 9 ack KHL-C-2025-000004 KHL 2025-12-02T04:00:00Z
	cev 10 resolve DHK-C-2025-000001 DHK 2025-12-10T04:00:00Z decision partly_upheld note apologised
	cev 11 add KHL-C-2025-000005 KHL 2025-12-20T04:00:00Z service life_verification desk 3 category delay text queue level 0
	cev 12 resolve KHL-C-2025-000005 KHL 2026-01-03T04:00:00Z decision upheld note done
	cev 13 add KHL-C-2026-000001 KHL 2026-01-05T04:00:00Z service welfare category delay text next level 0
} >q/complaints.jsonl
