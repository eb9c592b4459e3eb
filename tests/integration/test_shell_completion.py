"""zsh and fish completion in the real shells: the scripts `tokendesk completion zsh|fish` print,
loaded the two ways a person enables them (a completion file the shell autoloads, or sourced
from the rc file), then asked for completions: zsh at a real interactive prompt in a
pseudo-terminal (zsh's zpty module types the line and Tab), fish through `complete -C`. Profile
names come from the real `tokendesk --complete-names` path over a real profiles file. No user rc
files: `zsh -f`, `fish --no-config`, HOME and XDG dirs in tmp_path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.cli.completion import COMMANDS
from app.core.profiles import Profile
from app.storage.profile_store import ProfileStore

NAMES = ("Orders API", "Other", "Zahlungen Ü", "Café — Ü 東京 🚀", 'it\'s "quoted"')
ACTIONS = {"add", "edit", "set-secret", "list", "show", "remove", "export", "import"}

# What a person types for a name, and the one name it must become: plain, case-insensitive,
# escaped with backslashes, inside double and single quotes, non-ASCII.
TYPED = [
    ("token", "Ord", "Orders API"),
    ("token", "zah", "Zahlungen Ü"),
    ("exec", "Orders\\ A", "Orders API"),
    ("proxy", '"Orders A', "Orders API"),
    ("proof", "'Zahlungen", "Zahlungen Ü"),
    ("token", '"Zahlungen Ü', "Zahlungen Ü"),
    ("profile show", "Caf", "Café — Ü 東京 🚀"),
    ("profile set-secret", "it", 'it\'s "quoted"'),
    ("request send", '"it', 'it\'s "quoted"'),
]

# zsh's side of the harness, sourced at the interactive prompt: the completion is loaded as
# the test chose, compadd records every candidate it is given that matches (then adds them as
# usual), and Tab completes and then writes the line as it stands and as zsh parses it.
ZSH_SETUP = r"""PROMPT='' RPROMPT=''
unsetopt beep
%(load)s
compadd() {
    local -a seen
    builtin compadd -O seen "$@"
    (( $#seen )) && print -rn -- "${(@pj:\0:)seen}"$'\0' >> $TD_OUT/candidates
    builtin compadd "$@"
}
_td_tab() {
    zle complete-word
    print -rn -- "${(@pj:\0:)${(@Q)${(z)BUFFER}}}" > $TD_OUT/words
    zle -I
    print -r -- TD-DONE
}
zle -N _td_tab
bindkey '^I' _td_tab
print -r -- TD-READY
"""
ZSH_DRIVER = r"""zmodload zsh/zpty
zpty td zsh -f -i
zpty -w td "source ${(q)TD_SETUP}"
zpty -r td out '*TD-READY*'
zpty -w -n td "$1"$'\t'
zpty -r td out '*TD-DONE*'
zpty -d td
"""
ZSH_LOADS = {
    # the README's way: a file named _tokendesk in $fpath, then compinit
    "fpath": "fpath=(%(dir)s $fpath)\nautoload -Uz compinit && compinit -D",
    # `source <(tokendesk completion zsh)` in a .zshrc that never ran compinit
    "sourced": "source <(tokendesk completion zsh)",
}
FISH_LOADS = {
    # the README's way: ~/.config/fish/completions/tokendesk.fish, which fish autoloads
    # (--no-config leaves that folder out of fish_complete_path, so the test names it)
    "autoload": "set -g fish_complete_path %(dir)s",
    "sourced": "tokendesk completion fish | source",
}


@dataclass
class Shells:
    home: Path
    env: dict[str, str]

    def run(self, argv: list[str]) -> subprocess.CompletedProcess[str]:
        binary = shutil.which(argv[0], path=self.env["PATH"])
        assert binary, f"{argv[0]} is not installed: run `make system-deps-test`"
        return subprocess.run(
            argv, capture_output=True, text=True, env=self.env, cwd=self.home, timeout=60,
            check=False,
        )  # fmt: skip

    def zsh(self, load: str, line: str) -> tuple[list[str], set[str]]:
        """Types `tokendesk LINE` and Tab at an interactive zsh: the words on the line afterwards
        (as zsh parses them) and the candidates the completion offered."""
        folder = self.home / "zsh"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        (folder / "_tokendesk").write_text(self.run(["tokendesk", "completion", "zsh"]).stdout)
        setup = ZSH_SETUP % {"load": ZSH_LOADS[load] % {"dir": folder}}
        (folder / "setup.zsh").write_text(setup)
        (folder / "driver.zsh").write_text(ZSH_DRIVER)
        self.env.update(TD_SETUP=str(folder / "setup.zsh"), TD_OUT=str(folder))
        result = self.run(["zsh", "-f", str(folder / "driver.zsh"), "tokendesk " + line])
        assert result.returncode == 0, result.stderr
        words = (folder / "words").read_text().split("\0")
        candidates = folder / "candidates"
        return words, set(candidates.read_text().split("\0")[:-1] if candidates.exists() else ())

    def fish(self, load: str, line: str) -> list[str]:
        """What fish offers for `tokendesk LINE`, one candidate each."""
        folder = self.home / "config" / "fish" / "completions"
        folder.mkdir(parents=True, exist_ok=True)
        script = self.run(["tokendesk", "completion", "fish"]).stdout
        (folder / "tokendesk.fish").write_text(script)
        code = f"{FISH_LOADS[load] % {'dir': folder}}; complete -C $argv[1]"
        result = self.run(["fish", "--no-config", "-c", code, "tokendesk " + line])
        assert result.returncode == 0, result.stderr
        return [row.split("\t")[0] for row in result.stdout.splitlines()]


@pytest.fixture
def shells(tmp_path: Path) -> Shells:
    home = tmp_path / "home"
    home.mkdir()
    store = ProfileStore(home / "config" / "tokendesk")
    for name in NAMES:
        store.save(Profile(name=name, client_id="c", token_url="https://id.example/token"))
    bin_dir = str(Path(sys.executable).parent)
    env = {
        "PATH": bin_dir + os.pathsep + os.environ["PATH"],
        "HOME": str(home),
        "ZDOTDIR": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "LC_ALL": "C.UTF-8",
        "TERM": "xterm",
    }
    return Shells(home, env)


@pytest.mark.parametrize("load", ZSH_LOADS)
def test_zsh_completes_commands_and_profile_actions(shells: Shells, load: str) -> None:
    assert shells.zsh(load, "")[1] == set(COMMANDS.split())
    assert shells.zsh(load, "pro")[1] == {"profile", "proof", "proxy"}
    words, offered = shells.zsh(load, "profile ")
    assert (words, offered) == (["tokendesk", "profile"], ACTIONS)
    assert shells.zsh(load, "request ")[1] == {"list", "send"}


@pytest.mark.parametrize(("command", "typed", "name"), TYPED)
def test_zsh_completes_a_profile_name_as_one_word(
    shells: Shells, command: str, typed: str, name: str
) -> None:
    """Unique: zsh puts the whole name on the line, quoted so the shell reads it back as the
    name, whatever quoting the person had started."""
    words, offered = shells.zsh("sourced", f"{command} {typed}")
    assert offered == {name}
    assert words == ["tokendesk", *command.split(), name]


def test_zsh_offers_every_matching_name_and_no_second_one(shells: Shells) -> None:
    assert shells.zsh("fpath", "profile show O")[1] == {"Orders API", "Other"}
    assert shells.zsh("fpath", "token ")[1] == set(NAMES)
    assert shells.zsh("fpath", "token Orders\\ API ")[1] == set()  # one name per command
    assert shells.zsh("fpath", "profile list ")[1] == set()  # list takes no name


@pytest.mark.parametrize("load", FISH_LOADS)
def test_fish_completes_commands_and_profile_actions(shells: Shells, load: str) -> None:
    assert set(shells.fish(load, "")) == set(COMMANDS.split())
    assert set(shells.fish(load, "--details ")) == set(COMMANDS.split())
    assert set(shells.fish(load, "profile ")) == ACTIONS
    assert set(shells.fish(load, "request ")) == {"list", "send"}
    assert set(shells.fish(load, "completion ")) == {"bash", "zsh", "fish"}


@pytest.mark.parametrize(("command", "typed", "name"), TYPED)
def test_fish_completes_a_profile_name_as_one_word(
    shells: Shells, command: str, typed: str, name: str
) -> None:
    assert shells.fish("autoload", f"{command} {typed}") == [name]


def test_fish_offers_every_matching_name_and_no_second_one(shells: Shells) -> None:
    assert sorted(shells.fish("sourced", "profile show O")) == ["Orders API", "Other"]
    assert sorted(shells.fish("sourced", "token ")) == sorted(NAMES)
    assert shells.fish("sourced", "token Orders\\ API ") == []  # one name per command
    assert shells.fish("sourced", "profile list ") == []  # list takes no name
