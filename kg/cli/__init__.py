"""The ``kg`` command line: one command per verb, consistent options, one-line errors.

Exit codes: 0 success, 1 bad input or environment (one line on stderr), 2 usage error.
"""

from __future__ import annotations

import importlib
import sys

import click

from kg import __version__
from kg.errors import KGError


#: command name -> module that defines it; modules are imported only when their command runs,
#: so ``kg query`` does not pay for loading spaCy.
COMMAND_MODULES = {
    "build": "kg.cli.build",
    "extract": "kg.cli.extract",
    "export": "kg.cli.graph",
    "stats": "kg.cli.graph",
    "validate": "kg.cli.graph",
    "shared": "kg.cli.analysis",
    "viz": "kg.cli.analysis",
    "query": "kg.cli.sparql",
    "serve": "kg.cli.sparql",
    "push": "kg.cli.sparql",
}


class KGGroup(click.Group):
    """A click group that loads commands lazily and turns KGError and OS errors into one-line
    messages with exit code 1."""

    def list_commands(self, ctx):
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx, name):
        module_name = COMMAND_MODULES.get(name)
        if module_name is None:
            return None
        module = importlib.import_module(module_name)
        return next(command for command in module.COMMANDS if command.name == name)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KGError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}") from None


@click.group(cls=KGGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main():
    """Build and explore a knowledge graph of ML papers: what each paper proposes, which models and
    methods it uses, what it is evaluated on, and which methods meet on the same benchmarks."""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
