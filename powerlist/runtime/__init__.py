"""The runtime (运行时): run ledger, step execution, in-process runner, catch-up, reaping.

Imports nothing from Celery: `tasks/` and the CLI are two doors into these functions.
"""
