# checks.sh — what the end-to-end scripts share: counting checks and
# running a command with its output captured. Sourced after T (a scratch
# folder) is set, or before checks_start sets it; the caller prints "$pass passed, $fail failed" at the end.
#
#   ok NAME / bad NAME [DETAIL]   count a check (bad prints DETAIL's first lines)
#   check NAME CMD...             ok when CMD succeeds, else bad with the last stderr lines
#   run CMD...                    stdout in $T/out, stderr in $T/err, exit status in $rc
#   run_in FILE CMD...            the same with stdin from FILE
#   has_err TEXT / has_out TEXT   $T/err or $T/out holds TEXT (a fixed string)
#   checks_start NAME             for a script that needs nothing else: BIN (default
#                                 build/seq2seq) made absolute and checked, a scratch
#                                 folder T removed on exit, and the script run inside it
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
has_err() { grep -qF -- "$1" "$T/err"; }
has_out() { grep -qF -- "$1" "$T/out"; }
checks_start() {
    BIN=${BIN:-build/seq2seq}
    if [ ! -x "$BIN" ]; then
        echo "$1: $BIN is not an executable (build it with make)" >&2
        exit 1
    fi
    BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
    T=$(mktemp -d)
    trap 'rm -rf "$T"' EXIT
    cd "$T"
}
