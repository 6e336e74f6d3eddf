"""What a user sees of the packages: each public name once, and what the methods return."""

from __future__ import annotations

import typing

import pytest

import auth_plugin
import papi_sandbox
from auth_plugin import AsyncRepayClient, GroupResult, ReconcileResult, RepayClient, Verdict


@pytest.mark.parametrize("package", [auth_plugin, papi_sandbox], ids=lambda p: p.__name__)
def test_dir_lists_each_public_name_once_and_nothing_of_the_loader(package):
    for name in package.__all__[:3]:
        getattr(package, name)  # loaded names land in the module's globals

    listed = dir(package)

    assert listed == sorted(set(listed)) == sorted(package.__all__)
    assert not {"TYPE_CHECKING", "import_module", "Any"} & set(listed)


def test_verdict_is_the_public_enum():
    assert auth_plugin.Verdict is Verdict
    assert {v.name for v in Verdict} >= {"EXECUTED", "NOT_EXECUTED", "AMBIGUOUS", "UNKNOWN"}


@pytest.mark.parametrize("method", ["reconcile_outcome", "reconcile_sent", "reconcile"])
@pytest.mark.parametrize("client", [RepayClient, AsyncRepayClient], ids=lambda c: c.__name__)
def test_the_reconciling_methods_are_annotated_with_what_they_return(client, method):
    hints = typing.get_type_hints(getattr(client, method))

    assert hints["return"] is ReconcileResult


@pytest.mark.parametrize("client", [RepayClient, AsyncRepayClient], ids=lambda c: c.__name__)
def test_reconcile_unresolved_is_annotated_with_its_groups(client):
    hints = typing.get_type_hints(client.reconcile_unresolved)

    assert hints["return"] == tuple[GroupResult, ...]
