// With --url the benchmark does not know the table: it finds the largest id through the API
// itself, by bisecting on `?after=` (about 2 log2(max id) requests, a hundred at most).
const PROBE_TIMEOUT_MS = 5_000;
const SAFE_ID_LIMIT = Number.MAX_SAFE_INTEGER;

async function hasItemsAfter(baseUrl: string, after: number): Promise<boolean> {
  const url = after === 0 ? `${baseUrl}/items?limit=1` : `${baseUrl}/items?limit=1&after=${after}`;
  const answer = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  if (answer.status !== 200) throw new Error(`GET ${url} answered ${answer.status}, expected 200`);
  const items: unknown = await answer.json();
  if (!Array.isArray(items)) throw new Error(`GET ${url} did not answer a JSON array`);
  return items.length > 0;
}

/** The largest item id the API at `baseUrl` lists. */
export async function findMaxId(baseUrl: string): Promise<number> {
  if (!(await hasItemsAfter(baseUrl, 0))) {
    throw new Error(`${baseUrl}/items is empty: there is nothing to benchmark`);
  }
  // Largest `after` known to have items beyond it, and smallest known to have none.
  let below = 0;
  let above = 1;
  while (await hasItemsAfter(baseUrl, above)) {
    below = above;
    above = Math.min(above * 2, SAFE_ID_LIMIT);
  }
  while (above - below > 1) {
    const middle = Math.floor((below + above) / 2);
    if (await hasItemsAfter(baseUrl, middle)) below = middle;
    else above = middle;
  }
  return above;
}
