"""orglearn's simulation engine: the social-learning model, its network, processes and metrics."""

from simulation.model import SocialLearningModel
from simulation.parameters import ParameterError, Parameters

__all__ = ["SocialLearningModel", "Parameters", "ParameterError"]
__version__ = "0.1.0"
