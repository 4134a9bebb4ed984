// A reader for the Prometheus text exposition format (what /metrics answers), enough to check
// which metric families and series an answer holds. prom-client writes this format but does not
// read it back.

export interface Sample {
  /** The series name as written (`http_request_duration_seconds_count`). */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  /** Metric family name → type, from the `# TYPE` lines. */
  types: Map<string, string>;
  samples: Sample[];
}

// Series names a family of each type may write, besides its own name.
const SUFFIXES_BY_TYPE: Record<string, string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

const TYPE_LINE = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)$/;
const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/y;

function unescapeLabelValue(value: string): string {
  return value.replace(/\\(.)/g, (_, character: string) => (character === 'n' ? '\n' : character));
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL_PAIR.lastIndex = 0;
  while (LABEL_PAIR.lastIndex < text.length) {
    const match = LABEL_PAIR.exec(text);
    if (!match) throw new Error(`unreadable labels in exposition line: ${line}`);
    labels[match[1] ?? ''] = unescapeLabelValue(match[2] ?? '');
  }
  return labels;
}

// Prometheus reads special values case-insensitively (prom-client writes `Nan`).
const SPECIAL_VALUES: Record<string, number> = {
  nan: Number.NaN,
  inf: Number.POSITIVE_INFINITY,
  '+inf': Number.POSITIVE_INFINITY,
  '-inf': Number.NEGATIVE_INFINITY,
};

function parseValue(text: string, line: string): number {
  const special = SPECIAL_VALUES[text.toLowerCase()];
  if (special !== undefined) return special;
  const value = Number(text);
  if (Number.isNaN(value)) {
    throw new Error(`unreadable value in exposition line: ${line}`);
  }
  return value;
}

/** Parses a /metrics answer; throws naming the first line it cannot read. */
export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const type = TYPE_LINE.exec(line);
      if (type) types.set(type[1] ?? '', type[2] ?? '');
      continue;
    }
    const sample = SAMPLE_LINE.exec(line);
    if (!sample) throw new Error(`unreadable exposition line: ${line}`);
    samples.push({
      name: sample[1] ?? '',
      labels: parseLabels(sample[2] ?? '', line),
      value: parseValue(sample[3] ?? '', line),
    });
  }
  return { types, samples };
}

/**
 * Every series name a query may select in this answer: the declared families with their
 * histogram and summary suffixes, and any name a sample carries. A family declared without
 * samples yet (a counter no error has touched) still counts: the name exists.
 */
export function exposedSeriesNames(exposition: Exposition): Set<string> {
  const names = new Set(exposition.samples.map((sample) => sample.name));
  for (const [family, type] of exposition.types) {
    names.add(family);
    for (const suffix of SUFFIXES_BY_TYPE[type] ?? []) names.add(`${family}${suffix}`);
  }
  return names;
}

/** The samples of one series name whose labels include all of `labels`. */
export function samplesOf(
  exposition: Exposition,
  name: string,
  labels: Record<string, string> = {},
): Sample[] {
  return exposition.samples.filter(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
}
