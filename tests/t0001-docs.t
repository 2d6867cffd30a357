#!/bin/sh
# Documentation and completion: lint-clean man pages, a page, completions and a
# README entry for every program, every --help option documented and completed,
# and every example of every man page and of the README run as it is written.
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

# ---- The examples run as written ----
# Every example of every man page (".Sh EXAMPLES", inside ".Bd -literal") and of
# the README ("```console" blocks): "$ command" starts one (a line ending in "\"
# continues it); the lines after it, up to the next "$ " or the block's end, are
# what it prints, stdout and stderr together. A line that is exactly "..." stands
# for any number of lines; "..." inside a line for any text. An example that
# shows nothing must print nothing. The examples of one document run in order, in
# one scratch directory holding the files of tests/data/examples/, with WGO_HOME an
# office made by "wgo-init --office KHL --sandbox --passphrase-file khl.pass" (unless
# the document's first example is a wgo-init of its own), the sandbox bank running
# (started whenever WGO_HOME/sandbox/tokens exists) and its endpoint in wgo.conf,
# and the clock at $DOCS_NOW. The README runs as from the top of a clone, with
# the passphrase file its setup makes and none of the sample files. ".\" norun: REASON" before an example (or before its
# block: every example of it), "<!-- norun: REASON -->" before a README block,
# keeps it from running; those are counted and listed. What an example leaves
# running in the background is stopped when its document ends.
DOCS_NOW=2026-06-30T06:00:00Z
# Pages their owners bring to the convention in this round: an example of theirs
# that does not run as written yet is a TODO, not a failure. Take a page off the
# list when it is converted.
pending=" "

EX=$SCRATCH/ex
mkdir -p "$EX"
cat >"$EX/extract.py" <<'EOF'
# Split each document into its examples: EX/DOC/NNN.cmd, .want and, for those that
# do not run, .norun (the reason); EX/docs lists the documents that have any.
import os, re, sys
ex = sys.argv[1]
def unroff(s):
    for a, b in ((r'\(aq', "'"), (r'\(dq', '"'), (r'\(em', '\u2014'), (r'\-', '-'), (r'\&', ''),
                 (r'\e', '\\')):
        s = s.replace(a, b)
    return s
docs = []
for path in sys.argv[2:]:
    name = os.path.basename(path)
    lines = open(path, encoding='utf-8').read().split('\n')
    exs = []            # [cmd, want lines, norun]
    cur = None
    cont = False
    norun_next = None   # for the next example
    norun_block = None  # for every example of the block being read
    if path.endswith('.md'):
        inb = False
        for l in lines:
            m = re.match(r'<!--\s*norun:\s*(.*?)\s*-->', l)
            if not inb and m:
                norun_block = m.group(1)
            elif not inb and l.startswith('```console'):
                inb, cur, cont = True, None, False
            elif not inb and l.startswith('```'):
                norun_block = None
            elif inb and l.startswith('```'):
                inb, cur, norun_block = False, None, None
            elif inb:
                if cont:
                    cur[0] += '\n' + l
                    cont = l.endswith('\\')
                elif l.startswith('$ '):
                    cur = [l[2:], [], norun_block]
                    exs.append(cur)
                    cont = l.endswith('\\')
                elif cur is not None:
                    cur[1].append(l)
    else:
        on = inb = False
        for l in lines:
            if l.startswith('.Sh '):
                on = l.strip() == '.Sh EXAMPLES'
                continue
            if not on:
                continue
            m = re.match(r'\.\\"\s*norun:\s*(.*)', l)
            if m:
                if inb:
                    norun_next = m.group(1).strip()
                else:
                    norun_block = m.group(1).strip()
                continue
            if l.startswith('.Bd') and '-literal' in l:
                inb, cur, cont = True, None, False
                continue
            if inb and l.startswith('.Ed'):
                inb, cur, norun_block = False, None, None
                continue
            if not inb:
                if not l.startswith('.\\"'):
                    norun_block = None if not l.startswith('.') or l.startswith('.Pp') else norun_block
                continue
            if l.startswith('.\\"'):
                continue
            l = unroff(l)
            if cont:
                cur[0] += '\n' + l
                cont = l.endswith('\\')
            elif l.startswith('$ '):
                cur = [l[2:], [], norun_next or norun_block]
                norun_next = None
                exs.append(cur)
                cont = l.endswith('\\')
            elif cur is not None:
                cur[1].append(l)
    if not exs:
        continue
    docs.append(name)
    d = os.path.join(ex, name)
    os.makedirs(d)
    for i, (cmd, want, norun) in enumerate(exs, 1):
        base = os.path.join(d, '%03d' % i)
        open(base + '.cmd', 'w', encoding='utf-8').write(cmd + '\n')
        open(base + '.want', 'w', encoding='utf-8').write(''.join(w + '\n' for w in want))
        if norun:
            open(base + '.norun', 'w', encoding='utf-8').write(norun + '\n')
