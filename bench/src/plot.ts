// An SVG of throughput and latency against table size (log x axis), written by hand: three
// small line charts need no plotting library.
import type { BenchResult, RunResult } from './results.ts';
import type { ScenarioId } from './scenarios.ts';

const PANEL_WIDTH = 420;
const PANEL_HEIGHT = 300;
const MARGIN = { top: 40, right: 20, bottom: 50, left: 64 };
const LEGEND_HEIGHT = 70;
const Y_TICKS = 5;
const FONT = 'font-family="sans-serif" font-size="12"';

const SCENARIO_COLOURS: Record<ScenarioId, string> = {
  'first-page': '#1f77b4',
  'deep-page': '#ff7f0e',
  'by-id': '#2ca02c',
  status: '#9467bd',
  create: '#d62728',
  mixed: '#8c564b',
};

interface Series {
  scenario: ScenarioId;
  target: RunResult['target'];
  points: { rows: number; run: RunResult }[];
}

interface Panel {
  title: string;
  unit: string;
  value: (run: RunResult) => number;
}

const PANELS: Panel[] = [
  { title: 'Throughput', unit: 'requests/s', value: (run) => run.requestsPerSecond },
  { title: 'Median latency', unit: 'p50 ms', value: (run) => run.p50Ms },
  { title: 'Tail latency', unit: 'p99 ms', value: (run) => run.p99Ms },
];

function collectSeries(result: BenchResult): Series[] {
  const byKey = new Map<string, Series>();
  for (const size of result.sizes) {
    if (size.rows === null) continue;
    for (const run of size.runs) {
      const key = `${run.scenario}/${run.target}`;
      const series = byKey.get(key) ?? { scenario: run.scenario, target: run.target, points: [] };
      series.points.push({ rows: size.rows, run });
      byKey.set(key, series);
    }
  }
  return [...byKey.values()];
}

// 1K, 10K, 100K, 1M: full numbers (100,000 beside 1,000,000) ran into each other.
const COMPACT = new Intl.NumberFormat('en', { notation: 'compact' });

/** A round step (1, 2 or 5 times a power of ten) giving about Y_TICKS ticks up to max. */
function niceStep(max: number): number {
  const rough = max / Y_TICKS;
  const power = 10 ** Math.floor(Math.log10(rough));
  const multiple = [1, 2, 5, 10].find((candidate) => candidate * power >= rough) ?? 10;
  return multiple * power;
}

function drawPanel(
  panel: Panel,
  series: Series[],
  xRange: [number, number],
  offsetX: number,
): string {
  const width = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const height = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const [logMin, logMax] = xRange;
  const maxValue = Math.max(
    1,
    ...series.flatMap((line) => line.points.map((point) => panel.value(point.run))),
  );
  const step = niceStep(maxValue);
  const yMax = Math.ceil(maxValue / step) * step;
  const x = (rows: number) =>
    MARGIN.left + ((Math.log10(rows) - logMin) / (logMax - logMin)) * width;
  const y = (value: number) => MARGIN.top + height - (value / yMax) * height;
  const parts = [`<g transform="translate(${offsetX},0)">`];
  parts.push(
    `<text x="${MARGIN.left + width / 2}" y="20" text-anchor="middle" ${FONT} font-weight="bold">${panel.title}</text>`,
  );
  for (let value = 0; value <= yMax + step / 2; value += step) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + width}" y1="${y(value)}" y2="${y(value)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${y(value) + 4}" text-anchor="end" ${FONT}>${Number(value.toPrecision(6))}</text>`,
    );
  }
  for (let power = Math.ceil(logMin); power <= Math.floor(logMax); power += 1) {
    const position = x(10 ** power);
    parts.push(
      `<line x1="${position}" x2="${position}" y1="${MARGIN.top}" y2="${MARGIN.top + height}" stroke="#eee"/>`,
      `<text x="${position}" y="${MARGIN.top + height + 16}" text-anchor="middle" ${FONT}>${COMPACT.format(10 ** power)}</text>`,
    );
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${width}" height="${height}" fill="none" stroke="#333"/>`,
    `<text x="${MARGIN.left + width / 2}" y="${PANEL_HEIGHT - 10}" text-anchor="middle" ${FONT}>rows in the table (log scale)</text>`,
    `<text transform="translate(14,${MARGIN.top + height / 2}) rotate(-90)" text-anchor="middle" ${FONT}>${panel.unit}</text>`,
  );
  for (const line of series) {
    const colour = SCENARIO_COLOURS[line.scenario];
    const dash = line.target === 'reference' ? ' stroke-dasharray="6 4"' : '';
    const coordinates = line.points.map(
      (point) => `${x(point.rows).toFixed(1)},${y(panel.value(point.run)).toFixed(1)}`,
    );
    parts.push(
      `<polyline points="${coordinates.join(' ')}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`,
    );
    for (const coordinate of coordinates) {
      const [cx, cy] = coordinate.split(',');
      // Hollow markers for the reference, so points that overlap stay distinguishable.
      const fill = line.target === 'reference' ? 'white' : colour;
      parts.push(
        `<circle cx="${cx}" cy="${cy}" r="3.5" fill="${fill}" stroke="${colour}" stroke-width="1.5"/>`,
      );
    }
  }
  parts.push('</g>');
  return parts.join('\n');
}

function drawLegend(series: Series[], top: number): string {
  const entryWidth = 200;
  const perRow = Math.floor((PANEL_WIDTH * PANELS.length) / entryWidth);
  return series
    .map((line, index) => {
      const left = MARGIN.left + (index % perRow) * entryWidth;
      const y = top + Math.floor(index / perRow) * 20;
      const dash = line.target === 'reference' ? ' stroke-dasharray="6 4"' : '';
      const colour = SCENARIO_COLOURS[line.scenario];
      return (
        `<line x1="${left}" x2="${left + 30}" y1="${y}" y2="${y}" stroke="${colour}" stroke-width="2"${dash}/>` +
        `<text x="${left + 36}" y="${y + 4}" ${FONT}>${line.scenario} (${line.target})</text>`
      );
    })
    .join('\n');
}

/** The SVG document; undefined when no seeded table was measured (a --url run). */
export function renderPlot(result: BenchResult): string | undefined {
  const series = collectSeries(result);
  const rows = result.sizes.flatMap((size) => (size.rows === null ? [] : [size.rows]));
  if (series.length === 0 || rows.length === 0) return undefined;
  // Half a decade of padding on each side keeps a single size (the smoke run) drawable.
  const xRange: [number, number] = [
    Math.log10(Math.min(...rows)) - 0.5,
    Math.log10(Math.max(...rows)) + 0.5,
  ];
  const width = PANEL_WIDTH * PANELS.length;
  const height = PANEL_HEIGHT + LEGEND_HEIGHT;
  const title = `tristack (solid) against the bare node:http + mysql2 reference (dashed), ${result.settings.connections} connections, ${result.startedAt}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height + 30}" viewBox="0 0 ${width} ${height + 30}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="${height + 20}" text-anchor="middle" ${FONT} fill="#555">${title}</text>`,
    ...PANELS.map((panel, index) => drawPanel(panel, series, xRange, index * PANEL_WIDTH)),
    drawLegend(series, PANEL_HEIGHT + 10),
    '</svg>',
  ].join('\n');
}
