# checks.sh — what the end-to-end scripts share: counting checks and
# running a command with its output captured. Sourced after T (a scratch
# folder) is set; the caller prints "$pass passed, $fail failed" at the end.
#
#   ok NAME / bad NAME [DETAIL]   count a check (bad prints DETAIL's first lines)
#   check NAME CMD...             ok when CMD succeeds, else bad with the last stderr lines
#   run CMD...                    stdout in $T/out, stderr in $T/err, exit status in $rc
#   run_in FILE CMD...            the same with stdin from FILE
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() {
    fail=$((fail + 1))
    echo "FAIL $1"
    if [ -n "${2:-}" ]; then printf '%s\n' "$2" | head -n "${BAD_LINES:-15}" | sed 's/^/     | /'; fi
}
check() {
    local name=$1
    shift
    if "$@"; then ok "$name"; else bad "$name" "$(tail -n 5 "$T/err" 2>/dev/null || true)"; fi
}
run() {
    set +e
    "$@" >"$T/out" 2>"$T/err" </dev/null
    rc=$?
    set -e
}
run_in() {
    local in=$1
    shift
    set +e
    "$@" >"$T/out" 2>"$T/err" <"$in"
    rc=$?
    set -e
}
