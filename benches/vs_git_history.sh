#!/usr/bin/env bash
# Side-by-side anchor of issue 19: vpnsnap against git-history 0.8 (the closest
# open tool: it versions JSON snapshots committed to git into SQLite, keeping a
# version of an item only when its hash changes) on the same snapshot series.
#
#   benches/vs_git_history.sh                      # 10,000 connections x 30 snapshots, 1% churn
#   benches/vs_git_history.sh -n 2000 -r 20        # the issue's smaller series
#   VS_CONNECTIONS=2000 VS_SNAPSHOTS=20 benches/vs_git_history.sh
#
# Options (or environment variables):
#   -n, --connections N   connections per snapshot (VS_CONNECTIONS, default 10000)
#   -r, --snapshots R     snapshots in the series (VS_SNAPSHOTS, default 30)
#   -c, --churn PCT       percent of connections changed per snapshot (VS_CHURN_PERCENT, default 1)
#   --full-versions       pass --full-versions to git-history (VS_FULL_VERSIONS=1; default off:
#                         git-history then records only the columns that changed, and the item
#                         table keeps each item's latest copy, enough to rebuild every version,
#                         as vpnsnap's merge patches are)
#   --no-build            use target/release as it is (VS_NO_BUILD=1)
#
# Steps: a venv under target/vs-git-history/venv with git-history==0.8 from PyPI
# (reused when present); `cargo build --release` of vpnsnap and of the series
# generator (examples/snapshot_series.rs, Rust: it shares nothing with
# git-history's side); one series of Huawei Cloud v5 list bodies, one file per
# snapshot; then
#   vpnsnap:     `vpnsnap --db DB import --source ... --kind huaweicloud --observed-at T FILE`
#                per snapshot in order into a fresh database, timed as the whole series of
#                process invocations (what a user runs), with the time of each import;
#   git-history: a git repository with one commit per snapshot of the same file content
#                (committed at the snapshot's observed time; building it is not timed), then
#                `git-history file DB vpn_connections.json --id id --convert ...`, timed.
# Prints both times, both database sizes (the SQLite file and any -wal beside it) and
# the ratios. Needs bash 5, python3 with venv, git, cargo and network access to PyPI the
# first time: not part of the test command or CI.
set -euo pipefail

die() {
    printf 'vs_git_history: %s\n' "$*" >&2
    exit 1
}

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
}

connections=${VS_CONNECTIONS:-10000}
snapshots=${VS_SNAPSHOTS:-30}
churn=${VS_CHURN_PERCENT:-1}
full_versions=${VS_FULL_VERSIONS:-0}
build=1
[[ ${VS_NO_BUILD:-0} == 1 ]] && build=0
while (($#)); do
    case $1 in
        -n | --connections) connections=${2:?$1 needs a value}; shift 2 ;;
        -r | --snapshots) snapshots=${2:?$1 needs a value}; shift 2 ;;
        -c | --churn) churn=${2:?$1 needs a value}; shift 2 ;;
        --full-versions) full_versions=1; shift ;;
        --no-build) build=0; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
