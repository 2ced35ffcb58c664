r"""The result of every equilibrium solver: :class:`Equilibrium` and its :class:`Verification`.

One type for the paper's agents (Theorems 3.4, 4.2) and for agents that differ
(Model §8): the fields of the general model (who joins, the lone optimum
:math:`m_i^*, u_i^*`, other equilibria, Theorem 4.6's gap) are set when the
population has them and ``None`` (or empty) for the paper's agents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fedsym.core.frozen import ValueEquality, frozen_array
from fedsym.core.latex import LatexRepr, align, escape_text, format_gain, format_number
from fedsym.core.settings import Settings, current_settings

__all__ = ["Equilibrium", "Verification", "VERIFY_ALL_UP_TO", "VERIFY_SAMPLE"]

#: verify every distinct agent situation when there are at most this many ...
VERIFY_ALL_UP_TO = 200
#: ... otherwise a seeded random sample of this many of them
VERIFY_SAMPLE = 100


@dataclass(frozen=True)
class Verification(LatexRepr):
    """Outcome of the global deviation search over the agents of an equilibrium.

    ``note`` says why a search that found no gain still does not verify (payments
    too small for the tolerance to resolve, see :data:`fedsym.paper.equilibrium.RESOLUTION`).
    ``scope`` says which agents were searched: ``"all n agents"`` (each
    searched, or one per distinct situation -- equal cost, contribution and
    mechanism parameters -- which share the answer, and then it says how many)
    or ``"random sample of N of G distinct situations (n agents)"``.
    """

    verified: bool
    max_deviation_gain: float
    worst_agent: int
    best_deviation: float
    scope: str
    checked: int
    tolerance: float
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"verified": self.verified, "max_deviation_gain": float(self.max_deviation_gain),
                "worst_agent": self.worst_agent, "best_deviation": float(self.best_deviation),
                "scope": self.scope, "checked": self.checked, "tolerance": float(self.tolerance), "note": self.note}

    def to_latex(self) -> str:
        """One line: verified or not, the largest gain from deviating, and the scope of the search."""
        verdict = "verified" if self.verified else "NOT verified"
        return (rf"$\text{{{verdict}: }}\max_i \text{{gain}} = {format_number(self.max_deviation_gain, 3)}"
                rf" \le {format_number(self.tolerance, 3)}\ \text{{({escape_text(self.scope)})}}$")


@dataclass(frozen=True, eq=False)
class Equilibrium(ValueEquality, LatexRepr):
    r"""An equilibrium profile (Eq. (9)) of a mechanism, with its verification.

    An immutable value: the per-agent arrays are read-only copies, and two
    results are equal (and hash alike) when every field is, arrays by content.

    Attributes
    ----------
    mechanism:
        Name of the mechanism (``standard``, ``shaping``, ...).
    accuracy:
        Label of the accuracy function.
    method:
        Which result produced it (``Theorem 3.4``, ``Theorem 4.2 (1-D reduction)``,
        ``best-response dynamics``).
    costs, contributions, accuracies, utilities:
        Per agent: :math:`c_i`, :math:`m_i^{eq}`, :math:`\gamma_i(m^{eq})`,
        :math:`U_i = \gamma_i - c_i m_i^{eq}`.
    total:
        :math:`M = \sum_i m_i^{eq}` (from the solver, at full precision where computed so).
    unique:
        Whether this profile is the only equilibrium (False when agents tie at the
        cheapest cost, Theorem 3.4, or when no data at all is an equilibrium too
        besides a positive one, Remark 4.4).
    zero_is_equilibrium:
        Whether contributing nothing is an equilibrium (Remarks 3.5, 4.4).
    residual:
        Relative residual of the defining equation (:math:`|\sum\bar m_i - M|/M` for Theorem 4.2).
    verification:
        The global deviation search (:class:`Verification`).
    eps, note:
        The slope margin :math:`\varepsilon` of shaping; what the solver says about the result.
    joined, lone_data, lone_utility:
        Agents that differ (Model §8) only, else ``None``: who takes the federation's model, and each
        agent's lone optimum :math:`m_i^*, u_i^*` (a non-joiner works alone there and contributes 0).
        ``costs`` is then :math:`C_i'(0)` (:math:`c_i` for a linear cost).
    other_equilibria:
        Smaller equilibria than the reported (data-maximizing) one, in words; empty when none.
    theorem_4_6_gap:
        :math:`\max_{joiners} |U_i - u_i^* - \varepsilon(\bar m_i - m_i^*)|` (Theorem 4.6) for shaping of
        agents that differ, else ``None``.
    lone_method:
        How the lone optima were found (agents that differ).
    settings:
        The :class:`~fedsym.core.settings.Settings` in force when the result was made (precision,
        tolerances); ``to_dict()`` records them under ``"settings"``.
    """

    mechanism: str
    accuracy: str
    method: str
    costs: np.ndarray = field(repr=False)
    contributions: np.ndarray
    accuracies: np.ndarray = field(repr=False)
    utilities: np.ndarray = field(repr=False)
    total: float
    unique: bool
    zero_is_equilibrium: bool
    residual: float
    verification: Verification
    eps: float = 0.0
    note: str = ""
    joined: np.ndarray | None = field(default=None, repr=False)
    lone_data: np.ndarray | None = field(default=None, repr=False)
    lone_utility: np.ndarray | None = field(default=None, repr=False)
    other_equilibria: str = ""
    theorem_4_6_gap: float | None = None
    lone_method: str = ""
    settings: Settings = field(default_factory=current_settings, repr=False)

    def __post_init__(self) -> None:
        for name in ("costs", "contributions", "accuracies", "utilities", "lone_data", "lone_utility"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, frozen_array(getattr(self, name)))
        if self.joined is not None:
            object.__setattr__(self, "joined", frozen_array(self.joined, dtype=bool))

    @property
    def verified(self) -> bool:
        return self.verification.verified

    def uniqueness(self) -> str:
        """One phrase on uniqueness that never contradicts :attr:`zero_is_equilibrium`."""
        if self.zero_is_equilibrium and self.total == 0:
            return "the only equilibrium is no data at all" if self.unique else "no data at all is an equilibrium"
        if self.unique:
            return "unique equilibrium; no data at all is not one"
        if self.zero_is_equilibrium:
            return "not unique: no data at all is an equilibrium too"
        return "not unique (see the note)"

    @property
    def max_deviation_gain(self) -> float:
        return self.verification.max_deviation_gain

    def to_dict(self, summary: bool = False, *, arrays: bool = False) -> dict[str, Any]:
        """JSON-ready dictionary with the keys of the command-line contract (docs/cli.rst).

        ``summary``: ranges instead of per-agent lists.  ``arrays``: the per-agent
        values as the (read-only) numpy arrays instead of lists of floats, for a
        writer that streams them (the command line at large ``n``).
        """
        data: dict[str, Any] = {
            "mechanism": self.mechanism,
            "accuracy": self.accuracy,
            "method": self.method,
            "n": int(self.costs.size),
            "eps": float(self.eps),
        }
        if not summary:
            per_agent = (self.contributions, self.accuracies, self.utilities)
            contributions, accuracies, utilities = per_agent if arrays else (x.tolist() for x in per_agent)
            data.update(contributions=contributions, accuracies=accuracies, utilities=utilities)
        else:
            data.update(distinct_costs=int(np.unique(self.costs).size),
                        contributions_range=[float(self.contributions.min()), float(self.contributions.max())],
                        accuracies_range=[float(self.accuracies.min()), float(self.accuracies.max())],
                        utilities_range=[float(self.utilities.min()), float(self.utilities.max())])
        data.update(total=float(self.total), verified=self.verified, max_deviation_gain=float(self.max_deviation_gain),
                    verification=self.verification.scope, unique=self.unique, uniqueness=self.uniqueness(),
                    zero_is_equilibrium=self.zero_is_equilibrium, residual=float(self.residual), note=self.note)
        if self.joined is not None and self.lone_data is not None and self.lone_utility is not None:
            if summary:
                data.update(joined_count=int(self.joined.sum()),
                            lone_optimal_data_range=[float(self.lone_data.min()), float(self.lone_data.max())])
            else:
                lone = (self.lone_data, self.lone_utility)
                lone_data, lone_utility = lone if arrays else (x.tolist() for x in lone)
                data.update(joined=self.joined.tolist(), lone_optimal_data=lone_data,
                            lone_optimal_utility=lone_utility)
            data.update(other_equilibria=self.other_equilibria, lone_method=self.lone_method,
                        theorem_4_6_gap=None if self.theorem_4_6_gap is None else float(self.theorem_4_6_gap))
        data["settings"] = self.settings.to_dict()
        return data

    def to_latex(self) -> str:
        """A short ``align*`` block: total data, per-agent range, verification."""
        lo, hi = float(self.contributions.min()), float(self.contributions.max())
        status = r"\text{verified}" if self.verified else r"\text{NOT verified}"
        lines = [rf"M &= \sum_i m_i^{{eq}} = {format_number(self.total, 10)}",
                 rf"m_i^{{eq}} &\in [{format_number(lo)}, {format_number(hi)}] \quad (n = {self.costs.size})",
                 rf"\max_i \text{{gain from deviating}} &{format_gain(self.max_deviation_gain, relation=True)} \quad {status}"]
        if self.joined is not None:
            lines.insert(1, rf"\text{{joined}} &= {int(self.joined.sum())} \text{{ of }} {self.joined.size}")
        return align(lines)
