// Builds the exam page's bundle into the Django static folder (committed; CI rebuilds it
// with scripts/verify_bundle.sh and fails if it differs). No source maps, no hashes in the
// entry names (the template links attempts/exam.js and attempts/exam.css); lazily loaded
// chunks carry a content hash. Fonts: KaTeX's woff2 files only, shared with MathLive.
import * as esbuild from "esbuild";
import { chmodSync, copyFileSync, readFileSync, rmSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, "..", "emtihan", "attempts", "static", "attempts");
const started = performance.now();

// KaTeX's stylesheet lists woff2, woff and ttf for every face: keep woff2 only (every
// browser that runs ES modules reads woff2), so esbuild copies 20 files instead of 60.
const woff2Only = {
  name: "katex-woff2-only",
  setup(build) {
    build.onLoad({ filter: /katex[\\/]dist[\\/]katex(\.min)?\.css$/ }, (args) => {
      const css = readFileSync(args.path, "utf8").replace(
        /,\s*url\([^)]*\.(woff|ttf)\)\s*format\("(woff|truetype)"\)/g,
        "",
      );
      return { contents: css, loader: "css" };
    });
  },
};

// The face worker runs Human on tfjs's WASM backend only: it is built from Human's
// "nobundle" module with tfjs's core, converter, CPU and WASM packages (pinned to the
// versions Human 3.3.6 was built with), and the WebGL and WebGPU backends, which the worker
// never uses, replaced by empty modules: the worker script is 0.94 MB instead of 1.55 MB.
const faceWasmOnly = {
  name: "face-wasm-only",
  setup(build) {
    build.onResolve({ filter: /^@vladmandic\/human$/ }, () => ({
      path: join(here, "node_modules", "@vladmandic", "human", "dist", "human.esm-nobundle.js"),
    }));
    build.onResolve({ filter: /^@tensorflow\/tfjs-backend-(webgl|webgpu)(\/|$)/ }, (args) => ({
      path: args.path,
      namespace: "unused-backend",
    }));
    build.onLoad({ filter: /.*/, namespace: "unused-backend" }, () => ({ contents: "export {};", loader: "js" }));
  },
};

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const result = await esbuild.build({
  absWorkingDir: here,
  entryPoints: {
    exam: "src/main.ts",
    author: "src/author.ts",
    // The face worker (@vladmandic/human on tfjs WASM), loaded with new Worker(); its
    // models and .wasm are copied below. face.js: the page's side of it as an ES module
    // (startFaceWorker, watchFaces, prefetchFaceModels), for pages without a build of
    // their own and for the tests; bundles that import client.ts share its chunk.
    "face-worker": "src/proctoring/face/worker.ts",
    face: "src/proctoring/face/client.ts",
    // The voice detector's AudioWorklet module (audioWorklet.addModule), no imports.
    "proctoring-voice": "src/proctoring/voice-worklet.ts",
    // Before the exam: the camera check page (proctoring/precheck.html).
    precheck: "src/proctoring/precheck.ts",
  },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "browser",
  target: ["es2020"],
  conditions: ["production"],
  define: { "process.env.NODE_ENV": '"production"' },
  minify: true,
  sourcemap: false,
  legalComments: "none",
  entryNames: "[name]",
  chunkNames: "chunks/[name]-[hash]",
  assetNames: "fonts/[name]",
  loader: { ".woff2": "file", ".woff": "empty", ".ttf": "empty" },
  charset: "utf8",
  metafile: true,
  logLevel: "warning",
  plugins: [woff2Only, faceWasmOnly],
});

