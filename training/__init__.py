"""Training sets, training, evaluation, model cards and bundles for data scientists."""
