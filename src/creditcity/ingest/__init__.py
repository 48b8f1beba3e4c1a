"""File adapters for bulk import: CSV, JSON Lines and Parquet, streamed in batches."""
