"""Layer 3, the paper's objects, each in its own module (imports :mod:`fedsym.model` and :mod:`fedsym.core`).

- :mod:`~fedsym.paper.lone_agent`: one agent alone, Theorem 2.3 and Example 2.4 (Sec. 2.2);
- :mod:`~fedsym.paper.mechanisms`: mechanisms, Eq. (7), (10), (13), feasibility and IR (Defs. 3.1-3.2);
- :mod:`~fedsym.paper.deviation`: the global search over one agent's deviations;
- :mod:`~fedsym.paper.equilibrium`: equilibria and their verification (Theorems 3.4, 4.2, 4.6);
- :mod:`~fedsym.paper.example_4_5`: closed forms of Example 4.5 and Remark 4.4;
- :mod:`~fedsym.paper.screening`: unknown costs, the screening mechanism (App. B);
- :mod:`~fedsym.paper.agents_that_differ`: own accuracy, convex and joining costs, value of accuracy (Model §8);
- :mod:`~fedsym.paper.realfm`, :mod:`~fedsym.paper.shapley`: RealFM as published and rho-Shapley rewards (Model §11).
"""
