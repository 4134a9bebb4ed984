// The hardening docker-compose.yml gives the services that run our code or a one-shot tool (api,
// front, backup): read-only root, a /tmp of its own, no capabilities, no setuid.
import type { ResolvedService } from './docker-compose.ts';

const NO_NEW_PRIVILEGES = /^no-new-privileges(?::true)?$/;

export function hardeningProblems(name: string, service: ResolvedService): string[] {
  const problems: string[] = [];
  if (service.read_only !== true) problems.push(`${name}: root filesystem must be read_only`);
  const tmpfs = [service.tmpfs ?? []].flat();
  if (!tmpfs.some((mount) => mount.split(':')[0] === '/tmp'))
    problems.push(`${name}: needs a tmpfs on /tmp`);
  if (!service.cap_drop?.includes('ALL')) problems.push(`${name}: cap_drop must include ALL`);
  if (!service.security_opt?.some((option) => NO_NEW_PRIVILEGES.test(option))) {
    problems.push(`${name}: security_opt must include no-new-privileges`);
  }
  return problems;
}
