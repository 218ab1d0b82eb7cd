"""Pure credit scoring library: features, model bundle, explanations, policy. No Flask, no SQLAlchemy."""
