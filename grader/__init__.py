"""looplab's grader: hidden suites, isolation, scoring and reports for the training-loop exercises."""
