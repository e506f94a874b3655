// The browser's face-analysis thresholds (docs/PROCTORING.md, "Browser-side face
// analysis"). Those that the server also has are the same figures as
// emtihan/proctoring/rules.py (a Python test reads this file and compares them); the
// others exist only here.

// --- the same as the server's rules.py -------------------------------------------------
/** No face for this long is a `no_face` detection (rules.ABSENT_MIN_SECONDS). */
export const ABSENT_MIN_SECONDS = 30;
/** Looking away for this long is a `looking_away` detection (rules.LOOKING_AWAY_MIN_SECONDS). */
export const LOOKING_AWAY_MIN_SECONDS = 30;
/** Head turned more than this (degrees) from the straight pose (rules.LOOKING_AWAY_YAW_DEGREES). */
export const LOOKING_AWAY_YAW_DEGREES = 35.0;
/** Head tilted more than this (degrees) from the straight pose (rules.LOOKING_AWAY_PITCH_DEGREES). */
export const LOOKING_AWAY_PITCH_DEGREES = 25.0;
/** This many faces or more is `multiple_faces` (rules.MULTIPLE_FACES_MIN). */
export const MULTIPLE_FACES_MIN = 2;

// --- the browser's own -------------------------------------------------------------------
/** Frames analysed per second at most (the worker skips a frame while it is busy). */
export const MAX_FRAMES_PER_SECOND = 1;
/**
 * Several faces, or a phone, must be seen on this many consecutive readings before they
 * count (one reading is one frame: a detector's single false positive is not a stretch).
 */
export const MIN_CONSECUTIVE_READINGS = 2;
/** A face counts when the detector is at least this sure (0..1). */
export const FACE_MIN_CONFIDENCE = 0.5;
/** A "cell phone" object counts when the detector is at least this sure (0..1). */
export const PHONE_MIN_CONFIDENCE = 0.4;
/**
 * While the student types (a key pressed in the last TYPING_QUIET_MS), the worker
 * analyses one frame every TYPING_INTERVAL_MS instead: its CPU time goes to the page.
 */
export const TYPING_QUIET_MS = 2000;
export const TYPING_INTERVAL_MS = 5000;
/** The phone detector (the largest model) runs on one analysed frame in this many. */
export const PHONE_EVERY_N_FRAMES = 3;
/** A stretch still going on after this long is sent, and a new one starts (ms). */
export const MAX_STRETCH_MS = 120_000;
/** Keyframes: at most this wide/high, JPEG at this quality (the server's limits are 1280 × 960, 200 KB). */
export const KEYFRAME_MAX_WIDTH = 640;
export const KEYFRAME_MAX_HEIGHT = 480;
export const KEYFRAME_QUALITY = 0.7;
/** Guidance on the device-check page: a face narrower than this share of the frame is "too far". */
export const TOO_FAR_BOX_WIDTH_RATIO = 0.2;
/** Guidance: mean brightness (0..255) of the frame under this is "too dark". */
export const TOO_DARK_BRIGHTNESS = 50;
