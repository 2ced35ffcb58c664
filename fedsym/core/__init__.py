"""Layer 1, the mathematical core: nothing here knows about agents or mechanisms.

- :mod:`~fedsym.core.symbols`: the model's sympy symbols, declared once (positive);
- :mod:`~fedsym.core.errors`: the error hierarchy (every user mistake is a :class:`FedsymError`);
- :mod:`~fedsym.core.solve`: bounded sympy attempts, bracketed mpmath roots and maxima, numpy sweeps;
- :mod:`~fedsym.core.derived`: a derived quantity, a validated closed form or a numeric solver, with provenance;
- :mod:`~fedsym.core.checkrow`: one closed form against independent numerics (a row of ``fedsym check``);
- :mod:`~fedsym.core.serialize`: sympy expressions as JSON trees, read back through an allow-list;
- :mod:`~fedsym.core.cache`: derivation outcomes on disk: the shipped store, then the user cache;
- :mod:`~fedsym.core.latex`: LaTeX text: escaping, the trusted :class:`~fedsym.core.latex.Latex` marker, numbers.

Imports only numpy, mpmath, sympy and the standard library.
"""
