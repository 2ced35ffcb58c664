r"""Unknown costs: the screening mechanism of Appendix B (Model §6).

- :mod:`~fedsym.paper.screening.menu`: Theorem B.1's data-maximizing two-type menu, its four regimes;
- :mod:`~fedsym.paper.screening.curve`: the mechanism curve of Eq. (14) that implements a menu;
- :mod:`~fedsym.paper.screening.forms`: closed forms (Eq. (15)-(16), Theorem B.3, Example B.4);
- :mod:`~fedsym.paper.screening.result`: :func:`screen`, the menu with verified best responses;
- :mod:`~fedsym.paper.screening.many`: :math:`n` agents with i.i.d. types (ex-post equilibria).

More than two cost types (Model §9, an extension):

- :mod:`~fedsym.paper.screening.k_types`: the data-maximizing menu for :math:`K \ge 2` types, binding
  constraints, pooling, information rents, comparative statics;
- :mod:`~fedsym.paper.screening.k_curve`: the mechanism curve generalizing Eq. (14), :func:`screen_k`;
- :mod:`~fedsym.paper.screening.k_many`: :math:`n` agents with i.i.d. types, summed over type counts.
"""
