"""Code that runs inside the child process next to learner code: loading, probes and the spy.

Nothing here decides a score. The parent process copies only this package into the child's
runtime folder, so hidden suites and solutions are never importable from learner code.
"""
