#!/bin/bash
# Requests per server CPU-second with throttling off and on, for the README's throttling
# figures: the server (`profile_requests serve MODE PORT`) pinned to CPU 0, `wrk` to CPU 1,
# modes interleaved with the order rotated every round; CPU time is utime + stime from
# /proc/PID/stat during the run, so a machine shared with other work still gives the cost
# of a request (not how much CPU the server was given).
#
#   cargo build --profile profiling -p tollgate --example profile_requests
#   runtime/examples/throttle_cpu_seconds.sh target/profiling/examples/profile_requests 4 4 off quiet on gateway
#
# Needs wrk, curl, bc and taskset.
set -u
BIN=$1; ROUNDS=$2; DUR=$3; shift 3; MODES="$*"
TCK=$(getconf CLK_TCK)
PORT=18100
for r in $(seq "$ROUNDS"); do
  set -- $MODES; n=$#; ROT=$(( (r - 1) % n )); ORDER="${*:ROT+1} ${*:1:ROT}"
  for m in $ORDER; do
    PORT=$((PORT + 1))
    taskset -c 0 "$BIN" serve "$m" $PORT >/dev/null 2>&1 &
    SP=$!
    for _ in $(seq 100); do
      curl -s -o /dev/null "http://127.0.0.1:$PORT/pets/1" -H 'x-api-key: bench-key' && break
      sleep 0.1
    done
    taskset -c 1 wrk -t1 -c8 -d1s -H 'x-api-key: bench-key' "http://127.0.0.1:$PORT/pets/1" >/dev/null # warm-up
    read -r u0 s0 < <(awk '{print $14, $15}' /proc/$SP/stat)
    OUT=$(taskset -c 1 wrk -t1 -c8 -d"${DUR}"s -H 'x-api-key: bench-key' "http://127.0.0.1:$PORT/pets/1")
    read -r u1 s1 < <(awk '{print $14, $15}' /proc/$SP/stat)
    REQ=$(echo "$OUT" | grep 'requests in' | awk '{print $1}')
    NON2XX=$(echo "$OUT" | grep -c 'Non-2xx')
    kill -INT $SP; wait $SP 2>/dev/null
    CPU=$(echo "($u1 - $u0 + $s1 - $s0) / $TCK" | bc -l)
    printf "round %d %-8s requests %7d  server CPU %5.2f s  requests/CPU-s %7.0f  non-2xx lines %s\n" \
      "$r" "$m" "$REQ" "$CPU" "$(echo "$REQ / $CPU" | bc -l)" "$NON2XX"
  done
done
