"""The import kinds, by the name the command line uses."""
