// Kubernetes resource quantities ("256Mi", "1Gi", "100m"), as the kubelet reads them.

const BINARY_SUFFIXES: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};
const DECIMAL_SUFFIXES: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Bytes in a memory or storage quantity; throws on a form the harness does not know. */
export function bytesOf(quantity: string | number, where: string): number {
  if (typeof quantity === 'number') return quantity;
  const match = /^(\d+(?:\.\d+)?)([KMGT]i|[kMGT]?)$/.exec(quantity);
  const suffix = match?.[2] ?? '';
  const factor = BINARY_SUFFIXES[suffix] ?? DECIMAL_SUFFIXES[suffix];
  if (!match || factor === undefined)
    throw new Error(`${where}: quantity "${quantity}" not understood`);
  return Math.round(Number(match[1]) * factor);
}

/** CPUs in a CPU quantity ("100m" = 0.1). */
export function cpusOf(quantity: string | number, where: string): number {
  if (typeof quantity === 'number') return quantity;
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(quantity);
  if (!match) throw new Error(`${where}: CPU quantity "${quantity}" not understood`);
  return Number(match[1]) / (match[2] === 'm' ? 1000 : 1);
}
