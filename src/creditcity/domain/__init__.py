"""Pure domain core: no I/O, no database, no HTTP."""
