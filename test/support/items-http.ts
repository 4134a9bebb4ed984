// The items resource over plain HTTP, as a client outside the stack uses it: through the front
// or straight at an API, always under /api/ (the contract serves every route there too).

/** POSTs an item named `name` and returns its id; anything but 201 throws with the answer. */
export async function createItem(baseUrl: string, name: string): Promise<number> {
  const response = await fetch(`${baseUrl}/api/items`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (response.status !== 201) {
    throw new Error(`POST /api/items: ${response.status} ${await response.text()}`);
  }
  return ((await response.json()) as { id: number }).id;
}

/** The names of every item (up to the API's largest page), in id order. */
export async function itemNames(baseUrl: string): Promise<string[]> {
  const response = await fetch(`${baseUrl}/api/items?limit=1000`);
  if (response.status !== 200) {
    throw new Error(`GET /api/items: ${response.status} ${await response.text()}`);
  }
  return ((await response.json()) as { name: string }[]).map((item) => item.name);
}
