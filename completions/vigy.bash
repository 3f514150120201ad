# bash completion for vigy(1).
# Install as /usr/share/bash-completion/completions/vigy, or load it now with
#   source <(vigy completions bash)
# Every command and option of the binary must appear here;
# tests/cli/docs_drift_test.cc fails when one is missing.

_vigy_global_opts='-h --help --version --db -v --verbose -q --quiet --json --no-color'

# Options whose value is the next word (or follows "=").
_vigy_value_opts='--db --kv --timeout --max-steps --max-depth --max-memory --name --every
    --cron --jitter --label --unlabel --handler -l --selector -n --limit --since --keep
    --keep-runs --log-format --workers --stale-after --http --addr --bind --http-token-file
    --notify --notify-timeout --id -o --output'

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
        show | inspect) echo "" ;;
        register) echo "--name --every --label --disabled" ;;
        delete) echo "" ;;
        tail) echo "--id" ;;
        rm | enable | disable) echo "" ;;
        tick) echo "--all -l --selector --dry-run" ;;
        runs) echo "-n --limit --failed --since --prune --keep" ;;
        watch) echo "--failed" ;;
        serve) echo "-l --selector --once --keep-runs --log-format --workers --http --addr --bind --http-token-file --notify --notify-timeout" ;;
        health) echo "--stale-after" ;;
        kv) echo "" ;;
        export) echo "--runs -l --selector -o --output" ;;
        import) echo "--replace" ;;
        mcp) echo "" ;;
        eval) echo "$limits" ;;
        repl) echo "$limits" ;;
        completions) echo "" ;;
    esac
}

# The names of the vigies in the store the command line names (its --db, else
# $VIGY_DB, else the default); nothing when there is no store.
_vigy_vigies() {
    local program=${words[0]} db='' i
    [[ $program == */* && -x $program ]] || program=vigy
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            --db) db=${words[i + 1]} ;;
            --db=*) db=${words[i]#--db=} ;;
        esac
    done
    if [[ -n $db ]]; then
        [[ $db == '~/'* ]] && db=$HOME/${db#'~/'}
        "$program" --db "$db" __complete-vigies 2>/dev/null
    else
        "$program" __complete-vigies 2>/dev/null
    fi
}

_vigy() {
    COMPREPLY=()

    # COMP_WORDS, with "--opt" "=" "value" (bash splits at "=") joined again.
    local words=() cword=0 i n=0 joining=0
    for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
        local word=${COMP_WORDS[i]}
        if [[ $word == = ]] && ((n > 0)) && [[ ${words[n - 1]} == --* && ${words[n - 1]} != *=* ]]; then
            words[n - 1]+='='
            joining=1
        elif ((joining)); then
            words[n - 1]+=$word
            joining=0
        else
            words[n++]=$word
        fi
        ((i == COMP_CWORD)) && cword=$((n - 1))
    done
    ((${#COMP_WORDS[@]} == 0)) && return
    local cur=${words[cword]} prev=${words[cword - 1]}

    # "--opt=value": complete the value, as if it were the next word.
    if [[ $cur == --*=* ]]; then
        prev=${cur%%=*}
        cur=${cur#*=}
    fi

    local IFS=$' \t\n'
    local commands='run check add update list ls show rm enable disable tick runs watch serve health kv export import mcp eval repl completions register inspect delete tail'

    case $prev in
        --db)
            local IFS=$'\n'
            COMPREPLY=($(compgen -f -- "$cur"))
            compopt -o filenames 2>/dev/null
            return
            ;;
        --handler|--notify)
            COMPREPLY=($(compgen -c -- "$cur"))
            return
            ;;
        --http-token-file|--output|-o)
            local IFS=$'\n'
            COMPREPLY=($(compgen -f -- "$cur"))
            compopt -o filenames 2>/dev/null
            return
            ;;
        --log-format)
            COMPREPLY=($(compgen -W 'text json' -- "$cur"))
            return
            ;;
    esac
    local option
    for option in $_vigy_value_opts; do
        [[ $prev == "$option" ]] && return
    done

    # The command: the first word that is neither an option nor an option's
    # value; argc counts the arguments after it, before the current word.
    local command='' argc=0
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            -*=*) ;;
            -*)
                for option in $_vigy_value_opts; do
                    if [[ ${words[i]} == "$option" ]]; then
                        ((i++))
                        break
                    fi
                done
                ;;
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

    local vigies=0 files=0
    case $command in
        run | check | add | register) files=1 ;;
        import) ((argc == 0)) && files=1 ;;
        show | inspect | runs) ((argc == 0)) && vigies=1 ;;
        rm | delete | enable | disable | tick | watch) vigies=1 ;;
        update)
            # VIGY, then the new program's FILE.
            if ((argc == 0)); then vigies=1; else files=1; fi
            ;;
        kv)
            if ((argc == 0)); then
                vigies=1
            elif ((argc == 1)); then
                COMPREPLY=($(compgen -W 'get set rm list' -- "$cur"))
            fi
            ;;
        completions)
            ((argc == 0)) && COMPREPLY=($(compgen -W 'bash zsh fish' -- "$cur"))
            ;;
    esac
    if ((vigies)); then
        local IFS=$'\n'
        COMPREPLY=($(compgen -W "$(_vigy_vigies)" -- "$cur"))
    elif ((files)); then
        local IFS=$'\n'
        COMPREPLY=($(compgen -f -- "$cur"))
        compopt -o filenames 2>/dev/null
    fi
}

complete -F _vigy vigy
