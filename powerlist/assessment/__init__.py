"""Delegation assessment (下放委托事项效能评估): are delegated powers "接得住、办得好"?

Indicators are pure functions over plain facts loaded in a few queries; scoring and
recommendations follow `powerlist/data/assessment.toml`; the job writes the workbooks.
"""
