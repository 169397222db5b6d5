"""The master on disk: read once, written whole. Nothing outside this package reads or writes the master's own sheets."""
