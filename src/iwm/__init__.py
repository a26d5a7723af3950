"""iwm: internal working models of attachment, simulated.

A research and teaching model, never a clinical diagnosis of a real person.
"""

from iwm._errors import InputError, IwmError, ParameterError

__version__ = "0.1.0"

__all__ = ["InputError", "IwmError", "ParameterError", "__version__"]
