"""The web dashboard (``iwm app``; needs ``pip install 'iwm[app]'``).

``main.py`` is the Streamlit entry point; each page lives in ``views/`` and draws what the
plain functions of :mod:`iwm.app._logic` compute.
"""
