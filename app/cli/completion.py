"""Shell completion: the scripts `tokendesk completion bash|zsh|fish` prints, and the profile
names they ask for (`tokendesk --complete-names PREFIX`, one name a line, raw: each shell quotes
them itself, so spaces and non-ASCII names complete as one word)."""

from __future__ import annotations

import sys

NAME_COMMANDS = "token exec proxy proof"
PROFILE_ACTIONS = "show edit remove set-secret export"  # those that take a profile name
EVERY_PROFILE_ACTION = "add edit set-secret list show remove export import"
REQUEST_ACTIONS = "list send"
COMMANDS = "profile token exec proxy proof request import completion"

BASH = r"""# tokendesk completion for bash
_tokendesk() {
    local cur=${COMP_WORDS[COMP_CWORD]} first=${COMP_WORDS[1]} second=${COMP_WORDS[2]}
    COMPREPLY=()
    if (( COMP_CWORD == 1 )); then
        COMPREPLY=($(compgen -W "%(commands)s" -- "$cur")); return
    fi
    if [[ $first == profile ]] && (( COMP_CWORD == 2 )); then
        COMPREPLY=($(compgen -W "%(every_action)s" -- "$cur"))
        return
    fi
    if [[ $first == request ]] && (( COMP_CWORD == 2 )); then
        COMPREPLY=($(compgen -W "%(requests)s" -- "$cur")); return
    fi
    if [[ $first == completion ]]; then
        COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")); return
    fi
    if { [[ " %(names)s " == *" $first "* ]] && (( COMP_CWORD == 2 )); } ||
       { [[ $first == profile && " %(actions)s " == *" $second "* ]] && (( COMP_CWORD == 3 )); } ||
       { [[ $first == request ]] && (( COMP_CWORD == 3 )); }; then
        local name
        while IFS= read -r name; do
            COMPREPLY+=("$(printf '%%q' "$name")")
        done < <(tokendesk --complete-names "$cur" 2>/dev/null)
    fi
}
complete -F _tokendesk tokendesk
"""

# Names go to compadd raw: zsh quotes what it inserts to suit the word (none, \, ' or "), and
# -U keeps every name tokendesk matched (case-insensitively, as bash does). The tail lets the
# same text be autoloaded from $fpath as _tokendesk or sourced from .zshrc, with or without
# compinit run before it.
ZSH = r"""#compdef tokendesk
# tokendesk completion for zsh
_tokendesk() {
    local -a names name_commands=(%(names)s) actions=(%(actions)s)
    if (( CURRENT == 2 )); then
        compadd -- %(commands)s; return
    fi
    if [[ $words[2] == profile ]] && (( CURRENT == 3 )); then
        compadd -- %(every_action)s; return
    fi
    if [[ $words[2] == request ]] && (( CURRENT == 3 )); then
        compadd -- %(requests)s; return
    fi
    if [[ $words[2] == completion ]]; then
        compadd -- bash zsh fish; return
    fi
    if { (( $name_commands[(Ie)$words[2]] )) && (( CURRENT == 3 )); } ||
       { [[ $words[2] == profile ]] && (( $actions[(Ie)$words[3]] )) && (( CURRENT == 4 )); } ||
       { [[ $words[2] == request ]] && (( CURRENT == 4 )); }; then
        names=(${(f)"$(tokendesk --complete-names "${(Q)PREFIX}" 2>/dev/null)"})
        compadd -U -- "${names[@]}"
    fi
}
if [[ $funcstack[1] == _tokendesk ]]; then
    _tokendesk "$@"
else
    (( $+functions[compdef] )) || { autoload -Uz compinit && compinit; }
    compdef _tokendesk tokendesk
fi
"""

# Each rule holds at one position only (as in bash): `tokendesk token NAME <Tab>` offers no
# second name. Command substitution splits on newlines only, so a name with spaces stays one
# candidate, and fish escapes it as it inserts it.
FISH = r"""# tokendesk completion for fish
function __tokendesk_at --description "the words before the cursor: tokendesk, then one of each argument's words"
    set -l words (commandline -opc)
    test (count $words) -eq (math (count $argv) + 1); or return 1
    for i in (seq (count $argv))
        contains -- $words[(math $i + 1)] (string split " " -- $argv[$i]); or return 1
    end
end
complete -c tokendesk -f
complete -c tokendesk -n __fish_use_subcommand -a "%(commands)s"
complete -c tokendesk -n "__tokendesk_at profile" -a "%(every_action)s"
complete -c tokendesk -n "__tokendesk_at request" -a "%(requests)s"
complete -c tokendesk -n "__tokendesk_at completion" -a "bash zsh fish"
complete -c tokendesk -n "__tokendesk_at '%(names)s'; or __tokendesk_at profile '%(actions)s'; or __tokendesk_at request '%(requests)s'" -a "(tokendesk --complete-names (commandline -ct) 2>/dev/null)"
"""  # noqa: E501

SCRIPTS = {"bash": BASH, "zsh": ZSH, "fish": FISH}


def script(shell: str) -> str:
    values = {
        "commands": COMMANDS,
        "names": NAME_COMMANDS,
        "actions": PROFILE_ACTIONS,
        "every_action": EVERY_PROFILE_ACTION,
        "requests": REQUEST_ACTIONS,
    }
    return SCRIPTS[shell] % values


def _unquote(word: str) -> str:
    """What a person typed so far, without the shell's quoting (bash hands it raw)."""
    if word[:1] in {"'", '"'}:
        word = word[1:].replace(word[0], "")
    out, escaped = [], False
    for char in word:
        if char == "\\" and not escaped:
            escaped = True
            continue
        out.append(char)
        escaped = False
    return "".join(out)


def complete_names(argv: list[str]) -> int:
    """Profile names starting with the prefix, one a line; never fails loudly: a completion
    that prints errors garbles the person's command line."""
    from app.desk.names import profile_names

    for name in profile_names(_unquote(argv[0] if argv else "")):
        sys.stdout.write(name + "\n")
    return 0
