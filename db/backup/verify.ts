// A dump is gzip over mysqldump's text, checked whole before anything is restored from it:
// - gzip's trailer holds a CRC-32 and the length of the text, which zlib checks at the end of
//   the stream: a changed byte fails the CRC (every burst up to 32 bits, and otherwise all but
//   one in four billion), and a cut file ends before the trailer ("unexpected end of file");
// - mysqldump writes `-- Dump completed` as its last line only when it finished, which catches
//   a file compressed whole from a dump that stopped half-way (`mysqldump | gzip` by hand).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { UserError } from './errors.ts';

/** mysqldump's header and trailer fit in far less. */
const KEPT_BYTES = 4096;
const HEADER = /^-- (?:MariaDB|MySQL) dump .*$/m;
const SOURCE = /^-- Host: (\S+)\s+Database: (\S+)$/m;
const COMPLETED = /^-- Dump completed(?: on (.+))?$/;

export interface DumpSummary {
  /** mysqldump's first comment line, e.g. "MariaDB dump 10.19  Distrib 10.11.19-MariaDB". */
  producer: string;
  /** The database and host it was taken from, as the dump program wrote them. */
  database: string;
  host: string;
  /** When the dump program finished, in the server's words; absent with --skip-dump-date. */
  completedAt?: string;
  /** Bytes of SQL inside. */
  sqlBytes: number;
}

const MEBIBYTE = 1024 * 1024;

/** "FILE is complete: MariaDB dump 10.19 ..., database tristack on db, completed ..., 1.7 MiB of SQL". */
export function describeDump(path: string, summary: DumpSummary): string {
  const completed = summary.completedAt ? `, completed ${summary.completedAt}` : '';
  const size = `${(summary.sqlBytes / MEBIBYTE).toFixed(1)} MiB of SQL`;
  return `${path} is complete: ${summary.producer.trim()}, database ${summary.database} on ${summary.host}${completed}, ${size}`;
}

/** Keeps the first and last KEPT_BYTES of everything written to it. */
class HeadAndTail extends Writable {
  head = Buffer.alloc(0);
  tail = Buffer.alloc(0);
  bytes = 0;
  override _write(chunk: Buffer, _encoding: string, done: () => void) {
    this.bytes += chunk.length;
    if (this.head.length < KEPT_BYTES) {
      this.head = Buffer.concat([this.head, chunk]).subarray(0, KEPT_BYTES);
    }
    this.tail = Buffer.concat([this.tail, chunk]).subarray(-KEPT_BYTES);
    done();
  }
}

/** What zlib's complaint means for the person holding the file. */
function describeGzipError(error: NodeJS.ErrnoException): string {
  if (error.code === 'Z_BUF_ERROR') {
    return 'it ends before its gzip trailer: the file was cut short';
  }
  if (/header check/.test(error.message)) return 'it is not a gzip file';
  return `its compressed data fail gzip's check, so bytes in it were changed (${error.message})`;
}

function damaged(path: string, why: string): UserError {
  return new UserError(`${path} is not a complete dump: ${why}. Nothing was changed.`);
}

/** Reads the whole file once; throws a UserError saying what is wrong with it. */
export async function verifyDump(path: string): Promise<DumpSummary> {
  try {
    const file = await stat(path);
    if (!file.isFile()) throw damaged(path, 'it is not a file');
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const text = new HeadAndTail();
  try {
    await pipeline(createReadStream(path), createGunzip(), text);
  } catch (error) {
    throw damaged(path, describeGzipError(error as NodeJS.ErrnoException));
  }
  const head = text.head.toString('utf8');
  const producer = HEADER.exec(head)?.[0].slice(3);
  if (!producer) {
    throw damaged(path, 'it holds no mysqldump or mariadb-dump header');
  }
  const lastLine = text.tail.toString('utf8').trimEnd().split('\n').at(-1) ?? '';
  const completed = COMPLETED.exec(lastLine);
  if (!completed) {
    throw damaged(path, 'its last line is not "-- Dump completed": the dump stopped early');
  }
  const source = SOURCE.exec(head);
  return {
    producer,
    host: source?.[1] ?? 'unknown',
    database: source?.[2] ?? 'unknown',
    ...(completed[1] ? { completedAt: completed[1] } : {}),
    sqlBytes: text.bytes,
  };
}
