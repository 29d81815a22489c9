# run-engine.sh: the sequencer's part of `make bench` (sourced by run.sh).
#   BENCH_STEPS=N   steps per round (default 1000)
# One worker, so the engine and the bare loop both run one program at a
# time; then the default two workers.
echo "== engine: steps through the sequencer (set: pure engine cost; exec /bin/true vs a bare loop)"
"$B/engine" "$W" "${BENCH_STEPS:-1000}" 1
"$B/engine" "$W" "${BENCH_STEPS:-1000}" 2
rm -f "$W"/engine.db*
