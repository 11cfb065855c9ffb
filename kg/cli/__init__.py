"""The ``kg`` command line: one command per verb, consistent options, one-line errors.

Exit codes: 0 success, 1 bad input or environment (one line on stderr), 2 usage error.
"""

from __future__ import annotations

import sys

import click

from kg import __version__
from kg.errors import KGError


class KGGroup(click.Group):
    """A click group that turns KGError and OS errors into one-line messages with exit code 1."""

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


def _register():
    from kg.cli import analysis, build, extract, graph, sparql

    for module in (build, extract, graph, analysis, sparql):
        for command in module.COMMANDS:
            main.add_command(command)


_register()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
