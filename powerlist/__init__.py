"""powerlist: the domain package for a city's power and responsibility list (权责清单).

It holds the data model, rules, calendars, importers and workbook builders. It imports
nothing from Celery: tasks, the CLI and the HTTP app are thin doors into these functions.
"""

__version__ = "0.1.0"
