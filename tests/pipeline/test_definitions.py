"""The Dagster graph: every step of the flow is an asset, wired in order."""

import dagster as dg
import pytest

from tidbok.runtime import prepare_environment


@pytest.fixture(scope="module")
def defs(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("TIDBOK_HOME", str(tmp_path_factory.mktemp("home")))
    prepare_environment()
    from tidbok.pipeline_run import prepare_dbt_manifest

    prepare_dbt_manifest()
    from pipelines.definitions import defs as loaded

    yield loaded
    mp.undo()


def test_definitions_load(defs):
    dg.Definitions.validate_loadable(defs)


def test_flow_lake_to_models_to_serving(defs):
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"lake/bookings", "lake/_ledger", "serving/serving_file"} <= keys
    assert {"marts/no_show_rate", "intermediate/int_booking_lifecycle"} <= keys
    serving_parents = {k.to_user_string() for k in
                       graph.get(dg.AssetKey(["serving", "serving_file"])).parent_keys}
    assert "marts/no_show_rate" in serving_parents
    staging_parents = {k.to_user_string() for k in
                       graph.get(dg.AssetKey(["staging", "stg_lake__bookings"])).parent_keys}
    assert staging_parents == {"lake/bookings"}


def test_duckdb_writers_share_one_pool(defs):
    graph = defs.resolve_asset_graph()
    for key in (dg.AssetKey(["marts", "no_show_rate"]), dg.AssetKey(["serving", "serving_file"])):
        node = graph.get(key)
        assert node.pools == {"duckdb_writer"}, key


def test_pipeline_job_exists(defs):
    assert defs.resolve_job_def("tidbok_pipeline") is not None


def test_landing_sensor_runs_the_pipeline_on_new_files(defs, tmp_path, monkeypatch):
    monkeypatch.setenv("TIDBOK_HOME", str(tmp_path))
    sensor = defs.resolve_sensor_def("landing_files_sensor")
    assert sensor.job_name == "tidbok_pipeline"
    with dg.build_sensor_context() as context:
        assert isinstance(sensor(context), dg.SkipReason)
    delivered = tmp_path / "landing" / "booking_csv" / "01" / "bokningar_01_2025-03-04.csv"
    delivered.parent.mkdir(parents=True)
    delivered.write_text("x")
    with dg.build_sensor_context() as context:
        request = sensor(context)
        assert isinstance(request, dg.RunRequest)
        assert request.tags["tidbok/new_files"] == "1"
        cursor = context.cursor
    with dg.build_sensor_context(cursor=cursor) as context:
        assert isinstance(sensor(context), dg.SkipReason)
