import type { Command } from "commander";

/** Words each command path completes to: its subcommands, then its options. */
function words(command: Command, path: string[] = [], into = new Map<string, string[]>()): Map<string, string[]> {
  into.set(path.join(" "), [...command.commands.map((c) => c.name()), ...command.options.map((o) => o.long ?? o.short ?? "")].filter(Boolean));
  for (const sub of command.commands) words(sub, [...path, sub.name()], into);
  return into;
}

/** A bash or zsh completion script for ferryctl's commands and options (kinds after get/describe too). */
export function completionScript(program: Command, shell: "bash" | "zsh"): string {
  const table = words(program);
  for (const verb of ["get", "describe"]) table.get(verb)?.unshift("nodes", "vms", "migrations", "plans", "policies");
  table.get("top")?.unshift("nodes");
  const cases = [...table]
    .map(([path, list]) => `    "${path}") words="${list.join(" ")}" ;;`)
    .join("\n");
  const body = `_ferryctl() {
  local cur path i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  path=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) path="\${path:+$path }\${COMP_WORDS[i]}" ;; esac
  done
  local words=""
  case "$path" in
${cases}
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -F _ferryctl ferryctl
`;
  return shell === "bash" ? body : `autoload -U +X bashcompinit && bashcompinit\n${body}`;
}
