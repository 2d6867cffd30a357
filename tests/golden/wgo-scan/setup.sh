# Sourced by each wgo-scan case: a KHL office's state directory (the example
# configuration and the test key), and helpers that write the records a case needs.
# Orders come from wgo-issue: a welfare grant for a death in service on 2025-03-25
# is Tk 2,000 a month from April to August 2025 and Tk 3,000 from September, until
# March 2040; issued on 2025-12-10 they are numbered KHL-2025-26-000001 and on.
# Every case scans as of 2026-06-30.
export WGO_HOME=$PWD/home
mkdir -p "$WGO_HOME/keys" "$WGO_HOME/keyring"
cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
cp "$TESTDATA/keys/KHL.sec" "$WGO_HOME/keys/"
chmod 600 "$WGO_HOME/keys/KHL.sec"
cp "$TESTDATA/keys/KHL.pub" "$WGO_HOME/keyring/"
# app N NAME_BN NAME_EN NID MOBILE ACCOUNT BIRTH [GRANT [EVENT [EVENT_DATE [EMPLOYEE_BIRTH [LAST_MONTH [EMPLOYEE_ID]]]]]]
# An approved application, number A-N; "-" leaves a field out.
app() {
	_n=; [ "$2" = - ] || _n="\"name_bn\":\"$2\","
	[ "$3" = - ] || _n="$_n\"name_en\":\"$3\","
	_b=; [ "$7" = - ] || _b=",\"birth_date\":\"$7\""
	_g=${8:-welfare}; _f=; [ "$_g" = funeral ] && _f='"funeral_for":"family",'
	_e=${9:-death_in_service}; _eb=; [ "${11:--}" = - ] || _eb=",\"birth_date\":\"${11}\""
	_r=; [ "$_e" = death_after_retirement ] && _r=',"retirement_date":"2017-01-31"'
	# After a retirement on illness the grant is the employee's own (wgo-issue(1)).
	_rel=wife; [ "$_e" = retired_invalid ] && _rel=self
	_id=; [ "${13:--}" = - ] || _id=",\"id\":\"${13}\""
	_l=; [ "${12:--}" = - ] || _l=",\"last_month\":\"${12}\""
	printf '{"kind":"application","v":1,"office":"KHL","application_no":"A-%s","grant":"%s",%s"employee":{"name":"মোঃ আব্দুল করিম","event":"%s","event_date":"%s"%s%s%s},"beneficiary":{%s"relation":"%s","nid":"%s","mobile":"%s"%s},"account":{"routing":"200472441","number":"%s","name":"B"},"sanction":{"officer":"DD","date":"2025-11-26"%s}}\n' \
		"$1" "$_g" "$_f" "$_e" "${10:-2025-03-25}" "$_r" "$_eb" "$_id" "$_n" "$_rel" "$4" "$5" "$_b" "$6" "$_l"
}
issue() { wgo-issue --no-sign --date 2025-12-10 "$@"; }
no() { printf 'KHL-2025-26-%06d' "$1"; }
# ver ORDER DATE [BRANCH]
ver() { echo "{\"kind\":\"verification\",\"v\":1,\"verification_id\":\"V$1-$2\",\"order_no\":\"$(no $1)\",\"office\":\"KHL\",\"date\":\"$2\",\"branch\":\"${3:-200472441}\"}"; }
# pay ID ORDER MONTH POISHA PAID  (MONTH "lump" for a lump sum)
pay() {
	_pm=; [ "$3" = lump ] || _pm="\"month\":\"$3\","
	echo "{\"kind\":\"payment\",\"v\":1,\"payment_id\":\"$1\",\"reference_id\":\"$(no $2)-r0\",\"order_no\":\"$(no $2)\",\"revision\":0,\"office\":\"KHL\",$_pm\"amount_poisha\":$4,\"paid\":\"$5\",\"account\":{\"routing\":\"200472441\",\"number\":\"6444357787857\"}}"
}
# monthly ID ORDER FROM TO: each month FROM..TO (2025-MM or 2026-MM) paid at its
# rate on the 7th of the next month.
monthly() {
	_mm=$3
	_end=$(next "$4")
	while [ "$_mm" != "$_end" ]; do
		case $_mm in 2025-0[4-8]) _a=200000 ;; *) _a=300000 ;; esac
		_nx=$(next "$_mm")
		pay "$1-$_mm" "$2" "$_mm" "$_a" "$_nx-07"
		_mm=$_nx
	done
}
next() { wgo-date add-months "$1-01" 1 | cut -c1-7; }
# ret ID ORDER REVISION CODE DATE
ret() { echo "{\"kind\":\"return\",\"v\":1,\"return_id\":\"$1\",\"reference_id\":\"$(no $2)-r$3\",\"order_no\":\"$(no $2)\",\"revision\":$3,\"office\":\"KHL\",\"code\":\"$4\",\"date\":\"$5\"}"; }
# stopr ORDER REASON DATE [DEATH_DATE|-] [LAST_MONTH]
stopr() {
	_d=; [ "${4:--}" = - ] || _d=",\"death_date\":\"$4\""
	_l=; [ -z "${5:-}" ] || _l=",\"last_month\":\"$5\""
	echo "{\"kind\":\"stop\",\"v\":1,\"order_no\":\"$(no $1)\",\"revision\":0,\"office\":\"KHL\",\"reason\":\"$2\",\"date\":\"$3\"$_d$_l,\"officer\":\"DD\"}"
}
# death NID DATE NO: an entry of the death register
death() { echo "{\"kind\":\"death\",\"v\":1,\"nid\":\"$1\",\"death_date\":\"$2\",\"register_no\":\"$3\"}"; }
scan() { wgo-scan --summary --as-of 2026-06-30 --now 2026-07-01T00:00:00Z "$@"; }
