# Sourced by each wgo-track case: a KHL office's year, made with the programs, and
# its index in $WGO_HOME/track.sqlite. Every case asks as of 2026-12-15 (--now below),
# with no holiday file: the working days are Sunday to Thursday.
#
# The orders, issued on 2025-12-10 in this order (KHL-2025-26-0000NN):
#  1 Rahima Khatun, welfare from 2025-04 (Tk 2,000 to August 2025, Tk 3,000 from
#    September), application received 2025-11-20, approved 2025-11-26; sent
#    2025-12-10; verified 2025-12-14 and 2026-10-20; April to November 2025 paid as
#    arrears on 2025-12-17, each month since on the 7th of the next, to November 2026.
#    A complaint about payment by her mobile on 2026-12-01, open; an older one, resolved.
#  2 Md Sakib Hasan, welfare from 2025-06: sent, never verified.
#  3 Shiuli Rani Das, welfare from 2025-10: returned AC01 on 2025-12-15, corrected
#    (revision 1, another account) on 2025-12-20 and sent again; verified 2025-12-28
#    and 2026-11-02; October and November 2025 paid as arrears on 2025-12-31, then
#    each month to October 2026; November 2026 not paid.
#  4 Najma Begum, welfare: returned AC04 (account closed) on 2025-12-16, never
#    corrected. A complaint by her NID on 2026-01-05, escalated on 2026-03-01.
#  5 Md Rakib, welfare from 2025-09: verified 2025-12-20; September to November
#    paid as arrears on 2025-12-23, December to March on the 7th of the next month;
#    stopped on 2026-03-20 for his death on 2026-03-05, last month 2026-03.
#  6 Shiuli Rani Das (another), welfare: verified 2025-12-12 only.
#  7 Rahima Khatun (another), welfare: verified 2026-02-05.
#  8 Kamrun Nahar, welfare 2025-07 to 2026-03 (a death after retirement, ten years
#    from 2016-03-31): verified 2025-12-15, all paid, card returned 2026-04-10.
#  9 Md Tanvir Ahmed, group insurance Tk 3,00,000: verified 2025-12-18, paid 2025-12-21.
# 10 Amena Khatun, group insurance: never verified.
# And two applications not issued: KHL/APP/2026/0101 received 2026-12-01, not
# approved; KHL/APP/2026/0102 received 2026-11-25, approved 2026-12-10.
export WGO_HOME=$PWD/home
mkdir -p "$WGO_HOME"
cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
# Two branches with their Bengali names (the file's optional third column).
awk -F'\t' 'BEGIN { OFS = "\t" } $1 == "200472441" { $3 = "শাহপুর" } $1 == "200471600" { $3 = "খুলনা কর্পোরেট" } { print }' \
	"$TOP/src/etc/branches-sonali.tsv" >"$WGO_HOME/branches"
export SOURCE_DATE_EPOCH=1765792800 # 2025-12-15T10:00:00Z, for what is made before
A=$TESTDATA/applications.jsonl
{
	grep '"KHL/APP/2025/0001"' "$A" | sed 's/"grant":/"received":"2025-11-20","grant":/'
	for n in 0002 0010 0004 0005 0020 0011; do grep "\"KHL/APP/2025/$n\"" "$A"; done
	echo '{"kind":"application","v":1,"office":"KHL","application_no":"KHL/APP/2025/0090","received":"2025-11-02","grant":"welfare","employee":{"name":"মোঃ নুরুল আমিন","event":"death_after_retirement","event_date":"2025-06-10","retirement_date":"2016-03-31"},"beneficiary":{"name_bn":"কামরুন নাহার","name_en":"Kamrun Nahar","relation":"wife","nid":"2345678901","mobile":"01711223344"},"account":{"routing":"200471600","number":"1111222233","name":"Kamrun Nahar"},"sanction":{"officer":"DD","date":"2025-11-25"}}'
	for n in 0007 0016; do grep "\"KHL/APP/2025/$n\"" "$A"; done
} >apps.jsonl
{
	echo '{"kind":"application","v":1,"office":"KHL","application_no":"KHL/APP/2026/0101","received":"2026-12-01","grant":"funeral","funeral_for":"employee","employee":{"name":"মোঃ হাবিবুর রহমান","event":"death_in_service","event_date":"2026-11-20"},"beneficiary":{"name_bn":"সালমা বেগম","name_en":"Salma Begum","relation":"wife","nid":"3456789012","mobile":"01811223344"},"account":{"routing":"200472441","number":"2222333344","name":"Salma Begum"}}'
	echo '{"kind":"application","v":1,"office":"KHL","application_no":"KHL/APP/2026/0102","received":"2026-11-25","grant":"funeral","funeral_for":"employee","employee":{"name":"মোঃ জসিম উদ্দিন","event":"death_in_service","event_date":"2026-11-10"},"beneficiary":{"name_bn":"নাজমা আক্তার","name_en":"Najma Akter","relation":"wife","nid":"4567890123","mobile":"01911223344"},"account":{"routing":"200472441","number":"3333444455","name":"Najma Akter"},"sanction":{"officer":"DD","date":"2026-12-10"}}'
} >pending.jsonl
wgo-issue -q --no-sign --date 2025-12-10 apps.jsonl >orders.jsonl
echo '{"kind":"correction","v":1,"order_no":"KHL-2025-26-000003","reason":"account number corrected","code":"AC01","date":"2025-12-20","changes":{"account":{"number":"5396947262001"}}}' |
	wgo-issue -q --no-sign --amend --date 2025-12-20 >>orders.jsonl
