"""Command-line tools: ziggurat-opt and ziggurat-run."""
