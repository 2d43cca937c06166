#!/usr/bin/env bash
# PrairieLearn runs this in the grading container for every submission (the question's
# info.json names it as the entrypoint, /grade/tests/run.sh). It grades the files the learner
# uploaded to /grade/student with looplab's hidden suites, which the image holds in /looplab,
# and writes /grade/results/results.json (grader/exports/platform_run.py).
#   LOOPLAB_GRADE_ROOT  the job root (default /grade; tests use a fake one)
#   LOOPLAB_PYTHON      the Python that has looplab installed (default python3)
set -uo pipefail
ROOT="${LOOPLAB_GRADE_ROOT:-/grade}"
PYTHON="${LOOPLAB_PYTHON:-python3}"
RESULTS="$ROOT/results/results.json"
mkdir -p "$ROOT/results"
rm -f "$RESULTS"
"$PYTHON" -m grader.exports.platform_run prairielearn --upload "$ROOT/student" --results "$RESULTS" \
    --settings "$ROOT/tests/looplab-autograder.json"
STATUS=$?
if [ ! -s "$RESULTS" ]; then
    printf '{"gradable": false, "message": "%s"}\n' \
        "The grader stopped before grading (exit status $STATUS). Please tell your instructor." > "$RESULTS"
fi
exit 0
