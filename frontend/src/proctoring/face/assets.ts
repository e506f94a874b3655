// Where the face worker's files are, under the exam page's static folder
// (emtihan/attempts/static/attempts/). frontend/build.mjs copies them there from the
// pinned packages and fails if the versions in these folder names are not the pinned
// ones: a new version gets new URLs, so the files can be cached for a year.

/** The worker script (an entry of the build). */
export const WORKER_FILE = "face-worker.js";
/** @vladmandic/human's models (only those below are copied). */
export const MODELS_DIR = "face/human-3.3.6/";
/** tfjs-backend-wasm's .wasm files (plain and SIMD; not the threaded one). */
export const WASM_DIR = "face/tfjs-wasm-4.22.0/";

/** The face detector and the face mesh (head angles): always loaded. */
export const FACE_MODELS = ["blazeface", "facemesh"] as const;
/** The object detector whose labels include "cell phone". */
export const PHONE_MODEL = "centernet";
/** What the browser fetches for tfjs's WASM backend (it picks one). */
export const WASM_FILES = ["tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm.wasm"] as const;

/** URLs of everything the worker loads, given the static folder's URL (ends with "/"). */
export function faceAssetUrls(staticBase: string, phone: boolean): string[] {
  const base = staticBase.endsWith("/") ? staticBase : `${staticBase}/`;
  const models = phone ? [...FACE_MODELS, PHONE_MODEL] : [...FACE_MODELS];
  const urls = [`${base}${WORKER_FILE}`];
  for (const m of models) urls.push(`${base}${MODELS_DIR}${m}.json`, `${base}${MODELS_DIR}${m}.bin`);
  // Only the SIMD build: every browser that runs module workers has WASM SIMD.
  urls.push(`${base}${WASM_DIR}${WASM_FILES[0]}`);
  return urls;
}
