#!/bin/sh
# The test harness itself: BLESS picks the golden cases it rewrites.
. "$(dirname "$0")/lib.sh"
blessed() { BLESS=$1 _g_blessed "$2" && echo yes || echo no; }
is "$(blessed 1 wgo-issue/amend)" yes "BLESS=1 blesses every case"
is "$(blessed 'wgo-issue/amend reconcile' wgo-issue/amend)" yes "a named case is blessed"
is "$(blessed 'wgo-issue/amend reconcile' wgo-issue/dry-run)" no "another case of the program is not"
is "$(blessed 'wgo-issue/amend reconcile' reconcile/late)" yes "a named program's cases are blessed"
is "$(blessed 'wgo-issue/am*' wgo-issue/amend-errors)" yes "a pattern picks cases"
is "$(blessed 'wgo-issue/am*' lifeverify/amend)" no "and only the program's"
done_testing
