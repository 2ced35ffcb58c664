r"""Unknown costs: the screening mechanism of Appendix B (Model §6) and its :math:`K`-type extension (Model §9).

- :mod:`~fedsym.paper.screening.result`: :func:`screen`, the one screening solver (:math:`K \ge 2` types,
  the menu verified; for :math:`K = 2` with App. B's closed-form menu and regime, cross-checked);
- :mod:`~fedsym.paper.screening.cost_types`: the cost types and probabilities (:class:`KTypes`);
- :mod:`~fedsym.paper.screening.menu`: Theorem B.1's two-type menu from its closed forms, its four regimes;
- :mod:`~fedsym.paper.screening.curve`: the mechanism curve of Eq. (14) that implements a menu;
- :mod:`~fedsym.paper.screening.forms`: closed forms (Eq. (15)-(16), Theorem B.3, Example B.4);
- :mod:`~fedsym.paper.screening.many`: :math:`n` agents with i.i.d. types (ex-post equilibria).

More than two cost types (Model §9, an extension):

- :mod:`~fedsym.paper.screening.k_types`: the data-maximizing menu for :math:`K \ge 2` types, binding
  constraints, pooling, information rents, comparative statics;
- :mod:`~fedsym.paper.screening.k_curve`: the mechanism curve generalizing Eq. (14);
- :mod:`~fedsym.paper.screening.k_many`: :math:`n` agents with i.i.d. types, summed over type counts.
"""
