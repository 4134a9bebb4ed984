// The tristack items page: lists, adds, renames and deletes items through the API, shows the API's
// status, and keeps retrying while the API or its database is down.
// Plain browser JavaScript with no build step. Item names come from users, so they only ever
// reach the page as text (textContent, attributes), never as HTML.

const API_BASE =
  document.querySelector('meta[name="tristack-api-base"]')?.getAttribute('content') || '/api';
/** Items asked for per request; the API's Link header leads to the next page. */
const PAGE_SIZE = 50;
/** No request waits longer than this; the API itself gives up on the database after 2 s. */
const REQUEST_TIMEOUT_MS = 8_000;
const STATUS_POLL_INTERVAL_MS = 5_000;
const RETRY_FIRST_DELAY_MS = 1_000;
const RETRY_MAX_DELAY_MS = 16_000;
const MS_PER_SECOND = 1_000;
/** Set once, when the first list of items is on screen (read by the browser tests). */
const ITEMS_SHOWN_MARK = 'tristack:items-shown';
const SERVER_ERROR = 500;
const NOT_FOUND = 404;

const elements = {
  statusBadge: document.getElementById('status-badge'),
  addForm: document.getElementById('add-form'),
  addName: document.getElementById('add-name'),
  actionError: document.getElementById('action-error'),
  listState: document.getElementById('list-state'),
  listMessage: document.getElementById('list-message'),
  retryNow: document.getElementById('retry-now'),
  items: document.getElementById('items'),
  loadMore: document.getElementById('load-more'),
  itemTemplate: document.getElementById('item-template'),
};

const state = {
  /** Path and query of the next page, from the Link header; null when the list is complete. */
  nextPagePath: null,
  listLoaded: false,
  listLoading: false,
  retryDelayMs: RETRY_FIRST_DELAY_MS,
  retryTimer: undefined,
  statusTimer: undefined,
  statusPolling: false,
};

// ---------------------------------------------------------------------------------------------
// Talking to the API
// ---------------------------------------------------------------------------------------------

class ApiError extends Error {
  /**
   * @param {string} message why, as a clause a person can read
   * @param {number} status the HTTP status, or 0 when no answer came
   */
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/** Sends a request to the API and returns the response when it is a success; throws ApiError. */
async function callApi(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    throw new ApiError(
      timedOut ? 'the API did not answer in time' : 'the API cannot be reached',
      0,
    );
  }
  if (!response.ok) throw new ApiError(await describeFailure(response), response.status);
  return response;
}

/**
 * Why a request failed, as a clause without a final period: the API's own problem details
 * (RFC 9457) when it sent some (a refused name, the database being down), otherwise the status.
 * The API answers every error with problem details, so a bare 5xx comes from httpd in front: the
 * API did not answer. httpd says 503 when the API does not accept connections, and 500 when its
 * name does not resolve (Compose removes a stopped container's name; httpd's AH00898).
 */
async function describeFailure(response) {
  const contentType = response.headers.get('Content-Type') ?? '';
  if (contentType.includes('json')) {
    try {
      const problem = await response.json();
      const explanation = problem.detail || problem.title;
      if (typeof explanation === 'string' && explanation) return explanation.replace(/\.$/, '');
    } catch {
      // Not the JSON it claimed to be: fall through to the status.
    }
  }
  if (response.status >= SERVER_ERROR) {
    return `the API is unavailable (HTTP ${response.status})`;
  }
  return `the API answered HTTP ${response.status}`;
}

/** The target of the `rel="next"` link in a Link header (RFC 8288), or null. */
function findNextLink(linkHeader) {
  for (const link of (linkHeader ?? '').split(',')) {
    const [target, ...parameters] = link.split(';').map((piece) => piece.trim());
    if (!target?.startsWith('<') || !target.endsWith('>')) continue;
    const relations = parameters
      .map((parameter) => /^rel\s*=\s*"?([^"]*)"?$/i.exec(parameter)?.[1] ?? '')
      .flatMap((value) => value.toLowerCase().split(/\s+/));
    if (relations.includes('next')) return target.slice(1, -1);
  }
  return null;
}

/** Resolves a Link target against the answer's URL and keeps its path and query, so the next
 * page is asked of this origin (through the same proxy) whatever host the API wrote. */
function toSameOriginPath(target, baseUrl) {
  const url = new URL(target, baseUrl);
  return `${url.pathname}${url.search}`;
}

async function fetchItemsPage(path) {
  const response = await callApi(path);
  const items = await response.json();
  if (!Array.isArray(items)) throw new ApiError('the API sent a list in an unknown format', 0);
  const next = findNextLink(response.headers.get('Link'));
  return { items, nextPagePath: next ? toSameOriginPath(next, response.url) : null };
}

// ---------------------------------------------------------------------------------------------
// Showing things
// ---------------------------------------------------------------------------------------------

