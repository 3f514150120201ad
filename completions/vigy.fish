# fish completion for vigy(1).
# Install as vigy.fish in a fish completions directory
# (e.g. /usr/share/fish/vendor_completions.d), or load it now with
#   vigy completions fish | source
# Every command and option of the binary must appear here;
# tests/cli/docs_drift_test.cc fails when one is missing.

set -l vigy_commands run check add update list ls show rm enable disable tick runs watch serve health kv export import mcp eval repl completions register inspect delete tail

# Options whose value is the next word.
set -g __fish_vigy_value_options --db --kv --timeout --max-steps --max-depth --max-memory \
    --name --every --cron --jitter --label --unlabel --handler -l --selector -n --limit \
    --since --keep --keep-runs --log-format --workers --stale-after --http --addr --bind \
    --http-token-file --notify --notify-timeout --id -o --output

# The command line before the cursor, as the command (the first word that is
# neither an option nor an option's value) and then its arguments so far.
function __fish_vigy_command_and_arguments
    set -l skip 0
    for word in (commandline -opc)[2..-1]
        if test $skip -eq 1
            set skip 0
        else if string match -q -- '-*=*' $word
        else if contains -- $word $__fish_vigy_value_options
            set skip 1
        else if not string match -q -- '-*' $word
            echo $word
        end
    end
end

# Whether the command is one of the words of $argv[1] and the word being
# completed is its argument number $argv[2] (1 for the first), or any of its
# arguments when $argv[2] is absent.
function __fish_vigy_at_argument
    set -l words (__fish_vigy_command_and_arguments)
    test (count $words) -ge 1; or return 1
    contains -- $words[1] (string split ' ' -- $argv[1]); or return 1
    test (count $argv) -lt 2; and return 0
    test (count $words) -eq $argv[2]
end

# The names of the vigies in the store the command line names (its --db,
# else $VIGY_DB, else the default); nothing when there is no store.
function __fish_vigy_vigies
    set -l words (commandline -opc)
    set -l program vigy
    if string match -q -- '*/*' $words[1]; and test -x $words[1]
        set program $words[1]
    end
    set -l db
    for i in (seq 2 (count $words))
        switch $words[$i]
            case --db
                set db $words[(math $i + 1)]
            case '--db=*'
                set db (string replace -- --db= '' $words[$i])
        end
    end
    command -q $program; or return
    if test -n "$db"
        set db (string replace -r -- '^~/' "$HOME/" $db)
        $program --db $db __complete-vigies 2>/dev/null
    else
        $program __complete-vigies 2>/dev/null
    end
end

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
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a watch -d 'print runs as they are committed'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a serve -d 'the scheduler, in the foreground'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a health -d 'exit 0 only if serve is live and all is well'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a kv -d "read or seed a vigy's kv"
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a export -d 'write the store as JSON lines'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a import -d 'read an export into the store'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a mcp -d 'a Model Context Protocol server on stdio'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a eval -d 'run an expression'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a repl -d 'read, evaluate and print'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a completions -d 'print a shell completion script'

# Global options, before or after the command.
complete -c vigy -s h -l help -d 'print help and exit'
complete -c vigy -l version -d 'print the version and exit'
complete -c vigy -l db -r -F -d 'the store file'
complete -c vigy -s v -l verbose -d 'say more (repeat for more)'
complete -c vigy -s q -l quiet -d 'say less'
complete -c vigy -l json -d 'print data as JSON'
complete -c vigy -l no-color -d 'never colour output'

# Arguments: program FILEs, and vigy names from the store for VIGY.
complete -c vigy -n '__fish_seen_subcommand_from run check add register' -F
complete -c vigy -n '__fish_vigy_at_argument update 2' -F
complete -c vigy -n '__fish_vigy_at_argument import 1' -F
complete -c vigy -n '__fish_vigy_at_argument "show inspect update runs kv" 1' -a '(__fish_vigy_vigies)' -d vigy
complete -c vigy -n '__fish_vigy_at_argument "rm delete enable disable tick watch"' -a '(__fish_vigy_vigies)' -d vigy

