#!/usr/bin/env zsh
# Prints what zsh's completion system offers for a command line, one match
# per line: zsh -f zsh_complete.zsh FPATH_DIR 'vigy se'
#
# Completion only runs inside the line editor, so this starts an interactive
# zsh (without startup files) on a pseudo-terminal, loads compinit with
# FPATH_DIR first on $fpath, types the command line and a Tab, and reads back
# the matches, which a wrapper around the compadd builtin prints between
# markers. Exits 2 if the shell never got as far as completing.
emulate -L zsh
zmodload zsh/zpty || exit 2

local fpath_dir=$1 command_line=$2

zpty vigy_completion zsh -f -i || exit 2

# The session: no prompt, compinit, Tab completes, nothing is ever run, and
# every match offered is printed as <<match>>. After one completion the
# shell exits, which ends the output.
local setup=$(mktemp "${TMPDIR:-/tmp}/vigy-zsh-XXXXXX") || exit 2
cat >$setup <<EOF
PROMPT='' RPROMPT='' PS2=''
unsetopt zle_bracketed_paste 2>/dev/null
fpath=(${(q)fpath_dir} \$fpath)
autoload -U compinit && compinit -u -D
zstyle ':completion:*' matcher-list ''
zstyle ':completion:*' list-prompt ''
zstyle ':completion:*' select-prompt ''
compadd() {
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then
    builtin compadd "\$@"
    return
  fi
  local -a vigy_matches
  builtin compadd -A vigy_matches "\$@"
  local match
  for match in \$vigy_matches; do
    print -r -- "<<\$match>>"
  done
}
vigy_done() { print -r -- '<<END>>'; exit 0 }
comppostfuncs=(vigy_done)
bindkey '^M' undefined-key
bindkey '^J' undefined-key
bindkey '^I' complete-word
print -r -- '<<READY>>'
EOF

# Sourced in one line: the key bindings must not apply to the setup itself.
zpty -w vigy_completion "source ${(q)setup}"

# Reads the session's output into $output until it contains $1, for at
# most 20 seconds; fails if it never does.
zmodload zsh/datetime zsh/zselect || exit 2
local output=''
read_until() {
  local chunk deadline=$(( EPOCHREALTIME + 20 ))
  while (( EPOCHREALTIME < deadline )); do
    if zpty -r -t vigy_completion chunk; then
      output+=$chunk
      [[ $output == *"$1"* ]] && return 0
    else
      zselect -t 2
    fi
  done
  return 1
}

if ! read_until '<<READY>>'; then
  rm -f $setup
  print -u2 "zsh_complete: the shell did not start"
  zpty -d vigy_completion
  exit 2
fi
rm -f $setup

output=''
zpty -w -n vigy_completion "$command_line"$'\t'
if ! read_until '<<END>>'; then
  zpty -d vigy_completion 2>/dev/null
  print -u2 "zsh_complete: no completion happened"
  exit 2
fi
zpty -d vigy_completion 2>/dev/null

# A match may follow the echo of the typed line on the same line.
setopt extended_glob
local line
for line in ${(f)output//$'\r'/}; do
  [[ $line == *'<<END>>'* ]] && break
  [[ $line == (#b)*'<<'(*)'>>' && $match[1] != READY ]] && print -r -- $match[1]
done
exit 0
