"""``python -m sizing``: the command-line interface."""

from sizing.cli import main

if __name__ == "__main__":
    main()
