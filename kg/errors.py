"""User-facing errors: the CLI prints them as one line and exits 1."""


class KGError(Exception):
    """An error caused by input or environment, reported without a traceback."""


class InputError(KGError):
    """Bad input: names the file and, where known, the line."""

    def __init__(self, path, line: int | None, message: str):
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")