[[ $connections =~ ^[1-9][0-9]*$ ]] || die "connections must be a positive integer, not '$connections'"
[[ $snapshots =~ ^[1-9][0-9]*$ ]] || die "snapshots must be a positive integer, not '$snapshots'"
[[ $churn =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "churn must be a percentage such as 1 or 0.5, not '$churn'"

((BASH_VERSINFO[0] >= 5)) || die "needs bash 5 or later (for EPOCHREALTIME); this is $BASH_VERSION"
command -v git >/dev/null || die "git is not installed (apt-get install git)"
command -v python3 >/dev/null || die "python3 is not installed (apt-get install python3 python3-venv)"
python3 -c 'import venv, ensurepip' 2>/dev/null ||
    die "python3 cannot create a venv: the venv/ensurepip modules are missing (apt-get install python3-venv)"
command -v awk >/dev/null || die "awk is not installed"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
base="$root/target/vs-git-history"
venv="$base/venv"
git_history="$venv/bin/git-history"
vpnsnap="$root/target/release/vpnsnap"
generator="$root/target/release/examples/snapshot_series"
mkdir -p "$base"

# The venv, reused when it already holds git-history 0.8.
if [[ -x $git_history ]] && "$git_history" --version 2>/dev/null | grep -q 'version 0\.8$'; then
    echo "git-history 0.8: reusing $venv"
else
    echo "git-history 0.8: installing into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv" || die "python3 -m venv $venv failed"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'git-history==0.8' ||
        die "pip could not install git-history==0.8 from PyPI into $venv"
    "$git_history" --version >/dev/null || die "$git_history does not run"
fi

if ((build)); then
    command -v cargo >/dev/null || die "cargo is not installed (see README: Set-up)"
    echo "building vpnsnap and the series generator (release)"
    (cd "$root" && cargo build --release --quiet --bin vpnsnap --example snapshot_series) ||
        die "cargo build --release failed"
fi
[[ -x $vpnsnap ]] || die "$vpnsnap is missing (run without --no-build)"
[[ -x $generator ]] || die "$generator is missing (run without --no-build)"

# Microseconds since the epoch, in REPLY (no subshell: a fork would be timed too).
now_us() {
    local now=${EPOCHREALTIME/[.,]/}
    REPLY=$((10#$now))
}

# CPU time (user + system, microseconds) of the script's finished children:
# what a side computed, whatever the disk's fsync latency (git-history commits
# every statement, so its wall time follows the disk).
ticks=$(getconf CLK_TCK)
children_cpu_us() {
    local stat fields
    stat=$(<"/proc/$$/stat")
    read -ra fields <<<"${stat##*) }"
    # After the command name: field 3 is the state; cutime and cstime are fields 16 and 17.
    echo $(((fields[13] + fields[14]) * 1000000 / ticks))
}

# Bytes of a SQLite database: the file and its WAL, if any.
db_bytes() {
    local bytes
    bytes=$(stat -c %s "$1")
    [[ -f $1-wal ]] && bytes=$((bytes + $(stat -c %s "$1-wal")))
    echo "$bytes"
}

# One number from a SQLite database (python3's sqlite3: no sqlite3 CLI needed).
sql_count() {
    python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$1" "$2"
}

run="$base/n$connections-r$snapshots-c$churn"
series="$run/series"
rm -rf "$run"
mkdir -p "$run"
"$generator" "$series" "$connections" "$snapshots" "$churn" >/dev/null || die "the series generator failed"
mapfile -t files < <(cut -f1 "$series/series.tsv")
mapfile -t times < <(cut -f2 "$series/series.tsv")
((${#files[@]} == snapshots)) || die "$series/series.tsv lists ${#files[@]} snapshots, not $snapshots"
series_bytes=$(cat "${files[@]/#/$series/}" | wc -c)
echo "series: $connections connections x $snapshots snapshots, $churn% churn, $series_bytes bytes in $series"

# vpnsnap: one import per snapshot, in order, into a fresh database. The
# working directory has no vpnsnap.toml and VPNSNAP_CONFIG is unset, so no
# config is read.
unset VPNSNAP_CONFIG
vpnsnap_db="$run/vpnsnap.db"
import_us=()
echo "vpnsnap: importing $snapshots snapshots"
cd "$run"
cpu_start=$(children_cpu_us)
now_us
start=$REPLY
for i in "${!files[@]}"; do
    now_us
    t0=$REPLY
    "$vpnsnap" --db "$vpnsnap_db" -q import --source hw-series --kind huaweicloud \
        --region cn-north-4 --observed-at "${times[i]}" "$series/${files[i]}" >/dev/null ||
        die "vpnsnap import of ${files[i]} failed"
    now_us
    import_us+=($((REPLY - t0)))
done
vpnsnap_us=$((REPLY - start))
vpnsnap_cpu_us=$(($(children_cpu_us) - cpu_start))
vpnsnap_bytes=$(db_bytes "$vpnsnap_db")
vpnsnap_versions=$(sql_count "$vpnsnap_db" 'SELECT count(*) FROM versions')

# Where an import's time goes, on a copy of the final database (the fingerprint
# key with it): process start alone, an import of an empty listing under a new
# source (open, migration check, lock, one run written), and the last snapshot
# imported again (every connection read and passed over by its listing key, nothing written).
probe="$run/probe"
mkdir -p "$probe"
cp "$vpnsnap_db" "$probe/vpnsnap.db"
cp "$vpnsnap_db.fingerprint-key" "$probe/vpnsnap.db.fingerprint-key" 2>/dev/null || true
printf '{"vpn_connections": [], "page_info": {"current_count": 0}, "total_count": 0}\n' >"$probe/empty.json"
median_us() {
    local samples=() i t0
    for i in 1 2 3 4 5; do
        now_us
        t0=$REPLY
        "$@" >/dev/null || die "failed: $*"
        now_us
        samples+=($((REPLY - t0)))
        : "$i"
    done
    printf '%s\n' "${samples[@]}" | sort -n | sed -n 3p
}
startup_us=$(median_us "$vpnsnap" --version)
empty_n=0
empty_import() {
    empty_n=$((empty_n + 1))
    "$vpnsnap" --db "$probe/vpnsnap.db" -q import --source "hw-empty-$empty_n" \
        --kind huaweicloud --region cn-north-4 --observed-at 2030-01-01T00:00:00Z "$probe/empty.json"
}
unchanged_n=0
unchanged_import() {
    unchanged_n=$((unchanged_n + 1))
    "$vpnsnap" --db "$probe/vpnsnap.db" -q import --source hw-series --kind huaweicloud \
        --region cn-north-4 --observed-at "2030-01-01T00:0$unchanged_n:00Z" "$series/${files[-1]}"
}
empty_us=$(median_us empty_import)
unchanged_us=$(median_us unchanged_import)
unchanged_versions=$(sql_count "$probe/vpnsnap.db" 'SELECT count(*) FROM versions')
((unchanged_versions == vpnsnap_versions)) ||
    echo "warning: importing the last snapshot again wrote $((unchanged_versions - vpnsnap_versions)) versions" >&2

# git-history: one commit per snapshot of the same bytes, then one run over them.
repo="$run/git-repo"
git_file=vpn_connections.json
echo "git-history: committing $snapshots snapshots"
git init --quiet --initial-branch=main "$repo"
git_repo() {
    git -C "$repo" -c user.name=vs-git-history -c user.email=vs-git-history@example.invalid \
        -c commit.gpgsign=false -c core.hooksPath=/dev/null "$@"
}
for i in "${!files[@]}"; do
    cp "$series/${files[i]}" "$repo/$git_file"
    git_repo add "$git_file"
    GIT_AUTHOR_DATE=${times[i]} GIT_COMMITTER_DATE=${times[i]} \
        git_repo commit --quiet --allow-empty -m "${files[i]} observed at ${times[i]}"
done
git_history_db="$run/git-history.db"
convert='json.loads(content)["vpn_connections"]'
git_history_args=(file "$git_history_db" "$git_file" --repo "$repo" --branch main --id id
    --convert "$convert" --silent)
((full_versions)) && git_history_args+=(--full-versions)
echo "git-history: git-history ${git_history_args[*]}"
cpu_start=$(children_cpu_us)
now_us
start=$REPLY
"$git_history" "${git_history_args[@]}" || die "git-history failed"
now_us
git_history_us=$((REPLY - start))
git_history_cpu_us=$(($(children_cpu_us) - cpu_start))
git_history_bytes=$(db_bytes "$git_history_db")
git_history_versions=$(sql_count "$git_history_db" 'SELECT count(*) FROM item_version')

# The report.
first_us=${import_us[0]}
rest=("${import_us[@]:1}")
awk -v n="$connections" -v r="$snapshots" -v churn="$churn" -v series_bytes="$series_bytes" \
    -v v_us="$vpnsnap_us" -v g_us="$git_history_us" -v v_cpu="$vpnsnap_cpu_us" -v g_cpu="$git_history_cpu_us" -v v_bytes="$vpnsnap_bytes" -v g_bytes="$git_history_bytes" \
    -v v_versions="$vpnsnap_versions" -v g_versions="$git_history_versions" \
    -v first_us="$first_us" -v rest="${rest[*]}" -v startup_us="$startup_us" -v empty_us="$empty_us" \
    -v unchanged_us="$unchanged_us" -v full="$full_versions" -v gh_version="$("$git_history" --version)" '
function s(us) { return sprintf("%.3f s", us / 1e6) }
function ms(us) { return sprintf("%.1f ms", us / 1e3) }
BEGIN {
    changes = sprintf("%.0f", n * churn / 100)
    printf "\nvpnsnap vs %s: N = %d connections, R = %d snapshots, churn %s%% (%d changes per snapshot), %.1f MB of snapshots\n",
        gh_version, n, r, churn, changes, series_bytes / 1e6
    printf "git-history options: --id id --convert %s%s\n", "'\''json.loads(content)[\"vpn_connections\"]'\''",
        full ? " --full-versions" : " (no --full-versions: changed columns only)"
    printf "%-34s %16s %16s\n", "", "vpnsnap", "git-history"
    printf "%-34s %16s %16s\n", "time (whole series)", s(v_us), s(g_us)
    printf "%-34s %16s %16s\n", "CPU, user + system", s(v_cpu), s(g_cpu)
    printf "%-34s %16d %16d\n", "database (bytes)", v_bytes, g_bytes
    printf "%-34s %16d %16d\n", "version rows", v_versions, g_versions
    printf "vpnsnap faster by %.1fx (CPU %.1fx); size vpnsnap/git-history %.2fx\n", g_us / v_us, g_cpu / (v_cpu > 0 ? v_cpu : 1), v_bytes / g_bytes
    count = split(rest, t, " ")
    sum = 0; min = -1; max = 0
    for (i = 1; i <= count; i++) { sum += t[i]; if (min < 0 || t[i] < min) min = t[i]; if (t[i] > max) max = t[i] }
    printf "vpnsnap per import: first (all %d new) %s; the other %d: mean %s (min %s, max %s)\n",
        n, ms(first_us), count, count ? ms(sum / count) : "-", count ? ms(min) : "-", count ? ms(max) : "-"
    printf "vpnsnap per process (medians of 5): start (--version) %s; import of an empty listing %s; the last snapshot again, unchanged %s\n",
        ms(startup_us), ms(empty_us), ms(unchanged_us)
}'
