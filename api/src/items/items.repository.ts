// The items table: the only place that writes SQL for it. Every value is a placeholder.
import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import type { Database } from '../db.ts';

export interface Item {
  id: number;
  name: string;
  created_at: string;
  /** When the item was last renamed; null when it never was. */
  updated_at: string | null;
}

interface ItemRow extends RowDataPacket {
  id: number;
  name: string;
  created_at: Date;
  updated_at: Date | null;
}

const COLUMNS = 'id, name, created_at, updated_at';

function toItem(row: ItemRow): Item {
  return {
    id: Number(row.id),
    name: row.name,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at?.toISOString() ?? null,
  };
}

export interface ItemsPage {
  items: Item[];
  /** The cursor of the next page, when there is one. */
  nextAfter?: number;
}

export function itemsRepository(db: Database) {
  async function findById(id: number): Promise<Item | undefined> {
    const rows = await db.query<ItemRow[]>(
      'items.find',
      `SELECT ${COLUMNS} FROM items WHERE id = ?`,
      [id],
    );
    return rows[0] ? toItem(rows[0]) : undefined;
  }

  return {
    findById,

    /** Keyset pagination on the primary key: the cost of a page does not grow with the table. */
    async findPage(limit: number, after = 0): Promise<ItemsPage> {
      // One row more than asked tells whether a next page exists without a COUNT.
      const rows = await db.query<ItemRow[]>(
        'items.list',
        `SELECT ${COLUMNS} FROM items WHERE id > ? ORDER BY id LIMIT ?`,
        [after, limit + 1],
      );
      const items = rows.slice(0, limit).map(toItem);
      const last = items.at(-1);
      return rows.length > limit && last ? { items, nextAfter: last.id } : { items };
    },

    async create(name: string): Promise<Item> {
      const result = await db.query<ResultSetHeader>(
        'items.create',
        'INSERT INTO items (name) VALUES (?)',
        [name],
      );
      const created = await findById(result.insertId);
      if (!created) throw new Error(`item ${result.insertId} vanished right after its insert`);
      return created;
    },

    /** The renamed item, or undefined when there is no such item. */
    async rename(id: number, name: string): Promise<Item | undefined> {
      const result = await db.query<ResultSetHeader>(
        'items.rename',
        // UTC, as created_at: the server's own clock, so every API instance agrees.
        'UPDATE items SET name = ?, updated_at = UTC_TIMESTAMP(3) WHERE id = ?',
        [name, id],
      );
      return result.affectedRows === 0 ? undefined : findById(id);
    },

    /** True when an item was deleted. */
    async remove(id: number): Promise<boolean> {
      const result = await db.query<ResultSetHeader>(
        'items.remove',
        'DELETE FROM items WHERE id = ?',
        [id],
      );
      return result.affectedRows > 0;
    },
  };
}

export type ItemsRepository = ReturnType<typeof itemsRepository>;
