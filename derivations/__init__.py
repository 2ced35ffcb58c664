"""The paper's worked examples, one file per section or figure; installed as ``fedsym_derivations``.

``fedsym report`` runs every ``*.py`` file of this folder (names starting with
``_``, like this one, are skipped) and calls its ``derive()``.  The folder stays
at the top of the repository so that it reads as the template for a user's own
derivations; the wheel ships it as the package :mod:`fedsym_derivations`, so an
installed fedsym regenerates the paper's report from any working directory.
"""
