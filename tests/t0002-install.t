#!/bin/sh
# make install and uninstall honour PREFIX and DESTDIR.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 2
d=$SCRATCH/dest
# Built in the test's own scratch directory: the suite's bin/ is never touched
# while other tests run from it.
bin_before=$(ls -l --time-style=full-iso bin/ | sort)
ok "make install" make -s install BUILD="$SCRATCH/build" OUT="$SCRATCH/bin" DESTDIR="$d" PREFIX=/usr
is "$(ls -l --time-style=full-iso bin/ | sort)" "$bin_before" "make install built nothing in bin/" 
for p in $(sed -n 's/^PROGS = //p' Makefile); do
	[ -x "$d/usr/bin/$p" ] && pass "$p installed" || fail "$p installed"
	[ -f "$d/usr/share/man/man1/$p.1" ] && pass "$p(1) installed" || fail "$p(1) installed"
	[ -f "$d/usr/share/bash-completion/completions/$p" ] && pass "$p bash completion installed" ||
		fail "$p bash completion installed"
done
[ -f "$d/usr/share/man/man5/wgo-record.5" ] && pass "wgo-record(5) installed" || fail "wgo-record(5) installed"
[ -f "$d/usr/share/man/man7/wgo.7" ] && pass "wgo(7) installed" || fail "wgo(7) installed"
[ -f "$d/usr/share/zsh/site-functions/_wgo" ] && pass "zsh completion installed" || fail "zsh completion installed"
[ -f "$d/usr/share/wgo/holidays-bd-2026.txt" ] && pass "example holiday file installed" || fail "holiday file installed"
expect 0 "the installed wgo-date runs" "$d/usr/bin/wgo-date" to-bangla 2025-12-10
is "$out" "২৫ অগ্রহায়ণ ১৪৩২" "and converts"
ok "make uninstall" make -s uninstall BUILD="$SCRATCH/build" OUT="$SCRATCH/bin" DESTDIR="$d" PREFIX=/usr
left=$(find "$d" -type f | sed "s|$d||")
is "$left" "" "uninstall leaves no file behind"
done_testing
