"""mediadigest: monitor what the world's media write about one country, write a weekly digest."""

# The one place the version is written: pyproject.toml reads it (dynamic = ["version"]).
__version__ = "0.1.0"
USER_AGENT = f"mediadigest/{__version__} (+https://github.com/mediadigest/mediadigest)"
