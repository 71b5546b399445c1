#!/bin/bash
# scale.sh: the measurements of docs/bench.md's "Scale" section, as run.
#
#   bench/kvload/scale.sh [DATA_DIR]     (from the repository's root; DATA_DIR under /tmp)
#
# It needs curl and /usr/bin/time. It builds scopevault and kvload into a
# temporary directory, makes a fresh data directory (default
# /tmp/kvscale-<commit>), and for 1,000, 100,000 and 1,000,000 secrets in the
# default vault (SIZES="..." for others; written with "kvload seed" while the
# server is stopped) it times five starts of "up" until its health endpoint
# answers, then measures "kvload -c 64 -d 5s -t bare,get -seeded N" and the
# server's resident memory after it. All traffic is on loopback.
#
# The machine is shared: each measurement waits for a quiet spell, and a run
# during which work other than the server's and kvload's took more than a
# tenth of a core (from /proc/stat) is discarded and repeated. It leaves the
# data directory in place; it prints no secret or token.
set -euo pipefail

# COMMIT names the source when it is not a git checkout (an export of one commit).
if commit=$(git rev-parse --short HEAD 2>/dev/null); then
	git diff --quiet HEAD -- . || commit="$commit with uncommitted changes"
else
	commit=${COMMIT:-unknown}
fi
D=${1:-/tmp/kvscale-${commit%% *}}
case $D in /tmp/*) ;; *) echo "scale.sh: the data directory must be under /tmp" >&2; exit 2 ;; esac
bin=$(mktemp -d /tmp/kvscale-bin.XXXXXX)
go build -o "$bin/scopevault" ./cmd/scopevault
go build -o "$bin/kvload" ./bench/kvload
SV=$bin/scopevault KV=$bin/kvload
echo "# commit $commit, data directory $D"

busy() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; } # user nice system irq softirq, in ticks
pticks() { awk '{print $14+$15}' "/proc/$1/stat"; }           # a process's utime + stime
ticks=$(getconf CLK_TCK)

# quiet waits until the machine was busy less than 15% of one core for 5 s.
quiet() {
	while :; do
		local a b
		a=$(busy); sleep 5; b=$(busy)
		[ $((b - a)) -lt $((ticks * 5 * 15 / 100)) ] && return
		sleep 10
	done
}

# measured runs kvload into $out and reports the CPU time spent by neither it
# nor the server; it fails when that was over a tenth of a core.
out=$bin/run.out
measured() {
	local a b s0 s1 t0 t1
	a=$(busy); s0=$(pticks "$svpid"); t0=$(date +%s.%N)
	/usr/bin/time -f "%U %S" -o "$bin/time.out" "$@" >"$out"
	b=$(busy); s1=$(pticks "$svpid"); t1=$(date +%s.%N)
	read -r u s <"$bin/time.out"
	awk -v a="$a" -v b="$b" -v s0="$s0" -v s1="$s1" -v u="$u" -v s="$s" -v t0="$t0" -v t1="$t1" -v hz="$ticks" 'BEGIN {
		wall = t1 - t0; sv = (s1 - s0) / hz; kv = u + s; other = (b - a) / hz - sv - kv
		printf "# wall %.1fs; CPU: server %.1fs, kvload %.1fs, the rest of the machine %.1fs (%.0f%% of a core)\n", wall, sv, kv, other, 100 * other / wall
		exit (other / wall > 0.10) ? 1 : 0 }'
}

# clean repeats a measurement until one is undisturbed and prints its table.
clean() {
	for _ in 1 2 3 4 5 6 7 8; do
		quiet
		if measured "$@"; then cat "$out"; return; fi
		echo "# disturbed, discarded:"; sed 's/^/#   /' "$out"
	done
	echo "# no undisturbed run in 8 tries; the last:"; cat "$out"
}

# start starts up on $D and prints how long it took until /healthz answered:
# from just before the exec to the first 200, polling every 2 ms for the env
# file (written once every listener is up) and then with curl.
start() {
	rm -f "$D/scopevault.env"
	local t0 t1
	t0=$(date +%s%N)
	"$SV" up --data "$D" --port 0 >"$bin/up.log" 2>&1 &
	svpid=$!
	until [ -s "$D/scopevault.env" ]; do sleep 0.002; done
	set -a; . "$D/scopevault.env"; set +a
	until curl -sf -o /dev/null --cacert "$SSL_CERT_FILE" "$SCOPEVAULT_URL/healthz"; do sleep 0.002; done
	t1=$(date +%s%N)
	echo "# up answered /healthz $(((t1 - t0) / 1000000)) ms after it was started"
	[ "$(cat "$D/scopevault.lock")" = "$svpid" ] || echo "# the lock file does not name the server's pid" >&2
}
stop() { kill -INT "$svpid"; wait "$svpid" || true; }

rm -rf "$D"
start; stop # the first start creates the data directory
from=0
for n in ${SIZES:-1000 100000 1000000}; do
	t0=$(date +%s%N)
	"$KV" seed -data "$D" -from $from -n $((n - from)) 2>/dev/null
	echo "# seed of $((n - from)) took $((($(date +%s%N) - t0) / 1000000)) ms; the database is $(du -m "$D/scopevault.db" | cut -f1) MB"
	from=$n
	for _ in 1 2 3 4 5; do quiet; start; stop; done
	start
	echo "## $n secrets: kvload -c 64 -d 5s -t bare,get -seeded $n"
	clean "$KV" -c 64 -d 5s -t bare,get -seeded $n
	echo "# $(grep VmRSS "/proc/$svpid/status")"
	stop
done
rm -rf "$bin"
