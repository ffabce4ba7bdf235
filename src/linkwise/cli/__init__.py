"""The command line (Typer + Rich). No business logic here: commands call the workspace."""
