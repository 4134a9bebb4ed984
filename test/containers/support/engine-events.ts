// The engine's own record of what happened to a project's containers (`docker events`): when
// each one started and when Docker first called it healthy, with the engine's timestamps.
import { docker } from './engine.ts';

export interface EngineEvent {
  service: string;
  action: string;
  /** Milliseconds since the epoch, from the engine's own nanosecond stamp. */
  timeMs: number;
}

interface RawEvent {
  Action: string;
  timeNano: number | string;
  Actor: { Attributes: Record<string, string> };
}

/** Container events of a compose project between two moments (seconds since the epoch). */
export async function projectEvents(
  project: string,
  sinceSeconds: number,
  untilSeconds: number,
): Promise<EngineEvent[]> {
  const { stdout } = await docker([
    'events',
    '--since',
    String(Math.floor(sinceSeconds)),
    '--until',
    String(Math.ceil(untilSeconds)),
    '--filter',
    'type=container',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--format',
    '{{json .}}',
  ]);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RawEvent)
    .map((event) => ({
      service: event.Actor.Attributes['com.docker.compose.service'] ?? '',
      action: event.Action,
      timeMs: Number(event.timeNano) / 1e6,
    }));
}

/** The first event of SERVICE whose action is ACTION, or undefined. */
export function firstEvent(
  events: EngineEvent[],
  service: string,
  action: string,
): EngineEvent | undefined {
  return events.find((event) => event.service === service && event.action === action);
}
