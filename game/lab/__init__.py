"""The lab: a tanh RNN, a GRU and an LSTM trained side by side on one memory task (plain Python, no pygame).

runs.py trains one (cell, task, lag, seed) under the one budget every cell shares; gradients.py measures
how much of the loss's gradient reaches a state d steps back; results.py reads and writes the shipped
results (assets/lab/results.json). docs/lab.md explains the choices.
"""
