# bash completion for netlab(8)                           -*- shell-script -*-
#
# Installed as share/bash-completion/completions/netlab (bash-completion
# loads it on first use), or: source completion/netlab.bash
#
# Commands and options come from the binary's own help (`netlab --help`,
# `netlab COMMAND --help`), read once per shell: the usage line of a
# command says which options it takes, which of them take a value, and
# what each operand is (FILE, LAB, NODE, IFNAME, up|down, ...).
#
# Operands:  FILE      *.ini files and directories
#            LAB       labs in /run/netlab (listable without root)
#            NODE      the lab's nodes: from its topology.ini (root only),
#                      else from /etc/netns/LAB.* and /run/netns/LAB.*,
#                      which anyone can list (these include switches)
#            IFNAME    the node's interfaces, from the lab's topology.ini:
#                      root only (the state directory is mode 0700); for a
#                      switch, its ports via `ip -n` (root)
#            OPTION=VALUE  impairment options (impair)
#            CMD       commands (exec)

_netlab_state=/run/netlab
_netlab_netns=/run/netns

# Settings of [node NAME] (netlab.ini(5)): every other key is an interface.
_netlab_node_settings="forward route sysctl run bind tmpfs env log_max ready host files shared"
_netlab_impairments="rate delay jitter loss duplicate corrupt reorder"

declare -gA _netlab_usage_cache

# _netlab_usage BIN [CMD]: the usage line of the binary or of one command,
# less "usage: netlab CMD".
_netlab_usage()
{
	local key="$1|${2:-}" out
	if [[ -z ${_netlab_usage_cache[$key]+set} ]]; then
		if [[ -n ${2:-} ]]; then
			out=$("$1" "$2" --help 2>/dev/null | sed -n "1s/^usage: netlab $2 *//p")
		else
			out=$("$1" --help 2>/dev/null)
		fi
		_netlab_usage_cache[$key]=$out
	fi
	printf '%s\n' "${_netlab_usage_cache[$key]}"
}

_netlab_commands()
{
	_netlab_usage "$1" | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p'
}

_netlab_labs()
{
	local d
	for d in "$_netlab_state"/*/; do
		[[ -d $d ]] || continue
		d=${d%/}
		printf '%s\n' "${d##*/}"
	done
}

# The lab's topology as `up` stored it, if this user may read it.
_netlab_topology()
{
	local f=$_netlab_state/$1/topology.ini
	[[ -r $f ]] && printf '%s\n' "$f"
}

# _netlab_sections FILE KIND: the names of the [KIND NAME] sections.
_netlab_sections()
{
	sed -n "s/^[[:space:]]*\[[[:space:]]*$2[[:space:]]\{1,\}\([A-Za-z0-9_-]*\)[[:space:]]*\].*/\1/Ip" "$1" |
		tr 'A-Z' 'a-z'
}

# _netlab_nodes LAB [all]: node names; with "all", switches too.
_netlab_nodes()
{
	local lab=$1 f d found=""
	if [[ ${2:-} != all ]]; then
		f=$(_netlab_topology "$lab")
		if [[ -n $f ]]; then
			_netlab_sections "$f" node
			return 0
		fi
		# Without the topology, the names anyone can list: /etc/netns
		# holds nodes only (unless the lab has hosts = no) ...
		for d in /etc/netns/"$lab".*/; do
			[[ -d $d ]] || continue
			d=${d%/}
			printf '%s\n' "${d##*/$lab.}"
			found=1
		done
		[[ -n $found ]] && return 0
	fi
	# ... /run/netns every node and switch.
	for d in "$_netlab_netns/$lab".*; do
		[[ -e $d ]] && printf '%s\n' "${d##*/$lab.}"
	done
}

# _netlab_ifaces LAB NODE: the keys of [node NODE] that are no setting.
_netlab_ifaces()
{
	local lab=$1 node=$2 f
	f=$(_netlab_topology "$lab")
	if [[ -n $f ]] && _netlab_sections "$f" node | grep -qx -- "$node"; then
		awk -v want="node $node" -v settings="$_netlab_node_settings" '
			BEGIN { n = split(settings, s, " "); for (i = 1; i <= n; i++) set[s[i]] = 1 }
			cont { cont = /\\[[:space:]]*$/; next }
			{ cont = /\\[[:space:]]*$/ }
			/^[[:space:]]*[;#]/ { next }
			/^[[:space:]]*\[/ {
				h = $0
				sub(/^[[:space:]]*\[[[:space:]]*/, "", h)
				sub(/[[:space:]]*\].*/, "", h)
				gsub(/[[:space:]]+/, " ", h)
				in_node = (tolower(h) == want)
				next
			}
			in_node && /=/ {
				k = $0
				sub(/=.*/, "", k)
				gsub(/[[:space:]]/, "", k)
				k = tolower(k)
				if (k != "" && !(k in set)) print k
			}' "$f"
		return 0
	fi
	# A switch (capture on its ports), or no topology to read: what the
	# namespace holds, for whoever may look into it.
	[[ -e $_netlab_netns/$lab.$node ]] || return 0
	ip -n "$lab.$node" -o link show 2>/dev/null |
		awk -F': ' '{ sub(/@.*/, "", $2); if ($2 != "lo") print $2 }'
}

# _netlab_reply CUR WORD...: COMPREPLY from the words that start with CUR.
_netlab_reply()
{
	local cur=$1 w
	shift
	for w in "$@"; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("$w")
	done
}

_netlab_files()
{
	local cur=$1 IFS=$'\n'
	compopt -o filenames 2>/dev/null
	COMPREPLY+=($(compgen -d -- "$cur") $(compgen -f -X '!*.ini' -- "$cur"))
}

# _netlab_operand KIND CUR LAB NODE: complete one operand of its KIND, as
# the usage line names it ("LAB|FILE", "up|down", "NODE", ...).
_netlab_operand()
{
	local kind=$1 cur=$2 lab=$3 node=$4 alt
	local IFS='|'
	local -a alts=($kind)
	IFS=$' \t\n'
	for alt in "${alts[@]}"; do
		alt=${alt%...}
		case $alt in
		FILE) _netlab_files "$cur" ;;
		LAB) _netlab_reply "$cur" $(_netlab_labs) ;;
		NODE) [[ -n $lab ]] && _netlab_reply "$cur" $(_netlab_nodes "$lab" ${want_all:+all}) ;;
		IFNAME) [[ -n $node ]] && _netlab_reply "$cur" $(_netlab_ifaces "$lab" "$node") ;;
		COMMAND) _netlab_reply "$cur" $(_netlab_commands "$bin") ;;
		CMD) local IFS=$'\n'; COMPREPLY+=($(compgen -c -- "$cur")) ;;
		ARG) _netlab_files_any "$cur" ;;
		OPTION=VALUE)
			[[ $cur == *=* ]] && continue
			local o
			for o in $_netlab_impairments; do
				[[ $o= == "$cur"* ]] && COMPREPLY+=("$o=")
			done
			compopt -o nospace 2>/dev/null
			;;
		[a-z]*) _netlab_reply "$cur" "$alt" ;; # a literal word
		esac
	done
}

