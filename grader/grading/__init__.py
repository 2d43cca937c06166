"""Grading, in the grading (parent) process: find a submission's modules, run the hidden suites,
judge what the children observed, and grade a folder of submissions one worker process each."""
