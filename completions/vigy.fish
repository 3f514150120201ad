# fish completion for vigy(1).
# Install as vigy.fish in a fish completions directory
# (e.g. /usr/share/fish/vendor_completions.d).
# Every command and option of the binary must appear here;
# tests/cli/docs_drift_test.cc fails when one is missing.

set -l vigy_commands run check add update list ls show rm enable disable tick runs kv eval repl

complete -c vigy -f

# Commands.
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a run -d 'evaluate a program once, without a store'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a check -d 'parse and compile programs'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a add -d 'register a vigy'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a update -d 'change a vigy in place'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a list -d 'list vigies'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a ls -d 'list vigies'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a show -d 'show a vigy'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a rm -d 'remove vigies'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a enable -d 'let vigies be ticked again'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a disable -d 'stop vigies from being ticked'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a tick -d 'tick vigies now'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a runs -d 'run history, newest first'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a kv -d "read or seed a vigy's kv"
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a eval -d 'run an expression'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a repl -d 'read, evaluate and print'

# Global options, before or after the command.
complete -c vigy -s h -l help -d 'print help and exit'
complete -c vigy -l version -d 'print the version and exit'
complete -c vigy -l db -r -F -d 'the store file'
complete -c vigy -s v -l verbose -d 'say more (repeat for more)'
complete -c vigy -s q -l quiet -d 'say less'
complete -c vigy -l json -d 'print data as JSON'
complete -c vigy -l no-color -d 'never colour output'

# Commands that take a program FILE.
complete -c vigy -n '__fish_seen_subcommand_from run check add update' -F

# run, eval, repl: evaluation limits.
complete -c vigy -n '__fish_seen_subcommand_from run' -l kv -x -d 'seed the kv: KEY=JSON'
complete -c vigy -n '__fish_seen_subcommand_from run eval repl' -l timeout -x -d 'wall-clock limit'
complete -c vigy -n '__fish_seen_subcommand_from run eval repl' -l max-steps -x -d 'evaluation step budget'
complete -c vigy -n '__fish_seen_subcommand_from run eval repl' -l max-depth -x -d 'non-tail call depth limit'
complete -c vigy -n '__fish_seen_subcommand_from run eval repl' -l max-memory -x -d 'memory cap, e.g. 64M'

# add and update: a vigy's settings.
complete -c vigy -n '__fish_seen_subcommand_from add' -l name -x -d "the vigy's name"
complete -c vigy -n '__fish_seen_subcommand_from add update' -l every -x -d 'tick every D'
complete -c vigy -n '__fish_seen_subcommand_from add update' -l cron -x -d 'tick on a cron schedule'
complete -c vigy -n '__fish_seen_subcommand_from add update' -l jitter -x -d 'a stable per-vigy offset'
complete -c vigy -n '__fish_seen_subcommand_from add update' -l label -x -d 'a label K=V'
complete -c vigy -n '__fish_seen_subcommand_from add update' -l timeout -x -d 'wall-clock limit per tick'
complete -c vigy -n '__fish_seen_subcommand_from add update' -l max-steps -x -d 'evaluation step budget per tick'
complete -c vigy -n '__fish_seen_subcommand_from add update' -l handler -x -a '(__fish_complete_command)' -d 'a shell command run once per action'
complete -c vigy -n '__fish_seen_subcommand_from add' -l disabled -d 'register it disabled'
complete -c vigy -n '__fish_seen_subcommand_from add' -l replace -d 'overwrite a vigy of the same name'
complete -c vigy -n '__fish_seen_subcommand_from update' -l unlabel -x -d 'remove the label KEY'
complete -c vigy -n '__fish_seen_subcommand_from update' -l no-schedule -d 'tick only on request'
complete -c vigy -n '__fish_seen_subcommand_from update' -l no-timeout -d 'back to the default timeout'
complete -c vigy -n '__fish_seen_subcommand_from update' -l no-max-steps -d 'back to the default step budget'
complete -c vigy -n '__fish_seen_subcommand_from update' -l no-handler -d 'remove the action handler'

# list and tick: selectors.
complete -c vigy -n '__fish_seen_subcommand_from list ls tick' -s l -l selector -x -d 'labels to match: k=v,k!=v,k'
complete -c vigy -n '__fish_seen_subcommand_from tick' -l all -d 'tick every enabled vigy'
complete -c vigy -n '__fish_seen_subcommand_from tick' -l dry-run -d 'run no handler and record nothing'

# runs.
complete -c vigy -n '__fish_seen_subcommand_from runs' -s n -l limit -x -d 'at most N runs'
complete -c vigy -n '__fish_seen_subcommand_from runs' -l failed -d 'only failed runs'
complete -c vigy -n '__fish_seen_subcommand_from runs' -l since -x -d 'a duration back from now or an RFC 3339 time'
complete -c vigy -n '__fish_seen_subcommand_from runs' -l prune -d 'remove old runs instead'
complete -c vigy -n '__fish_seen_subcommand_from runs' -l keep -x -d 'with --prune: runs to keep per vigy'

# kv VIGY ACTION.
complete -c vigy -n '__fish_seen_subcommand_from kv; and test (count (commandline -opc)) -eq 3' -a 'get set rm list' -d 'kv action'
