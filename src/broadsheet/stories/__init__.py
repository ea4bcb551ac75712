"""Links between articles: wire copies, story clusters, related articles."""