function showStatus(isOk) {
  elements.statusBadge.textContent = isOk ? 'OK' : 'ERREUR';
  elements.statusBadge.dataset.state = isOk ? 'ok' : 'error';
}

/** The line above the list: loading, empty, error (with a retry button) or nothing. */
function showListState(kind, message = '') {
  elements.listState.dataset.state = kind;
  elements.listMessage.textContent = message;
  elements.retryNow.hidden = kind !== 'error';
  elements.items.setAttribute('aria-busy', String(kind === 'loading'));
}

function showEmptyOrNothing() {
  if (elements.items.childElementCount === 0) {
    showListState('empty', 'No items yet. Add the first one above.');
  } else {
    showListState('ready');
  }
}

function showActionError(message) {
  elements.actionError.textContent = message;
}

function clearActionError() {
  elements.actionError.textContent = '';
}

function formatCreatedAt(isoDate) {
  const date = new Date(isoDate);
  if (Number.isNaN(date.getTime())) return '';
  return `added ${date.toLocaleDateString(undefined, { dateStyle: 'medium' })}`;
}

/** Fills a row with an item's values; the name goes in as text only. */
function fillRow(row, item) {
  row.dataset.id = String(item.id);
  row.querySelector('.item-name').textContent = item.name;
  const created = row.querySelector('.item-created');
  created.dateTime = item.created_at ?? '';
  created.textContent = formatCreatedAt(item.created_at);
  row.querySelector('.rename').setAttribute('aria-label', `Rename ${item.name}`);
  row.querySelector('.delete').setAttribute('aria-label', `Delete ${item.name}`);
  row.querySelector('.item-edit input').setAttribute('aria-label', `New name for ${item.name}`);
}

function createRow(item) {
  const row = elements.itemTemplate.content.firstElementChild.cloneNode(true);
  fillRow(row, item);
  return row;
}

function findRow(id) {
  return elements.items.querySelector(`li[data-id="${CSS.escape(String(id))}"]`);
}

function appendItems(items) {
  const rows = items.filter((item) => !findRow(item.id)).map(createRow);
  elements.items.append(...rows);
}

function updateLoadMore() {
  elements.loadMore.hidden = state.nextPagePath === null;
}

// ---------------------------------------------------------------------------------------------
// Loading the list, with retries while the API or the database is down
// ---------------------------------------------------------------------------------------------

function cancelRetry() {
  clearTimeout(state.retryTimer);
  state.retryTimer = undefined;
}

function scheduleRetry(reason) {
  cancelRetry();
  const delayMs = state.retryDelayMs;
  state.retryDelayMs = Math.min(delayMs * 2, RETRY_MAX_DELAY_MS);
  const seconds = Math.round(delayMs / MS_PER_SECOND);
  showListState('error', `Cannot load the items: ${reason}. Retrying in ${seconds} s.`);
  state.retryTimer = setTimeout(loadFirstPage, delayMs);
}

async function loadFirstPage() {
  if (state.listLoading) return;
  state.listLoading = true;
  cancelRetry();
  showListState('loading', 'Loading items…');
  try {
    const page = await fetchItemsPage(`${API_BASE}/items?limit=${PAGE_SIZE}`);
    elements.items.replaceChildren();
    appendItems(page.items);
    state.nextPagePath = page.nextPagePath;
    state.listLoaded = true;
    state.retryDelayMs = RETRY_FIRST_DELAY_MS;
    updateLoadMore();
    showEmptyOrNothing();
    if (performance.getEntriesByName(ITEMS_SHOWN_MARK).length === 0) {
      performance.mark(ITEMS_SHOWN_MARK);
    }
  } catch (error) {
    scheduleRetry(error.message);
  } finally {
    state.listLoading = false;
  }
}