open(os.path.join(ex, 'docs'), 'w').write(''.join(d + '\n' for d in docs))
EOF
python3 "$EX/extract.py" "$EX" man/man1/*.1 man/man5/*.5 man/man7/*.7 README.md &&
	pass "the examples of every document are read" || fail "the examples of every document are read"

# The reader, on a page and a README made here: an example's lines, a continued
# command, output up to the next command or the block's end, roff escapes, and
# norun before an example, before a block, and before a README block.
mkdir -p "$SCRATCH/selftest"
cat >"$SCRATCH/selftest/t.1" <<'PAGE'
.Sh DESCRIPTION
.Bd -literal
$ not an example: outside EXAMPLES
.Ed
.Sh EXAMPLES
.Bd -literal -offset indent
$ echo a \e
    b
a b
$ printf 'x\en'
x
.\" norun: needs a person
$ vi f
.Ed
.\" norun: a block that cannot run
.Bd -literal
$ one
$ two
.Ed
.Sh SEE ALSO
PAGE
printf '%s\n' 'text' '```console' '$ ls' 'f' '```' '<!-- norun: why -->' '```console' '$ rm f' '```' '```sh' '$ not run' '```' >"$SCRATCH/selftest/R.md"
T=$SCRATCH/selftest/out
mkdir -p "$T"
python3 "$EX/extract.py" "$T" "$SCRATCH/selftest/t.1" "$SCRATCH/selftest/R.md"
is "$(cat "$T/docs")" "t.1
R.md" "the reader finds both documents"
is "$(cat "$T/t.1/001.cmd")" 'echo a \
    b' "a command continued with a backslash is one example"
is "$(cat "$T/t.1/001.want")" "a b" "its output is the lines up to the next command"
is "$(cat "$T/t.1/002.cmd") | $(cat "$T/t.1/002.want")" "printf 'x\n' | x" "roff's backslash-e is a backslash"
is "$(cat "$T/t.1/003.norun")" "needs a person" "norun before an example marks it"
is "$(cat "$T/t.1/003.want")" "" "and what follows the comment is not output"
is "$(cat "$T/t.1/004.norun" "$T/t.1/005.norun")" "a block that cannot run
a block that cannot run" "norun before a block marks each of its examples"
is "$(ls "$T/t.1" | grep -c cmd)" 5 "five examples in the page; none outside EXAMPLES"
is "$(cat "$T/R.md/001.cmd") | $(cat "$T/R.md/001.want") | $(cat "$T/R.md/002.norun")" "ls | f | why" \
	"the README's console blocks, and norun before one"
is "$(ls "$T/R.md" | grep -c cmd)" 2 "a sh block is not run"

cat >"$EX/match.py" <<'EOF'
# match.py WANT GOT: whether GOT is what WANT shows ("..." alone on a line: any
# lines; inside a line: any text); a diff on standard output when not.
import difflib, re, sys
want = open(sys.argv[1], encoding='utf-8', errors='surrogateescape').read()
got = open(sys.argv[2], encoding='utf-8', errors='surrogateescape').read()
if got and not got.endswith('\n'):
    got += '\n'
rx = ''
for l in want.split('\n')[:-1]:
    if l == '...':
        rx += r'(?:[^\n]*\n)*?'
    else:
        rx += '[^\n]*'.join(re.escape(p) for p in l.split('...')) + r'\n'
if re.fullmatch(rx, got):
    sys.exit(0)
# Control characters are shown escaped: the diff goes to a terminal.
esc = lambda l: re.sub(r'[\x00-\x08\x0b-\x1f\x7f]', lambda m: '\\x%02x' % ord(m.group()), l)[:300].rstrip('\n') + '\n'
sys.stdout.writelines(esc(l) for l in difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                                           'shown', 'printed', n=2))
sys.exit(1)
EOF

# The matcher, held to what the convention says (each case by hand):
# WANT GOT RESULT WHAT.
m_case() {
	printf '%b' "$1" >"$EX/m.want"
	printf '%b' "$2" >"$EX/m.got"
	python3 "$EX/match.py" "$EX/m.want" "$EX/m.got" >/dev/null && _r=match || _r=differs
	is "$_r" "$3" "the matcher: $4"
}
m_case 'a\nb\n' 'a\nb\n' match "the same lines match"
m_case 'a\nb\n' 'a\nc\n' differs "a line that differs does not"
m_case 'a\n' 'a\nb\n' differs "nor a line more"
m_case '' '' match "nothing shown, nothing printed"
m_case '' 'x\n' differs "nothing shown, something printed"
m_case 'a\n...\nd\n' 'a\nb\nc\nd\n' match "... stands for lines"
m_case 'a\n...\nd\n' 'a\nd\n' match "... stands for no line too"
m_case 'a\n...\nd\n' 'a\nb\n' differs "what follows ... must still come"
m_case '...\n' 'x\ny\n' match "... alone stands for everything"
m_case 'id ...!\n' 'id 3f0c9a!\n' match "... in a line stands for any text"
m_case 'id ...!\n' 'id 3f0c9a?\n' differs "and the rest of the line is compared"
m_case 'a.b\n' 'axb\n' differs "no other character is special"
m_case 'x\n' 'x' match "a last line without its newline"

# docs_sandbox: the sandbox of the office in $WGO_HOME, on a free port, its
# endpoint in wgo.conf, when the office has one and it is not running yet.
docs_sandbox() {
	[ -f "$WGO_HOME/sandbox/tokens" ] || return 0
	[ -n "${SB_PID:-}" ] && kill -0 "$SB_PID" 2>/dev/null && return 0
	: >"$d/.sb.port"
	ddp-sandbox --state "$WGO_HOME/sandbox" --keyring "$WGO_HOME/sandbox/keyring" --port 0 \
		--exit-after $((600 * SLOW)) >"$d/.sb.port" 2>>"$d/.sb.err" &
	SB_PID=$!
	for _i in $(seq 1 $((300 * SLOW))); do
		[ -s "$d/.sb.port" ] && break
		kill -0 "$SB_PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ -s "$d/.sb.port" ] && [ -f "$WGO_HOME/wgo.conf" ]; then
		sed "s|^bank\.endpoint = .*|bank.endpoint = http://127.0.0.1:$(head -1 "$d/.sb.port")|" \
			"$WGO_HOME/wgo.conf" >"$d/.conf"
		cat "$d/.conf" >"$WGO_HOME/wgo.conf"
	else
		diag "$doc: the sandbox did not start: $(cat "$d/.sb.err")"
	fi
}

nrun=0
nnorun=0
norun_list=
# DOCS_ONLY="wgo-issue.1 README.md" runs the examples of those documents only.
for doc in $(cat "$EX/docs"); do
	case " ${DOCS_ONLY:-$doc} " in *" $doc "*) ;; *) continue ;; esac
	d=$SCRATCH/run/$doc
	mkdir -p "$d"
	if [ "$doc" = README.md ]; then
		# The README is run as from the top of a clone (its paths into the tree
		# resolve), with the passphrase file its setup makes, and nothing else.
		ln -s "$TOP/src" "$TOP/tests" "$TOP/man" "$d"/
		cp -p "$TOP"/tests/data/examples/khl.pass "$d"/
	else
		cp -p "$TOP"/tests/data/examples/* "$d"/
	fi
	chmod 600 "$d"/*.pass
	export WGO_HOME=$d/home
	export SOURCE_DATE_EPOCH=$(date -d "$DOCS_NOW" +%s)
	todo=
	case $pending in *" $doc "*) todo=" # TODO $doc is to be brought to the convention by its owner" ;; esac
	first=$(cat "$EX/$doc/001.cmd")
	case $first in
	wgo-init\ *) ;;
	*) (cd "$d" && wgo-init --office KHL --sandbox --passphrase-file khl.pass >/dev/null 2>"$d/.init.err") ||
		fail "$doc: the office for its examples is made" "$(cat "$d/.init.err")" ;;
	esac
	pgids=
	for c in "$EX/$doc"/*.cmd; do
		n=${c%.cmd}
		cmd=$(cat "$c")
		if [ -f "$n.norun" ]; then
			nnorun=$((nnorun + 1))
			norun_list="$norun_list
$doc: $(head -1 "$c") ($(cat "$n.norun"))"
			skip "$doc: norun: $(cat "$n.norun"): $(head -1 "$c" | sed 's/\\/\\\\/g')"
			continue
		fi
		docs_sandbox
		nrun=$((nrun + 1))
		# Its own session, so that what it leaves running can be stopped.
		(cd "$d" && exec timeout -k 5 $((60 * SLOW)) setsid -w sh -c 'echo $$ >"$1"; exec sh -c "$2"' \
			_ "$n.pgid" "$cmd") >"$n.got" 2>&1 </dev/null
		pgids="$pgids $(cat "$n.pgid" 2>/dev/null)"
		# The test's name is the command's first line (its backslashes doubled:
		# echo in sh reads them).
		name="$doc: $(head -1 "$c" | sed 's/\\/\\\\/g')"
		if python3 "$EX/match.py" "$n.want" "$n.got" >"$n.diff"; then
			pass "$name$todo"
		else
			tap_n=$((tap_n + 1))
			[ -z "$todo" ] && tap_fail=$((tap_fail + 1))
			echo "not ok $tap_n - $name$todo"
			sed 's/^/#   /' "$n.diff" | head -40
		fi
	done
	for g in $pgids; do kill -- "-$g" 2>/dev/null; done
	sandbox_stop
	unset SOURCE_DATE_EPOCH
done
diag "$nrun examples run; $nnorun marked norun:$norun_list"
like "$nrun" "^[1-9][0-9]*$" "the examples ran"
done_testing
