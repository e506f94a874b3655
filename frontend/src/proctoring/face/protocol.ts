// Messages between the page (client.ts) and the face worker (worker.ts). Types only.

/** What one analysed frame shows. Angles in degrees; null when there is no face. */
export interface FaceReading {
  /** Faces found (0 = nobody, 2+ = someone else in view). */
  faces: number;
  /**
   * Head turn of the largest face, degrees: negative when the student turns to their left,
   * positive to their right (Human's sign; tested on turned pictures, which read smaller
   * angles than a real head turn).
   */
  yaw: number | null;
  /** Head tilt of the largest face, degrees, with Human's sign. */
  pitch: number | null;
  /** Width of the largest face's box over the frame's width (0..1): "move closer" below ~0.2. */
  boxWidthRatio: number | null;
  /** Mean brightness of the frame, 0..255. */
  brightness: number;
  /** A "cell phone" in view (null: the phone detector did not run on this frame). */
  phone: boolean | null;
  /** Milliseconds the worker spent on this frame (detection and brightness). */
  ms: number;
  /** tfjs tensors alive after this frame (steady from frame to frame: no leak over a long sitting). */
  tensors: number;
}

export interface InitMessage {
  type: "init";
  /** URL of the folder holding the model files (ends with "/"). */
  modelBase: string;
  /** URL of the folder holding tfjs's .wasm files (ends with "/"). */
  wasmBase: string;
  /** Load the phone (object) detector too. */
  phone: boolean;
}

export interface AnalyseMessage {
  type: "analyse";
  id: number;
  frame: ImageBitmap;
  /** Run the phone detector on this frame. */
  phone: boolean;
}

export interface KeyframeMessage {
  type: "keyframe";
  id: number;
}

/**
 * Watch a camera's frames in the worker itself (a MediaStreamTrackProcessor's readable,
 * transferred): the page's thread then does nothing per frame. One frame every
 * `intervalMs` is analysed; the others are closed unread.
 */
export interface WatchMessage {
  type: "watch";
  frames: ReadableStream<VideoFrame>;
  intervalMs: number;
  /** The phone detector runs on one analysed frame in this many (0: never). */
  phoneEvery: number;
  maxWidth: number;
}

/** The student is typing: analyse less often for a while. */
export interface TypingMessage {
  type: "typing";
  /** Milliseconds from now during which the slower rate holds. */
  forMs: number;
  /** The slower rate's gap between two analysed frames. */
  intervalMs: number;
}

export type ToWorker = InitMessage | AnalyseMessage | KeyframeMessage | WatchMessage | TypingMessage;

export interface ReadyReply {
  type: "ready";
  backend: string;
  loadMs: number;
  models: string[];
}
export interface ReadingReply {
  type: "reading";
  id: number;
  reading: FaceReading;
}
export interface KeyframeReply {
  type: "keyframe";
  id: number;
  /** JPEG of the last analysed frame, or null if there is none. */
  blob: Blob | null;
}
export interface ErrorReply {
  type: "error";
  /** The request it answers (0: loading). */
  id: number;
  message: string;
}

/** A frame the worker took from the watched stream. */
export interface FrameReply {
  type: "frame";
  reading: FaceReading;
  /** When the frame was taken: milliseconds since the epoch (the page converts it). */
  capturedAt: number;
}
/** The watched stream ended (the camera's track stopped). */
export interface UnwatchedReply {
  type: "unwatched";
}

export type FromWorker = ReadyReply | ReadingReply | KeyframeReply | ErrorReply | FrameReply | UnwatchedReply;
