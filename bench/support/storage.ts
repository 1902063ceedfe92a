/**
 * What the download benchmarks' storage servers share: the `x-goog-hash`
 * header cloud storage sends with an object, a shell step, and a random
 * (incompressible) results `.tgz` of a given size.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { createCRC32 } from "hash-wasm";

/** Options of {@linkcode googHash}. */
export interface GoogHashOptions {
  /** Also give the md5, as storage does for objects uploaded in one piece. Default false. */
  md5?: boolean;
}

/** The `x-goog-hash` value of `file`: `crc32c=...` and, when asked, `,md5=...` (base64). */
export async function googHash(file: string, options: GoogHashOptions = {}): Promise<string> {
  const crc = await createCRC32(0x82f63b78);
  crc.init();
  const md5 = options.md5 ? createHash("md5") : undefined;
  for await (const chunk of (await Deno.open(file)).readable) {
    crc.update(chunk);
    md5?.update(chunk);
  }
  const crc32c = `crc32c=${crc.digest("binary").toBase64()}`;
  return md5 ? `${crc32c},md5=${md5.digest("base64")}` : crc32c;
}

/** Runs `script` with bash; throws with its stderr when it fails. */
export async function sh(script: string): Promise<void> {
  const out = await new Deno.Command("bash", { args: ["-c", script] }).output();
  if (!out.success) throw new Error(`${script}: ${new TextDecoder().decode(out.stderr)}`);
}

/**
 * Writes `DIR/resultsMB.tgz`: `output/data.json` and four random
 * `output/scene/partN.tif` of MB/4 MiB each, gzipped at level 1. Returns its path.
 */
export async function randomResultsTgz(dir: string, mb: number): Promise<string> {
  const src = `${dir}/src${mb}`;
  const file = `${dir}/results${mb}.tgz`;
  const parts = 4;
  await sh(
    `mkdir -p ${src}/output/scene && for i in $(seq 1 ${parts}); do ` +
      `head -c ${Math.round(mb / parts)}M /dev/urandom > ${src}/output/scene/part$i.tif; done && ` +
      `echo '{}' > ${src}/output/data.json && tar -C ${src} -cf - output | gzip -1 > ${file} && rm -rf ${src}`,
  );
  return file;
}
