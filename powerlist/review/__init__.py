"""The yearly review (年度审核) of the power list: rules, workbooks, decisions, export."""
