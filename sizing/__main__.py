"""``python -m sizing``: the command-line interface."""

from sizing.cli import run

if __name__ == "__main__":
    run()
