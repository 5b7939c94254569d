"""Training: data loading with checksums, the three models, validation, operating points, card.

Only ``moderation train`` / ``moderation evaluate`` import this package; serving never does.
"""
