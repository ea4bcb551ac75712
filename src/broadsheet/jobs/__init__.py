"""Running the use cases as jobs: in-process (runner) or on procrastinate workers (distributed)."""
