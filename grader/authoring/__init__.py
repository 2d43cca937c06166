"""Authoring tools: what the kit's own authors run to check the grader (mutation testing)."""
