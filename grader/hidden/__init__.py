"""Hidden suites: pytest files that judge what the child observed. Never shipped to learners."""
