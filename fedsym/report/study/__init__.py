"""Study files (Model §10 onwards): a declarative TOML study turned into a report section.

- :mod:`~fedsym.report.study.fit_table`: the table of fitted families (also ``fedsym fit --latex``).
"""
