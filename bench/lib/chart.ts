import type { Row } from './report.ts';

const ROW_H = 26;
const LABEL_W = 190;
const BAR_W = 420;
const RIGHT_W = 150;

const escape = (text: string): string =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

/**
 * The results as an SVG bar chart: one bar per row with a baseline, its length the ratio ours/baseline, a
 * mark at 1.0 (the baseline itself) and a mark at the row's target; green when the target is met, amber
 * when it is not, grey without a target. Self-contained (no script, no external font), so a README can link it.
 */
export function ratioChart(rows: readonly Row[], caption: string): string {
  const bars = rows.flatMap((r) =>
    r.baseline === undefined || r.baseline === 0 ? [] : [{ row: r, ratio: r.ours / r.baseline }],
  );
  const scaleMax = Math.max(
    1.25,
    ...bars.map((b) => Math.min(b.ratio, 3)),
    ...bars.map((b) => b.row.target ?? 0),
  );
  const x = (v: number): number => LABEL_W + (Math.min(v, scaleMax) / scaleMax) * BAR_W;
  const height = 40 + bars.length * ROW_H + 30;
  const width = LABEL_W + BAR_W + RIGHT_W;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="8" y="18" font-size="13" font-weight="bold">${escape(caption)}</text>`,
    `<line x1="${x(1)}" y1="28" x2="${x(1)}" y2="${height - 24}" stroke="#555" stroke-dasharray="4 3"/>`,
    `<text x="${x(1)}" y="${height - 10}" text-anchor="middle">1.0 = baseline</text>`,
  ];
  bars.forEach(({ row, ratio }, i) => {
    const y = 34 + i * ROW_H;
    const target = row.target;
    const color = target === undefined ? '#9aa5b1' : ratio >= target ? '#2f9e44' : '#f59f00';
    parts.push(
      `<text x="8" y="${y + 14}">${escape(row.scenario)}</text>`,
      `<rect x="${LABEL_W}" y="${y + 2}" width="${Math.max(1, x(ratio) - LABEL_W)}" height="${ROW_H - 8}" fill="${color}"/>`,
      `<text x="${LABEL_W + BAR_W + 8}" y="${y + 14}">${ratio.toFixed(2)}${target === undefined ? '' : ` (target ${target})`}</text>`,
    );
    if (target !== undefined)
      parts.push(
        `<line x1="${x(target)}" y1="${y}" x2="${x(target)}" y2="${y + ROW_H - 4}" stroke="#c92a2a" stroke-width="2"/>`,
      );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
