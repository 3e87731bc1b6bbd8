"""Template filters of the criteria app."""
