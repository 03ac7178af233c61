import type { Command, Option } from "commander";

/**
 * Shell completion scripts for bash, zsh and fish, generated from the commander program itself
 * (its verbs, aliases, options and choices), so a new verb or flag completes without a list to
 * keep up to date. Commander has no completion of its own; this walks its public Help API.
 */

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

interface Flag {
  /** `--body`, `-V`. */
  names: string[];
  description: string;
  takesValue: boolean;
  choices: string[];
}

interface Verb {
  /** Words after the program's name: `boards list`. */
  path: string;
  /** The same path spelt with each alias (`boards ls`). */
  spellings: string[];
  description: string;
  /** Subcommands by name, with their descriptions. */
  children: Array<{ name: string; aliases: string[]; description: string }>;
  flags: Flag[];
  /** The choices of the first argument (`completion <shell>`). */
  argumentChoices: string[];
}

function flagsOf(cmd: Command): Flag[] {
  const own = cmd.createHelp().visibleOptions(cmd);
  // The program's options (--board) apply after any verb too (commander reads them anywhere).
  const inherited: Option[] = [];
  for (let p = cmd.parent; p; p = p.parent) {
    inherited.push(...p.options.filter((o) => !o.hidden && o.long !== "--version"));
  }
  return [...own, ...inherited].map((o) => ({
    names: [o.long, o.short].filter((n): n is string => Boolean(n)),
    description: o.description,
    takesValue: o.required || o.optional,
    choices: o.argChoices ?? [],
  }));
}

/** Every command of the program, the program itself first (path ""). */
export function describeProgram(program: Command): Verb[] {
  const verbs: Verb[] = [];
  const walk = (cmd: Command, path: string[], spellings: string[][]) => {
    const help = cmd.createHelp();
    const children = help.visibleCommands(cmd);
    verbs.push({
      path: path.join(" "),
      spellings: spellings.map((s) => s.join(" ")),
      description: cmd.description(),
      children: children.map((c) => ({ name: c.name(), aliases: c.aliases(), description: c.description() })),
      flags: flagsOf(cmd),
      argumentChoices: cmd.registeredArguments[0]?.argChoices ?? [],
    });
    for (const child of children) {
      // Commander's implicit `help` command is offered, not walked.
      if (!cmd.commands.includes(child)) continue;
      const names = [child.name(), ...child.aliases()];
      walk(
        child,
        [...path, child.name()],
        spellings.flatMap((s) => names.map((n) => [...s, n])),
      );
    }
  };
  walk(program, [], [[]]);
  return verbs;
}

/** A shell word in single quotes. */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Options that take a value, whose next word is that value (never a verb). */
function valueFlags(verbs: Verb[]): string[] {
  return [...new Set(verbs.flatMap((v) => v.flags.filter((f) => f.takesValue).flatMap((f) => f.names)))].sort();
}

/** `case` arms of one shell function: each spelling of a verb's path prints `words`. */
function caseArms(verbs: Verb[], words: (v: Verb) => string[], indent: string): string {
  return verbs
    .filter((v) => words(v).length > 0)
    .map((v) => {
      const patterns = v.spellings.map((s) => `"${s}"`).join("|");
      return `${indent}${patterns}) printf '%s\\n' ${words(v).map(quote).join(" ")} ;;`;
    })
    .join("\n");
}

function choiceArms(verbs: Verb[], indent: string): string {
  const arms: string[] = [];
  for (const v of verbs) {
    for (const f of v.flags) {
      if (f.choices.length === 0) continue;
      for (const spelling of v.spellings) {
        for (const name of f.names) {
          arms.push(`${indent}"${spelling}|${name}") printf '%s\\n' ${f.choices.map(quote).join(" ")} ;;`);
        }
      }
    }
  }
  return arms.join("\n");
}

function childNames(v: Verb): string[] {
  return v.children.flatMap((c) => [c.name, ...c.aliases]);
}

/** The shared part of the bash and zsh scripts: the data as functions, and the path of the words typed so far. */
function posixData(prefix: string, verbs: Verb[]): string {
  const paths = verbs.flatMap((v) => v.spellings).filter((s) => s !== "");
  return `${prefix}_children() {
  case "$1" in
${caseArms(verbs, childNames, "    ")}
  esac
}

${prefix}_flags() {
  case "$1" in
${caseArms(verbs, (v) => v.flags.flatMap((f) => f.names), "    ")}
  esac
}

${prefix}_arguments() {
  case "$1" in
${caseArms(
  verbs.filter((v) => v.argumentChoices.length > 0),
  (v) => v.argumentChoices,
  "    ",
)}
  esac
}

${prefix}_choices() {
  case "$1" in
${choiceArms(verbs, "    ")}
  esac
}

${prefix}_is_path() {
  case "$1" in
    ${paths.map((p) => `"${p}"`).join("|")}) return 0 ;;
  esac
  return 1
}

${prefix}_takes_value() {
  case "$1" in
    ${valueFlags(verbs).join("|")}) return 0 ;;
  esac
  return 1
}

# The verb path of the words before the cursor: "boards list" for \`switchyard --board x boards list --js\`.
${prefix}_path() {
  local verb="" skip=0 w
  for w in "$@"; do
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    case "$w" in
      --*=*) continue ;;
      -*) ${prefix}_takes_value "$w" && skip=1; continue ;;
    esac
    if ${prefix}_is_path "\${verb:+$verb }$w"; then verb="\${verb:+$verb }$w"; fi
  done
  printf '%s' "$verb"
}`;
}

