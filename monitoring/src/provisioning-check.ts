// The dashboard's datasources must be ones Grafana provisions: each panel and query names a
// datasource variable of the right type (or a provisioned uid), and each variable's default is a
// provisioned uid of that type. A typo here is a "datasource not found" panel in Grafana.
import type { Dashboard, DatasourceRef } from './dashboard.ts';

export interface ProvisionedDatasource {
  name: string;
  uid: string;
  type: string;
  url: string;
  jsonData?: Record<string, unknown>;
}

const VARIABLE_REFERENCE = /^\$\{(\w+)\}$|^\$(\w+)$/;

function describeRef(ref: DatasourceRef | undefined): string {
  return JSON.stringify(ref ?? null);
}

/** One line per panel, query or variable whose datasource Grafana would not find. */
export function datasourceProblems(
  dashboard: Dashboard,
  provisioned: ProvisionedDatasource[],
): string[] {
  const problems: string[] = [];
  const variables = new Map(
    dashboard.templating.list
      .filter((variable) => variable.type === 'datasource')
      .map((variable) => [variable.name, variable]),
  );
  for (const variable of variables.values()) {
    const uid = variable.current?.value;
    const match = provisioned.find((datasource) => datasource.uid === uid);
    if (!match || match.type !== variable.query) {
      problems.push(
        `variable $${variable.name} defaults to uid "${uid}", not a provisioned ${variable.query} datasource`,
      );
    }
  }
  const check = (where: string, ref: DatasourceRef | undefined) => {
    const uid = ref?.uid ?? '';
    const reference = VARIABLE_REFERENCE.exec(uid);
    const variableName = reference?.[1] ?? reference?.[2];
    if (variableName !== undefined) {
      const variable = variables.get(variableName);
      if (!variable) problems.push(`${where}: datasource ${describeRef(ref)} names no variable`);
      else if (variable.query !== ref?.type) {
        problems.push(
          `${where}: ${ref?.type} datasource uses $${variableName}, a ${variable.query} variable`,
        );
      }
      return;
    }
    const match = provisioned.find((datasource) => datasource.uid === uid);
    if (!match || match.type !== ref?.type) {
      problems.push(`${where}: datasource ${describeRef(ref)} is not provisioned`);
    }
  };
  for (const panel of dashboard.panels) {
    check(`panel "${panel.title}"`, panel.datasource);
    for (const target of panel.targets ?? []) {
      check(`panel "${panel.title}" query ${target.refId}`, target.datasource ?? panel.datasource);
    }
  }
  return problems;
}

/** Panels that overlap or stick out of Grafana's 24-column grid, and duplicate panel ids. */
export function layoutProblems(dashboard: Dashboard): string[] {
  const problems: string[] = [];
  const GRID_COLUMNS = 24;
  const ids = new Set<number>();
  const cells = new Map<string, string>();
  for (const panel of dashboard.panels) {
    if (ids.has(panel.id)) problems.push(`panel id ${panel.id} is used twice`);
    ids.add(panel.id);
    const { x, y, w, h } = panel.gridPos;
    if (x < 0 || w <= 0 || h <= 0 || x + w > GRID_COLUMNS) {
      problems.push(`panel "${panel.title}" does not fit the ${GRID_COLUMNS}-column grid`);
    }
    for (let row = y; row < y + h; row += 1) {
      for (let column = x; column < x + w; column += 1) {
        const owner = cells.get(`${row}:${column}`);
        if (owner && owner !== panel.title) {
          problems.push(`panels "${owner}" and "${panel.title}" overlap`);
          return problems;
        }
        cells.set(`${row}:${column}`, panel.title);
      }
    }
  }
  return problems;
}
