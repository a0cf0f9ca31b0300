# Sourced by .ci/go-test-split and .ci/testacc-matrix: commands run at once,
# each printed whole as it finishes, followed by what still runs, so that a
# log shows progress and a hung job stands out long before its timeout.
#
#   job LABEL COMMAND...   start COMMAND in the background, its output to a file
#   wait_jobs              print each job as it ends; fills job_status and
#                          job_secs (by job number); fails when any job failed
#
# Each job runs in a process group of its own (set -m) that an interrupt or
# the script's exit stops whole: background jobs would otherwise ignore an
# interrupt, or outlive a script that failed, and run on. Sourcing this sets
# the script's EXIT, INT and TERM traps.

# wait -n -p, which tells which job ended, came in bash 5.1.
((BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1))) ||
  { echo "$0 needs bash 5.1 or later (wait -n -p); this is bash $BASH_VERSION" >&2; exit 1; }
jobs_dir=$(mktemp -d)
set -m
job_pids=() job_labels=() job_started=() job_status=() job_secs=()
jobs_stop() {
  local i
  for i in "${!job_pids[@]}"; do
    [ -n "${job_status[i]:-}" ] || kill -TERM -- "-${job_pids[i]}" 2>/dev/null || true
  done
}
trap 'jobs_stop; rm -rf "$jobs_dir"' EXIT
trap 'exit 130' INT TERM

job() {
  local label=$1
  shift
  "$@" >"$jobs_dir/${#job_pids[@]}" 2>&1 &
  job_pids+=($!) job_labels+=("$label") job_started+=("$SECONDS")
}

wait_jobs() {
  local failed=0 pid status i running
  while :; do
    running=()
    for i in "${!job_pids[@]}"; do [ -n "${job_status[i]:-}" ] || running+=("${job_pids[i]}"); done
    if [ "${#running[@]}" -eq 0 ]; then
      for i in "${!job_pids[@]}"; do
        [ "${job_status[i]}" -eq 0 ] || printf '=== FAILED: %s (exit status %d)\n' "${job_labels[i]}" "${job_status[i]}"
      done
      return "$failed"
    fi
    pid="" status=0
    wait -n -p pid "${running[@]}" || status=$?
    [ -n "$pid" ] || { echo "wait_jobs: wait -n found no job (exit status $status)" >&2; return 1; }
    for i in "${!job_pids[@]}"; do [ "${job_pids[i]}" != "$pid" ] || break; done
    job_status[i]=$status job_secs[i]=$((SECONDS - job_started[i]))
    printf '=== %s (exit status %d, %ds)\n' "${job_labels[i]}" "$status" "${job_secs[i]}"
    cat "$jobs_dir/$i"
    [ "$status" -eq 0 ] || failed=1
    for i in "${!job_pids[@]}"; do
      [ -n "${job_status[i]:-}" ] || printf '=== still running after %ds: %s\n' $((SECONDS - job_started[i])) "${job_labels[i]}"
    done
  done
}
