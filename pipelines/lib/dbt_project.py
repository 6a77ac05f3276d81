"""The dbt project as Dagster sees it, defined once."""

from __future__ import annotations

from dagster_dbt import DbtCliResource, DbtProject

from tidbok import config

# The manifest and run artefacts live under TIDBOK_HOME, not in dbt/target: a developer's
# `dbt build` in the source tree must never swap the manifest under a running pipeline.
dbt_project = DbtProject(project_dir=config.DBT_PROJECT_DIR, profiles_dir=config.DBT_PROJECT_DIR,
                         target_path=config.home().resolve() / "dbt_target")
dbt_project.prepare_if_dev()


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project)


def build_args(select: str | None = None) -> list[str]:
    """dbt CLI arguments for a build: tests run beside models, so a failing
    check stops what depends on it (and the publish)."""
    args = ["build"]
    if select:
        args += ["--select", select]
    return args
