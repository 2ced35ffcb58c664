"""The one place the package version is written (``pyproject.toml`` reads it; ``fedsym --version`` prints it)."""

__all__ = ["__version__"]

__version__ = "0.2.0.dev0"
