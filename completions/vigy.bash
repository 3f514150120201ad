# bash completion for vigy(1).
# Install as /usr/share/bash-completion/completions/vigy, or source it.
# Every command and option of the binary must appear here;
# tests/cli/docs_drift_test.cc fails when one is missing.

_vigy_global_opts='-h --help --version --db -v --verbose -q --quiet --json --no-color'

# The options of each command (besides the global ones).
_vigy_command_opts() {
    local limits='--timeout --max-steps --max-depth --max-memory'
    local settings='--every --cron --jitter --label --timeout --max-steps --handler'
    case $1 in
        run) echo "--kv $limits" ;;
        check) echo "" ;;
        add) echo "--name $settings --disabled --replace" ;;
        update) echo "$settings --unlabel --no-schedule --no-timeout --no-max-steps --no-handler" ;;
        list | ls) echo "-l --selector" ;;
        show) echo "" ;;
        rm | enable | disable) echo "" ;;
        tick) echo "--all -l --selector --dry-run" ;;
        runs) echo "-n --limit --failed --since --prune --keep" ;;
        kv) echo "" ;;
        eval) echo "$limits" ;;
        repl) echo "$limits" ;;
    esac
}

_vigy() {
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion -n = || return
    else
        COMPREPLY=()
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    local commands='run check add update list ls show rm enable disable tick runs kv eval repl'

    # Options whose value is the next word.
    case $prev in
        --db)
            COMPREPLY=($(compgen -f -- "$cur"))
            return
            ;;
        --handler)
            COMPREPLY=($(compgen -c -- "$cur"))
            return
            ;;
        --kv | --timeout | --max-steps | --max-depth | --max-memory | --name | --every | \
            --cron | --jitter | --label | --unlabel | -l | --selector | -n | --limit | \
            --since | --keep)
            return
            ;;
    esac

    # The command: the first word that is neither an option nor an option's value.
    local i command='' argc=0
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            --db | --kv | --timeout | --max-steps | --max-depth | --max-memory | --name | \
                --every | --cron | --jitter | --label | --unlabel | -l | --selector | -n | \
                --limit | --since | --keep | --handler)
                ((i++))
                ;;
            -*) ;;
            *)
                if [[ -z $command ]]; then
                    command=${words[i]}
                else
                    ((argc++))
                fi
                ;;
        esac
    done

    if [[ -z $command ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$_vigy_global_opts" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi

    if [[ $cur == -* ]]; then
        # Global options (--json among them) may follow the command too.
        COMPREPLY=($(compgen -W "$(_vigy_command_opts "$command") $_vigy_global_opts" -- "$cur"))
        return
    fi

    case $command in
        run | check | add)
            COMPREPLY=($(compgen -f -- "$cur"))
            ;;
        update)
            # VIGY, then the new program's FILE.
            if ((argc >= 1)); then
                COMPREPLY=($(compgen -f -- "$cur"))
            fi
            ;;
        kv)
            if ((argc == 1)); then
                COMPREPLY=($(compgen -W 'get set rm list' -- "$cur"))
            fi
            ;;
    esac
}

complete -o filenames -F _vigy vigy
