#!/bin/bash
# stockbench fleet: the bootstrap of one instance of a run. EC2 user data, run once by
# cloud-init as root on Amazon Linux 2023; rendered by `stockbench fleet run`.
#
# It sets a dead-man shutdown timer, fetches the user's checkout through a presigned GET
# URL, installs it, runs `stockbench bench --save-name <type>`, and uploads the saved JSON,
# the full log and a status record through presigned PUT URLs scoped to this run -- also
# when a step fails -- then shuts the machine down (which terminates it). Nothing below is
# secret: the URLs allow one object each and expire shortly after the dead-man timer.
#
# Instance-only steps can be replaced through the environment, so that a test can run
# this very script on an ordinary machine:
#   STOCKBENCH_BOOT_DIR       work folder (default /opt/stockbench)
#   STOCKBENCH_BOOT_INSTALL   shell command, run in $SRC, that leaves $VENV/bin/python able
#                             to import the checkout (default: install_on_instance below)
#   STOCKBENCH_BOOT_SHUTDOWN  command given "+MINUTES" at boot and "now" at the end
#                             (default: shutdown -h)
set -euo pipefail
export LC_ALL=C

# @@CONFIG@@

WORK=${STOCKBENCH_BOOT_DIR:-/opt/stockbench}
SRC=$WORK/src
VENV=$WORK/venv
LOG=$WORK/bench.log
SHUTDOWN=${STOCKBENCH_BOOT_SHUTDOWN:-shutdown -h}
export HOME=${HOME:-/root} PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1

mkdir -p "$SRC"
exec 3>&1 # the console, for the lines said after the log is closed
exec > >(tee -a "$LOG") 2>&1
TEE_PID=$!

STARTED=$EPOCHREALTIME
PHASE=boot
PHASE_STARTED=$STARTED
PHASES=""
BENCH_RC=null
RESULT_NAME=""
RESULT_SHA=""
LOG_SHA=""
FINISHED=0

secs_since() { # seconds from an $EPOCHREALTIME to now, one decimal
    local a=${1/[.,]/} b=${EPOCHREALTIME/[.,]/} d
    d=$(((b - a) / 100000))
    printf '%d.%d' $((d / 10)) $((d % 10))
}

json_str() { if [ -n "$1" ]; then printf '"%s"' "$1"; else printf null; fi; }

sha256() { sha256sum "$1" | cut -d' ' -f1; }

put() { # upload file $1 to presigned PUT URL $2
    curl -fsS --retry 5 --retry-all-errors --retry-delay 2 --connect-timeout 10 \
        --max-time 600 -o /dev/null -T "$1" "$2"
}

status_json() { # $1: the phase, done or failed; $2: exit code or null
    local failed=null
    if [ "$1" = failed ]; then failed="\"$PHASE\""; fi
    printf '{"schema": 1, "run_id": "%s", "instance_type": "%s", "phase": "%s", ' \
        "$RUN_ID" "$INSTANCE_TYPE" "$1"
    printf '"failed_phase": %s, "exit_code": %s, "bench_exit_code": %s, ' \
        "$failed" "$2" "$BENCH_RC"
    printf '"phases_s": {%s}, "elapsed_s": %s, "updated_at": %s, ' \
        "$PHASES" "$(secs_since "$STARTED")" "${EPOCHREALTIME%[.,]*}"
    printf '"project_version": "%s", "project_commit": "%s", ' \
        "$PROJECT_VERSION" "$PROJECT_COMMIT"
    printf '"result_name": %s, "result_sha256": %s, "log_sha256": %s}\n' \
        "$(json_str "$RESULT_NAME")" "$(json_str "$RESULT_SHA")" "$(json_str "$LOG_SHA")"
}

put_status() { status_json "$@" >"$WORK/status.json" && put "$WORK/status.json" "$PUT_STATUS_URL"; }

close_log() { # tee writes out all it was given before the log is read; then the console
    exec 1>&3 2>&3
    wait "$TEE_PID" 2>/dev/null || true
}

put_log() { # a snapshot, so that the checksum in the status record matches what was sent
    close_log
    cp "$LOG" "$WORK/upload.log"
    LOG_SHA=$(sha256 "$WORK/upload.log")
    put "$WORK/upload.log" "$PUT_LOG_URL"
}