// The face worker's models and tfjs's .wasm files, copied from the pinned packages into
// folders named by their versions (src/proctoring/face/assets.ts names the same folders;
// the build fails if they differ, so a new version gets new, long-cacheable URLs). Only
// the models the worker loads: BlazeFace, the face mesh and CenterNet ("cell phone").
const faceAssets = readFileSync(join(here, "src", "proctoring", "face", "assets.ts"), "utf8");
const version = (pkg) => JSON.parse(readFileSync(join(here, "node_modules", pkg, "package.json"), "utf8")).version;
const copyInto = (dir, from, files) => {
  const wanted = `"${dir}/"`;
  if (!faceAssets.includes(wanted)) throw new Error(`src/proctoring/face/assets.ts must name the folder ${wanted}`);
  mkdirSync(join(outdir, dir), { recursive: true });
  for (const f of files) {
    const to = join(outdir, dir, f.split("/").pop());
    copyFileSync(join(here, "node_modules", from, f), to);
    chmodSync(to, 0o644); // the .wasm files are executable in the package
  }
};
// The tfjs packages the worker is built with must be those Human was built with.
const humanTfjs = readFileSync(join(here, "node_modules/@vladmandic/human/dist/tfjs.version.js"), "utf8").match(/"(\d+\.\d+\.\d+)"/)[1];
for (const pkg of ["tfjs-core", "tfjs-converter", "tfjs-backend-cpu", "tfjs-backend-wasm"]) {
  if (version(`@tensorflow/${pkg}`) !== humanTfjs)
    throw new Error(`@tensorflow/${pkg} must be ${humanTfjs}, the tfjs of @vladmandic/human (package.json)`);
}
copyInto(
  `face/human-${version("@vladmandic/human")}`,
  "@vladmandic/human",
  ["blazeface", "facemesh", "centernet"].flatMap((m) => [`models/${m}.json`, `models/${m}.bin`]),
);
copyInto(`face/tfjs-wasm-${version("@tensorflow/tfjs-backend-wasm")}`, "@tensorflow/tfjs-backend-wasm", [
  "dist/tfjs-backend-wasm.wasm",
  "dist/tfjs-backend-wasm-simd.wasm",
]);

// The licences of every package in the bundle, in one file beside it (minified code
// drops the comments that carried them).
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m) packages.add(m[1]);
}
packages.add("@tensorflow/tfjs-backend-wasm"); // its .wasm files, copied above
let licences = "Third-party software in this bundle (built from frontend/ by frontend/build.mjs)\n";
for (const name of [...packages].sort()) {
  const dir = join(here, "node_modules", name);
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const file = readdirSync(dir).find((f) => /^licen[cs]e(\.(md|txt))?$/i.test(f));
  licences += `\n${"=".repeat(78)}\n${name} ${meta.version} (${meta.license})\n${"=".repeat(78)}\n`;
  licences += file
    ? readFileSync(join(dir, file), "utf8").trim() + "\n"
    : `${meta.license} (the package ships no licence file of its own)\n`;
  if (name === "@vladmandic/human")
    licences += "\nThe face models copied into face/human-*/ (blazeface, facemesh, centernet) ship inside this package.\n";
}
writeFileSync(join(outdir, "THIRD-PARTY-LICENSES.txt"), licences);

const ms = Math.round(performance.now() - started);
// Report sizes: the exam page's first load (exam.js, exam.css and the chunks exam.js
// imports statically), every lazily loaded chunk and the other entries (author.js, the
// question editor of the teacher's pages).
const outputs = result.metafile.outputs;
const rel = (p) => relative(outdir, join(here, p));
const firstLoad = new Set();
const visit = (p) => {
  if (firstLoad.has(p) || !outputs[p]) return;
  firstLoad.add(p);
  for (const imp of outputs[p].imports) if (imp.kind === "import-statement") visit(imp.path);
};
for (const p of Object.keys(outputs)) {
  if (outputs[p].entryPoint !== "src/main.ts") continue;
  visit(p);
  if (outputs[p].cssBundle) firstLoad.add(outputs[p].cssBundle);
}
let firstRaw = 0;
let firstGz = 0;
const rows = [];
for (const p of Object.keys(outputs).sort()) {
  if (!/\.(js|css)$/.test(p)) continue;
  const buf = readFileSync(join(here, p));
  const gz = gzipSync(buf, { level: 9 }).length;
  const first = firstLoad.has(p);
  if (first) {
    firstRaw += buf.length;
    firstGz += gz;
  }
  const what = first ? "first" : outputs[p].entryPoint ? "entry" : "lazy ";
  rows.push(`${what}  ${(buf.length / 1024).toFixed(1).padStart(8)} KB  ${(gz / 1024).toFixed(1).padStart(7)} KB gz  ${rel(p)}`);
}
let fonts = 0;
for (const f of readdirSync(join(outdir, "fonts"))) fonts += statSync(join(outdir, "fonts", f)).size;
let faceBytes = 0;
for (const dir of readdirSync(join(outdir, "face")))
  for (const f of readdirSync(join(outdir, "face", dir))) faceBytes += statSync(join(outdir, "face", dir, f)).size;
if (process.env.BUILD_QUIET !== "1") {
  console.log(rows.join("\n"));
  console.log(`first load: ${(firstRaw / 1024).toFixed(1)} KB, ${(firstGz / 1024).toFixed(1)} KB gzipped (fonts load on first formula: ${(fonts / 1024).toFixed(0)} KB woff2 in all)`);
  console.log(`face worker's models and .wasm: ${(faceBytes / 1048576).toFixed(2)} MB in face/ (the browser fetches the SIMD .wasm only)`);
  console.log(`built in ${ms} ms`);
}
