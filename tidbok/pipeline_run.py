"""`tidbok run`: materialise the whole asset graph in this process."""

from __future__ import annotations

import logging

from tidbok.runtime import prepare_environment

log = logging.getLogger("tidbok.run")


class PipelineFailed(RuntimeError):
    pass


def prepare_dbt_manifest() -> None:
    """Parse the dbt project so Dagster can load its assets from the manifest."""
    from pipelines.lib.dbt_project import dbt_project

    dbt_project.preparer.prepare(dbt_project)


def run_pipeline() -> dict:
    prepare_environment()
    prepare_dbt_manifest()
    import dagster as dg

    from pipelines.definitions import defs

    job = defs.resolve_job_def("tidbok_pipeline")
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance, raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}})
    if not result.success:
        failed = [e.step_key for e in result.all_events if e.is_step_failure]
        raise PipelineFailed(f"pipeline run {result.run_id} failed at step(s) {failed}; "
                             "the previous serving file is unchanged")
    version = None
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        if materialization and materialization.asset_key.path == ["serving", "serving_file"]:
            version = materialization.metadata["version"].value
    return {"run_id": result.run_id, "serving_version": version}
