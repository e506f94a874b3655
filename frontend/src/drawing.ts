// The drawing dialog (a small Paint): fabric, in its own chunk, loaded the first time the
// student opens it. "Insert" hands a PNG to `save` (which uploads and inserts it); the
// dialog stays open with the drawing if that fails (offline), so it can be tried again.
import { Canvas, Ellipse, IText, Line, PencilBrush, Rect, type FabricObject, type TPointerEventInfo } from "fabric";
import { h } from "./dom";
import { t } from "./i18n";

type Tool = "pen" | "line" | "rect" | "ellipse" | "text" | "select";

const WIDTH = 760;
const HEIGHT = 440;

export function openDrawingDialog(save: (png: Blob) => Promise<string | null>): Promise<boolean> {
  return new Promise((resolve) => {
    let result = false;
    const canvasEl = h("canvas", { width: WIDTH, height: HEIGHT, class: "drawing-canvas" });
    const color = h("input", { type: "color", value: "#1d2433", "aria-label": t("draw_color") });
    const width = h(
      "select",
      { "aria-label": t("draw_width") },
      ...[2, 4, 8, 14].map((w) => h("option", { value: String(w), text: `${w}px`, selected: w === 4 })),
    );
    const status = h("p", { class: "q-error", role: "alert" });
    const toolButtons = new Map<Tool, HTMLButtonElement>();
    const tool = (name: Tool, label: string): HTMLButtonElement => {
      const b = h("button", {
        type: "button",
        class: "tool",
        "data-tool": name,
        "aria-pressed": "false",
        text: label,
        onclick: () => setTool(name),
      });
      toolButtons.set(name, b);
      return b;
    };
    const insertButton = h("button", {
      type: "button",
      class: "primary",
      "data-action": "insert-drawing",
      text: t("insert"),
    });
    const dialog = h(
      "dialog",
      { class: "drawing-dialog", "aria-label": t("drawing_title") },
      h(
        "div",
        { class: "dialog-body" },
        h("div", { class: "dialog-head" }, h("h2", { text: t("drawing_title") })),
        h(
          "div",
          { class: "toolbar drawing-tools", role: "toolbar" },
          tool("pen", t("draw_pen")),
          tool("line", t("draw_line")),
          tool("rect", t("draw_rect")),
          tool("ellipse", t("draw_ellipse")),
          tool("text", t("draw_text")),
          tool("select", t("draw_select")),
          color,
          width,
          h("button", { type: "button", text: t("undo"), onclick: () => undo() }),
          h("button", { type: "button", text: t("draw_clear"), onclick: () => clearAll() }),
        ),
        h("div", { class: "drawing-wrap" }, canvasEl),
        status,
        h(
          "div",
          { class: "toolbar" },
          insertButton,
          h("button", { type: "button", "data-action": "cancel", text: t("cancel"), onclick: () => dialog.close() }),
        ),
      ),
    );
    document.body.append(dialog);
    dialog.showModal();

    const canvas = new Canvas(canvasEl, { backgroundColor: "#ffffff", selection: false });
    const brush = new PencilBrush(canvas);
    canvas.freeDrawingBrush = brush;
    let current: Tool = "pen";
    let shape: FabricObject | null = null;
    let origin = { x: 0, y: 0 };

    const stroke = (): { stroke: string; strokeWidth: number; fill: string } => ({
      stroke: color.value,
      strokeWidth: Number(width.value),
      fill: "transparent",
    });
    function setTool(name: Tool): void {
      current = name;
      canvas.isDrawingMode = name === "pen";
      brush.color = color.value;
      brush.width = Number(width.value);
      const selectable = name === "select";
      canvas.selection = false;
      for (const obj of canvas.getObjects()) obj.selectable = selectable;
      if (!selectable) canvas.discardActiveObject();
      canvas.requestRenderAll();
      for (const [n, b] of toolButtons) b.setAttribute("aria-pressed", String(n === name));
    }
    color.addEventListener("input", () => setTool(current));
    width.addEventListener("change", () => setTool(current));

    canvas.on("mouse:down", (opt: TPointerEventInfo) => {
      if (current === "pen" || current === "select") return;
      const p = opt.scenePoint;
      origin = { x: p.x, y: p.y };
      if (current === "text") {
        const text = new IText(t("draw_text_sample"), {
          left: p.x,
          top: p.y,
          fill: color.value,
          fontSize: 12 + Number(width.value) * 3,
          fontFamily: "system-ui, sans-serif",
        });
        canvas.add(text);
        canvas.setActiveObject(text);
        text.enterEditing();
        text.selectAll();
        return;
      }
      if (current === "line") {
        shape = new Line([p.x, p.y, p.x, p.y], { ...stroke(), selectable: false });
      } else if (current === "rect") {
        shape = new Rect({ left: p.x, top: p.y, width: 1, height: 1, ...stroke(), selectable: false, originX: "left", originY: "top" });
      } else {
        shape = new Ellipse({ left: p.x, top: p.y, rx: 1, ry: 1, ...stroke(), selectable: false, originX: "left", originY: "top" });
      }
      canvas.add(shape);
    });
    canvas.on("mouse:move", (opt: TPointerEventInfo) => {
      if (!shape) return;
      const p = opt.scenePoint;
      if (shape instanceof Line) {
        shape.set({ x2: p.x, y2: p.y });
      } else if (shape instanceof Rect) {
        shape.set({
          left: Math.min(p.x, origin.x),
          top: Math.min(p.y, origin.y),
          width: Math.abs(p.x - origin.x),
          height: Math.abs(p.y - origin.y),
        });
      } else if (shape instanceof Ellipse) {
        shape.set({
          left: Math.min(p.x, origin.x),
          top: Math.min(p.y, origin.y),
          rx: Math.abs(p.x - origin.x) / 2,
          ry: Math.abs(p.y - origin.y) / 2,
        });
      }
      shape.setCoords();
      canvas.requestRenderAll();
    });
    canvas.on("mouse:up", () => {
      shape = null;
    });

    function undo(): void {
      const objects = canvas.getObjects();
      const last = objects[objects.length - 1];
      if (last) canvas.remove(last);
      canvas.requestRenderAll();
    }
    function clearAll(): void {
      for (const obj of canvas.getObjects()) canvas.remove(obj);
      canvas.requestRenderAll();
    }

    insertButton.addEventListener("click", async () => {
      if (!canvas.getObjects().length) {
        status.textContent = t("draw_empty");
        return;
      }
      canvas.discardActiveObject();
      canvas.renderAll();
      insertButton.disabled = true;
      status.textContent = t("uploading");
      try {
        const png = await canvas.toBlob({ format: "png", multiplier: 1, quality: 1 });
        const error = png ? await save(png) : t("upload_failed");
        if (error) {
          status.textContent = error;
          return;
        }
        result = true;
        dialog.close();
      } finally {
        insertButton.disabled = false;
      }
    });
    dialog.addEventListener("close", () => {
      void canvas.dispose();
      dialog.remove();
      resolve(result);
    });
    setTool("pen");
  });
}
