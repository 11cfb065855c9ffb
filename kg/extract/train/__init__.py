"""Training scripts for the extractor's learned parts (run by hand; use train_* data only)."""
