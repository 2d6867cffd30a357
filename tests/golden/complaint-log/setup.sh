# Sourced by each complaint-log case: a state directory with the example
# configuration (deadlines 30, 20 and 20 working days; Khulna's resolving officer)
# and a holiday file, and a month of complaints at two offices, some acknowledged,
# resolved, escalated and reopened. Times are fixed with --now.
export WGO_HOME=$PWD/home USER=clerk
mkdir -p "$WGO_HOME"
cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
printf '2026-12-16 Victory Day\n2026-12-25 Christmas Day\n' >"$WGO_HOME/holidays"
cl() { complaint-log "$@" >/dev/null; }
cl add --now 2026-11-01T04:00:00Z -s welfare -c delay --desk 3 -n 'রহিমা খাতুন' -m 01711223344 --nid 1234567890 -t 'ভাতা তিন মাস পাইনি'
cl add --now 2026-11-02T05:30:00Z -s payment -c bribe -n 'Abdul Karim' -m 01811223344 -t 'asked for money to release the arrears'
cl add --now 2026-11-03T06:00:00Z -s life_verification -c behaviour -n 'Sufia Begum' -t 'sent away from the branch twice'
cl add --now 2026-11-03T07:00:00Z -o DHK -s welfare -c documents -n 'Jamal Uddin' -m 01911223344 -t 'asked for the same papers again'
cl add --now 2025-10-05T04:00:00Z -s welfare -c delay -n 'Old Case' -t 'an older complaint, never resolved'
cl ack KHL-C-2026-000001 --by 'Nasrin Akhter' --note 'called the branch' --now 2026-11-02T04:00:00Z
cl resolve KHL-C-2026-000001 -d upheld --note 'arrears paid on 5 Nov' --now 2026-11-05T08:00:00Z
cl escalate KHL-C-2026-000001 --note 'says one month is still missing' --now 2026-11-08T04:00:00Z
cl resolve KHL-C-2026-000001 -d partly_upheld --note 'October paid; November not yet due' --now 2026-11-12T04:00:00Z
cl resolve KHL-C-2026-000002 -d referred --note 'sent to the anti-corruption desk' --now 2026-11-19T04:00:00Z
cl resolve DHK-C-2026-000001 -d rejected --note 'the papers were incomplete' --now 2026-11-10T04:00:00Z
cl reopen DHK-C-2026-000001 --note 'new papers brought' --now 2026-11-15T04:00:00Z
