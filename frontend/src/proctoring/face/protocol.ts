// Messages between the page (client.ts) and the face worker (worker.ts). Types only.

/** What one analysed frame shows. Angles in degrees; null when there is no face. */
export interface FaceReading {
  /** Faces found (0 = nobody, 2+ = someone else in view). */
  faces: number;
  /** Head turn of the largest face, degrees (positive: the head turned to its left, the picture's right). */
  yaw: number | null;
  /** Head tilt of the largest face, degrees (positive: looking down). */
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

export type ToWorker = InitMessage | AnalyseMessage | KeyframeMessage;

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

export type FromWorker = ReadyReply | ReadingReply | KeyframeReply | ErrorReply;
