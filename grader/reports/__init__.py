"""Reports of grading results: terminal table, Gradescope JSON, Markdown feedback, CSV gradebook."""
