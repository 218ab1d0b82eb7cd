"""Pure credit scoring library: features, model bundle, explanations, policy.

No Flask, no SQLAlchemy: only numpy, lightgbm and the standard library.
"""
