"""Results record the settings they were computed with (issue 18: settings "recorded in results").

The claim is about provenance: an equilibrium made under changed tolerances says
so in its JSON, and two results that differ only in their settings are not equal.
"""

from __future__ import annotations

import pytest

from fedsym import accuracy_function, standard_equilibrium
from fedsym.core.settings import current_settings, using_settings

pytestmark = pytest.mark.timeout(60)


def test_equilibrium_json_records_the_settings_in_force_when_it_was_solved() -> None:
    bound = accuracy_function("simplified").bind({"a_opt": "0.95", "k": "1"})
    default = standard_equilibrium(bound, ["0.001", "0.002"])
    with using_settings(deviation_tolerance=1e-6, precision=50):
        changed = standard_equilibrium(bound, ["0.001", "0.002"])
    assert default.to_dict()["settings"] == current_settings().to_dict()
    recorded = changed.to_dict()["settings"]
    assert recorded["deviation_tolerance"] == 1e-6 and recorded["precision"] == 50
    assert changed != default  # same numbers, other settings: not the same result
