"""One probe per exercise: calls the learner's functions on the parent's inputs and records."""
