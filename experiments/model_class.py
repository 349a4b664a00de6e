"""Which model class a sweep runs: `SocialLearningModel` or a user's subclass of it.

A sweep names a subclass as ``"package.module:Class"`` (its ``model`` key). The name, a string,
travels in every task, and each worker imports the class itself, so the module must be
importable wherever runs run: installed in the environment or in a folder on ``PYTHONPATH``.
"""

from __future__ import annotations

import functools
import importlib
import re

__all__ = ["DEFAULT_MODEL", "model_path", "import_model"]

#: The model a sweep runs unless it names another.
DEFAULT_MODEL = "orglearn.simulation.model:SocialLearningModel"

_PATH = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
_ALLOWED = ("must name a subclass of orglearn.simulation.model.SocialLearningModel as "
            "'package.module:Class'")


def model_path(model: type | str) -> str:
    """``"module:Class"`` for a model class (or a string, checked and returned as is).

    Raises:
        ValueError: not a class or a string of that form.
    """
    if isinstance(model, str):
        if not _PATH.match(model):
            raise ValueError(_ALLOWED)
        return model
    if isinstance(model, type):
        return f"{model.__module__}:{model.__qualname__}"
    raise ValueError(f"{_ALLOWED} or be that class; got a {type(model).__name__}")


@functools.cache
def import_model(path: str) -> type:
    """The class that ``"module:Class"`` names, checked to be a `SocialLearningModel`.

    Raises:
        ValueError: malformed, not importable, no such attribute, or not a subclass; the
            message says which and what is allowed.
    """
    from orglearn.simulation.model import SocialLearningModel

    module_name, _, qualname = model_path(path).partition(":")
    try:
        target = importlib.import_module(module_name)
    except Exception as err:  # noqa: BLE001 - any failure to import is the user's to see
        raise ValueError(f"{_ALLOWED}; {module_name!r} cannot be imported ({type(err).__name__}: "
                         f"{err}); it must be installed or in a folder on PYTHONPATH") from None
    for part in qualname.split("."):
        if not hasattr(target, part):
            raise ValueError(f"{_ALLOWED}; module {module_name!r} has no {qualname!r}")
        target = getattr(target, part)
    if not (isinstance(target, type) and issubclass(target, SocialLearningModel)):
        raise ValueError(f"{_ALLOWED}; {path!r} is not one (it is {target!r})")
    return target
