#!/bin/sh
# Documentation and completion: lint-clean man pages, a page, completions and a
# README entry for every program, every --help option documented and completed,
# and the man pages' examples run as they are written.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 2

lint=$(mandoc -Tlint -Wwarning man/man*/* 2>&1)
is "$lint" "" "mandoc -Tlint -Wwarning is clean on every page"
for f in completions/bash/*; do
	ok "bash -n $f" bash -n "$f"
done
ok "zsh -n completions/zsh/_wgo" zsh -n completions/zsh/_wgo

progs=$(sed -n 's/^PROGS = //p' Makefile)
for p in $progs; do
	[ -f "man/man1/$p.1" ] && pass "$p has a man page" || fail "$p has a man page"
	[ -f "completions/bash/$p" ] && pass "$p has bash completion" || fail "$p has bash completion"
	grep -q "^#compdef.* $p\( \|$\)" completions/zsh/_wgo && pass "$p is in the zsh #compdef" ||
		fail "$p is in the zsh #compdef"
	grep -q "^### $p\$" README.md && pass "$p has a README tour entry" || fail "$p has a README tour entry"
	grep -q "^\.Xr $p 1" man/man7/wgo.7 && pass "wgo(7) lists $p" || fail "wgo(7) lists $p"
	missing=
	for o in $("$WGO_BIN/$p" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
		grep -Eq -- "Fl \\\\${o#-}([^a-z-]|\$)" "man/man1/$p.1" || missing="$missing man:$o"
		grep -q -- "$o\\b" "completions/bash/$p" || missing="$missing bash:$o"
		grep -q -- "'[^']*$o[=+]*\[" completions/zsh/_wgo || grep -q -- "$o[=+]*\[" completions/zsh/_wgo ||
			grep -q -- "[{,]$o[=+]*[},]" completions/zsh/_wgo || missing="$missing zsh:$o"
	done
	is "$missing" "" "every option in $p --help is in its man page and both completions"
	# Completing "--" in bash offers --help; completing the first word offers the commands.
	got=$(bash -c '. /usr/share/bash-completion/bash_completion; . completions/bash/'"$p"'
		COMP_WORDS=('"$p"' --he); COMP_CWORD=1; COMP_LINE="'"$p"' --he"; COMP_POINT=${#COMP_LINE}
		f=$(complete -p '"$p"' | sed "s/.*-F \([^ ]*\).*/\1/"); $f '"$p"' --he '"$p"'; printf "%s\n" "${COMPREPLY[@]}"' 2>&1)
	is "$got" "--help" "bash completes $p --he to --help"
done
got=$(bash -c '. /usr/share/bash-completion/bash_completion; . completions/bash/wgo-date
	COMP_WORDS=(wgo-date -H x to-); COMP_CWORD=3; COMP_LINE="wgo-date -H x to-"; COMP_POINT=${#COMP_LINE}
	_wgo_date wgo-date to- x; printf "%s\n" "${COMPREPLY[@]}"' 2>&1)
is "$got" "to-bangla" "bash completes wgo-date's command after an option with a value"
got=$(bash -c '. /usr/share/bash-completion/bash_completion; . completions/bash/wgo-check
	COMP_WORDS=(wgo-check schema ord); COMP_CWORD=2; COMP_LINE="wgo-check schema ord"; COMP_POINT=${#COMP_LINE}
	_wgo_check wgo-check ord schema; printf "%s\n" "${COMPREPLY[@]}"' 2>&1)
is "$got" "order" "bash completes record kinds after wgo-check schema"

# Every field of every record kind is documented in wgo-record(5), in its kind's section.
undoc=
wgo-check schema | while IFS='	' read -r kind field rest; do
	sec=$(awk -v k="$kind" '/^\.Ss /{on = ($2 == k)} on' man/man5/wgo-record.5)
	leaf=${field##*.}
	printf '%s\n' "$sec" | grep -qF -- "$field" || printf '%s\n' "$sec" | grep -qF -- "Li $leaf" ||
		echo "$kind.$field"
done >"$SCRATCH/undoc"
is "$(cat "$SCRATCH/undoc")" "" "every record field is documented in wgo-record(5)"

# The examples in the man pages run as written: "$ command" lines followed by the
# output they print.
mkdir -p "$SCRATCH/ex"
for page in man/man1/*.1; do
	awk '/^\.Sh EXAMPLES/{on=1} /^\.Sh SEE ALSO/{on=0} on' "$page" |
	awk -v dir="$SCRATCH/ex" -v base="${page##*/}" '
		/^\.Bd -literal/ { inb = 1; next }
		/^\.Ed/ { inb = 0; next }
		inb && cont { print > (dir "/" base "." n ".cmd"); cont = /\\e$/; next }
		inb && /^\$ / { n++; f = dir "/" base "." n; print substr($0, 3) > (f ".cmd"); printf "" > (f ".want"); cont = /\\e$/; next }
		inb && n { print >> (dir "/" base "." n ".want") }
	'
done
# The README's tour, likewise, run from the top of the tree.
awk -v dir="$SCRATCH/ex" '
	/^```console/ { inb = 1; next }
	/^```/ { inb = 0; next }
	inb && /^\$ / { n++; f = dir "/README." n; print substr($0, 3) > (f ".cmd"); printf "" > (f ".want"); next }
	inb && n { print >> (dir "/README." n ".want") }
' README.md
# The examples of lifeverify(1) and reconcile(1) read the records of
# tests/data/examples/ (see its README), from the directory they run in.
cp "$TOP"/tests/data/examples/* "$SCRATCH"/
for c in "$SCRATCH"/ex/*.cmd; do
	[ -e "$c" ] || continue
	w=${c%.cmd}.want
	[ -s "$w" ] || continue # an example that shows no output is not run
	grep -q '\.\.\.' "$w" && continue # nor one whose output is abridged
	cmd=$(sed 's/\\e/\\/g' "$c")
	case $c in */README.*) dir=$TOP ;; *) dir=$SCRATCH ;; esac
	got=$(cd "$dir" && sh -c "$cmd" 2>&1)
	want=$(sed 's/\\e/\\/g' "$w")
	is "$got" "$want" "example in ${c##*/ex/}: $cmd"
done
done_testing
