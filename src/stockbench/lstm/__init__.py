"""The LSTM job: the original study's ``SimpleLSTM(10, 32, 1)`` on a 1024 x 30 x 10 batch.

- ``data``          the seeded inputs and the output checksum (numpy: no torch)
- ``model``         the model in torch, both call styles, and its ONNX export
- ``onnx_runtime``  the export, cached, run on ONNX Runtime (no torch)

Nothing is imported here: the ONNX path must not pull in torch.
"""
