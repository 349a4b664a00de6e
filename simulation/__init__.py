"""orglearn's simulation engine: the social-learning model, its network, processes and metrics."""

from orglearn._version import __version__
from orglearn.simulation.parameters import ParameterError, Parameters

__all__ = ["SocialLearningModel", "Parameters", "ParameterError"]


def __getattr__(name: str):
    # Imported lazily so that `agents` (which the model imports) can import simulation modules.
    if name == "SocialLearningModel":
        from orglearn.simulation.model import SocialLearningModel

        return SocialLearningModel
    raise AttributeError(f"module 'simulation' has no attribute {name!r}")
