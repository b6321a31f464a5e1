"""The editors' web app (`mediadigest serve`): FastAPI pages over the same core as the CLI."""
