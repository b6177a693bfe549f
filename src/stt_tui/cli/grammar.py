"""What every part of the command line's grammar is made with: a parser that says its mistakes in one
sentence, and the maker of one command (parser.py hands it to the parts)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import NoReturn


class Parser(argparse.ArgumentParser):
    """Argument mistakes as one sentence, as every other mistake is (argparse prints its usage block)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}; see `{self.prog} --help`.\n")


# (name, what runs it, one line of help, the description) -> the command's parser
AddCommand = Callable[[str, Callable[[argparse.Namespace], int], str, str], argparse.ArgumentParser]
