"""What a repository with broken files still gives: every readable unit, and errors with file:line."""

from pytest_serverless_arch.assertions import assert_every_lambda_ships_with_its_trigger


def test_the_readable_units_still_load(deployment_graph):
    assert [unit.name for unit in deployment_graph.units()] == [
        "inventory-search-dev",
        "inventory-stock",
        "pricing",
    ]


def test_every_load_error_names_its_file_and_line(deployment_graph):
    assert [(error.path, error.line) for error in deployment_graph.errors] == [
        ("services/catalog/template.yaml", 16),
        ("services/pricing/template.yaml", 10),
    ]


def test_a_file_outside_the_repository_is_refused_with_a_note(deployment_graph):
    [note] = [note for note in deployment_graph.notes if "leaves the repository" in note.message]
    assert str(note.location) == "services/search/serverless.yml:10"


def test_every_lambda_ships_with_its_trigger(deployment_graph):
    assert_every_lambda_ships_with_its_trigger(deployment_graph)
