r"""Unknown costs: the screening mechanism of Appendix B (Model §6) and its :math:`K`-type extension (Model §9).

- :mod:`~fedsym.paper.screening.result`: :func:`screen`, the one screening solver (:math:`K \ge 2` types,
  the menu verified; for :math:`K = 2` with App. B's closed-form menu and regime, cross-checked);
- :mod:`~fedsym.paper.screening.cost_types`: the cost types and probabilities (:class:`KTypes`);
- :mod:`~fedsym.paper.screening.k_types`: the data-maximizing menu for :math:`K \ge 2` types, binding
  constraints, pooling, information rents, comparative statics;
- :mod:`~fedsym.paper.screening.k_curve`: the mechanism curve that implements a menu (Eq. (14) for
  two types, a chain of line pieces for :math:`K`);
- :mod:`~fedsym.paper.screening.k_many`: :math:`n` agents with i.i.d. types (ex-post equilibria per count
  vector, the expected total);
- :mod:`~fedsym.paper.screening.many`: that expected total beside known costs and the standard mechanism;
- :mod:`~fedsym.paper.screening.value`: a value of accuracy :math:`v(a)` (Model §8): the cap in value units.

App. B's two types in closed form:

- :mod:`~fedsym.paper.screening.menu`: Theorem B.1's two-type menu from its closed forms, its four regimes;
- :mod:`~fedsym.paper.screening.forms`: closed forms (Eq. (15)-(16), Theorem B.3, Example B.4).
"""
