"""Celery tasks: thin wrappers with stable names around `powerlist.runtime` functions.

Names are the interface shared by the schedule, the CLI and the HTTP API:
`powerlist.yearly_review`, `powerlist.delegation_assessment`, `powerlist.training_reminders`
(start tasks), `powerlist.start_run` (any job), `powerlist.run_unit`, `powerlist.finish_run`,
`powerlist.reconcile` (catch-up) and `powerlist.reap`.
"""
