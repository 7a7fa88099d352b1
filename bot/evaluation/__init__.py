"""`ripple eval`: measure retrieval and theme-detection quality on the labelled sets in `evals/`.

Evals are not tests. They print numbers to compare (BM25 vs dense vs hybrid, per-theme F1);
the floor tests in `tests/evals/` only guard against those numbers collapsing.
"""