export function bashScript(program: Command): string {
  const verbs = describeProgram(program);
  const name = program.name();
  return `# bash completion for ${name} (and sy), generated by \`${name} completion bash\` from its verbs and options.
# Load it with:  source <(${name} completion bash)   or save it under ~/.local/share/bash-completion/completions/${name}

${posixData("__switchyard", verbs)}

_switchyard() {
  local cur prev verb
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  verb="$(__switchyard_path "\${COMP_WORDS[@]:1:COMP_CWORD-1}")"
  if [ "$COMP_CWORD" -gt 1 ] && __switchyard_takes_value "$prev"; then
    local choices
    choices="$(__switchyard_choices "$verb|$prev")"
    # A value without choices (a title, a path): the shell's default completion.
    if [ -n "$choices" ]; then COMPREPLY=($(compgen -W "$choices" -- "$cur")); fi
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(__switchyard_flags "$verb")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(__switchyard_children "$verb") $(__switchyard_arguments "$verb")" -- "$cur"))
  fi
}

complete -o default -F _switchyard ${name} sy
`;
}

/** `name:description` pairs for zsh's _describe. */
function described(items: Array<{ names: string[]; description: string }>): string[] {
  return items.flatMap((i) => i.names.map((n) => `${n.replace(/:/g, "\\:")}:${oneLine(i.description)}`));
}

export function zshScript(program: Command): string {
  const verbs = describeProgram(program);
  const name = program.name();
  return `#compdef ${name} sy
# zsh completion for ${name} (and sy), generated by \`${name} completion zsh\` from its verbs and options.
# Load it with:  source <(${name} completion zsh)   or save it as _${name} in a directory of your $fpath

${posixData("__switchyard", verbs)}

__switchyard_described_children() {
  case "$1" in
${caseArms(verbs, (v) => described(v.children.map((c) => ({ names: [c.name, ...c.aliases], description: c.description }))), "    ")}
  esac
}

__switchyard_described_flags() {
  case "$1" in
${caseArms(verbs, (v) => described(v.flags), "    ")}
  esac
}

_switchyard() {
  local cur prev verb
  local -a items
  cur="\${words[CURRENT]}"
  prev="\${words[CURRENT-1]}"
  verb="$(__switchyard_path "\${(@)words[2,CURRENT-1]}")"
  if (( CURRENT > 2 )) && __switchyard_takes_value "$prev"; then
    items=("\${(@f)$(__switchyard_choices "$verb|$prev")}")
    if [[ -n "\${items[1]}" ]]; then compadd -a items; else _files; fi
    return
  fi
  if [[ "$cur" == -* ]]; then
    items=("\${(@f)$(__switchyard_described_flags "$verb")}")
    _describe -t options 'option' items
  else
    items=("\${(@f)$(__switchyard_described_children "$verb")}")
    [[ -n "\${items[1]}" ]] && _describe -t commands 'command' items
    items=("\${(@f)$(__switchyard_arguments "$verb")}")
    [[ -n "\${items[1]}" ]] && compadd -a items
  fi
  return 0
}

if [[ -n "\${ZSH_VERSION:-}" ]] && (( \${+functions[compdef]} )); then
  compdef _switchyard ${name} sy
fi
`;
}

export function fishScript(program: Command): string {
  const verbs = describeProgram(program);
  const name = program.name();
  const paths = verbs.flatMap((v) => v.spellings).filter((s) => s !== "");
  const lines: string[] = [];
  for (const v of verbs) {
    for (const spelling of v.spellings) {
      const when = quote(`__switchyard_path_is ${quote(spelling)}`);
      for (const c of v.children) {
        for (const n of [c.name, ...c.aliases]) {
          lines.push(`complete -c ${name} -f -n ${when} -a ${quote(n)} -d ${quote(oneLine(c.description))}`);
        }
      }
      for (const choice of v.argumentChoices) lines.push(`complete -c ${name} -f -n ${when} -a ${quote(choice)}`);
      for (const f of v.flags) {
        const long = f.names.find((n) => n.startsWith("--"))?.slice(2);
        const short = f.names.find((n) => !n.startsWith("--"))?.slice(1);
        const parts = [`complete -c ${name} -n ${when}`];
        if (long) parts.push(`-l ${quote(long)}`);
        if (short) parts.push(`-s ${quote(short)}`);
        if (f.takesValue) parts.push("-r");
        if (f.choices.length > 0) parts.push(`-f -a ${quote(f.choices.join(" "))}`);
        parts.push(`-d ${quote(oneLine(f.description))}`);
        lines.push(parts.join(" "));
      }
    }
  }
  return `# fish completion for ${name} (and sy), generated by \`${name} completion fish\` from its verbs and options.
# Load it with:  ${name} completion fish | source   or save it as ~/.config/fish/completions/${name}.fish

function __switchyard_path
    set -l paths ${paths.map(quote).join(" ")}
    set -l value_flags ${valueFlags(verbs).map(quote).join(" ")}
    set -l verb ""
    set -l skip 0
    for w in (commandline -opc)[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $w
            case '--*=*'
                continue
            case '-*'
                contains -- $w $value_flags; and set skip 1
                continue
        end
        set -l next (string trim -- "$verb $w")
        contains -- $next $paths; and set verb $next
    end
    echo $verb
end

function __switchyard_path_is
    test (__switchyard_path) = "$argv[1]"
end

complete -c ${name} -e
complete -c sy -w ${name}
${lines.join("\n")}
`;
}

export const SCRIPTS: Record<Shell, (program: Command) => string> = {
  bash: bashScript,
  zsh: zshScript,
  fish: fishScript,
};
