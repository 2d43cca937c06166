"""Launching learner code, the parent's side of the process boundary: start a limited, sandboxed
child (spawned or forked from the zygote), read its verified result back, clean up after it.
The child's side (the supervisor and the probes) is ``grader.harness``."""
