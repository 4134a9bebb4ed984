// Which API a result measured: the commit, and whether api/ had uncommitted changes when the
// benchmark built it. Results are compared across changes, so each must say what it measured.
import { spawnSync } from 'node:child_process';

export interface ApiRevision {
  commit: string | null;
  /** True when api/ differed from the commit (the build measured uncommitted work). */
  apiDirty: boolean | null;
}

function git(args: string[], cwd: string): string | null {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

export function apiRevision(repoRoot: string): ApiRevision {
  const commit = git(['rev-parse', '--short=12', 'HEAD'], repoRoot);
  const changes = git(['status', '--porcelain', '--', 'api', 'db'], repoRoot);
  return { commit, apiDirty: changes === null ? null : changes !== '' };
}
