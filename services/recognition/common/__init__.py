"""What song and UI recognition share: model files that declare what they are (and are
refused with a clear error when they do not fit), ONNX export and ONNX Runtime sessions,
torch checkpoints, promoting a trained model over the current one, PNG figures, and the
command lines' error handling. Nothing here knows a network or a label list."""
