"""CLI commands that drive the fixtures and training packages (kept out of the web app)."""
