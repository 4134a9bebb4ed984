// What docker-compose.yml's `backup` profile must be: a one-shot dump in the db image (the one
// that carries mysqldump, of the server's own version), on the database network only, as the
// app user, non-root and hardened like the api, writing into a bind-mounted folder.
import { existsSync } from 'node:fs';
import { hardeningProblems } from './compose-hardening.ts';
import { publishedPorts, type ResolvedCompose, type ResolvedService } from './docker-compose.ts';
import { REPO_ROOT } from './repo.ts';

export const BACKUP_PROFILE = 'backup';
const SERVICE = 'backup';
const SCRIPT = `${REPO_ROOT.replace(/\/+$/, '')}/db/backup/compose-backup.sh`;
/** Who may read the database, and how: what the service must share with db. */
const SHARED_WITH_DB = ['MYSQL_DATABASE', 'MYSQL_USER', 'MYSQL_PASSWORD', 'MYSQL_PASSWORD_FILE'];
const ROOT_USERS = ['', '0', 'root'];

function mountProblems(service: ResolvedService): string[] {
  const mounts = (service.volumes ?? []).map((spec) => {
    const [source = '', target = '', mode = ''] = spec.split(':');
    return { source, target, readOnly: mode.split(',').includes('ro') };
  });
  const problems: string[] = [];
  const script = mounts.find((mount) => mount.source === SCRIPT);
  if (!script?.readOnly || !existsSync(SCRIPT)) {
    problems.push(`${SERVICE}: must mount ${SCRIPT} read-only`);
  } else if (!(service.entrypoint ?? []).includes(script.target)) {
    problems.push(`${SERVICE}: entrypoint must run ${script.target}`);
  }
  const out = mounts.find((mount) => mount.target === service.environment?.BACKUP_DIR);
  if (!out || out.readOnly) {
    problems.push(`${SERVICE}: BACKUP_DIR must be a writable mount (the dumps must outlive it)`);
  }
  return problems;
}

export function backupProblems(config: ResolvedCompose): string[] {
  const { db, [SERVICE]: backup } = config.services ?? {};
  if (!backup) return [`${SERVICE}: the ${BACKUP_PROFILE} profile needs a ${SERVICE} service`];
  const problems: string[] = [];
  if (backup.profiles?.join() !== BACKUP_PROFILE) {
    problems.push(`${SERVICE}: must start only with the ${BACKUP_PROFILE} profile`);
  }
  if (db && backup.image !== db.image) {
    problems.push(
      `${SERVICE}: image must be db's (${db.image}), whose mysqldump matches the server`,
    );
  }
  if (backup.restart && backup.restart !== 'no') {
    problems.push(`${SERVICE}: a one-shot must not restart; found restart ${backup.restart}`);
  }
  if (publishedPorts(backup).length) problems.push(`${SERVICE}: must not publish a port`);
  const networks = Object.keys(backup.networks ?? { default: null });
  if (networks.join() !== Object.keys(db?.networks ?? { default: null }).join()) {
    problems.push(`${SERVICE}: must be on db's networks only; found ${networks.join(', ')}`);
  }
  if (ROOT_USERS.includes(String(backup.user ?? '').split(':')[0] ?? '')) {
    problems.push(`${SERVICE}: user must be set and not root`);
  }
  if (backup.cap_add?.length) problems.push(`${SERVICE}: must not add capabilities`);
  problems.push(...hardeningProblems(SERVICE, backup));
  if (backup.environment?.MYSQL_HOST !== 'db') {
    problems.push(`${SERVICE}: MYSQL_HOST must be db`);
  }
  for (const name of SHARED_WITH_DB) {
    if (String(backup.environment?.[name] ?? '') !== String(db?.environment?.[name] ?? '')) {
      problems.push(`db and ${SERVICE}: ${name} differs, so the dump could not log in`);
    }
  }
  if (backup.depends_on?.db?.condition !== 'service_healthy') {
    problems.push(`${SERVICE}: must depend on db being service_healthy`);
  }
  problems.push(...mountProblems(backup));
  return problems;
}
