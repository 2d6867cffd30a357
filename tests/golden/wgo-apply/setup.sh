# Sourced by each wgo-apply case: a KHL office's state directory with the example
# configuration (account numbers of 10 to 17 digits, the rates of 2019 and 2025).
# Every case works the amounts out for 2025-12-10.
export WGO_HOME=$PWD/home
mkdir -p "$WGO_HOME"
cp "$TOP/src/etc/wgo.conf.example" "$WGO_HOME/wgo.conf"
cp "$TOP/src/etc/branches-sonali.tsv" "$WGO_HOME/branches"
cp "$TOP/src/etc/designations.txt" "$WGO_HOME/"
cp "$TESTDATA/applications.jsonl" .
A=applications.jsonl
apply() { wgo-apply --date 2025-12-10 "$@"; }
