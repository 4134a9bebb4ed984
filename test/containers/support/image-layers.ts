// What an image adds over its base, from the engine's own history of both images.
import { docker } from './engine.ts';

export interface Layer {
  createdBy: string;
  bytes: number;
}

export async function layers(image: string): Promise<Layer[]> {
  const { stdout } = await docker([
    'history',
    '--no-trunc',
    '--human=false',
    '--format',
    '{{json .}}',
    image,
  ]);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { CreatedBy: string; Size: string })
    .map((entry) => ({
      createdBy: entry.CreatedBy.replace(/ # buildkit$/, ''),
      bytes: Number(entry.Size),
    }));
}

/** The image's own layers, newest first: its history without the base's. */
export async function layersOver(image: string, base: string): Promise<Layer[]> {
  const own = await layers(image);
  return own.slice(0, own.length - (await layers(base)).length);
}

export async function imageBytes(image: string): Promise<number> {
  return Number((await docker(['image', 'inspect', '--format', '{{.Size}}', image])).stdout.trim());
}
