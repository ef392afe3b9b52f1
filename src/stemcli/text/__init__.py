"""Text: reading files safely, cutting pages into segments, and the one neutraliser."""
