"""The ingestion gate as Dagster asset checks: one per lake table, reporting the
Great Expectations results of the files ingested in the current run (the
gate validated each table once for all of them; results are per file).

A failed `block` expectation shows as severity ERROR (the file was rejected,
nothing of it loaded), a failed `warn` one as WARN. The checks of canonical
tables are not `blocking`: the gate has already kept the bad file out of the
lake, so its table holds only rows that passed, and stopping every downstream
model because one region's file was rejected would stop all the other
regions' figures too. The checks of the system tables (`_ledger`,
`_gate_results`) validate rows already in the lake (a ledger that does not
reconcile is a bug of the runner, not a bad delivery): those are `blocking`,
so that nothing downstream is built on them when they fail with ERROR.
"""

import datetime as dt

import dagster as dg

from data_tests.checks import check_table
from ingestion.registry import system_tables
from pipelines.defs.ingestion import LAKE_TABLES, lake_key

CHECK_NAME = "ingestion_gate"


def run_started_at(context: dg.AssetCheckExecutionContext) -> dt.datetime | None:
    """Local naive time, as the gate stamps its results."""
    record = context.instance.get_run_record_by_id(context.run.run_id)
    started = record.start_time if record else None
    return dt.datetime.fromtimestamp(started) if started else None


def gate_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=lake_key(table), name=CHECK_NAME, blocking=table in system_tables(),
                    description=f"Great Expectations gate results on `{table}` for the files "
                                "ingested in this run.")
    def _gate(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        outcome = check_table(table, run_started_at(context))
        context.log.info("%s: %s", table, outcome.description)
        severity = dg.AssetCheckSeverity.ERROR if outcome.blocking else dg.AssetCheckSeverity.WARN
        return dg.AssetCheckResult(
            passed=outcome.passed,
            severity=severity,
            description=outcome.description,
            metadata={k: dg.MetadataValue.json(v) if isinstance(v, list | dict) else v
                      for k, v in outcome.metadata.items()},
        )

    return _gate


GATE_CHECKS = [gate_check(table) for table in LAKE_TABLES]