_netlab_files_any()
{
	local IFS=$'\n'
	compopt -o filenames 2>/dev/null
	COMPREPLY+=($(compgen -f -- "$1"))
}

_netlab()
{
	COMPREPLY=()
	local bin=${COMP_WORDS[0]}
	[[ $bin == */* && -x $bin ]] || bin=netlab
	command -v -- "$bin" >/dev/null 2>&1 || return 0

	# Words as the user sees them: bash splits "delay=10ms" at '=' (and
	# ':'); put such pieces back together.
	local -a words=()
	local i w cw=0
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		if ((i > 1)) && [[ $w == [=:] || ${COMP_WORDS[i - 1]} == [=:] ]]; then
			words[${#words[@]} - 1]+=$w
		else
			words+=("$w")
		fi
		((i == COMP_CWORD)) && cw=$((${#words[@]} - 1))
	done
	local cur=${words[cw]}

	# The command: the first word that is no global option.
	local cmd="" ci
	for ((ci = 1; ci < cw; ci++)); do
		[[ ${words[ci]} == -* ]] && continue
		cmd=${words[ci]}
		break
	done
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			_netlab_reply "$cur" $(_netlab_usage "$bin" | sed -n '1,2p' |
				grep -o -- '-[-a-z]*' | sort -u) -h --verbose --quiet
		else
			_netlab_reply "$cur" $(_netlab_commands "$bin")
		fi
		return 0
	fi

	# The command's usage line: its options ("[-w FILE]", "[-f|--follow]")
	# and its operands, in order.
	local usage opt_re='\[(-[^]]*)\]'
	usage=$(_netlab_usage "$bin" "$cmd")
	[[ -n $usage ]] || return 0
	local -A takes=()	# option -> the kind of its value
	local -a opts=() operands=()
	local rest=$usage group names value n
	while [[ $rest =~ $opt_re ]]; do
		group=${BASH_REMATCH[1]}
		rest=${rest/"${BASH_REMATCH[0]}"/}
		names=${group%% *}
		value=""
		[[ $group == *" "* ]] && value=${group#* }
		local IFS='|'
		for n in $names; do
			[[ $n == -- ]] && continue
			n=${n%%\[*}	# "--wait[=T]": an optional value
			opts+=("$n")
			[[ -n $value ]] && takes[$n]=$value
		done
		IFS=$' \t\n'
	done
	for w in $rest; do
		w=${w//[][]/}
		# "LAB|FILE | --all": an option that stands instead of operands
		if [[ $w == --* ]]; then
			opts+=("$w")
			continue
		fi
		[[ -n $w && $w != "|" ]] && operands+=("$w")
	done

	# Walk the words before the cursor: which operand comes next.
	local nop=0 lab="" node="" ended="" skip="" want_all=""
	[[ $cmd == capture ]] && want_all=1	# NODE may be a switch
	for ((i = ci + 1; i < cw; i++)); do
		w=${words[i]}
		if [[ -n $skip ]]; then
			skip=""
			continue
		fi
		if [[ -z $ended && $w == -- ]]; then
			ended=1
			continue
		fi
		if [[ -z $ended && $w == -?* ]]; then
			[[ -n ${takes[$w]+set} ]] && skip=1
			continue
		fi
		case ${operands[nop]:-} in
		LAB | LAB\|FILE | FILE\|LAB) lab=$w ;;
		NODE) node=$w ;;
		CMD) ended=1 ;;
		esac
		[[ ${operands[nop]:-} == *...* ]] || nop=$((nop + 1))
	done

	# The value of an option?
	local prev=${words[cw - 1]}
	if [[ -z $ended && -n ${takes[$prev]+set} ]]; then
		[[ ${takes[$prev]} == FILE ]] && _netlab_files_any "$cur"
		return 0
	fi
	if [[ -z $ended && $cur == -* ]]; then
		_netlab_reply "$cur" "${opts[@]}"
		return 0
	fi
	[[ -n ${operands[nop]:-} ]] &&
		_netlab_operand "${operands[nop]}" "$cur" "$lab" "$node"
	return 0
}

complete -F _netlab netlab
