"""Shell completion: the scripts `tokendesk completion bash|zsh|fish` prints, and the profile
names they ask for (`tokendesk --complete-names PREFIX`, one name a line, raw: each shell quotes
them itself, so spaces and non-ASCII names complete as one word)."""

from __future__ import annotations

import sys

NAME_COMMANDS = "token exec proxy"
PROFILE_ACTIONS = "show edit remove set-secret export"
COMMANDS = "profile token exec proxy request completion"

BASH = r"""# tokendesk completion for bash
_tokendesk() {
    local cur=${COMP_WORDS[COMP_CWORD]} first=${COMP_WORDS[1]} second=${COMP_WORDS[2]}
    COMPREPLY=()
    if (( COMP_CWORD == 1 )); then
        COMPREPLY=($(compgen -W "%(commands)s" -- "$cur")); return
    fi
    if [[ $first == profile ]] && (( COMP_CWORD == 2 )); then
        COMPREPLY=($(compgen -W "add edit set-secret list show remove export import" -- "$cur"))
        return
    fi
    if [[ $first == request ]] && (( COMP_CWORD == 2 )); then
        COMPREPLY=($(compgen -W "list send" -- "$cur")); return
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

ZSH = r"""#compdef tokendesk
# tokendesk completion for zsh
_tokendesk() {
    local -a names
    if (( CURRENT == 2 )); then
        compadd -- %(commands)s; return
    fi
    if [[ $words[2] == profile ]] && (( CURRENT == 3 )); then
        compadd -- add edit set-secret list show remove export import; return
    fi
    if [[ $words[2] == request ]] && (( CURRENT == 3 )); then
        compadd -- list send; return
    fi
    if [[ $words[2] == completion ]]; then
        compadd -- bash zsh fish; return
    fi
    if { (( ${${(s: :)${:-%(names)s}}[(Ie)$words[2]]} )) && (( CURRENT == 3 )); } ||
       { [[ $words[2] == profile ]] && (( ${${(s: :)${:-%(actions)s}}[(Ie)$words[3]]} )) &&
         (( CURRENT == 4 )); } ||
       { [[ $words[2] == request ]] && (( CURRENT == 4 )); }; then
        names=("${(@f)$(tokendesk --complete-names "${(Q)PREFIX}" 2>/dev/null)}")
        compadd -Q -- "${(@q)names}"
    fi
}
compdef _tokendesk tokendesk
"""

FISH = r"""# tokendesk completion for fish
complete -c tokendesk -f
complete -c tokendesk -n __fish_use_subcommand -a "%(commands)s"
complete -c tokendesk -n "__fish_seen_subcommand_from profile; and not __fish_seen_subcommand_from add edit set-secret list show remove export import" -a "add edit set-secret list show remove export import"
complete -c tokendesk -n "__fish_seen_subcommand_from request; and not __fish_seen_subcommand_from list send" -a "list send"
complete -c tokendesk -n "__fish_seen_subcommand_from completion" -a "bash zsh fish"
complete -c tokendesk -n "__fish_seen_subcommand_from %(names)s %(actions)s list send" -a "(tokendesk --complete-names (commandline -ct) 2>/dev/null)"
"""  # noqa: E501

SCRIPTS = {"bash": BASH, "zsh": ZSH, "fish": FISH}


def script(shell: str) -> str:
    values = {"commands": COMMANDS, "names": NAME_COMMANDS, "actions": PROFILE_ACTIONS}
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
