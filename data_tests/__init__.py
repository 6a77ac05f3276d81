"""Great Expectations suites run at the ingestion gate (DESIGN.md), one per lake table.

`rules` is the vocabulary, `suites` the rules per table, `validation` runs them
with Great Expectations, `gate` is what ingestion runs once per run and table
(each result mapped back to its file), `results` the `_gate_results` lake
table, `checks` what Dagster's asset checks report.
"""
