// MathLive, in its own chunk, loaded the first time the formula dialog opens. Its fonts are
// KaTeX's (the same files), served beside the bundle; no sounds.
import { MathfieldElement } from "mathlive";

export function setup(fontsUrl: string): typeof MathfieldElement {
  MathfieldElement.fontsDirectory = fontsUrl;
  MathfieldElement.soundsDirectory = null;
  return MathfieldElement;
}
