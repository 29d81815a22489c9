# run-engine.sh: the sequencer's part of `make bench` (sourced by run.sh).
#   BENCH_STEPS=N    steps per round (default 100)
#   BENCH_ROUNDS=N   rounds (default 15; the median round is the figure)
# One worker, so the engine and the bare loop both run one program at a
# time; then the default two workers, and what an idle engine costs a
# poll with 10,000 incidents in their plays.
echo "== engine: steps through the sequencer (set: the engine's own cost; exec /bin/true vs a bare fork/exec loop)"
"$B/engine" "$W" "${BENCH_STEPS:-100}" 1 "${BENCH_ROUNDS:-15}"
"$B/engine" "$W" "${BENCH_STEPS:-100}" 2 "${BENCH_ROUNDS:-15}" 10000
rm -f "$W"/engine.db*
