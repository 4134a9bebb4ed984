// /items: list (keyset pages), read, create, rename, delete.
import express, { type Request, type Response, Router } from 'express';
import { basePathOf } from '../http/api-prefix.ts';
import { methodNotAllowed } from '../http/errors.ts';
import { sendJson } from '../http/json.ts';
import { HttpProblem } from '../http/problem.ts';
import { parseOrReject } from '../http/validation.ts';
import type { ItemsRepository } from './items.repository.ts';
import { itemBody, itemId, listQuery } from './items.schema.ts';

/** Largest JSON body accepted: a name is at most 255 characters (1 KiB in UTF-8). */
export const BODY_LIMIT_BYTES = 16 * 1024;

function requireJson(req: Request): void {
  if (!req.is('application/json')) {
    throw new HttpProblem(
      415,
      'unsupported-media-type',
      'send the body as application/json, such as {"name": "..."}',
    );
  }
}

function notFound(id: number): HttpProblem {
  return new HttpProblem(404, 'item-not-found', `there is no item ${id}`);
}

export function itemsRouter(items: ItemsRepository): Router {
  const router = Router();
  const jsonBody = express.json({ limit: BODY_LIMIT_BYTES, type: () => true, strict: true });

  router
    .route('/items')
    .get(async (req: Request, res: Response) => {
      const { limit, after } = parseOrReject(listQuery, req.query, 'query');
      const page = await items.findPage(limit, after);
      if (page.nextAfter !== undefined) {
        // Relative to the path the client used, so /api/items links stay under /api.
        res.setHeader(
          'Link',
          `<${basePathOf(res)}/items?limit=${limit}&after=${page.nextAfter}>; rel="next"`,
        );
      }
      sendJson(res, 200, page.items);
    })
    .post(
      (req, _res, next) => {
        requireJson(req);
        next();
      },
      jsonBody,
      async (req: Request, res: Response) => {
        const { name } = parseOrReject(itemBody, req.body, 'body');
        const item = await items.create(name);
        res.location(`${basePathOf(res)}/items/${item.id}`);
        sendJson(res, 201, item);
      },
    )
    .all(methodNotAllowed(['GET', 'HEAD', 'POST']));

  router
    .route('/items/:id')
    .get(async (req: Request, res: Response) => {
      const id = parseOrReject(itemId, req.params.id, 'path');
      const item = await items.findById(id);
      if (!item) throw notFound(id);
      sendJson(res, 200, item);
    })
    .put(
      // The id and the content type are checked before the body is read.
      (req, res, next) => {
        res.locals.itemId = parseOrReject(itemId, req.params.id, 'path');
        requireJson(req);
        next();
      },
      jsonBody,
      async (req: Request, res: Response) => {
        const id = res.locals.itemId as number;
        const { name } = parseOrReject(itemBody, req.body, 'body');
        const item = await items.rename(id, name);
        if (!item) throw notFound(id);
        sendJson(res, 200, item);
      },
    )
    .delete(async (req: Request, res: Response) => {
      const id = parseOrReject(itemId, req.params.id, 'path');
      if (!(await items.remove(id))) throw notFound(id);
      res.status(204).end();
    })
    .all(methodNotAllowed(['GET', 'HEAD', 'PUT', 'DELETE']));

  return router;
}
