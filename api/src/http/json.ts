// JSON answers written straight to Node's response. Express's res.json() turns bodies of 1 KB
// and more into a Buffer, which Node then sends apart from the headers (two chunks, writev);
// a string body goes out with the headers in one write.
import type { Response } from 'express';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export function sendJson(
  res: Response,
  status: number,
  body: unknown,
  contentType = JSON_CONTENT_TYPE,
): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
