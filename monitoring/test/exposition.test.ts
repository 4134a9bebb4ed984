// The exposition reader the other suites rely on: what it accepts and what it refuses.
import { describe, expect, it } from 'vitest';
import { exposedSeriesNames, parseExposition, samplesOf } from '../src/exposition.ts';

const ANSWER = [
  '# HELP http_request_duration_seconds Time to answer.',
  '# TYPE http_request_duration_seconds histogram',
  'http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/items/:id",status_code="404"} 3',
  'http_request_duration_seconds_count{method="GET",route="/items/:id",status_code="404"} 3',
  '# TYPE tristack_db_query_errors_total counter',
  '# TYPE nodejs_eventloop_lag_mean_seconds gauge',
  'nodejs_eventloop_lag_mean_seconds Nan',
  'odd_label{path="a \\"quoted\\" \\\\ value\\nnext"} -Inf 1700000000000',
].join('\n');

describe('parseExposition', () => {
  const parsed = parseExposition(ANSWER);

  it('reads labels, escaped quotes and special values as Prometheus does', () => {
    expect(
      samplesOf(parsed, 'http_request_duration_seconds_count', { route: '/items/:id' }),
    ).toEqual([
      {
        name: 'http_request_duration_seconds_count',
        labels: { method: 'GET', route: '/items/:id', status_code: '404' },
        value: 3,
      },
    ]);
    expect(samplesOf(parsed, 'nodejs_eventloop_lag_mean_seconds')[0]?.value).toBeNaN();
    expect(samplesOf(parsed, 'odd_label')[0]).toEqual({
      name: 'odd_label',
      labels: { path: 'a "quoted" \\ value\nnext' },
      value: Number.NEGATIVE_INFINITY,
    });
  });

  it('names the histogram series and the declared families without samples', () => {
    expect([...exposedSeriesNames(parsed)].sort()).toEqual([
      'http_request_duration_seconds',
      'http_request_duration_seconds_bucket',
      'http_request_duration_seconds_count',
      'http_request_duration_seconds_sum',
      'nodejs_eventloop_lag_mean_seconds',
      'odd_label',
      'tristack_db_query_errors_total',
    ]);
  });

  it.each([
    ['a value that is not a number', 'tristack_ready one'],
    ['labels that are not closed', 'tristack_ready{state="idle} 1'],
    ['a label without quotes', 'tristack_ready{state=idle} 1'],
  ])('refuses %s, naming the line', (_case, line) => {
    expect(() => parseExposition(line)).toThrow(line.split(' ')[0]?.slice(0, 14));
  });
});