# The first vigy's command names.
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a register -d 'add or replace a vigy (as add --replace)'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a inspect -d 'show a vigy (as show)'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a delete -d 'remove vigies (as rm)'
complete -c vigy -n "not __fish_seen_subcommand_from $vigy_commands" -a tail -d 'print runs as JSON lines (as watch --json)'
complete -c vigy -n '__fish_seen_subcommand_from register' -l name -x -d "the vigy's name"
complete -c vigy -n '__fish_seen_subcommand_from register' -l every -x -d 'tick interval in milliseconds'
complete -c vigy -n '__fish_seen_subcommand_from register' -l label -x -d 'a label KEY=VALUE'
complete -c vigy -n '__fish_seen_subcommand_from register' -l disabled -d 'register it disabled'
complete -c vigy -n '__fish_seen_subcommand_from tail' -l id -x -a '(__fish_vigy_vigies)' -d 'only the runs of this vigy'

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

# list, tick and serve: selectors.
complete -c vigy -n '__fish_seen_subcommand_from list ls tick serve export' -s l -l selector -x -d 'labels to match: k=v,k!=v,k'
complete -c vigy -n '__fish_seen_subcommand_from tick' -l all -d 'tick every enabled vigy'
complete -c vigy -n '__fish_seen_subcommand_from tick' -l dry-run -d 'run no handler and record nothing'

# runs.
complete -c vigy -n '__fish_seen_subcommand_from runs' -s n -l limit -x -d 'at most N runs'
complete -c vigy -n '__fish_seen_subcommand_from runs' -l failed -d 'only failed runs'
complete -c vigy -n '__fish_seen_subcommand_from runs' -l since -x -d 'a duration back from now or an RFC 3339 time'
complete -c vigy -n '__fish_seen_subcommand_from runs' -l prune -d 'remove old runs instead'
complete -c vigy -n '__fish_seen_subcommand_from runs' -l keep -x -d 'with --prune: runs to keep per vigy'

# watch.
complete -c vigy -n '__fish_seen_subcommand_from watch' -l failed -d 'only failed runs'

# serve.
complete -c vigy -n '__fish_seen_subcommand_from serve' -l once -d 'tick every vigy that is due once, then exit'
complete -c vigy -n '__fish_seen_subcommand_from serve' -l keep-runs -x -d 'runs to keep per vigy'
complete -c vigy -n '__fish_seen_subcommand_from serve' -l log-format -x -a 'text json' -d 'the format of the log on stderr'
complete -c vigy -n '__fish_seen_subcommand_from serve' -l workers -x -d 'evaluation threads'
complete -c vigy -n '__fish_seen_subcommand_from serve' -l http -x -d 'also serve the HTTP API on HOST:PORT'
complete -c vigy -n '__fish_seen_subcommand_from serve' -l addr -x -d 'also serve the HTTP API on HOST:PORT'
complete -c vigy -n '__fish_seen_subcommand_from serve' -l bind -x -d 'also serve the HTTP API on HOST:PORT'
complete -c vigy -n '__fish_seen_subcommand_from serve' -l http-token-file -r -F -d 'file holding the bearer token'
complete -c vigy -n '__fish_seen_subcommand_from serve' -l notify -x -a '(__fish_complete_command)' -d 'command run when a vigy fails, recovers or falls behind'
complete -c vigy -n '__fish_seen_subcommand_from serve' -l notify-timeout -x -d 'how long one run of the notify command may take'

# health.
complete -c vigy -n '__fish_seen_subcommand_from health' -l stale-after -x -d 'how late a vigy may be'

# export and import.
complete -c vigy -n '__fish_seen_subcommand_from export' -l runs -d 'also every run, with its actions'
complete -c vigy -n '__fish_seen_subcommand_from export' -s o -l output -r -F -d 'write to FILE instead of stdout'
complete -c vigy -n '__fish_seen_subcommand_from import' -l replace -d 'overwrite vigies that exist'

# kv VIGY ACTION.
complete -c vigy -n '__fish_vigy_at_argument kv 2' -a 'get set rm list' -d 'kv action'

# completions SHELL.
complete -c vigy -n '__fish_vigy_at_argument completions 1' -a 'bash zsh fish' -d shell
