"""The agent framework: environment view, exit codes, meta-data, dispatcher, runner (stdlib only)."""
