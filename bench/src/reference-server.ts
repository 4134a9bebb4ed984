// The floor any Node API on this database can reach: bare node:http and a mysql2 pool answering
// the API's own SQL with the API's own JSON. No framework, no logs, no metrics, no validation
// beyond what keeps the SQL safe. It imports nothing local so that it compiles alone and runs
// under plain `node`, like the API's production build (bench/tsconfig.build.json; buildServers()
// in servers.ts). Only the benchmark starts it, and it passes every variable below: no defaults.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import mysql, { type RowDataPacket } from 'mysql2/promise';

const PAGE_SIZE_DEFAULT = 100;
const PAGE_SIZE_MAX = 1000;
const ITEM_PATH = /^\/items\/([1-9][0-9]{0,15})$/;
const POSITIVE_INTEGER = /^[1-9][0-9]{0,15}$/;

interface ItemRow extends RowDataPacket {
  id: number;
  name: string;
  created_at: Date;
  updated_at: Date | null;
}

/** `name`'s value; an empty one only where `mayBeEmpty` (an empty password is a password). */
function requiredEnv(name: string, mayBeEmpty = false): string {
  const value = process.env[name];
  if (value === undefined || (value === '' && !mayBeEmpty)) {
    console.error(`reference-server: ${name} must be set`);
    process.exit(2);
  }
  return value;
}

const pool = mysql.createPool({
  host: requiredEnv('MYSQL_HOST'),
  port: Number(requiredEnv('MYSQL_PORT')),
  user: requiredEnv('MYSQL_USER'),
  password: requiredEnv('MYSQL_PASSWORD', true),
  database: requiredEnv('MYSQL_DATABASE'),
  // The same pool as the API's (api/src/db.ts), passed in by the benchmark.
  connectionLimit: Number(requiredEnv('REFERENCE_POOL_SIZE')),
  maxIdle: Number(requiredEnv('REFERENCE_POOL_SIZE')),
  enableKeepAlive: true,
  charset: 'utf8mb4_unicode_ci',
  timezone: 'Z',
});

const toItem = (row: ItemRow) => ({
  id: Number(row.id),
  name: row.name,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at?.toISOString() ?? null,
});

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function pageParameter(value: string | null, fallback: number, max: number): number | undefined {
  if (value === null) return fallback;
  if (!POSITIVE_INTEGER.test(value)) return undefined;
  const number = Number(value);
  return number <= max ? number : undefined;
}

async function listItems(url: URL, res: ServerResponse): Promise<void> {
  const limit = pageParameter(url.searchParams.get('limit'), PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX);
  const after = pageParameter(url.searchParams.get('after'), 0, Number.MAX_SAFE_INTEGER);
  if (limit === undefined || after === undefined) return sendJson(res, 400, { status: 400 });
  const [rows] = await pool.query<ItemRow[]>(
    'SELECT id, name, created_at, updated_at FROM items WHERE id > ? ORDER BY id LIMIT ?',
    [after, limit + 1],
  );
  const items = rows.slice(0, limit).map(toItem);
  const last = items.at(-1);
  if (rows.length > limit && last) {
    res.setHeader('Link', `</items?limit=${limit}&after=${last.id}>; rel="next"`);
  }
  sendJson(res, 200, items);
}

async function findItem(id: number, res: ServerResponse): Promise<void> {
  const [rows] = await pool.query<ItemRow[]>(
    'SELECT id, name, created_at, updated_at FROM items WHERE id = ?',
    [id],
  );
  const row = rows[0];
  if (row) sendJson(res, 200, toItem(row));
  else sendJson(res, 404, { status: 404 });
}

async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://reference');
  if (req.method !== 'GET') return sendJson(res, 405, { status: 405 });
  if (url.pathname === '/items') return listItems(url, res);
  const itemMatch = ITEM_PATH.exec(url.pathname);
  if (itemMatch?.[1]) return findItem(Number(itemMatch[1]), res);
  if (url.pathname === '/status') {
    await pool.query('SELECT 1');
    return sendJson(res, 200, { status: 'OK' });
  }
  sendJson(res, 404, { status: 404 });
}

const server = createServer((req, res) => {
  answer(req, res).catch((error: unknown) => {
    console.error('reference-server:', error);
    if (!res.headersSent) sendJson(res, 503, { status: 'ERREUR' });
    else res.destroy();
  });
});

server.listen(Number(requiredEnv('REFERENCE_PORT')), '127.0.0.1');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    void pool.end().finally(() => process.exit(0));
  });
}
