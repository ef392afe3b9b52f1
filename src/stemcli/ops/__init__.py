"""Operations: pure functions from a loaded dataset and plain values to result objects."""