async function loadNextPage() {
  if (state.nextPagePath === null) return;
  elements.loadMore.disabled = true;
  clearActionError();
  try {
    const page = await fetchItemsPage(state.nextPagePath);
    appendItems(page.items);
    state.nextPagePath = page.nextPagePath;
    updateLoadMore();
    showEmptyOrNothing();
  } catch (error) {
    showActionError(`Could not load more items: ${error.message}.`);
  } finally {
    elements.loadMore.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// The status badge
// ---------------------------------------------------------------------------------------------

async function isApiReady() {
  try {
    const response = await fetch(`${API_BASE}/status`, {
      headers: { Accept: 'application/json' },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const body = await response.json();
    return response.ok && body.status === 'OK';
  } catch {
    return false;
  }
}

async function pollStatus() {
  clearTimeout(state.statusTimer);
  if (state.statusPolling) return;
  state.statusPolling = true;
  try {
    const ready = await isApiReady();
    showStatus(ready);
    // The API is back: no need to wait for the list's own back-off.
    if (ready && !state.listLoaded) loadFirstPage();
  } finally {
    state.statusPolling = false;
  }
  // No polling while nobody looks; onVisibilityChange looks again when someone does.
  if (document.visibilityState === 'visible') {
    state.statusTimer = setTimeout(pollStatus, STATUS_POLL_INTERVAL_MS);
  }
}

// ---------------------------------------------------------------------------------------------
// Changing items
// ---------------------------------------------------------------------------------------------

/** The name typed in an input, trimmed; shows why and returns null when it is empty. */
function readName(input) {
  const name = input.value.trim();
  if (name === '') {
    showActionError('Enter a name first.');
    input.focus();
    return null;
  }
  return name;
}

async function addItem(event) {
  event.preventDefault();
  clearActionError();
  const name = readName(elements.addName);
  if (name === null) return;
  const submit = elements.addForm.querySelector('button[type="submit"]');
  submit.disabled = true;
  try {
    const response = await callApi(`${API_BASE}/items`, { method: 'POST', body: { name } });
    const item = await response.json();
    elements.addName.value = '';
    // Items are listed by id and a new one has the highest: it belongs at the end, which is on
    // screen only when every page is loaded.
    if (state.listLoaded && state.nextPagePath === null) {
      appendItems([item]);
      showEmptyOrNothing();
    }
  } catch (error) {
    showActionError(`Could not add “${name}”: ${error.message}.`);
  } finally {
    submit.disabled = false;
    elements.addName.focus();
  }
}

function setRowBusy(row, busy) {
  for (const button of row.querySelectorAll('button')) button.disabled = busy;
  row.setAttribute('aria-busy', String(busy));
}

function startRename(row) {
  clearActionError();
  const input = row.querySelector('.item-edit input');
  input.value = row.querySelector('.item-name').textContent;
  row.querySelector('.item-view').hidden = true;
  row.querySelector('.item-edit').hidden = false;
  input.focus();
  input.select();
}

function stopRename(row) {
  row.querySelector('.item-edit').hidden = true;
  row.querySelector('.item-view').hidden = false;
  row.querySelector('.rename').focus();
}

/** Removes a row and moves the focus to a neighbour, so keyboard users do not lose their place. */
function removeRow(row) {
  const neighbour = row.nextElementSibling ?? row.previousElementSibling;
  row.remove();
  (neighbour?.querySelector('.delete') ?? elements.addName).focus();
  showEmptyOrNothing();
}

async function renameItem(row) {
  const input = row.querySelector('.item-edit input');
  const name = readName(input);
  if (name === null) return;
  clearActionError();
  setRowBusy(row, true);
  try {
    const response = await callApi(`${API_BASE}/items/${row.dataset.id}`, {
      method: 'PUT',
      body: { name },
    });
    fillRow(row, await response.json());
    stopRename(row);
  } catch (error) {
    if (error.status === NOT_FOUND) {
      removeRow(row);
      showActionError('That item was already deleted.');
    } else {
      showActionError(`Could not rename to “${name}”: ${error.message}.`);
      input.focus();
    }
  } finally {
    setRowBusy(row, false);
  }
}

async function deleteItem(row) {
  clearActionError();
  setRowBusy(row, true);
  try {
    await callApi(`${API_BASE}/items/${row.dataset.id}`, { method: 'DELETE' });
    removeRow(row);
  } catch (error) {
    if (error.status === NOT_FOUND) {
      removeRow(row);
    } else {
      const name = row.querySelector('.item-name').textContent;
      showActionError(`Could not delete “${name}”: ${error.message}.`);
      setRowBusy(row, false);
    }
  }
}

// One listener per kind of event on the list, whatever rows come and go.
function onListClick(event) {
  const button = event.target.closest('button');
  const row = button?.closest('li.item');
  if (!row) return;
  if (button.classList.contains('rename')) startRename(row);
  else if (button.classList.contains('delete')) deleteItem(row);
  else if (button.classList.contains('cancel')) stopRename(row);
}

function onListSubmit(event) {
  const row = event.target.closest('li.item');
  if (!row) return;
  event.preventDefault();
  renameItem(row);
}

function onListKeydown(event) {
  if (event.key !== 'Escape') return;
  const row = event.target.closest('li.item');
  if (row && !row.querySelector('.item-edit').hidden) stopRename(row);
}

function onVisibilityChange() {
  if (document.visibilityState === 'visible') pollStatus();
  else clearTimeout(state.statusTimer);
}

elements.addForm.addEventListener('submit', addItem);
elements.items.addEventListener('click', onListClick);
elements.items.addEventListener('submit', onListSubmit);
elements.items.addEventListener('keydown', onListKeydown);
elements.loadMore.addEventListener('click', loadNextPage);
elements.retryNow.addEventListener('click', loadFirstPage);
document.addEventListener('visibilitychange', onVisibilityChange);

loadFirstPage();
pollStatus();
