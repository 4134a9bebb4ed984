// `npm run images:sizes`: a report, not a test. Builds both images on the tier's private engine
// (as `docker compose build` does) and prints what each adds over its base, and the whole image,
// next to the original design's figures. Where the official base cannot be pulled, the whole
// size is measured on the stand-in base and says so: the stand-ins are Debian, the official
// bases Alpine, so only the added bytes carry over.
import { type BaseImage, ensureBaseImages } from './support/base-images.ts';
import { startEngine, stopEngine } from './support/engine.ts';
import { imageBytes, layersOver } from './support/image-layers.ts';
import { buildProjectImages } from './support/project-images.ts';

/** The original design's images, as its report gave them. */
const ORIGINAL_DESIGN_MB = { 'tristack-api': 328, 'tristack-front': 93 } as const;
const IMAGE_TAG = 'dev';
const MB = 1_000_000;
const KB = 1_000;

const mb = (bytes: number) =>
  bytes < MB ? `${(bytes / KB).toFixed(1)} kB` : `${(bytes / MB).toFixed(1)} MB`;

interface ImageReport {
  row: string;
  layers: string[];
}

async function report(
  image: keyof typeof ORIGINAL_DESIGN_MB,
  base: BaseImage,
): Promise<ImageReport> {
  const reference = `${image}:${IMAGE_TAG}`;
  const own = await layersOver(reference, base.reference);
  const added = own.reduce((sum, layer) => sum + layer.bytes, 0);
  const whole = await imageBytes(reference);
  const baseBytes = await imageBytes(base.reference);
  const onBase = base.standIn
    ? `${mb(whole)} on the stand-in ${base.reference} (${mb(baseBytes)}); ${base.official} could not be pulled`
    : `${mb(whole)} on ${base.official} (${mb(baseBytes)})`;
  return {
    row: `| ${image} | ${mb(added)} | ${onBase} | ${ORIGINAL_DESIGN_MB[image]} MB |`,
    layers: own
      .filter((layer) => layer.bytes > 0)
      .map((layer) => `- ${image}: ${mb(layer.bytes)}, ${layer.createdBy.slice(0, 90)}`),
  };
}

async function main(): Promise<void> {
  const { started } = startEngine();
  try {
    const bases = await ensureBaseImages((line) => console.error(`images:sizes: ${line}`));
    await buildProjectImages(bases);
    const reports = [
      await report('tristack-api', bases.NODE_IMAGE),
      await report('tristack-front', bases.HTTPD_IMAGE),
    ];
    console.log(
      [
        `#### Image sizes, ${new Date().toISOString()}`,
        '',
        '| image | added over its base | whole image | original design |',
        '| --- | ---: | --- | ---: |',
        ...reports.map((entry) => entry.row),
        '',
        'Layers added (uncompressed, as the engine stores them):',
        ...reports.flatMap((entry) => entry.layers),
      ].join('\n'),
    );
  } finally {
    if (started) stopEngine();
  }
}

main().catch((error: unknown) => {
  console.error(`images:sizes: ${(error as Error).message}`);
  process.exit(1);
});
