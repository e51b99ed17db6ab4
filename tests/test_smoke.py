from pytest_serverless_arch import load


def test_the_bundled_monolith_sample_loads_as_one_sam_unit(tmp_path):
    graph = load("sample_repos/monolith-online-shop")
    assert [(unit.name, unit.format) for unit in graph.units()] == [("online-shop", "sam")]
