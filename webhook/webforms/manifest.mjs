// After `vite build`: copy the upstream licence, precompress the files (gzip, level 9) and
// write MANIFEST.json: the pinned version, the entry file and each shipped file's SHA-256
// (tests/webhook/test_webforms_assets.py checks all three against package.json).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, readdirSync, statSync, copyFileSync, unlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync, constants } from 'node:zlib';

const out = new URL('../static/webforms/', import.meta.url).pathname;
const pkg = (name) => JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url)));
const webForms = pkg('@getodk/web-forms');
const vite = JSON.parse(readFileSync(join(out, 'vite-manifest.json')));
unlinkSync(join(out, 'vite-manifest.json'));
copyFileSync(new URL('./LICENSE-web-forms.txt', import.meta.url), join(out, 'LICENSE'));

const walk = (dir) => readdirSync(dir).flatMap((name) => {
  const path = join(dir, name);
  return statSync(path).isDirectory() ? walk(path) : [path];
});
const files = {};
for (const path of walk(out).sort()) {
  if (path.endsWith('.gz') || path.endsWith('MANIFEST.json')) continue;
  const body = readFileSync(path);
  const name = relative(out, path);
  files[name] = { sha256: createHash('sha256').update(body).digest('hex'), bytes: body.length };
  if (/\.(js|css|svg)$/.test(name)) {
    const gz = gzipSync(body, { level: constants.Z_BEST_COMPRESSION });
    writeFileSync(`${path}.gz`, gz);
    files[name].gzip_bytes = gz.length;
  }
}
const entry = vite['src/main.js'];
writeFileSync(join(out, 'MANIFEST.json'), JSON.stringify({
  package: webForms.name,
  version: webForms.version,
  license: webForms.license,
  vue: pkg('vue').version,
  entry: entry.file,
  files,
}, null, 2) + '\n');
console.log(`webforms ${webForms.version}: ${Object.keys(files).length} files, entry ${entry.file}`);
