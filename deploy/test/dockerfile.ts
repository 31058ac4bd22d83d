// Just enough of the Dockerfile grammar to check deploy/Dockerfile without a Docker engine: line continuations,
// comments, stages, flags, and the exec (JSON) and shell forms of arguments.
import { posix } from 'node:path';

export interface Instruction {
  readonly keyword: string;
  /** Flags before the arguments, e.g. `{ from: 'build' }` for `COPY --from=build`. */
  readonly flags: Readonly<Record<string, string>>;
  /** The arguments after the flags: split on whitespace, or the elements of the JSON array. */
  readonly args: readonly string[];
  readonly line: number;
}

export interface Stage {
  readonly name: string;
  /** An image reference, or the name of an earlier stage. */
  readonly base: string;
  readonly line: number;
  readonly instructions: readonly Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const stages: { name: string; base: string; line: number; instructions: Instruction[] }[] = [];
  for (const instruction of logicalLines(text)) {
    if (instruction.keyword === 'FROM') {
      const [base, as, name] = instruction.args;
      if (base === undefined) throw new Error(`line ${instruction.line}: FROM without an image`);
      const named = as?.toUpperCase() === 'AS' && name !== undefined;
      stages.push({
        name: named ? name : String(stages.length),
        base,
        line: instruction.line,
        instructions: [],
      });
      continue;
    }
    const current = stages.at(-1);
    if (current === undefined) {
      if (instruction.keyword === 'ARG') continue; // the only instruction allowed before the first FROM
      throw new Error(`line ${instruction.line}: ${instruction.keyword} before any FROM`);
    }
    current.instructions.push(instruction);
  }
  return stages;
}

/** The stage and its ancestors (stages it is built FROM), the root first. */
export function lineage(stages: readonly Stage[], stage: Stage): Stage[] {
  const chain = [stage];
  for (let parent = byName(stages, stage.base); parent !== undefined; parent = byName(stages, parent.base)) {
    chain.unshift(parent);
  }
  return chain;
}

/** Every instruction that applies to a stage, its ancestors' first. */
export function effectiveInstructions(stages: readonly Stage[], stage: Stage): Instruction[] {
  return lineage(stages, stage).flatMap((s) => s.instructions);
}

/** The last value of an instruction that later ones override (USER, CMD, HEALTHCHECK, WORKDIR...). */
export function last(instructions: readonly Instruction[], keyword: string): Instruction | undefined {
  return instructions.filter((i) => i.keyword === keyword).at(-1);
}

/** Where a relative COPY destination lands: resolved against the WORKDIR in force at that instruction. */
export function copyDestination(instructions: readonly Instruction[], copy: Instruction): string {
  let workdir = '/';
  for (const i of instructions) {
    if (i === copy) break;
    if (i.keyword === 'WORKDIR' && i.args[0] !== undefined) workdir = posix.resolve(workdir, i.args[0]);
  }
  const dest = copy.args.at(-1) ?? '.';
  return posix.resolve(workdir, dest);
}

/** The ENV values in force for a stage (both `ENV a=b c=d` and the legacy `ENV a b`). */
export function environment(instructions: readonly Instruction[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const i of instructions.filter((x) => x.keyword === 'ENV')) {
    if (i.args.length === 2 && !i.args[0]?.includes('=')) {
      env.set(i.args[0] ?? '', i.args[1] ?? '');
      continue;
    }
    for (const pair of i.args) {
      const at = pair.indexOf('=');
      if (at > 0) env.set(pair.slice(0, at), pair.slice(at + 1));
    }
  }
  return env;
}

function byName(stages: readonly Stage[], name: string): Stage | undefined {
  return stages.find((s) => s.name === name);
}

function* logicalLines(text: string): Generator<Instruction> {
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const start = n + 1;
    let line = lines[n] ?? '';
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && n + 1 < lines.length) {
      n++;
      const next = lines[n] ?? '';
      if (/^\s*#/.test(next)) continue; // comments inside a continued instruction are dropped
      line = line.replace(/\\\s*$/, ' ') + next;
    }
    yield parseInstruction(line.trim(), start);
  }
}

function parseInstruction(line: string, lineNumber: number): Instruction {
  const match = /^(\S+)\s*(.*)$/.exec(line);
  const keyword = (match?.[1] ?? '').toUpperCase();
  let rest = match?.[2] ?? '';
  const flags: Record<string, string> = {};
  for (
    let flag = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest);
    flag;
    flag = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest)
  ) {
    flags[flag[1] ?? ''] = flag[2] ?? 'true';
    rest = rest.slice(flag[0].length);
  }
  // HEALTHCHECK [flags] CMD <exec or shell form>: the command after CMD is parsed like CMD's own arguments.
  const healthCmd = keyword === 'HEALTHCHECK' ? /^CMD\s+(.*)$/i.exec(rest) : null;
  const args = healthCmd ? ['CMD', ...splitArgs(healthCmd[1] ?? '')] : splitArgs(rest);
  return { keyword, flags, args, line: lineNumber };
}

function splitArgs(rest: string): string[] {
  if (rest.startsWith('[')) {
    const parsed: unknown = JSON.parse(rest);
    if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return parsed;
  }
  return rest.split(/\s+/).filter((x) => x !== '');
}
