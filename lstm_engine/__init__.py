"""lstm_engine: recurrent networks in NumPy (LSTM with slot gates, GRU, tanh RNN).

NumPy is the only import. No game knowledge lives here.
"""

ENGINE_VERSION = "1.0.0"

from .cell import EngineError, Workspace  # noqa: E402
from .gru import GRU  # noqa: E402
from .lstm import LSTM  # noqa: E402
from .model import Model, make_cell  # noqa: E402
from .rnn import RNN  # noqa: E402
from .store import ModelFileError, load_model, model_hash, save_model  # noqa: E402
from .tasks import AddingTask, Batch, FirstSymbolTask  # noqa: E402
from .train import (  # noqa: E402
    TrainConfig,
    TrainingCancelled,
    TrainProgress,
    TrainReport,
    stacked_fraction,
    train,
)

__all__ = ["LSTM", "GRU", "RNN", "EngineError", "Workspace", "Model", "make_cell", "ENGINE_VERSION",
           "ModelFileError", "load_model", "model_hash", "save_model", "AddingTask", "Batch",
           "FirstSymbolTask", "TrainConfig", "TrainingCancelled", "TrainProgress", "TrainReport",
           "stacked_fraction", "train"]
