"""Exports to other places: the learner bundle, nbgrader, Gradescope, PrairieLearn and GitHub
Classroom packages, and the runner those platforms call (``python -m grader.exports.platform_run``)."""
