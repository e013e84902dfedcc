"""The checked-in SDL (`schema/schema.graphql`, what the web app generates its types from) is the export of
the code: any change to the schema must come with a regenerated file."""

from __future__ import annotations

import pytest
from graphql import GraphQLObjectType
from graphql import build_schema as parse_sdl

from bff.server import cli
from schema.export import SDL_PATH, export_sdl, main


def test_checked_in_sdl_matches_the_code() -> None:
    exported = export_sdl()
    checked_in = SDL_PATH.read_text(encoding="utf-8")
    assert checked_in == exported, (
        "schema/schema.graphql is out of date: regenerate it with `.venv/bin/python -m schema.export` "
        "and commit the result"
    )


def test_check_mode_passes_on_the_checked_in_file() -> None:
    assert main(["--check"]) == 0


def test_sdl_is_valid_and_has_the_contract_types() -> None:
    schema = parse_sdl(export_sdl())
    subscriber = schema.get_type("Subscriber")
    money = schema.get_type("Money")
    assert isinstance(subscriber, GraphQLObjectType) and isinstance(money, GraphQLObjectType)
    fields = subscriber.fields
    assert str(fields["subServices"].type) == "SubServiceConnection"  # null when the CRM is unavailable
    assert str(fields["wallet"].type) == "Wallet"
    assert set(fields["subServices"].args) == {"first", "after", "kind", "status"}
    assert str(money.fields["amount"].type) == "Decimal!"


def test_cli_prints_the_same_sdl(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["schema"]) == 0
    assert capsys.readouterr().out == export_sdl()