no() { printf 'KHL-2025-26-%06d' "$1"; }
# push ORDER REVISION INSTANT
push() { echo "{\"kind\":\"push\",\"v\":1,\"order_no\":\"$(no $1)\",\"revision\":$2,\"reference_id\":\"$(no $1)-r$2\",\"status\":\"accepted\",\"bank_ref\":\"B$1-$2\",\"attempts\":1,\"at\":\"$3\"}"; }
# ver ORDER DATE BRANCH
ver() { echo "{\"kind\":\"verification\",\"v\":1,\"verification_id\":\"V$1-$2\",\"order_no\":\"$(no $1)\",\"office\":\"KHL\",\"date\":\"$2\",\"branch\":\"$3\"}"; }
# pay ORDER REVISION MONTH|lump POISHA PAID
pay() {
	_pm=; [ "$3" = lump ] || _pm="\"month\":\"$3\","
	echo "{\"kind\":\"payment\",\"v\":1,\"payment_id\":\"P$1-$3\",\"reference_id\":\"$(no $1)-r$2\",\"order_no\":\"$(no $1)\",\"revision\":$2,\"office\":\"KHL\",$_pm\"amount_poisha\":$4,\"paid\":\"$5\",\"account\":{\"routing\":\"200472441\",\"number\":\"1111111111\"}}"
}
# months ORDER REVISION FROM TO [PAID]: each month FROM..TO at its rate, paid on
# PAID (arrears) or on the 7th of the next month.
months() {
	_y=${3%-*} _mo=${3#*-}
	_mo=${_mo#0}
	while :; do
		_m=$(printf '%d-%02d' "$_y" "$_mo")
		case $_m in 2025-0[1-8]) _a=200000 ;; *) _a=300000 ;; esac
		if [ "$_mo" = 12 ]; then _ny=$((_y + 1)) _nm=1; else _ny=$_y _nm=$((_mo + 1)); fi
		pay "$1" "$2" "$_m" "$_a" "${5:-$(printf '%d-%02d-07' "$_ny" "$_nm")}"
		[ "$_m" = "$4" ] || [ "$_y" -gt 2027 ] && break
		_y=$_ny _mo=$_nm
	done
}
# ret ORDER REVISION CODE DATE REASON
ret() { echo "{\"kind\":\"return\",\"v\":1,\"return_id\":\"R$1-$2\",\"reference_id\":\"$(no $1)-r$2\",\"order_no\":\"$(no $1)\",\"revision\":$2,\"office\":\"KHL\",\"code\":\"$3\",\"reason\":\"$5\",\"date\":\"$4\"}"; }
{
	for i in 1 2 3 4 5 6 7 8 9 10; do push $i 0 2025-12-10T06:00:00Z; done
	push 3 1 2025-12-20T06:00:00Z
} >pushes.jsonl
{ ret 3 0 AC01 2025-12-15 "no such account"; ret 4 0 AC04 2025-12-16 "closed on 2025-11-30"; } >returns.jsonl
{
	ver 1 2025-12-14 200472441; ver 1 2026-10-20 200471600
	ver 3 2025-12-28 200291369; ver 3 2026-11-02 200291369
	ver 5 2025-12-20 200481153; ver 6 2025-12-12 200321271; ver 7 2026-02-05 200681216
	ver 8 2025-12-15 200471600; ver 9 2025-12-18 200320919
} >verifications.jsonl
{
	months 1 0 2025-04 2025-11 2025-12-17; months 1 0 2025-12 2026-11
	months 3 1 2025-10 2025-11 2025-12-31; months 3 1 2025-12 2026-10
	months 5 0 2025-09 2025-11 2025-12-23; months 5 0 2025-12 2026-03
	months 8 0 2025-07 2025-11 2025-12-18; months 8 0 2025-12 2026-03
	pay 9 0 lump 30000000 2025-12-21
} >payments.jsonl
echo '{"kind":"stop","v":1,"order_no":"KHL-2025-26-000005","revision":0,"office":"KHL","reason":"death","date":"2026-03-20","death_date":"2026-03-05","last_month":"2026-03","officer":"DD"}' >stops.jsonl
echo '{"kind":"card_return","v":1,"order_no":"KHL-2025-26-000008","office":"KHL","last_month":"2026-03","returned":"2026-04-10"}' >cards.jsonl
cl() { complaint-log -q --by desk "$@" >/dev/null; }
cl add --office KHL --service payment --category delay --name "Rahima Khatun" --nid 19714384063381352 \
	--text "the money has not come" --now 2026-02-01T04:00:00Z
cl resolve KHL-C-2026-000001 --decision upheld --note "paid on the 7th" --now 2026-02-03T04:00:00Z
cl add --office KHL --service payment --category delay --name "Rahima Khatun" --mobile 01540245658 \
	--text "December's money: when?" --now 2026-12-01T04:00:00Z
cl add --office KHL --service welfare --category documents --name "Najma Begum" --nid 19571297580241465 \
	--text "the account is closed; what now?" --now 2026-01-05T04:00:00Z
cl escalate KHL-C-2026-000003 --now 2026-03-01T04:00:00Z
wgo-export -q --index -o "$WGO_HOME/track.sqlite" apps.jsonl pending.jsonl orders.jsonl pushes.jsonl \
	returns.jsonl verifications.jsonl payments.jsonl stops.jsonl cards.jsonl "$WGO_HOME/complaints.jsonl"
unset SOURCE_DATE_EPOCH
track() { wgo-track --now 2026-12-15T06:00:00Z "$@"; }
