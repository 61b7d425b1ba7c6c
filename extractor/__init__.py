"""extractor: news articles about police shootings -> validated incident records."""
