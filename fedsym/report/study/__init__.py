"""Study files: a declarative TOML study turned into a report section (``fedsym study``).

- :mod:`~fedsym.report.study.source`: the file as text and TOML data, every key with its line;
- :mod:`~fedsym.report.study.spec`: :func:`read_study`, the :class:`Study` a file declares (accuracy given or
  fitted, population, questions, presentation);
- :mod:`~fedsym.report.study.answers`: :func:`answer`, the numbers (Theorem 2.3, the equilibria, screening,
  comparative statics);
- :mod:`~fedsym.report.study.fit_table`: the table of fitted families (also ``fedsym fit --latex``);
- :mod:`~fedsym.report.study.section`: :func:`study_section`, the answers as a report section with figures;
- :mod:`~fedsym.report.study.output`: :func:`write_study`, the files (and the PDF).
"""

from fedsym.report.study.answers import Answers, answer
from fedsym.report.study.output import StudyOutput, write_study
from fedsym.report.study.section import study_section
from fedsym.report.study.spec import Study, read_study

__all__ = ["Answers", "Study", "StudyOutput", "answer", "read_study", "study_section", "write_study"]
