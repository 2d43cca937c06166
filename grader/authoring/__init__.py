"""Authoring tools: what the kit's own authors run (stubs from solutions, the signatures list,
speed figures, mutation testing of the hidden suites)."""
