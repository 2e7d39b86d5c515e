"""A job plug-in (POWERLIST_EXTRA_JOB_MODULES) with a bug: importing it fails.

tests/test_cli_errors.py uses it for an error no user input explains (an internal error).
"""

raise RuntimeError("plug-in bug for tests")
