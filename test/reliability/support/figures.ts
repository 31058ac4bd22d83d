// The figures each scenario measured (messages sent and received, duplicates absorbed, recovery times):
// printed as a test diagnostic, and appended as a JSON line to RELIABILITY_FIGURES when that is set, which
// is how the table in docs/reliability.md is produced.
import { appendFile } from 'node:fs/promises';

export interface Diagnosable {
  diagnostic(message: string): void;
}

export async function reportFigures(
  t: Diagnosable,
  scenario: string,
  figures: Readonly<Record<string, unknown>>,
): Promise<void> {
  const line = JSON.stringify({ scenario, ...figures });
  t.diagnostic(line);
  const file = process.env.RELIABILITY_FIGURES;
  if (file) await appendFile(file, `${line}\n`);
}