end_phase() {
    if [ -n "$PHASE_STARTED" ]; then
        PHASES+="${PHASES:+, }\"$PHASE\": $(secs_since "$PHASE_STARTED")"
        PHASE_STARTED=""
    fi
}

begin_phase() {
    end_phase
    PHASE=$1
    PHASE_STARTED=$EPOCHREALTIME
    echo "stockbench: phase $PHASE"
    # a live progress record only: a lost one must not end the run
    put_status "$PHASE" null || echo "stockbench: could not upload the status record" >&2
}

finish() {
    local rc=$?
    trap - EXIT
    set +e
    if [ "$FINISHED" != 1 ]; then
        if [ "$rc" = 0 ]; then rc=1; fi
        echo "stockbench: failed in phase $PHASE (exit $rc)"
        end_phase
        put_log
        put_status failed "$rc"
    fi
    echo "stockbench: shutting down"
    # shellcheck disable=SC2086  # a command line, split on purpose
    $SHUTDOWN now
}
trap finish EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

install_on_instance() {
    local swap=""
    dnf install -y python3.11 python3.11-pip
    if [ "$MEMORY_MIB" -le 2048 ]; then
        # pip unpacking torch gets killed for memory on 1 GiB machines; AL2023 has no swap
        swap=/var/stockbench.swap
        dd if=/dev/zero of="$swap" bs=1M count=2048 status=none
        chmod 600 "$swap"
        mkswap "$swap" >/dev/null
        swapon "$swap"
    fi
    python3.11 -m venv "$VENV"
    if [ "$ARCH" = x86_64 ]; then
        # PyPI's x86 torch is the multi-GB CUDA build: take the CPU wheel of the pin first
        "$VENV/bin/python" -m pip install --no-cache-dir \
            --index-url https://download.pytorch.org/whl/cpu \
            "$(grep -E '^torch==' constraints.txt || echo torch)"
    fi
    "$VENV/bin/python" -m pip install --no-cache-dir -c constraints.txt .
    if [ -n "$swap" ]; then
        # the benchmarks measure memory: they run without the swap
        swapoff "$swap"
        rm -f "$swap"
    fi
}

echo "stockbench: run $RUN_ID on $INSTANCE_TYPE ($ARCH), stockbench $PROJECT_VERSION $PROJECT_COMMIT"
# the dead-man switch comes first: whatever happens below, the machine goes away
# shellcheck disable=SC2086
$SHUTDOWN "+$MAX_MINUTES"

begin_phase fetch
curl -fsS --retry 5 --retry-all-errors --connect-timeout 10 --max-time 600 \
    -o "$WORK/source.tar.gz" "$SOURCE_URL"
echo "$SOURCE_SHA256  $WORK/source.tar.gz" | sha256sum -c -
tar -xzf "$WORK/source.tar.gz" -C "$SRC" --strip-components=1

begin_phase install
cd "$SRC"
if [ -n "${STOCKBENCH_BOOT_INSTALL:-}" ]; then
    eval "$STOCKBENCH_BOOT_INSTALL"
else
    install_on_instance
fi
"$VENV/bin/python" -c 'import stockbench as s; print("stockbench", s.__version__, "from", s.__file__)'

begin_phase bench
BENCH_RC=0
"$VENV/bin/python" -c 'import sys; from stockbench.cli import main; sys.exit(main(sys.argv[1:]))' \
    bench --save-name "$INSTANCE_TYPE" "${BENCH_ARGS[@]}" || BENCH_RC=$?
RESULT=""
if [ -d "$SRC/.benchmarks" ]; then
    # the newest saved run, wherever this version of `stockbench bench` files it
    RESULT=$(find "$SRC/.benchmarks" -type f -name '*.json' -printf '%T@ %p\n' |
        sort -n | tail -n 1 | cut -d' ' -f2-)
fi
if [ -z "$RESULT" ]; then
    echo "stockbench: the bench saved no result (exit $BENCH_RC)" >&2
    exit $((BENCH_RC ? BENCH_RC : 1))
fi

begin_phase upload
RESULT_NAME=$(basename "$RESULT")
RESULT_SHA=$(sha256 "$RESULT")
put "$RESULT" "$PUT_RESULT_URL"
end_phase
put_log
FINISHED=1
put_status done "$BENCH_RC"
