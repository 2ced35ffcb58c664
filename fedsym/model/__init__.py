"""Layer 2, the model (MODEL.md §1): accuracy functions, the paper's families and user expressions.

- :mod:`~fedsym.model.accuracy`: :math:`a(m) = \\max(0, \\hat a(m))`, its parameters, evaluation
  (mpmath and numpy) and assumption (1) (Sec. 2.1).

Imports only from :mod:`fedsym.core`.
"""
