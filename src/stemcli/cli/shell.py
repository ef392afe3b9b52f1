"""Commands about the shell stemcli runs in: completion."""

from __future__ import annotations

from typing import Annotated

import typer

from stemcli.cli.env import command, write_stdout


def _shells(incomplete: str) -> list[str]:
    from stemcli.cli.completion import SHELLS

    return [s for s in SHELLS if s.startswith(incomplete)]


@command()
def completion(
    shell: Annotated[
        str,
        typer.Argument(
            help="bash, zsh or fish.", metavar="SHELL", autocompletion=_shells, show_default=False
        ),
    ],
) -> None:
    """Print the shell completion script for bash, zsh or fish.

    Save the script where the shell looks for completions (it then completes
    commands, options, and the condition, stage, source, outcome and claim ids of
    the dataset), or source it from the shell's start-up file.

    Examples:

    \b
      stemcli completion bash > ~/.local/share/bash-completion/completions/stemcli
      stemcli completion zsh > ~/.zfunc/_stemcli
      stemcli completion fish > ~/.config/fish/completions/stemcli.fish
    """
    from stemcli.cli.completion import SHELLS, script

    name = shell.strip().lower()
    if name not in SHELLS:
        from stemcli.errors import UsageError

        raise UsageError(f"SHELL must be bash, zsh or fish, not {shell!r}")
    write_stdout(script(name) + "\n")
