"""The web dashboard (``iwm app``; needs ``pip install 'iwm[app]'``).

``main.py`` is the Streamlit entry point; each page lives in ``views/`` and draws what the
plain functions of :mod:`iwm.app._logic` compute. The top layer (docs/architecture.md),
beside :mod:`iwm.cli`: it may import :mod:`iwm.study`, :mod:`iwm.measure` and :mod:`iwm.model`,
never the command line (import-linter contract in ``pyproject.toml``).
"""
