// The face watcher on the sitting page: the camera's video that live.ts opened, watched by
// the face worker, each detection (with its keyframe) queued by the upload queue like
// every other recording (docs/PROCTORING.md, "Browser-side face analysis"). A chunk the
// exam page imports after live.ts has started: the exam's first load never carries it.
import { queueDetection } from "../uploader";
import { watchFaces, type Watcher } from "./client";

/** Start watching `video`; the worker's files are under `staticBase` (the bundle's folder). */
export function watchSitting(video: HTMLVideoElement, staticBase: string): Watcher {
  const watcher = watchFaces(video, (detection) => void queueDetection(detection), {
    staticBase,
    onError: (error) => console.warn("proctoring: the face worker could not start", error),
  });
  // Leaving the page sends the stretches still open (the queue keeps them in IndexedDB).
  window.addEventListener("pagehide", () => void watcher.stop(), { once: true });
  return watcher;
}
